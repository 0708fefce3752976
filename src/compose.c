/* Reports composed from flags, and UUIDs for reports that have none. */
#include <stdio.h>
#include <string.h>

#include "compose.h"

int
compose_used(const struct compose *c)
{
	return (c->id != NULL || c->code != NULL || c->severity != NULL ||
	    c->tlp != NULL || c->title != NULL || c->description != NULL ||
	    c->observed_at != NULL || c->nindicators > 0 || c->nsectors > 0 ||
	    c->nrecipients > 0);
}

int
compose_add(const char **list, size_t *n, const char *item)
{
	if (*n >= COMPOSE_LIST_MAX)
		return (-1);
	list[(*n)++] = item;
	return (0);
}

/* Set a string field if the flag was given. */
static int
compose_set(json_t *report, const char *key, const char *value)
{
	if (value == NULL)
		return (0);
	return (json_object_set_new(report, key, json_string(value)));
}

/* An array of strings from a list of flags. */
static json_t *
compose_strings(const char *const *list, size_t n)
{
	json_t	*array;
	size_t	 i;

	if ((array = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (json_array_append_new(array, json_string(list[i])) == -1) {
			json_decref(array);
			return (NULL);
		}
	}
	return (array);
}

/* The indicators array from "TYPE:VALUE" flags. */
static json_t *
compose_indicators(const struct compose *c, char **cause)
{
	json_t		*array, *item;
	const char	*colon;
	size_t		 i;

	if ((array = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < c->nindicators; i++) {
		colon = strchr(c->indicators[i], ':');
		if (colon == NULL || colon == c->indicators[i] ||
		    colon[1] == '\0') {
			if (asprintf(cause, "--indicator \"%s\": expected "
			    "TYPE:VALUE, e.g. ipv4:203.0.113.7",
			    c->indicators[i]) == -1)
				*cause = NULL;
			json_decref(array);
			return (NULL);
		}
		item = json_pack("{s:s%, s:s}", "type", c->indicators[i],
		    (size_t)(colon - c->indicators[i]), "value", colon + 1);
		if (item == NULL || json_array_append_new(array, item) == -1) {
			json_decref(array);
			return (NULL);
		}
	}
	return (array);
}

json_t *
compose_report(const struct compose *c, char **cause)
{
	json_t	*report, *list;

	*cause = NULL;
	if ((report = json_object()) == NULL)
		goto nomem;
	if (compose_set(report, "id", c->id) == -1 ||
	    compose_set(report, "code", c->code) == -1 ||
	    compose_set(report, "severity", c->severity) == -1 ||
	    compose_set(report, "tlp", c->tlp) == -1 ||
	    compose_set(report, "title", c->title) == -1 ||
	    compose_set(report, "description", c->description) == -1 ||
	    compose_set(report, "observed_at", c->observed_at) == -1)
		goto nomem;
	if (c->nindicators > 0) {
		if ((list = compose_indicators(c, cause)) == NULL)
			goto fail;
		if (json_object_set_new(report, "indicators", list) == -1)
			goto nomem;
	}
	if (c->nsectors > 0 && ((list = compose_strings(c->sectors,
	    c->nsectors)) == NULL ||
	    json_object_set_new(report, "sectors", list) == -1))
		goto nomem;
	if (c->nrecipients > 0 && ((list = compose_strings(c->recipients,
	    c->nrecipients)) == NULL ||
	    json_object_set_new(report, "recipients", list) == -1))
		goto nomem;
	return (report);
nomem:
	if (*cause == NULL && asprintf(cause, "out of memory") == -1)
		*cause = NULL;
fail:
	json_decref(report);
	return (NULL);
}

void
compose_uuid(const unsigned char random[16], char out[37])
{
	unsigned char	b[16];
	size_t		i, o = 0;

	memcpy(b, random, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", b[i]);
		o += 2;
	}
	out[o] = '\0';
}
