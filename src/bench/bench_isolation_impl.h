/*
 * The isolation mode's parts: the main thread (bench_isolation.c), the
 * bystanders' thread (bench_bystander.c), the hostile parties' thread
 * (bench_hostile.c) and the figures (bench_isolation_summary.c).
 */
#ifndef KENTONGAN_BENCH_ISOLATION_IMPL_H
#define KENTONGAN_BENCH_ISOLATION_IMPL_H

#include <sys/socket.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "bench.h"
#include "bench_isolation.h"
#include "bench_stats.h"

/* The phases of a run, in order; only the main thread moves them on. */
enum bench_isolation_phase {
	BENCH_ISOLATION_CONNECT,	/* the bystanders connect */
	BENCH_ISOLATION_WARMUP,		/* they run, unmeasured */
	BENCH_ISOLATION_BASELINE,	/* phase A: measured, no attack */
	BENCH_ISOLATION_GAP,		/* A's answers return, attackers
					   connect */
	BENCH_ISOLATION_ATTACK,		/* phase B: measured under attack */
	BENCH_ISOLATION_DRAIN,		/* attackers gone; B's answers return */
	BENCH_ISOLATION_STOP
};

/* The phase a ping or a report counts for. */
enum bench_isolation_tag {
	BENCH_ISOLATION_UNTAGGED,
	BENCH_ISOLATION_A,
	BENCH_ISOLATION_B
};
#define BENCH_ISOLATION_TAGS	3

/* The certificates of a run, by what they are used for. */
enum bench_isolation_party {
	BENCH_ISOLATION_PUBLISHER,	/* P0, member */
	BENCH_ISOLATION_SUBSCRIBER,	/* S0, member */
	BENCH_ISOLATION_PINGER,		/* B0, member */
	BENCH_ISOLATION_LITTLE,		/* H0, partner: the clear history */
	BENCH_ISOLATION_NOTHING,	/* H1, partner: none of the history */
	BENCH_ISOLATION_OPERATOR,	/* O0, operator */
	BENCH_ISOLATION_PARTIES
};

/* What the hostile parties do, each counted apart. */
enum bench_hostile_kind {
	BENCH_HOSTILE_QUERY_LITTLE,	/* query pages as H0, answers read */
	BENCH_HOSTILE_QUERY_NOTHING,	/* the same as H1 */
	BENCH_HOSTILE_QUERY_DEAF,	/* queries as H0, nothing ever read */
	BENCH_HOSTILE_SUBSCRIBE_LITTLE,	/* subscribe since 0, no acks, as H0 */
	BENCH_HOSTILE_SUBSCRIBE_NOTHING,/* the same as H1 */
	BENCH_HOSTILE_STATS,		/* GET /v1/stats as O0 */
	BENCH_HOSTILE_REPORTS,		/* GET /v1/reports?limit=1000 as O0 */
	BENCH_HOSTILE_CONSOLE,		/* the console's pages as O0 */
	BENCH_HOSTILE_KINDS
};

/* Names of the kinds, for the figures: "query_little", ... */
extern const char *const bench_hostile_kind_names[];

/* Which figures of a wait are only lower bounds. */
#define BENCH_ISOLATION_AT_LEAST_P50	0x1
#define BENCH_ISOLATION_AT_LEAST_P90	0x2
#define BENCH_ISOLATION_AT_LEAST_P99	0x4
#define BENCH_ISOLATION_AT_LEAST_MAX	0x8

/*
 * Waits of one phase in ms: ping to pong, or report sent to alert
 * received. One never answered counts as long as it was known to be
 * unanswered (to the end of the run), so the figures it reaches are
 * lower bounds, marked in at_least.
 */
struct bench_isolation_wait {
	size_t		 count;		/* sent in the phase */
	size_t		 unanswered;	/* never answered in the run */
	double		 p50;
	double		 p90;
	double		 p99;
	double		 max;
	int		 at_least;
};

/* One kind of hostile request in phase B. */
struct bench_isolation_hostile {
	int			 active;	/* part of this run's attack */
	uint64_t		 done;		/* answers completed */
	uint64_t		 written;	/* requests sent */
	uint64_t		 bytes;		/* read from the hub */
	uint64_t		 errors;	/* error answers, failures */
	double			 per_s;		/* done per second */
	struct bench_latency	 answer;	/* request sent -> answered */
};

/* The figures of one phase. */
struct bench_isolation_figures {
	double				 elapsed;
	struct bench_isolation_wait	 ping;
	struct bench_isolation_wait	 alert;
	uint64_t			 refused;	/* reports refused */
	struct bench_isolation_hostile	 hostile[BENCH_HOSTILE_KINDS];
	long				 rss_start_kb;	/* -1: unknown */
	long				 rss_peak_kb;
	long				 rss_end_kb;
	struct bench_cpu		 cpu;
};

/* The figures of a run. */
struct bench_isolation_result {
	unsigned			 attacks;
	int				 measured;	/* phase A began */
	struct bench_isolation_figures	 phase[2];	/* A, B */
	double				 drain_seconds;	/* -1: not within */
	double				 drain_limit;
	size_t				 drain_left;	/* unanswered then */
	long				 peak_rss_kb;
	double				 stop_seconds;	/* -1: unknown */
	double				 fill_seconds;
	int64_t				 last_seq;	/* of the history */
	char				*problem;	/* the first */
};

/* What the main thread and both threads share. */
struct bench_isolation {
	const struct bench_isolation_options	*o;
	const char				*host;
	const char				*member_port;
	const char				*operator_port;
	struct sockaddr_storage			 member_addr;
	socklen_t				 member_addrlen;
	struct sockaddr_storage			 operator_addr;
	socklen_t				 operator_addrlen;
	int64_t					 last_seq;
	SSL_CTX					*ctx[BENCH_ISOLATION_PARTIES];
	const char				*names[BENCH_ISOLATION_PARTIES];

	_Atomic int				 phase;
	/* The bystanders, by tag. */
	_Atomic uint64_t			 pings[BENCH_ISOLATION_TAGS];
	_Atomic uint64_t			 pongs[BENCH_ISOLATION_TAGS];
	_Atomic uint64_t			 reports[BENCH_ISOLATION_TAGS];
	_Atomic uint64_t			 refused[BENCH_ISOLATION_TAGS];
	_Atomic uint64_t			 alerts[BENCH_ISOLATION_TAGS];
	_Atomic uint64_t			 bystanders_ready;
	_Atomic uint64_t			 bystanders_failed;
	/* The hostile parties. */
	_Atomic uint64_t			 hostile_ready;
	_Atomic uint64_t			 hostile_failed;
};

/* The phase now. */
int	bench_isolation_phase(struct bench_isolation *);
/* The tag of what is sent now. */
enum bench_isolation_tag bench_isolation_tag_now(struct bench_isolation *);
/* Set *cause from a format. */
void	bench_isolation_cause(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The bystanders: a pinger, and a publisher with its subscriber. */
struct bench_bystander;
struct bench_bystander	*bench_bystander_new(struct bench_isolation *,
			    char **cause);
int			 bench_bystander_start(struct bench_bystander *,
			    char **cause);
/* Wait for the thread (the phase must be STOP). */
void			 bench_bystander_join(struct bench_bystander *);
/* The waits of a tag, reckoned at the end of the run. */
void			 bench_bystander_figures(struct bench_bystander *,
			    enum bench_isolation_tag,
			    struct bench_isolation_figures *);
/* The first problem the bystanders met, or NULL. */
const char		*bench_bystander_error(const struct bench_bystander *);
void			 bench_bystander_free(struct bench_bystander *);

/* The hostile parties of the attacks. */
struct bench_hostile;
struct bench_hostile	*bench_hostile_new(struct bench_isolation *,
			    char **cause);
int			 bench_hostile_start(struct bench_hostile *,
			    char **cause);
/* How many connections the attack holds open for all of phase B. */
unsigned		 bench_hostile_standing(const struct bench_hostile *);
void			 bench_hostile_join(struct bench_hostile *);
/* The figures of phase B, which lasted elapsed seconds. */
void			 bench_hostile_figures(struct bench_hostile *,
			    double elapsed, struct bench_isolation_figures *);
const char		*bench_hostile_error(const struct bench_hostile *);
void			 bench_hostile_free(struct bench_hostile *);

/* Print the figures for a person. */
void	bench_isolation_summary_print(const struct bench_isolation_options *,
	    const struct bench_isolation_result *);
/* The JSON line, malloc'd; NULL if it cannot be made. */
char	*bench_isolation_summary_json(const struct bench_isolation_options *,
	    const struct bench_isolation_result *);

#endif
