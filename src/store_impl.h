/*
 * The store's insides, shared by its files (store.c: schema and commits,
 * store_ledger.c: the hash chain); no one else includes this.
 */
#ifndef KENTONGAN_STORE_IMPL_H
#define KENTONGAN_STORE_IMPL_H

#include <sys/types.h>

#include <sqlite3.h>

#include "counts.h"
#include "ledger.h"
#include "ratelimit.h"
#include "store.h"

struct store {
	sqlite3		*db;
	int		 lock_fd;
	char		*path;
	sqlite3_stmt	*find;
	sqlite3_stmt	*find_forward;
	sqlite3_stmt	*insert_report;
	sqlite3_stmt	*set_cursor;
	sqlite3_stmt	*log_ack;
	sqlite3_stmt	*log_delivery;
	sqlite3_stmt	*add_count;
	sqlite3_stmt	*block_rows;
	sqlite3_stmt	*put_posting;
	sqlite3_stmt	*put_entry;
	sqlite3_stmt	*entry_at;
	struct counts_tally *tally;	/* of the commit under way */
	int64_t		 last_seq;
	int64_t		 last_received_at;	/* of last_seq, at open */
	uint64_t	 failed_commits;	/* in a row */
	struct throttle	 commit_errors;
	int		 wal_frames;	/* in the WAL after the last commit */
	dev_t		 dev;		/* of the file opened */
	ino_t		 ino;
	/*
	 * Set once the file is found deleted, replaced or corrupt: nothing
	 * more is committed until an operator restores it and restarts.
	 */
	_Atomic int	 broken;
	char		 broken_why[160];
	/* The ledger's head: the last entry's number and hash. */
	int			 ledger;	/* 0: ledger off */
	int64_t			 ledger_n;
	const char *const	*peers;		/* while opening only */
	size_t			 npeers;
	unsigned char		 ledger_head[LEDGER_HASH_LEN];
};

/* Set *cause to "path: what: sqlite's message". */
void	store_cause(struct store *, char **cause, const char *what);
/*
 * A long task at open (a migration) says how far it is: in the log, and
 * to systemd, which it asks for more time before it gives up on the start.
 */
#define STORE_PROGRESS_EXTEND_USEC	30000000
void	store_progress(struct store *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prepare one statement kept for the life of the store. */
int	store_prepare(struct store *, const char *sql, sqlite3_stmt **,
	    char **cause);

/* store_ledger.c */
/* The ledger's statements and its head; -1 with *cause. */
int	store_ledger_open(struct store *, char **cause);
void	store_ledger_close(struct store *);
/*
 * Add an entry after the head, inside the caller's transaction; *hash is
 * its hash. The head moves only in memory: the caller saves and restores
 * it around a transaction that may fail.
 */
int	store_ledger_append(struct store *, const struct ledger_entry *,
	    unsigned char hash[LEDGER_HASH_LEN]);
/*
 * Check that the last entry still matches what it records, and log the
 * head; -1 (logged) if it does not.
 */
int	store_ledger_check_head(struct store *);
/* Build the chain of a database from before the ledger, once. */
int	store_ledger_build(struct store *, char **cause);

#endif
