/*
 * HTTP/1.1 request heads parsed without I/O (RFC 9110, RFC 9112). The
 * operator API takes no request bodies, so a head is all there is to read;
 * whatever is refused is refused with a status, a JSON error code and a
 * message that says what to send instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "utf8.h"

static const char *http_method_names[HTTP_NMETHODS] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_DELETE] = "DELETE",
	[HTTP_CONNECT] = "CONNECT",
	[HTTP_OPTIONS] = "OPTIONS",
	[HTTP_TRACE] = "TRACE",
	[HTTP_PATCH] = "PATCH",
};

/* ASCII lower case, whatever the locale. */
static int
http_lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* Compare n bytes with a string, ignoring ASCII case. */
int
http_caseeq(const char *a, size_t n, const char *b)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\0' || http_lower((unsigned char)a[i]) !=
		    http_lower((unsigned char)b[i]))
			return (0);
	}
	return (b[n] == '\0');
}

/* Whether c may be part of a token. */
int
http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* 1 if c may be part of an authority: a name, an address, a port. */
static int
http_authchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("-._~!$&'()*+,;=:[]%", c) != NULL);
}

/* 1 if c is a hexadecimal digit. */
static int
http_hex(unsigned char c)
{
	return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F'));
}

/* 1 if the n bytes at s are a non-empty authority without user info. */
static int
http_authority(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (!http_authchar((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

/* The name of a method as sent on the wire. */
const char *
http_method_name(enum http_method m)
{
	if ((unsigned)m >= HTTP_NMETHODS)
		return ("");
	return (http_method_names[m]);
}

/* Forget any head in progress. */
void
http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof *p);
	p->method = -1;
}

/*
 * Refuse the request: fill *err, make p ready for the next request, and
 * return HTTP_PARSE_ERROR.
 */
static enum http_parse __attribute__((format(printf, 5, 6)))
http_fail(struct http_parser *p, struct http_error *err, int status,
    int close, const char *fmt, ...)
{
	va_list	 ap;
	char	*message;

	memset(err, 0, sizeof *err);
	err->status = status;
	err->code = http_error_code(status);
	err->close = close;
	err->head = p->method == HTTP_HEAD;
	va_start(ap, fmt);
	if (vasprintf(&message, fmt, ap) == -1)
		message = NULL;
	va_end(ap);
	/* It goes into JSON, and it may quote what the client sent. */
	if (message != NULL)
		utf8_scrub(message);
	err->message = message;
	http_parser_init(p);
	return (HTTP_PARSE_ERROR);
}

/* Read the version at the end of the request line: 1.0 and 1.1 are served. */
static enum http_parse
http_version(struct http_parser *p, const char *v, size_t len,
    struct http_error *err)
{
	size_t	i = 5, major, minor;

	if (len < 5 || memcmp(v, "HTTP/", 5) != 0)
		goto bad;
	for (major = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
		major++;
	if (major == 0)
		goto bad;
	/* "HTTP/2" and "HTTP/3" are versions too, if never sent like this. */
	if (i < len) {
		if (v[i++] != '.')
			goto bad;
		for (minor = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			minor++;
		if (minor == 0 || i != len)
			goto bad;
	}
	if (len == 8 && v[5] == '1' && (v[7] == '0' || v[7] == '1')) {
		p->minor = v[7] - '0';
		return (HTTP_PARSE_MORE);
	}
	return (http_fail(p, err, 505, 1, "%.*s is not supported: use "
	    "HTTP/1.1 (or HTTP/1.0)", len > 16 ? 16 : (int)len, v));
bad:
	return (http_fail(p, err, 400, 1, "the request line does not end "
	    "with an HTTP version such as HTTP/1.1: send METHOD /path "
	    "HTTP/1.1"));
}

/*
 * Refuse a path with malformed percent-encoding, an encoded NUL, or a "."
 * or ".." segment (spelled with '.' or %2E). The path stays encoded: this
 * only makes sure that decoding it later cannot climb or cut it.
 */
static enum http_parse
http_path(struct http_parser *p, const char *s, size_t len,
    struct http_error *err)
{
	size_t	i, dots = 0, other = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (other == 0 && (dots == 1 || dots == 2))
				return (http_fail(p, err, 400, 1, "the path has "
				    "a \".\" or \"..\" segment: send the path "
				    "of the resource itself, such as "
				    "/v1/reports"));
			dots = other = 0;
		} else if (s[i] == '%') {
			if (i + 2 >= len || !http_hex((unsigned char)s[i + 1]) ||
			    !http_hex((unsigned char)s[i + 2]))
				return (http_fail(p, err, 400, 1, "the path has "
				    "a '%%' that does not start a %%XX escape: "
				    "write '%%' as %%25"));
			if (s[i + 1] == '0' && s[i + 2] == '0')
				return (http_fail(p, err, 400, 1, "the path "
				    "holds %%00 (NUL): send the path without "
				    "it"));
			if (s[i + 1] == '2' && (s[i + 2] == 'e' || s[i + 2] == 'E'))
				dots++;
			else
				other++;
			i += 2;
		} else if (s[i] == '.')
			dots++;
		else
			other++;
	}
	return (HTTP_PARSE_MORE);
}

/*
 * Check the request target, t[0..len) at offset off of the request line,
 * and note its parts in p. Taken: origin-form (/path?query) and, as RFC
 * 9112 section 3.2.2 requires of a server, absolute-form with http or
 * https (its authority then stands for Host). Refused: fragments, user
 * information, asterisk-form and authority-form.
 */
static enum http_parse
http_target(struct http_parser *p, const char *t, size_t len, size_t off,
    struct http_error *err)
{
	const char	*end = t + len, *path, *q;
	size_t		 skip, alen;

	if (memchr(t, '#', len) != NULL)
		return (http_fail(p, err, 400, 1, "the request target has a "
		    "fragment ('#'): send the URL without it, or write '#' "
		    "as %%23"));
	p->auth_len = 0;
	if (t[0] == '/')
		path = t;
	else {
		if (len > 7 && http_caseeq(t, 7, "http://"))
			skip = 7;
		else if (len > 8 && http_caseeq(t, 8, "https://"))
			skip = 8;
		else
			return (http_fail(p, err, 400, 1, "the request target "
			    "does not start with '/': send METHOD /path "
			    "HTTP/1.1"));
		for (alen = 0; skip + alen < len; alen++) {
			if (t[skip + alen] == '/' || t[skip + alen] == '?')
				break;
		}
		if (memchr(t + skip, '@', alen) != NULL)
			return (http_fail(p, err, 400, 1, "the URL has user "
			    "information ('@'): send it without, the client "
			    "certificate says who you are"));
		if (!http_authority(t + skip, alen))
			return (http_fail(p, err, 400, 1, "the URL's host is "
			    "empty or holds a character not allowed there: "
			    "send /path, or https://host:port/path"));
		p->auth_off = off + skip;
		p->auth_len = alen;
		path = t + skip + alen;
	}
	q = memchr(path, '?', (size_t)(end - path));
	p->path_off = off + (size_t)(path - t);
	p->path_len = (size_t)((q != NULL ? q : end) - path);
	p->has_query = q != NULL;
	if (q != NULL) {
		p->query_off = off + (size_t)(q + 1 - t);
		p->query_len = (size_t)(end - q - 1);
	}
	return (http_path(p, path, p->path_len, err));
}

/* Check the request line, len bytes at line, and note its parts in p. */
static enum http_parse
http_request_line(struct http_parser *p, const char *line, size_t len,
    struct http_error *err)
{
	const char	*sp, *target, *version;
	size_t		 i, rest, tlen;
	unsigned char	 c;
	int		 m;

	/*
	 * Bytes above 0x7f are not ASCII and should have been percent-
	 * encoded, but clients send them: they reach the router (a path no
	 * endpoint has) and the parameter checks, which name what is wrong.
	 */
	for (i = 0; i < len; i++) {
		c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			return (http_fail(p, err, 400, 1, "the request line "
			    "holds the control byte 0x%02x at column %zu: "
			    "percent-encode the URL", c, i + 1));
	}
	if ((sp = memchr(line, ' ', len)) == NULL)
		return (http_fail(p, err, 400, 1, "the request line has no "
		    "target and no version: send METHOD /path HTTP/1.1"));
	p->method_len = (size_t)(sp - line);
	if (p->method_len == 0)
		return (http_fail(p, err, 400, 1, "the request line starts "
		    "with a space: send METHOD /path HTTP/1.1, single spaces"));
	for (i = 0; i < p->method_len; i++) {
		if (!http_tchar((unsigned char)line[i]))
			return (http_fail(p, err, 400, 1, "the method holds a "
			    "character not allowed in a method name: send "
			    "GET or HEAD"));
	}
	/* An unknown method is refused once the head is read: 501. */
	for (m = 0; m < HTTP_NMETHODS; m++) {
		if (strlen(http_method_names[m]) == p->method_len &&
		    memcmp(line, http_method_names[m], p->method_len) == 0)
			p->method = m;
	}
	target = sp + 1;
	rest = len - p->method_len - 1;
	if ((sp = memchr(target, ' ', rest)) == NULL)
		return (http_fail(p, err, 400, 1, "the request line has no "
		    "HTTP version (HTTP/0.9 is not supported): send METHOD "
		    "/path HTTP/1.1"));
	if ((tlen = (size_t)(sp - target)) == 0)
		return (http_fail(p, err, 400, 1, "the request target is "
		    "empty: send METHOD /path HTTP/1.1, single spaces"));
	version = sp + 1;
	if (memchr(version, ' ', len - (size_t)(version - line)) != NULL)
		return (http_fail(p, err, 400, 1, "the request line has more "
		    "than three parts: write a space in a URL as %%20"));
	if (http_version(p, version, len - (size_t)(version - line), err) ==
	    HTTP_PARSE_ERROR)
		return (HTTP_PARSE_ERROR);
	if (http_target(p, target, tlen, (size_t)(target - line), err) ==
	    HTTP_PARSE_ERROR)
		return (HTTP_PARSE_ERROR);
	p->line_len = len;
	p->have_line = 1;
	return (HTTP_PARSE_MORE);
}

/*
 * Split a field line (len bytes, then a NUL) into name and value in place.
 * NULL, or why it is refused.
 */
static const char *
http_field_line(char *line, size_t len, struct http_field *f)
{
	char	*colon, *v, *e, *s;

	if (line[0] == ' ' || line[0] == '\t')
		return ("it starts with white space (obsolete line folding): "
		    "send each field on one line");
	if ((colon = memchr(line, ':', len)) == NULL)
		return ("it has no colon: send Name: value");
	if (colon == line)
		return ("it has no name: send Name: value");
	if (colon[-1] == ' ' || colon[-1] == '\t')
		return ("it has white space before the colon: send Name: value");
	for (s = line; s < colon; s++) {
		if (!http_tchar((unsigned char)*s))
			return ("its name holds a character not allowed in a "
			    "field name: send Name: value");
	}
	*colon = '\0';
	v = colon + 1;
	e = line + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (s = v; s < e; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return ("its value holds a control byte (NUL, CR, ...): "
			    "send text only");
	}
	*e = '\0';
	f->name = line;
	f->value = v;
	return (NULL);
}

/*
 * Read a Content-Length value, a list of one or more equal decimals (RFC
 * 9110 section 8.6). 0, or -1 if not decimals, -2 if they differ, -3 if
 * too large.
 */
static int
http_content_length(const char *s, uint64_t *out)
{
	uint64_t	v, first = 0;
	unsigned	d;
	int		n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s < '0' || *s > '9')
			return (-1);
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			d = (unsigned)(*s - '0');
			if (v > (UINT64_MAX - d) / 10)
				return (-3);
			v = v * 10 + d;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (n++ > 0 && v != first)
			return (-2);
		first = v;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return (-1);
	}
	*out = first;
	return (0);
}

/* Note the options of a Connection field that decide keep-alive. */
static void
http_connection(const char *s, int *close, int *keep)
{
	size_t	n;

	while (*s != '\0') {
		s += strspn(s, " \t,");
		n = strcspn(s, " \t,");
		if (http_caseeq(s, n, "close"))
			*close = 1;
		else if (http_caseeq(s, n, "keep-alive"))
			*keep = 1;
		s += n;
	}
}

/*
 * Check the fields that frame the message and decide keep-alive. -1 with
 * *err set (the connection closes: where the next request would start is
 * not known, or a body is coming).
 */
static int
http_framing(struct http_parser *p, struct http_request *r,
    struct http_error *err)
{
	const struct http_field	*f;
	uint64_t		 v;
	size_t			 i;
	int			 te = 0, close = 0, keep = 0, rc;

	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (http_caseeq(f->name, strlen(f->name), "transfer-encoding"))
			te = 1;
		else if (http_caseeq(f->name, strlen(f->name), "connection"))
			http_connection(f->value, &close, &keep);
		else if (http_caseeq(f->name, strlen(f->name),
		    "content-length")) {
			if ((rc = http_content_length(f->value, &v)) == 0 &&
			    r->has_content_length && v != r->content_length)
				rc = -2;
			if (rc == -3) {
				http_fail(p, err, 400, 1, "Content-Length is too "
				    "large a number: send no body");
				return (-1);
			}
			if (rc == -2) {
				http_fail(p, err, 400, 1, "Content-Length is "
				    "given with different values: send no "
				    "body, and no Content-Length or 0");
				return (-1);
			}
			if (rc == -1) {
				http_fail(p, err, 400, 1, "Content-Length is not "
				    "a decimal number of bytes: send no body, "
				    "and no Content-Length or 0");
				return (-1);
			}
			r->has_content_length = 1;
			r->content_length = v;
		}
	}
	if (te) {
		http_fail(p, err, 501, 1, "Transfer-Encoding is not accepted: "
		    "the operator API takes no request body; send the "
		    "request without one");
		return (-1);
	}
	if (r->content_length > 0) {
		http_fail(p, err, 413, 1, "the operator API takes no request "
		    "body (Content-Length is %llu): send the request without "
		    "one", (unsigned long long)r->content_length);
		return (-1);
	}
	if (r->minor == 1)
		r->keep_alive = !close;
	else
		r->keep_alive = keep && !close;
	return (0);
}

/*
 * Refusals of a well-framed head, after which the connection may serve
 * another request: the Host field, an unknown method. -1 with *err set.
 */
static int
http_semantics(struct http_parser *p, struct http_request *r,
    struct http_error *err)
{
	const struct http_field	*f;
	const char		*host = NULL;
	size_t			 i, nhost = 0;
	int			 close = !r->keep_alive;

	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (http_caseeq(f->name, strlen(f->name), "host")) {
			host = f->value;
			nhost++;
		}
	}
	if (nhost > 1) {
		http_fail(p, err, 400, close, "the request has more than one "
		    "Host field: send one");
		return (-1);
	}
	if (host != NULL && !http_authority(host, strlen(host))) {
		http_fail(p, err, 400, close, "the Host field is not a host "
		    "name or address: send Host: name:port");
		return (-1);
	}
	if (host == NULL && r->minor == 1) {
		http_fail(p, err, 400, close, "an HTTP/1.1 request needs a "
		    "Host field: send Host: name:port");
		return (-1);
	}
	if (p->method == -1) {
		http_fail(p, err, 501, close, "the method \"%.32s\" is not "
		    "known here: the operator API answers GET and HEAD",
		    r->head);
		return (-1);
	}
	if (r->host == NULL)
		r->host = host;
	return (0);
}

/*
 * The head ends at buf[end]: copy it into a request, split its fields,
 * and check what needs the whole head.
 */
static enum http_parse
http_finish(struct http_parser *p, const char *buf, size_t end,
    struct http_request **reqp, struct http_error *err, size_t *consumed)
{
	struct http_request	*r;
	const char		*why;
	char			*line, *lf, *auth;
	size_t			 hlen = end - p->start, i;

	if ((r = calloc(1, sizeof *r)) == NULL)
		goto nomem;
	if ((r->head = malloc(hlen + p->auth_len + 2)) == NULL)
		goto nomem;
	memcpy(r->head, buf + p->start, hlen);
	r->head[hlen] = '\0';
	if (p->nfields > 0 &&
	    (r->fields = calloc(p->nfields, sizeof *r->fields)) == NULL)
		goto nomem;

	/* The request line: cut its parts where the spaces and '?' are. */
	r->method = p->method == -1 ? HTTP_GET : (enum http_method)p->method;
	r->minor = p->minor;
	r->head[p->method_len] = '\0';
	if (p->path_len == 0)
		r->path = "/";
	else {
		r->head[p->path_off + p->path_len] = '\0';
		r->path = r->head + p->path_off;
	}
	if (p->has_query) {
		r->head[p->query_off + p->query_len] = '\0';
		r->query = r->head + p->query_off;
	}
	if (p->auth_len > 0) {
		auth = r->head + hlen + 1;
		memcpy(auth, buf + p->start + p->auth_off, p->auth_len);
		auth[p->auth_len] = '\0';
		r->host = auth;
	}

	/* Each field line ends with CR LF, as the scan made sure. */
	line = r->head + p->line_len + 2;
	for (i = 0; i < p->nfields; i++) {
		lf = memchr(line, '\n', hlen - (size_t)(line - r->head));
		lf[-1] = '\0';
		why = http_field_line(line, (size_t)(lf - 1 - line),
		    &r->fields[i]);
		if (why != NULL) {
			http_request_free(r);
			return (http_fail(p, err, 400, 1, "header field %zu: %s",
			    i + 1, why));
		}
		line = lf + 1;
	}
	r->nfields = p->nfields;

	if (http_framing(p, r, err) == -1) {
		http_request_free(r);
		return (HTTP_PARSE_ERROR);
	}
	if (http_semantics(p, r, err) == -1) {
		if (!err->close)
			*consumed = end;
		http_request_free(r);
		return (HTTP_PARSE_ERROR);
	}
	*reqp = r;
	*consumed = end;
	http_parser_init(p);
	return (HTTP_PARSE_DONE);

nomem:
	http_request_free(r);
	return (http_fail(p, err, 500, 1, "the server is out of memory: try "
	    "again later"));
}

/* Refuse a request line that is too long; 414. */
static enum http_parse
http_line_too_long(struct http_parser *p, struct http_error *err)
{
	return (http_fail(p, err, 414, 1, "the request line is longer than %d "
	    "bytes: use a shorter URL", HTTP_REQUEST_LINE_MAX));
}

/*
 * Parse what has come of a request head so far. The outcome does not
 * depend on how the bytes were cut into calls: each check is made on what
 * is known at the first byte that decides it.
 */
enum http_parse
http_parse(struct http_parser *p, const char *buf, size_t len,
    struct http_request **req, struct http_error *err, size_t *consumed)
{
	const char	*lf;
	size_t		 limit, at, content;

	/* A head that ends past the limit is refused: no need to look there. */
	limit = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	if (p->scanned > limit)
		http_parser_init(p);
	while (p->scanned < limit) {
		lf = memchr(buf + p->scanned, '\n', limit - p->scanned);
		if (lf == NULL) {
			p->scanned = limit;
			break;
		}
		at = (size_t)(lf - buf);
		p->scanned = at + 1;
		content = at - p->line;
		if (content > 0 && buf[at - 1] == '\r')
			content--;
		/* As it would have been without the LF: see below. */
		if (!p->have_line && content > HTTP_REQUEST_LINE_MAX)
			return (http_line_too_long(p, err));
		if (at == p->line || buf[at - 1] != '\r')
			return (http_fail(p, err, 400, 1, "a line ends with a "
			    "bare LF: end every line with CR LF"));
		if (!p->have_line) {
			/* Empty lines before a request are ignored (RFC 9112 2.2). */
			if (content > 0) {
				p->start = p->line;
				if (http_request_line(p, buf + p->line, content,
				    err) == HTTP_PARSE_ERROR)
					return (HTTP_PARSE_ERROR);
			}
		} else if (content == 0)
			return (http_finish(p, buf, at + 1, req, err, consumed));
		else if (++p->nfields > HTTP_FIELDS_MAX)
			return (http_fail(p, err, 431, 1, "the request has more "
			    "than %d header fields: send fewer",
			    HTTP_FIELDS_MAX));
		p->line = at + 1;
	}

	/* No whole head yet: refuse one that cannot fit. */
	if (!p->have_line && limit > p->line) {
		content = limit - p->line;
		if (buf[limit - 1] == '\r')
			content--;
		if (content > HTTP_REQUEST_LINE_MAX)
			return (http_line_too_long(p, err));
	}
	if (len > HTTP_HEAD_MAX)
		return (http_fail(p, err, 431, 1, "the request head is larger "
		    "than %d bytes: send fewer or smaller header fields",
		    HTTP_HEAD_MAX));
	return (HTTP_PARSE_MORE);
}

/* Free a request and the strings it holds; NULL is fine. */
void
http_request_free(struct http_request *r)
{
	if (r == NULL)
		return;
	free(r->fields);
	free(r->head);
	free(r);
}

/* Free the message of an error and zero it. */
void
http_error_clear(struct http_error *err)
{
	free(err->message);
	memset(err, 0, sizeof *err);
}

/* Find a field by name, ignoring ASCII case; the first one wins. */
const char *
http_request_field(const struct http_request *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nfields; i++) {
		if (http_caseeq(r->fields[i].name, strlen(r->fields[i].name),
		    name))
			return (r->fields[i].value);
	}
	return (NULL);
}
