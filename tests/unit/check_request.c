/* Unit tests of the subscribe, ack and query requests and of alert filters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "levels.h"
#include "request.h"
#include "taxonomy.h"
#include "verdict.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define USEC 1000000LL

static struct taxonomy	*tax;

/* Load the shipped taxonomy for each test. */
static void
setup(void)
{
	const char	*path = getenv("KENTONGAN_TAXONOMY");
	char		*cause = NULL;

	if (path == NULL)
		path = "etc/taxonomy.json";
	tax = taxonomy_load(path, &cause);
	ck_assert_msg(tax != NULL, "taxonomy %s: %s", path,
	    cause != NULL ? cause : "?");
}

static void
teardown(void)
{
	taxonomy_free(tax);
	tax = NULL;
}

/* Parse a JSON object, NUL escapes allowed; the test fails if it is bad. */
static json_t *
parse(const char *text)
{
	json_error_t	 error;
	json_t		*j;

	j = json_loads(text, JSON_ALLOW_NUL, &error);
	ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, error.text);
	ck_assert_msg(json_is_object(j), "test JSON is not an object: %s",
	    text);
	return (j);
}

/* The verdict must be exactly error at field, with a one-line message. */
static void
check_verdict(const char *text, const struct verdict *v, enum proto_error want,
    const char *field)
{
	ck_assert_msg(v->error == want, "%s: got %s (%s at %s), wanted %s",
	    text, proto_error_name(v->error),
	    v->message != NULL ? v->message : "-",
	    v->field != NULL ? v->field : "-", proto_error_name(want));
	ck_assert_msg(v->field != NULL, "%s: %s without a field", text,
	    proto_error_name(want));
	ck_assert_msg(strcmp(v->field, field) == 0,
	    "%s: field \"%s\", wanted \"%s\"", text, v->field, field);
	ck_assert_ptr_nonnull(v->message);
	ck_assert_int_gt(strlen(v->message), 5);
	ck_assert_msg(strchr(v->message, '\n') == NULL,
	    "message has a newline: %s", v->message);
}

/* One request and the outcome it must have (PROTO_OK: accepted). */
struct request_case {
	const char		*json;
	enum proto_error	 error;
	const char		*field;
};

/* ---- subscribe ---- */

/* Decode a subscribe request that must be accepted; the caller clears it. */
static void
subscribe_ok(const char *text, struct subscribe_request *r)
{
	struct verdict	 v = { 0 };
	json_t		*j = parse(text);
	int		 rc;

	memset(r, 0xa5, sizeof *r);
	rc = request_subscribe(j, tax, r, &v);
	ck_assert_msg(rc == 0, "refused %s: %s %s: %s", text,
	    proto_error_name(v.error), v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
	json_decref(j);
}

/* Decode a subscribe request that must be refused with error at field. */
static void
subscribe_bad(const char *text, enum proto_error want, const char *field)
{
	struct subscribe_request	 r;
	struct verdict			 v = { 0 };
	json_t				*j = parse(text);
	int				 rc;

	memset(&r, 0xa5, sizeof r);
	rc = request_subscribe(j, tax, &r, &v);
	ck_assert_msg(rc == -1, "accepted %s, wanted %s at %s", text,
	    proto_error_name(want), field);
	check_verdict(text, &v, want, field);
	/* Nothing is left allocated in a refused request. */
	ck_assert_ptr_null(r.filter.codes);
	ck_assert_uint_eq(r.filter.ncodes, 0);
	verdict_clear(&v);
	json_decref(j);
}

START_TEST(test_subscribe_minimal)
{
	struct subscribe_request	r;

	subscribe_ok("{\"type\":\"subscribe\"}", &r);
	ck_assert_int_eq(r.has_since, 0);
	ck_assert_uint_eq(r.filter.ncodes, 0);
	ck_assert_ptr_null(r.filter.codes);
	ck_assert_int_eq(r.filter.has_min_severity, 0);
	filter_clear(&r.filter);

	subscribe_ok("{\"type\":\"subscribe\",\"ref\":\"s1\",\"filter\":{}}",
	    &r);
	ck_assert_int_eq(r.has_since, 0);
	ck_assert_uint_eq(r.filter.ncodes, 0);
	ck_assert_int_eq(r.filter.has_min_severity, 0);
	filter_clear(&r.filter);

	subscribe_ok("{\"type\":\"subscribe\",\"filter\":{\"codes\":[]}}", &r);
	ck_assert_uint_eq(r.filter.ncodes, 0);
	ck_assert_ptr_null(r.filter.codes);
	filter_clear(&r.filter);
}
END_TEST

START_TEST(test_subscribe_full)
{
	struct subscribe_request	r;

	subscribe_ok("{\"type\":\"subscribe\",\"ref\":\"s1\",\"filter\":"
	    "{\"codes\":[\"intrusions/\",\"availability/ddos\"],"
	    "\"min_severity\":\"medium\"},\"since\":17}", &r);
	ck_assert_int_eq(r.has_since, 1);
	ck_assert_int_eq(r.since, 17);
	ck_assert_uint_eq(r.filter.ncodes, 2);
	ck_assert_str_eq(r.filter.codes[0], "intrusions/");
	ck_assert_str_eq(r.filter.codes[1], "availability/ddos");
	ck_assert_int_eq(r.filter.has_min_severity, 1);
	ck_assert_int_eq(r.filter.min_severity, SEVERITY_MEDIUM);
	filter_clear(&r.filter);
	ck_assert_ptr_null(r.filter.codes);
	ck_assert_uint_eq(r.filter.ncodes, 0);
	ck_assert_int_eq(r.filter.has_min_severity, 0);
}
END_TEST

START_TEST(test_subscribe_since)
{
	static const struct request_case	cases[] = {
		{ "{\"type\":\"subscribe\",\"since\":0}", PROTO_OK, NULL },
		{ "{\"type\":\"subscribe\",\"since\":1}", PROTO_OK, NULL },
		{ "{\"type\":\"subscribe\",\"since\":9007199254740993}",
		  PROTO_OK, NULL },
		{ "{\"type\":\"subscribe\",\"since\":-1}", PROTO_INVALID_FIELD,
		  "since" },
		{ "{\"type\":\"subscribe\",\"since\":1.5}", PROTO_INVALID_FIELD,
		  "since" },
		{ "{\"type\":\"subscribe\",\"since\":2.0}", PROTO_INVALID_FIELD,
		  "since" },
		{ "{\"type\":\"subscribe\",\"since\":\"3\"}",
		  PROTO_INVALID_FIELD, "since" },
		{ "{\"type\":\"subscribe\",\"since\":null}",
		  PROTO_INVALID_FIELD, "since" },
		{ "{\"type\":\"subscribe\",\"since\":true}",
		  PROTO_INVALID_FIELD, "since" },
		{ "{\"type\":\"subscribe\",\"since\":[1]}", PROTO_INVALID_FIELD,
		  "since" },
	};
	struct subscribe_request	r;
	size_t				i;

	for (i = 0; i < NITEMS(cases); i++) {
		if (cases[i].error != PROTO_OK) {
			subscribe_bad(cases[i].json, cases[i].error,
			    cases[i].field);
			continue;
		}
		subscribe_ok(cases[i].json, &r);
		ck_assert_int_eq(r.has_since, 1);
		filter_clear(&r.filter);
	}
	subscribe_ok("{\"type\":\"subscribe\",\"since\":9007199254740993}", &r);
	ck_assert_int_eq(r.since, 9007199254740993LL);
	filter_clear(&r.filter);
}
END_TEST

START_TEST(test_subscribe_unknown_field)
{
	static const struct request_case	cases[] = {
		{ "{\"type\":\"subscribe\",\"from\":3}", PROTO_UNKNOWN_FIELD,
		  "from" },
		{ "{\"type\":\"subscribe\",\"filter\":{},\"Since\":3}",
		  PROTO_UNKNOWN_FIELD, "Since" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"code\":[]}}",
		  PROTO_UNKNOWN_FIELD, "filter.code" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"codes\":[],"
		  "\"sender\":\"SG\"}}", PROTO_UNKNOWN_FIELD, "filter.sender" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"min_severity\":"
		  "\"low\",\"max_severity\":\"high\"}}", PROTO_UNKNOWN_FIELD,
		  "filter.max_severity" },
		/* Unknown keys are found before a bad value elsewhere. */
		{ "{\"type\":\"subscribe\",\"since\":-1,\"extra\":1}",
		  PROTO_UNKNOWN_FIELD, "extra" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		subscribe_bad(cases[i].json, cases[i].error, cases[i].field);
}
END_TEST

START_TEST(test_subscribe_filter_shape)
{
	static const struct request_case	cases[] = {
		{ "{\"type\":\"subscribe\",\"filter\":null}",
		  PROTO_INVALID_FIELD, "filter" },
		{ "{\"type\":\"subscribe\",\"filter\":[]}",
		  PROTO_INVALID_FIELD, "filter" },
		{ "{\"type\":\"subscribe\",\"filter\":\"intrusions/\"}",
		  PROTO_INVALID_FIELD, "filter" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"codes\":null}}",
		  PROTO_INVALID_FIELD, "filter.codes" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"codes\":"
		  "\"intrusions/\"}}", PROTO_INVALID_FIELD, "filter.codes" },
		{ "{\"type\":\"subscribe\",\"filter\":{\"codes\":{}}}",
		  PROTO_INVALID_FIELD, "filter.codes" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		subscribe_bad(cases[i].json, cases[i].error, cases[i].field);
}
END_TEST

START_TEST(test_subscribe_filter_codes)
{
	static const struct request_case	cases[] = {
		{ "[\"test/test\"]", PROTO_OK, NULL },
		{ "[\"intrusions/\"]", PROTO_OK, NULL },
		{ "[\"intrusion-attempts/\",\"malicious-code/c2-server\"]",
		  PROTO_OK, NULL },
		{ "[\"intrusions\"]", PROTO_UNKNOWN_CODE, "filter.codes[0]" },
		{ "[\"intrusions/nothing\"]", PROTO_UNKNOWN_CODE,
		  "filter.codes[0]" },
		{ "[\"test/test\",\"nope/\"]", PROTO_UNKNOWN_CODE,
		  "filter.codes[1]" },
		{ "[\"test/test\",\"Intrusions/\"]", PROTO_UNKNOWN_CODE,
		  "filter.codes[1]" },
		{ "[\"intrusions/system-compromise/\"]", PROTO_UNKNOWN_CODE,
		  "filter.codes[0]" },
		{ "[\"/\"]", PROTO_UNKNOWN_CODE, "filter.codes[0]" },
		{ "[\"test/test\",\"test/test\",\"\"]", PROTO_INVALID_FIELD,
		  "filter.codes[2]" },
		{ "[7]", PROTO_INVALID_FIELD, "filter.codes[0]" },
		{ "[\"test/test\",null]", PROTO_INVALID_FIELD,
		  "filter.codes[1]" },
		{ "[[\"test/test\"]]", PROTO_INVALID_FIELD, "filter.codes[0]" },
		{ "[\"test/\\u0000test\"]", PROTO_INVALID_FIELD,
		  "filter.codes[0]" },
		{ "[\"intrusions/\\u0000\"]", PROTO_INVALID_FIELD,
		  "filter.codes[0]" },
		/* A bad code after good ones: the good ones are freed too. */
		{ "[\"intrusions/\",\"availability/ddos\",\"fraud/phish\"]",
		  PROTO_UNKNOWN_CODE, "filter.codes[2]" },
	};
	struct subscribe_request	 r;
	char				*text;
	size_t				 i;

	for (i = 0; i < NITEMS(cases); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\","
		    "\"filter\":{\"codes\":%s}}", cases[i].json), -1);
		if (cases[i].error != PROTO_OK)
			subscribe_bad(text, cases[i].error, cases[i].field);
		else {
			subscribe_ok(text, &r);
			ck_assert_uint_gt(r.filter.ncodes, 0);
			filter_clear(&r.filter);
		}
		free(text);
	}
}
END_TEST

START_TEST(test_subscribe_filter_code_length)
{
	struct subscribe_request	 r;
	char				 code[200], *text;

	/* 128 bytes is a well-formed pattern that names nothing. */
	memset(code, 'a', 127);
	code[127] = '/';
	code[128] = '\0';
	ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\",\"filter\":"
	    "{\"codes\":[\"test/test\",\"%s\"]}}", code), -1);
	subscribe_bad(text, PROTO_UNKNOWN_CODE, "filter.codes[1]");
	free(text);
	/* 129 is too long to be a code at all. */
	memset(code, 'a', 128);
	code[128] = '/';
	code[129] = '\0';
	ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\",\"filter\":"
	    "{\"codes\":[\"test/test\",\"%s\"]}}", code), -1);
	subscribe_bad(text, PROTO_INVALID_FIELD, "filter.codes[1]");
	free(text);

	subscribe_ok("{\"type\":\"subscribe\",\"filter\":{\"codes\":"
	    "[\"information-content-security/"
	    "unauthorised-information-modification\"]}}", &r);
	ck_assert_uint_eq(r.filter.ncodes, 1);
	ck_assert_str_eq(r.filter.codes[0], "information-content-security/"
	    "unauthorised-information-modification");
	filter_clear(&r.filter);
}
END_TEST

START_TEST(test_subscribe_filter_code_count)
{
	struct subscribe_request	 r;
	json_t				*msg, *codes;
	char				*text;
	size_t				 i;

	msg = parse("{\"type\":\"subscribe\",\"filter\":{\"codes\":[]}}");
	codes = json_object_get(json_object_get(msg, "filter"), "codes");
	for (i = 0; i < REQUEST_FILTER_CODES_MAX; i++)
		ck_assert_int_eq(json_array_append_new(codes,
		    json_string(i % 2 ? "intrusions/" : "test/test")), 0);
	text = json_dumps(msg, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	subscribe_ok(text, &r);
	ck_assert_uint_eq(r.filter.ncodes, REQUEST_FILTER_CODES_MAX);
	ck_assert_str_eq(r.filter.codes[0], "test/test");
	ck_assert_str_eq(r.filter.codes[REQUEST_FILTER_CODES_MAX - 1],
	    "intrusions/");
	filter_clear(&r.filter);
	free(text);

	ck_assert_int_eq(json_array_append_new(codes,
	    json_string("test/test")), 0);
	text = json_dumps(msg, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	subscribe_bad(text, PROTO_INVALID_FIELD, "filter.codes");
	free(text);
	json_decref(msg);
}
END_TEST

START_TEST(test_subscribe_min_severity)
{
	static const char *const	 names[] = {
		"info", "low", "medium", "high", "critical"
	};
	static const struct request_case	bad[] = {
		{ "\"urgent\"", PROTO_INVALID_FIELD, "filter.min_severity" },
		{ "\"High\"", PROTO_INVALID_FIELD, "filter.min_severity" },
		{ "\"\"", PROTO_INVALID_FIELD, "filter.min_severity" },
		{ "3", PROTO_INVALID_FIELD, "filter.min_severity" },
		{ "null", PROTO_INVALID_FIELD, "filter.min_severity" },
		{ "[\"high\"]", PROTO_INVALID_FIELD, "filter.min_severity" },
	};
	struct subscribe_request	 r;
	char				*text;
	size_t				 i;

	for (i = 0; i < NITEMS(names); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\","
		    "\"filter\":{\"min_severity\":\"%s\"}}", names[i]), -1);
		subscribe_ok(text, &r);
		ck_assert_int_eq(r.filter.has_min_severity, 1);
		ck_assert_int_eq((int)r.filter.min_severity, (int)i);
		ck_assert_uint_eq(r.filter.ncodes, 0);
		filter_clear(&r.filter);
		free(text);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\","
		    "\"filter\":{\"codes\":[\"test/test\"],"
		    "\"min_severity\":%s}}", bad[i].json), -1);
		subscribe_bad(text, bad[i].error, bad[i].field);
		free(text);
	}
}
END_TEST

/* ---- ack ---- */

/* Decode an ack; check the outcome; return the seq of a good one. */
static int64_t
ack_case(const char *text, enum proto_error want, const char *field)
{
	struct verdict	 v = { 0 };
	json_t		*j = parse(text);
	int64_t		 seq = -12345;
	const char	*sig = NULL;
	int		 rc;

	rc = request_ack(j, &seq, &sig, &v);
	if (want == PROTO_OK) {
		ck_assert_msg(rc == 0, "refused %s: %s %s: %s", text,
		    proto_error_name(v.error), v.field != NULL ? v.field : "-",
		    v.message != NULL ? v.message : "-");
		ck_assert_int_eq(v.error, PROTO_OK);
		ck_assert_ptr_null(v.field);
		ck_assert_ptr_null(v.message);
	} else {
		ck_assert_msg(rc == -1, "accepted %s, wanted %s at %s", text,
		    proto_error_name(want), field);
		check_verdict(text, &v, want, field);
	}
	verdict_clear(&v);
	json_decref(j);
	return (seq);
}

START_TEST(test_ack_good)
{
	ck_assert_int_eq(ack_case("{\"type\":\"ack\",\"seq\":5}", PROTO_OK,
	    NULL), 5);
	ck_assert_int_eq(ack_case("{\"type\":\"ack\",\"seq\":0}", PROTO_OK,
	    NULL), 0);
	ck_assert_int_eq(ack_case("{\"ref\":\"a1\",\"seq\":42,\"type\":"
	    "\"ack\"}", PROTO_OK, NULL), 42);
	ck_assert_int_eq(ack_case("{\"type\":\"ack\",\"seq\":"
	    "9223372036854775807}", PROTO_OK, NULL), INT64_MAX);
}
END_TEST

START_TEST(test_ack_bad)
{
	static const struct request_case	cases[] = {
		{ "{\"type\":\"ack\"}", PROTO_MISSING_FIELD, "seq" },
		{ "{\"type\":\"ack\",\"ref\":\"a\"}", PROTO_MISSING_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":-1}", PROTO_INVALID_FIELD, "seq" },
		{ "{\"type\":\"ack\",\"seq\":\"5\"}", PROTO_INVALID_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":5.0}", PROTO_INVALID_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":null}", PROTO_INVALID_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":false}", PROTO_INVALID_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":[5]}", PROTO_INVALID_FIELD,
		  "seq" },
		{ "{\"type\":\"ack\",\"seq\":5,\"all\":true}",
		  PROTO_UNKNOWN_FIELD, "all" },
		{ "{\"type\":\"ack\",\"seqs\":[5]}", PROTO_UNKNOWN_FIELD,
		  "seqs" },
		/* Unknown keys come first. */
		{ "{\"type\":\"ack\",\"seq\":-5,\"x\":1}", PROTO_UNKNOWN_FIELD,
		  "x" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		ack_case(cases[i].json, cases[i].error, cases[i].field);
}
END_TEST

/* Decode an ack that must be accepted; its sig must be want (NULL: none). */
static void
ack_sig_ok(const char *text, const char *want)
{
	struct verdict	 v = { 0 };
	json_t		*j = parse(text);
	int64_t		 seq = -1;
	const char	*sig = "(not set)";

	ck_assert_msg(request_ack(j, &seq, &sig, &v) == 0, "refused %.80s: "
	    "%s at %s", text, proto_error_name(v.error),
	    v.field != NULL ? v.field : "-");
	ck_assert_int_eq(seq, 7);
	if (want == NULL)
		ck_assert_ptr_null(sig);
	else {
		ck_assert_ptr_nonnull(sig);
		ck_assert_str_eq(sig, want);
	}
	verdict_clear(&v);
	json_decref(j);
}

/* Decode an ack that must be refused with want at field; no sig given. */
static void
ack_sig_bad(const char *text, enum proto_error want, const char *field)
{
	struct verdict	 v = { 0 };
	json_t		*j = parse(text);
	int64_t		 seq;
	const char	*sig = "(not set)";

	ck_assert_msg(request_ack(j, &seq, &sig, &v) == -1, "accepted %.80s",
	    text);
	check_verdict(text, &v, want, field);
	ck_assert_ptr_null(sig);
	verdict_clear(&v);
	json_decref(j);
}

/* An ack with seq 7 and "sig" of n characters c. */
static char *
ack_with_sig_of(size_t n, char c)
{
	static const char	 head[] = "{\"type\":\"ack\",\"seq\":7,\"sig\":\"";
	char			*text;

	text = malloc(sizeof head + n + 2);
	ck_assert_ptr_nonnull(text);
	memcpy(text, head, sizeof head - 1);
	memset(text + sizeof head - 1, c, n);
	memcpy(text + sizeof head - 1 + n, "\"}", 3);
	return (text);
}

START_TEST(test_ack_sig)
{
	static const char	*not_strings[] = { "5", "null", "true", "false",
	    "[]", "[\"MEUC\"]", "{}", "{\"b64\":\"MEUC\"}", "0.5" };
	static const char	*not_base64[] = { " MEUCIQ==", "MEUCIQ== ",
	    "\\tMEUCIQ==", "MEUCIQ==\\n", "MEUC IQ==", "MEUCIQ=", "MEUCI===",
	    "ME=CIQ==", "MEUC-_==", "MEUCIQ==----", "=MEUCIQ=", "MEU\\u00e9" };
	char			 text[128], *big, *want;
	size_t			 i;

	/* Absent: an unsigned ack. */
	ack_sig_ok("{\"type\":\"ack\",\"seq\":7}", NULL);
	ack_sig_ok("{\"type\":\"ack\",\"ref\":\"r\",\"seq\":7}", NULL);
	/* Present: given as it is, checked later against the chain. */
	ack_sig_ok("{\"type\":\"ack\",\"seq\":7,\"sig\":\"MEUCIQ==\"}",
	    "MEUCIQ==");
	ack_sig_ok("{\"sig\":\"c2ln\",\"ref\":\"a\",\"seq\":7,\"type\":"
	    "\"ack\"}", "c2ln");
	/* Empty, or not a string. */
	ack_sig_bad("{\"type\":\"ack\",\"seq\":7,\"sig\":\"\"}",
	    PROTO_INVALID_FIELD, "sig");
	for (i = 0; i < NITEMS(not_strings); i++) {
		snprintf(text, sizeof text, "{\"type\":\"ack\",\"seq\":7,"
		    "\"sig\":%s}", not_strings[i]);
		ack_sig_bad(text, PROTO_INVALID_FIELD, "sig");
	}
	/* Strict base64 only: one spelling of a signature in the ledger. */
	for (i = 0; i < NITEMS(not_base64); i++) {
		snprintf(text, sizeof text, "{\"type\":\"ack\",\"seq\":7,"
		    "\"sig\":\"%s\"}", not_base64[i]);
		ack_sig_bad(text, PROTO_INVALID_FIELD, "sig");
	}
	/* Up to 1020 characters (the last multiple of 4 below 1024). */
	big = ack_with_sig_of(REQUEST_SIG_MAX - 4, 'A');
	want = malloc(REQUEST_SIG_MAX);
	ck_assert_ptr_nonnull(want);
	memset(want, 'A', REQUEST_SIG_MAX - 4);
	want[REQUEST_SIG_MAX - 4] = '\0';
	ack_sig_ok(big, want);
	free(want);
	free(big);
	big = ack_with_sig_of(REQUEST_SIG_MAX - 1, 'A');
	ack_sig_bad(big, PROTO_INVALID_FIELD, "sig");
	free(big);
	big = ack_with_sig_of(REQUEST_SIG_MAX, 'A');
	ack_sig_bad(big, PROTO_INVALID_FIELD, "sig");
	free(big);
	big = ack_with_sig_of(REQUEST_SIG_MAX + 1, 'A');
	ack_sig_bad(big, PROTO_INVALID_FIELD, "sig");
	free(big);
	big = ack_with_sig_of(100000, 'A');
	ack_sig_bad(big, PROTO_INVALID_FIELD, "sig");
	free(big);
	ck_assert_int_eq(REQUEST_SIG_MAX, 1024);
	/* The seq is checked first; unknown keys before both. */
	ack_sig_bad("{\"type\":\"ack\",\"sig\":\"c2ln\"}", PROTO_MISSING_FIELD,
	    "seq");
	ack_sig_bad("{\"type\":\"ack\",\"seq\":-1,\"sig\":\"\"}",
	    PROTO_INVALID_FIELD, "seq");
	ack_sig_bad("{\"type\":\"ack\",\"seq\":7,\"sig\":\"\",\"sigs\":[]}",
	    PROTO_UNKNOWN_FIELD, "sigs");
}
END_TEST

/* ---- query ---- */

/* Decode a query that must be accepted; the caller clears it. */
static void
query_ok(const char *text, struct query_request *q)
{
	struct verdict	 v = { 0 };
	json_t		*j = parse(text);
	int		 rc;

	memset(q, 0xa5, sizeof *q);
	rc = request_query(j, tax, q, &v);
	ck_assert_msg(rc == 0, "refused %s: %s %s: %s", text,
	    proto_error_name(v.error), v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
	json_decref(j);
}

/* Decode a query that must be refused with error at field. */
static void
query_bad(const char *text, enum proto_error want, const char *field)
{
	struct query_request	 q;
	struct verdict		 v = { 0 };
	json_t			*j = parse(text);
	int			 rc;

	memset(&q, 0xa5, sizeof q);
	rc = request_query(j, tax, &q, &v);
	ck_assert_msg(rc == -1, "accepted %s, wanted %s at %s", text,
	    proto_error_name(want), field);
	check_verdict(text, &v, want, field);
	ck_assert_ptr_null(q.code);
	verdict_clear(&v);
	json_decref(j);
}

START_TEST(test_query_defaults)
{
	struct query_request	q;

	query_ok("{\"type\":\"query\"}", &q);
	ck_assert_ptr_null(q.code);
	ck_assert_str_eq(q.sender, "");
	ck_assert_int_eq(q.has_min_severity, 0);
	ck_assert_int_eq(q.has_since, 0);
	ck_assert_int_eq(q.has_until, 0);
	ck_assert_int_eq(q.after, 0);
	ck_assert_uint_eq(q.limit, REQUEST_QUERY_LIMIT_DEFAULT);
	ck_assert_uint_eq(q.limit, 100);
	request_query_clear(&q);
	ck_assert_ptr_null(q.code);

	query_ok("{\"type\":\"query\",\"ref\":\"q1\",\"filter\":{}}", &q);
	ck_assert_ptr_null(q.code);
	ck_assert_str_eq(q.sender, "");
	ck_assert_uint_eq(q.limit, 100);
	request_query_clear(&q);
}
END_TEST

START_TEST(test_query_full)
{
	struct query_request	q;

	query_ok("{\"type\":\"query\",\"ref\":\"q1\",\"filter\":"
	    "{\"code\":\"intrusions/\",\"sender\":\"SG\","
	    "\"min_severity\":\"low\",\"since\":\"2026-11-01T00:00:00Z\","
	    "\"until\":\"2026-11-21T00:00:00Z\"},\"after\":7,\"limit\":50}",
	    &q);
	ck_assert_ptr_nonnull(q.code);
	ck_assert_str_eq(q.code, "intrusions/");
	ck_assert_str_eq(q.sender, "SG");
	ck_assert_int_eq(q.has_min_severity, 1);
	ck_assert_int_eq(q.min_severity, SEVERITY_LOW);
	ck_assert_int_eq(q.has_since, 1);
	ck_assert_int_eq(q.since, 1793491200LL * USEC);
	ck_assert_int_eq(q.has_until, 1);
	ck_assert_int_eq(q.until, 1795219200LL * USEC);
	ck_assert_int_eq(q.after, 7);
	ck_assert_uint_eq(q.limit, 50);
	request_query_clear(&q);
	ck_assert_ptr_null(q.code);
}
END_TEST

START_TEST(test_query_limit)
{
	static const struct {
		const char	*json;
		unsigned	 limit;
	} good[] = {
		{ "1", 1 }, { "2", 2 }, { "100", 100 }, { "999", 999 },
		{ "1000", 1000 },
	};
	static const char *const	bad[] = {
		"0", "1001", "-1", "100000", "9223372036854775807", "1.0",
		"\"10\"", "null", "true", "[10]",
	};
	struct query_request	 q;
	char			*text;
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"limit\":%s}", good[i].json), -1);
		query_ok(text, &q);
		ck_assert_uint_eq(q.limit, good[i].limit);
		request_query_clear(&q);
		free(text);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"limit\":%s}", bad[i]), -1);
		query_bad(text, PROTO_INVALID_FIELD, "limit");
		free(text);
	}
}
END_TEST

START_TEST(test_query_after)
{
	static const char *const	bad[] = {
		"-1", "1.5", "\"3\"", "null", "false", "{}",
	};
	struct query_request	 q;
	char			*text;
	size_t			 i;

	query_ok("{\"type\":\"query\",\"after\":0}", &q);
	ck_assert_int_eq(q.after, 0);
	request_query_clear(&q);
	query_ok("{\"type\":\"query\",\"after\":123456789012}", &q);
	ck_assert_int_eq(q.after, 123456789012LL);
	ck_assert_uint_eq(q.limit, 100);
	request_query_clear(&q);
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"after\":%s}", bad[i]), -1);
		query_bad(text, PROTO_INVALID_FIELD, "after");
		free(text);
	}
}
END_TEST

START_TEST(test_query_code)
{
	static const struct request_case	bad[] = {
		{ "\"intrusions\"", PROTO_UNKNOWN_CODE, "filter.code" },
		{ "\"intrusions/nothing\"", PROTO_UNKNOWN_CODE, "filter.code" },
		{ "\"nope/\"", PROTO_UNKNOWN_CODE, "filter.code" },
		{ "\"/\"", PROTO_UNKNOWN_CODE, "filter.code" },
		{ "\"TEST/TEST\"", PROTO_UNKNOWN_CODE, "filter.code" },
		{ "\"\"", PROTO_INVALID_FIELD, "filter.code" },
		{ "5", PROTO_INVALID_FIELD, "filter.code" },
		{ "null", PROTO_INVALID_FIELD, "filter.code" },
		{ "[\"test/test\"]", PROTO_INVALID_FIELD, "filter.code" },
		{ "\"test/te\\u0000st\"", PROTO_INVALID_FIELD, "filter.code" },
	};
	static const char *const	good[] = {
		"test/test", "intrusions/", "availability/ddos",
		"intrusion-attempts/",
	};
	struct query_request	 q;
	char			*text;
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"code\":\"%s\"}}", good[i]), -1);
		query_ok(text, &q);
		ck_assert_ptr_nonnull(q.code);
		ck_assert_str_eq(q.code, good[i]);
		request_query_clear(&q);
		free(text);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"code\":%s}}", bad[i].json), -1);
		query_bad(text, bad[i].error, bad[i].field);
		free(text);
	}
}
END_TEST

START_TEST(test_query_sender)
{
	static const char *const	good[] = {
		"SG", "APCERT", "a", "x_y-Z9",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",	/* 32 */
		"NOT-A-MEMBER",	/* well-formed: the answer is just empty */
	};
	static const char *const	bad[] = {
		"\"\"", "\"S G\"", "\"SG!\"", "\"S/G\"", "\"S\\u00e9\"",
		"\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"",	/* 33 */
		"7", "null", "[\"SG\"]", "{}",
	};
	struct query_request	 q;
	char			*text;
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"sender\":\"%s\"}}", good[i]), -1);
		query_ok(text, &q);
		ck_assert_str_eq(q.sender, good[i]);
		ck_assert_ptr_null(q.code);
		request_query_clear(&q);
		free(text);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"sender\":%s}}", bad[i]), -1);
		query_bad(text, PROTO_INVALID_FIELD, "filter.sender");
		free(text);
	}
}
END_TEST

START_TEST(test_query_min_severity)
{
	static const char *const	 names[] = {
		"info", "low", "medium", "high", "critical"
	};
	static const char *const	 bad[] = {
		"\"urgent\"", "\"LOW\"", "\"\"", "2", "null", "[\"low\"]",
	};
	struct query_request	 q;
	char			*text;
	size_t			 i;

	for (i = 0; i < NITEMS(names); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"min_severity\":\"%s\"}}", names[i]), -1);
		query_ok(text, &q);
		ck_assert_int_eq(q.has_min_severity, 1);
		ck_assert_int_eq((int)q.min_severity, (int)i);
		request_query_clear(&q);
		free(text);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
		    "\"filter\":{\"min_severity\":%s}}", bad[i]), -1);
		query_bad(text, PROTO_INVALID_FIELD, "filter.min_severity");
		free(text);
	}
}
END_TEST

START_TEST(test_query_times)
{
	static const struct {
		const char	*text;
		int64_t		 usec;
	} good[] = {
		{ "2026-11-20T07:15:00Z", 1795158900LL * USEC },
		{ "2026-11-20T14:15:00+07:00", 1795158900LL * USEC },
		{ "2026-11-20T07:15:00.250Z", 1795158900LL * USEC + 250000 },
		{ "2026-11-20t07:15:00z", 1795158900LL * USEC },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	static const char *const	bad[] = {
		"\"2026-11-20\"", "\"2026-11-20T07:15:00\"",
		"\"2026-11-20 07:15:00Z\"", "\"2026-02-30T00:00:00Z\"",
		"\"2026-11-20T25:00:00Z\"", "\"yesterday\"", "\"\"",
		"1795158900", "null", "[\"2026-11-20T07:15:00Z\"]",
	};
	static const char *const	keys[] = { "since", "until" };
	struct query_request	 q;
	char			*text, field[32];
	size_t			 i, k;

	for (k = 0; k < NITEMS(keys); k++) {
		for (i = 0; i < NITEMS(good); i++) {
			ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
			    "\"filter\":{\"%s\":\"%s\"}}", keys[k],
			    good[i].text), -1);
			query_ok(text, &q);
			if (k == 0) {
				ck_assert_int_eq(q.has_since, 1);
				ck_assert_int_eq(q.has_until, 0);
				ck_assert_int_eq(q.since, good[i].usec);
			} else {
				ck_assert_int_eq(q.has_until, 1);
				ck_assert_int_eq(q.has_since, 0);
				ck_assert_int_eq(q.until, good[i].usec);
			}
			request_query_clear(&q);
			free(text);
		}
		snprintf(field, sizeof field, "filter.%s", keys[k]);
		for (i = 0; i < NITEMS(bad); i++) {
			ck_assert_int_ne(asprintf(&text, "{\"type\":\"query\","
			    "\"filter\":{\"%s\":%s}}", keys[k], bad[i]), -1);
			query_bad(text, PROTO_INVALID_FIELD, field);
			free(text);
		}
	}
}
END_TEST

START_TEST(test_query_unknown_field)
{
	static const struct request_case	cases[] = {
		{ "{\"type\":\"query\",\"codes\":[]}", PROTO_UNKNOWN_FIELD,
		  "codes" },
		{ "{\"type\":\"query\",\"before\":10}", PROTO_UNKNOWN_FIELD,
		  "before" },
		{ "{\"type\":\"query\",\"filter\":{\"codes\":[\"test/test\"]}}",
		  PROTO_UNKNOWN_FIELD, "filter.codes" },
		{ "{\"type\":\"query\",\"filter\":{\"tlp\":\"red\"}}",
		  PROTO_UNKNOWN_FIELD, "filter.tlp" },
		{ "{\"type\":\"query\",\"filter\":{\"sender\":\"SG\","
		  "\"recipient\":\"MY\"}}", PROTO_UNKNOWN_FIELD,
		  "filter.recipient" },
		{ "{\"type\":\"query\",\"filter\":[]}", PROTO_INVALID_FIELD,
		  "filter" },
		{ "{\"type\":\"query\",\"filter\":null}", PROTO_INVALID_FIELD,
		  "filter" },
		{ "{\"type\":\"query\",\"filter\":\"test/test\"}",
		  PROTO_INVALID_FIELD, "filter" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		query_bad(cases[i].json, cases[i].error, cases[i].field);
}
END_TEST

START_TEST(test_query_order)
{
	/* Unknown keys, then after, then limit, then the filter. */
	query_bad("{\"type\":\"query\",\"after\":-1,\"limit\":0,\"zzz\":1}",
	    PROTO_UNKNOWN_FIELD, "zzz");
	query_bad("{\"type\":\"query\",\"after\":-1,\"limit\":0}",
	    PROTO_INVALID_FIELD, "after");
	query_bad("{\"type\":\"query\",\"limit\":0,\"filter\":"
	    "{\"code\":\"nope/\"}}", PROTO_INVALID_FIELD, "limit");
	query_bad("{\"type\":\"query\",\"filter\":{\"code\":\"nope/\","
	    "\"extra\":1}}", PROTO_UNKNOWN_FIELD, "filter.extra");
	/* A good code is not leaked when a later filter field is bad. */
	query_bad("{\"type\":\"query\",\"filter\":{\"code\":\"intrusions/\","
	    "\"sender\":\"no good\"}}", PROTO_INVALID_FIELD, "filter.sender");
	query_bad("{\"type\":\"query\",\"filter\":{\"code\":\"test/test\","
	    "\"until\":\"never\"}}", PROTO_INVALID_FIELD, "filter.until");
	query_bad("{\"type\":\"query\",\"filter\":{\"code\":\"test/test\","
	    "\"min_severity\":\"none\"}}", PROTO_INVALID_FIELD,
	    "filter.min_severity");
}
END_TEST

/* ---- filters ---- */

START_TEST(test_filter_code_match)
{
	static const struct {
		const char	*pattern;
		const char	*code;
		int		 match;
	} cases[] = {
		{ "intrusions/system-compromise",
		  "intrusions/system-compromise", 1 },
		{ "intrusions/", "intrusions/system-compromise", 1 },
		{ "intrusions/", "intrusions/burglary", 1 },
		{ "intrusions/", "intrusion-attempts/exploit", 0 },
		{ "intrusion-attempts/", "intrusions/burglary", 0 },
		{ "intrusion-attempts/", "intrusion-attempts/exploit", 1 },
		{ "intrusions/", "intrusions", 0 },
		{ "intrusion/", "intrusions/burglary", 0 },
		{ "intrusions/system", "intrusions/system-compromise", 0 },
		{ "intrusions/system-compromise", "intrusions/system", 0 },
		{ "intrusions/system-compromise", "intrusions/", 0 },
		{ "availability/ddos", "availability/dos", 0 },
		{ "availability/dos", "availability/ddos", 0 },
		{ "availability/ddos", "availability/ddos-x", 0 },
		{ "test/test", "test/test", 1 },
		{ "test/", "test/test", 1 },
		{ "test/", "testing/test", 0 },
		{ "test/test", "TEST/TEST", 0 },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		ck_assert_msg(filter_code_match(cases[i].pattern,
		    cases[i].code) == cases[i].match, "\"%s\" ~ \"%s\": "
		    "wanted %d", cases[i].pattern, cases[i].code,
		    cases[i].match);
}
END_TEST

/* A filter built from a subscribe request's filter object text. */
static void
filter_from(const char *filter_json, struct filter *f)
{
	struct subscribe_request	 r;
	char				*text;

	ck_assert_int_ne(asprintf(&text, "{\"type\":\"subscribe\","
	    "\"filter\":%s}", filter_json), -1);
	subscribe_ok(text, &r);
	free(text);
	*f = r.filter;
}

START_TEST(test_filter_match_empty)
{
	struct filter	f;
	enum severity	s;

	memset(&f, 0, sizeof f);
	for (s = SEVERITY_INFO; s <= SEVERITY_CRITICAL; s++) {
		ck_assert_int_eq(filter_match(&f, "test/test", s), 1);
		ck_assert_int_eq(filter_match(&f, "intrusions/burglary", s), 1);
	}
	filter_from("{}", &f);
	for (s = SEVERITY_INFO; s <= SEVERITY_CRITICAL; s++)
		ck_assert_int_eq(filter_match(&f, "availability/ddos", s), 1);
	filter_clear(&f);
	filter_from("{\"codes\":[]}", &f);
	ck_assert_int_eq(filter_match(&f, "availability/ddos", SEVERITY_INFO),
	    1);
	filter_clear(&f);
}
END_TEST

START_TEST(test_filter_match_severity)
{
	struct filter	f;
	enum severity	min, s;

	for (min = SEVERITY_INFO; min <= SEVERITY_CRITICAL; min++) {
		memset(&f, 0, sizeof f);
		f.has_min_severity = 1;
		f.min_severity = min;
		for (s = SEVERITY_INFO; s <= SEVERITY_CRITICAL; s++)
			ck_assert_msg(filter_match(&f, "test/test", s) ==
			    (s >= min), "min %s, severity %s",
			    severity_name(min), severity_name(s));
	}
}
END_TEST

START_TEST(test_filter_match_codes)
{
	struct filter	f;

	filter_from("{\"codes\":[\"intrusions/\",\"availability/ddos\"]}", &f);
	ck_assert_int_eq(filter_match(&f, "intrusions/system-compromise",
	    SEVERITY_INFO), 1);
	ck_assert_int_eq(filter_match(&f, "intrusions/burglary",
	    SEVERITY_CRITICAL), 1);
	ck_assert_int_eq(filter_match(&f, "availability/ddos", SEVERITY_LOW),
	    1);
	ck_assert_int_eq(filter_match(&f, "availability/dos", SEVERITY_HIGH),
	    0);
	ck_assert_int_eq(filter_match(&f, "intrusion-attempts/exploit",
	    SEVERITY_HIGH), 0);
	ck_assert_int_eq(filter_match(&f, "test/test", SEVERITY_CRITICAL), 0);
	filter_clear(&f);
	ck_assert_ptr_null(f.codes);
	ck_assert_uint_eq(f.ncodes, 0);
}
END_TEST

START_TEST(test_filter_match_both)
{
	struct filter	f;

	/* Codes and severity must both pass: the filter only narrows. */
	filter_from("{\"codes\":[\"malicious-code/\"],"
	    "\"min_severity\":\"high\"}", &f);
	ck_assert_int_eq(filter_match(&f, "malicious-code/c2-server",
	    SEVERITY_HIGH), 1);
	ck_assert_int_eq(filter_match(&f, "malicious-code/c2-server",
	    SEVERITY_CRITICAL), 1);
	ck_assert_int_eq(filter_match(&f, "malicious-code/c2-server",
	    SEVERITY_MEDIUM), 0);
	ck_assert_int_eq(filter_match(&f, "availability/ddos",
	    SEVERITY_CRITICAL), 0);
	ck_assert_int_eq(filter_match(&f, "availability/ddos", SEVERITY_INFO),
	    0);
	filter_clear(&f);
}
END_TEST

#define ADD_TEST(s, name) do {						\
	TCase	*tc_ = tcase_create(#name);				\
									\
	tcase_add_checked_fixture(tc_, setup, teardown);		\
	tcase_add_test(tc_, test_##name);				\
	suite_add_tcase((s), tc_);					\
} while (0)

static Suite *
request_suite(void)
{
	Suite	*s = suite_create("request");

	ADD_TEST(s, subscribe_minimal);
	ADD_TEST(s, subscribe_full);
	ADD_TEST(s, subscribe_since);
	ADD_TEST(s, subscribe_unknown_field);
	ADD_TEST(s, subscribe_filter_shape);
	ADD_TEST(s, subscribe_filter_codes);
	ADD_TEST(s, subscribe_filter_code_length);
	ADD_TEST(s, subscribe_filter_code_count);
	ADD_TEST(s, subscribe_min_severity);
	ADD_TEST(s, ack_good);
	ADD_TEST(s, ack_bad);
	ADD_TEST(s, ack_sig);
	ADD_TEST(s, query_defaults);
	ADD_TEST(s, query_full);
	ADD_TEST(s, query_limit);
	ADD_TEST(s, query_after);
	ADD_TEST(s, query_code);
	ADD_TEST(s, query_sender);
	ADD_TEST(s, query_min_severity);
	ADD_TEST(s, query_times);
	ADD_TEST(s, query_unknown_field);
	ADD_TEST(s, query_order);
	ADD_TEST(s, filter_code_match);
	ADD_TEST(s, filter_match_empty);
	ADD_TEST(s, filter_match_severity);
	ADD_TEST(s, filter_match_codes);
	ADD_TEST(s, filter_match_both);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(request_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
