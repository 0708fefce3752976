/* What a run prints: a summary for people and, last, one JSON line. */
#ifndef KENTONGAN_BENCH_SUMMARY_H
#define KENTONGAN_BENCH_SUMMARY_H

#include "bench.h"

/* The names of the modes, by enum bench_mode. */
#define BENCH_SUMMARY_MODES	6
extern const char *const bench_summary_modes[BENCH_SUMMARY_MODES];

/* Print the figures of one system for a person. */
void	bench_summary_print(const char *system, const struct bench_workload *,
	    const struct bench_result *);
/* Count the lines of a server's log that look like trouble; show a few. */
void	bench_summary_log(const char *log);
/*
 * Print the JSON line: the hub's figures, and with mq those of mosquitto
 * and the ratios (hub / mosquitto). -1 if it cannot be made.
 */
int	bench_summary_json(const struct bench_workload *,
	    const struct bench_result *hub, const struct bench_result *mq);

#endif
