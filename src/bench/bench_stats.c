/* Latency samples: a growing array of microseconds, sorted once at the end. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_stats.h"

uint64_t
bench_stats_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

/* Make room for want more samples. */
static int
bench_stats_grow(struct bench_samples *s, size_t want)
{
	uint32_t	*v;
	size_t		 cap;

	if (s->cap - s->n >= want)
		return (0);
	cap = s->cap == 0 ? 65536 : s->cap;
	while (cap - s->n < want) {
		if (cap > SIZE_MAX / 2 / sizeof *v)
			return (-1);
		cap *= 2;
	}
	if ((v = realloc(s->v, cap * sizeof *v)) == NULL)
		return (-1);
	s->v = v;
	s->cap = cap;
	return (0);
}

int
bench_stats_add(struct bench_samples *s, uint64_t ns)
{
	uint64_t	us = (ns + 500) / 1000;

	if (s->n == s->cap && bench_stats_grow(s, 1) == -1)
		return (-1);
	s->v[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	return (0);
}

int
bench_stats_merge(struct bench_samples *dst, const struct bench_samples *src)
{
	if (src->n == 0)
		return (0);
	if (bench_stats_grow(dst, src->n) == -1)
		return (-1);
	memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	return (0);
}

/* Order two samples for qsort. */
static int
bench_stats_compare(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

void
bench_stats_sort(struct bench_samples *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, bench_stats_compare);
}

double
bench_stats_percentile(const struct bench_samples *s, double p)
{
	size_t	rank;

	if (s->n == 0)
		return (0);

	rank = (size_t)(p * (double)s->n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return ((double)s->v[rank - 1] / 1000.0);
}

void
bench_stats_summarise(struct bench_samples *s, struct bench_latency *l)
{
	double	sum = 0;
	size_t	i;

	memset(l, 0, sizeof *l);
	if (s->n == 0)
		return;
	bench_stats_sort(s);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	l->count = s->n;
	l->p50 = bench_stats_percentile(s, 0.50);
	l->p99 = bench_stats_percentile(s, 0.99);
	l->max = (double)s->v[s->n - 1] / 1000.0;
	l->mean = sum / (double)s->n / 1000.0;
}

void
bench_stats_free(struct bench_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

int
bench_stats_push(struct bench_fifo *f, uint64_t ns)
{
	uint64_t	*v;
	size_t		 cap, i;

	if (f->n == f->cap) {
		cap = f->cap == 0 ? 1024 : f->cap * 2;
		if (cap > SIZE_MAX / sizeof *v || (v = malloc(cap *
		    sizeof *v)) == NULL)
			return (-1);
		/* Unwrap the ring into the new array, oldest first. */
		for (i = 0; i < f->n; i++)
			v[i] = f->v[(f->head + i) % f->cap];
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	f->v[(f->head + f->n) % f->cap] = ns;
	f->n++;
	return (0);
}

int
bench_stats_pop(struct bench_fifo *f, uint64_t *ns)
{
	if (f->n == 0)
		return (-1);
	*ns = f->v[f->head];
	f->head = (f->head + 1) % f->cap;
	f->n--;
	return (0);
}

void
bench_stats_fifo_free(struct bench_fifo *f)
{
	free(f->v);
	memset(f, 0, sizeof *f);
}
