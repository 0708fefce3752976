/* Unit tests of the window of forwards in flight on a link. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "window.h"

/* A sentinel for "upto was left alone". */
#define UNTOUCHED	INT64_C(-777)

/* Answer seq, expecting rc and then upto (UNTOUCHED: not moved). */
#define ANSWER(w, seq, rc, want) do {					\
	int64_t	upto_ = UNTOUCHED;					\
									\
	ck_assert_int_eq(window_answer((w), (seq), &upto_), (rc));	\
	ck_assert_msg(upto_ == (want), "answer %lld: upto %lld, "	\
	    "expected %lld", (long long)(seq), (long long)upto_,	\
	    (long long)(want));						\
} while (0)

START_TEST(test_init_free)
{
	struct window	w;

	memset(&w, 0xa5, sizeof w);
	ck_assert_int_eq(window_init(&w, 4), 0);
	ck_assert_uint_eq(window_room(&w), 4);
	ck_assert_uint_eq(window_pending(&w), 0);
	ck_assert_ptr_nonnull(w.seq);
	ck_assert_ptr_nonnull(w.done);
	window_free(&w);
	ck_assert_ptr_null(w.seq);
	ck_assert_ptr_null(w.done);
	ck_assert_uint_eq(window_room(&w), 0);
	ck_assert_uint_eq(window_pending(&w), 0);
	/* Freed twice, or never filled: nothing to do. */
	window_free(&w);
	ck_assert_int_eq(window_push(&w, 1), -1);
	ANSWER(&w, 1, 0, UNTOUCHED);
}
END_TEST

START_TEST(test_room_pending)
{
	struct window	w;
	int64_t		s;

	ck_assert_int_eq(window_init(&w, 3), 0);
	for (s = 1; s <= 3; s++) {
		ck_assert_int_eq(window_push(&w, s * 10), 0);
		ck_assert_uint_eq(window_pending(&w), (size_t)s);
		ck_assert_uint_eq(window_room(&w), 3 - (size_t)s);
	}
	/* Full: refused, nothing changed. */
	ck_assert_int_eq(window_push(&w, 40), -1);
	ck_assert_uint_eq(window_pending(&w), 3);
	ck_assert_uint_eq(window_room(&w), 0);
	/* 40 was never noted: answering it is an answer for nothing. */
	ANSWER(&w, 40, 0, UNTOUCHED);
	/* An answer behind the head keeps its room until the head goes. */
	ANSWER(&w, 20, 1, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 3);
	ck_assert_uint_eq(window_room(&w), 0);
	ANSWER(&w, 10, 1, 20);
	ck_assert_uint_eq(window_pending(&w), 1);
	ck_assert_uint_eq(window_room(&w), 2);
	ck_assert_int_eq(window_push(&w, 40), 0);
	ck_assert_int_eq(window_push(&w, 50), 0);
	ck_assert_int_eq(window_push(&w, 60), -1);
	ck_assert_uint_eq(window_pending(&w), 3);
	window_free(&w);
}
END_TEST

START_TEST(test_in_order)
{
	struct window	w;
	int64_t		s;

	ck_assert_int_eq(window_init(&w, 8), 0);
	for (s = 101; s <= 105; s++)
		ck_assert_int_eq(window_push(&w, s), 0);
	for (s = 101; s <= 105; s++) {
		ANSWER(&w, s, 1, s);
		ck_assert_uint_eq(window_pending(&w), (size_t)(105 - s));
	}
	ck_assert_uint_eq(window_room(&w), 8);
	window_free(&w);
}
END_TEST

START_TEST(test_out_of_order)
{
	struct window	w;

	/* Seqs with gaps, as a peer is sent only what it may receive. */
	ck_assert_int_eq(window_init(&w, 8), 0);
	ck_assert_int_eq(window_push(&w, 3), 0);
	ck_assert_int_eq(window_push(&w, 7), 0);
	ck_assert_int_eq(window_push(&w, 8), 0);
	ck_assert_int_eq(window_push(&w, 20), 0);
	ck_assert_int_eq(window_push(&w, 21), 0);
	/* The cursor waits for 3, however much after it is answered. */
	ANSWER(&w, 21, 1, UNTOUCHED);
	ANSWER(&w, 8, 1, UNTOUCHED);
	ANSWER(&w, 7, 1, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 5);
	/* Then over every answered seq, and no further than the first gap. */
	ANSWER(&w, 3, 1, 8);
	ck_assert_uint_eq(window_pending(&w), 2);
	ANSWER(&w, 20, 1, 21);
	ck_assert_uint_eq(window_pending(&w), 0);
	ck_assert_uint_eq(window_room(&w), 8);
	window_free(&w);
}
END_TEST

START_TEST(test_answer_twice_or_unknown)
{
	struct window	w;

	ck_assert_int_eq(window_init(&w, 4), 0);
	/* Nothing in flight. */
	ANSWER(&w, 1, 0, UNTOUCHED);
	ck_assert_int_eq(window_push(&w, 10), 0);
	ck_assert_int_eq(window_push(&w, 12), 0);
	ck_assert_int_eq(window_push(&w, 14), 0);
	/* Below, between and above what was sent. */
	ANSWER(&w, 9, 0, UNTOUCHED);
	ANSWER(&w, 11, 0, UNTOUCHED);
	ANSWER(&w, 13, 0, UNTOUCHED);
	ANSWER(&w, 15, 0, UNTOUCHED);
	ANSWER(&w, INT64_MAX, 0, UNTOUCHED);
	ANSWER(&w, INT64_MIN, 0, UNTOUCHED);
	ANSWER(&w, 0, 0, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 3);
	/* Twice while it waits behind the head. */
	ANSWER(&w, 12, 1, UNTOUCHED);
	ANSWER(&w, 12, 0, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 3);
	/* Twice once the cursor has passed it. */
	ANSWER(&w, 10, 1, 12);
	ANSWER(&w, 10, 0, UNTOUCHED);
	ANSWER(&w, 12, 0, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 1);
	ANSWER(&w, 14, 1, 14);
	ANSWER(&w, 14, 0, UNTOUCHED);
	ck_assert_uint_eq(window_pending(&w), 0);
	window_free(&w);
}
END_TEST

START_TEST(test_clear)
{
	struct window	w;

	ck_assert_int_eq(window_init(&w, 4), 0);
	ck_assert_int_eq(window_push(&w, 5), 0);
	ck_assert_int_eq(window_push(&w, 6), 0);
	ck_assert_int_eq(window_push(&w, 7), 0);
	ANSWER(&w, 5, 1, 5);
	ANSWER(&w, 7, 1, UNTOUCHED);
	window_clear(&w);
	ck_assert_uint_eq(window_pending(&w), 0);
	ck_assert_uint_eq(window_room(&w), 4);
	/* What was in flight is forgotten. */
	ANSWER(&w, 6, 0, UNTOUCHED);
	ANSWER(&w, 7, 0, UNTOUCHED);
	/* Sent again from the cursor: seqs below those of before. */
	ck_assert_int_eq(window_push(&w, 6), 0);
	ck_assert_int_eq(window_push(&w, 7), 0);
	ck_assert_int_eq(window_push(&w, 8), 0);
	ck_assert_int_eq(window_push(&w, 9), 0);
	ck_assert_int_eq(window_push(&w, 10), -1);
	/* 7 was answered before the clear; now it waits again. */
	ANSWER(&w, 7, 1, UNTOUCHED);
	ANSWER(&w, 6, 1, 7);
	ANSWER(&w, 9, 1, UNTOUCHED);
	ANSWER(&w, 8, 1, 9);
	ck_assert_uint_eq(window_pending(&w), 0);
	window_free(&w);
}
END_TEST

START_TEST(test_one)
{
	struct window	w;
	int64_t		s;

	/* A window of one: every answer moves the cursor. */
	ck_assert_int_eq(window_init(&w, 1), 0);
	for (s = 1; s <= 1000; s++) {
		ck_assert_int_eq(window_push(&w, s * 3), 0);
		ck_assert_int_eq(window_push(&w, s * 3 + 1), -1);
		ANSWER(&w, s * 3 - 3, 0, UNTOUCHED);
		ANSWER(&w, s * 3, 1, s * 3);
		ck_assert_uint_eq(window_room(&w), 1);
	}
	window_free(&w);
}
END_TEST

/* xorshift64*: the same sequence on every platform. */
static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 32));
}

#define WRAP_CAP	7
#define WRAP_PUSHES	100000

/*
 * Many times round the ring, answers in random order, against a plain
 * model: the seqs in flight in order, each answered or not. The first
 * difference is recorded and asserted once: an assertion per step would
 * cost more than the window itself.
 */
START_TEST(test_wrap_around)
{
	struct window	w;
	int64_t		model[WRAP_CAP], next = 1, last_upto = 0, upto, s;
	int64_t		last_pushed = 0;
	int		done[WRAP_CAP], rc, want_rc;
	size_t		n = 0, pushed = 0, step, i, k, moved = 0, held = 0;
	size_t		refused = 0, unknown = 0;
	char		why[256] = "";

	rng_state = UINT64_C(0x77696e646f777321);
	ck_assert_int_eq(window_init(&w, WRAP_CAP), 0);
	for (step = 0; why[0] == '\0' && (pushed < WRAP_PUSHES || n > 0);
	    step++) {
		if (window_pending(&w) != n || window_room(&w) != WRAP_CAP - n) {
			snprintf(why, sizeof why, "step %zu: pending %zu room "
			    "%zu, expected %zu and %zu", step,
			    window_pending(&w), window_room(&w), n,
			    WRAP_CAP - n);
			break;
		}
		if (pushed < WRAP_PUSHES && (n == 0 || rng() % 2 == 0)) {
			rc = window_push(&w, next);
			if (rc != (n == WRAP_CAP ? -1 : 0)) {
				snprintf(why, sizeof why, "step %zu: push %lld "
				    "with %zu in flight: %d", step,
				    (long long)next, n, rc);
				break;
			}
			if (rc == 0) {
				model[n] = last_pushed = next;
				done[n++] = 0;
				pushed++;
			} else
				refused++;
			/* Gaps of 1 to 3 between seqs. */
			next += 1 + (int64_t)(rng() % 3);
			continue;
		}
		/* An answer for a seq in flight, or now and then for none. */
		if (rng() % 8 == 0)
			s = model[rng() % n] + (rng() % 2 ? 0 : -1);
		else
			s = model[rng() % n];
		want_rc = 0;
		for (i = 0; i < n; i++) {
			if (model[i] == s && !done[i]) {
				done[i] = 1;
				want_rc = 1;
			}
		}
		unknown += !want_rc;
		for (k = 0; k < n && done[k]; k++)
			;
		upto = UNTOUCHED;
		rc = window_answer(&w, s, &upto);
		if (rc != want_rc || upto != (k == 0 ? UNTOUCHED :
		    model[k - 1])) {
			snprintf(why, sizeof why, "step %zu: answer %lld: %d "
			    "upto %lld, expected %d upto %lld", step,
			    (long long)s, rc, (long long)upto, want_rc,
			    (long long)(k == 0 ? UNTOUCHED : model[k - 1]));
			break;
		}
		if (k == 0) {
			held += (size_t)want_rc;
			continue;
		}
		if (upto <= last_upto) {
			snprintf(why, sizeof why, "step %zu: upto went from "
			    "%lld to %lld", step, (long long)last_upto,
			    (long long)upto);
			break;
		}
		last_upto = upto;
		memmove(model, model + k, (n - k) * sizeof model[0]);
		memmove(done, done + k, (n - k) * sizeof done[0]);
		n -= k;
		moved++;
	}
	ck_assert_msg(why[0] == '\0', "%s", why);
	ck_assert_uint_eq(pushed, WRAP_PUSHES);
	ck_assert_uint_eq(window_pending(&w), 0);
	ck_assert_uint_eq(window_room(&w), WRAP_CAP);
	/* The last seq pushed is where the cursor ends. */
	ck_assert_int_eq(last_upto, last_pushed);
	/* Every kind of step happened often. */
	ck_assert_uint_gt(moved, 10000);
	ck_assert_uint_gt(held, 10000);
	ck_assert_uint_gt(refused, 1000);
	ck_assert_uint_gt(unknown, 1000);
	window_free(&w);
}
END_TEST

/* The suite of the window module. */
static Suite *
window_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("window");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("init_free", test_init_free);
	ADD("room_pending", test_room_pending);
	ADD("in_order", test_in_order);
	ADD("out_of_order", test_out_of_order);
	ADD("answer_twice_or_unknown", test_answer_twice_or_unknown);
	ADD("clear", test_clear);
	ADD("one", test_one);
	ADD("wrap_around", test_wrap_around);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(window_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
