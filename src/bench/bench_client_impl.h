/* The load generator's shared parts: its peers, workers and counters. */
#ifndef KENTONGAN_BENCH_CLIENT_IMPL_H
#define KENTONGAN_BENCH_CLIENT_IMPL_H

#include <sys/socket.h>

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_client.h"
#include "bench_conn.h"
#include "bench_pace.h"
#include "bench_report.h"
/* A line from the server longer than this ends the connection. */
#define BC_LINE_MAX		(1024 * 1024)
/* Handshakes one worker has under way at a time. */
#define BC_OPENING_MAX		64
#define BC_EVENTS		256
/* A publisher running free waits until this many answers are back. */

enum bc_role {
	BC_PUBLISHER,
	BC_SUBSCRIBER,
	BC_IDLE
};

enum bc_phase {
	BC_PHASE_CONNECT,
	BC_PHASE_RUN,
	BC_PHASE_DRAIN,
	BC_PHASE_PING,
	BC_PHASE_STOP
};



struct bc_worker;

/* A connection and what its role keeps; io comes first. */
struct bc_peer {
	struct bench_conn	 io;
	struct bc_worker	*w;
	enum bc_role		 role;

	struct bench_report	 report;	/* publisher */
	struct bench_fifo	 inflight;	/* send times, in order */
	uint64_t		 sent;
	uint64_t		 answered;

	struct bench_progress	*progress;	/* subscriber */
	int64_t			 last_seq;
	int64_t			 acked_seq;
	unsigned		 unacked;

	int			 pinged;	/* idle */
};

/* Counters the main thread sums while the workers run. */
struct bc_counters {
	alignas(64) _Atomic uint64_t	sent;
	_Atomic uint64_t		answered;
	_Atomic uint64_t		accepted;
	_Atomic uint64_t		rejected;
	_Atomic uint64_t		errors;
	_Atomic uint64_t		alerts;
	_Atomic uint64_t		out_of_order;
	_Atomic uint64_t		ready;
	_Atomic uint64_t		failed;
	_Atomic uint64_t		pongs;
	_Atomic uint64_t		caught_up;
};

struct bench_client;

struct bc_worker {
	struct bench_client	*bc;
	pthread_t		 thread;
	int			 started;
	struct bench_conn_home	 home;
	struct bc_peer		*peers;		/* publishers, subscribers, idle */
	size_t			 npeers;
	size_t			 npublishers;
	size_t			 nsubscribers;
	size_t			 next;		/* the next to open */
	struct bench_samples	 samples;	/* alerts */
	struct bench_samples	 answers;	/* acceptances */
	int			 samples_lost;
	struct bc_counters	 count;
};

struct bench_client {
	const struct bench_workload	*wl;
	const struct bench_target	*t;
	struct sockaddr_storage		 addr;
	socklen_t			 addrlen;
	int				 host_is_ip;
	SSL_CTX				**ctxs;
	size_t				 nctxs;
	struct bc_worker		*workers;
	unsigned			 nworkers;
	struct bench_progress		*progress;
	unsigned			 nsubscribers;
	double				 rate_each;	/* per publisher */

	_Atomic int			 phase;
	_Atomic int			 measuring;
	_Atomic uint64_t		 run_start;
	_Atomic uint64_t		 published;
	_Atomic uint64_t		 expected;	/* per subscriber; 0: not yet */
};

/* Set *cause from a format. */
void	bc_cause(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* bench_conn callbacks: bytes arrived; a session opened; a read pass ended. */
void	bc_input(struct bench_conn *);
void	bc_greet(struct bench_conn *);
void	bc_after_read(struct bench_conn *);
/* A worker thread: its connections' event loop, until told to stop. */
void	*bc_worker_main(void *);

#endif
