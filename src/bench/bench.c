/*
 * kentongan-bench: drive a hub over real TLS and print what it does.
 *
 *   kentongan-bench --spawn --mode ingest|fanout|latency|connections
 *                   [--publishers N] [--subscribers M] [--rate R/s]
 *                   [--size BYTES] [--connections C] [--duration S]
 *                   [--against mosquitto]
 *   kentongan-bench --spawn --mode isolation [--history N]
 *                   [--attack query|subscribe|stats|console|all] [--duration S]
 *   kentongan-bench --spawn --mode federation [--rate R] [--duration S]
 *                   [--size BYTES] [--publishers N] [--subscribers M]
 *
 * With --spawn it makes a throwaway PKI, configuration and database in a
 * temporary directory, starts its own kentongand there and removes it all
 * afterwards; otherwise it drives the hub given by --hub with one member
 * certificate. It prints a summary and, as its last line, one JSON object.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_client.h"
#include "bench_federation.h"
#include "bench_hub.h"
#include "bench_isolation.h"
#include "bench_pki.h"
#include "bench_report.h"
#include "bench_summary.h"
#ifdef HAVE_MOSQUITTO
#include <mosquitto.h>
#include "bench_mosquitto.h"
#endif

/* Identities that share the idle connections of the connections mode. */
#define BENCH_IDLE_IDENTITIES	8
/* File descriptors kept for everything but the connections. */
#define BENCH_SPARE_FDS		64

volatile sig_atomic_t	bench_interrupted;

/* Everything the command line says. */
struct bench_options {
	struct bench_workload	 wl;
	int			 spawn;
	int			 keep;
	int			 against_mosquitto;
	const char		*hubd;
	const char		*taxonomy;
	const char		*dir;
	const char		*mosquitto;
	const char		*hub;
	const char		*cert;
	const char		*key;
	const char		*ca;
	const char		*fill;
	pid_t			 hub_pid;
	unsigned long		 history;
	unsigned		 attacks;
	double			 ping_rate;
	int			 set_publishers;
	int			 set_subscribers;
	int			 set_rate;
	int			 set_connections;
};

/* Print usage to f. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kentongan-bench --spawn --mode ingest|fanout|latency|"
	    "connections\n"
	    "                       [--publishers N] [--subscribers M] "
	    "[--rate R/s]\n"
	    "                       [--size BYTES] [--connections C] "
	    "[--duration S]\n"
	    "                       [--against mosquitto]\n"
	    "       kentongan-bench --spawn --mode isolation [--history N]\n"
	    "                       [--attack query|subscribe|stats|console|all] "
	    "[--duration S]\n"
	    "       kentongan-bench --spawn --mode federation [--rate R/s] "
	    "[--duration S]\n"
	    "                       [--size BYTES] [--publishers N] "
	    "[--subscribers M]\n"
	    "       kentongan-bench --hub HOST:PORT --cert FILE --key FILE "
	    "--ca FILE\n"
	    "                       --mode ingest|connections [...]\n"
	    "\n"
	    "modes (defaults in brackets):\n"
	    "  ingest       publishers send as fast as the window allows; "
	    "reports accepted/s\n"
	    "               [--publishers 8 --subscribers 0]\n"
	    "  fanout       publishers as fast as the slowest subscriber "
	    "follows; alerts/s\n"
	    "               received by all subscribers [--publishers 1 "
	    "--subscribers 50]\n"
	    "  latency      publishers at --rate reports/s in all; report "
	    "sent -> alert\n"
	    "               received [--publishers 1 --subscribers 50 "
	    "--rate 1000]\n"
	    "  connections  hold idle mutual-TLS connections; how many, and "
	    "the hub's RSS\n"
	    "               [--connections 10000]\n"
	    "  isolation    a member's ping RTT and a publisher's alert "
	    "latency, first\n"
	    "               alone (phase A), then while hostile parties "
	    "attack (phase B),\n"
	    "               on a hub with a history [--history 1000000 "
	    "--attack all\n"
	    "               --rate 200 --ping-rate 100]\n"
	    "  federation   two hubs, A dialing B: reports/s A forwards to B "
	    "with A's\n"
	    "               publishers as fast as A takes them [--publishers "
	    "8], and\n"
	    "               report sent on A -> alert received on B (and on "
	    "A) at --rate\n"
	    "               [--publishers 1 --rate 1000]; B has "
	    "[--subscribers 1]\n"
	    "\n"
	    "options:\n"
	    "  --spawn            run a kentongand of our own (throwaway PKI, "
	    "configuration\n"
	    "                     and database in a temporary directory)\n"
	    "  --hubd PATH        that kentongand [the one beside this "
	    "program]\n"
	    "  --taxonomy FILE    the taxonomy it loads [found beside this "
	    "program, or\n"
	    "                     KENTONGAN_TAXONOMY, or the installed one]\n"
	    "  --dir DIR          where the temporary directory goes "
	    "[$TMPDIR or /tmp]\n"
	    "  --keep             keep the temporary directory\n"
	    "  --hub HOST:PORT --cert FILE --key FILE --ca FILE\n"
	    "                     drive a running hub as one member (ingest "
	    "and\n"
	    "                     connections only; its max_connections_per_"
	    "member\n"
	    "                     must allow --connections)\n"
	    "  --hub-pid PID      that hub's process, for its memory and CPU\n"
	    "  --size BYTES       bytes of one report line [512]\n"
	    "  --duration S       seconds measured [5]; --warmup S before "
	    "that [1]\n"
	    "  --window N         reports a publisher has unanswered [1024]\n"
	    "  --ack-every N      alerts between a subscriber's "
	    "acknowledgements [256]\n"
	    "  --lead N           reports the publishers may be ahead of the "
	    "slowest\n"
	    "                     subscriber when not paced, 0: no limit "
	    "[4096]\n"
	    "  --threads N        load generator threads [the number of "
	    "CPUs]\n"
	    "  --against mosquitto  the same workload against mosquitto "
	    "(MQTT, QoS 1)\n"
	    "  --mosquitto PATH   the broker [/usr/sbin/mosquitto]\n"
	    "  --history N        isolation: reports stored before the hub "
	    "starts\n"
	    "  --attack LIST      isolation: query, subscribe, stats, console, or all; "
	    "several\n"
	    "                     with commas\n"
	    "  --ping-rate R      isolation: the bystander's pings a second\n"
	    "  --fill PATH        isolation: the kentongan-fill that stores "
	    "the history\n"
	    "                     [the one beside this program]\n"
	    "  --ledger on|off    the spawned hub's ledger (hash chain and "
	    "signed receipts)\n"
	    "                     [on]; off measures what it costs\n");
}

void
bench_result_error(struct bench_result *res, const char *fmt, ...)
{
	va_list	ap;

	if (res->first_error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&res->first_error, fmt, ap) == -1)
		res->first_error = NULL;
	va_end(ap);
}

void
bench_result_clear(struct bench_result *res)
{
	free(res->first_error);
	memset(res, 0, sizeof *res);
	res->peak_rss_kb = -1;
	res->rss_kb = -1;
	res->stop_seconds = -1;
}

/* SIGINT, SIGTERM: stop soon, cleaning up. */
static void
bench_signal(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

/* An unsigned number option within [min, max]; exits on a bad one. */
static unsigned
bench_number(const char *name, const char *s, unsigned long min,
    unsigned long max)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max ||
	    s[0] == '-') {
		fprintf(stderr, "kentongan-bench: %s must be a number from %lu "
		    "to %lu, not \"%s\"\n", name, min, max, s);
		exit(2);
	}
	return ((unsigned)v);
}

/* A non-negative real option, unit suffix optional; exits on a bad one. */
static double
bench_real(const char *name, const char *s, const char *suffix, double max)
{
	double	 v;
	char	*end;

	errno = 0;
	v = strtod(s, &end);
	if (suffix != NULL && strcmp(end, suffix) == 0)
		end += strlen(suffix);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > max) {
		fprintf(stderr, "kentongan-bench: %s must be a number from 0 "
		    "to %g%s, not \"%s\"\n", name, max, suffix != NULL ?
		    suffix : "", s);
		exit(2);
	}
	return (v);
}

/* Parse the command line into o; exits on a mistake. */
static void
bench_options(int argc, char **argv, struct bench_options *o)
{
	enum {
		OPT_SPAWN = 256, OPT_MODE, OPT_PUBLISHERS, OPT_SUBSCRIBERS,
		OPT_RATE, OPT_SIZE, OPT_CONNECTIONS, OPT_DURATION, OPT_WARMUP,
		OPT_WINDOW, OPT_ACK_EVERY, OPT_LEAD, OPT_THREADS, OPT_AGAINST,
		OPT_MOSQUITTO, OPT_HUBD, OPT_TAXONOMY, OPT_DIR, OPT_KEEP,
		OPT_HUB, OPT_CERT, OPT_KEY, OPT_CA, OPT_HUB_PID, OPT_HISTORY,
		OPT_ATTACK, OPT_PING_RATE, OPT_FILL, OPT_LEDGER
	};
	static const struct option longopts[] = {
		{ "spawn", no_argument, NULL, OPT_SPAWN },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "publishers", required_argument, NULL, OPT_PUBLISHERS },
		{ "subscribers", required_argument, NULL, OPT_SUBSCRIBERS },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "connections", required_argument, NULL, OPT_CONNECTIONS },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "ack-every", required_argument, NULL, OPT_ACK_EVERY },
		{ "lead", required_argument, NULL, OPT_LEAD },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "mosquitto", required_argument, NULL, OPT_MOSQUITTO },
		{ "hubd", required_argument, NULL, OPT_HUBD },
		{ "taxonomy", required_argument, NULL, OPT_TAXONOMY },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "hub", required_argument, NULL, OPT_HUB },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "hub-pid", required_argument, NULL, OPT_HUB_PID },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "attack", required_argument, NULL, OPT_ATTACK },
		{ "ping-rate", required_argument, NULL, OPT_PING_RATE },
		{ "fill", required_argument, NULL, OPT_FILL },
		{ "ledger", required_argument, NULL, OPT_LEDGER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench_workload	*wl = &o->wl;
	long			 ncpu;
	int			 ch, have_mode = 0;
	unsigned		 i;

	memset(o, 0, sizeof *o);
	wl->size = 512;
	wl->duration = 5;
	wl->warmup = 1;
	wl->window = 1024;
	wl->ack_every = 256;
	wl->lead = 4096;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	wl->threads = ncpu > 0 ? (unsigned)ncpu : 1;
	o->mosquitto = "/usr/sbin/mosquitto";
	o->history = 1000000;
	o->attacks = BENCH_ATTACK_ALL;
	o->ping_rate = 100;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_SPAWN:
			o->spawn = 1;
			break;
		case OPT_MODE:
			for (i = 0; i < BENCH_SUMMARY_MODES; i++) {
				if (strcmp(optarg, bench_summary_modes[i]) == 0)
					break;
			}
			if (i == BENCH_SUMMARY_MODES) {
				fprintf(stderr, "kentongan-bench: unknown mode "
				    "\"%s\": ingest, fanout, latency, "
				    "connections, isolation or federation\n",
				    optarg);
				exit(2);
			}
			wl->mode = (enum bench_mode)i;
			have_mode = 1;
			break;
		case OPT_PUBLISHERS:
			wl->publishers = bench_number("--publishers", optarg,
			    0, 10000);
			o->set_publishers = 1;
			break;
		case OPT_SUBSCRIBERS:
			wl->subscribers = bench_number("--subscribers", optarg,
			    0, 10000);
			o->set_subscribers = 1;
			break;
		case OPT_RATE:
			wl->rate = bench_real("--rate", optarg, "/s", 1e9);
			o->set_rate = 1;
			break;
		case OPT_SIZE:
			wl->size = bench_number("--size", optarg, 1, 1 << 20);
			break;
		case OPT_CONNECTIONS:
			wl->connections = bench_number("--connections", optarg,
			    1, 1000000);
			o->set_connections = 1;
			break;
		case OPT_DURATION:
			wl->duration = bench_real("--duration", optarg, "s",
			    86400);
			break;
		case OPT_WARMUP:
			wl->warmup = bench_real("--warmup", optarg, "s", 3600);
			break;
		case OPT_WINDOW:
			wl->window = bench_number("--window", optarg, 1,
			    1000000);
			break;
		case OPT_ACK_EVERY:
			wl->ack_every = bench_number("--ack-every", optarg, 1,
			    1000000);
			break;
		case OPT_LEAD:
			wl->lead = bench_number("--lead", optarg, 0,
			    100000000);
			break;
		case OPT_THREADS:
			wl->threads = bench_number("--threads", optarg, 1, 256);
			break;
		case OPT_AGAINST:
			if (strcmp(optarg, "mosquitto") != 0) {
				fprintf(stderr, "kentongan-bench: --against "
				    "knows only \"mosquitto\"\n");
				exit(2);
			}
			o->against_mosquitto = 1;
			break;
		case OPT_MOSQUITTO:
			o->mosquitto = optarg;
			break;
		case OPT_HUBD:
			o->hubd = optarg;
			break;
		case OPT_TAXONOMY:
			o->taxonomy = optarg;
			break;
		case OPT_DIR:
			o->dir = optarg;
			break;
		case OPT_KEEP:
			o->keep = 1;
			break;
		case OPT_HUB:
			o->hub = optarg;
			break;
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_CA:
			o->ca = optarg;
			break;
		case OPT_HUB_PID:
			o->hub_pid = (pid_t)bench_number("--hub-pid", optarg, 1,
			    INT_MAX);
			break;
		case OPT_HISTORY:
			o->history = bench_number("--history", optarg, 0,
			    100000000);
			break;
		case OPT_ATTACK:
			if (bench_isolation_attacks(optarg, &o->attacks) == -1) {
				fprintf(stderr, "kentongan-bench: --attack is "
				    "query, subscribe, stats or all, or several "
				    "of them with commas, not \"%s\"\n", optarg);
				exit(2);
			}
			break;
		case OPT_PING_RATE:
			o->ping_rate = bench_real("--ping-rate", optarg, "/s",
			    100000);
			break;
		case OPT_FILL:
			o->fill = optarg;
			break;
		case OPT_LEDGER:
			if (strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0) {
				fprintf(stderr, "kentongan-bench: --ledger takes "
				    "on or off, not \"%s\"\n", optarg);
				exit(2);
			}
			wl->ledger_off = strcmp(optarg, "off") == 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !have_mode) {
		if (!have_mode)
			fprintf(stderr, "kentongan-bench: say which --mode\n");
		usage(stderr);
		exit(2);
	}
}

/* Check that --size fits every publisher's report line. */
static int
bench_size(const struct bench_options *o)
{
	char	longest[32];
	size_t	min;

	if (o->spawn)
		snprintf(longest, sizeof longest, "P%u", o->wl.publishers - 1);
	else
		snprintf(longest, sizeof longest, "member");
	min = bench_report_min_size(longest);
	if (o->wl.size >= min &&
	    o->wl.size - bench_report_min_size("P0") <=
	    BENCH_REPORT_DESCRIPTION_MAX)
		return (0);
	fprintf(stderr, "kentongan-bench: --size %zu is out of range: a "
	    "report line of this run is %zu to %zu bytes\n", o->wl.size, min,
	    bench_report_min_size("P0") + BENCH_REPORT_DESCRIPTION_MAX);
	return (-1);
}

/* Fill in the defaults of the mode and check that the options fit it. */
static void
bench_check(struct bench_options *o)
{
	struct bench_workload	*wl = &o->wl;
	const char		*problem = NULL;

	switch (wl->mode) {
	case BENCH_INGEST:
		if (!o->set_publishers)
			wl->publishers = 8;
		break;
	case BENCH_FANOUT:
		if (!o->set_publishers)
			wl->publishers = 1;
		if (!o->set_subscribers)
			wl->subscribers = 50;
		if (wl->subscribers == 0)
			problem = "fanout needs --subscribers of 1 or more";
		break;
	case BENCH_LATENCY:
		if (!o->set_publishers)
			wl->publishers = 1;
		if (!o->set_subscribers)
			wl->subscribers = 50;
		if (!o->set_rate)
			wl->rate = 1000;
		if (wl->subscribers == 0)
			problem = "latency needs --subscribers of 1 or more";
		else if (wl->rate <= 0)
			problem = "latency needs a --rate above 0: under "
			    "saturation it would time queues, not the hub";
		break;
	case BENCH_CONNECTIONS:
		if (!o->set_connections)
			wl->connections = 10000;
		wl->publishers = wl->subscribers = 0;
		wl->rate = 0;
		break;
	case BENCH_ISOLATION:
		wl->publishers = wl->subscribers = 1;
		wl->connections = 0;
		if (!o->set_rate)
			wl->rate = 200;
		if (!o->spawn)
			problem = "isolation needs --spawn: it sets up a history, "
			    "partners and an operator of its own";
		else if (o->against_mosquitto)
			problem = "isolation has nothing to compare with in "
			    "mosquitto; leave out --against";
		else if (wl->rate <= 0 || o->ping_rate <= 0)
			problem = "isolation needs a --rate and a --ping-rate "
			    "above 0: the bystanders are what it measures";
		break;
	case BENCH_FEDERATION:
		if (!o->set_subscribers)
			wl->subscribers = BENCH_FEDERATION_SUBSCRIBERS;
		if (!o->set_rate)
			wl->rate = 1000;
		/* Each figure has its own; the size must fit the most. */
		if (!o->set_publishers)
			wl->publishers = BENCH_FEDERATION_THROUGHPUT_PUBLISHERS >
			    BENCH_FEDERATION_LATENCY_PUBLISHERS ?
			    BENCH_FEDERATION_THROUGHPUT_PUBLISHERS :
			    BENCH_FEDERATION_LATENCY_PUBLISHERS;
		wl->connections = 0;
		if (!o->spawn)
			problem = "federation needs --spawn: it sets up two hubs "
			    "that peer, each with a PKI of its own";
		else if (o->against_mosquitto)
			problem = "federation has nothing to compare with in "
			    "mosquitto; leave out --against";
		else if (wl->subscribers == 0)
			problem = "federation needs --subscribers of 1 or more: "
			    "they are what receives the forwards on hub B";
		else if (wl->rate <= 0)
			problem = "federation needs a --rate above 0 for its "
			    "latency figure: under saturation it would time "
			    "queues, not the link";
		break;
	}
	if (problem == NULL && wl->mode != BENCH_CONNECTIONS &&
	    wl->publishers == 0)
		problem = "this mode needs --publishers of 1 or more";
	if (problem == NULL && !o->spawn) {
		if (o->hub == NULL || o->cert == NULL || o->key == NULL ||
		    o->ca == NULL)
			problem = "give --spawn, or --hub HOST:PORT --cert FILE "
			    "--key FILE --ca FILE of a running hub";
		else if (wl->mode == BENCH_FANOUT ||
		    wl->mode == BENCH_LATENCY)
			problem = "fanout and latency need publishers and "
			    "subscribers that are different members (a member "
			    "is never sent its own reports), and one "
			    "certificate is only one member: use --spawn, or "
			    "the modes ingest and connections";
		else if (o->against_mosquitto)
			problem = "--against mosquitto needs --spawn: the broker "
			    "is set up with the run's own PKI";
	}
	if (problem == NULL && wl->mode != BENCH_CONNECTIONS &&
	    bench_size(o) == -1)
		exit(2);
#ifndef HAVE_MOSQUITTO
	if (problem == NULL && o->against_mosquitto)
		problem = "this kentongan-bench was built without libmosquitto, "
		    "so it cannot run --against mosquitto. To enable it: "
		    "apt-get install libmosquitto-dev mosquitto, then run "
		    "configure again and make";
#endif
	if (problem != NULL) {
		fprintf(stderr, "kentongan-bench: %s\n", problem);
		exit(2);
	}
}

/* Raise the open files limit to the hard limit; fit the connections to it. */
static void
bench_raise_nofile(struct bench_options *o)
{
	struct rlimit	rl;
	rlim_t		need;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			fprintf(stderr, "kentongan-bench: cannot raise the open "
			    "files limit: %s\n", strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* The spawned hub inherits this limit: each side needs one fd a connection. */
	need = (rlim_t)o->wl.connections + o->wl.publishers +
	    o->wl.subscribers + BENCH_SPARE_FDS;
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
		fprintf(stderr, "kentongan-bench: the open files limit is %llu "
		    "(hard limit); holding %u connections at most (raise it "
		    "with ulimit -Hn or LimitNOFILE to hold more)\n",
		    (unsigned long long)rl.rlim_cur,
		    (unsigned)(rl.rlim_cur - BENCH_SPARE_FDS));
		o->wl.connections = (unsigned)(rl.rlim_cur - BENCH_SPARE_FDS);
	}
}

/* Run against a kentongand started here; fills res. */
static int
bench_spawned(struct bench_options *o, const char *dir,
    struct bench_result *res, struct bench_result *mq, int *have_mq)
{
	struct bench_workload	*wl = &o->wl;
	struct bench_pki	*pki = NULL;
	struct bench_identity	*pubs = NULL, *subs = NULL, *members = NULL;
	struct bench_target	 t;
	struct bench_proc	 hub;
	char			 port[16], *daemon = NULL, *taxonomy = NULL;
	char			*conf = NULL, *log = NULL, *cause = NULL;
	char			*argv[4];
	const char		*fs;
	unsigned		 npubs, nsubs, i;
	int			 rc = -1, started = 0, memory;

	memset(&hub, 0, sizeof hub);
	npubs = wl->mode == BENCH_CONNECTIONS ? BENCH_IDLE_IDENTITIES :
	    wl->publishers;
	nsubs = wl->subscribers;
	if ((daemon = bench_hub_find_daemon(o->hubd, &cause)) == NULL ||
	    (taxonomy = bench_hub_find_taxonomy(o->taxonomy, &cause)) == NULL)
		goto fail;
	if ((pki = bench_pki_new(dir, &cause)) == NULL ||
	    bench_pki_issue_all(pki, wl->mode == BENCH_CONNECTIONS ? "C" :
	    "P", npubs, &pubs, &cause) == -1 ||
	    bench_pki_issue_all(pki, "S", nsubs, &subs, &cause) == -1)
		goto fail;
	if ((members = calloc(npubs + nsubs + 1, sizeof *members)) == NULL)
		goto nomem;
	for (i = 0; i < npubs; i++)
		members[i] = pubs[i];
	for (i = 0; i < nsubs; i++)
		members[npubs + i] = subs[i];
	if (asprintf(&conf, "%s/kentongand.conf", dir) == -1 ||
	    asprintf(&log, "%s/kentongand.log", dir) == -1) {
		conf = log = NULL;
		goto nomem;
	}
	if (bench_hub_free_port(port, sizeof port, &cause) == -1 ||
	    bench_hub_write_conf(conf, port, NULL, dir, taxonomy, pki, members,
	    npubs + nsubs, wl->mode == BENCH_CONNECTIONS ? wl->connections :
	    npubs + nsubs, &cause) == -1 ||
	    (wl->ledger_off && bench_hub_append_conf(conf, "ledger off\n",
	    &cause) == -1))
		goto fail;
	argv[0] = daemon;
	argv[1] = (char *)"-c";
	argv[2] = conf;
	argv[3] = NULL;
	if (bench_hub_spawn(&hub, "kentongand", argv, log, &cause) == -1)
		goto fail;
	started = 1;
	if (bench_hub_wait_port(&hub, port, 20.0, &cause) == -1)
		goto fail;
	fs = bench_hub_fs_name(dir, &memory);
	printf("hub: %s, pid %ld, on 127.0.0.1:%s; database on %s in %s%s; "
	    "ledger %s\n", daemon, (long)hub.pid, port, fs, dir, memory ?
	    " (in memory: fsync costs nothing there, so ingest is not that of "
	    "a disk)" : "", wl->ledger_off ? "off" : "on");
	fflush(stdout);

	memset(&t, 0, sizeof t);
	t.protocol = BENCH_PROTO_KENTONGAN;
	t.host = "127.0.0.1";
	t.port = port;
	t.ca = bench_pki_ca(pki);
	t.publishers = pubs;
	t.npublishers = npubs;
	t.subscribers = subs;
	t.nsubscribers = nsubs;
	t.pid = hub.pid;
	if (bench_client_run(wl, &t, res, &cause) == -1) {
		bench_result_error(res, "%s", cause != NULL ? cause :
		    "the run failed");
		free(cause);
		cause = NULL;
	} else
		rc = 0;
	if (bench_hub_stop(&hub, 60.0, &cause) == -1) {
		bench_result_error(res, "%s", cause != NULL ? cause :
		    "the hub did not stop cleanly");
		rc = -1;
	} else
		res->stop_seconds = hub.stop_seconds;
	free(cause);
	cause = NULL;
	started = 0;
	if (res->peak_rss_kb <= 0 && hub.maxrss_kb > 0)
		res->peak_rss_kb = hub.maxrss_kb;
	bench_summary_print("kentongand", wl, res);
	bench_summary_log(log);

#ifdef HAVE_MOSQUITTO
	if (o->against_mosquitto && !bench_interrupted) {
		int	major, minor, revision;
		char	label[64];

		mosquitto_lib_version(&major, &minor, &revision);
		snprintf(label, sizeof label, "mosquitto (libmosquitto "
		    "%d.%d.%d)", major, minor, revision);
		*have_mq = 1;
		if (bench_mosquitto_run(wl, o->mosquitto, dir, &t,
		    bench_pki_server(pki), mq, &cause) == -1) {
			bench_result_error(mq, "%s", cause != NULL ? cause :
			    "the run failed");
			free(cause);
			cause = NULL;
			rc = -1;
		}
		bench_summary_print(label, wl, mq);
	}
#else
	(void)mq;
	(void)have_mq;
#endif
	goto out;
nomem:
	if (asprintf(&cause, "out of memory") == -1)
		cause = NULL;
fail:
	bench_result_error(res, "%s", cause != NULL ? cause : "failed");
	fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ? cause :
	    "failed");
	free(cause);
	cause = NULL;
out:
	if (started && bench_hub_stop(&hub, 60.0, &cause) == -1) {
		fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ?
		    cause : "the hub did not stop cleanly");
		free(cause);
	}
	bench_hub_proc_clear(&hub);
	free(members);
	bench_pki_identities_free(pubs, npubs);
	bench_pki_identities_free(subs, nsubs);
	bench_pki_free(pki);
	free(daemon);
	free(taxonomy);
	free(conf);
	free(log);
	return (rc);
}

/* Split HOST:PORT or [V6]:PORT into malloc'd parts. */
static int
bench_split(const char *hub, char **host, char **port)
{
	const char	*colon;

	if (hub[0] == '[') {
		if ((colon = strstr(hub, "]:")) == NULL)
			return (-1);
		*host = strndup(hub + 1, (size_t)(colon - hub - 1));
		colon++;
	} else {
		if ((colon = strrchr(hub, ':')) == NULL || colon == hub)
			return (-1);
		*host = strndup(hub, (size_t)(colon - hub));
	}
	if (*host == NULL || colon[1] == '\0' ||
	    (*port = strdup(colon + 1)) == NULL) {
		free(*host);
		*host = NULL;
		return (-1);
	}
	return (0);
}

/* Run against a hub that is already running, as one member. */
static int
bench_existing(struct bench_options *o, struct bench_result *res)
{
	struct bench_identity	 id;
	struct bench_target	 t;
	char			*host = NULL, *port = NULL, *cause = NULL;
	int			 rc = -1;

	if (bench_split(o->hub, &host, &port) == -1) {
		fprintf(stderr, "kentongan-bench: bad --hub \"%s\": expected "
		    "HOST:PORT or [IPV6]:PORT\n", o->hub);
		return (-1);
	}
	id.name = (char *)"member";
	id.cert = (char *)o->cert;
	id.key = (char *)o->key;
	memset(&t, 0, sizeof t);
	t.protocol = BENCH_PROTO_KENTONGAN;
	t.host = host;
	t.port = port;
	t.ca = o->ca;
	t.publishers = &id;
	t.npublishers = 1;
	t.pid = o->hub_pid;
	printf("hub: %s, driven as the member of %s%s\n", o->hub, o->cert,
	    o->hub_pid > 0 ? "" : " (give --hub-pid for its memory and CPU)");
	if (o->wl.mode == BENCH_INGEST)
		printf("note: the hub's report_rate applies to this member; "
		    "refusals with rate_limited mean it, not the hub's "
		    "speed\n");
	fflush(stdout);
	if (bench_client_run(&o->wl, &t, res, &cause) == -1) {
		bench_result_error(res, "%s", cause != NULL ? cause :
		    "the run failed");
		free(cause);
	} else
		rc = 0;
	bench_summary_print(o->hub, &o->wl, res);
	free(host);
	free(port);
	return (rc);
}

/* Remove the run's temporary directory, unless it is to be kept. */
static void
bench_tempdir_done(const struct bench_options *o, char *dir)
{
	if (o->keep)
		printf("kept %s\n", dir);
	else
		bench_hub_tempdir_remove(dir);
	free(dir);
}

/* Make the run's private temporary directory; NULL once it says why. */
static char *
bench_tempdir(const struct bench_options *o)
{
	char	*dir, *cause = NULL;

	if ((dir = bench_hub_tempdir(o->dir, &cause)) == NULL) {
		fprintf(stderr, "kentongan-bench: %s\n", cause != NULL ? cause :
		    "out of memory");
		free(cause);
	}
	return (dir);
}

/*
 * A mode with figures of its own (isolation, federation), start to end,
 * in a temporary directory; the exit status.
 */
static int
bench_run_apart(struct bench_options *o)
{
	struct bench_isolation_options	 io;
	struct bench_federation_options	 fo;
	char				*dir, *json = NULL;
	int				 rc;

	if ((dir = bench_tempdir(o)) == NULL)
		return (1);
	if (o->wl.mode == BENCH_ISOLATION) {
		memset(&io, 0, sizeof io);
		io.wl = &o->wl;
		io.attacks = o->attacks;
		io.history = o->history;
		io.ping_rate = o->ping_rate;
		io.hubd = o->hubd;
		io.fill = o->fill;
		io.taxonomy = o->taxonomy;
		rc = bench_isolation_run(&io, dir, &json);
	} else {
		memset(&fo, 0, sizeof fo);
		fo.wl = &o->wl;
		fo.publishers = o->set_publishers ? o->wl.publishers : 0;
		fo.subscribers = o->wl.subscribers;
		fo.hubd = o->hubd;
		fo.taxonomy = o->taxonomy;
		rc = bench_federation_run(&fo, dir, &json);
	}
	bench_tempdir_done(o, dir);
	if (bench_interrupted)
		printf("interrupted: the figures are of a shortened run\n");
	if (json == NULL) {
		fprintf(stderr, "kentongan-bench: cannot make the JSON line\n");
		return (1);
	}
	/* A JSON object, not text, is the contract of the last line. */
	printf("%s\n", json);
	free(json);
	return (rc == -1 || bench_interrupted ? 1 : 0);
}

int
main(int argc, char **argv)
{
	struct bench_options	 o;
	struct bench_result	 res, mq;
	struct sigaction	 sa;
	const struct bench_workload *wl;
	char			*dir = NULL;
	int			 rc, have_mq = 0, status = 0;

	bench_options(argc, argv, &o);
	bench_check(&o);
	wl = &o.wl;
	memset(&res, 0, sizeof res);
	memset(&mq, 0, sizeof mq);
	bench_result_clear(&res);
	bench_result_clear(&mq);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = bench_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		fprintf(stderr, "kentongan-bench: sigaction: %s\n",
		    strerror(errno));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fprintf(stderr, "kentongan-bench: sigaction: %s\n",
		    strerror(errno));
	bench_raise_nofile(&o);
	/* Nothing buffered may be written twice by a child. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (wl->mode == BENCH_ISOLATION || wl->mode == BENCH_FEDERATION)
		return (bench_run_apart(&o));
	printf("kentongan-bench: mode %s, ", bench_summary_modes[wl->mode]);
	if (wl->mode == BENCH_CONNECTIONS)
		printf("%u idle connections held for %.1f s", wl->connections,
		    wl->warmup + wl->duration);
	else {
		printf("%u publishers, %u subscribers, %zu-byte reports, ",
		    wl->publishers, wl->subscribers, wl->size);
		if (wl->rate > 0)
			printf("%.0f reports/s", wl->rate);
		else
			printf("as fast as a window of %u allows", wl->window);
		if (wl->rate <= 0 && wl->subscribers > 0 && wl->lead > 0)
			printf(" and at most %u ahead of the slowest "
			    "subscriber", wl->lead);
		printf(", %.1f s measured after %.1f s", wl->duration,
		    wl->warmup);
	}
	printf("; %u load threads\n", wl->threads);

	if (o.spawn) {
		if ((dir = bench_tempdir(&o)) == NULL)
			return (1);
		rc = bench_spawned(&o, dir, &res, &mq, &have_mq);
		bench_tempdir_done(&o, dir);
	} else
		rc = bench_existing(&o, &res);

	if (rc == -1 || bench_interrupted)
		status = 1;
	if (res.rejected > 0 || res.errors > 0 || res.out_of_order > 0)
		status = 1;
	if (bench_interrupted)
		printf("interrupted: the figures are of a shortened run\n");
	if (bench_summary_json(wl, &res, have_mq ? &mq : NULL) == -1) {
		fprintf(stderr, "kentongan-bench: cannot make the JSON line\n");
		status = 1;
	}
	bench_result_clear(&res);
	bench_result_clear(&mq);
	return (status);
}
