/* Group commit: a thread that writes batches of reports while the event loop runs on. */
#ifndef KENTONGAN_COMMIT_H
#define KENTONGAN_COMMIT_H

#include <event2/event.h>
#include <openssl/evp.h>

#include "metrics.h"
#include "store.h"

#define COMMIT_BATCH_MAX	4096
/* Receipts signed before they are handed back: about 8 ms of signing. */
#define COMMIT_SIGN_CHUNK	256
/* How often the WAL is copied into the database file, beside the writer. */
#define COMMIT_CHECKPOINT_MS	100
/* How long positions whose commit failed wait before they are tried again. */
#define COMMIT_RETRY_MS		200

struct committer;
/* Called on the event loop's thread, in commit order, for each report. */
typedef void (*committer_done_cb)(struct store_report *, void *arg);

/* Called on the event loop's thread after the done callbacks of a batch. */
typedef void (*committer_batch_cb)(void *arg);

/* Start the commit thread over store (which it then owns until freed). */
struct committer	*committer_new(struct store *, struct event_base *,
			    committer_done_cb, committer_batch_cb, void *arg,
			    char **cause);
/* Queue a report; its done callback comes after its batch is committed. */
void			 committer_submit(struct committer *,
			    struct store_report *);
/*
 * Make a member's cumulative position (acknowledged, or sent) durable with
 * the next commit. Several of one kind and member before that commit
 * collapse into the highest.
 */
void			 committer_mark(struct committer *,
			    enum store_mark_kind, const char *member,
			    int64_t seq, int64_t at);
/*
 * The same with what the ledger records of an acknowledgement: whether a
 * peer hub made it (a forward taken) and the member's signature (NULL:
 * none).
 */
void			 committer_mark_ack(struct committer *,
			    enum store_mark_kind, const char *member,
			    int64_t seq, int64_t at, int peer, const char *sig);
/* The key that signs receipts from now on (NULL: none). */
void			 committer_set_key(struct committer *, EVP_PKEY *);
/* A copy of the commit duration histogram (zero if c is NULL). */
void			 committer_histogram(struct committer *,
			    struct metrics_histogram *);
/* Reports submitted whose done callback has not run yet. */
size_t			 committer_pending(const struct committer *);
/*
 * Commit everything queued, run the remaining done callbacks, stop the
 * thread and free. The store stays open (the caller closes it).
 */
void			 committer_free(struct committer *);

#endif
