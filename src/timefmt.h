/* RFC 3339 times: parsing what peers send, formatting what the hub stamps. */
#ifndef KENTONGAN_TIMEFMT_H
#define KENTONGAN_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse an RFC 3339 date-time ("2026-11-20T07:15:00Z", fractions and
 * numeric offsets allowed, 't'/'z' accepted in lower case) into
 * microseconds since the epoch, UTC. Checks calendar validity.
 * Returns 0, or -1 if s is not such a time.
 */
int	rfc3339_parse(const char *s, int64_t *usec);
/*
 * Format usec as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 25 bytes).
 * Returns buf.
 */
char	*rfc3339_format(int64_t usec, char *buf, size_t size);
/* Microseconds since the epoch, from the real-time clock. */
int64_t	 time_now_usec(void);

#define RFC3339_BUFSIZE 32

#endif
