/*
 * Unit tests of the console's pure parts: HTML escaping (every character
 * that could open markup or an attribute, controls, bytes that are not
 * UTF-8, bidirectional controls), the SVG plots (scales of round numbers,
 * labels and legends escaped, one bar per non-zero value) and the views
 * (a report's fields and indicators, the delivery matrix, the ledger mark).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>

#include "console_view.h"
#include "html.h"
#include "svg.h"

/* The buffer's text, NUL-terminated, malloc'd; the buffer is emptied. */
static char *
text_of(struct evbuffer *b)
{
	size_t	 len = evbuffer_get_length(b);
	char	*s = malloc(len + 1);

	ck_assert_ptr_nonnull(s);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	return (s);
}

static void
escaped_is(const char *in, size_t len, const char *want)
{
	struct evbuffer	*b = evbuffer_new();
	char		*got;

	ck_assert_int_eq(html_text(b, in, len), 0);
	got = text_of(b);
	ck_assert_str_eq(got, want);
	free(got);
	evbuffer_free(b);
}

/* How many times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int	n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return (n);
}

START_TEST(test_escape_markup)
{
	escaped_is("<script>alert(1)</script>", 25,
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	escaped_is("a & b \"c\" 'd'", 13,
	    "a &amp; b &quot;c&quot; &#39;d&#39;");
	escaped_is("plain text, 100% ok", 19, "plain text, 100% ok");
	escaped_is("", 0, "");
}
END_TEST

START_TEST(test_escape_controls_and_bad_utf8)
{
	/* Tab and newline stay; NUL, ESC, DEL and C1 become U+FFFD. */
	escaped_is("a\tb\nc", 5, "a\tb\nc");
	escaped_is("a\0b", 3, "a\xef\xbf\xbd" "b");
	escaped_is("\x1b[31m", 5, "\xef\xbf\xbd[31m");
	escaped_is("\x7f", 1, "\xef\xbf\xbd");
	escaped_is("\xc2\x85", 2, "\xef\xbf\xbd");
	/* A lone continuation byte, a cut sequence, an overlong '<'. */
	escaped_is("\x80x", 2, "\xef\xbf\xbdx");
	escaped_is("\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	escaped_is("\xc0\xbc", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	/* Well-formed text of any script is copied. */
	escaped_is("Konten Kasar \xe2\x80\x94 \xe0\xb8\x81", 20,
	    "Konten Kasar \xe2\x80\x94 \xe0\xb8\x81");
}
END_TEST

START_TEST(test_escape_bidi)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE and U+2066 LRI as references. */
	escaped_is("x\xe2\x80\xaey", 5, "x&#x202E;y");
	escaped_is("\xe2\x81\xa6", 3, "&#x2066;");
}
END_TEST

START_TEST(test_page_frame)
{
	struct evbuffer	*b = evbuffer_new();
	char		*page;

	ck_assert_int_eq(html_page_start(b, "<b>Report</b>", "hub\"x",
	    "/reports"), 0);
	ck_assert_int_eq(html_page_end(b), 0);
	page = text_of(b);
	ck_assert_ptr_null(strstr(page, "<b>"));
	ck_assert_ptr_nonnull(strstr(page, "&lt;b&gt;Report&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(page, "hub&quot;x"));
	ck_assert_ptr_nonnull(strstr(page,
	    "<a href=\"/reports\" aria-current=\"page\">"));
	ck_assert_int_eq(count(page, "aria-current"), 1);
	/* Only the hub's own files: no scheme, no other host. */
	ck_assert_ptr_null(strstr(page, "http:"));
	ck_assert_ptr_null(strstr(page, "https:"));
	ck_assert_ptr_null(strstr(page, "\"//"));
	ck_assert_ptr_nonnull(strstr(page, "<script src=\"/console.js\""));
	free(page);
	evbuffer_free(b);
	ck_assert_str_eq(html_tlp_class("amber+strict"), "tlp-amber-strict");
	ck_assert_str_eq(html_tlp_class("red"), "tlp-red");
	ck_assert_str_eq(html_tlp_class("white"), "tlp-unknown");
}
END_TEST

START_TEST(test_scale)
{
	ck_assert_int_eq(svg_scale_top(0), 5);
	ck_assert_int_eq(svg_scale_top(1), 5);
	ck_assert_int_eq(svg_scale_top(5), 5);
	ck_assert_int_eq(svg_scale_top(6), 10);
	ck_assert_int_eq(svg_scale_top(11), 25);
	ck_assert_int_eq(svg_scale_top(26), 50);
	ck_assert_int_eq(svg_scale_top(51), 100);
	ck_assert_int_eq(svg_scale_top(999), 1000);
	ck_assert_int_eq(svg_scale_top(1001), 2500);
}
END_TEST

START_TEST(test_stacked_bars)
{
	static const int64_t	 a[3] = { 1, 0, 4 }, c[3] = { 2, 0, 0 };
	static const char *const labels[3] = { "00:00", "01:00", "<02>" };
	struct svg_series	 series[2] = {
		{ "fraud", "#bcbd22", a },
		{ "<i>x</i>", "#d62728", c },
	};
	struct svg_bars		 b = { "Reports & more", "hour (UTC)",
	    "reports", 3, labels, 1, 2, series };
	struct evbuffer		*out = evbuffer_new();
	char			*svg;

	ck_assert_int_eq(svg_stacked_bars(out, &b), 0);
	svg = text_of(out);
	ck_assert_ptr_nonnull(strstr(svg, "<title>Reports &amp; more</title>"));
	/* Three non-zero values, three bars, and one legend key a series. */
	ck_assert_int_eq(count(svg, "<rect x="), 3);
	ck_assert_int_eq(count(svg, "class=\"key\""), 2);
	ck_assert_ptr_nonnull(strstr(svg, "&lt;i&gt;x&lt;/i&gt;"));
	ck_assert_ptr_null(strstr(svg, "<i>"));
	ck_assert_ptr_nonnull(strstr(svg, "&lt;02&gt;"));
	/* Max 4 (bin 2): the scale ends at 5, in steps of 1. */
	ck_assert_ptr_nonnull(strstr(svg, ">5</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">hour (UTC)</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "rotate(-90)\">reports</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>&lt;02&gt; fraud: 4</title>"));
	free(svg);
	b.nbins = 0;
	ck_assert_int_eq(svg_stacked_bars(out, &b), -1);
	evbuffer_free(out);
}
END_TEST

START_TEST(test_hbars)
{
	static const char *const labels[2] = { "fraud/phishing", "<SG>" };
	static const int64_t	 values[2] = { 30, 7 };
	struct evbuffer		*out = evbuffer_new();
	char			*svg;

	ck_assert_int_eq(svg_hbars(out, "By code", "reports", 2, labels,
	    values, "#4c9be8"), 0);
	svg = text_of(out);
	ck_assert_int_eq(count(svg, "<rect x="), 2);
	ck_assert_ptr_nonnull(strstr(svg, "&lt;SG&gt;: 7"));
	ck_assert_ptr_nonnull(strstr(svg, ">50</text>"));
	free(svg);
	ck_assert_int_eq(svg_hbars(out, "By code", "reports", 0, NULL, NULL,
	    "#4c9be8"), 0);
	svg = text_of(out);
	ck_assert_ptr_nonnull(strstr(svg, "no reports in this period"));
	ck_assert_int_eq(count(svg, "<rect x="), 0);
	free(svg);
	evbuffer_free(out);
}
END_TEST

START_TEST(test_classes)
{
	ck_assert_str_eq(console_class_name(console_class_index(
	    "fraud/phishing")), "fraud");
	ck_assert_str_eq(console_class_name(console_class_index(
	    "intrusions/system-compromise")), "intrusions");
	/* A prefix of a class is not the class. */
	ck_assert_uint_eq(console_class_index("intrusion/x"),
	    CONSOLE_NCLASSES - 1);
	ck_assert_uint_eq(console_class_index("zz/top"), CONSOLE_NCLASSES - 1);
}
END_TEST

START_TEST(test_report_view)
{
	static const char	 body[] = "{\"id\":\"0f6c1b7e-3d52-4c1a-9e0b-"
	    "6a2f4d8c7e11\",\"title\":\"<script>alert(1)</script>\","
	    "\"description\":\"line one\\n<b>two</b>\",\"indicators\":["
	    "{\"type\":\"url\",\"value\":\"https://x.example/\\\"><img>\"}],"
	    "\"sectors\":[\"finance\"]}";
	struct console_row	 r = { 7, 1764806400000000LL, "ID",
	    "fraud/phishing", SEVERITY_HIGH, TLP_AMBER_STRICT, NULL, 3, 0 };
	struct evbuffer		*out = evbuffer_new();
	char			*html;

	ck_assert_int_eq(console_view_report(out, &r, body, strlen(body),
	    "{\"hub\":\"<eu>\"}"), 0);
	html = text_of(out);
	ck_assert_ptr_null(strstr(html, "<script>"));
	ck_assert_ptr_null(strstr(html, "<img>"));
	ck_assert_ptr_null(strstr(html, "<b>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)"));
	ck_assert_ptr_nonnull(strstr(html, "https://x.example/&quot;&gt;"
	    "&lt;img&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "TLP:AMBER+STRICT"));
	ck_assert_ptr_nonnull(strstr(html, "tlp-amber-strict"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;eu&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "finance"));
	ck_assert_ptr_nonnull(strstr(html, "2025-12-04 00:00:00Z"));
	free(html);
	ck_assert_int_eq(console_view_report(out, &r, "[1]", 3, NULL), -1);
	ck_assert_int_eq(console_view_report(out, &r, "{", 1, NULL), -1);
	evbuffer_free(out);
}
END_TEST

START_TEST(test_row_view)
{
	struct console_row	 r = { 12, 1764806400000000LL, "<SG>", "test/test",
	    SEVERITY_INFO, TLP_RED, "\"quoted\" & <b>", 0, 1 };
	struct evbuffer		*out = evbuffer_new();
	char			*html;

	ck_assert_int_eq(console_view_row(out, &r), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"/reports/12\">12</a>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;SG&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "&quot;quoted&quot; &amp; &lt;b&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "TLP:RED"));
	ck_assert_ptr_nonnull(strstr(html, "forwarded"));
	free(html);
	evbuffer_free(out);
}
END_TEST

START_TEST(test_deliveries_and_ledger)
{
	struct console_delivery	 d[2] = {
		{ "SG", "bilateral", 1764806400000000LL, 1764806401000000LL, 1 },
		{ "<MY>", "regional", 0, 0, -1 },
	};
	struct console_ledger	 ok = { 1, 5, "ab", "cd", 1, NULL };
	struct console_ledger	 bad = { 1, 5, "ab", "cd", 0,
	    (char *)"the stored <report> changed" };
	struct console_ledger	 none = { 0 };
	struct evbuffer		*out = evbuffer_new();
	char			*html;

	ck_assert_int_eq(console_view_deliveries(out, d, 2), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "bilateral"));
	ck_assert_ptr_nonnull(strstr(html, "2025-12-04 00:00:01Z"));
	ck_assert_ptr_nonnull(strstr(html, ">signed<"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;MY&gt;"));
	ck_assert_int_eq(count(html, "<tr data-member="), 2);
	free(html);
	ck_assert_int_eq(console_view_ledger(out, &ok), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "class=\"verified\""));
	free(html);
	ck_assert_int_eq(console_view_ledger(out, &bad), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "class=\"broken\""));
	ck_assert_ptr_nonnull(strstr(html, "&lt;report&gt;"));
	free(html);
	ck_assert_int_eq(console_view_ledger(out, &none), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "ledger was off"));
	free(html);
	evbuffer_free(out);
}
END_TEST

START_TEST(test_stats_view)
{
	struct console_stats	 s = { 0 };
	struct evbuffer		*out = evbuffer_new();
	char			*html, key[32];
	int			 i;

	/* More codes than bars: the smallest are summed as others. */
	for (i = 0; i < CONSOLE_TOP + 3; i++) {
		snprintf(key, sizeof key, "test/c%02d", i);
		ck_assert_int_eq(console_stats_add(&s.by_code, &s.ncode, key,
		    100 - i), 0);
		s.total += 100 - i;
	}
	ck_assert_int_eq(console_stats_add(&s.by_code, &s.ncode, "test/c00",
	    5), 0);
	ck_assert_uint_eq(s.ncode, CONSOLE_TOP + 3);
	ck_assert_int_eq(console_stats_add(&s.by_day, &s.nday, "2026-12-02",
	    3), 0);
	ck_assert_int_eq(console_stats_add(&s.by_day, &s.nday, "2026-12-01",
	    1), 0);
	ck_assert_int_eq(console_stats_add(&s.by_sender, &s.nsender, "ID",
	    4), 0);
	s.by_severity[SEVERITY_HIGH] = 4;
	ck_assert_int_eq(console_view_stats(out, &s), 0);
	html = text_of(out);
	ck_assert_ptr_nonnull(strstr(html, "(others): 252"));
	ck_assert_ptr_nonnull(strstr(html, "test/c00: 105"));
	/* Days in order. */
	ck_assert_ptr_nonnull(strstr(html, "2026-12-01"));
	ck_assert(strstr(html, "2026-12-01") < strstr(html, "2026-12-02"));
	ck_assert_ptr_nonnull(strstr(html, "Reports by sender"));
	free(html);
	console_stats_clear(&s);
	evbuffer_free(out);
}
END_TEST

static Suite *
console_suite(void)
{
	Suite	*s = suite_create("console");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_escape_markup);
	tcase_add_test(tc, test_escape_controls_and_bad_utf8);
	tcase_add_test(tc, test_escape_bidi);
	tcase_add_test(tc, test_page_frame);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_stacked_bars);
	tcase_add_test(tc, test_hbars);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_report_view);
	tcase_add_test(tc, test_row_view);
	tcase_add_test(tc, test_deliveries_and_ledger);
	tcase_add_test(tc, test_stats_view);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(console_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
