/* Unit tests of the operator API's URL parameters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "levels.h"
#include "opparams.h"
#include "request.h"
#include "taxonomy.h"
#include "verdict.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-01T00:00:00Z and 2026-11-21T00:00:00Z, in microseconds. */
#define NOV01	INT64_C(1793491200000000)
#define NOV21	INT64_C(1795219200000000)

#define NAME	"\"name\": {\"en\": \"N\", \"id\": \"N\"}"
#define DESC	"\"description\": {\"en\": \"D.\", \"id\": \"D.\"}"
#define CLASS(c) "{\"class\": \"" c "\", " NAME ", " DESC ", \"types\": ["
#define TYPE(t)	"{\"type\": \"" t "\", " NAME ", " DESC "}"

/* Two classes whose names start alike, and the test class. */
static const char taxonomy_text[] =
	"{\"taxonomy\": \"rsit\", \"version\": 1, \"classes\": ["
	CLASS("intrusions") TYPE("system-compromise") ","
	    TYPE("burglary") "]},"
	CLASS("intrusion-attempts") TYPE("brute-force") "]},"
	CLASS("test") TYPE("test") "]}],"
	"\"sectors\": [{\"sector\": \"energy\", " NAME "}]}";

static struct taxonomy	*tax;

static void
setup(void)
{
	char	*cause = NULL;

	tax = taxonomy_parse(taxonomy_text, strlen(taxonomy_text), "t.json",
	    &cause);
	ck_assert_msg(tax != NULL, "test taxonomy: %s",
	    cause != NULL ? cause : "?");
}

static void
teardown(void)
{
	taxonomy_free(tax);
	tax = NULL;
}

/* opparams_reports must accept query; the caller clears q. */
static void
reports_ok(const char *query, struct query_request *q)
{
	struct verdict	v = { 0 };
	char		why[256];

	if (opparams_reports(query, tax, q, &v) != 0) {
		snprintf(why, sizeof why, "%s at %s: %s",
		    proto_error_name(v.error), v.field ? v.field : "-",
		    v.message ? v.message : "-");
		verdict_clear(&v);
		ck_abort_msg("\"%s\" refused: %s", query ? query : "(null)",
		    why);
	}
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
}

/* The verdict must be exactly want at field (NULL: none), with a message. */
static void
check_verdict(const char *query, const struct verdict *v,
    enum proto_error want, const char *field)
{
	ck_assert_msg(v->error == want, "\"%s\": got %s, wanted %s", query,
	    proto_error_name(v->error), proto_error_name(want));
	if (field == NULL)
		ck_assert_msg(v->field == NULL, "\"%s\": field %s, wanted none",
		    query, v->field);
	else {
		ck_assert_msg(v->field != NULL, "\"%s\": no field, wanted %s",
		    query, field);
		ck_assert_str_eq(v->field, field);
	}
	ck_assert_msg(v->message != NULL && v->message[0] != '\0',
	    "\"%s\": no message", query);
	ck_assert_msg(strchr(v->message, '\n') == NULL, "\"%s\": message on "
	    "more than one line", query);
}

/*
 * opparams_reports must refuse query with want at field; the message names
 * the parameter; nothing stays allocated in q.
 */
static void
reports_bad(const char *query, enum proto_error want, const char *field)
{
	struct query_request	q;
	struct verdict		v = { 0 };

	memset(&q, 0xa5, sizeof q);
	q.code = NULL;
	if (opparams_reports(query, tax, &q, &v) != -1) {
		request_query_clear(&q);
		ck_abort_msg("\"%s\" accepted", query);
	}
	check_verdict(query, &v, want, field);
	if (field != NULL)
		ck_assert_msg(strstr(v.message, field) != NULL,
		    "\"%s\": message \"%s\" does not name %s", query,
		    v.message, field);
	ck_assert_ptr_null(q.code);
	verdict_clear(&v);
}

/* q holds the defaults of an empty query. */
static void
check_defaults(const char *query, const struct query_request *q)
{
	ck_assert_msg(q->code == NULL, "\"%s\": code %s", query, q->code);
	ck_assert_str_eq(q->sender, "");
	ck_assert_int_eq(q->has_min_severity, 0);
	ck_assert_int_eq(q->has_tlp, 0);
	ck_assert_int_eq(q->has_since, 0);
	ck_assert_int_eq(q->has_until, 0);
	ck_assert_int_eq(q->after, 0);
	ck_assert_uint_eq(q->limit, REQUEST_QUERY_LIMIT_DEFAULT);
	ck_assert_uint_eq(q->limit, 100);
}

START_TEST(test_reports_empty)
{
	static const char	*queries[] = { NULL, "", "limit=100&" };
	struct query_request	 q;
	size_t			 i;

	for (i = 0; i < NITEMS(queries); i++) {
		reports_ok(queries[i], &q);
		if (i < 2)
			check_defaults(queries[i] ? queries[i] : "(null)", &q);
		else
			ck_assert_uint_eq(q.limit, 100);
		request_query_clear(&q);
	}
}
END_TEST

START_TEST(test_reports_every_parameter)
{
	struct query_request	q;

	reports_ok("code=intrusions/system-compromise&sender=SG&"
	    "min_severity=medium&tlp=amber&since=2026-11-01T00:00:00Z&"
	    "until=2026-11-21T00:00:00Z&after=42&limit=1000", &q);
	ck_assert_str_eq(q.code, "intrusions/system-compromise");
	ck_assert_str_eq(q.sender, "SG");
	ck_assert_int_eq(q.has_min_severity, 1);
	ck_assert_int_eq(q.min_severity, SEVERITY_MEDIUM);
	ck_assert_int_eq(q.has_tlp, 1);
	ck_assert_int_eq(q.tlp, TLP_AMBER);
	ck_assert_int_eq(q.has_since, 1);
	ck_assert_int_eq(q.since, NOV01);
	ck_assert_int_eq(q.has_until, 1);
	ck_assert_int_eq(q.until, NOV21);
	ck_assert_int_eq(q.after, 42);
	ck_assert_uint_eq(q.limit, 1000);
	request_query_clear(&q);
	ck_assert_ptr_null(q.code);

	/* Any order. */
	reports_ok("limit=7&after=3&sender=ID&code=test/test", &q);
	ck_assert_str_eq(q.code, "test/test");
	ck_assert_str_eq(q.sender, "ID");
	ck_assert_int_eq(q.after, 3);
	ck_assert_uint_eq(q.limit, 7);
	ck_assert_int_eq(q.has_min_severity, 0);
	ck_assert_int_eq(q.has_tlp, 0);
	request_query_clear(&q);
}
END_TEST

START_TEST(test_reports_empty_values)
{
	static const char	*queries[] = {
		"code=", "sender=", "min_severity=", "tlp=", "since=",
		"until=", "after=", "limit=",
		"code=&sender=&min_severity=&tlp=&since=&until=&after=&limit=",
	};
	struct query_request	 q;
	size_t			 i;

	for (i = 0; i < NITEMS(queries); i++) {
		reports_ok(queries[i], &q);
		check_defaults(queries[i], &q);
		request_query_clear(&q);
	}
	/* An empty value beside a real one. */
	reports_ok("sender=&tlp=red", &q);
	ck_assert_str_eq(q.sender, "");
	ck_assert_int_eq(q.has_tlp, 1);
	ck_assert_int_eq(q.tlp, TLP_RED);
	request_query_clear(&q);
}
END_TEST

START_TEST(test_reports_code)
{
	static const char	*good[] = {
		"intrusions/system-compromise", "intrusions/burglary",
		"intrusion-attempts/brute-force", "test/test", "intrusions/",
		"intrusion-attempts/", "test/",
	};
	static const char	*bad[] = {
		"intrusions/teleport", "intrusions", "intrusion/",
		"Intrusions/burglary", "intrusions/burglary/", "nosuch/",
		"/", "//", "availability/ddos", "intrusions%2F%2F",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "code=%s", good[i]);
		reports_ok(query, &q);
		ck_assert_str_eq(q.code, good[i]);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "code=%s", bad[i]);
		reports_bad(query, PROTO_UNKNOWN_CODE, "code");
	}
}
END_TEST

START_TEST(test_reports_sender)
{
	static const char	*bad[] = {
		"S.G", "S%20G", "S+G", "S/G", "%C3%A9",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	reports_ok("sender=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &q);
	ck_assert_str_eq(q.sender, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	request_query_clear(&q);
	reports_ok("sender=a_B-9", &q);
	ck_assert_str_eq(q.sender, "a_B-9");
	request_query_clear(&q);
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "sender=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "sender");
	}
}
END_TEST

START_TEST(test_reports_min_severity)
{
	static const struct {
		const char	*name;
		enum severity	 value;
	} good[] = {
		{ "info", SEVERITY_INFO }, { "low", SEVERITY_LOW },
		{ "medium", SEVERITY_MEDIUM }, { "high", SEVERITY_HIGH },
		{ "critical", SEVERITY_CRITICAL },
	};
	static const char	*bad[] = {
		"HIGH", "severe", "0", "high%20", "hig", "highest",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "min_severity=%s", good[i].name);
		reports_ok(query, &q);
		ck_assert_int_eq(q.has_min_severity, 1);
		ck_assert_int_eq(q.min_severity, good[i].value);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "min_severity=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "min_severity");
	}
}
END_TEST

START_TEST(test_reports_tlp)
{
	static const struct {
		const char	*text;
		enum tlp	 value;
	} good[] = {
		{ "clear", TLP_CLEAR }, { "green", TLP_GREEN },
		{ "amber", TLP_AMBER }, { "amber%2Bstrict", TLP_AMBER_STRICT },
		{ "amber%2bstrict", TLP_AMBER_STRICT }, { "red", TLP_RED },
	};
	static const char	*bad[] = {
		/* A raw + is a space in a query string. */
		"amber+strict", "amber%20strict", "white", "AMBER", "TLP:RED",
		"amber_strict",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "tlp=%s", good[i].text);
		reports_ok(query, &q);
		ck_assert_int_eq(q.has_tlp, 1);
		ck_assert_int_eq(q.tlp, good[i].value);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "tlp=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "tlp");
	}
}
END_TEST

START_TEST(test_reports_times)
{
	static const struct {
		const char	*text;
		int64_t		 usec;
	} good[] = {
		{ "2026-11-01T00:00:00Z", NOV01 },
		{ "2026-11-01T00:00:00.5Z", NOV01 + 500000 },
		{ "2026-11-01T07:00:00%2B07:00", NOV01 },
		{ "2026-11-01T07%3A00%3A00%2B07%3A00", NOV01 },
		{ "2026-10-31T23:00:00-01:00", NOV01 },
		{ "2026-11-01t00:00:00z", NOV01 },
	};
	static const char	*bad[] = {
		"2026-11-01", "yesterday", "1793491200", "2026-11-01T00:00:00",
		"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-11-01T24:00:01Z", "2026-11-01T07:00:00+07:00",
		"2026-11-01T00:00:00Zjunk",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "since=%s", good[i].text);
		reports_ok(query, &q);
		ck_assert_msg(q.has_since == 1 && q.since == good[i].usec,
		    "%s: since %lld", query, (long long)q.since);
		ck_assert_int_eq(q.has_until, 0);
		request_query_clear(&q);
		snprintf(query, sizeof query, "until=%s", good[i].text);
		reports_ok(query, &q);
		ck_assert_msg(q.has_until == 1 && q.until == good[i].usec,
		    "%s: until %lld", query, (long long)q.until);
		ck_assert_int_eq(q.has_since, 0);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "since=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "since");
		snprintf(query, sizeof query, "until=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "until");
	}
}
END_TEST

START_TEST(test_reports_after)
{
	static const struct {
		const char	*text;
		int64_t		 value;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "123456", 123456 },
		{ "9223372036854775807", INT64_MAX },
	};
	static const char	*bad[] = {
		"-1", "+1", "%2B1", "1x", "x", "1.5", "0x10", "%201",
		"9223372036854775808", "99999999999999999999",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "after=%s", good[i].text);
		reports_ok(query, &q);
		ck_assert_int_eq(q.after, good[i].value);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "after=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "after");
	}
}
END_TEST

START_TEST(test_reports_limit)
{
	static const unsigned	 good[] = { 1, 2, 99, 100, 999, 1000 };
	static const char	*bad[] = {
		"0", "1001", "-1", "ten", "1.5", "%2B5",
		"10000000000000000000000", "18446744073709551617", "4294967297",
	};
	struct query_request	 q;
	char			 query[128];
	size_t			 i;

	for (i = 0; i < NITEMS(good); i++) {
		snprintf(query, sizeof query, "limit=%u", good[i]);
		reports_ok(query, &q);
		ck_assert_uint_eq(q.limit, good[i]);
		request_query_clear(&q);
	}
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "limit=%s", bad[i]);
		reports_bad(query, PROTO_INVALID_FIELD, "limit");
	}
}
END_TEST

START_TEST(test_reports_unknown_parameter)
{
	static const struct {
		const char	*query;
		const char	*name;
	} cases[] = {
		{ "colour=blue", "colour" },
		{ "code=test/test&severity=high", "severity" },
		{ "CODE=test/test", "CODE" },
		{ "min-severity=low", "min-severity" },
		{ "limit=5&offset=10", "offset" },
		/* Names are not percent-decoded. */
		{ "co%64e=test/test", "co%64e" },
		/* An empty value is still an unknown name. */
		{ "colour=", "colour" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		reports_bad(cases[i].query, PROTO_UNKNOWN_FIELD, cases[i].name);
}
END_TEST

START_TEST(test_reports_repeated_parameter)
{
	static const struct {
		const char	*query;
		const char	*name;
	} cases[] = {
		{ "limit=1&limit=2", "limit" },
		{ "limit=5&limit=5", "limit" },
		{ "sender=ID&code=test/test&sender=SG", "sender" },
		{ "code=&code=", "code" },
		{ "since=&since=2026-11-01T00:00:00Z", "since" },
		{ "tlp=red&after=1&tlp=red", "tlp" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		reports_bad(cases[i].query, PROTO_INVALID_FIELD, cases[i].name);
}
END_TEST

START_TEST(test_reports_malformed)
{
	static const char	*bad[] = {
		"code", "=test/test", "a=1&&b=2", "&",
	};
	struct query_request	 q;
	struct verdict		 v = { 0 };
	size_t			 i;

	for (i = 0; i < NITEMS(bad); i++) {
		q.code = NULL;
		if (opparams_reports(bad[i], tax, &q, &v) != -1) {
			request_query_clear(&q);
			ck_abort_msg("\"%s\" accepted", bad[i]);
		}
		check_verdict(bad[i], &v, PROTO_INVALID_FIELD, NULL);
		ck_assert_ptr_null(q.code);
		verdict_clear(&v);
	}
}
END_TEST

START_TEST(test_reports_embedded_nul)
{
	/*
	 * A decoded value with a NUL inside is not the text before the NUL:
	 * each is refused, never cut short and answered.
	 */
	static const struct {
		const char		*query;
		enum proto_error	 error;
		const char		*field;
	} cases[] = {
		{ "code=test/test%00x", PROTO_UNKNOWN_CODE, "code" },
		{ "code=intrusions/%00", PROTO_UNKNOWN_CODE, "code" },
		{ "sender=SG%00x", PROTO_INVALID_FIELD, "sender" },
		{ "min_severity=high%00", PROTO_INVALID_FIELD, "min_severity" },
		{ "tlp=red%00x", PROTO_INVALID_FIELD, "tlp" },
		{ "since=2026-11-01T00:00:00Z%00x", PROTO_INVALID_FIELD,
		    "since" },
		{ "until=2026-11-01T00:00:00Z%00", PROTO_INVALID_FIELD,
		    "until" },
		{ "after=5%000", PROTO_INVALID_FIELD, "after" },
		{ "limit=5%000", PROTO_INVALID_FIELD, "limit" },
	};
	size_t	i;

	for (i = 0; i < NITEMS(cases); i++)
		reports_bad(cases[i].query, cases[i].error, cases[i].field);
}
END_TEST

START_TEST(test_reports_error_frees)
{
	/* The code was decoded before the bad limit: nothing is left. */
	reports_bad("code=test/test&limit=0", PROTO_INVALID_FIELD, "limit");
	reports_bad("code=intrusions/&sender=S.G", PROTO_INVALID_FIELD,
	    "sender");
	reports_bad("code=test/&since=never", PROTO_INVALID_FIELD, "since");
	/* The first problem in check order is the one reported. */
	reports_bad("limit=0&colour=blue", PROTO_UNKNOWN_FIELD, "colour");
}
END_TEST

/* opparams_stats must accept query with these results. */
static void
stats_ok(const char *query, int64_t since, int64_t until)
{
	struct verdict	v = { 0 };
	int64_t		s = -1, u = -1;

	ck_assert_msg(opparams_stats(query, &s, &u, &v) == 0,
	    "\"%s\" refused: %s", query ? query : "(null)",
	    v.message ? v.message : "-");
	ck_assert_msg(s == since && u == until, "\"%s\": since %lld until "
	    "%lld", query ? query : "(null)", (long long)s, (long long)u);
}

static void
stats_bad(const char *query, enum proto_error want, const char *field)
{
	struct verdict	v = { 0 };
	int64_t		s, u;

	ck_assert_msg(opparams_stats(query, &s, &u, &v) == -1,
	    "\"%s\" accepted", query);
	check_verdict(query, &v, want, field);
	verdict_clear(&v);
}

START_TEST(test_stats_good)
{
	stats_ok(NULL, 0, 0);
	stats_ok("", 0, 0);
	stats_ok("since=&until=", 0, 0);
	stats_ok("since=2026-11-01T00:00:00Z", NOV01, 0);
	stats_ok("until=2026-11-21T00:00:00Z", 0, NOV21);
	stats_ok("until=2026-11-21T00:00:00Z&since=2026-11-01T07:00:00%2B07:00",
	    NOV01, NOV21);
}
END_TEST

START_TEST(test_stats_bad)
{
	stats_bad("code=test/test", PROTO_UNKNOWN_FIELD, "code");
	stats_bad("limit=5", PROTO_UNKNOWN_FIELD, "limit");
	stats_bad("since=soon", PROTO_INVALID_FIELD, "since");
	stats_bad("until=2026-11-21", PROTO_INVALID_FIELD, "until");
	stats_bad("since=2026-11-01T00:00:00Z&since=2026-11-02T00:00:00Z",
	    PROTO_INVALID_FIELD, "since");
	stats_bad("until=&until=", PROTO_INVALID_FIELD, "until");
	stats_bad("since", PROTO_INVALID_FIELD, NULL);
}
END_TEST

/* opparams_ledger must accept query with these results. */
static void
ledger_ok(const char *query, int64_t after, unsigned limit)
{
	struct verdict	v = { 0 };
	int64_t		a = -1;
	unsigned	l = 0;

	ck_assert_msg(opparams_ledger(query, &a, &l, &v) == 0,
	    "\"%s\" refused: %s", query ? query : "(null)",
	    v.message ? v.message : "-");
	ck_assert_msg(a == after && l == limit, "\"%s\": after %lld limit %u, "
	    "wanted %lld and %u", query ? query : "(null)", (long long)a, l,
	    (long long)after, limit);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
}

/* opparams_ledger must refuse query with want at field, naming it. */
static void
ledger_bad(const char *query, enum proto_error want, const char *field)
{
	struct verdict	v = { 0 };
	int64_t		a;
	unsigned	l;

	ck_assert_msg(opparams_ledger(query, &a, &l, &v) == -1,
	    "\"%s\" accepted as after %lld limit %u", query, (long long)a, l);
	check_verdict(query, &v, want, field);
	if (field != NULL)
		ck_assert_msg(strstr(v.message, field) != NULL,
		    "\"%s\": message \"%s\" does not name %s", query,
		    v.message, field);
	verdict_clear(&v);
}

START_TEST(test_ledger_defaults)
{
	ledger_ok(NULL, 0, 100);
	ledger_ok("", 0, 100);
	/* Empty values count as absent. */
	ledger_ok("after=", 0, 100);
	ledger_ok("limit=", 0, 100);
	ledger_ok("after=&limit=", 0, REQUEST_QUERY_LIMIT_DEFAULT);
}
END_TEST

START_TEST(test_ledger_good)
{
	ledger_ok("after=0", 0, 100);
	ledger_ok("after=1", 1, 100);
	ledger_ok("after=123456", 123456, 100);
	ledger_ok("after=9223372036854775807", INT64_MAX, 100);
	ledger_ok("limit=1", 0, 1);
	ledger_ok("limit=2", 0, 2);
	ledger_ok("limit=999", 0, 999);
	ledger_ok("limit=1000", 0, 1000);
	ledger_ok("after=40&limit=20", 40, 20);
	ledger_ok("limit=20&after=40", 40, 20);
	/* Leading zeros are still the number. */
	ledger_ok("after=007&limit=0050", 7, 50);
}
END_TEST

START_TEST(test_ledger_limit_bad)
{
	static const char	*bad[] = {
		"0", "00", "1001", "2000", "-1", "ten", "1.5", "%2B5", "+5",
		" 5", "5 ", "0x10", "1e3", "4294967297", "4294967296",
		"18446744073709551617", "10000000000000000000000",
	};
	char	query[128];
	size_t	i;

	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "limit=%s", bad[i]);
		ledger_bad(query, PROTO_INVALID_FIELD, "limit");
		snprintf(query, sizeof query, "after=3&limit=%s", bad[i]);
		ledger_bad(query, PROTO_INVALID_FIELD, "limit");
	}
}
END_TEST

START_TEST(test_ledger_after_bad)
{
	static const char	*bad[] = {
		"-1", "-0", "+1", "%2B1", "1x", "x", "1.5", "0x10", "%201",
		"1%20", "1e3", "9223372036854775808", "99999999999999999999",
		"five",
	};
	char	query[128];
	size_t	i;

	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(query, sizeof query, "after=%s", bad[i]);
		ledger_bad(query, PROTO_INVALID_FIELD, "after");
		snprintf(query, sizeof query, "limit=3&after=%s", bad[i]);
		ledger_bad(query, PROTO_INVALID_FIELD, "after");
	}
}
END_TEST

START_TEST(test_ledger_unknown_parameter)
{
	/* /v1/reports' parameters are not the ledger's. */
	ledger_bad("n=3", PROTO_UNKNOWN_FIELD, "n");
	ledger_bad("code=test/test", PROTO_UNKNOWN_FIELD, "code");
	ledger_bad("since=2026-11-01T00:00:00Z", PROTO_UNKNOWN_FIELD, "since");
	ledger_bad("after=1&kind=ack", PROTO_UNKNOWN_FIELD, "kind");
	ledger_bad("Limit=5", PROTO_UNKNOWN_FIELD, "Limit");
	ledger_bad("limit=5&colour=", PROTO_UNKNOWN_FIELD, "colour");
	/* Before a bad value: the first problem in check order. */
	ledger_bad("limit=0&colour=blue", PROTO_UNKNOWN_FIELD, "colour");
	/* Repeated, malformed, or with a NUL. */
	ledger_bad("after=1&after=2", PROTO_INVALID_FIELD, "after");
	ledger_bad("limit=5&limit=5", PROTO_INVALID_FIELD, "limit");
	ledger_bad("after", PROTO_INVALID_FIELD, NULL);
	ledger_bad("after=5%000", PROTO_INVALID_FIELD, "after");
	ledger_bad("limit=5%00", PROTO_INVALID_FIELD, "limit");
}
END_TEST

START_TEST(test_seq_good)
{
	static const struct {
		const char	*text;
		int64_t		 value;
	} good[] = {
		{ "1", 1 }, { "9", 9 }, { "10", 10 }, { "4096", 4096 },
		{ "9223372036854775807", INT64_MAX },
	};
	int64_t	seq;
	size_t	i;

	for (i = 0; i < NITEMS(good); i++) {
		seq = -1;
		ck_assert_msg(opparams_seq(good[i].text, &seq) == 0,
		    "\"%s\" refused", good[i].text);
		ck_assert_int_eq(seq, good[i].value);
	}
}
END_TEST

START_TEST(test_seq_bad)
{
	static const char	*bad[] = {
		"", "0", "00", "01", "007", "abc", "-1", "+1", " 1", "1 ", "1a",
		"1.0", "1e3", "0x10", "9223372036854775808",
		"99999999999999999999", "1/2",
	};
	int64_t	seq;
	size_t	i;

	for (i = 0; i < NITEMS(bad); i++)
		ck_assert_msg(opparams_seq(bad[i], &seq) == -1,
		    "\"%s\" accepted as %lld", bad[i], (long long)seq);
}
END_TEST

static Suite *
opparams_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("opparams");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_checked_fixture(tc, setup, teardown);			\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("reports_empty", test_reports_empty);
	ADD("reports_every_parameter", test_reports_every_parameter);
	ADD("reports_empty_values", test_reports_empty_values);
	ADD("reports_code", test_reports_code);
	ADD("reports_sender", test_reports_sender);
	ADD("reports_min_severity", test_reports_min_severity);
	ADD("reports_tlp", test_reports_tlp);
	ADD("reports_times", test_reports_times);
	ADD("reports_after", test_reports_after);
	ADD("reports_limit", test_reports_limit);
	ADD("reports_unknown_parameter", test_reports_unknown_parameter);
	ADD("reports_repeated_parameter", test_reports_repeated_parameter);
	ADD("reports_malformed", test_reports_malformed);
	ADD("reports_embedded_nul", test_reports_embedded_nul);
	ADD("reports_error_frees", test_reports_error_frees);
	ADD("stats_good", test_stats_good);
	ADD("stats_bad", test_stats_bad);
	ADD("ledger_defaults", test_ledger_defaults);
	ADD("ledger_good", test_ledger_good);
	ADD("ledger_limit_bad", test_ledger_limit_bad);
	ADD("ledger_after_bad", test_ledger_after_bad);
	ADD("ledger_unknown_parameter", test_ledger_unknown_parameter);
	ADD("seq_good", test_seq_good);
	ADD("seq_bad", test_seq_bad);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(opparams_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
