/*
 * MISP import: the events of a MISP document, and one event as a hub
 * report. Tags give the code and label, attributes the indicators; what
 * has no place in a report is said in a warning, never dropped silently.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "levels.h"
#include "misp.h"

/* 1 if o looks like a bare MISP Event object. */
static int
misp_is_event(const json_t *o)
{
	return (json_is_object(o) && json_object_get(o, "Event") == NULL &&
	    (json_object_get(o, "info") != NULL ||
	    json_object_get(o, "Attribute") != NULL ||
	    json_object_get(o, "Tag") != NULL));
}

/* 1 if doc is a feed's manifest.json: UUID keys to event summaries. */
static int
misp_is_manifest(const json_t *doc)
{
	const char	*key;
	json_t		*value;

	if (!json_is_object(doc) || json_object_size(doc) == 0)
		return (0);
	json_object_foreach((json_t *)doc, key, value) {
		if (!interop_is_uuid(key) || !json_is_object(value))
			return (0);
	}
	return (1);
}

/* Append the Event of one element ({"Event":{}} or bare); -1 if none. */
static int
misp_add_event(json_t *events, const json_t *o)
{
	const json_t	*event = json_object_get(o, "Event");

	if (json_is_object(event))
		return (json_array_append(events, (json_t *)event));
	if (misp_is_event(o))
		return (json_array_append(events, (json_t *)o));
	return (-1);
}

json_t *
misp_events(const json_t *doc, char **cause)
{
	const json_t	*list, *o;
	json_t		*events;
	size_t		 i;

	*cause = NULL;
	if (misp_is_manifest(doc)) {
		*cause = strdup("this is a MISP feed's manifest.json, which "
		    "lists events; push the UUID.json files it names");
		return (NULL);
	}
	if ((events = json_array()) == NULL) {
		*cause = strdup("out of memory");
		return (NULL);
	}
	list = json_is_array(doc) ? doc : json_object_get(doc, "response");
	if (json_is_array(list)) {
		json_array_foreach(list, i, o) {
			if (misp_add_event(events, o) == -1) {
				*cause = interop_cause("element %zu of the "
				    "list is not a MISP event ({\"Event\":"
				    "{...}})", i + 1);
				json_decref(events);
				return (NULL);
			}
		}
	} else if (misp_add_event(events, doc) == -1) {
		*cause = strdup("the document is not a MISP event "
		    "({\"Event\":{...}}), a search result "
		    "({\"response\":[...]}) or a list of events");
		json_decref(events);
		return (NULL);
	}
	if (json_array_size(events) == 0) {
		*cause = strdup("the document holds no MISP event");
		json_decref(events);
		return (NULL);
	}
	return (events);
}

/* The event's tags: its Tag list, or the EventTag list of MISP's API. */
static void
misp_tag_names(const json_t *event, json_t *names)
{
	const json_t	*tag;
	size_t		 i;

	json_array_foreach(json_object_get(event, "Tag"), i, tag)
		if (json_is_string(json_object_get(tag, "name")))
			json_array_append(names, json_object_get(tag, "name"));
	json_array_foreach(json_object_get(event, "EventTag"), i, tag) {
		tag = json_object_get(json_object_get(tag, "Tag"), "name");
		if (json_is_string(tag))
			json_array_append(names, (json_t *)tag);
	}
}

/*
 * The value of a machine tag namespace:predicate="value" (or unquoted);
 * the predicate into *predicate if not NULL. NULL if name is not one.
 */
static char *
misp_machine_tag(const char *name, const char *ns, char **predicate)
{
	const char	*p, *eq;
	size_t		 n = strlen(ns), len;

	if (strncasecmp(name, ns, n) != 0 || name[n] != ':')
		return (NULL);
	p = name + n + 1;
	if ((eq = strchr(p, '=')) == NULL || eq == p)
		return (NULL);
	if (predicate != NULL && (*predicate = strndup(p,
	    (size_t)(eq - p))) == NULL)
		return (NULL);
	eq++;
	len = strlen(eq);
	if (len >= 2 && eq[0] == '"' && eq[len - 1] == '"') {
		eq++;
		len -= 2;
	}
	if (len == 0) {
		if (predicate != NULL) {
			free(*predicate);
			*predicate = NULL;
		}
		return (NULL);
	}
	return (strndup(eq, len));
}

/* The strictest tlp: tag, or NULL. */
static const char *
misp_tlp(const json_t *names)
{
	const json_t	*name;
	const char	*s;
	size_t		 i;
	int		 best = -1;

	json_array_foreach(names, i, name) {
		s = json_string_value(name);
		if (strncasecmp(s, "tlp:", 4) == 0)
			best = interop_tlp_stricter(best, s + 4);
	}
	return (best == -1 ? NULL : tlp_name((enum tlp)best));
}

/* The hub severity of a threat_level_id, given as a string or a number. */
static const char *
misp_severity_of_level(const json_t *level)
{
	static const char	*severities[] = { "high", "medium", "low" };
	long long		 n = -1;
	const char		*s;

	if (json_is_integer(level))
		n = json_integer_value(level);
	else if ((s = json_string_value(level)) != NULL && s[0] >= '0' &&
	    s[0] <= '9' && s[1] == '\0')
		n = s[0] - '0';
	/* 4 is MISP's "undefined": it says nothing. */
	return (n >= 1 && n <= 3 ? severities[n - 1] : NULL);
}

/* An attribute value as text: MISP gives strings, a few tools numbers. */
static char *
misp_value(const json_t *attr)
{
	const json_t	*v = json_object_get(attr, "value");
	char		*s;

	if (json_is_string(v))
		return (strdup(json_string_value(v)));
	if (json_is_integer(v) && asprintf(&s, "%" JSON_INTEGER_FORMAT,
	    json_integer_value(v)) != -1)
		return (s);
	return (NULL);
}

static const char *
misp_address_type(const char *value)
{
	if (strchr(value, '/') != NULL)
		return ("cidr");
	return (strchr(value, ':') != NULL ? "ipv6" : "ipv4");
}

/* Add {type,value} unless the report already has it. */
static int
misp_add_indicator(json_t *indicators, const char *type, const char *value)
{
	const json_t	*ind;
	size_t		 i;

	json_array_foreach(indicators, i, ind) {
		if (strcmp(json_string_value(json_object_get(ind, "type")),
		    type) == 0 && strcmp(json_string_value(json_object_get(ind,
		    "value")), value) == 0)
			return (0);
	}
	return (json_array_append_new(indicators, json_pack("{s:s, s:s}",
	    "type", type, "value", value)));
}

/*
 * The indicators of one attribute: 0 if it gave some, 1 if its type has
 * none in the hub, -1 for no memory. Composite types ("domain|ip",
 * "filename|sha256", "ip-dst|port") give what the hub can carry.
 */
static int
misp_attribute(json_t *indicators, const char *type, char *value)
{
	static const struct {
		const char	*misp;
		const char	*hub;
	} plain[] = {
		{ "domain", "domain" }, { "hostname", "domain" },
		{ "url", "url" }, { "email", "email" },
		{ "email-src", "email" }, { "email-dst", "email" },
		{ "md5", "md5" }, { "sha1", "sha1" }, { "sha256", "sha256" },
		{ "vulnerability", "cve" }, { "AS", "asn" },
	};
	char	*bar, *asn;
	size_t	 i;
	int	 rc;

	bar = strrchr(value, '|');
	if (strcmp(type, "ip-dst") == 0 || strcmp(type, "ip-src") == 0)
		return (misp_add_indicator(indicators,
		    misp_address_type(value), value));
	if (bar != NULL && (strcmp(type, "ip-dst|port") == 0 ||
	    strcmp(type, "ip-src|port") == 0 ||
	    strcmp(type, "hostname|port") == 0)) {
		*bar = '\0';
		return (misp_add_indicator(indicators, type[0] == 'h' ?
		    "domain" : misp_address_type(value), value));
	}
	if (bar != NULL && strcmp(type, "domain|ip") == 0) {
		*bar = '\0';
		if (misp_add_indicator(indicators, "domain", value) == -1)
			return (-1);
		return (misp_add_indicator(indicators,
		    misp_address_type(bar + 1), bar + 1));
	}
	if (bar != NULL && (strcmp(type, "filename|md5") == 0 ||
	    strcmp(type, "filename|sha1") == 0 ||
	    strcmp(type, "filename|sha256") == 0))
		return (misp_add_indicator(indicators, type + 9, bar + 1));
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (strcmp(plain[i].misp, type) != 0)
			continue;
		/* The hub writes an AS number with its "AS". */
		if (strcmp(type, "AS") == 0 && isdigit((unsigned char)*value)) {
			if (asprintf(&asn, "AS%s", value) == -1)
				return (-1);
			rc = misp_add_indicator(indicators, "asn", asn);
			free(asn);
			return (rc);
		}
		return (misp_add_indicator(indicators, plain[i].hub, value));
	}
	return (1);
}

static int
misp_deleted(const json_t *o)
{
	const json_t	*d = json_object_get(o, "deleted");

	return (json_is_true(d) || (json_is_string(d) &&
	    strcmp(json_string_value(d), "1") == 0));
}

/* Counts of left-out attributes by type, said once per type. */
static int
misp_count_left_out(json_t *left_out, const char *type)
{
	json_int_t	n;

	n = json_integer_value(json_object_get(left_out, type));
	return (json_object_set_new(left_out, type, json_integer(n + 1)));
}

/*
 * The attributes of the event and of its objects into indicators; the
 * description the hub's own export put in a text attribute into *desc.
 */
static int
misp_attributes(const json_t *event, json_t *indicators, char **desc,
    json_t *warnings)
{
	const json_t	*attr, *obj, *list;
	const char	*type, *comment, *key;
	json_t		*left_out, *n;
	char		*value;
	size_t		 i, k;
	int		 rc;

	if ((left_out = json_object()) == NULL)
		return (-1);
	/* The event's attributes first, then each object's, in order. */
	for (k = 0; k <= json_array_size(json_object_get(event, "Object"));
	    k++) {
		obj = k == 0 ? event : json_array_get(json_object_get(event,
		    "Object"), k - 1);
		if (k > 0 && misp_deleted(obj))
			continue;
		list = json_object_get(obj, "Attribute");
		json_array_foreach(list, i, attr) {
			type = json_string_value(json_object_get(attr, "type"));
			if (type == NULL || misp_deleted(attr))
				continue;
			if ((value = misp_value(attr)) == NULL) {
				interop_warn(warnings, "an attribute of type "
				    "'%s' has no value; left out", type);
				continue;
			}
			comment = json_string_value(json_object_get(attr,
			    "comment"));
			if (strcmp(type, "text") == 0 && comment != NULL &&
			    strcmp(comment, MISP_DESCRIPTION_COMMENT) == 0 &&
			    *desc == NULL) {
				*desc = value;
				continue;
			}
			rc = misp_attribute(indicators, type, value);
			free(value);
			if (rc == -1 || (rc == 1 &&
			    misp_count_left_out(left_out, type) == -1)) {
				json_decref(left_out);
				return (-1);
			}
		}
	}
	json_object_foreach(left_out, key, n)
		interop_warn(warnings, "%" JSON_INTEGER_FORMAT " attribute%s of "
		    "type '%s' %s no indicator type in the hub; left out",
		    json_integer_value(n), json_integer_value(n) == 1 ? "" : "s",
		    key, json_integer_value(n) == 1 ? "has" : "have");
	json_decref(left_out);
	return (0);
}

/* The report's code from the event's rsit: tags; others are warned of. */
static char *
misp_code(const json_t *names, json_t *warnings)
{
	const json_t	*name;
	char		*code = NULL, *class, *type, *c;
	size_t		 i;

	json_array_foreach(names, i, name) {
		type = misp_machine_tag(json_string_value(name), "rsit",
		    &class);
		if (type == NULL)
			continue;
		if (code != NULL)
			interop_warn(warnings, "the tag %s is a second incident "
			    "code; the report keeps %s", json_string_value(name),
			    code);
		else if (asprintf(&c, "%s/%s", class, type) != -1)
			code = c;
		free(class);
		free(type);
	}
	return (code);
}

/* Values of a kentongan: machine tag with this predicate. */
static void
misp_own_tags(const json_t *names, const char *predicate, json_t *values)
{
	const json_t	*name;
	char		*p, *value;
	size_t		 i;

	json_array_foreach(names, i, name) {
		value = misp_machine_tag(json_string_value(name), "kentongan",
		    &p);
		if (value == NULL)
			continue;
		if (strcmp(p, predicate) == 0)
			json_array_append_new(values, json_string(value));
		free(p);
		free(value);
	}
}

/* A title of at most 200 characters: MISP's info may be longer. */
static char *
misp_title(const char *info, json_t *warnings)
{
	size_t	i, chars = 0;

	for (i = 0; info[i] != '\0'; i++) {
		if (((unsigned char)info[i] & 0xc0) != 0x80 && ++chars > 200) {
			interop_warn(warnings, "the event's info is longer than "
			    "a title's 200 characters; cut to 200");
			return (strndup(info, i));
		}
	}
	return (strdup(info));
}

json_t *
misp_import(const json_t *event, const json_t *defaults, json_t *warnings,
    char **cause)
{
	const char	*uuid, *info, *tlp, *severity;
	char		*code = NULL, *title = NULL, *description = NULL;
	json_t		*names, *indicators, *sectors, *severities, *out = NULL;

	*cause = NULL;
	uuid = json_string_value(json_object_get(event, "uuid"));
	info = json_string_value(json_object_get(event, "info"));
	names = json_array();
	indicators = json_array();
	sectors = json_array();
	severities = json_array();
	if (names == NULL || indicators == NULL || sectors == NULL ||
	    severities == NULL)
		goto nomem;
	if (info == NULL) {
		*cause = interop_cause("the event %s has no info, which gives "
		    "the report's title", uuid != NULL ? uuid : "without uuid");
		goto done;
	}
	if (!interop_is_uuid(uuid)) {
		*cause = interop_cause("the event \"%s\" has no uuid, which "
		    "gives the report's id", info);
		goto done;
	}
	misp_tag_names(event, names);
	if ((code = misp_code(names, warnings)) == NULL) {
		*cause = interop_cause("the event \"%s\" has no rsit: tag "
		    "(rsit:CLASS=\"TYPE\"), which gives its incident code", info);
		goto done;
	}
	if ((tlp = misp_tlp(names)) == NULL && (tlp = json_string_value(
	    json_object_get(defaults, "tlp"))) == NULL) {
		*cause = interop_cause("the event \"%s\" has no tlp: tag; give "
		    "--tlp for events that say none", info);
		goto done;
	}
	misp_own_tags(names, "severity", severities);
	misp_own_tags(names, "sector", sectors);
	if ((severity = json_string_value(json_array_get(severities, 0))) ==
	    NULL && (severity = misp_severity_of_level(json_object_get(event,
	    "threat_level_id"))) == NULL && (severity = json_string_value(
	    json_object_get(defaults, "severity"))) == NULL)
		severity = "info";
	if ((title = misp_title(info, warnings)) == NULL ||
	    misp_attributes(event, indicators, &description, warnings) == -1)
		goto nomem;
	out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", uuid, "code", code,
	    "severity", severity, "tlp", tlp, "title", title);
	if (out == NULL ||
	    (description != NULL && json_object_set_new(out, "description",
	    json_string(description)) == -1) ||
	    (json_array_size(indicators) > 0 && json_object_set(out,
	    "indicators", indicators) == -1) ||
	    (json_array_size(sectors) > 0 && json_object_set(out, "sectors",
	    sectors) == -1))
		goto nomem;
	goto done;
nomem:
	json_decref(out);
	out = NULL;
	*cause = strdup("out of memory");
done:
	json_decref(names);
	json_decref(indicators);
	json_decref(sectors);
	json_decref(severities);
	free(code);
	free(title);
	free(description);
	return (out);
}
