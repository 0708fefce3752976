/*
 * Unit tests of jsonspan: the span of a top-level member, and the claim
 * the hub relies on when it stores a report's bytes as received, that
 * jsonspan_compact(s) implies json_dumps(parse(s), JSON_COMPACT) == s,
 * checked over written cases and over many generated values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "jsonspan.h"

static void
member_is(const char *text, const char *key, const char *want)
{
	size_t	start, end;

	if (want == NULL) {
		ck_assert_int_eq(jsonspan_member(text, strlen(text), key, &start,
		    &end), -1);
		return;
	}
	ck_assert_int_eq(jsonspan_member(text, strlen(text), key, &start,
	    &end), 0);
	ck_assert_uint_eq(end - start, strlen(want));
	ck_assert(memcmp(text + start, want, end - start) == 0);
}

START_TEST(test_member)
{
	member_is("{\"type\":\"report\",\"report\":{\"a\":[1,{\"b\":\"}\"}]}}",
	    "report", "{\"a\":[1,{\"b\":\"}\"}]}");
	member_is("{\"report\":{\"x\":\"\\\"{\"},\"type\":\"report\"}", "report",
	    "{\"x\":\"\\\"{\"}");
	member_is(" { \"ref\" : \"r\\\"eport\" , \"report\" : { } } ", "report",
	    "{ }");
	member_is("{\"type\":\"report\",\"ref\":42,\"report\":\"s\"}", "report",
	    "\"s\"");
	member_is("{\"type\":\"report\",\"report\":[true,null]}", "report",
	    "[true,null]");
	member_is("{\"report\":17}", "report", "17");
	/* A key nested deeper, an escaped key, none: the slow way. */
	member_is("{\"x\":{\"report\":{}}}", "report", NULL);
	member_is("{\"r\\u0065port\":{}}", "report", NULL);
	member_is("{\"reports\":{}}", "report", NULL);
	member_is("[{\"report\":{}}]", "report", NULL);
	member_is("", "report", NULL);
}
END_TEST

/* s is compact by jsonspan iff want; when it says so, a dump agrees. */
static void
compact_is(const char *s, int want)
{
	json_t	*j;
	char	*dumped;

	ck_assert_int_eq(jsonspan_compact(s, strlen(s)), want);
	if (!want)
		return;
	j = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", s);
	dumped = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_str_eq(dumped, s);
	free(dumped);
	json_decref(j);
}

START_TEST(test_compact)
{
	compact_is("{\"id\":\"x\",\"title\":\"Web shell\",\"indicators\":"
	    "[{\"type\":\"url\",\"value\":\"https://a/b?c=d&e\"}]}", 1);
	compact_is("{\"t\":\"\xc3\xa9 \xe2\x80\xae \xf0\x9f\x94\x94 \x7f\"}", 1);
	compact_is("{}", 1);
	compact_is("[]", 1);
	compact_is("{\"a\":true,\"b\":false,\"c\":null}", 1);
	compact_is("{\"z\":\"1\",\"a\":\"2\"}", 1);
	/* What a dump would write otherwise. */
	compact_is("{ \"a\":\"b\"}", 0);
	compact_is("{\"a\":\"b\"}\n", 0);
	compact_is("{\"a\":\"\\u00e9\"}", 0);
	compact_is("{\"a\":\"\\/\"}", 0);
	compact_is("{\"a\":\"\\\"\"}", 0);
	compact_is("{\"n\":1}", 0);
	compact_is("{\"n\":1.0}", 0);
	compact_is("{\"n\":-0}", 0);
}
END_TEST

/* A random JSON value, compact or not, written into out. */
static void
generate(char *out, size_t size, size_t *n, int depth, unsigned *seed)
{
	static const char *const atoms[] = { "\"a\"", "\"caf\xc3\xa9\"",
	    "\"x y\"", "\"\\n\"", "\"\\u0041\"", "\"\\\\\"", "true", "null",
	    "12", "-3", "0.5", "\"\"", "\"\\\"q\\\"\"", "\"/\"" };
	int	kind = depth > 3 ? 0 : rand_r(seed) % 3, i, count;

	if (*n + 64 >= size)
		kind = 0;
	if (kind == 0) {
		*n += (size_t)snprintf(out + *n, size - *n, "%s",
		    atoms[rand_r(seed) % (sizeof atoms / sizeof atoms[0])]);
		return;
	}
	out[(*n)++] = kind == 1 ? '{' : '[';
	if (rand_r(seed) % 5 == 0)
		out[(*n)++] = ' ';
	count = rand_r(seed) % 4;
	for (i = 0; i < count && *n + 64 < size; i++) {
		if (i > 0)
			out[(*n)++] = ',';
		if (kind == 1) {
			*n += (size_t)snprintf(out + *n, size - *n, "\"k%d\":", i);
			if (rand_r(seed) % 7 == 0)
				out[(*n)++] = ' ';
		}
		generate(out, size, n, depth + 1, seed);
	}
	out[(*n)++] = kind == 1 ? '}' : ']';
	out[*n] = '\0';
}

START_TEST(test_compact_agrees_with_dump)
{
	char		 text[4096];
	unsigned	 seed = 20261204;
	size_t		 n;
	int		 i, compact = 0, other = 0;
	json_t		*j;
	char		*dumped;

	for (i = 0; i < 20000; i++) {
		n = 0;
		generate(text, sizeof text, &n, 0, &seed);
		text[n] = '\0';
		j = json_loads(text, JSON_DECODE_ANY, NULL);
		ck_assert_msg(j != NULL, "generated no JSON: %s", text);
		dumped = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		ck_assert_ptr_nonnull(dumped);
		if (jsonspan_compact(text, n)) {
			ck_assert_msg(strcmp(dumped, text) == 0, "compact but "
			    "dumped otherwise: %s -> %s", text, dumped);
			compact++;
		} else
			other++;
		free(dumped);
		json_decref(j);
	}
	/* Both sides were exercised. */
	ck_assert_int_gt(compact, 1000);
	ck_assert_int_gt(other, 1000);
}
END_TEST

static Suite *
jsonspan_suite(void)
{
	Suite	*s = suite_create("jsonspan");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_member);
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_compact_agrees_with_dump);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(jsonspan_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
