/*
 * Unit tests of the ledger in the store (store_ledger.c, its parts of
 * store.c and store_read.c): reports and acknowledgements committed as the
 * committer commits them, then the chain read back directly with SQLite
 * and recomputed from the data it records, and through the reader.
 * store_ledger_check_head is internal (store_impl.h): its answer is only
 * logged at open, so it is called here directly.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "ledger.h"
#include "log.h"
#include "store.h"
#include "store_impl.h"
#include "store_read.h"

/* 2025-11-21T04:40:00Z, and milliseconds. */
#define T0	INT64_C(1763700000000000)
#define MS	INT64_C(1000)

/* Two acknowledgements' signatures: any base64, the store checks none. */
#define SIG1	"c2lnbmVkIGJ5IE1Z"
#define SIG2	"c2Vjb25kIHNpZw=="

/* A fresh directory per test, holding the database file. */
static char	tmpdir[1024];
static char	dbpath[PATH_MAX];

static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_store_ledger.XXXXXX", base);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(dbpath, sizeof dbpath, "%s/kentongan.db", tmpdir);
}

static void
teardown(void)
{
	struct dirent	*de;
	char		 path[PATH_MAX];
	DIR		*dir;

	if (tmpdir[0] == '\0')
		return;
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

static struct store_reader *
open_reader(void)
{
	struct store_reader	*r;
	char			*cause = NULL;

	r = store_reader_open(dbpath, &cause);
	ck_assert_msg(r != NULL, "store_reader_open: %s",
	    cause != NULL ? cause : "(null)");
	return (r);
}

/*
 * A report as the submitter fills it, received at at; rcpt is
 * "MEMBER:T ..." with T one of B, R or G (bilateral, regional, global).
 */
static struct store_report *
report_new(const char *sender, int n, int64_t at, const char *rcpt)
{
	struct store_report	*r;
	struct policy_recipient	*e;
	const char		*p;
	size_t			 len;

	r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	snprintf(r->sender, sizeof r->sender, "%s", sender);
	ck_assert_int_ne(asprintf(&r->id, "aaaaaaaa-0000-4000-8000-%012d", n),
	    -1);
	ck_assert_int_ne(asprintf(&r->body, "{\"id\":\"%s\",\"code\":"
	    "\"test/test\",\"severity\":\"low\",\"tlp\":\"green\","
	    "\"title\":\"report %d\"}", r->id, n), -1);
	memset(r->digest, n, sizeof r->digest);
	r->code = strdup("test/test");
	ck_assert_ptr_nonnull(r->code);
	r->severity = SEVERITY_LOW;
	r->tlp = TLP_GREEN;
	r->received_at = at;
	for (p = rcpt; *p != '\0'; p += strspn(p, " ")) {
		len = strcspn(p, ":");
		ck_assert(p[len] == ':' && len <= CONF_MEMBER_ID_MAX);
		r->recipients.list = reallocarray(r->recipients.list,
		    r->recipients.n + 1, sizeof *r->recipients.list);
		ck_assert_ptr_nonnull(r->recipients.list);
		e = &r->recipients.list[r->recipients.n++];
		memset(e, 0, sizeof *e);
		memcpy(e->member, p, len);
		e->tier = p[len + 1] == 'B' ? TIER_BILATERAL :
		    p[len + 1] == 'R' ? TIER_REGIONAL : TIER_GLOBAL;
		p += len + 2;
	}
	return (r);
}

/* A member's acknowledgement (peer 0) or a peer hub's forward taken. */
static struct store_mark
mark(const char *member, int64_t seq, int64_t at, int peer, const char *sig)
{
	struct store_mark	m;

	memset(&m, 0, sizeof m);
	m.kind = STORE_MARK_ACK;
	snprintf(m.member, sizeof m.member, "%s", member);
	m.seq = seq;
	m.at = at;
	m.peer = peer;
	snprintf(m.sig, sizeof m.sig, "%s", sig != NULL ? sig : "");
	return (m);
}

/* A direct connection to dbpath, beside the store. */
static sqlite3 *
db_open(void)
{
	sqlite3	*db = NULL;

	ck_assert_msg(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE,
	    NULL) == SQLITE_OK, "sqlite3_open %s", dbpath);
	sqlite3_busy_timeout(db, 2000);
	return (db);
}

/* Run sql, which must succeed and change at least one row if changes. */
static void
db_exec(const char *sql, int changes)
{
	sqlite3	*db = db_open();
	char	*error = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &error) == SQLITE_OK,
	    "%s: %s", sql, error != NULL ? error : "?");
	if (changes)
		ck_assert_msg(sqlite3_changes(db) > 0, "%s: no row changed",
		    sql);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* The first column of the first row of sql, as text ("NULL" for null). */
static char *
db_text(const char *sql)
{
	sqlite3_stmt	*stmt;
	sqlite3		*db = db_open();
	const char	*t;
	char		*out;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW, "%s: no row", sql);
	t = (const char *)sqlite3_column_text(stmt, 0);
	out = strdup(t != NULL ? t : "NULL");
	ck_assert_ptr_nonnull(out);
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return (out);
}

static int64_t
db_int(const char *sql)
{
	char	*t = db_text(sql);
	int64_t	 v = strtoll(t, NULL, 10);

	free(t);
	return (v);
}

#define EXPECT_DB(sql, expected) do {					\
	char	*got_ = db_text(sql);					\
									\
	ck_assert_msg(strcmp(got_, (expected)) == 0,			\
	    "%s:\n got \"%s\"\nwant \"%s\"", (sql), got_, (expected));	\
	free(got_);							\
} while (0)

/* Every ledger row as "N:KIND:SEQ:PARTY:SIG" ("-" unsigned), in order. */
#define LEDGER_ROWS							\
	"SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT n || ':' "	\
	"|| kind || ':' || seq || ':' || party || ':' || COALESCE(sig, "	\
	"'-') AS r FROM ledger ORDER BY n)"

/* The hex of the ledger hash of row n, upper case as SQLite writes it. */
static char *
hash_hex_of(int64_t n)
{
	char	sql[128];

	snprintf(sql, sizeof sql, "SELECT hex(hash) FROM ledger WHERE n = %lld",
	    (long long)n);
	return (db_text(sql));
}

/*
 * The entry of a ledger row as the data tables hold it now, read with SQL
 * here: 1 and *e (strings in hold, for the caller to free), 0 if gone.
 */
static int
data_entry(sqlite3 *db, int kind, int64_t seq, const char *party,
    const char *sig, struct ledger_entry *e, char *hold, size_t holdsize)
{
	sqlite3_stmt	*stmt;
	const char	*who, *list;
	size_t		 len;
	int		 rc;

	memset(e, 0, sizeof *e);
	e->kind = (enum ledger_kind)kind;
	e->seq = seq;
	e->sig = sig;
	if (kind == LEDGER_REPORT) {
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT sender, "
		    "received_at, body, recipient_list FROM reports WHERE "
		    "seq = ?1", -1, &stmt, NULL), SQLITE_OK);
		sqlite3_bind_int64(stmt, 1, seq);
	} else {
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT member, at "
		    "FROM acks WHERE member = ?1 AND upto = ?2", -1, &stmt,
		    NULL), SQLITE_OK);
		sqlite3_bind_text(stmt, 1, party, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 2, seq);
	}
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		ck_assert_int_eq(rc, SQLITE_DONE);
		sqlite3_finalize(stmt);
		return (0);
	}
	who = (const char *)sqlite3_column_text(stmt, 0);
	list = kind == LEDGER_REPORT ?
	    (const char *)sqlite3_column_text(stmt, 3) : "";
	len = strlen(who) + 1;
	ck_assert_uint_lt(len + strlen(list) + 1, holdsize);
	memcpy(hold, who, len);
	memcpy(hold + len, list, strlen(list) + 1);
	e->party = hold;
	e->at = sqlite3_column_int64(stmt, 1);
	if (kind == LEDGER_REPORT) {
		e->recipients = hold + len;
		ck_assert_int_eq(ledger_digest(sqlite3_column_blob(stmt, 2),
		    (size_t)sqlite3_column_bytes(stmt, 2), e->digest), 0);
	}
	sqlite3_finalize(stmt);
	return (1);
}

/*
 * The chain must have want entries, numbered from 1, each hash that of
 * its entry as the data holds it after the one before; head gets the last.
 */
static void
verify_chain(int64_t want, unsigned char head[LEDGER_HASH_LEN])
{
	struct ledger_entry	 e;
	sqlite3_stmt		*stmt;
	sqlite3			*db = db_open();
	unsigned char		 prev[LEDGER_HASH_LEN], h[LEDGER_HASH_LEN];
	char			 hold[256], party[64], sig[256];
	int64_t			 i = 0;

	memset(prev, 0, sizeof prev);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT n, kind, seq, party, "
	    "sig, hash FROM ledger ORDER BY n", -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		i++;
		ck_assert_int_eq(sqlite3_column_int64(stmt, 0), i);
		snprintf(party, sizeof party, "%s",
		    (const char *)sqlite3_column_text(stmt, 3));
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
			snprintf(sig, sizeof sig, "%s",
			    (const char *)sqlite3_column_text(stmt, 4));
		ck_assert_msg(data_entry(db, sqlite3_column_int(stmt, 1),
		    sqlite3_column_int64(stmt, 2), party,
		    sqlite3_column_type(stmt, 4) != SQLITE_NULL ? sig : NULL,
		    &e, hold, sizeof hold) == 1, "entry %lld: data gone",
		    (long long)i);
		ck_assert_int_eq(ledger_hash(prev, &e, h), 0);
		ck_assert_int_eq(sqlite3_column_bytes(stmt, 5), LEDGER_HASH_LEN);
		ck_assert_msg(memcmp(h, sqlite3_column_blob(stmt, 5),
		    LEDGER_HASH_LEN) == 0, "entry %lld: hash is not that of "
		    "its entry", (long long)i);
		memcpy(prev, h, sizeof prev);
	}
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	ck_assert_int_eq(i, want);
	memcpy(head, prev, LEDGER_HASH_LEN);
}

/* The hash of entry n, read directly. */
static void
hash_of(int64_t n, unsigned char out[LEDGER_HASH_LEN])
{
	char	*hex = hash_hex_of(n);

	ck_assert_int_eq(ledger_unhex(hex, out, LEDGER_HASH_LEN), 0);
	free(hex);
}

/*
 * The standard history: three reports and three positions in one commit,
 * then a report and a signed acknowledgement, as the committer sends
 * them. The ledger then reads
 *   1 report 1 SG, 2 report 2 MY, 3 report 3 ID, 4 ack 2 MY SIG1,
 *   5 ack 3 ID, 6 forward 3 HUB-B, 7 report 4 SG, 8 ack 4 MY SIG2.
 */
#define STANDARD_ROWS	"1:0:1:SG:- 2:0:2:MY:- 3:0:3:ID:- 4:1:2:MY:" SIG1 \
	" 5:1:3:ID:- 6:2:3:HUB-B:- 7:0:4:SG:- 8:1:4:MY:" SIG2
#define NSTANDARD	4

static void
commit_standard(struct store *store, struct store_report *r[NSTANDARD])
{
	struct store_mark	m[3];

	r[0] = report_new("SG", 1, T0 + 100 * MS + 123, "MY:R ID:B");
	r[1] = report_new("MY", 2, T0 + 200 * MS, "SG:G");
	r[2] = report_new("ID", 3, T0 + 300 * MS, "");
	m[0] = mark("MY", 2, T0 + 400 * MS, 0, SIG1);
	m[1] = mark("ID", 3, T0 + 500 * MS + 999, 0, NULL);
	m[2] = mark("HUB-B", 3, T0 + 600 * MS, 1, NULL);
	ck_assert_int_eq(store_commit(store, r, 3, m, 3), 0);
	r[3] = report_new("SG", 4, T0 + 700 * MS, "ID:R");
	m[0] = mark("MY", 4, T0 + 800 * MS, 0, SIG2);
	ck_assert_int_eq(store_commit(store, &r[3], 1, m, 1), 0);
}

static void
free_reports(struct store_report **r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		store_report_free(r[i]);
}

START_TEST(test_chain)
{
	struct store_report	*r[NSTANDARD], *e;
	struct store		*store;
	unsigned char		 head[LEDGER_HASH_LEN], h[LEDGER_HASH_LEN];
	unsigned char		 d[LEDGER_HASH_LEN];
	char			 sql[128], *hex;
	size_t			 i;

	store = open_store();
	ck_assert_int_eq(store_ledger_head(store, h), 0);
	commit_standard(store, r);
	EXPECT_DB(LEDGER_ROWS, STANDARD_ROWS);
	EXPECT_DB("SELECT recipient_list FROM reports WHERE seq = 1",
	    "MY:1 ID:0");
	verify_chain(8, head);
	ck_assert_int_eq(store_ledger_head(store, h), 8);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	/* The stored time is the one recorded, to the microsecond. */
	EXPECT_DB("SELECT group_concat(at, ' ') FROM (SELECT at FROM ledger "
	    "ORDER BY n)", "1763700000100123 1763700000200000 1763700000300000 "
	    "1763700000400000 1763700000500999 1763700000600000 "
	    "1763700000700000 1763700000800000");

	/* Each report holds its entry's hash, and so does its row. */
	for (i = 0; i < NSTANDARD; i++) {
		ck_assert_int_eq(r[i]->error, PROTO_OK);
		ck_assert_int_eq(r[i]->seq, (int64_t)i + 1);
		ck_assert_int_eq(r[i]->has_chain, 1);
		hash_of(i < 3 ? (int64_t)i + 1 : 7, h);
		ck_assert_mem_eq(r[i]->chain, h, LEDGER_HASH_LEN);
		snprintf(sql, sizeof sql, "SELECT hex(chain) FROM reports WHERE "
		    "seq = %zu", i + 1);
		hex = hash_hex_of(i < 3 ? (int64_t)i + 1 : 7);
		EXPECT_DB(sql, hex);
		free(hex);
		ck_assert_int_eq(ledger_digest(r[i]->body, strlen(r[i]->body),
		    d), 0);
		ck_assert_mem_eq(r[i]->stored_digest, d, LEDGER_HASH_LEN);
		ck_assert_int_eq(r[i]->stored_received_at, r[i]->received_at);
	}
	store_close(store);

	/* Opened again, the chain goes on from its head. */
	store = open_store();
	ck_assert_int_eq(store_ledger_head(store, h), 8);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	e = report_new("TH", 5, T0 + 900 * MS, "SG:B");
	ck_assert_int_eq(store_commit(store, &e, 1, NULL, 0), 0);
	ck_assert_int_eq(e->seq, 5);
	verify_chain(9, head);
	ck_assert_int_eq(store_ledger_head(store, h), 9);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	ck_assert_mem_eq(e->chain, head, LEDGER_HASH_LEN);
	EXPECT_DB("SELECT n || ':' || kind || ':' || seq || ':' || party FROM "
	    "ledger WHERE n = 9", "9:0:5:TH");
	store_close(store);
	free_reports(r, NSTANDARD);
	store_report_free(e);
}
END_TEST

START_TEST(test_duplicates_and_repeats)
{
	struct store_report	*r[NSTANDARD], *again, *twice[2];
	struct store_mark	 m[2];
	struct store		*store;
	unsigned char		 head[LEDGER_HASH_LEN];

	store = open_store();
	commit_standard(store, r);
	/* A report sent again is a duplicate: the first's entry, no new one. */
	again = report_new("MY", 2, T0 + 5000 * MS, "SG:G");
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert_int_eq(again->duplicate, 1);
	ck_assert_int_eq(again->seq, 2);
	ck_assert_int_eq(again->has_chain, 1);
	ck_assert_mem_eq(again->chain, r[1]->chain, LEDGER_HASH_LEN);
	ck_assert_mem_eq(again->stored_digest, r[1]->stored_digest,
	    LEDGER_HASH_LEN);
	ck_assert_int_eq(again->stored_received_at, r[1]->received_at);
	/* Twice in one batch: one entry, both told its chain. */
	twice[0] = report_new("PH", 9, T0 + 6000 * MS, "");
	twice[1] = report_new("PH", 9, T0 + 6000 * MS, "");
	ck_assert_int_eq(store_commit(store, twice, 2, NULL, 0), 0);
	ck_assert_int_eq(twice[0]->seq, 5);
	ck_assert_int_eq(twice[1]->duplicate, 1);
	ck_assert_mem_eq(twice[1]->chain, twice[0]->chain, LEDGER_HASH_LEN);
	/* The same acknowledgement again adds no entry. */
	m[0] = mark("MY", 4, T0 + 800 * MS, 0, SIG2);
	m[1] = mark("HUB-B", 3, T0 + 600 * MS, 1, NULL);
	ck_assert_int_eq(store_commit(store, NULL, 0, m, 2), 0);
	EXPECT_DB(LEDGER_ROWS, STANDARD_ROWS " 9:0:5:PH:-");
	/*
	 * An acknowledgement below the cursor is logged (check_store's acks)
	 * and so is chained: every acks row has its entry.
	 */
	m[0] = mark("MY", 1, T0 + 7000 * MS, 0, NULL);
	ck_assert_int_eq(store_commit(store, NULL, 0, m, 1), 0);
	EXPECT_DB(LEDGER_ROWS, STANDARD_ROWS " 9:0:5:PH:- 10:1:1:MY:-");
	ck_assert_int_eq(db_int("SELECT count(*) FROM acks"),
	    db_int("SELECT count(*) FROM ledger WHERE kind <> 0"));
	EXPECT_DB("SELECT acked_seq FROM cursors WHERE member = 'MY'", "4");
	verify_chain(10, head);
	store_close(store);
	free_reports(r, NSTANDARD);
	free_reports(twice, 2);
	store_report_free(again);
}
END_TEST

START_TEST(test_rollback)
{
	struct store_report	*a, *bad, *c, *batch[3];
	struct store_mark	 m;
	struct store		*store;
	unsigned char		 h[LEDGER_HASH_LEN], head[LEDGER_HASH_LEN];
	unsigned char		 before[LEDGER_HASH_LEN];

	store = open_store();
	a = report_new("SG", 1, T0, "");
	ck_assert_int_eq(store_commit(store, &a, 1, NULL, 0), 0);
	ck_assert_int_eq(store_ledger_head(store, before), 1);
	/* A report the database refuses fails the batch: no entry stays. */
	batch[0] = report_new("SG", 2, T0 + MS, "");
	batch[1] = bad = report_new("SG", 3, T0 + 2 * MS, "");
	free(bad->code);
	bad->code = NULL;
	batch[2] = c = report_new("SG", 4, T0 + 3 * MS, "");
	m = mark("MY", 1, T0 + 4 * MS, 0, SIG1);
	ck_assert_int_eq(store_commit(store, batch, 3, &m, 1), -1);
	ck_assert_int_eq(store_ledger_head(store, h), 1);
	ck_assert_mem_eq(h, before, LEDGER_HASH_LEN);
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:-");
	/* The next commit chains on from the entry before the failed one. */
	batch[1] = c;
	ck_assert_int_eq(store_commit(store, batch, 2, &m, 1), 0);
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:- 2:0:2:SG:- 3:0:3:SG:- "
	    "4:1:1:MY:" SIG1);
	verify_chain(4, head);
	ck_assert_int_eq(store_ledger_head(store, h), 4);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	store_close(store);
	store_report_free(a);
	free_reports(batch, 2);
	store_report_free(bad);
}
END_TEST

START_TEST(test_ledger_off)
{
	struct store_report	*a, *b, *c;
	struct store_mark	 m;
	struct store		*store;
	unsigned char		 h[LEDGER_HASH_LEN], head[LEDGER_HASH_LEN];
	struct store_reader	*reader;
	int64_t			 n;

	store = open_store();
	a = report_new("SG", 1, T0, "");
	ck_assert_int_eq(store_commit(store, &a, 1, NULL, 0), 0);
	/* Off (for measurements): nothing is chained, reports hold no chain. */
	store_set_ledger(store, 0);
	b = report_new("SG", 2, T0 + MS, "");
	m = mark("MY", 2, T0 + 2 * MS, 0, SIG1);
	ck_assert_int_eq(store_commit(store, &b, 1, &m, 1), 0);
	ck_assert_int_eq(b->seq, 2);
	ck_assert_int_eq(b->has_chain, 0);
	EXPECT_DB("SELECT chain IS NULL FROM reports WHERE seq = 2", "1");
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:-");
	reader = open_reader();
	ck_assert_int_eq(store_reader_chain(reader, 2, NULL, h), 0);
	ck_assert_int_eq(store_reader_ledger_report(reader, 2, &n, h, head), 0);
	store_reader_close(reader);
	/* On again: the chain goes on from where it stopped. */
	store_set_ledger(store, 1);
	c = report_new("SG", 3, T0 + 3 * MS, "");
	ck_assert_int_eq(store_commit(store, &c, 1, NULL, 0), 0);
	ck_assert_int_eq(c->has_chain, 1);
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:- 2:0:3:SG:-");
	verify_chain(2, head);
	ck_assert_int_eq(store_ledger_head(store, h), 2);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	store_close(store);
	store_report_free(a);
	store_report_free(b);
	store_report_free(c);
}
END_TEST

/* A ledger row as the reader served it, copied. */
struct got_row {
	int64_t		n;
	int		kind;
	int64_t		seq;
	char		party[64];
	int		present;
	int64_t		at;
	int		has_sig;
	char		sig[64];
	unsigned char	digest[LEDGER_HASH_LEN];
	int		has_recipients;
	char		recipients[64];
	unsigned char	prev[LEDGER_HASH_LEN];
	unsigned char	hash[LEDGER_HASH_LEN];
};

struct page {
	struct got_row	rows[16];
	size_t		n;
};

static void
page_add(const struct store_ledger_row *row, void *arg)
{
	struct page	*p = arg;
	struct got_row	*g;

	ck_assert_uint_lt(p->n, 16);
	g = &p->rows[p->n++];
	memset(g, 0, sizeof *g);
	g->n = row->n;
	g->kind = row->kind;
	g->seq = row->seq;
	ck_assert_ptr_nonnull(row->party);
	snprintf(g->party, sizeof g->party, "%s", row->party);
	g->present = row->present;
	g->at = row->at;
	g->has_sig = row->sig != NULL;
	if (row->sig != NULL)
		snprintf(g->sig, sizeof g->sig, "%s", row->sig);
	memcpy(g->digest, row->digest, LEDGER_HASH_LEN);
	g->has_recipients = row->recipients != NULL;
	if (row->recipients != NULL)
		snprintf(g->recipients, sizeof g->recipients, "%s",
		    row->recipients);
	memcpy(g->prev, row->prev, LEDGER_HASH_LEN);
	memcpy(g->hash, row->hash, LEDGER_HASH_LEN);
}

/* A page of the ledger through the reader: want rows, then *next. */
static void
read_page(struct store_reader *reader, int64_t after, unsigned limit,
    struct page *p, size_t want, int64_t want_next)
{
	int64_t	next = -1;
	int	rc;

	memset(p, 0, sizeof *p);
	rc = store_reader_ledger(reader, after, limit, page_add, p, &next);
	ck_assert_msg(rc == (int)want && p->n == want, "after %lld limit %u: "
	    "%d rows, wanted %zu", (long long)after, limit, rc, want);
	ck_assert_msg(next == want_next, "after %lld limit %u: next %lld, "
	    "wanted %lld", (long long)after, limit, (long long)next,
	    (long long)want_next);
}

/* 1 if a served row hashes, after its prev, to its hash. */
static int
row_matches(const struct got_row *g)
{
	struct ledger_entry	e;
	unsigned char		h[LEDGER_HASH_LEN];

	memset(&e, 0, sizeof e);
	e.kind = (enum ledger_kind)g->kind;
	e.seq = g->seq;
	e.party = g->party;
	e.at = g->at;
	memcpy(e.digest, g->digest, LEDGER_HASH_LEN);
	e.recipients = g->has_recipients ? g->recipients : NULL;
	e.sig = g->has_sig ? g->sig : NULL;
	ck_assert_int_eq(ledger_hash(g->prev, &e, h), 0);
	return (memcmp(h, g->hash, LEDGER_HASH_LEN) == 0);
}

/* A served row must be entry n of the standard history, untouched. */
static void
expect_standard_row(const struct got_row *g, int64_t n,
    struct store_report *r[NSTANDARD])
{
	static const struct {
		int		 kind;
		int64_t		 seq;
		const char	*party;
		int64_t		 at;
		const char	*sig;
	} want[] = {
		{ 0, 1, "SG", T0 + 100 * MS + 123, NULL },
		{ 0, 2, "MY", T0 + 200 * MS, NULL },
		{ 0, 3, "ID", T0 + 300 * MS, NULL },
		{ 1, 2, "MY", T0 + 400 * MS, SIG1 },
		{ 1, 3, "ID", T0 + 500 * MS + 999, NULL },
		{ 2, 3, "HUB-B", T0 + 600 * MS, NULL },
		{ 0, 4, "SG", T0 + 700 * MS, NULL },
		{ 1, 4, "MY", T0 + 800 * MS, SIG2 },
	};
	static const char *const lists[] = { "MY:1 ID:0", "SG:2", "", "ID:1" };
	unsigned char	h[LEDGER_HASH_LEN], d[LEDGER_HASH_LEN];
	int		i = (int)n - 1;

	ck_assert_int_eq(g->n, n);
	ck_assert_int_eq(g->kind, want[i].kind);
	ck_assert_int_eq(g->seq, want[i].seq);
	ck_assert_str_eq(g->party, want[i].party);
	ck_assert_int_eq(g->present, 1);
	ck_assert_int_eq(g->at, want[i].at);
	ck_assert_int_eq(g->has_sig, want[i].sig != NULL);
	if (want[i].sig != NULL)
		ck_assert_str_eq(g->sig, want[i].sig);
	if (want[i].kind == LEDGER_REPORT) {
		ck_assert_int_eq(g->has_recipients, 1);
		ck_assert_str_eq(g->recipients, lists[want[i].seq - 1]);
		ck_assert_int_eq(ledger_digest(r[want[i].seq - 1]->body,
		    strlen(r[want[i].seq - 1]->body), d), 0);
		ck_assert_mem_eq(g->digest, d, LEDGER_HASH_LEN);
	} else
		ck_assert_int_eq(g->has_recipients, 0);
	hash_of(n, h);
	ck_assert_mem_eq(g->hash, h, LEDGER_HASH_LEN);
	memset(h, 0, sizeof h);
	if (n > 1)
		hash_of(n - 1, h);
	ck_assert_mem_eq(g->prev, h, LEDGER_HASH_LEN);
	ck_assert_msg(row_matches(g), "entry %lld served does not hash to its "
	    "hash", (long long)n);
}

START_TEST(test_reader_pages)
{
	static const struct {
		int64_t		after;
		unsigned	limit;
		size_t		rows;
		int64_t		next;
	} pages[] = {
		{ 0, 3, 3, 3 }, { 3, 3, 3, 6 }, { 6, 3, 2, 0 },
		{ 0, 8, 8, 0 }, { 0, 7, 7, 7 }, { 0, 100, 8, 0 },
		{ 4, 4, 4, 0 }, { 5, 1, 1, 6 }, { 7, 1, 1, 0 },
		{ 8, 3, 0, 0 }, { 100, 3, 0, 0 },
	};
	struct store_report	*r[NSTANDARD];
	struct store_reader	*reader;
	struct store		*store;
	struct page		 p;
	int64_t			 after, next;
	size_t			 i, k;

	store = open_store();
	reader = open_reader();
	/* Empty. */
	read_page(reader, 0, 100, &p, 0, 0);
	commit_standard(store, r);
	for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		read_page(reader, pages[i].after, pages[i].limit, &p,
		    pages[i].rows, pages[i].next);
		for (k = 0; k < p.n; k++)
			expect_standard_row(&p.rows[k],
			    pages[i].after + (int64_t)k + 1, r);
	}
	/* Pages one after the other, by next, cover the chain once. */
	k = 0;
	after = 0;
	for (i = 0; i < 10; i++) {
		memset(&p, 0, sizeof p);
		ck_assert_int_eq(store_reader_ledger(reader, after, 3, page_add,
		    &p, &next), (int)p.n);
		ck_assert_uint_gt(p.n, 0);
		ck_assert_int_eq(p.rows[0].n, after + 1);
		k += p.n;
		if ((after = next) == 0)
			break;
		ck_assert_int_eq(next, p.rows[p.n - 1].n);
	}
	ck_assert_uint_eq(k, 8);
	store_reader_close(reader);
	store_close(store);
	free_reports(r, NSTANDARD);
}
END_TEST

START_TEST(test_reader_tampered)
{
	struct store_report	*r[NSTANDARD];
	struct store_reader	*reader;
	struct store		*store;
	struct page		 p;
	unsigned char		 d[LEDGER_HASH_LEN];
	size_t			 i;

	store = open_store();
	commit_standard(store, r);
	store_close(store);
	/* Behind the hub's back: report 2's text, report 1's list and sender. */
	db_exec("UPDATE reports SET body = '{\"changed\":1}' WHERE seq = 2", 1);
	db_exec("UPDATE reports SET recipient_list = 'SG:0' WHERE seq = 1", 1);
	db_exec("UPDATE reports SET sender = 'XX' WHERE seq = 4", 1);
	/* ID's acknowledgement a millisecond later; HUB-B's gone. */
	db_exec("UPDATE acks SET at = at + 1000 WHERE member = 'ID'", 1);
	db_exec("DELETE FROM acks WHERE member = 'HUB-B'", 1);

	reader = open_reader();
	read_page(reader, 0, 100, &p, 8, 0);
	/* Served as stored now, so the recomputed hash differs. */
	ck_assert_int_eq(ledger_digest("{\"changed\":1}", 13, d), 0);
	ck_assert_mem_eq(p.rows[1].digest, d, LEDGER_HASH_LEN);
	ck_assert_int_eq(row_matches(&p.rows[1]), 0);
	ck_assert_str_eq(p.rows[0].recipients, "SG:0");
	ck_assert_int_eq(row_matches(&p.rows[0]), 0);
	ck_assert_str_eq(p.rows[6].party, "XX");
	ck_assert_int_eq(row_matches(&p.rows[6]), 0);
	ck_assert_int_eq(p.rows[4].at, T0 + 501 * MS + 999);
	ck_assert_int_eq(row_matches(&p.rows[4]), 0);
	ck_assert_int_eq(p.rows[5].present, 0);
	ck_assert_str_eq(p.rows[5].party, "HUB-B");
	/* The untouched ones still match; stored hashes are as they were. */
	for (i = 0; i < 8; i++) {
		if (i == 2 || i == 3 || i == 7)
			ck_assert_msg(row_matches(&p.rows[i]), "entry %zu",
			    i + 1);
		ck_assert_int_eq(p.rows[i].n, (int64_t)i + 1);
	}
	/* A report deleted: its entry is served, marked absent. */
	db_exec("DELETE FROM reports WHERE seq = 3", 1);
	read_page(reader, 2, 1, &p, 1, 3);
	ck_assert_int_eq(p.rows[0].present, 0);
	ck_assert_int_eq(p.rows[0].kind, LEDGER_REPORT);
	ck_assert_int_eq(p.rows[0].seq, 3);
	store_reader_close(reader);
	free_reports(r, NSTANDARD);
}
END_TEST

START_TEST(test_reader_head)
{
	struct store_report	*r[NSTANDARD];
	struct store_reader	*reader;
	struct store		*store;
	unsigned char		 h[LEDGER_HASH_LEN], prev[LEDGER_HASH_LEN];
	unsigned char		 want[LEDGER_HASH_LEN], head[LEDGER_HASH_LEN];
	int64_t			 n;

	store = open_store();
	reader = open_reader();
	memset(h, 0xaa, sizeof h);
	ck_assert_int_eq(store_reader_ledger_head(reader, h), 0);
	memset(want, 0, sizeof want);
	ck_assert_mem_eq(h, want, LEDGER_HASH_LEN);
	commit_standard(store, r);
	ck_assert_int_eq(store_reader_ledger_head(reader, h), 8);
	ck_assert_int_eq(store_ledger_head(store, head), 8);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);

	/* A report's entry, with the hash before it. */
	ck_assert_int_eq(store_reader_ledger_report(reader, 2, &n, h, prev), 1);
	ck_assert_int_eq(n, 2);
	ck_assert_mem_eq(h, r[1]->chain, LEDGER_HASH_LEN);
	ck_assert_mem_eq(prev, r[0]->chain, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_reader_ledger_report(reader, 1, &n, h, prev), 1);
	ck_assert_int_eq(n, 1);
	ck_assert_mem_eq(h, r[0]->chain, LEDGER_HASH_LEN);
	ck_assert_mem_eq(prev, want, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_reader_ledger_report(reader, 4, &n, h, prev), 1);
	ck_assert_int_eq(n, 7);
	hash_of(6, want);
	ck_assert_mem_eq(prev, want, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_reader_ledger_report(reader, 5, &n, h, prev), 0);
	ck_assert_int_eq(store_reader_ledger_report(reader, 0, &n, h, prev), 0);

	/* The chain a report's row holds. */
	ck_assert_int_eq(store_reader_chain(reader, 4, NULL, h), 1);
	ck_assert_mem_eq(h, r[3]->chain, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_reader_chain(reader, 3, NULL, h), 1);
	ck_assert_mem_eq(h, r[2]->chain, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_reader_chain(reader, 5, NULL, h), 0);
	ck_assert_int_eq(store_reader_chain(reader, -1, NULL, h), 0);
	store_reader_close(reader);
	store_close(store);
	free_reports(r, NSTANDARD);
}
END_TEST

/* Keep the deliveries of a report, by member. */
struct kept_delivery {
	char		member[16];
	int64_t		acked_at;
	int		signed_;
};
struct kept_deliveries {
	struct kept_delivery	d[8];
	size_t			n;
};

static void
keep_delivery(const struct store_delivery *d, void *arg)
{
	struct kept_deliveries	*k = arg;

	ck_assert_uint_lt(k->n, 8);
	snprintf(k->d[k->n].member, sizeof k->d[k->n].member, "%s",
	    d->member);
	k->d[k->n].acked_at = d->acked_at;
	k->d[k->n].signed_ = d->signed_;
	k->n++;
}

START_TEST(test_delivery_signed)
{
	static const struct {
		int64_t		 seq;
		const char	*member;
		int64_t		 acked_at;	/* ms after T0, -1: none */
		int		 signed_;
	} cases[] = {
		/* MY's first entry-backed ack reaching 1 is 2, signed. */
		{ 1, "MY", 400, 1 },
		/* ID's ack of 3 is unsigned. */
		{ 1, "ID", 500, 0 },	/* (at 500.999 ms, truncated below) */
		/* SG never acknowledged. */
		{ 2, "SG", -1, -1 },
		/* ID's acks stop at 3. */
		{ 4, "ID", -1, -1 },
		/* An ack row of 5 added by hand is passed over for the
		 * signed ack of 6 that the ledger records. */
		{ 5, "TH", 901, 1 },
		{ 6, "TH", 901, 1 },
		/* One of 7 added by hand, with nothing in the ledger after
		 * it: shown, but not as signed or unsigned. */
		{ 7, "TH", 950, -1 },
	};
	struct store_report	*r[NSTANDARD], *more[3];
	struct kept_deliveries	 k;
	struct store_reader	*reader;
	struct store_mark	 m;
	struct store		*store;
	char			 sql[128];
	size_t			 i, j;

	store = open_store();
	commit_standard(store, r);
	more[0] = report_new("SG", 5, T0 + 850 * MS, "TH:G");
	more[1] = report_new("SG", 6, T0 + 860 * MS, "TH:G");
	more[2] = report_new("SG", 7, T0 + 870 * MS, "TH:G");
	ck_assert_int_eq(store_commit(store, more, 3, NULL, 0), 0);
	m = mark("TH", 6, T0 + 901 * MS, 0, SIG1);
	ck_assert_int_eq(store_commit(store, NULL, 0, &m, 1), 0);
	snprintf(sql, sizeof sql, "INSERT INTO acks VALUES ('TH', 5, %lld)",
	    (long long)(T0 + MS));
	db_exec(sql, 1);
	snprintf(sql, sizeof sql, "INSERT INTO acks VALUES ('TH', 7, %lld)",
	    (long long)(T0 + 950 * MS));
	db_exec(sql, 1);
	reader = open_reader();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&k, 0, sizeof k);
		ck_assert_int_eq(store_reader_deliveries(reader, cases[i].seq,
		    keep_delivery, &k), 0);
		for (j = 0; j < k.n; j++) {
			if (strcmp(k.d[j].member, cases[i].member) == 0)
				break;
		}
		ck_assert_msg(j < k.n, "%s no recipient of %lld",
		    cases[i].member, (long long)cases[i].seq);
		ck_assert_msg(k.d[j].signed_ == cases[i].signed_,
		    "%s at %lld: signed %d, wanted %d", cases[i].member,
		    (long long)cases[i].seq, k.d[j].signed_, cases[i].signed_);
		ck_assert_int_eq(k.d[j].acked_at / MS, cases[i].acked_at == -1 ?
		    0 : T0 / MS + cases[i].acked_at);
	}
	store_reader_close(reader);
	store_close(store);
	free_reports(r, NSTANDARD);
	free_reports(more, 3);
}
END_TEST

START_TEST(test_check_head)
{
	struct store_report	*r[NSTANDARD], *e;
	struct store		*store;
	char			 sql[256];

	store = open_store();
	/* Empty: nothing to check. */
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	commit_standard(store, r);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	/* Only the head is checked at open: an earlier entry's data is not. */
	db_exec("UPDATE reports SET body = '{}' WHERE seq = 1", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);

	/* The last entry is MY's signed acknowledgement of 4. */
	db_exec("UPDATE acks SET at = at + 1000 WHERE member = 'MY' AND "
	    "upto = 4", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE acks SET at = at - 1000 WHERE member = 'MY' AND "
	    "upto = 4", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	/* Below the millisecond the canonical time does not see. */
	db_exec("UPDATE acks SET at = at + 1 WHERE member = 'MY' AND upto = 4",
	    1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("UPDATE acks SET at = at - 1 WHERE member = 'MY' AND upto = 4",
	    1);
	db_exec("UPDATE ledger SET sig = 'AAAA' WHERE n = 8", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE ledger SET sig = NULL WHERE n = 8", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE ledger SET sig = '" SIG2 "' WHERE n = 8", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("DELETE FROM acks WHERE member = 'MY' AND upto = 4", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	snprintf(sql, sizeof sql, "INSERT INTO acks VALUES ('MY', 4, %lld)",
	    (long long)(T0 + 800 * MS));
	db_exec(sql, 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	/* The entry before the head gives its prev. */
	db_exec("UPDATE ledger SET hash = zeroblob(32) WHERE n = 7", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE ledger SET hash = (SELECT chain FROM reports WHERE "
	    "seq = 4) WHERE n = 7", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);

	/* The last entry a report: its text, list, time and sender. */
	e = report_new("TH", 5, T0 + 900 * MS, "SG:B");
	ck_assert_int_eq(store_commit(store, &e, 1, NULL, 0), 0);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("UPDATE reports SET body = body || ' ' WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	snprintf(sql, sizeof sql, "UPDATE reports SET body = '%s' WHERE "
	    "seq = 5", e->body);
	db_exec(sql, 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("UPDATE reports SET recipient_list = 'SG:1' WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE reports SET recipient_list = 'SG:0' WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("UPDATE reports SET received_at = received_at - 1000 WHERE "
	    "seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE reports SET received_at = received_at + 1000 WHERE "
	    "seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("UPDATE reports SET sender = 'PH' WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	db_exec("UPDATE reports SET sender = 'TH' WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	db_exec("DELETE FROM reports WHERE seq = 5", 1);
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	store_close(store);

	/* A damaged head is logged at open, which goes on; the hash read. */
	store = open_store();
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	store_close(store);
	db_exec("DELETE FROM ledger WHERE n = 9", 1);
	db_exec("UPDATE ledger SET hash = zeroblob(32) WHERE n = 8", 1);
	store = open_store();
	ck_assert_int_eq(store_ledger_check_head(store), -1);
	store_close(store);
	free_reports(r, NSTANDARD);
	store_report_free(e);
}
END_TEST

START_TEST(test_migrate_from_v7)
{
	struct store_report	*r[4], *e;
	struct store_mark	 m[4];
	struct store		*store;
	unsigned char		 head[LEDGER_HASH_LEN], h[LEDGER_HASH_LEN];
	char			 sql[128], *hex;
	size_t			 i;

	/*
	 * Reports committed before the acknowledgements that came between
	 * them: the chain built at migration is in time order, a report
	 * before an acknowledgement of the same instant, then by seq.
	 */
	store = open_store();
	r[0] = report_new("SG", 1, T0 + 100 * MS, "MY:R");
	r[1] = report_new("MY", 2, T0 + 300 * MS, "SG:G ID:G");
	r[2] = report_new("ID", 3, T0 + 300 * MS, "");
	r[3] = report_new("SG", 4, T0 + 500 * MS, "ID:B");
	ck_assert_int_eq(store_commit(store, r, 4, NULL, 0), 0);
	m[0] = mark("MY", 1, T0 + 200 * MS, 0, NULL);
	/* At the instant of reports 2 and 3, acknowledging only 1. */
	m[1] = mark("ID", 1, T0 + 300 * MS, 0, NULL);
	m[2] = mark("HUB-B", 2, T0 + 400 * MS, 1, NULL);
	m[3] = mark("TH", 4, T0 + 600 * MS, 0, SIG1);
	ck_assert_int_eq(store_commit(store, NULL, 0, m, 4), 0);
	store_close(store);
	/* Back to schema 7: no ledger, no chain column. */
	db_exec("DROP TABLE ledger; ALTER TABLE reports DROP COLUMN chain; "
	    "PRAGMA user_version = 7;", 0);
	ck_assert_int_eq(db_int("PRAGMA user_version"), 7);
	ck_assert_int_eq(db_int("SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'ledger'"), 0);

	store = open_store();
	ck_assert_int_eq(db_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/*
	 * Schema 7 kept neither signatures nor which positions were a peer
	 * hub's: every acknowledgement is chained unsigned, as an ack.
	 */
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:- 2:1:1:MY:- 3:0:2:MY:- 4:0:3:ID:- "
	    "5:1:1:ID:- 6:1:2:HUB-B:- 7:0:4:SG:- 8:1:4:TH:-");
	verify_chain(8, head);
	ck_assert_int_eq(store_ledger_head(store, h), 8);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	ck_assert_int_eq(store_ledger_check_head(store), 0);
	/* Each report's row holds its entry's hash. */
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof sql, "SELECT hex(chain) FROM reports WHERE "
		    "seq = %zu", i + 1);
		hex = hash_hex_of(i == 0 ? 1 : i == 3 ? 7 : (int64_t)i + 2);
		EXPECT_DB(sql, hex);
		free(hex);
	}
	/* A duplicate of a migrated report gets the built chain. */
	e = report_new("MY", 2, T0 + 2000 * MS, "SG:G ID:G");
	ck_assert_int_eq(store_commit(store, &e, 1, NULL, 0), 0);
	ck_assert_int_eq(e->duplicate, 1);
	ck_assert_int_eq(e->has_chain, 1);
	hash_of(3, h);
	ck_assert_mem_eq(e->chain, h, LEDGER_HASH_LEN);
	store_report_free(e);
	/* And new entries chain on from the built head. */
	e = report_new("PH", 5, T0 + 3000 * MS, "");
	ck_assert_int_eq(store_commit(store, &e, 1, NULL, 0), 0);
	ck_assert_int_eq(e->seq, 5);
	verify_chain(9, head);
	ck_assert_mem_eq(e->chain, head, LEDGER_HASH_LEN);
	store_close(store);
	/* Opened again, nothing is built twice. */
	store = open_store();
	ck_assert_int_eq(store_ledger_head(store, h), 9);
	ck_assert_mem_eq(h, head, LEDGER_HASH_LEN);
	store_close(store);
	ck_assert_int_eq(db_int("SELECT count(*) FROM ledger"), 9);
	free_reports(r, 4);
	store_report_free(e);
}
END_TEST

/* Opened naming the peer hubs, a migration enters theirs as forwards. */
START_TEST(test_migration_knows_the_peers)
{
	static const char *const peers[] = { "HUB-B" };
	unsigned char		 head[LEDGER_HASH_LEN];
	struct store_report	*r;
	struct store_mark	 m[2];
	struct store		*store;
	char			*cause = NULL;

	store = open_store();
	r = report_new("SG", 1, T0 + 100 * MS, "MY:R HUB-B:2");
	ck_assert_int_eq(store_commit(store, &r, 1, NULL, 0), 0);
	m[0] = mark("HUB-B", 1, T0 + 200 * MS, 1, NULL);
	m[1] = mark("MY", 1, T0 + 300 * MS, 0, NULL);
	ck_assert_int_eq(store_commit(store, NULL, 0, m, 2), 0);
	store_close(store);
	db_exec("DROP TABLE ledger; ALTER TABLE reports DROP COLUMN chain; "
	    "PRAGMA user_version = 7;", 0);
	store = store_open_peers(dbpath, peers, 1, &cause);
	ck_assert_msg(store != NULL, "%s", cause != NULL ? cause : "?");
	EXPECT_DB(LEDGER_ROWS, "1:0:1:SG:- 2:2:1:HUB-B:- 3:1:1:MY:-");
	verify_chain(3, head);
	store_close(store);
	store_report_free(r);
}
END_TEST

/* The suite of the ledger in the store. */
static Suite *
store_ledger_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store_ledger");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	/* Unchecked: the directory goes even when the test fails. */	\
	tcase_add_unchecked_fixture(tc, setup, teardown);		\
	tcase_set_timeout(tc, 60);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("chain", test_chain);
	ADD("duplicates_and_repeats", test_duplicates_and_repeats);
	ADD("rollback", test_rollback);
	ADD("ledger_off", test_ledger_off);
	ADD("reader_pages", test_reader_pages);
	ADD("reader_tampered", test_reader_tampered);
	ADD("reader_head", test_reader_head);
	ADD("delivery_signed", test_delivery_signed);
	ADD("check_head", test_check_head);
	ADD("migrate_from_v7", test_migrate_from_v7);
	ADD("migration_knows_the_peers", test_migration_knows_the_peers);
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
	sr = srunner_create(store_ledger_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
