/* The SQLite store: schema, migrations and the batched commit of reports. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "log.h"
#include "ratelimit.h"
#include "store.h"
#include "timefmt.h"

/*
 * WAL frames (pages) past which the writer finishes the checkpoint itself
 * right after a commit, so that the WAL starts over from its beginning.
 */
#define STORE_WAL_RESTART_FRAMES	4096

struct store {
	sqlite3		*db;
	int		 lock_fd;
	char		*path;
	sqlite3_stmt	*find;
	sqlite3_stmt	*insert_report;
	sqlite3_stmt	*set_cursor;
	sqlite3_stmt	*log_ack;
	sqlite3_stmt	*log_delivery;
	int64_t		 last_seq;
	uint64_t	 failed_commits;	/* in a row */
	struct throttle	 commit_errors;
	int		 wal_frames;	/* in the WAL after the last commit */
};

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
};
#define STORE_NMIGRATIONS (sizeof store_migrations / sizeof store_migrations[0])
_Static_assert(STORE_NMIGRATIONS == STORE_SCHEMA_VERSION,
    "one migration per schema version");

/* Set *cause to "path: what: sqlite's message". */
static void
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

/* Bring the schema up to STORE_SCHEMA_VERSION, one transaction per step. */
static int
store_migrate(struct store *store, char **cause)
{
	char	 sql[64];
	int	 version;

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
	for (; version < (int)STORE_NMIGRATIONS; version++) {
		if (store_exec(store, "BEGIN IMMEDIATE", cause) == -1)
			return (-1);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		    version + 1);
		if (store_exec(store, store_migrations[version], cause) == -1 ||
		    store_exec(store, sql, cause) == -1) {
			store_exec(store, "ROLLBACK", NULL);
			return (-1);
		}
		if (store_exec(store, "COMMIT", cause) == -1)
			return (-1);
		log_info("store: %s: schema migrated to version %d",
		    store->path, version + 1);
	}
	return (0);
}

/* Prepare one statement kept for the life of the store. */
static int
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
	store->lock_fd = open(store->path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (store->lock_fd == -1) {
		if (asprintf(cause, "%s: cannot open the database: %s; check "
		    "that its directory exists and is writable by this user",
		    store->path, strerror(errno)) == -1)
			*cause = NULL;
		return (-1);
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

/* The highest sequence number stored, 0 for an empty store. */
static int
store_load_last_seq(struct store *store)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(store->db, "SELECT COALESCE(MAX(seq), 0) "
	    "FROM reports", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		store->last_seq = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

struct store *
store_open(const char *path, char **cause)
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
	if (store_prepare(store, "SELECT seq, digest, nrecipients, body FROM "
	    "reports WHERE sender = ?1 AND id = ?2", &store->find, cause) == -1 ||
	    store_prepare(store, "INSERT INTO reports (seq, sender, id, "
	    "received_at, code, severity, tlp, observed_at, nrecipients, "
	    "digest, body, recipient_list) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12)", &store->insert_report, cause) == -1 ||
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
	if (store_load_last_seq(store) == -1) {
		store_cause(store, cause, "cannot read the last sequence number");
		goto fail;
	}
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
	sqlite3_finalize(store->insert_report);
	sqlite3_finalize(store->set_cursor);
	sqlite3_finalize(store->log_ack);
	sqlite3_finalize(store->log_delivery);
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
static int
store_find_earlier(struct store *store, struct store_report *r)
{
	sqlite3_stmt	*stmt = store->find;
	const void	*digest;
	int		 rc, found = 0;

	sqlite3_bind_text(stmt, 1, r->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
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
		} else
			r->error = PROTO_ID_CONFLICT;
	} else if (rc != SQLITE_DONE)
		found = -1;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (found);
}

/* "SG:1 MY:0": the recipients and their tiers, malloc'd. */
static char *
store_recipient_list(const struct policy_set *set)
{
	char	*list, *p;
	size_t	 i;

	/* An ID is at most 32 bytes, plus ":T " each. */
	if ((list = malloc(set->n * (CONF_MEMBER_ID_MAX + 3) + 1)) == NULL)
		return (NULL);
	p = list;
	for (i = 0; i < set->n; i++)
		p += sprintf(p, "%s%s:%d", i > 0 ? " " : "",
		    set->list[i].member, (int)set->list[i].tier);
	*p = '\0';
	return (list);
}

/* Insert one new report and its recipients under seq. */
static int
store_insert(struct store *store, struct store_report *r, int64_t seq)
{
	sqlite3_stmt	*stmt = store->insert_report;
	char		*list;
	int		 rc;

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
	if ((list = store_recipient_list(&r->recipients)) == NULL)
		return (-1);
	sqlite3_bind_text(stmt, 12, list, -1, free);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
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

int
store_commit(struct store *store, struct store_report **batch, size_t n,
    const struct store_mark *marks, size_t nmarks)
{
	int64_t		 seq = store->last_seq;
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];
	size_t		 i;
	int		 found;

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
		if (store_insert(store, r, seq + 1) == -1)
			goto rollback;
		r->seq = ++seq;
		r->nrecipients = r->recipients.n;
	}
	for (i = 0; i < nmarks; i++) {
		if (marks[i].kind == STORE_MARK_ACK &&
		    (store_step_mark(store->set_cursor, &marks[i]) == -1 ||
		    store_step_mark(store->log_ack, &marks[i]) == -1))
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
	/*
	 * A full, read-only or failing disk: every commit fails until it
	 * heals, and each one would log. One line per interval says it all.
	 */
	store->failed_commits++;
	if (throttle_pass(&store->commit_errors, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("store: %s: commit of %zu reports and %zu positions "
		    "failed: %s; reports are refused with internal_error until "
		    "the disk accepts writes again%s", store->path, n, nmarks,
		    sqlite3_errmsg(store->db), throttle_note(note, suppressed));
	if (!sqlite3_get_autocommit(store->db))
		store_exec(store, "ROLLBACK", NULL);
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
	free(r->body);
	free(r->code);
	free(r->ref);
	policy_set_clear(&r->recipients);
	free(r);
}
