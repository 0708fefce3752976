/* The reports sent: valid, of a chosen size, stamped with their send time. */
#ifndef KENTONGAN_BENCH_REPORT_H
#define KENTONGAN_BENCH_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* The longest description a report may carry (SPEC section 5). */
#define BENCH_REPORT_DESCRIPTION_MAX	16384

/*
 * One publisher's report line, rewritten in place for each report: a new
 * id (a counter in the UUID's last twelve digits) and the send time.
 */
struct bench_report {
	char		*line;		/* the whole message and its newline */
	size_t		 len;
	size_t		 counter_at;	/* offset of the id's counter digits */
	size_t		 stamp_at;	/* offset of the time stamp's digits */
	uint64_t	 counter;
	uint64_t	 counter_base;
};

/* The shortest line a report from sender can be. */
size_t	bench_report_min_size(const char *sender);
/*
 * Build the line of a publisher named sender, padded with a description so
 * that it is size bytes with its newline. -1 with *cause if size is out of
 * range or memory is short.
 */
int	bench_report_init(struct bench_report *, const char *sender,
	    size_t size, char **cause);
/* Make the line the next report, sent at now_ns (CLOCK_MONOTONIC). */
void	bench_report_next(struct bench_report *, uint64_t now_ns);
/* The send time stamped in text (an alert or a payload); -1 if none. */
int	bench_report_stamp(const char *text, size_t len, uint64_t *ns);
void	bench_report_free(struct bench_report *);

#endif
