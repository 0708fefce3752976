/*
 * Spans of JSON text already known to be valid (jansson parsed it): where a
 * top-level member's value lies, and whether a value's text is the very
 * text jansson's compact dump of it would be. Together they let the hub
 * keep a report's bytes as received instead of dumping the parsed tree
 * again, when that changes nothing. Pure; no allocation.
 */
#ifndef KENTONGAN_JSONSPAN_H
#define KENTONGAN_JSONSPAN_H

#include <stddef.h>

/*
 * The span [*start, *end) of the value of key in the top-level object of
 * the valid JSON text s: 0, or -1 if there is no such member written
 * without escapes in its key (the caller then takes the slow way).
 */
int	jsonspan_member(const char *s, size_t len, const char *key,
	    size_t *start, size_t *end);
/*
 * 1 if the valid JSON value s[0..len) is already as json_dumps with
 * JSON_COMPACT writes it: no whitespace outside strings, no escape in a
 * string, no number (whose spelling a dump may change). 0 otherwise, which
 * only means the caller must dump.
 */
int	jsonspan_compact(const char *s, size_t len);

#endif
