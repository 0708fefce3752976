/* Unit tests of the escape of peer text for log lines and terminals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "escape.h"

/* escape_text of a literal (NULs included) into a roomy buffer. */
#define ESCAPED(lit) \
	escape_text(buf, sizeof buf, (lit), sizeof(lit) - 1)

START_TEST(test_plain_text_unchanged)
{
	char	buf[ESCAPE_SIZE(64)];

	ck_assert_str_eq(ESCAPED(""), "");
	ck_assert_str_eq(ESCAPED("Web shell on a ministry portal"),
	    "Web shell on a ministry portal");
	ck_assert_str_eq(ESCAPED("\"quoted\" 'text' {json: [1]}"),
	    "\"quoted\" 'text' {json: [1]}");
	/* Letters of other scripts, and emoji, are text. */
	ck_assert_str_eq(ESCAPED("Peringatan dini \xc3\xa9\xe2\x82\xac "
	    "\xe0\xb8\x81 \xf0\x9f\x94\x94"),
	    "Peringatan dini \xc3\xa9\xe2\x82\xac \xe0\xb8\x81 "
	    "\xf0\x9f\x94\x94");
}
END_TEST

START_TEST(test_newline_cannot_forge_a_line)
{
	char	buf[ESCAPE_SIZE(64)];

	ck_assert_str_eq(ESCAPED("x\nFAKE: forged line"),
	    "x\\nFAKE: forged line");
	ck_assert_str_eq(ESCAPED("a\r\nb\tc"), "a\\r\\nb\\tc");
	ck_assert_ptr_null(strchr(ESCAPED("\n\n\r\n"), '\n'));
}
END_TEST

START_TEST(test_c0_and_del)
{
	char	buf[ESCAPE_SIZE(64)];

	ck_assert_str_eq(ESCAPED("\x1b[31mred\x1b[0m"),
	    "\\x1b[31mred\\x1b[0m");
	ck_assert_str_eq(ESCAPED("a\0b"), "a\\x00b");
	ck_assert_str_eq(ESCAPED("\x01\x07\x08\x0b\x0c\x1f\x7f"),
	    "\\x01\\x07\\x08\\x0b\\x0c\\x1f\\x7f");
}
END_TEST

START_TEST(test_c1_controls)
{
	char	buf[ESCAPE_SIZE(64)];

	/* U+0085 NEL and U+009B CSI, in their UTF-8 form. */
	ck_assert_str_eq(ESCAPED("a\xc2\x85" "b\xc2\x9b" "31m"),
	    "a\\u0085b\\u009b31m");
	ck_assert_str_eq(ESCAPED("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
	/* U+00A0 is past the C1 range: text. */
	ck_assert_str_eq(ESCAPED("\xc2\xa0"), "\xc2\xa0");
}
END_TEST

START_TEST(test_bidi_controls)
{
	char	buf[ESCAPE_SIZE(64)];

	/* "exe.txt" shown as "txt.exe" by U+202E RIGHT-TO-LEFT OVERRIDE. */
	ck_assert_str_eq(ESCAPED("invoice\xe2\x80\xaetxt.exe"),
	    "invoice\\u202etxt.exe");
	ck_assert_str_eq(ESCAPED("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac"
	    "\xe2\x80\xad"), "\\u202a\\u202b\\u202c\\u202d");
	ck_assert_str_eq(ESCAPED("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8"
	    "\xe2\x81\xa9"), "\\u2066\\u2067\\u2068\\u2069");
	ck_assert_str_eq(ESCAPED("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
	    "\\u200e\\u200f\\u061c");
	/* Line and paragraph separators break lines in some viewers. */
	ck_assert_str_eq(ESCAPED("a\xe2\x80\xa8" "b\xe2\x80\xa9"),
	    "a\\u2028b\\u2029");
	/* Neighbours of the ranges are text. */
	ck_assert_str_eq(ESCAPED("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5"
	    "\xe2\x81\xaa"), "\\u2029\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}
END_TEST

START_TEST(test_invalid_utf8)
{
	char	buf[ESCAPE_SIZE(64)];

	ck_assert_str_eq(ESCAPED("\xff"), "\\xff");
	/* A stray continuation byte, an overlong, a surrogate, a cut end. */
	ck_assert_str_eq(ESCAPED("a\x80" "b"), "a\\x80b");
	ck_assert_str_eq(ESCAPED("\xc0\xaf"), "\\xc0\\xaf");
	ck_assert_str_eq(ESCAPED("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	ck_assert_str_eq(ESCAPED("ok\xe2\x80"), "ok\\xe2\\x80");
	/* An overlong newline is no newline either. */
	ck_assert_str_eq(ESCAPED("\xc0\x8a"), "\\xc0\\x8a");
}
END_TEST

START_TEST(test_backslash_is_unambiguous)
{
	char	buf[ESCAPE_SIZE(64)];

	/* A literal "\n" and a newline must not look the same. */
	ck_assert_str_eq(ESCAPED("\\n"), "\\\\n");
	ck_assert_str_ne(ESCAPED("\\n"), "\\n");
	ck_assert_str_eq(ESCAPED("\\x1b \\u202e \\"),
	    "\\\\x1b \\\\u202e \\\\");
}
END_TEST

START_TEST(test_cut_to_fit)
{
	char	buf[16], big[ESCAPE_QUOTE_SIZE];
	char	*text;

	/* Fits exactly: no dots. */
	ck_assert_str_eq(escape_str(buf, sizeof buf, "0123456789abcde"),
	    "0123456789abcde");
	ck_assert_str_eq(escape_str(buf, sizeof buf, "0123456789abcdef"),
	    "0123456789ab...");
	/* Never half an escape, nor half a character. */
	ck_assert_str_eq(escape_str(buf, sizeof buf, "0123456789\n\n\n"),
	    "0123456789\\n...");
	ck_assert_str_eq(escape_str(buf, sizeof buf,
	    "0123456789a\xe2\x80\xae"), "0123456789a...");
	ck_assert_str_eq(escape_str(buf, sizeof buf,
	    "01234567\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"),
	    "01234567\xe2\x82\xac...");
	/* A tiny buffer still ends in a NUL. */
	ck_assert_str_eq(escape_str(buf, 1, "abc"), "");
	ck_assert_str_eq(escape_str(buf, 3, "abcdef"), "..");
	/* A quote takes at most 200 bytes of text. */
	if ((text = malloc(100000)) == NULL)
		ck_abort_msg("out of memory");
	memset(text, '\n', 99999);
	text[99999] = '\0';
	escape_str(big, sizeof big, text);
	ck_assert_uint_eq(strlen(big), 203);
	ck_assert_str_eq(big + 200, "...");
	ck_assert_ptr_null(strchr(big, '\n'));
	free(text);
}
END_TEST

START_TEST(test_worst_case_size)
{
	char	buf[ESCAPE_SIZE(4)];

	/* ESCAPE_SIZE holds the escape of anything without a cut. */
	ck_assert_str_eq(ESCAPED("\xff\xfe\xfd\xfc"), "\\xff\\xfe\\xfd\\xfc");
	ck_assert_str_eq(ESCAPED("\n\x1b\xc2\x85"), "\\n\\x1b\\u0085");
	ck_assert_str_eq(escape_str(buf, sizeof buf, NULL), "-");
}
END_TEST

static Suite *
escape_suite(void)
{
	Suite	*s = suite_create("escape");
	TCase	*tc;

	tc = tcase_create("plain");
	tcase_add_test(tc, test_plain_text_unchanged);
	suite_add_tcase(s, tc);
	tc = tcase_create("newline");
	tcase_add_test(tc, test_newline_cannot_forge_a_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("c0");
	tcase_add_test(tc, test_c0_and_del);
	suite_add_tcase(s, tc);
	tc = tcase_create("c1");
	tcase_add_test(tc, test_c1_controls);
	suite_add_tcase(s, tc);
	tc = tcase_create("bidi");
	tcase_add_test(tc, test_bidi_controls);
	suite_add_tcase(s, tc);
	tc = tcase_create("invalid_utf8");
	tcase_add_test(tc, test_invalid_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("backslash");
	tcase_add_test(tc, test_backslash_is_unambiguous);
	suite_add_tcase(s, tc);
	tc = tcase_create("cut");
	tcase_add_test(tc, test_cut_to_fit);
	suite_add_tcase(s, tc);
	tc = tcase_create("size");
	tcase_add_test(tc, test_worst_case_size);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(escape_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
