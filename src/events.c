/* Server-Sent Events of new reports and acknowledgements, for the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "conn.h"
#include "events.h"
#include "http.h"
#include "hub.h"
#include "log.h"
#include "operator.h"
#include "store.h"
#include "timefmt.h"

/* Queue one event (or comment) on every stream that keeps up. */
static void
events_broadcast(struct hub *hub, const char *text, size_t len)
{
	struct conn	*c, *next;

	for (c = TAILQ_FIRST(&hub->streams); c != NULL; c = next) {
		next = TAILQ_NEXT(c, stream_entry);
		if (c->state != CONN_READY)
			continue;
		if (conn_output_length(c) + len > EVENTS_OUTPUT_MAX) {
			conn_close(c, "event stream not read");
			continue;
		}
		conn_send_raw(c, text, len);
	}
}

/* Send "event: KIND\ndata: JSON\n\n" of j, with an id when seq > 0. */
static void
events_send(struct hub *hub, const char *kind, int64_t seq, json_t *j)
{
	char	*data, *text;
	int	 len;

	if (j == NULL)
		return;
	data = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (data == NULL)
		return;
	/* JSON_COMPACT has no newline, which would end the data field. */
	if (seq > 0)
		len = asprintf(&text, "event: %s\nid: %lld\ndata: %s\n\n", kind,
		    (long long)seq, data);
	else
		len = asprintf(&text, "event: %s\ndata: %s\n\n", kind, data);
	free(data);
	if (len == -1)
		return;
	events_broadcast(hub, text, (size_t)len);
	free(text);
}

void
events_report(struct hub *hub, const struct store_report *r)
{
	json_t		*body, *title;
	char		 when[RFC3339_BUFSIZE];

	if (TAILQ_EMPTY(&hub->streams))
		return;
	body = json_loads(r->body, 0, NULL);
	title = body != NULL ? json_object_get(body, "title") : NULL;
	events_send(hub, "report", r->seq, json_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:O?, s:I, s:b}", "seq", (json_int_t)r->seq,
	    "sender", r->sender, "code", r->code,
	    "severity", severity_name(r->severity), "tlp", tlp_name(r->tlp),
	    "received_at", rfc3339_format(r->received_at, when, sizeof when),
	    "title", json_is_string(title) ? title : NULL,
	    "recipients", (json_int_t)r->recipients.n,
	    "forwarded", r->origin != NULL));
	json_decref(body);
}

void
events_ack(struct hub *hub, const char *member, int64_t seq, int is_signed)
{
	if (TAILQ_EMPTY(&hub->streams))
		return;
	events_send(hub, "ack", 0, json_pack("{s:s, s:I, s:b}", "member",
	    member, "seq", (json_int_t)seq, "signed", is_signed));
}

/* Keep idle streams open through proxies and the idle timeout. */
static void
events_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct hub	*hub = arg;
	struct conn	*c, *next;

	(void)fd;
	(void)what;
	/* A certificate a reload dropped or revoked stops its streams. */
	for (c = TAILQ_FIRST(&hub->streams); c != NULL; c = next) {
		next = TAILQ_NEXT(c, stream_entry);
		if (c->state == CONN_READY && !operator_admitted(c))
			conn_close(c, "operator no longer admitted");
	}
	events_broadcast(hub, ": heartbeat\n\n", 13);
}

void
events_start(struct hub *hub)
{
	struct timeval	tv = { EVENTS_HEARTBEAT, 0 };

	if (hub->conf->idle_timeout / 2 < EVENTS_HEARTBEAT)
		tv.tv_sec = hub->conf->idle_timeout / 2 > 0 ?
		    hub->conf->idle_timeout / 2 : 1;
	if ((hub->streams_timer = event_new(hub->base, -1, EV_PERSIST,
	    events_heartbeat, hub)) == NULL ||
	    event_add(hub->streams_timer, &tv) == -1)
		fatalx("cannot create the event stream timer");
}

void
events_stop(struct hub *hub)
{
	if (hub->streams_timer != NULL)
		event_free(hub->streams_timer);
	hub->streams_timer = NULL;
}

void
events_open(struct conn *c, struct http_request *req)
{
	/* Cache-Control: no-store comes with every answer. */
	static const struct http_field	 fields[] = {
		{ "X-Accel-Buffering", "no" },
	};
	struct http_response		 r = { 0 };
	char				*out;
	size_t				 len;
	static const char		 hello[] = "retry: 3000\n\n";

	if (req->query != NULL && *req->query != '\0') {
		operator_fail(c, req, 400, "unknown_field", "/v1/events takes "
		    "no parameters");
		http_request_free(req);
		return;
	}
	r.status = 200;
	r.content_type = "text/event-stream; charset=utf-8";
	r.head = req->method == HTTP_HEAD;
	r.stream = !r.head;
	r.keep_alive = 0;
	r.date = time_now_usec() / 1000000;
	r.fields = fields;
	r.nfields = sizeof fields / sizeof fields[0];
	operator_note(c, req, 200);
	out = http_response_format(&r, NULL, 0, &len);
	http_request_free(req);
	if (out == NULL) {
		conn_abort(c, "cannot format an answer");
		return;
	}
	conn_send_raw(c, out, len);
	free(out);
	/* No more requests on this connection: it is the stream's now. */
	c->http_close = 1;
	if (r.head) {
		conn_close(c, NULL);
		return;
	}
	conn_send_raw(c, hello, sizeof hello - 1);
	c->streaming = 1;
	TAILQ_INSERT_TAIL(&c->hub->streams, c, stream_entry);
}

void
events_closed(struct conn *c)
{
	if (!c->streaming)
		return;
	c->streaming = 0;
	TAILQ_REMOVE(&c->hub->streams, c, stream_entry);
}
