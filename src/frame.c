/* Line framing over an evbuffer: no copies until a whole line is there. */
#include <stdlib.h>

#include <event2/buffer.h>

#include "frame.h"

enum frame_status
frame_next(struct evbuffer *input, size_t max, size_t *scanned, size_t *len)
{
	struct evbuffer_ptr	start, eol;
	size_t			buffered = evbuffer_get_length(input);

	if (*scanned > 0 && *scanned <= buffered &&
	    evbuffer_ptr_set(input, &start, *scanned, EVBUFFER_PTR_SET) == 0)
		eol = evbuffer_search_eol(input, &start, NULL, EVBUFFER_EOL_LF);
	else
		eol = evbuffer_search_eol(input, NULL, NULL, EVBUFFER_EOL_LF);
	if (eol.pos == -1) {
		*scanned = buffered;
		return buffered > max ? FRAME_TOO_LARGE : FRAME_MORE;
	}
	/* The line will be taken: the next search starts after it. */
	*scanned = 0;
	if ((size_t)eol.pos > max)
		return FRAME_TOO_LARGE;
	*len = (size_t)eol.pos;
	return FRAME_LINE;
}

char *
frame_take(struct evbuffer *input, size_t len)
{
	char	*line;

	/* Nothing is taken unless the line and its LF are all there. */
	if (evbuffer_get_length(input) <= len)
		return NULL;
	if ((line = malloc(len + 1)) == NULL)
		return NULL;
	if (evbuffer_remove(input, line, len) != (int)len ||
	    evbuffer_drain(input, 1) == -1) {
		free(line);
		return NULL;
	}
	line[len] = '\0';
	return line;
}
