/*
 * Client connections. All libevent/OpenSSL bufferevent details live here:
 * the protocol above sees complete lines in and whole messages out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <openssl/err.h>

#include "conn.h"
#include "fanout.h"
#include "frame.h"
#include "hub.h"
#include "log.h"
#include "operator.h"
#include "peer.h"
#include "session.h"
#include "timefmt.h"
#include "tls.h"

static void	conn_timer(evutil_socket_t, short, void *);
static void	conn_finish(struct conn *);
static void	conn_linger(struct conn *);

/* Format the peer's address as "ADDR:PORT" or "[ADDR]:PORT". */
static void
conn_format_peer(const struct sockaddr *sa, char *buf, size_t size)
{
	char	host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, size, "?");
}

static const char *const conn_state_names[] = {
	"handshaking", "ready", "refusing", "closing", "closed"
};

const char *
conn_party(const struct conn *c)
{
	if (c->kind == CONN_OPERATOR)
		return ("operator");
	return (c->kind == CONN_LINK || c->role == ROLE_HUB ? "peer" :
	    "member");
}

void
conn_enter(struct conn *c, enum conn_state state)
{
	if (c->state == state)
		return;
	log_debug("conn %s: %s -> %s", c->peer, conn_state_names[c->state],
	    conn_state_names[state]);
	c->state = state;
}

/* The cap on connections of a kind. */
static unsigned
conn_kind_max(const struct hub *hub, enum conn_kind kind)
{
	return (hub->conn_limit[kind]);
}

/* Arm the connection's one timer for seconds from now. */
static void
conn_arm_timer(struct conn *c, unsigned seconds)
{
	struct timeval	tv = { .tv_sec = seconds, .tv_usec = 0 };

	if (evtimer_add(c->timer, &tv) == -1)
		log_warnx("conn %s: cannot arm a timer", c->peer);
}

/*
 * A handshake that failed, timed out or was dropped: one line, but at
 * most CONN_HANDSHAKE_NOTES a throttle interval for all of them, so that
 * a flood of strangers cannot flood the log.
 */
static void __attribute__((format(printf, 2, 3)))
conn_handshake_note(struct conn *c, const char *fmt, ...)
{
	va_list		ap;
	uint64_t	suppressed;
	char		text[512], note[THROTTLE_NOTE_MAX];

	if (!throttle_pass_burst(&c->hub->handshake_notes, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, CONN_HANDSHAKE_NOTES, &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_info("%s%s", text, suppressed > 0 ? throttle_note(note,
	    suppressed) : "");
}

/* Why the TLS layer failed, from the bufferevent's queued errors. */
static void
conn_tls_error(struct conn *c, char *buf, size_t size)
{
	unsigned long	 e, last = 0;
	const char	*reason;

	while ((e = bufferevent_get_openssl_error(c->bev)) != 0)
		last = e;
	if (last == 0) {
		snprintf(buf, size, "%s", evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
		return;
	}
	reason = ERR_reason_error_string(last);
	snprintf(buf, size, "%s", reason != NULL ? reason : "TLS error");
}

int
conn_may_read(const struct conn *c)
{
	return (c->state == CONN_READY && !c->hub->stopping &&
	    c->inflight < CONN_INFLIGHT_MAX && c->query == NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) <
	    CONN_OUTPUT_MAX);
}

/*
 * Hand every complete line to the session, until there is none left or the
 * connection must pause: too many reports in flight, a query being read,
 * or too many replies unread. Pausing is how the protocol pushes back; no
 * read watermarks.
 */
static void
conn_member_input(struct conn *c)
{
	struct evbuffer	*input;
	size_t		 max, len;
	char		*line;

	max = c->hub->conf->max_message_bytes;
	/* A forward holds a report and, around it, its origin and path. */
	if (c->role == ROLE_HUB)
		max += CONN_FORWARD_OVERHEAD;
	while (conn_may_read(c)) {
		input = bufferevent_get_input(c->bev);
		switch (frame_next(input, max, &c->scanned, &len)) {
		case FRAME_MORE:
			return;
		case FRAME_TOO_LARGE:
			session_too_large(c);
			return;
		case FRAME_LINE:
			break;
		}
		if ((line = frame_take(input, len)) == NULL) {
			conn_abort(c, "out of memory reading a line");
			return;
		}
		session_line(c, line, len);
		free(line);
	}
}

/* Take in what the peer sent, then read on only if it may. */
static void
conn_process_input(struct conn *c)
{
	conn_ref(c);
	if (c->kind == CONN_OPERATOR)
		operator_input(c);
	else
		conn_member_input(c);	/* members, and peers both ways */
	if (c->state == CONN_READY) {
		if (conn_may_read(c) && !c->reading) {
			bufferevent_enable(c->bev, EV_READ);
			c->reading = 1;
		} else if (!conn_may_read(c) && c->reading) {
			bufferevent_disable(c->bev, EV_READ);
			c->reading = 0;
		}
	}
	conn_unref(c);
}

void
conn_maybe_resume(struct conn *c)
{
	if (c->state == CONN_READY && !c->reading && conn_may_read(c))
		conn_process_input(c);
}

/* Bytes arrived. */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	c->last_activity = time_now_usec();
	if (c->member_state != NULL)
		c->member_state->last_seen = c->last_activity;
	conn_process_input(c);
}

/* The output buffer drained to its low-water mark. */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	c->last_activity = time_now_usec();
	if (c->state == CONN_CLOSING) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_finish(c);
		return;
	}
	conn_ref(c);
	if (c->subscribed && !c->live)
		fanout_pump(c);
	conn_maybe_resume(c);
	conn_unref(c);
}

/* The connection no longer counts as an unfinished handshake. */
static void
conn_handshake_done(struct conn *c)
{
	if (!c->in_handshakes)
		return;
	TAILQ_REMOVE(&c->hub->handshakes, c, handshake_entry);
	c->in_handshakes = 0;
	c->hub->nhandshakes--;
}

/*
 * Drop the oldest unfinished handshake of a kind (CONN_NKINDS: of any) to
 * make room; 0 if there is none.
 */
static int
conn_evict_handshake(struct hub *hub, enum conn_kind kind)
{
	struct conn	*c;
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];

	TAILQ_FOREACH(c, &hub->handshakes, handshake_entry) {
		if (kind == CONN_NKINDS || c->kind == kind)
			break;
	}
	if (c == NULL)
		return (0);
	hub->metrics.handshakes_evicted++;
	if (throttle_pass(&hub->evictions, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("conn %s: unfinished TLS handshake dropped to make "
		    "room for a new connection (%u handshakes, %u connections "
		    "held)%s", c->peer, hub->nhandshakes, hub->nconns,
		    throttle_note(note, suppressed));
	conn_abort(c, NULL);
	return (1);
}

/*
 * Past max_connections_per_member: say why on the connection, then close
 * it. It never becomes one of the member's connections.
 */
static void
conn_refuse_member(struct conn *c, struct member_state *ms)
{
	static const char	 fmt[] = "{\"type\":\"error\","
	    "\"error\":\"rate_limited\",\"message\":\"member %s already "
	    "holds %u connections (max_connections_per_member); closing\"}\n";
	char			 line[256];
	unsigned		 limit = c->hub->conf->max_connections_per_member;
	uint64_t		 suppressed;
	char			 note[THROTTLE_NOTE_MAX];
	int			 n;

	c->hub->metrics.connections_refused++;
	if (throttle_pass(&ms->over_limit, time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed))
		log_warnx("conn %s: %s %s refused: it already holds %u "
		    "connections (max_connections_per_member %u)%s", c->peer,
		    conn_party(c), c->member, ms->connections, limit,
		    throttle_note(note, suppressed));
	conn_enter(c, CONN_REFUSING);
	if (c->kind == CONN_OPERATOR)
		operator_refuse(c, 429, "rate_limited", "this operator "
		    "already holds max_connections_per_member connections; "
		    "close some");
	else {
		n = snprintf(line, sizeof line, fmt, c->member, limit);
		if (n > 0 && (size_t)n < sizeof line)
			conn_send_raw(c, line, (size_t)n);
	}
	conn_close_lingering(c, NULL);
}

/*
 * A link's handshake completed: the hub at the other end must be the peer
 * the link is for, by the certificate pinned on its peer line. NULL with
 * *why otherwise.
 */
static const struct conf_member *
conn_link_peer(struct conn *c, SSL *ssl, const char **why)
{
	const struct conf_member	*m;
	unsigned char			 fp[CONF_SHA256_LEN];
	X509				*cert;
	char				*cn;

	*why = "the peer sent no certificate";
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return (NULL);
	cn = tls_subject_cn(cert);
	m = tls_fingerprint(cert, fp) == 0 ? conf_member_by_cert(c->hub->conf,
	    fp, cn) : NULL;
	free(cn);
	X509_free(cert);
	if (m == NULL || m->role != ROLE_HUB || strcmp(m->id, c->member) != 0) {
		*why = "its certificate is not the one pinned on the peer's "
		    "line (cert_sha256, cert_cn)";
		return (NULL);
	}
	return (m);
}

/* The handshake completed: find out who the peer is. */
static void
conn_connected(struct conn *c)
{
	const struct conf_member	*member;
	struct member_state		*ms;
	const char			*why = NULL;
	SSL				*ssl = bufferevent_openssl_get_ssl(c->bev);

	conn_handshake_done(c);
	if (c->kind == CONN_LINK)
		member = conn_link_peer(c, ssl, &why);
	else
		member = tls_peer_member(ssl, c->hub->conf, c->kind ==
		    CONN_OPERATOR ? TLS_OPERATOR_LISTENER : TLS_MEMBER_LISTENER,
		    &why);
	if (member == NULL) {
		log_warnx("conn %s: refused: %s", c->peer, why);
		if (c->kind != CONN_LINK)
			conn_linger(c);
		conn_abort(c, NULL);
		return;
	}
	snprintf(c->member, sizeof c->member, "%s", member->id);
	c->role = member->role;
	if ((ms = hub_member_state(c->hub, member->id)) == NULL) {
		conn_abort(c, "out of memory");
		return;
	}
	if (ms->connections >= c->hub->conf->max_connections_per_member) {
		conn_refuse_member(c, ms);
		return;
	}
	c->member_state = ms;
	c->member_state->connections++;
	conn_enter(c, CONN_READY);
	c->reading = 1;
	c->member_state->last_seen = time_now_usec();
	bufferevent_setwatermark(c->bev, EV_WRITE, CONN_OUTPUT_LOW, 0);
	c->last_activity = time_now_usec();
	conn_arm_timer(c, c->hub->conf->idle_timeout);
	if (c->kind == CONN_OPERATOR)
		log_debug("conn %s: operator %s connected (%s, %s)", c->peer,
		    c->member, SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	else
		log_info("conn %s: %s %s %s (%s, %s)", c->peer, conn_party(c),
		    c->member, c->kind == CONN_LINK ? "dialed" : "connected",
		    SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	if (c->role == ROLE_HUB)
		peer_ready(c);
	conn_process_input(c);
}

/* Connected, end of stream, or an error. */
static void
conn_event(struct bufferevent *bev, short events, void *arg)
{
	struct conn	*c = arg;
	SSL		*ssl;
	long		 verify;
	char		 why[256];

	(void)bev;
	if (events & BEV_EVENT_CONNECTED) {
		conn_connected(c);
		return;
	}
	if (events & BEV_EVENT_ERROR) {
		conn_tls_error(c, why, sizeof why);
		if (c->state == CONN_HANDSHAKING) {
			c->hub->metrics.handshakes_failed++;
			ssl = bufferevent_openssl_get_ssl(c->bev);
			verify = ssl != NULL ? SSL_get_verify_result(ssl) :
			    X509_V_OK;
			if (verify != X509_V_OK)
				conn_handshake_note(c, "conn %s: TLS handshake "
				    "failed: certificate refused: %s%s%s",
				    c->peer, X509_verify_cert_error_string(
				    verify), c->kind == CONN_LINK ? ", peer " :
				    "", c->kind == CONN_LINK ? c->member : "");
			else
				conn_handshake_note(c, "conn %s: %s: %s%s%s",
				    c->peer, c->kind == CONN_LINK ? "cannot "
				    "link" : "TLS handshake failed", why,
				    c->kind == CONN_LINK ? ", peer " : "",
				    c->kind == CONN_LINK ? c->member : "");
			if (!c->hub->stopping && c->kind != CONN_LINK)
				conn_linger(c);
			conn_abort(c, NULL);
		} else if (c->kind == CONN_LINK && !c->peer_heard) {
			/*
			 * Under TLS 1.3 a client's handshake ends before the
			 * server has judged its certificate: a peer that
			 * refuses this hub says so only now.
			 */
			char	refused[400];

			snprintf(refused, sizeof refused, "the peer closed the "
			    "link before answering (%s); does it pin this "
			    "hub's certificate?", why);
			conn_abort(c, refused);
		} else
			conn_abort(c, why);
		return;
	}
	if (events & BEV_EVENT_EOF) {
		if (c->state == CONN_HANDSHAKING) {
			conn_handshake_note(c, "conn %s: closed during the "
			    "TLS handshake", c->peer);
			conn_abort(c, NULL);
		} else {
			/* Requests before the EOF still get their answers. */
			conn_process_input(c);
			conn_close(c, c->kind == CONN_LINK && !c->peer_heard ?
			    "the peer closed the link before answering; does "
			    "it pin this hub's certificate?" : "closed by peer");
		}
	}
}

/*
 * Every connection slot of the kind holds a peer that finished its
 * handshake: close the new one at once. A member already connected keeps
 * its service.
 */
static void
conn_refuse_capacity(struct hub_listener *hl, const struct sockaddr *sa,
    evutil_socket_t fd)
{
	struct hub	*hub = hl->hub;
	char		 peer[64];
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];

	hub->metrics.connections_refused++;
	if (throttle_pass(&hub->over_capacity[hl->kind], time_now_usec(),
	    THROTTLE_INTERVAL_USEC, &suppressed)) {
		conn_format_peer(sa, peer, sizeof peer);
		log_warnx("conn %s: refused: the %s %s (%u) already%s", peer,
		    hl->kind == CONN_OPERATOR ? "operator listener holds" :
		    "hub holds", hl->kind == CONN_OPERATOR ?
		    "max_operator_connections" : "max_connections",
		    conn_kind_max(hub, hl->kind),
		    throttle_note(note, suppressed));
	}
	evutil_closesocket(fd);
}

void
conn_accept(struct hub_listener *hl, evutil_socket_t fd,
    const struct sockaddr *sa, int socklen)
{
	struct hub	*hub = hl->hub;
	struct conn	*c;
	SSL		*ssl;
	SSL_CTX		*ctx;
	int		 one = 1;

	(void)socklen;
	if (hub->nkind[hl->kind] >= conn_kind_max(hub, hl->kind) &&
	    !conn_evict_handshake(hub, hl->kind)) {
		conn_refuse_capacity(hl, sa, fd);
		return;
	}
	ctx = hl->kind == CONN_OPERATOR ? hub->operator_ctx : hub->member_ctx;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_warnx("conn: out of memory");
		evutil_closesocket(fd);
		return;
	}
	c->id = ++hub->next_conn_id;
	c->hub = hub;
	c->listener = hl;
	c->kind = hl->kind;
	c->refs = 1;
	c->state = CONN_HANDSHAKING;
	http_parser_init(&c->http);
	conn_format_peer(sa, c->peer, sizeof c->peer);
	/* Alerts are small and urgent. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((ssl = SSL_new(ctx)) == NULL) {
		log_warnx("conn %s: cannot create a TLS session", c->peer);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->bev = bufferevent_openssl_socket_new(hub->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("conn %s: cannot create a bufferevent", c->peer);
		SSL_free(ssl);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if ((c->timer = evtimer_new(hub->base, conn_timer, c)) == NULL) {
		log_warnx("conn %s: cannot create a timer", c->peer);
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	conn_arm_timer(c, hub->conf->handshake_timeout);
	TAILQ_INSERT_TAIL(&hub->conns, c, entry);
	hub->nconns++;
	hub->nkind[c->kind]++;
	TAILQ_INSERT_TAIL(&hub->handshakes, c, handshake_entry);
	c->in_handshakes = 1;
	hub->nhandshakes++;
	hub->metrics.connections_accepted++;
	log_debug("conn %s: accepted on %s", c->peer, hl->address);
	if (hub->nhandshakes > CONN_HANDSHAKES_MAX)
		conn_evict_handshake(hub, CONN_NKINDS);
}

struct conn *
conn_dial(struct hub *hub, struct peer_link *link, const char *peer,
    const char *host, const char *port)
{
	struct conn	*c;
	SSL		*ssl = NULL;
	uint64_t	 suppressed;
	char		 note[THROTTLE_NOTE_MAX];

	if (hub->link_ctx == NULL || (c = calloc(1, sizeof *c)) == NULL)
		return (NULL);
	c->id = ++hub->next_conn_id;
	c->hub = hub;
	c->link = link;
	c->kind = CONN_LINK;
	c->role = ROLE_HUB;
	c->refs = 1;
	c->state = CONN_HANDSHAKING;
	http_parser_init(&c->http);
	snprintf(c->member, sizeof c->member, "%s", peer);
	snprintf(c->peer, sizeof c->peer, "%s", peer_link_address(link));
	if ((ssl = SSL_new(hub->link_ctx)) == NULL ||
	    SSL_set_tlsext_host_name(ssl, host) != 1)
		goto fail;
	c->bev = bufferevent_openssl_socket_new(hub->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		goto fail;
	ssl = NULL;
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if ((c->timer = evtimer_new(hub->base, conn_timer, c)) == NULL)
		goto fail;
	if (bufferevent_socket_connect_hostname(c->bev, hub->dns, AF_UNSPEC,
	    host, atoi(port)) == -1) {
		if (throttle_pass(&hub->handshake_notes, time_now_usec(),
		    THROTTLE_INTERVAL_USEC, &suppressed))
			log_warnx("peer %s: cannot dial %s%s", peer, c->peer,
			    throttle_note(note, suppressed));
		goto fail;
	}
	conn_arm_timer(c, hub->conf->handshake_timeout);
	TAILQ_INSERT_TAIL(&hub->conns, c, entry);
	hub->nconns++;
	hub->nkind[c->kind]++;
	log_debug("peer %s: dialing %s", peer, c->peer);
	return (c);
fail:
	SSL_free(ssl);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
	return (NULL);
}

/* Discard what a refused peer still sends, until it closes or time runs out. */
static void
conn_linger_read(evutil_socket_t fd, short events, void *arg)
{
	struct event	*ev = arg;
	char		 buf[4096];
	ssize_t		 n;

	if (events & EV_READ) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
			return;
	}
	event_free(ev);
	evutil_closesocket(fd);
}

/*
 * A refused peer may still be sending its first request; closing a socket
 * with unread input resets it, and the reset can destroy the TLS alert that
 * says why. So half-close and drain for a moment instead.
 */
static void
conn_linger(struct conn *c)
{
	struct timeval	 tv = { .tv_sec = 2, .tv_usec = 0 };
	struct event	*ev;
	evutil_socket_t	 fd;

	if ((fd = dup(bufferevent_getfd(c->bev))) == -1)
		return;
	shutdown(fd, SHUT_WR);
	ev = event_new(c->hub->base, fd, EV_READ | EV_PERSIST | EV_TIMEOUT,
	    conn_linger_read, event_self_cbarg());
	if (ev == NULL || event_add(ev, &tv) == -1) {
		if (ev != NULL)
			event_free(ev);
		evutil_closesocket(fd);
	}
}

/* The handshake, idle or drain deadline passed. */
static void
conn_timer(evutil_socket_t fd, short events, void *arg)
{
	struct conn	*c = arg;
	int64_t		 idle_usec, quiet;

	(void)fd;
	(void)events;
	switch (c->state) {
	case CONN_HANDSHAKING:
		conn_handshake_note(c, "conn %s: TLS handshake not finished "
		    "within %u s", c->peer, c->hub->conf->handshake_timeout);
		conn_abort(c, NULL);
		break;
	case CONN_READY:
		idle_usec = (int64_t)c->hub->conf->idle_timeout * 1000000;
		quiet = time_now_usec() - c->last_activity;
		if (quiet >= idle_usec)
			conn_close(c, "idle timeout");
		else
			conn_arm_timer(c, (unsigned)((idle_usec - quiet) /
			    1000000) + 1);
		break;
	case CONN_REFUSING:
	case CONN_CLOSING:
		conn_abort(c, NULL);
		break;
	case CONN_CLOSED:
		break;
	}
}

void
conn_send_json(struct conn *c, const json_t *message)
{
	struct evbuffer	*output;
	char		*text;
	size_t		 len;

	if (c->state != CONN_READY && c->state != CONN_REFUSING &&
	    c->state != CONN_CLOSING)
		return;
	if ((text = json_dumps(message, JSON_COMPACT)) == NULL) {
		log_warnx("conn %s: cannot serialise a reply", c->peer);
		return;
	}
	len = strlen(text);
	text[len] = '\n';	/* the NUL's place: the line is one write */
	output = bufferevent_get_output(c->bev);
	if (evbuffer_add(output, text, len + 1) == -1)
		log_warnx("conn %s: cannot queue a reply", c->peer);
	free(text);
}

void
conn_send_raw(struct conn *c, const char *data, size_t len)
{
	struct evbuffer	*out;

	if (c->state != CONN_READY && c->state != CONN_REFUSING &&
	    c->state != CONN_CLOSING)
		return;
	out = bufferevent_get_output(c->bev);
	/*
	 * The TLS layer writes one record, and one write(2), per chain of
	 * the output buffer, and libevent grows chains to 4 kB at most:
	 * each new chain is as large as the last. Starting a burst with a
	 * chain the size of a full record makes every record full, a
	 * quarter of the writes when alerts pile up for a subscriber.
	 */
	if (evbuffer_get_length(out) == 0 && len < CONN_RECORD_BYTES)
		evbuffer_expand(out, CONN_RECORD_BYTES);
	if (evbuffer_add(out, data, len) == -1)
		log_warnx("conn %s: cannot queue %zu bytes", c->peer, len);
}

void
conn_send_buffer(struct conn *c, struct evbuffer *data)
{
	if (c->state != CONN_READY && c->state != CONN_REFUSING &&
	    c->state != CONN_CLOSING)
		return;
	if (evbuffer_add_buffer(bufferevent_get_output(c->bev), data) == -1)
		log_warnx("conn %s: cannot queue %zu bytes", c->peer,
		    evbuffer_get_length(data));
}

size_t
conn_output_length(const struct conn *c)
{
	if (c->bev == NULL)
		return (0);
	return (evbuffer_get_length(bufferevent_get_output(c->bev)));
}

void
conn_close(struct conn *c, const char *reason)
{
	if (c->state == CONN_CLOSING || c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_HANDSHAKING) {
		conn_abort(c, reason);
		return;
	}
	conn_enter(c, CONN_CLOSING);
	fanout_unsubscribe(c);
	/* From now on, the write callback means "all flushed". */
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	if (reason != NULL)
		log_info("conn %s: %s %s disconnected: %s", c->peer,
		    conn_party(c), c->member, reason);
	bufferevent_disable(c->bev, EV_READ);
	c->reading = 0;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_finish(c);
	else
		conn_arm_timer(c, CONN_DRAIN_SECONDS);
}

void
conn_close_lingering(struct conn *c, const char *reason)
{
	c->linger = 1;
	conn_close(c, reason);
}

void
conn_abort(struct conn *c, const char *reason)
{
	if (c->state == CONN_CLOSED)
		return;
	if (reason != NULL && c->state != CONN_HANDSHAKING)
		log_info("conn %s: %s %s disconnected: %s", c->peer,
		    conn_party(c), c->member, reason);
	else if (reason != NULL)
		log_info("conn %s: closed: %s", c->peer, reason);
	conn_finish(c);
}

/* Send close_notify, free the TLS session and socket, drop the hub's reference. */
static void
conn_finish(struct conn *c)
{
	SSL	*ssl;

	if (c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_READY || c->state == CONN_REFUSING ||
	    c->state == CONN_CLOSING) {
		/* libevent never sends close_notify itself. */
		ssl = bufferevent_openssl_get_ssl(c->bev);
		if (ssl != NULL && SSL_is_init_finished(ssl))
			SSL_shutdown(ssl);
		ERR_clear_error();
		if (c->member_state != NULL && c->member_state->connections > 0)
			c->member_state->connections--;
	}
	conn_handshake_done(c);
	/* Unread input would turn the close into a reset that eats the reply. */
	if (c->linger && !c->hub->stopping)
		conn_linger(c);
	fanout_unsubscribe(c);
	/* Reads still waiting for their turn need not run. */
	if (c->query != NULL)
		c->query->abandoned = 1;
	if (c->refill != NULL)
		c->refill->abandoned = 1;
	if (c->kind == CONN_OPERATOR)
		operator_closed(c);
	if (c->kind == CONN_LINK && c->link != NULL)
		peer_link_closed(c->link, c);
	conn_enter(c, CONN_CLOSED);
	evtimer_del(c->timer);
	bufferevent_free(c->bev);
	c->bev = NULL;
	TAILQ_REMOVE(&c->hub->conns, c, entry);
	c->hub->nconns--;
	c->hub->nkind[c->kind]--;
	conn_unref(c);
}

void
conn_ref(struct conn *c)
{
	c->refs++;
}

void
conn_unref(struct conn *c)
{
	if (--c->refs > 0)
		return;
	if (c->timer != NULL)
		event_free(c->timer);
	filter_clear(&c->filter);
	window_free(&c->window);
	free(c);
}
