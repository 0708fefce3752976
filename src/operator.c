/*
 * The operator API: HTTP/1.1 on the hub's own TLS connections (conn.c),
 * one request at a time per connection. The TLS handshake already refuses
 * anyone but an operator; each request checks again, so a certificate
 * dropped by a reload cannot keep reading. Answers that read the store are
 * read on a reader thread, a few per operator at a time; the loop never
 * waits for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <jansson.h>

#include "alert.h"
#include "commit.h"
#include "conn.h"
#include "console.h"
#include "events.h"
#include "escape.h"
#include "export.h"
#include "http.h"
#include "hub.h"
#include "ledger.h"
#include "log.h"
#include "metrics.h"
#include "operator.h"
#include "opparams.h"
#include "reader.h"
#include "store.h"
#include "store_read.h"
#include "timefmt.h"
#include "tls.h"

/* What a read of the operator API is for. */
enum operator_read {
	OPERATOR_REPORTS,
	OPERATOR_REPORT,
	OPERATOR_STATS,
	OPERATOR_LEDGER,
	OPERATOR_LEDGER_HEAD
};

/* One recipient of a report, as read. */
struct operator_delivery {
	char		 member[CONF_MEMBER_ID_MAX + 1];
	int		 tier;
	int64_t		 delivered_at;
	int64_t		 acked_at;
	int		 signed_;	/* 1, 0, or -1 no ledger entry */
};

/* A request that reads the store, on a reader thread. */
struct operator_job {
	struct reader_job	 job;		/* first: the job is the struct */
	struct conn		*conn;
	struct http_request	*req;
	enum operator_read	 what;
	struct query_request	 q;
	int64_t			 seq;
	int64_t			 since;
	int64_t			 until;
	int64_t			 upto;
	struct evbuffer		*body;		/* built by the reader */
	struct operator_delivery *deliveries;
	size_t			 ndeliveries;
	size_t			 deliveries_cap;
	int			 found;
	int			 failed;
	/* An answer in another tool's format: its rows are converted. */
	enum export_format	 format;
	char			*hub_name;	/* what the exported IDs are minted for */
	struct evbuffer		*rows;		/* where a row goes */
	/* The ledger: a page of it, or a report's entry. */
	int64_t			 after;
	unsigned		 limit;
	int			 has_entry;
	int64_t			 entry_n;
	unsigned char		 entry_hash[LEDGER_HASH_LEN];
	unsigned char		 entry_prev[LEDGER_HASH_LEN];
};

/* The Date of an answer. */
static int64_t
operator_date(void)
{
	return (time_now_usec() / 1000000);
}

/* Count an answer for the operator and log it, as an audit trail. */
void
operator_note(struct conn *c, const struct http_request *req, int status)
{
	struct member_state	*ms = c->member_state;
	char			 shown[ESCAPE_QUOTE_SIZE];

	if (ms != NULL)
		metrics_status_count(&ms->http_statuses, status);
	log_info("operator %s %s %s %d", c->member[0] != '\0' ? c->member :
	    "-", req != NULL ? http_method_name(req->method) : "-",
	    req != NULL ? escape_str(shown, sizeof shown, req->path) : "-",
	    status);
}

/*
 * Send a whole answer: head and body. The connection closes after it when
 * the request or the answer says so.
 */
void
operator_reply(struct conn *c, const struct http_request *req, int status,
    const char *content_type, const char *csp, const struct http_field *fields,
    size_t nfields, const void *body, size_t len)
{
	struct http_response	 r = { 0 };
	char			*out;
	size_t			 outlen;

	r.status = status;
	r.content_type = content_type;
	r.csp = csp;
	r.keep_alive = req != NULL && req->keep_alive && !c->http_close &&
	    status < 500;
	r.head = req != NULL && req->method == HTTP_HEAD;
	r.date = operator_date();
	r.fields = fields;
	r.nfields = nfields;
	operator_note(c, req, status);
	if ((out = http_response_format(&r, body, len, &outlen)) == NULL) {
		conn_abort(c, "cannot format an answer");
		return;
	}
	conn_send_raw(c, out, outlen);
	free(out);
	if (!r.keep_alive) {
		c->http_close = 1;
		conn_close(c, NULL);
	}
}

/* A JSON answer. */
static void
operator_send(struct conn *c, const struct http_request *req, int status,
    const char *content_type, const struct http_field *fields,
    size_t nfields, const void *body, size_t len)
{
	operator_reply(c, req, status, content_type, NULL, fields, nfields,
	    body, len);
}

/* Send {"error":CODE,"message":TEXT} with a status. */
void
operator_fail(struct conn *c, const struct http_request *req, int status,
    const char *error, const char *message)
{
	struct http_field	 allow = { "Allow", "GET" };
	char			*body;
	size_t			 len;

	if ((body = http_error_body(error, message, &len)) == NULL) {
		conn_abort(c, "out of memory");
		return;
	}
	operator_send(c, req, status, "application/json",
	    status == 405 ? &allow : NULL, status == 405 ? 1 : 0, body, len);
	free(body);
}

/* A 400 from a verdict. */
static void
operator_bad_request(struct conn *c, const struct http_request *req,
    const struct verdict *v)
{
	operator_fail(c, req, 400, proto_error_name(v->error),
	    v->message != NULL ? v->message : "bad request");
}

/* Send a JSON body held in a buffer. */
static void
operator_json(struct conn *c, const struct http_request *req,
    struct evbuffer *body)
{
	size_t	len = evbuffer_get_length(body);

	operator_send(c, req, 200, "application/json", NULL, 0,
	    evbuffer_pullup(body, -1), len);
}

void
operator_refuse(struct conn *c, int status, const char *error,
    const char *message)
{
	operator_fail(c, NULL, status, error, message);
}

/* A 400 for a parameter given to an endpoint that takes none, naming it. */
static void
operator_no_parameters(struct conn *c, const struct http_request *req)
{
	struct verdict	 v = { 0 };
	int		 n;

	n = (int)strcspn(req->query, "=&");
	if (n > 64)
		n = 64;
	/* Through a verdict, which makes the bytes it quotes valid UTF-8. */
	verdict_set(&v, PROTO_UNKNOWN_FIELD, NULL, "unknown parameter "
	    "\"%.*s\": this endpoint takes none", n, req->query);
	operator_fail(c, req, 400, "unknown_field", v.message != NULL ?
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
	    "\"received_at\":%s,\"recipients\":%lld,",
	    (long long)row->seq, row->sender,
	    operator_time(row->received_at, when, sizeof when),
	    (long long)row->nrecipients);
	/* A forward's origin and path: who first reported it, and where. */
	if (row->origin != NULL)
		evbuffer_add_printf(out, "\"origin\":%s,", row->origin);
	evbuffer_add(out, "\"report\":", 9);
	evbuffer_add(out, row->body, row->body_len);
	evbuffer_add(out, "}", 1);
	return (0);
}

/* A row of the job, as the hub shows it or converted to the job's format. */
static int
operator_row(const struct store_row *row, void *arg)
{
	struct operator_job	*oj = arg;
	struct evbuffer		*one;
	json_t			*j = NULL;
	char			*text = NULL, *cause = NULL;
	size_t			 len;
	int			 rc = -1;

	if (oj->format == EXPORT_JSON)
		return (operator_report_row(row, oj->rows));
	if ((one = evbuffer_new()) == NULL)
		goto done;
	operator_report_row(row, one);
	len = evbuffer_get_length(one);
	if ((j = json_loadb((const char *)evbuffer_pullup(one, -1), len, 0,
	    NULL)) == NULL ||
	    (text = export_alert(j, oj->format, oj->hub_name, &cause)) == NULL)
		goto done;
	if (evbuffer_get_length(oj->rows) > 0)
		evbuffer_add(oj->rows, ",", 1);
	evbuffer_add(oj->rows, text, strlen(text));
	rc = 0;
done:
	if (rc == -1) {
		log_warnx("operator: seq %lld cannot be exported: %s",
		    (long long)row->seq, cause != NULL ? cause :
		    "out of memory");
		oj->failed = 1;
	}
	free(cause);
	free(text);
	json_decref(j);
	if (one != NULL)
		evbuffer_free(one);
	return (rc);
}

/* Keep one recipient of the report read. */
static void
operator_keep_delivery(const struct store_delivery *d, void *arg)
{
	struct operator_job		*oj = arg;
	struct operator_delivery	*grown;
	size_t				 cap;

	if (oj->ndeliveries == oj->deliveries_cap) {
		cap = oj->deliveries_cap == 0 ? 16 : oj->deliveries_cap * 2;
		if ((grown = reallocarray(oj->deliveries, cap,
		    sizeof *grown)) == NULL) {
			oj->failed = 1;
			return;
		}
		oj->deliveries = grown;
		oj->deliveries_cap = cap;
	}
	snprintf(oj->deliveries[oj->ndeliveries].member,
	    sizeof oj->deliveries[oj->ndeliveries].member, "%s", d->member);
	oj->deliveries[oj->ndeliveries].tier = d->tier;
	oj->deliveries[oj->ndeliveries].delivered_at = d->delivered_at;
	oj->deliveries[oj->ndeliveries].acked_at = d->acked_at;
	oj->deliveries[oj->ndeliveries].signed_ = d->signed_;
	oj->ndeliveries++;
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

/* On a reader thread: the statistics as a JSON body. */
static int
operator_read_stats(struct operator_job *oj, struct store_reader *store)
{
	json_t	*stats;
	char	*text, since_text[RFC3339_BUFSIZE], until_text[RFC3339_BUFSIZE];
	int	 rc = -1;

	stats = json_pack("{s:o, s:o, s:i, s:{}, s:{}, s:{}, s:{}}",
	    "since", oj->since != 0 ? json_string(rfc3339_format(oj->since,
	    since_text, sizeof since_text)) : json_null(),
	    "until", oj->until != 0 ? json_string(rfc3339_format(oj->until,
	    until_text, sizeof until_text)) : json_null(),
	    "total", 0, "by_code", "by_severity", "by_sender", "by_day");
	if (stats != NULL && store_reader_stats(store, oj->since, oj->until,
	    oj->upto, operator_count, stats) == 0 &&
	    (text = json_dumps(stats, JSON_COMPACT)) != NULL) {
		if (evbuffer_add_printf(oj->body, "%s\n", text) != -1)
			rc = 0;
		free(text);
	}
	json_decref(stats);
	return (rc);
}

/* One ledger entry, as verify --ledger recomputes it. */
static void
operator_ledger_row(const struct store_ledger_row *row, void *arg)
{
	struct evbuffer	*out = arg;
	char		 prev[LEDGER_HEX_LEN + 1], hash[LEDGER_HEX_LEN + 1];
	char		 digest[LEDGER_HEX_LEN + 1], when[RFC3339_BUFSIZE + 2];
	json_t		*j;
	char		*text;

	j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s?}",
	    "n", (json_int_t)row->n,
	    "kind", ledger_kind_name((enum ledger_kind)row->kind),
	    "seq", (json_int_t)row->seq, "party", row->party,
	    "prev", ledger_hex(row->prev, LEDGER_HASH_LEN, prev),
	    "hash", ledger_hex(row->hash, LEDGER_HASH_LEN, hash),
	    "sig", row->sig);
	if (j == NULL)
		return;
	if (row->sig == NULL)
		json_object_set_new(j, "sig", json_null());
	json_object_set_new(j, "at", row->present ? json_string(
	    rfc3339_format(row->at, when, sizeof when)) : json_null());
	if (row->kind == LEDGER_REPORT && row->present) {
		json_object_set_new(j, "digest", json_string(ledger_hex(
		    row->digest, LEDGER_HASH_LEN, digest)));
		json_object_set_new(j, "recipients", json_string(
		    row->recipients != NULL ? row->recipients : ""));
		if (row->origin != NULL)
			json_object_set_new(j, "origin",
			    json_string(row->origin));
		/* The hash the report's row keeps, for its alerts. */
		json_object_set_new(j, "chain", row->has_chain ? json_string(
		    ledger_hex(row->chain, LEDGER_HASH_LEN, digest)) :
		    json_null());
	}
	/* What it records is gone from the store. */
	if (!row->present)
		json_object_set_new(j, "missing", json_true());
	if ((text = json_dumps(j, JSON_COMPACT)) != NULL) {
		if (evbuffer_get_length(out) > 0)
			evbuffer_add(out, ",", 1);
		evbuffer_add(out, text, strlen(text));
		free(text);
	}
	json_decref(j);
}

/* A page of a listing: {"NAME":[rows],"next":N|null}. */
static void
operator_page(struct evbuffer *body, const char *name, struct evbuffer *rows,
    int64_t next)
{
	evbuffer_add_printf(body, "{\"%s\":[", name);
	evbuffer_add_buffer(body, rows);
	if (next > 0)
		evbuffer_add_printf(body, "],\"next\":%lld}\n", (long long)next);
	else
		evbuffer_add_printf(body, "],\"next\":null}\n");
}

/* On a reader thread: read what the request asks for. */
static void
operator_run(struct reader_job *job, struct store_reader *store)
{
	struct operator_job	*oj = (struct operator_job *)job;
	struct evbuffer		*rows;
	int64_t			 next;
	int			 n;

	if ((oj->body = evbuffer_new()) == NULL) {
		oj->failed = 1;
		return;
	}
	switch (oj->what) {
	case OPERATOR_REPORTS:
		if ((rows = evbuffer_new()) == NULL) {
			oj->failed = 1;
			return;
		}
		oj->rows = rows;
		if (store_reader_query(store, NULL, &oj->q, oj->upto,
		    operator_row, oj, &next) == -1)
			oj->failed = 1;
		else
			operator_page(oj->body, "reports", rows, next);
		evbuffer_free(rows);
		break;
	case OPERATOR_REPORT:
		oj->rows = oj->body;
		n = oj->seq <= oj->upto ? store_reader_report(store, oj->seq,
		    operator_row, oj) : 0;
		/* An export is the report alone: no deliveries, no ledger. */
		if (oj->format != EXPORT_JSON) {
			oj->failed |= n == -1;
			oj->found = n == 1;
			break;
		}
		if (n == -1 || (n == 1 && store_reader_deliveries(store,
		    oj->seq, operator_keep_delivery, oj) == -1))
			oj->failed = 1;
		oj->found = n == 1;
		if (n == 1 && !oj->failed &&
		    (oj->has_entry = store_reader_ledger_report(store,
		    oj->seq, &oj->entry_n, oj->entry_hash,
		    oj->entry_prev)) == -1)
			oj->failed = 1;
		break;
	case OPERATOR_STATS:
		if (operator_read_stats(oj, store) == -1)
			oj->failed = 1;
		break;
	case OPERATOR_LEDGER:
		if ((rows = evbuffer_new()) == NULL) {
			oj->failed = 1;
			return;
		}
		if (store_reader_ledger(store, oj->after, oj->limit,
		    operator_ledger_row, rows, &next) == -1)
			oj->failed = 1;
		else
			operator_page(oj->body, "entries", rows, next);
		evbuffer_free(rows);
		break;
	case OPERATOR_LEDGER_HEAD: {
		unsigned char	hash[LEDGER_HASH_LEN];
		char		hex[LEDGER_HEX_LEN + 1];
		int64_t		head;

		if ((head = store_reader_ledger_head(store, hash)) == -1)
			oj->failed = 1;
		else
			evbuffer_add_printf(oj->body, "{\"n\":%lld,\"hash\":"
			    "\"%s\"}\n", (long long)head, ledger_hex(hash,
			    LEDGER_HASH_LEN, hex));
		break;
	}
	}
}

/*
 * The report read, with its deliveries. A delivery position not yet
 * written (they are written once a second) is taken from memory: it is the
 * one that will be written.
 */
static void
operator_report_answer(struct operator_job *oj)
{
	struct conn			*c = oj->conn;
	struct evbuffer			*body;
	struct member_state		*ms;
	struct operator_delivery	*d;
	char				 sent[RFC3339_BUFSIZE + 2];
	char				 acked[RFC3339_BUFSIZE + 2];
	char				 hash[LEDGER_HEX_LEN + 1];
	char				 prev[LEDGER_HEX_LEN + 1];
	int64_t				 delivered_at;
	size_t				 i, len;

	if (!oj->found) {
		operator_fail(c, oj->req, 404, "not_found", "no report has "
		    "this sequence number");
		return;
	}
	if (oj->format != EXPORT_JSON) {
		evbuffer_add(oj->body, "\n", 1);
		operator_send(c, oj->req, 200, export_content_type(oj->format),
		    NULL, 0, evbuffer_pullup(oj->body, -1),
		    evbuffer_get_length(oj->body));
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		operator_fail(c, oj->req, 500, "internal_error",
		    "out of memory");
		return;
	}
	/* The row is an object; reopen it to add the deliveries. */
	len = evbuffer_get_length(oj->body);
	evbuffer_remove_buffer(oj->body, body, len - 1);
	evbuffer_add_printf(body, ",\"deliveries\":[");
	for (i = 0; i < oj->ndeliveries; i++) {
		d = &oj->deliveries[i];
		delivered_at = d->delivered_at;
		if (delivered_at == 0 &&
		    (ms = hub_member_find(c->hub, d->member)) != NULL &&
		    ms->delivered_dirty && ms->delivered_seq >= oj->seq)
			delivered_at = ms->delivered_at;
		evbuffer_add_printf(body, "%s{\"member\":\"%s\",\"tier\":\"%s\","
		    "\"delivered_at\":%s,\"acked_at\":%s,\"signed\":%s}",
		    i > 0 ? "," : "", d->member, tier_name((enum tier)d->tier),
		    operator_time(delivered_at, sent, sizeof sent),
		    operator_time(d->acked_at, acked, sizeof acked),
		    d->acked_at == 0 || d->signed_ == -1 ? "null" : d->signed_ ?
		    "true" : "false");
	}
	evbuffer_add_printf(body, "]");
	/* Its ledger entry: what a receipt's chain names. */
	if (oj->has_entry == 1)
		evbuffer_add_printf(body, ",\"ledger\":{\"n\":%lld,\"hash\":"
		    "\"%s\",\"prev\":\"%s\"}", (long long)oj->entry_n,
		    ledger_hex(oj->entry_hash, LEDGER_HASH_LEN, hash),
		    ledger_hex(oj->entry_prev, LEDGER_HASH_LEN, prev));
	evbuffer_add_printf(body, "}\n");
	operator_json(c, oj->req, body);
	evbuffer_free(body);
}

/* Free a job and what it holds. */
static void
operator_job_free(struct operator_job *oj)
{
	if (oj->body != NULL)
		evbuffer_free(oj->body);
	http_request_free(oj->req);
	request_query_clear(&oj->q);
	free(oj->deliveries);
	free(oj->hub_name);
	free(oj);
}

/* On the loop: answer, if the connection is still there, then read on. */
static void
operator_done(struct reader_job *job)
{
	struct operator_job	*oj = (struct operator_job *)job;
	struct conn		*c = oj->conn;

	c->query = NULL;
	if (!job->cancelled && c->state == CONN_READY) {
		if (oj->failed)
			operator_fail(c, oj->req, 500, "internal_error",
			    oj->what == OPERATOR_STATS ? "the statistics could "
			    "not be computed" : oj->what == OPERATOR_REPORT ?
			    "the report could not be read" : oj->what ==
			    OPERATOR_REPORTS ? "the history could not be read" :
			    "the ledger could not be read");
		else if (oj->what == OPERATOR_REPORT)
			operator_report_answer(oj);
		else
			operator_json(c, oj->req, oj->body);
	}
	conn_maybe_resume(c);
	conn_unref(c);
	operator_job_free(oj);
}

/*
 * The name exported IDs are minted for: hub_id, else the CN of the hub's
 * certificate, which a member's client sees too and so mints the same.
 */
static char *
operator_hub_name(const struct hub *hub)
{
	X509	*cert;

	if (hub->conf->hub_id != NULL)
		return (strdup(hub->conf->hub_id));
	if (hub->member_ctx != NULL &&
	    (cert = SSL_CTX_get0_certificate(hub->member_ctx)) != NULL)
		return (tls_subject_cn(cert));
	return (NULL);
}

/* Read on a reader thread; the connection waits for the answer. */
static void
operator_read(struct conn *c, struct operator_job *oj)
{
	oj->conn = c;
	oj->upto = c->hub->delivered_seq;
	if (oj->format != EXPORT_JSON)
		oj->hub_name = operator_hub_name(c->hub);
	oj->job.run = operator_run;
	oj->job.done = operator_done;
	conn_ref(c);
	c->query = &oj->job;
	reader_submit_gated(c->hub->reader, &c->member_state->reads, &oj->job);
}

/* A job for req, which it then owns; NULL (and a 500 sent) on no memory. */
static struct operator_job *
operator_job_new(struct conn *c, struct http_request *req,
    enum operator_read what)
{
	struct operator_job	*oj;

	if ((oj = calloc(1, sizeof *oj)) == NULL) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		http_request_free(req);
		return (NULL);
	}
	oj->req = req;
	oj->what = what;
	return (oj);
}

/* GET /v1/reports */
static void
operator_reports(struct conn *c, struct http_request *req)
{
	struct operator_job	*oj;
	struct verdict		 v = { 0 };

	if ((oj = operator_job_new(c, req, OPERATOR_REPORTS)) == NULL)
		return;
	if (opparams_reports(req->query, c->hub->taxonomy, &oj->q, &v) == -1 ||
	    opparams_format(req->query, &oj->format, &v) == -1) {
		operator_bad_request(c, req, &v);
		verdict_clear(&v);
		operator_job_free(oj);
		return;
	}
	operator_read(c, oj);
}

/* GET /v1/reports/SEQ */
static void
operator_report(struct conn *c, struct http_request *req, const char *seq_text)
{
	struct operator_job	*oj;
	struct verdict		 v = { 0 };
	enum export_format	 format;
	int64_t			 seq;

	if (opparams_report(req->query, &format, &v) == -1) {
		operator_bad_request(c, req, &v);
		verdict_clear(&v);
		http_request_free(req);
		return;
	}
	if (strchr(seq_text, '/') != NULL) {
		operator_fail(c, req, 404, "not_found", "no such endpoint; see "
		    "/v1/reports/SEQ");
		http_request_free(req);
		return;
	}
	if (opparams_seq(seq_text, &seq) == -1) {
		operator_fail(c, req, 400, "invalid_field", "the report's "
		    "sequence number must be a positive integer");
		http_request_free(req);
		return;
	}
	if ((oj = operator_job_new(c, req, OPERATOR_REPORT)) == NULL)
		return;
	oj->seq = seq;
	oj->format = format;
	operator_read(c, oj);
}

/* GET /v1/stats */
static void
operator_stats(struct conn *c, struct http_request *req)
{
	struct operator_job	*oj;
	struct verdict		 v = { 0 };
	int64_t			 since, until;

	if (opparams_stats(req->query, &since, &until, &v) == -1) {
		operator_bad_request(c, req, &v);
		verdict_clear(&v);
		http_request_free(req);
		return;
	}
	if ((oj = operator_job_new(c, req, OPERATOR_STATS)) == NULL)
		return;
	oj->since = since;
	oj->until = until;
	operator_read(c, oj);
}

/* GET /v1/ledger and /v1/ledger/head */
static void
operator_ledger(struct conn *c, struct http_request *req, int head)
{
	struct operator_job	*oj;
	struct verdict		 v = { 0 };
	int64_t			 after = 0;
	unsigned		 limit = 0;

	if (head && req->query != NULL && *req->query != '\0') {
		operator_no_parameters(c, req);
		http_request_free(req);
		return;
	}
	if (!head && opparams_ledger(req->query, &after, &limit, &v) == -1) {
		operator_bad_request(c, req, &v);
		verdict_clear(&v);
		http_request_free(req);
		return;
	}
	if ((oj = operator_job_new(c, req, head ? OPERATOR_LEDGER_HEAD :
	    OPERATOR_LEDGER)) == NULL)
		return;
	oj->after = after;
	oj->limit = limit;
	operator_read(c, oj);
}

/* GET /v1/members, from memory. */
static void
operator_members(struct conn *c, const struct http_request *req)
{
	const struct conf_member	*m;
	struct member_state		*ms;
	struct hub			*hub = c->hub;
	struct evbuffer			*body = NULL;
	json_t				*list, *item, *wrapper;
	char				*text, seen[RFC3339_BUFSIZE];
	int64_t				 backlog, acked;
	size_t				 i;

	list = json_array();
	for (i = 0; list != NULL && i < hub->conf->nmembers; i++) {
		m = &hub->conf->members[i];
		ms = hub_member_find(hub, m->id);
		acked = ms != NULL ? ms->acked_seq : 0;
		backlog = ms != NULL ? hub_member_backlog(ms) : 0;
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
	if (text == NULL || (body = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(body, "%s\n", text) == -1) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		free(text);
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	free(text);
	operator_json(c, req, body);
	evbuffer_free(body);
}

/* GET /metrics, from memory. */
static void
operator_metrics(struct conn *c, const struct http_request *req)
{
	struct metrics_histogram	 h;
	struct metrics_member		*members;
	struct metrics_gauges		 g = { 0 };
	struct member_state		*ms;
	struct conn			*other;
	struct hub			*hub = c->hub;
	size_t				 i, n = 0;
	char				*text;

	committer_histogram(hub->committer, &h);
	TAILQ_FOREACH(other, &hub->conns, entry)
		g.subscribers += other->subscribed ? 1 : 0;
	g.connections = hub->nconns;
	g.last_seq = hub->delivered_seq;
	g.reads_pending = hub->reader != NULL ? reader_pending(hub->reader) :
	    0;
	g.store_broken = store_broken(hub->store) != NULL;
	g.uptime = (time_now_usec() - hub->started_at) / 1000000;
	g.cert_left = hub->cert_end - time_now_usec() / 1000000;
	g.has_crl = hub->crl_next != 0;
	g.crl_left = hub->crl_next - time_now_usec() / 1000000;
	members = calloc(hub->conf->nmembers + 1, sizeof *members);
	for (i = 0; members != NULL && i < hub->conf->nmembers; i++) {
		ms = hub_member_find(hub, hub->conf->members[i].id);
		members[n].id = hub->conf->members[i].id;
		members[n].role = hub->conf->members[i].role;
		members[n].connected = ms != NULL && ms->connections > 0;
		members[n].acked_seq = ms != NULL ? ms->acked_seq : 0;
		members[n].backlog = ms != NULL ? hub_member_backlog(ms) : 0;
		members[n].http_statuses = ms != NULL ? &ms->http_statuses :
		    NULL;
		if (ms != NULL) {
			members[n].forwarded = ms->forwards_accepted;
			members[n].refused_by_peer = ms->forwards_peer_refused;
			members[n].refused_from_peer = ms->forwards_refused;
		}
		n++;
	}
	text = members != NULL ? metrics_render(&hub->metrics, &h, &g,
	    members, n) : NULL;
	free(members);
	if (text == NULL) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		return;
	}
	operator_send(c, req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    NULL, 0, text, strlen(text));
	free(text);
}

/* The operator behind the connection now, or NULL (with *why). */
static const struct conf_member *
operator_identity(struct conn *c, const char **why)
{
	SSL	*ssl;

	*why = "no TLS session";
	if ((ssl = bufferevent_openssl_get_ssl(c->bev)) == NULL)
		return (NULL);
	/* The handshake was checked against the CRL of its day. */
	if (!tls_recheck_peer(c->hub->operator_ctx, ssl, why))
		return (NULL);
	return (tls_peer_member(ssl, c->hub->conf, TLS_OPERATOR_LISTENER, why));
}

int
operator_admitted(struct conn *c)
{
	const struct conf_member	*op;
	const char			*why;

	return ((op = operator_identity(c, &why)) != NULL &&
	    strcmp(op->id, c->member) == 0);
}

/* One request: who asks, what for; route it. Takes req. */
static void
operator_request(struct conn *c, struct http_request *req)
{
	const struct conf_member	*op;
	const char			*path = req->path, *why;

	if ((op = operator_identity(c, &why)) == NULL ||
	    strcmp(op->id, c->member) != 0) {
		operator_fail(c, req, 403, "forbidden", op == NULL ? why :
		    "certificate now registered to another operator");
		http_request_free(req);
		return;
	}
	/* Prometheus holds a monitor's certificate: it reads the metrics. */
	if (op->role == ROLE_MONITOR && strcmp(path, "/metrics") != 0) {
		operator_fail(c, req, 403, "forbidden", "a monitor's "
		    "certificate reads /metrics only");
		http_request_free(req);
		return;
	}
	if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
		operator_fail(c, req, 405, "method_not_allowed", "the operator "
		    "API is read-only: use GET");
		http_request_free(req);
		return;
	}
	if (strcmp(path, "/v1/events") == 0)
		events_open(c, req);
	else if (console_path(path))
		console_request(c, req);
	else if (strcmp(path, "/v1/reports") == 0)
		operator_reports(c, req);
	else if (strncmp(path, "/v1/reports/", 12) == 0)
		operator_report(c, req, path + 12);
	else if (strcmp(path, "/v1/stats") == 0)
		operator_stats(c, req);
	else if (strcmp(path, "/v1/ledger") == 0)
		operator_ledger(c, req, 0);
	else if (strcmp(path, "/v1/ledger/head") == 0)
		operator_ledger(c, req, 1);
	else {
		if ((strcmp(path, "/v1/members") == 0 ||
		    strcmp(path, "/metrics") == 0) && req->query != NULL &&
		    *req->query != '\0')
			operator_no_parameters(c, req);
		else if (strcmp(path, "/v1/members") == 0)
			operator_members(c, req);
		else if (strcmp(path, "/metrics") == 0)
			operator_metrics(c, req);
		else
			operator_fail(c, req, 404, "not_found", "no such "
			    "endpoint; see /v1/reports, /v1/reports/SEQ, "
			    "/v1/members, /v1/stats, /v1/ledger, "
			    "/v1/ledger/head, /v1/events, /metrics, and the "
			    "console at /");
		http_request_free(req);
	}
}

void
operator_input(struct conn *c)
{
	struct http_request	*req;
	struct http_error	 err;
	struct evbuffer		*input;
	const char		*buf;
	size_t			 len, consumed;
	char			*reply;

	/* A stream takes no requests: what its reader sends is dropped. */
	if (c->streaming) {
		input = bufferevent_get_input(c->bev);
		evbuffer_drain(input, evbuffer_get_length(input));
		return;
	}
	while (conn_may_read(c) && !c->http_close) {
		input = bufferevent_get_input(c->bev);
		if ((len = evbuffer_get_length(input)) == 0)
			return;
		/* More than a head may hold tells the parser enough. */
		if (len > HTTP_HEAD_MAX + 1)
			len = HTTP_HEAD_MAX + 1;
		if ((buf = (const char *)evbuffer_pullup(input,
		    (ev_ssize_t)len)) == NULL) {
			conn_abort(c, "out of memory reading a request");
			return;
		}
		memset(&err, 0, sizeof err);
		req = NULL;
		switch (http_parse(&c->http, buf, len, &req, &err,
		    &consumed)) {
		case HTTP_PARSE_MORE:
			return;
		case HTTP_PARSE_ERROR:
			c->hub->metrics.http_refused++;
			operator_note(c, NULL, err.status);
			if ((reply = http_error_reply(&err, operator_date(),
			    &len)) != NULL) {
				conn_send_raw(c, reply, len);
				free(reply);
			}
			if (err.close) {
				c->http_close = 1;
				http_error_clear(&err);
				conn_close_lingering(c, NULL);
				return;
			}
			evbuffer_drain(input, consumed);
			http_error_clear(&err);
			break;
		case HTTP_PARSE_DONE:
			evbuffer_drain(input, consumed);
			operator_request(c, req);
			break;
		}
	}
}

void
operator_closed(struct conn *c)
{
	events_closed(c);
}

void
operator_start(struct hub *hub)
{
	char	*cause = NULL;

	hub->operator_ctx = tls_server_ctx_new(hub->conf,
	    TLS_OPERATOR_LISTENER, &hub->conf, &cause);
	if (hub->operator_ctx == NULL)
		fatalx("%s", cause);
}
