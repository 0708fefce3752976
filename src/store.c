/* The SQLite store: schema, migrations and the batched commit of reports. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "counts.h"
#include "log.h"
#include "posting.h"
#include "ratelimit.h"
#include "recipients.h"
#include "sdnotify.h"
#include "store.h"
#include "store_impl.h"
#include "timefmt.h"

/*
 * WAL frames (pages) past which the writer finishes the checkpoint itself
 * right after a commit, so that the WAL starts over from its beginning.
 */
#define STORE_WAL_RESTART_FRAMES	4096


/* SQLite tells the writer how long the WAL is after each commit. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store	*store = arg;

	(void)db;
	(void)name;
	store->wal_frames = frames;
	return (SQLITE_OK);
}

/*
 * The checkpoint thread copies the WAL into the database beside the
 * writer, but while commits keep coming it never catches the WAL's end,
 * and a WAL starts over only once all of it was copied: it would grow
 * without bound. So when it is long, the writer copies what is left (little:
 * the checkpoint thread did the rest) between two commits; the next commit
 * then writes from the WAL's beginning again.
 */
static void
store_wal_restart(struct store *store)
{
	int	frames = 0, copied = 0;

	if (store->wal_frames < STORE_WAL_RESTART_FRAMES)
		return;
	if (sqlite3_wal_checkpoint_v2(store->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &frames, &copied) == SQLITE_OK &&
	    frames == copied)
		store->wal_frames = 0;
}

/*
 * Each step takes the schema from version i to i + 1. A database is never
 * downgraded: a newer schema than this build knows is refused at start.
 */
static const char *store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE reports ("
	"  seq INTEGER PRIMARY KEY,"
	"  sender TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  code TEXT NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  tlp INTEGER NOT NULL,"
	"  observed_at INTEGER,"
	"  nrecipients INTEGER NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  body TEXT NOT NULL,"
	"  UNIQUE (sender, id));"
	"CREATE TABLE recipients ("
	"  seq INTEGER NOT NULL REFERENCES reports (seq),"
	"  member TEXT NOT NULL,"
	"  tier INTEGER NOT NULL,"
	"  PRIMARY KEY (seq, member)) WITHOUT ROWID;"
	"CREATE INDEX recipients_by_member ON recipients (member, seq);",
	/* 1 -> 2: acknowledgement cursors, and indexes for replay and query. */
	"CREATE TABLE cursors ("
	"  member TEXT PRIMARY KEY,"
	"  acked_seq INTEGER NOT NULL,"
	"  acked_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE acks ("
	"  member TEXT NOT NULL,"
	"  upto INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (member, upto)) WITHOUT ROWID;"
	"DROP INDEX recipients_by_member;"
	"CREATE INDEX recipients_by_member ON recipients (member, seq, tier);"
	"CREATE INDEX reports_by_sender ON reports (sender, seq);",
	/* 2 -> 3: when each member was sent what; history by code. */
	"CREATE TABLE deliveries ("
	"  member TEXT NOT NULL,"
	"  upto INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (member, upto)) WITHOUT ROWID;"
	"CREATE INDEX reports_by_code ON reports (code, seq);",
	/*
	 * 3 -> 4: one b-tree per recipient row instead of two. Replay and
	 * entitlement look up (member, seq); a report's own list of
	 * recipients and tiers lives in its row.
	 */
	"ALTER TABLE reports ADD COLUMN recipient_list TEXT NOT NULL "
	"  DEFAULT '';"
	"UPDATE reports SET recipient_list = COALESCE((SELECT "
	"  group_concat(member || ':' || tier, ' ') FROM recipients r "
	"  WHERE r.seq = reports.seq), '');"
	"CREATE TABLE recipients_v4 ("
	"  member TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  tier INTEGER NOT NULL,"
	"  PRIMARY KEY (member, seq)) WITHOUT ROWID;"
	"INSERT INTO recipients_v4 SELECT member, seq, tier "
	"  FROM recipients;"
	"DROP TABLE recipients;"
	"ALTER TABLE recipients_v4 RENAME TO recipients;",
	/*
	 * 4 -> 5: no row per recipient at all. With one b-tree keyed by
	 * member, a report for 50 members dirtied 50 leaf pages: at 1,000
	 * reports/s, over 200 MB/s of WAL. The list in the report row is
	 * the record; replay and entitlement read it in seq order.
	 */
	"DROP TABLE recipients;",
	/*
	 * 5 -> 6: posting lists and counts, so that a history query reads
	 * the reports it returns rather than every report, and statistics
	 * read counts. They replace the indexes by code and by sender.
	 * Report ids are UUIDs, compared without regard to case: the key is
	 * kept in lower case (the body keeps the text as sent). Ids that
	 * earlier builds stored twice in two cases keep both rows.
	 */
	"CREATE TABLE postings ("
	"  key TEXT NOT NULL,"
	"  block INTEGER NOT NULL,"
	"  bits BLOB NOT NULL,"
	"  PRIMARY KEY (key, block)) WITHOUT ROWID;"
	"CREATE TABLE counts ("
	"  span INTEGER NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  dimension TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (span, start, dimension, key)) WITHOUT ROWID;"
	"INSERT INTO counts SELECT s.span, r.received_at / 1000000 / s.span * "
	"  s.span, 'code', r.code, count(*) FROM reports r, (SELECT 86400 AS "
	"  span UNION ALL SELECT 3600) s GROUP BY 1, 2, 4;"
	"INSERT INTO counts SELECT s.span, r.received_at / 1000000 / s.span * "
	"  s.span, 'severity', CAST(r.severity AS TEXT), count(*) FROM "
	"  reports r, (SELECT 86400 AS span UNION ALL SELECT 3600) s "
	"  GROUP BY 1, 2, 4;"
	"INSERT INTO counts SELECT s.span, r.received_at / 1000000 / s.span * "
	"  s.span, 'sender', r.sender, count(*) FROM reports r, (SELECT 86400 "
	"  AS span UNION ALL SELECT 3600) s GROUP BY 1, 2, 4;"
	"UPDATE reports SET id = lower(id) WHERE id <> lower(id) AND NOT "
	"  EXISTS (SELECT 1 FROM reports o WHERE o.sender = reports.sender "
	"  AND o.id = lower(reports.id));"
	"DROP INDEX reports_by_code;"
	"DROP INDEX reports_by_sender;",
	/*
	 * 6 -> 7: reports forwarded by peer hubs. origin holds where one came
	 * from and the hubs it passed (forward.c's form); its id is keyed by
	 * origin hub, member and id, so a second copy through another peer
	 * is recognised whichever peer brings it.
	 */
	"ALTER TABLE reports ADD COLUMN origin TEXT;"
	"CREATE UNIQUE INDEX reports_by_origin ON reports (id) "
	"  WHERE origin IS NOT NULL;",
	/*
	 * 7 -> 8: the confidence ledger, one hash chain over every report
	 * accepted and every acknowledgement (ledger.h). A report keeps its
	 * entry's hash, which its alerts and receipt carry. What an older
	 * schema holds is chained once, in the order it happened.
	 */
	"CREATE TABLE ledger ("
	"  n INTEGER PRIMARY KEY,"
	"  kind INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  party TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  sig TEXT,"
	"  hash BLOB NOT NULL);"
	"CREATE INDEX ledger_by_party ON ledger (party, kind, seq);"
	"ALTER TABLE reports ADD COLUMN chain BLOB;",
};
#define STORE_NMIGRATIONS (sizeof store_migrations / sizeof store_migrations[0])
/* The versions that brought posting lists and the ledger, built by code. */
#define STORE_SCHEMA_POSTINGS	6
#define STORE_SCHEMA_LEDGER	8
_Static_assert(STORE_NMIGRATIONS == STORE_SCHEMA_VERSION,
    "one migration per schema version");

/* Set *cause to "path: what: sqlite's message". */
void
store_progress(struct store *store, const char *fmt, ...)
{
	va_list	 ap;
	char	 text[256], *state;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_info("store: %s: %s", store->path, text);
	/*
	 * Started by systemd, the hub is not ready until this is done: more
	 * time each time, rather than killed and restarted into the same
	 * work over and over.
	 */
	if (asprintf(&state, "EXTEND_TIMEOUT_USEC=%d\nSTATUS=%s",
	    STORE_PROGRESS_EXTEND_USEC, text) != -1) {
		(void)sdnotify(state);
		free(state);
	}
}

void
store_cause(struct store *store, char **cause, const char *what)
{
	if (asprintf(cause, "%s: %s: %s", store->path, what,
	    sqlite3_errmsg(store->db)) == -1)
		*cause = NULL;
}

/* Run a statement that returns no rows. */
static int
store_exec(struct store *store, const char *sql, char **cause)
{
	char	*message = NULL;

	if (sqlite3_exec(store->db, sql, NULL, NULL, &message) != SQLITE_OK) {
		if (cause != NULL && asprintf(cause, "%s: %s", store->path,
		    message != NULL ? message : "error") == -1)
			*cause = NULL;
		sqlite3_free(message);
		return (-1);
	}
	return (0);
}

/* The schema version recorded in the file (PRAGMA user_version). */
static int
store_schema_version(struct store *store, int *version)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt,
	    NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

static int	store_index_catch_up(struct store *, char **cause);
static int	store_prepare_index(struct store *, char **cause);

/*
 * Bring the schema up to STORE_SCHEMA_VERSION, one transaction per step (a
 * new database in one). Posting lists are built for what an older schema
 * holds in the step that brings them.
 */
static int
store_migrate(struct store *store, char **cause)
{
	char	 sql[64];
	int	 version, created;

	if (store_schema_version(store, &version) == -1) {
		store_cause(store, cause, "cannot read the schema version "
		    "(is it a kentongan database?)");
		return (-1);
	}
	if (version > (int)STORE_NMIGRATIONS) {
		if (asprintf(cause, "%s: schema version %d is newer than this "
		    "kentongand understands (%zu); upgrade kentongand",
		    store->path, version, STORE_NMIGRATIONS) == -1)
			*cause = NULL;
		return (-1);
	}
	if (version == (int)STORE_NMIGRATIONS)
		return (0);
	created = version == 0;
	if (created && store_exec(store, "BEGIN IMMEDIATE", cause) == -1)
		return (-1);
	for (; version < (int)STORE_NMIGRATIONS; version++) {
		if (!created && store_exec(store, "BEGIN IMMEDIATE",
		    cause) == -1)
			return (-1);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		    version + 1);
		if (store_exec(store, store_migrations[version], cause) == -1 ||
		    store_exec(store, sql, cause) == -1 ||
		    (version + 1 == STORE_SCHEMA_POSTINGS && !created &&
		    store_index_catch_up(store, cause) == -1) ||
		    (version + 1 == STORE_SCHEMA_LEDGER && !created &&
		    store_ledger_build(store, cause) == -1)) {
			store_exec(store, "ROLLBACK", NULL);
			return (-1);
		}
		if (created)
			continue;
		if (store_exec(store, "COMMIT", cause) == -1)
			return (-1);
		log_info("store: %s: schema migrated to version %d",
		    store->path, version + 1);
	}
	if (created) {
		if (store_exec(store, "COMMIT", cause) == -1)
			return (-1);
		log_info("store: %s: created, schema %d", store->path,
		    STORE_SCHEMA_VERSION);
	}
	return (0);
}

/* Prepare one statement kept for the life of the store. */
int
store_prepare(struct store *store, const char *sql, sqlite3_stmt **stmt,
    char **cause)
{
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    stmt, NULL) != SQLITE_OK) {
		store_cause(store, cause, "cannot prepare a statement");
		return (-1);
	}
	return (0);
}

/*
 * Hold an exclusive flock on the database file for the store's life. Two
 * hubs on one file would hand out the same sequence numbers; SQLite's own
 * locks are per transaction and cannot say "one writer process only".
 * flock and SQLite's POSIX locks do not interfere.
 */
static int
store_lock(struct store *store, char **cause)
{
	struct stat	sb;

	store->lock_fd = open(store->path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (store->lock_fd == -1) {
		if (asprintf(cause, "%s: cannot open the database: %s; check "
		    "that its directory exists and is writable by this user",
		    store->path, strerror(errno)) == -1)
			*cause = NULL;
		return (-1);
	}
	if (fstat(store->lock_fd, &sb) == 0) {
		store->dev = sb.st_dev;
		store->ino = sb.st_ino;
	}
	if (flock(store->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		if (asprintf(cause, "%s: the database is locked by another "
		    "process (another kentongand?): %s", store->path,
		    errno == EWOULDBLOCK ? "in use" : strerror(errno)) == -1)
			*cause = NULL;
		return (-1);
	}
	return (0);
}

/* Make a multi-line SQLite report fit on one log line. */
static void
store_one_line(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r')
			*s = ' ';
	}
}

/* Refuse a damaged file at start rather than fail on it later. */
static int
store_quick_check(struct store *store, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*result;
	int		 rc, ok = 0;

	if (sqlite3_prepare_v2(store->db, "PRAGMA quick_check(1)", -1, &stmt,
	    NULL) != SQLITE_OK) {
		store_cause(store, cause, "the database is unreadable");
		return (-1);
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		result = (const char *)sqlite3_column_text(stmt, 0);
		if (result != NULL && strcmp(result, "ok") == 0)
			ok = 1;
		else if (asprintf(cause, "%s: the database is corrupt (%s); "
		    "restore it from a backup", store->path,
		    result != NULL ? result : "?") == -1)
			*cause = NULL;
		else
			store_one_line(*cause);
	} else
		store_cause(store, cause, "the database is corrupt; restore "
		    "it from a backup");
	sqlite3_finalize(stmt);
	return (ok ? 0 : -1);
}

/* The highest sequence number stored (0 if none) and its receive time. */
static int
store_load_last_seq(struct store *store)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(store->db, "SELECT seq, received_at FROM "
	    "reports ORDER BY seq DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store->last_seq = sqlite3_column_int64(stmt, 0);
		store->last_received_at = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1);
}

struct store *
store_open(const char *path, char **cause)
{
	return (store_open_peers(path, NULL, 0, cause));
}

struct store *
store_open_peers(const char *path, const char *const *peers, size_t npeers,
    char **cause)
{
	struct store	*store;
	int		 rc;

	*cause = NULL;
	if ((store = calloc(1, sizeof *store)) == NULL) {
		if (asprintf(cause, "%s: out of memory", path) == -1)
			*cause = NULL;
		return (NULL);
	}
	store->lock_fd = -1;
	store->peers = peers;
	store->npeers = npeers;
	if ((store->path = strdup(path)) == NULL) {
		if (asprintf(cause, "%s: out of memory", path) == -1)
			*cause = NULL;
		goto fail;
	}
	if (store_lock(store, cause) == -1)
		goto fail;
	rc = sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_cause(store, cause, "cannot open the database");
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	/*
	 * A backup or an operator's sqlite3 may hold a lock for a moment;
	 * waiting costs only the commit thread, never the event loop.
	 */
	sqlite3_busy_timeout(store->db, 2000);
	/*
	 * WAL with synchronous=FULL: a commit returns only after its WAL
	 * frames are fsync'd, which is what "durable before visible" needs.
	 */
	if (store_exec(store, "PRAGMA journal_mode = WAL", NULL) == -1 ||
	    store_exec(store, "PRAGMA synchronous = FULL", NULL) == -1 ||
	    store_exec(store, "PRAGMA wal_autocheckpoint = 0", NULL) == -1 ||
	    store_exec(store, "PRAGMA foreign_keys = ON", NULL) == -1) {
		store_cause(store, cause, "cannot set up the database "
		    "(is it corrupt, locked by another process, or not a "
		    "database?)");
		goto fail;
	}
	/* Replaces SQLite's own automatic checkpoints, switched off above. */
	sqlite3_wal_hook(store->db, store_wal_hook, store);
	if (store_quick_check(store, cause) == -1)
		goto fail;
	if (store_migrate(store, cause) == -1)
		goto fail;
	/*
	 * Ids are keyed in lower case (schema 6). A twin that an earlier
	 * build stored in another case is found as it was sent.
	 */
	if (store_prepare(store, "SELECT seq, digest, nrecipients, body, "
	    "chain, received_at FROM reports WHERE sender = ?1 AND id = ?2 AND "
	    "origin IS NULL", &store->find, cause) == -1 ||
	    store_prepare(store, "SELECT seq, digest, nrecipients, body, chain, "
	    "received_at FROM reports WHERE id = ?1 AND origin IS NOT NULL",
	    &store->find_forward, cause) == -1 ||
	    store_prepare(store, "INSERT INTO reports (seq, sender, id, "
	    "received_at, code, severity, tlp, observed_at, nrecipients, "
	    "digest, body, recipient_list, origin, chain) VALUES (?1, ?2, CASE "
	    "WHEN ?13 IS NULL THEN lower(?3) ELSE ?3 END, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14)",
	    &store->insert_report, cause) == -1 ||
	    store_prepare(store, "INSERT INTO cursors (member, acked_seq, "
	    "acked_at) VALUES (?1, ?2, ?3) ON CONFLICT (member) DO UPDATE SET "
	    "acked_seq = excluded.acked_seq, acked_at = excluded.acked_at "
	    "WHERE excluded.acked_seq > cursors.acked_seq", &store->set_cursor,
	    cause) == -1 ||
	    store_prepare(store, "INSERT OR IGNORE INTO acks (member, upto, at) "
	    "VALUES (?1, ?2, ?3)", &store->log_ack, cause) == -1 ||
	    store_prepare(store, "INSERT OR IGNORE INTO deliveries (member, "
	    "upto, at) VALUES (?1, ?2, ?3)", &store->log_delivery,
	    cause) == -1)
		goto fail;
	if (store_ledger_open(store, cause) == -1)
		goto fail;
	store->ledger = 1;
	/* A damaged head is logged; verify --ledger says what changed. */
	store_ledger_check_head(store);
	if (store_prepare_index(store, cause) == -1 ||
	    (store->tally = counts_tally_new()) == NULL) {
		if (*cause == NULL && asprintf(cause, "%s: out of memory",
		    path) == -1)
			*cause = NULL;
		goto fail;
	}
	if (store_exec(store, "BEGIN IMMEDIATE", cause) == -1 ||
	    store_index_catch_up(store, cause) == -1 ||
	    store_exec(store, "COMMIT", cause) == -1) {
		if (!sqlite3_get_autocommit(store->db))
			store_exec(store, "ROLLBACK", NULL);
		goto fail;
	}
	if (store_load_last_seq(store) == -1) {
		store_cause(store, cause, "cannot read the last sequence number");
		goto fail;
	}
	store->peers = NULL;
	store->npeers = 0;
	return (store);
fail:
	store_close(store);
	return (NULL);
}

void
store_close(struct store *store)
{
	if (store == NULL)
		return;
	sqlite3_finalize(store->find);
	sqlite3_finalize(store->find_forward);
	store_ledger_close(store);
	sqlite3_finalize(store->insert_report);
	sqlite3_finalize(store->set_cursor);
	sqlite3_finalize(store->log_ack);
	sqlite3_finalize(store->log_delivery);
	sqlite3_finalize(store->add_count);
	sqlite3_finalize(store->block_rows);
	sqlite3_finalize(store->put_posting);
	counts_tally_free(store->tally);
	if (store->db != NULL && sqlite3_close(store->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", store->path,
		    sqlite3_errmsg(store->db));
	if (store->lock_fd != -1)
		close(store->lock_fd);
	free(store->path);
	free(store);
}

const char *
store_path(const struct store *store)
{
	return (store->path);
}

int64_t
store_last_seq(struct store *store)
{
	return (store->last_seq);
}

int64_t
store_last_received_at(const struct store *store)
{
	return (store->last_received_at);
}

/*
 * 1 if two stored bodies are the same JSON value (key order aside). Only
 * reached when their digests differ, which is rare.
 */
static int
store_same_report(const char *stored, const char *body)
{
	json_t	*a, *b;
	int	 same;

	if (stored == NULL || body == NULL)
		return (0);
	a = json_loads(stored, 0, NULL);
	b = json_loads(body, 0, NULL);
	same = a != NULL && b != NULL && json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return (same);
}

/*
 * Look for an earlier report with the same (sender, id). Returns 1 and
 * fills the result fields if there is one, 0 if not, -1 on error.
 */
/* Room for an id in lower case (UUIDs; anything longer goes as it is). */
#define STORE_ID_LOOKUP_MAX	128

static int
store_find_earlier(struct store *store, struct store_report *r)
{
	sqlite3_stmt	*stmt;
	const void	*digest;
	char		 lower[STORE_ID_LOOKUP_MAX];
	size_t		 i, len;
	int		 rc, found = 0;

	/* A forwarded report is the same whichever peer brought it. */
	if (r->origin != NULL) {
		stmt = store->find_forward;
		sqlite3_bind_text(stmt, 1, r->id, -1, SQLITE_STATIC);
	} else {
		stmt = store->find;
		sqlite3_bind_text(stmt, 1, r->sender, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, r->id, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(stmt);
	/*
	 * The id as given first (a twin an earlier build stored in that
	 * case), then in lower case, as keys are. Two lookups by the unique
	 * index rather than one with an ORDER BY, which built a temporary
	 * b-tree for every report.
	 */
	if (rc == SQLITE_DONE && r->origin == NULL &&
	    (len = strlen(r->id)) < sizeof lower) {
		for (i = 0; i <= len; i++)
			lower[i] = (char)(r->id[i] >= 'A' && r->id[i] <= 'Z' ?
			    r->id[i] - 'A' + 'a' : r->id[i]);
		if (strcmp(lower, r->id) != 0) {
			sqlite3_reset(stmt);
			sqlite3_bind_text(stmt, 2, lower, -1, SQLITE_STATIC);
			rc = sqlite3_step(stmt);
		}
	}
	if (rc == SQLITE_ROW) {
		found = 1;
		digest = sqlite3_column_blob(stmt, 1);
		if ((sqlite3_column_bytes(stmt, 1) == STORE_DIGEST_LEN &&
		    digest != NULL &&
		    memcmp(digest, r->digest, STORE_DIGEST_LEN) == 0) ||
		    store_same_report((const char *)sqlite3_column_text(stmt,
		    3), r->body)) {
			r->seq = sqlite3_column_int64(stmt, 0);
			r->nrecipients = (size_t)sqlite3_column_int64(stmt, 2);
			r->duplicate = 1;
			/* The receipt of a duplicate is the first one's. */
			r->stored_received_at = sqlite3_column_int64(stmt, 5);
			r->has_chain = sqlite3_column_bytes(stmt, 4) ==
			    LEDGER_HASH_LEN && ledger_digest(
			    sqlite3_column_text(stmt, 3),
			    (size_t)sqlite3_column_bytes(stmt, 3),
			    r->stored_digest) == 0;
			if (r->has_chain)
				memcpy(r->chain, sqlite3_column_blob(stmt, 4),
				    LEDGER_HASH_LEN);
		} else
			r->error = PROTO_ID_CONFLICT;
	} else if (rc != SQLITE_DONE)
		found = -1;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (found);
}

/*
 * Insert one new report under seq, with its recipient list and, with the
 * ledger on, its entry: the chain is appended first, so that the row
 * holds its entry's hash.
 */
static int
store_insert(struct store *store, struct store_report *r, int64_t seq)
{
	sqlite3_stmt		*stmt = store->insert_report;
	struct ledger_entry	 e;
	char			*list;
	int			 rc;

	if ((list = recipients_encode(&r->recipients)) == NULL)
		return (-1);
	r->has_chain = 0;
	if (store->ledger) {
		memset(&e, 0, sizeof e);
		e.kind = LEDGER_REPORT;
		e.seq = seq;
		e.party = r->sender;
		e.at = r->received_at;
		e.recipients = list;
		e.origin = r->origin;
		if (ledger_digest(r->body, strlen(r->body), e.digest) == -1 ||
		    store_ledger_append(store, &e, r->chain) == -1) {
			free(list);
			return (-1);
		}
		memcpy(r->stored_digest, e.digest, LEDGER_HASH_LEN);
		r->stored_received_at = r->received_at;
		r->has_chain = 1;
	}

	sqlite3_bind_int64(stmt, 1, seq);
	sqlite3_bind_text(stmt, 2, r->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, r->received_at);
	sqlite3_bind_text(stmt, 5, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, (int)r->severity);
	sqlite3_bind_int(stmt, 7, (int)r->tlp);
	if (r->has_observed_at)
		sqlite3_bind_int64(stmt, 8, r->observed_at);
	else
		sqlite3_bind_null(stmt, 8);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)r->recipients.n);
	sqlite3_bind_blob(stmt, 10, r->digest, STORE_DIGEST_LEN, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 11, r->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 12, list, -1, free);
	if (r->origin != NULL)
		sqlite3_bind_text(stmt, 13, r->origin, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 13);
	if (r->has_chain)
		sqlite3_bind_blob(stmt, 14, r->chain, LEDGER_HASH_LEN,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 14);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Prepare the statements of posting lists and counts, once they exist. */
static int
store_prepare_index(struct store *store, char **cause)
{
	if (store->block_rows != NULL)
		return (0);
	if (store_prepare(store, "SELECT seq, sender, code, severity, tlp, "
	    "recipient_list FROM reports WHERE seq >= ?1 AND seq < ?2 ORDER BY "
	    "seq", &store->block_rows, cause) == -1 ||
	    store_prepare(store, "INSERT OR REPLACE INTO postings (key, block, "
	    "bits) VALUES (?1, ?2, ?3)", &store->put_posting, cause) == -1 ||
	    store_prepare(store, "INSERT INTO counts (span, start, dimension, "
	    "key, n) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (span, start, "
	    "dimension, key) DO UPDATE SET n = n + excluded.n",
	    &store->add_count, cause) == -1)
		return (-1);
	return (0);
}

/* Store one posting list. */
static int
store_put_posting(struct store *store, const char *key, int64_t block,
    const struct posting_bits *bits)
{
	sqlite3_stmt	*stmt = store->put_posting;
	unsigned char	 blob[POSTING_BYTES];
	int		 rc;

	posting_bits_encode(bits, blob);
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, block);
	sqlite3_bind_blob(stmt, 3, blob, sizeof blob, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/*
 * Build the posting lists of a completed block from its reports, inside
 * the caller's transaction. The "*" list marks the block as done, even an
 * empty one.
 */
static int
store_index_block(struct store *store, int64_t block)
{
	struct posting_builder		*b;
	const struct posting_bits	*bits;
	struct posting_bits		 none;
	sqlite3_stmt			*rows = store->block_rows;
	const char			*key, *sender, *code, *list;
	size_t				 i;
	int				 rc, ok = -1;

	if ((b = posting_builder_new(block)) == NULL)
		return (-1);
	sqlite3_bind_int64(rows, 1, posting_block_start(block));
	sqlite3_bind_int64(rows, 2, posting_block_start(block + 1));
	while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
		sender = (const char *)sqlite3_column_text(rows, 1);
		code = (const char *)sqlite3_column_text(rows, 2);
		list = (const char *)sqlite3_column_text(rows, 5);
		if (sender == NULL || code == NULL || list == NULL)
			continue;
		if (posting_builder_add(b, sqlite3_column_int64(rows, 0),
		    sender, code, (enum severity)sqlite3_column_int(rows, 3),
		    (enum tlp)sqlite3_column_int(rows, 4), list) == -1)
			goto done;
	}
	if (rc != SQLITE_DONE)
		goto done;
	if (posting_builder_count(b) == 0) {
		posting_bits_clear(&none);
		if (store_put_posting(store, POSTING_ALL, block, &none) == -1)
			goto done;
	}
	for (i = 0; i < posting_builder_count(b); i++) {
		posting_builder_entry(b, i, &key, &bits);
		if (store_put_posting(store, key, block, bits) == -1)
			goto done;
	}
	ok = 0;
done:
	sqlite3_reset(rows);
	sqlite3_clear_bindings(rows);
	posting_builder_free(b);
	return (ok);
}

/* The last block with posting lists, -1 if none; -2 on error. */
static int64_t
store_indexed_block(struct store *store)
{
	sqlite3_stmt	*stmt;
	int64_t		 block = -2;

	if (sqlite3_prepare_v2(store->db, "SELECT COALESCE(max(block), -1) "
	    "FROM postings WHERE key = '" POSTING_ALL "'", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return (-2);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		block = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (block);
}

/*
 * Build the posting lists of every completed block that has none, inside
 * the caller's transaction: once, for a database from before they
 * existed, with progress in the log.
 */
static int
store_index_catch_up(struct store *store, char **cause)
{
	sqlite3_stmt	*stmt;
	int64_t		 indexed, last = 0, block, done_blocks = 0, todo;
	int64_t		 started = time_now_usec(), next_note;

	if (store_prepare_index(store, cause) == -1)
		return (-1);
	if ((indexed = store_indexed_block(store)) == -2 ||
	    sqlite3_prepare_v2(store->db, "SELECT COALESCE(max(seq), 0) FROM "
	    "reports", -1, &stmt, NULL) != SQLITE_OK) {
		store_cause(store, cause, "cannot read the posting lists");
		return (-1);
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		last = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	todo = posting_block(last + 1) - 1 - indexed;
	if (todo <= 0)
		return (0);
	if (todo > 64)
		store_progress(store, "building the posting lists of %lld "
		    "reports", (long long)last);
	next_note = started + 10000000;
	for (block = indexed + 1; block < posting_block(last + 1); block++) {
		if (store_index_block(store, block) == -1) {
			store_cause(store, cause, "cannot build the posting "
			    "lists");
			return (-1);
		}
		done_blocks++;
		if (time_now_usec() >= next_note) {
			store_progress(store, "posting lists: %lld%% done",
			    (long long)(done_blocks * 100 / todo));
			next_note += 10000000;
		}
	}
	if (todo > 64)
		log_info("store: %s: posting lists built in %.1f s",
		    store->path, (double)(time_now_usec() - started) / 1e6);
	return (0);
}

/* Add the counts of this commit's new reports to the stored ones. */
static int
store_add_counts(struct store *store)
{
	sqlite3_stmt	*stmt = store->add_count;
	const char	*dimension, *key;
	int64_t		 span, start, n;
	size_t		 i;
	int		 rc;

	for (i = 0; i < counts_tally_size(store->tally); i++) {
		counts_tally_entry(store->tally, i, &span, &start, &dimension,
		    &key, &n);
		sqlite3_bind_int64(stmt, 1, span);
		sqlite3_bind_int64(stmt, 2, start);
		sqlite3_bind_text(stmt, 3, dimension, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 5, n);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		if (rc != SQLITE_DONE)
			return (-1);
	}
	return (0);
}

/* The ledger's entry for a new acknowledgement (or a forward taken). */
static int
store_ledger_ack(struct store *store, const struct store_mark *mark)
{
	struct ledger_entry	e;
	unsigned char		hash[LEDGER_HASH_LEN];

	if (!store->ledger)
		return (0);
	memset(&e, 0, sizeof e);
	e.kind = mark->peer ? LEDGER_FORWARD : LEDGER_ACK;
	e.seq = mark->seq;
	e.party = mark->member;
	e.at = mark->at;
	e.sig = !mark->peer && mark->sig[0] != '\0' ? mark->sig : NULL;
	return (store_ledger_append(store, &e, hash));
}

void
store_set_ledger(struct store *store, int on)
{
	store->ledger = on;
}

int64_t
store_ledger_head(const struct store *store, unsigned char hash[LEDGER_HASH_LEN])
{
	memcpy(hash, store->ledger_head, LEDGER_HASH_LEN);
	return (store->ledger_n);
}

/* Run one prepared statement with (member, seq, at). */
static int
store_step_mark(sqlite3_stmt *stmt, const struct store_mark *ack)
{
	int	rc;

	sqlite3_bind_text(stmt, 1, ack->member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, ack->seq);
	sqlite3_bind_int64(stmt, 3, ack->at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Stop committing for good, and say why once, loudly. */
static void
store_break(struct store *store, const char *why)
{
	if (store->broken)
		return;
	snprintf(store->broken_why, sizeof store->broken_why, "%s", why);
	store->broken = 1;
	log_warnx("store: %s: %s; every report is refused with internal_error "
	    "from now on: restore the database from a backup and restart "
	    "kentongand", store->path, why);
}

/*
 * The file SQLite writes to must still be the one at the path. Deleted
 * (no link left) or replaced (another file at the path), commits would go
 * to a file nobody will ever open again, or start the seqs over.
 */
static int
store_check_file(struct store *store)
{
	struct stat	open_sb, path_sb;

	if (store->lock_fd == -1 || fstat(store->lock_fd, &open_sb) == -1)
		return (0);
	if (open_sb.st_nlink == 0) {
		store_break(store, "the database file was deleted while the "
		    "hub ran");
		return (-1);
	}
	if (stat(store->path, &path_sb) == -1 ||
	    path_sb.st_dev != store->dev || path_sb.st_ino != store->ino) {
		store_break(store, "the database file was replaced or moved "
		    "while the hub ran");
		return (-1);
	}
	return (0);
}

const char *
store_broken(const struct store *store)
{
	return (store->broken ? store->broken_why : NULL);
}

int
store_commit(struct store *store, struct store_report **batch, size_t n,
    const struct store_mark *marks, size_t nmarks)
{
	int64_t		 seq = store->last_seq;
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];
	size_t		 i;
	int		 found, code;
	int64_t		 block, saved_n = store->ledger_n;
	unsigned char	 saved_head[LEDGER_HASH_LEN];

	memcpy(saved_head, store->ledger_head, LEDGER_HASH_LEN);
	counts_tally_reset(store->tally);
	if (store->broken || store_check_file(store) == -1)
		goto refuse;
	if (store_exec(store, "BEGIN IMMEDIATE", NULL) == -1)
		goto rollback;
	for (i = 0; i < n; i++) {
		struct store_report *r = batch[i];

		r->error = PROTO_OK;
		r->duplicate = 0;
		/* An earlier report of the same batch is found here too. */
		if ((found = store_find_earlier(store, r)) == -1)
			goto rollback;
		if (found)
			continue;
		if (store_insert(store, r, seq + 1) == -1 ||
		    counts_tally_report(store->tally, r->received_at, r->code,
		    (int)r->severity, r->sender) == -1)
			goto rollback;
		r->seq = ++seq;
		r->nrecipients = r->recipients.n;
	}
	if (store_add_counts(store) == -1)
		goto rollback;
	/* The blocks this batch completed get their posting lists. */
	for (block = posting_block(store->last_seq + 1);
	    block < posting_block(seq + 1); block++) {
		if (store_index_block(store, block) == -1)
			goto rollback;
	}
	for (i = 0; i < nmarks; i++) {
		if (marks[i].kind == STORE_MARK_ACK &&
		    (store_step_mark(store->set_cursor, &marks[i]) == -1 ||
		    store_step_mark(store->log_ack, &marks[i]) == -1 ||
		    (sqlite3_changes(store->db) > 0 &&
		    store_ledger_ack(store, &marks[i]) == -1)))
			goto rollback;
		if (marks[i].kind == STORE_MARK_DELIVERED &&
		    store_step_mark(store->log_delivery, &marks[i]) == -1)
			goto rollback;
	}
	if (store_exec(store, "COMMIT", NULL) == -1)
		goto rollback;
	store->last_seq = seq;
	store_wal_restart(store);
	if (store->failed_commits > 0) {
		log_notice("store: %s: commits succeed again, after %llu that "
		    "failed", store->path,
		    (unsigned long long)store->failed_commits);
		store->failed_commits = 0;
		store->commit_errors.last_usec = 0;
	}
	return (0);

rollback:
	code = sqlite3_errcode(store->db) & 0xff;
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		store_break(store, "the database is corrupt (database disk "
		    "image is malformed)");
	/*
	 * A full, read-only or failing disk: every commit fails until it
	 * heals, and each one would log. One line per interval says it all.
	 */
	store->failed_commits++;
	if (!store->broken && throttle_pass(&store->commit_errors,
	    time_now_usec(), THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("store: %s: commit of %zu reports and %zu positions "
		    "failed: %s; reports are refused with internal_error until "
		    "the disk accepts writes again%s", store->path, n, nmarks,
		    sqlite3_errmsg(store->db), throttle_note(note, suppressed));
	if (!sqlite3_get_autocommit(store->db))
		store_exec(store, "ROLLBACK", NULL);
	/* Nothing of the failed transaction is in the chain. */
	store->ledger_n = saved_n;
	memcpy(store->ledger_head, saved_head, LEDGER_HASH_LEN);
	goto failed;

refuse:
	store->failed_commits++;
	if (n > 0 && throttle_pass(&store->commit_errors, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("store: %s: %zu reports refused: %s%s", store->path,
		    n, store->broken_why, throttle_note(note, suppressed));
failed:
	for (i = 0; i < n; i++) {
		batch[i]->error = PROTO_INTERNAL_ERROR;
		batch[i]->duplicate = 0;
		batch[i]->seq = 0;
	}
	return (-1);
}

struct store_checkpointer {
	sqlite3		*db;
	char		*path;
	struct throttle	 errors;
};

struct store_checkpointer *
store_checkpointer_open(const char *path, char **cause)
{
	struct store_checkpointer	*cp;

	*cause = NULL;
	if ((cp = calloc(1, sizeof *cp)) == NULL ||
	    (cp->path = strdup(path)) == NULL) {
		free(cp);
		if (asprintf(cause, "%s: out of memory", path) == -1)
			*cause = NULL;
		return (NULL);
	}
	if (sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (asprintf(cause, "%s: cannot open for checkpoints: %s", path,
		    sqlite3_errmsg(cp->db)) == -1)
			*cause = NULL;
		store_checkpointer_close(cp);
		return (NULL);
	}
	sqlite3_busy_timeout(cp->db, 1000);
	/*
	 * A connection learns that the file is in WAL mode only when it first
	 * reads it; until then sqlite3_wal_checkpoint_v2() does nothing and
	 * says SQLITE_OK, and the WAL grows without end. Read it now.
	 */
	if (sqlite3_exec(cp->db, "SELECT count(*) FROM sqlite_schema", NULL,
	    NULL, NULL) != SQLITE_OK) {
		if (asprintf(cause, "%s: cannot open for checkpoints: %s", path,
		    sqlite3_errmsg(cp->db)) == -1)
			*cause = NULL;
		store_checkpointer_close(cp);
		return (NULL);
	}
	return (cp);
}

int
store_checkpoint(struct store_checkpointer *cp)
{
	uint64_t	suppressed;
	char		note[THROTTLE_NOTE_MAX];
	int		rc, wal = 0, done = 0;

	rc = sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &wal, &done);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		if (throttle_pass(&cp->errors, time_now_usec(),
		    THROTTLE_INTERVAL_USEC, &suppressed))
			log_warnx("store: %s: checkpoint: %s%s", cp->path,
			    sqlite3_errmsg(cp->db),
			    throttle_note(note, suppressed));
		return (-1);
	}
	return (0);
}

void
store_checkpointer_close(struct store_checkpointer *cp)
{
	if (cp == NULL)
		return;
	sqlite3_close(cp->db);
	free(cp->path);
	free(cp);
}

void
store_report_free(struct store_report *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->sent_id);
	free(r->body);
	free(r->code);
	free(r->ref);
	free(r->origin);
	free(r->receipt_sig);
	policy_set_clear(&r->recipients);
	free(r);
}
