/* Unit tests of the forward message between hubs and of the stored origin. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "conf.h"
#include "forward.h"
#include "verdict.h"

/* 2026-11-20T07:15:00Z, in microseconds. */
#define T0		INT64_C(1795158900000000)
#define WHEN		"2026-11-20T07:15:00.123Z"
#define REPORT		"{\"id\":\"0B7F6F0E-4B1C-4C8E-9D1A-2A6E3F1C9B10\"," \
			"\"tlp\":\"green\"}"
#define ID_CHARS	"(1 to 32 of A-Z a-z 0-9 _ -)"
/* 32 characters, the longest ID; 33 is one too many. */
#define ID32		"abcdefghijklmnopqrstuvwxyz_-0123"
#define ID33		ID32 "4"

/* A forward of a report of CERT-FR at the EU hub, as AU sends it on. */
#define FORWARD								\
	"{\"type\":\"forward\",\"ref\":\"7\",\"forward\":{\"origin\":"	\
	"{\"hub\":\"EU\",\"member\":\"CERT-FR\",\"seq\":42,"		\
	"\"received_at\":\"" WHEN "\"},\"path\":[\"EU\",\"AU\"],"	\
	"\"report\":" REPORT "}}"

/* JSON text into a value, any kind, failing the test if it is not JSON. */
static json_t *
load(const char *text)
{
	json_error_t	 err;
	json_t		*j;

	j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(j != NULL, "%s: %s", text, err.text);
	return (j);
}

/*
 * The object that holds the last key of a dotted path ("forward.origin.hub")
 * in msg, and that key.
 */
static json_t *
parent_of(json_t *msg, const char *path, char *key, size_t size)
{
	const char	*dot;
	json_t		*j = msg;
	char		 part[64];

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
		j = json_object_get(j, part);
		ck_assert_msg(json_is_object(j), "no object at %s", part);
		path = dot + 1;
	}
	snprintf(key, size, "%s", path);
	return (j);
}

/* The valid forward with the value at path removed. */
static json_t *
without(const char *path)
{
	json_t	*msg = load(FORWARD), *parent;
	char	 key[64];

	parent = parent_of(msg, path, key, sizeof key);
	ck_assert_int_eq(json_object_del(parent, key), 0);
	return (msg);
}

/* The valid forward with the value at path set to the JSON text value. */
static json_t *
with(const char *path, const char *value)
{
	json_t	*msg = load(FORWARD), *parent;
	char	 key[64];

	parent = parent_of(msg, path, key, sizeof key);
	ck_assert_int_eq(json_object_set_new(parent, key, load(value)), 0);
	return (msg);
}

/* A JSON array of n hub IDs: the origin EU, then H1, H2, ... */
static char *
path_text(size_t n)
{
	char	*text, *p;
	size_t	 i;

	text = malloc(n * 8 + 8);
	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "[\"EU\"");
	for (i = 1; i < n; i++)
		p += sprintf(p, ",\"H%zu\"", i);
	strcpy(p, "]");
	return (text);
}

/* The valid forward with a path of n hubs (see path_text). */
static json_t *
with_path_of(size_t n)
{
	char	*path = path_text(n);
	json_t	*msg = with("forward.path", path);

	free(path);
	return (msg);
}

/* The path of o as "A > B > C". */
static char *
path_str(const struct origin *o)
{
	char	*s = calloc(1, CONF_PATH_MAX * (CONF_MEMBER_ID_MAX + 3) + 1);
	size_t	 i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < o->npath; i++) {
		if (i > 0)
			strcat(s, " > ");
		strcat(s, o->path[i]);
	}
	return (s);
}

/* The path of o must be exactly want ("A > B"). */
#define EXPECT_PATH(o, want) do {					\
	char	*got_ = path_str(o);					\
									\
	ck_assert_msg(strcmp(got_, (want)) == 0, "path \"%s\", "	\
	    "expected \"%s\"", got_, (want));				\
	free(got_);							\
} while (0)

/* msg (consumed) must decode from peer from into *o. */
static void
decode_ok_at(int line, json_t *msg, const char *from, struct origin *o)
{
	struct verdict	 v = { PROTO_OK, NULL, NULL };
	const json_t	*report = NULL, *f;
	int		 rc;

	memset(o, 0xa5, sizeof *o);
	rc = forward_decode(msg, from, o, &report, &v);
	ck_assert_msg(rc == 0, "line %d: refused: %s %s: %s", line,
	    proto_error_name(v.error), v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
	/* The report is the one inside the message, not a copy. */
	f = json_object_get(msg, "forward");
	ck_assert_ptr_eq(report, json_object_get(f, "report"));
	json_decref(msg);
}
#define DECODE_OK(msg, from, o)	decode_ok_at(__LINE__, (msg), (from), (o))

/* msg (consumed) must be refused with exactly this error, field and message. */
static void
refused_at(int line, json_t *msg, const char *from, enum proto_error error,
    const char *field, const char *message)
{
	struct verdict	 v = { PROTO_OK, NULL, NULL };
	struct origin	 o;
	const json_t	*report = NULL;
	int		 rc;

	rc = forward_decode(msg, from, &o, &report, &v);
	ck_assert_msg(rc == -1, "line %d: accepted", line);
	ck_assert_msg(v.error == error, "line %d: %s, expected %s", line,
	    proto_error_name(v.error), proto_error_name(error));
	ck_assert_msg(v.field != NULL && strcmp(v.field, field) == 0,
	    "line %d: field %s, expected %s", line,
	    v.field != NULL ? v.field : "(null)", field);
	ck_assert_msg(v.message != NULL && strcmp(v.message, message) == 0,
	    "line %d: message \"%s\", expected \"%s\"", line,
	    v.message != NULL ? v.message : "(null)", message);
	verdict_clear(&v);
	json_decref(msg);
}
#define REFUSED(msg, from, error, field, message)			\
	refused_at(__LINE__, (msg), (from), (error), (field), (message))

START_TEST(test_decode_valid)
{
	struct verdict	 v = { PROTO_OK, NULL, NULL };
	struct origin	 o;
	const json_t	*report = NULL;
	json_t		*msg, *want;

	msg = load(FORWARD);
	memset(&o, 0xa5, sizeof o);
	ck_assert_int_eq(forward_decode(msg, "AU", &o, &report, &v), 0);
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_str_eq(o.hub, "EU");
	ck_assert_str_eq(o.member, "CERT-FR");
	ck_assert_int_eq(o.seq, 42);
	ck_assert_int_eq(o.received_at, T0 + 123000);
	ck_assert_uint_eq(o.npath, 2);
	ck_assert_str_eq(o.path[0], "EU");
	ck_assert_str_eq(o.path[1], "AU");
	/* What is past the path is cleared, not left from before. */
	ck_assert_str_eq(o.path[2], "");
	want = load(REPORT);
	ck_assert(json_equal(report, want));
	ck_assert_ptr_eq(report, json_object_get(json_object_get(msg,
	    "forward"), "report"));
	json_decref(want);
	json_decref(msg);

	/* Without ref or type: the envelope's keys are allowed, not required. */
	msg = without("ref");
	ck_assert_int_eq(json_object_del(msg, "type"), 0);
	DECODE_OK(msg, "AU", &o);
	EXPECT_PATH(&o, "EU > AU");

	/* An offset and a fraction of a second: UTC microseconds. */
	DECODE_OK(with("forward.origin.received_at",
	    "\"2026-11-20T09:15:00.5+02:00\""), "AU", &o);
	ck_assert_int_eq(o.received_at, T0 + 500000);
	DECODE_OK(with("forward.origin.received_at",
	    "\"2026-11-20T07:15:00.123456Z\""), "AU", &o);
	ck_assert_int_eq(o.received_at, T0 + 123456);

	/* The bounds of seq and of IDs. */
	DECODE_OK(with("forward.origin.seq", "1"), "AU", &o);
	ck_assert_int_eq(o.seq, 1);
	DECODE_OK(with("forward.origin.seq", "9223372036854775807"), "AU", &o);
	ck_assert_int_eq(o.seq, INT64_MAX);
	DECODE_OK(with("forward.origin.member", "\"" ID32 "\""), "AU", &o);
	ck_assert_str_eq(o.member, ID32);
	msg = with("forward.origin.hub", "\"" ID32 "\"");
	ck_assert_int_eq(json_object_set_new(json_object_get(msg, "forward"),
	    "path", load("[\"" ID32 "\",\"AU\"]")), 0);
	DECODE_OK(msg, "AU", &o);
	ck_assert_str_eq(o.hub, ID32);
	ck_assert_str_eq(o.path[0], ID32);
	/* The report object is not looked into: the caller validates it. */
	DECODE_OK(with("forward.report", "{}"), "AU", &o);
	DECODE_OK(with("forward.report", "{\"colour\":[1,2]}"), "AU", &o);
}
END_TEST

START_TEST(test_decode_missing)
{
	REFUSED(without("forward"), "AU", PROTO_MISSING_FIELD, "forward",
	    "a forward message needs a \"forward\" object");
	REFUSED(without("forward.origin"), "AU", PROTO_MISSING_FIELD,
	    "forward.origin", "a forward needs an \"origin\" object");
	REFUSED(without("forward.origin.hub"), "AU", PROTO_MISSING_FIELD,
	    "forward.origin.hub", "forward.origin.hub is required");
	REFUSED(without("forward.origin.member"), "AU", PROTO_MISSING_FIELD,
	    "forward.origin.member", "forward.origin.member is required");
	REFUSED(without("forward.origin.seq"), "AU", PROTO_MISSING_FIELD,
	    "forward.origin.seq", "forward.origin.seq is required");
	REFUSED(without("forward.origin.received_at"), "AU",
	    PROTO_MISSING_FIELD, "forward.origin.received_at",
	    "forward.origin.received_at is required");
	REFUSED(without("forward.path"), "AU", PROTO_MISSING_FIELD,
	    "forward.path", "a forward needs a \"path\" array");
	REFUSED(without("forward.report"), "AU", PROTO_MISSING_FIELD,
	    "forward.report", "a forward needs a \"report\" object");
	/* Everything missing: the forward object is named first. */
	REFUSED(load("{\"type\":\"forward\"}"), "AU", PROTO_MISSING_FIELD,
	    "forward", "a forward message needs a \"forward\" object");
	REFUSED(load("{\"type\":\"forward\",\"forward\":{}}"), "AU",
	    PROTO_MISSING_FIELD, "forward.origin",
	    "a forward needs an \"origin\" object");
	REFUSED(with("forward.origin", "{}"), "AU", PROTO_MISSING_FIELD,
	    "forward.origin.hub", "forward.origin.hub is required");
}
END_TEST

START_TEST(test_decode_wrong_types)
{
	static const char *not_objects[] = { "5", "[]", "\"x\"", "null",
	    "true" };
	static const char *not_ids[] = { "5", "\"\"", "\"E.U\"", "\"E U\"",
	    "\"" ID33 "\"", "null", "[\"EU\"]", "{}" };
	static const char *not_seqs[] = { "0", "-1", "\"42\"", "42.0",
	    "true", "null", "-9223372036854775807" };
	static const char *not_times[] = { "1795158900", "\"\"",
	    "\"2026-11-20\"", "\"2026-02-30T00:00:00Z\"",
	    "\"2026-11-20 07:15:00Z\"", "\"yesterday\"", "null" };
	static const char *not_paths[] = { "\"EU\"", "{}", "[]", "null", "7" };
	static const char *not_path_ids[] = { "5", "\"\"", "\"A/B\"", "null",
	    "\"" ID33 "\"", "[\"AU\"]" };
	char	 path[128];
	size_t	 i;

	for (i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
		REFUSED(with("forward", not_objects[i]), "AU",
		    PROTO_INVALID_FIELD, "forward",
		    "forward must be an object");
		REFUSED(with("forward.origin", not_objects[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.origin",
		    "forward.origin must be an object");
		REFUSED(with("forward.report", not_objects[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.report",
		    "forward.report must be an object");
	}
	for (i = 0; i < sizeof not_ids / sizeof not_ids[0]; i++) {
		REFUSED(with("forward.origin.hub", not_ids[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.origin.hub",
		    "forward.origin.hub must be a hub or member ID " ID_CHARS);
		REFUSED(with("forward.origin.member", not_ids[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.origin.member",
		    "forward.origin.member must be a hub or member ID "
		    ID_CHARS);
	}
	for (i = 0; i < sizeof not_seqs / sizeof not_seqs[0]; i++)
		REFUSED(with("forward.origin.seq", not_seqs[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.origin.seq",
		    "forward.origin.seq must be a positive integer");
	for (i = 0; i < sizeof not_times / sizeof not_times[0]; i++)
		REFUSED(with("forward.origin.received_at", not_times[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.origin.received_at",
		    "forward.origin.received_at must be an RFC 3339 time");
	for (i = 0; i < sizeof not_paths / sizeof not_paths[0]; i++)
		REFUSED(with("forward.path", not_paths[i]), "AU",
		    PROTO_INVALID_FIELD, "forward.path",
		    "forward.path must be an array of hub IDs, the origin "
		    "first");
	for (i = 0; i < sizeof not_path_ids / sizeof not_path_ids[0]; i++) {
		snprintf(path, sizeof path, "[\"EU\",%s,\"AU\"]",
		    not_path_ids[i]);
		REFUSED(with("forward.path", path), "AU", PROTO_INVALID_FIELD,
		    "forward.path[1]", "forward.path[1] must be a hub ID "
		    ID_CHARS);
		snprintf(path, sizeof path, "[%s,\"AU\"]", not_path_ids[i]);
		REFUSED(with("forward.path", path), "AU", PROTO_INVALID_FIELD,
		    "forward.path[0]", "forward.path[0] must be a hub ID "
		    ID_CHARS);
	}
	/* The origin is checked before the path, the path before the report. */
	{
		json_t	*msg = with("forward.origin.seq", "0");

		ck_assert_int_eq(json_object_set_new(json_object_get(msg,
		    "forward"), "path", json_integer(1)), 0);
		ck_assert_int_eq(json_object_set_new(json_object_get(msg,
		    "forward"), "report", json_integer(1)), 0);
		REFUSED(msg, "AU", PROTO_INVALID_FIELD, "forward.origin.seq",
		    "forward.origin.seq must be a positive integer");
		msg = with("forward.path", "[]");
		ck_assert_int_eq(json_object_del(json_object_get(msg,
		    "forward"), "report"), 0);
		REFUSED(msg, "AU", PROTO_INVALID_FIELD, "forward.path",
		    "forward.path must be an array of hub IDs, the origin "
		    "first");
	}
}
END_TEST

START_TEST(test_decode_unknown_fields)
{
	REFUSED(with("hops", "2"), "AU", PROTO_UNKNOWN_FIELD, "hops",
	    "unknown field \"hops\"");
	REFUSED(with("forward.hops", "2"), "AU", PROTO_UNKNOWN_FIELD,
	    "forward.hops", "unknown field \"hops\"");
	REFUSED(with("forward.origin.via", "\"AU\""), "AU",
	    PROTO_UNKNOWN_FIELD, "forward.origin.via",
	    "unknown field \"via\"");
	/* The path belongs to the forward, not to its origin. */
	REFUSED(with("forward.origin.path", "[\"EU\"]"), "AU",
	    PROTO_UNKNOWN_FIELD, "forward.origin.path",
	    "unknown field \"path\"");
	/* Keys match whole and in their case. */
	REFUSED(with("forward.Origin", "{}"), "AU", PROTO_UNKNOWN_FIELD,
	    "forward.Origin", "unknown field \"Origin\"");
	REFUSED(with("Type", "\"forward\""), "AU", PROTO_UNKNOWN_FIELD,
	    "Type", "unknown field \"Type\"");
	/* An unknown key is named before a missing one of the same object. */
	{
		json_t	*msg = with("forward.origin.hubb", "\"EU\"");

		ck_assert_int_eq(json_object_del(json_object_get(
		    json_object_get(msg, "forward"), "origin"), "hub"), 0);
		REFUSED(msg, "AU", PROTO_UNKNOWN_FIELD, "forward.origin.hubb",
		    "unknown field \"hubb\"");
		msg = with("forward.extra", "1");
		ck_assert_int_eq(json_object_del(json_object_get(msg,
		    "forward"), "origin"), 0);
		REFUSED(msg, "AU", PROTO_UNKNOWN_FIELD, "forward.extra",
		    "unknown field \"extra\"");
	}
}
END_TEST

START_TEST(test_decode_path_rules)
{
	struct origin	 o;
	char		 want[256];

	/* The longest path, the sender last: kept as it is. */
	DECODE_OK(with_path_of(CONF_PATH_MAX), "H15", &o);
	ck_assert_uint_eq(o.npath, CONF_PATH_MAX);
	ck_assert_str_eq(o.path[0], "EU");
	ck_assert_str_eq(o.path[CONF_PATH_MAX - 1], "H15");
	/* One more is refused, whoever sends it. */
	snprintf(want, sizeof want, "forward.path may hold at most %d hubs",
	    CONF_PATH_MAX);
	REFUSED(with_path_of(CONF_PATH_MAX + 1), "H16", PROTO_INVALID_FIELD,
	    "forward.path", want);
	REFUSED(with_path_of(100), "AU", PROTO_INVALID_FIELD, "forward.path",
	    want);
	REFUSED(with("forward.path", "[]"), "AU", PROTO_INVALID_FIELD,
	    "forward.path", "forward.path must be an array of hub IDs, the "
	    "origin first");

	/* A hub twice, next to itself or apart. */
	REFUSED(with("forward.path", "[\"EU\",\"AU\",\"EU\"]"), "EU",
	    PROTO_INVALID_FIELD, "forward.path[2]",
	    "forward.path[2]: hub EU is on the path twice");
	REFUSED(with("forward.path", "[\"EU\",\"AU\",\"AU\"]"), "AU",
	    PROTO_INVALID_FIELD, "forward.path[2]",
	    "forward.path[2]: hub AU is on the path twice");
	REFUSED(with("forward.path", "[\"EU\",\"NZ\",\"JP\",\"NZ\",\"AU\"]"),
	    "AU", PROTO_INVALID_FIELD, "forward.path[3]",
	    "forward.path[3]: hub NZ is on the path twice");
	/* IDs are compared whole and in their case. */
	DECODE_OK(with("forward.path", "[\"EU\",\"au\",\"AUS\",\"AU\"]"),
	    "AU", &o);
	EXPECT_PATH(&o, "EU > au > AUS > AU");

	/* The path starts at the origin hub. */
	REFUSED(with("forward.path", "[\"AU\"]"), "AU", PROTO_INVALID_FIELD,
	    "forward.path[0]", "the path starts at the origin hub, EU");
	REFUSED(with("forward.path", "[\"eu\",\"AU\"]"), "AU",
	    PROTO_INVALID_FIELD, "forward.path[0]",
	    "the path starts at the origin hub, EU");
	REFUSED(with("forward.path", "[\"AU\",\"EU\"]"), "EU",
	    PROTO_INVALID_FIELD, "forward.path[0]",
	    "the path starts at the origin hub, EU");
}
END_TEST

START_TEST(test_decode_sending_peer)
{
	struct origin	 o;
	char		 want[256];

	/* A peer that left itself out is put last. */
	DECODE_OK(with("forward.path", "[\"EU\"]"), "AU", &o);
	EXPECT_PATH(&o, "EU > AU");
	ck_assert_uint_eq(o.npath, 2);
	DECODE_OK(with("forward.path", "[\"EU\",\"NZ\"]"), "AU", &o);
	EXPECT_PATH(&o, "EU > NZ > AU");
	/* Already last: the path stays as it is. */
	DECODE_OK(load(FORWARD), "AU", &o);
	EXPECT_PATH(&o, "EU > AU");
	/* The origin hub sending its own report. */
	DECODE_OK(with("forward.path", "[\"EU\"]"), "EU", &o);
	EXPECT_PATH(&o, "EU");
	ck_assert_uint_eq(o.npath, 1);
	/* A name that only looks like one on the path is another hub. */
	DECODE_OK(with("forward.path", "[\"EU\",\"AUS\"]"), "AU", &o);
	EXPECT_PATH(&o, "EU > AUS > AU");

	/* On the path but not last: it cannot hide behind others. */
	REFUSED(with("forward.path", "[\"EU\",\"AU\",\"NZ\"]"), "AU",
	    PROTO_INVALID_FIELD, "forward.path",
	    "the sending hub, AU, must be last on the path");
	REFUSED(load(FORWARD), "EU", PROTO_INVALID_FIELD, "forward.path",
	    "the sending hub, EU, must be last on the path");
	REFUSED(with_path_of(CONF_PATH_MAX), "H3", PROTO_INVALID_FIELD,
	    "forward.path", "the sending hub, H3, must be last on the path");

	/* A full path with no room for the sender. */
	snprintf(want, sizeof want, "forward.path may hold at most %d hubs",
	    CONF_PATH_MAX);
	REFUSED(with_path_of(CONF_PATH_MAX), "AU", PROTO_INVALID_FIELD,
	    "forward.path", want);
	/* One short of full: the sender fills it. */
	DECODE_OK(with_path_of(CONF_PATH_MAX - 1), "AU", &o);
	ck_assert_uint_eq(o.npath, CONF_PATH_MAX);
	ck_assert_str_eq(o.path[CONF_PATH_MAX - 2], "H14");
	ck_assert_str_eq(o.path[CONF_PATH_MAX - 1], "AU");
}
END_TEST

/* An origin of hub with the path given as "A B C". */
static void
origin_of(struct origin *o, const char *hub, const char *path)
{
	const char	*p = path;
	size_t		 n;

	memset(o, 0, sizeof *o);
	snprintf(o->hub, sizeof o->hub, "%s", hub);
	snprintf(o->member, sizeof o->member, "CERT-FR");
	o->seq = 42;
	o->received_at = T0 + 123000;
	while (*p != '\0') {
		n = strcspn(p, " ");
		ck_assert_uint_lt(o->npath, CONF_PATH_MAX);
		snprintf(o->path[o->npath++], sizeof o->path[0], "%.*s",
		    (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
}

/* forward_loop on an origin must say there is no loop. */
static void
no_loop(const struct origin *o, const char *hub_id)
{
	struct verdict	v = { PROTO_OK, NULL, NULL };

	ck_assert_int_eq(forward_loop(o, hub_id, &v), 0);
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
}

/* forward_loop on an origin must find a loop, with exactly message. */
static void
loop(const struct origin *o, const char *hub_id, const char *message)
{
	struct verdict	v = { PROTO_OK, NULL, NULL };

	ck_assert_int_eq(forward_loop(o, hub_id, &v), -1);
	ck_assert_str_eq(proto_error_name(v.error), "loop_detected");
	ck_assert_int_eq(v.error, PROTO_LOOP_DETECTED);
	ck_assert_str_eq(v.field, "forward.path");
	ck_assert_str_eq(v.message, message);
	verdict_clear(&v);
}

START_TEST(test_loop)
{
	struct origin	o;
	size_t		i;
	char		want[1024];

	origin_of(&o, "EU", "EU AU");
	no_loop(&o, "ASEAN");
	no_loop(&o, "E");
	no_loop(&o, "EU2");
	no_loop(&o, "eu");
	loop(&o, "EU", "this hub, EU, is already on the report's path "
	    "(EU > AU)");
	loop(&o, "AU", "this hub, AU, is already on the report's path "
	    "(EU > AU)");
	origin_of(&o, "EU", "EU ASEAN AU");
	loop(&o, "ASEAN", "this hub, ASEAN, is already on the report's path "
	    "(EU > ASEAN > AU)");
	/* The origin alone is enough, even off the path. */
	origin_of(&o, "ASEAN", "EU AU");
	loop(&o, "ASEAN", "this hub, ASEAN, is already on the report's path "
	    "(EU > AU)");
	/* The longest path of the longest IDs is shown whole. */
	memset(&o, 0, sizeof o);
	for (i = 0; i < CONF_PATH_MAX; i++)
		snprintf(o.path[i], sizeof o.path[i], "%.30s%02zu", ID32, i);
	o.npath = CONF_PATH_MAX;
	snprintf(o.hub, sizeof o.hub, "%s", o.path[0]);
	snprintf(want, sizeof want, "this hub, %s, is already on the "
	    "report's path (", o.path[CONF_PATH_MAX - 1]);
	for (i = 0; i < CONF_PATH_MAX; i++) {
		if (i > 0)
			strcat(want, " > ");
		strcat(want, o.path[i]);
	}
	strcat(want, ")");
	loop(&o, o.path[CONF_PATH_MAX - 1], want);
	no_loop(&o, "ASEAN");
}
END_TEST

START_TEST(test_path)
{
	struct origin	 o;
	const char	*out[CONF_PATH_MAX];
	size_t		 i;

	origin_of(&o, "EU", "EU NZ AU");
	memset(out, 0, sizeof out);
	ck_assert_uint_eq(forward_path(&o, out), 3);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_eq(out[i], o.path[i]);
	ck_assert_ptr_null(out[3]);
	ck_assert_str_eq(out[1], "NZ");
	origin_of(&o, "EU", "");
	ck_assert_uint_eq(forward_path(&o, out), 0);
}
END_TEST

START_TEST(test_key)
{
	struct origin	 o;
	char		*key;

	/* The id in lower case; the hub and member as they are. */
	origin_of(&o, "EU", "EU AU");
	snprintf(o.member, sizeof o.member, "Cert-FR_1");
	key = forward_key(&o, "0B7F6F0E-4B1C-4C8E-9D1A-2A6E3F1C9B10");
	ck_assert_str_eq(key, "EU/Cert-FR_1/0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10");
	free(key);
	/* Whichever peer brings it: the path is not part of the key. */
	origin_of(&o, "EU", "EU NZ JP");
	key = forward_key(&o, "0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10");
	ck_assert_str_eq(key, "EU/CERT-FR/0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10");
	free(key);
	snprintf(o.hub, sizeof o.hub, "%s", ID32);
	snprintf(o.member, sizeof o.member, "%s", "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123");
	key = forward_key(&o, "ABC");
	ck_assert_str_eq(key, ID32 "/ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123/abc");
	free(key);
}
END_TEST

/* Decoding an encoded origin must give it back, received_at in ms. */
static void
round_trip(const struct origin *o)
{
	struct origin	 back;
	char		*text;
	size_t		 i;

	text = forward_origin_encode(o);
	ck_assert_ptr_nonnull(text);
	memset(&back, 0xa5, sizeof back);
	ck_assert_msg(forward_origin_decode(text, &back) == 0, "%s", text);
	ck_assert_str_eq(back.hub, o->hub);
	ck_assert_str_eq(back.member, o->member);
	ck_assert_int_eq(back.seq, o->seq);
	/* rfc3339_format writes milliseconds: the rest is dropped. */
	ck_assert_int_eq(back.received_at, o->received_at -
	    o->received_at % 1000);
	ck_assert_uint_eq(back.npath, o->npath);
	for (i = 0; i < o->npath; i++)
		ck_assert_str_eq(back.path[i], o->path[i]);
	free(text);
}

START_TEST(test_origin_round_trip)
{
	struct origin	 o;
	char		*text;
	size_t		 i;

	origin_of(&o, "EU", "EU AU");
	text = forward_origin_encode(&o);
	ck_assert_str_eq(text, "{\"hub\":\"EU\",\"member\":\"CERT-FR\","
	    "\"seq\":42,\"received_at\":\"" WHEN "\",\"path\":[\"EU\","
	    "\"AU\"]}");
	free(text);
	round_trip(&o);

	origin_of(&o, "EU", "EU");
	o.received_at = T0 + 999999;
	text = forward_origin_encode(&o);
	ck_assert_str_eq(text, "{\"hub\":\"EU\",\"member\":\"CERT-FR\","
	    "\"seq\":42,\"received_at\":\"2026-11-20T07:15:00.999Z\","
	    "\"path\":[\"EU\"]}");
	free(text);
	round_trip(&o);
	o.received_at = T0;
	round_trip(&o);

	/* A full path of the longest IDs, and the largest seq. */
	memset(&o, 0, sizeof o);
	for (i = 0; i < CONF_PATH_MAX; i++)
		snprintf(o.path[i], sizeof o.path[i], "%.30s%02zu", ID32, i);
	o.npath = CONF_PATH_MAX;
	snprintf(o.hub, sizeof o.hub, "%s", o.path[0]);
	snprintf(o.member, sizeof o.member, "%s", ID32);
	o.seq = INT64_MAX;
	o.received_at = T0 + 1;
	round_trip(&o);
}
END_TEST

START_TEST(test_origin_decode_malformed)
{
	static const char *bad[] = {
		"",
		"{",
		"[]",
		"null",
		"\"EU\"",
		"{}",
		/* trailing bytes */
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]} x",
		/* no path, an empty one, one not an array */
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\"}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":\"EU\"}",
		/* a key of its own */
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"],\"via\":1}",
		/* each field missing or wrong */
		"{\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"E.U\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"E.U\"]}",
		"{\"hub\":\"EU\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":0,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":\"1\",\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,"
		    "\"path\":[\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "1795158900,\"path\":[\"EU\"]}",
		/* paths against the rules */
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"AU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\",\"AU\",\"EU\"]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\",7]}",
		"{\"hub\":\"EU\",\"member\":\"M\",\"seq\":1,\"received_at\":"
		    "\"" WHEN "\",\"path\":[\"EU\",\"H1\",\"H2\",\"H3\",\"H4\","
		    "\"H5\",\"H6\",\"H7\",\"H8\",\"H9\",\"H10\",\"H11\",\"H12\","
		    "\"H13\",\"H14\",\"H15\",\"H16\"]}",
	};
	struct origin	o;
	size_t		i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(forward_origin_decode(bad[i], &o) == -1,
		    "accepted: %s", bad[i]);
	/* The same text with 16 hubs is one. */
	ck_assert_int_eq(forward_origin_decode("{\"hub\":\"EU\",\"member\":"
	    "\"M\",\"seq\":1,\"received_at\":\"" WHEN "\",\"path\":[\"EU\","
	    "\"H1\",\"H2\",\"H3\",\"H4\",\"H5\",\"H6\",\"H7\",\"H8\",\"H9\","
	    "\"H10\",\"H11\",\"H12\",\"H13\",\"H14\",\"H15\"]}", &o), 0);
	ck_assert_uint_eq(o.npath, 16);
	ck_assert_str_eq(o.path[15], "H15");
	/* Keys in any order. */
	ck_assert_int_eq(forward_origin_decode("{\"path\":[\"EU\",\"AU\"],"
	    "\"received_at\":\"" WHEN "\",\"seq\":9,\"member\":\"M\","
	    "\"hub\":\"EU\"}", &o), 0);
	ck_assert_str_eq(o.hub, "EU");
	ck_assert_str_eq(o.member, "M");
	ck_assert_int_eq(o.seq, 9);
	ck_assert_int_eq(o.received_at, T0 + 123000);
	EXPECT_PATH(&o, "EU > AU");
}
END_TEST

/* The line forward_format makes, which must be exactly want. */
#define EXPECT_FORMAT(o, hub_id, sender, seq, at, body, want) do {	\
	size_t	 len_ = 0;						\
	char	*out_;							\
									\
	out_ = forward_format((o), (hub_id), (sender), (seq), (at),	\
	    (body), strlen(body), &len_);				\
	ck_assert_ptr_nonnull(out_);					\
	ck_assert_uint_eq(len_, strlen(want));				\
	ck_assert_str_eq(out_, (want));					\
	free(out_);							\
} while (0)

START_TEST(test_format_local)
{
	/* A report of this hub's own: it is the origin and the whole path. */
	EXPECT_FORMAT(NULL, "ASEAN", "ID", 1234, T0 + 123456, REPORT,
	    "{\"type\":\"forward\",\"ref\":\"1234\",\"forward\":{\"origin\":"
	    "{\"hub\":\"ASEAN\",\"member\":\"ID\",\"seq\":1234,"
	    "\"received_at\":\"" WHEN "\"},\"path\":[\"ASEAN\"],"
	    "\"report\":" REPORT "}}\n");
	/* The body goes as it is, byte for byte. */
	EXPECT_FORMAT(NULL, "ASEAN", "SG", 1, T0, "{ \"id\" : \"x\" }",
	    "{\"type\":\"forward\",\"ref\":\"1\",\"forward\":{\"origin\":"
	    "{\"hub\":\"ASEAN\",\"member\":\"SG\",\"seq\":1,"
	    "\"received_at\":\"2026-11-20T07:15:00.000Z\"},\"path\":"
	    "[\"ASEAN\"],\"report\":{ \"id\" : \"x\" }}}\n");
}
END_TEST

START_TEST(test_format_forwarded)
{
	struct origin	o;

	/*
	 * One that came from a peer: its origin as stored, this hub added to
	 * the path; ref is this hub's seq, the origin keeps the origin's. The
	 * sender and receive time given are this hub's, and not used.
	 */
	origin_of(&o, "EU", "EU AU");
	EXPECT_FORMAT(&o, "ASEAN", "AU", 99, T0 + 7000000, REPORT,
	    "{\"type\":\"forward\",\"ref\":\"99\",\"forward\":{\"origin\":"
	    "{\"hub\":\"EU\",\"member\":\"CERT-FR\",\"seq\":42,"
	    "\"received_at\":\"" WHEN "\"},\"path\":[\"EU\",\"AU\","
	    "\"ASEAN\"],\"report\":" REPORT "}}\n");
	/* The stored origin is not changed. */
	ck_assert_uint_eq(o.npath, 2);
	EXPECT_PATH(&o, "EU > AU");
}
END_TEST

START_TEST(test_format_full)
{
	struct origin	 o;
	size_t		 len = 12345, i;
	char		*out;

	memset(&o, 0, sizeof o);
	for (i = 0; i < CONF_PATH_MAX; i++)
		snprintf(o.path[i], sizeof o.path[i], "H%zu", i);
	snprintf(o.hub, sizeof o.hub, "H0");
	snprintf(o.member, sizeof o.member, "M");
	o.seq = 1;
	o.received_at = T0;
	o.npath = CONF_PATH_MAX;
	out = forward_format(&o, "ASEAN", "H15", 5, T0, REPORT,
	    strlen(REPORT), &len);
	ck_assert_ptr_null(out);
	/* One short of full: this hub takes the last place. */
	o.npath = CONF_PATH_MAX - 1;
	out = forward_format(&o, "ASEAN", "H14", 5, T0, REPORT,
	    strlen(REPORT), &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_ptr_nonnull(strstr(out, ",\"H14\",\"ASEAN\"],\"report\":"));
	free(out);
}
END_TEST

/* The line of forward_format must decode, from hub_id, to the same. */
static void
format_round_trip(const struct origin *o, const char *hub_id,
    const char *sender, int64_t seq, int64_t at)
{
	struct verdict	 v = { PROTO_OK, NULL, NULL };
	struct origin	 back;
	const json_t	*report = NULL;
	json_error_t	 err;
	json_t		*msg, *want;
	size_t		 len = 0, i;
	char		*out, seqtext[32];

	out = forward_format(o, hub_id, sender, seq, at, REPORT,
	    strlen(REPORT), &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, strlen(out));
	/* One line: a newline at the end and nowhere else. */
	ck_assert_ptr_eq(strchr(out, '\n'), out + len - 1);
	msg = json_loadb(out, len - 1, JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(msg != NULL, "%s: %s", out, err.text);
	ck_assert_str_eq(json_string_value(json_object_get(msg, "type")),
	    "forward");
	snprintf(seqtext, sizeof seqtext, "%lld", (long long)seq);
	ck_assert_str_eq(json_string_value(json_object_get(msg, "ref")),
	    seqtext);
	ck_assert_msg(forward_decode(msg, hub_id, &back, &report, &v) == 0,
	    "%s: %s", out, v.message);
	if (o == NULL) {
		ck_assert_str_eq(back.hub, hub_id);
		ck_assert_str_eq(back.member, sender);
		ck_assert_int_eq(back.seq, seq);
		ck_assert_int_eq(back.received_at, at - at % 1000);
		ck_assert_uint_eq(back.npath, 1);
	} else {
		ck_assert_str_eq(back.hub, o->hub);
		ck_assert_str_eq(back.member, o->member);
		ck_assert_int_eq(back.seq, o->seq);
		ck_assert_int_eq(back.received_at, o->received_at -
		    o->received_at % 1000);
		ck_assert_uint_eq(back.npath, o->npath + 1);
		for (i = 0; i < o->npath; i++)
			ck_assert_str_eq(back.path[i], o->path[i]);
	}
	ck_assert_str_eq(back.path[back.npath - 1], hub_id);
	want = load(REPORT);
	ck_assert(json_equal(report, want));
	json_decref(want);
	json_decref(msg);
	free(out);
}

START_TEST(test_format_round_trip)
{
	struct origin	o;
	size_t		i;

	format_round_trip(NULL, "ASEAN", "ID", 1234, T0 + 123456);
	format_round_trip(NULL, ID32, ID32, INT64_MAX, T0);
	origin_of(&o, "EU", "EU AU");
	format_round_trip(&o, "ASEAN", "AU", 99, T0);
	/* The longest line: 15 hubs of the longest IDs, this one the 16th. */
	memset(&o, 0, sizeof o);
	for (i = 0; i < CONF_PATH_MAX - 1; i++)
		snprintf(o.path[i], sizeof o.path[i], "%.30s%02zu", ID32, i);
	o.npath = CONF_PATH_MAX - 1;
	snprintf(o.hub, sizeof o.hub, "%s", o.path[0]);
	snprintf(o.member, sizeof o.member, "%s", ID32);
	o.seq = INT64_MAX;
	o.received_at = T0 + 987654;
	format_round_trip(&o, ID32, o.path[CONF_PATH_MAX - 2], INT64_MAX, T0);
	/* And through the stored origin, as the fan-out does. */
	{
		struct origin	 stored;
		char		*text = forward_origin_encode(&o);

		ck_assert_ptr_nonnull(text);
		ck_assert_int_eq(forward_origin_decode(text, &stored), 0);
		format_round_trip(&stored, ID32, ID32, 1, T0);
		free(text);
	}
}
END_TEST

/* The suite of the forward module. */
static Suite *
forward_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("forward");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("decode_valid", test_decode_valid);
	ADD("decode_missing", test_decode_missing);
	ADD("decode_wrong_types", test_decode_wrong_types);
	ADD("decode_unknown_fields", test_decode_unknown_fields);
	ADD("decode_path_rules", test_decode_path_rules);
	ADD("decode_sending_peer", test_decode_sending_peer);
	ADD("loop", test_loop);
	ADD("path", test_path);
	ADD("key", test_key);
	ADD("origin_round_trip", test_origin_round_trip);
	ADD("origin_decode_malformed", test_origin_decode_malformed);
	ADD("format_local", test_format_local);
	ADD("format_forwarded", test_format_forwarded);
	ADD("format_full", test_format_full);
	ADD("format_round_trip", test_format_round_trip);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(forward_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
