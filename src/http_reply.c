/* HTTP/1.1 replies without I/O: the statuses the hub sends. */
#include <stddef.h>

#include "http.h"

/* The statuses the hub sends: reason phrase, and JSON code for errors. */
static const struct {
	int		 status;
	const char	*reason;
	const char	*code;
} http_statuses[] = {
	{ 200, "OK", NULL },
	{ 204, "No Content", NULL },
	{ 301, "Moved Permanently", NULL },
	{ 303, "See Other", NULL },
	{ 304, "Not Modified", NULL },
	{ 400, "Bad Request", "bad_request" },
	{ 403, "Forbidden", "forbidden" },
	{ 404, "Not Found", "not_found" },
	{ 405, "Method Not Allowed", "method_not_allowed" },
	{ 408, "Request Timeout", "request_timeout" },
	{ 413, "Content Too Large", "body_too_large" },
	{ 414, "URI Too Long", "uri_too_long" },
	{ 429, "Too Many Requests", "rate_limited" },
	{ 431, "Request Header Fields Too Large", "header_too_large" },
	{ 500, "Internal Server Error", "internal_error" },
	{ 501, "Not Implemented", "not_implemented" },
	{ 503, "Service Unavailable", "unavailable" },
	{ 505, "HTTP Version Not Supported", "version_not_supported" },
};

#define HTTP_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The JSON error code of a status. */
const char *
http_error_code(int status)
{
	size_t	i;

	for (i = 0; i < HTTP_NITEMS(http_statuses); i++) {
		if (http_statuses[i].status == status &&
		    http_statuses[i].code != NULL)
			return (http_statuses[i].code);
	}
	return (status >= 500 ? "internal_error" : "bad_request");
}

/* The reason phrase of a status; "" if it has none here. */
const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < HTTP_NITEMS(http_statuses); i++) {
		if (http_statuses[i].status == status)
			return (http_statuses[i].reason);
	}
	return ("");
}
