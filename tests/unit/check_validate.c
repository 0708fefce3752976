/* Unit tests of report validation: every field, good and bad, with its error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "taxonomy.h"
#include "validate.h"
#include "verdict.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define USEC 1000000LL

/* The hub's clock in these tests: 2026-11-20T07:15:00Z. */
#define NOW (1795158900LL * USEC)

#define BASE_ID "0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10"

static const char base_report_text[] =
    "{\"id\":\"" BASE_ID "\","
    "\"code\":\"intrusions/system-compromise\","
    "\"severity\":\"high\","
    "\"tlp\":\"amber\","
    "\"title\":\"Web shell on a ministry portal\","
    "\"description\":\"free text\\nwith a second line\","
    "\"observed_at\":\"2026-11-20T07:10:00Z\","
    "\"indicators\":[{\"type\":\"ipv4\",\"value\":\"203.0.113.7\"},"
    "{\"type\":\"sha256\",\"value\":"
    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}],"
    "\"sectors\":[\"government\"],"
    "\"recipients\":[\"SG\",\"MY\"]}";

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

/* Parse JSON text, any value, NUL escapes allowed; the test fails if bad. */
static json_t *
parse(const char *text)
{
	json_error_t	 error;
	json_t		*j;

	j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
	ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, error.text);
	return (j);
}

/* A fresh copy of the good report. */
static json_t *
base_report(void)
{
	return (parse(base_report_text));
}

/* The good report with key set to the JSON text value, or removed if NULL. */
static json_t *
report_with(const char *key, const char *value)
{
	json_t	*r = base_report();

	if (value == NULL)
		json_object_del(r, key);
	else
		ck_assert_int_eq(json_object_set_new(r, key, parse(value)), 0);
	return (r);
}

/*
 * Validate r (then free it) and check the outcome: accepted when want is
 * PROTO_OK, else refused with exactly that error and field path.
 */
static void
expect(json_t *r, enum proto_error want, const char *field)
{
	struct verdict		v = { 0 };
	struct report_view	view;
	int			rc;
	char			*text;

	rc = validate_report(r, tax, NOW, &view, &v);
	text = json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY);
	if (want == PROTO_OK) {
		ck_assert_msg(rc == 0, "refused %s: %s %s: %s",
		    text != NULL ? text : "?", proto_error_name(v.error),
		    v.field != NULL ? v.field : "-",
		    v.message != NULL ? v.message : "-");
		ck_assert_int_eq(v.error, PROTO_OK);
		ck_assert_ptr_null(v.field);
	} else {
		ck_assert_msg(rc == -1, "accepted %s, wanted %s at %s",
		    text != NULL ? text : "?", proto_error_name(want), field);
		ck_assert_msg(v.error == want, "%s: got %s (%s), wanted %s",
		    text != NULL ? text : "?", proto_error_name(v.error),
		    v.message != NULL ? v.message : "-", proto_error_name(want));
		ck_assert_ptr_nonnull(v.field);
		ck_assert_str_eq(v.field, field);
		ck_assert_ptr_nonnull(v.message);
		ck_assert_int_gt(strlen(v.message), 10);
		ck_assert_msg(strchr(v.message, '\n') == NULL,
		    "message has a newline: %s", v.message);
	}
	free(text);
	verdict_clear(&v);
	json_decref(r);
}

/* One value of one field and the outcome it must have. */
struct field_case {
	const char		*json;		/* NULL: the field is removed */
	enum proto_error	 error;		/* PROTO_OK: accepted */
	const char		*field;
};

/* A loop test over the table name##_cases, setting report key. */
#define FIELD_TEST(name, key)						\
	START_TEST(test_##name)						\
	{								\
		const struct field_case	*c_ = &name##_cases[_i];	\
									\
		expect(report_with((key), c_->json), c_->error,		\
		    c_->field);						\
	}								\
	END_TEST

#define OK		PROTO_OK, NULL
#define MISSING(f)	PROTO_MISSING_FIELD, (f)
#define INVALID(f)	PROTO_INVALID_FIELD, (f)
#define UNKNOWN(f)	PROTO_UNKNOWN_FIELD, (f)

static const struct field_case id_cases[] = {
	{ "\"" BASE_ID "\"", OK },
	{ "\"0B7F6F0E-4B1C-4C8E-9D1A-2A6E3F1C9B10\"", OK },
	{ "\"00000000-0000-0000-0000-000000000000\"", OK },
	{ NULL, MISSING("report.id") },
	{ "\"0b7f6f0e4b1c4c8e9d1a2a6e3f1c9b10\"", INVALID("report.id") },
	{ "\"{0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10}\"", INVALID("report.id") },
	{ "\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1\"", INVALID("report.id") },
	{ "\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b100\"", INVALID("report.id") },
	{ "\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10 \"", INVALID("report.id") },
	{ "\"0b7f6f0g-4b1c-4c8e-9d1a-2a6e3f1c9b10\"", INVALID("report.id") },
	{ "\"0b7f6f0e-4b1c4-c8e-9d1a-2a6e3f1c9b10\"", INVALID("report.id") },
	{ "\"" BASE_ID "\\u0000\"", INVALID("report.id") },
	{ "\"\"", INVALID("report.id") },
	{ "42", INVALID("report.id") },
	{ "null", INVALID("report.id") },
	{ "[\"" BASE_ID "\"]", INVALID("report.id") },
};
FIELD_TEST(id, "id")

static const struct field_case code_cases[] = {
	{ "\"intrusions/system-compromise\"", OK },
	{ "\"availability/ddos\"", OK },
	{ "\"malicious-code/c2-server\"", OK },
	{ "\"test/test\"", OK },
	{ NULL, MISSING("report.code") },
	{ "\"intrusions/made-up\"", PROTO_UNKNOWN_CODE, "report.code" },
	{ "\"nosuch/thing\"", PROTO_UNKNOWN_CODE, "report.code" },
	{ "\"availability/ddos2\"", PROTO_UNKNOWN_CODE, "report.code" },
	{ "\"Intrusions/System-Compromise\"", INVALID("report.code") },
	{ "\"intrusions\"", INVALID("report.code") },
	{ "\"intrusions/\"", INVALID("report.code") },
	{ "\"/ddos\"", INVALID("report.code") },
	{ "\"availability/ddos/x\"", INVALID("report.code") },
	{ "\"availability/ddos \"", INVALID("report.code") },
	{ "\"availability/d\\u0000dos\"", INVALID("report.code") },
	{ "\"\"", INVALID("report.code") },
	{ "5", INVALID("report.code") },
	{ "null", INVALID("report.code") },
	{ "{\"code\":\"availability/ddos\"}", INVALID("report.code") },
};
FIELD_TEST(code, "code")

static const struct field_case severity_cases[] = {
	{ "\"info\"", OK },
	{ "\"low\"", OK },
	{ "\"medium\"", OK },
	{ "\"high\"", OK },
	{ "\"critical\"", OK },
	{ NULL, MISSING("report.severity") },
	{ "\"High\"", INVALID("report.severity") },
	{ "\"severe\"", INVALID("report.severity") },
	{ "\"\"", INVALID("report.severity") },
	{ "\"high\\u0000\"", INVALID("report.severity") },
	{ "3", INVALID("report.severity") },
	{ "null", INVALID("report.severity") },
};
FIELD_TEST(severity, "severity")

static const struct field_case tlp_cases[] = {
	{ "\"clear\"", OK },
	{ "\"green\"", OK },
	{ "\"amber\"", OK },
	{ "\"amber+strict\"", OK },
	{ "\"red\"", OK },		/* the good report names recipients */
	{ NULL, MISSING("report.tlp") },
	{ "\"TLP:AMBER\"", INVALID("report.tlp") },
	{ "\"AMBER\"", INVALID("report.tlp") },
	{ "\"amber-strict\"", INVALID("report.tlp") },
	{ "\"white\"", INVALID("report.tlp") },
	{ "\"\"", INVALID("report.tlp") },
	{ "2", INVALID("report.tlp") },
	{ "null", INVALID("report.tlp") },
};
FIELD_TEST(tlp, "tlp")

static const struct field_case title_cases[] = {
	{ "\"x\"", OK },
	{ "\"Serangan DDoS terhadap portal kementerian \\u2014 \\u7db2\"", OK },
	{ "\"emoji \\ud83d\\ude00 ok\"", OK },
	{ "\" leading and trailing spaces \"", OK },
	{ NULL, MISSING("report.title") },
	{ "\"\"", INVALID("report.title") },
	{ "\"two\\nlines\"", INVALID("report.title") },
	{ "\"tab\\there\"", INVALID("report.title") },
	{ "\"cr\\r\"", INVALID("report.title") },
	{ "\"nul\\u0000\"", INVALID("report.title") },
	{ "\"del\\u007f\"", INVALID("report.title") },
	{ "\"c1 \\u0085\"", INVALID("report.title") },
	{ "\"esc \\u001b[31m\"", INVALID("report.title") },
	{ "7", INVALID("report.title") },
	{ "null", INVALID("report.title") },
	{ "[\"t\"]", INVALID("report.title") },
};
FIELD_TEST(title, "title")

static const struct field_case description_cases[] = {
	{ NULL, OK },
	{ "\"\"", OK },
	{ "\"line one\\nline two\\r\\n\\ttabbed\"", OK },
	{ "\"Bahasa: serangan \\u2014 \\u0085 C1 too\"", OK },
	{ "\"nul \\u0000 inside\"", INVALID("report.description") },
	{ "5", INVALID("report.description") },
	{ "null", INVALID("report.description") },
	{ "{\"text\":\"x\"}", INVALID("report.description") },
};
FIELD_TEST(description, "description")

static const struct field_case observed_at_cases[] = {
	{ NULL, OK },
	{ "\"2026-11-20T07:15:00Z\"", OK },		/* now */
	{ "\"2026-11-20T07:19:00Z\"", OK },		/* 4 minutes ahead */
	{ "\"2026-11-20T07:20:00Z\"", OK },		/* exactly 5 */
	{ "\"2026-11-20T14:19:00+07:00\"", OK },	/* 4 ahead, WIB */
	{ "\"2026-11-20t07:19:59.999999z\"", OK },
	{ "\"2024-02-29T00:00:00Z\"", OK },
	{ "\"1999-01-01T00:00:00Z\"", OK },		/* the past is fine */
	{ "\"2026-11-20T07:20:00.000001Z\"", INVALID("report.observed_at") },
	{ "\"2026-11-20T07:21:00Z\"", INVALID("report.observed_at") }, /* 6 */
	{ "\"2026-11-20T14:21:00+07:00\"", INVALID("report.observed_at") },
	{ "\"2026-11-20T07:21:00-00:00\"", INVALID("report.observed_at") },
	{ "\"2027-01-01T00:00:00Z\"", INVALID("report.observed_at") },
	{ "\"2026-02-29T00:00:00Z\"", INVALID("report.observed_at") },
	{ "\"2026-13-01T00:00:00Z\"", INVALID("report.observed_at") },
	{ "\"2026-11-20T07:15Z\"", INVALID("report.observed_at") },
	{ "\"2026-11-20 07:15:00Z\"", INVALID("report.observed_at") },
	{ "\"2026-11-20\"", INVALID("report.observed_at") },
	{ "\"yesterday\"", INVALID("report.observed_at") },
	{ "1795158900", INVALID("report.observed_at") },
	{ "null", INVALID("report.observed_at") },
};
FIELD_TEST(observed_at, "observed_at")

static const struct field_case indicators_cases[] = {
	{ NULL, OK },
	{ "[]", OK },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\"},"
	  "{\"type\":\"ipv6\",\"value\":\"::ffff:1.2.3.4\"},"
	  "{\"type\":\"cidr\",\"value\":\"10.0.0.0/8\"},"
	  "{\"type\":\"domain\",\"value\":\"example.co.id\"},"
	  "{\"type\":\"url\",\"value\":\"https://example.com/login\"},"
	  "{\"type\":\"email\",\"value\":\"phish@example.com\"},"
	  "{\"type\":\"md5\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\"},"
	  "{\"type\":\"sha1\",\"value\":"
	  "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"},"
	  "{\"type\":\"cve\",\"value\":\"CVE-2021-44228\"},"
	  "{\"type\":\"asn\",\"value\":\"AS64500\"}]", OK },
	{ "\"1.2.3.4\"", INVALID("report.indicators") },
	{ "{\"type\":\"ipv4\",\"value\":\"1.2.3.4\"}", INVALID("report.indicators") },
	{ "null", INVALID("report.indicators") },
	{ "[5]", INVALID("report.indicators[0]") },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\"},\"x\"]",
	  INVALID("report.indicators[1]") },
	{ "[{\"type\":\"ipv4\"}]", MISSING("report.indicators[0].value") },
	{ "[{\"value\":\"1.2.3.4\"}]", MISSING("report.indicators[0].type") },
	{ "[{}]", MISSING("report.indicators[0].type") },
	{ "[{\"type\":\"ipv5\",\"value\":\"1.2.3.4\"}]",
	  INVALID("report.indicators[0].type") },
	{ "[{\"type\":\"IPV4\",\"value\":\"1.2.3.4\"}]",
	  INVALID("report.indicators[0].type") },
	{ "[{\"type\":4,\"value\":\"1.2.3.4\"}]",
	  INVALID("report.indicators[0].type") },
	{ "[{\"type\":\"ipv4\\u0000\",\"value\":\"1.2.3.4\"}]",
	  INVALID("report.indicators[0].type") },
	{ "[{\"type\":\"ipv4\",\"value\":16909060}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"ipv4\",\"value\":null}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\\u0000junk\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\"},"
	  "{\"type\":\"ipv4\",\"value\":\"1.2.3.04\"}]",
	  INVALID("report.indicators[1].value") },
	{ "[{\"type\":\"ipv6\",\"value\":\"fe80::1%eth0\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"cidr\",\"value\":\"10.0.0.0/33\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"domain\",\"value\":\"-a.com\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"url\",\"value\":\"javascript:alert(1)\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"email\",\"value\":\"a..b@example.com\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"md5\",\"value\":\"xyz\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"sha1\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"sha256\",\"value\":\"e3b0c442...b855\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"cve\",\"value\":\"CVE-2024-123\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"asn\",\"value\":\"AS4294967296\"}]",
	  INVALID("report.indicators[0].value") },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\",\"note\":\"x\"}]",
	  UNKNOWN("report.indicators[0].note") },
	{ "[{\"type\":\"ipv4\",\"value\":\"1.2.3.4\"},"
	  "{\"type\":\"ipv4\",\"value\":\"1.2.3.4\",\"Type\":\"x\"}]",
	  UNKNOWN("report.indicators[1].Type") },
};
FIELD_TEST(indicators, "indicators")

static const struct field_case sectors_cases[] = {
	{ NULL, OK },
	{ "[]", OK },
	{ "[\"government\",\"finance\",\"energy\"]", OK },
	{ "[\"telecommunications\",\"digital-infrastructure\"]", OK },
	{ "\"government\"", INVALID("report.sectors") },
	{ "null", INVALID("report.sectors") },
	{ "{\"government\":true}", INVALID("report.sectors") },
	{ "[\"Government\"]", INVALID("report.sectors[0]") },
	{ "[\"government\",\"nosuch\"]", INVALID("report.sectors[1]") },
	{ "[\"government\",\"\"]", INVALID("report.sectors[1]") },
	{ "[\"finance\",\"finance\"]", INVALID("report.sectors[1]") },
	{ "[\"finance\",\"energy\",\"finance\"]", INVALID("report.sectors[2]") },
	{ "[\"finance\\u0000\"]", INVALID("report.sectors[0]") },
	{ "[5]", INVALID("report.sectors[0]") },
	{ "[[\"finance\"]]", INVALID("report.sectors[0]") },
};
FIELD_TEST(sectors, "sectors")

static const struct field_case recipients_cases[] = {
	{ NULL, OK },
	{ "[\"SG\"]", OK },
	{ "[\"SG\",\"MY\",\"APCERT\",\"a_b-c\",\"ID\"]", OK },
	{ "[\"sg\",\"SG\"]", OK },		/* IDs are case-sensitive */
	{ "[\"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\"]", OK },	/* 32 */
	{ "[]", INVALID("report.recipients") },
	{ "\"SG\"", INVALID("report.recipients") },
	{ "null", INVALID("report.recipients") },
	{ "{\"SG\":1}", INVALID("report.recipients") },
	{ "[\"SG\",\"SG\"]", INVALID("report.recipients[1]") },
	{ "[\"SG\",\"MY\",\"SG\"]", INVALID("report.recipients[2]") },
	{ "[\"X\",\"Y\",\"Y\",\"X\"]", INVALID("report.recipients[2]") },
	{ "[\"X\",\"Y\",\"Z\",\"X\",\"Y\"]", INVALID("report.recipients[3]") },
	{ "[\"S G\"]", INVALID("report.recipients[0]") },
	{ "[\"SG\",\"\"]", INVALID("report.recipients[1]") },
	{ "[\"SG\",\"MY.gov\"]", INVALID("report.recipients[1]") },
	{ "[\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"]",
	  INVALID("report.recipients[0]") },		/* 33 */
	{ "[\"S\\u00e9\"]", INVALID("report.recipients[0]") },
	{ "[\"SG\\u0000\"]", INVALID("report.recipients[0]") },
	{ "[5]", INVALID("report.recipients[0]") },
	{ "[null]", INVALID("report.recipients[0]") },
};
FIELD_TEST(recipients, "recipients")

#define RECIPIENTS_REQUIRED PROTO_RECIPIENTS_REQUIRED, "report.recipients"

/* tlp red: recipients are required and may not be empty. */
START_TEST(test_red_recipients)
{
	json_t	*r;

	r = report_with("tlp", "\"red\"");
	json_object_del(r, "recipients");
	expect(r, RECIPIENTS_REQUIRED);

	r = report_with("tlp", "\"red\"");
	json_object_set_new(r, "recipients", json_array());
	expect(r, RECIPIENTS_REQUIRED);

	r = report_with("tlp", "\"red\"");
	json_object_set_new(r, "recipients", parse("[\"SG\"]"));
	expect(r, OK);

	/* A wrong type is still a wrong type. */
	r = report_with("tlp", "\"red\"");
	json_object_set_new(r, "recipients", parse("\"SG\""));
	expect(r, INVALID("report.recipients"));

	r = report_with("tlp", "\"red\"");
	json_object_set_new(r, "recipients", parse("[\"SG\",\"SG\"]"));
	expect(r, INVALID("report.recipients[1]"));

	/* Only red needs them. */
	r = report_with("tlp", "\"amber+strict\"");
	json_object_del(r, "recipients");
	expect(r, OK);
}
END_TEST

/* Any key outside the report table is refused first, naming it. */
START_TEST(test_unknown_field)
{
	json_t	*r;

	expect(report_with("foo", "1"), UNKNOWN("report.foo"));
	expect(report_with("ID", "\"x\""), UNKNOWN("report.ID"));
	expect(report_with("type", "\"report\""), UNKNOWN("report.type"));
	expect(report_with("received_at", "\"2026-11-20T07:15:00Z\""),
	    UNKNOWN("report.received_at"));
	expect(report_with("", "1"), UNKNOWN("report."));

	/* Before any other rule: nothing else here is valid. */
	expect(parse("{\"id\":5,\"extra\":true}"), UNKNOWN("report.extra"));
	expect(parse("{\"zzz\":1}"), UNKNOWN("report.zzz"));
	r = parse("{\"id\":5,\"indicators\":[{\"type\":\"ipv4\","
	    "\"value\":\"1.2.3.4\",\"note\":\"x\"}]}");
	expect(r, UNKNOWN("report.indicators[0].note"));
	/* The report's own keys come before those of its indicators. */
	r = parse("{\"indicators\":[{\"note\":\"x\"}],\"zzz\":1}");
	expect(r, UNKNOWN("report.zzz"));
}
END_TEST

/* Each required field, when absent, is named; in the table's order. */
START_TEST(test_missing_field)
{
	json_t	*r;

	expect(report_with("id", NULL), MISSING("report.id"));
	expect(report_with("code", NULL), MISSING("report.code"));
	expect(report_with("severity", NULL), MISSING("report.severity"));
	expect(report_with("tlp", NULL), MISSING("report.tlp"));
	expect(report_with("title", NULL), MISSING("report.title"));
	expect(parse("{}"), MISSING("report.id"));

	r = report_with("code", NULL);
	json_object_del(r, "title");
	expect(r, MISSING("report.code"));

	/* Only the five are required. */
	r = base_report();
	json_object_del(r, "description");
	json_object_del(r, "observed_at");
	json_object_del(r, "indicators");
	json_object_del(r, "sectors");
	json_object_del(r, "recipients");
	expect(r, OK);
}
END_TEST

/* With several faults the first in table order is reported. */
START_TEST(test_order)
{
	json_t	*r;

	r = report_with("id", "5");
	json_object_set_new(r, "code", json_string("nosuch/code"));
	expect(r, INVALID("report.id"));

	r = report_with("code", "\"nosuch/code\"");
	json_object_set_new(r, "severity", json_string("bad"));
	expect(r, PROTO_UNKNOWN_CODE, "report.code");

	r = report_with("severity", "\"bad\"");
	json_object_set_new(r, "tlp", json_string("bad"));
	expect(r, INVALID("report.severity"));

	r = report_with("tlp", "\"bad\"");
	json_object_set_new(r, "title", json_string(""));
	expect(r, INVALID("report.tlp"));

	r = report_with("title", "\"\"");
	json_object_set_new(r, "description", json_integer(1));
	expect(r, INVALID("report.title"));

	r = report_with("description", "1");
	json_object_set_new(r, "observed_at", json_string("x"));
	expect(r, INVALID("report.description"));

	r = report_with("observed_at", "\"x\"");
	json_object_set_new(r, "indicators", json_string("x"));
	expect(r, INVALID("report.observed_at"));

	r = report_with("indicators", "\"x\"");
	json_object_set_new(r, "sectors", json_string("x"));
	expect(r, INVALID("report.indicators"));

	r = report_with("sectors", "\"x\"");
	json_object_set_new(r, "recipients", json_string("x"));
	expect(r, INVALID("report.sectors"));

	/* A missing required field comes after an earlier invalid one. */
	r = report_with("id", "\"nope\"");
	json_object_del(r, "title");
	expect(r, INVALID("report.id"));
}
END_TEST

/* A report that is not an object, or absent. */
START_TEST(test_not_object)
{
	struct verdict		v = { 0 };
	struct report_view	view;

	expect(parse("[]"), INVALID("report"));
	expect(parse("\"report\""), INVALID("report"));
	expect(parse("5"), INVALID("report"));
	expect(parse("null"), INVALID("report"));
	expect(parse("true"), INVALID("report"));

	ck_assert_int_eq(validate_report(NULL, tax, NOW, &view, &v), -1);
	ck_assert_int_eq(v.error, PROTO_MISSING_FIELD);
	ck_assert_str_eq(v.field, "report");
	verdict_clear(&v);
}
END_TEST

/* Title length is counted in code points, description in bytes. */
START_TEST(test_lengths)
{
	char	*s;
	size_t	 i;
	json_t	*r;

	s = malloc(2 * REPORT_DESCRIPTION_MAX_BYTES + 2);
	ck_assert_ptr_nonnull(s);

	memset(s, 'x', 200);
	s[200] = '\0';
	r = base_report();
	json_object_set_new(r, "title", json_string(s));
	expect(r, OK);
	s[200] = 'x';
	s[201] = '\0';
	r = base_report();
	json_object_set_new(r, "title", json_string(s));
	expect(r, INVALID("report.title"));

	/* 200 two-byte characters: 400 bytes, still 200 characters. */
	for (i = 0; i < 200; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[400] = '\0';
	r = base_report();
	json_object_set_new(r, "title", json_string(s));
	expect(r, OK);
	memcpy(s + 400, "\xc3\xa9", 3);
	r = base_report();
	json_object_set_new(r, "title", json_string(s));
	expect(r, INVALID("report.title"));

	/* 50 four-byte characters are 50 characters. */
	for (i = 0; i < 50; i++)
		memcpy(s + 4 * i, "\xf0\x9f\x98\x80", 4);
	s[200] = '\0';
	r = base_report();
	json_object_set_new(r, "title", json_string(s));
	expect(r, OK);

	memset(s, 'd', REPORT_DESCRIPTION_MAX_BYTES);
	s[REPORT_DESCRIPTION_MAX_BYTES] = '\0';
	r = base_report();
	json_object_set_new(r, "description", json_string(s));
	expect(r, OK);
	s[REPORT_DESCRIPTION_MAX_BYTES] = 'd';
	s[REPORT_DESCRIPTION_MAX_BYTES + 1] = '\0';
	r = base_report();
	json_object_set_new(r, "description", json_string(s));
	expect(r, INVALID("report.description"));

	/* 8192 two-byte characters are 16384 bytes: the limit is in bytes. */
	for (i = 0; i < REPORT_DESCRIPTION_MAX_BYTES / 2; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[REPORT_DESCRIPTION_MAX_BYTES] = '\0';
	r = base_report();
	json_object_set_new(r, "description", json_string(s));
	expect(r, OK);
	memcpy(s + REPORT_DESCRIPTION_MAX_BYTES, "\xc3\xa9", 3);
	r = base_report();
	json_object_set_new(r, "description", json_string(s));
	expect(r, INVALID("report.description"));
	free(s);
}
END_TEST

/* Text that did not come through the JSON decoder is still checked. */
START_TEST(test_bad_utf8)
{
	json_t	*r;

	r = base_report();
	json_object_set_new_nocheck(r, "title",
	    json_stringn_nocheck("bad \xc0\x80 utf8", 12));
	expect(r, INVALID("report.title"));

	r = base_report();
	json_object_set_new_nocheck(r, "title",
	    json_stringn_nocheck("\xed\xa0\x80", 3));
	expect(r, INVALID("report.title"));

	r = base_report();
	json_object_set_new_nocheck(r, "description",
	    json_stringn_nocheck("truncated \xe2\x82", 12));
	expect(r, INVALID("report.description"));

	r = base_report();
	json_object_set_new_nocheck(r, "description",
	    json_stringn_nocheck("\xf4\x90\x80\x80", 4));
	expect(r, INVALID("report.description"));
}
END_TEST

/* At most 1000 indicators. */
START_TEST(test_indicator_count)
{
	json_t	*a, *r;
	size_t	 i;

	a = json_array();
	for (i = 0; i < REPORT_INDICATORS_MAX; i++)
		json_array_append_new(a, parse(
		    "{\"type\":\"asn\",\"value\":\"AS64500\"}"));
	r = base_report();
	json_object_set(r, "indicators", a);
	expect(r, OK);

	json_array_append_new(a, parse("{\"type\":\"asn\",\"value\":\"AS1\"}"));
	r = base_report();
	json_object_set(r, "indicators", a);
	expect(r, INVALID("report.indicators"));

	/* The last of 1000 is checked too. */
	json_array_remove(a, REPORT_INDICATORS_MAX);
	json_array_set_new(a, REPORT_INDICATORS_MAX - 1,
	    parse("{\"type\":\"asn\",\"value\":\"AS-1\"}"));
	r = base_report();
	json_object_set(r, "indicators", a);
	expect(r, INVALID("report.indicators[999].value"));
	json_decref(a);
}
END_TEST

/* Many recipients are checked for duplicates in good time. */
START_TEST(test_many_recipients)
{
	json_t	*a, *r;
	char	 id[16];
	size_t	 i;

	a = json_array();
	for (i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "M%zu", i);
		json_array_append_new(a, json_string(id));
	}
	r = base_report();
	json_object_set(r, "recipients", a);
	expect(r, OK);

	json_array_append_new(a, json_string("M19999"));
	json_array_append_new(a, json_string("M5"));
	r = base_report();
	json_object_set(r, "recipients", a);
	expect(r, INVALID("report.recipients[20000]"));
	json_decref(a);
}
END_TEST

/* What a valid report yields. */
START_TEST(test_view)
{
	struct verdict		v = { 0 };
	struct report_view	view;
	json_t			*r;

	r = base_report();
	memset(&view, 0xa5, sizeof(view));
	ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), 0);
	ck_assert_str_eq(view.id, BASE_ID);
	ck_assert_ptr_eq(view.id, json_string_value(json_object_get(r, "id")));
	ck_assert_str_eq(view.code, "intrusions/system-compromise");
	ck_assert_int_eq(view.severity, SEVERITY_HIGH);
	ck_assert_int_eq(view.tlp, TLP_AMBER);
	ck_assert_str_eq(view.title, "Web shell on a ministry portal");
	ck_assert_int_eq(view.has_observed_at, 1);
	ck_assert_int_eq(view.observed_at, NOW - 300 * USEC);
	ck_assert_ptr_eq(view.recipients, json_object_get(r, "recipients"));
	ck_assert_int_eq(v.error, PROTO_OK);
	json_decref(r);

	r = base_report();
	json_object_del(r, "observed_at");
	json_object_del(r, "recipients");
	json_object_set_new(r, "severity", json_string("critical"));
	json_object_set_new(r, "tlp", json_string("amber+strict"));
	ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), 0);
	ck_assert_int_eq(view.has_observed_at, 0);
	ck_assert_ptr_null(view.recipients);
	ck_assert_int_eq(view.severity, SEVERITY_CRITICAL);
	ck_assert_int_eq(view.tlp, TLP_AMBER_STRICT);
	json_decref(r);

	/* A verdict can be reused: an old one is replaced, not leaked. */
	r = report_with("id", "1");
	ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), -1);
	ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), -1);
	ck_assert_str_eq(v.field, "report.id");
	verdict_clear(&v);
	json_decref(r);
}
END_TEST

/* Validate r (then free it) and return the malloc'd message. */
static char *
message_of(json_t *r)
{
	struct verdict		v = { 0 };
	struct report_view	view;
	char			*m;

	ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), -1);
	ck_assert_ptr_nonnull(v.message);
	m = strdup(v.message);
	ck_assert_ptr_nonnull(m);
	verdict_clear(&v);
	json_decref(r);
	return (m);
}

/* Messages say what is expected and never echo much of the input. */
START_TEST(test_messages)
{
	char	*m, *big;
	json_t	*r;

	m = message_of(report_with("title", "\"\""));
	ck_assert_str_eq(m, "title must be 1-200 characters of text without "
	    "control characters");
	free(m);

	m = message_of(report_with("indicators",
	    "[{\"type\":\"ipv4\",\"value\":\"1.2.3.04\"}]"));
	ck_assert_msg(strstr(m, "\"1.2.3.04\"") != NULL, "%s", m);
	ck_assert_msg(strstr(m, "not an IPv4 address") != NULL, "%s", m);
	free(m);

	m = message_of(report_with("code", "\"nosuch/code\""));
	ck_assert_msg(strstr(m, "\"nosuch/code\"") != NULL, "%s", m);
	free(m);

	m = message_of(report_with("frobnicate", "1"));
	ck_assert_msg(strstr(m, "\"frobnicate\"") != NULL, "%s", m);
	ck_assert_msg(strstr(m, "id, code, severity") != NULL, "%s", m);
	free(m);

	m = message_of(report_with("tlp", "\"white\""));
	ck_assert_msg(strstr(m, "amber+strict") != NULL, "%s", m);
	free(m);

	/* Long values are cut to 64 bytes when echoed. */
	big = malloc(100001);
	ck_assert_ptr_nonnull(big);
	memset(big, '7', 100000);
	big[100000] = '\0';
	r = base_report();
	json_object_set_new(r, "indicators", json_pack("[{s:s,s:s}]",
	    "type", "ipv4", "value", big));
	m = message_of(r);
	ck_assert_msg(strlen(m) < 200, "%zu bytes: %s", strlen(m), m);
	ck_assert_msg(strstr(m, "...") != NULL, "%s", m);
	free(m);

	r = base_report();
	json_object_set_new(r, "code", json_string(big));
	m = message_of(r);
	ck_assert_msg(strlen(m) < 200, "%zu bytes", strlen(m));
	free(m);

	/* An unknown key is cut in the field path as well. */
	{
		struct verdict		v = { 0 };
		struct report_view	view;

		r = base_report();
		json_object_set_new(r, big, json_true());
		ck_assert_int_eq(validate_report(r, tax, NOW, &view, &v), -1);
		ck_assert_int_eq(v.error, PROTO_UNKNOWN_FIELD);
		ck_assert_uint_le(strlen(v.field), strlen("report.") + 64 + 3);
		ck_assert_uint_lt(strlen(v.message), 300);
		verdict_clear(&v);
		json_decref(r);
	}
	free(big);

	/* Controls in echoed text do not reach the message. */
	m = message_of(report_with("code", "\"bad\\ncode\\u001b[2J\""));
	ck_assert_ptr_null(strchr(m, '\n'));
	ck_assert_ptr_null(strchr(m, '\x1b'));
	free(m);

	/* Cutting never splits a UTF-8 character. */
	r = base_report();
	json_object_set_new(r, "sectors", parse("[\"\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "x\\u00e9\\u00e9\"]"));
	m = message_of(r);
	r = json_string(m);
	ck_assert_msg(r != NULL, "message is not UTF-8: %s", m);
	json_decref(r);
	ck_assert_msg(strstr(m, "\xc3\xa9...") != NULL, "%s", m);
	free(m);
}
END_TEST

START_TEST(test_uuid)
{
	ck_assert_int_eq(validate_uuid(BASE_ID), 1);
	ck_assert_int_eq(validate_uuid("0B7F6F0E-4B1C-4C8E-9D1A-2A6E3F1C9B10"), 1);
	ck_assert_int_eq(validate_uuid("0b7F6f0E-4b1c-4C8e-9d1a-2a6e3f1c9b10"), 1);
	ck_assert_int_eq(validate_uuid(""), 0);
	ck_assert_int_eq(validate_uuid(NULL), 0);
	ck_assert_int_eq(validate_uuid("0b7f6f0e-4b1c-4c8e-9d1a"), 0);
	ck_assert_int_eq(validate_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1x"), 0);
	ck_assert_int_eq(validate_uuid("0b7f6f0e+4b1c-4c8e-9d1a-2a6e3f1c9b10"), 0);
	ck_assert_int_eq(validate_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\n"), 0);
	ck_assert_int_eq(validate_uuid("0b7f6f0e-4b1c-4c8e-9d1a--a6e3f1c9b10"), 0);
	ck_assert_int_eq(validate_uuid(" 0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1"), 0);
	ck_assert_int_eq(validate_uuid("urn:uuid:0b7f6f0e-4b1c-4c8e-9d1a-2a6e"), 0);
}
END_TEST

START_TEST(test_member_id)
{
	ck_assert_int_eq(validate_member_id("ID"), 1);
	ck_assert_int_eq(validate_member_id("SG"), 1);
	ck_assert_int_eq(validate_member_id("APCERT"), 1);
	ck_assert_int_eq(validate_member_id("a"), 1);
	ck_assert_int_eq(validate_member_id("my-cert_2"), 1);
	ck_assert_int_eq(validate_member_id("-"), 1);
	ck_assert_int_eq(validate_member_id("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), 1);
	ck_assert_int_eq(validate_member_id("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"), 0);
	ck_assert_int_eq(validate_member_id(""), 0);
	ck_assert_int_eq(validate_member_id(NULL), 0);
	ck_assert_int_eq(validate_member_id("S G"), 0);
	ck_assert_int_eq(validate_member_id("MY.gov"), 0);
	ck_assert_int_eq(validate_member_id("SG\n"), 0);
	ck_assert_int_eq(validate_member_id("caf\xc3\xa9"), 0);
	ck_assert_int_eq(validate_member_id("a/b"), 0);
}
END_TEST

/* Add a test case with the shared taxonomy fixture. */
static TCase *
tcase_new(const char *name)
{
	TCase	*tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	return (tc);
}

#define ADD_FIELD(s, name) do {						\
	TCase	*tc_ = tcase_new(#name);				\
									\
	tcase_add_loop_test(tc_, test_##name, 0,			\
	    (int)NITEMS(name##_cases));					\
	suite_add_tcase((s), tc_);					\
} while (0)

#define ADD_TEST(s, name) do {						\
	TCase	*tc_ = tcase_new(#name);				\
									\
	tcase_add_test(tc_, test_##name);				\
	suite_add_tcase((s), tc_);					\
} while (0)

static Suite *
validate_suite(void)
{
	Suite	*s = suite_create("validate");

	ADD_FIELD(s, id);
	ADD_FIELD(s, code);
	ADD_FIELD(s, severity);
	ADD_FIELD(s, tlp);
	ADD_FIELD(s, title);
	ADD_FIELD(s, description);
	ADD_FIELD(s, observed_at);
	ADD_FIELD(s, indicators);
	ADD_FIELD(s, sectors);
	ADD_FIELD(s, recipients);
	ADD_TEST(s, red_recipients);
	ADD_TEST(s, unknown_field);
	ADD_TEST(s, missing_field);
	ADD_TEST(s, order);
	ADD_TEST(s, not_object);
	ADD_TEST(s, lengths);
	ADD_TEST(s, bad_utf8);
	ADD_TEST(s, indicator_count);
	ADD_TEST(s, many_recipients);
	ADD_TEST(s, view);
	ADD_TEST(s, messages);
	ADD_TEST(s, uuid);
	ADD_TEST(s, member_id);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(validate_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
