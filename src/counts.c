/* Tallies of report counts by day and hour, and windows cut into whole periods. */
#include <stdlib.h>
#include <string.h>

#include "counts.h"

int64_t
counts_period(int64_t t_usec, int64_t span)
{
	int64_t	s = t_usec / 1000000;

	if (t_usec < 0 && t_usec % 1000000 != 0)
		s--;
	return (s - ((s % span) + span) % span);
}

struct counts_entry {
	int64_t			 span;
	int64_t			 start;
	const char		*dimension;	/* one of the COUNTS_ names */
	char			*key;
	int64_t			 n;
	struct counts_entry	*next;
};

#define COUNTS_BUCKETS	512

struct counts_tally {
	struct counts_entry	*buckets[COUNTS_BUCKETS];
	struct counts_entry	**entries;
	size_t			 n;
	size_t			 cap;
};

struct counts_tally *
counts_tally_new(void)
{
	return (calloc(1, sizeof(struct counts_tally)));
}

/* A hash of the whole identity of a count. */
static size_t
counts_bucket(int64_t span, int64_t start, const char *dimension,
    const char *key)
{
	uint64_t	h = 1469598103934665603ULL;

	h = (h ^ (uint64_t)span) * 1099511628211ULL;
	h = (h ^ (uint64_t)start) * 1099511628211ULL;
	for (; *dimension != '\0'; dimension++)
		h = (h ^ (unsigned char)*dimension) * 1099511628211ULL;
	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return ((size_t)(h % COUNTS_BUCKETS));
}

int
counts_tally_add(struct counts_tally *t, int64_t span, int64_t start,
    const char *dimension, const char *key, int64_t n)
{
	struct counts_entry	*e, **grown;
	size_t			 bucket, cap;

	bucket = counts_bucket(span, start, dimension, key);
	for (e = t->buckets[bucket]; e != NULL; e = e->next) {
		if (e->span == span && e->start == start &&
		    strcmp(e->dimension, dimension) == 0 &&
		    strcmp(e->key, key) == 0) {
			e->n += n;
			return (0);
		}
	}
	if (t->n == t->cap) {
		cap = t->cap == 0 ? 64 : t->cap * 2;
		if ((grown = reallocarray(t->entries, cap, sizeof *grown)) ==
		    NULL)
			return (-1);
		t->entries = grown;
		t->cap = cap;
	}
	if ((e = calloc(1, sizeof *e)) == NULL)
		return (-1);
	if ((e->key = strdup(key)) == NULL) {
		free(e);
		return (-1);
	}
	e->span = span;
	e->start = start;
	e->dimension = dimension;
	e->n = n;
	e->next = t->buckets[bucket];
	t->buckets[bucket] = e;
	t->entries[t->n++] = e;
	return (0);
}

int
counts_tally_report(struct counts_tally *t, int64_t t_usec, const char *code,
    int severity, const char *sender)
{
	static const int64_t	 spans[] = { COUNTS_DAY, COUNTS_HOUR };
	char			 level[2] = { 0, 0 };
	size_t			 i;
	int64_t			 start;

	level[0] = (char)('0' + severity);
	for (i = 0; i < sizeof spans / sizeof spans[0]; i++) {
		start = counts_period(t_usec, spans[i]);
		if (counts_tally_add(t, spans[i], start, COUNTS_CODE,
		    code, 1) == -1 ||
		    counts_tally_add(t, spans[i], start, COUNTS_SEVERITY,
		    level, 1) == -1 ||
		    counts_tally_add(t, spans[i], start, COUNTS_SENDER,
		    sender, 1) == -1)
			return (-1);
	}
	return (0);
}

size_t
counts_tally_size(const struct counts_tally *t)
{
	return (t->n);
}

void
counts_tally_entry(const struct counts_tally *t, size_t i, int64_t *span,
    int64_t *start, const char **dimension, const char **key, int64_t *n)
{
	const struct counts_entry	*e = t->entries[i];

	*span = e->span;
	*start = e->start;
	*dimension = e->dimension;
	*key = e->key;
	*n = e->n;
}

void
counts_tally_reset(struct counts_tally *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		free(t->entries[i]->key);
		free(t->entries[i]);
	}
	memset(t->buckets, 0, sizeof t->buckets);
	t->n = 0;
}

void
counts_tally_free(struct counts_tally *t)
{
	if (t == NULL)
		return;
	counts_tally_reset(t);
	free(t->entries);
	free(t);
}

/* Hand on one piece unless it is empty; -1 if the callback says stop. */
static int
counts_emit(int64_t span, int64_t since, int64_t until,
    int (*cb)(const struct counts_piece *, void *), void *arg)
{
	struct counts_piece	p = { span, since, until };

	if (since >= until)
		return (0);
	return (cb(&p, arg) == -1 ? -1 : 0);
}

/*
 * Cover [since, until) with one run of whole periods of span where any
 * fits, and what is left at either end with the next smaller span (hours,
 * then raw stretches).
 */
static int
counts_cover_span(int64_t since, int64_t until, int64_t span,
    int (*cb)(const struct counts_piece *, void *), void *arg)
{
	int64_t	 first, last, smaller;

	if (since >= until)
		return (0);
	if (span == 0)
		return (counts_emit(0, since, until, cb, arg));
	smaller = span == COUNTS_DAY ? COUNTS_HOUR : 0;
	first = counts_period(since, span) * 1000000;
	if (first < since)
		first += span * 1000000;
	last = counts_period(until, span) * 1000000;
	if (first >= last)
		return (counts_cover_span(since, until, smaller, cb, arg));
	if (counts_cover_span(since, first, smaller, cb, arg) == -1 ||
	    counts_emit(span, first, last, cb, arg) == -1 ||
	    counts_cover_span(last, until, smaller, cb, arg) == -1)
		return (-1);
	return (0);
}

int
counts_cover(int64_t since, int64_t until,
    int (*cb)(const struct counts_piece *, void *), void *arg)
{
	return (counts_cover_span(since, until, COUNTS_DAY, cb, arg));
}
