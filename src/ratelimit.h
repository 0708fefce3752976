/* A token bucket: RATE reports a second on average, bursts up to BURST. */
#ifndef KENTONGAN_RATELIMIT_H
#define KENTONGAN_RATELIMIT_H

#include <stdint.h>

struct ratelimit {
	unsigned	rate;		/* tokens per second; 0 = unlimited */
	unsigned	burst;
	double		tokens;
	int64_t		last_usec;
};

/* Start full. */
void	ratelimit_init(struct ratelimit *, unsigned rate, unsigned burst,
	    int64_t now_usec);
/* Change rate and burst, keeping what is left (capped at the new burst). */
void	ratelimit_configure(struct ratelimit *, unsigned rate, unsigned burst);
/* Take one token: 1 if there was one, 0 if the caller must refuse. */
int	ratelimit_take(struct ratelimit *, int64_t now_usec);

#endif
