/* The SQLite store: reports, their recipient sets, and the schema's versions. */
#ifndef KENTONGAN_STORE_H
#define KENTONGAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "ledger.h"
#include "levels.h"
#include "policy.h"
#include "verdict.h"

#define STORE_SCHEMA_VERSION	8
#define STORE_DIGEST_LEN	32

/*
 * One report on its way to disk. The fields above the line are filled by
 * the submitter; the committer fills the results below it.
 */
struct store_report {
	char			 sender[CONF_MEMBER_ID_MAX + 1];
	char			*id;		/* the key: lower case, or forward's */
	char			*sent_id;	/* as the request wrote it, or NULL */
	char			*body;		/* the report as accepted, JSON */
	unsigned char		 digest[STORE_DIGEST_LEN];	/* of its canonical form */
	char			*code;
	enum severity		 severity;
	enum tlp		 tlp;
	int			 has_observed_at;
	int64_t			 observed_at;
	int64_t			 received_at;
	struct policy_set	 recipients;
	char			*origin;	/* forwarded: forward.c's, or NULL */
	void			*owner;		/* the submitter's, untouched */
	char			*ref;		/* the request's ref, or NULL */

	int64_t			 seq;
	int			 duplicate;
	size_t			 nrecipients;	/* as stored (the first's, for a duplicate) */
	enum proto_error	 error;		/* PROTO_OK, ID_CONFLICT, INTERNAL_ERROR */
	/*
	 * Its ledger entry (the first's, for a duplicate): what a receipt
	 * says, and the receipt's signature once the committer made it.
	 */
	int			 has_chain;
	unsigned char		 chain[LEDGER_HASH_LEN];
	unsigned char		 stored_digest[LEDGER_HASH_LEN];
	int64_t			 stored_received_at;
	char			*receipt_sig;	/* base64, or NULL */

	TAILQ_ENTRY(store_report) entry;
};
TAILQ_HEAD(store_report_queue, store_report);

/* A member's position advancing: what it acknowledged, what it was sent. */
enum store_mark_kind {
	STORE_MARK_ACK,
	STORE_MARK_DELIVERED
};

/* The largest signature of an acknowledgement, in base64. */
#define STORE_SIG_MAX		1024

/*
 * A member's cumulative position of one kind, to make durable. An
 * acknowledgement may be signed; a peer hub's is a forward taken.
 */
struct store_mark {
	enum store_mark_kind	kind;
	char			member[CONF_MEMBER_ID_MAX + 1];
	int64_t			seq;
	int64_t			at;
	int			peer;
	char			sig[STORE_SIG_MAX];	/* "" when unsigned */
};

struct store;
struct store_checkpointer;

/*
 * Open (creating if needed) the database at path, in WAL mode with full
 * synchronous commits, and bring its schema to the current version.
 * NULL with *cause (malloc'd) on failure.
 */
struct store	*store_open(const char *path, char **cause);
/*
 * The same, naming the peer hubs: a migration that builds the ledger of
 * an older database enters their acknowledgements as forwards taken.
 */
struct store	*store_open_peers(const char *path, const char *const *peers,
		    size_t npeers, char **cause);
void		 store_close(struct store *);
/*
 * Commit a batch of reports, and members' acknowledgements and delivery
 * positions, in one transaction. Each report gets a new sequence number, or is found to be a
 * duplicate or an id_conflict; a cursor only ever moves forward. If the
 * transaction fails, every report of the batch gets internal_error and
 * nothing is stored; returns -1 then, else 0.
 */
int		 store_commit(struct store *, struct store_report **, size_t,
		    const struct store_mark *, size_t);
int64_t		 store_last_seq(struct store *);
/* The receive time of the last report stored when the store was opened. */
int64_t		 store_last_received_at(const struct store *);
/* Keep the ledger (the default), or not (for measurements). */
void		 store_set_ledger(struct store *, int on);
/* The ledger's head: how many entries, and the last one's hash. */
int64_t		 store_ledger_head(const struct store *,
		    unsigned char hash[LEDGER_HASH_LEN]);
/*
 * Why the store refuses every commit for good (its file was deleted,
 * replaced or found corrupt), or NULL while it is sound. Any thread.
 */
const char	*store_broken(const struct store *);
const char	*store_path(const struct store *);
/*
 * Copy what the WAL holds into the database file without blocking the
 * writer (a passive checkpoint), on a connection of its own: the writer
 * never checkpoints, so no commit waits for one. -1 on error.
 */
struct store_checkpointer *store_checkpointer_open(const char *path,
		    char **cause);
int		 store_checkpoint(struct store_checkpointer *);
void		 store_checkpointer_close(struct store_checkpointer *);
void		 store_report_free(struct store_report *);

#endif
