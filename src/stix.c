/* STIX 2.1 export and import. */
#include <stdlib.h>
#include <string.h>

#include "stix.h"

json_t *
stix_bundle(const struct interop_alert *a, char **cause)
{
	(void)a;
	*cause = strdup("STIX export is not built yet");
	return (NULL);
}

char *
stix_pattern(const char *type, const char *value)
{
	(void)type;
	(void)value;
	return (NULL);
}

json_t *
stix_import(const json_t *bundle, const json_t *defaults, json_t *warnings,
    char **cause)
{
	(void)bundle;
	(void)defaults;
	(void)warnings;
	*cause = strdup("STIX import is not built yet");
	return (NULL);
}
