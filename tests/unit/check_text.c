/* Unit tests of the text checks on wire data: UTF-8 and RFC 3339 times. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "timefmt.h"
#include "utf8.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define USEC 1000000LL

/* A byte string with an explicit length: test data may hold NUL. */
struct bytes {
	const char	*s;
	size_t		 len;
};
#define B(lit) { lit, sizeof(lit) - 1 }

/* utf8_validate on s, asserting the result and, on error, the offset. */
static void
check_utf8(const char *s, size_t len, long want, size_t want_offset)
{
	size_t	off = (size_t)-1;
	long	got;

	got = utf8_validate(s, len, &off);
	ck_assert_int_eq(got, want);
	if (want == -1)
		ck_assert_uint_eq(off, want_offset);
}

START_TEST(test_utf8_ascii)
{
	check_utf8("", 0, 0, 0);
	check_utf8("hello", 5, 5, 0);
	/* U+0000 is a code point like any other; NUL policy is elsewhere. */
	check_utf8("a\0b", 3, 3, 0);
	ck_assert_int_eq(utf8_validate("x", 1, NULL), 1);
}
END_TEST

START_TEST(test_utf8_multibyte)
{
	check_utf8("caf\xc3\xa9", 5, 4, 0);		/* é */
	check_utf8("\xe2\x82\xac", 3, 1, 0);		/* € */
	check_utf8("\xf0\x9f\x98\x80", 4, 1, 0);	/* 😀 */
	check_utf8("Serangan siber \xe2\x80\x94 kentongan", 28, 26, 0);
	check_utf8("\xc2\x80", 2, 1, 0);		/* U+0080, shortest 2 */
	check_utf8("\xe0\xa0\x80", 3, 1, 0);		/* U+0800, shortest 3 */
	check_utf8("\xf0\x90\x80\x80", 4, 1, 0);	/* U+10000, shortest 4 */
	check_utf8("\xed\x9f\xbf", 3, 1, 0);		/* U+D7FF, below surrogates */
	check_utf8("\xee\x80\x80", 3, 1, 0);		/* U+E000, above them */
	check_utf8("\xef\xbf\xbf", 3, 1, 0);		/* U+FFFF */
	check_utf8("\xf4\x8f\xbf\xbf", 4, 1, 0);	/* U+10FFFF */
}
END_TEST

static const struct bytes utf8_overlongs[] = {
	B("\xc0\x80"),			/* NUL in two bytes */
	B("\xc1\xbf"),
	B("\xe0\x80\x80"),
	B("\xe0\x9f\xbf"),
	B("\xf0\x80\x80\x80"),
	B("\xf0\x8f\xbf\xbf"),
};

START_TEST(test_utf8_overlong)
{
	check_utf8(utf8_overlongs[_i].s, utf8_overlongs[_i].len, -1, 0);
}
END_TEST

START_TEST(test_utf8_surrogate)
{
	check_utf8("\xed\xa0\x80", 3, -1, 0);		/* U+D800 */
	check_utf8("\xed\xbf\xbf", 3, -1, 0);		/* U+DFFF */
	check_utf8("ab\xed\xb0\x80", 5, -1, 2);
	/* A CESU-8 pair for U+1F600 is two surrogates, not a code point. */
	check_utf8("\xed\xa0\xbd\xed\xb8\x80", 6, -1, 0);
}
END_TEST

START_TEST(test_utf8_above_max)
{
	check_utf8("\xf4\x90\x80\x80", 4, -1, 0);	/* U+110000 */
	check_utf8("\xf5\x80\x80\x80", 4, -1, 0);
	check_utf8("\xf7\xbf\xbf\xbf", 4, -1, 0);
	check_utf8("\xf8\x88\x80\x80\x80", 5, -1, 0);	/* old 5-byte form */
	check_utf8("\xfc\x84\x80\x80\x80\x80", 6, -1, 0);
	check_utf8("\xfe", 1, -1, 0);
	check_utf8("\xff", 1, -1, 0);
}
END_TEST

START_TEST(test_utf8_truncated)
{
	check_utf8("\xc3", 1, -1, 0);
	check_utf8("\xe2\x82", 2, -1, 0);
	check_utf8("\xf0\x9f\x98", 3, -1, 0);
	check_utf8("ok\xe2\x82", 4, -1, 2);
	/* Cut short by a new character rather than by the end. */
	check_utf8("\xe2\x82z", 3, -1, 0);
	check_utf8("\xc3\xc3\xa9", 3, -1, 0);
	/* len, not a NUL, bounds the text. */
	check_utf8("\xc3\xa9", 1, -1, 0);
}
END_TEST

START_TEST(test_utf8_stray_continuation)
{
	check_utf8("\x80", 1, -1, 0);
	check_utf8("\xbf", 1, -1, 0);
	check_utf8("a\x80" "b", 3, -1, 1);
	check_utf8("\xc3\xa9\xa9", 3, -1, 2);
	check_utf8("\xf0\x9f\x98\x80\x80", 5, -1, 4);
}
END_TEST

START_TEST(test_utf8_control)
{
	ck_assert_int_eq(utf8_has_control("plain text", 10), 0);
	ck_assert_int_eq(utf8_has_control("", 0), 0);
	ck_assert_int_eq(utf8_has_control("tab\there", 8), 1);
	ck_assert_int_eq(utf8_has_control("line\n", 5), 1);
	ck_assert_int_eq(utf8_has_control("a\0b", 3), 1);
	ck_assert_int_eq(utf8_has_control("del\x7f", 4), 1);
	ck_assert_int_eq(utf8_has_control("\x1f", 1), 1);
	ck_assert_int_eq(utf8_has_control("c1 \xc2\x80", 5), 1);	/* U+0080 */
	ck_assert_int_eq(utf8_has_control("c1 \xc2\x9f", 5), 1);	/* U+009F */
	ck_assert_int_eq(utf8_has_control("\xc2\xa0", 2), 0);	/* NBSP */
	ck_assert_int_eq(utf8_has_control("caf\xc3\xa9 ~", 7), 0);
	ck_assert_int_eq(utf8_has_control("\xe2\x80\xa8", 3), 0);	/* U+2028 */
	/* Only the first len bytes count. */
	ck_assert_int_eq(utf8_has_control("ab\n", 2), 0);
}
END_TEST

/* Parse s, asserting success and the value. */
static void
check_time(const char *s, int64_t want)
{
	int64_t	got = 0;

	ck_assert_msg(rfc3339_parse(s, &got) == 0, "\"%s\" refused", s);
	ck_assert_msg(got == want, "\"%s\": got %lld, want %lld", s,
	    (long long)got, (long long)want);
}

/* Assert that s is refused and the output left alone. */
static void
check_time_bad(const char *s)
{
	int64_t	got = 42;

	ck_assert_msg(rfc3339_parse(s, &got) == -1, "\"%s\" accepted", s);
	ck_assert_int_eq(got, 42);
}

/* Bad bytes become '?', good text (multibyte included) is kept as is. */
START_TEST(test_utf8_scrub)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
		{ "near '\"\\\xce'", "near '\"\\?'" },
		{ "\xff\xfe", "??" },
		{ "a\xed\xa0\x80" "b", "a???b" },
		{ "\xc0\xafx", "??x" },
		{ "\xf4\x90\x80\x80", "????" },
		{ "ok\xe2\x82", "ok??" },
		{ "", "" },
	};
	char	buf[64];
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(buf, sizeof buf, "%s", cases[i].in);
		utf8_scrub(buf);
		ck_assert_str_eq(buf, cases[i].out);
		ck_assert_int_ge(utf8_validate(buf, strlen(buf), NULL), 0);
	}
}
END_TEST

START_TEST(test_timefmt_basic)
{
	check_time("1970-01-01T00:00:00Z", 0);
	check_time("2026-11-20T07:15:00Z", 1795158900LL * USEC);
	check_time("1969-12-31T23:59:59Z", -USEC);
	check_time("0000-01-01T00:00:00Z", -62167219200LL * USEC);
	check_time("0001-01-01T00:00:00Z", -62135596800LL * USEC);
	check_time("9999-12-31T23:59:59Z", 253402300799LL * USEC);
}
END_TEST

START_TEST(test_timefmt_fraction)
{
	check_time("1970-01-01T00:00:00.5Z", 500000);
	check_time("1970-01-01T00:00:00.000001Z", 1);
	check_time("1970-01-01T00:00:01.123456Z", USEC + 123456);
	/* Digits past microseconds are truncated, not rounded. */
	check_time("1970-01-01T00:00:00.123456789Z", 123456);
	check_time("1970-01-01T00:00:00.999999999Z", 999999);
	check_time("1969-12-31T23:59:59.5Z", -500000);
	check_time_bad("1970-01-01T00:00:00.1234567890Z");
	check_time_bad("1970-01-01T00:00:00.Z");
	check_time_bad("1970-01-01T00:00:00,5Z");
	check_time_bad("1970-01-01T00:00:00.5");
}
END_TEST

START_TEST(test_timefmt_case)
{
	check_time("2026-11-20t07:15:00z", 1795158900LL * USEC);
	check_time("2026-11-20T07:15:00z", 1795158900LL * USEC);
	check_time("2026-11-20t07:15:00+00:00", 1795158900LL * USEC);
	check_time_bad("2026-11-20 07:15:00Z");
	check_time_bad("2026-11-20x07:15:00Z");
	check_time_bad("2026-11-20T07:15:00UTC");
}
END_TEST

START_TEST(test_timefmt_offset)
{
	int64_t	want = 1795158900LL * USEC;

	check_time("2026-11-20T14:15:00+07:00", want);	/* WIB */
	check_time("2026-11-20T15:15:00+08:00", want);	/* SGT */
	check_time("2026-11-20T12:45:00+05:30", want);
	check_time("2026-11-20T01:45:00-05:30", want);
	check_time("2026-11-20T07:15:00-00:00", want);
	check_time("2026-11-21T06:14:00+22:59", want);
	/* The offset may carry the day, month and year across. */
	check_time("2027-01-01T06:00:00+07:00", 1798758000LL * USEC);
	check_time("2026-12-31T18:00:00-05:00", 1798758000LL * USEC);
	check_time_bad("2026-11-20T07:15:00+24:00");
	check_time_bad("2026-11-20T07:15:00+07:60");
	check_time_bad("2026-11-20T07:15:00+0700");
	check_time_bad("2026-11-20T07:15:00+07");
	check_time_bad("2026-11-20T07:15:00+7:00");
	check_time_bad("2026-11-20T07:15:00 +07:00");
	check_time_bad("2026-11-20T07:15:00+07:00Z");
}
END_TEST

START_TEST(test_timefmt_leap_year)
{
	check_time("2024-02-29T12:00:00Z", 1709208000LL * USEC);
	check_time("2000-02-29T00:00:00Z", 951782400LL * USEC);
	check_time("1600-02-29T00:00:00Z", -11670998400LL * USEC);
	check_time_bad("2026-02-29T00:00:00Z");
	check_time_bad("2023-02-29T00:00:00Z");
	check_time_bad("1900-02-29T00:00:00Z");
	check_time_bad("2100-02-29T00:00:00Z");
	check_time_bad("2024-02-30T00:00:00Z");
}
END_TEST

START_TEST(test_timefmt_calendar)
{
	check_time_bad("2026-13-01T00:00:00Z");
	check_time_bad("2026-00-01T00:00:00Z");
	check_time_bad("2026-01-00T00:00:00Z");
	check_time_bad("2026-01-32T00:00:00Z");
	check_time_bad("2026-04-31T00:00:00Z");
	check_time_bad("2026-06-31T00:00:00Z");
	check_time_bad("2026-09-31T00:00:00Z");
	check_time_bad("2026-11-31T00:00:00Z");
	check_time_bad("2026-11-20T24:00:00Z");
	check_time_bad("2026-11-20T23:60:00Z");
	check_time_bad("2026-11-20T23:59:61Z");
	check_time_bad("2026-11-20T99:99:99Z");
}
END_TEST

START_TEST(test_timefmt_syntax)
{
	check_time_bad("");
	check_time_bad("2026-11-20T07:15Z");		/* no seconds */
	check_time_bad("2026-11-20T07:15:00");		/* no zone */
	check_time_bad("2026-11-20");
	check_time_bad("2026-11-20T7:15:00Z");
	check_time_bad("26-11-20T07:15:00Z");
	check_time_bad("+2026-11-20T07:15:00Z");
	check_time_bad("20261-11-20T07:15:00Z");
	check_time_bad("2026/11/20T07:15:00Z");
	check_time_bad("2026-11-20T07.15.00Z");
	check_time_bad(" 2026-11-20T07:15:00Z");
	check_time_bad("2026-11-20T07:15:00Z ");
	check_time_bad("2026-11-20T07:15:00Zjunk");
	check_time_bad("2026-1a-20T07:15:00Z");
	check_time_bad("2026-11-20T07:15:0-Z");
	check_time_bad("1795158900");
	ck_assert_int_eq(rfc3339_parse(NULL, &(int64_t){ 0 }), -1);
}
END_TEST

START_TEST(test_timefmt_leap_second)
{
	int64_t	end2016 = 1483228799LL * USEC + 999999;

	check_time("2016-12-31T23:59:60Z", end2016);
	check_time("2016-12-31T23:59:60.5Z", end2016);
	check_time("2017-01-01T06:59:60+07:00", end2016);
	check_time("2016-12-31T18:29:60-05:30", end2016);
	check_time("2015-06-30T23:59:60Z", 1435708799LL * USEC + 999999);
	/* Only at the last second of a UTC month-end day. */
	check_time_bad("2016-12-30T23:59:60Z");
	check_time_bad("2016-12-31T23:58:60Z");
	check_time_bad("2016-12-31T12:00:60Z");
	check_time_bad("2016-12-31T23:59:60+07:00");
}
END_TEST

/*
 * Every day from 1600 to 2400 parses to the previous day plus 86400 s and
 * formats back to its own text: the calendar arithmetic has no gap, no
 * overlap and no off-by-one at century and leap-year boundaries.
 */
START_TEST(test_timefmt_every_day)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	char			text[64], out[RFC3339_BUFSIZE], want[64];
	int64_t			t, prev = 0;
	int			y, m, d, n, first = 1;

	for (y = 1600; y <= 2400; y++) {
		for (m = 1; m <= 12; m++) {
			n = mdays[m - 1];
			if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
				n = 29;
			for (d = 1; d <= n; d++) {
				snprintf(text, sizeof(text),
				    "%04d-%02d-%02dT00:00:00Z", y, m, d);
				ck_assert_int_eq(rfc3339_parse(text, &t), 0);
				if (!first)
					ck_assert_int_eq(t - prev, 86400 * USEC);
				first = 0;
				prev = t;
				snprintf(want, sizeof(want),
				    "%04d-%02d-%02dT00:00:00.000Z", y, m, d);
				ck_assert_str_eq(rfc3339_format(t, out,
				    sizeof(out)), want);
			}
			snprintf(text, sizeof(text), "%04d-%02d-%02dT00:00:00Z",
			    y, m, n + 1);
			ck_assert_int_eq(rfc3339_parse(text, &t), -1);
		}
	}
}
END_TEST

START_TEST(test_timefmt_format)
{
	char	buf[RFC3339_BUFSIZE];

	ck_assert_str_eq(rfc3339_format(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00.000Z");
	ck_assert_str_eq(rfc3339_format(1795317300123LL * 1000, buf,
	    sizeof(buf)), "2026-11-22T03:15:00.123Z");
	/* Milliseconds are truncated, never rounded up into the next second. */
	ck_assert_str_eq(rfc3339_format(1795317300999999LL, buf, sizeof(buf)),
	    "2026-11-22T03:15:00.999Z");
	ck_assert_str_eq(rfc3339_format(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999Z");
	ck_assert_str_eq(rfc3339_format(951782400LL * USEC, buf, sizeof(buf)),
	    "2000-02-29T00:00:00.000Z");
	ck_assert_str_eq(rfc3339_format(253402300799LL * USEC, buf, sizeof(buf)),
	    "9999-12-31T23:59:59.000Z");
	/* The documented minimum size is enough. */
	ck_assert_str_eq(rfc3339_format(0, buf, 25), "1970-01-01T00:00:00.000Z");
	ck_assert_ptr_eq(rfc3339_format(0, buf, sizeof(buf)), buf);
	/* A short buffer is cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	rfc3339_format(0, buf, 5);
	ck_assert_str_eq(buf, "1970");
	ck_assert_int_eq(buf[5], 'x');
}
END_TEST

START_TEST(test_timefmt_round_trip)
{
	static const int64_t	times[] = {
		0, 1, 999, 1000, 1795158900123000LL, -1000, -86400000000LL,
		1709208000000000LL, 4102444799999000LL
	};
	char			buf[RFC3339_BUFSIZE];
	int64_t			t, want;
	size_t			i;

	for (i = 0; i < NITEMS(times); i++) {
		/* Format keeps milliseconds, so compare at that precision. */
		want = times[i] - ((times[i] % 1000) + 1000) % 1000;
		ck_assert_int_eq(rfc3339_parse(rfc3339_format(times[i], buf,
		    sizeof(buf)), &t), 0);
		ck_assert_int_eq(t, want);
	}
}
END_TEST

START_TEST(test_timefmt_now)
{
	int64_t	a, b;

	a = time_now_usec();
	b = time_now_usec();
	/* After 2020-01-01 and before 2200-01-01: a real clock, in usec. */
	ck_assert_int_gt(a, 1577836800LL * USEC);
	ck_assert_int_lt(a, 7258118400LL * USEC);
	ck_assert_int_le(b - a, 10 * USEC);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc;

	tc = tcase_create("ascii");
	tcase_add_test(tc, test_utf8_ascii);
	suite_add_tcase(s, tc);
	tc = tcase_create("multibyte");
	tcase_add_test(tc, test_utf8_multibyte);
	suite_add_tcase(s, tc);
	tc = tcase_create("overlong");
	tcase_add_loop_test(tc, test_utf8_overlong, 0, NITEMS(utf8_overlongs));
	suite_add_tcase(s, tc);
	tc = tcase_create("surrogate");
	tcase_add_test(tc, test_utf8_surrogate);
	suite_add_tcase(s, tc);
	tc = tcase_create("above_max");
	tcase_add_test(tc, test_utf8_above_max);
	suite_add_tcase(s, tc);
	tc = tcase_create("truncated");
	tcase_add_test(tc, test_utf8_truncated);
	suite_add_tcase(s, tc);
	tc = tcase_create("stray_continuation");
	tcase_add_test(tc, test_utf8_stray_continuation);
	suite_add_tcase(s, tc);
	tc = tcase_create("control");
	tcase_add_test(tc, test_utf8_control);
	suite_add_tcase(s, tc);
	tc = tcase_create("scrub");
	tcase_add_test(tc, test_utf8_scrub);
	suite_add_tcase(s, tc);
	return (s);
}

static Suite *
timefmt_suite(void)
{
	Suite	*s = suite_create("timefmt");
	TCase	*tc;

	tc = tcase_create("basic");
	tcase_add_test(tc, test_timefmt_basic);
	suite_add_tcase(s, tc);
	tc = tcase_create("fraction");
	tcase_add_test(tc, test_timefmt_fraction);
	suite_add_tcase(s, tc);
	tc = tcase_create("case");
	tcase_add_test(tc, test_timefmt_case);
	suite_add_tcase(s, tc);
	tc = tcase_create("offset");
	tcase_add_test(tc, test_timefmt_offset);
	suite_add_tcase(s, tc);
	tc = tcase_create("leap_year");
	tcase_add_test(tc, test_timefmt_leap_year);
	suite_add_tcase(s, tc);
	tc = tcase_create("calendar");
	tcase_add_test(tc, test_timefmt_calendar);
	suite_add_tcase(s, tc);
	tc = tcase_create("syntax");
	tcase_add_test(tc, test_timefmt_syntax);
	suite_add_tcase(s, tc);
	tc = tcase_create("leap_second");
	tcase_add_test(tc, test_timefmt_leap_second);
	suite_add_tcase(s, tc);
	tc = tcase_create("every_day");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_timefmt_every_day);
	suite_add_tcase(s, tc);
	tc = tcase_create("format");
	tcase_add_test(tc, test_timefmt_format);
	suite_add_tcase(s, tc);
	tc = tcase_create("round_trip");
	tcase_add_test(tc, test_timefmt_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("now");
	tcase_add_test(tc, test_timefmt_now);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(utf8_suite());
	srunner_add_suite(sr, timefmt_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
