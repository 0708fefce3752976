/*
 * STIX 2.1 import: the report of a bundle as a hub report, its indicators
 * read from the equality comparisons of the indicators' patterns.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "levels.h"
#include "stix.h"

/* A pattern being read: where it is, and what it has given so far. */
struct stix_reader {
	const char	*p;
	json_t		*indicators;
	json_t		*warnings;
	const char	*pattern;
};

static void
stix_skip_space(struct stix_reader *r)
{
	while (isspace((unsigned char)*r->p))
		r->p++;
}

/* The word at p (letters, digits, '_'), or 0 if none. */
static size_t
stix_word(const char *p)
{
	size_t	n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return (n);
}

static int
stix_keyword(struct stix_reader *r, const char *kw)
{
	size_t	n = strlen(kw);

	if (strncmp(r->p, kw, n) == 0 && stix_word(r->p) == n) {
		r->p += n;
		return (1);
	}
	return (0);
}

static int
stix_syntax(struct stix_reader *r, const char *what)
{
	interop_warn(r->warnings, "the pattern %s is not STIX pattern "
	    "grammar: %s at offset %zu", r->pattern, what,
	    (size_t)(r->p - r->pattern));
	return (-1);
}

/* A quoted string at r->p, unescaped into a new string. */
static char *
stix_string(struct stix_reader *r)
{
	char	*out, *o;

	if (*r->p != '\'' || (out = malloc(strlen(r->p))) == NULL)
		return (NULL);
	o = out;
	for (r->p++; *r->p != '\''; r->p++) {
		if (*r->p == '\0') {
			free(out);
			return (NULL);
		}
		if (*r->p == '\\') {
			r->p++;
			if (*r->p != '\'' && *r->p != '\\') {
				free(out);
				return (NULL);
			}
		}
		*o++ = *r->p;
	}
	r->p++;
	*o = '\0';
	return (out);
}

/*
 * An object path: "type:prop.prop", with 'quoted' steps and [index]
 * steps; copied without quotes around steps, so file:hashes.'SHA-256'
 * reads file:hashes.SHA-256.
 */
static char *
stix_path(struct stix_reader *r)
{
	char	*out, *o;

	if (!isalpha((unsigned char)*r->p) || (out = malloc(strlen(r->p) +
	    1)) == NULL)
		return (NULL);
	o = out;
	while (*r->p != '\0' && !isspace((unsigned char)*r->p) &&
	    strchr("=!<>)", *r->p) == NULL) {
		if (*r->p == '\'') {
			for (r->p++; *r->p != '\'' && *r->p != '\0'; r->p++)
				*o++ = *r->p;
			if (*r->p == '\0')
				break;
			r->p++;
		} else if (*r->p == '[') {
			while (*r->p != ']' && *r->p != '\0')
				*o++ = *r->p++;
			if (*r->p == '\0')
				break;
			*o++ = *r->p++;
		} else if (*r->p == ']')
			break;
		else
			*o++ = *r->p++;
	}
	*o = '\0';
	if (o == out || strchr(out, ':') == NULL) {
		free(out);
		return (NULL);
	}
	return (out);
}

/* The comparison operator at r->p, "=" or another; NULL if none. */
static const char *
stix_operator(struct stix_reader *r)
{
	static const char	*symbols[] = { "!=", "<=", ">=", "=", "<", ">" };
	static const char	*words[] = { "LIKE", "MATCHES", "ISSUBSET",
				    "ISSUPERSET", "IN" };
	size_t			 i;

	if (stix_keyword(r, "NOT")) {
		stix_skip_space(r);
		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (stix_keyword(r, words[i]))
				return ("NOT");
		return (NULL);
	}
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		if (strncmp(r->p, symbols[i], strlen(symbols[i])) == 0) {
			r->p += strlen(symbols[i]);
			return (symbols[i]);
		}
	}
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (stix_keyword(r, words[i]))
			return (words[i]);
	return (NULL);
}

/*
 * The constant after an operator: a string (unescaped), a number or a
 * boolean as written, a typed string (t'...', h'...', b'...') or a list,
 * which gives NULL in *value but is read past.
 */
static int
stix_constant(struct stix_reader *r, char **value)
{
	const char	*start;
	char		*s;

	*value = NULL;
	if (*r->p == '(') {
		for (r->p++; *r->p != ')'; ) {
			stix_skip_space(r);
			if (stix_constant(r, &s) == -1)
				return (-1);
			free(s);
			stix_skip_space(r);
			if (*r->p == ',')
				r->p++;
			else if (*r->p != ')')
				return (-1);
		}
		r->p++;
		return (0);
	}
	if ((*r->p == 't' || *r->p == 'h' || *r->p == 'b') && r->p[1] == '\'') {
		r->p++;
		if ((s = stix_string(r)) == NULL)
			return (-1);
		free(s);
		return (0);
	}
	if (*r->p == '\'')
		return ((*value = stix_string(r)) == NULL ? -1 : 0);
	start = r->p;
	if (*r->p == '-' || *r->p == '+')
		r->p++;
	r->p += stix_word(r->p);
	if (*r->p == '.') {
		r->p++;
		r->p += stix_word(r->p);
	}
	if (r->p == start)
		return (-1);
	*value = strndup(start, (size_t)(r->p - start));
	return (*value == NULL ? -1 : 0);
}

/* An IP address object's value: ipv4, ipv6, or a network of either. */
static const char *
stix_address_type(const char *family, const char *value)
{
	if (strchr(value, '/') != NULL)
		return ("cidr");
	return (family);
}

/* The hub's indicator type for an object path, given its value. */
static const char *
stix_path_type(const char *path, const char *value)
{
	static const struct {
		const char	*path;
		const char	*type;
	} paths[] = {
		{ "domain-name:value", "domain" },
		{ "url:value", "url" },
		{ "email-addr:value", "email" },
		{ "email-message:from_ref.value", "email" },
		{ "email-message:sender_ref.value", "email" },
		{ "file:hashes.MD5", "md5" },
		{ "file:hashes.SHA-1", "sha1" },
		{ "file:hashes.SHA1", "sha1" },
		{ "file:hashes.SHA-256", "sha256" },
		{ "file:hashes.SHA256", "sha256" },
		{ "autonomous-system:number", "asn" },
	};
	size_t	i;

	if (strcmp(path, "ipv4-addr:value") == 0)
		return (stix_address_type("ipv4", value));
	if (strcmp(path, "ipv6-addr:value") == 0)
		return (stix_address_type("ipv6", value));
	if (strcmp(path, "network-traffic:dst_ref.value") == 0 ||
	    strcmp(path, "network-traffic:src_ref.value") == 0)
		return (stix_address_type(strchr(value, ':') != NULL ? "ipv6" :
		    "ipv4", value));
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (strcasecmp(paths[i].path, path) == 0)
			return (paths[i].type);
	return (NULL);
}

/* One comparison's indicator, or a warning saying why there is none. */
static int
stix_comparison(struct stix_reader *r, const char *path, const char *op,
    const char *value)
{
	const char	*type;
	char		*asn = NULL;
	json_t		*ind;

	if (strcmp(op, "=") != 0 || value == NULL) {
		interop_warn(r->warnings, "the comparison %s %s in the pattern "
		    "%s is not an equality with a value; left out", path, op,
		    r->pattern);
		return (0);
	}
	if ((type = stix_path_type(path, value)) == NULL) {
		interop_warn(r->warnings, "%s in the pattern %s has no "
		    "indicator type in the hub; left out", path, r->pattern);
		return (0);
	}
	if (strcmp(type, "asn") == 0 && asprintf(&asn, "AS%s", value) == -1)
		return (-1);
	ind = json_pack("{s:s, s:s}", "type", type, "value",
	    asn != NULL ? asn : value);
	free(asn);
	return (ind == NULL || json_array_append_new(r->indicators, ind) == -1 ?
	    -1 : 0);
}

/* One observation expression, "[ ... ]", r->p just past its '['. */
static int
stix_observation(struct stix_reader *r)
{
	const char	*op;
	char		*path, *value;
	int		 rc;

	for (;;) {
		stix_skip_space(r);
		while (*r->p == '(') {
			r->p++;
			stix_skip_space(r);
		}
		if ((path = stix_path(r)) == NULL)
			return (stix_syntax(r, "no object path"));
		stix_skip_space(r);
		if ((op = stix_operator(r)) == NULL) {
			free(path);
			return (stix_syntax(r, "no comparison operator"));
		}
		stix_skip_space(r);
		if (stix_constant(r, &value) == -1) {
			free(path);
			return (stix_syntax(r, "no constant"));
		}
		rc = stix_comparison(r, path, op, value);
		free(path);
		free(value);
		if (rc == -1)
			return (-1);
		stix_skip_space(r);
		while (*r->p == ')') {
			r->p++;
			stix_skip_space(r);
		}
		if (*r->p == ']') {
			r->p++;
			return (0);
		}
		if (!stix_keyword(r, "AND") && !stix_keyword(r, "OR"))
			return (stix_syntax(r, "no AND, OR or ]"));
	}
}

json_t *
stix_pattern_read(const char *pattern, json_t *warnings)
{
	struct stix_reader	r;
	int			observations = 0;

	r.p = r.pattern = pattern;
	r.warnings = warnings;
	if (pattern == NULL || (r.indicators = json_array()) == NULL)
		return (NULL);
	/*
	 * What joins observations (AND, OR, FOLLOWEDBY) and qualifies them
	 * (WITHIN, REPEATS, START ... STOP) narrows when they match, not what
	 * they name: it is read past.
	 */
	for (;;) {
		stix_skip_space(&r);
		if (*r.p == '\0')
			break;
		if (*r.p == '[') {
			r.p++;
			if (stix_observation(&r) == -1)
				goto bad;
			observations++;
		} else if (*r.p == '\'') {
			free(stix_string(&r));
		} else if (*r.p == '(' || *r.p == ')')
			r.p++;
		else if (stix_word(r.p) > 0)
			r.p += stix_word(r.p);
		else {
			stix_syntax(&r, "an unexpected character");
			goto bad;
		}
	}
	if (observations == 0) {
		stix_syntax(&r, "no observation [...]");
		goto bad;
	}
	return (r.indicators);
bad:
	json_decref(r.indicators);
	return (NULL);
}

/* The object of the bundle with this id, or NULL. */
static const json_t *
stix_find(const json_t *objects, const char *id)
{
	const json_t	*o;
	const char	*oid;
	size_t		 i;

	json_array_foreach(objects, i, o) {
		oid = json_string_value(json_object_get(o, "id"));
		if (oid != NULL && id != NULL && strcmp(oid, id) == 0)
			return (o);
	}
	return (NULL);
}

/*
 * The TLP label a marking definition of the bundle says, as written (not
 * necessarily a label: the caller reads it with interop_tlp_stricter).
 */
static const char *
stix_marking_tlp(const json_t *objects, const char *id)
{
	const json_t	*def, *ext;
	const char	*label, *key;
	json_t		*value;

	if ((label = stix_tlp_label(id)) != NULL)
		return (label);
	if ((def = stix_find(objects, id)) == NULL)
		return (NULL);
	/* A copy of an OASIS definition under another ID says its level. */
	json_object_foreach((json_t *)json_object_get(def, "extensions"), key,
	    value) {
		if ((label = json_string_value(json_object_get(value,
		    "tlp_2_0"))) != NULL)
			return (label);
	}
	ext = json_object_get(def, "definition");
	/* TLP 1.0's {"tlp":"white"}: interop_tlp_stricter reads it. */
	return (json_string_value(json_object_get(ext, "tlp")));
}

/* The strictest TLP of the report's markings, or NULL. */
static const char *
stix_report_tlp(const json_t *objects, const json_t *report)
{
	const json_t	*ref;
	size_t		 i;
	int		 best = -1;

	json_array_foreach(json_object_get(report, "object_marking_refs"), i,
	    ref)
		best = interop_tlp_stricter(best, stix_marking_tlp(objects,
		    json_string_value(ref)));
	return (best == -1 ? NULL : tlp_name((enum tlp)best));
}

/* Labels "prefix:rest" of the report: the first, or all into array. */
static const char *
stix_label(const json_t *report, const char *prefix, json_t *all)
{
	const json_t	*label;
	const char	*s;
	size_t		 i, n = strlen(prefix);

	json_array_foreach(json_object_get(report, "labels"), i, label) {
		s = json_string_value(label);
		if (s == NULL || strncmp(s, prefix, n) != 0 || s[n] == '\0')
			continue;
		if (all == NULL)
			return (s + n);
		json_array_append_new(all, json_string(s + n));
	}
	return (NULL);
}

/* The CVE a vulnerability SDO names, or NULL. */
static const char *
stix_vulnerability_cve(const json_t *o)
{
	const json_t	*ref;
	const char	*name;
	size_t		 i;

	json_array_foreach(json_object_get(o, "external_references"), i, ref) {
		name = json_string_value(json_object_get(ref, "source_name"));
		if (name != NULL && strcasecmp(name, "cve") == 0 &&
		    json_is_string(json_object_get(ref, "external_id")))
			return (json_string_value(json_object_get(ref,
			    "external_id")));
	}
	name = json_string_value(json_object_get(o, "name"));
	return (name != NULL && strncasecmp(name, "CVE-", 4) == 0 ? name :
	    NULL);
}

/* The indicators of the objects the report refers to, in their order. */
static json_t *
stix_report_indicators(const json_t *objects, const json_t *report,
    json_t *warnings)
{
	const json_t	*ref, *o;
	const char	*type, *ptype, *cve;
	json_t		*all, *some;
	size_t		 i, absent = 0;

	if ((all = json_array()) == NULL)
		return (NULL);
	json_array_foreach(json_object_get(report, "object_refs"), i, ref) {
		if ((o = stix_find(objects, json_string_value(ref))) == NULL) {
			absent++;
			continue;
		}
		type = json_string_value(json_object_get(o, "type"));
		if (type == NULL)
			continue;
		if (strcmp(type, "vulnerability") == 0) {
			if ((cve = stix_vulnerability_cve(o)) == NULL)
				interop_warn(warnings, "the vulnerability %s "
				    "names no CVE; left out",
				    json_string_value(ref));
			else if (json_array_append_new(all, json_pack(
			    "{s:s, s:s}", "type", "cve", "value", cve)) == -1)
				goto fail;
			continue;
		}
		if (strcmp(type, "indicator") != 0) {
			if (strcmp(type, "identity") != 0 &&
			    strcmp(type, "marking-definition") != 0)
				interop_warn(warnings, "the %s %s has no place "
				    "in a hub report; left out", type,
				    json_string_value(ref));
			continue;
		}
		ptype = json_string_value(json_object_get(o, "pattern_type"));
		if (ptype == NULL || strcmp(ptype, "stix") != 0) {
			interop_warn(warnings, "the indicator %s has a %s "
			    "pattern, not a STIX one; left out",
			    json_string_value(ref), ptype != NULL ? ptype :
			    "missing");
			continue;
		}
		some = stix_pattern_read(json_string_value(json_object_get(o,
		    "pattern")), warnings);
		if (some != NULL && json_array_extend(all, some) == -1) {
			json_decref(some);
			goto fail;
		}
		json_decref(some);
	}
	if (absent > 0)
		interop_warn(warnings, "%zu of the report's object_refs are not "
		    "in the bundle; what they name is left out", absent);
	return (all);
fail:
	json_decref(all);
	return (NULL);
}

/* The one report object of the bundle, or NULL with *cause. */
static const json_t *
stix_the_report(const json_t *bundle, char **cause)
{
	const json_t	*objects, *o, *report = NULL;
	const char	*type;
	size_t		 i, n = 0;

	type = json_string_value(json_object_get(bundle, "type"));
	objects = json_object_get(bundle, "objects");
	if (type == NULL || strcmp(type, "bundle") != 0 ||
	    (objects != NULL && !json_is_array(objects))) {
		*cause = strdup("the document is not a STIX bundle "
		    "({\"type\":\"bundle\",\"objects\":[...]})");
		return (NULL);
	}
	json_array_foreach(objects, i, o) {
		type = json_string_value(json_object_get(o, "type"));
		if (type != NULL && strcmp(type, "report") == 0) {
			report = o;
			n++;
		}
	}
	if (n == 0)
		*cause = strdup("the bundle holds no report object");
	else if (n > 1)
		*cause = interop_cause("the bundle holds %zu report objects; "
		    "push --from stix takes one report per bundle", n);
	return (n == 1 ? report : NULL);
}

json_t *
stix_import(const json_t *bundle, const json_t *defaults, json_t *warnings,
    char **cause)
{
	const json_t	*objects, *report;
	const char	*id, *name, *code, *severity, *tlp, *description;
	json_t		*out = NULL, *indicators = NULL, *sectors = NULL;

	*cause = NULL;
	if ((report = stix_the_report(bundle, cause)) == NULL)
		return (NULL);
	objects = json_object_get(bundle, "objects");
	id = json_string_value(json_object_get(report, "id"));
	name = json_string_value(json_object_get(report, "name"));
	if (id == NULL || strncmp(id, "report--", 8) != 0 ||
	    !interop_is_uuid(id + 8)) {
		*cause = strdup("the bundle's report has no id report--UUID, "
		    "which gives the report's id");
		return (NULL);
	}
	if (name == NULL) {
		*cause = interop_cause("the report %s has no name, which gives "
		    "its title", id);
		return (NULL);
	}
	if ((code = stix_label(report, "rsit:", NULL)) == NULL) {
		*cause = interop_cause("the report %s has no rsit: label "
		    "(rsit:CLASS/TYPE), which gives its incident code", id);
		return (NULL);
	}
	if ((severity = stix_label(report, "severity:", NULL)) == NULL &&
	    (severity = json_string_value(json_object_get(defaults,
	    "severity"))) == NULL) {
		*cause = interop_cause("the report %s has no severity: label; "
		    "give --severity for reports that say none", id);
		return (NULL);
	}
	if ((tlp = stix_report_tlp(objects, report)) == NULL &&
	    (tlp = json_string_value(json_object_get(defaults, "tlp"))) ==
	    NULL) {
		*cause = interop_cause("the report %s has no TLP marking; give "
		    "--tlp for reports that say none", id);
		return (NULL);
	}
	if ((indicators = stix_report_indicators(objects, report,
	    warnings)) == NULL || (sectors = json_array()) == NULL)
		goto nomem;
	stix_label(report, "sector:", sectors);
	out = json_pack("{s:s%, s:s, s:s, s:s, s:s}", "id", id + 8,
	    (size_t)INTEROP_UUID_LEN, "code", code, "severity", severity,
	    "tlp", tlp, "title", name);
	if (out == NULL)
		goto nomem;
	description = json_string_value(json_object_get(report,
	    "description"));
	if ((description != NULL && json_object_set_new(out, "description",
	    json_string(description)) == -1) ||
	    (json_array_size(indicators) > 0 && json_object_set(out,
	    "indicators", indicators) == -1) ||
	    (json_array_size(sectors) > 0 && json_object_set(out, "sectors",
	    sectors) == -1))
		goto nomem;
	json_decref(indicators);
	json_decref(sectors);
	return (out);
nomem:
	json_decref(out);
	json_decref(indicators);
	json_decref(sectors);
	*cause = strdup("out of memory");
	return (NULL);
}
