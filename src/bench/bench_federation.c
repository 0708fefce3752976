/*
 * kentongan-bench --mode federation (SPEC section 12): two hubs of the
 * run's own, A and B, each with a PKI of its own (a CA, a hub certificate
 * for serving and dialing both, member certificates), each trusting the
 * other's CA and pinning the other hub by fingerprint. A dials B and
 * forwards its green reports (max_tlp green); A has the publishers, B the
 * subscribers.
 *
 * Two figures, each on a pair spawned for it alone: the link's throughput
 * (A's publishers as fast as A takes them; reports B's subscribers
 * receive each second, beside what A accepts each second) and its latency
 * (A's publishers at --rate; report sent on A to alert received on B, and
 * to alert received by a subscriber of A itself, for the hop's cost).
 * Every wait has a deadline, so a link that carries nothing or stops is
 * reported as such, with what did arrive.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_federation_impl.h"
#include "bench_hub.h"
#include "bench_pki.h"
#include "bench_stats.h"

/* How long a hub may take to listen. */
#define BENCH_FED_START_TIMEOUT		20.0
/* How long the members may take to connect and subscribe. */
#define BENCH_FED_CONNECT_TIMEOUT	30.0
/* How long the first report may take from A to B: A's first dial and
   one redial after its backoff of a second, with room to spare. */
#define BENCH_FED_LINK_TIMEOUT		20.0
/* How long A may take to answer the last reports after the run. */
#define BENCH_FED_ANSWER_TIMEOUT	10.0
/* The drain gives up after this long, however slowly reports still come
   (and sooner when none come for BENCH_FED_STALL_TIMEOUT). */
#define BENCH_FED_DRAIN_MAX		120.0
/* How often the counters are read in the window. */
#define BENCH_FED_SAMPLE_MS		50

static const char *const bench_fed_hub_ids[BENCH_FED_SIDES] = { "A", "B" };
static const char *const bench_fed_figure_names[BENCH_FED_FIGURES] = {
	"throughput", "latency"
};
/* Member names: publishers on A, a subscriber on A, subscribers on B. */
#define BENCH_FED_PUBLISHER	"P"
static const char *const bench_fed_subscriber_names[BENCH_FED_SIDES] = {
	"SA", "SB"
};

/* A pair of hubs and everything of theirs. */
struct bench_fed_pair {
	char			*dir[BENCH_FED_SIDES];
	char			*conf[BENCH_FED_SIDES];
	char			*log[BENCH_FED_SIDES];
	struct bench_pki	*pki[BENCH_FED_SIDES];
	struct bench_identity	*pubs;
	unsigned		 npubs;
	struct bench_identity	*subs[BENCH_FED_SIDES];
	unsigned		 nsubs[BENCH_FED_SIDES];
	char			 port[BENCH_FED_SIDES][16];
	struct bench_proc	 proc[BENCH_FED_SIDES];
	int			 started[BENCH_FED_SIDES];
	uint64_t		 a_started;
};

void
bench_fed_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

void
bench_fed_problem(struct bench_fed_result *res, const char *fmt, ...)
{
	va_list	ap;

	if (res->problem != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&res->problem, fmt, ap) == -1)
		res->problem = NULL;
	va_end(ap);
}

/* Sleep for ms milliseconds. */
static void
bench_fed_nap(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
	    !bench_interrupted)
		continue;
}

/* Seconds since start (CLOCK_MONOTONIC, ns). */
static double
bench_fed_since(uint64_t start)
{
	return ((double)(bench_stats_now() - start) / 1e9);
}

/* Make a directory; -1 with *cause. */
static int
bench_fed_mkdir(const char *path, char **cause)
{
	if (mkdir(path, 0700) == -1) {
		bench_fed_cause(cause, "cannot create %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Write the configuration of one hub of the pair. */
static int
bench_fed_pair_conf(struct bench_fed_pair *pair, enum bench_fed_side side,
    const char *taxonomy, char **cause)
{
	enum bench_fed_side	 peer = side == BENCH_FED_A ? BENCH_FED_B :
				    BENCH_FED_A;
	struct bench_identity	*members;
	unsigned		 n = 0, i;
	char			*text;
	int			 rc;

	if ((members = calloc(pair->npubs + pair->nsubs[side] + 1,
	    sizeof *members)) == NULL) {
		bench_fed_cause(cause, "out of memory");
		return (-1);
	}
	for (i = 0; side == BENCH_FED_A && i < pair->npubs; i++)
		members[n++] = pair->pubs[i];
	for (i = 0; i < pair->nsubs[side]; i++)
		members[n++] = pair->subs[side][i];
	rc = bench_hub_write_conf(pair->conf[side], pair->port[side], NULL,
	    pair->dir[side], taxonomy, pair->pki[side], members, n, n + 1,
	    cause);
	free(members);
	if (rc == -1)
		return (-1);
	/* A dials B; B only accepts A's link. Both carry green at most. */
	if (asprintf(&text, "\n# the federation: this hub and its peer\n"
	    "hub_id %s\n"
	    "peer %s name=\"Bench hub %s\" cert_sha256=%s%s%s max_tlp=green\n",
	    bench_fed_hub_ids[side], bench_fed_hub_ids[peer],
	    bench_fed_hub_ids[peer], bench_pki_server_sha256(pair->pki[peer]),
	    side == BENCH_FED_A ? " connect=127.0.0.1:" : "",
	    side == BENCH_FED_A ? pair->port[peer] : "") == -1) {
		bench_fed_cause(cause, "out of memory");
		return (-1);
	}
	rc = bench_hub_append_conf(pair->conf[side], text, cause);
	free(text);
	return (rc);
}

/* Make the pair's directories, PKIs, identities and configurations. */
static int
bench_fed_pair_setup(struct bench_fed_pair *pair, const char *base,
    const char *taxonomy, unsigned npubs, const unsigned nsubs[],
    char **cause)
{
	int	side;

	if (bench_fed_mkdir(base, cause) == -1)
		return (-1);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (asprintf(&pair->dir[side], "%s/%s", base,
		    bench_fed_hub_ids[side]) == -1 ||
		    asprintf(&pair->conf[side], "%s/kentongand.conf",
		    pair->dir[side]) == -1 ||
		    asprintf(&pair->log[side], "%s/kentongand.log",
		    pair->dir[side]) == -1) {
			bench_fed_cause(cause, "out of memory");
			return (-1);
		}
		if (bench_fed_mkdir(pair->dir[side], cause) == -1 ||
		    (pair->pki[side] = bench_pki_new_hub(pair->dir[side],
		    bench_fed_hub_ids[side], cause)) == NULL)
			return (-1);
	}
	if (bench_pki_trust(pair->pki[BENCH_FED_A], pair->pki[BENCH_FED_B],
	    cause) == -1 || bench_pki_trust(pair->pki[BENCH_FED_B],
	    pair->pki[BENCH_FED_A], cause) == -1)
		return (-1);
	pair->npubs = npubs;
	if (bench_pki_issue_all(pair->pki[BENCH_FED_A], BENCH_FED_PUBLISHER,
	    npubs, &pair->pubs, cause) == -1)
		return (-1);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		pair->nsubs[side] = nsubs[side];
		if (bench_pki_issue_all(pair->pki[side],
		    bench_fed_subscriber_names[side], nsubs[side],
		    &pair->subs[side], cause) == -1)
			return (-1);
	}
	if (bench_hub_free_port(pair->port[BENCH_FED_A],
	    sizeof pair->port[BENCH_FED_A], cause) == -1 ||
	    bench_hub_free_port(pair->port[BENCH_FED_B],
	    sizeof pair->port[BENCH_FED_B], cause) == -1)
		return (-1);
	if (strcmp(pair->port[BENCH_FED_A], pair->port[BENCH_FED_B]) == 0) {
		bench_fed_cause(cause, "no two free ports on 127.0.0.1");
		return (-1);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (bench_fed_pair_conf(pair, (enum bench_fed_side)side,
		    taxonomy, cause) == -1)
			return (-1);
	}
	return (0);
}

/* Start B, then A, which dials B as soon as it runs. */
static int
bench_fed_pair_start(struct bench_fed_pair *pair, const char *daemon,
    char **cause)
{
	static const int	 order[] = { BENCH_FED_B, BENCH_FED_A };
	char			 name[32], *argv[4];
	size_t			 i;
	int			 side;

	for (i = 0; i < 2; i++) {
		side = order[i];
		snprintf(name, sizeof name, "kentongand %s",
		    bench_fed_hub_ids[side]);
		argv[0] = (char *)daemon;
		argv[1] = (char *)"-c";
		argv[2] = pair->conf[side];
		argv[3] = NULL;
		if (side == BENCH_FED_A)
			pair->a_started = bench_stats_now();
		if (bench_hub_spawn(&pair->proc[side], name, argv,
		    pair->log[side], cause) == -1)
			return (-1);
		pair->started[side] = 1;
		if (bench_hub_wait_port(&pair->proc[side], pair->port[side],
		    BENCH_FED_START_TIMEOUT, cause) == -1)
			return (-1);
	}
	return (0);
}

/* A hub ended by itself: say how, with the last of its output. */
static void
bench_fed_ended(struct bench_fed_pair *pair, int side,
    struct bench_fed_result *res)
{
	const struct bench_proc	*p = &pair->proc[side];
	char			 how[96], *tail;

	if (WIFEXITED(p->status))
		snprintf(how, sizeof how, "exited with status %d",
		    WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(how, sizeof how, "was killed by signal %d (%s)",
		    WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		snprintf(how, sizeof how, "ended");
	tail = bench_hub_log_tail(p, 10);
	bench_fed_problem(res, "hub %s %s during the run; its output ends:\n%s",
	    bench_fed_hub_ids[side], how, tail != NULL ? tail : "");
	free(tail);
	if (p->maxrss_kb > 0)
		res->peak_rss_kb[side] = p->maxrss_kb;
}

/* Both hubs still run, and nobody asked to stop; else the problem. */
static int
bench_fed_pair_check(struct bench_fed_pair *pair, struct bench_fed_load *load,
    struct bench_fed_result *res)
{
	struct bench_fed_counts	 c;
	const char		*why;
	int			 side;

	if (bench_interrupted) {
		bench_fed_problem(res, "interrupted");
		return (-1);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (!pair->started[side] || bench_hub_alive(&pair->proc[side]))
			continue;
		pair->started[side] = 0;
		bench_fed_ended(pair, side, res);
		return (-1);
	}
	if (load != NULL) {
		bench_fed_load_counts(load, &c);
		if (c.failed > 0) {
			why = bench_fed_load_error(load);
			bench_fed_problem(res, "a member's connection "
			    "failed: %s", why != NULL ? why : "no reason given");
			return (-1);
		}
	}
	return (0);
}

/* Stop A, then B; keep how each stopped and its peak memory. */
static void
bench_fed_pair_stop(struct bench_fed_pair *pair, struct bench_fed_result *res)
{
	static const int	 order[] = { BENCH_FED_A, BENCH_FED_B };
	char			*cause = NULL;
	size_t			 i;
	long			 kb;
	int			 side;

	for (i = 0; i < 2; i++) {
		side = order[i];
		if (!pair->started[side])
			continue;
		pair->started[side] = 0;
		if (pair->proc[side].pid > 0 && (kb = bench_hub_status_kb(
		    pair->proc[side].pid, "VmHWM")) > 0)
			res->peak_rss_kb[side] = kb;
		if (bench_hub_stop(&pair->proc[side], 60.0, &cause) == -1) {
			bench_fed_problem(res, "hub %s: %s",
			    bench_fed_hub_ids[side], cause != NULL ? cause :
			    "it did not stop cleanly");
			free(cause);
			cause = NULL;
		} else
			res->stop_seconds[side] = pair->proc[side].stop_seconds;
		if (res->peak_rss_kb[side] <= 0 &&
		    pair->proc[side].maxrss_kb > 0)
			res->peak_rss_kb[side] = pair->proc[side].maxrss_kb;
	}
}

/* Free the pair (its hubs have stopped). */
static void
bench_fed_pair_free(struct bench_fed_pair *pair)
{
	int	side;

	bench_pki_identities_free(pair->pubs, pair->npubs);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		bench_pki_identities_free(pair->subs[side], pair->nsubs[side]);
		bench_pki_free(pair->pki[side]);
		bench_hub_proc_clear(&pair->proc[side]);
		free(pair->dir[side]);
		free(pair->conf[side]);
		free(pair->log[side]);
	}
}

/* Wait until every member is connected (and subscribed). */
static int
bench_fed_connected(struct bench_fed_pair *pair, struct bench_fed_load *load,
    struct bench_fed_result *res, uint64_t members)
{
	struct bench_fed_counts	c;
	uint64_t		start = bench_stats_now();

	for (;;) {
		if (bench_fed_pair_check(pair, load, res) == -1)
			return (-1);
		bench_fed_load_counts(load, &c);
		if (c.ready >= members)
			return (0);
		if (bench_fed_since(start) > BENCH_FED_CONNECT_TIMEOUT) {
			bench_fed_problem(res, "%" PRIu64 " of %" PRIu64
			    " members connected within %.0f s", c.ready,
			    members, BENCH_FED_CONNECT_TIMEOUT);
			return (-1);
		}
		bench_fed_nap(5);
	}
}

/*
 * One report from A's first publisher, awaited at every subscriber: the
 * link is up and carries it.
 */
static int
bench_fed_probe(struct bench_fed_pair *pair, struct bench_fed_load *load,
    struct bench_fed_result *res)
{
	struct bench_fed_counts	c;
	uint64_t		start = bench_stats_now();

	bench_fed_load_enter(load, BENCH_FED_PROBE);
	for (;;) {
		if (bench_fed_pair_check(pair, load, res) == -1)
			return (-1);
		bench_fed_load_counts(load, &c);
		if (c.rejected > 0) {
			bench_fed_problem(res, "A refused the first report: %s",
			    bench_fed_load_error(load) != NULL ?
			    bench_fed_load_error(load) : "no reason given");
			return (-1);
		}
		if (c.got[BENCH_FED_B] >= 1 && (pair->nsubs[BENCH_FED_A] == 0 ||
		    c.got[BENCH_FED_A] >= 1)) {
			res->link_seconds = bench_fed_since(pair->a_started);
			return (0);
		}
		if (bench_fed_since(start) > BENCH_FED_LINK_TIMEOUT) {
			bench_fed_problem(res, "the link from A to B carried "
			    "nothing: forwarded 0 of %" PRIu64 " within %.0f s "
			    "(see the hubs' logs)", c.accepted,
			    BENCH_FED_LINK_TIMEOUT);
			return (-1);
		}
		bench_fed_nap(5);
	}
}

/* Append one second's counts to the series. */
static int
bench_fed_series_add(struct bench_fed_result *res, uint64_t accepted,
    uint64_t forwarded)
{
	uint64_t	*v;
	int		 i;

	for (i = 0; i < 2; i++) {
		if ((v = reallocarray(res->series[i], res->nseries + 1,
		    sizeof *v)) == NULL)
			return (-1);
		res->series[i] = v;
	}
	res->series[0][res->nseries] = accepted;
	res->series[1][res->nseries] = forwarded;
	res->nseries++;
	return (0);
}

/* The publishers run: warm-up, then the measured window. */
static int
bench_fed_window(const struct bench_federation_options *o,
    struct bench_fed_pair *pair, struct bench_fed_load *load,
    struct bench_fed_result *res)
{
	struct bench_cpu_sample	 cpu0[BENCH_FED_SIDES], cpu1[BENCH_FED_SIDES];
	struct bench_fed_counts	 c, mark;
	uint64_t		 start, t0, next_mark;
	double			 seconds;
	int			 side;

	bench_fed_load_enter(load, BENCH_FED_RUN);
	start = bench_stats_now();
	while (bench_fed_since(start) < o->wl->warmup) {
		if (bench_fed_pair_check(pair, load, res) == -1)
			return (-1);
		bench_fed_nap(10);
	}
	for (side = 0; side < BENCH_FED_SIDES; side++)
		bench_hub_cpu_sample(pair->proc[side].pid, &cpu0[side]);
	bench_fed_load_measure(load, 1);
	t0 = bench_stats_now();
	bench_fed_load_counts(load, &res->start);
	mark = res->start;
	next_mark = t0 + 1000000000ULL;
	for (;;) {
		bench_fed_nap(BENCH_FED_SAMPLE_MS);
		if (bench_fed_pair_check(pair, load, res) == -1) {
			bench_fed_load_measure(load, 0);
			return (-1);
		}
		if (bench_stats_now() >= next_mark) {
			bench_fed_load_counts(load, &c);
			if (bench_fed_series_add(res, c.accepted -
			    mark.accepted, c.got[BENCH_FED_B] -
			    mark.got[BENCH_FED_B]) == -1) {
				bench_fed_problem(res, "out of memory");
				return (-1);
			}
			mark = c;
			next_mark += 1000000000ULL;
		}
		if (bench_fed_since(t0) >= o->wl->duration)
			break;
	}
	bench_fed_load_measure(load, 0);
	bench_fed_load_counts(load, &res->end);
	res->elapsed = bench_fed_since(t0);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		bench_hub_cpu_sample(pair->proc[side].pid, &cpu1[side]);
		bench_hub_cpu_diff(&cpu0[side], &cpu1[side], &res->cpu[side]);
	}
	seconds = res->elapsed > 0 ? res->elapsed : 1;
	res->bench_cpu = res->cpu[BENCH_FED_A].bench / seconds;
	/* Hub A's "others" include hub B. */
	res->other_cpu = (res->cpu[BENCH_FED_A].others -
	    res->cpu[BENCH_FED_B].server) / seconds;
	if (res->other_cpu < 0)
		res->other_cpu = 0;
	res->measured = 1;
	return (0);
}

/* 1 when every subscriber on both hubs has every report accepted. */
static int
bench_fed_all_in(const struct bench_fed_pair *pair,
    const struct bench_fed_counts *c)
{
	int	side;

	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (pair->nsubs[side] > 0 && c->got[side] < c->accepted)
			return (0);
	}
	return (1);
}

/*
 * The publishers stop; A answers the rest, and the subscribers get what
 * is owed them, for as long as it keeps coming.
 */
static void
bench_fed_drain(struct bench_fed_pair *pair, struct bench_fed_load *load,
    struct bench_fed_result *res)
{
	struct bench_fed_counts	c;
	uint64_t		start, progress_at, seen = 0;

	bench_fed_load_enter(load, BENCH_FED_DRAIN);
	start = bench_stats_now();
	for (;;) {
		if (bench_fed_pair_check(pair, load, res) == -1)
			goto out;
		bench_fed_load_counts(load, &c);
		if (c.answered >= c.sent)
			break;
		if (bench_fed_since(start) > BENCH_FED_ANSWER_TIMEOUT) {
			bench_fed_problem(res, "A answered %" PRIu64 " of %"
			    PRIu64 " reports within %.0f s of the run's end",
			    c.answered, c.sent, BENCH_FED_ANSWER_TIMEOUT);
			goto out;
		}
		bench_fed_nap(5);
	}
	progress_at = bench_stats_now();
	for (;;) {
		bench_fed_load_counts(load, &c);
		if (bench_fed_all_in(pair, &c)) {
			res->drain_seconds = bench_fed_since(start);
			break;
		}
		if (c.got[BENCH_FED_A] + c.got[BENCH_FED_B] != seen) {
			seen = c.got[BENCH_FED_A] + c.got[BENCH_FED_B];
			progress_at = bench_stats_now();
		}
		if (bench_fed_since(progress_at) > BENCH_FED_STALL_TIMEOUT) {
			res->drain_stalled = 1;
			break;
		}
		if (bench_fed_since(start) > BENCH_FED_DRAIN_MAX ||
		    bench_fed_pair_check(pair, load, res) == -1)
			break;
		bench_fed_nap(5);
	}
out:
	res->drain_waited = bench_fed_since(start);
	bench_fed_load_counts(load, &res->last);
}

/* Drive one figure's load against a started pair. */
static void
bench_fed_drive(const struct bench_federation_options *o,
    struct bench_fed_pair *pair, struct bench_fed_result *res)
{
	struct bench_fed_plan	 plan;
	struct bench_fed_load	*load = NULL;
	char			*cause = NULL;
	const char		*why;
	int			 side;

	memset(&plan, 0, sizeof plan);
	plan.wl = o->wl;
	plan.rate = res->rate;
	plan.origin_hub = bench_fed_hub_ids[BENCH_FED_A];
	plan.publishers = pair->pubs;
	plan.npublishers = pair->npubs;
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		plan.port[side] = pair->port[side];
		plan.ca[side] = bench_pki_ca(pair->pki[side]);
		plan.subscribers[side] = pair->subs[side];
		plan.nsubscribers[side] = pair->nsubs[side];
	}
	if ((load = bench_fed_load_new(&plan, &cause)) == NULL ||
	    bench_fed_load_start(load, &cause) == -1) {
		bench_fed_problem(res, "%s", cause != NULL ? cause :
		    "cannot set the load up");
		free(cause);
		goto out;
	}
	if (bench_fed_connected(pair, load, res, pair->npubs +
	    pair->nsubs[BENCH_FED_A] + pair->nsubs[BENCH_FED_B]) == -1 ||
	    bench_fed_probe(pair, load, res) == -1)
		goto out;
	if (bench_fed_window(o, pair, load, res) == -1)
		goto out;
	bench_fed_drain(pair, load, res);
out:
	if (load != NULL) {
		bench_fed_load_enter(load, BENCH_FED_STOP);
		bench_fed_load_join(load);
		if (!res->measured)
			bench_fed_load_counts(load, &res->last);
		bench_fed_load_waits(load, res);
		if ((why = bench_fed_load_error(load)) != NULL &&
		    (res->trouble = strdup(why)) == NULL)
			bench_fed_problem(res, "out of memory");
	}
	bench_fed_load_free(load);
}

/* Measure one figure on a pair of its own, in dir/FIGURE. */
static void
bench_fed_figure(const struct bench_federation_options *o,
    enum bench_fed_figure figure, const char *dir, const char *daemon,
    const char *taxonomy, struct bench_fed_result *res)
{
	struct bench_fed_pair	 pair;
	unsigned		 nsubs[BENCH_FED_SIDES];
	char			*base = NULL, *cause = NULL;
	int			 side;

	memset(&pair, 0, sizeof pair);
	bench_fed_summary_title(o, res);
	nsubs[BENCH_FED_A] = res->subscribers[BENCH_FED_A];
	nsubs[BENCH_FED_B] = res->subscribers[BENCH_FED_B];
	if (asprintf(&base, "%s/%s", dir, bench_fed_figure_names[figure]) ==
	    -1) {
		base = NULL;
		bench_fed_problem(res, "out of memory");
		goto out;
	}
	if (bench_fed_pair_setup(&pair, base, taxonomy, res->publishers,
	    nsubs, &cause) == -1 ||
	    bench_fed_pair_start(&pair, daemon, &cause) == -1) {
		bench_fed_problem(res, "%s", cause != NULL ? cause : "failed");
		free(cause);
		goto out;
	}
	printf("  hub A pid %ld on 127.0.0.1:%s dials hub B pid %ld on "
	    "127.0.0.1:%s, in %s\n", (long)pair.proc[BENCH_FED_A].pid,
	    pair.port[BENCH_FED_A], (long)pair.proc[BENCH_FED_B].pid,
	    pair.port[BENCH_FED_B], base);
	bench_fed_drive(o, &pair, res);
out:
	bench_fed_pair_stop(&pair, res);
	for (side = 0; side < BENCH_FED_SIDES; side++) {
		if (pair.log[side] != NULL)
			bench_fed_summary_log(pair.log[side], res,
			    (enum bench_fed_side)side);
	}
	bench_fed_pair_free(&pair);
	free(base);
}

/* Print what the run is. */
static void
bench_fed_banner(const struct bench_federation_options *o)
{
	printf("kentongan-bench: mode federation, hub A dials hub B "
	    "(max_tlp green), %zu-byte green reports, %.1f s measured after "
	    "%.1f s, each figure on a pair of hubs of its own\n", o->wl->size,
	    o->wl->duration, o->wl->warmup);
	fflush(stdout);
}

int
bench_federation_run(const struct bench_federation_options *o,
    const char *dir, char **json)
{
	struct bench_fed_result	 res[BENCH_FED_FIGURES];
	char			*daemon = NULL, *taxonomy = NULL, *cause = NULL;
	int			 figure, side, rc = 0;

	*json = NULL;
	memset(res, 0, sizeof res);
	for (figure = 0; figure < BENCH_FED_FIGURES; figure++) {
		res[figure].figure = (enum bench_fed_figure)figure;
		res[figure].link_seconds = -1;
		res[figure].drain_seconds = -1;
		res[figure].subscribers[BENCH_FED_B] = o->subscribers;
		for (side = 0; side < BENCH_FED_SIDES; side++) {
			res[figure].peak_rss_kb[side] = -1;
			res[figure].stop_seconds[side] = -1;
		}
	}
	res[BENCH_FED_THROUGHPUT].publishers = o->publishers > 0 ?
	    o->publishers : BENCH_FEDERATION_THROUGHPUT_PUBLISHERS;
	res[BENCH_FED_LATENCY].publishers = o->publishers > 0 ?
	    o->publishers : BENCH_FEDERATION_LATENCY_PUBLISHERS;
	res[BENCH_FED_LATENCY].rate = o->wl->rate;
	res[BENCH_FED_LATENCY].subscribers[BENCH_FED_A] = 1;
	bench_fed_banner(o);
	if ((daemon = bench_hub_find_daemon(o->hubd, &cause)) == NULL ||
	    (taxonomy = bench_hub_find_taxonomy(o->taxonomy, &cause)) == NULL) {
		for (figure = 0; figure < BENCH_FED_FIGURES; figure++)
			bench_fed_problem(&res[figure], "%s", cause != NULL ?
			    cause : "failed");
		fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ? cause :
		    "failed");
		free(cause);
		rc = -1;
	}
	for (figure = 0; rc == 0 && figure < BENCH_FED_FIGURES &&
	    !bench_interrupted; figure++)
		bench_fed_figure(o, (enum bench_fed_figure)figure, dir, daemon,
		    taxonomy, &res[figure]);
	for (figure = 0; figure < BENCH_FED_FIGURES; figure++) {
		bench_fed_summary_print(o, &res[figure]);
		/* What the hubs got wrong fails the run, as in other modes. */
		if (res[figure].problem != NULL || !res[figure].measured ||
		    res[figure].drain_seconds < 0 ||
		    res[figure].last.duplicates > 0 ||
		    res[figure].last.missing > 0 ||
		    res[figure].last.malformed > 0 ||
		    res[figure].last.out_of_order > 0 ||
		    res[figure].last.rejected > 0 ||
		    res[figure].last.errors > 0)
			rc = -1;
	}
	*json = bench_fed_summary_json(o, res);
	for (figure = 0; figure < BENCH_FED_FIGURES; figure++) {
		free(res[figure].problem);
		free(res[figure].trouble);
		free(res[figure].series[0]);
		free(res[figure].series[1]);
		for (side = 0; side < BENCH_FED_SIDES; side++)
			free(res[figure].log_shown[side]);
	}
	free(daemon);
	free(taxonomy);
	return (rc);
}
