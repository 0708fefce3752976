/*
 * STIX 2.1 export: one alert as one bundle (SPEC §14). The mapping back,
 * a bundle's report as a hub report, is in stix_import.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix.h"
#include "timefmt.h"

/*
 * The OASIS TLP 2.0 marking definitions (the TLP 2.0 extension of the
 * STIX 2.1 marking definitions, October 2022): their IDs are fixed by
 * OASIS, so every tool that knows TLP 2.0 recognises them by ID alone. The
 * TLP 1.0 IDs of STIX 2.1 section 7.2.1.4 are recognised on import.
 */
static const struct stix_tlp {
	const char	*label;
	const char	*name;
	const char	*marking;
	const char	*tlp1;		/* the TLP 1.0 definition read as it */
} stix_tlps[] = {
	{ "clear", "TLP:CLEAR",
	  "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	  "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" },
	{ "green", "TLP:GREEN",
	  "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	  "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" },
	{ "amber", "TLP:AMBER",
	  "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" },
	{ "amber+strict", "TLP:AMBER+STRICT",
	  "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", NULL },
	{ "red", "TLP:RED",
	  "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
	  "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" },
};
#define STIX_NTLPS (sizeof stix_tlps / sizeof stix_tlps[0])

#define STIX_TLP2_EXTENSION \
	"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define STIX_TLP2_CREATED "2022-10-01T00:00:00.000Z"

/*
 * An identity's ID stays the same in every bundle (one member, one
 * identity); each bundle states a version of it modified at the alert's
 * time, all versions created at this fixed instant.
 */
#define STIX_IDENTITY_CREATED "2020-01-01T00:00:00.000Z"

static const struct stix_tlp *
stix_tlp_of_label(const char *label)
{
	size_t	i;

	for (i = 0; label != NULL && i < STIX_NTLPS; i++)
		if (strcmp(stix_tlps[i].label, label) == 0)
			return (&stix_tlps[i]);
	return (NULL);
}

const char *
stix_tlp_marking(const char *label)
{
	const struct stix_tlp	*t = stix_tlp_of_label(label);

	return (t != NULL ? t->marking : NULL);
}

const char *
stix_tlp_label(const char *marking)
{
	size_t	i;

	for (i = 0; marking != NULL && i < STIX_NTLPS; i++)
		if (strcmp(stix_tlps[i].marking, marking) == 0 ||
		    (stix_tlps[i].tlp1 != NULL &&
		    strcmp(stix_tlps[i].tlp1, marking) == 0))
			return (stix_tlps[i].label);
	return (NULL);
}

/* "TYPE--UUID" of name within the alert. */
static void
stix_id(const struct interop_alert *a, const char *type, const char *what,
    char *out, size_t size)
{
	char	uuid[INTEROP_UUID_LEN + 1];

	interop_alert_uuid(a, what, uuid);
	snprintf(out, size, "%s--%s", type, uuid);
}

/* The value a pattern compares with, quoted, with ' and \ escaped. */
static char *
stix_quote(const char *value)
{
	char	*out, *p;

	if ((out = malloc(strlen(value) * 2 + 3)) == NULL)
		return (NULL);
	p = out;
	*p++ = '\'';
	for (; *value != '\0'; value++) {
		if (*value == '\'' || *value == '\\')
			*p++ = '\\';
		*p++ = *value;
	}
	*p++ = '\'';
	*p = '\0';
	return (out);
}

char *
stix_pattern(const char *type, const char *value)
{
	const char	*path;
	char		*quoted, *pattern, *end;
	uint64_t	 n;
	int		 len;

	if (type == NULL || value == NULL)
		return (NULL);
	if (strcmp(type, "asn") == 0) {
		/* An integer property: the number, unquoted, without "AS". */
		if ((value[0] == 'A' || value[0] == 'a') &&
		    (value[1] == 'S' || value[1] == 's'))
			value += 2;
		if (*value < '0' || *value > '9')
			return (NULL);
		n = strtoull(value, &end, 10);
		if (*end != '\0')
			return (NULL);
		len = asprintf(&pattern, "[autonomous-system:number = %" PRIu64
		    "]", n);
		return (len == -1 ? NULL : pattern);
	}
	if (strcmp(type, "ipv4") == 0)
		path = "ipv4-addr:value";
	else if (strcmp(type, "ipv6") == 0)
		path = "ipv6-addr:value";
	else if (strcmp(type, "cidr") == 0)
		/* STIX writes a network as the address object's value. */
		path = strchr(value, ':') != NULL ? "ipv6-addr:value" :
		    "ipv4-addr:value";
	else if (strcmp(type, "domain") == 0)
		path = "domain-name:value";
	else if (strcmp(type, "url") == 0)
		path = "url:value";
	else if (strcmp(type, "email") == 0)
		path = "email-addr:value";
	else if (strcmp(type, "md5") == 0)
		path = "file:hashes.MD5";
	else if (strcmp(type, "sha1") == 0)
		path = "file:hashes.'SHA-1'";
	else if (strcmp(type, "sha256") == 0)
		path = "file:hashes.'SHA-256'";
	else
		return (NULL);
	if ((quoted = stix_quote(value)) == NULL)
		return (NULL);
	len = asprintf(&pattern, "[%s = %s]", path, quoted);
	free(quoted);
	return (len == -1 ? NULL : pattern);
}

/* Everything one bundle is built from, worked out once. */
struct stix_build {
	const struct interop_alert	*alert;
	const struct stix_tlp		*tlp;
	char				 time[RFC3339_BUFSIZE];
	char				 valid_from[RFC3339_BUFSIZE];
	char				 creator[128];	/* identity--UUID */
	json_t				*objects;
	json_t				*refs;		/* the report's object_refs */
};

static json_t *
stix_markings(const struct stix_build *b)
{
	return (json_pack("[s]", b->tlp->marking));
}

static json_t *
stix_marking_definition(const struct stix_tlp *t)
{
	return (json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}",
	    "type", "marking-definition", "spec_version", "2.1",
	    "id", t->marking, "created", STIX_TLP2_CREATED, "name", t->name,
	    "extensions", STIX_TLP2_EXTENSION,
	    "extension_type", "property-extension", "tlp_2_0", t->label));
}

/* Add the identity of member at hub; its ID into id. */
static int
stix_add_identity(struct stix_build *b, const char *hub, const char *member,
    const char *name, int in_report, char *id, size_t size)
{
	char	 key[512], uuid[INTEROP_UUID_LEN + 1];
	json_t	*o;

	/* Keyed by hub and member so every hub mints the same one. */
	snprintf(key, sizeof key, "identity/%s/%s", hub, member);
	interop_uuid(key, uuid);
	snprintf(id, size, "identity--%s", uuid);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
	    "type", "identity", "spec_version", "2.1", "id", id,
	    "created", STIX_IDENTITY_CREATED, "modified", b->time,
	    "name", name, "identity_class", "organization",
	    "object_marking_refs", stix_markings(b));
	if (o == NULL || json_array_append_new(b->objects, o) == -1)
		return (-1);
	if (in_report && json_array_append_new(b->refs, json_string(id)) == -1)
		return (-1);
	return (0);
}

/*
 * The identities: the sender's and, for a report another hub forwarded,
 * its origin member's, which then is the report's creator.
 */
static int
stix_identities(struct stix_build *b)
{
	const struct interop_alert	*a = b->alert;
	const char			*ohub, *omember;
	char				 id[128], *name;
	int				 rc;

	if (stix_add_identity(b, a->hub, a->sender, a->sender, 1, b->creator,
	    sizeof b->creator) == -1)
		return (-1);
	ohub = json_string_value(json_object_get(a->origin, "hub"));
	omember = json_string_value(json_object_get(a->origin, "member"));
	if (ohub == NULL || omember == NULL)
		return (0);
	if (asprintf(&name, "%s (hub %s)", omember, ohub) == -1)
		return (-1);
	rc = stix_add_identity(b, ohub, omember, name, 1, id, sizeof id);
	free(name);
	if (rc == 0)
		memcpy(b->creator, id, sizeof b->creator);
	return (rc);
}

/* report_types: threat-report, and what the RSIT class says it is about. */
static json_t *
stix_report_types(const char *code, int has_indicators)
{
	json_t	*types;
	size_t	 i;
	static const struct {
		const char	*class;
		const char	*type;
	} by_class[] = {
		{ "malicious-code/", "malware" },
		{ "vulnerable/", "vulnerability" },
		{ "intrusion-attempts/", "attack-pattern" },
		{ "information-gathering/", "attack-pattern" },
		{ "intrusions/", "attack-pattern" },
		{ "fraud/", "attack-pattern" },
	};

	if ((types = json_pack("[s]", "threat-report")) == NULL)
		return (NULL);
	for (i = 0; i < sizeof by_class / sizeof by_class[0]; i++) {
		if (strncmp(code, by_class[i].class,
		    strlen(by_class[i].class)) == 0) {
			json_array_append_new(types,
			    json_string(by_class[i].type));
			break;
		}
	}
	if (has_indicators)
		json_array_append_new(types, json_string("indicator"));
	return (types);
}

static json_t *
stix_labels(const struct interop_alert *a)
{
	const json_t	*sector;
	json_t		*labels;
	char		*text;
	size_t		 i;

	if ((labels = json_array()) == NULL)
		return (NULL);
	if (asprintf(&text, "rsit:%s", interop_field(a, "code")) != -1) {
		json_array_append_new(labels, json_string(text));
		free(text);
	}
	if (asprintf(&text, "severity:%s", interop_field(a, "severity")) != -1) {
		json_array_append_new(labels, json_string(text));
		free(text);
	}
	json_array_foreach(json_object_get(a->report, "sectors"), i, sector) {
		if (json_is_string(sector) && asprintf(&text, "sector:%s",
		    json_string_value(sector)) != -1) {
			json_array_append_new(labels, json_string(text));
			free(text);
		}
	}
	return (labels);
}

/* An indicator SDO, or a vulnerability for a CVE; 1 for a type with none. */
static int
stix_add_indicator(struct stix_build *b, size_t n, const char *type,
    const char *value)
{
	char	 id[128], what[64], *pattern, *name;
	json_t	*o;

	if (strcmp(type, "cve") == 0) {
		snprintf(what, sizeof what, "vulnerability/%zu", n);
		stix_id(b->alert, "vulnerability", what, id, sizeof id);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}],"
		    " s:o}", "type", "vulnerability", "spec_version", "2.1",
		    "id", id, "created_by_ref", b->creator, "created", b->time,
		    "modified", b->time, "name", value, "external_references",
		    "source_name", "cve", "external_id", value,
		    "object_marking_refs", stix_markings(b));
	} else {
		if ((pattern = stix_pattern(type, value)) == NULL)
			return (1);
		if (asprintf(&name, "%s %s", type, value) == -1) {
			free(pattern);
			return (-1);
		}
		snprintf(what, sizeof what, "indicator/%zu", n);
		stix_id(b->alert, "indicator", what, id, sizeof id);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s,"
		    " s:s, s:s, s:s, s:o}", "type", "indicator",
		    "spec_version", "2.1", "id", id, "created_by_ref",
		    b->creator, "created", b->time, "modified", b->time,
		    "name", name, "indicator_types", "malicious-activity",
		    "pattern", pattern, "pattern_type", "stix",
		    "pattern_version", "2.1", "valid_from", b->valid_from,
		    "object_marking_refs", stix_markings(b));
		free(pattern);
		free(name);
	}
	if (o == NULL || json_array_append_new(b->objects, o) == -1 ||
	    json_array_append_new(b->refs, json_string(id)) == -1)
		return (-1);
	return (0);
}

/* The report SDO, placed before the objects it refers to. */
static json_t *
stix_report(struct stix_build *b, size_t nindicators)
{
	const struct interop_alert	*a = b->alert;
	const char			*description;
	char				 id[128], ref[128];
	json_t				*o;

	stix_id(a, "report", "report", id, sizeof id);
	snprintf(ref, sizeof ref, "%s:%" PRId64, a->hub, a->seq);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "type", "report", "spec_version", "2.1", "id", id,
	    "created_by_ref", b->creator, "created", b->time,
	    "modified", b->time, "name", interop_field(a, "title"));
	if (o == NULL)
		return (NULL);
	if ((description = interop_field(a, "description")) != NULL)
		json_object_set_new(o, "description", json_string(description));
	if (json_object_set_new(o, "report_types",
	    stix_report_types(interop_field(a, "code"), nindicators > 0)) == -1 ||
	    json_object_set_new(o, "published", json_string(b->time)) == -1 ||
	    json_object_set(o, "object_refs", b->refs) == -1 ||
	    json_object_set_new(o, "labels", stix_labels(a)) == -1 ||
	    json_object_set_new(o, "external_references", json_pack(
	    "[{s:s, s:s}]", "source_name", "kentongan", "external_id", ref)) ==
	    -1 || json_object_set_new(o, "object_marking_refs",
	    stix_markings(b)) == -1) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

json_t *
stix_bundle(const struct interop_alert *a, char **cause)
{
	struct stix_build	 b;
	const json_t		*indicators, *ind;
	json_t			*bundle = NULL, *report;
	char			 id[128];
	size_t			 i, at;

	*cause = NULL;
	memset(&b, 0, sizeof b);
	b.alert = a;
	if (interop_field(a, "code") == NULL ||
	    interop_field(a, "title") == NULL ||
	    interop_field(a, "severity") == NULL) {
		*cause = strdup("the alert's report has no code, severity or "
		    "title");
		return (NULL);
	}
	if ((b.tlp = stix_tlp_of_label(interop_field(a, "tlp"))) == NULL) {
		*cause = strdup("the alert's report has no TLP label");
		return (NULL);
	}
	if (interop_time(a->received_at, b.time, NULL) == -1) {
		*cause = strdup("the alert's received_at is not an RFC 3339 "
		    "time");
		return (NULL);
	}
	if (interop_time(interop_field(a, "observed_at"), b.valid_from,
	    NULL) == -1)
		memcpy(b.valid_from, b.time, sizeof b.valid_from);
	if ((b.objects = json_array()) == NULL ||
	    (b.refs = json_array()) == NULL)
		goto fail;
	if (json_array_append_new(b.objects, stix_marking_definition(b.tlp)) ==
	    -1 || json_array_append_new(b.refs, json_string(b.tlp->marking)) ==
	    -1 || stix_identities(&b) == -1)
		goto fail;
	/* The report goes after the identities; its refs are final later. */
	at = json_array_size(b.objects);
	indicators = json_object_get(a->report, "indicators");
	json_array_foreach(indicators, i, ind) {
		if (stix_add_indicator(&b, i, json_string_value(json_object_get(
		    ind, "type")), json_string_value(json_object_get(ind,
		    "value"))) == -1)
			goto fail;
	}
	if ((report = stix_report(&b, json_array_size(indicators))) == NULL ||
	    json_array_insert_new(b.objects, at, report) == -1)
		goto fail;
	stix_id(a, "bundle", "bundle", id, sizeof id);
	bundle = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", id,
	    "objects", b.objects);
fail:
	json_decref(b.objects);
	json_decref(b.refs);
	if (bundle == NULL)
		*cause = strdup("out of memory");
	return (bundle);
}
