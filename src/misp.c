/*
 * MISP export: one alert as one event, and the entry a feed's
 * manifest.json keeps of it (SPEC §14). Events as reports are in
 * misp_import.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misp.h"
#include "timefmt.h"

/*
 * An indicator type as a MISP attribute: the type and category MISP's
 * own sane defaults give it, and whether it is for detection (to_ids).
 */
static const struct misp_attribute_type {
	const char	*indicator;
	const char	*type;
	const char	*category;
	int		 to_ids;
} misp_attribute_types[] = {
	{ "ipv4", "ip-dst", "Network activity", 1 },
	{ "ipv6", "ip-dst", "Network activity", 1 },
	{ "cidr", "ip-dst", "Network activity", 1 },
	{ "domain", "domain", "Network activity", 1 },
	{ "url", "url", "Network activity", 1 },
	{ "email", "email-src", "Payload delivery", 1 },
	{ "md5", "md5", "Payload delivery", 1 },
	{ "sha1", "sha1", "Payload delivery", 1 },
	{ "sha256", "sha256", "Payload delivery", 1 },
	{ "cve", "vulnerability", "External analysis", 0 },
	{ "asn", "AS", "Network activity", 0 },
};

/* Colours of the MISP tlp taxonomy, so tags look as MISP shows them. */
static const struct {
	const char	*label;
	const char	*colour;
	const char	*distribution;
} misp_tlps[] = {
	/*
	 * Distribution: how far MISP itself passes the event on. CLEAR may
	 * go anywhere (all communities), GREEN to connected communities,
	 * AMBER stays in this community, AMBER+STRICT and RED with the
	 * organisation that pulled it.
	 */
	{ "clear", "#ffffff", "3" },
	{ "green", "#33ff00", "2" },
	{ "amber", "#ffc000", "1" },
	{ "amber+strict", "#ffc000", "0" },
	{ "red", "#ff2b2b", "0" },
};

static const struct misp_attribute_type *
misp_attribute_type(const char *indicator)
{
	size_t	i;

	for (i = 0; indicator != NULL && i < sizeof misp_attribute_types /
	    sizeof misp_attribute_types[0]; i++)
		if (strcmp(misp_attribute_types[i].indicator, indicator) == 0)
			return (&misp_attribute_types[i]);
	return (NULL);
}

const char *
misp_threat_level(const char *severity)
{
	if (severity == NULL)
		return (NULL);
	if (strcmp(severity, "critical") == 0 || strcmp(severity, "high") == 0)
		return ("1");
	if (strcmp(severity, "medium") == 0)
		return ("2");
	if (strcmp(severity, "low") == 0)
		return ("3");
	if (strcmp(severity, "info") == 0)
		return ("4");
	return (NULL);
}

static int	misp_add_tag(json_t *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
misp_add_tag(json_t *tags, const char *colour, const char *fmt, ...)
{
	va_list	 ap;
	char	*name;
	json_t	*tag;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&name, fmt, ap);
	va_end(ap);
	if (n == -1)
		return (-1);
	tag = json_pack("{s:s, s:s}", "name", name, "colour", colour);
	free(name);
	return (tag == NULL || json_array_append_new(tags, tag) == -1 ? -1 : 0);
}

/*
 * The tags: tlp:LABEL, rsit:CLASS="TYPE" (the MISP RSIT taxonomy's
 * machine tag), and the hub's own for what MISP has no field for.
 */
static json_t *
misp_tags(const struct interop_alert *a, const char *colour)
{
	const json_t	*sector;
	const char	*code, *slash;
	char		*class;
	json_t		*tags;
	size_t		 i;
	int		 rc;

	code = interop_field(a, "code");
	if ((tags = json_array()) == NULL ||
	    misp_add_tag(tags, colour, "tlp:%s", interop_field(a, "tlp")) == -1)
		goto fail;
	if ((slash = strchr(code, '/')) == NULL)
		rc = misp_add_tag(tags, "#0088cc", "rsit:%s", code);
	else {
		if ((class = strndup(code, (size_t)(slash - code))) == NULL)
			goto fail;
		rc = misp_add_tag(tags, "#0088cc", "rsit:%s=\"%s\"", class,
		    slash + 1);
		free(class);
	}
	if (rc == -1 || misp_add_tag(tags, "#666666",
	    "kentongan:severity=\"%s\"", interop_field(a, "severity")) ==
	    -1)
		goto fail;
	json_array_foreach(json_object_get(a->report, "sectors"), i, sector) {
		if (json_is_string(sector) && misp_add_tag(tags, "#666666",
		    "kentongan:sector=\"%s\"", json_string_value(sector)) == -1)
			goto fail;
	}
	return (tags);
fail:
	json_decref(tags);
	return (NULL);
}

static json_t *
misp_attributes(const struct interop_alert *a, const char *timestamp)
{
	const struct misp_attribute_type	*t;
	const json_t				*ind;
	const char				*description;
	char					 uuid[INTEROP_UUID_LEN + 1],
						 what[64];
	json_t					*attrs, *attr;
	size_t					 i;

	if ((attrs = json_array()) == NULL)
		return (NULL);
	json_array_foreach(json_object_get(a->report, "indicators"), i, ind) {
		t = misp_attribute_type(json_string_value(json_object_get(ind,
		    "type")));
		if (t == NULL)
			continue;
		snprintf(what, sizeof what, "attribute/%zu", i);
		interop_alert_uuid(a, what, uuid);
		/* distribution 5: as the event's. */
		attr = json_pack("{s:s, s:s, s:s, s:O, s:b, s:s, s:s, s:s}",
		    "uuid", uuid, "type", t->type, "category", t->category,
		    "value", json_object_get(ind, "value"), "to_ids", t->to_ids,
		    "distribution", "5", "timestamp", timestamp,
		    "comment", "");
		if (attr == NULL || json_array_append_new(attrs, attr) == -1)
			goto fail;
	}
	/* MISP events have no description field: a text attribute holds it. */
	if ((description = interop_field(a, "description")) != NULL) {
		interop_alert_uuid(a, "attribute/description", uuid);
		attr = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
		    "uuid", uuid, "type", "text", "category", "Other",
		    "value", description, "to_ids", 0, "distribution", "5",
		    "timestamp", timestamp, "comment",
		    MISP_DESCRIPTION_COMMENT);
		if (attr == NULL || json_array_append_new(attrs, attr) == -1)
			goto fail;
	}
	return (attrs);
fail:
	json_decref(attrs);
	return (NULL);
}

/* Orgc: the member the report comes from, at the hub it is a member of. */
static json_t *
misp_orgc(const struct interop_alert *a)
{
	const char	*hub = a->hub, *member = a->sender;
	const char	*ohub, *omember;
	char		 key[512], uuid[INTEROP_UUID_LEN + 1], *name = NULL;
	json_t		*orgc;

	ohub = json_string_value(json_object_get(a->origin, "hub"));
	omember = json_string_value(json_object_get(a->origin, "member"));
	if (ohub != NULL && omember != NULL) {
		hub = ohub;
		member = omember;
		if (asprintf(&name, "%s (hub %s)", omember, ohub) == -1)
			return (NULL);
	}
	snprintf(key, sizeof key, "org/%s/%s", hub, member);
	interop_uuid(key, uuid);
	orgc = json_pack("{s:s, s:s}", "name", name != NULL ? name : member,
	    "uuid", uuid);
	free(name);
	return (orgc);
}

json_t *
misp_event(const struct interop_alert *a, char **cause)
{
	const char	*tlp, *colour = NULL, *distribution = NULL, *level;
	char		 uuid[INTEROP_UUID_LEN + 1], date[RFC3339_BUFSIZE],
			 when[RFC3339_BUFSIZE], timestamp[32];
	int64_t		 usec;
	json_t		*event;
	size_t		 i;

	*cause = NULL;
	tlp = interop_field(a, "tlp");
	for (i = 0; tlp != NULL && i < sizeof misp_tlps / sizeof misp_tlps[0];
	    i++) {
		if (strcmp(misp_tlps[i].label, tlp) == 0) {
			colour = misp_tlps[i].colour;
			distribution = misp_tlps[i].distribution;
		}
	}
	level = misp_threat_level(interop_field(a, "severity"));
	if (colour == NULL || level == NULL || interop_field(a, "code") ==
	    NULL || interop_field(a, "title") == NULL) {
		*cause = strdup("the alert's report has no code, severity, TLP "
		    "or title");
		return (NULL);
	}
	if (interop_time(a->received_at, when, &usec) == -1) {
		*cause = strdup("the alert's received_at is not an RFC 3339 "
		    "time");
		return (NULL);
	}
	/* The event's date is when it happened, if the report says. */
	if (interop_time(interop_field(a, "observed_at"), date, NULL) == -1)
		memcpy(date, when, sizeof date);
	date[10] = '\0';
	snprintf(timestamp, sizeof timestamp, "%" PRId64,
	    usec / 1000000 - (usec % 1000000 < 0));
	interop_alert_uuid(a, "event", uuid);
	/* analysis 2: the sender reports what it has established. */
	event = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s,"
	    " s:o, s:o, s:o}}", "Event", "uuid", uuid,
	    "info", interop_field(a, "title"), "date", date,
	    "timestamp", timestamp, "publish_timestamp", timestamp,
	    "published", 1, "threat_level_id", level, "analysis", "2",
	    "distribution", distribution, "Orgc", misp_orgc(a),
	    "Tag", misp_tags(a, colour), "Attribute",
	    misp_attributes(a, timestamp));
	if (event == NULL)
		*cause = strdup("out of memory");
	return (event);
}

json_t *
misp_manifest_entry(const json_t *doc, char **cause)
{
	const json_t	*event = json_object_get(doc, "Event");
	json_t		*entry;

	*cause = NULL;
	/* What MISP's feed reader lists before it fetches the event. */
	entry = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
	    "Orgc", json_object_get(event, "Orgc"),
	    "Tag", json_object_get(event, "Tag"),
	    "info", json_object_get(event, "info"),
	    "date", json_object_get(event, "date"),
	    "analysis", json_object_get(event, "analysis"),
	    "threat_level_id", json_object_get(event, "threat_level_id"),
	    "timestamp", json_object_get(event, "timestamp"));
	if (entry == NULL)
		*cause = strdup("the event lacks what a feed's manifest lists "
		    "(Orgc, Tag, info, date, analysis, threat_level_id, "
		    "timestamp)");
	return (entry);
}
