/*
 * kentongan-bench --mode federation: two hubs of the run's own, A dialing
 * B; how many reports a second the link carries, and how long a report
 * takes from a member of A to a member of B (SPEC section 12).
 */
#ifndef KENTONGAN_BENCH_FEDERATION_H
#define KENTONGAN_BENCH_FEDERATION_H

#include "bench.h"

/* Publishers of each figure unless --publishers says. */
#define BENCH_FEDERATION_THROUGHPUT_PUBLISHERS	8
#define BENCH_FEDERATION_LATENCY_PUBLISHERS	1
/* Subscribers on B unless --subscribers says. */
#define BENCH_FEDERATION_SUBSCRIBERS		1

/* What the command line says about a federation run. */
struct bench_federation_options {
	const struct bench_workload	*wl;	/* size, duration, rate... */
	unsigned			 publishers;	/* 0: the figure's */
	unsigned			 subscribers;	/* on B */
	const char			*hubd;
	const char			*taxonomy;
};

/*
 * Measure both figures, each on a pair of hubs spawned for it in dir,
 * print them, and leave in *json (malloc'd) the JSON line that must end
 * the output. -1 if a figure could not be measured; *json may still be
 * set, with what there is.
 */
int	bench_federation_run(const struct bench_federation_options *,
	    const char *dir, char **json);

#endif
