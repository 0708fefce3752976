/*
 * Fan-out. A subscription is either live (caught up: alerts are queued as
 * their reports commit) or lagging (refilled from the store as its output
 * drains, one page at a time, read on a reader thread). A refill reads up
 * to hub->delivered_seq as it was when the refill started; the connection
 * goes live only when a refill ends at the delivered_seq of the moment it
 * is queued, and both happen on the event loop, so nothing falls between
 * replay and live delivery and nothing is sent twice. Per-connection
 * output stays under CONN_OUTPUT_MAX plus one page: a slow reader costs
 * disk reads later, never the hub's memory.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "alert.h"
#include "commit.h"
#include "conn.h"
#include "events.h"
#include "fanout.h"
#include "forward.h"
#include "hub.h"
#include "ledger.h"
#include "log.h"
#include "reader.h"
#include "store.h"
#include "store_read.h"
#include "timefmt.h"

/* Alerts read from the store per refill while catching up, at most. */
#define FANOUT_PAGE		512
/* A refill stops at this many bytes. */
#define FANOUT_REFILL_BYTES	(256 * 1024)

/* One report's alert, serialised lazily once per tier, and its forward. */
struct fanout_alert {
	const struct store_report	*report;
	char				*text[3];
	size_t				 len[3];
	char				*forward;
	size_t				 forward_len;
};

/*
 * The forward line of a report for a peer: of this hub's own (no origin)
 * or one that came from another peer; NULL on no memory.
 */
static char *
fanout_forward_line(const char *hub_id, const char *origin, const char *sender,
    int64_t seq, int64_t received_at, const char *body, size_t body_len,
    size_t *len)
{
	struct origin	o;

	if (origin == NULL)
		return (forward_format(NULL, hub_id, sender, seq, received_at,
		    body, body_len, len));
	if (forward_origin_decode(origin, &o) == -1)
		return (NULL);
	return (forward_format(&o, hub_id, sender, seq, received_at, body,
	    body_len, len));
}

/* The alert's bytes for a tier, built on first use; NULL on no memory. */
static const char *
fanout_text(struct fanout_alert *a, enum tier tier, size_t *len)
{
	const struct store_report	*r = a->report;
	char				 chain[LEDGER_HEX_LEN + 1];
	struct alert_fields		 f = { r->seq, r->sender,
	    r->received_at, (int)tier, r->origin, r->has_chain ?
	    ledger_hex(r->chain, LEDGER_HASH_LEN, chain) : NULL, r->body,
	    strlen(r->body) };

	if (a->text[tier] == NULL)
		a->text[tier] = alert_format(&f, 1, &a->len[tier]);
	*len = a->len[tier];
	return (a->text[tier]);
}

/* Note that a member was sent everything up to seq. */
static void
fanout_delivered(struct conn *c, int64_t seq)
{
	struct member_state	*ms = c->member_state;

	if (seq <= ms->delivered_seq)
		return;
	ms->delivered_seq = seq;
	ms->delivered_at = time_now_usec();
	ms->delivered_dirty = 1;
	c->hub->deliveries_dirty = 1;
}

void
fanout_mark_deliveries(struct hub *hub)
{
	struct member_state	*ms;

	if (!hub->deliveries_dirty || hub->committer == NULL)
		return;
	hub->deliveries_dirty = 0;
	hub->deliveries_marked_at = time_now_usec();
	LIST_FOREACH(ms, &hub->members, entry) {
		if (!ms->delivered_dirty)
			continue;
		ms->delivered_dirty = 0;
		committer_mark(hub->committer, STORE_MARK_DELIVERED, ms->id,
		    ms->delivered_seq, ms->delivered_at);
	}
}

/* The interval since the last positions were handed over has passed. */
void
fanout_deliveries_due(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	fanout_mark_deliveries(arg);
}

/*
 * Each member's delivery position lives in a b-tree keyed by member, so
 * every position written dirties one page per member: written after every
 * commit, with 50 members at 1,000 reports/s, that was four fifths of the
 * WAL. Positions are cumulative, so writing them once per interval loses
 * nothing but precision: an alert is recorded as sent by the time of the
 * last send of its interval, exact when it was the only one.
 */
void
fanout_flush_deliveries(void *arg)
{
	struct hub	*hub = arg;
	struct timeval	 tv;
	int64_t		 wait;

	if (!hub->deliveries_dirty || hub->committer == NULL)
		return;
	wait = hub->deliveries_marked_at + FANOUT_MARK_INTERVAL_USEC -
	    time_now_usec();
	if (wait <= 0 || wait > FANOUT_MARK_INTERVAL_USEC ||
	    hub->deliveries_timer == NULL) {
		fanout_mark_deliveries(hub);
		return;
	}
	if (evtimer_pending(hub->deliveries_timer, NULL))
		return;
	tv.tv_sec = wait / 1000000;
	tv.tv_usec = wait % 1000000;
	if (evtimer_add(hub->deliveries_timer, &tv) == -1)
		fanout_mark_deliveries(hub);
}

/* Queue the forward on a peer's live link, or let it fall behind. */
static void
fanout_offer_forward(struct conn *c, struct fanout_alert *a)
{
	const struct store_report	*r = a->report;

	if (window_room(&c->window) == 0 ||
	    conn_output_length(c) >= CONN_OUTPUT_MAX) {
		/* The store has it; answers and the write callback refill. */
		c->live = 0;
		return;
	}
	if (a->forward == NULL && (a->forward = fanout_forward_line(
	    c->hub->conf->hub_id, r->origin, r->sender, r->seq,
	    r->received_at, r->body, strlen(r->body),
	    &a->forward_len)) == NULL) {
		log_warnx("fanout: cannot forward seq %lld", (long long)r->seq);
		c->live = 0;
		return;
	}
	conn_send_raw(c, a->forward, a->forward_len);
	window_push(&c->window, r->seq);
	c->hub->metrics.forwards_sent++;
	c->sent_seq = r->seq;
	fanout_delivered(c, r->seq);
}

/* Queue the alert on one live subscription, or let it fall behind. */
static void
fanout_offer(struct conn *c, struct fanout_alert *a, enum tier tier)
{
	const char	*text;
	size_t		 len;

	if (!c->live)
		return;
	if (c->forwarding) {
		fanout_offer_forward(c, a);
		return;
	}
	if (!filter_match(&c->filter, a->report->code, a->report->severity)) {
		c->sent_seq = a->report->seq;
		return;
	}
	if (conn_output_length(c) >= CONN_OUTPUT_MAX) {
		/* The store has it; the write callback will fetch it. */
		c->live = 0;
		return;
	}
	if ((text = fanout_text(a, tier, &len)) == NULL) {
		log_warnx("fanout: out of memory for seq %lld",
		    (long long)a->report->seq);
		c->live = 0;
		return;
	}
	conn_send_raw(c, text, len);
	c->hub->metrics.alerts_delivered++;
	c->sent_seq = a->report->seq;
	fanout_delivered(c, a->report->seq);
}

void
fanout_report(struct hub *hub, const struct store_report *r)
{
	struct fanout_alert	 a = { .report = r };
	struct member_state	*ms;
	struct conn		*c;
	size_t			 i;

	hub->delivered_seq = r->seq;
	for (i = 0; i < r->recipients.n; i++) {
		ms = hub_member_find(hub, r->recipients.list[i].member);
		if (ms == NULL)
			continue;
		ms->entitled++;
		seqring_push(&ms->fanned, r->seq);
		TAILQ_FOREACH(c, &ms->subscribers, subscriber_entry)
			fanout_offer(c, &a, r->recipients.list[i].tier);
	}
	for (i = 0; i < 3; i++)
		free(a.text[i]);
	free(a.forward);
	events_report(hub, r);
}

/* A lagging subscription's next alerts, read on a reader thread. */
struct fanout_refill {
	struct reader_job	 job;		/* first: the job is the struct */
	struct conn		*conn;
	unsigned		 generation;
	char			 member[CONF_MEMBER_ID_MAX + 1];
	struct filter		 filter;	/* a copy: the loop may change it */
	int64_t			 after;
	int64_t			 upto;
	struct evbuffer		*out;
	uint64_t		 alerts;
	int64_t			 last_sent;
	int64_t			 scanned;
	int			 failed;
	/* A peer's: forward lines, and their seqs for the window. */
	char			 hub_id[CONF_MEMBER_ID_MAX + 1];
	int			 forwarding;
	int64_t			*seqs;
	unsigned		 limit;
};

/* Add one stored alert to the refill, until the refill has its size. */
static int
fanout_refill_row(const struct store_row *row, void *arg)
{
	struct fanout_refill	*f = arg;
	struct alert_fields	 a = { row->seq, row->sender, row->received_at,
	    row->tier, row->origin, row->chain, row->body, row->body_len };
	char			*text;
	size_t			 len;

	if (evbuffer_get_length(f->out) >= FANOUT_REFILL_BYTES)
		return (1);
	if (f->forwarding)
		text = fanout_forward_line(f->hub_id, row->origin, row->sender,
		    row->seq, row->received_at, row->body, row->body_len, &len);
	else
		text = alert_format(&a, 1, &len);
	if (text == NULL)
		return (1);
	if (evbuffer_add(f->out, text, len) == -1) {
		free(text);
		return (1);
	}
	free(text);
	if (f->forwarding)
		f->seqs[f->alerts] = row->seq;
	f->alerts++;
	f->last_sent = row->seq;
	return (0);
}

/* On a reader thread: the next page of the member's alerts. */
static void
fanout_refill_run(struct reader_job *job, struct store_reader *store)
{
	struct fanout_refill	*f = (struct fanout_refill *)job;

	if ((f->out = evbuffer_new()) == NULL ||
	    store_reader_replay(store, f->member, &f->filter, f->after,
	    f->upto, f->limit, fanout_refill_row, f, &f->scanned) == -1)
		f->failed = 1;
}

/*
 * On the loop: queue the page, and go live once everything committed is
 * queued. Reports committed while the page was read were not offered to
 * this connection (it was not live); the next page reads them.
 */
static void
fanout_refill_done(struct reader_job *job)
{
	struct fanout_refill	*f = (struct fanout_refill *)job;
	struct conn		*c = f->conn;
	struct hub		*hub = c->hub;
	uint64_t		 i;

	c->refill = NULL;
	if (job->cancelled || c->state != CONN_READY || !c->subscribed ||
	    c->generation != f->generation)
		goto done;
	if (f->failed) {
		conn_close(c, "cannot read alerts from the store");
		goto done;
	}
	conn_send_buffer(c, f->out);
	if (f->forwarding) {
		for (i = 0; i < f->alerts; i++)
			window_push(&c->window, f->seqs[i]);
		hub->metrics.forwards_sent += f->alerts;
	} else
		hub->metrics.alerts_delivered += f->alerts;
	if (f->alerts > 0)
		fanout_delivered(c, f->last_sent);
	c->sent_seq = f->scanned;
	if (c->sent_seq == hub->delivered_seq)
		c->live = 1;
	else
		fanout_pump(c);
	fanout_flush_deliveries(hub);
done:
	conn_unref(c);
	if (f->out != NULL)
		evbuffer_free(f->out);
	filter_clear(&f->filter);
	free(f->seqs);
	free(f);
}

void
fanout_pump(struct conn *c)
{
	struct fanout_refill	*f;
	struct hub		*hub = c->hub;

	if (!c->subscribed || c->live || c->refill != NULL ||
	    c->state != CONN_READY || hub->stopping ||
	    conn_output_length(c) >= CONN_OUTPUT_MAX ||
	    (c->forwarding && window_room(&c->window) == 0))
		return;
	if (c->sent_seq >= hub->delivered_seq) {
		/* Nothing committed is missing: live from here on. */
		c->sent_seq = hub->delivered_seq;
		c->live = 1;
		return;
	}
	if ((f = calloc(1, sizeof *f)) == NULL ||
	    filter_copy(&f->filter, &c->filter) == -1) {
		free(f);
		conn_close(c, "out of memory reading alerts");
		return;
	}
	f->conn = c;
	f->generation = c->generation;
	f->limit = FANOUT_PAGE;
	if (c->forwarding) {
		/* No more than the window takes. */
		f->forwarding = 1;
		snprintf(f->hub_id, sizeof f->hub_id, "%s",
		    hub->conf->hub_id != NULL ? hub->conf->hub_id : "");
		if (window_room(&c->window) < f->limit)
			f->limit = (unsigned)window_room(&c->window);
		if ((f->seqs = calloc(f->limit, sizeof *f->seqs)) == NULL) {
			filter_clear(&f->filter);
			free(f);
			conn_close(c, "out of memory reading forwards");
			return;
		}
	}
	snprintf(f->member, sizeof f->member, "%s", c->member);
	f->after = c->sent_seq;
	f->upto = hub->delivered_seq;
	f->job.run = fanout_refill_run;
	f->job.done = fanout_refill_done;
	conn_ref(c);
	c->refill = &f->job;
	reader_submit_gated(hub->reader, &c->member_state->reads, &f->job);
}

void
fanout_subscribe(struct conn *c, int64_t from, struct filter *filter)
{
	if (!c->subscribed) {
		TAILQ_INSERT_TAIL(&c->member_state->subscribers, c,
		    subscriber_entry);
		c->subscribed = 1;
	}
	filter_clear(&c->filter);
	c->filter = *filter;
	memset(filter, 0, sizeof *filter);
	c->sent_seq = from;
	c->live = 0;
	/* A refill of the previous subscription is thrown away. */
	c->generation++;
	fanout_pump(c);
}

void
fanout_unsubscribe(struct conn *c)
{
	if (!c->subscribed)
		return;
	TAILQ_REMOVE(&c->member_state->subscribers, c, subscriber_entry);
	c->subscribed = 0;
	c->live = 0;
}
