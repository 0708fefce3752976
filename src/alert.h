/* The alert message: built once from the stored report, sent as is. */
#ifndef KENTONGAN_ALERT_H
#define KENTONGAN_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"

/* tier for an alert about the asker's own report, in query results. */
#define ALERT_OWN_REPORT	(-1)

/* What an alert says about its report. */
struct alert_fields {
	int64_t		 seq;
	const char	*sender;	/* a member or peer ID */
	int64_t		 received_at;
	int		 tier;		/* enum tier, or ALERT_OWN_REPORT */
	const char	*origin;	/* stored origin (forward.c), or NULL */
	const char	*chain;		/* its ledger entry, hex, or NULL */
	const char	*body;		/* the report as accepted */
	size_t		 body_len;
};

/*
 * Format {"type":"alert","seq":N,"sender":S,"received_at":T,"tier":X,
 * ["chain":HEX,] ["origin":O,] "report":BODY} followed by a newline when
 * newline is set.
 * BODY is the stored compact JSON of the report, copied verbatim, so the
 * alert carries the report exactly as accepted; the origin of a forwarded
 * report likewise. sender is an ID and needs no escaping; tier
 * ALERT_OWN_REPORT is null. Returns a malloc'd string and its length in
 * *len, or NULL.
 */
char	*alert_format(const struct alert_fields *, int newline, size_t *len);

#endif
