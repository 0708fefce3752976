/* The operator API: HTTPS with a client certificate of role operator. */
#ifndef KENTONGAN_OPERATOR_H
#define KENTONGAN_OPERATOR_H

struct conn;
struct hub;

/* The TLS context of the operator listener. Exits 1 on a start-up error. */
void	operator_start(struct hub *);
/* Take in the requests an operator connection has sent, in turn. */
void	operator_input(struct conn *);
/* Refuse a connection before any request: the answer, then the close. */
void	operator_refuse(struct conn *, int status, const char *error,
	    const char *message);
/* The connection is going away. */
void	operator_closed(struct conn *);

#endif
