/* Unit tests of the group committer: reports and positions made durable off the loop. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "commit.h"
#include "log.h"
#include "store.h"

#define WAIT_SECONDS	30
#define MAX_REPORTS	4000

static char		 tmpdir[PATH_MAX];
static char		 dbpath[PATH_MAX + 32];
static struct event_base *base;
static pthread_t	 loop_thread;
static struct store	*store;
static struct committer	*committer;

/* What the callbacks saw, in order. */
static struct store_report *done_list[MAX_REPORTS];
static int		 ndone;
static char		 events[2 * MAX_REPORTS + 16];	/* 'D' done, 'B' batch */
static int		 nevents;
static int		 off_loop;	/* callbacks on another thread */
/* Positions the done callbacks note, when asked to. */
static int		 mark_in_done;

static void
done_cb(struct store_report *r, void *arg)
{
	ck_assert_ptr_eq(arg, &ndone);
	if (!pthread_equal(pthread_self(), loop_thread))
		off_loop++;
	ck_assert_int_lt(ndone, MAX_REPORTS);
	done_list[ndone++] = r;
	events[nevents++] = 'D';
	if (mark_in_done && r->error == PROTO_OK) {
		/* As the hub does when it sends and is acknowledged. */
		committer_mark(committer, STORE_MARK_ACK, "SG", r->seq,
		    1000 + r->seq);
		committer_mark(committer, STORE_MARK_DELIVERED, "SG",
		    r->seq + 10, 2000 + r->seq);
		committer_mark(committer, STORE_MARK_ACK, "MY", r->seq % 3,
		    3000 + r->seq);
		/* Lower than one noted before: changes nothing. */
		committer_mark(committer, STORE_MARK_ACK, "SG", 1, 9);
	}
}

static void
batch_cb(void *arg)
{
	ck_assert_ptr_eq(arg, &ndone);
	if (!pthread_equal(pthread_self(), loop_thread))
		off_loop++;
	events[nevents++] = 'B';
}

static void
remove_dir(void)
{
	struct dirent	*de;
	char		 path[PATH_MAX * 2];
	DIR		*d;

	if (tmpdir[0] == '\0')
		return;
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", tmpdir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

/* A store, a loop and a committer over them, for each test. */
static void
setup(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		*cause = NULL;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_commit.XXXXXX", tmp);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(dbpath, sizeof dbpath, "%s/kentongan.db", tmpdir);
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	loop_thread = pthread_self();
	ndone = nevents = off_loop = mark_in_done = 0;
	committer = committer_new(store, base, done_cb, batch_cb, &ndone,
	    &cause);
	ck_assert_msg(committer != NULL, "committer_new: %s", cause);
	ck_assert_ptr_null(cause);
}

static void
teardown(void)
{
	int	i;

	committer_free(committer);
	committer = NULL;
	store_close(store);
	store = NULL;
	if (base != NULL)
		event_base_free(base);
	base = NULL;
	for (i = 0; i < ndone; i++)
		store_report_free(done_list[i]);
	ndone = 0;
	remove_dir();
}

/* Report number i of sender, with a body of its own. */
static struct store_report *
report_new(const char *sender, int i)
{
	struct store_report	*r;

	r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	snprintf(r->sender, sizeof r->sender, "%s", sender);
	ck_assert_int_ne(asprintf(&r->id, "%08x-0000-4000-8000-000000000000",
	    (unsigned)i), -1);
	ck_assert_int_ne(asprintf(&r->body, "{\"n\":%d}", i), -1);
	r->code = strdup("a/b");
	ck_assert_ptr_nonnull(r->code);
	memset(r->digest, i & 0xff, sizeof r->digest);
	r->digest[0] = (unsigned char)(i >> 8);
	r->received_at = INT64_C(1763683200000000) + i;
	/* Which report this is, for the test to find again. */
	r->owner = (void *)(intptr_t)(i + 1);
	return (r);
}

static void
timed_out_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

/* Run the loop until n done callbacks came, or fail. */
static void
loop_until_done(int n)
{
	struct timeval	 tv = { WAIT_SECONDS, 0 };
	struct event	*timer;
	int		 timed_out = 0;

	timer = evtimer_new(base, timed_out_cb, &timed_out);
	ck_assert_ptr_nonnull(timer);
	evtimer_add(timer, &tv);
	while (ndone < n && !timed_out)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(timer);
	ck_assert_msg(ndone >= n, "%d done callbacks in %d s, want %d", ndone,
	    WAIT_SECONDS, n);
}

/* The first column of sql on the database, as text (caller frees). */
static char *
db_text(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	const char	*t;
	char		*out;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	t = (const char *)sqlite3_column_text(stmt, 0);
	out = strdup(t != NULL ? t : "NULL");
	ck_assert_ptr_nonnull(out);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return (out);
}

#define EXPECT_DB(sql, expected) do {					\
	char	*got_ = db_text(sql);					\
									\
	ck_assert_msg(strcmp(got_, (expected)) == 0,			\
	    "%s: got \"%s\", expected \"%s\"", (sql), got_, (expected)); \
	free(got_);							\
} while (0)

#define CURSORS	"SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT " \
	"member || ':' || acked_seq || '@' || acked_at AS r FROM cursors " \
	"ORDER BY member)"
#define ACKS	"SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT " \
	"member || ':' || upto || '@' || at AS r FROM acks ORDER BY member, " \
	"upto)"
#define DELIVERIES "SELECT COALESCE(group_concat(r, ' '), '') FROM (SELECT " \
	"member || ':' || upto || '@' || at AS r FROM deliveries ORDER BY " \
	"member, upto)"

/* Done callbacks in submission order with seqs first.., each once. */
static void
expect_in_order(int n, int64_t first)
{
	int	i;

	ck_assert_int_eq(ndone, n);
	for (i = 0; i < n; i++) {
		struct store_report *r = done_list[i];

		if ((intptr_t)r->owner != i + 1 || r->seq != first + i ||
		    r->error != PROTO_OK || r->duplicate)
			ck_abort_msg("done %d: report %ld, seq %lld, error %d, "
			    "duplicate %d", i, (long)(intptr_t)r->owner - 1,
			    (long long)r->seq, (int)r->error, r->duplicate);
	}
	ck_assert_int_eq(off_loop, 0);
}

/* Batch callbacks follow done callbacks, one after each group. */
static int
expect_batches(void)
{
	int	i, batches = 0;

	ck_assert_int_gt(nevents, 0);
	ck_assert_int_eq(events[0], 'D');
	ck_assert_int_eq(events[nevents - 1], 'B');
	for (i = 0; i < nevents; i++) {
		if (events[i] == 'B') {
			batches++;
			ck_assert_msg(events[i - 1] == 'D', "two batch "
			    "callbacks with no report between them");
		}
	}
	return (batches);
}

START_TEST(test_order_and_seqs)
{
	struct metrics_histogram	h;
	int				i, batches;

	/* Some submitted while earlier ones are being committed. */
	for (i = 0; i < 700; i++)
		committer_submit(committer, report_new(i % 2 ? "SG" : "MY", i));
	ck_assert_uint_eq(committer_pending(committer), 700);
	loop_until_done(1);
	for (i = 700; i < 2500; i++) {
		committer_submit(committer, report_new(i % 3 ? "SG" : "ID", i));
		if (i % 500 == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	loop_until_done(2500);
	expect_in_order(2500, 1);
	batches = expect_batches();
	ck_assert_uint_eq(committer_pending(committer), 0);
	/* Each delivery follows at least one timed commit. */
	committer_histogram(committer, &h);
	ck_assert_uint_ge(h.count, (uint64_t)batches);
	ck_assert(h.sum > 0);
	ck_assert_int_eq(store_last_seq(store), 2500);
	EXPECT_DB("SELECT count(*) || ':' || max(seq) FROM reports",
	    "2500:2500");
}
END_TEST

START_TEST(test_results)
{
	struct store_report	*again, *conflict;

	committer_submit(committer, report_new("SG", 0));
	committer_submit(committer, report_new("SG", 1));
	loop_until_done(2);
	expect_in_order(2, 1);
	/* Sent again: a duplicate of seq 1; same id, other body: refused. */
	again = report_new("SG", 0);
	conflict = report_new("SG", 1);
	free(conflict->body);
	conflict->body = strdup("{\"other\":true}");
	memset(conflict->digest, 0xee, sizeof conflict->digest);
	committer_submit(committer, again);
	committer_submit(committer, conflict);
	committer_submit(committer, report_new("MY", 1));
	loop_until_done(5);
	ck_assert_ptr_eq(done_list[2], again);
	ck_assert_int_eq(again->duplicate, 1);
	ck_assert_int_eq(again->seq, 1);
	ck_assert_int_eq(again->error, PROTO_OK);
	ck_assert_ptr_eq(done_list[3], conflict);
	ck_assert_int_eq(conflict->error, PROTO_ID_CONFLICT);
	ck_assert_int_eq(conflict->duplicate, 0);
	ck_assert_int_eq(done_list[4]->seq, 3);
	ck_assert_int_eq(done_list[4]->duplicate, 0);
	ck_assert_int_eq(off_loop, 0);
	ck_assert_int_eq(store_last_seq(store), 3);
}
END_TEST

START_TEST(test_marks_land)
{
	/*
	 * Positions noted before a report are durable once its done
	 * callback comes: they are committed with it or before it.
	 */
	committer_mark(committer, STORE_MARK_ACK, "SG", 5, 100);
	committer_mark(committer, STORE_MARK_DELIVERED, "SG", 7, 101);
	committer_mark(committer, STORE_MARK_ACK, "MY", 2, 102);
	committer_submit(committer, report_new("ID", 0));
	loop_until_done(1);
	EXPECT_DB(CURSORS, "MY:2@102 SG:5@100");
	EXPECT_DB(ACKS, "MY:2@102 SG:5@100");
	EXPECT_DB(DELIVERIES, "SG:7@101");

	/* A higher position, then a lower one: the cursor stays higher. */
	committer_mark(committer, STORE_MARK_ACK, "SG", 9, 200);
	committer_mark(committer, STORE_MARK_ACK, "SG", 3, 201);
	committer_submit(committer, report_new("ID", 1));
	loop_until_done(2);
	EXPECT_DB("SELECT acked_seq || '@' || acked_at FROM cursors WHERE "
	    "member = 'SG'", "9@200");
	EXPECT_DB("SELECT count(*) FROM acks WHERE member = 'SG' AND upto = 9 "
	    "AND at = 200", "1");
	/* Only positions: no callback, but made durable all the same. */
	committer_mark(committer, STORE_MARK_DELIVERED, "TH", 4, 300);
	committer_free(committer);
	committer = NULL;
	EXPECT_DB(DELIVERIES, "SG:7@101 TH:4@300");
	ck_assert_int_eq(ndone, 2);
}
END_TEST

START_TEST(test_marks_collapse)
{
	int	i;

	/*
	 * The loop is not run: every done callback runs in committer_free,
	 * and the positions they note go in one last commit, the highest
	 * of each member and kind only.
	 */
	mark_in_done = 1;
	for (i = 0; i < 8; i++)
		committer_submit(committer, report_new("ID", i));
	committer_free(committer);
	committer = NULL;
	expect_in_order(8, 1);
	expect_batches();
	EXPECT_DB(CURSORS, "MY:2@3002 SG:8@1008");
	EXPECT_DB(ACKS, "MY:2@3002 SG:8@1008");
	EXPECT_DB(DELIVERIES, "SG:18@2008");
}
END_TEST

START_TEST(test_free_commits_queued)
{
	int	i;

	/* Queued and never seen by the loop: committed, then answered. */
	for (i = 0; i < 300; i++)
		committer_submit(committer, report_new("SG", i));
	committer_free(committer);
	committer = NULL;
	expect_in_order(300, 1);
	expect_batches();
	ck_assert_int_eq(store_last_seq(store), 300);
	EXPECT_DB("SELECT count(*) FROM reports", "300");
	/* Freeing nothing is fine, and NULL has an empty histogram. */
	committer_free(NULL);
	{
		struct metrics_histogram h;

		memset(&h, 0xff, sizeof h);
		committer_histogram(NULL, &h);
		ck_assert_uint_eq(h.count, 0);
	}
}
END_TEST

START_TEST(test_free_idle)
{
	/* Nothing submitted: no callbacks, nothing written. */
	committer_free(committer);
	committer = NULL;
	ck_assert_int_eq(ndone, 0);
	ck_assert_int_eq(nevents, 0);
	EXPECT_DB("SELECT count(*) FROM reports", "0");
	EXPECT_DB(CURSORS, "");
}
END_TEST

/* The suite of the commit module. */
static Suite *
commit_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("commit");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, setup, teardown);			\
	tcase_set_timeout(tc, 4 * WAIT_SECONDS);			\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("order_and_seqs", test_order_and_seqs);
	ADD("results", test_results);
	ADD("marks_land", test_marks_land);
	ADD("marks_collapse", test_marks_collapse);
	ADD("free_commits_queued", test_free_commits_queued);
	ADD("free_idle", test_free_idle);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_ERR);
	sr = srunner_create(commit_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
