/*
 * The confidence ledger (SPEC section 13): every stored event is an entry
 * of one hash chain, entry_hash = SHA-256(prev_hash || canonical entry),
 * the first prev_hash 32 zero bytes. This module is the chain's arithmetic
 * and its formats, with no I/O: entries in, hashes and bytes out. The
 * canonical form is in docs/ledger.md, for anyone to recompute.
 *
 *   kentongan-ledger 1          one line each, ended by a newline
 *   kind report|ack|forward
 *   seq N                       the report's seq; an ack's or a forward's
 *                               cumulative position
 *   party ID                    the report's sender; who acknowledged
 *   at TIME                     received_at, or when acknowledged: RFC
 *                               3339 UTC with milliseconds, as shown
 *   digest HEX                  report: SHA-256 of the report as stored
 *   recipients LIST             report: its stored recipient list
 *   origin TEXT                 report forwarded by a peer hub: where it
 *                               came from, as stored (forward.c)
 *   sig B64|-                   ack: the member's signature, or none
 */
#ifndef KENTONGAN_LEDGER_H
#define KENTONGAN_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_HASH_LEN		32
#define LEDGER_HEX_LEN		(LEDGER_HASH_LEN * 2)

enum ledger_kind {
	LEDGER_REPORT,
	LEDGER_ACK,
	LEDGER_FORWARD
};

struct ledger_entry {
	enum ledger_kind	 kind;
	int64_t			 seq;
	const char		*party;
	int64_t			 at;
	unsigned char		 digest[LEDGER_HASH_LEN];	/* report */
	const char		*recipients;	/* report: "SG:1 MY:0" */
	const char		*origin;	/* forwarded report, or NULL */
	const char		*sig;		/* ack: base64, or NULL */
};

/* The kind's name, and back; -1 for an unknown name. */
const char	*ledger_kind_name(enum ledger_kind);
int		 ledger_kind_parse(const char *, enum ledger_kind *);
/* The canonical bytes of an entry, malloc'd, *len of them; NULL on error. */
char		*ledger_canonical(const struct ledger_entry *, size_t *len);
/* entry_hash = SHA-256(prev || canonical entry); -1 on error. */
int		 ledger_hash(const unsigned char prev[LEDGER_HASH_LEN],
		    const struct ledger_entry *,
		    unsigned char out[LEDGER_HASH_LEN]);
/* SHA-256 of len bytes; -1 on error. */
int		 ledger_digest(const void *, size_t,
		    unsigned char out[LEDGER_HASH_LEN]);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
char		*ledger_hex(const unsigned char *, size_t n, char *out);
/* n bytes from 2n hex digits (either case); -1 if it is not that. */
int		 ledger_unhex(const char *, unsigned char *, size_t n);
/*
 * What the hub signs for a receipt: {"chain":HEX,"digest":HEX,
 * "received_at":TIME,"seq":N}, keys sorted, compact, malloc'd.
 */
char		*ledger_receipt_canonical(int64_t seq,
		    const unsigned char digest[LEDGER_HASH_LEN],
		    int64_t received_at,
		    const unsigned char chain[LEDGER_HASH_LEN]);
/* What a member signs to acknowledge: "kentongan-ack:MEMBER:SEQ:CHAIN". */
char		*ledger_ack_message(const char *member, int64_t seq,
		    const unsigned char chain[LEDGER_HASH_LEN]);

#endif
