/*
 * HTTP/1.1 for the operator API, without I/O: request heads in, response
 * heads and JSON error bodies out. The connection code reads and writes.
 */
#ifndef KENTONGAN_HTTP_H
#define KENTONGAN_HTTP_H

/*
 * What a request head may be, where RFC 9110 and 9112 leave it open:
 * - Lines end with CR LF. A bare LF is refused (400), and so is a CR
 *   inside a line. Empty lines before the request line are skipped.
 * - The target is origin-form, /path?query, or absolute-form with http
 *   or https (RFC 9112 section 3.2.2 makes servers take it), whose
 *   authority is then the request's host. Asterisk-form, authority-form,
 *   user information and fragments are refused (400).
 * - The path stays percent-encoded, but %00, a '%' that starts no %XX,
 *   and "." or ".." segments (%2E too) are refused (400). The query is
 *   handed over raw for opparams to decode.
 * - Content-Length: the same value repeated, in one field or several,
 *   is taken (RFC 9110 section 8.6 allows it); different values, no
 *   number, or a number past 2^64-1 are refused (400); any length above
 *   0 is a body, refused (413). Transfer-Encoding is refused (501).
 * - A method that is not one of enum http_method is refused (501); one
 *   that is not a token at all is malformed (400).
 * - HTTP/1.1 needs exactly one valid Host field, even with absolute-form.
 * - A refusal closes the connection, except one made of a whole head that
 *   frames no body (Host missing, repeated or invalid; unknown method):
 *   then the request's own keep-alive decides.
 */

#include <stddef.h>
#include <stdint.h>

/* Limits on what a client may send before the server answers. */
#define HTTP_REQUEST_LINE_MAX	8192	/* the request line, CRLF excluded */
#define HTTP_HEAD_MAX		16384	/* the whole head, blank line included */
#define HTTP_FIELDS_MAX		100	/* header field lines */

/* The policy of JSON answers; the HTML console passes its own. */
#define HTTP_CSP_JSON		"default-src 'none'; frame-ancestors 'none'"
/* How many header fields http_security_headers gives. */
#define HTTP_NSECURITY		6

/* The methods of RFC 9110 and PATCH; any other token is refused with 501. */
enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_CONNECT,
	HTTP_OPTIONS,
	HTTP_TRACE,
	HTTP_PATCH,
	HTTP_NMETHODS
};

enum http_parse {
	HTTP_PARSE_MORE,	/* no whole head yet: read more, call again */
	HTTP_PARSE_DONE,	/* a request: *consumed bytes are its head */
	HTTP_PARSE_ERROR	/* refused: answer with the error */
};

/* One header field, or a field to send. */
struct http_field {
	const char	*name;
	const char	*value;
};

/*
 * A parsed request head. Every string is NUL-terminated and points into
 * memory owned by the request; nothing is percent-decoded.
 */
struct http_request {
	enum http_method	 method;
	int			 minor;		/* HTTP/1.0: 0, HTTP/1.1: 1 */
	const char		*path;		/* begins with '/', raw */
	const char		*query;		/* after '?', raw; NULL if none */
	const char		*host;		/* the authority; NULL if none */
	int			 keep_alive;	/* may serve another request */
	int			 has_content_length;
	uint64_t		 content_length; /* 0: a body is refused */
	struct http_field	*fields;	/* in order received */
	size_t			 nfields;
	char			*head;		/* private: the strings' storage */
};

/*
 * Why a request was refused. code is the JSON error code ("bad_request",
 * ...), static; message, malloc'd, is valid UTF-8 on one line and says
 * what to do (NULL only when memory ran out). close: the connection must
 * be closed after the answer; otherwise the next request starts after
 * the consumed bytes. head: the request was HEAD, so the answer has no
 * body.
 */
struct http_error {
	int		 status;
	const char	*code;
	char		*message;
	int		 close;
	int		 head;
};

/*
 * Where the parse of one request head stands; http_parser_init it before
 * the first call. Private.
 */
struct http_parser {
	size_t	scanned;	/* bytes already searched for line ends */
	size_t	line;		/* offset of the line being read */
	size_t	start;		/* offset of the request line */
	size_t	nfields;	/* field lines found so far */
	int	have_line;	/* the request line is read and checked */
	int	method;		/* an enum http_method, or -1: unknown */
	int	minor;
	/* Parts of the request line, as offsets from start. */
	size_t	line_len;
	size_t	method_len;
	size_t	auth_off, auth_len;	/* the absolute-form's authority */
	size_t	path_off, path_len;	/* path_len 0: "/" */
	size_t	query_off, query_len;
	int	has_query;
};

/* What a response says besides its body. */
struct http_response {
	int			 status;	/* 200-599 */
	const char		*content_type;	/* NULL: none */
	const char		*csp;		/* NULL: HTTP_CSP_JSON */
	int			 keep_alive;	/* else Connection: close */
	int			 head;		/* to HEAD: length, no body */
	int			 stream;	/* no length: the close ends it */
	int64_t			 date;		/* seconds since 1970; 0: no Date */
	const struct http_field	*fields;	/* more, such as Allow */
	size_t			 nfields;
};

/* http.c: request heads. */

/* Make p ready for a new request head. */
void		 http_parser_init(struct http_parser *p);
/*
 * Parse the request head at the front of buf, the len bytes received so
 * far for this request; each call must see the bytes of the previous one
 * again, followed by any new ones. Only the new bytes are searched, so a
 * head arriving a byte at a time costs no more than one arriving whole,
 * and how the bytes were cut into calls does not change the outcome.
 *
 * MORE: nothing is set. DONE: *req is a new request (http_request_free),
 * *consumed the length of its head; what follows is the next request.
 * ERROR: *err is set (http_error_clear); *consumed is set when !err->close.
 * After DONE and ERROR the parser is ready for the next request.
 */
enum http_parse	 http_parse(struct http_parser *p, const char *buf,
		    size_t len, struct http_request **req,
		    struct http_error *err, size_t *consumed);
void		 http_request_free(struct http_request *);
void		 http_error_clear(struct http_error *);
/* The value of the first field named name (any case), or NULL. */
const char	*http_request_field(const struct http_request *,
		    const char *name);
/* A method as it is spelled on the wire; "" for none. */
const char	*http_method_name(enum http_method);
/* 1 if the n bytes at a equal the string b, ignoring ASCII case. */
int		 http_caseeq(const char *a, size_t n, const char *b);
/* 1 if c may be part of a token (RFC 9110 section 5.6.2). */
int		 http_tchar(unsigned char c);

/* http_reply.c: responses. */

/* The reason phrase of a status, "" for one without. */
const char	*http_reason(int status);
/*
 * The JSON error code of an error status: "bad_request" for 400,
 * "not_found" for 404, ...; for a status it does not know, "bad_request"
 * below 500 and "internal_error" from 500.
 */
const char	*http_error_code(int status);
/*
 * The fields sent with every response, csp as Content-Security-Policy
 * (NULL: HTTP_CSP_JSON); returns HTTP_NSECURITY.
 */
size_t		 http_security_headers(struct http_field out[HTTP_NSECURITY],
		    const char *csp);
/*
 * One buffer with the response head of r and, unless r->head, the body
 * (bodylen bytes; Content-Length says bodylen unless r->stream, 204 or
 * 304). The head has the status line, Date, Content-Type, Content-Length,
 * Connection, the security fields, then r->fields. Returns a malloc'd
 * buffer of *len bytes (also NUL-terminated), or NULL on no memory or a
 * response that cannot be sent: a status outside 200-599, a field that is
 * not a token or has a control byte, a field the formatter sets itself
 * (those above), a body with 204 or 304, r->stream with r->keep_alive, a
 * date before 1970 or after 9999.
 */
char		*http_response_format(const struct http_response *r,
		    const void *body, size_t bodylen, size_t *len);
/*
 * The body {"error":CODE,"message":TEXT} and a newline, malloc'd, *len
 * bytes; bytes of message that are not UTF-8 become '?'. NULL on no
 * memory.
 */
char		*http_error_body(const char *code, const char *message,
		    size_t *len);
/*
 * The whole answer to a refused request: err's status and JSON body
 * (none when err->head), Connection: close when err->close, keep-alive
 * otherwise; date as in struct http_response. NULL on no memory.
 */
char		*http_error_reply(const struct http_error *err, int64_t date,
		    size_t *len);

#endif
