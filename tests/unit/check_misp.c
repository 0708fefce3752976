/*
 * Unit tests of the MISP mapping: an alert as an event (every indicator
 * type, every TLP, threat levels, a forwarded report's creator), the
 * feed's manifest entry, and events as reports. Expected values follow
 * the MISP core format (draft-dulaunoy-misp-core-format) and the MISP
 * tlp and rsit taxonomies.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "misp.h"

static json_t *
load(const char *text)
{
	json_error_t	 e;
	json_t		*j = json_loads(text, 0, &e);

	ck_assert_msg(j != NULL, "fixture: %s", e.text);
	return (j);
}

static const char *
str(const json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

static json_t *
event_of(const char *alert_text)
{
	struct interop_alert	 a;
	json_t			*alert = load(alert_text), *e;
	char			*cause = NULL;

	ck_assert_int_eq(interop_alert_read(alert, "ASEAN", &a, &cause), 0);
	e = misp_event(&a, &cause);
	ck_assert_msg(e != NULL, "%s", cause);
	json_decref(alert);
	return (e);
}

#define EVERY_INDICATOR "[{\"type\":\"ipv4\",\"value\":\"203.0.113.7\"}," \
	"{\"type\":\"ipv6\",\"value\":\"2001:db8::7\"}," \
	"{\"type\":\"cidr\",\"value\":\"198.51.100.0/24\"}," \
	"{\"type\":\"domain\",\"value\":\"evil.example\"}," \
	"{\"type\":\"url\",\"value\":\"https://evil.example/\"}," \
	"{\"type\":\"email\",\"value\":\"a@evil.example\"}," \
	"{\"type\":\"md5\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\"}," \
	"{\"type\":\"sha1\",\"value\":" \
	"\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"}," \
	"{\"type\":\"sha256\",\"value\":\"e3b0c44298fc1c149afbf4c8996fb924" \
	"27ae41e4649b934ca495991b7852b855\"}," \
	"{\"type\":\"cve\",\"value\":\"CVE-2024-3400\"}," \
	"{\"type\":\"asn\",\"value\":\"AS64500\"}]"

#define ALERT(tlp, severity, rest) "{\"seq\":5,\"sender\":\"SG\"," \
	"\"received_at\":\"2026-11-20T07:20:01.5Z\",\"report\":{\"id\":" \
	"\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\",\"code\":" \
	"\"intrusions/system-compromise\",\"severity\":\"" severity "\"," \
	"\"tlp\":\"" tlp "\",\"title\":\"Web shell\"" rest "}}"

START_TEST(test_event_attributes)
{
	static const char *want[][3] = {
		{ "ip-dst", "Network activity", "1" },
		{ "ip-dst", "Network activity", "1" },
		{ "ip-dst", "Network activity", "1" },
		{ "domain", "Network activity", "1" },
		{ "url", "Network activity", "1" },
		{ "email-src", "Payload delivery", "1" },
		{ "md5", "Payload delivery", "1" },
		{ "sha1", "Payload delivery", "1" },
		{ "sha256", "Payload delivery", "1" },
		{ "vulnerability", "External analysis", "0" },
		{ "AS", "Network activity", "0" },
		{ "text", "Other", "0" },
	};
	json_t		*doc = event_of(ALERT("amber", "critical",
	    ",\"description\":\"More\",\"indicators\":" EVERY_INDICATOR
	    ",\"sectors\":[\"energy\"]"));
	const json_t	*e = json_object_get(doc, "Event"), *attrs, *attr;
	const json_t	*tags;
	size_t		 i, k;

	ck_assert(interop_is_uuid(str(e, "uuid")));
	ck_assert_str_eq(str(e, "info"), "Web shell");
	ck_assert_str_eq(str(e, "date"), "2026-11-20");
	ck_assert_str_eq(str(e, "timestamp"), "1795159201");
	ck_assert_str_eq(str(e, "threat_level_id"), "1");
	ck_assert_str_eq(str(e, "distribution"), "1");
	ck_assert_str_eq(str(json_object_get(e, "Orgc"), "name"), "SG");
	tags = json_object_get(e, "Tag");
	ck_assert_str_eq(str(json_array_get(tags, 0), "name"), "tlp:amber");
	ck_assert_str_eq(str(json_array_get(tags, 1), "name"),
	    "rsit:intrusions=\"system-compromise\"");
	ck_assert_str_eq(str(json_array_get(tags, 2), "name"),
	    "kentongan:severity=\"critical\"");
	ck_assert_str_eq(str(json_array_get(tags, 3), "name"),
	    "kentongan:sector=\"energy\"");
	attrs = json_object_get(e, "Attribute");
	ck_assert_uint_eq(json_array_size(attrs), 12);
	json_array_foreach(attrs, i, attr) {
		ck_assert_str_eq(str(attr, "type"), want[i][0]);
		ck_assert_str_eq(str(attr, "category"), want[i][1]);
		ck_assert_int_eq(json_is_true(json_object_get(attr, "to_ids")),
		    want[i][2][0] == '1');
		ck_assert(interop_is_uuid(str(attr, "uuid")));
		for (k = 0; k < i; k++)
			ck_assert_str_ne(str(attr, "uuid"),
			    str(json_array_get(attrs, k), "uuid"));
		ck_assert_str_ne(str(attr, "uuid"), str(e, "uuid"));
	}
	ck_assert_str_eq(str(json_array_get(attrs, 10), "value"), "AS64500");
	ck_assert_str_eq(str(json_array_get(attrs, 11), "value"), "More");
	ck_assert_str_eq(str(json_array_get(attrs, 11), "comment"),
	    MISP_DESCRIPTION_COMMENT);
	json_decref(doc);
}
END_TEST

START_TEST(test_event_tlp_and_levels)
{
	static const char *tlps[][2] = { { "clear", "3" }, { "green", "2" },
	    { "amber", "1" }, { "amber+strict", "0" }, { "red", "0" } };
	static const char *levels[][2] = { { "critical", "1" },
	    { "high", "1" }, { "medium", "2" }, { "low", "3" },
	    { "info", "4" } };
	char		 text[1024];
	json_t		*doc;
	const json_t	*e;
	size_t		 i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof text, "{\"seq\":1,\"sender\":\"SG\","
		    "\"received_at\":\"2026-11-20T07:20:01Z\",\"report\":{"
		    "\"code\":\"fraud/phishing\",\"severity\":\"%s\","
		    "\"tlp\":\"%s\",\"title\":\"t\"}}", levels[i][0],
		    tlps[i][0]);
		doc = event_of(text);
		e = json_object_get(doc, "Event");
		ck_assert_str_eq(str(e, "distribution"), tlps[i][1]);
		ck_assert_str_eq(str(e, "threat_level_id"), levels[i][1]);
		snprintf(text, sizeof text, "tlp:%s", tlps[i][0]);
		ck_assert_str_eq(str(json_array_get(json_object_get(e, "Tag"),
		    0), "name"), text);
		json_decref(doc);
	}
}
END_TEST

START_TEST(test_event_forwarded_and_manifest)
{
	json_t		*doc = event_of("{\"seq\":9,\"sender\":\"EUHUB\","
	    "\"received_at\":\"2026-11-20T07:20:01Z\",\"origin\":{\"hub\":"
	    "\"EU\",\"member\":\"DE\"},\"report\":{\"code\":\"fraud/phishing\","
	    "\"severity\":\"low\",\"tlp\":\"clear\",\"title\":\"t\","
	    "\"observed_at\":\"2026-11-19T23:00:00-02:00\"}}");
	const json_t	*e = json_object_get(doc, "Event");
	json_t		*entry;
	char		*cause = NULL;

	ck_assert_str_eq(str(json_object_get(e, "Orgc"), "name"),
	    "DE (hub EU)");
	/* The day it happened, in UTC. */
	ck_assert_str_eq(str(e, "date"), "2026-11-20");
	entry = misp_manifest_entry(doc, &cause);
	ck_assert_ptr_nonnull(entry);
	ck_assert_str_eq(str(entry, "info"), "t");
	ck_assert_str_eq(str(entry, "timestamp"), str(e, "timestamp"));
	ck_assert(json_equal(json_object_get(entry, "Orgc"),
	    json_object_get(e, "Orgc")));
	ck_assert_ptr_null(json_object_get(entry, "Attribute"));
	json_decref(entry);
	json_decref(doc);
	doc = load("{\"Event\":{\"info\":\"x\"}}");
	ck_assert_ptr_null(misp_manifest_entry(doc, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "manifest"));
	free(cause);
	json_decref(doc);
}
END_TEST

START_TEST(test_events_of_documents)
{
	json_t	*doc, *events;
	char	*cause = NULL;

	doc = load("{\"Event\":{\"info\":\"a\"}}");
	events = misp_events(doc, &cause);
	ck_assert_uint_eq(json_array_size(events), 1);
	ck_assert_str_eq(str(json_array_get(events, 0), "info"), "a");
	json_decref(events);
	json_decref(doc);
	doc = load("{\"response\":[{\"Event\":{\"info\":\"a\"}},"
	    "{\"Event\":{\"info\":\"b\"}}]}");
	events = misp_events(doc, &cause);
	ck_assert_uint_eq(json_array_size(events), 2);
	json_decref(events);
	json_decref(doc);
	doc = load("[{\"Event\":{\"info\":\"a\"}},{\"info\":\"bare\","
	    "\"Attribute\":[]}]");
	events = misp_events(doc, &cause);
	ck_assert_uint_eq(json_array_size(events), 2);
	ck_assert_str_eq(str(json_array_get(events, 1), "info"), "bare");
	json_decref(events);
	json_decref(doc);
	doc = load("{\"0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10\":{\"info\":\"a\"}}");
	ck_assert_ptr_null(misp_events(doc, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "manifest.json"));
	free(cause);
	json_decref(doc);
	doc = load("[{\"Event\":{\"info\":\"a\"}},42]");
	ck_assert_ptr_null(misp_events(doc, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "element 2"));
	free(cause);
	json_decref(doc);
	doc = load("{\"type\":\"bundle\"}");
	ck_assert_ptr_null(misp_events(doc, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not a MISP event"));
	free(cause);
	json_decref(doc);
	doc = load("{\"response\":[]}");
	ck_assert_ptr_null(misp_events(doc, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "no MISP event"));
	free(cause);
	json_decref(doc);
}
END_TEST

START_TEST(test_import_round_trip)
{
	json_t	*doc = event_of(ALERT("amber+strict", "high",
	    ",\"description\":\"More\",\"indicators\":" EVERY_INDICATOR
	    ",\"sectors\":[\"energy\"]"));
	json_t	*w = json_array(), *r, *want;
	char	*cause = NULL;

	r = misp_import(json_object_get(doc, "Event"), NULL, w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	want = load("{\"code\":\"intrusions/system-compromise\",\"severity\":"
	    "\"high\",\"tlp\":\"amber+strict\",\"title\":\"Web shell\","
	    "\"description\":\"More\",\"indicators\":" EVERY_INDICATOR ","
	    "\"sectors\":[\"energy\"]}");
	ck_assert_str_eq(str(r, "id"), str(json_object_get(doc, "Event"),
	    "uuid"));
	json_object_del(r, "id");
	ck_assert_msg(json_equal(r, want), "%s", json_dumps(r, 0));
	ck_assert_uint_eq(json_array_size(w), 0);
	json_decref(want);
	json_decref(r);
	json_decref(w);
	json_decref(doc);
}
END_TEST

/* An event as MISP's API gives it: EventTag, objects, composite types. */
#define FOREIGN "{\"uuid\":\"5f6a7b8c-0000-4000-8000-00000000abcd\"," \
	"\"info\":\"Emotet wave\",\"threat_level_id\":\"2\"," \
	"\"EventTag\":[{\"Tag\":{\"name\":\"tlp:white\"}},{\"Tag\":{\"name\":" \
	"\"rsit:malicious-code=\\\"infected-system\\\"\"}},{\"Tag\":{\"name\":" \
	"\"tlp:amber\"}}],\"Attribute\":[" \
	"{\"type\":\"ip-src|port\",\"value\":\"203.0.113.9|8080\"}," \
	"{\"type\":\"domain|ip\",\"value\":\"c2.example|2001:db8::9\"}," \
	"{\"type\":\"filename|sha1\",\"value\":" \
	"\"x.doc|da39a3ee5e6b4b0d3255bfef95601890afd80709\"}," \
	"{\"type\":\"ip-dst\",\"value\":\"203.0.113.9\"}," \
	"{\"type\":\"hostname\",\"value\":\"c2.example\"}," \
	"{\"type\":\"comment\",\"value\":\"seen twice\"}," \
	"{\"type\":\"comment\",\"value\":\"and again\"}," \
	"{\"type\":\"url\",\"value\":\"https://gone.example/\"," \
	"\"deleted\":true}," \
	"{\"type\":\"AS\",\"value\":64501}]," \
	"\"Object\":[{\"name\":\"email\",\"Attribute\":[{\"type\":" \
	"\"email-src\",\"value\":\"x@mail.example\"}]},{\"name\":\"file\"," \
	"\"deleted\":\"1\",\"Attribute\":[{\"type\":\"md5\",\"value\":" \
	"\"d41d8cd98f00b204e9800998ecf8427e\"}]}]}"

START_TEST(test_import_foreign_event)
{
	json_t	*e = load(FOREIGN), *w = json_array(), *r, *want;
	char	*cause = NULL;

	r = misp_import(e, NULL, w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	/* The strictest tlp: tag; threat level 2 is medium. */
	want = load("{\"id\":\"5f6a7b8c-0000-4000-8000-00000000abcd\","
	    "\"code\":\"malicious-code/infected-system\",\"severity\":"
	    "\"medium\",\"tlp\":\"amber\",\"title\":\"Emotet wave\","
	    "\"indicators\":[{\"type\":\"ipv4\",\"value\":\"203.0.113.9\"},"
	    "{\"type\":\"domain\",\"value\":\"c2.example\"},"
	    "{\"type\":\"ipv6\",\"value\":\"2001:db8::9\"},"
	    "{\"type\":\"sha1\",\"value\":"
	    "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"},"
	    "{\"type\":\"asn\",\"value\":\"AS64501\"},"
	    "{\"type\":\"email\",\"value\":\"x@mail.example\"}]}");
	ck_assert_msg(json_equal(r, want), "%s", json_dumps(r, 0));
	/* The two comments are said once, with their count. */
	ck_assert_uint_eq(json_array_size(w), 1);
	ck_assert_str_eq(json_string_value(json_array_get(w, 0)), "2 attributes "
	    "of type 'comment' have no indicator type in the hub; left out");
	json_decref(want);
	json_decref(r);
	json_decref(w);
	json_decref(e);
}
END_TEST

static void
refused(const char *event, const json_t *defaults, const char *why)
{
	json_t	*e = load(event);
	char	*cause = NULL;

	ck_assert_ptr_null(misp_import(e, defaults, NULL, &cause));
	ck_assert_msg(strstr(cause, why) != NULL, "%s", cause);
	free(cause);
	json_decref(e);
}

START_TEST(test_import_refusals_and_defaults)
{
	json_t	*defaults = load("{\"severity\":\"critical\",\"tlp\":\"red\"}");
	json_t	*e, *r;
	char	*cause = NULL;

	refused("{\"uuid\":\"5f6a7b8c-0000-4000-8000-00000000abcd\","
	    "\"info\":\"No code\",\"Tag\":[{\"name\":\"tlp:green\"},"
	    "{\"name\":\"rsit:fraud\"}]}", NULL,
	    "the event \"No code\" has no rsit: tag (rsit:CLASS=\"TYPE\")");
	refused("{\"uuid\":\"5f6a7b8c-0000-4000-8000-00000000abcd\","
	    "\"info\":\"No label\",\"Tag\":[{\"name\":"
	    "\"rsit:fraud=\\\"phishing\\\"\"}]}", NULL, "give --tlp");
	refused("{\"info\":\"No uuid\",\"Tag\":[]}", NULL, "no uuid");
	refused("{\"uuid\":\"5f6a7b8c-0000-4000-8000-00000000abcd\"}", NULL,
	    "no info");
	/* Threat level 4 ("undefined") and none take the default. */
	e = load("{\"uuid\":\"5f6a7b8c-0000-4000-8000-00000000abcd\","
	    "\"info\":\"Leak\",\"threat_level_id\":4,\"Tag\":[{\"name\":"
	    "\"rsit:information-content-security=data-leak\"}]}");
	r = misp_import(e, defaults, NULL, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_str_eq(str(r, "severity"), "critical");
	ck_assert_str_eq(str(r, "tlp"), "red");
	ck_assert_str_eq(str(r, "code"), "information-content-security/"
	    "data-leak");
	json_decref(r);
	json_decref(defaults);
	defaults = load("{\"tlp\":\"red\"}");
	r = misp_import(e, defaults, NULL, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_str_eq(str(r, "severity"), "info");
	json_decref(r);
	json_decref(e);
	json_decref(defaults);
}
END_TEST

START_TEST(test_import_long_info)
{
	char	 text[2048], info[601];
	json_t	*e, *w = json_array(), *r;
	char	*cause = NULL;
	size_t	 i;

	/* 300 two-byte characters: cut at 200 characters, not bytes. */
	for (i = 0; i < 300; i++)
		memcpy(info + 2 * i, "\xc3\xa9", 2);
	info[600] = '\0';
	snprintf(text, sizeof text, "{\"uuid\":\"5f6a7b8c-0000-4000-8000-"
	    "00000000abcd\",\"info\":\"%s\",\"threat_level_id\":\"1\","
	    "\"Tag\":[{\"name\":\"tlp:clear\"},{\"name\":"
	    "\"rsit:fraud=\\\"phishing\\\"\"}]}", info);
	e = load(text);
	r = misp_import(e, NULL, w, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_uint_eq(strlen(str(r, "title")), 400);
	ck_assert_uint_eq(json_array_size(w), 1);
	json_decref(r);
	json_decref(e);
	json_decref(w);
}
END_TEST

static Suite *
misp_suite(void)
{
	Suite	*s = suite_create("misp");
	TCase	*tc;

	tc = tcase_create("export");
	tcase_add_test(tc, test_event_attributes);
	tcase_add_test(tc, test_event_tlp_and_levels);
	tcase_add_test(tc, test_event_forwarded_and_manifest);
	suite_add_tcase(s, tc);
	tc = tcase_create("import");
	tcase_add_test(tc, test_events_of_documents);
	tcase_add_test(tc, test_import_round_trip);
	tcase_add_test(tc, test_import_foreign_event);
	tcase_add_test(tc, test_import_refusals_and_defaults);
	tcase_add_test(tc, test_import_long_info);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(misp_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
