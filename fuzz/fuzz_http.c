/*
 * Fuzz target: the operator API's request heads (http.c), as a connection
 * reads them: bytes arrive in chunks, http_parse is called on what is
 * buffered, each request's head is taken off the front and the next one
 * parsed, until a refusal closes the connection. Every refusal is turned
 * into the reply the server sends, and every request's fields are echoed
 * through the response formatter.
 *
 * Input: byte 0 seeds the chunk sizes (b % 13 == 0: one byte at a time;
 * else up to 2^(b % 13) bytes); the rest is what a client sends on one
 * connection.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "http.h"

/* More outcomes than this would need more than the largest input. */
#define HTTP_FUZZ_OUTCOMES	8192

/* Fields the formatter sets itself, so a caller may not pass them. */
static const char *const http_fuzz_reserved[] = {
	"content-type", "content-length", "connection", "date",
	"transfer-encoding", "cache-control", "x-content-type-options",
	"content-security-policy", "x-frame-options", "referrer-policy",
	"cross-origin-resource-policy",
};

/* The outcomes of one reading of the stream, to compare two readings. */
struct http_fuzz_run {
	char	*outcomes[HTTP_FUZZ_OUTCOMES];
	size_t	 n;
};

/* Nothing to load: http.c needs no taxonomy. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return (0);
}

/* ASCII lower case. */
static int
http_fuzz_lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* 1 if a and b are equal but for ASCII case. */
static int
http_fuzz_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (http_fuzz_lower((unsigned char)*a) !=
		    http_fuzz_lower((unsigned char)*b))
			return (0);
	}
	return (*a == *b);
}

/* 1 if s holds only visible ASCII, and none of the bytes in not. */
static int
http_fuzz_visible(const char *s, const char *not)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr(not, *s) != NULL)
			return (0);
	}
	return (1);
}

/* 1 if s is a token. */
static int
http_fuzz_token(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~",
		    *s) != NULL))
			return (0);
	}
	return (1);
}

/* Record an outcome (takes text). */
static void
http_fuzz_record(struct http_fuzz_run *run, char *text)
{
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(run->n < HTTP_FUZZ_OUTCOMES);
	run->outcomes[run->n++] = text;
}

/* A response head is lines ending in CR LF, then an empty line. */
static void
http_fuzz_check_head(const char *out, size_t len, size_t bodylen)
{
	const char	*end;
	size_t		 i, head;

	FUZZ_CHECK(len >= bodylen + 4);
	head = len - bodylen;
	FUZZ_CHECK(memcmp(out + head - 4, "\r\n\r\n", 4) == 0);
	end = strstr(out, "\r\n\r\n");
	FUZZ_CHECK(end == out + head - 4);
	for (i = 0; i < head; i++) {
		if (out[i] == '\n')
			FUZZ_CHECK(i > 0 && out[i - 1] == '\r');
		if (out[i] == '\r')
			FUZZ_CHECK(i + 1 < head && out[i + 1] == '\n');
		FUZZ_CHECK(out[i] != '\0');
	}
	FUZZ_CHECK(strncmp(out, "HTTP/1.1 ", 9) == 0);
}

/* A refusal: its code, message and the reply it becomes. */
static void
http_fuzz_error(const struct http_error *err)
{
	json_t		*j;
	const char	*body;
	char		*reply;
	size_t		 len;

	switch (err->status) {
	case 400:
		FUZZ_CHECK(strcmp(err->code, "bad_request") == 0);
		break;
	case 413:
		FUZZ_CHECK(strcmp(err->code, "body_too_large") == 0);
		FUZZ_CHECK(err->close);
		break;
	case 414:
		FUZZ_CHECK(strcmp(err->code, "uri_too_long") == 0);
		FUZZ_CHECK(err->close);
		break;
	case 431:
		FUZZ_CHECK(strcmp(err->code, "header_too_large") == 0);
		FUZZ_CHECK(err->close);
		break;
	case 501:
		FUZZ_CHECK(strcmp(err->code, "not_implemented") == 0);
		break;
	case 505:
		FUZZ_CHECK(strcmp(err->code, "version_not_supported") == 0);
		FUZZ_CHECK(err->close);
		break;
	default:
		FUZZ_CHECK(!"an unexpected status");
	}
	FUZZ_CHECK(err->message != NULL && err->message[0] != '\0');
	FUZZ_CHECK(fuzz_utf8(err->message));
	FUZZ_CHECK(strchr(err->message, '\n') == NULL);

	reply = http_error_reply(err, FUZZ_NOW_USEC / 1000000, &len);
	FUZZ_CHECK(reply != NULL);
	body = strstr(reply, "\r\n\r\n");
	FUZZ_CHECK(body != NULL);
	body += 4;
	http_fuzz_check_head(reply, len, strlen(body));
	if (err->head)
		FUZZ_CHECK(*body == '\0');
	else {
		FUZZ_CHECK((j = json_loads(body, 0, NULL)) != NULL);
		FUZZ_CHECK(strcmp(json_string_value(json_object_get(j,
		    "error")), err->code) == 0);
		FUZZ_CHECK(strcmp(json_string_value(json_object_get(j,
		    "message")), err->message) == 0);
		json_decref(j);
	}
	free(reply);
}

/* A request: what the server relies on, then its fields sent back. */
static void
http_fuzz_request(const struct http_request *r, const uint8_t *head,
    size_t consumed)
{
	struct http_response	 resp;
	struct http_field	*echo;
	const char		*v, *s;
	char			*out;
	size_t			 i, j, n = 0, len;
	int			 conn = 0;

	FUZZ_CHECK(consumed >= 4 && consumed <= HTTP_HEAD_MAX);
	FUZZ_CHECK(memcmp(head + consumed - 4, "\r\n\r\n", 4) == 0);
	FUZZ_CHECK((unsigned)r->method < HTTP_NMETHODS);
	FUZZ_CHECK(r->minor == 0 || r->minor == 1);
	FUZZ_CHECK(r->path[0] == '/');
	FUZZ_CHECK(http_fuzz_visible(r->path, "#?"));
	FUZZ_CHECK(strstr(r->path, "%00") == NULL);
	FUZZ_CHECK(strstr(r->path, "/../") == NULL &&
	    strstr(r->path, "/./") == NULL);
	len = strlen(r->path);
	FUZZ_CHECK(!(len >= 2 && strcmp(r->path + len - 2, "/.") == 0));
	FUZZ_CHECK(!(len >= 3 && strcmp(r->path + len - 3, "/..") == 0));
	for (s = r->path; (s = strchr(s, '%')) != NULL; s += 3)
		FUZZ_CHECK(s[1] != '\0' && s[2] != '\0');
	FUZZ_CHECK(r->query == NULL || r->query[0] == '\0' ||
	    http_fuzz_visible(r->query, "#"));
	FUZZ_CHECK(r->host == NULL || (r->host[0] != '\0' &&
	    http_fuzz_visible(r->host, "/?#@\"<>\\^`{|}")));
	FUZZ_CHECK(r->minor == 0 || r->host != NULL);
	FUZZ_CHECK(!r->has_content_length || r->content_length == 0);
	FUZZ_CHECK(r->has_content_length || r->content_length == 0);
	FUZZ_CHECK(r->nfields <= HTTP_FIELDS_MAX);

	for (i = 0; i < r->nfields; i++) {
		FUZZ_CHECK(http_fuzz_token(r->fields[i].name));
		v = r->fields[i].value;
		for (s = v; *s != '\0'; s++)
			FUZZ_CHECK(((unsigned char)*s >= 0x20 || *s == '\t') &&
			    *s != 0x7f);
		len = strlen(v);
		FUZZ_CHECK(len == 0 || (v[0] != ' ' && v[0] != '\t' &&
		    v[len - 1] != ' ' && v[len - 1] != '\t'));
		FUZZ_CHECK(!http_fuzz_caseeq(r->fields[i].name,
		    "transfer-encoding"));
		if (http_fuzz_caseeq(r->fields[i].name, "connection"))
			conn = 1;
		/* The lookup finds the first field of that name. */
		for (j = 0; j < i; j++) {
			if (http_fuzz_caseeq(r->fields[j].name,
			    r->fields[i].name))
				break;
		}
		FUZZ_CHECK(http_request_field(r, r->fields[i].name) ==
		    r->fields[j].value);
	}
	if (!conn)
		FUZZ_CHECK(r->keep_alive == (r->minor == 1));

	/* Whatever a client could send in a field, a response can carry. */
	FUZZ_CHECK((echo = calloc(r->nfields + 1, sizeof *echo)) != NULL);
	for (i = 0; i < r->nfields; i++) {
		for (j = 0; j < sizeof http_fuzz_reserved /
		    sizeof http_fuzz_reserved[0]; j++) {
			if (http_fuzz_caseeq(r->fields[i].name,
			    http_fuzz_reserved[j]))
				break;
		}
		if (j == sizeof http_fuzz_reserved /
		    sizeof http_fuzz_reserved[0])
			echo[n++] = r->fields[i];
	}
	memset(&resp, 0, sizeof resp);
	resp.status = 200;
	resp.content_type = "application/json";
	resp.keep_alive = r->keep_alive;
	resp.head = r->method == HTTP_HEAD;
	resp.date = FUZZ_NOW_USEC / 1000000;
	resp.fields = echo;
	resp.nfields = n;
	out = http_response_format(&resp, r->path, strlen(r->path), &len);
	FUZZ_CHECK(out != NULL);
	http_fuzz_check_head(out, len, resp.head ? 0 : strlen(r->path));
	free(out);
	free(echo);
}

/* Describe an outcome, to compare how two readings ended. */
static char *
http_fuzz_describe(enum http_parse rc, const struct http_request *r,
    const struct http_error *err, size_t consumed)
{
	char	*text = NULL;
	int	 n = -1;

	if (rc == HTTP_PARSE_DONE)
		n = asprintf(&text, "done %zu %d %d %s %s %s %d %zu", consumed,
		    r->method, r->minor, r->path, r->query ? r->query : "-",
		    r->host ? r->host : "-", r->keep_alive, r->nfields);
	else if (rc == HTTP_PARSE_ERROR)
		n = asprintf(&text, "error %d %s %d %d %zu %s", err->status,
		    err->code, err->close, err->head, err->close ? 0 : consumed,
		    err->message);
	else
		n = asprintf(&text, "more");
	return (n == -1 ? NULL : text);
}

/*
 * Read the stream as a connection would, chunk sizes from seed (0: all at
 * once), recording each outcome; stop at a refusal that closes.
 */
static void
http_fuzz_read(const uint8_t *data, size_t size, unsigned seed,
    struct http_fuzz_run *run)
{
	struct http_parser	 p;
	struct http_request	*r;
	struct http_error	 err;
	enum http_parse		 rc;
	size_t			 off = 0, got = 0, chunk, consumed, pending;
	uint32_t		 rnd = seed * 2654435761u + 1;

	http_parser_init(&p);
	while (got < size) {
		if (seed == 0)
			chunk = size;
		else if (seed % 13 == 0)
			chunk = 1;
		else {
			rnd = rnd * 1103515245u + 12345u;
			chunk = 1 + (rnd >> 8) % ((size_t)1 << (seed % 13));
		}
		got = chunk > size - got ? size : got + chunk;
		/* Parse everything that is complete in what is buffered. */
		for (;;) {
			r = NULL;
			memset(&err, 0, sizeof err);
			consumed = (size_t)-1;
			pending = got - off;
			rc = http_parse(&p, (const char *)data + off, pending,
			    &r, &err, &consumed);
			if (rc == HTTP_PARSE_MORE) {
				FUZZ_CHECK(r == NULL && err.message == NULL);
				FUZZ_CHECK(pending <= HTTP_HEAD_MAX);
				FUZZ_CHECK(p.scanned == pending);
				break;
			}
			http_fuzz_record(run, http_fuzz_describe(rc, r, &err,
			    consumed));
			if (rc == HTTP_PARSE_DONE) {
				FUZZ_CHECK(r != NULL && consumed <= pending);
				http_fuzz_request(r, data + off, consumed);
				http_request_free(r);
				off += consumed;
				continue;
			}
			FUZZ_CHECK(r == NULL);
			http_fuzz_error(&err);
			if (err.close) {
				http_error_clear(&err);
				return;
			}
			FUZZ_CHECK(consumed > 0 && consumed <= pending);
			FUZZ_CHECK(consumed <= HTTP_HEAD_MAX);
			http_error_clear(&err);
			off += consumed;
		}
	}
	http_fuzz_record(run, http_fuzz_describe(HTTP_PARSE_MORE, NULL, NULL,
	    0));
}

/* Free what a run recorded. */
static void
http_fuzz_run_clear(struct http_fuzz_run *run)
{
	size_t	i;

	for (i = 0; i < run->n; i++)
		free(run->outcomes[i]);
	run->n = 0;
}

/* The JSON error body of any text is JSON, with the text made UTF-8. */
static void
http_fuzz_body(const uint8_t *data, size_t size)
{
	json_t	*j;
	char	*text, *body;
	size_t	 len;

	FUZZ_CHECK((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	body = http_error_body("bad_request", text, &len);
	FUZZ_CHECK(body != NULL && len == strlen(body));
	FUZZ_CHECK(len > 0 && body[len - 1] == '\n');
	FUZZ_CHECK((j = json_loads(body, 0, NULL)) != NULL);
	FUZZ_CHECK(json_is_string(json_object_get(j, "message")));
	FUZZ_CHECK(strlen(json_string_value(json_object_get(j, "message"))) ==
	    strlen(text));
	json_decref(j);
	free(body);
	free(text);
}

/* One input: a seed for chunk sizes, then the stream. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_fuzz_run	whole, chunked;
	size_t				i;

	if (size < 1)
		return (0);
	/* All at once, then in chunks: the same outcomes, in order. */
	http_fuzz_read(data + 1, size - 1, 0, &whole);
	http_fuzz_read(data + 1, size - 1, data[0] == 0 ? 13 : data[0],
	    &chunked);
	FUZZ_CHECK(whole.n == chunked.n);
	for (i = 0; i < whole.n; i++)
		FUZZ_CHECK(strcmp(whole.outcomes[i], chunked.outcomes[i]) == 0);
	http_fuzz_run_clear(&whole);
	http_fuzz_run_clear(&chunked);
	http_fuzz_body(data + 1, size < 257 ? size - 1 : 256);
	return (0);
}
