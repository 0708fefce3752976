/* Pacing of publishers, shared by the hub's and mosquitto's load. */
#ifndef KENTONGAN_BENCH_PACE_H
#define KENTONGAN_BENCH_PACE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench.h"

/* Below this much room in its window, a busy publisher waits for more. */
#define BENCH_PACE_REFILL_MIN	32

/* A subscriber's unique alerts so far, alone on its cache line. */
struct bench_progress {
	alignas(64) _Atomic uint64_t	n;
};

/* What a publisher's next decision depends on. */
struct bench_pace {
	uint64_t	sent;		/* by this publisher */
	uint64_t	answered;	/* its reports acknowledged */
	uint64_t	elapsed_ns;	/* since the run started */
	double		rate_each;	/* this publisher's share of --rate */
	uint64_t	published;	/* by all publishers */
	uint64_t	slowest;	/* the slowest subscriber's count */
	int		subscribers;	/* any at all */
};

/*
 * How many reports a publisher may send now: within its window, on
 * schedule when a rate is set, and otherwise no more than the workload's
 * lead ahead of the slowest subscriber.
 */
uint64_t	bench_pace_due(const struct bench_workload *,
		    const struct bench_pace *);
/* The fewest alerts any of n subscribers has had. */
uint64_t	bench_pace_slowest(struct bench_progress *, unsigned n);

#endif
