/* A client connection: TLS over a bufferevent, line framing, timeouts, clean close. */
#ifndef KENTONGAN_CONN_H
#define KENTONGAN_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/bufferevent.h>
#include <event2/util.h>
#include <jansson.h>

#include "conf.h"
#include "http.h"
#include "levels.h"
#include "request.h"
#include "window.h"

/*
 * Unfinished TLS handshakes held at once. Past it, the oldest is dropped: a
 * flood of connections that never finish cannot starve honest peers, whose
 * handshakes take milliseconds.
 */
#define CONN_HANDSHAKES_MAX	1024
/* Reports of one connection waiting for their commit before reading more. */
#define CONN_INFLIGHT_MAX	1024
/* Replies queued for a peer that does not read, before reading stops. */
#define CONN_OUTPUT_MAX		(1024 * 1024)
/* Below this much queued output, a lagging subscriber is refilled from the store. */
#define CONN_OUTPUT_LOW		(256 * 1024)
/* The payload of a full TLS record: what one chain of output holds. */
#define CONN_RECORD_BYTES	16384
/* How long a closing connection may take to flush its last replies. */
#define CONN_DRAIN_SECONDS	5
/* What a forward line may hold beyond max_message_bytes. */
#define CONN_FORWARD_OVERHEAD	4096
/* Lines about failed handshakes logged per throttle interval, at most. */
#define CONN_HANDSHAKE_NOTES	10
/* Errors on one connection before it is closed. */
#define CONN_ERRORS_MAX		100

/* What a connection speaks, by the listener it came through. */
enum conn_kind {
	CONN_MEMBER,		/* the member protocol, JSON lines */
	CONN_OPERATOR,		/* the operator API, HTTP/1.1 */
	CONN_LINK,		/* dialed by this hub to a peer hub */
	CONN_NKINDS
};

/*
 * Entered only through conn_enter(). HANDSHAKING: TLS under way, on the
 * handshake timer. READY: serving requests, on the idle timer. REFUSING:
 * admitted by TLS but refused by the hub (a limit): its refusal goes out,
 * nothing is read. CLOSING: flushing the last replies, on the drain timer.
 * CLOSED: gone, waiting for the last reference.
 */
enum conn_state {
	CONN_HANDSHAKING,
	CONN_READY,
	CONN_REFUSING,
	CONN_CLOSING,
	CONN_CLOSED
};

struct evbuffer;
struct hub;
struct hub_listener;
struct peer_link;
struct member_state;
struct reader_job;

struct conn {
	uint64_t		 id;
	struct hub		*hub;
	struct hub_listener	*listener;
	struct bufferevent	*bev;
	enum conn_kind		 kind;
	enum conn_state		 state;
	enum role		 role;		/* of the party, once known */
	struct peer_link	*link;		/* CONN_LINK: its link */
	char			 peer[64];
	char			 member[CONF_MEMBER_ID_MAX + 1];
	struct member_state	*member_state;
	int			 refs;
	size_t			 inflight;
	unsigned		 errors;
	int			 reading;
	size_t			 scanned;	/* input known to hold no LF */
	struct event		*timer;
	int64_t			 last_activity;
	TAILQ_ENTRY(conn)	 entry;
	int			 in_handshakes;
	int			 linger;	/* drain its input at the close */
	TAILQ_ENTRY(conn)	 handshake_entry;

	/*
	 * A subscription. Invariant: every alert for this member that passes
	 * the filter, up to sent_seq, has been queued on this connection.
	 * live: caught up with everything committed, so new alerts go out
	 * as they commit; otherwise the store refills it as output drains.
	 */
	int			 subscribed;
	int			 live;
	struct filter		 filter;
	int64_t			 sent_seq;
	TAILQ_ENTRY(conn)	 subscriber_entry;
	struct reader_job	*refill;	/* being read, or NULL */
	unsigned		 generation;	/* of the subscription */
	/* A peer's subscription: forwards, answered within a window. */
	int			 forwarding;
	struct window		 window;
	/* A link's peer has answered: it took this hub's certificate. */
	int			 peer_heard;

	/* The query being read; no request is taken until it is answered. */
	struct reader_job	*query;

	/* An operator's: the request head being read, and a close decided. */
	struct http_parser	 http;
	int			 http_close;
	/* An operator's /v1/events stream, on the hub's list. */
	int			 streaming;
	TAILQ_ENTRY(conn)	 stream_entry;
};

/* Take a socket accepted on a listener and start the TLS handshake. */
void	conn_accept(struct hub_listener *, evutil_socket_t,
	    const struct sockaddr *, int socklen);
/*
 * Dial a peer hub for link: host and port, resolved without blocking.
 * NULL on failure (logged); the link learns of the end of the
 * connection through peer_link_closed.
 */
struct conn *conn_dial(struct hub *, struct peer_link *, const char *peer,
	    const char *host, const char *port);
/* Move to a state (the only place a connection changes state). */
void	conn_enter(struct conn *, enum conn_state);
/* "member", "operator": who is at the other end, for log lines. */
const char *conn_party(const struct conn *);
/* Queue one message: the JSON text and its newline, as one contiguous write. */
void	conn_send_json(struct conn *, const json_t *);
/* Flush what is queued, close cleanly, and log reason. */
void	conn_close(struct conn *, const char *reason);
/*
 * The same for a peer that is still sending: its input is drained for a
 * moment after the last reply, since closing on unread input resets the
 * connection, and a reset can destroy the reply that says why.
 */
void	conn_close_lingering(struct conn *, const char *reason);
/* Close at once, without flushing (shutdown of the hub, fatal errors). */
void	conn_abort(struct conn *, const char *reason);
void	conn_ref(struct conn *);
void	conn_unref(struct conn *);
/* 1 while the connection may take in more requests. */
int	conn_may_read(const struct conn *);
/* Read again if the reasons to pause are gone (called when replies leave). */
void	conn_maybe_resume(struct conn *);
/* Queue bytes that are already one or more whole lines. */
void	conn_send_raw(struct conn *, const char *, size_t);
/* The same from a buffer, whose bytes are moved, not copied. */
void	conn_send_buffer(struct conn *, struct evbuffer *);
/* Bytes queued for the peer and not yet written. */
size_t	conn_output_length(const struct conn *);

#endif
