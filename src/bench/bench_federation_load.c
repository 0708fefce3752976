/*
 * The load of a federation run: a thread for each hub, each an epoll loop
 * over that hub's members (bench_conn.c does their TLS). On A, publishers
 * send reports paced by the rule of the other modes (bench_pace.c): at a
 * rate, or as fast as their window of unanswered reports allows; a
 * subscriber of A may time the same reports without the hop. On B,
 * subscribers check that every alert is a forwarded one (tier global,
 * sent by hub A, with an origin at A) and count each report once, by its
 * publisher (the random head of its id) and the counter in the id's tail,
 * so that a report received twice, or skipped, shows.
 */
#include <sys/epoll.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_conn.h"
#include "bench_federation_impl.h"
#include "bench_pace.h"
#include "bench_report.h"
#include "bench_stats.h"

/* A line from a hub longer than this ends the connection. */
#define BENCH_FED_LOAD_LINE_MAX		(1024 * 1024)
#define BENCH_FED_LOAD_EVENTS		64
/* Handshakes one thread has under way at a time. */
#define BENCH_FED_LOAD_OPENING_MAX	64
/* A report id: 8-4-4-4-12 hex digits; the last 12 count. */
#define BENCH_FED_LOAD_ID_LEN		36
#define BENCH_FED_LOAD_HEAD_LEN		24
#define BENCH_FED_LOAD_COUNTER_MASK	UINT64_C(0xffffffffffff)

enum bench_fed_load_role {
	BENCH_FED_LOAD_PUBLISHER,
	BENCH_FED_LOAD_SUBSCRIBER
};

struct bench_fed_load_side;

/* A connection and what its role keeps; io comes first. */
struct bench_fed_load_peer {
	struct bench_conn		 io;
	struct bench_fed_load_side	*side;
	enum bench_fed_load_role	 role;
	/* A publisher's. */
	struct bench_report		 report;
	struct bench_fifo		 inflight;	/* send times, in order */
	uint64_t			 sent;
	uint64_t			 answered;
	int				 probed;
	/* A subscriber's. */
	struct bench_progress		*progress;
	uint64_t			*next;	/* each publisher's counter */
	int64_t				 last_seq;
	int64_t				 acked_seq;
	unsigned			 unacked;
};

/* One hub's members and the thread that drives them. */
struct bench_fed_load_side {
	struct bench_fed_load		*load;
	enum bench_fed_side		 which;
	pthread_t			 thread;
	int				 started;
	struct bench_conn_home		 home;
	struct sockaddr_in		 addr;
	SSL_CTX				**ctxs;		/* one a peer */
	struct bench_fed_load_peer	*peers;		/* publishers first */
	size_t				 npeers;
	size_t				 npublishers;
	size_t				 next;		/* the next to open */
	struct bench_samples		 alerts;
	struct bench_samples		 answers;
	int				 lost;
	_Atomic uint64_t		 ready;
	_Atomic uint64_t		 failed;
};

/* A publisher's id head, for finding it by an alert's id. */
struct bench_fed_load_head {
	char		 text[BENCH_FED_LOAD_HEAD_LEN];
	unsigned	 publisher;
	uint64_t	 base;
};

struct bench_fed_load {
	struct bench_fed_plan		 plan;
	struct bench_workload		 pace;	/* the plan's rate, no lead */
	double				 rate_each;
	struct bench_fed_load_side	 sides[BENCH_FED_SIDES];
	struct bench_progress		*progress[BENCH_FED_SIDES];
	struct bench_fed_load_head	*heads;	/* sorted by text */
	char				 sender[64];	/* "sender":"A" */
	char				 origin[64];	/* "origin":{"hub":"A" */

	_Atomic int			 phase;
	_Atomic int			 measuring;
	_Atomic uint64_t		 run_start;
	_Atomic uint64_t		 sent;
	_Atomic uint64_t		 answered;
	_Atomic uint64_t		 accepted;
	_Atomic uint64_t		 rejected;
	_Atomic uint64_t		 alerts[BENCH_FED_SIDES];
	_Atomic uint64_t		 duplicates;
	_Atomic uint64_t		 missing;
	_Atomic uint64_t		 malformed;
	_Atomic uint64_t		 out_of_order;
	_Atomic uint64_t		 errors;
};

static const char *const bench_fed_load_names[BENCH_FED_SIDES][2] = {
	{ "publisher on A", "subscriber on A" },
	{ "publisher on B", "subscriber on B" },
};

/* Add one to a counter. */
static void
bench_fed_load_count(_Atomic uint64_t *counter)
{
	atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

/* The value of "type" in a line, and its length; NULL if none. */
static const char *
bench_fed_load_type(const char *line, size_t len, size_t *tlen)
{
	const char	*p, *q;

	if ((p = memmem(line, len, "\"type\":\"", 8)) == NULL)
		return (NULL);
	p += 8;
	if ((q = memchr(p, '"', len - (size_t)(p - line))) == NULL)
		return (NULL);
	*tlen = (size_t)(q - p);
	return (p);
}

/* 1 if the token t (tlen bytes) is word. */
static int
bench_fed_load_is(const char *t, size_t tlen, const char *word)
{
	return (strlen(word) == tlen && memcmp(t, word, tlen) == 0);
}

/* The digits after "seq": in a line; -1 if there are none. */
static int64_t
bench_fed_load_seq(const char *line, size_t len)
{
	const char	*p, *end = line + len;
	int64_t		 v = 0;

	if ((p = memmem(line, len, "\"seq\":", 6)) == NULL)
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

/* Order two id heads for qsort and bsearch. */
static int
bench_fed_load_head_cmp(const void *a, const void *b)
{
	return (memcmp(((const struct bench_fed_load_head *)a)->text,
	    ((const struct bench_fed_load_head *)b)->text,
	    BENCH_FED_LOAD_HEAD_LEN));
}

/*
 * The publisher of the report in an alert and the counter in its id;
 * NULL if the id is none of ours.
 */
static const struct bench_fed_load_head *
bench_fed_load_publisher(const struct bench_fed_load *l, const char *line,
    size_t len, uint64_t *counter)
{
	struct bench_fed_load_head	 key;
	const char			*p, *end = line + len;
	const void			*found;
	uint64_t			 v = 0;
	size_t				 i;
	int				 d;

	if ((p = memmem(line, len, "\"report\":{", 10)) == NULL ||
	    (p = memmem(p, (size_t)(end - p), "\"id\":\"", 6)) == NULL ||
	    (size_t)(end - p) < 6 + BENCH_FED_LOAD_ID_LEN)
		return (NULL);
	p += 6;
	memcpy(key.text, p, BENCH_FED_LOAD_HEAD_LEN);
	if ((found = bsearch(&key, l->heads, l->plan.npublishers,
	    sizeof *l->heads, bench_fed_load_head_cmp)) == NULL)
		return (NULL);
	for (i = BENCH_FED_LOAD_HEAD_LEN; i < BENCH_FED_LOAD_ID_LEN; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else
			return (NULL);
		v = (v << 4) | (uint64_t)d;
	}
	*counter = v;
	return (found);
}

/* Whether an alert is what this hub should send: forwarded on B, own on A. */
static int
bench_fed_load_shaped(const struct bench_fed_load_peer *p, const char *line,
    size_t len)
{
	const struct bench_fed_load	*l = p->side->load;

	if (p->side->which == BENCH_FED_A)
		return (memmem(line, len, "\"tier\":\"regional\"", 17) !=
		    NULL && memmem(line, len, "\"origin\":", 9) == NULL);
	return (memmem(line, len, "\"tier\":\"global\"", 15) != NULL &&
	    memmem(line, len, l->sender, strlen(l->sender)) != NULL &&
	    memmem(line, len, l->origin, strlen(l->origin)) != NULL);
}

/* Queue the subscriber's cumulative acknowledgement. */
static void
bench_fed_load_ack(struct bench_fed_load_peer *p)
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

/*
 * Count a report once for its subscriber. Reports of one publisher are
 * committed, forwarded and sent on in the order they were sent, so their
 * counters come one after another: one below the next expected is a copy,
 * one above it skipped the reports in between. 1 if it was new.
 */
static int
bench_fed_load_tally(struct bench_fed_load_peer *p,
    const struct bench_fed_load_head *h, uint64_t counter)
{
	struct bench_fed_load	*l = p->side->load;
	uint64_t		*next = &p->next[h->publisher], ahead;

	ahead = (counter - h->base - *next) & BENCH_FED_LOAD_COUNTER_MASK;
	if (ahead > BENCH_FED_LOAD_COUNTER_MASK / 2) {
		bench_fed_load_count(&l->duplicates);
		bench_conn_error(&p->io, "report %" PRIu64 " of publisher %u "
		    "came again", (counter - h->base) &
		    BENCH_FED_LOAD_COUNTER_MASK, h->publisher);
		return (0);
	}
	if (ahead > 0) {
		atomic_fetch_add_explicit(&l->missing, ahead,
		    memory_order_relaxed);
		bench_conn_error(&p->io, "%" PRIu64 " reports of publisher %u "
		    "skipped before its report %" PRIu64, ahead, h->publisher,
		    (counter - h->base) & BENCH_FED_LOAD_COUNTER_MASK);
	}
	*next += ahead + 1;
	atomic_fetch_add_explicit(&p->progress->n, 1, memory_order_relaxed);
	return (1);
}

/* An alert arrived at a subscriber. */
static void
bench_fed_load_alert(struct bench_fed_load_peer *p, const char *line,
    size_t len)
{
	struct bench_fed_load_side	*s = p->side;
	struct bench_fed_load		*l = s->load;
	const struct bench_fed_load_head *h;
	uint64_t			 counter, stamp, now;
	int64_t				 seq;

	bench_fed_load_count(&l->alerts[s->which]);
	if ((seq = bench_fed_load_seq(line, len)) == -1) {
		bench_conn_fail(&p->io, "an alert without a seq: %.200s", line);
		return;
	}
	if (seq > p->last_seq)
		p->last_seq = seq;
	else
		bench_fed_load_count(&l->out_of_order);
	if (!bench_fed_load_shaped(p, line, len)) {
		bench_fed_load_count(&l->malformed);
		bench_conn_error(&p->io, "not the alert expected here: %.300s",
		    line);
	}
	if ((h = bench_fed_load_publisher(l, line, len, &counter)) == NULL) {
		bench_fed_load_count(&l->malformed);
		bench_conn_error(&p->io, "an alert of no report of ours: "
		    "%.200s", line);
	} else if (bench_fed_load_tally(p, h, counter) &&
	    atomic_load_explicit(&l->measuring, memory_order_relaxed) &&
	    bench_report_stamp(line, len, &stamp) == 0) {
		now = bench_stats_now();
		if (now >= stamp && bench_stats_add(&s->alerts, now - stamp) ==
		    -1)
			s->lost = 1;
	}
	if (++p->unacked >= l->plan.wl->ack_every)
		bench_fed_load_ack(p);
}

/* A publisher's report was answered; answers come in the order sent. */
static void
bench_fed_load_answer(struct bench_fed_load_peer *p, int accepted,
    const char *line)
{
	struct bench_fed_load_side	*s = p->side;
	struct bench_fed_load		*l = s->load;
	uint64_t			 stamp, now;

	p->answered++;
	bench_fed_load_count(&l->answered);
	if (bench_stats_pop(&p->inflight, &stamp) == 0 && accepted &&
	    atomic_load_explicit(&l->measuring, memory_order_relaxed)) {
		now = bench_stats_now();
		if (now >= stamp && bench_stats_add(&s->answers, now - stamp) ==
		    -1)
			s->lost = 1;
	}
	if (accepted) {
		bench_fed_load_count(&l->accepted);
		return;
	}
	bench_fed_load_count(&l->rejected);
	bench_conn_error(&p->io, "report refused: %.300s", line);
}

/* One line from a hub. */
static void
bench_fed_load_line(struct bench_fed_load_peer *p, const char *line,
    size_t len)
{
	struct bench_fed_load	*l = p->side->load;
	const char		*t;
	size_t			 tlen;

	if ((t = bench_fed_load_type(line, len, &tlen)) == NULL) {
		bench_conn_fail(&p->io, "the hub sent a line without a type: "
		    "%.200s", line);
		return;
	}
	if (p->role == BENCH_FED_LOAD_SUBSCRIBER) {
		if (bench_fed_load_is(t, tlen, "alert")) {
			bench_fed_load_alert(p, line, len);
			return;
		}
		if (bench_fed_load_is(t, tlen, "subscribed")) {
			bench_conn_ready(&p->io);
			return;
		}
	} else {
		if (bench_fed_load_is(t, tlen, "accepted") ||
		    bench_fed_load_is(t, tlen, "rejected")) {
			bench_fed_load_answer(p, t[0] == 'a', line);
			return;
		}
		if (bench_fed_load_is(t, tlen, "pong")) {
			bench_conn_ready(&p->io);
			return;
		}
	}
	bench_fed_load_count(&l->errors);
	if (p->io.state == BENCH_CONN_GREETING)
		bench_conn_fail(&p->io, "the hub answered: %.300s", line);
	else
		bench_conn_error(&p->io, "the hub answered: %.300s", line);
}

/* Bytes arrived: hand every complete line on. */
static void
bench_fed_load_input(struct bench_conn *io)
{
	struct bench_buf	*in = &io->in;
	char			*s, *end, *nl;

	s = in->data + in->off;
	end = in->data + in->len;
	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		*nl = '\0';
		bench_fed_load_line((struct bench_fed_load_peer *)io, s,
		    (size_t)(nl - s));
		if (io->state == BENCH_CONN_FAILED)
			return;
		s = nl + 1;
	}
	in->off = (size_t)(s - in->data);
	if (in->off == in->len)
		in->off = in->len = 0;
	else if (in->len - in->off > BENCH_FED_LOAD_LINE_MAX)
		bench_conn_fail(io, "the hub sent a line longer than %d bytes",
		    BENCH_FED_LOAD_LINE_MAX);
}

/* The first message: a ping for a publisher, a subscribe otherwise. */
static void
bench_fed_load_greet(struct bench_conn *io)
{
	static const char	ping[] =
	    "{\"type\":\"ping\",\"ref\":\"hello\"}\n";
	static const char	subscribe[] =
	    "{\"type\":\"subscribe\",\"ref\":\"hello\"}\n";
	struct bench_fed_load_peer *p = (struct bench_fed_load_peer *)io;

	if (p->role == BENCH_FED_LOAD_SUBSCRIBER)
		bench_conn_queue(io, subscribe, sizeof subscribe - 1);
	else
		bench_conn_queue(io, ping, sizeof ping - 1);
}

/* How many reports a publisher may send now. */
static uint64_t
bench_fed_load_due(struct bench_fed_load_peer *p, uint64_t now)
{
	struct bench_fed_load	*l = p->side->load;
	struct bench_pace	 pace = { 0 };
	int			 phase;

	phase = atomic_load_explicit(&l->phase, memory_order_relaxed);
	if (phase == BENCH_FED_PROBE)
		return (p->io.index == 0 && !p->probed ? 1 : 0);
	if (phase != BENCH_FED_RUN)
		return (0);
	/* The probe is outside the schedule, and answered by now or soon. */
	pace.sent = p->sent - (uint64_t)p->probed;
	pace.answered = p->answered > (uint64_t)p->probed ?
	    p->answered - (uint64_t)p->probed : 0;
	pace.elapsed_ns = now - atomic_load_explicit(&l->run_start,
	    memory_order_relaxed);
	pace.rate_each = l->rate_each;
	return (bench_pace_due(&l->pace, &pace));
}

/* Send the reports that are due, each stamped as it is written. */
static void
bench_fed_load_publish(struct bench_fed_load_peer *p, uint64_t now)
{
	struct bench_fed_load	*l = p->side->load;
	uint64_t		 n, i, stamp;

	if (p->io.state != BENCH_CONN_READY)
		return;
	n = bench_fed_load_due(p, now);
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
		if (atomic_load_explicit(&l->phase, memory_order_relaxed) ==
		    BENCH_FED_PROBE)
			p->probed = 1;
		p->sent += n;
		atomic_fetch_add_explicit(&l->sent, n, memory_order_relaxed);
	}
	bench_conn_flush(&p->io);
}

/* A read pass ended: publishers send what is due, others flush acks. */
static void
bench_fed_load_after_read(struct bench_conn *io)
{
	struct bench_fed_load_peer	*p = (struct bench_fed_load_peer *)io;

	if (p->role == BENCH_FED_LOAD_PUBLISHER)
		bench_fed_load_publish(p, bench_stats_now());
	else
		bench_conn_flush(io);
}

/* A thread: its hub's connections' event loop, until the run stops. */
static void *
bench_fed_load_main(void *arg)
{
	struct bench_fed_load_side	*s = arg;
	struct bench_fed_load		*l = s->load;
	struct bench_fed_load_peer	*p;
	struct epoll_event		 evs[BENCH_FED_LOAD_EVENTS];
	uint64_t			 now;
	size_t				 i;
	int				 phase, n;

	for (;;) {
		phase = atomic_load_explicit(&l->phase, memory_order_acquire);
		if (phase == BENCH_FED_STOP)
			break;
		while (s->home.opening < BENCH_FED_LOAD_OPENING_MAX &&
		    s->next < s->npeers)
			bench_conn_open(&s->peers[s->next++].io);
		if (phase == BENCH_FED_PROBE || phase == BENCH_FED_RUN) {
			now = bench_stats_now();
			for (i = 0; i < s->npublishers; i++)
				bench_fed_load_publish(&s->peers[i], now);
		} else if (phase == BENCH_FED_DRAIN) {
			for (i = s->npublishers; i < s->npeers; i++) {
				p = &s->peers[i];
				if (p->io.state != BENCH_CONN_READY ||
				    p->unacked == 0)
					continue;
				bench_fed_load_ack(p);
				bench_conn_flush(&p->io);
			}
		}
		n = epoll_wait(s->home.epfd, evs, BENCH_FED_LOAD_EVENTS,
		    phase == BENCH_FED_RUN ? 1 : 5);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			bench_conn_error(&s->peers[0].io, "epoll_wait: %s",
			    strerror(errno));
			atomic_fetch_add_explicit(&s->failed, 1,
			    memory_order_relaxed);
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			bench_conn_event(evs[i].data.ptr, evs[i].events);
	}
	return (NULL);
}

/* Set up one peer of a side. */
static int
bench_fed_load_peer(struct bench_fed_load_side *s, size_t k,
    enum bench_fed_load_role role, unsigned index,
    const struct bench_identity *id, char **cause)
{
	struct bench_fed_load		*l = s->load;
	struct bench_fed_load_peer	*p = &s->peers[k];

	if ((s->ctxs[k] = bench_conn_context(l->plan.ca[s->which], id->cert,
	    id->key, cause)) == NULL)
		return (-1);
	bench_conn_init(&p->io, &s->home, bench_fed_load_names[s->which][role],
	    index, id->name, s->ctxs[k]);
	p->side = s;
	p->role = role;
	if (role == BENCH_FED_LOAD_PUBLISHER)
		return (bench_report_init(&p->report, id->name,
		    l->plan.wl->size, cause));
	p->io.small = 1;
	p->progress = &l->progress[s->which][index];
	if ((p->next = calloc(l->plan.npublishers, sizeof *p->next)) == NULL) {
		bench_fed_cause(cause, "out of memory");
		return (-1);
	}
	return (0);
}

/* Set up a side: its address, its peers, its epoll set. */
static int
bench_fed_load_side(struct bench_fed_load *l, enum bench_fed_side which,
    char **cause)
{
	struct bench_fed_load_side	*s = &l->sides[which];
	unsigned			 npub, nsub, i;
	size_t				 k = 0;

	npub = which == BENCH_FED_A ? l->plan.npublishers : 0;
	nsub = l->plan.nsubscribers[which];
	s->load = l;
	s->which = which;
	s->home.epfd = -1;
	atomic_init(&s->ready, 0);
	atomic_init(&s->failed, 0);
	if (npub + nsub == 0)
		return (0);
	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->addr.sin_port = htons((uint16_t)strtoul(l->plan.port[which], NULL,
	    10));
	s->home.addr = (struct sockaddr *)&s->addr;
	s->home.addrlen = sizeof s->addr;
	s->home.host = "127.0.0.1";
	s->home.port = l->plan.port[which];
	s->home.host_is_ip = 1;
	s->home.ready = &s->ready;
	s->home.failed = &s->failed;
	s->home.greet = bench_fed_load_greet;
	s->home.input = bench_fed_load_input;
	s->home.after_read = bench_fed_load_after_read;
	if ((s->home.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		bench_fed_cause(cause, "epoll_create1: %s", strerror(errno));
		return (-1);
	}
	if ((s->peers = calloc(npub + nsub, sizeof *s->peers)) == NULL ||
	    (s->ctxs = calloc(npub + nsub, sizeof *s->ctxs)) == NULL) {
		bench_fed_cause(cause, "out of memory");
		return (-1);
	}
	s->npeers = npub + nsub;
	s->npublishers = npub;
	for (k = 0; k < s->npeers; k++)
		s->peers[k].io.fd = -1;
	for (i = 0, k = 0; i < npub; i++, k++) {
		if (bench_fed_load_peer(s, k, BENCH_FED_LOAD_PUBLISHER, i,
		    &l->plan.publishers[i], cause) == -1)
			return (-1);
	}
	for (i = 0; i < nsub; i++, k++) {
		if (bench_fed_load_peer(s, k, BENCH_FED_LOAD_SUBSCRIBER, i,
		    &l->plan.subscribers[which][i], cause) == -1)
			return (-1);
	}
	return (0);
}

/* Index the publishers by the heads of their ids; -1 if two share one. */
static int
bench_fed_load_heads(struct bench_fed_load *l, char **cause)
{
	struct bench_fed_load_side	*a = &l->sides[BENCH_FED_A];
	struct bench_report		*r;
	unsigned			 i, n = l->plan.npublishers;

	if ((l->heads = calloc(n, sizeof *l->heads)) == NULL) {
		bench_fed_cause(cause, "out of memory");
		return (-1);
	}
	for (i = 0; i < n; i++) {
		r = &a->peers[i].report;
		memcpy(l->heads[i].text, r->line + r->counter_at -
		    BENCH_FED_LOAD_HEAD_LEN, BENCH_FED_LOAD_HEAD_LEN);
		l->heads[i].publisher = i;
		l->heads[i].base = r->counter_base;
	}
	qsort(l->heads, n, sizeof *l->heads, bench_fed_load_head_cmp);
	for (i = 1; i < n; i++) {
		/* 96 random bits alike: not in this universe, but say so. */
		if (bench_fed_load_head_cmp(&l->heads[i - 1],
		    &l->heads[i]) == 0) {
			bench_fed_cause(cause, "two publishers drew the same "
			    "report ids; run again");
			return (-1);
		}
	}
	return (0);
}

struct bench_fed_load *
bench_fed_load_new(const struct bench_fed_plan *plan, char **cause)
{
	struct bench_fed_load	*l;
	unsigned		 i, n;
	int			 side;

	*cause = NULL;
	if (plan->npublishers == 0) {
		bench_fed_cause(cause, "no publishers");
		return (NULL);
	}
	if ((l = calloc(1, sizeof *l)) == NULL) {
		bench_fed_cause(cause, "out of memory");
		return (NULL);
	}
	l->plan = *plan;
	l->pace = *plan->wl;
	l->pace.rate = plan->rate;
	l->pace.lead = 0;
	l->rate_each = plan->rate / plan->npublishers;
	snprintf(l->sender, sizeof l->sender, "\"sender\":\"%s\"",
	    plan->origin_hub);
	snprintf(l->origin, sizeof l->origin, "\"origin\":{\"hub\":\"%s\",",
	    plan->origin_hub);
	atomic_init(&l->phase, BENCH_FED_CONNECT);
	atomic_init(&l->measuring, 0);
	atomic_init(&l->run_start, 0);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		n = plan->nsubscribers[side];
		if (n == 0)
			continue;
		if ((l->progress[side] = aligned_alloc(64, n *
		    sizeof *l->progress[side])) == NULL) {
			bench_fed_cause(cause, "out of memory");
			goto fail;
		}
		for (i = 0; i < n; i++)
			atomic_init(&l->progress[side][i].n, 0);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (bench_fed_load_side(l, (enum bench_fed_side)side,
		    cause) == -1)
			goto fail;
	}
	if (bench_fed_load_heads(l, cause) == -1)
		goto fail;
	return (l);
fail:
	bench_fed_load_free(l);
	return (NULL);
}

int
bench_fed_load_start(struct bench_fed_load *l, char **cause)
{
	struct bench_fed_load_side	*s;
	int				 side, rc;

	*cause = NULL;
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		s = &l->sides[side];
		if (s->npeers == 0)
			continue;
		if ((rc = pthread_create(&s->thread, NULL, bench_fed_load_main,
		    s)) != 0) {
			bench_fed_cause(cause, "cannot start a thread: %s",
			    strerror(rc));
			return (-1);
		}
		s->started = 1;
	}
	return (0);
}

void
bench_fed_load_enter(struct bench_fed_load *l, enum bench_fed_phase phase)
{
	if (phase == BENCH_FED_RUN)
		atomic_store_explicit(&l->run_start, bench_stats_now(),
		    memory_order_relaxed);
	atomic_store_explicit(&l->phase, phase, memory_order_release);
}

void
bench_fed_load_measure(struct bench_fed_load *l, int on)
{
	atomic_store_explicit(&l->measuring, on, memory_order_relaxed);
}

/* Read a counter. */
static uint64_t
bench_fed_load_read(_Atomic uint64_t *counter)
{
	return (atomic_load_explicit(counter, memory_order_relaxed));
}

void
bench_fed_load_counts(struct bench_fed_load *l, struct bench_fed_counts *c)
{
	int	side;

	memset(c, 0, sizeof *c);
	/* Answers before what they answer would count more than was sent. */
	c->accepted = bench_fed_load_read(&l->accepted);
	c->rejected = bench_fed_load_read(&l->rejected);
	c->answered = bench_fed_load_read(&l->answered);
	c->sent = bench_fed_load_read(&l->sent);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		c->got[side] = l->plan.nsubscribers[side] == 0 ? 0 :
		    bench_pace_slowest(l->progress[side],
		    l->plan.nsubscribers[side]);
		c->alerts[side] = bench_fed_load_read(&l->alerts[side]);
		c->ready += bench_fed_load_read(&l->sides[side].ready);
		c->failed += bench_fed_load_read(&l->sides[side].failed);
	}
	c->duplicates = bench_fed_load_read(&l->duplicates);
	c->missing = bench_fed_load_read(&l->missing);
	c->malformed = bench_fed_load_read(&l->malformed);
	c->out_of_order = bench_fed_load_read(&l->out_of_order);
	c->errors = bench_fed_load_read(&l->errors);
}

void
bench_fed_load_join(struct bench_fed_load *l)
{
	int	side;

	for (side = 0; l != NULL && side < BENCH_FED_SIDES; side++) {
		if (!l->sides[side].started)
			continue;
		pthread_join(l->sides[side].thread, NULL);
		l->sides[side].started = 0;
	}
}

/* Summarise samples as a wait, sorting them. */
static void
bench_fed_load_wait(struct bench_samples *s, struct bench_fed_wait *w)
{
	double	sum = 0;
	size_t	i;

	memset(w, 0, sizeof *w);
	if (s->n == 0)
		return;
	bench_stats_sort(s);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	w->count = s->n;
	w->p50 = bench_stats_percentile(s, 0.50);
	w->p90 = bench_stats_percentile(s, 0.90);
	w->p99 = bench_stats_percentile(s, 0.99);
	w->max = (double)s->v[s->n - 1] / 1000.0;
	w->mean = sum / (double)s->n / 1000.0;
}

void
bench_fed_load_waits(struct bench_fed_load *l, struct bench_fed_result *res)
{
	int	side;

	for (side = 0; side < BENCH_FED_SIDES; side++)
		bench_fed_load_wait(&l->sides[side].alerts, &res->wait[side]);
	bench_fed_load_wait(&l->sides[BENCH_FED_A].answers, &res->answer);
}

const char *
bench_fed_load_error(const struct bench_fed_load *l)
{
	int	side;

	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (l->sides[side].home.error != NULL)
			return (l->sides[side].home.error);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (l->sides[side].lost)
			return ("out of memory for latency samples; the "
			    "percentiles are of part of them");
	}
	return (NULL);
}

void
bench_fed_load_free(struct bench_fed_load *l)
{
	struct bench_fed_load_side	*s;
	struct bench_fed_load_peer	*p;
	size_t				 k;
	int				 side;

	if (l == NULL)
		return;
	bench_fed_load_enter(l, BENCH_FED_STOP);
	bench_fed_load_join(l);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		s = &l->sides[side];
		for (k = 0; s->peers != NULL && k < s->npeers; k++) {
			p = &s->peers[k];
			if (p->io.home != NULL)
				bench_conn_free(&p->io);
			bench_report_free(&p->report);
			bench_stats_fifo_free(&p->inflight);
			free(p->next);
		}
		for (k = 0; s->ctxs != NULL && k < s->npeers; k++)
			SSL_CTX_free(s->ctxs[k]);
		free(s->peers);
		free(s->ctxs);
		free(s->home.error);
		bench_stats_free(&s->alerts);
		bench_stats_free(&s->answers);
		if (s->home.epfd != -1)
			close(s->home.epfd);
		free(l->progress[side]);
	}
	free(l->heads);
	free(l);
}
