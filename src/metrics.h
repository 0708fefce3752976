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
	uint64_t	forwards_sent;		/* to peer hubs */
	uint64_t	acks;
	uint64_t	acks_signed;
	uint64_t	accept_errors;		/* accept() failed (descriptors) */
	uint64_t	http_refused;		/* requests the parser refused */
};

#define METRICS_STATUSES	16

/* The operator API's answers to one operator, by status. */
struct metrics_statuses {
	int		status[METRICS_STATUSES];
	uint64_t	count[METRICS_STATUSES];
	size_t		n;
	uint64_t	other;		/* statuses past the table */
};

/* Gauges read at scrape time. */
struct metrics_gauges {
	unsigned	connections;
	unsigned	subscribers;
	int64_t		last_seq;
	size_t		reads_pending;	/* reads queued or running */
	int		store_broken;	/* commits refused for good */
	int64_t		uptime;		/* seconds since the start */
	int64_t		cert_left;	/* seconds the hub's certificate has */
	int		has_crl;
	int64_t		crl_left;	/* until the next CRL is due */
};

/* A party's lines in the scrape. */
struct metrics_member {
	const char			*id;
	int				 role;	/* enum role */
	int				 connected;
	int64_t				 acked_seq;
	int64_t				 backlog;
	const struct metrics_statuses	*http_statuses;	/* or NULL */
	/* A peer hub's: our forwards it took and refused, its we refused. */
	uint64_t			 forwarded;
	uint64_t			 refused_by_peer;
	uint64_t			 refused_from_peer;
};

/* Count one commit of the given duration. */
void	metrics_histogram_add(struct metrics_histogram *, double seconds);
/* Count one answer of the operator API. */
void	metrics_status_count(struct metrics_statuses *, int status);
/*
 * The Prometheus text exposition of everything, malloc'd (NULL on no
 * memory). Member lines are for members and partners; answer counts for
 * operators.
 */
char	*metrics_render(const struct metrics *, const struct metrics_histogram *,
	    const struct metrics_gauges *, const struct metrics_member *,
	    size_t nmembers);

#endif
