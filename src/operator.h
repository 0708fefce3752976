/* The operator API: HTTPS with a client certificate of role operator. */
#ifndef KENTONGAN_OPERATOR_H
#define KENTONGAN_OPERATOR_H

#include <stddef.h>

struct conn;
struct hub;
struct http_field;
struct http_request;

/* The TLS context of the operator listener. Exits 1 on a start-up error. */
void	operator_start(struct hub *);
/* Take in the requests an operator connection has sent, in turn. */
void	operator_input(struct conn *);
/* Refuse a connection before any request: the answer, then the close. */
void	operator_refuse(struct conn *, int status, const char *error,
	    const char *message);
/* The connection is going away. */
void	operator_closed(struct conn *);

/* For the console and the event stream, on the same connections: */

/* 1 if the connection's certificate still admits its operator. */
int	operator_admitted(struct conn *);
/* Count an answer for the operator and log it, as an audit trail. */
void	operator_note(struct conn *, const struct http_request *, int status);
/*
 * Send a whole answer: head (csp NULL: the JSON API's policy) and body.
 * The connection closes after it when the request or the answer says so.
 */
void	operator_reply(struct conn *, const struct http_request *, int status,
	    const char *content_type, const char *csp,
	    const struct http_field *fields, size_t nfields, const void *body,
	    size_t len);
/* Send {"error":CODE,"message":TEXT} with a status. */
void	operator_fail(struct conn *, const struct http_request *, int status,
	    const char *error, const char *message);

#endif
