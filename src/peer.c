/*
 * Federation: the global tier between hubs (SPEC section 12).
 *
 * Each direction of a pair of hubs is carried by exactly one connection:
 * this hub pushes to a peer on the link it dials (connect= on the peer's
 * line), or else on the peer's own link to it. Pushing is a subscription
 * of the peer, whose alerts are forward messages: a report is forwarded
 * only once it is committed here, in seq order, from the peer's cursor,
 * and refilled from the store after any outage. At most PEER_WINDOW wait
 * for their answer; each names the forward by its ref, this hub's seq, and
 * the cursor moves to the highest seq answered with all before it. The
 * receiving hub recognises a second copy by its origin, so resending
 * after a break delivers nothing twice.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <openssl/evp.h>

#include "commit.h"
#include "conn.h"
#include "escape.h"
#include "fanout.h"
#include "forward.h"
#include "hub.h"
#include "log.h"
#include "peer.h"
#include "policy.h"
#include "session.h"
#include "store.h"
#include "timefmt.h"
#include "tls.h"
#include "validate.h"
#include "window.h"

/* A link this hub dials to a peer, and redials. */
struct peer_link {
	struct hub		*hub;
	char			 id[CONF_MEMBER_ID_MAX + 1];
	char			*host;
	char			*port;
	char			 address[300];
	struct conn		*conn;		/* dialing or up, or NULL */
	struct event		*timer;		/* the next dial */
	struct event		*keepalive;	/* a ping while idle */
	unsigned		 backoff;	/* seconds before the next */
	struct throttle		 failures;
	LIST_ENTRY(peer_link)	 entry;
};

const char *
peer_link_address(const struct peer_link *link)
{
	return (link->address);
}

/* Dial now. */
static void
peer_link_dial(struct peer_link *link)
{
	if (link->conn != NULL || link->hub->stopping)
		return;
	link->conn = conn_dial(link->hub, link, link->id, link->host,
	    link->port);
	if (link->conn == NULL)
		peer_link_closed(link, NULL);
}

/*
 * Links may carry nothing for long; a ping now and then keeps both ends'
 * idle_timeout from closing them.
 */
static void
peer_link_keepalive(evutil_socket_t fd, short events, void *arg)
{
	static const char	 ping[] = "{\"type\":\"ping\",\"ref\":"
	    "\"keepalive\"}\n";
	struct peer_link	*link = arg;
	struct conn		*c = link->conn;
	int64_t			 quiet;

	(void)fd;
	(void)events;
	if (c == NULL || c->state != CONN_READY)
		return;
	quiet = time_now_usec() - c->last_activity;
	if (quiet >= (int64_t)PEER_KEEPALIVE_SECONDS(link->hub) * 1000000)
		conn_send_raw(c, ping, sizeof ping - 1);
}

/* The backoff is over. */
static void
peer_link_timer(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	peer_link_dial(arg);
}

void
peer_link_closed(struct peer_link *link, struct conn *c)
{
	struct timeval	tv;

	if (c != NULL && link->conn != c)
		return;
	link->conn = NULL;
	if (link->hub->stopping)
		return;
	tv.tv_sec = link->backoff;
	tv.tv_usec = 0;
	if (evtimer_add(link->timer, &tv) == -1)
		log_warnx("peer %s: cannot arm the redial timer", link->id);
	if (link->backoff < PEER_BACKOFF_MAX)
		link->backoff = link->backoff * 2 > PEER_BACKOFF_MAX ?
		    PEER_BACKOFF_MAX : link->backoff * 2;
}

/* Stop a link: its connection closes, its backlog stays in the store. */
static void
peer_link_free(struct peer_link *link, const char *why)
{
	struct conn	*c = link->conn;

	log_info("peer %s: link to %s stopped: %s", link->id, link->address,
	    why);
	LIST_REMOVE(link, entry);
	link->conn = NULL;
	if (c != NULL) {
		c->link = NULL;
		conn_close(c, why);
	}
	if (link->timer != NULL)
		event_free(link->timer);
	if (link->keepalive != NULL)
		event_free(link->keepalive);
	free(link->host);
	free(link->port);
	free(link);
}

/* A new link to the peer m, dialed at once. */
static void
peer_link_new(struct hub *hub, const struct conf_member *m)
{
	struct peer_link	*link;
	struct timeval		 every;

	every.tv_sec = PEER_KEEPALIVE_SECONDS(hub);
	every.tv_usec = 0;
	if ((link = calloc(1, sizeof *link)) == NULL ||
	    (link->host = strdup(m->connect.host)) == NULL ||
	    (link->port = strdup(m->connect.port)) == NULL ||
	    (link->timer = evtimer_new(hub->base, peer_link_timer,
	    link)) == NULL ||
	    (link->keepalive = event_new(hub->base, -1, EV_PERSIST,
	    peer_link_keepalive, link)) == NULL ||
	    event_add(link->keepalive, &every) == -1) {
		if (link != NULL) {
			if (link->timer != NULL)
				event_free(link->timer);
			if (link->keepalive != NULL)
				event_free(link->keepalive);
			free(link->host);
			free(link->port);
			free(link);
		}
		log_warnx("peer %s: out of memory for its link", m->id);
		return;
	}
	link->hub = hub;
	link->backoff = 1;
	snprintf(link->id, sizeof link->id, "%s", m->id);
	snprintf(link->address, sizeof link->address, strchr(link->host,
	    ':') != NULL ? "[%s]:%s" : "%s:%s", link->host, link->port);
	LIST_INSERT_HEAD(&hub->links, link, entry);
	peer_link_dial(link);
}

void
peer_links_sync(struct hub *hub)
{
	const struct conf_member	*m;
	struct peer_link		*link, *next;
	size_t				 i;

	LIST_FOREACH_SAFE(link, &hub->links, entry, next) {
		m = conf_member_by_id(hub->conf, link->id);
		if (m == NULL || m->role != ROLE_HUB)
			peer_link_free(link, "the peer was removed");
		else if (m->connect.host == NULL)
			peer_link_free(link, "this hub no longer dials it");
		else if (strcmp(m->connect.host, link->host) != 0 ||
		    strcmp(m->connect.port, link->port) != 0)
			peer_link_free(link, "its address changed");
	}
	for (i = 0; i < hub->conf->nmembers; i++) {
		m = &hub->conf->members[i];
		if (m->role != ROLE_HUB || m->connect.host == NULL)
			continue;
		LIST_FOREACH(link, &hub->links, entry) {
			if (strcmp(link->id, m->id) == 0)
				break;
		}
		if (link == NULL)
			peer_link_new(hub, m);
	}
}

void
peer_links_free(struct hub *hub)
{
	struct peer_link	*link;

	while ((link = LIST_FIRST(&hub->links)) != NULL)
		peer_link_free(link, "hub shutting down");
}

/* 1 if this connection carries this hub's forwards to its peer. */
static int
peer_pushes_on(const struct conn *c)
{
	const struct conf_member	*m;

	if (c->kind == CONN_LINK)
		return (1);
	m = conf_member_by_id(c->hub->conf, c->member);
	return (m != NULL && m->role == ROLE_HUB && m->connect.host == NULL);
}

void
peer_heard(struct conn *c)
{
	if (c->peer_heard)
		return;
	c->peer_heard = 1;
	/* Only a link the peer answers ends the backoff, not a handshake. */
	if (c->kind == CONN_LINK && c->link != NULL)
		((struct peer_link *)c->link)->backoff = 1;
}

void
peer_ready(struct conn *c)
{
	struct filter	 none = { 0 };
	struct conn	*other, *next;

	static const char	 hello[] = "{\"type\":\"ping\",\"ref\":"
	    "\"hello\"}\n";

	/* Its answer shows the peer took this hub's certificate. */
	if (c->kind == CONN_LINK)
		conn_send_raw(c, hello, sizeof hello - 1);
	if (!peer_pushes_on(c))
		return;
	/* A peer that dials again replaces its earlier link. */
	TAILQ_FOREACH_SAFE(other, &c->member_state->subscribers,
	    subscriber_entry, next) {
		if (other != c && other->forwarding)
			conn_close(other, "replaced by a newer link");
	}
	if (window_init(&c->window, PEER_WINDOW) == -1) {
		conn_close(c, "out of memory for the link's window");
		return;
	}
	c->forwarding = 1;
	log_info("conn %s: forwarding to peer %s from seq %lld", c->peer,
	    c->member, (long long)c->member_state->acked_seq);
	fanout_subscribe(c, c->member_state->acked_seq, &none);
}

/* The store's record of a valid forward. */
static struct store_report *
peer_record(struct conn *c, const json_t *report,
    const struct report_view *view, const struct origin *o, const char *ref,
    int64_t now)
{
	struct store_report	*r;
	unsigned int		 len = STORE_DIGEST_LEN;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	snprintf(r->sender, sizeof r->sender, "%s", c->member);
	r->id = forward_key(o, view->id);
	r->sent_id = strdup(view->id);
	r->code = strdup(view->code);
	r->body = json_dumps(report, JSON_COMPACT);
	r->origin = forward_origin_encode(o);
	r->ref = ref != NULL ? strdup(ref) : NULL;
	if (r->id == NULL || r->sent_id == NULL || r->code == NULL ||
	    r->body == NULL || r->origin == NULL ||
	    (ref != NULL && r->ref == NULL) ||
	    EVP_Digest(r->body, strlen(r->body), r->digest, &len,
	    EVP_sha256(), NULL) != 1) {
		store_report_free(r);
		return (NULL);
	}
	r->severity = view->severity;
	r->tlp = view->tlp;
	r->has_observed_at = view->has_observed_at;
	r->observed_at = view->observed_at;
	r->received_at = now;
	return (r);
}

void
peer_forward(struct conn *c, const json_t *msg, const char *ref, int64_t now)
{
	struct hub		*hub = c->hub;
	struct verdict		 v = { 0 };
	struct report_view	 view;
	struct origin		 o;
	struct policy_set	 set = { 0 };
	struct store_report	*r;
	const json_t		*report = NULL, *f;
	const char		*id = NULL, *path[CONF_PATH_MAX];
	size_t			 npath;

	/* Echo the report's id, within reason, so that the peer can match. */
	if ((f = json_object_get(msg, "forward")) != NULL &&
	    (f = json_object_get(f, "report")) != NULL)
		id = json_string_value(json_object_get(f, "id"));
	if (id != NULL && strlen(id) > 128)
		id = NULL;
	if (forward_decode(msg, c->member, &o, &report, &v) == -1 ||
	    forward_loop(&o, hub->conf->hub_id, &v) == -1 ||
	    validate_report(report, hub->taxonomy, now, &view, &v) == -1)
		goto refuse;
	/* The hubs before this one: the whole path, the sender last. */
	npath = forward_path(&o, path);
	if (policy_forwarded(hub->conf, view.tlp, view.recipients, path, npath,
	    &set, &v) == -1)
		goto refuse;
	if (now < hub->last_received_at)
		now = hub->last_received_at;
	hub->last_received_at = now;
	if ((r = peer_record(c, report, &view, &o, ref, now)) == NULL) {
		verdict_set(&v, PROTO_INTERNAL_ERROR, NULL, "out of memory");
		goto refuse;
	}
	r->recipients = set;
	session_submit(c, r);
	return;
refuse:
	policy_set_clear(&set);
	c->member_state->forwards_refused++;
	session_refuse_report(c, ref, id, &v);
	verdict_clear(&v);
}

/* A forward was answered: move the peer's cursor as far as it may. */
static void
peer_answered(struct conn *c, int64_t seq)
{
	struct member_state	*ms = c->member_state;
	int64_t			 upto = 0;

	if (!window_answer(&c->window, seq, &upto) || upto <= ms->acked_seq)
		goto pump;
	hub_backlog_acked(c->hub, ms, upto);
	ms->acked_seq = upto;
	c->hub->metrics.acks++;
	if (c->hub->committer != NULL)
		committer_mark_ack(c->hub->committer, STORE_MARK_ACK, ms->id,
		    upto, time_now_usec(), 1, NULL);
pump:
	/* Room again: a link that fell behind is refilled. */
	if (!c->live)
		fanout_pump(c);
}

void
peer_answer(struct conn *c, enum message_type type, const json_t *msg,
    const char *ref)
{
	const char	*error, *message;
	char		 shown[ESCAPE_QUOTE_SIZE], said[ESCAPE_QUOTE_SIZE], *end;
	long long	 seq;
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];

	if (!c->forwarding)
		return;
	if (ref == NULL || (seq = strtoll(ref, &end, 10)) <= 0 || *end != '\0') {
		/* Not the answer to a forward: only errors say anything. */
		if (type == MESSAGE_ERROR)
			log_warnx("conn %s: peer %s: error: %s", c->peer,
			    c->member, escape_str(shown, sizeof shown,
			    json_string_value(json_object_get(msg,
			    "message"))));
		return;
	}
	if (type == MESSAGE_ACCEPTED) {
		c->member_state->forwards_accepted++;
		peer_answered(c, seq);
		return;
	}
	error = json_string_value(json_object_get(msg, "error"));
	message = json_string_value(json_object_get(msg, "message"));
	/* The peer's own trouble: try again later, from the cursor. */
	if (error == NULL || strcmp(error, "internal_error") == 0 ||
	    strcmp(error, "rate_limited") == 0) {
		conn_close(c, "the peer cannot take forwards now; sending "
		    "again later");
		return;
	}
	c->member_state->forwards_peer_refused++;
	if (throttle_pass(&c->member_state->forward_refusals, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("conn %s: peer %s refused the forward of seq %lld: "
		    "%s: %s%s", c->peer, c->member, seq, escape_str(shown,
		    sizeof shown, error), escape_str(said, sizeof said, message),
		    throttle_note(note, suppressed));
	peer_answered(c, seq);
}
