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
	if (sqlite3_prepare_v3(r->db, "SELECT r.seq, p.sender, p.received_at, "
	    "p.code, p.severity, r.tier, p.body FROM recipients r "
	    "JOIN reports p ON p.seq = r.seq "
	    "WHERE r.member = ?1 AND r.seq > ?2 AND r.seq <= ?3 "
	    "ORDER BY r.seq LIMIT ?4", -1, SQLITE_PREPARE_PERSISTENT,
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

/* Fill a row from a statement whose columns are seq, sender, received_at, code, severity, tier, body. */
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

int
store_reader_query(struct store_reader *r, const char *member,
    const struct query_request *q, int64_t upto, store_row_cb cb, void *arg,
    int64_t *next)
{
	struct store_query_page	 page = { cb, arg, q->limit, 0, 0, 0 };
	sqlite3_stmt		*stmt;
	char			*sql, *like = NULL;
	int			 n, len;

	*next = 0;
	/*
	 * What the member sent, and what it was entitled to: a recipient
	 * row exists exactly for the latter.
	 */
	sql = sqlite3_mprintf("SELECT p.seq, p.sender, p.received_at, p.code, "
	    "p.severity, r.tier, p.body FROM reports p "
	    "LEFT JOIN recipients r ON r.seq = p.seq AND r.member = ?1 "
	    "WHERE p.seq > ?2 AND p.seq <= ?3 "
	    "AND (p.sender = ?1 OR r.member IS NOT NULL)"
	    "%s%s%s%s%s ORDER BY p.seq LIMIT ?9",
	    q->code == NULL ? "" : q->code[strlen(q->code) - 1] == '/' ?
	    " AND p.code >= ?4 AND p.code < ?10" : " AND p.code = ?4",
	    q->sender[0] != '\0' ? " AND p.sender = ?5" : "",
	    q->has_min_severity ? " AND p.severity >= ?6" : "",
	    q->has_since ? " AND p.received_at >= ?7" : "",
	    q->has_until ? " AND p.received_at < ?8" : "");
	if (sql == NULL)
		return (-1);
	if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("store: %s: query: %s", r->path,
		    sqlite3_errmsg(r->db));
		sqlite3_free(sql);
		return (-1);
	}
	sqlite3_free(sql);
	sqlite3_bind_text(stmt, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, q->after);
	sqlite3_bind_int64(stmt, 3, upto);
	if (q->code != NULL) {
		sqlite3_bind_text(stmt, 4, q->code, -1, SQLITE_STATIC);
		/* A class prefix is the range [prefix, prefix with '/' + 1). */
		len = (int)strlen(q->code);
		if (q->code[len - 1] == '/') {
			if ((like = strdup(q->code)) == NULL) {
				sqlite3_finalize(stmt);
				return (-1);
			}
			like[len - 1] = '/' + 1;
			sqlite3_bind_text(stmt, 10, like, -1, SQLITE_STATIC);
		}
	}
	if (q->sender[0] != '\0')
		sqlite3_bind_text(stmt, 5, q->sender, -1, SQLITE_STATIC);
	if (q->has_min_severity)
		sqlite3_bind_int(stmt, 6, (int)q->min_severity);
	if (q->has_since)
		sqlite3_bind_int64(stmt, 7, q->since);
	if (q->has_until)
		sqlite3_bind_int64(stmt, 8, q->until);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)q->limit + 1);
	n = store_reader_each(r, stmt, store_reader_page_row, &page);
	sqlite3_finalize(stmt);
	free(like);
	if (n == -1)
		return (-1);
	if (page.more)
		*next = page.last;
	return ((int)page.n);
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
