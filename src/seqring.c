/* A bounded ring of ascending sequence numbers. */
#include <stdlib.h>

#include "seqring.h"

#define SEQRING_FIRST_CAP	64

void
seqring_init(struct seqring *r, size_t max, int64_t base)
{
	r->seqs = NULL;
	r->head = r->count = r->cap = 0;
	r->max = max;
	r->base = base;
}

void
seqring_free(struct seqring *r)
{
	free(r->seqs);
	r->seqs = NULL;
	r->head = r->count = r->cap = 0;
}

/* Drop everything: from now on, only seqs above base are covered. */
static void
seqring_forget(struct seqring *r, int64_t base)
{
	r->head = r->count = 0;
	r->base = base;
}

/* Room for one more, by doubling up to max; 0 when there is none. */
static int
seqring_grow(struct seqring *r)
{
	int64_t	*seqs;
	size_t	 cap, i;

	if (r->count < r->cap)
		return (1);
	if (r->cap >= r->max)
		return (0);
	cap = r->cap == 0 ? SEQRING_FIRST_CAP : r->cap * 2;
	if (cap > r->max)
		cap = r->max;
	if ((seqs = malloc(cap * sizeof *seqs)) == NULL)
		return (0);
	for (i = 0; i < r->count; i++)
		seqs[i] = r->seqs[(r->head + i) % r->cap];
	free(r->seqs);
	r->seqs = seqs;
	r->cap = cap;
	r->head = 0;
	return (1);
}

void
seqring_push(struct seqring *r, int64_t seq)
{
	if (!seqring_grow(r)) {
		/* A member that does not acknowledge: stop remembering. */
		seqring_forget(r, seq);
		return;
	}
	r->seqs[(r->head + r->count) % r->cap] = seq;
	r->count++;
}

int64_t
seqring_ack(struct seqring *r, int64_t from, int64_t upto)
{
	int64_t	n = 0;

	while (r->count > 0 && r->seqs[r->head] <= upto) {
		r->head = (r->head + 1) % r->cap;
		r->count--;
		n++;
	}
	return (from < r->base ? -1 : n);
}
