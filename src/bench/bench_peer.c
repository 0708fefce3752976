/*
 * The load generator's peers: what a publisher, a subscriber or an idle
 * connection does with each line or packet, and the worker threads' event
 * loops that drive them (bench_client.c sets them up and measures).
 */
#include <sys/epoll.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_client_impl.h"
#include "bench_hub.h"

void
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
void
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
void
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
void
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
void *
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
