/*
 * The federation mode's parts: the pair of hubs and the phases
 * (bench_federation.c), the load on both hubs (bench_federation_load.c)
 * and the figures (bench_federation_summary.c).
 */
#ifndef KENTONGAN_BENCH_FEDERATION_IMPL_H
#define KENTONGAN_BENCH_FEDERATION_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "bench_federation.h"

/* The drain gives up when nothing more arrives for this long. */
#define BENCH_FED_STALL_TIMEOUT		10.0

/* The hubs of a pair: A has the publishers and dials B. */
enum bench_fed_side {
	BENCH_FED_A,
	BENCH_FED_B,
	BENCH_FED_SIDES
};

/* The figures, each measured on a pair of its own. */
enum bench_fed_figure {
	BENCH_FED_THROUGHPUT,	/* as fast as A takes them: reports/s */
	BENCH_FED_LATENCY,	/* at a set rate: sent on A -> alert on B */
	BENCH_FED_FIGURES
};

/* The phases of a figure, in order; only the main thread moves them on. */
enum bench_fed_phase {
	BENCH_FED_CONNECT,	/* members connect and subscribe */
	BENCH_FED_PROBE,	/* one report, to see the link carry it */
	BENCH_FED_RUN,		/* publishers send: warm-up, then measured */
	BENCH_FED_DRAIN,	/* publishers stop; the rest comes in */
	BENCH_FED_STOP
};

/* Waits in ms: report sent -> alert received, or -> accepted. */
struct bench_fed_wait {
	size_t		 count;
	double		 p50;
	double		 p90;
	double		 p99;
	double		 max;
	double		 mean;
};

/* The load of one figure: who connects to which hub, and how fast. */
struct bench_fed_plan {
	const struct bench_workload	*wl;	/* window, ack_every, size */
	double				 rate;	/* in all; 0: the window's */
	const char			*origin_hub;	/* A's hub_id */
	const char			*port[BENCH_FED_SIDES];
	const char			*ca[BENCH_FED_SIDES];
	const struct bench_identity	*publishers;	/* on A */
	unsigned			 npublishers;
	const struct bench_identity	*subscribers[BENCH_FED_SIDES];
	unsigned			 nsubscribers[BENCH_FED_SIDES];
};

/* The load's counters, read while it runs. */
struct bench_fed_counts {
	uint64_t	 sent;
	uint64_t	 answered;
	uint64_t	 accepted;
	uint64_t	 rejected;
	uint64_t	 got[BENCH_FED_SIDES];	/* the slowest subscriber's
						   reports, each once */
	uint64_t	 alerts[BENCH_FED_SIDES];	/* all received */
	uint64_t	 duplicates;	/* a report a subscriber had already */
	uint64_t	 missing;	/* skipped over by a later one */
	uint64_t	 malformed;	/* not the alert expected on that hub */
	uint64_t	 out_of_order;	/* seq not above the one before */
	uint64_t	 errors;	/* any other line that is trouble */
	uint64_t	 ready;
	uint64_t	 failed;
};

/* The figures of one figure's run. */
struct bench_fed_result {
	enum bench_fed_figure	 figure;
	int			 measured;	/* its window ran to the end */
	unsigned		 publishers;
	unsigned		 subscribers[BENCH_FED_SIDES];
	double			 rate;
	double			 link_seconds;	/* A up -> probe on B; -1 */
	double			 elapsed;	/* the measured window */
	struct bench_fed_counts	 start;		/* at the window's start */
	struct bench_fed_counts	 end;		/* at its end */
	struct bench_fed_counts	 last;		/* after the drain */
	uint64_t		*series[2];	/* per second: accepted on A,
						   reports received on B */
	size_t			 nseries;
	double			 drain_seconds;	/* -1: not all came */
	double			 drain_waited;	/* how long it was waited for */
	int			 drain_stalled;	/* nothing came at its end */
	struct bench_fed_wait	 wait[BENCH_FED_SIDES];	/* alerts */
	struct bench_fed_wait	 answer;	/* A's acceptances */
	struct bench_cpu	 cpu[BENCH_FED_SIDES];
	double			 bench_cpu;	/* this program's, cores */
	double			 other_cpu;	/* every other process's */
	long			 peak_rss_kb[BENCH_FED_SIDES];
	double			 stop_seconds[BENCH_FED_SIDES];	/* -1 */
	size_t			 log_lines[BENCH_FED_SIDES];
	size_t			 log_trouble[BENCH_FED_SIDES];
	unsigned		 link_starts;	/* A's "forwarding to peer" */
	char			*log_shown[BENCH_FED_SIDES];	/* a few */
	char			*trouble;	/* the first a member saw */
	char			*problem;	/* the first */
};

/* Set *cause from a format. */
void	bench_fed_cause(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Keep the first problem of a figure (text is copied). */
void	bench_fed_problem(struct bench_fed_result *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The load: a thread for each hub's members. */
struct bench_fed_load;
struct bench_fed_load	*bench_fed_load_new(const struct bench_fed_plan *,
			    char **cause);
/* Start the threads; they connect at once. */
int			 bench_fed_load_start(struct bench_fed_load *,
			    char **cause);
void			 bench_fed_load_enter(struct bench_fed_load *,
			    enum bench_fed_phase);
/* Take latency samples of what arrives from now on, or stop taking them. */
void			 bench_fed_load_measure(struct bench_fed_load *, int);
void			 bench_fed_load_counts(struct bench_fed_load *,
			    struct bench_fed_counts *);
/* Wait for the threads (the phase must be STOP). */
void			 bench_fed_load_join(struct bench_fed_load *);
/* The waits measured, once the threads have ended. */
void			 bench_fed_load_waits(struct bench_fed_load *,
			    struct bench_fed_result *);
/* The first problem the load met, or NULL. */
const char		*bench_fed_load_error(const struct bench_fed_load *);
void			 bench_fed_load_free(struct bench_fed_load *);

/* Print what a figure is, in one line. */
void	bench_fed_summary_title(const struct bench_federation_options *,
	    const struct bench_fed_result *);
/* Print the figures for a person. */
void	bench_fed_summary_print(const struct bench_federation_options *,
	    const struct bench_fed_result *);
/* The JSON line of both figures, malloc'd; NULL if it cannot be made. */
char	*bench_fed_summary_json(const struct bench_federation_options *,
	    const struct bench_fed_result *);
/* Count a hub's log lines, those that look like trouble and link starts. */
void	bench_fed_summary_log(const char *log, struct bench_fed_result *,
	    enum bench_fed_side);

#endif
