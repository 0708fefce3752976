/* The operator console's pages: routing, reads, and the page around them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "conn.h"
#include "console.h"
#include "console_assets.h"
#include "console_view.h"
#include "html.h"
#include "http.h"
#include "hub.h"
#include "ledger.h"
#include "log.h"
#include "opparams.h"
#include "operator.h"
#include "reader.h"
#include "store_read.h"
#include "timefmt.h"

enum console_page {
	CONSOLE_LIVE,
	CONSOLE_REPORTS,
	CONSOLE_REPORT,
	CONSOLE_STATS
};

/* A page that reads the store, on a reader thread. */
struct console_job {
	struct reader_job	 job;		/* first: the job is the struct */
	struct conn		*conn;
	struct http_request	*req;
	enum console_page	 page;
	struct query_request	 q;
	int64_t			 seq;
	int64_t			 since, until;	/* the statistics' period */
	int64_t			 upto;
	int64_t			 now;
	struct evbuffer		*html;		/* rendered on the thread */
	size_t			 nrows;
	int64_t			 next;
	int			 found;
	int			 failed;
	struct console_timeline	 timeline;
	struct console_stats	 stats;
	/* The report page: its row, recipients and ledger entry. */
	struct console_row	 row;
	char			 sender[CONF_MEMBER_ID_MAX + 1];
	struct console_delivery	*deliveries;
	char			(*members)[CONF_MEMBER_ID_MAX + 1];
	size_t			 ndeliveries;
	struct console_ledger	 ledger;
};

int
console_path(const char *path)
{
	return (strcmp(path, "/") == 0 || strcmp(path, "/reports") == 0 ||
	    strncmp(path, "/reports/", 9) == 0 || strcmp(path, "/stats") == 0 ||
	    strcmp(path, "/console.css") == 0 ||
	    strcmp(path, "/console.js") == 0 ||
	    strcmp(path, "/favicon.svg") == 0);
}

/* The hub's name on every page. */
static const char *
console_hub_name(const struct hub *hub)
{
	return (hub->conf->hub_id != NULL ? hub->conf->hub_id : "hub");
}

/* Send a whole page: frame, then body, then the end. */
static void
console_send(struct conn *c, const struct http_request *req, int status,
    const char *title, const char *active, struct evbuffer *body)
{
	struct evbuffer	*page;

	if ((page = evbuffer_new()) == NULL ||
	    html_page_start(page, title, console_hub_name(c->hub), active) ==
	    -1 || (body != NULL && evbuffer_add_buffer(page, body) == -1) ||
	    html_page_end(page) == -1) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		if (page != NULL)
			evbuffer_free(page);
		return;
	}
	operator_reply(c, req, status, "text/html; charset=utf-8", HTML_CSP,
	    NULL, 0, evbuffer_pullup(page, -1), evbuffer_get_length(page));
	evbuffer_free(page);
}

/* An error as a page. */
static void
console_error(struct conn *c, const struct http_request *req, int status,
    const char *message)
{
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(body, "<p class=\"error\">") == -1 ||
	    html_str(body, message) == -1 ||
	    evbuffer_add_printf(body, "</p><p><a href=\"/\">back to the live "
	    "view</a></p>\n") == -1) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	console_send(c, req, status, status == 404 ? "Not found" :
	    status == 400 ? "Bad request" : "Error", "", body);
	evbuffer_free(body);
}

/* A row of the store as a row of a table; the title is in the body. */
static void
console_row_of(const struct store_row *row, struct console_row *out,
    json_t **body)
{
	json_t	*title;

	*body = json_loadb(row->body, row->body_len, 0, NULL);
	title = *body != NULL ? json_object_get(*body, "title") : NULL;
	out->seq = row->seq;
	out->received_at = row->received_at;
	out->sender = row->sender;
	out->code = row->code;
	out->severity = row->severity;
	out->tlp = row->tlp;
	out->title = json_string_value(title);
	out->nrecipients = row->nrecipients;
	out->forwarded = row->origin != NULL;
}

/* On a reader thread: a row of a listing, newest first on the live page. */
static int
console_list_row(const struct store_row *row, void *arg)
{
	struct console_job	*cj = arg;
	struct console_row	 r;
	struct evbuffer		*one;
	json_t			*body;
	int			 rc;

	console_row_of(row, &r, &body);
	if (cj->page == CONSOLE_REPORTS)
		rc = console_view_row(cj->html, &r);
	else if ((one = evbuffer_new()) == NULL)
		rc = -1;
	else {
		rc = console_view_row(one, &r) == -1 ||
		    evbuffer_prepend_buffer(cj->html, one) == -1 ? -1 : 0;
		evbuffer_free(one);
	}
	json_decref(body);
	cj->nrows++;
	if (rc == -1)
		cj->failed = 1;
	return (rc == -1 ? 1 : 0);
}

/* On a reader thread: one hourly count into the timeline. */
static void
console_hour(int64_t start, const struct store_count *count, void *arg)
{
	struct console_timeline	*t = arg;
	int64_t			 h = (start - t->first_hour) / 3600;
	enum severity		 s;

	if (h < 0 || h >= CONSOLE_HOURS)
		return;
	if (strcmp(count->dimension, "code") == 0)
		t->by_class[console_class_index(count->key)][h] += count->count;
	else if (severity_parse(count->key, &s) == 0)
		t->by_severity[s][h] += count->count;
}

/* On a reader thread: one count of the statistics. */
static void
console_count(const struct store_count *count, void *arg)
{
	struct console_job	*cj = arg;
	struct console_stats	*s = &cj->stats;
	enum severity		 level;
	int			 rc = 0;

	if (strcmp(count->dimension, "code") == 0) {
		rc = console_stats_add(&s->by_code, &s->ncode, count->key,
		    count->count);
		s->total += count->count;
	} else if (strcmp(count->dimension, "sender") == 0)
		rc = console_stats_add(&s->by_sender, &s->nsender, count->key,
		    count->count);
	else if (strcmp(count->dimension, "day") == 0)
		rc = console_stats_add(&s->by_day, &s->nday, count->key,
		    count->count);
	else if (strcmp(count->dimension, "severity") == 0 &&
	    severity_parse(count->key, &level) == 0)
		s->by_severity[level] += count->count;
	if (rc == -1)
		cj->failed = 1;
}

/* On a reader thread: the report's row, rendered. */
static int
console_report_row(const struct store_row *row, void *arg)
{
	struct console_job	*cj = arg;
	json_t			*body;

	console_row_of(row, &cj->row, &body);
	json_decref(body);
	snprintf(cj->sender, sizeof cj->sender, "%s", row->sender);
	if (console_view_report(cj->html, &cj->row, row->body, row->body_len,
	    row->origin) == -1)
		cj->failed = 1;
	cj->row.sender = cj->sender;
	cj->row.code = cj->row.title = NULL;
	return (0);
}

/* On a reader thread: keep one recipient. */
static void
console_delivery(const struct store_delivery *d, void *arg)
{
	struct console_job	*cj = arg;
	struct console_delivery	*grown;
	char			(*names)[CONF_MEMBER_ID_MAX + 1];
	size_t			 n = cj->ndeliveries, i;

	if ((grown = reallocarray(cj->deliveries, n + 1, sizeof *grown)) ==
	    NULL) {
		cj->failed = 1;
		return;
	}
	cj->deliveries = grown;
	if ((names = reallocarray(cj->members, n + 1, sizeof *names)) == NULL) {
		cj->failed = 1;
		return;
	}
	cj->members = names;
	snprintf(names[n], sizeof names[n], "%s", d->member);
	/* The names moved with the array: point at them again. */
	for (i = 0; i <= n; i++)
		grown[i].member = names[i];
	grown[n].tier = tier_name((enum tier)d->tier);
	grown[n].delivered_at = d->delivered_at;
	grown[n].acked_at = d->acked_at;
	grown[n].is_signed = d->signed_;
	cj->ndeliveries = n + 1;
}

/* On a reader thread: recompute the report's ledger entry. */
static void
console_ledger_row(const struct store_ledger_row *row, void *arg)
{
	struct console_job	*cj = arg;
	struct console_ledger	*l = &cj->ledger;
	struct ledger_entry	 e = { 0 };
	unsigned char		 hash[LEDGER_HASH_LEN];

	if (row->n != l->n)
		return;
	if (!row->present) {
		l->verified = 0;
		l->why = strdup("what it records is no longer stored");
		return;
	}
	e.kind = (enum ledger_kind)row->kind;
	e.seq = row->seq;
	e.party = row->party;
	e.at = row->at;
	memcpy(e.digest, row->digest, sizeof e.digest);
	e.recipients = row->recipients;
	e.origin = row->origin;
	e.sig = row->sig;
	if (ledger_hash(row->prev, &e, hash) == -1) {
		l->verified = -1;
		l->why = strdup("the hash could not be computed");
	} else if (memcmp(hash, row->hash, sizeof hash) != 0) {
		l->verified = 0;
		l->why = strdup("the stored report or its recipients changed "
		    "since it was chained");
	} else if (row->has_chain && memcmp(row->chain, row->hash,
	    sizeof hash) != 0) {
		l->verified = 0;
		l->why = strdup("the hash the report's alerts carry is not the "
		    "chain's");
	} else
		l->verified = 1;
}

/* On a reader thread: read and render what the page needs. */
static void
console_run(struct reader_job *job, struct store_reader *store)
{
	struct console_job	*cj = (struct console_job *)job;
	unsigned char		 hash[LEDGER_HASH_LEN], prev[LEDGER_HASH_LEN];
	int64_t			 next, hour;
	int			 n;

	if ((cj->html = evbuffer_new()) == NULL) {
		cj->failed = 1;
		return;
	}
	switch (cj->page) {
	case CONSOLE_LIVE:
		hour = cj->now / 1000000 / 3600 * 3600;
		cj->timeline.first_hour = hour - (CONSOLE_HOURS - 1) * 3600;
		if (store_reader_hourly(store, cj->timeline.first_hour,
		    hour + 3600, console_hour, &cj->timeline) == -1)
			cj->failed = 1;
		cj->q.after = cj->upto > CONSOLE_LATEST ? cj->upto -
		    CONSOLE_LATEST : 0;
		cj->q.limit = CONSOLE_LATEST;
		if (!cj->failed && store_reader_query(store, NULL, &cj->q,
		    cj->upto, console_list_row, cj, &next) == -1)
			cj->failed = 1;
		break;
	case CONSOLE_REPORTS:
		if (store_reader_query(store, NULL, &cj->q, cj->upto,
		    console_list_row, cj, &cj->next) == -1)
			cj->failed = 1;
		break;
	case CONSOLE_REPORT:
		n = cj->seq <= cj->upto ? store_reader_report(store, cj->seq,
		    console_report_row, cj) : 0;
		cj->found = n == 1;
		if (n == -1 || (n == 1 && store_reader_deliveries(store, cj->seq,
		    console_delivery, cj) == -1)) {
			cj->failed = 1;
			break;
		}
		if (n != 1)
			break;
		cj->ledger.verified = -1;
		switch (store_reader_ledger_report(store, cj->seq, &cj->ledger.n,
		    hash, prev)) {
		case -1:
			cj->failed = 1;
			break;
		case 1:
			cj->ledger.has_entry = 1;
			ledger_hex(hash, LEDGER_HASH_LEN, cj->ledger.hash);
			ledger_hex(prev, LEDGER_HASH_LEN, cj->ledger.prev);
			if (store_reader_ledger(store, cj->ledger.n - 1, 1,
			    console_ledger_row, cj, &next) == -1)
				cj->failed = 1;
			break;
		}
		break;
	case CONSOLE_STATS:
		if (store_reader_stats(store, cj->since, cj->until, cj->upto,
		    console_count, cj) == -1 ||
		    console_view_stats(cj->html, &cj->stats) == -1)
			cj->failed = 1;
		break;
	}
}

/* On the loop: members and peer hubs, from memory. */
static int
console_parties(struct evbuffer *out, struct hub *hub, int peers)
{
	const struct conf_member	*m;
	struct member_state		*ms;
	char				 seen[RFC3339_BUFSIZE];
	size_t				 i, shown = 0;

	for (i = 0; i < hub->conf->nmembers; i++) {
		m = &hub->conf->members[i];
		if (m->role != ROLE_OPERATOR && m->role != ROLE_MONITOR &&
		    (m->role == ROLE_HUB) == peers)
			shown++;
	}
	if (shown == 0)
		return (evbuffer_add_printf(out, "<h2>%s</h2><p class=\"empty\">"
		    "%s</p>\n", peers ? "Peer hubs" : "Members", peers ? "no "
		    "peer hub is configured" : "no member is configured") == -1 ?
		    -1 : 0);
	if (evbuffer_add_printf(out, "<h2>%s</h2><table class=\"parties\">"
	    "<thead><tr><th>id</th><th>name</th><th>role</th><th>state</th>"
	    "<th>acknowledged</th><th>backlog</th><th>last seen (UTC)</th>"
	    "</tr></thead><tbody>", peers ? "Peer hubs" : "Members") == -1)
		return (-1);
	for (i = 0; i < hub->conf->nmembers; i++) {
		m = &hub->conf->members[i];
		if (m->role == ROLE_OPERATOR || m->role == ROLE_MONITOR ||
		    (m->role == ROLE_HUB) != peers)
			continue;
		ms = hub_member_find(hub, m->id);
		if (evbuffer_add_printf(out, "<tr data-member=\"") == -1 ||
		    html_str(out, m->id) == -1 ||
		    evbuffer_add_printf(out, "\"><td>") == -1 ||
		    html_str(out, m->id) == -1 ||
		    evbuffer_add_printf(out, "</td><td>") == -1 ||
		    html_str(out, m->name) == -1 ||
		    evbuffer_add_printf(out, "</td><td>%s</td><td class=\"%s\">%s"
		    "</td><td class=\"num acked\">%lld</td><td class=\"num\">%lld"
		    "</td><td>%s</td></tr>\n", role_name(m->role),
		    ms != NULL && ms->connections > 0 ? "up" : "down",
		    ms != NULL && ms->connections > 0 ? "connected" :
		    "not connected", ms != NULL ? (long long)ms->acked_seq : 0LL,
		    ms != NULL ? (long long)hub_member_backlog(ms) : 0LL,
		    console_time(ms != NULL ? ms->last_seen : 0, seen,
		    sizeof seen)) == -1)
			return (-1);
	}
	return (evbuffer_add_printf(out, "</tbody></table>\n") == -1 ? -1 : 0);
}

/* On the loop: the live page around what was read. */
static void
console_live_answer(struct console_job *cj)
{
	struct conn	*c = cj->conn;
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(body, "<section class=\"plots\">") == -1 ||
	    console_view_timeline(body, &cj->timeline) == -1 ||
	    evbuffer_add_printf(body, "</section><h2>Latest reports "
	    "<span id=\"live-status\" class=\"live-off\">connecting</span>"
	    "</h2>") == -1 ||
	    console_view_rows_start(body, "latest") == -1 ||
	    evbuffer_add_buffer(body, cj->html) == -1 ||
	    console_view_rows_end(body, cj->nrows, "no report yet") == -1 ||
	    console_parties(body, c->hub, 0) == -1 ||
	    console_parties(body, c->hub, 1) == -1) {
		operator_fail(c, cj->req, 500, "internal_error",
		    "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	console_send(c, cj->req, 200, "Live", "/", body);
	evbuffer_free(body);
}

/* Append "&name=value" to a link, value percent-encoded. */
static int
console_param(struct evbuffer *out, const char *name, const char *value)
{
	const unsigned char	*p;

	if (value == NULL || *value == '\0')
		return (0);
	if (evbuffer_add_printf(out, "&amp;%s=", name) == -1)
		return (-1);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			if (evbuffer_add(out, p, 1) == -1)
				return (-1);
		} else if (evbuffer_add_printf(out, "%%%02X", *p) == -1)
			return (-1);
	}
	return (0);
}

/* An input of the filter form, its value escaped. */
static int
console_input(struct evbuffer *out, const char *name, const char *label,
    const char *value, const char *placeholder)
{
	if (evbuffer_add_printf(out, "<label>%s <input name=\"%s\" "
	    "placeholder=\"%s\" value=\"", label, name, placeholder) == -1 ||
	    html_str(out, value != NULL ? value : "") == -1 ||
	    evbuffer_add_printf(out, "\"></label> ") == -1)
		return (-1);
	return (0);
}

/* On the loop: the history page, with its filters and the next page. */
static void
console_reports_answer(struct console_job *cj)
{
	struct conn		*c = cj->conn;
	const struct query_request *q = &cj->q;
	struct evbuffer		*body;
	char			 since[RFC3339_BUFSIZE] = "";
	char			 until[RFC3339_BUFSIZE] = "", limit[16];
	int			 rc = 0;

	if (q->has_since)
		rfc3339_format(q->since, since, sizeof since);
	if (q->has_until)
		rfc3339_format(q->until, until, sizeof until);
	snprintf(limit, sizeof limit, "%u", q->limit);
	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(body, "<form class=\"filters\" method=\"get\" "
	    "action=\"/reports\">") == -1 ||
	    console_input(body, "code", "code", q->code, "class/ or "
	    "class/type") == -1 ||
	    console_input(body, "sender", "sender", q->sender, "member") == -1 ||
	    console_input(body, "min_severity", "min. severity",
	    q->has_min_severity ? severity_name(q->min_severity) : NULL,
	    "info..critical") == -1 ||
	    console_input(body, "tlp", "TLP", q->has_tlp ? tlp_name(q->tlp) :
	    NULL, "clear..red") == -1 ||
	    console_input(body, "since", "since", since, "RFC 3339") == -1 ||
	    console_input(body, "until", "until", until, "RFC 3339") == -1 ||
	    console_input(body, "limit", "per page", limit, "100") == -1 ||
	    evbuffer_add_printf(body, "<button type=\"submit\">Filter</button>"
	    "</form>\n") == -1 ||
	    console_view_rows_start(body, NULL) == -1 ||
	    evbuffer_add_buffer(body, cj->html) == -1 ||
	    console_view_rows_end(body, cj->nrows, q->after > 0 ? "no more "
	    "reports" : "no report matches") == -1)
		rc = -1;
	if (rc == 0 && cj->next > 0 &&
	    (evbuffer_add_printf(body, "<p class=\"pages\"><a rel=\"next\" "
	    "href=\"/reports?after=%lld", (long long)cj->next) == -1 ||
	    console_param(body, "code", q->code) == -1 ||
	    console_param(body, "sender", q->sender) == -1 ||
	    console_param(body, "min_severity", q->has_min_severity ?
	    severity_name(q->min_severity) : NULL) == -1 ||
	    console_param(body, "tlp", q->has_tlp ? tlp_name(q->tlp) : NULL) ==
	    -1 || console_param(body, "since", since) == -1 ||
	    console_param(body, "until", until) == -1 ||
	    console_param(body, "limit", limit) == -1 ||
	    evbuffer_add_printf(body, "\">next page</a></p>\n") == -1))
		rc = -1;
	if (rc == -1) {
		operator_fail(c, cj->req, 500, "internal_error",
		    "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	console_send(c, cj->req, 200, "Reports", "/reports", body);
	evbuffer_free(body);
}

/*
 * On the loop: a report, its delivery matrix and its ledger entry. A
 * delivery position not yet written (once a second) is taken from memory.
 */
static void
console_report_answer(struct console_job *cj)
{
	struct conn		*c = cj->conn;
	struct member_state	*ms;
	struct evbuffer		*body;
	char			 title[64];
	size_t			 i;

	if (!cj->found) {
		console_error(c, cj->req, 404, "no report has this sequence "
		    "number");
		return;
	}
	for (i = 0; i < cj->ndeliveries; i++) {
		if (cj->deliveries[i].delivered_at == 0 &&
		    (ms = hub_member_find(c->hub, cj->deliveries[i].member)) !=
		    NULL && ms->delivered_dirty && ms->delivered_seq >= cj->seq)
			cj->deliveries[i].delivered_at = ms->delivered_at;
	}
	snprintf(title, sizeof title, "Report %lld", (long long)cj->seq);
	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add_buffer(body, cj->html) == -1 ||
	    console_view_deliveries(body, cj->deliveries, cj->ndeliveries) ==
	    -1 || console_view_ledger(body, &cj->ledger) == -1 ||
	    evbuffer_add_printf(body, "<p class=\"formats\">As <a href=\""
	    "/v1/reports/%lld\">JSON</a>, <a href=\"/v1/reports/%lld?format="
	    "stix\">STIX 2.1</a>, <a href=\"/v1/reports/%lld?format=misp\">"
	    "MISP</a></p>\n", (long long)cj->seq, (long long)cj->seq,
	    (long long)cj->seq) == -1) {
		operator_fail(c, cj->req, 500, "internal_error",
		    "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	console_send(c, cj->req, 200, title, "/reports", body);
	evbuffer_free(body);
}

/* On the loop: the statistics page, with its period form. */
static void
console_stats_answer(struct console_job *cj)
{
	struct conn	*c = cj->conn;
	struct evbuffer	*body;
	char		 since[RFC3339_BUFSIZE] = "", until[RFC3339_BUFSIZE] = "";

	if (cj->since != 0)
		rfc3339_format(cj->since, since, sizeof since);
	if (cj->until != 0)
		rfc3339_format(cj->until, until, sizeof until);
	if ((body = evbuffer_new()) == NULL ||
	    evbuffer_add_printf(body, "<form class=\"filters\" method=\"get\" "
	    "action=\"/stats\">") == -1 ||
	    console_input(body, "since", "since", since, "RFC 3339") == -1 ||
	    console_input(body, "until", "until", until, "RFC 3339") == -1 ||
	    evbuffer_add_printf(body, "<button type=\"submit\">Show</button>"
	    "</form>\n<section class=\"plots\">") == -1 ||
	    evbuffer_add_buffer(body, cj->html) == -1 ||
	    evbuffer_add_printf(body, "</section>\n") == -1) {
		operator_fail(c, cj->req, 500, "internal_error",
		    "out of memory");
		if (body != NULL)
			evbuffer_free(body);
		return;
	}
	console_send(c, cj->req, 200, "Statistics", "/stats", body);
	evbuffer_free(body);
}

static void
console_job_free(struct console_job *cj)
{
	if (cj->html != NULL)
		evbuffer_free(cj->html);
	http_request_free(cj->req);
	request_query_clear(&cj->q);
	console_stats_clear(&cj->stats);
	free(cj->deliveries);
	free(cj->members);
	free(cj->ledger.why);
	free(cj);
}

/* On the loop: answer, if the connection is still there, then read on. */
static void
console_done(struct reader_job *job)
{
	struct console_job	*cj = (struct console_job *)job;
	struct conn		*c = cj->conn;

	c->query = NULL;
	if (!job->cancelled && c->state == CONN_READY) {
		if (cj->failed)
			console_error(c, cj->req, 500, "the store could not be "
			    "read; the hub's log says why");
		else if (cj->page == CONSOLE_LIVE)
			console_live_answer(cj);
		else if (cj->page == CONSOLE_REPORTS)
			console_reports_answer(cj);
		else if (cj->page == CONSOLE_REPORT)
			console_report_answer(cj);
		else
			console_stats_answer(cj);
	}
	conn_maybe_resume(c);
	conn_unref(c);
	console_job_free(cj);
}

/* Serve one of the console's own files. */
static void
console_asset(struct conn *c, struct http_request *req, const char *type,
    const char *text)
{
	operator_reply(c, req, 200, type, HTML_CSP, NULL, 0, text,
	    strlen(text));
	http_request_free(req);
}

void
console_request(struct conn *c, struct http_request *req)
{
	struct console_job	*cj;
	struct verdict		 v = { 0 };
	const char		*path = req->path;

	if (strcmp(path, "/console.css") == 0) {
		console_asset(c, req, "text/css; charset=utf-8", console_css);
		return;
	}
	if (strcmp(path, "/console.js") == 0) {
		console_asset(c, req, "text/javascript; charset=utf-8",
		    console_js);
		return;
	}
	if (strcmp(path, "/favicon.svg") == 0) {
		console_asset(c, req, "image/svg+xml", console_icon);
		return;
	}
	if ((cj = calloc(1, sizeof *cj)) == NULL) {
		operator_fail(c, req, 500, "internal_error", "out of memory");
		http_request_free(req);
		return;
	}
	cj->req = req;
	if (strcmp(path, "/") == 0) {
		cj->page = CONSOLE_LIVE;
		if (req->query != NULL && *req->query != '\0') {
			console_error(c, req, 400, "the live view takes no "
			    "parameters");
			console_job_free(cj);
			return;
		}
	} else if (strcmp(path, "/reports") == 0) {
		cj->page = CONSOLE_REPORTS;
		if (opparams_reports(req->query, c->hub->taxonomy, &cj->q,
		    &v) == -1) {
			console_error(c, req, 400, v.message != NULL ?
			    v.message : "bad filter");
			verdict_clear(&v);
			console_job_free(cj);
			return;
		}
	} else if (strcmp(path, "/stats") == 0) {
		cj->page = CONSOLE_STATS;
		if (opparams_stats(req->query, &cj->since, &cj->until,
		    &v) == -1) {
			console_error(c, req, 400, v.message != NULL ?
			    v.message : "bad period");
			verdict_clear(&v);
			console_job_free(cj);
			return;
		}
	} else {
		cj->page = CONSOLE_REPORT;
		if ((req->query != NULL && *req->query != '\0') ||
		    opparams_seq(path + 9, &cj->seq) == -1) {
			console_error(c, req, strchr(path + 9, '/') != NULL ?
			    404 : 400, "a report's page is /reports/SEQ, SEQ "
			    "its sequence number");
			console_job_free(cj);
			return;
		}
	}
	cj->conn = c;
	cj->upto = c->hub->delivered_seq;
	cj->now = time_now_usec();
	cj->job.run = console_run;
	cj->job.done = console_done;
	conn_ref(c);
	c->query = &cj->job;
	reader_submit_gated(c->hub->reader, &c->member_state->reads, &cj->job);
}
