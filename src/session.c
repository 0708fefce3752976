/*
 * The member protocol: decode a request, validate, apply the sharing policy
 * and rate, queue reports for the committer, and answer.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <event2/bufferevent_ssl.h>

#include <event2/buffer.h>

#include "alert.h"
#include "commit.h"
#include "conn.h"
#include "escape.h"
#include "events.h"
#include "fanout.h"
#include "jsonspan.h"
#include "request.h"
#include "store_read.h"
#include "hub.h"
#include "ledger.h"
#include "log.h"
#include "message.h"
#include "peer.h"
#include "policy.h"
#include "reader.h"
#include "session.h"
#include "sign.h"
#include "store.h"
#include "timefmt.h"
#include "validate.h"

#define SESSION_ECHO_ID_MAX	128
/* A page of a query ends early rather than grow past this. */
#define SESSION_RESULT_BYTES_MAX	(1024 * 1024)

/*
 * Count an error against the connection; close it past the limit. The
 * hub's own failures (a full disk, no memory) are not the peer's errors:
 * a member that keeps resending through an outage must not be cut off.
 */
static void
session_count_error(struct conn *c, enum proto_error error)
{
	if (error == PROTO_INTERNAL_ERROR)
		return;
	if (++c->errors >= CONN_ERRORS_MAX)
		conn_close_lingering(c, "too many errors");
}

/* Answer with {"type":"error",...}. */
static void
session_error(struct conn *c, const char *ref, enum proto_error error,
    const char *message)
{
	json_t	*reply;

	reply = json_pack("{s:s, s:s, s:s}", "type", "error", "error",
	    proto_error_name(error), "message", message);
	if (reply != NULL && ref != NULL)
		json_object_set_new(reply, "ref", json_string(ref));
	if (reply != NULL)
		conn_send_json(c, reply);
	json_decref(reply);
	c->hub->metrics.reports_refused[error < PROTO_NERRORS ? error :
	    PROTO_INTERNAL_ERROR]++;
	session_count_error(c, error);
}

/* Answer with an error whose message names the field at fault. */
static void
session_error_field(struct conn *c, const char *ref, const struct verdict *v)
{
	char	*text = NULL;

	if (v->field != NULL && asprintf(&text, "%s: %s", v->field,
	    v->message != NULL ? v->message : "invalid") == -1)
		text = NULL;
	session_error(c, ref, v->error, text != NULL ? text :
	    v->message != NULL ? v->message : "invalid request");
	free(text);
}

/* Answer a report with {"type":"rejected",...}. */
void
session_refuse_report(struct conn *c, const char *ref, const char *id,
    const struct verdict *v)
{
	json_t	*reply;
	char	 eid[ESCAPE_QUOTE_SIZE], efield[ESCAPE_QUOTE_SIZE];

	reply = json_pack("{s:s, s:o, s:s, s:s}", "type", "rejected",
	    "id", id != NULL ? json_string(id) : json_null(),
	    "error", proto_error_name(v->error),
	    "message", v->message != NULL ? v->message : "refused");
	if (reply != NULL && v->field != NULL)
		json_object_set_new(reply, "field", json_string(v->field));
	if (reply != NULL && ref != NULL)
		json_object_set_new(reply, "ref", json_string(ref));
	if (reply != NULL)
		conn_send_json(c, reply);
	json_decref(reply);
	c->hub->metrics.reports_refused[v->error < PROTO_NERRORS ? v->error :
	    PROTO_INTERNAL_ERROR]++;
	log_info("report: %s: refused %s: %s%s%s", c->member,
	    id != NULL ? escape_str(eid, sizeof eid, id) : "(no id)",
	    proto_error_name(v->error), v->field != NULL ? " at " : "",
	    v->field != NULL ? escape_str(efield, sizeof efield, v->field) : "");
	session_count_error(c, v->error);
}

/*
 * SHA-256 of the stored body, with the id in lower case like the key. Equal
 * digests are the fast way to know a report sent again (with its id in
 * either case); the store compares the JSON values themselves when they
 * differ, so a report resent with its keys in another order is still
 * recognised, and no sorted copy is made on the hot path.
 */
static int
session_digest(const json_t *report, const struct store_report *r,
    const char *sent_id, unsigned char *out)
{
	unsigned int	 len = STORE_DIGEST_LEN;
	json_t		*copy = NULL;
	char		*text = r->body;
	int		 rc = -1;

	if (strcmp(r->id, sent_id) != 0) {
		/* A shallow copy keeps the order of the keys. */
		if ((copy = json_copy((json_t *)report)) == NULL ||
		    json_object_set_new(copy, "id", json_string(r->id)) == -1 ||
		    (text = json_dumps(copy, JSON_COMPACT)) == NULL)
			goto fail;
	}
	if (EVP_Digest(text, strlen(text), out, &len, EVP_sha256(), NULL) ==
	    1 && len == STORE_DIGEST_LEN)
		rc = 0;
fail:
	if (text != r->body)
		free(text);
	json_decref(copy);
	return (rc);
}

/*
 * The id as the sender wrote it. A UUID's case means nothing, so the store
 * keys a report by its id in lower case (a forwarded one by its origin
 * too), while the answers echo the id as sent.
 */
static const char *
session_sent_id(const struct store_report *r)
{
	return (r->sent_id != NULL ? r->sent_id : r->id);
}

/*
 * The text stored and sent for a report: the bytes of the request line's
 * "report" value when they are already what a compact dump would write
 * (senders that write compact JSON, which is all of them in practice),
 * else a dump of the parsed tree. Either way the same text, so the digest
 * and every alert are as before; the dump costs a pass over the tree.
 */
static char *
session_body(const json_t *report, const char *line, size_t len)
{
	size_t	start, end;

	if (line != NULL && jsonspan_member(line, len, "report", &start,
	    &end) == 0 && jsonspan_compact(line + start, end - start))
		return (strndup(line + start, end - start));
	return (json_dumps(report, JSON_COMPACT));
}

/* Build the store's record of a valid report. */
static struct store_report *
session_record(struct conn *c, const json_t *report,
    const struct report_view *view, const char *ref, int64_t now,
    const char *line, size_t line_len)
{
	struct store_report	*r;
	size_t			 len = strlen(view->id), i;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	r->sent_id = strdup(view->id);
	snprintf(r->sender, sizeof r->sender, "%s", c->member);
	/* A validated UUID: hex digits and dashes. */
	if ((r->id = strdup(view->id)) != NULL) {
		for (i = 0; i < len; i++) {
			if (r->id[i] >= 'A' && r->id[i] <= 'F')
				r->id[i] += 'a' - 'A';
		}
	}
	r->code = strdup(view->code);
	r->body = session_body(report, line, line_len);
	r->ref = ref != NULL ? strdup(ref) : NULL;
	if (r->id == NULL || r->sent_id == NULL || r->code == NULL ||
	    r->body == NULL || (ref != NULL && r->ref == NULL) ||
	    session_digest(report, r, r->sent_id, r->digest) == -1) {
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
session_submit(struct conn *c, struct store_report *r)
{
	r->owner = c;
	conn_ref(c);
	c->inflight++;
	committer_submit(c->hub->committer, r);
}

/* A report request: validate, apply policy and rate, hand to the committer. */
static void
session_report(struct conn *c, const json_t *message, const char *ref,
    int64_t now, const char *line, size_t len)
{
	static const char *const allowed[] = { "type", "ref", "report", NULL };
	struct hub		*hub = c->hub;
	struct verdict		 v = { 0 };
	struct report_view	 view;
	struct store_report	*r = NULL;
	struct policy_set	 set = { 0 };
	const json_t		*report;
	const char		*id = NULL;

	report = json_object_get(message, "report");
	if (json_is_object(report))
		id = json_string_value(json_object_get(report, "id"));
	/* Echo what the sender called it, within reason, so it can match. */
	if (id != NULL && strlen(id) > SESSION_ECHO_ID_MAX)
		id = NULL;
	if (request_keys(message, allowed, "", &v) == -1)
		goto refuse;
	if (report == NULL) {
		verdict_set(&v, PROTO_MISSING_FIELD, "report",
		    "a report message needs a \"report\" object");
		goto refuse;
	}
	if (validate_report(report, hub->taxonomy, now, &view, &v) == -1)
		goto refuse;
	if (policy_recipients(hub->conf, c->member, view.tlp, view.recipients,
	    &set, &v) == -1)
		goto refuse;
	/*
	 * received_at never goes backwards in seq order, so that a time
	 * window of the history is a seq range.
	 */
	if (now < hub->last_received_at)
		now = hub->last_received_at;
	hub->last_received_at = now;
	if (!ratelimit_take(&c->member_state->rate, now)) {
		verdict_set(&v, PROTO_RATE_LIMITED, NULL, "more than %u reports "
		    "a second (burst %u) from %s; slow down and send again",
		    hub->conf->report_rate, hub->conf->report_burst, c->member);
		goto refuse;
	}
	if ((r = session_record(c, report, &view, ref, now, line, len)) ==
	    NULL) {
		verdict_set(&v, PROTO_INTERNAL_ERROR, NULL, "out of memory");
		goto refuse;
	}
	r->recipients = set;
	memset(&set, 0, sizeof set);
	session_submit(c, r);
	return;
refuse:
	policy_set_clear(&set);
	session_refuse_report(c, ref, id, &v);
	verdict_clear(&v);
}

/* A subscribe request: reply where replay starts, then start it. */
static void
session_subscribe(struct conn *c, const json_t *message, const char *ref)
{
	struct subscribe_request	 r;
	struct verdict			 v = { 0 };
	struct hub			*hub = c->hub;
	json_t				*reply;
	int64_t				 from;

	if (request_subscribe(message, hub->taxonomy, &r, &v) == -1) {
		session_error_field(c, ref, &v);
		verdict_clear(&v);
		return;
	}
	from = r.has_since ? r.since : c->member_state->acked_seq;
	/* The hub's last seq counts others' reports: it is not said. */
	if (from > hub->delivered_seq) {
		verdict_set(&v, PROTO_INVALID_FIELD, "since", "since %lld is "
		    "past the last alert sent to this member", (long long)from);
		session_error_field(c, ref, &v);
		verdict_clear(&v);
		filter_clear(&r.filter);
		return;
	}
	reply = json_pack("{s:s, s:I}", "type", "subscribed", "from",
	    (json_int_t)from);
	if (reply != NULL && ref != NULL)
		json_object_set_new(reply, "ref", json_string(ref));
	if (reply != NULL)
		conn_send_json(c, reply);
	json_decref(reply);
	log_info("conn %s: member %s subscribed from seq %lld", c->peer,
	    c->member, (long long)from);
	fanout_subscribe(c, from, &r.filter);
}

/* Move the member's cursor forward to seq (signed by sig, or not). */
static void
session_ack_apply(struct conn *c, int64_t seq, int64_t now, const char *sig)
{
	struct hub	*hub = c->hub;

	/*
	 * A signature checked while the hub shut down comes back after the
	 * last commit: not acknowledged, so sent again after the restart.
	 */
	if (seq <= c->member_state->acked_seq || hub->committer == NULL)
		return;
	hub_backlog_acked(hub, c->member_state, seq);
	c->member_state->acked_seq = seq;
	hub->metrics.acks++;
	if (sig != NULL)
		hub->metrics.acks_signed++;
	committer_mark_ack(hub->committer, STORE_MARK_ACK, c->member, seq, now,
	    0, sig);
	events_ack(hub, c->member, seq, sig != NULL);
}

/* A signed acknowledgement, checked on a reader thread. */
struct session_ack_job {
	struct reader_job	 job;		/* first: the job is the struct */
	struct conn		*conn;
	char			 member[CONF_MEMBER_ID_MAX + 1];
	int64_t			 seq;
	int64_t			 now;
	char			*sig;
	char			*ref;
	EVP_PKEY		*key;		/* of the connection's certificate */
	int			 verified;	/* 1 good, 0 bad, -2 no chain,
						   -3 not a recipient,
						   -1 not known */
};

/*
 * On a reader thread: the chain of the alert acknowledged, and whether
 * the signature over "kentongan-ack:MEMBER:SEQ:CHAIN" is the member's.
 */
static void
session_ack_run(struct reader_job *job, struct store_reader *store)
{
	struct session_ack_job	*aj = (struct session_ack_job *)job;
	unsigned char		 chain[LEDGER_HASH_LEN];
	char			*msg;
	int			 rc;

	aj->verified = -1;
	if ((rc = store_reader_chain(store, aj->seq, aj->member, chain)) != 1) {
		aj->verified = rc == 0 ? -2 : rc == -2 ? -3 : -1;
		return;
	}
	if ((msg = ledger_ack_message(aj->member, aj->seq, chain)) == NULL)
		return;
	aj->verified = sign_verify_b64(aj->key, msg, strlen(msg), aj->sig);
	free(msg);
}

/* On the loop: take the acknowledgement, or refuse its signature. */
static void
session_ack_done(struct reader_job *job)
{
	struct session_ack_job	*aj = (struct session_ack_job *)job;
	struct conn		*c = aj->conn;
	struct verdict		 v = { 0 };

	c->query = NULL;
	if (!job->cancelled && c->state == CONN_READY) {
		if (aj->verified == 1)
			session_ack_apply(c, aj->seq, aj->now, aj->sig);
		else if (aj->verified == 0) {
			verdict_set(&v, PROTO_INVALID_FIELD, "sig", "the "
			    "signature does not verify: sign kentongan-ack:%s:"
			    "%lld:CHAIN, CHAIN the chain of alert %lld, with "
			    "this connection's certificate key", c->member,
			    (long long)aj->seq, (long long)aj->seq);
			session_error_field(c, aj->ref, &v);
			verdict_clear(&v);
		} else if (aj->verified == -3) {
			verdict_set(&v, PROTO_INVALID_FIELD, "sig", "alert %lld "
			    "was not sent to %s: sign the last alert this member "
			    "received, or acknowledge without sig",
			    (long long)aj->seq, c->member);
			session_error_field(c, aj->ref, &v);
			verdict_clear(&v);
		} else if (aj->verified == -2) {
			verdict_set(&v, PROTO_INVALID_FIELD, "sig", "alert %lld "
			    "has no ledger entry to sign (no report with that "
			    "seq, or stored with the ledger off); acknowledge "
			    "it without sig", (long long)aj->seq);
			session_error_field(c, aj->ref, &v);
			verdict_clear(&v);
		} else
			session_error(c, aj->ref, PROTO_INTERNAL_ERROR, "the "
			    "acknowledgement could not be checked; send it "
			    "again");
	}
	conn_maybe_resume(c);
	conn_unref(c);
	EVP_PKEY_free(aj->key);
	free(aj->sig);
	free(aj->ref);
	free(aj);
}

/*
 * An ack request: move the member's cursor forward; no answer. A signed
 * one is checked first, off the loop; the connection takes no further
 * request meanwhile, so that acknowledgements keep their order.
 */
static void
session_ack(struct conn *c, const json_t *message, const char *ref,
    int64_t now)
{
	struct session_ack_job	*aj;
	struct verdict		 v = { 0 };
	struct hub		*hub = c->hub;
	const char		*sig;
	X509			*cert;
	int64_t			 seq;

	if (request_ack(message, &seq, &sig, &v) == -1) {
		session_error_field(c, ref, &v);
		verdict_clear(&v);
		return;
	}
	if (!c->subscribed) {
		session_error(c, ref, PROTO_NOT_SUBSCRIBED, "subscribe on this "
		    "connection before acknowledging alerts");
		return;
	}
	if (seq > hub->delivered_seq) {
		verdict_set(&v, PROTO_INVALID_FIELD, "seq", "seq %lld was never "
		    "sent to this member", (long long)seq);
		session_error_field(c, ref, &v);
		verdict_clear(&v);
		return;
	}
	if (seq <= c->member_state->acked_seq)
		return;
	if (sig == NULL) {
		session_ack_apply(c, seq, now, NULL);
		return;
	}
	if ((aj = calloc(1, sizeof *aj)) == NULL ||
	    (aj->sig = strdup(sig)) == NULL ||
	    (ref != NULL && (aj->ref = strdup(ref)) == NULL) ||
	    (cert = SSL_get0_peer_certificate(bufferevent_openssl_get_ssl(
	    c->bev))) == NULL || (aj->key = X509_get0_pubkey(cert)) == NULL) {
		if (aj != NULL) {
			free(aj->sig);
			free(aj->ref);
			free(aj);
		}
		session_error(c, ref, PROTO_INTERNAL_ERROR, "the signature "
		    "could not be checked; send the ack again");
		return;
	}
	EVP_PKEY_up_ref(aj->key);
	aj->conn = c;
	snprintf(aj->member, sizeof aj->member, "%s", c->member);
	aj->seq = seq;
	aj->now = now;
	aj->job.run = session_ack_run;
	aj->job.done = session_ack_done;
	conn_ref(c);
	c->query = &aj->job;
	reader_submit_gated(hub->reader, &c->member_state->reads, &aj->job);
}

/* A member's history query, run on a reader thread. */
struct session_query_job {
	struct reader_job	 job;		/* first: the job is the struct */
	struct conn		*conn;
	char			 member[CONF_MEMBER_ID_MAX + 1];
	struct query_request	 q;
	char			*ref;		/* JSON text of the ref, or NULL */
	int64_t			 upto;
	struct evbuffer		*reply;
	int			 failed;
};

/*
 * Append one alert to the page being built, unless the page has reached
 * its size: then the alert is left for the next page.
 */
static int
session_query_row(const struct store_row *row, void *arg)
{
	struct session_query_job	*qj = arg;
	struct alert_fields		 a = { row->seq, row->sender,
	    row->received_at, row->tier, row->origin, row->chain, row->body,
	    row->body_len };
	char				*text;
	size_t				 len, have;

	text = alert_format(&a, 0, &len);
	if (text == NULL)
		return (1);
	have = evbuffer_get_length(qj->reply);
	if (have > 0 && have + len > SESSION_RESULT_BYTES_MAX) {
		free(text);
		return (1);
	}
	if ((have > 0 && evbuffer_add(qj->reply, ",", 1) == -1) ||
	    evbuffer_add(qj->reply, text, len) == -1) {
		free(text);
		return (1);
	}
	free(text);
	return (0);
}

/* On a reader thread: read the page and build the whole result line. */
static void
session_query_run(struct reader_job *job, struct store_reader *store)
{
	struct session_query_job	*qj = (struct session_query_job *)job;
	struct evbuffer			*alerts, *line;
	int64_t				 next;

	if ((alerts = evbuffer_new()) == NULL ||
	    (line = evbuffer_new()) == NULL) {
		if (alerts != NULL)
			evbuffer_free(alerts);
		qj->failed = 1;
		return;
	}
	qj->reply = alerts;
	if (store_reader_query(store, qj->member, &qj->q, qj->upto,
	    session_query_row, qj, &next) == -1) {
		qj->failed = 1;
		evbuffer_free(line);
		return;
	}
	if (evbuffer_add_printf(line, "{\"type\":\"result\"%s%s,"
	    "\"alerts\":[", qj->ref != NULL ? ",\"ref\":" : "",
	    qj->ref != NULL ? qj->ref : "") == -1 ||
	    evbuffer_add_buffer(line, alerts) == -1 ||
	    (next > 0 ? evbuffer_add_printf(line, "],\"next\":%lld}\n",
	    (long long)next) : evbuffer_add_printf(line,
	    "],\"next\":null}\n")) == -1)
		qj->failed = 1;
	evbuffer_free(alerts);
	qj->reply = line;
}

/* On the loop: send the page (if its connection is still there). */
static void
session_query_done(struct reader_job *job)
{
	struct session_query_job	*qj = (struct session_query_job *)job;
	struct conn			*c = qj->conn;
	char				*ref = NULL;

	if (!job->cancelled && c->state == CONN_READY) {
		if (qj->failed) {
			/* The ref as the member sent it, decoded again. */
			json_t *j = qj->ref != NULL ? json_loads(qj->ref,
			    JSON_DECODE_ANY, NULL) : NULL;

			ref = j != NULL && json_is_string(j) ?
			    strdup(json_string_value(j)) : NULL;
			json_decref(j);
			session_error(c, ref, PROTO_INTERNAL_ERROR, "the query "
			    "could not be run; try again");
			free(ref);
		} else
			conn_send_buffer(c, qj->reply);
	}
	c->query = NULL;
	conn_maybe_resume(c);
	conn_unref(c);
	if (qj->reply != NULL)
		evbuffer_free(qj->reply);
	request_query_clear(&qj->q);
	free(qj->ref);
	free(qj);
}

/*
 * A query request: one page of what the member sent or was entitled to,
 * read on a reader thread. The connection takes no further request until
 * the page is sent, so answers keep their order and one connection holds
 * at most one page.
 */
static void
session_query(struct conn *c, const json_t *message, const char *ref)
{
	struct session_query_job	*qj;
	struct verdict			 v = { 0 };
	json_t				*jref;

	if ((qj = calloc(1, sizeof *qj)) == NULL) {
		session_error(c, ref, PROTO_INTERNAL_ERROR, "out of memory");
		return;
	}
	if (request_query(message, c->hub->taxonomy, &qj->q, &v) == -1) {
		session_error_field(c, ref, &v);
		verdict_clear(&v);
		free(qj);
		return;
	}
	if (ref != NULL) {
		jref = json_string(ref);
		qj->ref = jref != NULL ? json_dumps(jref, JSON_ENCODE_ANY) :
		    NULL;
		json_decref(jref);
		if (qj->ref == NULL) {
			request_query_clear(&qj->q);
			free(qj);
			session_error(c, ref, PROTO_INTERNAL_ERROR,
			    "out of memory");
			return;
		}
	}
	snprintf(qj->member, sizeof qj->member, "%s", c->member);
	qj->conn = c;
	qj->upto = c->hub->delivered_seq;
	qj->job.run = session_query_run;
	qj->job.done = session_query_done;
	conn_ref(c);
	c->query = &qj->job;
	reader_submit_gated(c->hub->reader, &c->member_state->reads,
	    &qj->job);
}

/*
 * Answer a request that takes nothing but its type and ref (ping, whoami)
 * with reply, the ref echoed; a request with more is refused instead.
 */
static void
session_answer_bare(struct conn *c, const json_t *message, const char *ref,
    json_t *reply)
{
	static const char *const allowed[] = { "type", "ref", NULL };
	struct verdict	 v = { 0 };

	if (request_keys(message, allowed, "", &v) == -1) {
		session_error(c, ref, v.error, v.message);
		verdict_clear(&v);
	} else if (reply != NULL) {
		if (ref != NULL)
			json_object_set_new(reply, "ref", json_string(ref));
		conn_send_json(c, reply);
	}
	json_decref(reply);
}

/* A ping request. */
static void
session_ping(struct conn *c, const json_t *message, const char *ref)
{
	session_answer_bare(c, message, ref, json_pack("{s:s}", "type",
	    "pong"));
}

/*
 * A whoami request: the member this certificate is taken for, its role,
 * and this hub's ID among its peers. A client needs its own ID to sign
 * its acknowledgements.
 */
static void
session_whoami(struct conn *c, const json_t *message, const char *ref)
{
	json_t	*reply;

	reply = json_pack("{s:s, s:s, s:s}", "type", "whoami", "member",
	    c->member, "role", role_name(c->role));
	if (reply != NULL && c->hub->conf->hub_id != NULL)
		json_object_set_new(reply, "hub",
		    json_string(c->hub->conf->hub_id));
	session_answer_bare(c, message, ref, reply);
}

void
session_line(struct conn *c, const char *line, size_t len)
{
	struct message	 m;
	struct verdict	 v = { 0 };
	int64_t		 now = time_now_usec();

	if (message_decode(line, len, &m, &v) == -1) {
		session_error(c, m.ref, v.error, v.message != NULL ?
		    v.message : "cannot decode the message");
		verdict_clear(&v);
		message_clear(&m);
		return;
	}
	/* A peer hub forwards and answers; members report and ask. */
	if (c->role == ROLE_HUB) {
		peer_heard(c);
		switch (m.type) {
		case MESSAGE_FORWARD:
			peer_forward(c, m.json, m.ref, now);
			break;
		case MESSAGE_ACCEPTED:
		case MESSAGE_REJECTED:
		case MESSAGE_ERROR:
			peer_answer(c, m.type, m.json, m.ref);
			break;
		case MESSAGE_PING:
			session_ping(c, m.json, m.ref);
			break;
		case MESSAGE_WHOAMI:
			session_whoami(c, m.json, m.ref);
			break;
		case MESSAGE_PONG:
			/* The answer to a link's keepalive. */
			break;
		default:
			session_error(c, m.ref, PROTO_UNKNOWN_TYPE, "a peer hub "
			    "sends forward, accepted, rejected, error or ping");
			break;
		}
		message_clear(&m);
		return;
	}
	switch (m.type) {
	case MESSAGE_REPORT:
		session_report(c, m.json, m.ref, now, line, len);
		break;
	case MESSAGE_PING:
		session_ping(c, m.json, m.ref);
		break;
	case MESSAGE_SUBSCRIBE:
		session_subscribe(c, m.json, m.ref);
		break;
	case MESSAGE_ACK:
		session_ack(c, m.json, m.ref, now);
		break;
	case MESSAGE_QUERY:
		session_query(c, m.json, m.ref);
		break;
	case MESSAGE_WHOAMI:
		session_whoami(c, m.json, m.ref);
		break;
	default:
		session_error(c, m.ref, PROTO_UNKNOWN_TYPE, "unknown message "
		    "type; expected report, subscribe, ack, query or ping");
		break;
	}
	message_clear(&m);
}

void
session_too_large(struct conn *c)
{
	json_t	*reply;
	char	*text = NULL;

	if (asprintf(&text, "a line may hold at most %zu bytes; closing",
	    c->hub->conf->max_message_bytes) == -1)
		text = NULL;
	reply = json_pack("{s:s, s:s, s:s}", "type", "error", "error",
	    proto_error_name(PROTO_MESSAGE_TOO_LARGE), "message",
	    text != NULL ? text : "line too long; closing");
	if (reply != NULL)
		conn_send_json(c, reply);
	json_decref(reply);
	free(text);
	conn_close_lingering(c, "message too large");
}

/*
 * {"type":"accepted",...}, the answer sent most often, assembled directly:
 * the id is a validated UUID and the numbers need no escaping; only a ref
 * goes through the JSON encoder.
 */
static void
session_accepted(struct conn *c, const struct store_report *r)
{
	json_t	*jref;
	char	*line, *ref = NULL, *receipt = NULL, when[RFC3339_BUFSIZE];
	char	 chain[LEDGER_HEX_LEN + 1], digest[LEDGER_HEX_LEN + 1];
	int	 n;

	if (r->ref != NULL) {
		jref = json_string(r->ref);
		ref = jref != NULL ? json_dumps(jref, JSON_ENCODE_ANY) : NULL;
		json_decref(jref);
	}
	/*
	 * The hub's signed word that the report is stored (SPEC 13); the
	 * signature's length depends on the key (an RSA-4096 one is 684
	 * characters of base64).
	 */
	if (r->has_chain && r->receipt_sig != NULL &&
	    asprintf(&receipt, ",\"receipt\":{\"seq\":%lld,\"digest\":\"%s\","
	    "\"received_at\":\"%s\",\"chain\":\"%s\",\"sig\":\"%s\"}",
	    (long long)r->seq, ledger_hex(r->stored_digest, LEDGER_HASH_LEN,
	    digest), rfc3339_format(r->stored_received_at, when, sizeof when),
	    ledger_hex(r->chain, LEDGER_HASH_LEN, chain),
	    r->receipt_sig) == -1)
		receipt = NULL;
	n = asprintf(&line, "{\"type\":\"accepted\",\"id\":\"%s\","
	    "\"seq\":%lld,\"duplicate\":%s,\"recipients\":%zu%s%s%s}\n",
	    session_sent_id(r), (long long)r->seq, r->duplicate ? "true" :
	    "false", r->nrecipients, receipt != NULL ? receipt : "",
	    ref != NULL ? ",\"ref\":" : "", ref != NULL ? ref : "");
	free(receipt);
	if (n > 0) {
		conn_send_raw(c, line, (size_t)n);
		free(line);
	} else
		log_warnx("conn %s: cannot format an answer", c->peer);
	free(ref);
}

/*
 * Called once the report's batch is committed (fsync'd) or has failed.
 * Only now may the sender hear "accepted": before this point a crash would
 * lose a report the sender believes is safe.
 */
void
session_committed(struct store_report *r, void *arg)
{
	struct conn	*c = r->owner;
	struct verdict	 v = { 0 };

	(void)arg;
	c->inflight--;
	if (r->error != PROTO_OK) {
		if (r->error == PROTO_ID_CONFLICT)
			verdict_set(&v, PROTO_ID_CONFLICT, "report.id",
			    "a different report with this id was already "
			    "accepted from %s", r->sender);
		else
			verdict_set(&v, r->error, NULL, "the report could not "
			    "be stored; nothing was kept, send it again later");
		session_refuse_report(c, r->ref, session_sent_id(r), &v);
		verdict_clear(&v);
	} else {
		session_accepted(c, r);
		log_debug("report: %s: accepted %s seq=%lld code=%s%s "
		    "recipients=%zu", r->sender, session_sent_id(r),
		    (long long)r->seq, r->code, r->duplicate ? " duplicate" :
		    "", r->nrecipients);
		if (r->duplicate)
			c->hub->metrics.reports_duplicate++;
		else {
			c->hub->metrics.reports_accepted++;
			fanout_report(c->hub, r);
		}
	}
	conn_maybe_resume(c);
	conn_unref(c);
	store_report_free(r);
}
