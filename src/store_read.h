/*
 * Reading the store: replay, history queries, counts, cursors. A reader is
 * one read-only connection; it is used by one thread at a time (a reader
 * thread, or the hub at start, before it serves anyone).
 */
#ifndef KENTONGAN_STORE_READ_H
#define KENTONGAN_STORE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"
#include "posting.h"
#include "request.h"

/* One stored alert as read back. Strings live until the callback returns. */
struct store_row {
	int64_t		 seq;
	const char	*sender;
	int64_t		 received_at;
	const char	*code;
	enum severity	 severity;
	int		 tier;		/* enum tier, or -1 for the asker's own */
	const char	*body;
	size_t		 body_len;
	int64_t		 nrecipients;
	enum tlp	 tlp;
	const char	*origin;	/* a forwarded report's, or NULL */
	const char	*chain;		/* its ledger entry, hex, or NULL */
	char		 chain_hex[65];	/* where chain points */
};

/* One recipient of a report, with when it was sent and acknowledged (0: not yet). */
struct store_delivery {
	const char	*member;
	int		 tier;
	int64_t		 delivered_at;
	int64_t		 acked_at;
	/*
	 * The acknowledgement's ledger entry: 1 signed, 0 unsigned, -1 none
	 * (not acknowledged, acknowledged with the ledger off, or by a peer
	 * hub, which does not sign).
	 */
	int		 signed_;
};

/* One line of the statistics: dimension ("code", ...), key, count. */
struct store_count {
	const char	*dimension;
	const char	*key;
	int64_t		 count;
};

/* What reads cost, for tests and measurements. */
struct store_read_cost {
	uint64_t	postings;	/* posting lists read */
	uint64_t	rows;		/* report rows read */
};

/* Called per row; return 0 to go on, 1 to stop early. */
typedef int (*store_row_cb)(const struct store_row *, void *arg);

struct store_reader;

/* A read-only connection to the database. NULL with *cause. */
struct store_reader	*store_reader_open(const char *path, char **cause);
void			 store_reader_close(struct store_reader *);
/* What this reader's reads have cost since it was opened. */
void	store_reader_cost(const struct store_reader *, struct store_read_cost *);
/*
 * The alerts for member with after < seq <= upto that pass filter (NULL:
 * all), in seq order, at most limit rows. *scanned is the seq up to which
 * every alert was considered: upto, or the last row passed on when the
 * limit or the callback stopped the scan. Returns the number of rows, -1.
 */
int	store_reader_replay(struct store_reader *, const char *member,
	    const struct filter *, int64_t after, int64_t upto, unsigned limit,
	    store_row_cb, void *, int64_t *scanned);
/*
 * A page of the history matching q, with seq <= upto: for a member (not
 * NULL), only what it sent (tier -1) or was entitled to; for an operator
 * (NULL), everything. The callback may end the page early by returning 1
 * (the row it refused is not part of the page). *next is the last seq of
 * the page if more may follow, else 0. Returns the number of rows, or -1.
 */
int	store_reader_query(struct store_reader *, const char *member,
	    const struct query_request *q, int64_t upto, store_row_cb, void *,
	    int64_t *next);
/* The report with this seq: 1 and the callback called, 0 if none, -1. */
int	store_reader_report(struct store_reader *, int64_t seq, store_row_cb,
	    void *);
/* The recipients of a report, in member order; -1 on error. */
int	store_reader_deliveries(struct store_reader *, int64_t seq,
	    void (*)(const struct store_delivery *, void *), void *);
/* How many alerts for member have after < seq <= upto; -1 on error. */
int64_t	store_reader_backlog(struct store_reader *, const char *member,
	    int64_t after, int64_t upto);
/*
 * Counts of reports received in [since, until) by code, severity, sender
 * and day (UTC); since/until 0 for no bound. -1 on error.
 */
int	store_reader_stats(struct store_reader *, int64_t since, int64_t until,
	    int64_t upto, void (*)(const struct store_count *, void *), void *);
/*
 * The hourly counts of reports by code and by severity (store_count's
 * dimension "code" or "severity", the severity's name as key) for the
 * hours that start in [since, until), seconds since the epoch: start is
 * the hour's. -1 on error.
 */
int	store_reader_hourly(struct store_reader *, int64_t since, int64_t until,
	    void (*)(int64_t start, const struct store_count *, void *), void *);
/* Every member's acknowledged position. */
int	store_reader_cursors(struct store_reader *,
	    void (*cb)(const char *member, int64_t acked_seq, void *), void *);
/* The highest seq stored; -1 on error. */
int64_t	store_reader_last_seq(struct store_reader *);

/*
 * One ledger entry as served for verification: its stored hash and the
 * previous one, and what it records as the stored data says it now.
 */
struct store_ledger_row {
	int64_t		 n;
	int		 kind;		/* enum ledger_kind */
	int64_t		 seq;
	const char	*party;
	int		 present;	/* what it records is still stored */
	int64_t		 at;
	const char	*sig;		/* an ack's, or NULL */
	unsigned char	 digest[32];	/* a report's, of its stored text */
	const char	*recipients;	/* a report's stored recipient list */
	const char	*origin;	/* a forwarded report's, or NULL */
	int		 has_chain;	/* a report's row keeps its hash: */
	unsigned char	 chain[32];	/* what its alerts and receipts say */
	unsigned char	 prev[32];
	unsigned char	 hash[32];
};

/*
 * The entries with after < n, in order, at most limit. *next is the last
 * n of the page if more follow, else 0. Returns the number, or -1.
 */
int	store_reader_ledger(struct store_reader *, int64_t after,
	    unsigned limit, void (*)(const struct store_ledger_row *, void *),
	    void *, int64_t *next);
/* The head: the number of entries (0: none) and the last hash; -1. */
int64_t	store_reader_ledger_head(struct store_reader *, unsigned char hash[32]);
/*
 * The entry of the report with this seq, with the previous hash: 1, 0 if
 * it has none, -1 on error.
 */
int	store_reader_ledger_report(struct store_reader *, int64_t seq,
	    int64_t *n, unsigned char hash[32], unsigned char prev[32]);
/*
 * The ledger hash of the report with this seq: 1, 0 if none, -2 if member
 * (when not NULL) is not one of its recipients, -1 on error.
 */
int	store_reader_chain(struct store_reader *, int64_t seq,
	    const char *member, unsigned char out[32]);
#endif
