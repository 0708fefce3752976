/*
 * kentongan-bench --mode isolation: what a bystander waits for, with and
 * without a hostile party at work on the same hub (issue 12).
 */
#ifndef KENTONGAN_BENCH_ISOLATION_H
#define KENTONGAN_BENCH_ISOLATION_H

#include <stddef.h>

#include "bench.h"

/* The attacks, as a set. */
#define BENCH_ATTACK_QUERY	0x1u
#define BENCH_ATTACK_SUBSCRIBE	0x2u
#define BENCH_ATTACK_STATS	0x4u
#define BENCH_ATTACK_CONSOLE	0x8u
#define BENCH_ATTACK_ALL	0xfu

/* What the command line says about an isolation run. */
struct bench_isolation_options {
	const struct bench_workload	*wl;	/* duration, size, rate... */
	unsigned			 attacks;
	unsigned long			 history;	/* reports stored */
	double				 ping_rate;	/* pings/s */
	const char			*hubd;
	const char			*fill;
	const char			*taxonomy;
};

/* Parse "query", "subscribe", "stats", "all" or a comma list of them. */
int		 bench_isolation_attacks(const char *text, unsigned *attacks);
/* The attacks as text ("query+stats", "all"), in buf. */
const char	*bench_isolation_attack_name(unsigned attacks, char *buf,
		    size_t size);
/*
 * Spawn a hub in dir with a history, measure the bystanders without and
 * then with the attacks, print the figures, and leave in *json (malloc'd)
 * the JSON line that must end the output. -1 if the run failed; *json may
 * still be set, with what there is.
 */
int		 bench_isolation_run(const struct bench_isolation_options *,
		    const char *dir, char **json);

#endif
