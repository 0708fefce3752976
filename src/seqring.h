/*
 * The sequence numbers of the alerts fanned out to one member and not yet
 * acknowledged, so that an acknowledgement can be counted off its backlog
 * without asking the database. Bounded: past its limit it forgets, and
 * the caller counts what it no longer covers from the store.
 */
#ifndef KENTONGAN_SEQRING_H
#define KENTONGAN_SEQRING_H

#include <stddef.h>
#include <stdint.h>

struct seqring {
	int64_t	*seqs;		/* ascending, from head, wrapping */
	size_t	 head;
	size_t	 count;
	size_t	 cap;		/* allocated */
	size_t	 max;		/* never more than this */
	int64_t	 base;		/* it holds every pushed seq above base */
};

/* Empty, covering what comes after base. */
void	seqring_init(struct seqring *, size_t max, int64_t base);
void	seqring_free(struct seqring *);
/* Record seq (above every seq recorded so far). */
void	seqring_push(struct seqring *, int64_t seq);
/*
 * Forget the seqs up to upto and return how many there were. When the
 * ring does not cover all of (from, upto] (from < base), returns -1: the
 * caller counts that range elsewhere; the ring is trimmed all the same.
 */
int64_t	seqring_ack(struct seqring *, int64_t from, int64_t upto);

#endif
