/*
 * What the console's pages show, without I/O: tables of reports, the
 * timeline and statistics plots, a report's fields, its delivery matrix
 * and its ledger entry, as HTML fragments. console.c reads the data and
 * sends the pages.
 */
#ifndef KENTONGAN_CONSOLE_VIEW_H
#define KENTONGAN_CONSOLE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"

struct evbuffer;

/* Reports on the live page, newest first. */
#define CONSOLE_LATEST		20
/* Hours of the timeline, the current one last. */
#define CONSOLE_HOURS		24
/* Bars of a plot by code or sender; the rest are summed as "others". */
#define CONSOLE_TOP		15
/* The severities, info to critical. */
#define CONSOLE_NSEVERITIES	(SEVERITY_CRITICAL + 1)
/* The RSIT classes, in the taxonomy's order, and one for any other. */
#define CONSOLE_NCLASSES	12

/* One report as a row of a table. */
struct console_row {
	int64_t		 seq;
	int64_t		 received_at;
	const char	*sender;
	const char	*code;
	enum severity	 severity;
	enum tlp	 tlp;
	const char	*title;		/* NULL: none */
	int64_t		 nrecipients;
	int		 forwarded;
};

/* The last CONSOLE_HOURS hours of reports, by class and by severity. */
struct console_timeline {
	int64_t	first_hour;	/* seconds since the epoch */
	int64_t	by_class[CONSOLE_NCLASSES][CONSOLE_HOURS];
	int64_t	by_severity[CONSOLE_NSEVERITIES][CONSOLE_HOURS];
};

/* One count of the statistics. */
struct console_count {
	char	*key;
	int64_t	 n;
};

/* The statistics of a period, as read. */
struct console_stats {
	struct console_count	*by_code, *by_sender, *by_day;
	size_t			 ncode, nsender, nday;
	int64_t			 by_severity[CONSOLE_NSEVERITIES];
	int64_t			 total;
};

/* One recipient of a report. */
struct console_delivery {
	const char	*member;
	const char	*tier;
	int64_t		 delivered_at;	/* 0: not yet */
	int64_t		 acked_at;	/* 0: not yet */
	int		 is_signed;	/* 1, 0, -1 unknown */
};

/* A report's ledger entry, and what recomputing it found. */
struct console_ledger {
	int	 has_entry;
	int64_t	 n;
	char	 hash[65];
	char	 prev[65];
	int	 verified;	/* 1 recomputed equal, 0 not, -1 not checked */
	char	*why;		/* when not verified */
};

/* The index of a code's class in CONSOLE_NCLASSES. */
size_t	console_class_index(const char *code);
const char *console_class_name(size_t);
/* "2026-12-04 18:12:07Z", the console's way of showing a time. */
char	*console_time(int64_t usec, char *buf, size_t size);

/* The head of a table of reports, then rows, then the end. */
int	console_view_rows_start(struct evbuffer *, const char *tbody_id);
int	console_view_row(struct evbuffer *, const struct console_row *);
int	console_view_rows_end(struct evbuffer *, size_t nrows,
	    const char *empty_note);
/* The two timeline plots. */
int	console_view_timeline(struct evbuffer *, const struct console_timeline *);
/* The statistics plots: by day, by code, by sender, by severity. */
int	console_view_stats(struct evbuffer *, const struct console_stats *);
void	console_stats_clear(struct console_stats *);
/* Add n to key's count in a list; -1 on no memory. */
int	console_stats_add(struct console_count **, size_t *, const char *key,
	    int64_t n);
/*
 * A report's fields from its stored JSON text (title, description, code,
 * severity, TLP, indicators, sectors, observed_at, origin). -1 on no
 * memory or a body that is not a JSON object.
 */
int	console_view_report(struct evbuffer *, const struct console_row *,
	    const char *body, size_t len, const char *origin);
/* The delivery matrix. */
int	console_view_deliveries(struct evbuffer *,
	    const struct console_delivery *, size_t n);
/* The ledger entry. */
int	console_view_ledger(struct evbuffer *, const struct console_ledger *);

#endif
