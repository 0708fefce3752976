/*
 * The load generator. A few worker threads, each an epoll loop over its
 * share of the connections (bench_conn.c does their TLS). Publishers
 * pipeline reports up to a window of unanswered ones, or follow a schedule
 * at a set rate; subscribers acknowledge cumulatively every few alerts and
 * time each alert against the send time stamped in its report; idle
 * connections only prove, at the end, that they are still there.
 *
 * The main thread moves the workers through the phases (connect, run,
 * drain or ping, stop) and reads only atomic counters while they run;
 * everything else belongs to one worker until the workers have ended.
 * This file sets up, measures and concludes; bench_peer.c is the workers'
 * side.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_client_impl.h"
#include "bench_pace.h"
#include "bench_conn.h"
#include "bench_hub.h"
#include "bench_report.h"


static const char *const bc_role_names[] = { "publisher", "subscriber",
    "idle connection" };

/* Sum one counter over the workers. */
static uint64_t
bc_sum(struct bench_client *bc, size_t offset)
{
	uint64_t	total = 0;
	unsigned	i;

	for (i = 0; i < bc->nworkers; i++)
		total += atomic_load_explicit((_Atomic uint64_t *)(void *)
		    ((char *)&bc->workers[i].count + offset),
		    memory_order_relaxed);
	return (total);
}
#define BC_SUM(bc, field)	bc_sum((bc), offsetof(struct bc_counters, field))

/* Resolve the target's address, once for every connection. */
static int
bc_resolve(struct bench_client *bc, char **cause)
{
	struct addrinfo	 hints, *res;
	unsigned char	 ip[16];
	int		 rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(bc->t->host, bc->t->port, &hints, &res)) != 0) {
		bc_cause(cause, "cannot resolve %s:%s: %s", bc->t->host,
		    bc->t->port, gai_strerror(rc));
		return (-1);
	}
	memcpy(&bc->addr, res->ai_addr, res->ai_addrlen);
	bc->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	bc->host_is_ip = inet_pton(AF_INET, bc->t->host, ip) == 1 ||
	    inet_pton(AF_INET6, bc->t->host, ip) == 1;
	return (0);
}

/* The identity (and its context) number i: publishers', then subscribers'. */
static const struct bench_identity *
bc_identity(const struct bench_target *t, size_t i)
{
	if (i < t->npublishers)
		return (&t->publishers[i]);
	return (&t->subscribers[i - t->npublishers]);
}

/* Give the next peer of worker w its role and identity. */
static int
bc_place(struct bench_client *bc, struct bc_worker *w, size_t *fill,
    enum bc_role role, unsigned index, size_t ident, char **cause)
{
	const struct bench_identity	*id = bc_identity(bc->t, ident);
	struct bc_peer			*p = &w->peers[(*fill)++];
	char				*why;

	bench_conn_init(&p->io, &w->home, bc_role_names[role], index,
	    id->name, bc->ctxs[ident]);
	p->io.small = role == BC_IDLE;
	p->w = w;
	p->role = role;
	if (role == BC_PUBLISHER &&
	    bench_report_init(&p->report, id->name, bc->wl->size, &why) == -1) {
		*cause = why;
		return (-1);
	}
	if (role == BC_SUBSCRIBER)
		p->progress = &bc->progress[index];
	return (0);
}

/* Make the worker structures, each with its epoll set and home. */
static int
bc_workers(struct bench_client *bc, size_t npub, size_t nsub, size_t nidle,
    char **cause)
{
	struct bc_worker	*w;
	size_t			 total = npub + nsub + nidle, i, k;
	unsigned		 nw;

	nw = bc->wl->threads > 0 ? bc->wl->threads : 1;
	if (nw > total)
		nw = (unsigned)total;
	if ((bc->workers = aligned_alloc(64, nw * sizeof *bc->workers)) ==
	    NULL)
		goto nomem;
	memset(bc->workers, 0, nw * sizeof *bc->workers);
	bc->nworkers = nw;
	for (i = 0; i < nw; i++) {
		w = &bc->workers[i];
		w->bc = bc;
		w->home.epfd = -1;
		w->npublishers = npub / nw + (i < npub % nw);
	}
	/* Subscribers follow the publishers round the workers. */
	for (k = 0; k < nsub; k++)
		bc->workers[(npub + k) % nw].nsubscribers++;
	for (i = 0; i < nw; i++) {
		w = &bc->workers[i];
		w->npeers = w->npublishers + w->nsubscribers + nidle / nw +
		    (i < nidle % nw);
		if ((w->peers = calloc(w->npeers + 1, sizeof *w->peers)) ==
		    NULL)
			goto nomem;
		for (k = 0; k < w->npeers; k++)
			w->peers[k].io.fd = -1;
		w->home.addr = (struct sockaddr *)&bc->addr;
		w->home.addrlen = bc->addrlen;
		w->home.host = bc->t->host;
		w->home.port = bc->t->port;
		w->home.host_is_ip = bc->host_is_ip;
		w->home.ready = &w->count.ready;
		w->home.failed = &w->count.failed;
		w->home.greet = bc_greet;
		w->home.input = bc_input;
		w->home.after_read = bc_after_read;
		if ((w->home.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
			bc_cause(cause, "epoll_create1: %s", strerror(errno));
			return (-1);
		}
	}
	return (0);
nomem:
	bc_cause(cause, "out of memory");
	return (-1);
}

/* Build the contexts, the workers and their connections. */
static int
bc_setup(struct bench_client *bc, char **cause)
{
	const struct bench_workload	*wl = bc->wl;
	const struct bench_target	*t = bc->t;
	size_t				 npub, nsub, nidle, i, k, nw;
	size_t				*fill = NULL;
	int				 rc = -1;

	npub = wl->mode == BENCH_CONNECTIONS ? 0 : wl->publishers;
	nsub = wl->mode == BENCH_CONNECTIONS ? 0 : wl->subscribers;
	nidle = wl->mode == BENCH_CONNECTIONS ? wl->connections : 0;
	bc->nctxs = t->npublishers + t->nsubscribers;
	if (npub + nsub + nidle == 0 || (npub > 0 && t->npublishers == 0) ||
	    (nsub > 0 && t->nsubscribers == 0) || bc->nctxs == 0) {
		bc_cause(cause, "nothing to connect");
		return (-1);
	}
	if ((bc->ctxs = calloc(bc->nctxs, sizeof *bc->ctxs)) == NULL)
		goto nomem;
	for (i = 0; i < bc->nctxs; i++) {
		bc->ctxs[i] = bench_conn_context(t->ca, bc_identity(t, i)->cert,
		    bc_identity(t, i)->key, cause);
		if (bc->ctxs[i] == NULL)
			return (-1);
	}
	bc->nsubscribers = (unsigned)nsub;
	if (nsub > 0 && (bc->progress = aligned_alloc(64,
	    nsub * sizeof *bc->progress)) == NULL)
		goto nomem;
	for (i = 0; i < nsub; i++)
		atomic_init(&bc->progress[i].n, 0);
	bc->rate_each = npub > 0 ? wl->rate / (double)npub : 0;
	if (bc_workers(bc, npub, nsub, nidle, cause) == -1)
		return (-1);
	nw = bc->nworkers;
	if ((fill = calloc(nw, sizeof *fill)) == NULL)
		goto nomem;
	for (k = 0; k < npub; k++) {
		if (bc_place(bc, &bc->workers[k % nw], &fill[k % nw],
		    BC_PUBLISHER, (unsigned)k, k % t->npublishers, cause) == -1)
			goto out;
	}
	for (k = 0; k < nsub; k++) {
		i = (npub + k) % nw;
		if (bc_place(bc, &bc->workers[i], &fill[i], BC_SUBSCRIBER,
		    (unsigned)k, t->npublishers + k % t->nsubscribers,
		    cause) == -1)
			goto out;
	}
	/* Idle connections take every identity in turn. */
	for (k = 0; k < nidle; k++) {
		if (bc_place(bc, &bc->workers[k % nw], &fill[k % nw], BC_IDLE,
		    (unsigned)k, k % bc->nctxs, cause) == -1)
			goto out;
	}
	rc = 0;
	goto out;
nomem:
	bc_cause(cause, "out of memory");
out:
	free(fill);
	return (rc);
}

/* Seconds between two CLOCK_MONOTONIC readings in ns. */
static double
bc_seconds(uint64_t from, uint64_t to)
{
	return ((double)(to - from) / 1e9);
}

/* Sleep seconds in small steps, or less if interrupted. */
static void
bc_hold(double seconds)
{
	struct timespec	ts = { 0, 5000000L };
	uint64_t	start = bench_stats_now();

	while (!bench_interrupted &&
	    bc_seconds(start, bench_stats_now()) < seconds)
		nanosleep(&ts, NULL);
}

/* Wait until done(bc) holds, up to timeout seconds; 0 if it did. */
static int
bc_wait(struct bench_client *bc, int (*done)(struct bench_client *),
    double timeout)
{
	struct timespec	ts = { 0, 5000000L };
	uint64_t	start = bench_stats_now();

	for (;;) {
		if (done(bc))
			return (0);
		if (bench_interrupted ||
		    bc_seconds(start, bench_stats_now()) > timeout)
			return (-1);
		nanosleep(&ts, NULL);
	}
}

/* Every connection is ready or has failed. */
static int
bc_all_open(struct bench_client *bc)
{
	uint64_t	total = 0;
	unsigned	i;

	for (i = 0; i < bc->nworkers; i++)
		total += bc->workers[i].npeers;
	return (BC_SUM(bc, ready) + BC_SUM(bc, failed) >= total);
}

/* Every report sent has its answer (or a connection failed). */
static int
bc_all_answered(struct bench_client *bc)
{
	return (BC_SUM(bc, answered) >= BC_SUM(bc, sent) ||
	    BC_SUM(bc, failed) > 0);
}

/* Every subscriber has every accepted report. */
static int
bc_all_caught_up(struct bench_client *bc)
{
	return (BC_SUM(bc, caught_up) + BC_SUM(bc, failed) >=
	    bc->nsubscribers);
}

/* Every idle connection still held has answered its ping. */
static int
bc_all_ponged(struct bench_client *bc)
{
	return (BC_SUM(bc, pongs) >= BC_SUM(bc, ready));
}

/* Stop and join the workers; keep their first errors. */
static void
bc_finish(struct bench_client *bc, struct bench_result *res)
{
	struct bc_worker	*w;
	size_t			 i;

	atomic_store_explicit(&bc->phase, BC_PHASE_STOP, memory_order_release);
	for (i = 0; i < bc->nworkers; i++) {
		w = &bc->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		w->started = 0;
		if (w->home.error != NULL)
			bench_result_error(res, "%s", w->home.error);
	}
}

/* Free everything of bc (the workers have ended). */
static void
bc_free(struct bench_client *bc)
{
	struct bc_worker	*w;
	size_t			 i, k;

	for (i = 0; bc->workers != NULL && i < bc->nworkers; i++) {
		w = &bc->workers[i];
		for (k = 0; w->peers != NULL && k < w->npeers; k++) {
			if (w->peers[k].io.home != NULL)
				bench_conn_free(&w->peers[k].io);
			bench_report_free(&w->peers[k].report);
			bench_stats_fifo_free(&w->peers[k].inflight);
		}
		free(w->peers);
		free(w->home.error);
		bench_stats_free(&w->samples);
		bench_stats_free(&w->answers);
		if (w->home.epfd != -1)
			close(w->home.epfd);
	}
	free(bc->workers);
	for (i = 0; bc->ctxs != NULL && i < bc->nctxs; i++)
		SSL_CTX_free(bc->ctxs[i]);
	free(bc->ctxs);
	free(bc->progress);
}

/* How many alerts the subscribers still lack. */
static uint64_t
bc_behind(struct bench_client *bc, uint64_t expected)
{
	uint64_t	behind = 0, v;
	unsigned	i;

	for (i = 0; i < bc->nsubscribers; i++) {
		v = atomic_load_explicit(&bc->progress[i].n,
		    memory_order_relaxed);
		if (v < expected)
			behind += expected - v;
	}
	return (behind);
}

/* Warm up, then measure the window; fills the rates and the CPU. */
static void
bc_measure(struct bench_client *bc, struct bench_result *res)
{
	const struct bench_workload	*wl = bc->wl;
	struct bench_cpu_sample		 cpu0, cpu1;
	uint64_t			 t0, t1, accepted0, alerts0;

	atomic_store_explicit(&bc->run_start, bench_stats_now(),
	    memory_order_relaxed);
	atomic_store_explicit(&bc->phase, BC_PHASE_RUN, memory_order_release);
	bc_hold(wl->warmup);
	bench_hub_cpu_sample(bc->t->pid, &cpu0);
	t0 = bench_stats_now();
	accepted0 = BC_SUM(bc, accepted);
	alerts0 = BC_SUM(bc, alerts);
	atomic_store_explicit(&bc->measuring, 1, memory_order_relaxed);
	bc_hold(wl->duration);
	atomic_store_explicit(&bc->measuring, 0, memory_order_relaxed);
	t1 = bench_stats_now();
	res->reports = BC_SUM(bc, accepted) - accepted0;
	res->alerts = BC_SUM(bc, alerts) - alerts0;
	bench_hub_cpu_sample(bc->t->pid, &cpu1);
	bench_hub_cpu_diff(&cpu0, &cpu1, &res->cpu);
	res->elapsed = bc_seconds(t0, t1);
	if (res->elapsed > 0) {
		res->reports_per_s = (double)res->reports / res->elapsed;
		res->alerts_per_s = (double)res->alerts / res->elapsed;
	}
}

/* After the window: prove the idle connections, or drain the run. */
static void
bc_conclude(struct bench_client *bc, struct bench_result *res)
{
	uint64_t	expected;

	if (bc->wl->mode == BENCH_CONNECTIONS) {
		if (bc->t->pid > 0)
			res->rss_kb = bench_hub_status_kb(bc->t->pid, "VmRSS");
		atomic_store_explicit(&bc->phase, BC_PHASE_PING,
		    memory_order_release);
		if (bc_wait(bc, bc_all_ponged, 30.0) == -1 &&
		    !bench_interrupted)
			bench_result_error(res, "not every idle connection "
			    "answered a ping after the hold");
		res->connections = (unsigned)BC_SUM(bc, pongs);
		return;
	}
	/* Every answer back, every subscriber caught up. */
	atomic_store_explicit(&bc->phase, BC_PHASE_DRAIN, memory_order_release);
	if (bc_wait(bc, bc_all_answered, 20.0) == -1 && !bench_interrupted)
		bench_result_error(res, "reports still unanswered 20 s after "
		    "the run");
	expected = BC_SUM(bc, accepted);
	if (bc->nsubscribers > 0 && expected > 0) {
		atomic_store_explicit(&bc->expected, expected,
		    memory_order_relaxed);
		bc_wait(bc, bc_all_caught_up, 20.0);
		res->behind = bc_behind(bc, expected);
	}
	res->connections = (unsigned)BC_SUM(bc, ready);
}

int
bench_client_run(const struct bench_workload *wl,
    const struct bench_target *t, struct bench_result *res, char **cause)
{
	struct bench_client	 bc;
	struct bench_samples	 all = { 0 }, answers = { 0 };
	struct bench_cpu_sample	 cpu0, cpu1;
	uint64_t		 start;
	size_t			 i;
	int			 rc = -1, lost = 0;

	*cause = NULL;
	memset(&bc, 0, sizeof bc);
	bc.wl = wl;
	bc.t = t;
	atomic_init(&bc.phase, BC_PHASE_CONNECT);
	atomic_init(&bc.measuring, 0);
	atomic_init(&bc.run_start, 0);
	atomic_init(&bc.published, 0);
	atomic_init(&bc.expected, 0);
	if (bc_resolve(&bc, cause) == -1 || bc_setup(&bc, cause) == -1)
		goto out;
	bench_hub_cpu_sample(t->pid, &cpu0);
	for (i = 0; i < bc.nworkers; i++) {
		if ((errno = pthread_create(&bc.workers[i].thread, NULL,
		    bc_worker_main, &bc.workers[i])) != 0) {
			bc_cause(cause, "cannot start a thread: %s",
			    strerror(errno));
			bc_finish(&bc, res);
			goto out;
		}
		bc.workers[i].started = 1;
	}

	/* Connect everyone; each handshake costs both sides real CPU. */
	start = bench_stats_now();
	if (bc_wait(&bc, bc_all_open, 30.0 + (double)(wl->publishers +
	    wl->subscribers + wl->connections) / 100.0) == -1 &&
	    !bench_interrupted)
		bench_result_error(res, "not every connection was made in "
		    "time");
	res->connect_seconds = bc_seconds(start, bench_stats_now());
	bench_hub_cpu_sample(t->pid, &cpu1);
	bench_hub_cpu_diff(&cpu0, &cpu1, &res->connect_cpu);
	res->failed = (unsigned)BC_SUM(&bc, failed);
	res->connections = (unsigned)BC_SUM(&bc, ready);
	if (bench_interrupted || (wl->mode != BENCH_CONNECTIONS &&
	    (res->failed > 0 || !bc_all_open(&bc)))) {
		bc_finish(&bc, res);
		bc_cause(cause, "%s", res->first_error != NULL ?
		    res->first_error : "interrupted while connecting");
		goto out;
	}

	bc_measure(&bc, res);
	bc_conclude(&bc, res);
	if (t->pid > 0)
		res->peak_rss_kb = bench_hub_status_kb(t->pid, "VmHWM");
	res->sent = BC_SUM(&bc, sent);
	res->accepted = BC_SUM(&bc, accepted);
	res->rejected = BC_SUM(&bc, rejected);
	res->errors = BC_SUM(&bc, errors);
	res->alerts_total = BC_SUM(&bc, alerts);
	res->out_of_order = BC_SUM(&bc, out_of_order);
	res->failed = (unsigned)BC_SUM(&bc, failed);
	bc_finish(&bc, res);
	for (i = 0; i < bc.nworkers; i++) {
		if (bench_stats_merge(&all, &bc.workers[i].samples) == -1 ||
		    bench_stats_merge(&answers, &bc.workers[i].answers) == -1 ||
		    bc.workers[i].samples_lost)
			lost = 1;
	}
	if (lost)
		bench_result_error(res, "out of memory for latency samples; "
		    "the percentiles are of part of them");
	bench_stats_summarise(&all, &res->latency);
	bench_stats_summarise(&answers, &res->answer);
	bench_stats_free(&all);
	bench_stats_free(&answers);
	rc = 0;
out:
	bc_free(&bc);
	return (rc);
}
