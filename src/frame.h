/* Line framing of the member protocol: one request per LF-terminated line. */
#ifndef KENTONGAN_FRAME_H
#define KENTONGAN_FRAME_H

#include <stddef.h>

struct evbuffer;

enum frame_status {
	FRAME_LINE,		/* a whole line is at the front of the buffer */
	FRAME_MORE,		/* no whole line yet; read more */
	FRAME_TOO_LARGE		/* the line at the front exceeds the limit */
};

/*
 * Look for the next line in input, which holds at most max bytes before its
 * LF. On FRAME_LINE, *len is its length without the LF; nothing is consumed.
 * A line that cannot fit is reported as soon as more than max bytes are
 * buffered without an LF, so a peer cannot make the buffer grow unbounded.
 * *scanned (0 at first, kept by the caller between calls) is how many
 * bytes at the front are known to hold no LF: a line that arrives a byte at
 * a time is searched once, not once per byte.
 */
enum frame_status	frame_next(struct evbuffer *input, size_t max,
			    size_t *scanned, size_t *len);
/*
 * Move the line found by frame_next (len bytes and its LF) into a new
 * NUL-terminated string. NULL on no memory, or when the buffer does not
 * hold len bytes and an LF (then nothing is taken).
 */
char			*frame_take(struct evbuffer *input, size_t len);

#endif
