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

/* Quiet time between two log lines about the same repeated event. */
#define THROTTLE_INTERVAL_USEC	(10 * 1000000LL)

/*
 * At most one log line per interval for a repeated event (a flood of refused
 * connections must not become a flood of log lines).
 */
struct throttle {
	int64_t		last_usec;	/* when a line was last let through */
	uint64_t	suppressed;	/* events since then not logged */
	unsigned	passed;		/* let through in this interval */
};

/*
 * 1 if this event may be logged now; *suppressed is then how many were
 * silenced before it. 0 if it must stay silent (it is counted).
 */
int	throttle_pass(struct throttle *, int64_t now_usec, int64_t interval_usec,
	    uint64_t *suppressed);

/*
 * The same, letting the first burst events of each interval through: for
 * events that are worth a line each while they are rare.
 */
int	throttle_pass_burst(struct throttle *, int64_t now_usec,
	    int64_t interval_usec, unsigned burst, uint64_t *suppressed);

#define THROTTLE_NOTE_MAX	64
/* " (N more since the last such line)", or "" when none were silenced. */
const char	*throttle_note(char buf[THROTTLE_NOTE_MAX], uint64_t suppressed);

#endif
