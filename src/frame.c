/* Line framing over an evbuffer: no copies until a whole line is there. */
#include <stdlib.h>

#include <event2/buffer.h>

#include "frame.h"

enum frame_status
frame_next(struct evbuffer *input, size_t max, size_t *len)
{
	struct evbuffer_ptr	eol;

	eol = evbuffer_search_eol(input, NULL, NULL, EVBUFFER_EOL_LF);
	if (eol.pos == -1)
		return evbuffer_get_length(input) > max ? FRAME_TOO_LARGE :
		    FRAME_MORE;
	if ((size_t)eol.pos > max)
		return FRAME_TOO_LARGE;
	*len = (size_t)eol.pos;
	return FRAME_LINE;
}

char *
frame_take(struct evbuffer *input, size_t len)
{
	char	*line;

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
