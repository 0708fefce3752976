/* Unit tests of the HTTP request parser and response formatter. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "http.h"
#include "utf8.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* What one parse gave. */
struct outcome {
	enum http_parse		 rc;
	struct http_request	*req;
	struct http_error	 err;
	size_t			 consumed;
};

/* Parse len bytes at once. */
static void
parse_whole(const char *text, size_t len, struct outcome *o)
{
	struct http_parser	p;

	memset(o, 0, sizeof *o);
	o->consumed = (size_t)-1;
	http_parser_init(&p);
	o->rc = http_parse(&p, text, len, &o->req, &o->err, &o->consumed);
}

/*
 * Parse the same bytes as they would come a byte at a time, each call
 * seeing one byte more; every call but the last must ask for more, and
 * then each byte must have been searched exactly once.
 */
static void
parse_bytewise(const char *text, size_t len, struct outcome *o)
{
	struct http_parser	p;
	size_t			n;

	memset(o, 0, sizeof *o);
	o->consumed = (size_t)-1;
	http_parser_init(&p);
	for (n = 1; n <= len; n++) {
		o->rc = http_parse(&p, text, n, &o->req, &o->err, &o->consumed);
		if (o->rc != HTTP_PARSE_MORE)
			return;
		ck_assert_uint_eq(p.scanned, n < HTTP_HEAD_MAX ? n :
		    HTTP_HEAD_MAX);
	}
}

/* Free what an outcome holds. */
static void
outcome_clear(struct outcome *o)
{
	http_request_free(o->req);
	http_error_clear(&o->err);
	o->req = NULL;
}

/* The reply to an error carries its status and a JSON body with code. */
static void
check_reply(const struct http_error *err)
{
	json_t		*j;
	json_error_t	 jerr;
	char		*reply, *body, status[64];
	size_t		 len;

	reply = http_error_reply(err, 0, &len);
	ck_assert_ptr_nonnull(reply);
	ck_assert_uint_eq(strlen(reply), len);
	snprintf(status, sizeof status, "HTTP/1.1 %d %s\r\n", err->status,
	    http_reason(err->status));
	ck_assert_msg(strncmp(reply, status, strlen(status)) == 0,
	    "reply starts \"%.40s\"", reply);
	ck_assert_ptr_nonnull(strstr(reply, err->close ?
	    "\r\nConnection: close\r\n" : "\r\nConnection: keep-alive\r\n"));
	body = strstr(reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	body += 4;
	if (err->head)
		ck_assert_str_eq(body, "");
	else {
		j = json_loads(body, 0, &jerr);
		ck_assert_msg(j != NULL, "body %s: %s", body, jerr.text);
		ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
		    err->code);
		ck_assert_str_eq(json_string_value(json_object_get(j,
		    "message")), err->message);
		json_decref(j);
	}
	free(reply);
}

/* len bytes of text (strlen when 0) must parse, whole and bytewise. */
static struct http_request *
ok_len(const char *text, size_t len)
{
	struct outcome	w, b;

	if (len == 0)
		len = strlen(text);
	parse_whole(text, len, &w);
	ck_assert_msg(w.rc == HTTP_PARSE_DONE, "\"%.60s\": rc %d, %d %s: %s",
	    text, w.rc, w.err.status, w.err.code ? w.err.code : "-",
	    w.err.message ? w.err.message : "-");
	parse_bytewise(text, len, &b);
	ck_assert_int_eq(b.rc, HTTP_PARSE_DONE);
	ck_assert_uint_eq(b.consumed, w.consumed);
	ck_assert_str_eq(b.req->path, w.req->path);
	outcome_clear(&b);
	return (w.req);
}

/* text must parse, whole and bytewise. */
static struct http_request *
ok(const char *text)
{
	return (ok_len(text, 0));
}

/*
 * len bytes of text (strlen when 0) must be refused with status and code,
 * closing or not, the same whole and bytewise.
 */
static void
bad_len(const char *text, size_t len, int status, const char *code,
    int close)
{
	struct outcome	w, b;

	if (len == 0)
		len = strlen(text);
	parse_whole(text, len, &w);
	ck_assert_msg(w.rc == HTTP_PARSE_ERROR, "\"%.60s\": accepted (rc %d)",
	    text, w.rc);
	ck_assert_msg(w.err.status == status && strcmp(w.err.code, code) == 0,
	    "\"%.60s\": %d %s (%s), wanted %d %s", text, w.err.status,
	    w.err.code, w.err.message, status, code);
	ck_assert_int_eq(w.err.close, close);
	ck_assert_msg(w.err.message != NULL && w.err.message[0] != '\0' &&
	    strchr(w.err.message, '\n') == NULL &&
	    strstr(w.err.message, ": ") != NULL, "\"%.60s\": message \"%s\"",
	    text, w.err.message);
	ck_assert(utf8_validate(w.err.message, strlen(w.err.message),
	    NULL) >= 0);
	if (!close)
		ck_assert_uint_le(w.consumed, len);
	check_reply(&w.err);

	parse_bytewise(text, len, &b);
	ck_assert_int_eq(b.rc, HTTP_PARSE_ERROR);
	ck_assert_int_eq(b.err.status, status);
	ck_assert_str_eq(b.err.code, code);
	ck_assert_str_eq(b.err.message, w.err.message);
	ck_assert_int_eq(b.err.close, close);
	if (!close)
		ck_assert_uint_eq(b.consumed, w.consumed);
	outcome_clear(&w);
	outcome_clear(&b);
}

/* text must be refused with status and code, and close. */
static void
bad(const char *text, int status, const char *code)
{
	bad_len(text, 0, status, code, 1);
}

/* "GET " target " HTTP/1.1" with a Host, refused with 400. */
static void
bad_target(const char *target)
{
	char	*text;

	ck_assert_int_ne(asprintf(&text, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n",
	    target), -1);
	bad(text, 400, "bad_request");
	free(text);
}

/* "GET " target " HTTP/1.1" with a Host, accepted with path and query. */
static void
good_target(const char *target, const char *path, const char *query)
{
	struct http_request	*r;
	char			*text;

	ck_assert_int_ne(asprintf(&text, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n",
	    target), -1);
	r = ok(text);
	ck_assert_str_eq(r->path, path);
	if (query == NULL)
		ck_assert_ptr_null(r->query);
	else
		ck_assert_str_eq(r->query, query);
	http_request_free(r);
	free(text);
}

/* A head with n fields "X-Fn: value" of vlen bytes each, malloc'd. */
static char *
head_with(size_t n, size_t vlen, size_t *len)
{
	char	*text, *s;
	size_t	 i, cap = 64 + n * (vlen + 16);

	ck_assert_ptr_nonnull(text = malloc(cap));
	s = text + sprintf(text, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 0; i < n; i++) {
		s += sprintf(s, "X-F%zu: ", i);
		memset(s, 'v', vlen);
		s += vlen;
		s += sprintf(s, "\r\n");
	}
	s += sprintf(s, "\r\n");
	*len = (size_t)(s - text);
	return (text);
}

START_TEST(test_simple_get)
{
	static const char	 text[] =
	    "GET /v1/members HTTP/1.1\r\nHost: hub.example:7401\r\n"
	    "User-Agent: kentongan\r\n\r\n";
	struct http_request	*r;
	struct outcome		 o;

	r = ok(text);
	ck_assert_int_eq(r->method, HTTP_GET);
	ck_assert_int_eq(r->minor, 1);
	ck_assert_str_eq(r->path, "/v1/members");
	ck_assert_ptr_null(r->query);
	ck_assert_str_eq(r->host, "hub.example:7401");
	ck_assert_int_eq(r->keep_alive, 1);
	ck_assert_int_eq(r->has_content_length, 0);
	ck_assert_uint_eq(r->nfields, 2);
	ck_assert_str_eq(r->fields[1].name, "User-Agent");
	ck_assert_str_eq(r->fields[1].value, "kentongan");
	http_request_free(r);

	parse_whole(text, strlen(text), &o);
	ck_assert_uint_eq(o.consumed, strlen(text));
	outcome_clear(&o);
	/* Every prefix asks for more. */
	parse_whole(text, strlen(text) - 1, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_MORE);
	ck_assert_ptr_null(o.req);
	parse_whole(text, 0, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_MORE);
}
END_TEST

START_TEST(test_query_raw)
{
	good_target("/v1/reports?code=intrusions%2F&limit=5", "/v1/reports",
	    "code=intrusions%2F&limit=5");
	good_target("/v1/reports?", "/v1/reports", "");
	good_target("/?a=1?b=2", "/", "a=1?b=2");
	/* The query is opparams' to decode and judge, %00 included. */
	good_target("/v1/stats?since=%00&x=%zz", "/v1/stats",
	    "since=%00&x=%zz");
	good_target("/v1/reports/12", "/v1/reports/12", NULL);
	good_target("/a%20b/%41", "/a%20b/%41", NULL);
	/* Characters browsers send unencoded. */
	good_target("/x?q=[a]|{b}^'\\", "/x", "q=[a]|{b}^'\\");
}
END_TEST

START_TEST(test_methods)
{
	static const struct {
		const char		*name;
		enum http_method	 method;
	} methods[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD },
		{ "POST", HTTP_POST }, { "PUT", HTTP_PUT },
		{ "DELETE", HTTP_DELETE }, { "OPTIONS", HTTP_OPTIONS },
		{ "TRACE", HTTP_TRACE }, { "PATCH", HTTP_PATCH },
		{ "CONNECT", HTTP_CONNECT },
	};
	struct http_request	*r;
	char			*text;
	size_t			 i;

	for (i = 0; i < NITEMS(methods); i++) {
		ck_assert_int_ne(asprintf(&text, "%s / HTTP/1.1\r\nHost: h\r\n"
		    "\r\n", methods[i].name), -1);
		r = ok(text);
		ck_assert_int_eq(r->method, methods[i].method);
		ck_assert_str_eq(http_method_name(r->method), methods[i].name);
		http_request_free(r);
		free(text);
	}
	ck_assert_str_eq(http_method_name(HTTP_NMETHODS), "");
}
END_TEST

START_TEST(test_unknown_method)
{
	static const char	 text[] =
	    "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request	*r;
	struct outcome		 o;
	size_t			 first = strlen(text) / 2;

	/* A well-framed head: the connection can go on to the next one. */
	bad_len(text, 0, 501, "not_implemented", 0);
	parse_whole(text, strlen(text), &o);
	ck_assert_uint_eq(o.consumed, first);
	ck_assert_ptr_nonnull(strstr(o.err.message, "\"BREW\""));
	outcome_clear(&o);
	r = ok(text + first);
	ck_assert_str_eq(r->path, "/next");
	http_request_free(r);

	/* Methods are case-sensitive. */
	bad_len("get / HTTP/1.1\r\nHost: h\r\n\r\n", 0, 501,
	    "not_implemented", 0);
	/* ... and an HTTP/1.0 request without keep-alive closes. */
	bad_len("BREW / HTTP/1.0\r\n\r\n", 0, 501, "not_implemented", 1);
	/* Not a token at all. */
	bad("G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GE\"T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_fields_by_name)
{
	struct http_request	*r;

	r = ok("GET / HTTP/1.1\r\nhOsT: h\r\nX-Thing:  a b \t\r\n"
	    "x-thing: second\r\nEmpty:\r\nTabbed:\tt\r\n\r\n");
	ck_assert_str_eq(http_request_field(r, "Host"), "h");
	ck_assert_str_eq(http_request_field(r, "HOST"), "h");
	ck_assert_str_eq(r->host, "h");
	ck_assert_str_eq(http_request_field(r, "x-THING"), "a b");
	ck_assert_str_eq(http_request_field(r, "empty"), "");
	ck_assert_str_eq(http_request_field(r, "tabbed"), "t");
	ck_assert_ptr_null(http_request_field(r, "X-Thin"));
	ck_assert_ptr_null(http_request_field(r, "X-Things"));
	ck_assert_uint_eq(r->nfields, 5);
	ck_assert_str_eq(r->fields[2].name, "x-thing");
	ck_assert_str_eq(r->fields[2].value, "second");
	http_request_free(r);

	/* Bytes above ASCII (obs-text) are kept as they are in a value. */
	r = ok("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9 \xff\r\n\r\n");
	ck_assert_str_eq(http_request_field(r, "x-name"), "caf\xc3\xa9 \xff");
	http_request_free(r);
}
END_TEST

START_TEST(test_keep_alive)
{
	static const struct {
		const char	*text;
		int		 keep_alive;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n"
		  "\r\n", 1 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, "
		  "close\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: x-closed, "
		  "upgrade\r\n\r\n", 1 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: te\r\n"
		  "Connection: close\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\nConnection: ,Keep-Alive,\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alivex\r\n\r\n", 0 },
	};
	struct http_request	*r;
	size_t			 i;

	for (i = 0; i < NITEMS(cases); i++) {
		r = ok(cases[i].text);
		ck_assert_msg(r->keep_alive == cases[i].keep_alive,
		    "case %zu: keep_alive %d", i, r->keep_alive);
		http_request_free(r);
	}
}
END_TEST

START_TEST(test_http10)
{
	struct http_request	*r;

	/* HTTP/1.0 needs no Host. */
	r = ok("HEAD /metrics HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(r->method, HTTP_HEAD);
	ck_assert_int_eq(r->minor, 0);
	ck_assert_ptr_null(r->host);
	ck_assert_uint_eq(r->nfields, 0);
	http_request_free(r);
}
END_TEST

START_TEST(test_content_length_zero)
{
	static const char	*texts[] = {
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 000\r\n\r\n",
		/* Identical duplicates, as RFC 9110 section 8.6 allows. */
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
		"content-length: 00\r\n\r\n",
	};
	struct http_request	*r;
	size_t			 i;

	for (i = 0; i < NITEMS(texts); i++) {
		r = ok(texts[i]);
		ck_assert_int_eq(r->has_content_length, 1);
		ck_assert_uint_eq(r->content_length, 0);
		http_request_free(r);
	}
}
END_TEST

START_TEST(test_content_length_conflict)
{
	bad("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
	    "Content-Length: 5\r\n\r\n", 400, "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	    "Content-Length: 0\r\n\r\n", 400, "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 5\r\n\r\n", 400,
	    "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 7,7,8\r\n\r\n", 400,
	    "bad_request");
}
END_TEST

START_TEST(test_content_length_malformed)
{
	static const char	*values[] = {
		"", "abc", "-1", "+1", "1 2", "0x10", "1.0", "0,", ",0", "0,,0",
		"18446744073709551616", "99999999999999999999999",
	};
	char	*text;
	size_t	 i;

	for (i = 0; i < NITEMS(values); i++) {
		ck_assert_int_ne(asprintf(&text, "GET / HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: %s\r\n\r\n", values[i]), -1);
		bad(text, 400, "bad_request");
		free(text);
	}
	/* The largest number is a number: a body too large. */
	bad("GET / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 18446744073709551615\r\n\r\n", 413,
	    "body_too_large");
}
END_TEST

START_TEST(test_body)
{
	static const char	head[] =
	    "HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n";
	struct outcome		o;

	bad("POST /v1/reports HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	    "\r\nhello", 413, "body_too_large");
	bad("GET / HTTP/1.0\r\nContent-Length: 1\r\n\r\n", 413,
	    "body_too_large");
	/* The answer to HEAD has no body, even an error. */
	parse_whole(head, strlen(head), &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_ERROR);
	ck_assert_int_eq(o.err.status, 413);
	ck_assert_int_eq(o.err.head, 1);
	ck_assert_int_eq(o.err.close, 1);
	check_reply(&o.err);
	outcome_clear(&o);
}
END_TEST

START_TEST(test_transfer_encoding)
{
	bad("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
	    501, "not_implemented");
	bad("GET / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: gzip, chunked"
	    "\r\nContent-Length: 0\r\n\r\n", 501, "not_implemented");
	bad("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 501,
	    "not_implemented");
}
END_TEST

START_TEST(test_request_line_limit)
{
	static const char	 rest[] = " HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request	*r;
	struct outcome		 o;
	char			*text;
	size_t			 line;

	ck_assert_ptr_nonnull(text = malloc(HTTP_REQUEST_LINE_MAX + 64));
	/* "GET /aaa...a HTTP/1.1" of exactly the limit is taken. */
	line = HTTP_REQUEST_LINE_MAX;
	memcpy(text, "GET /", 5);
	memset(text + 5, 'a', line - 5 - 9);
	memcpy(text + line - 9, rest, sizeof rest);
	r = ok_len(text, line + 13);
	ck_assert_uint_eq(strlen(r->path), line - 4 - 9);
	http_request_free(r);

	/* One more byte is refused, whole and a byte at a time. */
	line++;
	memcpy(text, "GET /", 5);
	memset(text + 5, 'a', line - 5 - 9);
	memcpy(text + line - 9, rest, sizeof rest);
	bad_len(text, line + 13, 414, "uri_too_long", 1);
	/* As soon as it is too long, before its end is there. */
	bad_len(text, line, 414, "uri_too_long", 1);
	/* Not yet: a line at the limit with a CR waiting for its LF. */
	memset(text + 5, 'a', HTTP_REQUEST_LINE_MAX - 5);
	text[HTTP_REQUEST_LINE_MAX] = '\r';
	parse_whole(text, HTTP_REQUEST_LINE_MAX + 1, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_MORE);
	free(text);
}
END_TEST

START_TEST(test_head_limit)
{
	static const char	 start[] = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";
	struct http_request	*r;
	struct outcome		 o;
	char			*text;
	size_t			 pad;

	/* A head of exactly the limit is taken. */
	ck_assert_ptr_nonnull(text = malloc(HTTP_HEAD_MAX + 8));
	pad = HTTP_HEAD_MAX - (sizeof start - 1) - 4;
	memcpy(text, start, sizeof start - 1);
	memset(text + sizeof start - 1, 'p', pad);
	memcpy(text + sizeof start - 1 + pad, "\r\n\r\n", 4);
	r = ok_len(text, HTTP_HEAD_MAX);
	ck_assert_uint_eq(strlen(http_request_field(r, "x-pad")), pad);
	http_request_free(r);

	/* One byte more is refused, whole and a byte at a time. */
	memset(text + sizeof start - 1, 'p', pad + 1);
	memcpy(text + sizeof start + pad, "\r\n\r\n", 4);
	bad_len(text, HTTP_HEAD_MAX + 1, 431, "header_too_large", 1);
	/* ... as soon as it cannot fit, before its end is there. */
	parse_whole(text, HTTP_HEAD_MAX, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_MORE);
	bad_len(text, HTTP_HEAD_MAX + 1, 431, "header_too_large", 1);
	/* Many fields of moderate size add up the same way. */
	free(text);
	text = head_with(90, 200, &pad);
	ck_assert_uint_gt(pad, HTTP_HEAD_MAX);
	bad_len(text, pad, 431, "header_too_large", 1);
	free(text);
}
END_TEST

START_TEST(test_too_many_fields)
{
	struct http_request	*r;
	char			*text;
	size_t			 len;

	/* With Host, 100 fields in all are taken, 101 are not. */
	text = head_with(HTTP_FIELDS_MAX - 1, 1, &len);
	r = ok_len(text, len);
	ck_assert_uint_eq(r->nfields, HTTP_FIELDS_MAX);
	http_request_free(r);
	free(text);
	text = head_with(HTTP_FIELDS_MAX, 1, &len);
	bad_len(text, len, 431, "header_too_large", 1);
	free(text);
}
END_TEST

START_TEST(test_http09)
{
	struct outcome	o;

	/* Refused at the end of its only line: a 0.9 client sends no more. */
	parse_whole("GET /\r\n", 7, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_ERROR);
	ck_assert_int_eq(o.err.status, 400);
	ck_assert_str_eq(o.err.code, "bad_request");
	ck_assert_ptr_nonnull(strstr(o.err.message, "HTTP/0.9"));
	outcome_clear(&o);
	bad("GET /\r\n", 400, "bad_request");
	bad("GET\r\n\r\n", 400, "bad_request");
	bad("GET \r\n\r\n", 400, "bad_request");
	bad("GET  HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET / HTTP/1.1 x\r\nHost: h\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_versions)
{
	static const char	*unsupported[] = {
		"HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3", "HTTP/1.10",
		"HTTP/01.1", "HTTP/9.9", "HTTP/1",
	};
	static const char	*malformed[] = {
		"http/1.1", "HTTP/1.", "HTTX/1.1", "HTTP/a.b",
		"HTTP/", "HTTP", "HTTP/.1", "HTTP/1.1x", "1.1",
	};
	char	*text;
	size_t	 i;

	for (i = 0; i < NITEMS(unsupported); i++) {
		ck_assert_int_ne(asprintf(&text, "GET / %s\r\nHost: h\r\n\r\n",
		    unsupported[i]), -1);
		bad(text, 505, "version_not_supported");
		free(text);
	}
	for (i = 0; i < NITEMS(malformed); i++) {
		ck_assert_int_ne(asprintf(&text, "GET / %s\r\nHost: h\r\n\r\n",
		    malformed[i]), -1);
		bad(text, 400, "bad_request");
		free(text);
	}
}
END_TEST

START_TEST(test_obs_fold)
{
	bad("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400,
	    "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", 400,
	    "bad_request");
	/* White space before the first field. */
	bad("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_field_names)
{
	static const char	*lines[] = {
		"Ho st: x", "Host : x", "Host\t: x", ": x", "NoColon",
		"Na(me): x", "Na/me: x", "N\xc3\xa4me: x", "Na\"me: x",
		"Na{}me: x", "Na@me: x",
	};
	char	*text;
	size_t	 i;

	for (i = 0; i < NITEMS(lines); i++) {
		ck_assert_int_ne(asprintf(&text, "GET / HTTP/1.1\r\nHost: h\r\n"
		    "%s\r\n\r\n", lines[i]), -1);
		bad(text, 400, "bad_request");
		free(text);
	}
}
END_TEST

START_TEST(test_line_endings)
{
	/* Bare LF is refused, wherever it is. */
	bad("GET / HTTP/1.1\nHost: h\n\n", 400, "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\n\r\n", 400, "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\n\n", 400, "bad_request");
	bad("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	/* A CR inside a line is a control byte. */
	bad("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400, "bad_request");
	bad("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_leading_empty_lines)
{
	static const char	 text[] =
	    "\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request	*r;
	struct outcome		 o;

	r = ok(text);
	ck_assert_str_eq(r->path, "/x");
	http_request_free(r);
	parse_whole(text, strlen(text), &o);
	ck_assert_uint_eq(o.consumed, strlen(text));
	outcome_clear(&o);
}
END_TEST

/* Raw bytes above 0x7f in a target reach the router and the parameters. */
START_TEST(test_raw_non_ascii)
{
	struct http_request	*r;

	r = ok("GET /caf\xc3\xa9?\xa0\xff=1 HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_str_eq(r->path, "/caf\xc3\xa9");
	ck_assert_str_eq(r->query, "\xa0\xff=1");
	http_request_free(r);
}
END_TEST

START_TEST(test_control_bytes)
{
	static const char	line_nul[] =
	    "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char	value_nul[] =
	    "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n";
	static const char	name_nul[] =
	    "GET / HTTP/1.1\r\nHost: h\r\nX\0A: ab\r\n\r\n";

	bad_len(line_nul, sizeof line_nul - 1, 400, "bad_request", 1);
	bad_len(value_nul, sizeof value_nul - 1, 400, "bad_request", 1);
	bad_len(name_nul, sizeof name_nul - 1, 400, "bad_request", 1);
	bad("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET /\x1b[2J HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01z\r\n\r\n", 400,
	    "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fz\r\n\r\n", 400,
	    "bad_request");
	bad("GET / HTTP/1.1\r\nHost: h\r\nX-A: \x1b[2J\r\n\r\n", 400,
	    "bad_request");
}
END_TEST

START_TEST(test_host)
{
	static const char	 two[] =
	    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
	struct http_request	*r;
	struct outcome		 o;

	/* Missing in HTTP/1.1: refused, but the connection can go on. */
	bad_len("GET / HTTP/1.1\r\n\r\n", 0, 400, "bad_request", 0);
	bad_len("GET / HTTP/1.1\r\nX-Host: h\r\n\r\n", 0, 400, "bad_request",
	    0);
	parse_whole("GET / HTTP/1.1\r\n\r\nGET", 21, &o);
	ck_assert_uint_eq(o.consumed, 18);
	outcome_clear(&o);
	bad_len("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 400,
	    "bad_request", 1);
	bad_len(two, 0, 400, "bad_request", 0);
	bad_len("GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, 400, "bad_request", 0);
	bad_len("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 0, 400, "bad_request",
	    0);
	bad_len("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 0, 400, "bad_request",
	    0);
	bad_len("GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 0, 400, "bad_request",
	    0);
	bad_len("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 0, 400,
	    "bad_request", 1);

	r = ok("GET / HTTP/1.1\r\nHost: [::1]:7401\r\n\r\n");
	ck_assert_str_eq(r->host, "[::1]:7401");
	http_request_free(r);
	r = ok("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_str_eq(r->host, "127.0.0.1");
	http_request_free(r);
}
END_TEST

START_TEST(test_target_forms)
{
	struct http_request	*r;

	bad_target("foo");
	bad_target("v1/members");
	bad_target("*");
	bad_target("hub.example:7401");
	bad_target("ftp://h/x");
	bad_target("https:/h/x");
	bad_target("https://");
	bad_target("https:///x");
	bad_target("https://user@h/x");
	bad_target("https://h\\x/");
	bad_target("/a#b");
	bad_target("/a?b#c");
	bad_target("#");

	/* Absolute-form: its authority stands for Host. */
	r = ok("GET https://hub.example:7401/v1/reports?limit=2 HTTP/1.1\r\n"
	    "Host: other\r\n\r\n");
	ck_assert_str_eq(r->path, "/v1/reports");
	ck_assert_str_eq(r->query, "limit=2");
	ck_assert_str_eq(r->host, "hub.example:7401");
	ck_assert_str_eq(http_request_field(r, "host"), "other");
	http_request_free(r);
	r = ok("GET HTTP://[::1] HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_str_eq(r->path, "/");
	ck_assert_ptr_null(r->query);
	ck_assert_str_eq(r->host, "[::1]");
	http_request_free(r);
	r = ok("GET http://h?x HTTP/1.0\r\n\r\n");
	ck_assert_str_eq(r->path, "/");
	ck_assert_str_eq(r->query, "x");
	ck_assert_str_eq(r->host, "h");
	http_request_free(r);
	/* The path of an absolute URL is checked like any other. */
	bad_target("https://h/a/../b");
	bad_target("https://h/%00");
}
END_TEST

START_TEST(test_path_refusals)
{
	static const char	*refused[] = {
		"/v1/../etc/passwd", "/..", "/.", "/a/./b", "/a/.", "/a/..",
		"/%2e%2E/x", "/.%2e", "/%2E", "/a/%2e%2e", "/a%00b", "/%00",
		"/a%zz", "/a%4", "/a%", "/a%%41", "/a%0g",
	};
	static const char	*taken[] = {
		"/a..b", "/...", "/a.b/", "/%41", "/.well-known/x", "/a/b.",
		"/..a", "/%2e%2e%2e", "/%2ex", "//", "/a//b", "/%2F",
	};
	size_t	i;

	for (i = 0; i < NITEMS(refused); i++)
		bad_target(refused[i]);
	for (i = 0; i < NITEMS(taken); i++)
		good_target(taken[i], taken[i], NULL);
}
END_TEST

START_TEST(test_pipelined)
{
	static const char	 text[] =
	    "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
	    "HEAD /two?x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	    "GET /thr";
	struct http_parser	 p;
	struct http_request	*r = NULL;
	struct http_error	 err;
	size_t			 off = 0, consumed, len = strlen(text);

	memset(&err, 0, sizeof err);
	http_parser_init(&p);
	ck_assert_int_eq(http_parse(&p, text, len, &r, &err, &consumed),
	    HTTP_PARSE_DONE);
	ck_assert_str_eq(r->path, "/one");
	ck_assert_int_eq(r->keep_alive, 1);
	http_request_free(r);
	off += consumed;
	ck_assert_int_eq(http_parse(&p, text + off, len - off, &r, &err,
	    &consumed), HTTP_PARSE_DONE);
	ck_assert_int_eq(r->method, HTTP_HEAD);
	ck_assert_str_eq(r->path, "/two");
	ck_assert_str_eq(r->query, "x");
	ck_assert_int_eq(r->keep_alive, 0);
	http_request_free(r);
	off += consumed;
	ck_assert_int_eq(http_parse(&p, text + off, len - off, &r, &err,
	    &consumed), HTTP_PARSE_MORE);
	ck_assert_uint_eq(p.scanned, 8);
}
END_TEST

START_TEST(test_linear)
{
	struct http_parser	 p;
	struct http_request	*r = NULL;
	struct http_error	 err;
	char			*text;
	size_t			 len, n, consumed, calls = 0;

	/* A head near the limit, fed one byte more per call. */
	text = head_with(90, 160, &len);
	ck_assert_uint_le(len, HTTP_HEAD_MAX);
	ck_assert_uint_gt(len, HTTP_HEAD_MAX - 2048);
	memset(&err, 0, sizeof err);
	http_parser_init(&p);
	for (n = 1; n < len; n++) {
		ck_assert_int_eq(http_parse(&p, text, n, &r, &err, &consumed),
		    HTTP_PARSE_MORE);
		/* Each call looked at the new byte only. */
		ck_assert_uint_eq(p.scanned, n);
		calls++;
	}
	ck_assert_int_eq(http_parse(&p, text, len, &r, &err, &consumed),
	    HTTP_PARSE_DONE);
	ck_assert_uint_eq(consumed, len);
	ck_assert_uint_eq(r->nfields, 91);
	ck_assert_uint_eq(calls, len - 1);
	http_request_free(r);
	free(text);
}
END_TEST

START_TEST(test_response_format)
{
	static const char	 want[] =
	    "HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 3\r\n"
	    "Connection: keep-alive\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "frame-ancestors 'none'\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Cross-Origin-Resource-Policy: same-origin\r\n"
	    "X-Extra: 1\r\n"
	    "\r\n"
	    "{}\n";
	static const struct http_field	extra[] = { { "X-Extra", "1" } };
	struct http_response		r;
	char				*out;
	size_t				 len;

	memset(&r, 0, sizeof r);
	r.status = 200;
	r.content_type = "application/json";
	r.keep_alive = 1;
	r.date = 784111777;
	r.fields = extra;
	r.nfields = 1;
	out = http_response_format(&r, "{}\n", 3, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(len, sizeof want - 1);
	free(out);

	/* To HEAD: the same head, no body. */
	r.head = 1;
	out = http_response_format(&r, "{}\n", 3, &len);
	ck_assert_uint_eq(len, sizeof want - 1 - 3);
	ck_assert_int_eq(memcmp(out, want, len), 0);
	free(out);
	out = http_response_format(&r, NULL, 3, &len);
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 3\r\n"));
	free(out);
}
END_TEST

START_TEST(test_response_variants)
{
	static const struct http_field	allow[] = { { "Allow", "GET, HEAD" } };
	struct http_response		r;
	char				*out;
	size_t				 len;

	memset(&r, 0, sizeof r);
	r.status = 405;
	r.fields = allow;
	r.nfields = 1;
	out = http_response_format(&r, "", 0, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert(strncmp(out, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
	ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: GET, HEAD\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 0\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nConnection: close\r\n"));
	ck_assert_ptr_null(strstr(out, "Date:"));
	ck_assert_ptr_null(strstr(out, "Content-Type:"));
	free(out);

	/* Another policy for HTML. */
	r.status = 200;
	r.nfields = 0;
	r.csp = "default-src 'self'";
	out = http_response_format(&r, NULL, 0, &len);
	ck_assert_ptr_nonnull(strstr(out,
	    "\r\nContent-Security-Policy: default-src 'self'\r\n"));
	free(out);

	/* A stream has no length and ends with the connection. */
	r.stream = 1;
	out = http_response_format(&r, NULL, 0, &len);
	ck_assert_ptr_null(strstr(out, "Content-Length"));
	free(out);
	r.stream = 0;

	/* 204 has no length and no body. */
	r.status = 204;
	out = http_response_format(&r, NULL, 0, &len);
	ck_assert(strncmp(out, "HTTP/1.1 204 No Content\r\n", 25) == 0);
	ck_assert_ptr_null(strstr(out, "Content-Length"));
	free(out);

	/* A status without a phrase here keeps its space. */
	r.status = 299;
	out = http_response_format(&r, NULL, 0, &len);
	ck_assert(strncmp(out, "HTTP/1.1 299 \r\n", 15) == 0);
	free(out);
}
END_TEST

START_TEST(test_response_refusals)
{
	static const struct http_field	bad_fields[] = {
		{ "X-A", "a\r\nSet-Cookie: x" }, { "X-A", "a\nb" },
		{ "X A", "b" }, { "", "b" }, { "X:A", "b" },
		{ "content-length", "1" }, { "Connection", "close" },
		{ "Date", "x" }, { "Content-Type", "text/html" },
		{ "transfer-encoding", "chunked" },
		{ "Cache-Control", "max-age=60" },
		{ "content-security-policy", "x" }, { NULL, "x" },
		{ "X-A", NULL }, { "X-A", "\x01" },
	};
	struct http_response		r;
	size_t				len, i;

	memset(&r, 0, sizeof r);
	r.status = 200;
	for (i = 0; i < NITEMS(bad_fields); i++) {
		r.fields = &bad_fields[i];
		r.nfields = 1;
		ck_assert_msg(http_response_format(&r, NULL, 0, &len) == NULL,
		    "field %zu taken", i);
	}
	r.nfields = 0;
	r.status = 199;
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.status = 600;
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.status = 204;
	ck_assert_ptr_null(http_response_format(&r, "x", 1, &len));
	r.status = 304;
	ck_assert_ptr_null(http_response_format(&r, "x", 1, &len));
	r.status = 200;
	ck_assert_ptr_null(http_response_format(&r, NULL, 1, &len));
	r.stream = 1;
	r.keep_alive = 1;
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.stream = 0;
	r.content_type = "text/html\r\nX: y";
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.content_type = NULL;
	r.csp = "default-src 'none'\r\nX: y";
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.csp = NULL;
	r.date = -1;
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
	r.date = INT64_C(253402300800);
	ck_assert_ptr_null(http_response_format(&r, NULL, 0, &len));
}
END_TEST

START_TEST(test_date)
{
	static const struct {
		int64_t		 t;
		const char	*text;
	} dates[] = {
		{ 1, "Thu, 01 Jan 1970 00:00:01 GMT" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
		{ 1795161600, "Fri, 20 Nov 2026 08:00:00 GMT" },
		{ INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT" },
	};
	struct http_response	 r;
	char			*out, want[64];
	size_t			 len, i;

	memset(&r, 0, sizeof r);
	r.status = 200;
	for (i = 0; i < NITEMS(dates); i++) {
		r.date = dates[i].t;
		out = http_response_format(&r, NULL, 0, &len);
		ck_assert_ptr_nonnull(out);
		snprintf(want, sizeof want, "\r\nDate: %s\r\n", dates[i].text);
		ck_assert_msg(strstr(out, want) != NULL, "%s", out);
		free(out);
	}
}
END_TEST

START_TEST(test_security_headers)
{
	struct http_field	f[HTTP_NSECURITY];

	ck_assert_uint_eq(http_security_headers(f, NULL), HTTP_NSECURITY);
	ck_assert_str_eq(f[0].name, "Cache-Control");
	ck_assert_str_eq(f[0].value, "no-store");
	ck_assert_str_eq(f[1].name, "X-Content-Type-Options");
	ck_assert_str_eq(f[1].value, "nosniff");
	ck_assert_str_eq(f[2].name, "Content-Security-Policy");
	ck_assert_str_eq(f[2].value,
	    "default-src 'none'; frame-ancestors 'none'");
	ck_assert_str_eq(f[3].name, "X-Frame-Options");
	ck_assert_str_eq(f[3].value, "DENY");
	ck_assert_str_eq(f[4].name, "Referrer-Policy");
	ck_assert_str_eq(f[4].value, "no-referrer");
	ck_assert_str_eq(f[5].name, "Cross-Origin-Resource-Policy");
	ck_assert_str_eq(f[5].value, "same-origin");
	http_security_headers(f, "default-src 'self'");
	ck_assert_str_eq(f[2].value, "default-src 'self'");
}
END_TEST

START_TEST(test_error_body)
{
	json_t	*j;
	char	*body;
	size_t	 len;

	body = http_error_body("bad_request", "send it again", &len);
	ck_assert_str_eq(body,
	    "{\"error\":\"bad_request\",\"message\":\"send it again\"}\n");
	ck_assert_uint_eq(len, strlen(body));
	free(body);

	/* Quotes, controls and bytes that are not UTF-8 still make JSON. */
	body = http_error_body("bad_request",
	    "a \"q\" \\ \x01\t caf\xc3\xa9 \xff\xfe \xe2\x82", &len);
	ck_assert_str_eq(body, "{\"error\":\"bad_request\",\"message\":"
	    "\"a \\\"q\\\" \\\\ \\u0001\\t caf\xc3\xa9 ?? ??\"}\n");
	j = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	free(body);

	body = http_error_body("internal_error", NULL, &len);
	ck_assert_ptr_nonnull(strstr(body, "\"message\":\"the server ran out"));
	free(body);
}
END_TEST

START_TEST(test_error_reply)
{
	static const char	 start[] =
	    "HTTP/1.1 505 HTTP Version Not Supported\r\n"
	    "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Content-Type: application/json\r\n";
	struct outcome		 o;
	char			*reply, *body;
	size_t			 len;

	parse_whole("GET / HTTP/2.0\r\n", 16, &o);
	ck_assert_int_eq(o.rc, HTTP_PARSE_ERROR);
	reply = http_error_reply(&o.err, 784111777, &len);
	ck_assert_int_eq(strncmp(reply, start, sizeof start - 1), 0);
	ck_assert_ptr_nonnull(strstr(reply, "\r\nConnection: close\r\n"));
	body = strstr(reply, "\r\n\r\n") + 4;
	ck_assert_str_eq(body, "{\"error\":\"version_not_supported\","
	    "\"message\":\"HTTP/2.0 is not supported: use HTTP/1.1 (or "
	    "HTTP/1.0)\"}\n");
	free(reply);
	outcome_clear(&o);

	/* To HEAD, without a body, however early the refusal. */
	parse_whole("HEAD / HTTP/2.0\r\n", 17, &o);
	ck_assert_int_eq(o.err.status, 505);
	ck_assert_int_eq(o.err.head, 1);
	reply = http_error_reply(&o.err, 0, &len);
	ck_assert_str_eq(strstr(reply, "\r\n\r\n"), "\r\n\r\n");
	free(reply);
	outcome_clear(&o);

	/* Here the connection stays. */
	parse_whole("HEAD / HTTP/1.1\r\n\r\n", 19, &o);
	ck_assert_int_eq(o.err.status, 400);
	ck_assert_int_eq(o.err.head, 1);
	ck_assert_int_eq(o.err.close, 0);
	reply = http_error_reply(&o.err, 0, &len);
	ck_assert_ptr_nonnull(strstr(reply, "\r\nConnection: keep-alive\r\n"));
	ck_assert_str_eq(strstr(reply, "\r\n\r\n"), "\r\n\r\n");
	free(reply);
	outcome_clear(&o);
}
END_TEST

START_TEST(test_reasons)
{
	ck_assert_str_eq(http_reason(200), "OK");
	ck_assert_str_eq(http_reason(400), "Bad Request");
	ck_assert_str_eq(http_reason(413), "Content Too Large");
	ck_assert_str_eq(http_reason(414), "URI Too Long");
	ck_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(http_reason(501), "Not Implemented");
	ck_assert_str_eq(http_reason(505), "HTTP Version Not Supported");
	ck_assert_str_eq(http_reason(299), "");
}
END_TEST

/* One test case per behaviour. */
static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("simple_get", test_simple_get);
	ADD("query_raw", test_query_raw);
	ADD("methods", test_methods);
	ADD("unknown_method", test_unknown_method);
	ADD("fields_by_name", test_fields_by_name);
	ADD("keep_alive", test_keep_alive);
	ADD("http10", test_http10);
	ADD("content_length_zero", test_content_length_zero);
	ADD("content_length_conflict", test_content_length_conflict);
	ADD("content_length_malformed", test_content_length_malformed);
	ADD("body", test_body);
	ADD("transfer_encoding", test_transfer_encoding);
	ADD("request_line_limit", test_request_line_limit);
	ADD("head_limit", test_head_limit);
	ADD("too_many_fields", test_too_many_fields);
	ADD("http09", test_http09);
	ADD("versions", test_versions);
	ADD("obs_fold", test_obs_fold);
	ADD("field_names", test_field_names);
	ADD("line_endings", test_line_endings);
	ADD("leading_empty_lines", test_leading_empty_lines);
	ADD("control_bytes", test_control_bytes);
	ADD("raw_non_ascii", test_raw_non_ascii);
	ADD("host", test_host);
	ADD("target_forms", test_target_forms);
	ADD("path_refusals", test_path_refusals);
	ADD("pipelined", test_pipelined);
	ADD("linear", test_linear);
	ADD("response_format", test_response_format);
	ADD("response_variants", test_response_variants);
	ADD("response_refusals", test_response_refusals);
	ADD("date", test_date);
	ADD("security_headers", test_security_headers);
	ADD("error_body", test_error_body);
	ADD("error_reply", test_error_reply);
	ADD("reasons", test_reasons);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(http_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
