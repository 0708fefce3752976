/*
 * The comparison: the same workload against Debian's mosquitto broker.
 * The broker listens on 127.0.0.1 with the run's throwaway CA, requires a
 * client certificate (its CN is the user name) and has persistence on.
 * Publishers publish each report line as one QoS 1 message to one topic,
 * with the same window of messages awaiting PUBACK; subscribers subscribe
 * to it with QoS 1 and a persistent session. Each worker thread drives its
 * libmosquitto clients from its own poll loop (mosquitto_loop_read/write),
 * so there is no thread per client. Idle connections are made by the
 * load generator's own TLS engine, which speaks enough MQTT for them.
 *
 * Not the same guarantee: mosquitto answers PUBACK before anything is on
 * disk (it saves its persistence file every autosave_interval), where the
 * hub answers "accepted" after an fsync'd commit.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench_client.h"
#include "bench_hub.h"
#include "bench_mosquitto.h"
#include "bench_pace.h"
#include "bench_report.h"

#define BM_TOPIC	"kentongan/alerts/availability/ddos"
#define BM_KEEPALIVE	60
/* A publisher running free waits until this many PUBACKs are back. */
/* Packets read from one client before the others get a turn. */
#define BM_READS_MAX	256

enum bm_role {
	BM_PUBLISHER,
	BM_SUBSCRIBER
};

enum bm_phase {
	BM_PHASE_CONNECT,
	BM_PHASE_RUN,
	BM_PHASE_DRAIN,
	BM_PHASE_STOP
};


struct bm_worker;

struct bm_client {
	struct bm_worker	*w;
	struct mosquitto	*m;
	enum bm_role		 role;
	unsigned		 index;
	const char		*name;
	int			 ready;
	int			 failed;
	int			 closing;
	struct bench_report	 report;
	struct bench_fifo	 inflight;	/* send times, in order */
	uint64_t		 sent;
	uint64_t		 acked;
	struct bench_progress	*progress;
};

struct bm_counters {
	alignas(64) _Atomic uint64_t	sent;
	_Atomic uint64_t		answered;
	_Atomic uint64_t		alerts;
	_Atomic uint64_t		ready;
	_Atomic uint64_t		failed;
	_Atomic uint64_t		caught_up;
};

struct bm_run;

struct bm_worker {
	struct bm_run		*run;
	pthread_t		 thread;
	int			 started;
	struct bm_client	*clients;	/* publishers first */
	size_t			 nclients;
	size_t			 npublishers;
	struct pollfd		*pfds;
	size_t			*which;		/* client of each pollfd */
	struct bench_samples	 samples;	/* messages */
	struct bench_samples	 answers;	/* PUBACKs */
	int			 samples_lost;
	char			*error;
	struct bm_counters	 count;
};

struct bm_run {
	const struct bench_workload	*wl;
	const struct bench_target	*t;
	struct bm_worker		*workers;
	unsigned			 nworkers;
	struct bench_progress		*progress;
	unsigned			 nsubscribers;
	double				 rate_each;
	_Atomic int			 phase;
	_Atomic int			 measuring;
	_Atomic uint64_t		 run_start;
	_Atomic uint64_t		 published;
	_Atomic uint64_t		 expected;
};

/* Set *cause from a format. */
static void
bm_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bm_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* The client failed: keep the worker's first reason and count it. */
static void
bm_fail(struct bm_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bm_fail(struct bm_client *c, const char *fmt, ...)
{
	char	*text;
	va_list	 ap;

	if (c->failed)
		return;
	c->failed = 1;
	if (c->ready)
		atomic_fetch_sub_explicit(&c->w->count.ready, 1,
		    memory_order_relaxed);
	c->ready = 0;
	atomic_fetch_add_explicit(&c->w->count.failed, 1, memory_order_relaxed);
	if (c->w->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	if (asprintf(&c->w->error, "mosquitto %s %u (%s): %s",
	    c->role == BM_PUBLISHER ? "publisher" : "subscriber", c->index,
	    c->name, text) == -1)
		c->w->error = NULL;
	free(text);
}

/* The client is connected (and subscribed). */
static void
bm_ready(struct bm_client *c)
{
	if (c->ready || c->failed)
		return;
	c->ready = 1;
	atomic_fetch_add_explicit(&c->w->count.ready, 1, memory_order_relaxed);
}

/* CONNACK. */
static void
bm_on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct bm_client	*c = arg;

	if (rc != 0) {
		bm_fail(c, "the broker refused the connection: %s",
		    mosquitto_connack_string(rc));
		return;
	}
	if (c->role == BM_PUBLISHER) {
		bm_ready(c);
		return;
	}
	if ((rc = mosquitto_subscribe(m, NULL, BM_TOPIC, 1)) !=
	    MOSQ_ERR_SUCCESS)
		bm_fail(c, "subscribe: %s", mosquitto_strerror(rc));
}

/* SUBACK. */
static void
bm_on_subscribe(struct mosquitto *m, void *arg, int mid, int count,
    const int *granted)
{
	struct bm_client	*c = arg;

	(void)m;
	(void)mid;
	if (count < 1 || granted[0] != 1)
		bm_fail(c, "the broker did not grant QoS 1");
	else
		bm_ready(c);
}

/* PUBACK: the broker took the message. */
static void
bm_on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct bm_client	*c = arg;
	uint64_t		 stamp, now;

	(void)m;
	(void)mid;
	c->acked++;
	/* With one topic and QoS 1, PUBACKs come in the order of sending. */
	if (bench_stats_pop(&c->inflight, &stamp) == 0 &&
	    atomic_load_explicit(&c->w->run->measuring, memory_order_relaxed)) {
		now = bench_stats_now();
		if (now >= stamp && bench_stats_add(&c->w->answers,
		    now - stamp) == -1)
			c->w->samples_lost = 1;
	}
	atomic_fetch_add_explicit(&c->w->count.answered, 1,
	    memory_order_relaxed);
}

/* A message for a subscriber. */
static void
bm_on_message(struct mosquitto *m, void *arg,
    const struct mosquitto_message *msg)
{
	struct bm_client	*c = arg;
	struct bm_worker	*w = c->w;
	uint64_t		 stamp, now;

	(void)m;
	atomic_fetch_add_explicit(&w->count.alerts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->progress->n, 1, memory_order_relaxed);
	if (atomic_load_explicit(&w->run->measuring, memory_order_relaxed) &&
	    msg->payloadlen > 0 && bench_report_stamp(msg->payload,
	    (size_t)msg->payloadlen, &stamp) == 0) {
		now = bench_stats_now();
		if (now >= stamp && bench_stats_add(&w->samples, now - stamp) ==
		    -1)
			w->samples_lost = 1;
	}
}

/* The connection ended. */
static void
bm_on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct bm_client	*c = arg;

	(void)m;
	if (!c->closing)
		bm_fail(c, "disconnected: %s", mosquitto_strerror(rc));
}

/* Publish what is due: the same window, rate and lead as for the hub. */
static void
bm_publish(struct bm_client *c, uint64_t now)
{
	struct bm_run			*run = c->w->run;
	const struct bench_workload	*wl = run->wl;
	struct bench_pace		 pace = { 0 };
	uint64_t			 n, i, stamp;
	int				 rc;

	if (!c->ready || c->failed)
		return;
	pace.sent = c->sent;
	pace.answered = c->acked;
	pace.elapsed_ns = now - atomic_load_explicit(&run->run_start,
	    memory_order_relaxed);
	pace.rate_each = run->rate_each;
	pace.subscribers = run->nsubscribers > 0;
	if (wl->rate <= 0 && wl->lead > 0 && run->nsubscribers > 0) {
		pace.slowest = bench_pace_slowest(run->progress,
		    run->nsubscribers);
		pace.published = atomic_load_explicit(&run->published,
		    memory_order_relaxed);
	}
	n = bench_pace_due(wl, &pace);
	for (i = 0; i < n; i++) {
		stamp = bench_stats_now();
		bench_report_next(&c->report, stamp);
		if (bench_stats_push(&c->inflight, stamp) == -1) {
			bm_fail(c, "out of memory");
			break;
		}
		rc = mosquitto_publish(c->m, NULL, BM_TOPIC,
		    (int)c->report.len - 1, c->report.line, 1, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			bm_fail(c, "publish: %s", mosquitto_strerror(rc));
			break;
		}
		c->sent++;
	}
	if (i > 0) {
		atomic_fetch_add_explicit(&c->w->count.sent, i,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&run->published, i,
		    memory_order_relaxed);
	}
}

/*
 * Read and write for one client that poll found ready. mosquitto_loop_read
 * reads about one packet a call and says "no more" only through errno
 * (EAGAIN): call it until then, or a client would get one packet for each
 * turn of the poll loop and its messages would queue in the socket.
 */
static void
bm_service(struct bm_client *c, short revents)
{
	int	rc, n;

	for (n = 0; n < BM_READS_MAX; n++) {
		errno = 0;
		rc = mosquitto_loop_read(c->m, 1);
		if (rc != MOSQ_ERR_SUCCESS || c->failed) {
			if (rc == MOSQ_ERR_SUCCESS)
				return;
			bm_fail(c, "%s", rc == MOSQ_ERR_ERRNO ? strerror(errno) :
			    mosquitto_strerror(rc));
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
	}
	if ((revents & POLLOUT) || mosquitto_want_write(c->m)) {
		rc = mosquitto_loop_write(c->m, 1);
		if (rc != MOSQ_ERR_SUCCESS && !c->failed)
			bm_fail(c, "%s", rc == MOSQ_ERR_ERRNO ? strerror(errno) :
			    mosquitto_strerror(rc));
	}
}

/* While draining: how many subscribers have every message. */
static void
bm_drain(struct bm_worker *w)
{
	uint64_t	expected, caught = 0;
	size_t		i;

	expected = atomic_load_explicit(&w->run->expected, memory_order_relaxed);
	for (i = w->npublishers; i < w->nclients; i++) {
		if (expected > 0 && !w->clients[i].failed &&
		    atomic_load_explicit(&w->clients[i].progress->n,
		    memory_order_relaxed) >= expected)
			caught++;
	}
	atomic_store_explicit(&w->count.caught_up, caught,
	    memory_order_relaxed);
}

/* A worker: poll its clients until told to stop. */
static void *
bm_worker_main(void *arg)
{
	struct bm_worker	*w = arg;
	struct bm_run		*run = w->run;
	struct bm_client	*c;
	uint64_t		 now, last_misc = 0;
	size_t			 i, n;
	int			 phase, sock;

	for (;;) {
		phase = atomic_load_explicit(&run->phase, memory_order_acquire);
		if (phase == BM_PHASE_STOP)
			break;
		now = bench_stats_now();
		if (phase == BM_PHASE_RUN) {
			for (i = 0; i < w->npublishers; i++)
				bm_publish(&w->clients[i], now);
		} else if (phase == BM_PHASE_DRAIN)
			bm_drain(w);
		n = 0;
		for (i = 0; i < w->nclients; i++) {
			c = &w->clients[i];
			if (c->failed || (sock = mosquitto_socket(c->m)) == -1)
				continue;
			w->pfds[n].fd = sock;
			w->pfds[n].events = POLLIN;
			if (mosquitto_want_write(c->m))
				w->pfds[n].events |= POLLOUT;
			w->pfds[n].revents = 0;
			w->which[n++] = i;
		}
		if (poll(w->pfds, n, phase == BM_PHASE_RUN ? 1 : 5) == -1 &&
		    errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (w->pfds[i].revents != 0)
				bm_service(&w->clients[w->which[i]],
				    w->pfds[i].revents);
		}
		if (now - last_misc > 100000000ULL) {
			last_misc = now;
			for (i = 0; i < w->nclients; i++) {
				c = &w->clients[i];
				if (!c->failed && mosquitto_loop_misc(c->m) !=
				    MOSQ_ERR_SUCCESS)
					bm_fail(c, "connection lost");
			}
		}
	}
	for (i = 0; i < w->nclients; i++) {
		c = &w->clients[i];
		c->closing = 1;
		/* A clean goodbye where it can be had; nothing depends on it. */
		if (!c->failed && mosquitto_disconnect(c->m) == MOSQ_ERR_SUCCESS)
			(void)mosquitto_loop_write(c->m, 1);
	}
	return (NULL);
}

/*
 * Start every client's connection (TCP, then TLS, which the workers' loops
 * finish). From this thread, before the workers: libmosquitto sets up some
 * of its TLS state lazily, and two threads doing it at once leak it.
 */
static void
bm_connect(struct bm_run *run)
{
	struct bm_client	*c;
	size_t			 i, k;
	int			 rc, port;

	port = (int)strtol(run->t->port, NULL, 10);
	for (i = 0; i < run->nworkers; i++) {
		for (k = 0; k < run->workers[i].nclients; k++) {
			c = &run->workers[i].clients[k];
			rc = mosquitto_connect(c->m, run->t->host, port,
			    BM_KEEPALIVE);
			if (rc != MOSQ_ERR_SUCCESS)
				bm_fail(c, "connect: %s", rc == MOSQ_ERR_ERRNO ?
				    strerror(errno) : mosquitto_strerror(rc));
		}
	}
}

/* Make one client: identity, TLS, callbacks. */
static int
bm_client_init(struct bm_run *run, struct bm_worker *w, struct bm_client *c,
    enum bm_role role, unsigned index, const struct bench_identity *id,
    char **cause)
{
	char	clientid[32], *why;
	int	rc;

	c->w = w;
	c->role = role;
	c->index = index;
	c->name = id->name;
	snprintf(clientid, sizeof clientid, "%s%u", role == BM_PUBLISHER ?
	    "kbench-pub-" : "kbench-sub-", index);
	/* Subscribers keep their session, as a hub member keeps its queue. */
	if ((c->m = mosquitto_new(clientid, role == BM_PUBLISHER, c)) ==
	    NULL) {
		bm_cause(cause, "mosquitto_new: %s", strerror(errno));
		return (-1);
	}
	if ((rc = mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION,
	    MQTT_PROTOCOL_V311)) != MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1)) !=
	    MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_max_inflight_messages_set(c->m,
	    run->wl->window)) != MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_tls_set(c->m, run->t->ca, NULL, id->cert, id->key,
	    NULL)) != MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_tls_opts_set(c->m, 1, NULL, NULL)) !=
	    MOSQ_ERR_SUCCESS) {
		bm_cause(cause, "cannot set up the MQTT client %s: %s",
		    clientid, mosquitto_strerror(rc));
		return (-1);
	}
	mosquitto_connect_callback_set(c->m, bm_on_connect);
	mosquitto_disconnect_callback_set(c->m, bm_on_disconnect);
	mosquitto_publish_callback_set(c->m, bm_on_publish);
	mosquitto_subscribe_callback_set(c->m, bm_on_subscribe);
	mosquitto_message_callback_set(c->m, bm_on_message);
	if (role == BM_PUBLISHER &&
	    bench_report_init(&c->report, id->name, run->wl->size, &why) ==
	    -1) {
		*cause = why;
		return (-1);
	}
	if (role == BM_SUBSCRIBER)
		c->progress = &run->progress[index];
	return (0);
}

/* Build the workers and their clients. */
static int
bm_setup(struct bm_run *run, char **cause)
{
	const struct bench_workload	*wl = run->wl;
	const struct bench_target	*t = run->t;
	struct bm_worker		*w;
	size_t				 npub = wl->publishers;
	size_t				 nsub = wl->subscribers, total, i, k;
	size_t				*fill = NULL;
	unsigned			 nw;

	total = npub + nsub;
	if (total == 0 || (npub > 0 && t->npublishers == 0) ||
	    (nsub > 0 && t->nsubscribers == 0)) {
		bm_cause(cause, "nothing to connect");
		return (-1);
	}
	run->nsubscribers = (unsigned)nsub;
	if (nsub > 0 && (run->progress = aligned_alloc(64,
	    nsub * sizeof *run->progress)) == NULL)
		goto nomem;
	for (i = 0; i < nsub; i++)
		atomic_init(&run->progress[i].n, 0);
	run->rate_each = npub > 0 ? wl->rate / (double)npub : 0;
	nw = wl->threads > 0 ? wl->threads : 1;
	if (nw > total)
		nw = (unsigned)total;
	if ((run->workers = aligned_alloc(64, nw * sizeof *run->workers)) ==
	    NULL)
		goto nomem;
	memset(run->workers, 0, nw * sizeof *run->workers);
	run->nworkers = nw;
	for (i = 0; i < nw; i++)
		run->workers[i].npublishers = npub / nw + (i < npub % nw);
	for (k = 0; k < nsub; k++)
		run->workers[(npub + k) % nw].nclients++;
	for (i = 0; i < nw; i++) {
		w = &run->workers[i];
		w->run = run;
		w->nclients += w->npublishers;
		if ((w->clients = calloc(w->nclients + 1, sizeof *w->clients)) ==
		    NULL || (w->pfds = calloc(w->nclients + 1,
		    sizeof *w->pfds)) == NULL || (w->which =
		    calloc(w->nclients + 1, sizeof *w->which)) == NULL)
			goto nomem;
	}
	if ((fill = calloc(nw, sizeof *fill)) == NULL)
		goto nomem;
	for (k = 0; k < npub; k++) {
		w = &run->workers[k % nw];
		if (bm_client_init(run, w, &w->clients[fill[k % nw]++],
		    BM_PUBLISHER, (unsigned)k,
		    &t->publishers[k % t->npublishers], cause) == -1)
			goto fail;
	}
	for (k = 0; k < nsub; k++) {
		i = (npub + k) % nw;
		w = &run->workers[i];
		if (bm_client_init(run, w, &w->clients[fill[i]++],
		    BM_SUBSCRIBER, (unsigned)k,
		    &t->subscribers[k % t->nsubscribers], cause) == -1)
			goto fail;
	}
	free(fill);
	return (0);
nomem:
	bm_cause(cause, "out of memory");
fail:
	free(fill);
	return (-1);
}

/* Free everything of run. */
static void
bm_free(struct bm_run *run)
{
	struct bm_worker	*w;
	size_t			 i, k;

	for (i = 0; run->workers != NULL && i < run->nworkers; i++) {
		w = &run->workers[i];
		for (k = 0; w->clients != NULL && k < w->nclients; k++) {
			if (w->clients[k].m != NULL)
				mosquitto_destroy(w->clients[k].m);
			bench_report_free(&w->clients[k].report);
			bench_stats_fifo_free(&w->clients[k].inflight);
		}
		free(w->clients);
		free(w->pfds);
		free(w->which);
		free(w->error);
		bench_stats_free(&w->samples);
		bench_stats_free(&w->answers);
	}
	free(run->workers);
	free(run->progress);
}

/* Sum one counter over the workers. */
static uint64_t
bm_sum(struct bm_run *run, size_t offset)
{
	uint64_t	total = 0;
	unsigned	i;

	for (i = 0; i < run->nworkers; i++)
		total += atomic_load_explicit((_Atomic uint64_t *)(void *)
		    ((char *)&run->workers[i].count + offset),
		    memory_order_relaxed);
	return (total);
}
#define BM_SUM(run, field)	bm_sum((run), offsetof(struct bm_counters, field))

/* Sleep seconds in small steps, or less if interrupted. */
static void
bm_hold(double seconds)
{
	uint64_t	start = bench_stats_now();
	struct timespec	ts = { 0, 5000000L };

	while (!bench_interrupted &&
	    (double)(bench_stats_now() - start) / 1e9 < seconds)
		nanosleep(&ts, NULL);
}

/* Wait up to timeout seconds until the counters say done; 0 if so. */
static int
bm_wait(struct bm_run *run, int (*done)(struct bm_run *), double timeout)
{
	uint64_t	start = bench_stats_now();
	struct timespec	ts = { 0, 5000000L };

	for (;;) {
		if (done(run))
			return (0);
		if (bench_interrupted ||
		    (double)(bench_stats_now() - start) / 1e9 > timeout)
			return (-1);
		nanosleep(&ts, NULL);
	}
}

/* Every client is connected (and subscribed) or has failed. */
static int
bm_all_open(struct bm_run *run)
{
	return (BM_SUM(run, ready) + BM_SUM(run, failed) >=
	    run->wl->publishers + run->wl->subscribers);
}

/* Every message has its PUBACK (or a client failed). */
static int
bm_all_answered(struct bm_run *run)
{
	return (BM_SUM(run, answered) >= BM_SUM(run, sent) ||
	    BM_SUM(run, failed) > 0);
}

/* Every subscriber has every message. */
static int
bm_all_caught_up(struct bm_run *run)
{
	return (BM_SUM(run, caught_up) + BM_SUM(run, failed) >=
	    run->nsubscribers);
}

/* Stop and join the workers; keep their first errors. */
static void
bm_finish(struct bm_run *run, struct bench_result *res)
{
	unsigned	i;

	atomic_store_explicit(&run->phase, BM_PHASE_STOP, memory_order_release);
	for (i = 0; i < run->nworkers; i++) {
		if (run->workers[i].started)
			pthread_join(run->workers[i].thread, NULL);
		run->workers[i].started = 0;
		if (run->workers[i].error != NULL)
			bench_result_error(res, "%s", run->workers[i].error);
	}
}

/* Run the publish/subscribe workload with libmosquitto clients. */
static int
bm_pubsub(const struct bench_workload *wl, const struct bench_target *t,
    struct bench_result *res, char **cause)
{
	struct bm_run		 run;
	struct bench_cpu_sample	 cpu0, cpu1;
	struct bench_samples	 all = { 0 }, answers = { 0 };
	uint64_t		 t0, t1, acked0, alerts0, start, expected, v;
	unsigned		 i;
	int			 rc = -1, lost = 0;

	memset(&run, 0, sizeof run);
	run.wl = wl;
	run.t = t;
	atomic_init(&run.phase, BM_PHASE_CONNECT);
	atomic_init(&run.measuring, 0);
	atomic_init(&run.run_start, 0);
	atomic_init(&run.published, 0);
	atomic_init(&run.expected, 0);
	if (bm_setup(&run, cause) == -1)
		goto out;
	start = bench_stats_now();
	bm_connect(&run);
	for (i = 0; i < run.nworkers; i++) {
		if ((errno = pthread_create(&run.workers[i].thread, NULL,
		    bm_worker_main, &run.workers[i])) != 0) {
			bm_cause(cause, "cannot start a thread: %s",
			    strerror(errno));
			bm_finish(&run, res);
			goto out;
		}
		run.workers[i].started = 1;
	}
	bm_wait(&run, bm_all_open, 30.0);
	res->connect_seconds = (double)(bench_stats_now() - start) / 1e9;
	if (BM_SUM(&run, failed) > 0 || !bm_all_open(&run)) {
		bm_finish(&run, res);
		bm_cause(cause, "%s", res->first_error != NULL ?
		    res->first_error : "the MQTT clients did not all connect");
		goto out;
	}
	atomic_store_explicit(&run.run_start, bench_stats_now(),
	    memory_order_relaxed);
	atomic_store_explicit(&run.phase, BM_PHASE_RUN, memory_order_release);
	bm_hold(wl->warmup);
	bench_hub_cpu_sample(t->pid, &cpu0);
	t0 = bench_stats_now();
	acked0 = BM_SUM(&run, answered);
	alerts0 = BM_SUM(&run, alerts);
	atomic_store_explicit(&run.measuring, 1, memory_order_relaxed);
	bm_hold(wl->duration);
	atomic_store_explicit(&run.measuring, 0, memory_order_relaxed);
	t1 = bench_stats_now();
	res->reports = BM_SUM(&run, answered) - acked0;
	res->alerts = BM_SUM(&run, alerts) - alerts0;
	bench_hub_cpu_sample(t->pid, &cpu1);
	bench_hub_cpu_diff(&cpu0, &cpu1, &res->cpu);
	res->elapsed = (double)(t1 - t0) / 1e9;
	if (res->elapsed > 0) {
		res->reports_per_s = (double)res->reports / res->elapsed;
		res->alerts_per_s = (double)res->alerts / res->elapsed;
	}
	atomic_store_explicit(&run.phase, BM_PHASE_DRAIN, memory_order_release);
	if (bm_wait(&run, bm_all_answered, 20.0) == -1 && !bench_interrupted)
		bench_result_error(res, "messages still without PUBACK 20 s "
		    "after the run");
	expected = BM_SUM(&run, answered);
	if (run.nsubscribers > 0 && expected > 0) {
		atomic_store_explicit(&run.expected, expected,
		    memory_order_relaxed);
		bm_wait(&run, bm_all_caught_up, 20.0);
		for (i = 0; i < run.nsubscribers; i++) {
			v = atomic_load_explicit(&run.progress[i].n,
			    memory_order_relaxed);
			if (v < expected)
				res->behind += expected - v;
		}
	}
	if (t->pid > 0)
		res->peak_rss_kb = bench_hub_status_kb(t->pid, "VmHWM");
	res->sent = BM_SUM(&run, sent);
	res->accepted = expected;
	res->alerts_total = BM_SUM(&run, alerts);
	res->connections = (unsigned)BM_SUM(&run, ready);
	res->failed = (unsigned)BM_SUM(&run, failed);
	bm_finish(&run, res);
	for (i = 0; i < run.nworkers; i++) {
		if (bench_stats_merge(&all, &run.workers[i].samples) == -1 ||
		    bench_stats_merge(&answers, &run.workers[i].answers) ==
		    -1 || run.workers[i].samples_lost)
			lost = 1;
	}
	if (lost)
		bench_result_error(res, "out of memory for latency samples");
	bench_stats_summarise(&all, &res->latency);
	bench_stats_summarise(&answers, &res->answer);
	bench_stats_free(&all);
	bench_stats_free(&answers);
	rc = 0;
out:
	bm_free(&run);
	return (rc);
}

/* Write the broker's configuration. */
static int
bm_write_conf(const char *path, const char *port, const char *dir,
    const struct bench_workload *wl, const char *ca,
    const struct bench_identity *server, char **cause)
{
	struct passwd	*pw;
	FILE		*f;
	int		 bad;

	if ((f = fopen(path, "we")) == NULL) {
		bm_cause(cause, "cannot create %s: %s", path, strerror(errno));
		return (-1);
	}
	/*
	 * Started as root, mosquitto would switch to the user "mosquitto",
	 * which cannot read this run's private directory: stay who we are.
	 */
	pw = getpwuid(getuid());
	fprintf(f, "# mosquitto.conf of a kentongan-bench run\n"
	    "per_listener_settings false\n"
	    "allow_anonymous false\n"
	    "listener %s 127.0.0.1\n"
	    "cafile %s\n"
	    "certfile %s\n"
	    "keyfile %s\n"
	    "require_certificate true\n"
	    "use_identity_as_username true\n"
	    "persistence true\n"
	    "persistence_location %s/\n"
	    "max_inflight_messages %u\n"
	    "max_queued_messages 0\n"
	    "max_connections -1\n"
	    "log_dest stderr\n"
	    "log_type error\n"
	    "log_type warning\n"
	    "%s%s%s",
	    port, ca, server->cert, server->key, dir,
	    wl->window > 65535 ? 65535 : wl->window,
	    pw != NULL ? "user " : "", pw != NULL ? pw->pw_name : "",
	    pw != NULL ? "\n" : "");
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		bm_cause(cause, "cannot write %s", path);
		return (-1);
	}
	return (0);
}

int
bench_mosquitto_run(const struct bench_workload *wl, const char *broker,
    const char *dir, const struct bench_target *target,
    const struct bench_identity *server, struct bench_result *res,
    char **cause)
{
	struct bench_target	 t = *target;
	struct bench_proc	 proc;
	char			 port[16], *mdir = NULL, *conf = NULL;
	char			*log = NULL, *why = NULL;
	char			*argv[4];
	int			 rc = -1, started = 0;

	*cause = NULL;
	memset(&proc, 0, sizeof proc);
	if (access(broker, X_OK) != 0) {
		bm_cause(cause, "cannot run the broker %s: %s; install it "
		    "(apt-get install mosquitto) or give --mosquitto PATH",
		    broker, strerror(errno));
		return (-1);
	}
	if (asprintf(&mdir, "%s/mosquitto", dir) == -1 ||
	    asprintf(&conf, "%s/mosquitto.conf", mdir) == -1 ||
	    asprintf(&log, "%s/mosquitto.log", mdir) == -1) {
		bm_cause(cause, "out of memory");
		goto out;
	}
	if (mkdir(mdir, 0700) == -1 && errno != EEXIST) {
		bm_cause(cause, "cannot create %s: %s", mdir, strerror(errno));
		goto out;
	}
	if (bench_hub_free_port(port, sizeof port, cause) == -1 ||
	    bm_write_conf(conf, port, mdir, wl, t.ca, server, cause) == -1)
		goto out;
	argv[0] = (char *)broker;
	argv[1] = (char *)"-c";
	argv[2] = conf;
	argv[3] = NULL;
	if (bench_hub_spawn(&proc, "mosquitto", argv, log, cause) == -1)
		goto out;
	started = 1;
	if (bench_hub_wait_port(&proc, port, 20.0, cause) == -1)
		goto out;
	t.host = "127.0.0.1";
	t.port = port;
	t.pid = proc.pid;
	if (wl->mode == BENCH_CONNECTIONS) {
		t.protocol = BENCH_PROTO_MQTT;
		rc = bench_client_run(wl, &t, res, cause);
	} else {
		if (mosquitto_lib_init() != MOSQ_ERR_SUCCESS)
			bm_cause(cause, "cannot initialise libmosquitto");
		else {
			rc = bm_pubsub(wl, &t, res, cause);
			mosquitto_lib_cleanup();
		}
	}
out:
	if (started) {
		if (bench_hub_stop(&proc, 20.0, &why) == -1) {
			if (rc == 0)
				bench_result_error(res, "%s", why != NULL ? why :
				    "the broker did not stop cleanly");
			free(why);
		} else
			res->stop_seconds = proc.stop_seconds;
		if (res->peak_rss_kb <= 0 && proc.maxrss_kb > 0)
			res->peak_rss_kb = proc.maxrss_kb;
		bench_hub_proc_clear(&proc);
	}
	free(mdir);
	free(conf);
	free(log);
	return (rc);
}
