/* Pacing of publishers: window, schedule and lead over the slowest subscriber. */
#include "bench_pace.h"

uint64_t
bench_pace_due(const struct bench_workload *wl, const struct bench_pace *p)
{
	uint64_t	outstanding, room, n, due, ahead;

	outstanding = p->sent - p->answered;
	room = outstanding < wl->window ? wl->window - outstanding : 0;
	if (wl->rate > 0) {
		due = (uint64_t)((double)p->elapsed_ns * p->rate_each / 1e9) +
		    1;
		n = due > p->sent ? due - p->sent : 0;
		return (n < room ? n : room);
	}
	if (room < BENCH_PACE_REFILL_MIN && outstanding > 0)
		return (0);
	n = room;
	if (wl->lead > 0 && p->subscribers) {
		ahead = p->published > p->slowest ?
		    p->published - p->slowest : 0;
		if (ahead >= wl->lead)
			return (0);
		if (n > wl->lead - ahead)
			n = wl->lead - ahead;
	}
	return (n);
}

uint64_t
bench_pace_slowest(struct bench_progress *progress, unsigned n)
{
	uint64_t	min = UINT64_MAX, v;
	unsigned	i;

	for (i = 0; i < n; i++) {
		v = atomic_load_explicit(&progress[i].n, memory_order_relaxed);
		if (v < min)
			min = v;
	}
	return (min);
}
