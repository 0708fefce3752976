/*
 * Report counts by period: how many reports of each code, severity and
 * sender were received in each UTC day and hour. The store keeps them up
 * to date at every commit, so statistics over any history read a few
 * hundred rows instead of every report. Pure: the tally of one commit and
 * the cover of a time window by whole periods; no I/O.
 */
#ifndef KENTONGAN_COUNTS_H
#define KENTONGAN_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#define COUNTS_DAY	86400
#define COUNTS_HOUR	3600

/* The counted dimensions, as stored. */
#define COUNTS_CODE	"code"
#define COUNTS_SEVERITY	"severity"
#define COUNTS_SENDER	"sender"
/* Not stored: the day of each count, when statistics are put together. */
#define COUNTS_BY_DAY	"day"

/* The start (seconds since the epoch) of the period of span holding t (usec). */
int64_t	counts_period(int64_t t_usec, int64_t span);

/* Counts gathered in memory before they are added to the stored ones. */
struct counts_tally;

struct counts_tally	*counts_tally_new(void);
/* Count one report received at t (usec) in both spans; -1 on no memory. */
int	counts_tally_report(struct counts_tally *, int64_t t_usec,
	    const char *code, int severity, const char *sender);
/*
 * Add n to the count of (span, start, dimension, key); dimension is one of
 * the COUNTS_ names, which must outlive the tally. -1 on no memory.
 */
int	counts_tally_add(struct counts_tally *, int64_t span, int64_t start,
	    const char *dimension, const char *key, int64_t n);
size_t	counts_tally_size(const struct counts_tally *);
/* One gathered count, in no particular order. */
void	counts_tally_entry(const struct counts_tally *, size_t,
	    int64_t *span, int64_t *start, const char **dimension,
	    const char **key, int64_t *n);
/* Forget everything counted, keeping the memory. */
void	counts_tally_reset(struct counts_tally *);
void	counts_tally_free(struct counts_tally *);

/*
 * One piece of a window, [since, until) in usec: a run of whole periods of
 * span, or (span 0) a stretch to be counted report by report.
 */
struct counts_piece {
	int64_t	span;		/* COUNTS_DAY, COUNTS_HOUR, or 0 */
	int64_t	since;
	int64_t	until;
};

/*
 * Cover [since, until) (usec) with a run of whole days where one fits,
 * whole hours at its edges, and raw stretches of less than an hour at the
 * very ends: at most five pieces, in time order. Stops and returns -1 if
 * cb does.
 */
int	counts_cover(int64_t since, int64_t until,
	    int (*cb)(const struct counts_piece *, void *), void *arg);

#endif
