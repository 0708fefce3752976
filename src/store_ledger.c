/*
 * The ledger in the store: one row per entry, appended inside the commit
 * that stores what it records, so the chain costs no fsync of its own and
 * is never ahead of, or behind, the data. ledger.c does the arithmetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"
#include "timefmt.h"

int
store_ledger_open(struct store *store, char **cause)
{
	sqlite3_stmt	*stmt;
	const void	*hash;
	int		 rc;

	if (store->put_entry == NULL && (store_prepare(store, "INSERT INTO "
	    "ledger (n, kind, seq, party, at, sig, hash) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7)", &store->put_entry, cause) == -1 ||
	    store_prepare(store, "SELECT n, kind, seq, party, at, sig, hash "
	    "FROM ledger WHERE n = ?1", &store->entry_at, cause) == -1))
		return (-1);
	store->ledger_n = 0;
	memset(store->ledger_head, 0, sizeof store->ledger_head);
	if (sqlite3_prepare_v2(store->db, "SELECT n, hash FROM ledger ORDER BY "
	    "n DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK) {
		store_cause(store, cause, "cannot read the ledger");
		return (-1);
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store->ledger_n = sqlite3_column_int64(stmt, 0);
		hash = sqlite3_column_blob(stmt, 1);
		if (hash != NULL && sqlite3_column_bytes(stmt, 1) ==
		    LEDGER_HASH_LEN)
			memcpy(store->ledger_head, hash, LEDGER_HASH_LEN);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_cause(store, cause, "cannot read the ledger");
		return (-1);
	}
	return (0);
}

void
store_ledger_close(struct store *store)
{
	sqlite3_finalize(store->put_entry);
	sqlite3_finalize(store->entry_at);
	store->put_entry = store->entry_at = NULL;
}

int
store_ledger_append(struct store *store, const struct ledger_entry *e,
    unsigned char hash[LEDGER_HASH_LEN])
{
	sqlite3_stmt	*stmt = store->put_entry;
	int		 rc;

	if (ledger_hash(store->ledger_head, e, hash) == -1)
		return (-1);
	sqlite3_bind_int64(stmt, 1, store->ledger_n + 1);
	sqlite3_bind_int(stmt, 2, (int)e->kind);
	sqlite3_bind_int64(stmt, 3, e->seq);
	sqlite3_bind_text(stmt, 4, e->party, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, e->at);
	if (e->sig != NULL)
		sqlite3_bind_text(stmt, 6, e->sig, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 6);
	sqlite3_bind_blob(stmt, 7, hash, LEDGER_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return (-1);
	store->ledger_n++;
	memcpy(store->ledger_head, hash, LEDGER_HASH_LEN);
	return (0);
}

/*
 * The entry as the stored data says it is now: a report's row, or the
 * acknowledgement's. 1 and *e filled (strings malloc'd into *hold), 0 if
 * the data is gone, -1 on error.
 */
static int
store_ledger_rebuild(struct store *store, enum ledger_kind kind, int64_t seq,
    const char *party, const char *sig, struct ledger_entry *e, char **hold)
{
	sqlite3_stmt	*stmt;
	const char	*sql;
	int		 rc;

	*hold = NULL;
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->seq = seq;
	e->sig = sig;
	sql = kind == LEDGER_REPORT ? "SELECT sender, received_at, body, "
	    "recipient_list, origin FROM reports WHERE seq = ?1" :
	    "SELECT member, at FROM acks WHERE member = ?2 AND upto = ?1";
	if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(stmt, 1, seq);
	if (kind != LEDGER_REPORT)
		sqlite3_bind_text(stmt, 2, party, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return (rc == SQLITE_DONE ? 0 : -1);
	}
	/* party, the recipient list and the origin, in one allocation. */
	if (asprintf(hold, "%s%c%s%c%s", (const char *)sqlite3_column_text(stmt,
	    0), '\0', kind == LEDGER_REPORT ? (const char *)sqlite3_column_text(
	    stmt, 3) : "", '\0', kind == LEDGER_REPORT &&
	    sqlite3_column_type(stmt, 4) != SQLITE_NULL ?
	    (const char *)sqlite3_column_text(stmt, 4) : "") == -1) {
		*hold = NULL;
		sqlite3_finalize(stmt);
		return (-1);
	}
	e->party = *hold;
	e->at = sqlite3_column_int64(stmt, 1);
	if (kind == LEDGER_REPORT) {
		e->recipients = *hold + strlen(*hold) + 1;
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
			e->origin = e->recipients + strlen(e->recipients) + 1;
		if (ledger_digest(sqlite3_column_blob(stmt, 2),
		    (size_t)sqlite3_column_bytes(stmt, 2), e->digest) == -1) {
			sqlite3_finalize(stmt);
			return (-1);
		}
	}
	sqlite3_finalize(stmt);
	return (1);
}

/*
 * The last report stored with the ledger on has its entry, with the hash
 * its row keeps: a ledger cut short behind the hub's back is not taken
 * for a whole one. 0 if so (or no report has a chain), -1 if not.
 */
static int
store_ledger_check_last_report(struct store *store)
{
	sqlite3_stmt	*stmt;
	int64_t		 seq = 0;
	int		 rc, ok = 1;

	if (sqlite3_prepare_v2(store->db, "SELECT p.seq, l.hash = p.chain "
	    "FROM reports p LEFT JOIN ledger l ON l.party = p.sender AND "
	    "l.kind = 0 AND l.seq = p.seq WHERE p.chain IS NOT NULL ORDER BY "
	    "p.seq DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
		return (-1);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(stmt, 0);
		ok = sqlite3_column_type(stmt, 1) != SQLITE_NULL &&
		    sqlite3_column_int(stmt, 1) == 1;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	if (!ok)
		log_warnx("store: %s: the ledger has no entry, or another one, "
		    "for the last report it chained (seq %lld): entries were "
		    "taken out of it or changed behind the hub's back; "
		    "kentongan verify --ledger says where", store->path,
		    (long long)seq);
	return (ok ? 0 : -1);
}

int
store_ledger_check_head(struct store *store)
{
	struct ledger_entry	 e;
	sqlite3_stmt		*stmt = store->entry_at;
	unsigned char		 prev[LEDGER_HASH_LEN], want[LEDGER_HASH_LEN];
	unsigned char		 got[LEDGER_HASH_LEN];
	char			 hex[LEDGER_HEX_LEN + 1], *hold = NULL;
	char			*party = NULL, *sig = NULL;
	enum ledger_kind	 kind;
	int64_t			 seq;
	int			 rc, ok = 0, whole;

	whole = store_ledger_check_last_report(store) == 0;
	if (store->ledger_n == 0) {
		log_info("store: %s: the ledger is empty", store->path);
		return (whole ? 0 : -1);
	}
	memset(prev, 0, sizeof prev);
	if (store->ledger_n > 1) {
		sqlite3_bind_int64(stmt, 1, store->ledger_n - 1);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_bytes(stmt, 6) == LEDGER_HASH_LEN)
			memcpy(prev, sqlite3_column_blob(stmt, 6),
			    LEDGER_HASH_LEN);
		sqlite3_reset(stmt);
	}
	sqlite3_bind_int64(stmt, 1, store->ledger_n);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return (-1);
	}
	kind = (enum ledger_kind)sqlite3_column_int(stmt, 1);
	seq = sqlite3_column_int64(stmt, 2);
	party = strdup((const char *)sqlite3_column_text(stmt, 3));
	if (sqlite3_column_type(stmt, 5) != SQLITE_NULL)
		sig = strdup((const char *)sqlite3_column_text(stmt, 5));
	memcpy(want, store->ledger_head, LEDGER_HASH_LEN);
	sqlite3_reset(stmt);
	if (party != NULL &&
	    (rc = store_ledger_rebuild(store, kind, seq, party, sig, &e,
	    &hold)) == 1 && (kind == LEDGER_REPORT || strcmp(e.party,
	    party) == 0) && ledger_hash(prev, &e, got) == 0 &&
	    memcmp(got, want, LEDGER_HASH_LEN) == 0)
		ok = 1;
	if (ok)
		log_info("store: %s: ledger of %lld entries, head %s",
		    store->path, (long long)store->ledger_n,
		    ledger_hex(want, LEDGER_HASH_LEN, hex));
	else
		log_warnx("store: %s: the ledger's last entry (%lld, %s of seq "
		    "%lld) no longer matches what it records: the database was "
		    "changed behind the hub's back; kentongan verify --ledger "
		    "finds the first entry that differs", store->path,
		    (long long)store->ledger_n, ledger_kind_name(kind),
		    (long long)seq);
	free(hold);
	free(party);
	free(sig);
	return (ok && whole ? 0 : -1);
}

/* 1 if id is one of the peer hubs the store was opened with. */
static int
store_is_peer(const struct store *store, const char *id)
{
	size_t	i;

	for (i = 0; i < store->npeers; i++) {
		if (strcmp(store->peers[i], id) == 0)
			return (1);
	}
	return (0);
}

int
store_ledger_build(struct store *store, char **cause)
{
	struct ledger_entry	 e;
	sqlite3_stmt		*rows = NULL, *chain = NULL;
	unsigned char		 hash[LEDGER_HASH_LEN];
	int64_t			 started = time_now_usec(), next_note, done = 0;
	int			 rc;

	if (store_ledger_open(store, cause) == -1)
		return (-1);
	if (store->ledger_n > 0)
		return (0);
	/*
	 * Reports and acknowledgements in the order they happened; a report
	 * before an acknowledgement of the same instant.
	 */
	if (sqlite3_prepare_v2(store->db, "SELECT 0, seq, sender, received_at, "
	    "body, recipient_list, origin FROM reports UNION ALL SELECT 1, "
	    "upto, member, at, NULL, NULL, NULL FROM acks ORDER BY 4, 1, 2",
	    -1, &rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store->db, "UPDATE reports SET chain = ?1 WHERE "
	    "seq = ?2", -1, &chain, NULL) != SQLITE_OK) {
		store_cause(store, cause, "cannot build the ledger");
		goto fail;
	}
	store_progress(store, "building the ledger of what is stored");
	next_note = started + 10000000;
	while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
		memset(&e, 0, sizeof e);
		e.kind = sqlite3_column_int(rows, 0) == 0 ? LEDGER_REPORT :
		    LEDGER_ACK;
		e.seq = sqlite3_column_int64(rows, 1);
		e.party = (const char *)sqlite3_column_text(rows, 2);
		e.at = sqlite3_column_int64(rows, 3);
		if (e.party == NULL)
			continue;
		/* A peer hub's acknowledgement is a forward it took. */
		if (e.kind == LEDGER_ACK && store_is_peer(store, e.party))
			e.kind = LEDGER_FORWARD;
		if (e.kind == LEDGER_REPORT) {
			e.recipients = (const char *)sqlite3_column_text(rows,
			    5);
			e.origin = (const char *)sqlite3_column_text(rows, 6);
			if (ledger_digest(sqlite3_column_blob(rows, 4),
			    (size_t)sqlite3_column_bytes(rows, 4),
			    e.digest) == -1)
				goto failed;
		}
		if (store_ledger_append(store, &e, hash) == -1)
			goto failed;
		if (e.kind == LEDGER_REPORT) {
			sqlite3_bind_blob(chain, 1, hash, LEDGER_HASH_LEN,
			    SQLITE_STATIC);
			sqlite3_bind_int64(chain, 2, e.seq);
			rc = sqlite3_step(chain);
			sqlite3_reset(chain);
			if (rc != SQLITE_DONE)
				goto failed;
		}
		if (++done % 4096 == 0 && time_now_usec() >= next_note) {
			store_progress(store, "ledger: %lld entries so far",
			    (long long)done);
			next_note += 10000000;
		}
	}
	if (rc != SQLITE_DONE)
		goto failed;
	sqlite3_finalize(rows);
	sqlite3_finalize(chain);
	log_info("store: %s: ledger of %lld entries built in %.1f s",
	    store->path, (long long)done,
	    (double)(time_now_usec() - started) / 1e6);
	return (0);
failed:
	store_cause(store, cause, "cannot build the ledger");
fail:
	sqlite3_finalize(rows);
	sqlite3_finalize(chain);
	return (-1);
}
