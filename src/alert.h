/* The alert message: built once from the stored report, sent as is. */
#ifndef KENTONGAN_ALERT_H
#define KENTONGAN_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"

/* tier for an alert about the asker's own report, in query results. */
#define ALERT_OWN_REPORT	(-1)

/*
 * Format {"type":"alert","seq":N,"sender":S,"received_at":T,"tier":X,
 * "report":BODY} followed by a newline when newline is set. BODY is the
 * stored compact JSON of the report, copied verbatim, so the alert carries
 * the report exactly as accepted. sender is a member ID and needs no
 * escaping. tier is an enum tier, or ALERT_OWN_REPORT for null. Returns a
 * malloc'd string and its length in *len, or NULL.
 */
char	*alert_format(int64_t seq, const char *sender, int64_t received_at,
	    int tier, const char *body, size_t body_len, int newline,
	    size_t *len);

#endif
