/* Unit tests of line framing and of the request envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>

#include "frame.h"
#include "message.h"
#include "verdict.h"

#define MAX	16

static struct evbuffer *
buffer_of(const char *bytes, size_t len)
{
	struct evbuffer	*b = evbuffer_new();

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(evbuffer_add(b, bytes, len), 0);
	return (b);
}

START_TEST(frame_lines_in_order)
{
	const char	 in[] = "{\"a\":1}\n\n{}\ntail";
	struct evbuffer	*b = buffer_of(in, sizeof in - 1);
	size_t		 len = 99, scanned = 0;
	char		*line;

	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, 7);
	line = frame_take(b, len);
	ck_assert_str_eq(line, "{\"a\":1}");
	free(line);
	/* An empty line is a line; the session answers it. */
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, 0);
	line = frame_take(b, len);
	ck_assert_str_eq(line, "");
	free(line);
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	line = frame_take(b, len);
	ck_assert_str_eq(line, "{}");
	free(line);
	/* Bytes without their LF wait; nothing is consumed. */
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_MORE);
	ck_assert_uint_eq(evbuffer_get_length(b), 4);
	evbuffer_free(b);
}
END_TEST

START_TEST(frame_keeps_carriage_return)
{
	struct evbuffer	*b = buffer_of("{}\r\n", 4);
	size_t		 len, scanned = 0;
	char		*line;

	/* JSON takes CR as white space; the framer does not strip it. */
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, 3);
	line = frame_take(b, len);
	ck_assert_mem_eq(line, "{}\r", 4);
	free(line);
	ck_assert_uint_eq(evbuffer_get_length(b), 0);
	evbuffer_free(b);
}
END_TEST

START_TEST(frame_limit)
{
	char		 in[64];
	struct evbuffer	*b;
	size_t		 len, scanned = 0;

	/* Exactly MAX bytes before the LF is allowed. */
	memset(in, 'x', sizeof in);
	in[MAX] = '\n';
	b = buffer_of(in, MAX + 1);
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, MAX);
	evbuffer_free(b);
	/* One more, with its LF already there. */
	in[MAX] = 'x';
	in[MAX + 1] = '\n';
	b = buffer_of(in, MAX + 2);
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_TOO_LARGE);
	evbuffer_free(b);
	/* Without an LF: MAX bytes may still become a line, MAX + 1 cannot. */
	b = buffer_of(in, MAX);
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_MORE);
	ck_assert_int_eq(evbuffer_add(b, "x", 1), 0);
	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_TOO_LARGE);
	evbuffer_free(b);
}
END_TEST

START_TEST(frame_nul_inside_line)
{
	struct evbuffer	*b = buffer_of("a\0b\n", 4);
	size_t		 len, scanned = 0;
	char		*line;

	ck_assert_int_eq(frame_next(b, MAX, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, 3);
	line = frame_take(b, len);
	ck_assert_mem_eq(line, "a\0b", 4);
	free(line);
	evbuffer_free(b);
}
END_TEST

/*
 * A line that arrives a byte at a time is searched once: what was searched
 * is remembered, and the line is found whole at the end.
 */
START_TEST(frame_trickle)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 len = 0, scanned = 0, i;
	char		*line;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(evbuffer_add(b, "x", 1), 0);
		ck_assert_int_eq(frame_next(b, 4096, &scanned, &len),
		    FRAME_MORE);
		ck_assert_uint_eq(scanned, i + 1);
	}
	ck_assert_int_eq(evbuffer_add(b, "\ny", 2), 0);
	ck_assert_int_eq(frame_next(b, 4096, &scanned, &len), FRAME_LINE);
	ck_assert_uint_eq(len, 1000);
	ck_assert_uint_eq(scanned, 0);
	line = frame_take(b, len);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(strlen(line), 1000);
	free(line);
	/* The next line starts from the beginning of what is left. */
	ck_assert_int_eq(frame_next(b, 4096, &scanned, &len), FRAME_MORE);
	ck_assert_uint_eq(scanned, 1);
	/* frame_take refuses a line whose LF is not there, taking nothing. */
	ck_assert_ptr_null(frame_take(b, 1));
	ck_assert_uint_eq(evbuffer_get_length(b), 1);
	evbuffer_free(b);
}
END_TEST

/* Decode text; expect the error (PROTO_OK: success) and the ref. */
static void
decode(const char *text, enum proto_error want, const char *ref,
    struct message *m)
{
	struct verdict	v = { 0 };
	int		rc;

	rc = message_decode(text, strlen(text), m, &v);
	ck_assert_msg(v.error == want, "%s: got %s (%s), wanted %s", text,
	    proto_error_name(v.error), v.message != NULL ? v.message : "",
	    proto_error_name(want));
	ck_assert_int_eq(rc, want == PROTO_OK ? 0 : -1);
	if (want != PROTO_OK)
		ck_assert_ptr_nonnull(v.message);
	if (ref == NULL)
		ck_assert_ptr_null(m->ref);
	else
		ck_assert_str_eq(m->ref, ref);
	verdict_clear(&v);
}

START_TEST(message_types)
{
	static const struct {
		const char		*text;
		enum message_type	 type;
	} cases[] = {
		{ "{\"type\":\"report\",\"report\":{}}", MESSAGE_REPORT },
		{ "{\"type\":\"subscribe\"}", MESSAGE_SUBSCRIBE },
		{ "{\"type\":\"ack\",\"seq\":1}", MESSAGE_ACK },
		{ "{\"type\":\"query\"}", MESSAGE_QUERY },
		{ " {\"ref\":\"r1\",\"type\":\"ping\"}\r", MESSAGE_PING },
		/* Between hubs; who may send them is the session's affair. */
		{ "{\"type\":\"forward\"}", MESSAGE_FORWARD },
		{ "{\"type\":\"accepted\"}", MESSAGE_ACCEPTED },
		{ "{\"type\":\"rejected\"}", MESSAGE_REJECTED },
		{ "{\"type\":\"error\"}", MESSAGE_ERROR },
		{ "{\"type\":\"pong\"}", MESSAGE_PONG },
	};
	struct message	m;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		decode(cases[i].text, PROTO_OK,
		    strstr(cases[i].text, "r1") ? "r1" : NULL, &m);
		ck_assert_int_eq(m.type, cases[i].type);
		ck_assert_ptr_nonnull(m.json);
		message_clear(&m);
	}
}
END_TEST

START_TEST(message_errors)
{
	struct message	m;

	decode("", PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
	decode("{\"type\":\"ping\"", PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
	decode("[\"ping\"]", PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
	decode("{\"type\":\"ping\",\"type\":\"ping\"}", PROTO_MALFORMED_JSON,
	    NULL, &m);
	message_clear(&m);
	decode("{\"ref\":\"r\"}", PROTO_MISSING_FIELD, "r", &m);
	message_clear(&m);
	decode("{\"ref\":\"r\",\"type\":7}", PROTO_INVALID_FIELD, "r", &m);
	message_clear(&m);
	decode("{\"ref\":\"r\",\"type\":\"pang\"}", PROTO_UNKNOWN_TYPE, "r",
	    &m);
	message_clear(&m);
	/* No string may carry a NUL: C code downstream would cut it short. */
	decode("{\"type\":\"ping\\u0000x\"}", PROTO_MALFORMED_JSON, NULL,
	    &m);
	message_clear(&m);
	/* A bad ref is not echoed. */
	decode("{\"ref\":5,\"type\":\"ping\"}", PROTO_INVALID_FIELD, NULL, &m);
	message_clear(&m);
	decode("{\"ref\":\"0123456789012345678901234567890123456789"
	    "01234567890123456789012345\",\"type\":\"ping\"}",
	    PROTO_INVALID_FIELD, NULL, &m);
	message_clear(&m);
	/* Invalid UTF-8 is malformed JSON. */
	decode("{\"type\":\"p\xffng\"}", PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
}
END_TEST

START_TEST(message_deep_nesting)
{
	struct message	 m;
	char		*text;
	size_t		 depth = 100000, i;

	/* jansson's depth limit turns this into an error, not a stack overflow. */
	text = malloc(depth * 2 + 1);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < depth; i++) {
		text[i] = '[';
		text[depth + i] = ']';
	}
	text[depth * 2] = '\0';
	decode(text, PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
	free(text);
}
END_TEST

/* The types hubs send each other, with their ref, and names close to them. */
START_TEST(message_hub_types)
{
	static const struct {
		const char		*text;
		enum message_type	 type;
	} cases[] = {
		{ "{\"type\":\"forward\",\"ref\":\"17\",\"forward\":{}}",
		    MESSAGE_FORWARD },
		{ "{\"ref\":\"17\",\"type\":\"accepted\",\"seq\":3}",
		    MESSAGE_ACCEPTED },
		{ "{\"type\":\"rejected\",\"ref\":\"17\",\"error\":\"x\"}",
		    MESSAGE_REJECTED },
		{ "{\"type\":\"error\",\"ref\":\"17\"}", MESSAGE_ERROR },
		{ "{\"type\":\"pong\",\"ref\":\"17\"}", MESSAGE_PONG },
	};
	static const enum message_type member_types[] = { MESSAGE_REPORT,
	    MESSAGE_SUBSCRIBE, MESSAGE_ACK, MESSAGE_QUERY, MESSAGE_PING };
	static const char *near[] = { "Forward", "FORWARD", "forwarded",
	    "forwar", "accept", "Accepted", "reject", "pong ", " pong",
	    "errors", "" };
	struct verdict	v = { 0 };
	struct message	m;
	char		text[128];
	size_t		i, j;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		decode(cases[i].text, PROTO_OK, "17", &m);
		ck_assert_int_eq(m.type, cases[i].type);
		message_clear(&m);
		/* Each a type of its own, apart from the members' too. */
		for (j = 0; j < sizeof cases / sizeof cases[0]; j++)
			ck_assert(i == j || cases[i].type != cases[j].type);
		for (j = 0; j < sizeof member_types / sizeof member_types[0];
		    j++)
			ck_assert_int_ne(cases[i].type, member_types[j]);
	}
	for (i = 0; i < sizeof near / sizeof near[0]; i++) {
		snprintf(text, sizeof text, "{\"ref\":\"17\",\"type\":\"%s\"}",
		    near[i]);
		ck_assert_int_eq(message_decode(text, strlen(text), &m, &v), -1);
		ck_assert_msg(v.error == PROTO_UNKNOWN_TYPE, "%s: %s", text,
		    proto_error_name(v.error));
		ck_assert_str_eq(v.field, "type");
		ck_assert_str_eq(m.ref, "17");
		verdict_clear(&v);
		message_clear(&m);
	}
	/* A NUL does not make a type of what comes before it. */
	decode("{\"type\":\"pong\\u0000\"}", PROTO_MALFORMED_JSON, NULL, &m);
	message_clear(&m);
}
END_TEST

static Suite *
message_suite(void)
{
	Suite	*s = suite_create("message");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, frame_lines_in_order);
	tcase_add_test(tc, frame_keeps_carriage_return);
	tcase_add_test(tc, frame_limit);
	tcase_add_test(tc, frame_nul_inside_line);
	tcase_add_test(tc, frame_trickle);
	tcase_add_test(tc, message_types);
	tcase_add_test(tc, message_errors);
	tcase_add_test(tc, message_deep_nesting);
	suite_add_tcase(s, tc);
	tc = tcase_create("hub_types");
	tcase_add_test(tc, message_hub_types);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(message_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
