/*
 * Federation's formats: the forward message between hubs, and the origin
 * of a forwarded report as the store keeps it and alerts show it. This
 * module alone writes and reads them. Pure: no I/O.
 *
 *   {"type":"forward","ref":R,"forward":{"origin":{"hub":H,"member":M,
 *    "seq":N,"received_at":T},"path":[H,...],"report":{...}}}
 *
 * A path lists the hubs a report passed through, its origin first; each
 * hub adds itself before it forwards.
 */
#ifndef KENTONGAN_FORWARD_H
#define KENTONGAN_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "verdict.h"

/* Where a forwarded report came from, and the hubs it passed through. */
struct origin {
	char	hub[CONF_MEMBER_ID_MAX + 1];
	char	member[CONF_MEMBER_ID_MAX + 1];
	int64_t	seq;
	int64_t	received_at;		/* usec, at the origin hub */
	char	path[CONF_PATH_MAX][CONF_MEMBER_ID_MAX + 1];
	size_t	npath;
};

/*
 * Decode and check a forward message from the peer hub from_peer: the
 * envelope's keys, the origin, the path (IDs, no repeats, at most
 * CONF_PATH_MAX), and the report object (*report, inside msg; validated by
 * the caller). The peer is added at the end of the path if it did not put
 * itself there, so a peer cannot hide from loop detection. -1 with *v set.
 */
int	forward_decode(const json_t *msg, const char *from_peer,
	    struct origin *, const json_t **report, struct verdict *v);
/*
 * loop_detected when this hub (hub_id) is the report's origin or on its
 * path: -1 with *v set. 0 otherwise.
 */
int	forward_loop(const struct origin *, const char *hub_id,
	    struct verdict *v);
/* The path as C strings, for the policy; points into o. */
size_t	forward_path(const struct origin *, const char *out[CONF_PATH_MAX]);
/*
 * The key under which a forwarded report is stored and recognised again,
 * whichever peer brings it: "hub/member/id", the id in lower case,
 * malloc'd.
 */
char	*forward_key(const struct origin *, const char *id);
/*
 * The stored and shown origin: {"hub":H,"member":M,"seq":N,
 * "received_at":T,"path":[...]}, malloc'd (NULL on no memory).
 */
char	*forward_origin_encode(const struct origin *);
/* Read a stored origin back; -1 if it is not one. */
int	forward_origin_decode(const char *text, struct origin *);
/*
 * The forward line (with its newline) that sends a stored report on to a
 * peer: a report of this hub's own (o NULL: origin this hub, member the
 * sender, seq and received_at its own) or one forwarded to it (o: as
 * stored), with hub_id added to the path. ref is this hub's seq, so that
 * the answer says which report it is for. NULL on no memory or a path
 * already full.
 */
char	*forward_format(const struct origin *o, const char *hub_id,
	    const char *sender, int64_t seq, int64_t received_at,
	    const char *body, size_t body_len, size_t *len);

#endif
