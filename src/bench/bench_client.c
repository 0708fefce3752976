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

#include "bench_client.h"
#include "bench_pace.h"
#include "bench_conn.h"
#include "bench_hub.h"
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

static const char *const bc_role_names[] = { "publisher", "subscriber",
    "idle connection" };


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
static void
bc_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bc_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* The value of the "type" member of a message line; NULL if none. */
static const char *
bc_type(const char *line, size_t len, size_t *tlen)
{
	const char	*p, *q;

	p = memmem(line, len, "\"type\":\"", 8);
	if (p == NULL)
		return (NULL);
	p += 8;
	q = memchr(p, '"', len - (size_t)(p - line));
	if (q == NULL)
		return (NULL);
	*tlen = (size_t)(q - p);
	return (p);
}

/* 1 if the type token t (tlen bytes) is word. */
static int
bc_is(const char *t, size_t tlen, const char *word)
{
	return (strlen(word) == tlen && memcmp(t, word, tlen) == 0);
}

/* The integer after "seq": in an alert line; -1 if there is none. */
static int64_t
bc_seq(const char *line, size_t len)
{
	const char	*p, *end = line + len;
	int64_t		 v = 0;

	p = memmem(line, len, "\"seq\":", 6);
	if (p == NULL)
		return (-1);
	p += 6;
	if (p >= end || *p < '0' || *p > '9')
		return (-1);
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (*p++ - '0');
	}
	return (v);
}

/* Queue the subscriber's cumulative acknowledgement. */
static void
bc_ack(struct bc_peer *p)
{
	char	buf[64];
	int	n;

	if (p->last_seq <= p->acked_seq)
		return;
	n = snprintf(buf, sizeof buf, "{\"type\":\"ack\",\"seq\":%" PRId64
	    "}\n", p->last_seq);
	if (bench_conn_queue(&p->io, buf, (size_t)n) == -1)
		return;
	p->acked_seq = p->last_seq;
	p->unacked = 0;
}

/* An alert arrived at a subscriber. */
static void
bc_alert(struct bc_peer *p, const char *line, size_t len)
{
	struct bc_worker	*w = p->w;
	uint64_t		 stamp, now;
	int64_t			 seq;

	atomic_fetch_add_explicit(&w->count.alerts, 1, memory_order_relaxed);
	if ((seq = bc_seq(line, len)) == -1) {
		bench_conn_fail(&p->io, "an alert without a seq: %.200s", line);
		return;
	}
	if (seq > p->last_seq) {
		p->last_seq = seq;
		atomic_fetch_add_explicit(&p->progress->n, 1,
		    memory_order_relaxed);
	} else
		atomic_fetch_add_explicit(&w->count.out_of_order, 1,
		    memory_order_relaxed);
	if (atomic_load_explicit(&w->bc->measuring, memory_order_relaxed) &&
	    bench_report_stamp(line, len, &stamp) == 0) {
		now = bench_stats_now();
		if (now >= stamp && bench_stats_add(&w->samples, now - stamp) ==
		    -1)
			w->samples_lost = 1;
	}
	if (++p->unacked >= w->bc->wl->ack_every)
		bc_ack(p);
}

/* One line from the hub. */
static void
bc_line(struct bc_peer *p, const char *line, size_t len)
{
	struct bc_counters	*k = &p->w->count;
	const char		*t;
	size_t			 tlen;
	uint64_t		 stamp, now;

	if ((t = bc_type(line, len, &tlen)) == NULL) {
		bench_conn_fail(&p->io, "the hub sent a line without a type: "
		    "%.200s", line);
		return;
	}
	if (p->role == BC_SUBSCRIBER && bc_is(t, tlen, "alert")) {
		bc_alert(p, line, len);
		return;
	}
	if (p->role == BC_PUBLISHER && (bc_is(t, tlen, "accepted") ||
	    bc_is(t, tlen, "rejected"))) {
		p->answered++;
		atomic_fetch_add_explicit(&k->answered, 1, memory_order_relaxed);
		/* Answers to valid reports come in the order they were sent. */
		if (bench_stats_pop(&p->inflight, &stamp) == 0 && t[0] == 'a' &&
		    atomic_load_explicit(&p->w->bc->measuring,
		    memory_order_relaxed)) {
			now = bench_stats_now();
			if (now >= stamp && bench_stats_add(&p->w->answers,
			    now - stamp) == -1)
				p->w->samples_lost = 1;
		}
		if (t[0] == 'a')
			atomic_fetch_add_explicit(&k->accepted, 1,
			    memory_order_relaxed);
		else {
			atomic_fetch_add_explicit(&k->rejected, 1,
			    memory_order_relaxed);
			bench_conn_error(&p->io, "report refused: %.300s", line);
		}
		return;
	}
	if (bc_is(t, tlen, "pong") && p->role != BC_SUBSCRIBER) {
		if (p->io.state == BENCH_CONN_GREETING)
			bench_conn_ready(&p->io);
		else if (p->role == BC_IDLE)
			atomic_fetch_add_explicit(&k->pongs, 1,
			    memory_order_relaxed);
		return;
	}
	if (bc_is(t, tlen, "subscribed") && p->role == BC_SUBSCRIBER) {
		bench_conn_ready(&p->io);
		return;
	}
	atomic_fetch_add_explicit(&k->errors, 1, memory_order_relaxed);
	if (p->io.state == BENCH_CONN_GREETING)
		bench_conn_fail(&p->io, "the hub answered: %.300s", line);
	else
		bench_conn_error(&p->io, "the hub answered: %.300s", line);
}

/* MQTT packets from the broker (idle connections only). */
static void
bc_mqtt_packets(struct bc_peer *p)
{
	struct bench_buf	*in = &p->io.in;
	const unsigned char	*b;
	size_t			 avail, need, rl, i;
	unsigned		 shift;

	while (p->io.state != BENCH_CONN_FAILED && in->len > in->off) {
		b = (const unsigned char *)in->data + in->off;
		avail = in->len - in->off;
		rl = 0;
		shift = 0;
		for (i = 1; i < avail && i <= 4; i++) {
			rl |= (size_t)(b[i] & 0x7f) << shift;
			shift += 7;
			if ((b[i] & 0x80) == 0)
				break;
		}
		if (i >= avail || i > 4)
			return;
		need = i + 1 + rl;
		if (avail < need)
			return;
		if ((b[0] >> 4) == 2) {		/* CONNACK */
			if (rl < 2 || b[i + 2] != 0) {
				bench_conn_fail(&p->io, "the broker refused the "
				    "connection (CONNACK code %u)", rl < 2 ?
				    255 : b[i + 2]);
				return;
			}
			bench_conn_ready(&p->io);
		} else if ((b[0] >> 4) == 13)	/* PINGRESP */
			atomic_fetch_add_explicit(&p->w->count.pongs, 1,
			    memory_order_relaxed);
		in->off += need;
	}
	if (in->off == in->len)
		in->off = in->len = 0;
}

/* Bytes arrived: hand every complete line (or packet) on. */
static void
bc_input(struct bench_conn *io)
{
	struct bc_peer		*p = (struct bc_peer *)io;
	struct bench_buf	*in = &io->in;
	char			*s, *end, *nl;

	if (p->w->bc->t->protocol == BENCH_PROTO_MQTT) {
		bc_mqtt_packets(p);
		return;
	}
	s = in->data + in->off;
	end = in->data + in->len;
	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		*nl = '\0';
		bc_line(p, s, (size_t)(nl - s));
		if (io->state == BENCH_CONN_FAILED)
			return;
		s = nl + 1;
	}
	in->off = (size_t)(s - in->data);
	if (in->off == in->len)
		in->off = in->len = 0;
	else if (in->len - in->off > BC_LINE_MAX)
		bench_conn_fail(io, "the hub sent a line longer than %d bytes",
		    BC_LINE_MAX);
}

/* The first message on a new session: a ping, a subscribe or a CONNECT. */
static void
bc_greet(struct bench_conn *io)
{
	static const char	ping[] = "{\"type\":\"ping\",\"ref\":\"hello\"}\n";
	static const char	subscribe[] =
	    "{\"type\":\"subscribe\",\"ref\":\"hello\"}\n";
	/* MQTT 3.1.1, clean session, keep-alive 600 s. */
	static const char	connect_head[] = "\0\4MQTT\4\2\2\x58";
	struct bc_peer		*p = (struct bc_peer *)io;
	unsigned char		 pkt[64];
	char			 id[24];
	size_t			 n, idlen;

	if (p->w->bc->t->protocol == BENCH_PROTO_MQTT) {
		idlen = (size_t)snprintf(id, sizeof id, "kbench-idle-%u",
		    io->index);
		n = 0;
		pkt[n++] = 0x10;
		pkt[n++] = (unsigned char)(sizeof connect_head - 1 + 2 + idlen);
		memcpy(pkt + n, connect_head, sizeof connect_head - 1);
		n += sizeof connect_head - 1;
		pkt[n++] = (unsigned char)(idlen >> 8);
		pkt[n++] = (unsigned char)(idlen & 0xff);
		memcpy(pkt + n, id, idlen);
		n += idlen;
		bench_conn_queue(io, pkt, n);
	} else if (p->role == BC_SUBSCRIBER)
		bench_conn_queue(io, subscribe, sizeof subscribe - 1);
	else
		bench_conn_queue(io, ping, sizeof ping - 1);
}

/* How many reports a publisher may send now: window, schedule and lead. */
static uint64_t
bc_due(struct bc_peer *p, uint64_t now)
{
	struct bench_client	*bc = p->w->bc;
	struct bench_pace	 pace = {
		.sent = p->sent,
		.answered = p->answered,
		.elapsed_ns = now - atomic_load_explicit(&bc->run_start,
		    memory_order_relaxed),
		.rate_each = bc->rate_each,
		.subscribers = bc->nsubscribers > 0,
	};

	if (bc->wl->rate <= 0 && bc->wl->lead > 0 && bc->nsubscribers > 0) {
		pace.slowest = bench_pace_slowest(bc->progress,
		    bc->nsubscribers);
		pace.published = atomic_load_explicit(&bc->published,
		    memory_order_relaxed);
	}
	return (bench_pace_due(bc->wl, &pace));
}

/* Send the reports that are due, each stamped as it is written. */
static void
bc_publish(struct bc_peer *p, uint64_t now)
{
	uint64_t	n, i, stamp;

	if (p->io.state != BENCH_CONN_READY)
		return;
	n = bc_due(p, now);
	for (i = 0; i < n; i++) {
		stamp = i == 0 ? now : bench_stats_now();
		bench_report_next(&p->report, stamp);
		if (bench_stats_push(&p->inflight, stamp) == -1) {
			bench_conn_fail(&p->io, "out of memory");
			return;
		}
		if (bench_conn_queue(&p->io, p->report.line, p->report.len) ==
		    -1)
			return;
	}
	if (n > 0) {
		p->sent += n;
		atomic_fetch_add_explicit(&p->w->count.sent, n,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&p->w->bc->published, n,
		    memory_order_relaxed);
	}
	bench_conn_flush(&p->io);
}

/* A read pass ended: publishers send what is due, others flush acks. */
static void
bc_after_read(struct bench_conn *io)
{
	struct bc_peer	*p = (struct bc_peer *)io;

	if (p->role == BC_PUBLISHER && atomic_load_explicit(&p->w->bc->phase,
	    memory_order_relaxed) == BC_PHASE_RUN)
		bc_publish(p, bench_stats_now());
	else
		bench_conn_flush(io);
}

/* While draining: final acks, and how many subscribers have everything. */
static void
bc_drain(struct bc_worker *w)
{
	struct bc_peer	*p;
	uint64_t	 expected, caught = 0;
	size_t		 i;

	expected = atomic_load_explicit(&w->bc->expected, memory_order_relaxed);
	for (i = w->npublishers; i < w->npublishers + w->nsubscribers; i++) {
		p = &w->peers[i];
		if (p->io.state != BENCH_CONN_READY)
			continue;
		if (p->unacked > 0) {
			bc_ack(p);
			bench_conn_flush(&p->io);
		}
		if (expected > 0 && atomic_load_explicit(&p->progress->n,
		    memory_order_relaxed) >= expected)
			caught++;
	}
	atomic_store_explicit(&w->count.caught_up, caught,
	    memory_order_relaxed);
}

/* Ask every idle connection to prove it is still there. */
static void
bc_ping(struct bc_worker *w)
{
	static const char	ping[] = "{\"type\":\"ping\",\"ref\":\"held\"}\n";
	static const char	pingreq[] = "\xc0";
	struct bc_peer		*p;
	size_t			 i;
	int			 mqtt = w->bc->t->protocol == BENCH_PROTO_MQTT;

	for (i = w->npublishers + w->nsubscribers; i < w->npeers; i++) {
		p = &w->peers[i];
		if (p->io.state != BENCH_CONN_READY || p->pinged)
			continue;
		p->pinged = 1;
		/* PINGREQ is 0xc0 0x00: the string's own NUL is the second byte. */
		if (bench_conn_queue(&p->io, mqtt ? pingreq : ping, mqtt ?
		    sizeof pingreq : sizeof ping - 1) == 0)
			bench_conn_flush(&p->io);
	}
}

/* A worker thread: its connections' event loop, until told to stop. */
static void *
bc_worker_main(void *arg)
{
	struct bc_worker	*w = arg;
	struct bench_client	*bc = w->bc;
	struct epoll_event	 evs[BC_EVENTS];
	uint64_t		 now;
	size_t			 i;
	int			 phase, n;

	for (;;) {
		phase = atomic_load_explicit(&bc->phase, memory_order_acquire);
		if (phase == BC_PHASE_STOP)
			break;
		while (w->home.opening < BC_OPENING_MAX && w->next < w->npeers)
			bench_conn_open(&w->peers[w->next++].io);
		if (phase == BC_PHASE_RUN) {
			now = bench_stats_now();
			for (i = 0; i < w->npublishers; i++)
				bc_publish(&w->peers[i], now);
		} else if (phase == BC_PHASE_DRAIN)
			bc_drain(w);
		else if (phase == BC_PHASE_PING)
			bc_ping(w);
		n = epoll_wait(w->home.epfd, evs, BC_EVENTS,
		    phase == BC_PHASE_RUN ? 1 : 5);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (w->home.error == NULL && asprintf(&w->home.error,
			    "epoll_wait: %s", strerror(errno)) == -1)
				w->home.error = NULL;
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			bench_conn_event(evs[i].data.ptr, evs[i].events);
	}
	return (NULL);
}

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
