/*
 * HTTP/1.1 replies without I/O: response heads, the JSON error bodies of
 * the operator API, and the security fields every response carries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "http.h"
#include "utf8.h"

/* The statuses the hub sends: reason phrase, and JSON code for errors. */
static const struct {
	int		 status;
	const char	*reason;
	const char	*code;
} http_statuses[] = {
	{ 200, "OK", NULL },
	{ 204, "No Content", NULL },
	{ 301, "Moved Permanently", NULL },
	{ 303, "See Other", NULL },
	{ 304, "Not Modified", NULL },
	{ 400, "Bad Request", "bad_request" },
	{ 403, "Forbidden", "forbidden" },
	{ 404, "Not Found", "not_found" },
	{ 405, "Method Not Allowed", "method_not_allowed" },
	{ 408, "Request Timeout", "request_timeout" },
	{ 413, "Content Too Large", "body_too_large" },
	{ 414, "URI Too Long", "uri_too_long" },
	{ 429, "Too Many Requests", "rate_limited" },
	{ 431, "Request Header Fields Too Large", "header_too_large" },
	{ 500, "Internal Server Error", "internal_error" },
	{ 501, "Not Implemented", "not_implemented" },
	{ 503, "Service Unavailable", "unavailable" },
	{ 505, "HTTP Version Not Supported", "version_not_supported" },
};

/* Sent with every response; the policy (NULL here) is the caller's. */
static const struct http_field http_security[HTTP_NSECURITY] = {
	{ "Cache-Control", "no-store" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Content-Security-Policy", NULL },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Cross-Origin-Resource-Policy", "same-origin" },
};

/* Fields the formatter writes itself, so a caller may not add them. */
static const char *const http_managed[] = {
	"Content-Type", "Content-Length", "Connection", "Date",
	"Transfer-Encoding",
};

#define HTTP_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* A growing output buffer that remembers running out of memory. */
struct http_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

/* The JSON error code of a status. */
const char *
http_error_code(int status)
{
	size_t	i;

	for (i = 0; i < HTTP_NITEMS(http_statuses); i++) {
		if (http_statuses[i].status == status &&
		    http_statuses[i].code != NULL)
			return (http_statuses[i].code);
	}
	return (status >= 500 ? "internal_error" : "bad_request");
}

/* The reason phrase of a status; "" if it has none here. */
const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < HTTP_NITEMS(http_statuses); i++) {
		if (http_statuses[i].status == status)
			return (http_statuses[i].reason);
	}
	return ("");
}

/* The fields every response carries, with csp as its policy. */
size_t
http_security_headers(struct http_field out[HTTP_NSECURITY], const char *csp)
{
	size_t	i;

	for (i = 0; i < HTTP_NSECURITY; i++) {
		out[i] = http_security[i];
		if (out[i].value == NULL)
			out[i].value = csp != NULL ? csp : HTTP_CSP_JSON;
	}
	return (HTTP_NSECURITY);
}

/* Make room for n more bytes and a NUL; 0, or -1 and b->failed. */
static int
http_buf_reserve(struct http_buf *b, size_t n)
{
	size_t	 cap;
	char	*data;

	if (b->failed)
		return (-1);
	if (n > SIZE_MAX - b->len - 1)
		goto fail;
	if (b->len + n + 1 <= b->cap)
		return (0);
	for (cap = b->cap > 0 ? b->cap : 256; cap < b->len + n + 1; cap *= 2) {
		if (cap > SIZE_MAX / 2) {
			cap = b->len + n + 1;
			break;
		}
	}
	if ((data = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = data;
	b->cap = cap;
	return (0);
fail:
	b->failed = 1;
	return (-1);
}

/* Append n bytes at s. */
static void
http_buf_add(struct http_buf *b, const void *s, size_t n)
{
	if (http_buf_reserve(b, n) == -1)
		return;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a string. */
static void
http_buf_str(struct http_buf *b, const char *s)
{
	http_buf_add(b, s, strlen(s));
}

/* Append the field line "name: value". */
static void
http_buf_field(struct http_buf *b, const char *name, const char *value)
{
	http_buf_str(b, name);
	http_buf_add(b, ": ", 2);
	http_buf_str(b, value);
	http_buf_add(b, "\r\n", 2);
}

/* 1 if a field value can go on the wire: no control byte but HTAB. */
static int
http_value_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return (0);
	}
	return (1);
}

/* 1 if a caller's field is well-formed and not one the formatter sets. */
static int
http_field_ok(const struct http_field *f)
{
	size_t	i, n;

	if (f->name == NULL || f->value == NULL || f->name[0] == '\0')
		return (0);
	n = strlen(f->name);
	for (i = 0; i < n; i++) {
		if (!http_tchar((unsigned char)f->name[i]))
			return (0);
	}
	for (i = 0; i < HTTP_NITEMS(http_managed); i++) {
		if (http_caseeq(f->name, n, http_managed[i]))
			return (0);
	}
	for (i = 0; i < HTTP_NSECURITY; i++) {
		if (http_caseeq(f->name, n, http_security[i].name))
			return (0);
	}
	return (http_value_ok(f->value));
}

/* Write v in decimal into buf, which has room for any uint64_t; buf. */
static char *
http_decimal(char buf[24], uint64_t v)
{
	char	*s = buf + 23;

	*s = '\0';
	do {
		*--s = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return (s);
}

/* Format t as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; 0 or -1. */
static int
http_date(int64_t t, char *buf, size_t size)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		 tm;
	time_t			 tt = (time_t)t;
	int			 n;

	/* Four digits of year, as the format has. */
	if (t < 0 || t > INT64_C(253402300799) || (int64_t)tt != t)
		return (-1);
	if (gmtime_r(&tt, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return (-1);
	n = snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (n > 0 && (size_t)n < size ? 0 : -1);
}

/* Format the head of a response, and its body after it, in one buffer. */
char *
http_response_format(const struct http_response *r, const void *body,
    size_t bodylen, size_t *len)
{
	struct http_buf		b = { NULL, 0, 0, 0 };
	struct http_field	sec[HTTP_NSECURITY];
	char			num[24], date[64];
	size_t			i;
	int			nolength;

	if (r->status < 200 || r->status > 599)
		return (NULL);
	nolength = r->status == 204 || r->status == 304;
	if ((nolength && bodylen > 0) || (r->stream && r->keep_alive) ||
	    bodylen > SIZE_MAX / 2 ||
	    (body == NULL && bodylen > 0 && !r->head))
		return (NULL);
	if (r->content_type != NULL && !http_value_ok(r->content_type))
		return (NULL);
	http_security_headers(sec, r->csp);
	for (i = 0; i < HTTP_NSECURITY; i++) {
		if (!http_value_ok(sec[i].value))
			return (NULL);
	}
	for (i = 0; i < r->nfields; i++) {
		if (!http_field_ok(&r->fields[i]))
			return (NULL);
	}
	if (r->date != 0 && http_date(r->date, date, sizeof date) == -1)
		return (NULL);

	/* One buffer for head and body: one write, as few TLS records. */
	if (http_buf_reserve(&b, 512 + (r->head ? 0 : bodylen)) == -1)
		return (NULL);
	http_buf_str(&b, "HTTP/1.1 ");
	http_buf_str(&b, http_decimal(num, (uint64_t)r->status));
	http_buf_add(&b, " ", 1);
	http_buf_str(&b, http_reason(r->status));
	http_buf_add(&b, "\r\n", 2);
	if (r->date != 0)
		http_buf_field(&b, "Date", date);
	if (r->content_type != NULL)
		http_buf_field(&b, "Content-Type", r->content_type);
	if (!nolength && !r->stream) {
		http_buf_field(&b, "Content-Length", http_decimal(num,
		    (uint64_t)bodylen));
	}
	http_buf_field(&b, "Connection", r->keep_alive ? "keep-alive" :
	    "close");
	for (i = 0; i < HTTP_NSECURITY; i++)
		http_buf_field(&b, sec[i].name, sec[i].value);
	for (i = 0; i < r->nfields; i++)
		http_buf_field(&b, r->fields[i].name, r->fields[i].value);
	http_buf_add(&b, "\r\n", 2);
	if (!r->head)
		http_buf_add(&b, body, bodylen);
	if (b.failed) {
		free(b.data);
		return (NULL);
	}
	*len = b.len;
	return (b.data);
}

/* The JSON body of an error: {"error":CODE,"message":TEXT} and LF. */
char *
http_error_body(const char *code, const char *message, size_t *len)
{
	json_t	*j = NULL;
	char	*copy = NULL, *text = NULL;
	size_t	 n;

	if (message == NULL)
		message = "the server ran out of memory: try again later";
	if ((copy = strdup(message)) == NULL)
		goto fail;
	utf8_scrub(copy);
	if ((j = json_pack("{s:s, s:s}", "error", code, "message",
	    copy)) == NULL)
		goto fail;
	if ((n = json_dumpb(j, NULL, 0, JSON_COMPACT)) == 0 ||
	    (text = malloc(n + 2)) == NULL ||
	    json_dumpb(j, text, n, JSON_COMPACT) != n)
		goto fail;
	text[n] = '\n';
	text[n + 1] = '\0';
	*len = n + 1;
	json_decref(j);
	free(copy);
	return (text);
fail:
	free(text);
	json_decref(j);
	free(copy);
	return (NULL);
}

/* The whole answer to a refused request, head and JSON body. */
char *
http_error_reply(const struct http_error *err, int64_t date, size_t *len)
{
	struct http_response	 r;
	char			*body, *reply;
	size_t			 bodylen;

	body = http_error_body(err->code != NULL ? err->code : "internal_error",
	    err->message, &bodylen);
	if (body == NULL)
		return (NULL);
	memset(&r, 0, sizeof r);
	r.status = err->status;
	r.content_type = "application/json";
	r.keep_alive = !err->close;
	r.head = err->head;
	r.date = date;
	reply = http_response_format(&r, body, bodylen, len);
	free(body);
	return (reply);
}
