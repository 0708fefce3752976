/*
 * The event loop's own read-only connection. WAL lets it read while the
 * commit thread writes; every read is bounded by a sequence number the
 * event loop has already seen committed, so replay and live delivery meet
 * without a gap or a duplicate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_read.h"

struct store_reader {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*replay;
	sqlite3_stmt	*cursors;
};

/* Set *cause to "path: what: sqlite's message". */
static void
store_reader_cause(struct store_reader *r, char **cause, const char *what)
{
	if (asprintf(cause, "%s: %s: %s", r->path, what,
	    r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory") == -1)
		*cause = NULL;
}

/*
 * The tier of member in a stored recipient list ("SG:1 MY:0"), or -1 if
 * the member is not in it.
 */
static int
store_reader_tier(const char *list, const char *member, size_t len)
{
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, member, len) == 0 && p[len] == ':')
			return (atoi(p + len + 1));
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	}
	return (-1);
}

/* SQL recipient_tier(list, member): the tier, or NULL if not a recipient. */
static void
store_reader_tier_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*list, *member;
	int		 tier;

	(void)argc;
	list = (const char *)sqlite3_value_text(argv[0]);
	member = (const char *)sqlite3_value_text(argv[1]);
	if (list == NULL || member == NULL ||
	    (tier = store_reader_tier(list, member, strlen(member))) == -1)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int(ctx, tier);
}

struct store_reader *
store_reader_open(const char *path, char **cause)
{
	struct store_reader	*r;

	*cause = NULL;
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->path = strdup(path)) == NULL) {
		free(r);
		if (asprintf(cause, "%s: out of memory", path) == -1)
			*cause = NULL;
		return (NULL);
	}
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_reader_cause(r, cause, "cannot open for reading");
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 1000);
	if (sqlite3_create_function_v2(r->db, "recipient_tier", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_reader_tier_fn,
	    NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_cause(r, cause, "cannot register a function");
		goto fail;
	}
	if (sqlite3_prepare_v3(r->db, "SELECT seq, sender, received_at, "
	    "code, severity, recipient_tier(recipient_list, ?1) AS tier, body, "
	    "nrecipients, tlp FROM reports "
	    "WHERE seq > ?2 AND seq <= ?3 AND tier IS NOT NULL "
	    "ORDER BY seq LIMIT ?4", -1, SQLITE_PREPARE_PERSISTENT,
	    &r->replay, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(r->db, "SELECT member, acked_seq FROM cursors",
	    -1, SQLITE_PREPARE_PERSISTENT, &r->cursors, NULL) != SQLITE_OK) {
		store_reader_cause(r, cause, "cannot prepare a query");
		goto fail;
	}
	return (r);
fail:
	store_reader_close(r);
	return (NULL);
}

void
store_reader_close(struct store_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->replay);
	sqlite3_finalize(r->cursors);
	sqlite3_close(r->db);
	free(r->path);
	free(r);
}

/*
 * Fill a row from a statement whose columns are seq, sender, received_at,
 * code, severity, tier, body, nrecipients, tlp.
 */
static void
store_reader_row(sqlite3_stmt *stmt, struct store_row *row)
{
	row->seq = sqlite3_column_int64(stmt, 0);
	row->sender = (const char *)sqlite3_column_text(stmt, 1);
	row->received_at = sqlite3_column_int64(stmt, 2);
	row->code = (const char *)sqlite3_column_text(stmt, 3);
	row->severity = (enum severity)sqlite3_column_int(stmt, 4);
	row->tier = sqlite3_column_type(stmt, 5) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(stmt, 5);
	row->body = (const char *)sqlite3_column_text(stmt, 6);
	row->body_len = (size_t)sqlite3_column_bytes(stmt, 6);
	row->nrecipients = sqlite3_column_int64(stmt, 7);
	row->tlp = (enum tlp)sqlite3_column_int(stmt, 8);
}

/* Step through stmt calling cb; the number of rows, or -1. */
static int
store_reader_each(struct store_reader *r, sqlite3_stmt *stmt, store_row_cb cb,
    void *arg)
{
	struct store_row	row;
	int			rc, n = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		store_reader_row(stmt, &row);
		if (row.sender == NULL || row.code == NULL || row.body == NULL)
			continue;
		n++;
		if (cb(&row, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("store: %s: read failed: %s", r->path,
		    sqlite3_errmsg(r->db));
		n = -1;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (n);
}

int
store_reader_replay(struct store_reader *r, const char *member, int64_t after,
    int64_t upto, unsigned limit, store_row_cb cb, void *arg)
{
	sqlite3_bind_text(r->replay, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->replay, 2, after);
	sqlite3_bind_int64(r->replay, 3, upto);
	sqlite3_bind_int64(r->replay, 4, limit);
	return (store_reader_each(r, r->replay, cb, arg));
}

/* What query_cb needs to find the page's end. */
struct store_query_page {
	store_row_cb	 cb;
	void		*arg;
	unsigned	 limit;
	unsigned	 n;
	int64_t		 last;
	int		 more;
};

/* Pass limit rows on, and note whether one more exists. */
static int
store_reader_page_row(const struct store_row *row, void *arg)
{
	struct store_query_page	*page = arg;

	if (page->n == page->limit) {
		page->more = 1;
		return (1);
	}
	page->n++;
	page->last = row->seq;
	return (page->cb(row, page->arg));
}

/*
 * The first seq received at or after t (last_seq + 1 if none). The hub
 * stamps received_at in seq order, never backwards, so a time bound is a
 * seq bound, found by bisection on the primary key instead of a scan.
 */
static int
store_reader_seq_at(struct store_reader *r, int64_t t, int64_t upto,
    int64_t *seq)
{
	sqlite3_stmt	*stmt;
	int64_t		 lo = 1, hi = upto + 1, mid;
	int		 rc = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT received_at FROM reports WHERE "
	    "seq >= ?1 ORDER BY seq LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		sqlite3_bind_int64(stmt, 1, mid);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) < t)
			lo = mid + 1;
		else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			hi = mid;
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	*seq = lo;
	return (0);
}

/* Turn the since/until of q into a seq range (lo, hi]. */
static int
store_reader_bounds(struct store_reader *r, const struct query_request *q,
    int64_t upto, int64_t *lo, int64_t *hi)
{
	int64_t	seq;

	*lo = q->after;
	*hi = upto;
	if (q->has_since) {
		if (store_reader_seq_at(r, q->since, upto, &seq) == -1)
			return (-1);
		if (seq - 1 > *lo)
			*lo = seq - 1;
	}
	if (q->has_until) {
		if (store_reader_seq_at(r, q->until, upto, &seq) == -1)
			return (-1);
		if (seq - 1 < *hi)
			*hi = seq - 1;
	}
	return (0);
}

int
store_reader_query(struct store_reader *r, const char *member,
    const struct query_request *q, int64_t upto, store_row_cb cb, void *arg,
    int64_t *next)
{
	struct store_query_page	 page = { cb, arg, q->limit, 0, 0, 0 };
	sqlite3_stmt		*stmt;
	char			*sql, *prefix_end = NULL;
	int64_t			 lo, hi;
	int			 n, prefix = 0;

	*next = 0;
	if (store_reader_bounds(r, q, upto, &lo, &hi) == -1)
		return (-1);
	if (lo >= hi)
		return (0);
	if (q->code != NULL)
		prefix = q->code[strlen(q->code) - 1] == '/';
	/*
	 * A member sees what it sent and what it was entitled to: the
	 * latter are exactly the reports whose recipient list names it.
	 */
	sql = sqlite3_mprintf("SELECT p.seq, p.sender, p.received_at, p.code, "
	    "p.severity, %s, p.body, p.nrecipients, p.tlp FROM reports p "
	    "WHERE p.seq > ?2 AND p.seq <= ?3%s%s%s%s%s "
	    "ORDER BY p.seq LIMIT ?9",
	    member != NULL ? "recipient_tier(p.recipient_list, ?1)" : "NULL",
	    member != NULL ? " AND (p.sender = ?1 OR "
	    "recipient_tier(p.recipient_list, ?1) IS NOT NULL)" : "",
	    q->code == NULL ? "" : prefix ?
	    " AND p.code >= ?4 AND p.code < ?10" : " AND p.code = ?4",
	    q->sender[0] != '\0' ? " AND p.sender = ?5" : "",
	    q->has_min_severity ? " AND p.severity >= ?6" : "",
	    q->has_tlp ? " AND p.tlp = ?7" : "");
	if (sql == NULL)
		return (-1);
	if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("store: %s: query: %s", r->path,
		    sqlite3_errmsg(r->db));
		sqlite3_free(sql);
		return (-1);
	}
	sqlite3_free(sql);
	if (member != NULL)
		sqlite3_bind_text(stmt, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, lo);
	sqlite3_bind_int64(stmt, 3, hi);
	if (q->code != NULL) {
		sqlite3_bind_text(stmt, 4, q->code, -1, SQLITE_STATIC);
		/* A class prefix is the range [prefix, prefix with '/' + 1). */
		if (prefix) {
			if ((prefix_end = strdup(q->code)) == NULL) {
				sqlite3_finalize(stmt);
				return (-1);
			}
			prefix_end[strlen(prefix_end) - 1] = '/' + 1;
			sqlite3_bind_text(stmt, 10, prefix_end, -1,
			    SQLITE_STATIC);
		}
	}
	if (q->sender[0] != '\0')
		sqlite3_bind_text(stmt, 5, q->sender, -1, SQLITE_STATIC);
	if (q->has_min_severity)
		sqlite3_bind_int(stmt, 6, (int)q->min_severity);
	if (q->has_tlp)
		sqlite3_bind_int(stmt, 7, (int)q->tlp);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)q->limit + 1);
	n = store_reader_each(r, stmt, store_reader_page_row, &page);
	sqlite3_finalize(stmt);
	free(prefix_end);
	if (n == -1)
		return (-1);
	if (page.more)
		*next = page.last;
	return ((int)page.n);
}

int
store_reader_report(struct store_reader *r, int64_t seq, store_row_cb cb,
    void *arg)
{
	sqlite3_stmt	*stmt;
	int		 n;

	if (sqlite3_prepare_v2(r->db, "SELECT seq, sender, received_at, code, "
	    "severity, NULL, body, nrecipients, tlp FROM reports WHERE seq = ?1",
	    -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, seq);
	n = store_reader_each(r, stmt, cb, arg);
	sqlite3_finalize(stmt);
	return (n);
}

int
store_reader_deliveries(struct store_reader *r, int64_t seq,
    void (*cb)(const struct store_delivery *, void *), void *arg)
{
	struct store_delivery	 d;
	sqlite3_stmt		*list = NULL, *when = NULL;
	char			*copy = NULL, *item, *save = NULL, *colon;
	int			 rc = -1;

	if (sqlite3_prepare_v2(r->db, "SELECT recipient_list FROM reports "
	    "WHERE seq = ?1", -1, &list, NULL) != SQLITE_OK)
		goto done;
	/*
	 * Positions are cumulative: a member was sent (acknowledged) seq at
	 * the first logged position that reached it.
	 */
	if (sqlite3_prepare_v2(r->db, "SELECT "
	    "(SELECT at FROM deliveries WHERE member = ?1 AND upto >= ?2 "
	    "ORDER BY upto LIMIT 1), "
	    "(SELECT at FROM acks WHERE member = ?1 AND upto >= ?2 "
	    "ORDER BY upto LIMIT 1)", -1, &when, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(list, 1, seq);
	if (sqlite3_step(list) != SQLITE_ROW) {
		rc = 0;
		goto done;
	}
	if ((copy = strdup((const char *)sqlite3_column_text(list, 0))) ==
	    NULL)
		goto done;
	for (item = strtok_r(copy, " ", &save); item != NULL;
	    item = strtok_r(NULL, " ", &save)) {
		if ((colon = strchr(item, ':')) == NULL)
			continue;
		*colon = '\0';
		d.member = item;
		d.tier = atoi(colon + 1);
		sqlite3_bind_text(when, 1, item, -1, SQLITE_STATIC);
		sqlite3_bind_int64(when, 2, seq);
		if (sqlite3_step(when) != SQLITE_ROW)
			goto done;
		d.delivered_at = sqlite3_column_int64(when, 0);
		d.acked_at = sqlite3_column_int64(when, 1);
		sqlite3_reset(when);
		cb(&d, arg);
	}
	rc = 0;
done:
	free(copy);
	sqlite3_finalize(list);
	sqlite3_finalize(when);
	return (rc);
}

int64_t
store_reader_backlog(struct store_reader *r, const char *member,
    int64_t after, int64_t upto)
{
	sqlite3_stmt	*stmt;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM reports WHERE "
	    "seq > ?2 AND seq <= ?3 AND recipient_tier(recipient_list, ?1) IS "
	    "NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_text(stmt, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, after);
	sqlite3_bind_int64(stmt, 3, upto);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (n);
}

int
store_reader_stats(struct store_reader *r, int64_t since, int64_t until,
    int64_t upto, void (*cb)(const struct store_count *, void *), void *arg)
{
	struct query_request	 q = { 0 };
	struct store_count	 count;
	sqlite3_stmt		*stmt;
	int64_t			 lo, hi;
	int			 rc;

	q.has_since = since != 0;
	q.since = since;
	q.has_until = until != 0;
	q.until = until;
	if (store_reader_bounds(r, &q, upto, &lo, &hi) == -1)
		return (-1);
	if (sqlite3_prepare_v2(r->db,
	    "SELECT 'code', code, count(*) FROM reports "
	    "WHERE seq > ?1 AND seq <= ?2 GROUP BY code "
	    "UNION ALL SELECT 'severity', severity, count(*) FROM reports "
	    "WHERE seq > ?1 AND seq <= ?2 GROUP BY severity "
	    "UNION ALL SELECT 'sender', sender, count(*) FROM reports "
	    "WHERE seq > ?1 AND seq <= ?2 GROUP BY sender "
	    "UNION ALL SELECT 'day', date(received_at / 1000000, 'unixepoch'), "
	    "count(*) FROM reports WHERE seq > ?1 AND seq <= ?2 GROUP BY 2",
	    -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, lo);
	sqlite3_bind_int64(stmt, 2, hi);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		count.dimension = (const char *)sqlite3_column_text(stmt, 0);
		if (strcmp(count.dimension, "severity") == 0)
			count.key = severity_name((enum severity)
			    sqlite3_column_int(stmt, 1));
		else
			count.key = (const char *)sqlite3_column_text(stmt, 1);
		count.count = sqlite3_column_int64(stmt, 2);
		if (count.key != NULL)
			cb(&count, arg);
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

int
store_reader_recipient_lists(struct store_reader *r, int64_t after,
    int64_t upto, void (*cb)(int64_t, const char *, void *), void *arg)
{
	sqlite3_stmt	*stmt;
	const char	*list;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT seq, recipient_list FROM reports "
	    "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, upto);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = (const char *)sqlite3_column_text(stmt, 1);
		if (list != NULL)
			cb(sqlite3_column_int64(stmt, 0), list, arg);
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

int
store_reader_cursors(struct store_reader *r,
    void (*cb)(const char *, int64_t, void *), void *arg)
{
	const char	*member;
	int		 rc;

	while ((rc = sqlite3_step(r->cursors)) == SQLITE_ROW) {
		member = (const char *)sqlite3_column_text(r->cursors, 0);
		if (member != NULL)
			cb(member, sqlite3_column_int64(r->cursors, 1), arg);
	}
	sqlite3_reset(r->cursors);
	return (rc == SQLITE_DONE ? 0 : -1);
}
