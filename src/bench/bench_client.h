/* The load generator: threads of non-blocking TLS connections on epoll. */
#ifndef KENTONGAN_BENCH_CLIENT_H
#define KENTONGAN_BENCH_CLIENT_H

#include "bench.h"

/*
 * Run the workload against the target: open the connections, run for the
 * warm-up and the measured window, drain, and fill the result. The member
 * protocol for every mode; MQTT only for idle connections. -1 with *cause
 * when the run could not be made (nothing measured).
 */
int	bench_client_run(const struct bench_workload *,
	    const struct bench_target *, struct bench_result *, char **cause);

#endif
