/* The operator API: HTTPS with a client certificate of role operator. */
#ifndef KENTONGAN_OPERATOR_H
#define KENTONGAN_OPERATOR_H

struct hub;

/* Listen on operator_listen (unless off). Exits 1 on a start-up error. */
void	operator_start(struct hub *);
/* Stop listening and close operator connections. */
void	operator_stop(struct hub *);

#endif
