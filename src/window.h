/*
 * The forwards sent on a link and not answered yet, in the order sent
 * (ascending seq). Answers may come in any order; the link's cursor moves
 * to the highest seq answered with every seq before it. Pure.
 */
#ifndef KENTONGAN_WINDOW_H
#define KENTONGAN_WINDOW_H

#include <stddef.h>
#include <stdint.h>

struct window {
	int64_t		*seq;
	unsigned char	*done;
	size_t		 head;
	size_t		 n;
	size_t		 cap;
};

/* Room for cap forwards; -1 on no memory. */
int	window_init(struct window *, size_t cap);
void	window_free(struct window *);
/* Forwards that may still be sent before one is answered. */
size_t	window_room(const struct window *);
/* Forwards sent and not answered. */
size_t	window_pending(const struct window *);
/* Note a forward sent: seq above every seq noted so far; -1 when full. */
int	window_push(struct window *, int64_t seq);
/*
 * Note the answer for seq: 0 if it was not waiting (an answer twice, or
 * for nothing sent). 1 otherwise; then *upto is the highest seq answered
 * with all before it, if that moved (else left as it was).
 */
int	window_answer(struct window *, int64_t seq, int64_t *upto);
/* Forget every forward waiting (the link is gone; they are sent again). */
void	window_clear(struct window *);

#endif
