/*
 * Reading the store, on a read-only connection of its own. WAL lets it read
 * while the commit thread writes; every read is bounded by a sequence
 * number the event loop has already seen committed, so replay and live
 * delivery meet without a gap or a duplicate.
 *
 * A filtered read walks posting lists: for each block of sequence numbers,
 * the bitmaps of the keys the filter names are combined, and only the
 * reports whose bits remain are read. Reports of the block still being
 * filled have no posting lists yet; they are few, and read one by one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "counts.h"
#include "ledger.h"
#include "log.h"
#include "recipients.h"
#include "store_read.h"
#include "timefmt.h"

/* The columns every row statement selects, in this order. */
#define STORE_ROW_COLUMNS	"seq, sender, received_at, code, severity, " \
	"recipient_list, body, nrecipients, tlp, origin, chain"
/* Above this many bits, a block's reports are read as a range. */
#define STORE_DENSE_BITS	48

struct store_reader {
	sqlite3			*db;
	char			*path;
	sqlite3_stmt		*row_at;
	sqlite3_stmt		*rows_from;
	sqlite3_stmt		*cursors;
	sqlite3_stmt		*next_key;
	sqlite3_stmt		*indexed;
	sqlite3_stmt		*received;
	struct store_read_cost	 cost;
};

/* Set *cause to "path: what: sqlite's message". */
static void
store_reader_cause(struct store_reader *r, char **cause, const char *what)
{
	if (asprintf(cause, "%s: %s: %s", r->path, what,
	    r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory") == -1)
		*cause = NULL;
}

/* Log a failed read once per occurrence; reads fail rarely. */
static void
store_reader_failed(struct store_reader *r, const char *what)
{
	log_warnx("store: %s: %s failed: %s", r->path, what,
	    sqlite3_errmsg(r->db));
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
	    (tier = recipients_tier(list, member)) == -1)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int(ctx, tier);
}

/* Prepare a statement kept for the reader's life. */
static int
store_reader_prepare(struct store_reader *r, const char *sql,
    sqlite3_stmt **stmt)
{
	return (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    stmt, NULL) == SQLITE_OK ? 0 : -1);
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
	if (store_reader_prepare(r, "SELECT " STORE_ROW_COLUMNS " FROM "
	    "reports WHERE seq = ?1", &r->row_at) == -1 ||
	    store_reader_prepare(r, "SELECT " STORE_ROW_COLUMNS " FROM "
	    "reports WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
	    &r->rows_from) == -1 ||
	    store_reader_prepare(r, "SELECT member, acked_seq FROM cursors",
	    &r->cursors) == -1 ||
	    store_reader_prepare(r, "SELECT key FROM postings WHERE key > ?1 "
	    "AND key < ?2 ORDER BY key LIMIT 1", &r->next_key) == -1 ||
	    store_reader_prepare(r, "SELECT COALESCE(max(block), -1) FROM "
	    "postings WHERE key = '" POSTING_ALL "'", &r->indexed) == -1 ||
	    store_reader_prepare(r, "SELECT received_at FROM reports WHERE "
	    "seq >= ?1 ORDER BY seq LIMIT 1", &r->received) == -1) {
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
	sqlite3_finalize(r->row_at);
	sqlite3_finalize(r->rows_from);
	sqlite3_finalize(r->cursors);
	sqlite3_finalize(r->next_key);
	sqlite3_finalize(r->indexed);
	sqlite3_finalize(r->received);
	sqlite3_close(r->db);
	free(r->path);
	free(r);
}

void
store_reader_cost(const struct store_reader *r, struct store_read_cost *out)
{
	*out = r->cost;
}

/*
 * One read transaction around the statements of one answer, so that the
 * posting lists and the reports they point to are of the same moment.
 */
static int
store_reader_begin(struct store_reader *r)
{
	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_failed(r, "begin");
		return (-1);
	}
	return (0);
}

static void
store_reader_end(struct store_reader *r)
{
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The last block with posting lists, or -1; -2 on error. */
static int64_t
store_reader_indexed(struct store_reader *r)
{
	int64_t	block = -2;

	if (sqlite3_step(r->indexed) == SQLITE_ROW)
		block = sqlite3_column_int64(r->indexed, 0);
	sqlite3_reset(r->indexed);
	return (block);
}

/* What a scan passes rows on to, and how it went. */
struct store_scan_out {
	const char		*member;	/* whose tier rows carry */
	const struct posting_plan *plan;	/* checked again on each row */
	store_row_cb		 cb;
	void			*arg;
	unsigned		 limit;		/* 0: none */
	unsigned		 n;
	int			 stopped;
	int64_t			 last;		/* last row passed on */
};

/*
 * Pass the row stmt stands on to the callback if it matches the plan.
 * Returns 1 when the scan must stop.
 */
static int
store_reader_emit(struct store_reader *r, sqlite3_stmt *stmt,
    struct store_scan_out *out)
{
	struct store_row	 row;
	const char		*list;

	r->cost.rows++;
	row.seq = sqlite3_column_int64(stmt, 0);
	row.sender = (const char *)sqlite3_column_text(stmt, 1);
	row.received_at = sqlite3_column_int64(stmt, 2);
	row.code = (const char *)sqlite3_column_text(stmt, 3);
	row.severity = (enum severity)sqlite3_column_int(stmt, 4);
	list = (const char *)sqlite3_column_text(stmt, 5);
	row.body = (const char *)sqlite3_column_text(stmt, 6);
	row.body_len = (size_t)sqlite3_column_bytes(stmt, 6);
	row.nrecipients = sqlite3_column_int64(stmt, 7);
	row.tlp = (enum tlp)sqlite3_column_int(stmt, 8);
	row.origin = (const char *)sqlite3_column_text(stmt, 9);
	row.chain = NULL;
	if (sqlite3_column_bytes(stmt, 10) == LEDGER_HASH_LEN)
		row.chain = ledger_hex(sqlite3_column_blob(stmt, 10),
		    LEDGER_HASH_LEN, row.chain_hex);
	if (row.sender == NULL || row.code == NULL || row.body == NULL ||
	    list == NULL)
		return (0);
	/*
	 * The posting lists said so already; the row itself is the record,
	 * and nothing reaches a member that its own row does not entitle it
	 * to.
	 */
	if (out->plan != NULL && !posting_plan_match(out->plan, row.sender,
	    row.code, row.severity, row.tlp, list))
		return (0);
	row.tier = out->member != NULL ? recipients_tier(list, out->member) :
	    -1;
	if (out->cb(&row, out->arg) != 0) {
		out->stopped = 1;
		return (1);
	}
	out->n++;
	out->last = row.seq;
	if (out->limit != 0 && out->n >= out->limit) {
		out->stopped = 1;
		return (1);
	}
	return (0);
}

/* Pass on the rows with lo <= seq <= hi. 1: stopped, 0: done, -1: error. */
static int
store_reader_range(struct store_reader *r, int64_t lo, int64_t hi,
    const struct posting_bits *bits, struct store_scan_out *out)
{
	sqlite3_stmt	*stmt = r->rows_from;
	int		 rc, stop = 0;

	if (lo > hi)
		return (0);
	sqlite3_bind_int64(stmt, 1, lo);
	sqlite3_bind_int64(stmt, 2, hi);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (bits != NULL && !posting_bits_test(bits,
		    sqlite3_column_int64(stmt, 0)))
			continue;
		if ((stop = store_reader_emit(r, stmt, out)) != 0)
			break;
	}
	sqlite3_reset(stmt);
	if (!stop && rc != SQLITE_DONE) {
		store_reader_failed(r, "read");
		return (-1);
	}
	return (stop);
}

/* Pass on the rows of a block whose bits are set. 1: stopped, -1: error. */
static int
store_reader_block_rows(struct store_reader *r, int64_t block,
    const struct posting_bits *bits, struct store_scan_out *out)
{
	int64_t	seq, last = -1;
	int	rc;

	if (posting_bits_count(bits) > STORE_DENSE_BITS) {
		for (seq = posting_bits_next(bits, block, 0); seq != -1;
		    seq = posting_bits_next(bits, block, seq + 1))
			last = seq;
		return (store_reader_range(r, posting_bits_next(bits, block, 0),
		    last, bits, out));
	}
	for (seq = posting_bits_next(bits, block, 0); seq != -1;
	    seq = posting_bits_next(bits, block, seq + 1)) {
		sqlite3_bind_int64(r->row_at, 1, seq);
		rc = sqlite3_step(r->row_at);
		if (rc == SQLITE_ROW && store_reader_emit(r, r->row_at, out)) {
			sqlite3_reset(r->row_at);
			return (1);
		}
		sqlite3_reset(r->row_at);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_reader_failed(r, "read");
			return (-1);
		}
	}
	return (0);
}

/* A key's posting lists, walked in block order. */
struct store_cursor {
	sqlite3_stmt		*stmt;
	int			 started;
	int64_t			 block;		/* INT64_MAX past the end */
	struct posting_bits	 bits;
};

/* The cursors of one term: its keys, any of which will do. */
struct store_term {
	struct store_cursor	*cursors;
	size_t			 n;
	size_t			 cap;
};

/* Read the row the cursor's statement stands on, or note the end. */
static int
store_cursor_load(struct store_reader *r, struct store_cursor *cur, int rc)
{
	const void	*blob;

	if (rc == SQLITE_ROW) {
		r->cost.postings++;
		cur->block = sqlite3_column_int64(cur->stmt, 0);
		blob = sqlite3_column_blob(cur->stmt, 1);
		posting_bits_decode(&cur->bits, blob,
		    (size_t)sqlite3_column_bytes(cur->stmt, 1));
		return (0);
	}
	cur->block = INT64_MAX;
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Move the cursor to its first block at or after block. */
static int
store_cursor_seek(struct store_reader *r, struct store_cursor *cur,
    int64_t block)
{
	if (cur->started && cur->block >= block)
		return (0);
	/* The next block is often the one wanted: step before seeking. */
	if (cur->started && cur->block + 1 >= block) {
		if (store_cursor_load(r, cur, sqlite3_step(cur->stmt)) == -1)
			return (-1);
		if (cur->block >= block)
			return (0);
	}
	sqlite3_reset(cur->stmt);
	sqlite3_bind_int64(cur->stmt, 2, block);
	cur->started = 1;
	return (store_cursor_load(r, cur, sqlite3_step(cur->stmt)));
}

/* Add a cursor over key's posting lists up to block hi to a term. */
static int
store_term_add(struct store_reader *r, struct store_term *t, const char *key,
    int64_t hi)
{
	struct store_cursor	*grown, *cur;
	size_t			 cap;

	if (t->n == t->cap) {
		cap = t->cap == 0 ? 4 : t->cap * 2;
		if ((grown = reallocarray(t->cursors, cap, sizeof *grown)) ==
		    NULL)
			return (-1);
		t->cursors = grown;
		t->cap = cap;
	}
	cur = &t->cursors[t->n];
	memset(cur, 0, sizeof *cur);
	if (sqlite3_prepare_v2(r->db, "SELECT block, bits FROM postings WHERE "
	    "key = ?1 AND block >= ?2 AND block <= ?3 ORDER BY block", -1,
	    &cur->stmt, NULL) != SQLITE_OK)
		return (-1);
	t->n++;
	if (sqlite3_bind_text(cur->stmt, 1, key, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(cur->stmt, 3, hi);
	return (0);
}

/* Add a cursor for every stored key that starts with prefix. */
static int
store_term_add_prefix(struct store_reader *r, struct store_term *t,
    const char *prefix, int64_t hi)
{
	char	*last = NULL, *end = NULL, *key;
	size_t	 len = strlen(prefix);
	int	 rc, ok = -1;

	/* Keys from prefix up to, not including, prefix with its last byte + 1. */
	if ((end = strdup(prefix)) == NULL || (last = strdup(prefix)) == NULL)
		goto done;
	end[len - 1]++;
	for (;;) {
		sqlite3_bind_text(r->next_key, 1, last, -1, SQLITE_STATIC);
		sqlite3_bind_text(r->next_key, 2, end, -1, SQLITE_STATIC);
		rc = sqlite3_step(r->next_key);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(r->next_key);
			if (rc == SQLITE_DONE)
				ok = 0;
			goto done;
		}
		key = strdup((const char *)sqlite3_column_text(r->next_key, 0));
		sqlite3_reset(r->next_key);
		if (key == NULL)
			goto done;
		free(last);
		last = key;
		if (store_term_add(r, t, key, hi) == -1)
			goto done;
	}
done:
	free(last);
	free(end);
	return (ok);
}

static void
store_terms_free(struct store_term *terms, size_t n)
{
	size_t	i, j;

	if (terms == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; j < terms[i].n; j++)
			sqlite3_finalize(terms[i].cursors[j].stmt);
		free(terms[i].cursors);
	}
	free(terms);
}

/* Cursors for every pattern of the plan; NULL on error. */
static struct store_term *
store_terms_open(struct store_reader *r, const struct posting_plan *plan,
    int64_t hi)
{
	struct store_term	*terms;
	size_t			 i, j;
	int			 rc;

	if ((terms = calloc(plan->nterms, sizeof *terms)) == NULL)
		return (NULL);
	for (i = 0; i < plan->nterms; i++) {
		for (j = 0; j < plan->terms[i].npatterns; j++) {
			const struct posting_pattern *p =
			    &plan->terms[i].patterns[j];

			rc = p->prefix ? store_term_add_prefix(r, &terms[i],
			    p->key, hi) : store_term_add(r, &terms[i], p->key,
			    hi);
			if (rc == -1) {
				store_terms_free(terms, plan->nterms);
				return (NULL);
			}
		}
	}
	return (terms);
}

/*
 * Walk the posting lists of blocks lo..hi, intersecting the terms, and
 * pass on the matching reports with after < seq <= upto. Each term's
 * earliest block that could match is found, the latest of those is where
 * every term may agree; cursors jump there, until all stand on one block.
 * 1: stopped, 0: done, -1: error.
 */
static int
store_reader_walk(struct store_reader *r, struct store_term *terms,
    size_t nterms, int64_t lo, int64_t hi, int64_t after, int64_t upto,
    struct store_scan_out *out)
{
	struct posting_bits	 bits, any;
	int64_t			 block = lo, want, first;
	size_t			 i, j;
	int			 rc;

	while (block <= hi) {
		want = block;
		for (i = 0; i < nterms; i++) {
			first = INT64_MAX;
			for (j = 0; j < terms[i].n; j++) {
				if (store_cursor_seek(r, &terms[i].cursors[j],
				    block) == -1) {
					store_reader_failed(r, "posting read");
					return (-1);
				}
				if (terms[i].cursors[j].block < first)
					first = terms[i].cursors[j].block;
			}
			if (first > want)
				want = first;
		}
		if (want > hi)
			return (0);
		if (want > block) {
			block = want;
			continue;
		}
		/* Every term has a cursor on this block. */
		memset(&bits, 0xff, sizeof bits);
		for (i = 0; i < nterms; i++) {
			posting_bits_clear(&any);
			for (j = 0; j < terms[i].n; j++) {
				if (terms[i].cursors[j].block == block)
					posting_bits_or(&any,
					    &terms[i].cursors[j].bits);
			}
			posting_bits_and(&bits, &any);
		}
		posting_bits_window(&bits, block, after, upto);
		if (!posting_bits_empty(&bits) &&
		    (rc = store_reader_block_rows(r, block, &bits, out)) != 0)
			return (rc);
		block++;
	}
	return (0);
}

/*
 * Pass on the reports with after < seq <= upto that match plan, in seq
 * order. *scanned: how far every report was considered.
 */
static int
store_reader_scan(struct store_reader *r, const struct posting_plan *plan,
    struct store_scan_out *out, int64_t after, int64_t upto,
    int64_t *scanned)
{
	struct store_term	*terms = NULL;
	int64_t			 indexed, tail;
	int			 rc = 0;

	*scanned = after;
	if (after >= upto) {
		*scanned = upto;
		return (0);
	}
	if (store_reader_begin(r) == -1)
		return (-1);
	if ((indexed = store_reader_indexed(r)) == -2) {
		store_reader_failed(r, "posting read");
		rc = -1;
		goto done;
	}
	out->plan = plan;
	if (plan->nterms == 0) {
		rc = store_reader_range(r, after + 1, upto, NULL, out);
		goto done;
	}
	/* The first seq without posting lists: read report by report. */
	tail = posting_block_start(indexed + 1);
	if (indexed >= 0 && after + 1 < tail) {
		if ((terms = store_terms_open(r, plan, indexed)) == NULL) {
			store_reader_failed(r, "posting read");
			rc = -1;
			goto done;
		}
		rc = store_reader_walk(r, terms, plan->nterms,
		    posting_block(after + 1), indexed < posting_block(upto) ?
		    indexed : posting_block(upto), after, upto, out);
		if (rc != 0)
			goto done;
	}
	rc = store_reader_range(r, after + 1 > tail ? after + 1 : tail, upto,
	    NULL, out);
done:
	store_terms_free(terms, plan->nterms);
	store_reader_end(r);
	if (rc == -1)
		return (-1);
	/* Stopped early: everything up to the last row passed on was seen. */
	*scanned = !out->stopped ? upto : out->n > 0 ? out->last : after;
	return ((int)out->n);
}

int
store_reader_replay(struct store_reader *r, const char *member,
    const struct filter *filter, int64_t after, int64_t upto, unsigned limit,
    store_row_cb cb, void *arg, int64_t *scanned)
{
	struct posting_query	 q = { 0 };
	struct posting_plan	 plan;
	struct store_scan_out	 out = { 0 };
	int			 n;

	q.member = member;
	if (filter != NULL) {
		q.codes = (const char *const *)filter->codes;
		q.ncodes = filter->ncodes;
		q.has_min_severity = filter->has_min_severity;
		q.min_severity = filter->min_severity;
	}
	if (posting_plan_build(&plan, &q) == -1)
		return (-1);
	out.member = member;
	out.cb = cb;
	out.arg = arg;
	out.limit = limit;
	n = store_reader_scan(r, &plan, &out, after, upto, scanned);
	posting_plan_clear(&plan);
	return (n);
}

/*
 * The first seq received at or after t (upto + 1 if none). The hub
 * stamps received_at in seq order, never backwards, so a time bound is a
 * seq bound, found by bisection on the primary key instead of a scan.
 */
static int
store_reader_seq_at(struct store_reader *r, int64_t t, int64_t upto,
    int64_t *seq)
{
	sqlite3_stmt	*stmt = r->received;
	int64_t		 lo = 1, hi = upto + 1, mid;
	int		 rc = SQLITE_DONE;

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
			return (-1);
	}
	*seq = lo;
	return (0);
}

/* Turn the since/until of q into a seq range (lo, hi]. */
static int
store_reader_bounds(struct store_reader *r, int has_since, int64_t since,
    int has_until, int64_t until, int64_t after, int64_t upto, int64_t *lo,
    int64_t *hi)
{
	int64_t	seq;

	*lo = after;
	*hi = upto;
	if (has_since) {
		if (store_reader_seq_at(r, since, upto, &seq) == -1)
			return (-1);
		if (seq - 1 > *lo)
			*lo = seq - 1;
	}
	if (has_until) {
		if (store_reader_seq_at(r, until, upto, &seq) == -1)
			return (-1);
		if (seq - 1 < *hi)
			*hi = seq - 1;
	}
	return (0);
}

/* What query_cb needs to find the page's end. */
struct store_query_page {
	store_row_cb	 cb;
	void		*arg;
	unsigned	 limit;
	unsigned	 n;
	int64_t		 last;
	int		 more;
	int		 failed;
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
	if (page->cb(row, page->arg) != 0) {
		/* A page refused from its first row is a failure, not an end. */
		if (page->n == 0)
			page->failed = 1;
		page->more = 1;
		return (1);
	}
	page->n++;
	page->last = row->seq;
	return (0);
}

int
store_reader_query(struct store_reader *r, const char *member,
    const struct query_request *q, int64_t upto, store_row_cb cb, void *arg,
    int64_t *next)
{
	struct store_query_page	 page = { cb, arg, q->limit, 0, 0, 0, 0 };
	struct posting_query	 pq = { 0 };
	struct posting_plan	 plan;
	struct store_scan_out	 out = { 0 };
	const char		*codes[1];
	int64_t			 lo, hi, scanned;
	int			 n;

	*next = 0;
	if (store_reader_begin(r) == -1)
		return (-1);
	n = store_reader_bounds(r, q->has_since, q->since, q->has_until,
	    q->until, q->after, upto, &lo, &hi);
	store_reader_end(r);
	if (n == -1) {
		store_reader_failed(r, "query bounds");
		return (-1);
	}
	if (lo >= hi)
		return (0);
	pq.member = member;
	pq.own = member != NULL;
	if (q->code != NULL) {
		codes[0] = q->code;
		pq.codes = codes;
		pq.ncodes = 1;
	}
	pq.sender = q->sender[0] != '\0' ? q->sender : NULL;
	pq.has_min_severity = q->has_min_severity;
	pq.min_severity = q->min_severity;
	pq.has_tlp = q->has_tlp;
	pq.tlp = q->tlp;
	if (posting_plan_build(&plan, &pq) == -1)
		return (-1);
	out.member = member;
	out.cb = store_reader_page_row;
	out.arg = &page;
	n = store_reader_scan(r, &plan, &out, lo, hi, &scanned);
	posting_plan_clear(&plan);
	if (n == -1 || page.failed)
		return (-1);
	if (page.more)
		*next = page.last;
	return ((int)page.n);
}

int
store_reader_report(struct store_reader *r, int64_t seq, store_row_cb cb,
    void *arg)
{
	struct store_scan_out	out = { 0 };
	int			rc;

	out.cb = cb;
	out.arg = arg;
	sqlite3_bind_int64(r->row_at, 1, seq);
	rc = sqlite3_step(r->row_at);
	if (rc == SQLITE_ROW)
		store_reader_emit(r, r->row_at, &out);
	sqlite3_reset(r->row_at);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_failed(r, "read");
		return (-1);
	}
	return (rc == SQLITE_ROW ? 1 : 0);
}

int
store_reader_deliveries(struct store_reader *r, int64_t seq,
    void (*cb)(const struct store_delivery *, void *), void *arg)
{
	struct store_delivery	 d;
	struct recipients_item	 item;
	sqlite3_stmt		*list = NULL, *when = NULL, *entry = NULL;
	const char		*cursor;
	char			*copy = NULL, id[CONF_MEMBER_ID_MAX + 1];
	int			 rc = -1, step;

	if (store_reader_begin(r) == -1)
		return (-1);
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
	/*
	 * With a ledger, the first acknowledgement that reached seq and has
	 * an entry: what the view says then is what verify --ledger checks,
	 * and a row added behind the hub's back shows nowhere.
	 */
	if (sqlite3_prepare_v2(r->db, "SELECT a.at, l.kind, l.sig FROM acks a "
	    "JOIN ledger l ON l.party = a.member AND l.kind IN (1, 2) AND "
	    "l.seq = a.upto WHERE a.member = ?1 AND a.upto >= ?2 ORDER BY "
	    "a.upto LIMIT 1", -1, &entry, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(list, 1, seq);
	if (sqlite3_step(list) != SQLITE_ROW) {
		rc = 0;
		goto done;
	}
	if ((copy = strdup((const char *)sqlite3_column_text(list, 0))) ==
	    NULL)
		goto done;
	cursor = copy;
	while (recipients_next(&cursor, &item)) {
		if (item.id_len >= sizeof id)
			continue;
		memcpy(id, item.id, item.id_len);
		id[item.id_len] = '\0';
		d.member = id;
		d.tier = item.tier;
		sqlite3_bind_text(when, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(when, 2, seq);
		if (sqlite3_step(when) != SQLITE_ROW)
			goto done;
		d.delivered_at = sqlite3_column_int64(when, 0);
		d.acked_at = sqlite3_column_int64(when, 1);
		sqlite3_reset(when);
		d.signed_ = -1;
		sqlite3_bind_text(entry, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(entry, 2, seq);
		if ((step = sqlite3_step(entry)) == SQLITE_ROW) {
			d.acked_at = sqlite3_column_int64(entry, 0);
			/* A peer hub's is a forward taken: never signed. */
			if (sqlite3_column_int(entry, 1) == LEDGER_ACK)
				d.signed_ = sqlite3_column_type(entry, 2) !=
				    SQLITE_NULL;
		} else if (step != SQLITE_DONE)
			goto done;
		sqlite3_reset(entry);
		cb(&d, arg);
	}
	rc = 0;
done:
	if (rc == -1)
		store_reader_failed(r, "deliveries read");
	free(copy);
	sqlite3_finalize(list);
	sqlite3_finalize(when);
	sqlite3_finalize(entry);
	store_reader_end(r);
	return (rc);
}

/* Count the member's reports of the tail, after < seq <= upto. */
static int
store_reader_count_tail(const struct store_row *row, void *arg)
{
	(void)row;
	(*(int64_t *)arg)++;
	return (0);
}

int64_t
store_reader_backlog(struct store_reader *r, const char *member,
    int64_t after, int64_t upto)
{
	struct posting_query	 q = { 0 };
	struct posting_plan	 plan;
	struct store_scan_out	 out = { 0 };
	struct store_term	*terms = NULL;
	struct store_cursor	*cur;
	struct posting_bits	 bits;
	int64_t			 indexed, tail, block, hi, n = 0;
	int			 failed = 0;

	if (after >= upto)
		return (0);
	q.member = member;
	if (posting_plan_build(&plan, &q) == -1)
		return (-1);
	if (store_reader_begin(r) == -1) {
		posting_plan_clear(&plan);
		return (-1);
	}
	if ((indexed = store_reader_indexed(r)) == -2) {
		failed = 1;
		goto done;
	}
	tail = posting_block_start(indexed + 1);
	hi = indexed < posting_block(upto) ? indexed : posting_block(upto);
	if (indexed >= 0 && after + 1 < tail) {
		if ((terms = store_terms_open(r, &plan, indexed)) == NULL) {
			failed = 1;
			goto done;
		}
		cur = &terms[0].cursors[0];
		for (block = posting_block(after + 1); block <= hi; block++) {
			if (store_cursor_seek(r, cur, block) == -1) {
				failed = 1;
				goto done;
			}
			if (cur->block > hi)
				break;
			block = cur->block;
			bits = cur->bits;
			posting_bits_window(&bits, block, after, upto);
			n += posting_bits_count(&bits);
		}
	}
	out.plan = &plan;
	out.cb = store_reader_count_tail;
	out.arg = &n;
	if (store_reader_range(r, after + 1 > tail ? after + 1 : tail, upto,
	    NULL, &out) == -1)
		failed = 1;
done:
	store_terms_free(terms, plan.nterms);
	store_reader_end(r);
	posting_plan_clear(&plan);
	if (failed) {
		store_reader_failed(r, "backlog count");
		return (-1);
	}
	return (n);
}

/* The date of a period start (seconds), "YYYY-MM-DD". */
static void
store_reader_day(int64_t seconds, char *buf, size_t size)
{
	char	when[RFC3339_BUFSIZE];

	rfc3339_format(seconds * 1000000, when, sizeof when);
	snprintf(buf, size, "%.10s", when);
}

/* Add the stored counts of whole periods in [since, until) to the tally. */
static int
store_reader_add_periods(struct store_reader *r, int64_t span, int64_t since,
    int64_t until, struct counts_tally *t)
{
	sqlite3_stmt	*stmt;
	const char	*dimension, *key;
	char		 day[16];
	int64_t		 n;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT start, dimension, key, n FROM "
	    "counts WHERE span = ?1 AND start >= ?2 AND start < ?3", -1, &stmt,
	    NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, span);
	sqlite3_bind_int64(stmt, 2, since / 1000000);
	sqlite3_bind_int64(stmt, 3, until / 1000000);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		dimension = (const char *)sqlite3_column_text(stmt, 1);
		key = (const char *)sqlite3_column_text(stmt, 2);
		n = sqlite3_column_int64(stmt, 3);
		if (dimension == NULL || key == NULL)
			continue;
		if (strcmp(dimension, COUNTS_CODE) == 0)
			dimension = COUNTS_CODE;
		else if (strcmp(dimension, COUNTS_SENDER) == 0)
			dimension = COUNTS_SENDER;
		else if (strcmp(dimension, COUNTS_SEVERITY) == 0) {
			dimension = COUNTS_SEVERITY;
			/* Every report has one severity: these count days. */
			store_reader_day(sqlite3_column_int64(stmt, 0), day,
			    sizeof day);
			if (counts_tally_add(t, 0, 0, COUNTS_BY_DAY, day,
			    n) == -1)
				break;
		} else
			continue;
		if (counts_tally_add(t, 0, 0, dimension, key, n) == -1)
			break;
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Count the reports of [since, until) one by one into the tally. */
static int
store_reader_add_raw(struct store_reader *r, int64_t since, int64_t until,
    int64_t upto, struct counts_tally *t)
{
	sqlite3_stmt	*stmt;
	const char	*code, *sender;
	char		 level[2] = { 0, 0 }, day[16];
	int64_t		 lo, hi;
	int		 rc;

	if (store_reader_bounds(r, 1, since, 1, until, 0, upto, &lo, &hi) == -1)
		return (-1);
	if (lo >= hi)
		return (0);
	if (sqlite3_prepare_v2(r->db, "SELECT code, severity, sender, "
	    "received_at FROM reports WHERE seq > ?1 AND seq <= ?2", -1, &stmt,
	    NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, lo);
	sqlite3_bind_int64(stmt, 2, hi);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r->cost.rows++;
		code = (const char *)sqlite3_column_text(stmt, 0);
		sender = (const char *)sqlite3_column_text(stmt, 2);
		if (code == NULL || sender == NULL)
			continue;
		level[0] = (char)('0' + sqlite3_column_int(stmt, 1));
		store_reader_day(counts_period(sqlite3_column_int64(stmt, 3),
		    COUNTS_DAY), day, sizeof day);
		if (counts_tally_add(t, 0, 0, COUNTS_CODE, code, 1) == -1 ||
		    counts_tally_add(t, 0, 0, COUNTS_SEVERITY, level, 1) == -1 ||
		    counts_tally_add(t, 0, 0, COUNTS_SENDER, sender, 1) == -1 ||
		    counts_tally_add(t, 0, 0, COUNTS_BY_DAY, day, 1) == -1)
			break;
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* What the pieces of a statistics window add to. */
struct store_stats_ctx {
	struct store_reader	*r;
	struct counts_tally	*tally;
	int64_t			 upto;
};

/* Count one piece of the window: stored periods, or reports one by one. */
static int
store_reader_stats_piece(const struct counts_piece *p, void *arg)
{
	struct store_stats_ctx	*ctx = arg;

	if (p->span == 0)
		return (store_reader_add_raw(ctx->r, p->since, p->until,
		    ctx->upto, ctx->tally));
	return (store_reader_add_periods(ctx->r, p->span, p->since, p->until,
	    ctx->tally));
}

int
store_reader_stats(struct store_reader *r, int64_t since, int64_t until,
    int64_t upto, void (*cb)(const struct store_count *, void *), void *arg)
{
	struct store_stats_ctx	 ctx = { r, NULL, upto };
	struct store_count	 count;
	const char		*dimension, *key;
	int64_t			 span, start, n;
	size_t			 i;
	int			 rc = -1;

	if ((ctx.tally = counts_tally_new()) == NULL)
		return (-1);
	if (store_reader_begin(r) == -1) {
		counts_tally_free(ctx.tally);
		return (-1);
	}
	if (until == 0) {
		/* Up to the last report read: later ones are not counted. */
		sqlite3_bind_int64(r->row_at, 1, upto);
		if (sqlite3_step(r->row_at) == SQLITE_ROW)
			until = sqlite3_column_int64(r->row_at, 2) + 1;
		sqlite3_reset(r->row_at);
	}
	if (until != 0 && counts_cover(since, until, store_reader_stats_piece,
	    &ctx) == -1)
		goto done;
	for (i = 0; i < counts_tally_size(ctx.tally); i++) {
		counts_tally_entry(ctx.tally, i, &span, &start, &dimension,
		    &key, &n);
		count.dimension = dimension;
		count.key = key;
		if (strcmp(dimension, COUNTS_SEVERITY) == 0)
			count.key = severity_name((enum severity)(key[0] - '0'));
		count.count = n;
		if (count.key != NULL)
			cb(&count, arg);
	}
	rc = 0;
done:
	if (rc == -1)
		store_reader_failed(r, "statistics");
	store_reader_end(r);
	counts_tally_free(ctx.tally);
	return (rc);
}

int
store_reader_hourly(struct store_reader *r, int64_t since, int64_t until,
    void (*cb)(int64_t, const struct store_count *, void *), void *arg)
{
	sqlite3_stmt		*stmt;
	struct store_count	 count;
	const char		*dimension, *key;
	int			 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT start, dimension, key, n FROM "
	    "counts WHERE span = ?1 AND start >= ?2 AND start < ?3 AND "
	    "dimension IN ('code', 'severity')", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		store_reader_failed(r, "hourly counts");
		return (-1);
	}
	sqlite3_bind_int64(stmt, 1, COUNTS_HOUR);
	sqlite3_bind_int64(stmt, 2, since);
	sqlite3_bind_int64(stmt, 3, until);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r->cost.rows++;
		dimension = (const char *)sqlite3_column_text(stmt, 1);
		key = (const char *)sqlite3_column_text(stmt, 2);
		if (dimension == NULL || key == NULL)
			continue;
		if (strcmp(dimension, COUNTS_SEVERITY) == 0) {
			count.dimension = COUNTS_SEVERITY;
			if (key[0] < '0' || key[0] > '9' || key[1] != '\0' ||
			    (count.key = severity_name((enum severity)(key[0] -
			    '0'))) == NULL)
				continue;
		} else {
			count.dimension = COUNTS_CODE;
			count.key = key;
		}
		count.count = sqlite3_column_int64(stmt, 3);
		cb(sqlite3_column_int64(stmt, 0), &count, arg);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		store_reader_failed(r, "hourly counts");
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

int64_t
store_reader_last_seq(struct store_reader *r)
{
	sqlite3_stmt	*stmt;
	int64_t		 seq = -1;

	if (sqlite3_prepare_v2(r->db, "SELECT COALESCE(max(seq), 0) FROM "
	    "reports", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		seq = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (seq);
}

/* The hash of entry n (zeros before the first); -1 on error. */
static int
store_reader_hash_of(struct store_reader *r, int64_t n, unsigned char out[32])
{
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(out, 0, LEDGER_HASH_LEN);
	if (n < 1)
		return (0);
	if (sqlite3_prepare_v2(r->db, "SELECT hash FROM ledger WHERE n = ?1",
	    -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, n);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == LEDGER_HASH_LEN)
		memcpy(out, sqlite3_column_blob(stmt, 0), LEDGER_HASH_LEN);
	sqlite3_finalize(stmt);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1);
}

int
store_reader_ledger(struct store_reader *r, int64_t after, unsigned limit,
    void (*cb)(const struct store_ledger_row *, void *), void *arg,
    int64_t *next)
{
	struct store_ledger_row	 row;
	sqlite3_stmt		*stmt = NULL;
	unsigned		 n = 0;
	int			 rc = -1, step;

	*next = 0;
	if (store_reader_begin(r) == -1)
		return (-1);
	/*
	 * A report's entry is served with the report as stored now, an
	 * acknowledgement's with the acknowledgement: a row changed behind
	 * the hub's back no longer hashes to the entry.
	 */
	if (sqlite3_prepare_v2(r->db, "SELECT l.n, l.kind, l.seq, l.party, "
	    "l.sig, l.hash, p.sender, p.received_at, p.body, "
	    "p.recipient_list, a.at, p.origin, p.chain FROM ledger l LEFT JOIN "
	    "reports p ON "
	    "l.kind = 0 AND p.seq = l.seq LEFT JOIN acks a ON l.kind <> 0 AND "
	    "a.member = l.party AND a.upto = l.seq WHERE l.n > ?1 ORDER BY l.n "
	    "LIMIT ?2", -1, &stmt, NULL) != SQLITE_OK ||
	    store_reader_hash_of(r, after, row.prev) == -1)
		goto done;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)limit + 1);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == limit) {
			*next = row.n;
			break;
		}
		row.n = sqlite3_column_int64(stmt, 0);
		row.kind = sqlite3_column_int(stmt, 1);
		row.seq = sqlite3_column_int64(stmt, 2);
		row.party = (const char *)sqlite3_column_text(stmt, 3);
		row.sig = (const char *)sqlite3_column_text(stmt, 4);
		row.recipients = NULL;
		row.origin = NULL;
		row.has_chain = 0;
		row.present = 0;
		row.at = 0;
		if (row.n > 1 && n > 0)
			memcpy(row.prev, row.hash, LEDGER_HASH_LEN);
		memset(row.hash, 0, LEDGER_HASH_LEN);
		if (sqlite3_column_bytes(stmt, 5) == LEDGER_HASH_LEN)
			memcpy(row.hash, sqlite3_column_blob(stmt, 5),
			    LEDGER_HASH_LEN);
		if (row.kind == LEDGER_REPORT &&
		    sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
			row.present = 1;
			row.party = (const char *)sqlite3_column_text(stmt, 6);
			row.at = sqlite3_column_int64(stmt, 7);
			row.recipients = (const char *)sqlite3_column_text(stmt,
			    9);
			row.origin = (const char *)sqlite3_column_text(stmt,
			    11);
			if (sqlite3_column_bytes(stmt, 12) == LEDGER_HASH_LEN) {
				row.has_chain = 1;
				memcpy(row.chain, sqlite3_column_blob(stmt, 12),
				    LEDGER_HASH_LEN);
			}
			if (ledger_digest(sqlite3_column_blob(stmt, 8),
			    (size_t)sqlite3_column_bytes(stmt, 8),
			    row.digest) == -1)
				goto done;
		} else if (row.kind != LEDGER_REPORT &&
		    sqlite3_column_type(stmt, 10) != SQLITE_NULL) {
			row.present = 1;
			row.at = sqlite3_column_int64(stmt, 10);
		}
		if (row.party == NULL)
			row.party = "";
		cb(&row, arg);
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		goto done;
	rc = (int)n;
done:
	if (rc == -1)
		store_reader_failed(r, "ledger read");
	sqlite3_finalize(stmt);
	store_reader_end(r);
	return (rc);
}

int64_t
store_reader_ledger_head(struct store_reader *r, unsigned char hash[32])
{
	sqlite3_stmt	*stmt;
	int64_t		 n = -1;
	int		 rc;

	memset(hash, 0, LEDGER_HASH_LEN);
	if (sqlite3_prepare_v2(r->db, "SELECT n, hash FROM ledger ORDER BY n "
	    "DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(stmt, 0);
		if (sqlite3_column_bytes(stmt, 1) == LEDGER_HASH_LEN)
			memcpy(hash, sqlite3_column_blob(stmt, 1),
			    LEDGER_HASH_LEN);
	} else if (rc == SQLITE_DONE)
		n = 0;
	sqlite3_finalize(stmt);
	return (n);
}

int
store_reader_ledger_report(struct store_reader *r, int64_t seq, int64_t *n,
    unsigned char hash[32], unsigned char prev[32])
{
	sqlite3_stmt	*stmt;
	int		 rc, found = 0;

	/* By the sender's index: the report row says who that is. */
	if (sqlite3_prepare_v2(r->db, "SELECT l.n, l.hash FROM reports p JOIN "
	    "ledger l ON l.party = p.sender AND l.kind = 0 AND l.seq = p.seq "
	    "WHERE p.seq = ?1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, seq);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 1) ==
	    LEDGER_HASH_LEN) {
		*n = sqlite3_column_int64(stmt, 0);
		memcpy(hash, sqlite3_column_blob(stmt, 1), LEDGER_HASH_LEN);
		found = 1;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	if (found && store_reader_hash_of(r, *n - 1, prev) == -1)
		return (-1);
	return (found);
}

int
store_reader_chain(struct store_reader *r, int64_t seq, const char *member,
    unsigned char out[32])
{
	sqlite3_stmt	*stmt;
	int		 rc, found = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT chain, recipient_list FROM "
	    "reports WHERE seq = ?1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, seq);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) ==
	    LEDGER_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(stmt, 0), LEDGER_HASH_LEN);
		found = 1;
		if (member != NULL && recipients_tier((const char *)
		    sqlite3_column_text(stmt, 1), member) == -1)
			found = -2;
	}
	sqlite3_finalize(stmt);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1);
}
