/* Reading the store from the event loop: replay, history queries, cursors. */
#ifndef KENTONGAN_STORE_READ_H
#define KENTONGAN_STORE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"
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
};

/* Called per row; return 0 to go on, 1 to stop early. */
typedef int (*store_row_cb)(const struct store_row *, void *arg);

struct store_reader;

/* A second, read-only connection to the database. NULL with *cause. */
struct store_reader	*store_reader_open(const char *path, char **cause);
void			 store_reader_close(struct store_reader *);
/*
 * The alerts for member with after < seq <= upto, in seq order, at most
 * limit rows. Returns the number of rows read (including one the callback
 * stopped at), or -1.
 */
int	store_reader_replay(struct store_reader *, const char *member,
	    int64_t after, int64_t upto, unsigned limit, store_row_cb, void *);
/*
 * A page of the history that member sent or was entitled to, matching q,
 * with seq <= upto. *next is the last seq of the page if more may follow,
 * else 0. Returns the number of rows, or -1.
 */
int	store_reader_query(struct store_reader *, const char *member,
	    const struct query_request *q, int64_t upto, store_row_cb, void *,
	    int64_t *next);
/* Every member's acknowledged position. */
int	store_reader_cursors(struct store_reader *,
	    void (*cb)(const char *member, int64_t acked_seq, void *), void *);

#endif
