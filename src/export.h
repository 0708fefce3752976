/* An alert in the formats other tools read: STIX 2.1 or MISP. */
#ifndef KENTONGAN_EXPORT_H
#define KENTONGAN_EXPORT_H

#include <jansson.h>

enum export_format {
	EXPORT_JSON,		/* the hub's own shape */
	EXPORT_STIX,
	EXPORT_MISP
};

/* The format named "json", "stix" or "misp"; -1 for any other name. */
int		 export_format_parse(const char *name, enum export_format *);
/* The media type of one exported alert. */
const char	*export_content_type(enum export_format);
/*
 * Alert j (an alert message, a query result's element or an operator
 * report) in format, its IDs minted for hub, as one line of compact JSON
 * (no newline), malloc'd. NULL with *cause (malloc'd) on failure.
 */
char		*export_alert(const json_t *j, enum export_format,
		    const char *hub, char **cause);

#endif
