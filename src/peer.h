/*
 * Federation on the wire: forwards received from peer hubs, the forwards
 * this hub pushes to them and their answers, and the links this hub dials
 * itself (connect=).
 */
#ifndef KENTONGAN_PEER_H
#define KENTONGAN_PEER_H

#include <stdint.h>

#include <jansson.h>

#include "message.h"

struct conn;
struct hub;
struct peer_link;

/* Forwards pushed on a link and not answered yet, at most. */
#define PEER_WINDOW		512
/* Redial after 1 s, doubling up to this many. */
#define PEER_BACKOFF_MAX	60
/* A link quiet this long sends a ping: a third of idle_timeout. */
#define PEER_KEEPALIVE_SECONDS(hub)	((hub)->conf->idle_timeout / 3 > 0 ? \
	(hub)->conf->idle_timeout / 3 : 1)

/* Dial, keep or drop the links the configuration in force asks for. */
void	peer_links_sync(struct hub *);
/* Close every link and free them (the hub is stopping). */
void	peer_links_free(struct hub *);
/*
 * A connection to a peer hub is ready: if it carries this hub's forwards
 * to that peer (the link this hub dialed, or the peer's own link when this
 * hub does not dial it), start pushing them from the peer's cursor.
 */
void	peer_ready(struct conn *);
/* A line came from a peer hub: on a link, the redial backoff starts over. */
void	peer_heard(struct conn *);
/* A forward from a peer hub: check, store, answer. */
void	peer_forward(struct conn *, const json_t *msg, const char *ref,
	    int64_t now);
/* A peer's answer (accepted, rejected, error) to one of our forwards. */
void	peer_answer(struct conn *, enum message_type, const json_t *msg,
	    const char *ref);
/* A link's connection is gone: dial again after the backoff. */
void	peer_link_closed(struct peer_link *, struct conn *);
/* The address a link dials, for log lines. */
const char *peer_link_address(const struct peer_link *);

#endif
