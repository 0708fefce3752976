/* Unit tests of report counts by period and the cover of a window by whole periods. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "counts.h"

#define SEC	INT64_C(1000000)
#define HOUR	(COUNTS_HOUR * SEC)
#define DAY	(COUNTS_DAY * SEC)
#define MIN	(60 * SEC)
/* 2025-11-21T00:00:00Z, a day's start. */
#define D0	(INT64_C(1763683200) * SEC)

static uint64_t	rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * UINT64_C(2685821657736338717));
}

START_TEST(test_period)
{
	ck_assert_int_eq(D0 % DAY, 0);
	ck_assert_int_eq(counts_period(0, COUNTS_DAY), 0);
	ck_assert_int_eq(counts_period(1, COUNTS_DAY), 0);
	ck_assert_int_eq(counts_period(DAY - 1, COUNTS_DAY), 0);
	ck_assert_int_eq(counts_period(DAY, COUNTS_DAY), COUNTS_DAY);
	ck_assert_int_eq(counts_period(D0, COUNTS_DAY), D0 / SEC);
	ck_assert_int_eq(counts_period(D0 - 1, COUNTS_DAY),
	    D0 / SEC - COUNTS_DAY);
	ck_assert_int_eq(counts_period(D0 + DAY - 1, COUNTS_DAY), D0 / SEC);
	ck_assert_int_eq(counts_period(D0 + 5 * HOUR + 59 * MIN + 59 * SEC +
	    999999, COUNTS_HOUR), D0 / SEC + 5 * COUNTS_HOUR);
	ck_assert_int_eq(counts_period(D0 + 6 * HOUR, COUNTS_HOUR),
	    D0 / SEC + 6 * COUNTS_HOUR);
	ck_assert_int_eq(counts_period(D0 + 6 * HOUR, COUNTS_DAY), D0 / SEC);
	/* Before the epoch, periods still start on their boundaries. */
	ck_assert_int_eq(counts_period(-1, COUNTS_DAY), -COUNTS_DAY);
	ck_assert_int_eq(counts_period(-1, COUNTS_HOUR), -COUNTS_HOUR);
	ck_assert_int_eq(counts_period(-SEC, COUNTS_HOUR), -COUNTS_HOUR);
	ck_assert_int_eq(counts_period(-HOUR, COUNTS_HOUR), -COUNTS_HOUR);
	ck_assert_int_eq(counts_period(-HOUR - 1, COUNTS_HOUR),
	    -2 * COUNTS_HOUR);
	ck_assert_int_eq(counts_period(-DAY, COUNTS_DAY), -COUNTS_DAY);
	ck_assert_int_eq(counts_period(-DAY - 1, COUNTS_DAY),
	    -2 * COUNTS_DAY);
	ck_assert_int_eq(counts_period(-DAY + 1, COUNTS_DAY), -COUNTS_DAY);
}
END_TEST

START_TEST(test_period_random)
{
	int	i;

	/* start <= t < start + span, start a multiple of span. */
	rng_state = 99;
	for (i = 0; i < 100000; i++) {
		int64_t	t = (int64_t)(rng() % (40 * DAY)) - 20 * DAY;
		int64_t	span = i % 2 ? COUNTS_DAY : COUNTS_HOUR;
		int64_t	start = counts_period(t, span);

		if (start % span != 0 || start * SEC > t ||
		    t >= (start + span) * SEC)
			ck_abort_msg("t %lld span %lld: %lld", (long long)t,
			    (long long)span, (long long)start);
	}
}
END_TEST

/* One count as the test expects it. */
struct want {
	int64_t		 span, start;
	const char	*dimension;
	char		 key[32];
	int64_t		 n;
};

/* Add n to the expected count of (span, start, dimension, key). */
static void
want_add(struct want *w, size_t *nw, size_t cap, int64_t span, int64_t start,
    const char *dimension, const char *key, int64_t n)
{
	size_t	i;

	for (i = 0; i < *nw; i++) {
		if (w[i].span == span && w[i].start == start &&
		    strcmp(w[i].dimension, dimension) == 0 &&
		    strcmp(w[i].key, key) == 0) {
			w[i].n += n;
			return;
		}
	}
	ck_assert_uint_lt(*nw, cap);
	w[*nw].span = span;
	w[*nw].start = start;
	w[*nw].dimension = dimension;
	snprintf(w[*nw].key, sizeof w[*nw].key, "%s", key);
	w[*nw].n = n;
	(*nw)++;
}

/* The tally holds exactly the expected counts, each once. */
static void
check_tally(const struct counts_tally *t, const struct want *w, size_t nw)
{
	const char	*dimension, *key;
	int64_t		 span, start, n;
	size_t		 i, j;
	char		*seen;

	ck_assert_uint_eq(counts_tally_size(t), nw);
	seen = calloc(nw + 1, 1);
	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < counts_tally_size(t); i++) {
		counts_tally_entry(t, i, &span, &start, &dimension, &key, &n);
		for (j = 0; j < nw; j++) {
			if (w[j].span == span && w[j].start == start &&
			    strcmp(w[j].dimension, dimension) == 0 &&
			    strcmp(w[j].key, key) == 0)
				break;
		}
		if (j == nw)
			ck_abort_msg("unexpected count %lld %lld %s %s = %lld",
			    (long long)span, (long long)start, dimension, key,
			    (long long)n);
		ck_assert_msg(!seen[j], "count %s %s twice", dimension, key);
		seen[j] = 1;
		ck_assert_msg(n == w[j].n, "%lld %lld %s %s: %lld, want %lld",
		    (long long)span, (long long)start, dimension, key,
		    (long long)n, (long long)w[j].n);
	}
	free(seen);
}

START_TEST(test_tally_one)
{
	struct counts_tally	*t;
	struct want		 w[8];
	size_t			 nw = 0;
	int64_t			 at = D0 + 13 * HOUR + 7 * MIN;

	t = counts_tally_new();
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(counts_tally_size(t), 0);
	ck_assert_int_eq(counts_tally_report(t, at, "fraud/phishing",
	    3, "SG"), 0);
	/* A day and an hour, each by code, severity and sender. */
	want_add(w, &nw, 8, COUNTS_DAY, D0 / SEC, COUNTS_CODE,
	    "fraud/phishing", 1);
	want_add(w, &nw, 8, COUNTS_DAY, D0 / SEC, COUNTS_SEVERITY, "3", 1);
	want_add(w, &nw, 8, COUNTS_DAY, D0 / SEC, COUNTS_SENDER, "SG", 1);
	want_add(w, &nw, 8, COUNTS_HOUR, D0 / SEC + 13 * 3600, COUNTS_CODE,
	    "fraud/phishing", 1);
	want_add(w, &nw, 8, COUNTS_HOUR, D0 / SEC + 13 * 3600,
	    COUNTS_SEVERITY, "3", 1);
	want_add(w, &nw, 8, COUNTS_HOUR, D0 / SEC + 13 * 3600, COUNTS_SENDER,
	    "SG", 1);
	check_tally(t, w, nw);
	counts_tally_free(t);
	counts_tally_free(NULL);
}
END_TEST

START_TEST(test_tally_many)
{
	static const char *const codes[] = { "a/b", "a/c", "SG", "x/y-z" };
	static const char *const senders[] = { "SG", "MY", "a/b", "ID", "S" };
	struct counts_tally	*t;
	struct want		*w;
	size_t			 nw = 0, cap = 20000;
	int			 i, round;
	int64_t			 at, total;
	char			 level[2] = { 0, 0 };

	w = calloc(cap, sizeof *w);
	ck_assert_ptr_nonnull(w);
	t = counts_tally_new();
	ck_assert_ptr_nonnull(t);
	/* Twice: the second time after a reset, in the same memory. */
	for (round = 0; round < 2; round++) {
		nw = 0;
		rng_state = 5 + (uint64_t)round;
		for (i = 0; i < 20000; i++) {
			const char	*code = codes[rng() % 4];
			const char	*sender = senders[rng() % 5];
			int		 severity = (int)(rng() % 5);

			/* Three days, some of them before the epoch. */
			at = (round ? -DAY : D0) + (int64_t)(rng() % (3 * DAY));
			if (i % 1000 == 0)
				at = (round ? -DAY : D0) + (i / 1000) * HOUR;
			ck_assert_int_eq(counts_tally_report(t, at, code,
			    severity, sender), 0);
			level[0] = (char)('0' + severity);
			want_add(w, &nw, cap, COUNTS_DAY,
			    counts_period(at, COUNTS_DAY), COUNTS_CODE, code, 1);
			want_add(w, &nw, cap, COUNTS_DAY,
			    counts_period(at, COUNTS_DAY), COUNTS_SEVERITY,
			    level, 1);
			want_add(w, &nw, cap, COUNTS_DAY,
			    counts_period(at, COUNTS_DAY), COUNTS_SENDER,
			    sender, 1);
			want_add(w, &nw, cap, COUNTS_HOUR,
			    counts_period(at, COUNTS_HOUR), COUNTS_CODE, code,
			    1);
			want_add(w, &nw, cap, COUNTS_HOUR,
			    counts_period(at, COUNTS_HOUR), COUNTS_SEVERITY,
			    level, 1);
			want_add(w, &nw, cap, COUNTS_HOUR,
			    counts_period(at, COUNTS_HOUR), COUNTS_SENDER,
			    sender, 1);
		}
		/* 3 days x (4 + 5 + 5) keys, 72 hours x 14, nearly all used. */
		ck_assert_uint_gt(nw, 1000);
		check_tally(t, w, nw);
		for (i = 0, total = 0; i < (int)nw; i++) {
			if (w[i].span == COUNTS_HOUR &&
			    strcmp(w[i].dimension, COUNTS_SENDER) == 0)
				total += w[i].n;
		}
		ck_assert_int_eq(total, 20000);
		counts_tally_reset(t);
		ck_assert_uint_eq(counts_tally_size(t), 0);
	}
	counts_tally_free(t);
	free(w);
}
END_TEST

START_TEST(test_tally_add)
{
	struct counts_tally	*t;
	struct want		 w[8];
	size_t			 nw = 0;

	t = counts_tally_new();
	ck_assert_ptr_nonnull(t);
	/* Identity is span, start, dimension and key, all four. */
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_CODE, "x", 5), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_CODE, "x", 2), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_SENDER, "x", 1), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 1, COUNTS_CODE, "x", 1), 0);
	ck_assert_int_eq(counts_tally_add(t, COUNTS_HOUR, 0, COUNTS_CODE, "x",
	    1), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_CODE, "X", 1), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_BY_DAY,
	    "2025-11-21", 40), 0);
	ck_assert_int_eq(counts_tally_add(t, 0, 0, COUNTS_BY_DAY,
	    "2025-11-21", 2), 0);
	want_add(w, &nw, 8, 0, 0, COUNTS_CODE, "x", 7);
	want_add(w, &nw, 8, 0, 0, COUNTS_SENDER, "x", 1);
	want_add(w, &nw, 8, 0, 1, COUNTS_CODE, "x", 1);
	want_add(w, &nw, 8, COUNTS_HOUR, 0, COUNTS_CODE, "x", 1);
	want_add(w, &nw, 8, 0, 0, COUNTS_CODE, "X", 1);
	want_add(w, &nw, 8, 0, 0, COUNTS_BY_DAY, "2025-11-21", 42);
	check_tally(t, w, nw);
	counts_tally_free(t);
}
END_TEST

/* The pieces of one cover, as they came. */
struct pieces {
	struct counts_piece	p[16];
	size_t			n;
	size_t			stop_at;	/* refuse the piece of this index + 1 */
};

static int
collect(const struct counts_piece *p, void *arg)
{
	struct pieces	*ps = arg;

	ck_assert_uint_lt(ps->n, 16);
	ps->p[ps->n++] = *p;
	if (ps->stop_at != 0 && ps->n == ps->stop_at)
		return (-1);
	return (0);
}

/*
 * Cover [since, until) and check what any cover must be: pieces in time
 * order, contiguous, exactly the window, at most five; whole periods
 * aligned; no shorter piece that holds a whole period of the longer span.
 */
static void
cover(int64_t since, int64_t until, struct pieces *ps)
{
	size_t	i;
	int64_t	at = since, first;

	memset(ps, 0, sizeof *ps);
	ck_assert_int_eq(counts_cover(since, until, collect, ps), 0);
	if (since >= until) {
		ck_assert_uint_eq(ps->n, 0);
		return;
	}
	ck_assert_uint_ge(ps->n, 1);
	ck_assert_uint_le(ps->n, 5);
	for (i = 0; i < ps->n; i++) {
		const struct counts_piece *p = &ps->p[i];

		ck_assert_msg(p->since == at, "[%lld, %lld) piece %zu starts at"
		    " %lld, not %lld", (long long)since, (long long)until, i,
		    (long long)p->since, (long long)at);
		ck_assert_int_lt(p->since, p->until);
		ck_assert(p->span == 0 || p->span == COUNTS_HOUR ||
		    p->span == COUNTS_DAY);
		if (p->span != 0) {
			ck_assert_int_eq(p->since % (p->span * SEC), 0);
			ck_assert_int_eq(p->until % (p->span * SEC), 0);
		}
		/* The whole period of the next span up does not fit in it. */
		if (p->span != COUNTS_DAY) {
			int64_t	up = p->span == 0 ? HOUR : DAY;

			first = counts_period(p->since, up / SEC) * SEC;
			if (first < p->since)
				first += up;
			ck_assert_msg(first + up > p->until, "[%lld, %lld) "
			    "holds a whole period of %lld", (long long)p->since,
			    (long long)p->until, (long long)up);
		}
		at = p->until;
	}
	ck_assert_int_eq(at, until);
	/* Time order of spans: raw, hours, days, hours, raw. */
	for (i = 1; i < ps->n; i++)
		ck_assert(ps->p[i].span != ps->p[i - 1].span);
}

/* Expect piece i to be exactly (span, since, until). */
#define PIECE(ps, i, sp, s, u) do {					\
	ck_assert_int_eq((ps).p[i].span, (sp));				\
	ck_assert_int_eq((ps).p[i].since, (s));				\
	ck_assert_int_eq((ps).p[i].until, (u));				\
} while (0)

START_TEST(test_cover_windows)
{
	struct pieces	ps;

	/* Exactly one day: one piece. */
	cover(D0, D0 + DAY, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, COUNTS_DAY, D0, D0 + DAY);
	/* One day and one microsecond. */
	cover(D0, D0 + DAY + 1, &ps);
	ck_assert_uint_eq(ps.n, 2);
	PIECE(ps, 0, COUNTS_DAY, D0, D0 + DAY);
	PIECE(ps, 1, 0, D0 + DAY, D0 + DAY + 1);
	/* A microsecond before a day. */
	cover(D0 - 1, D0 + DAY, &ps);
	ck_assert_uint_eq(ps.n, 2);
	PIECE(ps, 0, 0, D0 - 1, D0);
	PIECE(ps, 1, COUNTS_DAY, D0, D0 + DAY);
	/* 23 h 59 min: no whole day; 23 whole hours and a raw stretch. */
	cover(D0, D0 + 23 * HOUR + 59 * MIN, &ps);
	ck_assert_uint_eq(ps.n, 2);
	PIECE(ps, 0, COUNTS_HOUR, D0, D0 + 23 * HOUR);
	PIECE(ps, 1, 0, D0 + 23 * HOUR, D0 + 23 * HOUR + 59 * MIN);
	/* A day, but not on a day's boundaries: hours. */
	cover(D0 + HOUR, D0 + DAY + HOUR, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, COUNTS_HOUR, D0 + HOUR, D0 + DAY + HOUR);
	/* Three days from midday: hours, two whole days, hours. */
	cover(D0 + 12 * HOUR, D0 + 3 * DAY + 12 * HOUR, &ps);
	ck_assert_uint_eq(ps.n, 3);
	PIECE(ps, 0, COUNTS_HOUR, D0 + 12 * HOUR, D0 + DAY);
	PIECE(ps, 1, COUNTS_DAY, D0 + DAY, D0 + 3 * DAY);
	PIECE(ps, 2, COUNTS_HOUR, D0 + 3 * DAY, D0 + 3 * DAY + 12 * HOUR);
	/* Five pieces: raw, hours, days, hours, raw. */
	cover(D0 + 12 * HOUR + 30 * MIN, D0 + 3 * DAY + 2 * HOUR + 1, &ps);
	ck_assert_uint_eq(ps.n, 5);
	PIECE(ps, 0, 0, D0 + 12 * HOUR + 30 * MIN, D0 + 13 * HOUR);
	PIECE(ps, 1, COUNTS_HOUR, D0 + 13 * HOUR, D0 + DAY);
	PIECE(ps, 2, COUNTS_DAY, D0 + DAY, D0 + 3 * DAY);
	PIECE(ps, 3, COUNTS_HOUR, D0 + 3 * DAY, D0 + 3 * DAY + 2 * HOUR);
	PIECE(ps, 4, 0, D0 + 3 * DAY + 2 * HOUR, D0 + 3 * DAY + 2 * HOUR + 1);
	/* Within an hour, and across one without holding it whole: raw. */
	cover(D0 + 10 * MIN, D0 + 20 * MIN, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, 0, D0 + 10 * MIN, D0 + 20 * MIN);
	cover(D0 + 50 * MIN, D0 + 70 * MIN, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, 0, D0 + 50 * MIN, D0 + 70 * MIN);
	/* Nearly two hours that hold no whole one: raw as well. */
	cover(D0 + HOUR + 1, D0 + 3 * HOUR - 1, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, 0, D0 + HOUR + 1, D0 + 3 * HOUR - 1);
}
END_TEST

START_TEST(test_cover_small)
{
	struct pieces	ps;

	/* Empty and reversed windows: nothing. */
	cover(D0, D0, &ps);
	ck_assert_uint_eq(ps.n, 0);
	cover(D0 + 5, D0, &ps);
	ck_assert_uint_eq(ps.n, 0);
	/* One microsecond, one hour, and a second that ends an hour. */
	cover(D0, D0 + 1, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, 0, D0, D0 + 1);
	cover(D0 + 5 * HOUR, D0 + 6 * HOUR, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, COUNTS_HOUR, D0 + 5 * HOUR, D0 + 6 * HOUR);
	cover(D0 + 6 * HOUR - SEC, D0 + 6 * HOUR, &ps);
	ck_assert_uint_eq(ps.n, 1);
	PIECE(ps, 0, 0, D0 + 6 * HOUR - SEC, D0 + 6 * HOUR);
	/* From the epoch, as "no lower bound" is asked. */
	cover(0, D0 + 90 * MIN, &ps);
	ck_assert_uint_eq(ps.n, 3);
	PIECE(ps, 0, COUNTS_DAY, 0, D0);
	PIECE(ps, 1, COUNTS_HOUR, D0, D0 + HOUR);
	PIECE(ps, 2, 0, D0 + HOUR, D0 + 90 * MIN);
	/* Before the epoch. */
	cover(-DAY - 30 * MIN, 30 * MIN, &ps);
	ck_assert_uint_eq(ps.n, 3);
	PIECE(ps, 0, 0, -DAY - 30 * MIN, -DAY);
	PIECE(ps, 1, COUNTS_DAY, -DAY, 0);
	PIECE(ps, 2, 0, 0, 30 * MIN);
	cover(-3 * HOUR - 1, -HOUR, &ps);
	ck_assert_uint_eq(ps.n, 2);
	PIECE(ps, 0, 0, -3 * HOUR - 1, -3 * HOUR);
	PIECE(ps, 1, COUNTS_HOUR, -3 * HOUR, -HOUR);
}
END_TEST

START_TEST(test_cover_random)
{
	struct pieces	ps;
	int		i;

	rng_state = 2024;
	for (i = 0; i < 20000; i++) {
		int64_t	since, until, scale;

		/* Windows of microseconds to weeks, on and off boundaries. */
		scale = (int64_t[]){ SEC, MIN, HOUR, DAY, 10 * DAY }[rng() % 5];
		since = D0 - 5 * DAY + (int64_t)(rng() % (10 * DAY));
		if (rng() % 3 == 0)
			since -= since % (rng() % 2 ? HOUR : DAY);
		until = since + (int64_t)(rng() % (2 * (uint64_t)scale));
		if (rng() % 3 == 0)
			until -= until % (rng() % 2 ? HOUR : DAY);
		cover(since, until, &ps);
	}
}
END_TEST

START_TEST(test_cover_stops)
{
	struct pieces	ps;

	/* The callback's -1 ends the cover there. */
	memset(&ps, 0, sizeof ps);
	ps.stop_at = 2;
	ck_assert_int_eq(counts_cover(D0 + 30 * MIN, D0 + 3 * DAY + 30 * MIN,
	    collect, &ps), -1);
	ck_assert_uint_eq(ps.n, 2);
	memset(&ps, 0, sizeof ps);
	ps.stop_at = 1;
	ck_assert_int_eq(counts_cover(D0, D0 + DAY, collect, &ps), -1);
	ck_assert_uint_eq(ps.n, 1);
	memset(&ps, 0, sizeof ps);
	ps.stop_at = 5;
	ck_assert_int_eq(counts_cover(D0 + 12 * HOUR + 30 * MIN,
	    D0 + 3 * DAY + 2 * HOUR + 1, collect, &ps), -1);
	ck_assert_uint_eq(ps.n, 5);
}
END_TEST

/* The suite of the counts module. */
static Suite *
counts_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("counts");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_set_timeout(tc, 60);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("period", test_period);
	ADD("period_random", test_period_random);
	ADD("tally_one", test_tally_one);
	ADD("tally_many", test_tally_many);
	ADD("tally_add", test_tally_add);
	ADD("cover_windows", test_cover_windows);
	ADD("cover_small", test_cover_small);
	ADD("cover_random", test_cover_random);
	ADD("cover_stops", test_cover_stops);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(counts_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
