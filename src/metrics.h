/* Counters of the hub and their Prometheus text form. */
#ifndef KENTONGAN_METRICS_H
#define KENTONGAN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

#define METRICS_COMMIT_BUCKETS	12

/* Upper bounds of the commit latency buckets, in seconds; the last is +Inf. */
extern const double metrics_commit_bounds[METRICS_COMMIT_BUCKETS - 1];

/* Commit durations, kept by the commit thread. */
struct metrics_histogram {
	uint64_t	buckets[METRICS_COMMIT_BUCKETS];	/* not cumulative */
	uint64_t	count;
	double		sum;		/* seconds */
};

/* Counters kept by the event loop. */
struct metrics {
	uint64_t	connections_accepted;
	uint64_t	handshakes_failed;
	uint64_t	handshakes_evicted;	/* to make room for new ones */
	uint64_t	connections_refused;	/* past a connection limit */
	uint64_t	reports_accepted;
	uint64_t	reports_duplicate;
	uint64_t	reports_refused[PROTO_NERRORS];
	uint64_t	alerts_delivered;
	uint64_t	acks;
};

/* A member's line in the scrape. */
struct metrics_member {
	const char	*id;
	int		 connected;
	int64_t		 acked_seq;
	int64_t		 backlog;
};

/* Count one commit of the given duration. */
void	metrics_histogram_add(struct metrics_histogram *, double seconds);
/*
 * The Prometheus text exposition of everything, malloc'd (NULL on no
 * memory). connections and subscribers are gauges read at scrape time.
 */
char	*metrics_render(const struct metrics *, const struct metrics_histogram *,
	    unsigned connections, unsigned subscribers, int64_t last_seq,
	    const struct metrics_member *, size_t nmembers);

#endif
