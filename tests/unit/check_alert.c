/* Unit tests of the alert message: exact bytes, tiers, the body verbatim. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "alert.h"
#include "levels.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* alert_format of these fields, no origin. */
static char *
format(int64_t seq, const char *sender, int64_t received_at, int tier,
    const char *b, size_t blen, int newline, size_t *len)
{
	struct alert_fields	a = { seq, sender, received_at, tier, NULL, NULL,
	    b, blen };

	return (alert_format(&a, newline, len));
}
#define USEC 1000000LL

/* 2026-11-20T07:15:00.123456Z */
#define WHEN (1795158900LL * USEC + 123456)

static const char body[] =
    "{\"id\":\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\","
    "\"code\":\"intrusions/system-compromise\",\"severity\":\"high\","
    "\"tlp\":\"amber\",\"title\":\"Web shell on a ministry portal\"}";

/*
 * Format an alert and check it is exactly expected (with a newline when
 * newline is set), that *len is its length, and that it is NUL-terminated.
 */
static void
expect_alert(int64_t seq, const char *sender, int64_t received_at, int tier,
    const char *b, size_t blen, int newline, const char *expected)
{
	char	*out;
	size_t	 len = 999999;

	out = format(seq, sender, received_at, tier, b, blen, newline,
	    &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strcmp(out, expected) == 0, "got\n%s\nwanted\n%s", out,
	    expected);
	ck_assert_uint_eq(len, strlen(expected));
	ck_assert_uint_eq(strlen(out), len);
	free(out);
}

/* The expected text of an alert with the test body. */
static char *
expected_text(const char *head_fields, int newline)
{
	char	*text;

	ck_assert_int_ne(asprintf(&text, "{\"type\":\"alert\",%s,"
	    "\"report\":%s}%s", head_fields, body, newline ? "\n" : ""), -1);
	return (text);
}

/* A forwarded report's alert carries its origin before the report. */
START_TEST(test_origin)
{
	static const char	 origin[] = "{\"hub\":\"ASEAN\",\"member\":"
	    "\"ID\",\"seq\":7,\"received_at\":\"2026-11-20T07:15:00Z\","
	    "\"path\":[\"ASEAN\"]}";
	struct alert_fields	 a = { 12, "ASEAN", WHEN, TIER_GLOBAL, origin,
	    "00ff", body, sizeof body - 1 };
	char			*out, *want;
	size_t			 len;

	out = alert_format(&a, 1, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_ne(asprintf(&want, "{\"type\":\"alert\",\"seq\":12,"
	    "\"sender\":\"ASEAN\",\"received_at\":"
	    "\"2026-11-20T07:15:00.123Z\",\"tier\":\"global\","
	    "\"chain\":\"00ff\",\"origin\":%s,\"report\":%s}\n", origin,
	    body), -1);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(len, strlen(want));
	free(want);
	free(out);
}
END_TEST

START_TEST(test_tiers)
{
	static const struct {
		int		 tier;
		const char	*text;
	} cases[] = {
		{ TIER_BILATERAL, "\"bilateral\"" },
		{ TIER_REGIONAL, "\"regional\"" },
		{ TIER_GLOBAL, "\"global\"" },
		{ ALERT_OWN_REPORT, "null" },
	};
	char	*head, *want;
	size_t	 i;
	int	 nl;

	for (i = 0; i < NITEMS(cases); i++) {
		for (nl = 0; nl <= 1; nl++) {
			ck_assert_int_ne(asprintf(&head, "\"seq\":42,"
			    "\"sender\":\"ID\",\"received_at\":"
			    "\"2026-11-20T07:15:00.123Z\",\"tier\":%s",
			    cases[i].text), -1);
			want = expected_text(head, nl);
			expect_alert(42, "ID", WHEN, cases[i].tier, body,
			    strlen(body), nl, want);
			free(want);
			free(head);
		}
	}
}
END_TEST

START_TEST(test_exact_bytes)
{
	expect_alert(7, "SG", WHEN, TIER_BILATERAL, "{}", 2, 1,
	    "{\"type\":\"alert\",\"seq\":7,\"sender\":\"SG\","
	    "\"received_at\":\"2026-11-20T07:15:00.123Z\","
	    "\"tier\":\"bilateral\",\"report\":{}}\n");
	expect_alert(7, "SG", WHEN, TIER_BILATERAL, "{}", 2, 0,
	    "{\"type\":\"alert\",\"seq\":7,\"sender\":\"SG\","
	    "\"received_at\":\"2026-11-20T07:15:00.123Z\","
	    "\"tier\":\"bilateral\",\"report\":{}}");
	expect_alert(1, "APCERT", 0, TIER_GLOBAL, "{\"a\":1}", 7, 1,
	    "{\"type\":\"alert\",\"seq\":1,\"sender\":\"APCERT\","
	    "\"received_at\":\"1970-01-01T00:00:00.000Z\","
	    "\"tier\":\"global\",\"report\":{\"a\":1}}\n");
	expect_alert(12345, "TH", WHEN, ALERT_OWN_REPORT, "{\"a\":1}", 7, 0,
	    "{\"type\":\"alert\",\"seq\":12345,\"sender\":\"TH\","
	    "\"received_at\":\"2026-11-20T07:15:00.123Z\","
	    "\"tier\":null,\"report\":{\"a\":1}}");
}
END_TEST

START_TEST(test_seq_and_time)
{
	/* The largest seq, a long member ID, a leap-year date, .999 ms. */
	expect_alert(INT64_MAX, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
	    951868799LL * USEC + 999999, TIER_REGIONAL, "{}", 2, 1,
	    "{\"type\":\"alert\",\"seq\":9223372036854775807,"
	    "\"sender\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\","
	    "\"received_at\":\"2000-02-29T23:59:59.999Z\","
	    "\"tier\":\"regional\",\"report\":{}}\n");
	expect_alert(0, "a_b-c", 1795158900LL * USEC + 999, TIER_REGIONAL,
	    "{}", 2, 0,
	    "{\"type\":\"alert\",\"seq\":0,\"sender\":\"a_b-c\","
	    "\"received_at\":\"2026-11-20T07:15:00.000Z\","
	    "\"tier\":\"regional\",\"report\":{}}");
}
END_TEST

START_TEST(test_body_verbatim)
{
	/*
	 * Key order, spacing, escapes and number spelling are whatever the
	 * stored body holds: nothing is parsed or normalised.
	 */
	static const char odd[] =
	    "{\"title\" : \"Caf\\u00e9 \\/ \\\"quoted\\\"\",  \"id\":\"x\","
	    "\"n\":[1.50, 2e3, -0],\"code\":\"test/test\","
	    "\"description\":\"Serangan \xe2\x80\x94 baris\\nkedua\"}";
	char	*want;

	ck_assert_int_ne(asprintf(&want, "{\"type\":\"alert\",\"seq\":3,"
	    "\"sender\":\"MY\",\"received_at\":\"2026-11-20T07:15:00.123Z\","
	    "\"tier\":\"bilateral\",\"report\":%s}\n", odd), -1);
	expect_alert(3, "MY", WHEN, TIER_BILATERAL, odd, strlen(odd), 1, want);
	free(want);
}
END_TEST

START_TEST(test_body_len)
{
	/* Only body_len bytes of the body are used, not up to a NUL. */
	static const char longer[] = "{\"a\":1}{\"junk\":true}";

	expect_alert(9, "ID", WHEN, TIER_GLOBAL, longer, 7, 1,
	    "{\"type\":\"alert\",\"seq\":9,\"sender\":\"ID\","
	    "\"received_at\":\"2026-11-20T07:15:00.123Z\","
	    "\"tier\":\"global\",\"report\":{\"a\":1}}\n");
}
END_TEST

START_TEST(test_large_body)
{
	char	*big, *out;
	size_t	 n = 100000, len, blen;

	big = malloc(n + 32);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "{\"description\":\"", 16);
	memset(big + 16, 'x', n);
	memcpy(big + 16 + n, "\"}", 3);
	blen = strlen(big);
	out = format(100, "ID", WHEN, TIER_REGIONAL, big, blen, 1, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	ck_assert_int_eq(out[len - 1], '\n');
	ck_assert_int_eq(out[len - 2], '}');
	ck_assert_ptr_nonnull(strstr(out, "\"report\":{\"description\":\"x"));
	ck_assert_int_eq(memcmp(out + len - 2 - blen, big, blen), 0);
	free(out);
	free(big);
}
END_TEST

START_TEST(test_parses_as_json)
{
	static const int	tiers[] = {
		TIER_BILATERAL, TIER_REGIONAL, TIER_GLOBAL, ALERT_OWN_REPORT
	};
	static const char	*names[] = {
		"bilateral", "regional", "global", NULL
	};
	json_error_t	 error;
	json_t		*alert, *report, *want;
	char		*out;
	size_t		 len, i;
	int		 nl;

	want = json_loads(body, 0, &error);
	ck_assert_ptr_nonnull(want);
	for (i = 0; i < NITEMS(tiers); i++) {
		for (nl = 0; nl <= 1; nl++) {
			out = format(77, "SG", WHEN, tiers[i], body,
			    strlen(body), nl, &len);
			ck_assert_ptr_nonnull(out);
			alert = json_loadb(out, len, JSON_REJECT_DUPLICATES,
			    &error);
			ck_assert_msg(alert != NULL, "not JSON: %s: %s", out,
			    error.text);
			ck_assert(json_is_object(alert));
			ck_assert_uint_eq(json_object_size(alert), 6);
			ck_assert_str_eq(json_string_value(json_object_get(
			    alert, "type")), "alert");
			ck_assert(json_is_integer(json_object_get(alert,
			    "seq")));
			ck_assert_int_eq(json_integer_value(json_object_get(
			    alert, "seq")), 77);
			ck_assert_str_eq(json_string_value(json_object_get(
			    alert, "sender")), "SG");
			ck_assert_str_eq(json_string_value(json_object_get(
			    alert, "received_at")), "2026-11-20T07:15:00.123Z");
			if (names[i] == NULL)
				ck_assert(json_is_null(json_object_get(alert,
				    "tier")));
			else
				ck_assert_str_eq(json_string_value(
				    json_object_get(alert, "tier")), names[i]);
			report = json_object_get(alert, "report");
			ck_assert(json_is_object(report));
			ck_assert(json_equal(report, want));
			/* Compact: one line, a newline only at the end. */
			ck_assert_ptr_null(memchr(out, '\n',
			    len - (nl ? 1 : 0)));
			json_decref(alert);
			free(out);
		}
	}
	json_decref(want);
}
END_TEST

START_TEST(test_sender_too_long)
{
	char	sender[400];
	size_t	len = 12345;

	/* Not a member ID: refused rather than cut short. */
	memset(sender, 'A', sizeof sender - 1);
	sender[sizeof sender - 1] = '\0';
	ck_assert_ptr_null(format(1, sender, WHEN, TIER_REGIONAL, "{}",
	    2, 1, &len));
}
END_TEST

#define ADD_TEST(s, name) do {						\
	TCase	*tc_ = tcase_create(#name);				\
									\
	tcase_add_test(tc_, test_##name);				\
	suite_add_tcase((s), tc_);					\
} while (0)

static Suite *
alert_suite(void)
{
	Suite	*s = suite_create("alert");

	ADD_TEST(s, tiers);
	ADD_TEST(s, origin);
	ADD_TEST(s, exact_bytes);
	ADD_TEST(s, seq_and_time);
	ADD_TEST(s, body_verbatim);
	ADD_TEST(s, body_len);
	ADD_TEST(s, large_body);
	ADD_TEST(s, parses_as_json);
	ADD_TEST(s, sender_too_long);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(alert_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
