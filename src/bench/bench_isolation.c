/*
 * kentongan-bench --mode isolation (issue 12: no member, operator or
 * stranger can stall the hub). A spawned hub is given a history by
 * kentongan-fill before it starts; a registry with the ten members of the
 * region who sent that history, a partner H0 entitled to its clear
 * reports (about one in six), a partner H1 who joined after it and is
 * entitled to none of it, three bystanders and an operator. The
 * bystanders run throughout; phase A measures them alone, phase B while
 * the hostile parties attack. Everything waited for has a deadline: a hub
 * that stops answering is reported as such, with lower bounds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_conn.h"
#include "bench_hub.h"
#include "bench_isolation_impl.h"
#include "bench_pki.h"
#include "bench_summary.h"

/* How long answers of a phase may take to come back after it. */
#define BENCH_ISOLATION_GRACE		10.0
/* How long the hub may take to start on its history. */
#define BENCH_ISOLATION_START_TIMEOUT	120.0
/* How long connections may take to open. */
#define BENCH_ISOLATION_CONNECT_TIMEOUT	30.0
/* How often the hub's memory is read. */
#define BENCH_ISOLATION_SAMPLE_MS	50
/* Connections the hub must allow (the bench opens about 20 at a time). */
#define BENCH_ISOLATION_CONNECTIONS	256

/* The members of the region who sent the history (ASEAN's ten). */
static const char *const bench_isolation_region[] = { "BN", "KH", "ID", "LA",
    "MM", "MY", "PH", "SG", "TH", "VN" };
#define BENCH_ISOLATION_REGION	(sizeof bench_isolation_region / \
	sizeof bench_isolation_region[0])

/* The certificates of the run: names and roles, by party. */
static const struct {
	const char	*name;
	const char	*role;
} bench_isolation_parties[BENCH_ISOLATION_PARTIES] = {
	{ "P0", "member" },
	{ "S0", "member" },
	{ "B0", "member" },
	{ "H0", "partner" },
	{ "H1", "partner" },
	{ "O0", "operator" },
};

static const struct {
	const char	*name;
	unsigned	 mask;
} bench_isolation_attack_words[] = {
	{ "query", BENCH_ATTACK_QUERY },
	{ "subscribe", BENCH_ATTACK_SUBSCRIBE },
	{ "stats", BENCH_ATTACK_STATS },
	{ "console", BENCH_ATTACK_CONSOLE },
	{ "all", BENCH_ATTACK_ALL },
};
#define BENCH_ISOLATION_WORDS	(sizeof bench_isolation_attack_words / \
	sizeof bench_isolation_attack_words[0])

void
bench_isolation_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

int
bench_isolation_attacks(const char *text, unsigned *attacks)
{
	const char	*p = text, *comma, *name;
	size_t		 len, i;

	*attacks = 0;
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < BENCH_ISOLATION_WORDS; i++) {
			name = bench_isolation_attack_words[i].name;
			if (strlen(name) == len && strncmp(p, name, len) == 0)
				break;
		}
		if (i == BENCH_ISOLATION_WORDS)
			return (-1);
		*attacks |= bench_isolation_attack_words[i].mask;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return (*attacks != 0 ? 0 : -1);
}

const char *
bench_isolation_attack_name(unsigned attacks, char *buf, size_t size)
{
	size_t	i, used = 0;

	if (size == 0)
		return (buf);
	buf[0] = '\0';
	if (attacks == BENCH_ATTACK_ALL) {
		snprintf(buf, size, "all");
		return (buf);
	}
	for (i = 0; i + 1 < BENCH_ISOLATION_WORDS; i++) {
		if ((attacks & bench_isolation_attack_words[i].mask) == 0)
			continue;
		used += (size_t)snprintf(buf + used, used < size ? size - used :
		    0, "%s%s", used > 0 ? "+" : "",
		    bench_isolation_attack_words[i].name);
		if (used >= size)
			break;
	}
	return (buf);
}

int
bench_isolation_phase(struct bench_isolation *iso)
{
	return (atomic_load_explicit(&iso->phase, memory_order_acquire));
}

enum bench_isolation_tag
bench_isolation_tag_now(struct bench_isolation *iso)
{
	switch (bench_isolation_phase(iso)) {
	case BENCH_ISOLATION_BASELINE:
		return (BENCH_ISOLATION_A);
	case BENCH_ISOLATION_ATTACK:
		return (BENCH_ISOLATION_B);
	default:
		return (BENCH_ISOLATION_UNTAGGED);
	}
}

/* Move the run on to phase. */
static void
bench_isolation_enter(struct bench_isolation *iso, enum bench_isolation_phase
    phase)
{
	atomic_store_explicit(&iso->phase, phase, memory_order_release);
}

/* Sleep for ms milliseconds. */
static void
bench_isolation_nap(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Seconds since start (ns on CLOCK_MONOTONIC). */
static double
bench_isolation_since(uint64_t start)
{
	return ((double)(bench_stats_now() - start) / 1e9);
}

/* Keep the first problem of the run. */
static void
bench_isolation_problem(struct bench_isolation_result *res, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));
static void
bench_isolation_problem(struct bench_isolation_result *res, const char *fmt,
    ...)
{
	va_list	ap;

	if (res->problem != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&res->problem, fmt, ap) == -1)
		res->problem = NULL;
	va_end(ap);
}

/*
 * 0 while the run may go on: not interrupted, the hub alive, the
 * bystanders connected. Otherwise -1, with the problem noted.
 */
static int
bench_isolation_check(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_isolation_result *res)
{
	const char	*why;

	if (bench_interrupted)
		return (-1);
	if (!bench_hub_alive(hub)) {
		bench_isolation_problem(res, "kentongand ended during the run "
		    "(%s)", WIFSIGNALED(hub->status) ? strsignal(
		    WTERMSIG(hub->status)) : "it exited");
		return (-1);
	}
	if (atomic_load_explicit(&iso->bystanders_failed,
	    memory_order_relaxed) > 0) {
		why = bench_bystander_error(b);
		bench_isolation_problem(res, "a bystander lost its connection: "
		    "%s", why != NULL ? why : "no reason given");
		return (-1);
	}
	return (0);
}

/* Issue the run's certificates, each with its role. */
static int
bench_isolation_issue(struct bench_pki *pki, struct bench_identity *ids,
    char **cause)
{
	size_t	i;

	for (i = 0; i < BENCH_ISOLATION_PARTIES; i++) {
		if (bench_pki_issue(pki, bench_isolation_parties[i].name,
		    &ids[i], cause) == -1)
			return (-1);
		ids[i].role = bench_isolation_parties[i].role;
	}
	return (0);
}

/*
 * The registry: the region's members, then H0, then (unless for the fill,
 * which must not know them) everyone who joined after the history.
 */
static size_t
bench_isolation_registry(const struct bench_identity *ids, int fill,
    struct bench_identity *out)
{
	size_t	n = 0, i;

	for (i = 0; i < BENCH_ISOLATION_REGION; i++) {
		memset(&out[n], 0, sizeof out[n]);
		out[n].name = (char *)bench_isolation_region[i];
		out[n++].role = "member";
	}
	out[n++] = ids[BENCH_ISOLATION_LITTLE];
	if (fill)
		return (n);
	for (i = 0; i < BENCH_ISOLATION_PARTIES; i++) {
		if (i != BENCH_ISOLATION_LITTLE)
			out[n++] = ids[i];
	}
	return (n);
}

/* Run kentongan-fill on conf and wait for it; the history's last seq. */
static int
bench_isolation_fill(const char *fill, const char *conf, const char *dir,
    unsigned long count, struct bench_isolation_result *res, char **cause)
{
	struct bench_proc	 p;
	char			 n[32], senders[64], *log = NULL, *tail;
	char			*argv[8];
	const char		*at;
	uint64_t		 start = bench_stats_now();
	double			 timeout = 60.0 + (double)count / 2000.0;
	size_t			 i, used = 0;
	int			 rc = -1;

	snprintf(n, sizeof n, "%lu", count);
	for (i = 0; i < BENCH_ISOLATION_REGION; i++)
		used += (size_t)snprintf(senders + used, sizeof senders - used,
		    "%s%s", i > 0 ? "," : "", bench_isolation_region[i]);
	if (asprintf(&log, "%s/kentongan-fill.log", dir) == -1) {
		bench_isolation_cause(cause, "out of memory");
		return (-1);
	}
	argv[0] = (char *)fill;
	argv[1] = (char *)"-c";
	argv[2] = (char *)conf;
	argv[3] = (char *)"-n";
	argv[4] = n;
	argv[5] = (char *)"-S";
	argv[6] = senders;
	argv[7] = NULL;
	printf("history: %lu reports from the region's %zu members, by %s\n",
	    count, BENCH_ISOLATION_REGION, fill);
	if (bench_hub_spawn(&p, "kentongan-fill", argv, log, cause) == -1) {
		free(log);
		return (-1);
	}
	while (bench_hub_alive(&p)) {
		if (bench_interrupted ||
		    bench_isolation_since(start) > timeout) {
			/* It is stopped; how it ended does not matter now. */
			(void)bench_hub_stop(&p, 10.0, cause);
			free(*cause);
			bench_isolation_cause(cause, "kentongan-fill %s",
			    bench_interrupted ? "was interrupted" : "took too "
			    "long");
			goto out;
		}
		bench_isolation_nap(50);
	}
	tail = bench_hub_log_tail(&p, 20);
	if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0 ||
	    tail == NULL || (at = strstr(tail, "last seq ")) == NULL) {
		bench_isolation_cause(cause, "kentongan-fill failed; its "
		    "output:\n%s", tail != NULL ? tail : "");
		free(tail);
		goto out;
	}
	res->last_seq = strtoll(at + 9, NULL, 10);
	free(tail);
	res->fill_seconds = bench_isolation_since(start);
	printf("history: stored in %.1f s, last seq %lld\n", res->fill_seconds,
	    (long long)res->last_seq);
	rc = 0;
out:
	bench_hub_proc_clear(&p);
	free(log);
	return (rc);
}

/* 127.0.0.1:port as a socket address. */
static void
bench_isolation_address(const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof *ss);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((uint16_t)strtoul(port, NULL, 10));
	*len = sizeof *sin;
}

/* Hold the current phase for seconds, checking on the run. */
static int
bench_isolation_hold(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_isolation_result *res,
    double seconds)
{
	uint64_t	start = bench_stats_now();

	while (bench_isolation_since(start) < seconds) {
		if (bench_isolation_check(iso, hub, b, res) == -1)
			return (-1);
		bench_isolation_nap(10);
	}
	return (0);
}

/* Measure a phase for the run's duration: the hub's memory and CPU. */
static int
bench_isolation_measure(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_isolation_result *res,
    struct bench_isolation_figures *f)
{
	struct bench_cpu_sample	 cpu0, cpu1;
	uint64_t		 start;
	double			 duration = iso->o->wl->duration;
	long			 rss;
	int			 rc = 0;

	bench_hub_cpu_sample(hub->pid, &cpu0);
	f->rss_start_kb = f->rss_peak_kb = f->rss_end_kb =
	    bench_hub_status_kb(hub->pid, "VmRSS");
	start = bench_stats_now();
	while (bench_isolation_since(start) < duration) {
		if (bench_isolation_check(iso, hub, b, res) == -1) {
			rc = -1;
			break;
		}
		bench_isolation_nap(BENCH_ISOLATION_SAMPLE_MS);
		if ((rss = bench_hub_status_kb(hub->pid, "VmRSS")) > 0) {
			f->rss_end_kb = rss;
			if (rss > f->rss_peak_kb)
				f->rss_peak_kb = rss;
		}
	}
	f->elapsed = bench_isolation_since(start);
	bench_hub_cpu_sample(hub->pid, &cpu1);
	bench_hub_cpu_diff(&cpu0, &cpu1, &f->cpu);
	return (rc);
}

/* Of what was sent under tag, how much is still unanswered. */
static uint64_t
bench_isolation_left(struct bench_isolation *iso, enum bench_isolation_tag tag)
{
	uint64_t	pings, pongs, reports, done;

	pings = atomic_load_explicit(&iso->pings[tag], memory_order_relaxed);
	pongs = atomic_load_explicit(&iso->pongs[tag], memory_order_relaxed);
	reports = atomic_load_explicit(&iso->reports[tag],
	    memory_order_relaxed);
	done = atomic_load_explicit(&iso->alerts[tag], memory_order_relaxed) +
	    atomic_load_explicit(&iso->refused[tag], memory_order_relaxed);
	return ((pings > pongs ? pings - pongs : 0) +
	    (reports > done ? reports - done : 0));
}

/*
 * Wait up to timeout seconds until everything sent under tag is answered;
 * the seconds it took, or -1 if it was not.
 */
static double
bench_isolation_settle(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_isolation_result *res,
    enum bench_isolation_tag tag, double timeout, size_t *left)
{
	uint64_t	start = bench_stats_now();

	for (;;) {
		*left = (size_t)bench_isolation_left(iso, tag);
		if (*left == 0)
			return (bench_isolation_since(start));
		if (bench_isolation_since(start) > timeout ||
		    bench_isolation_check(iso, hub, b, res) == -1)
			return (-1);
		bench_isolation_nap(5);
	}
}

/* Wait until count connections counted in ready are up. */
static int
bench_isolation_connected(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_isolation_result *res,
    _Atomic uint64_t *ready, uint64_t count)
{
	uint64_t	start = bench_stats_now();

	while (atomic_load_explicit(ready, memory_order_relaxed) < count) {
		if (bench_isolation_since(start) >
		    BENCH_ISOLATION_CONNECT_TIMEOUT)
			return (-1);
		if (bench_isolation_check(iso, hub, b, res) == -1)
			return (-1);
		bench_isolation_nap(5);
	}
	return (0);
}

/* The phases, from the bystanders' connections to the attack's end. */
static void
bench_isolation_phases(struct bench_isolation *iso, struct bench_proc *hub,
    struct bench_bystander *b, struct bench_hostile *h,
    struct bench_isolation_result *res)
{
	const struct bench_workload	*wl = iso->o->wl;
	char				*cause = NULL;
	size_t				 left;
	double				 took;

	if (bench_bystander_start(b, &cause) == -1 ||
	    bench_hostile_start(h, &cause) == -1) {
		bench_isolation_problem(res, "%s", cause != NULL ? cause :
		    "cannot start a thread");
		free(cause);
		return;
	}
	if (bench_isolation_connected(iso, hub, b, res, &iso->bystanders_ready,
	    3) == -1) {
		bench_isolation_problem(res, "the bystanders could not "
		    "connect");
		return;
	}
	bench_isolation_enter(iso, BENCH_ISOLATION_WARMUP);
	if (bench_isolation_hold(iso, hub, b, res, wl->warmup) == -1)
		return;
	printf("phase A: %.1f s without an attack\n", wl->duration);
	bench_isolation_enter(iso, BENCH_ISOLATION_BASELINE);
	res->measured = 1;
	if (bench_isolation_measure(iso, hub, b, res, &res->phase[0]) == -1)
		return;
	bench_isolation_enter(iso, BENCH_ISOLATION_GAP);
	if (bench_isolation_settle(iso, hub, b, res, BENCH_ISOLATION_A,
	    BENCH_ISOLATION_GRACE, &left) < 0 && res->problem == NULL)
		printf("note: %zu answers of phase A still outstanding %.0f s "
		    "after it\n", left, BENCH_ISOLATION_GRACE);
	if (bench_isolation_connected(iso, hub, b, res, &iso->hostile_ready,
	    bench_hostile_standing(h)) == -1) {
		bench_isolation_problem(res, "the hostile parties could not "
		    "connect: %s", bench_hostile_error(h) != NULL ?
		    bench_hostile_error(h) : "no reason given");
		return;
	}
	printf("phase B: %.1f s under attack\n", wl->duration);
	bench_isolation_enter(iso, BENCH_ISOLATION_ATTACK);
	if (bench_isolation_measure(iso, hub, b, res, &res->phase[1]) == -1)
		return;
	bench_isolation_enter(iso, BENCH_ISOLATION_DRAIN);
	res->drain_limit = BENCH_ISOLATION_GRACE;
	took = bench_isolation_settle(iso, hub, b, res, BENCH_ISOLATION_B,
	    BENCH_ISOLATION_GRACE, &left);
	res->drain_seconds = took;
	res->drain_left = took < 0 ? left : 0;
}

/* Make the client contexts and the shared state of the run. */
static int
bench_isolation_setup(struct bench_isolation *iso,
    const struct bench_isolation_options *o, const struct bench_pki *pki,
    const struct bench_identity *ids, const char *port,
    const char *operator_port, int64_t last_seq, char **cause)
{
	size_t	i;

	memset(iso, 0, sizeof *iso);
	iso->o = o;
	iso->host = "127.0.0.1";
	iso->member_port = port;
	iso->operator_port = operator_port;
	iso->last_seq = last_seq;
	atomic_init(&iso->phase, BENCH_ISOLATION_CONNECT);
	bench_isolation_address(port, &iso->member_addr, &iso->member_addrlen);
	bench_isolation_address(operator_port, &iso->operator_addr,
	    &iso->operator_addrlen);
	for (i = 0; i < BENCH_ISOLATION_PARTIES; i++) {
		iso->names[i] = ids[i].name;
		if ((iso->ctx[i] = bench_conn_context(bench_pki_ca(pki),
		    ids[i].cert, ids[i].key, cause)) == NULL)
			return (-1);
	}
	return (0);
}

/* Free the contexts. */
static void
bench_isolation_teardown(struct bench_isolation *iso)
{
	size_t	i;

	for (i = 0; i < BENCH_ISOLATION_PARTIES; i++)
		SSL_CTX_free(iso->ctx[i]);
}

/* Run the phases against a started hub, then gather the figures. */
static void
bench_isolation_drive(const struct bench_isolation_options *o,
    const struct bench_pki *pki, const struct bench_identity *ids,
    const char *port, const char *operator_port, struct bench_proc *hub,
    struct bench_isolation_result *res)
{
	struct bench_isolation	 iso;
	struct bench_bystander	*b = NULL;
	struct bench_hostile	*h = NULL;
	char			*cause = NULL;
	const char		*why;

	if (bench_isolation_setup(&iso, o, pki, ids, port, operator_port,
	    res->last_seq, &cause) == -1 ||
	    (b = bench_bystander_new(&iso, &cause)) == NULL ||
	    (h = bench_hostile_new(&iso, &cause)) == NULL) {
		bench_isolation_problem(res, "%s", cause != NULL ? cause :
		    "cannot set the run up");
		free(cause);
		goto out;
	}
	bench_isolation_phases(&iso, hub, b, h, res);
	bench_isolation_enter(&iso, BENCH_ISOLATION_STOP);
	bench_bystander_join(b);
	bench_hostile_join(h);
	bench_bystander_figures(b, BENCH_ISOLATION_A, &res->phase[0]);
	bench_bystander_figures(b, BENCH_ISOLATION_B, &res->phase[1]);
	bench_hostile_figures(h, res->phase[1].elapsed, &res->phase[1]);
	if ((why = bench_bystander_error(b)) != NULL)
		bench_isolation_problem(res, "bystander: %s", why);
	if ((why = bench_hostile_error(h)) != NULL)
		printf("note: the hostile side's first trouble: %s\n", why);
out:
	bench_bystander_free(b);
	bench_hostile_free(h);
	bench_isolation_teardown(&iso);
}

/* Write the two configurations: the fill's, then the hub's. */
static int
bench_isolation_confs(const char *dir, const char *taxonomy,
    const struct bench_pki *pki, const struct bench_identity *ids,
    const char *port, const char *operator_port, char **fill_conf,
    char **conf, char **cause)
{
	struct bench_identity	 reg[BENCH_ISOLATION_REGION +
				    BENCH_ISOLATION_PARTIES];
	size_t			 n;

	*conf = NULL;
	if (asprintf(fill_conf, "%s/fill.conf", dir) == -1) {
		*fill_conf = NULL;
		bench_isolation_cause(cause, "out of memory");
		return (-1);
	}
	if (asprintf(conf, "%s/kentongand.conf", dir) == -1) {
		*conf = NULL;
		bench_isolation_cause(cause, "out of memory");
		return (-1);
	}
	n = bench_isolation_registry(ids, 1, reg);
	if (bench_hub_write_conf(*fill_conf, port, NULL, dir, taxonomy, pki,
	    reg, n, BENCH_ISOLATION_CONNECTIONS, cause) == -1)
		return (-1);
	n = bench_isolation_registry(ids, 0, reg);
	return (bench_hub_write_conf(*conf, port, operator_port, dir, taxonomy,
	    pki, reg, n, BENCH_ISOLATION_CONNECTIONS, cause));
}

/* Print what the run is. */
static void
bench_isolation_banner(const struct bench_isolation_options *o)
{
	char	attack[64];

	printf("kentongan-bench: mode isolation, attack %s, history of %lu "
	    "reports; bystanders: a member pinging %.0f/s, a publisher at "
	    "%.0f reports/s (%zu bytes) to a subscriber; %.1f s a phase after "
	    "%.1f s\n", bench_isolation_attack_name(o->attacks, attack,
	    sizeof attack), o->history, o->ping_rate, o->wl->rate, o->wl->size,
	    o->wl->duration, o->wl->warmup);
}

int
bench_isolation_run(const struct bench_isolation_options *o, const char *dir,
    char **json)
{
	struct bench_isolation_result	 res;
	struct bench_identity		 ids[BENCH_ISOLATION_PARTIES];
	struct bench_pki		*pki = NULL;
	struct bench_proc		 hub;
	char				 port[16], oport[16];
	char				*daemon = NULL, *taxonomy = NULL;
	char				*fill = NULL, *fill_conf = NULL;
	char				*conf = NULL, *log = NULL;
	char				*cause = NULL;
	char				*argv[4];
	size_t				 i;
	int				 started = 0, rc = -1;

	*json = NULL;
	memset(&res, 0, sizeof res);
	memset(ids, 0, sizeof ids);
	memset(&hub, 0, sizeof hub);
	res.attacks = o->attacks;
	res.drain_seconds = -1;
	res.stop_seconds = -1;
	res.peak_rss_kb = -1;
	for (i = 0; i < 2; i++)
		res.phase[i].rss_start_kb = res.phase[i].rss_peak_kb =
		    res.phase[i].rss_end_kb = -1;
	bench_isolation_banner(o);
	if ((daemon = bench_hub_find_daemon(o->hubd, &cause)) == NULL ||
	    (taxonomy = bench_hub_find_taxonomy(o->taxonomy, &cause)) == NULL ||
	    (o->history > 0 && (fill = bench_hub_find_fill(o->fill,
	    &cause)) == NULL))
		goto fail;
	if ((pki = bench_pki_new(dir, &cause)) == NULL ||
	    bench_isolation_issue(pki, ids, &cause) == -1 ||
	    bench_hub_free_port(port, sizeof port, &cause) == -1 ||
	    bench_hub_free_port(oport, sizeof oport, &cause) == -1)
		goto fail;
	if (strcmp(port, oport) == 0) {
		bench_isolation_cause(&cause, "no two free ports on 127.0.0.1");
		goto fail;
	}
	if (bench_isolation_confs(dir, taxonomy, pki, ids, port, oport,
	    &fill_conf, &conf, &cause) == -1)
		goto fail;
	if (o->history > 0 && bench_isolation_fill(fill, fill_conf, dir,
	    o->history, &res, &cause) == -1)
		goto fail;
	if (asprintf(&log, "%s/kentongand.log", dir) == -1) {
		log = NULL;
		bench_isolation_cause(&cause, "out of memory");
		goto fail;
	}
	argv[0] = daemon;
	argv[1] = (char *)"-c";
	argv[2] = conf;
	argv[3] = NULL;
	if (bench_hub_spawn(&hub, "kentongand", argv, log, &cause) == -1)
		goto fail;
	started = 1;
	if (bench_hub_wait_port(&hub, port, BENCH_ISOLATION_START_TIMEOUT,
	    &cause) == -1 || bench_hub_wait_port(&hub, oport,
	    BENCH_ISOLATION_START_TIMEOUT, &cause) == -1)
		goto fail;
	printf("hub: %s, pid %ld, members on 127.0.0.1:%s, operators on "
	    "127.0.0.1:%s, in %s\n", daemon, (long)hub.pid, port, oport, dir);
	bench_isolation_drive(o, pki, ids, port, oport, &hub, &res);
	if (hub.pid > 0)
		res.peak_rss_kb = bench_hub_status_kb(hub.pid, "VmHWM");
	started = 0;
	if (bench_hub_stop(&hub, 60.0, &cause) == -1) {
		bench_isolation_problem(&res, "%s", cause != NULL ? cause :
		    "the hub did not stop cleanly");
		free(cause);
		cause = NULL;
	} else
		res.stop_seconds = hub.stop_seconds;
	if (res.peak_rss_kb <= 0 && hub.maxrss_kb > 0)
		res.peak_rss_kb = hub.maxrss_kb;
	rc = res.problem == NULL ? 0 : -1;
	goto out;
fail:
	bench_isolation_problem(&res, "%s", cause != NULL ? cause : "failed");
	fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ? cause :
	    "failed");
	free(cause);
	cause = NULL;
out:
	if (started && bench_hub_stop(&hub, 60.0, &cause) == -1) {
		fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ? cause :
		    "the hub did not stop cleanly");
		free(cause);
	}
	bench_isolation_summary_print(o, &res);
	if (log != NULL)
		bench_summary_log(log);
	*json = bench_isolation_summary_json(o, &res);
	bench_hub_proc_clear(&hub);
	for (i = 0; i < BENCH_ISOLATION_PARTIES; i++)
		bench_pki_identity_clear(&ids[i]);
	bench_pki_free(pki);
	free(res.problem);
	free(daemon);
	free(taxonomy);
	free(fill);
	free(fill_conf);
	free(conf);
	free(log);
	return (rc);
}
