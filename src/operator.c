/*
 * The operator API: libevent's HTTP server over OpenSSL bufferevents. The
 * TLS handshake already refuses anyone but an operator; each request checks
 * again, so a certificate dropped by a reload cannot keep reading.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>

#include "alert.h"
#include "commit.h"
#include "conn.h"
#include "escape.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "operator.h"
#include "opparams.h"
#include "store_read.h"
#include "timefmt.h"
#include "tls.h"

/* Send a JSON body with a status. */
static void
operator_reply(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

/* Send {"error":CODE,"message":TEXT} with a status. */
static void
operator_error(struct evhttp_request *req, int code, const char *error,
    const char *message)
{
	struct evbuffer	*body = evbuffer_new();
	json_t		*j;
	char		*text;

	j = json_pack("{s:s, s:s}", "error", error, "message", message);
	text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	if (body != NULL && text != NULL)
		evbuffer_add_printf(body, "%s\n", text);
	free(text);
	json_decref(j);
	operator_reply(req, code, code == 400 ? "Bad Request" : code == 403 ?
	    "Forbidden" : code == 404 ? "Not Found" : code == 405 ?
	    "Method Not Allowed" : "Internal Server Error", body);
	if (body != NULL)
		evbuffer_free(body);
}

/* A 400 from a verdict, naming the parameter. */
static void
operator_bad_request(struct evhttp_request *req, const struct verdict *v)
{
	operator_error(req, 400, proto_error_name(v->error),
	    v->message != NULL ? v->message : "bad request");
}

/* A 400 for a parameter given to an endpoint that takes none, naming it. */
static void
operator_no_parameters(struct evhttp_request *req, const char *query)
{
	struct verdict	 v = { 0 };
	int		 n;

	n = (int)strcspn(query, "=&");
	if (n > 64)
		n = 64;
	/* Through a verdict, which makes the bytes it quotes valid UTF-8. */
	verdict_set(&v, PROTO_UNKNOWN_FIELD, NULL, "unknown parameter "
	    "\"%.*s\": this endpoint takes none", n, query);
	operator_error(req, 400, "unknown_field", v.message != NULL ?
	    v.message : "this endpoint takes no parameters");
	verdict_clear(&v);
}

/* "2026-..Z" or null, as JSON text, into buf. */
static const char *
operator_time(int64_t usec, char *buf, size_t size)
{
	char	when[RFC3339_BUFSIZE];

	if (usec == 0)
		snprintf(buf, size, "null");
	else
		snprintf(buf, size, "\"%s\"", rfc3339_format(usec, when,
		    sizeof when));
	return (buf);
}

/* One report of a listing: seq, sender, time, recipient count, body verbatim. */
static int
operator_report_row(const struct store_row *row, void *arg)
{
	struct evbuffer	*out = arg;
	char		 when[RFC3339_BUFSIZE + 2];

	if (evbuffer_get_length(out) > 0)
		evbuffer_add(out, ",", 1);
	evbuffer_add_printf(out, "{\"seq\":%lld,\"sender\":\"%s\","
	    "\"received_at\":%s,\"recipients\":%lld,\"report\":",
	    (long long)row->seq, row->sender,
	    operator_time(row->received_at, when, sizeof when),
	    (long long)row->nrecipients);
	evbuffer_add(out, row->body, row->body_len);
	evbuffer_add(out, "}", 1);
	return (0);
}

/* GET /v1/reports */
static void
operator_reports(struct hub *hub, struct evhttp_request *req, const char *query)
{
	struct query_request	 q;
	struct verdict		 v = { 0 };
	struct evbuffer		*rows = NULL, *body = NULL;
	int64_t			 next;

	if (opparams_reports(query, hub->taxonomy, &q, &v) == -1) {
		operator_bad_request(req, &v);
		verdict_clear(&v);
		return;
	}
	if ((rows = evbuffer_new()) == NULL || (body = evbuffer_new()) ==
	    NULL || store_reader_query(hub->reader, NULL, &q,
	    hub->delivered_seq, operator_report_row, rows, &next) == -1) {
		operator_error(req, 500, "internal_error", "the history could "
		    "not be read");
		goto done;
	}
	evbuffer_add_printf(body, "{\"reports\":[");
	evbuffer_add_buffer(body, rows);
	if (next > 0)
		evbuffer_add_printf(body, "],\"next\":%lld}\n", (long long)next);
	else
		evbuffer_add_printf(body, "],\"next\":null}\n");
	operator_reply(req, 200, "OK", body);
done:
	if (rows != NULL)
		evbuffer_free(rows);
	if (body != NULL)
		evbuffer_free(body);
	request_query_clear(&q);
}

struct operator_deliveries {
	struct hub	*hub;
	int64_t		 seq;
	struct evbuffer	*out;
};

/*
 * One recipient of a report, for its deliveries list. A delivery position
 * not yet written (they are written once a second) is taken from memory:
 * it is the one that will be written.
 */
static void
operator_delivery(const struct store_delivery *d, void *arg)
{
	struct operator_deliveries	*od = arg;
	struct member_state		*ms;
	char				 sent[RFC3339_BUFSIZE + 2];
	char				 acked[RFC3339_BUFSIZE + 2];
	int64_t				 delivered_at = d->delivered_at;

	if (delivered_at == 0 &&
	    (ms = hub_member_find(od->hub, d->member)) != NULL &&
	    ms->delivered_dirty && ms->delivered_seq >= od->seq)
		delivered_at = ms->delivered_at;
	if (evbuffer_get_length(od->out) > 0)
		evbuffer_add(od->out, ",", 1);
	evbuffer_add_printf(od->out, "{\"member\":\"%s\",\"tier\":\"%s\","
	    "\"delivered_at\":%s,\"acked_at\":%s}", d->member,
	    tier_name((enum tier)d->tier),
	    operator_time(delivered_at, sent, sizeof sent),
	    operator_time(d->acked_at, acked, sizeof acked));
}

/* GET /v1/reports/SEQ */
static void
operator_report(struct hub *hub, struct evhttp_request *req,
    const char *seq_text, const char *query)
{
	struct operator_deliveries	 od;
	struct evbuffer			*row = NULL, *deliveries = NULL;
	struct evbuffer			*body = NULL;
	int64_t				 seq;
	size_t				 len;
	int				 found;

	if (query != NULL && *query != '\0') {
		operator_no_parameters(req, query);
		return;
	}
	if (strchr(seq_text, '/') != NULL) {
		operator_error(req, 404, "not_found", "no such endpoint; see "
		    "/v1/reports/SEQ");
		return;
	}
	if (opparams_seq(seq_text, &seq) == -1) {
		operator_error(req, 400, "invalid_field", "the report's "
		    "sequence number must be a positive integer");
		return;
	}
	if ((row = evbuffer_new()) == NULL ||
	    (deliveries = evbuffer_new()) == NULL ||
	    (body = evbuffer_new()) == NULL)
		goto fail;
	found = seq <= hub->delivered_seq ? store_reader_report(hub->reader,
	    seq, operator_report_row, row) : 0;
	if (found == -1)
		goto fail;
	if (found == 0) {
		operator_error(req, 404, "not_found", "no report has this "
		    "sequence number");
		goto done;
	}
	od.hub = hub;
	od.seq = seq;
	od.out = deliveries;
	if (store_reader_deliveries(hub->reader, seq, operator_delivery,
	    &od) == -1)
		goto fail;
	/* The row is an object; reopen it to add the deliveries. */
	len = evbuffer_get_length(row);
	evbuffer_remove_buffer(row, body, len - 1);
	evbuffer_add_printf(body, ",\"deliveries\":[");
	evbuffer_add_buffer(body, deliveries);
	evbuffer_add_printf(body, "]}\n");
	operator_reply(req, 200, "OK", body);
	goto done;
fail:
	operator_error(req, 500, "internal_error", "the report could not be "
	    "read");
done:
	if (row != NULL)
		evbuffer_free(row);
	if (deliveries != NULL)
		evbuffer_free(deliveries);
	if (body != NULL)
		evbuffer_free(body);
}

/* GET /v1/members */
static void
operator_members(struct hub *hub, struct evhttp_request *req)
{
	const struct conf_member	*m;
	struct member_state		*ms;
	json_t				*list, *item, *wrapper;
	struct evbuffer			*body;
	char				*text, seen[RFC3339_BUFSIZE];
	int64_t				 backlog, acked;
	size_t				 i;

	list = json_array();
	for (i = 0; list != NULL && i < hub->conf->nmembers; i++) {
		m = &hub->conf->members[i];
		ms = hub_member_find(hub, m->id);
		acked = ms != NULL ? ms->acked_seq : 0;
		backlog = ms != NULL ? ms->backlog : 0;
		item = json_pack("{s:s, s:s, s:s, s:b, s:o, s:I, s:I}",
		    "id", m->id, "name", m->name, "role", role_name(m->role),
		    "connected", ms != NULL && ms->connections > 0,
		    "last_seen", ms != NULL && ms->last_seen != 0 ?
		    json_string(rfc3339_format(ms->last_seen, seen,
		    sizeof seen)) : json_null(),
		    "acked_seq", (json_int_t)acked,
		    "backlog", (json_int_t)backlog);
		json_array_append_new(list, item);
	}
	wrapper = list != NULL ? json_pack("{s:o}", "members", list) : NULL;
	text = wrapper != NULL ? json_dumps(wrapper, JSON_COMPACT) : NULL;
	json_decref(wrapper);
	if (text == NULL || (body = evbuffer_new()) == NULL) {
		free(text);
		operator_error(req, 500, "internal_error", "out of memory");
		return;
	}
	evbuffer_add_printf(body, "%s\n", text);
	free(text);
	operator_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

/* Add one count to its dimension's object. */
static void
operator_count(const struct store_count *count, void *arg)
{
	json_t	*stats = arg, *by;
	char	 key[32];

	snprintf(key, sizeof key, "by_%s", count->dimension);
	by = json_object_get(stats, key);
	json_object_set_new(by, count->key, json_integer(count->count));
	if (strcmp(count->dimension, "code") == 0)
		json_object_set_new(stats, "total", json_integer(
		    json_integer_value(json_object_get(stats, "total")) +
		    count->count));
}

/* GET /v1/stats */
static void
operator_stats(struct hub *hub, struct evhttp_request *req, const char *query)
{
	struct verdict	 v = { 0 };
	struct evbuffer	*body;
	json_t		*stats;
	char		*text, since_text[RFC3339_BUFSIZE + 2];
	char		 until_text[RFC3339_BUFSIZE + 2];
	int64_t		 since, until;

	if (opparams_stats(query, &since, &until, &v) == -1) {
		operator_bad_request(req, &v);
		verdict_clear(&v);
		return;
	}
	stats = json_pack("{s:o, s:o, s:i, s:{}, s:{}, s:{}, s:{}}",
	    "since", since != 0 ? json_string(rfc3339_format(since, since_text,
	    sizeof since_text)) : json_null(),
	    "until", until != 0 ? json_string(rfc3339_format(until, until_text,
	    sizeof until_text)) : json_null(),
	    "total", 0, "by_code", "by_severity", "by_sender", "by_day");
	if (stats == NULL || store_reader_stats(hub->reader, since, until,
	    hub->delivered_seq, operator_count, stats) == -1 ||
	    (text = json_dumps(stats, JSON_COMPACT)) == NULL) {
		json_decref(stats);
		operator_error(req, 500, "internal_error", "the statistics "
		    "could not be computed");
		return;
	}
	json_decref(stats);
	if ((body = evbuffer_new()) != NULL) {
		evbuffer_add_printf(body, "%s\n", text);
		operator_reply(req, 200, "OK", body);
		evbuffer_free(body);
	}
	free(text);
}

/* GET /metrics */
static void
operator_metrics(struct hub *hub, struct evhttp_request *req)
{
	struct metrics_histogram	 h;
	struct metrics_member		*members;
	struct member_state		*ms;
	struct conn			*c;
	struct evbuffer			*body;
	unsigned			 subscribers = 0;
	size_t				 i, n = 0;
	char				*text;

	committer_histogram(hub->committer, &h);
	TAILQ_FOREACH(c, &hub->conns, entry)
		subscribers += c->subscribed ? 1 : 0;
	members = calloc(hub->conf->nmembers + 1, sizeof *members);
	for (i = 0; members != NULL && i < hub->conf->nmembers; i++) {
		if (hub->conf->members[i].role == ROLE_OPERATOR)
			continue;
		ms = hub_member_find(hub, hub->conf->members[i].id);
		members[n].id = hub->conf->members[i].id;
		members[n].connected = ms != NULL && ms->connections > 0;
		members[n].acked_seq = ms != NULL ? ms->acked_seq : 0;
		members[n].backlog = ms != NULL ? ms->backlog : 0;
		n++;
	}
	text = members != NULL ? metrics_render(&hub->metrics, &h, hub->nconns,
	    subscribers, hub->delivered_seq, members, n) : NULL;
	free(members);
	if (text == NULL || (body = evbuffer_new()) == NULL) {
		free(text);
		operator_error(req, 500, "internal_error", "out of memory");
		return;
	}
	evbuffer_add(body, text, strlen(text));
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

/* The operator behind a request, or NULL (with *why). */
static const struct conf_member *
operator_identity(struct hub *hub, struct evhttp_request *req,
    const char **why)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	SSL				*ssl;

	*why = "no TLS session";
	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return (NULL);
	/* The handshake was checked against the CRL of its day. */
	if (!tls_recheck_peer(hub->operator_ctx, ssl, why))
		return (NULL);
	return (tls_peer_member(ssl, hub->conf, TLS_OPERATOR_LISTENER, why));
}

/* Every request: who asks, what for, and route it. */
static void
operator_request(struct evhttp_request *req, void *arg)
{
	struct hub			*hub = arg;
	const struct evhttp_uri		*uri;
	const struct conf_member	*op;
	const char			*path, *query, *why;
	char				 shown[ESCAPE_QUOTE_SIZE];

	if ((op = operator_identity(hub, req, &why)) == NULL) {
		operator_error(req, 403, "forbidden", why);
		return;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (path == NULL)
		path = "";
	log_debug("operator %s: %s", op->id, escape_str(shown, sizeof shown,
	    path));
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET");
		operator_error(req, 405, "method_not_allowed", "the operator "
		    "API is read-only: use GET");
		return;
	}
	if (strcmp(path, "/v1/reports") == 0)
		operator_reports(hub, req, query);
	else if (strncmp(path, "/v1/reports/", 12) == 0)
		operator_report(hub, req, path + 12, query);
	else if ((strcmp(path, "/v1/members") == 0 ||
	    strcmp(path, "/metrics") == 0) && query != NULL && *query != '\0')
		operator_no_parameters(req, query);
	else if (strcmp(path, "/v1/members") == 0)
		operator_members(hub, req);
	else if (strcmp(path, "/v1/stats") == 0)
		operator_stats(hub, req, query);
	else if (strcmp(path, "/metrics") == 0)
		operator_metrics(hub, req);
	else
		operator_error(req, 404, "not_found", "no such endpoint; see "
		    "/v1/reports, /v1/reports/SEQ, /v1/members, /v1/stats, "
		    "/metrics");
}

/* A new operator connection gets its own TLS session. */
static struct bufferevent *
operator_bevcb(struct event_base *base, void *arg)
{
	struct hub		*hub = arg;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(hub->operator_ctx)) == NULL)
		return (NULL);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return (NULL);
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	hub->metrics.connections_accepted++;
	return (bev);
}

void
operator_start(struct hub *hub)
{
	struct evconnlistener	*listener;
	char			*cause = NULL;
	int			 one = 1;

	if (hub->conf->operator_off)
		return;
	hub->operator_ctx = tls_server_ctx_new(hub->conf,
	    TLS_OPERATOR_LISTENER, &hub->conf, &cause);
	if (hub->operator_ctx == NULL)
		fatalx("%s", cause);
	if ((hub->http = evhttp_new(hub->base)) == NULL)
		fatalx("operator: cannot create the HTTP server");
	evhttp_set_bevcb(hub->http, operator_bevcb, hub);
	evhttp_set_gencb(hub->http, operator_request, hub);
	evhttp_set_timeout(hub->http, (int)hub->conf->idle_timeout);
	evhttp_set_max_headers_size(hub->http, 16384);
	evhttp_set_max_body_size(hub->http, 4096);
	evhttp_set_allowed_methods(hub->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	listener = hub_bind(hub, &hub->conf->operator_listen, NULL, NULL);
	/*
	 * evhttp writes headers and body separately; without this, Nagle
	 * and delayed ACKs add 40 ms to every answer. Accepted sockets
	 * inherit it from the listening one.
	 */
	if (setsockopt(evconnlistener_get_fd(listener), IPPROTO_TCP,
	    TCP_NODELAY, &one, sizeof one) == -1)
		log_warn("operator: TCP_NODELAY");
	if (evhttp_bind_listener(hub->http, listener) == NULL)
		fatalx("operator: cannot serve on the operator listener");
}

void
operator_stop(struct hub *hub)
{
	if (hub->http != NULL)
		evhttp_free(hub->http);
	hub->http = NULL;
}
