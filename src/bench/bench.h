/* kentongan-bench: the workload, the target and the figures of a run. */
#ifndef KENTONGAN_BENCH_H
#define KENTONGAN_BENCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench_stats.h"

enum bench_mode {
	BENCH_INGEST,
	BENCH_FANOUT,
	BENCH_LATENCY,
	BENCH_CONNECTIONS,
	BENCH_ISOLATION,
	BENCH_FEDERATION
};

/* The protocol a target speaks: the member protocol, or MQTT. */
enum bench_protocol {
	BENCH_PROTO_KENTONGAN,
	BENCH_PROTO_MQTT
};

/*
 * A certificate and its key, as PEM files, the name it is known by, and
 * its role in a spawned hub's registry (NULL: member).
 */
struct bench_identity {
	char		*name;
	char		*cert;
	char		*key;
	const char	*role;
};

/* The workload: the same for every system it is run against. */
struct bench_workload {
	enum bench_mode	 mode;
	unsigned	 publishers;
	unsigned	 subscribers;
	unsigned	 connections;
	double		 rate;		/* reports/s in all; 0: as fast as possible */
	size_t		 size;		/* bytes of one report line */
	double		 duration;	/* seconds measured */
	double		 warmup;	/* seconds run before measuring */
	unsigned	 window;	/* a publisher's reports awaiting answers */
	unsigned	 ack_every;	/* alerts between a subscriber's acks */
	unsigned	 lead;		/* reports ahead of the slowest subscriber */
	unsigned	 threads;
	int		 ledger_off;	/* the spawned hub's ledger */
};

/* Where the system under test listens, and who connects to it. */
struct bench_target {
	enum bench_protocol		 protocol;
	const char			*host;
	const char			*port;
	const char			*ca;
	const struct bench_identity	*publishers;	/* used in turn */
	size_t				 npublishers;
	const struct bench_identity	*subscribers;
	size_t				 nsubscribers;
	pid_t				 pid;		/* 0: not known */
};

/* CPU time of the server's threads over the measured window. */
#define BENCH_THREADS_MAX	16
struct bench_cpu {
	unsigned	 nthreads;
	pid_t		 tid[BENCH_THREADS_MAX];
	double		 seconds[BENCH_THREADS_MAX];
	double		 server;	/* all of the server's threads */
	double		 bench;		/* this process */
	double		 others;	/* every other process on the machine */
};

/* The figures of one run. */
struct bench_result {
	double			 elapsed;	/* the measured window, s */
	uint64_t		 reports;	/* accepted within the window */
	uint64_t		 alerts;	/* received within the window */
	double			 reports_per_s;
	double			 alerts_per_s;
	struct bench_latency	 latency;	/* report sent -> alert received */
	struct bench_latency	 answer;	/* report sent -> accepted (PUBACK) */
	uint64_t		 sent;
	uint64_t		 accepted;
	uint64_t		 rejected;
	uint64_t		 errors;
	uint64_t		 alerts_total;
	uint64_t		 behind;	/* alerts still owed at the end */
	uint64_t		 out_of_order;
	unsigned		 connections;	/* established and held */
	unsigned		 failed;
	double			 connect_seconds;
	long			 peak_rss_kb;	/* -1: unknown */
	long			 rss_kb;	/* while the connections were held */
	double			 stop_seconds;	/* SIGTERM to exit; -1: unknown */
	struct bench_cpu	 cpu;
	struct bench_cpu	 connect_cpu;	/* while connecting */
	char			*first_error;
};

/* Set by SIGINT and SIGTERM: stop early, clean up, report what there is. */
extern volatile sig_atomic_t	bench_interrupted;

/* Keep the first error of a run (text is copied); later ones are dropped. */
void	bench_result_error(struct bench_result *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	bench_result_clear(struct bench_result *);

#endif
