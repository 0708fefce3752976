/* MISP export and import. */
#include <stdlib.h>
#include <string.h>

#include "misp.h"

json_t *
misp_event(const struct interop_alert *a, char **cause)
{
	(void)a;
	*cause = strdup("MISP export is not built yet");
	return (NULL);
}

json_t *
misp_manifest_entry(const json_t *event, char **cause)
{
	(void)event;
	*cause = strdup("MISP export is not built yet");
	return (NULL);
}

json_t *
misp_events(const json_t *doc, char **cause)
{
	(void)doc;
	*cause = strdup("MISP import is not built yet");
	return (NULL);
}

json_t *
misp_import(const json_t *event, const json_t *defaults, json_t *warnings,
    char **cause)
{
	(void)event;
	(void)defaults;
	(void)warnings;
	*cause = strdup("MISP import is not built yet");
	return (NULL);
}
