/* Unit tests of the SQLite store: schema, sequence numbers, idempotency and failures. */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"

/* A fresh directory per test, holding the database file. */
static char	tmpdir[1024];
static char	dbpath[PATH_MAX];

static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_store.XXXXXX", base);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(dbpath, sizeof dbpath, "%s/kentongan.db", tmpdir);
}

/* A file size limit in force, to be lifted even if the test fails. */
static struct rlimit	saved_fsize;
static int		fsize_limited;

/* Make writes that grow a file past max fail, as on a full disk. */
static void
limit_file_size(rlim_t max)
{
	struct rlimit	rl;

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
	rl = saved_fsize;
	rl.rlim_cur = max;
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	fsize_limited = 1;
}

static void
unlimit_file_size(void)
{
	if (!fsize_limited)
		return;
	setrlimit(RLIMIT_FSIZE, &saved_fsize);
	signal(SIGXFSZ, SIG_DFL);
	fsize_limited = 0;
}

static void
teardown(void)
{
	struct dirent	*de;
	char		 path[PATH_MAX];
	DIR		*dir;

	unlimit_file_size();
	if (tmpdir[0] == '\0')
		return;
	chmod(tmpdir, 0700);
	if ((dir = opendir(tmpdir)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
			unlink(path);
		}
		closedir(dir);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

/* Open the store at dbpath, failing the test on error. */
static struct store *
open_store(void)
{
	struct store	*store;
	char		*cause = NULL;

	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s",
	    cause != NULL ? cause : "(null)");
	ck_assert_ptr_null(cause);
	return (store);
}

/* The cause of a refused store_open of dbpath (caller frees). */
static char *
open_error(void)
{
	struct store	*store;
	char		*cause = NULL;

	store = store_open(dbpath, &cause);
	if (store != NULL) {
		store_close(store);
		ck_abort_msg("store_open of %s succeeded", dbpath);
	}
	ck_assert_msg(cause != NULL, "store_open failed without a cause");
	return (cause);
}

/*
 * A report as the submitter fills it. digest is repeated over the digest;
 * rcpt is "MEMBER:T ..." with T one of B (bilateral), R (regional) or
 * G (global), or "".
 */
static struct store_report *
report_new(const char *sender, const char *id, int digest, const char *rcpt)
{
	struct store_report	*r;
	const char		*p;
	size_t			 n = 0, len;

	r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_le(strlen(sender), CONF_MEMBER_ID_MAX);
	strcpy(r->sender, sender);
	r->id = strdup(id);
	ck_assert_int_ne(asprintf(&r->body, "{\"id\":\"%s\",\"code\":"
	    "\"test/test\",\"severity\":\"low\",\"tlp\":\"green\","
	    "\"title\":\"t%d\"}", id, digest), -1);
	memset(r->digest, digest, sizeof r->digest);
	r->code = strdup("test/test");
	r->severity = SEVERITY_LOW;
	r->tlp = TLP_GREEN;
	r->received_at = INT64_C(1763700000000000) + digest;
	ck_assert_ptr_nonnull(r->id);
	ck_assert_ptr_nonnull(r->code);

	for (p = rcpt; *p != '\0'; p += strspn(p, " ")) {
		struct policy_recipient	*list, *e;

		len = strcspn(p, ":");
		ck_assert_msg(p[len] == ':' && len <= CONF_MEMBER_ID_MAX,
		    "bad recipient list \"%s\"", rcpt);
		list = reallocarray(r->recipients.list, n + 1, sizeof *list);
		ck_assert_ptr_nonnull(list);
		r->recipients.list = list;
		e = &list[n++];
		memset(e, 0, sizeof *e);
		memcpy(e->member, p, len);
		switch (p[len + 1]) {
		case 'B':
			e->tier = TIER_BILATERAL;
			break;
		case 'R':
			e->tier = TIER_REGIONAL;
			break;
		case 'G':
			e->tier = TIER_GLOBAL;
			break;
		default:
			ck_abort_msg("bad tier in \"%s\"", rcpt);
		}
		p += len + 2;
	}
	r->recipients.n = n;
	return (r);
}

/* The outcome of a report after a commit. */
#define EXPECT_NEW(r, want_seq, want_n) do {				\
	ck_assert_int_eq((r)->error, PROTO_OK);				\
	ck_assert_int_eq((r)->duplicate, 0);				\
	ck_assert_int_eq((r)->seq, (want_seq));				\
	ck_assert_uint_eq((r)->nrecipients, (want_n));			\
} while (0)
#define EXPECT_DUPLICATE(r, want_seq, want_n) do {			\
	ck_assert_int_eq((r)->error, PROTO_OK);				\
	ck_assert_int_eq((r)->duplicate, 1);				\
	ck_assert_int_eq((r)->seq, (want_seq));				\
	ck_assert_uint_eq((r)->nrecipients, (want_n));			\
} while (0)
#define EXPECT_FAILED(r) do {						\
	ck_assert_int_eq((r)->error, PROTO_INTERNAL_ERROR);		\
	ck_assert_int_eq((r)->duplicate, 0);				\
	ck_assert_int_eq((r)->seq, 0);					\
} while (0)

/* Commit n reports given as arguments; returns what store_commit did. */
static int
commit(struct store *store, size_t n, ...)
{
	struct store_report	*batch[64];
	va_list			 ap;
	size_t			 i;

	ck_assert_uint_le(n, 64);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		batch[i] = va_arg(ap, struct store_report *);
	va_end(ap);
	return (store_commit(store, batch, n, NULL, 0));
}

/* Free n reports given as arguments. */
static void
free_reports(size_t n, ...)
{
	va_list	ap;
	size_t	i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		store_report_free(va_arg(ap, struct store_report *));
	va_end(ap);
}

/* A direct connection to dbpath, bypassing the store. */
static sqlite3 *
db_open(void)
{
	sqlite3	*db = NULL;

	ck_assert_msg(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE,
	    NULL) == SQLITE_OK, "sqlite3_open %s: %s", dbpath,
	    db != NULL ? sqlite3_errmsg(db) : "?");
	return (db);
}

/* The first column of the first row of sql, as text ("NULL" for null). */
static char *
db_text(const char *sql)
{
	sqlite3_stmt	*stmt;
	sqlite3		*db = db_open();
	const char	*t;
	char		*out;
	int		 rc;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	rc = sqlite3_step(stmt);
	ck_assert_msg(rc == SQLITE_ROW, "%s: no row (%s)", sql,
	    sqlite3_errmsg(db));
	t = (const char *)sqlite3_column_text(stmt, 0);
	out = strdup(t != NULL ? t : "NULL");
	ck_assert_ptr_nonnull(out);
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return (out);
}

/* The first column of the first row of sql, as an integer. */
static int64_t
db_int(const char *sql)
{
	char	*t = db_text(sql);
	int64_t	 v;

	v = strtoll(t, NULL, 10);
	free(t);
	return (v);
}

/* The first column of sql must be exactly expected. */
#define EXPECT_DB(sql, expected) do {					\
	char	*got_ = db_text(sql);					\
									\
	ck_assert_msg(strcmp(got_, (expected)) == 0,			\
	    "%s: got \"%s\", expected \"%s\"", (sql), got_, (expected)); \
	free(got_);							\
} while (0)

/*
 * Every recipient of every report as "SEQ:MEMBER:TIER", ordered, split out
 * of the reports' recipient lists ("SG:1 MY:0").
 */
#define RECIPIENT_ROWS							\
	"WITH RECURSIVE split (seq, item, rest) AS ("			\
	"  SELECT seq, '', recipient_list || ' ' FROM reports"		\
	"  UNION ALL SELECT seq, substr(rest, 1, instr(rest, ' ') - 1),"	\
	"  substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> '')" \
	"SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT seq || ':' " \
	"|| item AS r FROM split WHERE item <> '' ORDER BY seq, item)"
/* Every report row as "SEQ:SENDER:ID", ordered. */
#define REPORT_ROWS							\
	"SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT seq || ':' " \
	"|| sender || ':' || id AS r FROM reports ORDER BY seq)"

/* 1 if text holds the decimal n, not as part of a longer number. */
static int
has_number(const char *text, long n)
{
	const char	*p;
	char		 digits[32];
	size_t		 len;

	len = (size_t)snprintf(digits, sizeof digits, "%ld", n);
	for (p = text; (p = strstr(p, digits)) != NULL; p++) {
		if ((p == text || !isdigit((unsigned char)p[-1])) &&
		    !isdigit((unsigned char)p[len]))
			return (1);
	}
	return (0);
}

START_TEST(test_schema)
{
	struct store	*store;
	char		*cause = NULL, path[PATH_MAX + 32];

	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 0);
	/* Checked while the store holds the file, then after it let go. */
	ck_assert_int_eq(db_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	EXPECT_DB("PRAGMA journal_mode", "wal");
	EXPECT_DB("SELECT group_concat(name, ' ') FROM (SELECT name FROM "
	    "sqlite_master WHERE type = 'table' ORDER BY name)",
	    "acks counts cursors deliveries ledger postings reports");
	/*
	 * Posting lists stand in for the indexes by code and by sender;
	 * forwarded reports are recognised by their origin.
	 */
	EXPECT_DB("SELECT group_concat(name, ' ') FROM (SELECT name FROM "
	    "sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY "
	    "name)", "ledger_by_party reports_by_origin");
	ck_assert_int_eq(db_int("SELECT count(*) FROM reports"), 0);
	store_close(store);
	ck_assert_int_eq(db_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	EXPECT_DB("PRAGMA journal_mode", "wal");

	/* Opening again migrates nothing and keeps the version. */
	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 0);
	store_close(store);
	ck_assert_int_eq(db_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(NULL);

	/* A directory that does not exist: the cause names the path. */
	snprintf(path, sizeof path, "%s/missing/kentongan.db", tmpdir);
	ck_assert_ptr_null(store_open(path, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strncmp(cause, path, strlen(path)) == 0,
	    "cause \"%s\" does not start with the path", cause);
	free(cause);
}
END_TEST

START_TEST(test_seqs)
{
	struct store_report	*a, *b, *c, *d, *e, *many[500];
	struct store		*store;
	size_t			 i;
	char			 id[40];

	store = open_store();
	a = report_new("ID", "11111111-1111-4111-8111-111111111111", 1,
	    "SG:R MY:B");
	b = report_new("ID", "22222222-2222-4222-8222-222222222222", 2, "");
	c = report_new("SG", "33333333-3333-4333-8333-333333333333", 3,
	    "ID:R");
	c->has_observed_at = 1;
	c->observed_at = INT64_C(1763600000);
	c->severity = SEVERITY_CRITICAL;
	c->tlp = TLP_AMBER_STRICT;
	ck_assert_int_eq(commit(store, 3, a, b, c), 0);
	EXPECT_NEW(a, 1, 2);
	EXPECT_NEW(b, 2, 0);
	EXPECT_NEW(c, 3, 1);
	ck_assert_int_eq(store_last_seq(store), 3);

	/* An empty batch changes nothing. */
	ck_assert_int_eq(store_commit(store, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(store_last_seq(store), 3);

	d = report_new("MY", "44444444-4444-4444-8444-444444444444", 4, "");
	e = report_new("ID", "55555555-5555-4555-8555-555555555555", 5, "");
	ck_assert_int_eq(commit(store, 2, d, e), 0);
	EXPECT_NEW(d, 4, 0);
	EXPECT_NEW(e, 5, 0);
	ck_assert_int_eq(store_last_seq(store), 5);

	EXPECT_DB(REPORT_ROWS,
	    "1:ID:11111111-1111-4111-8111-111111111111 "
	    "2:ID:22222222-2222-4222-8222-222222222222 "
	    "3:SG:33333333-3333-4333-8333-333333333333 "
	    "4:MY:44444444-4444-4444-8444-444444444444 "
	    "5:ID:55555555-5555-4555-8555-555555555555");
	/* Every column as given. */
	EXPECT_DB("SELECT sender || '|' || id || '|' || received_at || '|' || "
	    "code || '|' || severity || '|' || tlp || '|' || "
	    "COALESCE(observed_at, 'none') || '|' || nrecipients || '|' || "
	    "hex(digest) || '|' || body FROM reports WHERE seq = 3",
	    "SG|33333333-3333-4333-8333-333333333333|1763700000000003|"
	    "test/test|4|3|1763600000|1|"
	    "0303030303030303030303030303030303030303030303030303030303030303|"
	    "{\"id\":\"33333333-3333-4333-8333-333333333333\",\"code\":"
	    "\"test/test\",\"severity\":\"low\",\"tlp\":\"green\","
	    "\"title\":\"t3\"}");
	EXPECT_DB("SELECT COALESCE(observed_at, 'none') FROM reports "
	    "WHERE seq = 1", "none");
	free_reports(5, a, b, c, d, e);

	/* A large batch: consecutive, no gaps. */
	for (i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "id-%zu", i);
		many[i] = report_new(i % 2 ? "ID" : "SG", id, (int)(i % 200),
		    "");
	}
	ck_assert_int_eq(store_commit(store, many, 500, NULL, 0), 0);
	for (i = 0; i < 500; i++) {
		EXPECT_NEW(many[i], (int64_t)(6 + i), 0);
		store_report_free(many[i]);
	}
	ck_assert_int_eq(store_last_seq(store), 505);
	ck_assert_int_eq(db_int("SELECT count(*) FROM reports"), 505);
	ck_assert_int_eq(db_int("SELECT max(seq) FROM reports"), 505);
	store_close(store);
}
END_TEST

START_TEST(test_recipients)
{
	struct store_report	*a, *b, *c;
	struct store		*store;

	store = open_store();
	a = report_new("ID", "a", 1, "SG:R MY:B APCERT:G");
	b = report_new("ID", "b", 2, "");
	c = report_new("APCERT", "c", 3, "ID:G");
	ck_assert_int_eq(commit(store, 3, a, b, c), 0);
	EXPECT_NEW(a, 1, 3);
	EXPECT_NEW(b, 2, 0);
	EXPECT_NEW(c, 3, 1);
	/* Tiers stored as enum tier: bilateral 0, regional 1, global 2. */
	EXPECT_DB(RECIPIENT_ROWS, "1:APCERT:2 1:MY:0 1:SG:1 3:ID:2");
	EXPECT_DB("SELECT group_concat(seq || ':' || nrecipients, ' ') FROM "
	    "(SELECT * FROM reports ORDER BY seq)", "1:3 2:0 3:1");
	/* The caller's set is left as it was. */
	ck_assert_uint_eq(a->recipients.n, 3);
	ck_assert_str_eq(a->recipients.list[0].member, "SG");
	free_reports(3, a, b, c);
	store_close(store);
}
END_TEST

START_TEST(test_reopen)
{
	struct store_report	*a, *b, *c, *a2, *d;
	struct store		*store;

	store = open_store();
	a = report_new("ID", "a", 1, "SG:R");
	b = report_new("ID", "b", 2, "SG:R MY:R");
	c = report_new("SG", "c", 3, "");
	ck_assert_int_eq(commit(store, 3, a, b, c), 0);
	store_close(store);

	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 3);
	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:b 3:SG:c");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1 2:MY:1 2:SG:1");
	/* Duplicates are recognised across a restart; seqs continue. */
	a2 = report_new("ID", "b", 2, "SG:R");
	d = report_new("MY", "d", 4, "ID:R");
	ck_assert_int_eq(commit(store, 2, a2, d), 0);
	EXPECT_DUPLICATE(a2, 2, 2);
	EXPECT_NEW(d, 4, 1);
	ck_assert_int_eq(store_last_seq(store), 4);
	store_close(store);

	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 4);
	store_close(store);
	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:b 3:SG:c 4:MY:d");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1 2:MY:1 2:SG:1 4:ID:1");
	free_reports(5, a, b, c, a2, d);
}
END_TEST

/* The receive time of the last report is known again after a reopen. */
START_TEST(test_last_received_at)
{
	struct store_report	*a, *b;
	struct store		*store;

	store = open_store();
	ck_assert_int_eq(store_last_received_at(store), 0);
	a = report_new("ID", "a", 7, "");
	b = report_new("ID", "b", 3, "");
	ck_assert_int_eq(commit(store, 2, a, b), 0);
	free_reports(2, a, b);
	store_close(store);
	store = open_store();
	/* The last by seq, not the latest: b came second. */
	ck_assert_int_eq(store_last_received_at(store),
	    INT64_C(1763700000000000) + 3);
	store_close(store);
}
END_TEST

START_TEST(test_duplicate)
{
	struct store_report	*a, *b, *a2, *a3;
	struct store		*store;

	store = open_store();
	a = report_new("ID", "a", 7, "SG:R MY:B");
	ck_assert_int_eq(commit(store, 1, a), 0);
	EXPECT_NEW(a, 1, 2);

	/*
	 * Same sender, id and digest: the first seq and the first's
	 * recipient count, whatever the resent copy's set is now.
	 */
	b = report_new("ID", "b", 8, "");
	a2 = report_new("ID", "a", 7, "SG:R");
	a2->received_at += 1000000;
	ck_assert_int_eq(commit(store, 2, b, a2), 0);
	EXPECT_NEW(b, 2, 0);
	EXPECT_DUPLICATE(a2, 1, 2);
	ck_assert_int_eq(store_last_seq(store), 2);

	/* A batch of only a duplicate stores nothing. */
	a3 = report_new("ID", "a", 7, "");
	ck_assert_int_eq(commit(store, 1, a3), 0);
	EXPECT_DUPLICATE(a3, 1, 2);
	ck_assert_int_eq(store_last_seq(store), 2);
	store_close(store);

	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:b");
	EXPECT_DB(RECIPIENT_ROWS, "1:MY:0 1:SG:1");
	EXPECT_DB("SELECT received_at FROM reports WHERE seq = 1",
	    "1763700000000007");
	free_reports(4, a, b, a2, a3);
}
END_TEST

START_TEST(test_id_conflict)
{
	struct store_report	*a, *b, *a2, *c, *a3;
	struct store		*store;

	store = open_store();
	a = report_new("ID", "a", 1, "SG:R");
	ck_assert_int_eq(commit(store, 1, a), 0);
	EXPECT_NEW(a, 1, 1);

	/* Refused alone; the others of the batch go on without a gap. */
	b = report_new("ID", "b", 2, "");
	a2 = report_new("ID", "a", 9, "SG:R MY:R");
	c = report_new("ID", "c", 3, "MY:R");
	ck_assert_int_eq(commit(store, 3, b, a2, c), 0);
	EXPECT_NEW(b, 2, 0);
	ck_assert_int_eq(a2->error, PROTO_ID_CONFLICT);
	ck_assert_int_eq(a2->duplicate, 0);
	EXPECT_NEW(c, 3, 1);
	ck_assert_int_eq(store_last_seq(store), 3);

	/*
	 * The same report with its keys in another order: another digest,
	 * the same JSON value, so a duplicate and not a conflict.
	 */
	a3 = report_new("ID", "a", 1, "SG:R");
	a3->digest[STORE_DIGEST_LEN - 1] ^= 1;
	free(a3->body);
	a3->body = strdup("{\"title\":\"t1\",\"tlp\":\"green\",\"severity\":"
	    "\"low\",\"code\":\"test/test\",\"id\":\"a\"}");
	ck_assert_ptr_nonnull(a3->body);
	ck_assert_int_eq(commit(store, 1, a3), 0);
	ck_assert_int_eq(a3->error, PROTO_OK);
	ck_assert_int_eq(a3->duplicate, 1);
	ck_assert_int_eq(a3->seq, 1);
	ck_assert_int_eq(store_last_seq(store), 3);
	store_close(store);

	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:b 3:ID:c");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1 3:MY:1");
	EXPECT_DB("SELECT hex(digest) FROM reports WHERE id = 'a'",
	    "0101010101010101010101010101010101010101010101010101010101010101");
	free_reports(5, a, b, a2, c, a3);
}
END_TEST

START_TEST(test_batch_duplicate)
{
	struct store_report	*a, *a2, *a3, *x, *x2, *y;
	struct store		*store;

	store = open_store();
	/* The second and third of one (sender, id) in a batch: duplicates. */
	a = report_new("ID", "a", 1, "SG:R MY:R");
	y = report_new("SG", "y", 3, "");
	a2 = report_new("ID", "a", 1, "SG:R");
	a3 = report_new("ID", "a", 1, "");
	ck_assert_int_eq(commit(store, 4, a, y, a2, a3), 0);
	EXPECT_NEW(a, 1, 2);
	EXPECT_NEW(y, 2, 0);
	EXPECT_DUPLICATE(a2, 1, 2);
	EXPECT_DUPLICATE(a3, 1, 2);
	ck_assert_int_eq(store_last_seq(store), 2);

	/* A different digest in the same batch: id_conflict. */
	x = report_new("MY", "x", 5, "");
	x2 = report_new("MY", "x", 6, "ID:R");
	ck_assert_int_eq(commit(store, 2, x, x2), 0);
	EXPECT_NEW(x, 3, 0);
	ck_assert_int_eq(x2->error, PROTO_ID_CONFLICT);
	ck_assert_int_eq(x2->duplicate, 0);
	ck_assert_int_eq(store_last_seq(store), 3);
	store_close(store);

	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:SG:y 3:MY:x");
	EXPECT_DB(RECIPIENT_ROWS, "1:MY:1 1:SG:1");
	free_reports(6, a, a2, a3, x, x2, y);
}
END_TEST

START_TEST(test_two_senders)
{
	struct store_report	*a, *b, *c, *d;
	struct store		*store;

	store = open_store();
	/* The id is the sender's key: two senders may use the same one. */
	a = report_new("ID", "same", 1, "SG:R");
	b = report_new("SG", "same", 1, "ID:R");
	ck_assert_int_eq(commit(store, 2, a, b), 0);
	EXPECT_NEW(a, 1, 1);
	EXPECT_NEW(b, 2, 1);
	c = report_new("MY", "same", 2, "");
	ck_assert_int_eq(commit(store, 1, c), 0);
	EXPECT_NEW(c, 3, 0);
	/* Each is then a duplicate of its own sender's report only. */
	d = report_new("SG", "same", 1, "");
	ck_assert_int_eq(commit(store, 1, d), 0);
	EXPECT_DUPLICATE(d, 2, 1);
	store_close(store);

	EXPECT_DB(REPORT_ROWS, "1:ID:same 2:SG:same 3:MY:same");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1 2:ID:1");
	free_reports(4, a, b, c, d);
}
END_TEST

/* Create dbpath as a bare SQLite file of the given user_version. */
static void
make_versioned_file(int version)
{
	sqlite3	*db = NULL;
	char	 sql[128];

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql, "CREATE TABLE future (x); "
	    "PRAGMA user_version = %d", version);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

START_TEST(test_newer_schema)
{
	static const int	 versions[] = { STORE_SCHEMA_VERSION + 1, 99 };
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		unlink(dbpath);
		make_versioned_file(versions[i]);
		cause = open_error();
		ck_assert_msg(strncmp(cause, dbpath, strlen(dbpath)) == 0,
		    "cause \"%s\" does not start with the path", cause);
		ck_assert_msg(has_number(cause + strlen(dbpath), versions[i]),
		    "cause \"%s\" does not name version %d", cause,
		    versions[i]);
		ck_assert_msg(has_number(cause + strlen(dbpath),
		    STORE_SCHEMA_VERSION), "cause \"%s\" does not name "
		    "version %d", cause, STORE_SCHEMA_VERSION);
		ck_assert_msg(strstr(cause, "newer") != NULL,
		    "cause \"%s\" does not say the file is newer", cause);
		free(cause);
		/* Refused untouched: never downgraded or migrated. */
		ck_assert_int_eq(db_int("PRAGMA user_version"), versions[i]);
		ck_assert_int_eq(db_int("SELECT count(*) FROM sqlite_master "
		    "WHERE name IN ('reports', 'recipients')"), 0);
	}
}
END_TEST

START_TEST(test_not_a_database)
{
	char	 text[4096], back[4096 + 1];
	char	*cause;
	size_t	 i;
	ssize_t	 n;
	int	 fd;

	for (i = 0; i < sizeof text; i++)
		text[i] = "this is not a database\n"[i % 23];
	fd = open(dbpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof text), (ssize_t)sizeof text);
	close(fd);

	cause = open_error();
	ck_assert_msg(strncmp(cause, dbpath, strlen(dbpath)) == 0,
	    "cause \"%s\" does not start with the path", cause);
	ck_assert_msg(strstr(cause, "not a database") != NULL,
	    "cause \"%s\" does not say it is not a database", cause);
	free(cause);

	/* The file is left as it was. */
	fd = open(dbpath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, back, sizeof back);
	close(fd);
	ck_assert_int_eq(n, (ssize_t)sizeof text);
	ck_assert_int_eq(memcmp(back, text, sizeof text), 0);
}
END_TEST

START_TEST(test_corrupt)
{
	struct store_report	*r[50];
	struct store		*store;
	unsigned char		 junk[4096];
	char			*cause, id[16];
	size_t			 i;
	int			 fd;

	/* Enough reports for the tables to span pages beyond the first. */
	store = open_store();
	for (i = 0; i < 50; i++) {
		snprintf(id, sizeof id, "r%zu", i);
		r[i] = report_new("ID", id, (int)i, "SG:R MY:R TH:R");
	}
	ck_assert_int_eq(store_commit(store, r, 50, NULL, 0), 0);
	for (i = 0; i < 50; i++)
		store_report_free(r[i]);
	store_close(store);

	/* Overwrite the second page (the reports table's root). */
	memset(junk, 0x5a, sizeof junk);
	fd = open(dbpath, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk,
	    (off_t)db_int("PRAGMA page_size")), (ssize_t)sizeof junk);
	close(fd);

	cause = open_error();
	ck_assert_msg(strncmp(cause, dbpath, strlen(dbpath)) == 0,
	    "cause \"%s\" does not start with the path", cause);
	ck_assert_msg(strstr(cause, "corrupt") != NULL ||
	    strstr(cause, "malformed") != NULL,
	    "cause \"%s\" does not say the file is damaged", cause);
	free(cause);
}
END_TEST

START_TEST(test_acks)
{
	struct store		*store;
	struct store_mark	 acks[2];

	/* A cursor moves forward only; every move is logged with its time. */
	store = open_store();
	memset(acks, 0, sizeof acks);
	acks[0].kind = acks[1].kind = STORE_MARK_ACK;
	snprintf(acks[0].member, sizeof acks[0].member, "SG");
	acks[0].seq = 5;
	acks[0].at = 1000;
	snprintf(acks[1].member, sizeof acks[1].member, "MY");
	acks[1].seq = 2;
	acks[1].at = 1001;
	ck_assert_int_eq(store_commit(store, NULL, 0, acks, 2), 0);
	acks[0].seq = 3;
	acks[0].at = 2000;
	ck_assert_int_eq(store_commit(store, NULL, 0, acks, 1), 0);
	acks[0].seq = 9;
	acks[0].at = 3000;
	ck_assert_int_eq(store_commit(store, NULL, 0, acks, 1), 0);
	store_close(store);
	EXPECT_DB("SELECT group_concat(member || ':' || acked_seq || ':' || "
	    "acked_at, ' ') FROM (SELECT * FROM cursors ORDER BY member)",
	    "MY:2:1001 SG:9:3000");
	EXPECT_DB("SELECT group_concat(member || ':' || upto || ':' || at, ' ') "
	    "FROM (SELECT * FROM acks ORDER BY member, upto)",
	    "MY:2:1001 SG:3:2000 SG:5:1000 SG:9:3000");
}
END_TEST

START_TEST(test_migrate_from_v1)
{
	struct store	*store;
	sqlite3		*db;

	/* A version 1 database, as the first release left it. */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	    "CREATE TABLE reports (seq INTEGER PRIMARY KEY, sender TEXT NOT "
	    "NULL, id TEXT NOT NULL, received_at INTEGER NOT NULL, code TEXT "
	    "NOT NULL, severity INTEGER NOT NULL, tlp INTEGER NOT NULL, "
	    "observed_at INTEGER, nrecipients INTEGER NOT NULL, digest BLOB "
	    "NOT NULL, body TEXT NOT NULL, UNIQUE (sender, id));"
	    "CREATE TABLE recipients (seq INTEGER NOT NULL REFERENCES reports "
	    "(seq), member TEXT NOT NULL, tier INTEGER NOT NULL, PRIMARY KEY "
	    "(seq, member)) WITHOUT ROWID;"
	    "CREATE INDEX recipients_by_member ON recipients (member, seq);"
	    "INSERT INTO reports VALUES (7, 'ID', 'x', 1, 'test/test', 0, 0, "
	    "NULL, 1, x'00', '{}');"
	    "INSERT INTO recipients VALUES (7, 'SG', 1);"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 7);
	store_close(store);
	ck_assert_int_eq(db_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	EXPECT_DB("SELECT seq || '=' || recipient_list FROM reports",
	    "7=SG:1");
	ck_assert_int_eq(db_int("SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'recipients'"), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM cursors"), 0);
}
END_TEST

START_TEST(test_second_opener)
{
	struct store	*first, *second;
	char		*cause = NULL;

	/* Two hubs on one file would hand out the same sequence numbers. */
	first = open_store();
	second = store_open(dbpath, &cause);
	ck_assert_ptr_null(second);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "locked by another process") != NULL,
	    "cause \"%s\" does not say the database is locked", cause);
	free(cause);
	store_close(first);

	/* Once the first is gone, the file opens again. */
	first = open_store();
	store_close(first);
}
END_TEST

/*
 * The read-only scenario, without Check (it may run in a child that has
 * dropped privileges): 0 if all went as expected, else the failed step.
 */
static int
read_only_steps(struct store_report *a, struct store_report *b)
{
	struct store	*store;
	char		*cause = NULL;
	int		 step, rc;

	step = 1;
	if ((store = store_open(dbpath, &cause)) == NULL)
		goto out;
	step = 2;
	rc = commit(store, 1, a);
	store_close(store);
	if (rc != 0 || a->seq != 1)
		goto out;
	step = 3;
	if (chmod(dbpath, 0444) != 0)
		goto out;
	/* An unwritable database is a start-up error, not a later surprise. */
	step = 4;
	if ((store = store_open(dbpath, &cause)) != NULL) {
		store_close(store);
		goto out;
	}
	step = 5;
	if (cause == NULL || strstr(cause, "Permission denied") == NULL)
		goto out;
	free(cause);
	cause = NULL;
	(void)b;
	step = 6;
	if (chmod(dbpath, 0644) != 0)
		goto out;
	step = 7;
	if ((store = store_open(dbpath, &cause)) == NULL)
		goto out;
	rc = store_last_seq(store) == 1 ? 0 : -1;
	store_close(store);
	if (rc != 0)
		goto out;
	step = 0;
out:
	if (cause != NULL)
		fprintf(stderr, "read_only step %d: %s\n", step, cause);
	free(cause);
	return (step);
}

START_TEST(test_read_only)
{
	struct store_report	*a, *b;
	pid_t			 pid;
	int			 status, step;

	a = report_new("ID", "a", 1, "SG:R");
	b = report_new("ID", "b", 2, "SG:R");
	if (geteuid() != 0) {
		step = read_only_steps(a, b);
		ck_assert_msg(step == 0, "read-only scenario failed at step %d",
		    step);
	} else {
		/* Permissions do not bind root: run it as nobody. */
		ck_assert_int_eq(chown(tmpdir, 65534, 65534), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				step = 100;
			else
				step = read_only_steps(a, b);
			free_reports(2, a, b);
			_exit(step);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFEXITED(status), "child died");
		step = WEXITSTATUS(status);
		if (step == 100) {
			fprintf(stderr, "read_only: cannot drop privileges; "
			    "case skipped\n");
			free_reports(2, a, b);
			return;
		}
		ck_assert_msg(step == 0, "read-only scenario failed at step %d",
		    step);
	}
	free_reports(2, a, b);
	EXPECT_DB(REPORT_ROWS, "1:ID:a");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1");
}
END_TEST

START_TEST(test_locked)
{
	struct store_report	*a, *b, *c, *a2;
	struct store		*store;
	sqlite3			*other;

	store = open_store();
	a = report_new("ID", "a", 1, "SG:R");
	ck_assert_int_eq(commit(store, 1, a), 0);
	EXPECT_NEW(a, 1, 1);

	/* Another writer holds the database: the batch fails as a whole. */
	other = db_open();
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	a2 = report_new("ID", "a", 1, "SG:R");
	b = report_new("ID", "b", 2, "MY:R");
	c = report_new("SG", "c", 3, "");
	ck_assert_int_eq(commit(store, 3, a2, b, c), -1);
	EXPECT_FAILED(a2);
	EXPECT_FAILED(b);
	EXPECT_FAILED(c);
	ck_assert_int_eq(store_last_seq(store), 1);
	ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
	EXPECT_DB(REPORT_ROWS, "1:ID:a");

	/* Once free again, no sequence number was used up by the failure. */
	ck_assert_int_eq(commit(store, 3, a2, b, c), 0);
	EXPECT_DUPLICATE(a2, 1, 1);
	EXPECT_NEW(b, 2, 1);
	EXPECT_NEW(c, 3, 0);
	store_close(store);
	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:b 3:SG:c");
	EXPECT_DB(RECIPIENT_ROWS, "1:SG:1 2:MY:1");
	free_reports(4, a, a2, b, c);
}
END_TEST

START_TEST(test_rollback)
{
	struct store_report	*a, *bad, *c;
	struct store		*store;

	store = open_store();
	/* A report the database refuses (no code) fails the whole batch. */
	a = report_new("ID", "a", 1, "SG:R MY:R");
	bad = report_new("ID", "bad", 2, "SG:R");
	free(bad->code);
	bad->code = NULL;
	c = report_new("ID", "c", 3, "");
	ck_assert_int_eq(commit(store, 3, a, bad, c), -1);
	EXPECT_FAILED(a);
	EXPECT_FAILED(bad);
	EXPECT_FAILED(c);
	ck_assert_int_eq(store_last_seq(store), 0);
	EXPECT_DB(REPORT_ROWS, "");
	EXPECT_DB(RECIPIENT_ROWS, "");

	/* The store is usable afterwards and starts at 1. */
	ck_assert_int_eq(commit(store, 2, a, c), 0);
	EXPECT_NEW(a, 1, 2);
	EXPECT_NEW(c, 2, 0);
	store_close(store);
	EXPECT_DB(REPORT_ROWS, "1:ID:a 2:ID:c");
	EXPECT_DB(RECIPIENT_ROWS, "1:MY:1 1:SG:1");
	free_reports(3, a, bad, c);
}
END_TEST

START_TEST(test_disk_full)
{
	static const size_t	 sizes[] = { 40, 100 };
	struct store_report	*a, *batch[100];
	struct store		*store;
	int64_t			 last = 1;
	size_t			 i, k, n;
	char			 id[48];

	store = open_store();
	a = report_new("ID", "a", 1, "SG:R");
	ck_assert_int_eq(commit(store, 1, a), 0);
	EXPECT_NEW(a, 1, 1);

	/*
	 * Reports of 32 KiB under a 512 KiB file size limit: 40 of them fit
	 * in SQLite's page cache and fail at COMMIT; 100 of them spill to
	 * the WAL and fail while being inserted.
	 */
	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		n = sizes[k];
		for (i = 0; i < n; i++) {
			snprintf(id, sizeof id, "big%zu.%zu", k, i);
			batch[i] = report_new("SG", id, (int)i, "ID:R");
			free(batch[i]->body);
			batch[i]->body = malloc(32768);
			ck_assert_ptr_nonnull(batch[i]->body);
			memset(batch[i]->body, 'x', 32767);
			batch[i]->body[32767] = '\0';
		}
		limit_file_size(512 * 1024);
		ck_assert_int_eq(store_commit(store, batch, n, NULL, 0), -1);
		unlimit_file_size();
		for (i = 0; i < n; i++)
			EXPECT_FAILED(batch[i]);
		ck_assert_int_eq(store_last_seq(store), last);
		ck_assert_int_eq(db_int("SELECT count(*) FROM reports"), last);
		ck_assert_int_eq(db_int("SELECT count(*) FROM reports WHERE "
		    "recipient_list <> ''"), last);

		/* With room again, the same batch goes in without a gap. */
		ck_assert_int_eq(store_commit(store, batch, n, NULL, 0), 0);
		for (i = 0; i < n; i++) {
			EXPECT_NEW(batch[i], last + 1 + (int64_t)i, 1);
			store_report_free(batch[i]);
		}
		last += (int64_t)n;
		ck_assert_int_eq(store_last_seq(store), last);
	}
	store_close(store);
	store = open_store();
	ck_assert_int_eq(store_last_seq(store), 141);
	store_close(store);
	ck_assert_int_eq(db_int("SELECT count(*) FROM reports"), 141);
	ck_assert_int_eq(db_int("SELECT max(seq) FROM reports"), 141);
	store_report_free(a);
}
END_TEST

START_TEST(test_report_free)
{
	struct store_report	*r;

	store_report_free(NULL);
	r = report_new("ID", "a", 1, "SG:R MY:B");
	r->ref = strdup("ref-1");
	ck_assert_ptr_nonnull(r->ref);
	store_report_free(r);
	/* All pointer fields may be NULL. */
	r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	store_report_free(r);
}
END_TEST

/* The suite of the store module. */
static Suite *
store_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	/* Unchecked: the directory goes even when the test fails. */	\
	tcase_add_unchecked_fixture(tc, setup, teardown);		\
	tcase_set_timeout(tc, 60);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("schema", test_schema);
	ADD("seqs", test_seqs);
	ADD("recipients", test_recipients);
	ADD("reopen", test_reopen);
	ADD("last_received_at", test_last_received_at);
	ADD("duplicate", test_duplicate);
	ADD("id_conflict", test_id_conflict);
	ADD("batch_duplicate", test_batch_duplicate);
	ADD("two_senders", test_two_senders);
	ADD("newer_schema", test_newer_schema);
	ADD("not_a_database", test_not_a_database);
	ADD("corrupt", test_corrupt);
	ADD("read_only", test_read_only);
	ADD("locked", test_locked);
	ADD("second_opener", test_second_opener);
	ADD("acks", test_acks);
	ADD("migrate_from_v1", test_migrate_from_v1);
	ADD("rollback", test_rollback);
	ADD("disk_full", test_disk_full);
	ADD("report_free", test_report_free);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	/* Keep the output to Check's; failures are asserted, not logged. */
	log_init(LOG_LEVEL_ERR);
	sr = srunner_create(store_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
