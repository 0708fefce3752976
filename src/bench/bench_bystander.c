/*
 * The bystanders of an isolation run, on a thread of their own so that
 * the hostile side's work in this process cannot delay them: a member
 * that pings at a steady rate and times each pong, and a publisher whose
 * reports a subscriber times from send to alert. Both schedules are open:
 * what is due is sent whether or not the hub has answered, so a stalled
 * hub shows as long waits, not as fewer samples.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_conn.h"
#include "bench_isolation_impl.h"
#include "bench_report.h"

/* A line from the hub longer than this ends the connection. */
#define BENCH_BYSTANDER_LINE_MAX	(1024 * 1024)
#define BENCH_BYSTANDER_EVENTS		16

enum bench_bystander_role {
	BENCH_BYSTANDER_PING,
	BENCH_BYSTANDER_PUBLISH,
	BENCH_BYSTANDER_SUBSCRIBE,
	BENCH_BYSTANDER_ROLES
};

static const char *const bench_bystander_role_names[] = { "pinger",
    "publisher", "subscriber" };

/* One ping or report: sent and answered (0: never) on CLOCK_MONOTONIC. */
struct bench_bystander_mark {
	uint64_t	 sent;
	uint64_t	 answered;
	uint8_t		 tag;
	uint8_t		 refused;
};

/* Every ping, or every report, of the run in the order sent. */
struct bench_bystander_log {
	struct bench_bystander_mark	*v;
	size_t				 n;
	size_t				 cap;
};

/* A connection and its role; io comes first. */
struct bench_bystander_peer {
	struct bench_conn	 io;
	struct bench_bystander	*b;
	enum bench_bystander_role role;
	size_t			 scanned;	/* past in.off, no newline */
	uint64_t		 sent;		/* on the schedule */
	size_t			 answered;	/* answered, or matched */
	int64_t			 last_seq;
	int64_t			 acked_seq;
};

struct bench_bystander {
	struct bench_isolation		*iso;
	pthread_t			 thread;
	int				 started;
	struct bench_conn_home		 home;
	struct bench_bystander_peer	 peers[BENCH_BYSTANDER_ROLES];
	struct bench_report		 report;
	struct bench_bystander_log	 pings;
	struct bench_bystander_log	 reports;
	uint64_t			 start;		/* of the schedules */
	uint64_t			 end;		/* of the thread */
	int				 lost;		/* out of memory */
	char				 since[32];	/* the subscription's */
};

/* Append a mark sent now under tag; its index, or -1 on no memory. */
static ssize_t
bench_bystander_mark(struct bench_bystander_log *log, uint64_t now,
    enum bench_isolation_tag tag)
{
	struct bench_bystander_mark	*v;
	size_t				 cap;

	if (log->n == log->cap) {
		cap = log->cap == 0 ? 4096 : log->cap * 2;
		if ((v = reallocarray(log->v, cap, sizeof *v)) == NULL)
			return (-1);
		log->v = v;
		log->cap = cap;
	}
	log->v[log->n].sent = now;
	log->v[log->n].answered = 0;
	log->v[log->n].tag = (uint8_t)tag;
	log->v[log->n].refused = 0;
	return ((ssize_t)log->n++);
}

/* The value of "type" in a line, and its length; NULL if none. */
static const char *
bench_bystander_type(const char *line, size_t len, size_t *tlen)
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
bench_bystander_is(const char *t, size_t tlen, const char *word)
{
	return (strlen(word) == tlen && memcmp(t, word, tlen) == 0);
}

/* The digits after key ("\"seq\":") in a line; -1 if there are none. */
static int64_t
bench_bystander_number(const char *line, size_t len, const char *key)
{
	const char	*p, *end = line + len;
	size_t		 klen = strlen(key);
	int64_t		 v = 0;

	if ((p = memmem(line, len, key, klen)) == NULL)
		return (-1);
	p += klen;
	if (p >= end || *p < '0' || *p > '9')
		return (-1);
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (*p++ - '0');
	}
	return (v);
}

/* A pong: the greeting's, or one of the schedule's. */
static void
bench_bystander_pong(struct bench_bystander_peer *p, const char *line,
    size_t len)
{
	struct bench_bystander		*b = p->b;
	struct bench_bystander_mark	*m;
	int64_t				 i;

	if (p->io.state == BENCH_CONN_GREETING) {
		bench_conn_ready(&p->io);
		return;
	}
	if (p->role != BENCH_BYSTANDER_PING)
		return;
	i = bench_bystander_number(line, len, "\"ref\":\"");
	if (i < 0 || (size_t)i >= b->pings.n) {
		bench_conn_error(&p->io, "a pong for no ping of ours: %.200s",
		    line);
		return;
	}
	m = &b->pings.v[i];
	if (m->answered != 0)
		return;
	m->answered = bench_stats_now();
	atomic_fetch_add_explicit(&b->iso->pongs[m->tag], 1,
	    memory_order_relaxed);
}

/* An answer to the publisher: its reports are answered in order. */
static void
bench_bystander_answer(struct bench_bystander_peer *p, int accepted,
    const char *line)
{
	struct bench_bystander		*b = p->b;
	struct bench_bystander_mark	*m;

	if (p->answered >= b->reports.n) {
		bench_conn_error(&p->io, "an answer to no report of ours: "
		    "%.200s", line);
		return;
	}
	m = &b->reports.v[p->answered++];
	if (accepted)
		return;
	m->refused = 1;
	atomic_fetch_add_explicit(&b->iso->refused[m->tag], 1,
	    memory_order_relaxed);
	bench_conn_error(&p->io, "report refused: %.300s", line);
}

/* An alert at the subscriber: match it to its report by the send time. */
static void
bench_bystander_alert(struct bench_bystander_peer *p, const char *line,
    size_t len)
{
	struct bench_bystander		*b = p->b;
	struct bench_bystander_mark	*m;
	uint64_t			 stamp;
	int64_t				 seq;

	if ((seq = bench_bystander_number(line, len, "\"seq\":")) > p->last_seq)
		p->last_seq = seq;
	if (bench_report_stamp(line, len, &stamp) == -1)
		return;
	/* Alerts come in seq order, which is the order they were sent. */
	while (p->answered < b->reports.n &&
	    b->reports.v[p->answered].sent < stamp)
		p->answered++;
	if (p->answered == b->reports.n ||
	    b->reports.v[p->answered].sent != stamp)
		return;
	m = &b->reports.v[p->answered++];
	m->answered = bench_stats_now();
	atomic_fetch_add_explicit(&b->iso->alerts[m->tag], 1,
	    memory_order_relaxed);
}

/* One line from the hub. */
static void
bench_bystander_line(struct bench_bystander_peer *p, const char *line,
    size_t len)
{
	const char	*t;
	size_t		 tlen;

	if ((t = bench_bystander_type(line, len, &tlen)) == NULL) {
		bench_conn_fail(&p->io, "the hub sent a line without a type: "
		    "%.200s", line);
		return;
	}
	if (bench_bystander_is(t, tlen, "pong"))
		bench_bystander_pong(p, line, len);
	else if (p->role == BENCH_BYSTANDER_PUBLISH &&
	    bench_bystander_is(t, tlen, "accepted"))
		bench_bystander_answer(p, 1, line);
	else if (p->role == BENCH_BYSTANDER_PUBLISH &&
	    bench_bystander_is(t, tlen, "rejected"))
		bench_bystander_answer(p, 0, line);
	else if (p->role == BENCH_BYSTANDER_SUBSCRIBE &&
	    bench_bystander_is(t, tlen, "alert"))
		bench_bystander_alert(p, line, len);
	else if (p->role == BENCH_BYSTANDER_SUBSCRIBE &&
	    bench_bystander_is(t, tlen, "subscribed"))
		bench_conn_ready(&p->io);
	else if (p->io.state == BENCH_CONN_GREETING)
		bench_conn_fail(&p->io, "the hub answered: %.300s", line);
	else
		bench_conn_error(&p->io, "the hub answered: %.300s", line);
}

/* Bytes arrived: hand every complete line on. */
static void
bench_bystander_input(struct bench_conn *io)
{
	struct bench_bystander_peer	*p = (struct bench_bystander_peer *)io;
	struct bench_buf		*in = &io->in;
	char				*start, *nl;
	size_t				 avail, len;

	for (;;) {
		start = in->data + in->off;
		avail = in->len - in->off;
		nl = memchr(start + p->scanned, '\n', avail - p->scanned);
		if (nl == NULL) {
			p->scanned = avail;
			break;
		}
		len = (size_t)(nl - start);
		*nl = '\0';
		p->scanned = 0;
		in->off += len + 1;
		bench_bystander_line(p, start, len);
		if (io->state == BENCH_CONN_FAILED)
			return;
	}
	if (in->off == in->len) {
		in->off = in->len = 0;
		p->scanned = 0;
	} else if (in->len - in->off > BENCH_BYSTANDER_LINE_MAX)
		bench_conn_fail(io, "the hub sent a line longer than %d bytes",
		    BENCH_BYSTANDER_LINE_MAX);
}

/* The first message: a ping, or the subscription from the history's end. */
static void
bench_bystander_greet(struct bench_conn *io)
{
	static const char		 ping[] =
	    "{\"type\":\"ping\",\"ref\":\"hello\"}\n";
	struct bench_bystander_peer	*p = (struct bench_bystander_peer *)io;
	char				 line[96];
	int				 n;

	if (p->role != BENCH_BYSTANDER_SUBSCRIBE) {
		bench_conn_queue(io, ping, sizeof ping - 1);
		return;
	}
	n = snprintf(line, sizeof line, "{\"type\":\"subscribe\",\"ref\":"
	    "\"hello\",\"since\":%s}\n", p->b->since);
	bench_conn_queue(io, line, (size_t)n);
}

/* A read pass ended: the subscriber acknowledges what it has. */
static void
bench_bystander_after_read(struct bench_conn *io)
{
	struct bench_bystander_peer	*p = (struct bench_bystander_peer *)io;
	char				 line[64];
	int				 n;

	if (p->role == BENCH_BYSTANDER_SUBSCRIBE &&
	    io->state == BENCH_CONN_READY && p->last_seq > p->acked_seq) {
		n = snprintf(line, sizeof line, "{\"type\":\"ack\",\"seq\":%"
		    PRId64 "}\n", p->last_seq);
		if (bench_conn_queue(io, line, (size_t)n) == 0)
			p->acked_seq = p->last_seq;
	}
	bench_conn_flush(io);
}

/* How many of a schedule at rate per second are due by now. */
static uint64_t
bench_bystander_due(const struct bench_bystander *b, double rate,
    uint64_t sent, uint64_t now)
{
	double	due;

	due = (double)(now - b->start) / 1e9 * rate + 1;
	return (due > (double)sent ? (uint64_t)due - sent : 0);
}

/* Send the pings that are due, each numbered by its place in the log. */
static void
bench_bystander_ping(struct bench_bystander *b, uint64_t now)
{
	struct bench_bystander_peer	*p = &b->peers[BENCH_BYSTANDER_PING];
	enum bench_isolation_tag	 tag = bench_isolation_tag_now(b->iso);
	char				 line[64];
	uint64_t			 n;
	ssize_t				 i;
	int				 len;

	if (p->io.state != BENCH_CONN_READY)
		return;
	for (n = bench_bystander_due(b, b->iso->o->ping_rate, p->sent, now);
	    n > 0; n--) {
		if ((i = bench_bystander_mark(&b->pings, now, tag)) == -1) {
			b->lost = 1;
			bench_conn_fail(&p->io, "out of memory");
			return;
		}
		len = snprintf(line, sizeof line, "{\"type\":\"ping\",\"ref\":"
		    "\"%zd\"}\n", i);
		if (bench_conn_queue(&p->io, line, (size_t)len) == -1)
			return;
		p->sent++;
		atomic_fetch_add_explicit(&b->iso->pings[tag], 1,
		    memory_order_relaxed);
	}
	bench_conn_flush(&p->io);
}

/* Send the reports that are due, each stamped as it is written. */
static void
bench_bystander_publish(struct bench_bystander *b, uint64_t now)
{
	struct bench_bystander_peer	*p = &b->peers[BENCH_BYSTANDER_PUBLISH];
	enum bench_isolation_tag	 tag = bench_isolation_tag_now(b->iso);
	uint64_t			 n, stamp;

	if (p->io.state != BENCH_CONN_READY)
		return;
	for (n = bench_bystander_due(b, b->iso->o->wl->rate, p->sent, now);
	    n > 0; n--) {
		stamp = bench_stats_now();
		if (bench_bystander_mark(&b->reports, stamp, tag) == -1) {
			b->lost = 1;
			bench_conn_fail(&p->io, "out of memory");
			return;
		}
		bench_report_next(&b->report, stamp);
		if (bench_conn_queue(&p->io, b->report.line, b->report.len) ==
		    -1)
			return;
		p->sent++;
		atomic_fetch_add_explicit(&b->iso->reports[tag], 1,
		    memory_order_relaxed);
	}
	bench_conn_flush(&p->io);
}

/* The thread: the three connections' event loop, until the run stops. */
static void *
bench_bystander_main(void *arg)
{
	struct bench_bystander	*b = arg;
	struct epoll_event	 evs[BENCH_BYSTANDER_EVENTS];
	uint64_t		 now;
	size_t			 i;
	int			 phase, n;

	for (i = 0; i < BENCH_BYSTANDER_ROLES; i++)
		bench_conn_open(&b->peers[i].io);
	for (;;) {
		phase = bench_isolation_phase(b->iso);
		if (phase == BENCH_ISOLATION_STOP)
			break;
		if (phase >= BENCH_ISOLATION_WARMUP) {
			now = bench_stats_now();
			if (b->start == 0)
				b->start = now;
			bench_bystander_ping(b, now);
			bench_bystander_publish(b, now);
		}
		n = epoll_wait(b->home.epfd, evs, BENCH_BYSTANDER_EVENTS, 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (b->home.error == NULL && asprintf(&b->home.error,
			    "epoll_wait: %s", strerror(errno)) == -1)
				b->home.error = NULL;
			atomic_fetch_add_explicit(&b->iso->bystanders_failed, 1,
			    memory_order_relaxed);
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			bench_conn_event(evs[i].data.ptr, evs[i].events);
	}
	b->end = bench_stats_now();
	return (NULL);
}

struct bench_bystander *
bench_bystander_new(struct bench_isolation *iso, char **cause)
{
	static const enum bench_isolation_party party[] = {
	    BENCH_ISOLATION_PINGER, BENCH_ISOLATION_PUBLISHER,
	    BENCH_ISOLATION_SUBSCRIBER };
	struct bench_bystander	*b;
	struct bench_bystander_peer *p;
	size_t			 i;

	*cause = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		bench_isolation_cause(cause, "out of memory");
		return (NULL);
	}
	b->iso = iso;
	snprintf(b->since, sizeof b->since, "%" PRId64, iso->last_seq);
	b->home.epfd = -1;
	b->home.addr = (struct sockaddr *)&iso->member_addr;
	b->home.addrlen = iso->member_addrlen;
	b->home.host = iso->host;
	b->home.port = iso->member_port;
	b->home.host_is_ip = 1;
	b->home.ready = &iso->bystanders_ready;
	b->home.failed = &iso->bystanders_failed;
	b->home.greet = bench_bystander_greet;
	b->home.input = bench_bystander_input;
	b->home.after_read = bench_bystander_after_read;
	for (i = 0; i < BENCH_BYSTANDER_ROLES; i++) {
		p = &b->peers[i];
		bench_conn_init(&p->io, &b->home, bench_bystander_role_names[i],
		    0, iso->names[party[i]], iso->ctx[party[i]]);
		p->io.small = i != BENCH_BYSTANDER_PUBLISH;
		p->b = b;
		p->role = (enum bench_bystander_role)i;
	}
	if (bench_report_init(&b->report, iso->names[BENCH_ISOLATION_PUBLISHER],
	    iso->o->wl->size, cause) == -1)
		goto fail;
	if ((b->home.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		bench_isolation_cause(cause, "epoll_create1: %s",
		    strerror(errno));
		goto fail;
	}
	return (b);
fail:
	bench_bystander_free(b);
	return (NULL);
}

int
bench_bystander_start(struct bench_bystander *b, char **cause)
{
	int	rc;

	*cause = NULL;
	if ((rc = pthread_create(&b->thread, NULL, bench_bystander_main,
	    b)) != 0) {
		bench_isolation_cause(cause, "cannot start a thread: %s",
		    strerror(rc));
		return (-1);
	}
	b->started = 1;
	return (0);
}

void
bench_bystander_join(struct bench_bystander *b)
{
	if (b == NULL || !b->started)
		return;
	pthread_join(b->thread, NULL);
	b->started = 0;
}

/*
 * The waits of the marks of one tag. One never answered waited at least
 * until the end of the run; a percentile is a lower bound when such a
 * wait is not above it.
 */
static void
bench_bystander_wait(const struct bench_bystander_log *log,
    enum bench_isolation_tag tag, uint64_t end, struct bench_isolation_wait *w,
    int *lost)
{
	const struct bench_bystander_mark	*m;
	struct bench_samples			 s = { 0 };
	uint64_t				 v, least = UINT64_MAX;
	double					 least_ms;
	size_t					 i;

	memset(w, 0, sizeof *w);
	for (i = 0; i < log->n; i++) {
		m = &log->v[i];
		if (m->tag != tag || m->refused)
			continue;
		w->count++;
		if (m->answered != 0)
			v = m->answered - m->sent;
		else {
			w->unanswered++;
			v = end > m->sent ? end - m->sent : 0;
			if (v < least)
				least = v;
		}
		if (bench_stats_add(&s, v) == -1)
			*lost = 1;
	}
	if (s.n == 0)
		return;
	bench_stats_sort(&s);
	w->p50 = bench_stats_percentile(&s, 0.50);
	w->p90 = bench_stats_percentile(&s, 0.90);
	w->p99 = bench_stats_percentile(&s, 0.99);
	w->max = (double)s.v[s.n - 1] / 1000.0;
	if (w->unanswered > 0) {
		/* Rounded as the samples are. */
		least_ms = (double)((least + 500) / 1000) / 1000.0;
		w->at_least = BENCH_ISOLATION_AT_LEAST_MAX;
		if (least_ms <= w->p50)
			w->at_least |= BENCH_ISOLATION_AT_LEAST_P50;
		if (least_ms <= w->p90)
			w->at_least |= BENCH_ISOLATION_AT_LEAST_P90;
		if (least_ms <= w->p99)
			w->at_least |= BENCH_ISOLATION_AT_LEAST_P99;
	}
	bench_stats_free(&s);
}

void
bench_bystander_figures(struct bench_bystander *b,
    enum bench_isolation_tag tag, struct bench_isolation_figures *f)
{
	size_t	i;

	bench_bystander_wait(&b->pings, tag, b->end, &f->ping, &b->lost);
	bench_bystander_wait(&b->reports, tag, b->end, &f->alert, &b->lost);
	f->refused = 0;
	for (i = 0; i < b->reports.n; i++) {
		if (b->reports.v[i].tag == tag && b->reports.v[i].refused)
			f->refused++;
	}
}

const char *
bench_bystander_error(const struct bench_bystander *b)
{
	if (b->home.error != NULL)
		return (b->home.error);
	if (b->lost)
		return ("out of memory for the bystanders' samples");
	return (NULL);
}

void
bench_bystander_free(struct bench_bystander *b)
{
	size_t	i;

	if (b == NULL)
		return;
	bench_bystander_join(b);
	for (i = 0; i < BENCH_BYSTANDER_ROLES; i++)
		bench_conn_free(&b->peers[i].io);
	if (b->home.epfd != -1)
		close(b->home.epfd);
	bench_report_free(&b->report);
	free(b->pings.v);
	free(b->reports.v);
	free(b->home.error);
	free(b);
}
