/* Unit tests of the token bucket behind report_rate. */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "ratelimit.h"

#define SEC	INT64_C(1000000)	/* microseconds */
#define MS	INT64_C(1000)

/* Take n tokens at now, asserting that every one is granted. */
static void
take_n(struct ratelimit *rl, unsigned n, int64_t now)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		ck_assert_msg(ratelimit_take(rl, now) == 1,
		    "take %u of %u at %lld refused", i + 1, n, (long long)now);
}

/* The number of takes granted at now before the first refusal (capped). */
static unsigned
count_takes(struct ratelimit *rl, int64_t now, unsigned cap)
{
	unsigned	n = 0;

	while (n < cap && ratelimit_take(rl, now))
		n++;
	return (n);
}

START_TEST(test_burst_then_refusal)
{
	struct ratelimit	rl;

	ratelimit_init(&rl, 10, 5, 0);
	ck_assert_uint_eq(rl.rate, 10);
	ck_assert_uint_eq(rl.burst, 5);
	take_n(&rl, 5, 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
	/* A refusal costs nothing and does not grant later. */
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);

	/* Starting at an arbitrary clock reading changes nothing. */
	ratelimit_init(&rl, 100, 1000, 123456789 * SEC);
	ck_assert_uint_eq(count_takes(&rl, 123456789 * SEC, 5000), 1000);

	ratelimit_init(&rl, 1, 1, 42);
	ck_assert_uint_eq(count_takes(&rl, 42, 10), 1);
}
END_TEST

START_TEST(test_refill)
{
	struct ratelimit	rl;

	/* 10 a second: one token every 100 ms. */
	ratelimit_init(&rl, 10, 5, 0);
	take_n(&rl, 5, 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 50 * MS), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 100 * MS), 1);
	ck_assert_int_eq(ratelimit_take(&rl, 100 * MS), 0);
	/* Half a token is kept across a refusal and completed later. */
	ck_assert_int_eq(ratelimit_take(&rl, 150 * MS), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 210 * MS), 1);
	ck_assert_int_eq(ratelimit_take(&rl, 210 * MS), 0);
	/* 0.1 left plus 2.7 more: two takes, 0.8 left, then 0.3 more. */
	ck_assert_uint_eq(count_takes(&rl, 480 * MS, 10), 2);
	ck_assert_uint_eq(count_takes(&rl, 510 * MS, 10), 1);
	ck_assert_int_eq(ratelimit_take(&rl, 510 * MS), 0);

	/* One a second, probed just below and just above a whole token. */
	ratelimit_init(&rl, 1, 1, 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
	ck_assert_int_eq(ratelimit_take(&rl, SEC - 1), 0);
	ck_assert_int_eq(ratelimit_take(&rl, SEC + 1), 1);
	ck_assert_int_eq(ratelimit_take(&rl, SEC + 2), 0);

	/* A steady 10 a second over 10 s is served exactly. */
	ratelimit_init(&rl, 10, 1, 0);
	{
		unsigned	granted = 0;
		int64_t		t;

		for (t = 0; t < 10 * SEC; t += 25 * MS)
			granted += (unsigned)ratelimit_take(&rl, t);
		/* The initial token plus one per 100 ms after t = 0. */
		ck_assert_uint_eq(granted, 100);
	}
}
END_TEST

START_TEST(test_refill_capped)
{
	struct ratelimit	rl;

	ratelimit_init(&rl, 10, 5, 0);
	take_n(&rl, 5, 0);
	/* An hour idle refills to the burst, not to 36000. */
	ck_assert_uint_eq(count_takes(&rl, 3600 * SEC, 100), 5);
	ck_assert_int_eq(ratelimit_take(&rl, 3600 * SEC), 0);
	/* An idle full bucket stays at the burst. */
	ratelimit_init(&rl, 1000, 3, 0);
	ck_assert_uint_eq(count_takes(&rl, 1000 * SEC, 100), 3);
	/* The largest clock jump still caps at the burst. */
	ratelimit_init(&rl, 1000000, 7, 0);
	take_n(&rl, 7, 0);
	ck_assert_uint_eq(count_takes(&rl, INT64_MAX, 100), 7);
}
END_TEST

START_TEST(test_unlimited)
{
	struct ratelimit	rl;
	unsigned		i;

	/* report_rate 0: the burst is stored as 0 and never consulted. */
	ratelimit_init(&rl, 0, 0, 0);
	/* Far past any burst; one assertion, not a million (sanitizers). */
	for (i = 0; i < 1000000; i++) {
		if (ratelimit_take(&rl, 0) != 1)
			break;
	}
	ck_assert_uint_eq(i, 1000000);
	ck_assert_int_eq(ratelimit_take(&rl, -5 * SEC), 1);
	ck_assert_int_eq(ratelimit_take(&rl, INT64_MAX), 1);

	ratelimit_init(&rl, 0, 3, 0);
	ck_assert_uint_eq(count_takes(&rl, 0, 1000), 1000);
}
END_TEST

START_TEST(test_clock_backwards)
{
	struct ratelimit	rl;

	/* A step back neither refills nor drains what is left. */
	ratelimit_init(&rl, 10, 3, 10 * SEC);
	ck_assert_int_eq(ratelimit_take(&rl, 10 * SEC), 1);
	ck_assert_uint_eq(count_takes(&rl, 5 * SEC, 10), 2);
	ck_assert_int_eq(ratelimit_take(&rl, 5 * SEC), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
	ck_assert_int_eq(ratelimit_take(&rl, -1000 * SEC), 0);
	/* Time is measured again from the earlier reading. */
	ck_assert_int_eq(ratelimit_take(&rl, -1000 * SEC + 50 * MS), 0);
	ck_assert_int_eq(ratelimit_take(&rl, -1000 * SEC + 100 * MS), 1);
	ck_assert_int_eq(ratelimit_take(&rl, -1000 * SEC + 100 * MS), 0);

	/* An empty bucket seen from the past stays empty. */
	ratelimit_init(&rl, 1000, 2, 100 * SEC);
	take_n(&rl, 2, 100 * SEC);
	ck_assert_int_eq(ratelimit_take(&rl, 99 * SEC), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 99 * SEC), 0);
	ck_assert_int_eq(ratelimit_take(&rl, 99 * SEC + 1 * MS), 1);
	ck_assert_int_eq(ratelimit_take(&rl, 99 * SEC + 1 * MS), 0);
}
END_TEST

START_TEST(test_configure)
{
	struct ratelimit	rl;

	/* A smaller burst caps what is left. */
	ratelimit_init(&rl, 10, 100, 0);
	take_n(&rl, 10, 0);
	ratelimit_configure(&rl, 10, 5);
	ck_assert_uint_eq(rl.rate, 10);
	ck_assert_uint_eq(rl.burst, 5);
	ck_assert_uint_eq(count_takes(&rl, 0, 1000), 5);

	/* A larger burst keeps what is left rather than refilling. */
	ratelimit_init(&rl, 10, 5, 0);
	take_n(&rl, 4, 0);
	ratelimit_configure(&rl, 10, 100);
	ck_assert_uint_eq(count_takes(&rl, 0, 1000), 1);
	/* ... and refills up to the new burst over time. */
	ck_assert_uint_eq(count_takes(&rl, 20 * SEC, 1000), 100);

	/* A new rate applies to the time after the change. */
	ratelimit_init(&rl, 1, 10, 0);
	take_n(&rl, 10, 0);
	ratelimit_configure(&rl, 100, 10);
	ck_assert_uint_eq(count_takes(&rl, 50 * MS, 1000), 5);

	/* Rate 0 lifts the limit at once. */
	ratelimit_init(&rl, 10, 2, 0);
	take_n(&rl, 2, 0);
	ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
	ratelimit_configure(&rl, 0, 0);
	ck_assert_uint_eq(count_takes(&rl, 0, 500), 500);

	/* The same settings change nothing. */
	ratelimit_init(&rl, 10, 5, 0);
	take_n(&rl, 2, 0);
	ratelimit_configure(&rl, 10, 5);
	ck_assert_uint_eq(count_takes(&rl, 0, 1000), 3);
}
END_TEST

/* The first few of each interval pass; the rest are counted on the next. */
START_TEST(test_throttle_burst)
{
	struct throttle	t = { 0 };
	uint64_t	suppressed = 99;
	const int64_t	sec = 1000000;
	int		i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(throttle_pass_burst(&t, 100 * sec + i, 10 * sec,
		    3, &suppressed), 1);
		ck_assert_uint_eq(suppressed, 0);
	}
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(throttle_pass_burst(&t, 101 * sec, 10 * sec, 3,
		    &suppressed), 0);
	/* Still inside the interval. */
	ck_assert_int_eq(throttle_pass_burst(&t, 109 * sec, 10 * sec, 3,
	    &suppressed), 0);
	/* A new interval: the silenced six are told, and three pass again. */
	ck_assert_int_eq(throttle_pass_burst(&t, 110 * sec, 10 * sec, 3,
	    &suppressed), 1);
	ck_assert_uint_eq(suppressed, 6);
	ck_assert_int_eq(throttle_pass_burst(&t, 110 * sec, 10 * sec, 3,
	    &suppressed), 1);
	ck_assert_uint_eq(suppressed, 0);
	ck_assert_int_eq(throttle_pass_burst(&t, 111 * sec, 10 * sec, 3,
	    &suppressed), 1);
	ck_assert_int_eq(throttle_pass_burst(&t, 111 * sec, 10 * sec, 3,
	    &suppressed), 0);
}
END_TEST

/* The suite of the ratelimit module. */
/* One line per interval; what was silenced is counted on the next one. */
START_TEST(test_throttle)
{
	struct throttle	t = { 0 };
	uint64_t	suppressed = 99;
	const int64_t	sec = 1000000;
	char		note[THROTTLE_NOTE_MAX];

	ck_assert_int_eq(throttle_pass(&t, 100 * sec, 10 * sec, &suppressed),
	    1);
	ck_assert_uint_eq(suppressed, 0);
	ck_assert_int_eq(throttle_pass(&t, 101 * sec, 10 * sec, &suppressed),
	    0);
	ck_assert_int_eq(throttle_pass(&t, 110 * sec - 1, 10 * sec,
	    &suppressed), 0);
	ck_assert_int_eq(throttle_pass(&t, 110 * sec, 10 * sec, &suppressed),
	    1);
	ck_assert_uint_eq(suppressed, 2);
	ck_assert_int_eq(throttle_pass(&t, 200 * sec, 10 * sec, &suppressed),
	    1);
	ck_assert_uint_eq(suppressed, 0);
	/* A clock that steps back must not silence the log for good. */
	ck_assert_int_eq(throttle_pass(&t, 50 * sec, 10 * sec, &suppressed),
	    1);
	ck_assert_str_eq(throttle_note(note, 0), "");
	ck_assert_str_eq(throttle_note(note, 12),
	    " (12 more since the last such line)");
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ratelimit");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("burst_then_refusal", test_burst_then_refusal);
	ADD("refill", test_refill);
	ADD("refill_capped", test_refill_capped);
	ADD("unlimited", test_unlimited);
	ADD("clock_backwards", test_clock_backwards);
	ADD("configure", test_configure);
	ADD("throttle", test_throttle);
	ADD("throttle_burst", test_throttle_burst);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(ratelimit_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
