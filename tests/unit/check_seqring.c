/* Unit tests of the ring of unacknowledged sequence numbers. */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "seqring.h"

START_TEST(ack_counts_what_was_pushed)
{
	struct seqring	r;

	seqring_init(&r, 1000, 10);
	seqring_push(&r, 11);
	seqring_push(&r, 14);
	seqring_push(&r, 15);
	seqring_push(&r, 20);
	/* Up to 14: two of them; the range (10, 14] is covered. */
	ck_assert_int_eq(seqring_ack(&r, 10, 14), 2);
	/* Nothing between 14 and 14. */
	ck_assert_int_eq(seqring_ack(&r, 14, 14), 0);
	/* An ack between pushed seqs. */
	ck_assert_int_eq(seqring_ack(&r, 14, 17), 1);
	ck_assert_int_eq(seqring_ack(&r, 17, 100), 1);
	ck_assert_uint_eq(r.count, 0);
	seqring_free(&r);
}
END_TEST

START_TEST(range_before_base_is_not_covered)
{
	struct seqring	r;

	/* Alerts up to 50 were stored before the ring started. */
	seqring_init(&r, 1000, 50);
	seqring_push(&r, 51);
	seqring_push(&r, 52);
	ck_assert_int_eq(seqring_ack(&r, 40, 51), -1);
	/* Trimmed all the same: the next ack is covered. */
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(seqring_ack(&r, 51, 52), 1);
	seqring_free(&r);
}
END_TEST

START_TEST(grows_and_wraps)
{
	struct seqring	r;
	int64_t		seq, acked = 0, total = 0, n;

	seqring_init(&r, 256, 0);
	for (seq = 1; seq <= 100000; seq++) {
		seqring_push(&r, seq * 3);
		if (seq % 97 == 0) {
			n = seqring_ack(&r, acked, seq * 3 - 5);
			ck_assert_int_ge(n, 0);
			total += n;
			acked = seq * 3 - 5;
		}
	}
	/* Everything below the last ack was counted exactly once. */
	ck_assert_int_eq(total, acked / 3);
	ck_assert_uint_le(r.cap, 256);
	seqring_free(&r);
}
END_TEST

START_TEST(overflow_forgets)
{
	struct seqring	r;
	int64_t		seq;

	seqring_init(&r, 64, 0);
	for (seq = 1; seq <= 64; seq++)
		seqring_push(&r, seq);
	ck_assert_uint_eq(r.count, 64);
	/* The 65th does not fit: the ring starts over past it. */
	seqring_push(&r, 65);
	ck_assert_uint_eq(r.count, 0);
	ck_assert_int_eq(r.base, 65);
	seqring_push(&r, 66);
	ck_assert_int_eq(seqring_ack(&r, 10, 66), -1);
	ck_assert_int_eq(seqring_ack(&r, 66, 70), 0);
	seqring_push(&r, 71);
	ck_assert_int_eq(seqring_ack(&r, 70, 71), 1);
	seqring_free(&r);
}
END_TEST

static Suite *
seqring_suite(void)
{
	Suite	*s = suite_create("seqring");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, ack_counts_what_was_pushed);
	tcase_add_test(tc, range_before_base_is_not_covered);
	tcase_add_test(tc, grows_and_wraps);
	tcase_add_test(tc, overflow_forgets);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(seqring_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
