/* Latency samples, their percentiles, and the clock they are taken with. */
#ifndef KENTONGAN_BENCH_STATS_H
#define KENTONGAN_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Latencies in microseconds, in the order they were taken. */
struct bench_samples {
	uint32_t	*v;
	size_t		 n;
	size_t		 cap;
};

/* A summary of samples, in milliseconds; count 0 when there were none. */
struct bench_latency {
	size_t		 count;
	double		 p50;
	double		 p99;
	double		 max;
	double		 mean;
};

/* Send times of a publisher's unanswered reports, oldest first. */
struct bench_fifo {
	uint64_t	*v;
	size_t		 head;
	size_t		 n;
	size_t		 cap;
};

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t	bench_stats_now(void);
/* Add one latency given in nanoseconds; -1 on no memory. */
int		bench_stats_add(struct bench_samples *, uint64_t ns);
/* Append the samples of src to dst; -1 on no memory. */
int		bench_stats_merge(struct bench_samples *dst,
		    const struct bench_samples *src);
/* Sort the samples, smallest first. */
void		bench_stats_sort(struct bench_samples *);
/* The nearest-rank percentile p (0 < p <= 1) of sorted samples, in ms. */
double		bench_stats_percentile(const struct bench_samples *, double p);
/* Sort the samples and summarise them. */
void		bench_stats_summarise(struct bench_samples *,
		    struct bench_latency *);
/* Free the samples and empty the set. */
void		bench_stats_free(struct bench_samples *);
/* Append a send time; -1 on no memory. */
int		bench_stats_push(struct bench_fifo *, uint64_t ns);
/* Take the oldest send time; -1 if there is none. */
int		bench_stats_pop(struct bench_fifo *, uint64_t *ns);
void		bench_stats_fifo_free(struct bench_fifo *);

#endif
