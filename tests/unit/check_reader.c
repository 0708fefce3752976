/* Unit tests of the reader pool: jobs on threads, answers on the loop, gates. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "log.h"
#include "reader.h"
#include "store.h"
#include "store_read.h"

/* How long any wait may take before the test calls it a failure. */
#define WAIT_SECONDS	30

static char		tmpdir[PATH_MAX];
static char		dbpath[PATH_MAX + 32];
static struct event_base *base;
static pthread_t	loop_thread;

/* What the jobs' threads and the test share, under lock. */
static pthread_mutex_t	lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	changed = PTHREAD_COND_INITIALIZER;
static int		runs;		/* run calls so far */
static int		running[4];	/* per gate number */
static int		most_running[4];

/* A job of the tests. */
struct tjob {
	struct reader_job	 job;	/* first: the job is the struct */
	int			 gate;	/* 0: none, else a gate number */
	int			 blocks;	/* run waits for release */
	int			 release;	/* under lock */
	int			 ran;		/* under lock */
	int			 run_order;	/* under lock: runs before it */
	pthread_t		 run_thread;
	int64_t			 last_seq;	/* what its reader saw */
	int			 done;		/* loop only */
	int			 done_order;
	int			 cancelled;
	pthread_t		 done_thread;
	int			 resubmit;	/* submit again this many times */
	struct reader		*reader;
	struct reader_gate	*via;
};

static int	dones;		/* done callbacks so far, loop only */

static void
tjob_run(struct reader_job *job, struct store_reader *store)
{
	struct tjob	*t = (struct tjob *)job;

	t->last_seq = store_reader_last_seq(store);
	pthread_mutex_lock(&lock);
	t->ran++;
	t->run_order = runs++;
	t->run_thread = pthread_self();
	if (++running[t->gate] > most_running[t->gate])
		most_running[t->gate] = running[t->gate];
	pthread_cond_broadcast(&changed);
	while (t->blocks && !t->release)
		pthread_cond_wait(&changed, &lock);
	running[t->gate]--;
	pthread_mutex_unlock(&lock);
}

static void
tjob_done(struct reader_job *job)
{
	struct tjob	*t = (struct tjob *)job;

	t->done++;
	t->done_order = dones++;
	t->cancelled = job->cancelled;
	t->done_thread = pthread_self();
	if (t->resubmit > 0) {
		t->resubmit--;
		if (t->via != NULL)
			reader_submit_gated(t->reader, t->via, &t->job);
		else
			reader_submit(t->reader, &t->job);
	}
}

static void
tjob_init(struct tjob *t, int gate, int blocks)
{
	memset(t, 0, sizeof *t);
	t->job.run = tjob_run;
	t->job.done = tjob_done;
	t->gate = gate;
	t->blocks = blocks;
}

/* Let a blocking job's run return. */
static void
tjob_release(struct tjob *t)
{
	pthread_mutex_lock(&lock);
	t->release = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

static int
tjob_ran(struct tjob *t)
{
	int	ran;

	pthread_mutex_lock(&lock);
	ran = t->ran;
	pthread_mutex_unlock(&lock);
	return (ran);
}

/* Wait (off the loop) until t's run has started. */
static void
wait_started(struct tjob *t)
{
	struct timespec	deadline;
	int		rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_SECONDS;
	pthread_mutex_lock(&lock);
	while (t->ran == 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&changed, &lock, &deadline);
	pthread_mutex_unlock(&lock);
	ck_assert_msg(rc != ETIMEDOUT, "a job did not start in %d s",
	    WAIT_SECONDS);
}

static void
timed_out_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	*(int *)arg = 1;
}

/* Run the loop until n done callbacks in all have come, or fail. */
static void
loop_until_dones(int n)
{
	struct timeval	 tv = { WAIT_SECONDS, 0 };
	struct event	*timer;
	int		 timed_out = 0;

	timer = evtimer_new(base, timed_out_cb, &timed_out);
	ck_assert_ptr_nonnull(timer);
	evtimer_add(timer, &tv);
	while (dones < n && !timed_out)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(timer);
	ck_assert_msg(dones >= n, "%d done callbacks in %d s, want %d", dones,
	    WAIT_SECONDS, n);
}

/* The job ran once on a reader thread and was done once on the loop. */
static void
expect_ran(struct tjob *t)
{
	ck_assert_int_eq(tjob_ran(t), 1);
	ck_assert(!pthread_equal(t->run_thread, loop_thread));
	ck_assert_int_eq(t->done, 1);
	ck_assert_int_eq(t->cancelled, 0);
	ck_assert(pthread_equal(t->done_thread, loop_thread));
	ck_assert_int_eq(t->last_seq, 3);
}

/* The job was done once, cancelled, and never ran. */
static void
expect_cancelled(struct tjob *t)
{
	ck_assert_int_eq(tjob_ran(t), 0);
	ck_assert_int_eq(t->done, 1);
	ck_assert_int_eq(t->cancelled, 1);
	ck_assert(pthread_equal(t->done_thread, loop_thread));
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

/* A database of three reports, and a loop, for each test. */
static void
setup(void)
{
	struct store_report	*r[3];
	struct store		*store;
	const char		*tmp = getenv("TMPDIR");
	char			*cause = NULL, id[40];
	int			 i;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_reader.XXXXXX", tmp);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(dbpath, sizeof dbpath, "%s/kentongan.db", tmpdir);
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	for (i = 0; i < 3; i++) {
		r[i] = calloc(1, sizeof *r[i]);
		ck_assert_ptr_nonnull(r[i]);
		strcpy(r[i]->sender, "SG");
		snprintf(id, sizeof id, "id-%d", i);
		r[i]->id = strdup(id);
		r[i]->body = strdup("{}");
		r[i]->code = strdup("a/b");
		r[i]->received_at = 1000 + i;
	}
	ck_assert_int_eq(store_commit(store, r, 3, NULL, 0), 0);
	for (i = 0; i < 3; i++)
		store_report_free(r[i]);
	store_close(store);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	loop_thread = pthread_self();
	runs = dones = 0;
	memset(running, 0, sizeof running);
	memset(most_running, 0, sizeof most_running);
}

static void
teardown(void)
{
	if (base != NULL)
		event_base_free(base);
	base = NULL;
	remove_dir();
}

static struct reader *
start(unsigned nthreads)
{
	struct reader	*rd;
	char		*cause = NULL;

	rd = reader_new(dbpath, base, nthreads, &cause);
	ck_assert_msg(rd != NULL, "reader_new: %s", cause);
	ck_assert_ptr_null(cause);
	return (rd);
}

START_TEST(test_threads_and_loop)
{
	struct reader	*rd;
	struct tjob	 jobs[50];
	int		 i;

	rd = start(2);
	for (i = 0; i < 50; i++) {
		tjob_init(&jobs[i], 0, 0);
		reader_submit(rd, &jobs[i].job);
	}
	ck_assert_uint_eq(reader_pending(rd), 50);
	loop_until_dones(50);
	/* Each ran once, off the loop; each was done once, on it. */
	for (i = 0; i < 50; i++)
		expect_ran(&jobs[i]);
	ck_assert_uint_eq(reader_pending(rd), 0);
	/* Nothing more comes. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(dones, 50);
	reader_free(rd);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(jobs[i].done, 1);
}
END_TEST

START_TEST(test_gate_one_at_a_time)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 a[3], b[4];
	int			 i;

	/* Gate 1 lets one job run; its others wait while others run. */
	rd = start(2);
	reader_gate_init(&gate, 1);
	tjob_init(&a[0], 1, 1);
	tjob_init(&a[1], 1, 1);
	tjob_init(&a[2], 1, 0);
	for (i = 0; i < 3; i++)
		reader_submit_gated(rd, &gate, &a[i].job);
	wait_started(&a[0]);
	for (i = 0; i < 4; i++) {
		tjob_init(&b[i], 2, 0);
		reader_submit(rd, &b[i].job);
	}
	ck_assert_uint_eq(reader_pending(rd), 7);
	/* The other thread runs them while a[0] holds the first. */
	loop_until_dones(4);
	for (i = 0; i < 4; i++)
		expect_ran(&b[i]);
	ck_assert_int_eq(tjob_ran(&a[1]), 0);
	ck_assert_int_eq(tjob_ran(&a[2]), 0);
	ck_assert_int_eq(a[0].done, 0);
	ck_assert_uint_eq(reader_pending(rd), 3);

	/* Released one by one, in the order they came. */
	tjob_release(&a[0]);
	loop_until_dones(5);
	wait_started(&a[1]);
	ck_assert_int_eq(tjob_ran(&a[2]), 0);
	tjob_release(&a[1]);
	loop_until_dones(7);
	for (i = 0; i < 3; i++)
		expect_ran(&a[i]);
	ck_assert_int_lt(a[0].run_order, a[1].run_order);
	ck_assert_int_lt(a[1].run_order, a[2].run_order);
	ck_assert_int_lt(a[0].done_order, a[1].done_order);
	ck_assert_int_lt(a[1].done_order, a[2].done_order);
	ck_assert_int_eq(most_running[1], 1);
	ck_assert_uint_eq(reader_pending(rd), 0);
	ck_assert_uint_eq(gate.running, 0);
	reader_free(rd);
}
END_TEST

START_TEST(test_gate_of_two)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 c[3], other;
	int			 i;

	/* Limit 2 of 3 threads: a third job of the gate waits. */
	rd = start(3);
	reader_gate_init(&gate, 2);
	for (i = 0; i < 3; i++) {
		tjob_init(&c[i], 3, 1);
		reader_submit_gated(rd, &gate, &c[i].job);
	}
	wait_started(&c[0]);
	wait_started(&c[1]);
	ck_assert_uint_eq(gate.running, 2);
	tjob_init(&other, 0, 0);
	reader_submit(rd, &other.job);
	loop_until_dones(1);
	expect_ran(&other);
	ck_assert_int_eq(tjob_ran(&c[2]), 0);
	tjob_release(&c[1]);
	loop_until_dones(2);
	wait_started(&c[2]);
	tjob_release(&c[0]);
	tjob_release(&c[2]);
	loop_until_dones(4);
	for (i = 0; i < 3; i++)
		expect_ran(&c[i]);
	ck_assert_int_eq(most_running[3], 2);
	reader_free(rd);
}
END_TEST

START_TEST(test_abandoned_at_gate)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 a[4];
	int			 i;

	rd = start(2);
	reader_gate_init(&gate, 1);
	tjob_init(&a[0], 1, 1);
	reader_submit_gated(rd, &gate, &a[0].job);
	for (i = 1; i < 4; i++) {
		tjob_init(&a[i], 1, 0);
		reader_submit_gated(rd, &gate, &a[i].job);
	}
	wait_started(&a[0]);
	/* Their owners went away while they waited; a[0] was running. */
	a[0].job.abandoned = 1;
	a[1].job.abandoned = 1;
	a[3].job.abandoned = 1;
	tjob_release(&a[0]);
	loop_until_dones(4);
	/* A running job is done as usual; waiting ones never run. */
	expect_ran(&a[0]);
	expect_cancelled(&a[1]);
	expect_ran(&a[2]);
	expect_cancelled(&a[3]);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(a[i].done_order, i);
	ck_assert_uint_eq(reader_pending(rd), 0);
	ck_assert_uint_eq(gate.running, 0);
	reader_free(rd);
}
END_TEST

START_TEST(test_gate_cancel)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 a[4];

	rd = start(2);
	reader_gate_init(&gate, 1);
	tjob_init(&a[0], 1, 1);
	tjob_init(&a[1], 1, 0);
	tjob_init(&a[2], 1, 0);
	reader_submit_gated(rd, &gate, &a[0].job);
	reader_submit_gated(rd, &gate, &a[1].job);
	reader_submit_gated(rd, &gate, &a[2].job);
	wait_started(&a[0]);
	ck_assert_uint_eq(reader_pending(rd), 3);
	/* The waiting ones are done at once, cancelled; a[0] runs on. */
	reader_gate_cancel(rd, &gate);
	ck_assert_int_eq(dones, 2);
	expect_cancelled(&a[1]);
	expect_cancelled(&a[2]);
	ck_assert_int_lt(a[1].done_order, a[2].done_order);
	ck_assert_int_eq(a[0].done, 0);
	ck_assert_uint_eq(reader_pending(rd), 1);
	/* Nothing waits: cancelling again does nothing. */
	reader_gate_cancel(rd, &gate);
	ck_assert_int_eq(dones, 2);
	tjob_release(&a[0]);
	loop_until_dones(3);
	expect_ran(&a[0]);
	/* The gate works on. */
	tjob_init(&a[3], 1, 0);
	reader_submit_gated(rd, &gate, &a[3].job);
	loop_until_dones(4);
	expect_ran(&a[3]);
	ck_assert_int_eq(tjob_ran(&a[1]), 0);
	ck_assert_int_eq(tjob_ran(&a[2]), 0);
	ck_assert_uint_eq(reader_pending(rd), 0);
	reader_free(rd);
}
END_TEST

/* Release a blocking job from another thread, a moment after start. */
static void *
release_later(void *arg)
{
	struct timespec	ts = { 0, 20 * 1000 * 1000 };

	/* Not a pass/fail timing: only makes the cancel path the usual one. */
	nanosleep(&ts, NULL);
	tjob_release(arg);
	return (NULL);
}

START_TEST(test_free)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 a, b, c, d;
	pthread_t		 helper;

	/*
	 * One thread. a (gated) has run but was not delivered; b waits at
	 * the gate behind it; d holds the thread; c waits for the thread.
	 */
	rd = start(1);
	reader_gate_init(&gate, 1);
	tjob_init(&a, 1, 0);
	tjob_init(&b, 1, 0);
	reader_submit_gated(rd, &gate, &a.job);
	reader_submit_gated(rd, &gate, &b.job);
	wait_started(&a);
	tjob_init(&d, 0, 1);
	reader_submit(rd, &d.job);
	wait_started(&d);
	tjob_init(&c, 0, 0);
	reader_submit(rd, &c.job);
	ck_assert_uint_eq(reader_pending(rd), 4);
	ck_assert_int_eq(dones, 0);

	ck_assert_int_eq(pthread_create(&helper, NULL, release_later, &d), 0);
	/* The thread finishes d; the rest is delivered or cancelled. */
	reader_free(rd);
	ck_assert_int_eq(pthread_join(helper, NULL), 0);
	ck_assert_int_eq(dones, 4);
	expect_ran(&a);
	expect_ran(&d);
	/* Waiting at a gate is waiting: b is done too, and never ran. */
	expect_cancelled(&b);
	/* c may have been taken before the thread saw the stop. */
	ck_assert_int_eq(c.done, 1);
	ck_assert_int_eq(c.cancelled, !tjob_ran(&c));
	ck_assert(pthread_equal(c.done_thread, loop_thread));
}
END_TEST

START_TEST(test_free_idle)
{
	struct reader	*rd;

	/* Nothing submitted, and nothing at all. */
	rd = start(2);
	ck_assert_uint_eq(reader_pending(rd), 0);
	reader_free(rd);
	reader_free(NULL);
	ck_assert_int_eq(dones, 0);
}
END_TEST

START_TEST(test_done_submits_again)
{
	struct reader		*rd;
	struct reader_gate	 gate;
	struct tjob		 t, g;

	/* A done callback may submit its job again, gated or not. */
	rd = start(2);
	reader_gate_init(&gate, 1);
	tjob_init(&t, 0, 0);
	t.resubmit = 4;
	t.reader = rd;
	tjob_init(&g, 1, 0);
	g.resubmit = 4;
	g.reader = rd;
	g.via = &gate;
	reader_submit(rd, &t.job);
	reader_submit_gated(rd, &gate, &g.job);
	loop_until_dones(10);
	ck_assert_int_eq(tjob_ran(&t), 5);
	ck_assert_int_eq(t.done, 5);
	ck_assert_int_eq(tjob_ran(&g), 5);
	ck_assert_int_eq(g.done, 5);
	ck_assert_int_eq(most_running[1], 1);
	ck_assert_uint_eq(reader_pending(rd), 0);
	ck_assert_uint_eq(gate.running, 0);
	reader_free(rd);
}
END_TEST

START_TEST(test_new_fails)
{
	struct reader	*rd;
	char		*cause = NULL, path[PATH_MAX + 64];

	/* No database there: refused with a cause naming it. */
	snprintf(path, sizeof path, "%s/missing/kentongan.db", tmpdir);
	rd = reader_new(path, base, 2, &cause);
	ck_assert_ptr_null(rd);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, path) != NULL, "cause: %s", cause);
	free(cause);
}
END_TEST

/* The suite of the reader module. */
static Suite *
reader_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("reader");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, setup, teardown);			\
	tcase_set_timeout(tc, 4 * WAIT_SECONDS);			\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("threads_and_loop", test_threads_and_loop);
	ADD("gate_one_at_a_time", test_gate_one_at_a_time);
	ADD("gate_of_two", test_gate_of_two);
	ADD("abandoned_at_gate", test_abandoned_at_gate);
	ADD("gate_cancel", test_gate_cancel);
	ADD("free", test_free);
	ADD("free_idle", test_free_idle);
	ADD("done_submits_again", test_done_submits_again);
	ADD("new_fails", test_new_fails);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_ERR);
	sr = srunner_create(reader_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
