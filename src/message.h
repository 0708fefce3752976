/* The envelope of a member request: JSON object, optional ref, known type. */
#ifndef KENTONGAN_MESSAGE_H
#define KENTONGAN_MESSAGE_H

#include <stddef.h>

#include <jansson.h>

#include "verdict.h"

#define MESSAGE_REF_MAX		64

enum message_type {
	MESSAGE_REPORT,
	MESSAGE_SUBSCRIBE,
	MESSAGE_ACK,
	MESSAGE_QUERY,
	MESSAGE_PING,
	MESSAGE_WHOAMI,		/* which member the hub takes this one for */
	/* Between hubs: a report forwarded, and the answers to one. */
	MESSAGE_FORWARD,
	MESSAGE_ACCEPTED,
	MESSAGE_REJECTED,
	MESSAGE_ERROR,
	MESSAGE_PONG
};

struct message {
	json_t			*json;	/* owned; NULL when not JSON */
	const char		*ref;	/* inside json, or NULL */
	enum message_type	 type;
};

/*
 * Decode one request line. On error returns -1 with v set; m->ref is still
 * set when the line carried a valid one, so the error can answer it. The
 * caller releases m with message_clear in both cases.
 */
int	message_decode(const char *line, size_t len, struct message *m,
	    struct verdict *v);
void	message_clear(struct message *);

#endif
