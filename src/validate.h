/* Validation of a report object against the protocol's field rules. */
#ifndef KENTONGAN_VALIDATE_H
#define KENTONGAN_VALIDATE_H

#include <stdint.h>

#include <jansson.h>

#include "levels.h"
#include "taxonomy.h"
#include "verdict.h"

#define REPORT_TITLE_MAX_CHARS		200
#define REPORT_DESCRIPTION_MAX_BYTES	16384
#define REPORT_INDICATORS_MAX		1000
#define REPORT_FUTURE_SLACK_USEC	(5LL * 60 * 1000000)

/*
 * What the hub needs to know of a valid report. The strings point into the
 * report object and live as long as it does.
 */
struct report_view {
	const char	*id;
	const char	*code;
	enum severity	 severity;
	enum tlp	 tlp;
	const char	*title;
	int		 has_observed_at;
	int64_t		 observed_at;	/* usec since the epoch */
	const json_t	*recipients;	/* array of strings, or NULL */
};

/*
 * Check report (the value of the "report" key) against every rule of the
 * report table. now_usec is the hub's clock, for the future-time rule.
 * Returns 0 and fills *view, or -1 with *v set; field paths start with
 * "report.". Recipient IDs are only checked for form here: whether they
 * exist and may receive is the sharing policy's business.
 */
int	validate_report(const json_t *report, const struct taxonomy *,
	    int64_t now_usec, struct report_view *view, struct verdict *v);

/* 1 if s is a UUID in text form (8-4-4-4-12 hex digits). */
int	validate_uuid(const char *s);
/* 1 if s is a member ID: 1-32 of A-Z a-z 0-9 _ -. */
int	validate_member_id(const char *s);

#endif
