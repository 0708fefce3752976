/*
 * Fan-out. A subscription is either live (caught up: alerts are queued as
 * their reports commit) or lagging (refilled from the store as its output
 * drains). Replay reads stop at hub->delivered_seq, the last commit the
 * event loop has seen, and live delivery starts right after it; both run
 * on the event loop, so nothing falls between them and nothing is sent
 * twice. Per-connection output stays under CONN_OUTPUT_MAX plus one alert:
 * a slow reader costs disk reads later, never the hub's memory.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "commit.h"
#include "conn.h"
#include "fanout.h"
#include "hub.h"
#include "log.h"
#include "store.h"
#include "store_read.h"
#include "timefmt.h"

/* Alerts read from the store per query while catching up. */
#define FANOUT_PAGE	512

/* One report's alert, serialised lazily once per tier. */
struct fanout_alert {
	const struct store_report	*report;
	char				*text[3];
	size_t				 len[3];
};

/* The alert's bytes for a tier, built on first use; NULL on no memory. */
static const char *
fanout_text(struct fanout_alert *a, enum tier tier, size_t *len)
{
	const struct store_report	*r = a->report;

	if (a->text[tier] == NULL)
		a->text[tier] = alert_format(r->seq, r->sender, r->received_at,
		    (int)tier, r->body, strlen(r->body), 1, &a->len[tier]);
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

/* Queue the alert on one live subscription, or let it fall behind. */
static void
fanout_offer(struct conn *c, struct fanout_alert *a, enum tier tier)
{
	const char	*text;
	size_t		 len;

	if (!c->live)
		return;
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
		ms->backlog++;
		seqring_push(&ms->fanned, r->seq);
		TAILQ_FOREACH(c, &ms->subscribers, subscriber_entry)
			fanout_offer(c, &a, r->recipients.list[i].tier);
	}
	for (i = 0; i < 3; i++)
		free(a.text[i]);
}

/* A refill in progress. */
struct fanout_refill {
	struct conn	*conn;
	int		 full;	/* stopped because the output is full */
};

/* Queue one stored alert on a lagging subscription; stop when output is full. */
static int
fanout_replay_row(const struct store_row *row, void *arg)
{
	struct fanout_refill	*refill = arg;
	struct conn		*c = refill->conn;
	char			*text;
	size_t			 len;

	if (conn_output_length(c) >= CONN_OUTPUT_MAX) {
		refill->full = 1;
		return (1);
	}
	if (filter_match(&c->filter, row->code, row->severity)) {
		text = alert_format(row->seq, row->sender, row->received_at,
		    row->tier, row->body, row->body_len, 1, &len);
		if (text == NULL) {
			refill->full = 1;
			return (1);
		}
		conn_send_raw(c, text, len);
		free(text);
		c->hub->metrics.alerts_delivered++;
		fanout_delivered(c, row->seq);
	}
	c->sent_seq = row->seq;
	return (0);
}

void
fanout_pump(struct conn *c)
{
	struct fanout_refill	 refill = { .conn = c };
	struct hub		*hub = c->hub;
	int			 n;

	while (c->subscribed && !c->live && c->state == CONN_READY &&
	    conn_output_length(c) < CONN_OUTPUT_MAX) {
		refill.full = 0;
		n = store_reader_replay(hub->reader, c->member, c->sent_seq,
		    hub->delivered_seq, FANOUT_PAGE, fanout_replay_row, &refill);
		if (n == -1) {
			conn_close(c, "cannot read alerts from the store");
			return;
		}
		if (refill.full)
			return;
		if (n < FANOUT_PAGE) {
			/* Everything up to delivered_seq is queued. */
			c->sent_seq = hub->delivered_seq;
			c->live = 1;
		}
	}
	fanout_flush_deliveries(hub);
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
