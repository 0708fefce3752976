/*
 * The hostile parties of an isolation run, on a thread of their own (at a
 * lower priority, so that this process's share of the CPU goes to the
 * bystanders first). Each connection has one kind of request:
 *
 *   query      partners H0 (entitled to the clear part of the history)
 *              and H1 (entitled to none of it) ask for pages of 1,000,
 *              from the start or from a point cycling through the
 *              history, the next as soon as the last is answered; one
 *              more H0 connection writes queries and never reads;
 *   subscribe  H0 and H1 subscribe since 0 on new connections, read what
 *              comes, never acknowledge, and after a second start over;
 *   stats      the operator asks GET /v1/stats and GET /v1/reports of
 *              1,000, each again as soon as it is answered;
 *   console    the operator loads the console's pages in turn (/, then
 *              /reports of 1,000, then /stats), each again as soon as the
 *              last is answered.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bench_conn.h"
#include "bench_isolation_impl.h"

/* The longest answer line (a page of 1,000 alerts is about 700 kB). */
#define BENCH_HOSTILE_LINE_MAX		(32 * 1024 * 1024)
#define BENCH_HOSTILE_HEADER_MAX	(64 * 1024)
#define BENCH_HOSTILE_EVENTS		64
/* A subscription is dropped this long after it was confirmed. */
#define BENCH_HOSTILE_HOLD_NS		1000000000ULL
/* A broken connection is opened again after this long. */
#define BENCH_HOSTILE_RETRY_NS		10000000ULL
/* Queries the deaf connection queues whenever its output is empty. */
#define BENCH_HOSTILE_DEAF_BATCH	16
/* Connections of each kind. */
#define BENCH_HOSTILE_QUERIERS		2
#define BENCH_HOSTILE_SUBSCRIBERS	4
/* The points a query starts from: 0, 1/8 of the history, 2/8, ... */
#define BENCH_HOSTILE_CYCLE		8
/* The thread's niceness. */
#define BENCH_HOSTILE_NICE		10

const char *const bench_hostile_kind_names[] = { "query_little",
    "query_nothing", "query_unread", "subscribe_little", "subscribe_nothing",
    "stats", "reports", "console" };

/* A connection and its kind of request; io comes first. */
struct bench_hostile_peer {
	struct bench_conn	 io;
	struct bench_hostile	*h;
	enum bench_hostile_kind	 kind;
	int			 standing;	/* held for all of phase B */
	size_t			 scanned;	/* past in.off, no end */
	uint64_t		 asked;		/* request in flight; 0: none */
	uint64_t		 held;		/* a subscription confirmed */
	uint64_t		 retry_at;
	unsigned		 k;		/* requests sent */
	int			 recycle;	/* open a new connection */
	int			 in_body;	/* HTTP */
	size_t			 body_left;
	int			 status;
	int			 close_after;
};

struct bench_hostile {
	struct bench_isolation		*iso;
	pthread_t			 thread;
	int				 started;
	int				 epfd;
	struct bench_conn_home		 member;
	struct bench_conn_home		 operator;
	struct bench_hostile_peer	*peers;
	size_t				 npeers;
	unsigned			 standing;
	int				 opened;
	int				 closed;
	int				 lost;
	int				 niced;	/* 0, or setpriority's errno */
	struct bench_samples		 answers[BENCH_HOSTILE_KINDS];
	uint64_t			 done[BENCH_HOSTILE_KINDS];
	uint64_t			 written[BENCH_HOSTILE_KINDS];
	uint64_t			 bytes[BENCH_HOSTILE_KINDS];
	uint64_t			 errors[BENCH_HOSTILE_KINDS];
};

/* A request of p's kind was answered in full now. */
static void
bench_hostile_done(struct bench_hostile_peer *p, uint64_t now)
{
	struct bench_hostile	*h = p->h;

	if (bench_isolation_phase(h->iso) != BENCH_ISOLATION_ATTACK ||
	    p->asked == 0)
		return;
	h->done[p->kind]++;
	if (now > p->asked && bench_stats_add(&h->answers[p->kind],
	    now - p->asked) == -1)
		h->lost = 1;
}

/* The type of a member-protocol line, from its first bytes. */
static int
bench_hostile_type(const char *line, size_t len, const char *word)
{
	static const char	head[] = "{\"type\":\"";
	size_t			wlen = strlen(word);

	return (len > sizeof head - 1 + wlen &&
	    memcmp(line, head, sizeof head - 1) == 0 &&
	    memcmp(line + sizeof head - 1, word, wlen) == 0 &&
	    line[sizeof head - 1 + wlen] == '"');
}

/* One line from the member listener. */
static void
bench_hostile_line(struct bench_hostile_peer *p, const char *line, size_t len)
{
	struct bench_hostile	*h = p->h;

	h->bytes[p->kind] += len + 1;
	if (bench_hostile_type(line, len, "alert"))
		return;
	if (bench_hostile_type(line, len, "pong")) {
		if (p->io.state == BENCH_CONN_GREETING)
			bench_conn_ready(&p->io);
		return;
	}
	if (bench_hostile_type(line, len, "result")) {
		bench_hostile_done(p, bench_stats_now());
		p->asked = 0;
		return;
	}
	if (bench_hostile_type(line, len, "subscribed")) {
		bench_conn_ready(&p->io);
		bench_hostile_done(p, bench_stats_now());
		p->held = bench_stats_now();
		return;
	}
	h->errors[p->kind]++;
	p->asked = 0;
	bench_conn_error(&p->io, "the hub answered: %.300s", line);
}

/* Lines arrived on a member-protocol connection. */
static void
bench_hostile_lines(struct bench_hostile_peer *p)
{
	struct bench_buf	*in = &p->io.in;
	char			*start, *nl;
	size_t			 avail, len;

	for (;;) {
		start = in->data + in->off;
		avail = in->len - in->off;
		nl = memchr(start + p->scanned, '\n', avail - p->scanned);
		if (nl == NULL) {
			p->scanned = avail;
			break;
		}
		len = (size_t)(nl - start);
		p->scanned = 0;
		in->off += len + 1;
		bench_hostile_line(p, start, len);
		if (p->io.state == BENCH_CONN_FAILED)
			return;
	}
	if (in->len - in->off > BENCH_HOSTILE_LINE_MAX)
		bench_conn_fail(&p->io, "the hub sent a line longer than %d "
		    "bytes", BENCH_HOSTILE_LINE_MAX);
}

/* The value of header name (lower case, with its colon) in head, or NULL. */
static const char *
bench_hostile_header(const char *head, size_t len, const char *name)
{
	const char	*p = head, *end = head + len, *nl;
	size_t		 nlen = strlen(name);

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p = nl + 1;
		if ((size_t)(end - p) > nlen &&
		    strncasecmp(p, name, nlen) == 0) {
			p += nlen;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			return (p);
		}
	}
	return (NULL);
}

/* The head of an HTTP response is complete: start on its body. */
static int
bench_hostile_head(struct bench_hostile_peer *p, const char *head, size_t len)
{
	const char	*v;
	char		*end;
	unsigned long	 n;

	if (len < 12 || memcmp(head, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)head[9])) {
		bench_conn_fail(&p->io, "not an HTTP response: %.80s", head);
		return (-1);
	}
	p->status = atoi(head + 9);
	if ((v = bench_hostile_header(head, len, "content-length:")) == NULL) {
		bench_conn_fail(&p->io, "an HTTP response without "
		    "Content-Length: %.200s", head);
		return (-1);
	}
	n = strtoul(v, &end, 10);
	if (end == v) {
		bench_conn_fail(&p->io, "a bad Content-Length: %.40s", v);
		return (-1);
	}
	v = bench_hostile_header(head, len, "connection:");
	p->close_after = v != NULL && strncasecmp(v, "close", 5) == 0;
	p->body_left = n;
	p->in_body = 1;
	return (0);
}

/* Bytes arrived on an operator connection: responses, one at a time. */
static void
bench_hostile_http(struct bench_hostile_peer *p)
{
	struct bench_hostile	*h = p->h;
	struct bench_buf	*in = &p->io.in;
	const char		*start, *from, *eoh;
	size_t			 avail, take, hlen;

	for (;;) {
		start = in->data + in->off;
		avail = in->len - in->off;
		if (!p->in_body) {
			from = start + (p->scanned > 3 ? p->scanned - 3 : 0);
			eoh = memmem(from, avail - (size_t)(from - start),
			    "\r\n\r\n", 4);
			if (eoh == NULL) {
				p->scanned = avail;
				if (avail > BENCH_HOSTILE_HEADER_MAX)
					bench_conn_fail(&p->io, "an HTTP head "
					    "longer than %d bytes",
					    BENCH_HOSTILE_HEADER_MAX);
				return;
			}
			hlen = (size_t)(eoh - start) + 4;
			if (bench_hostile_head(p, start, hlen) == -1)
				return;
			in->off += hlen;
			p->scanned = 0;
			h->bytes[p->kind] += hlen;
			continue;
		}
		take = avail < p->body_left ? avail : p->body_left;
		in->off += take;
		p->body_left -= take;
		h->bytes[p->kind] += take;
		if (p->body_left > 0)
			break;
		p->in_body = 0;
		if (p->status == 200)
			bench_hostile_done(p, bench_stats_now());
		else {
			h->errors[p->kind]++;
			bench_conn_error(&p->io, "HTTP status %d", p->status);
		}
		p->asked = 0;
		if (p->close_after) {
			p->recycle = 1;
			break;
		}
	}
}

/* bench_conn callback: bytes arrived. */
static void
bench_hostile_input(struct bench_conn *io)
{
	struct bench_hostile_peer	*p = (struct bench_hostile_peer *)io;
	struct bench_buf		*in = &io->in;

	if (p->kind == BENCH_HOSTILE_STATS || p->kind == BENCH_HOSTILE_REPORTS ||
	    p->kind == BENCH_HOSTILE_CONSOLE)
		bench_hostile_http(p);
	else
		bench_hostile_lines(p);
	if (io->state != BENCH_CONN_FAILED && in->off == in->len) {
		in->off = in->len = 0;
		p->scanned = 0;
	}
}

/* bench_conn callback: TLS is up. */
static void
bench_hostile_greet(struct bench_conn *io)
{
	static const char		 ping[] =
	    "{\"type\":\"ping\",\"ref\":\"hello\"}\n";
	static const char		 subscribe[] =
	    "{\"type\":\"subscribe\",\"since\":0}\n";
	struct bench_hostile_peer	*p = (struct bench_hostile_peer *)io;

	switch (p->kind) {
	case BENCH_HOSTILE_STATS:
	case BENCH_HOSTILE_REPORTS:
	case BENCH_HOSTILE_CONSOLE:
		bench_conn_ready(io);
		break;
	case BENCH_HOSTILE_SUBSCRIBE_LITTLE:
	case BENCH_HOSTILE_SUBSCRIBE_NOTHING:
		if (bench_conn_queue(io, subscribe, sizeof subscribe - 1) == 0)
			p->h->written[p->kind]++;
		break;
	default:
		bench_conn_queue(io, ping, sizeof ping - 1);
		break;
	}
}

/* bench_conn callback: a read pass ended. */
static void
bench_hostile_after_read(struct bench_conn *io)
{
	bench_conn_flush(io);
}

/* The after of p's next request: 0, or a point cycling through history. */
static int64_t
bench_hostile_after(struct bench_hostile_peer *p)
{
	return (p->h->iso->last_seq / BENCH_HOSTILE_CYCLE *
	    (int64_t)(p->k % BENCH_HOSTILE_CYCLE));
}

/* Queue p's next query. */
static int
bench_hostile_query(struct bench_hostile_peer *p)
{
	char	line[160];
	int64_t	after = bench_hostile_after(p);
	int	n;

	if (after == 0)
		n = snprintf(line, sizeof line, "{\"type\":\"query\",\"ref\":"
		    "\"q%u\",\"filter\":{},\"limit\":1000}\n", p->k);
	else
		n = snprintf(line, sizeof line, "{\"type\":\"query\",\"ref\":"
		    "\"q%u\",\"filter\":{},\"after\":%" PRId64 ",\"limit\":"
		    "1000}\n", p->k, after);
	p->k++;
	p->h->written[p->kind]++;
	return (bench_conn_queue(&p->io, line, (size_t)n));
}

/* Queue p's next HTTP request. */
static int
bench_hostile_request(struct bench_hostile_peer *p)
{
	char	line[256], path[96];
	int64_t	after = bench_hostile_after(p);
	int	n;

	if (p->kind == BENCH_HOSTILE_CONSOLE && p->k % 3 == 0)
		snprintf(path, sizeof path, "/");
	else if (p->kind == BENCH_HOSTILE_CONSOLE && p->k % 3 == 2)
		snprintf(path, sizeof path, "/stats");
	else if (p->kind == BENCH_HOSTILE_CONSOLE && after == 0)
		snprintf(path, sizeof path, "/reports?limit=1000");
	else if (p->kind == BENCH_HOSTILE_CONSOLE)
		snprintf(path, sizeof path, "/reports?limit=1000&after=%"
		    PRId64, after);
	else if (p->kind == BENCH_HOSTILE_STATS)
		snprintf(path, sizeof path, "/v1/stats");
	else if (after == 0)
		snprintf(path, sizeof path, "/v1/reports?limit=1000");
	else
		snprintf(path, sizeof path, "/v1/reports?limit=1000&after=%"
		    PRId64, after);
	n = snprintf(line, sizeof line, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n"
	    "Accept: */*\r\n\r\n", path, p->h->iso->host,
	    p->h->iso->operator_port);
	p->k++;
	p->h->written[p->kind]++;
	return (bench_conn_queue(&p->io, line, (size_t)n));
}

/* Start p on a new connection. */
static void
bench_hostile_open(struct bench_hostile_peer *p, uint64_t now)
{
	p->scanned = 0;
	p->asked = 0;
	p->held = 0;
	p->recycle = 0;
	p->in_body = 0;
	p->body_left = 0;
	/* A subscription is timed from the connection's start. */
	if (p->kind == BENCH_HOSTILE_SUBSCRIBE_LITTLE ||
	    p->kind == BENCH_HOSTILE_SUBSCRIBE_NOTHING)
		p->asked = now;
	bench_conn_open(&p->io);
}

/* Phase B: give one connection its next thing to do. */
static void
bench_hostile_drive(struct bench_hostile_peer *p, uint64_t now)
{
	struct bench_hostile	*h = p->h;
	size_t			 i;

	if (p->recycle || (p->held != 0 && now - p->held >=
	    BENCH_HOSTILE_HOLD_NS)) {
		bench_conn_reset(&p->io);
		p->recycle = 0;
		p->held = 0;
	}
	switch (p->io.state) {
	case BENCH_CONN_NEW:
		if (now >= p->retry_at)
			bench_hostile_open(p, now);
		return;
	case BENCH_CONN_FAILED:
		h->errors[p->kind]++;
		bench_conn_reset(&p->io);
		p->retry_at = now + BENCH_HOSTILE_RETRY_NS;
		return;
	case BENCH_CONN_READY:
		break;
	default:
		return;
	}
	switch (p->kind) {
	case BENCH_HOSTILE_QUERY_LITTLE:
	case BENCH_HOSTILE_QUERY_NOTHING:
		if (p->asked == 0 && bench_hostile_query(p) == 0)
			p->asked = now;
		break;
	case BENCH_HOSTILE_QUERY_DEAF:
		if (!p->io.deaf)
			p->io.deaf = 1;
		for (i = 0; p->io.out.off == p->io.out.len &&
		    i < BENCH_HOSTILE_DEAF_BATCH; i++) {
			if (bench_hostile_query(p) == -1)
				return;
		}
		break;
	case BENCH_HOSTILE_STATS:
	case BENCH_HOSTILE_REPORTS:
	case BENCH_HOSTILE_CONSOLE:
		if (p->asked == 0 && bench_hostile_request(p) == 0)
			p->asked = now;
		break;
	default:
		break;
	}
	bench_conn_flush(&p->io);
}

/* Lower this thread's priority; 0, or an errno. */
static int
bench_hostile_nice(void)
{
	pid_t	tid = (pid_t)syscall(SYS_gettid);

	/* On Linux a thread's niceness is its own. */
	if (setpriority(PRIO_PROCESS, (id_t)tid, BENCH_HOSTILE_NICE) == -1)
		return (errno);
	return (0);
}

/* The thread: every hostile connection's event loop, until the run stops. */
static void *
bench_hostile_main(void *arg)
{
	struct bench_hostile	*h = arg;
	struct epoll_event	 evs[BENCH_HOSTILE_EVENTS];
	uint64_t		 now;
	size_t			 i;
	int			 phase, n;

	h->niced = bench_hostile_nice();
	for (;;) {
		phase = bench_isolation_phase(h->iso);
		if (phase == BENCH_ISOLATION_STOP)
			break;
		now = bench_stats_now();
		if ((phase == BENCH_ISOLATION_GAP ||
		    phase == BENCH_ISOLATION_ATTACK) && !h->opened) {
			for (i = 0; i < h->npeers; i++) {
				if (h->peers[i].standing)
					bench_hostile_open(&h->peers[i], now);
			}
			h->opened = 1;
		}
		if (phase == BENCH_ISOLATION_ATTACK) {
			for (i = 0; i < h->npeers; i++)
				bench_hostile_drive(&h->peers[i], now);
		}
		if (phase >= BENCH_ISOLATION_DRAIN && !h->closed) {
			for (i = 0; i < h->npeers; i++)
				bench_conn_reset(&h->peers[i].io);
			h->closed = 1;
		}
		n = epoll_wait(h->epfd, evs, BENCH_HOSTILE_EVENTS,
		    phase < BENCH_ISOLATION_GAP || h->closed ? 5 : 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (h->member.error == NULL &&
			    asprintf(&h->member.error, "epoll_wait: %s",
			    strerror(errno)) == -1)
				h->member.error = NULL;
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			bench_conn_event(evs[i].data.ptr, evs[i].events);
	}
	return (NULL);
}

/* Make a home: where its connections go, and the callbacks. */
static void
bench_hostile_home(struct bench_hostile *h, struct bench_conn_home *home,
    const struct sockaddr_storage *addr, socklen_t addrlen, const char *port)
{
	home->epfd = h->epfd;
	home->addr = (const struct sockaddr *)addr;
	home->addrlen = addrlen;
	home->host = h->iso->host;
	home->port = port;
	home->host_is_ip = 1;
	home->ready = &h->iso->hostile_ready;
	home->failed = &h->iso->hostile_failed;
	home->greet = bench_hostile_greet;
	home->input = bench_hostile_input;
	home->after_read = bench_hostile_after_read;
}

/* Add count connections of a kind, as a party. */
static void
bench_hostile_add(struct bench_hostile *h, enum bench_hostile_kind kind,
    enum bench_isolation_party party, unsigned count, int standing)
{
	struct bench_hostile_peer	*p;
	unsigned			 i;

	for (i = 0; i < count; i++) {
		p = &h->peers[h->npeers];
		bench_conn_init(&p->io, party == BENCH_ISOLATION_OPERATOR ?
		    &h->operator : &h->member, bench_hostile_kind_names[kind],
		    i, h->iso->names[party], h->iso->ctx[party]);
		p->h = h;
		p->kind = kind;
		p->standing = standing;
		h->standing += standing != 0;
		h->npeers++;
	}
}

struct bench_hostile *
bench_hostile_new(struct bench_isolation *iso, char **cause)
{
	struct bench_hostile	*h;
	unsigned		 attacks = iso->o->attacks;

	*cause = NULL;
	if ((h = calloc(1, sizeof *h)) == NULL ||
	    (h->peers = calloc(2 * BENCH_HOSTILE_QUERIERS + 1 +
	    2 * BENCH_HOSTILE_SUBSCRIBERS + 3, sizeof *h->peers)) == NULL) {
		free(h);
		bench_isolation_cause(cause, "out of memory");
		return (NULL);
	}
	h->iso = iso;
	if ((h->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		bench_isolation_cause(cause, "epoll_create1: %s",
		    strerror(errno));
		free(h->peers);
		free(h);
		return (NULL);
	}
	bench_hostile_home(h, &h->member, &iso->member_addr,
	    iso->member_addrlen, iso->member_port);
	bench_hostile_home(h, &h->operator, &iso->operator_addr,
	    iso->operator_addrlen, iso->operator_port);
	if (attacks & BENCH_ATTACK_QUERY) {
		bench_hostile_add(h, BENCH_HOSTILE_QUERY_LITTLE,
		    BENCH_ISOLATION_LITTLE, BENCH_HOSTILE_QUERIERS, 1);
		bench_hostile_add(h, BENCH_HOSTILE_QUERY_NOTHING,
		    BENCH_ISOLATION_NOTHING, BENCH_HOSTILE_QUERIERS, 1);
		bench_hostile_add(h, BENCH_HOSTILE_QUERY_DEAF,
		    BENCH_ISOLATION_LITTLE, 1, 1);
	}
	if (attacks & BENCH_ATTACK_SUBSCRIBE) {
		bench_hostile_add(h, BENCH_HOSTILE_SUBSCRIBE_LITTLE,
		    BENCH_ISOLATION_LITTLE, BENCH_HOSTILE_SUBSCRIBERS, 0);
		bench_hostile_add(h, BENCH_HOSTILE_SUBSCRIBE_NOTHING,
		    BENCH_ISOLATION_NOTHING, BENCH_HOSTILE_SUBSCRIBERS, 0);
	}
	if (attacks & BENCH_ATTACK_STATS) {
		bench_hostile_add(h, BENCH_HOSTILE_STATS,
		    BENCH_ISOLATION_OPERATOR, 1, 1);
		bench_hostile_add(h, BENCH_HOSTILE_REPORTS,
		    BENCH_ISOLATION_OPERATOR, 1, 1);
	}
	if (attacks & BENCH_ATTACK_CONSOLE)
		bench_hostile_add(h, BENCH_HOSTILE_CONSOLE,
		    BENCH_ISOLATION_OPERATOR, 1, 1);
	return (h);
}

int
bench_hostile_start(struct bench_hostile *h, char **cause)
{
	int	rc;

	*cause = NULL;
	if ((rc = pthread_create(&h->thread, NULL, bench_hostile_main,
	    h)) != 0) {
		bench_isolation_cause(cause, "cannot start a thread: %s",
		    strerror(rc));
		return (-1);
	}
	h->started = 1;
	return (0);
}

unsigned
bench_hostile_standing(const struct bench_hostile *h)
{
	return (h->standing);
}

void
bench_hostile_join(struct bench_hostile *h)
{
	if (h == NULL || !h->started)
		return;
	pthread_join(h->thread, NULL);
	h->started = 0;
}

/* 1 if the attacks include kind. */
static int
bench_hostile_active(unsigned attacks, enum bench_hostile_kind kind)
{
	switch (kind) {
	case BENCH_HOSTILE_QUERY_LITTLE:
	case BENCH_HOSTILE_QUERY_NOTHING:
	case BENCH_HOSTILE_QUERY_DEAF:
		return ((attacks & BENCH_ATTACK_QUERY) != 0);
	case BENCH_HOSTILE_SUBSCRIBE_LITTLE:
	case BENCH_HOSTILE_SUBSCRIBE_NOTHING:
		return ((attacks & BENCH_ATTACK_SUBSCRIBE) != 0);
	case BENCH_HOSTILE_STATS:
	case BENCH_HOSTILE_REPORTS:
		return ((attacks & BENCH_ATTACK_STATS) != 0);
	case BENCH_HOSTILE_CONSOLE:
		return ((attacks & BENCH_ATTACK_CONSOLE) != 0);
	case BENCH_HOSTILE_KINDS:
		break;
	}
	return (0);
}

void
bench_hostile_figures(struct bench_hostile *h, double elapsed,
    struct bench_isolation_figures *f)
{
	struct bench_isolation_hostile	*k;
	size_t				 i;

	for (i = 0; i < BENCH_HOSTILE_KINDS; i++) {
		k = &f->hostile[i];
		memset(k, 0, sizeof *k);
		k->active = bench_hostile_active(h->iso->o->attacks,
		    (enum bench_hostile_kind)i);
		if (!k->active)
			continue;
		k->done = h->done[i];
		k->written = h->written[i];
		k->bytes = h->bytes[i];
		k->errors = h->errors[i];
		k->per_s = elapsed > 0 ? (double)k->done / elapsed : 0;
		bench_stats_summarise(&h->answers[i], &k->answer);
	}
}

const char *
bench_hostile_error(const struct bench_hostile *h)
{
	if (h->member.error != NULL)
		return (h->member.error);
	if (h->operator.error != NULL)
		return (h->operator.error);
	if (h->lost)
		return ("out of memory for the hostile side's samples");
	if (h->niced != 0)
		return ("cannot lower the hostile thread's priority");
	return (NULL);
}

void
bench_hostile_free(struct bench_hostile *h)
{
	size_t	i;

	if (h == NULL)
		return;
	bench_hostile_join(h);
	for (i = 0; i < h->npeers; i++)
		bench_conn_free(&h->peers[i].io);
	for (i = 0; i < BENCH_HOSTILE_KINDS; i++)
		bench_stats_free(&h->answers[i]);
	if (h->epfd != -1)
		close(h->epfd);
	free(h->member.error);
	free(h->operator.error);
	free(h->peers);
	free(h);
}
