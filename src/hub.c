/* The hub: start-up, listeners, signals, reload and orderly shutdown. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/listener.h>

#include "commit.h"
#include "conn.h"
#include "escape.h"
#include "events.h"
#include "fanout.h"
#include "hub.h"
#include "log.h"
#include "operator.h"
#include "peer.h"
#include "sdnotify.h"
#include "session.h"
#include "sign.h"
#include "store.h"
#include "store_read.h"
#include "timefmt.h"
#include "tls.h"

/* Seconds between two summary lines of the reports handled. */
#define HUB_SUMMARY_SECONDS	60
/* Descriptors beyond connections: database, logs, listeners, operator API. */
#define HUB_SPARE_FDS		64
/* How long a listener rests after accept() ran out of descriptors. */
#define HUB_ACCEPT_PAUSE_USEC	100000
/* How long before they lapse the certificate and the CRL are warned of. */
#define HUB_EXPIRY_WARN_DAYS	14
#define HUB_CRL_WARN_DAYS	3

static void	hub_check_expiry(struct hub *, const struct conf *);

/*
 * One line a minute says what the hub did, where a line per report would
 * flood the log (and trip journald's rate limit, which hides warnings).
 */
static void
hub_summary(evutil_socket_t fd, short events, void *arg)
{
	struct hub		*hub = arg;
	struct metrics		*m = &hub->metrics;
	struct metrics		*last = &hub->summarised;
	uint64_t		 refused = 0, refused_before = 0;
	size_t			 e;

	(void)fd;
	(void)events;
	/* Once a day, the expiry warnings again. */
	if (time_now_usec() / 1000000 - hub->expiry_checked >= 86400)
		hub_check_expiry(hub, hub->conf);
	for (e = PROTO_OK + 1; e < PROTO_NERRORS; e++) {
		refused += m->reports_refused[e];
		refused_before += last->reports_refused[e];
	}
	if (m->reports_accepted != last->reports_accepted ||
	    m->reports_duplicate != last->reports_duplicate ||
	    refused != refused_before ||
	    m->alerts_delivered != last->alerts_delivered)
		log_info("in the last %d s: %llu reports accepted, %llu sent "
		    "again (duplicates), %llu requests refused, %llu alerts "
		    "sent; last seq %lld, %u connections", HUB_SUMMARY_SECONDS,
		    (unsigned long long)(m->reports_accepted -
		    last->reports_accepted),
		    (unsigned long long)(m->reports_duplicate -
		    last->reports_duplicate),
		    (unsigned long long)(refused - refused_before),
		    (unsigned long long)(m->alerts_delivered -
		    last->alerts_delivered),
		    (long long)hub->delivered_seq, hub->nconns);
	*last = *m;
}

/* FNV-1a of a member ID, folded to a bucket. */
static size_t
hub_member_bucket(const char *id)
{
	uint32_t	h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return (h % HUB_MEMBER_BUCKETS);
}

struct member_state *
hub_member_find(struct hub *hub, const char *id)
{
	struct member_state	*ms;

	for (ms = hub->member_hash[hub_member_bucket(id)]; ms != NULL;
	    ms = ms->hash_next) {
		if (strcmp(ms->id, id) == 0)
			return (ms);
	}
	return (NULL);
}

int64_t
hub_member_backlog(const struct member_state *ms)
{
	int64_t	n = ms->entitled - ms->entitled_acked;

	return (n > 0 ? n : 0);
}

/* A count of a member's alerts, run on a reader. */
struct hub_count {
	struct reader_job	 job;		/* first: the job is the struct */
	struct hub		*hub;
	struct member_state	*ms;
	int			 acked;	/* entitled_acked, else entitled */
	char			 member[CONF_MEMBER_ID_MAX + 1];
	int64_t			 after;
	int64_t			 upto;
	int64_t			 n;
};

/* On a reader thread: count. */
static void
hub_count_run(struct reader_job *job, struct store_reader *store)
{
	struct hub_count	*hc = (struct hub_count *)job;

	hc->n = store_reader_backlog(store, hc->member, hc->after, hc->upto);
}

static void	hub_recount(struct hub *, struct member_state *, int64_t);

/* On the loop: take the count in. */
static void
hub_count_done(struct reader_job *job)
{
	struct hub_count	*hc = (struct hub_count *)job;
	struct member_state	*ms = hc->ms;

	if (!hc->acked) {
		if (!job->cancelled && hc->n > 0)
			ms->entitled += hc->n;
	} else {
		ms->recount = NULL;
		if (!job->cancelled && hc->n >= 0)
			ms->entitled_acked = hc->n + ms->recount_delta;
		ms->recount_delta = 0;
		if (ms->recount_wanted && !job->cancelled) {
			ms->recount_wanted = 0;
			hub_recount(hc->hub, ms, ms->acked_seq);
		}
	}
	free(hc);
}

/* Count the member's alerts in (count_base, upto] on a reader. */
static struct hub_count *
hub_count_submit(struct hub *hub, struct member_state *ms, int acked,
    int64_t upto)
{
	struct hub_count	*hc;

	if (hub->reader == NULL || hub->stopping ||
	    (hc = calloc(1, sizeof *hc)) == NULL)
		return (NULL);
	hc->hub = hub;
	hc->ms = ms;
	hc->acked = acked;
	snprintf(hc->member, sizeof hc->member, "%s", ms->id);
	hc->after = ms->count_base;
	hc->upto = upto;
	hc->job.run = hub_count_run;
	hc->job.done = hub_count_done;
	reader_submit(hub->reader, &hc->job);
	return (hc);
}

/* Count what the member acknowledged again, from the store. */
static void
hub_recount(struct hub *hub, struct member_state *ms, int64_t acked)
{
	struct hub_count	*hc;

	ms->recount_delta = 0;
	if ((hc = hub_count_submit(hub, ms, 1, acked)) != NULL)
		ms->recount = &hc->job;
}

void
hub_backlog_acked(struct hub *hub, struct member_state *ms, int64_t seq)
{
	int64_t	n;

	n = seqring_ack(&ms->fanned, ms->acked_seq, seq);
	if (ms->recount != NULL) {
		/* Counted off the recount's result when it comes. */
		if (n >= 0)
			ms->recount_delta += n;
		else
			ms->recount_wanted = 1;
		return;
	}
	if (n >= 0)
		ms->entitled_acked += n;
	else
		hub_recount(hub, ms, seq);
}

/*
 * A member's runtime state, at its acknowledged position. Its backlog is
 * counted once, on a reader (at start, by the caller, before serving);
 * fan-out and acks keep it current from then on.
 */
static struct member_state *
hub_member_new(struct hub *hub, const char *id, int64_t acked_seq)
{
	const struct conf_member *m;
	struct member_state	*ms;
	size_t			 bucket = hub_member_bucket(id);

	if ((ms = calloc(1, sizeof *ms)) == NULL)
		return (NULL);
	snprintf(ms->id, sizeof ms->id, "%s", id);
	TAILQ_INIT(&ms->subscribers);
	ms->acked_seq = acked_seq;
	ms->count_base = acked_seq;
	seqring_init(&ms->fanned, HUB_FANNED_MAX, hub->delivered_seq);
	reader_gate_init(&ms->reads, HUB_READS_PER_MEMBER);
	m = conf_member_by_id(hub->conf, id);
	if (!hub->counting_backlogs && (m == NULL || (m->role != ROLE_OPERATOR &&
	    m->role != ROLE_MONITOR)))
		hub_count_submit(hub, ms, 0, hub->delivered_seq);
	ratelimit_init(&ms->rate, hub->conf->report_rate,
	    hub->conf->report_burst, time_now_usec());
	LIST_INSERT_HEAD(&hub->members, ms, entry);
	ms->hash_next = hub->member_hash[bucket];
	hub->member_hash[bucket] = ms;
	return (ms);
}

struct member_state *
hub_member_state(struct hub *hub, const char *id)
{
	struct member_state	*ms;

	if ((ms = hub_member_find(hub, id)) != NULL)
		return (ms);
	return (hub_member_new(hub, id, 0));
}

/* Set *cause to "FILE:LINE: key: path: what" for a path-valued key. */
static void
hub_path_cause(char **cause, const struct conf *conf, const char *key,
    const struct conf_path *p, const char *what)
{
	char	path[ESCAPE_QUOTE_SIZE];

	if (asprintf(cause, "%s:%d: %s: %s: %s", conf->file, p->line, key,
	    escape_str(path, sizeof path, p->path), what) == -1)
		*cause = NULL;
}

struct taxonomy *
hub_load_taxonomy(const struct conf *conf, char **cause)
{
	struct stat	 sb;
	FILE		*f;

	/*
	 * A file that cannot be opened is the configuration's mistake. stat
	 * first: opening a FIFO would block -t, or the loop on SIGHUP.
	 */
	if (stat(conf->taxonomy.path, &sb) == -1) {
		hub_path_cause(cause, conf, "taxonomy", &conf->taxonomy,
		    strerror(errno));
		return (NULL);
	}
	if (!S_ISREG(sb.st_mode)) {
		hub_path_cause(cause, conf, "taxonomy", &conf->taxonomy,
		    "not a regular file; expected the taxonomy JSON file");
		return (NULL);
	}
	if ((f = fopen(conf->taxonomy.path, "r")) == NULL) {
		hub_path_cause(cause, conf, "taxonomy", &conf->taxonomy,
		    strerror(errno));
		return (NULL);
	}
	fclose(f);
	return (taxonomy_load(conf->taxonomy.path, cause));
}

int
hub_check_database(const struct conf *conf, char **cause)
{
	const struct conf_path	*p = &conf->database;
	struct stat		 sb;
	const char		*slash;
	char			*dir, *what = NULL, shown[ESCAPE_QUOTE_SIZE];
	int			 rc = -1;

	*cause = NULL;
	if (strstr(p->path, "://") != NULL)
		return (0);
	if ((slash = strrchr(p->path, '/')) == NULL)
		dir = strdup(".");
	else
		dir = strndup(p->path, slash == p->path ? 1 :
		    (size_t)(slash - p->path));
	if (dir == NULL)
		goto nomem;
	escape_str(shown, sizeof shown, dir);
	if (stat(dir, &sb) == -1) {
		if (asprintf(&what, "directory %s: %s", shown,
		    strerror(errno)) == -1)
			goto nomem;
	} else if (!S_ISDIR(sb.st_mode)) {
		if (asprintf(&what, "%s is not a directory", shown) == -1)
			goto nomem;
	} else if (access(dir, W_OK | X_OK) == -1) {
		if (asprintf(&what, "the hub cannot create files in %s "
		    "(%s); it keeps the database's write-ahead log there",
		    shown, strerror(errno)) == -1)
			goto nomem;
	} else if (stat(p->path, &sb) == -1) {
		/* A database that does not exist yet is made at start. */
		if (errno == ENOENT)
			rc = 0;
		else if ((what = strdup(strerror(errno))) == NULL)
			goto nomem;
	} else if (!S_ISREG(sb.st_mode)) {
		if ((what = strdup("not a regular file; expected an SQLite "
		    "database, or a name for a new one")) == NULL)
			goto nomem;
	} else if (access(p->path, R_OK | W_OK) == -1) {
		if ((what = strdup(strerror(errno))) == NULL)
			goto nomem;
	} else
		rc = 0;
	if (what != NULL)
		hub_path_cause(cause, conf, "database", p, what);
	free(what);
	free(dir);
	return (rc);
nomem:
	free(dir);
	if (asprintf(cause, "%s:%d: out of memory", conf->file, p->line) == -1)
		*cause = NULL;
	return (-1);
}

/*
 * The key that signs receipts: the hub's TLS key, read again at each
 * reload (it may have been rotated). At start a key that cannot be read
 * is fatal; at a reload the one in force stays.
 */
static void
hub_load_signer(struct hub *hub, const struct conf *conf, int starting)
{
	EVP_PKEY	*key;
	char		*cause = NULL;

	if ((key = sign_load_key(conf->tls_key.path, &cause)) == NULL) {
		if (starting)
			fatalx("%s:%d: tls_key: %s", conf->file,
			    conf->tls_key.line, cause);
		log_warnx("reload: receipts are still signed with the earlier "
		    "key: %s", cause);
		free(cause);
		return;
	}
	committer_set_key(hub->committer, key);
	EVP_PKEY_free(key);
}

/* A running hub keeps running on an expired CRL, but says so loudly. */
static void
hub_warn_crl(const struct conf *conf)
{
	char	*cause = NULL;

	if (tls_crl_current(conf, &cause) == -1)
		log_warnx("%s", cause != NULL ? cause : "tls_crl: expired");
	free(cause);
}

/*
 * Note when the hub's certificate ends and the next CRL is due, for the
 * metrics, and warn while there is still time to act: a lapsed
 * certificate or CRL refuses every member.
 */
static void
hub_check_expiry(struct hub *hub, const struct conf *conf)
{
	int64_t	now = time_now_usec() / 1000000, left;

	if (tls_expiry(hub->member_ctx, conf, &hub->cert_end,
	    &hub->crl_next) == -1)
		return;
	hub->expiry_checked = now;
	left = hub->cert_end - now;
	if (left > 0 && left < HUB_EXPIRY_WARN_DAYS * 86400)
		log_warnx("the hub's certificate %s expires in %lld days: renew "
		    "it before then, or no member can connect",
		    conf->tls_certificate.path, (long long)(left / 86400));
	left = hub->crl_next - now;
	if (hub->crl_next != 0 && left > 0 && left < HUB_CRL_WARN_DAYS * 86400)
		log_warnx("tls_crl: %s: the next CRL is due in %lld hours: "
		    "publish a new one before then, or every client is refused",
		    conf->tls_crl.path, (long long)(left / 3600));
}

/* Restore a member's acknowledged position at start. */
static void
hub_load_cursor(const char *member, int64_t acked_seq, void *arg)
{
	struct hub		*hub = arg;

	if (hub_member_new(hub, member, acked_seq) == NULL)
		fatalx("out of memory");
}

/*
 * Every member's backlog at start, before the hub serves anyone: one
 * count over the posting lists per member.
 */
static void
hub_count_backlogs(struct hub *hub, struct store_reader *store)
{
	struct member_state	*ms;
	int64_t			 n;

	LIST_FOREACH(ms, &hub->members, entry) {
		n = store_reader_backlog(store, ms->id, ms->count_base,
		    hub->delivered_seq);
		if (n == -1)
			fatalx("%s: cannot count the members' backlogs",
			    hub->conf->database.path);
		ms->entitled = n;
		ms->entitled_acked = 0;
	}
}

void
hub_member_states(struct hub *hub)
{
	size_t	i;

	for (i = 0; i < hub->conf->nmembers; i++) {
		if (hub->conf->members[i].role == ROLE_OPERATOR ||
		    hub->conf->members[i].role == ROLE_MONITOR)
			continue;
		if (hub_member_state(hub, hub->conf->members[i].id) == NULL)
			fatalx("out of memory");
	}
}

/* A connection is waiting on a listener. */
static void
hub_accept(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct hub_listener	*hl = arg;

	(void)listener;
	conn_accept(hl, fd, sa, socklen);
}

/* The pause after running out of descriptors is over. */
static void
hub_accept_resume(evutil_socket_t fd, short events, void *arg)
{
	struct hub_listener	*hl = arg;

	(void)fd;
	(void)events;
	if (!hl->hub->stopping && evconnlistener_enable(hl->listener) == -1)
		log_warnx("listen %s: cannot accept again", hl->address);
}

/*
 * A descriptor kept open for the moment the table is full: closed, it
 * lets one pending connection be accepted and closed at once, so that its
 * peer hears "no" instead of waiting in the backlog.
 */
static int	hub_reserve_fd = -1;

/* Open the reserve descriptor (again). */
static void
hub_reserve(void)
{
	if (hub_reserve_fd == -1)
		hub_reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * accept() failed, usually for want of descriptors. The pending connection
 * stays in the backlog, so the listener would fire again at once: turn one
 * away with the reserve descriptor, pause the listener briefly instead of
 * spinning, and keep serving the peers already here.
 */
static void
hub_accept_error(struct evconnlistener *listener, void *arg)
{
	struct hub_listener	*hl = arg;
	struct timeval		 pause = { 0, HUB_ACCEPT_PAUSE_USEC };
	int			 err = EVUTIL_SOCKET_ERROR(), fd;
	uint64_t		 suppressed;
	char			 note[THROTTLE_NOTE_MAX];

	if (err == EINTR || err == EAGAIN || err == ECONNABORTED)
		return;
	hl->hub->metrics.accept_errors++;
	if (throttle_pass(&hl->accept_errors, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("listen %s: accept: %s (%u connections held); "
		    "pausing this listener for %d ms%s", hl->address,
		    evutil_socket_error_to_string(err), hl->hub->nconns,
		    HUB_ACCEPT_PAUSE_USEC / 1000,
		    throttle_note(note, suppressed));
	if ((err == EMFILE || err == ENFILE) && hub_reserve_fd != -1) {
		close(hub_reserve_fd);
		hub_reserve_fd = -1;
		if ((fd = accept(evconnlistener_get_fd(listener), NULL,
		    NULL)) != -1)
			close(fd);
		hub_reserve();
	}
	if (hl->resume == NULL &&
	    (hl->resume = evtimer_new(hl->hub->base, hub_accept_resume,
	    hl)) == NULL)
		return;
	if (evconnlistener_disable(listener) == -1 ||
	    evtimer_add(hl->resume, &pause) == -1)
		evconnlistener_enable(listener);
}

/*
 * Raise the soft descriptor limit to the hard one: each connection is a
 * descriptor, and the default soft limit (1024) is far below what
 * max_connections allows. The operator listener's connections and spare
 * descriptors (database, readers, logs) are set apart first; members get
 * the rest, at most max_connections, so that a full table of one kind
 * never starves the other, and accept() rarely runs out at all.
 */
static void
hub_fit_connections(struct hub *hub)
{
	const struct conf	*conf = hub->conf;
	struct rlimit		 rl;
	rlim_t			 operators, want, room;

	operators = conf->operator_off ? 0 : conf->max_operator_connections;
	want = (rlim_t)conf->max_connections + HUB_SPARE_FDS + operators;
	hub->conn_limit[CONN_MEMBER] = conf->max_connections;
	hub->conn_limit[CONN_OPERATOR] = (unsigned)operators;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return;
	room = rl.rlim_cur > HUB_SPARE_FDS + operators + 1 ?
	    rl.rlim_cur - HUB_SPARE_FDS - operators : 1;
	if (room < operators) {
		/* A tiny limit: share what there is. */
		room = rl.rlim_cur > HUB_SPARE_FDS ?
		    (rl.rlim_cur - HUB_SPARE_FDS) / 2 + 1 : 1;
		hub->conn_limit[CONN_OPERATOR] = operators > 0 ?
		    (unsigned)room : 0;
	}
	hub->conn_limit[CONN_MEMBER] = (unsigned)room;
	log_warnx("max_connections is %u but the descriptor limit is %llu: "
	    "members may hold %u connections, operators %u; raise "
	    "LimitNOFILE (ulimit -n) or lower max_connections",
	    conf->max_connections, (unsigned long long)rl.rlim_cur,
	    hub->conn_limit[CONN_MEMBER], hub->conn_limit[CONN_OPERATOR]);
}

/*
 * libevent's own complaints, in the hub's format and at most one line per
 * interval: a loop of failing accept() calls must not flood the log.
 */
static struct throttle	hub_libevent_throttle;

static void
hub_libevent_log(int severity, const char *msg)
{
	uint64_t	suppressed;
	char		note[THROTTLE_NOTE_MAX];

	if (severity < EVENT_LOG_WARN)
		return;
	if (throttle_pass(&hub_libevent_throttle, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("libevent: %s%s", msg, throttle_note(note,
		    suppressed));
}

struct evconnlistener *
hub_bind(struct hub *hub, const struct conf_address *a, evconnlistener_cb cb,
    void *arg)
{
	struct evconnlistener	*listener;
	struct addrinfo		 hints, *res;
	unsigned		 flags;
	char			 address[96];
	int			 rc;

	snprintf(address, sizeof address, strchr(a->host, ':') ?
	    "[%s]:%s" : "%s:%s", a->host, a->port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(a->host, a->port, &hints, &res)) != 0)
		fatalx("%s:%d: %s: %s", hub->conf_file, a->line, address,
		    gai_strerror(rc));
	flags = LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
	/* "[::]" and "0.0.0.0" on one port are two listeners, not a clash. */
	if (res->ai_family == AF_INET6)
		flags |= LEV_OPT_BIND_IPV6ONLY;
	listener = evconnlistener_new_bind(hub->base, cb, arg, flags, 1024,
	    res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (listener == NULL) {
		if (errno == EADDRINUSE)
			fatalx("cannot listen on %s: the address is already in "
			    "use (another kentongand running?); free the port "
			    "or change line %d of %s", address, a->line,
			    hub->conf_file);
		fatal("cannot listen on %s", address);
	}
	log_notice("listening on %s%s", address, arg != NULL &&
	    ((struct hub_listener *)arg)->kind == CONN_OPERATOR ?
	    " (operator API)" : "");
	return (listener);
}

/* Bind one listener of a kind. */
static void
hub_listen(struct hub *hub, const struct conf_address *a, enum conn_kind kind)
{
	struct hub_listener	*hl;

	if ((hl = calloc(1, sizeof *hl)) == NULL)
		fatalx("listen: out of memory");
	hl->hub = hub;
	hl->kind = kind;
	snprintf(hl->address, sizeof hl->address, strchr(a->host, ':') ?
	    "[%s]:%s" : "%s:%s", a->host, a->port);
	hl->listener = hub_bind(hub, a, hub_accept, hl);
	evconnlistener_set_error_cb(hl->listener, hub_accept_error);
	SLIST_INSERT_HEAD(&hub->listeners, hl, entry);
}

/* Close every listener. */
static void
hub_unlisten(struct hub *hub)
{
	struct hub_listener	*hl;

	while ((hl = SLIST_FIRST(&hub->listeners)) != NULL) {
		SLIST_REMOVE_HEAD(&hub->listeners, entry);
		if (hl->resume != NULL)
			event_free(hl->resume);
		evconnlistener_free(hl->listener);
		free(hl);
	}
}

/*
 * The peers this hub dials: its TLS context as a client, a resolver for
 * their names, and a link to each.
 */
static void
hub_start_links(struct hub *hub)
{
	char	*cause = NULL;

	if (hub->conf->hub_id == NULL)
		return;
	if ((hub->link_ctx = tls_client_ctx_new(hub->conf, &cause)) == NULL)
		fatalx("%s", cause);
	/* Numeric addresses need no name server; names need resolv.conf. */
	if ((hub->dns = evdns_base_new(hub->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL &&
	    (hub->dns = evdns_base_new(hub->base, 0)) == NULL)
		fatalx("cannot create a resolver for the peers' names");
	peer_links_sync(hub);
}

/* Tell systemd about a change of state, when it supervises the hub. */
static void
hub_notify(const char *state)
{
	if (sdnotify(state) == -1)
		log_warn("cannot notify systemd of %s", state);
}

/* The event loop turns: tell systemd's watchdog. */
static void
hub_watchdog(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	hub_notify("WATCHDOG=1");
}

/* Ready: tell systemd, and ping its watchdog at half the interval. */
static void
hub_notify_ready(struct hub *hub)
{
	struct timeval	tv;
	uint64_t	usec;
	int		rc;

	hub_notify("READY=1");
	if ((rc = sdnotify_watchdog_usec(&usec)) == -1)
		log_warnx("ignoring a malformed WATCHDOG_USEC or WATCHDOG_PID");
	if (rc != 1)
		return;
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	hub->watchdog = event_new(hub->base, -1, EV_PERSIST, hub_watchdog,
	    hub);
	if (hub->watchdog == NULL || event_add(hub->watchdog, &tv) == -1)
		fatalx("cannot arm the watchdog timer");
}

/*
 * Let the reads under way finish and cancel the others; their answers are
 * sent, or dropped with their connections.
 */
static void
hub_stop_reads(struct hub *hub)
{
	struct member_state	*ms;

	if (hub->reader == NULL)
		return;
	LIST_FOREACH(ms, &hub->members, entry)
		reader_gate_cancel(hub->reader, &ms->reads);
	reader_free(hub->reader);
	hub->reader = NULL;
}

/*
 * Stop accepting, commit and answer everything already received, then close
 * every connection cleanly. The loop ends once the last one is gone.
 */
static void
hub_shutdown(struct hub *hub, const char *signame)
{
	struct conn	*c, *next;

	if (hub->stopping)
		return;
	hub->stopping = 1;
	log_notice("%s: shutting down", signame);
	hub_notify("STOPPING=1");
	/* systemd does not watch a stopping service; the loop must end. */
	if (hub->watchdog != NULL)
		event_del(hub->watchdog);
	hub_unlisten(hub);
	peer_links_free(hub);
	/* A resolver waits on its sockets; the loop must end. */
	if (hub->dns != NULL) {
		evdns_base_free(hub->dns, 1);
		hub->dns = NULL;
	}
	evsignal_del(hub->sighup);
	evsignal_del(hub->sigterm);
	evsignal_del(hub->sigint);
	TAILQ_FOREACH_SAFE(c, &hub->conns, entry, next) {
		if (c->state == CONN_HANDSHAKING)
			conn_abort(c, NULL);
	}
	/* Runs the last commits and queues their answers. */
	fanout_mark_deliveries(hub);
	event_del(hub->deliveries_timer);	/* or the loop would wait for it */
	event_del(hub->summary);
	if (hub->streams_timer != NULL)
		event_del(hub->streams_timer);
	committer_free(hub->committer);
	hub->committer = NULL;
	hub_stop_reads(hub);
	TAILQ_FOREACH_SAFE(c, &hub->conns, entry, next)
		conn_close(c, "hub shutting down");
}

/*
 * After a reload, disconnect every connection whose certificate no longer
 * maps to the same member (removed, reassigned, role changed) or no longer
 * verifies (revoked in the new CRL, CA replaced).
 */
static void
hub_recheck_connections(struct hub *hub)
{
	const struct conf_member	*m;
	struct conn			*c, *next;
	const char			*why;
	char				 reason[160];
	SSL				*ssl;

	TAILQ_FOREACH_SAFE(c, &hub->conns, entry, next) {
		/* Operators are checked again at each request: a 403 says why. */
		if (c->state != CONN_READY || c->kind != CONN_MEMBER)
			continue;
		ssl = bufferevent_openssl_get_ssl(c->bev);
		if (ssl == NULL)
			continue;
		m = tls_peer_member(ssl, hub->conf, TLS_MEMBER_LISTENER, &why);
		if (m != NULL && strcmp(m->id, c->member) != 0)
			why = "certificate now registered to another member";
		else if (m != NULL && tls_recheck_peer(hub->member_ctx, ssl,
		    &why))
			continue;
		snprintf(reason, sizeof reason, "after reload: %s", why);
		conn_close(c, reason);
	}
}

/*
 * SIGHUP: read everything again; anything invalid leaves the running
 * configuration in force. Listen addresses and the database need a restart.
 */
static void
hub_reload_apply(struct hub *hub)
{
	struct conf		*conf;
	struct taxonomy		*taxonomy;
	struct member_state	*ms;
	SSL_CTX			*ctx, *op_ctx = NULL, *link_ctx = NULL;
	char			*cause = NULL;

	log_notice("SIGHUP: reloading %s", hub->conf_file);
	if ((conf = conf_load(hub->conf_file, &cause)) == NULL) {
		log_warnx("reload refused, configuration unchanged: %s", cause);
		free(cause);
		return;
	}
	if (conf->warning != NULL)
		log_warnx("%s", conf->warning);
	if ((taxonomy = hub_load_taxonomy(conf, &cause)) == NULL) {
		log_warnx("reload refused, configuration unchanged: %s", cause);
		free(cause);
		conf_free(conf);
		return;
	}
	ctx = tls_server_ctx_new(conf, TLS_MEMBER_LISTENER, &hub->conf, &cause);
	if (ctx != NULL && hub->operator_ctx != NULL &&
	    (op_ctx = tls_server_ctx_new(conf, TLS_OPERATOR_LISTENER,
	    &hub->conf, &cause)) == NULL) {
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
	if (ctx != NULL && conf->hub_id != NULL &&
	    (link_ctx = tls_client_ctx_new(conf, &cause)) == NULL) {
		SSL_CTX_free(ctx);
		SSL_CTX_free(op_ctx);
		ctx = NULL;
	}
	if (ctx == NULL) {
		log_warnx("reload refused, configuration unchanged: %s", cause);
		free(cause);
		taxonomy_free(taxonomy);
		conf_free(conf);
		return;
	}
	conf_free(hub->conf);
	hub->conf = conf;
	log_init(conf->log_debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	taxonomy_free(hub->taxonomy);
	hub->taxonomy = taxonomy;
	SSL_CTX_free(hub->member_ctx);
	hub->member_ctx = ctx;
	if (op_ctx != NULL) {
		SSL_CTX_free(hub->operator_ctx);
		hub->operator_ctx = op_ctx;
	}
	if (link_ctx != NULL) {
		SSL_CTX_free(hub->link_ctx);
		hub->link_ctx = link_ctx;
		if (hub->dns == NULL && (hub->dns = evdns_base_new(hub->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL)
			hub->dns = evdns_base_new(hub->base, 0);
	}
	LIST_FOREACH(ms, &hub->members, entry)
		ratelimit_configure(&ms->rate, conf->report_rate,
		    conf->report_burst);
	hub_member_states(hub);
	hub_fit_connections(hub);
	hub_recheck_connections(hub);
	peer_links_sync(hub);
	if (conf->ledger_off == hub->ledger_on)
		log_warnx("reload: ledger %s takes effect at the next start; "
		    "the ledger stays %s", conf->ledger_off ? "off" : "on",
		    hub->ledger_on ? "on" : "off");
	if (hub->ledger_on && hub->committer != NULL)
		hub_load_signer(hub, conf, 0);
	hub_warn_crl(conf);
	hub_check_expiry(hub, conf);
	log_notice("reloaded: %zu members, %zu agreements, %zu codes",
	    conf->nmembers, conf->nagreements, taxonomy->ncodes);
}

/* SIGHUP, between RELOADING=1 and READY=1 for systemd. */
static void
hub_reload(struct hub *hub)
{
	hub_notify("RELOADING=1");
	hub_reload_apply(hub);
	hub_notify("READY=1");
}

/* A signal arrived. */
static void
hub_signal(evutil_socket_t sig, short events, void *arg)
{
	struct hub	*hub = arg;

	(void)events;
	switch (sig) {
	case SIGHUP:
		hub_reload(hub);
		break;
	case SIGTERM:
		hub_shutdown(hub, "SIGTERM");
		break;
	case SIGINT:
		hub_shutdown(hub, "SIGINT");
		break;
	}
}

struct hub *
hub_new(const char *conf_file)
{
	struct hub	*hub;
	struct store_reader *start;
	struct timeval	 summary_every = { HUB_SUMMARY_SECONDS, 0 };
	const char	**peers;
	char		*cause = NULL;
	size_t		 i, npeers = 0;

	if ((hub = calloc(1, sizeof *hub)) == NULL ||
	    (hub->conf_file = strdup(conf_file)) == NULL)
		fatalx("out of memory");
	SLIST_INIT(&hub->listeners);
	LIST_INIT(&hub->links);
	TAILQ_INIT(&hub->conns);
	TAILQ_INIT(&hub->handshakes);
	TAILQ_INIT(&hub->streams);
	LIST_INIT(&hub->members);
	if ((hub->conf = conf_load(conf_file, &cause)) == NULL)
		fatalx("%s", cause);
	log_init(hub->conf->log_debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (hub->conf->warning != NULL)
		log_warnx("%s", hub->conf->warning);
	if ((hub->taxonomy = hub_load_taxonomy(hub->conf, &cause)) == NULL)
		fatalx("%s", cause);
	hub->member_ctx = tls_server_ctx_new(hub->conf, TLS_MEMBER_LISTENER,
	    &hub->conf, &cause);
	if (hub->member_ctx == NULL)
		fatalx("%s", cause);
	hub_warn_crl(hub->conf);
	hub->started_at = time_now_usec();
	hub_check_expiry(hub, hub->conf);
	event_set_log_callback(hub_libevent_log);
	hub_fit_connections(hub);
	if ((hub->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if ((hub->deliveries_timer = evtimer_new(hub->base,
	    fanout_deliveries_due, hub)) == NULL ||
	    (hub->summary = event_new(hub->base, -1, EV_PERSIST, hub_summary,
	    hub)) == NULL ||
	    event_add(hub->summary, &summary_every) == -1)
		fatalx("cannot create a timer");
	if ((peers = calloc(hub->conf->nmembers + 1, sizeof *peers)) == NULL)
		fatalx("out of memory");
	for (i = 0; i < hub->conf->nmembers; i++) {
		if (hub->conf->members[i].role == ROLE_HUB)
			peers[npeers++] = hub->conf->members[i].id;
	}
	if (hub_check_database(hub->conf, &cause) == -1 ||
	    (hub->store = store_open_peers(hub->conf->database.path, peers,
	    npeers, &cause)) == NULL)
		fatalx("%s", cause);
	free(peers);
	hub->committer = committer_new(hub->store, hub->base, session_committed,
	    fanout_flush_deliveries, hub, &cause);
	if (hub->committer == NULL)
		fatalx("%s", cause);
	/* Off, nothing is chained or signed: for measuring what it costs. */
	hub->ledger_on = !hub->conf->ledger_off;
	store_set_ledger(hub->store, hub->ledger_on);
	if (hub->ledger_on)
		hub_load_signer(hub, hub->conf, 1);
	hub->delivered_seq = store_last_seq(hub->store);
	/*
	 * Receive times never go backwards in seq order, across restarts
	 * too: time windows of the history are found by bisection on seq.
	 */
	hub->last_received_at = store_last_received_at(hub->store);
	if ((start = store_reader_open(hub->conf->database.path,
	    &cause)) == NULL)
		fatalx("%s", cause);
	hub->counting_backlogs = 1;
	if (store_reader_cursors(start, hub_load_cursor, hub) == -1)
		fatalx("%s: cannot read the acknowledgement cursors",
		    hub->conf->database.path);
	hub_member_states(hub);
	hub_count_backlogs(hub, start);
	hub->counting_backlogs = 0;
	store_reader_close(start);
	if ((hub->reader = reader_new(hub->conf->database.path, hub->base,
	    READER_THREADS, &cause)) == NULL)
		fatalx("%s", cause);
	hub->sigterm = evsignal_new(hub->base, SIGTERM, hub_signal, hub);
	hub->sigint = evsignal_new(hub->base, SIGINT, hub_signal, hub);
	hub->sighup = evsignal_new(hub->base, SIGHUP, hub_signal, hub);
	if (hub->sigterm == NULL || hub->sigint == NULL || hub->sighup == NULL ||
	    evsignal_add(hub->sigterm, NULL) == -1 ||
	    evsignal_add(hub->sigint, NULL) == -1 ||
	    evsignal_add(hub->sighup, NULL) == -1)
		fatalx("cannot install signal handlers");
	for (i = 0; i < hub->conf->nlisten; i++)
		hub_listen(hub, &hub->conf->listen[i], CONN_MEMBER);
	if (!hub->conf->operator_off) {
		operator_start(hub);
		events_start(hub);
		hub_listen(hub, &hub->conf->operator_listen, CONN_OPERATOR);
	}
	hub_reserve();
	hub_start_links(hub);
	log_notice("kentongand %s ready: %zu members, %zu agreements, %zu "
	    "codes, last seq %lld", PACKAGE_VERSION, hub->conf->nmembers,
	    hub->conf->nagreements, hub->taxonomy->ncodes,
	    (long long)store_last_seq(hub->store));
	hub_notify_ready(hub);
	return (hub);
}

int
hub_run(struct hub *hub)
{
	if (event_base_dispatch(hub->base) == -1) {
		log_warnx("event loop failed");
		return (1);
	}
	log_notice("stopped");
	return (0);
}

void
hub_free(struct hub *hub)
{
	struct member_state	*ms;
	struct conn		*c, *next;

	if (hub == NULL)
		return;
	hub_unlisten(hub);
	committer_free(hub->committer);
	hub_stop_reads(hub);
	TAILQ_FOREACH_SAFE(c, &hub->conns, entry, next)
		conn_abort(c, NULL);
	store_close(hub->store);
	while ((ms = LIST_FIRST(&hub->members)) != NULL) {
		LIST_REMOVE(ms, entry);
		seqring_free(&ms->fanned);
		free(ms);
	}
	if (hub->sigterm != NULL)
		event_free(hub->sigterm);
	if (hub->sigint != NULL)
		event_free(hub->sigint);
	if (hub->sighup != NULL)
		event_free(hub->sighup);
	if (hub->watchdog != NULL)
		event_free(hub->watchdog);
	if (hub->deliveries_timer != NULL)
		event_free(hub->deliveries_timer);
	if (hub->summary != NULL)
		event_free(hub->summary);
	events_stop(hub);
	peer_links_free(hub);
	SSL_CTX_free(hub->member_ctx);
	SSL_CTX_free(hub->operator_ctx);
	SSL_CTX_free(hub->link_ctx);
	if (hub->dns != NULL)
		evdns_base_free(hub->dns, 0);
	taxonomy_free(hub->taxonomy);
	conf_free(hub->conf);
	if (hub->base != NULL)
		event_base_free(hub->base);
	free(hub->conf_file);
	free(hub);
}
