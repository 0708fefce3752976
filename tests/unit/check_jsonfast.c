/*
 * Unit tests of jsonfast: whenever it returns a tree, jansson
 * (json_loadb with JSON_REJECT_DUPLICATES) reads the same text to an equal
 * tree that dumps to the same bytes; whatever jansson refuses, jsonfast
 * declines. Checked on written cases and on many generated texts and
 * their mutations (bytes changed, cut, doubled keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "jsonfast.h"

/* The claim, for one text; 1 if jsonfast read it. */
static int
agrees(const char *s, size_t len)
{
	json_t	*fast = jsonfast_parse(s, len), *slow;
	char	*a, *b;

	slow = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (fast == NULL) {
		json_decref(slow);
		return (0);
	}
	ck_assert_msg(slow != NULL, "jsonfast read what jansson refuses: "
	    "%.*s", (int)len, s);
	ck_assert_msg(json_equal(fast, slow), "different trees: %.*s",
	    (int)len, s);
	a = json_dumps(fast, JSON_COMPACT);
	b = json_dumps(slow, JSON_COMPACT);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	json_decref(fast);
	json_decref(slow);
	return (1);
}

static void
reads(const char *s)
{
	ck_assert_msg(agrees(s, strlen(s)), "declined: %s", s);
}

static void
declines(const char *s, size_t len)
{
	ck_assert_msg(!agrees(s, len), "read: %.*s", (int)len, s);
}

START_TEST(test_reads_the_common_case)
{
	reads("{\"type\":\"report\",\"ref\":\"r1\",\"report\":{\"id\":"
	    "\"0f6c1b7e-3d52-4c1a-9e0b-6a2f4d8c7e11\",\"code\":\"fraud/"
	    "phishing\",\"severity\":\"high\",\"tlp\":\"amber\",\"title\":"
	    "\"Caf\xc3\xa9 \\\"quoted\\\" a\\/b\\n\\t\",\"indicators\":[{"
	    "\"type\":\"ipv4\",\"value\":\"203.0.113.7\"}],\"recipients\":[]}}");
	reads("{\"type\":\"ack\",\"seq\":123456789012345678}");
	reads("{\"a\":-7,\"b\":0,\"c\":true,\"d\":false,\"e\":null}");
	reads(" \t\r\n{ \"a\" : [ 1 , [ ] , { } ] } \n");
	reads("[]");
	reads("{\"\":\"\"}");
	reads("{\"del\":\"\x7f\"}");
}
END_TEST

START_TEST(test_declines)
{
	static const char *const bad[] = {
		"", "   ", "\"s\"", "1", "true", "{", "}", "{\"a\"}",
		"{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\":1}x", "{\"a\":01}",
		"{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":-}", "{\"a\":tru}",
		"{\"a\":truex}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\x01\"}", "{\"a\":\"\xc0\xbc\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":1,\"a\":2}", "{\"k\\n\":1}", "{\"a\":1234567890123456789}",
		"{\"a\":\"unterminated}", "\xef\xbb\xbf{}", "{'a':1}",
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		declines(bad[i], strlen(bad[i]));
	declines("{\"a\":\"x\0y\"}", 10);
	declines("{}\0", 3);
	{
		char	deep[200];
		int	n;

		for (n = 0; n < 40; n++)
			deep[n] = '[';
		for (; n < 80; n++)
			deep[n] = ']';
		declines(deep, 80);
	}
}
END_TEST

/* A random text, mostly JSON, into out; its length. */
static size_t
generate(char *out, size_t size, size_t n, int depth, unsigned *seed)
{
	static const char *const atoms[] = { "\"a\"", "\"caf\xc3\xa9\"",
	    "\"x y\"", "\"\\n\"", "\"\\u0041\"", "\"\\\\\"", "true", "false",
	    "null", "12", "-3", "0", "0.5", "1e2", "\"\"", "\"\\\"q\\\"\"",
	    "\"\\/\"", "\"\\t\\r\\b\\f\"", "99999999999999999999", "-0" };
	int	kind = depth > 4 ? 0 : rand_r(seed) % 3, i, count;

	if (depth == 0)
		kind = 1 + rand_r(seed) % 2;
	if (n + 80 >= size)
		kind = 0;
	if (kind == 0)
		return (n + (size_t)snprintf(out + n, size - n, "%s",
		    atoms[rand_r(seed) % (sizeof atoms / sizeof atoms[0])]));
	out[n++] = kind == 1 ? '{' : '[';
	if (rand_r(seed) % 5 == 0)
		out[n++] = ' ';
	count = rand_r(seed) % 4;
	for (i = 0; i < count && n + 80 < size; i++) {
		if (i > 0)
			out[n++] = ',';
		if (kind == 1)
			n += (size_t)snprintf(out + n, size - n, "\"k%d\":%s",
			    rand_r(seed) % 3, rand_r(seed) % 6 == 0 ? " " : "");
		n = generate(out, size, n, depth + 1, seed);
	}
	out[n++] = kind == 1 ? '}' : ']';
	out[n] = '\0';
	return (n);
}

START_TEST(test_agrees_with_jansson)
{
	static const char	 noise[] = "{}[]\",:\\ -0123ntfeu\x01\x7f\xc3\xa9";
	char			 text[4096];
	unsigned		 seed = 4122026;
	size_t			 n, at;
	int			 i, read = 0, declined = 0;

	for (i = 0; i < 30000; i++) {
		n = generate(text, sizeof text, 0, 0, &seed);
		/* Half of them changed: a byte, or cut short. */
		if (i % 2 == 1 && n > 1) {
			at = (size_t)rand_r(&seed) % n;
			if (rand_r(&seed) % 3 == 0)
				n = at;
			else
				text[at] = noise[rand_r(&seed) %
				    (sizeof noise - 1)];
		}
		if (agrees(text, n))
			read++;
		else
			declined++;
	}
	ck_assert_int_gt(read, 3000);
	ck_assert_int_gt(declined, 3000);
}
END_TEST

static Suite *
jsonfast_suite(void)
{
	Suite	*s = suite_create("jsonfast");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_reads_the_common_case);
	tcase_add_test(tc, test_declines);
	tcase_add_test(tc, test_agrees_with_jansson);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(jsonfast_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
