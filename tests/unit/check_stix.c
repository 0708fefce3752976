/*
 * Unit tests of the STIX 2.1 mapping: patterns of every indicator type,
 * the TLP 2.0 markings, a forwarded report's origin, and import. Expected
 * values are written from STIX 2.1 (OASIS, June 2021) sections 4 and 9
 * (patterning), 7.2.1 (TLP) and the TLP 2.0 marking definitions.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stix.h"

static json_t *
load(const char *text)
{
	json_error_t	 e;
	json_t		*j = json_loads(text, 0, &e);

	ck_assert_msg(j != NULL, "fixture: %s", e.text);
	return (j);
}

static void
pattern_is(const char *type, const char *value, const char *want)
{
	char	*got = stix_pattern(type, value);

	if (want == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
	}
	free(got);
}

START_TEST(test_pattern_every_type)
{
	pattern_is("ipv4", "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']");
	pattern_is("ipv6", "2001:db8::7", "[ipv6-addr:value = '2001:db8::7']");
	pattern_is("cidr", "198.51.100.0/24",
	    "[ipv4-addr:value = '198.51.100.0/24']");
	pattern_is("cidr", "2001:db8::/32", "[ipv6-addr:value = '2001:db8::/32']");
	pattern_is("domain", "evil.example",
	    "[domain-name:value = 'evil.example']");
	pattern_is("url", "https://evil.example/x",
	    "[url:value = 'https://evil.example/x']");
	pattern_is("email", "a@evil.example",
	    "[email-addr:value = 'a@evil.example']");
	pattern_is("md5", "d41d8cd98f00b204e9800998ecf8427e",
	    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
	pattern_is("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
	pattern_is("sha256",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "[file:hashes.'SHA-256' = "
	    "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
	pattern_is("asn", "AS64500", "[autonomous-system:number = 64500]");
	pattern_is("asn", "as0064500", "[autonomous-system:number = 64500]");
	pattern_is("asn", "4294967295",
	    "[autonomous-system:number = 4294967295]");
	/* A CVE is a vulnerability object, not a pattern. */
	pattern_is("cve", "CVE-2024-3400", NULL);
	pattern_is("bogus", "x", NULL);
	pattern_is("asn", "ASx", NULL);
}
END_TEST

START_TEST(test_pattern_escapes)
{
	/* Section 9.4: in a string constant, ' and \ are escaped by \. */
	pattern_is("url", "https://e.example/a'b\\c",
	    "[url:value = 'https://e.example/a\\'b\\\\c']");
	pattern_is("email", "o'brien@e.example",
	    "[email-addr:value = 'o\\'brien@e.example']");
}
END_TEST

START_TEST(test_tlp_markings)
{
	static const char *labels[] = { "clear", "green", "amber",
	    "amber+strict", "red" };
	static const char *ids[] = {
	    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" };
	size_t	i;

	for (i = 0; i < 5; i++) {
		ck_assert_str_eq(stix_tlp_marking(labels[i]), ids[i]);
		ck_assert_str_eq(stix_tlp_label(ids[i]), labels[i]);
	}
	/* TLP 1.0 (STIX 2.1 section 7.2.1.4): WHITE reads as CLEAR. */
	ck_assert_str_eq(stix_tlp_label(
	    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), "clear");
	ck_assert_str_eq(stix_tlp_label(
	    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), "red");
	ck_assert_ptr_null(stix_tlp_marking("white"));
	ck_assert_ptr_null(stix_tlp_label("marking-definition--00000000-"
	    "0000-4000-8000-000000000000"));
}
END_TEST

static json_t *
bundle_of(const char *alert_text, const char *hub)
{
	struct interop_alert	 a;
	json_t			*alert = load(alert_text), *b;
	char			*cause = NULL;

	ck_assert_int_eq(interop_alert_read(alert, hub, &a, &cause), 0);
	b = stix_bundle(&a, &cause);
	ck_assert_msg(b != NULL, "%s", cause);
	/* The bundle owns copies: the alert may go. */
	json_decref(alert);
	return (b);
}

static const json_t *
object_of(const json_t *bundle, const char *type, size_t nth)
{
	const json_t	*o;
	size_t		 i;

	json_array_foreach(json_object_get(bundle, "objects"), i, o) {
		if (strcmp(json_string_value(json_object_get(o, "type")), type)
		    == 0 && nth-- == 0)
			return (o);
	}
	return (NULL);
}

#define ALERT_AMBER "{\"seq\":7,\"sender\":\"SG\"," \
	"\"received_at\":\"2026-11-20T07:20:01.123456Z\",\"report\":{" \
	"\"id\":\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\"," \
	"\"code\":\"malicious-code/c2-server\",\"severity\":\"critical\"," \
	"\"tlp\":\"amber+strict\",\"title\":\"C2 for the ministry\"," \
	"\"observed_at\":\"2026-11-20T15:15:00+08:00\"," \
	"\"indicators\":[{\"type\":\"ipv4\",\"value\":\"203.0.113.7\"}," \
	"{\"type\":\"cve\",\"value\":\"CVE-2024-3400\"}]," \
	"\"sectors\":[\"government\"]}}"

START_TEST(test_bundle_mapping)
{
	json_t		*b = bundle_of(ALERT_AMBER, "ASEAN"), *again;
	const json_t	*report, *ind, *vuln, *identity, *marking;
	const char	*strict =
	    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
	char		*one, *two;

	ck_assert_str_eq(json_string_value(json_object_get(b, "type")),
	    "bundle");
	/* A 2.1 bundle has no spec_version of its own. */
	ck_assert_ptr_null(json_object_get(b, "spec_version"));
	marking = object_of(b, "marking-definition", 0);
	ck_assert_str_eq(json_string_value(json_object_get(marking, "id")),
	    strict);
	ck_assert_str_eq(json_string_value(json_object_get(marking, "name")),
	    "TLP:AMBER+STRICT");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(marking, "extensions"), "extension-definition--"
	    "60a3c5c5-0d10-413e-aab3-9e08dde9e88d"), "tlp_2_0")), "amber+strict");
	report = object_of(b, "report", 0);
	ck_assert_str_eq(json_string_value(json_object_get(report, "name")),
	    "C2 for the ministry");
	/* Times are UTC at millisecond precision. */
	ck_assert_str_eq(json_string_value(json_object_get(report,
	    "published")), "2026-11-20T07:20:01.123Z");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    report, "labels"), 0)), "rsit:malicious-code/c2-server");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    report, "labels"), 1)), "severity:critical");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    report, "labels"), 2)), "sector:government");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    report, "report_types"), 1)), "malware");
	/* object_refs: every other object of the bundle. */
	ck_assert_uint_eq(json_array_size(json_object_get(report,
	    "object_refs")), json_array_size(json_object_get(b, "objects")) - 1);
	ind = object_of(b, "indicator", 0);
	ck_assert_str_eq(json_string_value(json_object_get(ind, "pattern")),
	    "[ipv4-addr:value = '203.0.113.7']");
	ck_assert_str_eq(json_string_value(json_object_get(ind, "valid_from")),
	    "2026-11-20T07:15:00.000Z");
	ck_assert_ptr_null(object_of(b, "indicator", 1));
	vuln = object_of(b, "vulnerability", 0);
	ck_assert_str_eq(json_string_value(json_object_get(vuln, "name")),
	    "CVE-2024-3400");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(vuln, "external_references"), 0), "external_id")),
	    "CVE-2024-3400");
	identity = object_of(b, "identity", 0);
	ck_assert_str_eq(json_string_value(json_object_get(identity, "name")),
	    "SG");
	ck_assert_str_eq(json_string_value(json_object_get(report,
	    "created_by_ref")), json_string_value(json_object_get(identity,
	    "id")));
	ck_assert_ptr_null(object_of(b, "identity", 1));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ind,
	    "object_marking_refs"), 0)), strict);
	/* Deterministic: the same alert gives the same bytes. */
	again = bundle_of(ALERT_AMBER, "ASEAN");
	one = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
	two = json_dumps(again, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(one, two);
	free(two);
	json_decref(again);
	/* Another hub's IDs are its own. */
	again = bundle_of(ALERT_AMBER, "EU");
	ck_assert_str_ne(json_string_value(json_object_get(b, "id")),
	    json_string_value(json_object_get(again, "id")));
	free(one);
	json_decref(again);
	json_decref(b);
}
END_TEST

START_TEST(test_bundle_forwarded_origin)
{
	json_t		*b = bundle_of("{\"seq\":9,\"sender\":\"EUHUB\","
	    "\"received_at\":\"2026-11-20T07:20:01Z\",\"tier\":\"global\","
	    "\"origin\":{\"hub\":\"EU\",\"member\":\"DE\",\"seq\":3,"
	    "\"path\":[\"EU\"]},\"report\":{\"id\":"
	    "\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\",\"code\":"
	    "\"vulnerable/vulnerable-system\",\"severity\":\"low\",\"tlp\":"
	    "\"clear\",\"title\":\"Open resolver\"}}", "ASEAN");
	const json_t	*sender, *origin, *report;
	json_t		*own;

	sender = object_of(b, "identity", 0);
	origin = object_of(b, "identity", 1);
	report = object_of(b, "report", 0);
	ck_assert_ptr_nonnull(origin);
	ck_assert_str_eq(json_string_value(json_object_get(sender, "name")),
	    "EUHUB");
	ck_assert_str_eq(json_string_value(json_object_get(origin, "name")),
	    "DE (hub EU)");
	/* The report was created by its origin, not by the hub passing it. */
	ck_assert_str_eq(json_string_value(json_object_get(report,
	    "created_by_ref")), json_string_value(json_object_get(origin,
	    "id")));
	/* The origin hub, exporting its own member's report, names DE so. */
	own = bundle_of("{\"seq\":3,\"sender\":\"DE\",\"received_at\":"
	    "\"2026-11-20T07:20:00Z\",\"report\":{\"id\":"
	    "\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\",\"code\":"
	    "\"vulnerable/vulnerable-system\",\"severity\":\"low\",\"tlp\":"
	    "\"clear\",\"title\":\"Open resolver\"}}", "EU");
	ck_assert_str_eq(json_string_value(json_object_get(object_of(own,
	    "identity", 0), "id")), json_string_value(json_object_get(origin,
	    "id")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    report, "report_types"), 1)), "vulnerability");
	json_decref(own);
	json_decref(b);
}
END_TEST

START_TEST(test_bundle_refusals)
{
	struct interop_alert	 a;
	json_t			*alert;
	char			*cause = NULL;

	alert = load("{\"seq\":1,\"sender\":\"SG\",\"received_at\":\"soon\","
	    "\"report\":{\"code\":\"fraud/phishing\",\"severity\":\"low\","
	    "\"tlp\":\"green\",\"title\":\"t\"}}");
	ck_assert_int_eq(interop_alert_read(alert, "H", &a, &cause), 0);
	ck_assert_ptr_null(stix_bundle(&a, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "received_at"));
	free(cause);
	json_decref(alert);
	alert = load("{\"seq\":1,\"sender\":\"SG\",\"received_at\":"
	    "\"2026-11-20T07:20:00Z\",\"report\":{\"code\":\"fraud/phishing\","
	    "\"severity\":\"low\",\"tlp\":\"white\",\"title\":\"t\"}}");
	ck_assert_int_eq(interop_alert_read(alert, "H", &a, &cause), 0);
	ck_assert_ptr_null(stix_bundle(&a, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "TLP"));
	free(cause);
	json_decref(alert);
}
END_TEST

static json_t *
patterns(const char *pattern, json_t *warnings)
{
	return (stix_pattern_read(pattern, warnings));
}

static void
indicator_is(const json_t *list, size_t i, const char *type,
    const char *value)
{
	const json_t	*ind = json_array_get(list, i);

	ck_assert_ptr_nonnull(ind);
	ck_assert_str_eq(json_string_value(json_object_get(ind, "type")), type);
	ck_assert_str_eq(json_string_value(json_object_get(ind, "value")),
	    value);
}

START_TEST(test_pattern_read)
{
	json_t	*w = json_array(), *l;

	l = patterns("[ipv4-addr:value = '198.51.100.0/24']", w);
	indicator_is(l, 0, "cidr", "198.51.100.0/24");
	json_decref(l);
	l = patterns("[url:value = 'https://e.example/a\\'b\\\\c']", w);
	indicator_is(l, 0, "url", "https://e.example/a'b\\c");
	json_decref(l);
	/* OR inside, OR/FOLLOWEDBY between, qualifiers: all names read. */
	l = patterns("([file:hashes.'SHA-256' = '" "e3b0c44298fc1c149afbf4c8996"
	    "fb92427ae41e4649b934ca495991b7852b855' OR file:hashes.MD5 = "
	    "'d41d8cd98f00b204e9800998ecf8427e'] FOLLOWEDBY "
	    "[domain-name:value='evil.example']) WITHIN 300 SECONDS", w);
	ck_assert_uint_eq(json_array_size(l), 3);
	indicator_is(l, 0, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e"
	    "4649b934ca495991b7852b855");
	indicator_is(l, 1, "md5", "d41d8cd98f00b204e9800998ecf8427e");
	indicator_is(l, 2, "domain", "evil.example");
	json_decref(l);
	l = patterns("[autonomous-system:number = 64500] START "
	    "t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'", w);
	indicator_is(l, 0, "asn", "AS64500");
	json_decref(l);
	l = patterns("[network-traffic:dst_ref.value = '2001:db8::1']", w);
	indicator_is(l, 0, "ipv6", "2001:db8::1");
	json_decref(l);
	ck_assert_uint_eq(json_array_size(w), 0);
	/* What the hub cannot carry is left out, said in a warning. */
	l = patterns("[file:name = 'a.exe' AND file:size > 10 AND "
	    "email-addr:value = 'x@e.example']", w);
	ck_assert_uint_eq(json_array_size(l), 1);
	indicator_is(l, 0, "email", "x@e.example");
	ck_assert_uint_eq(json_array_size(w), 2);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 0)),
	    "file:name"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 1)),
	    "file:size >"));
	json_decref(l);
	json_array_clear(w);
	/* Not a pattern: NULL, and a warning that says where. */
	ck_assert_ptr_null(patterns("ipv4-addr:value = '1.2.3.4'", w));
	ck_assert_ptr_null(patterns("[ipv4-addr:value = '1.2.3.4'", w));
	ck_assert_ptr_null(patterns("[ipv4-addr:value '1.2.3.4']", w));
	ck_assert_ptr_null(patterns("[url:value = 'unterminated]", w));
	ck_assert_ptr_null(patterns("", w));
	ck_assert_uint_eq(json_array_size(w), 5);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 2)),
	    "no comparison operator"));
	json_decref(w);
}
END_TEST

START_TEST(test_import_round_trip)
{
	json_t		*b = bundle_of(ALERT_AMBER, "ASEAN"), *w = json_array();
	json_t		*r, *want;
	char		*cause = NULL, *got, *wanted;

	r = stix_import(b, NULL, w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	want = load("{\"code\":\"malicious-code/c2-server\",\"severity\":"
	    "\"critical\",\"tlp\":\"amber+strict\",\"title\":\"C2 for the "
	    "ministry\",\"indicators\":[{\"type\":\"ipv4\",\"value\":"
	    "\"203.0.113.7\"},{\"type\":\"cve\",\"value\":\"CVE-2024-3400\"}],"
	    "\"sectors\":[\"government\"]}");
	/* The id is the report object's UUID. */
	ck_assert(interop_is_uuid(json_string_value(json_object_get(r, "id"))));
	json_object_del(r, "id");
	got = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	wanted = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(got, wanted);
	ck_assert_uint_eq(json_array_size(w), 0);
	free(got);
	free(wanted);
	json_decref(want);
	json_decref(r);
	json_decref(w);
	json_decref(b);
}
END_TEST

/* A bundle another tool might write: TLP 1.0 marking, no severity. */
#define FOREIGN "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-" \
	"9642-33f4c354e56d\",\"objects\":[{\"type\":\"report\"," \
	"\"spec_version\":\"2.1\",\"id\":\"report--84e4d88f-44ea-4bcd-bbf3-" \
	"b2c1c320bcb3\",\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\"" \
	":\"2026-01-01T00:00:00.000Z\",\"name\":\"Campaign\",\"published\":" \
	"\"2026-01-01T00:00:00Z\",\"labels\":[\"rsit:fraud/phishing\"]," \
	"\"object_refs\":[\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"" \
	",\"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b\",\"vulnerability--" \
	"0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\",\"indicator--11111111-1111-" \
	"4111-8111-111111111111\"],\"object_marking_refs\":[" \
	"\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da\"]}," \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" \
	"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"pattern_type\":\"stix\"," \
	"\"pattern\":\"[url:value = 'https://phish.example/']\"}," \
	"{\"type\":\"malware\",\"id\":\"malware--31b940d4-6f7f-459a-80ea-" \
	"9c1f17b5891b\"},{\"type\":\"vulnerability\",\"id\":\"vulnerability--" \
	"0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\",\"name\":\"CVE-2021-44228\"}]}"

START_TEST(test_import_foreign_bundle)
{
	json_t	*b = load(FOREIGN), *w = json_array(), *r, *defaults;
	char	*cause = NULL;

	/* No severity label and no default: refused, saying what to give. */
	ck_assert_ptr_null(stix_import(b, NULL, w, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "--severity"));
	free(cause);
	json_array_clear(w);
	defaults = load("{\"severity\":\"medium\",\"tlp\":\"red\"}");
	r = stix_import(b, defaults, w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")),
	    "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3");
	ck_assert_str_eq(json_string_value(json_object_get(r, "severity")),
	    "medium");
	/* The report's own marking beats the default. */
	ck_assert_str_eq(json_string_value(json_object_get(r, "tlp")), "green");
	indicator_is(json_object_get(r, "indicators"), 0, "url",
	    "https://phish.example/");
	indicator_is(json_object_get(r, "indicators"), 1, "cve",
	    "CVE-2021-44228");
	/* The malware and the reference outside the bundle are said. */
	ck_assert_uint_eq(json_array_size(w), 2);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 0)),
	    "malware"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 1)),
	    "not in the bundle"));
	json_decref(r);
	json_decref(defaults);
	json_decref(w);
	json_decref(b);
}
END_TEST

static void
refused(const char *text, const char *why)
{
	json_t	*b = load(text);
	char	*cause = NULL;

	ck_assert_ptr_null(stix_import(b, NULL, NULL, &cause));
	ck_assert_msg(strstr(cause, why) != NULL, "%s", cause);
	free(cause);
	json_decref(b);
}

START_TEST(test_import_refusals)
{
	refused("{\"type\":\"bundle\",\"objects\":[]}", "no report object");
	refused("[1]", "not a STIX bundle");
	refused("{\"type\":\"bundle\",\"objects\":{}}", "not a STIX bundle");
	refused("{\"type\":\"bundle\",\"objects\":[{\"type\":\"report\"},"
	    "{\"type\":\"report\"}]}", "2 report objects");
	refused("{\"type\":\"bundle\",\"objects\":[{\"type\":\"report\","
	    "\"id\":\"report--x\"}]}", "report--UUID");
	refused("{\"type\":\"bundle\",\"objects\":[{\"type\":\"report\","
	    "\"id\":\"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3\"}]}",
	    "no name");
	refused("{\"type\":\"bundle\",\"objects\":[{\"type\":\"report\","
	    "\"id\":\"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3\","
	    "\"name\":\"n\",\"labels\":[\"rsit:\"]}]}", "no rsit: label");
	refused("{\"type\":\"bundle\",\"objects\":[{\"type\":\"report\","
	    "\"id\":\"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3\","
	    "\"name\":\"n\",\"labels\":[\"rsit:fraud/phishing\","
	    "\"severity:low\"]}]}", "no TLP marking; give --tlp");
}
END_TEST

static Suite *
stix_suite(void)
{
	Suite	*s = suite_create("stix");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_pattern_every_type);
	tcase_add_test(tc, test_pattern_escapes);
	tcase_add_test(tc, test_tlp_markings);
	tcase_add_test(tc, test_bundle_mapping);
	tcase_add_test(tc, test_bundle_forwarded_origin);
	tcase_add_test(tc, test_bundle_refusals);
	tcase_add_test(tc, test_pattern_read);
	tcase_add_test(tc, test_import_round_trip);
	tcase_add_test(tc, test_import_foreign_bundle);
	tcase_add_test(tc, test_import_refusals);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(stix_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
