/* An alert in the formats other tools read. */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "interop.h"
#include "misp.h"
#include "stix.h"

int
export_format_parse(const char *name, enum export_format *out)
{
	if (name == NULL)
		return (-1);
	if (strcmp(name, "json") == 0)
		*out = EXPORT_JSON;
	else if (strcmp(name, "stix") == 0)
		*out = EXPORT_STIX;
	else if (strcmp(name, "misp") == 0)
		*out = EXPORT_MISP;
	else
		return (-1);
	return (0);
}

const char *
export_content_type(enum export_format f)
{
	/* The media type STIX 2.1 (section 1.6) and TAXII name for it. */
	return (f == EXPORT_STIX ? "application/stix+json;version=2.1" :
	    "application/json");
}

char *
export_alert(const json_t *j, enum export_format f, const char *hub,
    char **cause)
{
	struct interop_alert	 a;
	json_t			*out;
	char			*text;

	*cause = NULL;
	if (f == EXPORT_JSON)
		out = json_incref((json_t *)j);
	else if (interop_alert_read(j, hub, &a, cause) == -1)
		return (NULL);
	else if (f == EXPORT_STIX)
		out = stix_bundle(&a, cause);
	else
		out = misp_event(&a, cause);
	if (out == NULL) {
		if (*cause == NULL)
			*cause = strdup("out of memory");
		return (NULL);
	}
	text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(out);
	if (text == NULL)
		*cause = strdup("out of memory");
	return (text);
}
