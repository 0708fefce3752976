/* A ring of the forwards in flight on a link, and the cursor they allow. */
#include <stdlib.h>

#include "window.h"

int
window_init(struct window *w, size_t cap)
{
	w->head = w->n = 0;
	w->cap = cap;
	w->seq = calloc(cap, sizeof *w->seq);
	w->done = calloc(cap, sizeof *w->done);
	if (w->seq == NULL || w->done == NULL) {
		window_free(w);
		return (-1);
	}
	return (0);
}

void
window_free(struct window *w)
{
	free(w->seq);
	free(w->done);
	w->seq = NULL;
	w->done = NULL;
	w->head = w->n = w->cap = 0;
}

size_t
window_room(const struct window *w)
{
	return (w->cap - w->n);
}

size_t
window_pending(const struct window *w)
{
	return (w->n);
}

int
window_push(struct window *w, int64_t seq)
{
	size_t	at;

	if (w->n == w->cap)
		return (-1);
	at = (w->head + w->n) % w->cap;
	w->seq[at] = seq;
	w->done[at] = 0;
	w->n++;
	return (0);
}

int
window_answer(struct window *w, int64_t seq, int64_t *upto)
{
	size_t	lo = 0, hi = w->n, mid, at;

	/* Sent in ascending order: find seq by bisection. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->seq[(w->head + mid) % w->cap] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == w->n)
		return (0);
	at = (w->head + lo) % w->cap;
	if (w->seq[at] != seq || w->done[at])
		return (0);
	w->done[at] = 1;
	while (w->n > 0 && w->done[w->head]) {
		*upto = w->seq[w->head];
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	return (1);
}

void
window_clear(struct window *w)
{
	w->head = w->n = 0;
}
