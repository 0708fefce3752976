/* Token buckets for the per-member report rate. */
#include <stdio.h>

#include "ratelimit.h"

void
ratelimit_init(struct ratelimit *rl, unsigned rate, unsigned burst,
    int64_t now_usec)
{
	rl->rate = rate;
	rl->burst = burst;
	rl->tokens = burst;
	rl->last_usec = now_usec;
}

void
ratelimit_configure(struct ratelimit *rl, unsigned rate, unsigned burst)
{
	rl->rate = rate;
	rl->burst = burst;
	if (rl->tokens > burst)
		rl->tokens = burst;
}

int
ratelimit_take(struct ratelimit *rl, int64_t now_usec)
{
	if (rl->rate == 0)
		return (1);
	/* A clock that steps back refills nothing rather than draining. */
	if (now_usec > rl->last_usec) {
		rl->tokens += (double)(now_usec - rl->last_usec) * rl->rate /
		    1e6;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
	}
	rl->last_usec = now_usec;
	if (rl->tokens < 1.0)
		return (0);
	rl->tokens -= 1.0;
	return (1);
}

int
throttle_pass(struct throttle *t, int64_t now_usec, int64_t interval_usec,
    uint64_t *suppressed)
{
	if (t->last_usec != 0 && now_usec - t->last_usec < interval_usec &&
	    now_usec >= t->last_usec) {
		t->suppressed++;
		return (0);
	}
	*suppressed = t->suppressed;
	t->suppressed = 0;
	t->last_usec = now_usec;
	return (1);
}

int
throttle_pass_burst(struct throttle *t, int64_t now_usec,
    int64_t interval_usec, unsigned burst, uint64_t *suppressed)
{
	if (t->last_usec != 0 && now_usec - t->last_usec < interval_usec &&
	    now_usec >= t->last_usec) {
		if (t->passed < burst) {
			t->passed++;
			*suppressed = 0;
			return (1);
		}
		t->suppressed++;
		return (0);
	}
	*suppressed = t->suppressed;
	t->suppressed = 0;
	t->passed = 1;
	t->last_usec = now_usec;
	return (1);
}

const char *
throttle_note(char buf[THROTTLE_NOTE_MAX], uint64_t suppressed)
{
	if (suppressed == 0)
		return ("");
	snprintf(buf, THROTTLE_NOTE_MAX, " (%llu more since the last such "
	    "line)", (unsigned long long)suppressed);
	return (buf);
}
