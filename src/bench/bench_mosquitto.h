/* The same workload against mosquitto, through libmosquitto with QoS 1. */
#ifndef KENTONGAN_BENCH_MOSQUITTO_H
#define KENTONGAN_BENCH_MOSQUITTO_H

#include "bench.h"

/*
 * Start broker (the mosquitto binary) on 127.0.0.1 with TLS client
 * certificates required (target->ca, server's certificate) and persistence
 * in dir, run the workload with target's identities, stop the broker and
 * fill the result. -1 with *cause if nothing could be measured.
 */
int	bench_mosquitto_run(const struct bench_workload *, const char *broker,
	    const char *dir, const struct bench_target *target,
	    const struct bench_identity *server, struct bench_result *,
	    char **cause);

#endif
