/* Validation of a report object against the protocol's field rules. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "indicator.h"
#include "levels.h"
#include "taxonomy.h"
#include "timefmt.h"
#include "utf8.h"
#include "validate.h"
#include "verdict.h"

/* Echoed input is cut to this many bytes: errors must not mirror floods. */
#define VALIDATE_ECHO_MAX	64
#define VALIDATE_ECHO_SIZE	(VALIDATE_ECHO_MAX + sizeof("..."))
#define VALIDATE_CODE_MAX	128
#define VALIDATE_UUID_LEN	36
#define VALIDATE_MEMBER_ID_MAX	32

static const char *validate_report_keys[] = {
	"id", "code", "severity", "tlp", "title", "description",
	"observed_at", "indicators", "sectors", "recipients"
};
static const char *validate_indicator_keys[] = { "type", "value" };

#define VALIDATE_NITEMS(a) (sizeof(a) / sizeof((a)[0]))

#define VALIDATE_REPORT_FIELDS "id, code, severity, tlp, title, " \
	"description, observed_at, indicators, sectors, recipients"

/* A recipient and where it stood, for finding duplicates by sorting. */
struct validate_entry {
	const char	*s;
	size_t		 index;
};

static char	*validate_path(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	 validate_fail(struct verdict *, enum proto_error, char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

/*
 * A printable copy of s[0..len) for a message, at most VALIDATE_ECHO_MAX
 * bytes of it and "..." when cut; controls and bytes that are not valid
 * UTF-8 become '?' so nothing odd reaches a log line. buf holds
 * VALIDATE_ECHO_SIZE bytes.
 */
static const char *
validate_echo(const char *s, size_t len, char *buf)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, o = 0, n;

	while (i < len) {
		if (u[i] < 0x80)
			n = 1;
		else if (u[i] >= 0xc2 && u[i] <= 0xdf)
			n = 2;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			n = 3;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			n = 4;
		else
			n = 0;
		if (n == 0 || n > len - i || utf8_validate(s + i, n, NULL) != 1 ||
		    utf8_has_control(s + i, n))
			n = 0;
		if (o + (n == 0 ? 1 : n) > VALIDATE_ECHO_MAX)
			break;
		if (n == 0) {
			buf[o++] = '?';
			i++;
		} else {
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
		}
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return (buf);
}

/* A malloc'd field path, or NULL when memory runs out. */
static char *
validate_path(const char *fmt, ...)
{
	va_list	 ap;
	char	*path;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (r == -1)
		return (NULL);
	return (path);
}

/* Record that memory ran out; always returns -1. */
static int
validate_nomem(struct verdict *v)
{
	return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
	    "out of memory while checking the report"));
}

/* Record an error at a malloc'd path and free it; NULL path: out of memory. */
static int
validate_fail(struct verdict *v, enum proto_error error, char *path,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*message;
	int	 r;

	if (path == NULL)
		return (validate_nomem(v));
	va_start(ap, fmt);
	r = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (r == -1) {
		free(path);
		return (validate_nomem(v));
	}
	(void)verdict_set(v, error, path, "%s", message);
	free(message);
	free(path);
	return (-1);
}

/*
 * The text of a JSON string. Fails if j is not a string or holds a NUL,
 * which C code downstream would silently cut the string at.
 */
static int
validate_string(const json_t *j, const char **s, size_t *len)
{
	const char	*p;
	size_t		 n;

	if (!json_is_string(j))
		return (-1);
	p = json_string_value(j);
	n = json_string_length(j);
	if (p == NULL || memchr(p, '\0', n) != NULL)
		return (-1);
	*s = p;
	if (len != NULL)
		*len = n;
	return (0);
}

/* Whether key[0..len) is one of the names in keys. */
static int
validate_key_allowed(const char *key, size_t len, const char **keys,
    size_t nkeys)
{
	size_t	i;

	for (i = 0; i < nkeys; i++) {
		if (strlen(keys[i]) == len && memcmp(keys[i], key, len) == 0)
			return (1);
	}
	return (0);
}

/*
 * Refuse the first key of obj that is not in keys, naming it under prefix
 * ("report", "report.indicators[3]").
 */
static int
validate_keys(const json_t *obj, const char **keys, size_t nkeys,
    const char *prefix, const char *allowed, struct verdict *v)
{
	json_t		*o = (json_t *)obj;	/* the iterator API is not const */
	void		*it;
	const char	*key;
	size_t		 len;
	char		 echo[VALIDATE_ECHO_SIZE];

	for (it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		key = json_object_iter_key(it);
		len = json_object_iter_key_len(it);
		if (validate_key_allowed(key, len, keys, nkeys))
			continue;
		validate_echo(key, len, echo);
		return (validate_fail(v, PROTO_UNKNOWN_FIELD,
		    validate_path("%s.%s", prefix, echo),
		    "unknown field \"%s\" in %s; the fields allowed are %s",
		    echo, prefix, allowed));
	}
	return (0);
}

/* Refuse unknown keys in the report and in each of its indicator objects. */
static int
validate_unknown_fields(const json_t *report, struct verdict *v)
{
	const json_t	*indicators, *item;
	char		*prefix;
	size_t		 i;
	int		 r;

	if (validate_keys(report, validate_report_keys,
	    VALIDATE_NITEMS(validate_report_keys), "report",
	    VALIDATE_REPORT_FIELDS, v) != 0)
		return (-1);

	indicators = json_object_get(report, "indicators");
	if (!json_is_array(indicators))
		return (0);
	for (i = 0; i < json_array_size(indicators); i++) {
		item = json_array_get(indicators, i);
		if (!json_is_object(item))
			continue;
		if ((prefix = validate_path("report.indicators[%zu]", i)) == NULL)
			return (validate_nomem(v));
		r = validate_keys(item, validate_indicator_keys,
		    VALIDATE_NITEMS(validate_indicator_keys), prefix,
		    "type and value", v);
		free(prefix);
		if (r != 0)
			return (-1);
	}
	return (0);
}

/* Check id: required, a UUID. */
static int
validate_id(const json_t *report, struct report_view *rv, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "id");
	const char	*s;

	if (j == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report.id",
		    "id is required: a UUID such as "
		    "0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10"));
	}
	if (validate_string(j, &s, NULL) != 0 || !validate_uuid(s)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.id",
		    "id must be a UUID in text form, 8-4-4-4-12 hex digits"));
	}
	rv->id = s;
	return (0);
}

/*
 * Whether s has the shape of an incident code, CLASS/TYPE in lower case,
 * so a code that is merely absent from the taxonomy can be told apart
 * from one that is not a code at all.
 */
static int
validate_code_form(const char *s, size_t len)
{
	size_t	i, slash = 0, nslash = 0;

	if (len == 0 || len > VALIDATE_CODE_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] == '/') {
			slash = i;
			nslash++;
		} else if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return (0);
	}
	return (nslash == 1 && slash != 0 && slash != len - 1);
}

/* Check code: required, a code of the loaded taxonomy. */
static int
validate_code(const json_t *report, const struct taxonomy *tax,
    struct report_view *rv, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "code");
	const char	*s;
	size_t		 len;
	char		 echo[VALIDATE_ECHO_SIZE];

	if (j == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report.code",
		    "code is required: an incident code such as "
		    "intrusions/system-compromise"));
	}
	if (validate_string(j, &s, &len) != 0) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.code",
		    "code must be a string: an incident code such as "
		    "intrusions/system-compromise"));
	}
	/* Look up first: a centre's own codes may be spelled differently. */
	if (tax != NULL && taxonomy_find_code(tax, s) != NULL) {
		rv->code = s;
		return (0);
	}
	validate_echo(s, len, echo);
	if (!validate_code_form(s, len)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.code",
		    "code \"%s\" is not an incident code; expected CLASS/TYPE "
		    "in lower case, such as intrusions/system-compromise", echo));
	}
	return (verdict_set(v, PROTO_UNKNOWN_CODE, "report.code",
	    "unknown incident code \"%s\"; use a code of the hub's taxonomy "
	    "(kentongan codes lists them)", echo));
}

/* Check severity: required, one of the five levels. */
static int
validate_severity(const json_t *report, struct report_view *rv,
    struct verdict *v)
{
	const json_t	*j = json_object_get(report, "severity");
	const char	*s;

	if (j == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report.severity",
		    "severity is required: one of info, low, medium, high, "
		    "critical"));
	}
	if (validate_string(j, &s, NULL) != 0 ||
	    severity_parse(s, &rv->severity) != 0) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.severity",
		    "severity must be one of info, low, medium, high, critical"));
	}
	return (0);
}

/* Check tlp: required, one of the five TLP 2.0 labels. */
static int
validate_tlp(const json_t *report, struct report_view *rv, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "tlp");
	const char	*s = NULL;

	if (j == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report.tlp",
		    "tlp is required: one of clear, green, amber, amber+strict, "
		    "red"));
	}
	if (validate_string(j, &s, NULL) != 0 || tlp_parse(s, &rv->tlp) != 0) {
		/* TLP 1.0's white, which many still write, has a new name. */
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.tlp",
		    "tlp must be one of clear, green, amber, amber+strict, "
		    "red%s", s != NULL && strcasecmp(s, "white") == 0 ?
		    " (TLP 1.0 white is TLP 2.0 clear)" : ""));
	}
	return (0);
}

/* Check title: required, 1-200 code points of text without controls. */
static int
validate_title(const json_t *report, struct report_view *rv,
    struct verdict *v)
{
	const json_t	*j = json_object_get(report, "title");
	const char	*s;
	size_t		 len;
	long		 n;

	if (j == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report.title",
		    "title is required: 1-200 characters of text"));
	}
	if (validate_string(j, &s, &len) != 0 ||
	    (n = utf8_validate(s, len, NULL)) < 1 ||
	    n > REPORT_TITLE_MAX_CHARS || utf8_has_control(s, len)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.title",
		    "title must be 1-200 characters of text without control "
		    "characters"));
	}
	rv->title = s;
	return (0);
}

/* Check description: optional, at most 16384 bytes of UTF-8 without NUL. */
static int
validate_description(const json_t *report, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "description");
	size_t		 len;

	if (j == NULL)
		return (0);
	if (!json_is_string(j)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.description",
		    "description must be a string of at most 16384 bytes"));
	}
	len = json_string_length(j);
	if (len > REPORT_DESCRIPTION_MAX_BYTES) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.description",
		    "description is %zu bytes long; at most 16384 are allowed",
		    len));
	}
	if (memchr(json_string_value(j), '\0', len) != NULL ||
	    utf8_validate(json_string_value(j), len, NULL) < 0) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.description",
		    "description must be valid UTF-8 text without NUL "
		    "characters"));
	}
	return (0);
}

/* Check observed_at: optional, RFC 3339, at most 5 minutes ahead of now. */
static int
validate_observed_at(const json_t *report, int64_t now_usec,
    struct report_view *rv, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "observed_at");
	const char	*s;
	int64_t		 t;

	if (j == NULL)
		return (0);
	if (validate_string(j, &s, NULL) != 0 || rfc3339_parse(s, &t) != 0) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.observed_at",
		    "observed_at must be an RFC 3339 time such as "
		    "2026-11-20T07:15:00Z"));
	}
	/* Compare without forming now + slack, which could overflow. */
	if (t > now_usec && (uint64_t)t - (uint64_t)now_usec >
	    (uint64_t)REPORT_FUTURE_SLACK_USEC) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.observed_at",
		    "observed_at is more than 5 minutes in the future; check "
		    "the clock and the time zone offset"));
	}
	rv->has_observed_at = 1;
	rv->observed_at = t;
	return (0);
}

/* Check one element of indicators. */
static int
validate_indicator(const json_t *item, size_t i, struct verdict *v)
{
	const json_t	*jt, *jv;
	const char	*type, *value, *why;
	size_t		 len;
	char		 echo[VALIDATE_ECHO_SIZE];

	if (!json_is_object(item)) {
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu]", i),
		    "each indicator must be an object {\"type\":..., "
		    "\"value\":...}"));
	}
	if ((jt = json_object_get(item, "type")) == NULL) {
		return (validate_fail(v, PROTO_MISSING_FIELD,
		    validate_path("report.indicators[%zu].type", i),
		    "indicator type is required: one of %s",
		    indicator_type_list));
	}
	if (!json_is_string(jt)) {
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu].type", i),
		    "indicator type must be a string: one of %s",
		    indicator_type_list));
	}
	if (validate_string(jt, &type, &len) != 0 ||
	    !indicator_type_known(type)) {
		validate_echo(json_string_value(jt), json_string_length(jt),
		    echo);
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu].type", i),
		    "indicator type \"%s\" is not one of %s", echo,
		    indicator_type_list));
	}
	if ((jv = json_object_get(item, "value")) == NULL) {
		return (validate_fail(v, PROTO_MISSING_FIELD,
		    validate_path("report.indicators[%zu].value", i),
		    "indicator value is required"));
	}
	if (!json_is_string(jv)) {
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu].value", i),
		    "indicator value must be a string"));
	}
	if (validate_string(jv, &value, &len) != 0) {
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu].value", i),
		    "indicator value must not contain NUL characters"));
	}
	if (indicator_check(type, value, &why) != 0) {
		validate_echo(value, len, echo);
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.indicators[%zu].value", i),
		    "%s value \"%s\" is not valid: %s", type, echo, why));
	}
	return (0);
}

/* Check indicators: optional, at most 1000 valid {type, value} objects. */
static int
validate_indicators(const json_t *report, struct verdict *v)
{
	const json_t	*j = json_object_get(report, "indicators");
	size_t		 i, n;

	if (j == NULL)
		return (0);
	if (!json_is_array(j)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.indicators",
		    "indicators must be an array of {\"type\":..., "
		    "\"value\":...} objects"));
	}
	n = json_array_size(j);
	if (n > REPORT_INDICATORS_MAX) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.indicators",
		    "indicators has %zu elements; at most 1000 are allowed", n));
	}
	for (i = 0; i < n; i++) {
		if (validate_indicator(json_array_get(j, i), i, v) != 0)
			return (-1);
	}
	return (0);
}

/* Check sectors: optional, distinct names from the taxonomy's list. */
static int
validate_sectors(const json_t *report, const struct taxonomy *tax,
    struct verdict *v)
{
	const json_t	*j = json_object_get(report, "sectors");
	const json_t	*item;
	const char	*s, *prev;
	size_t		 i, k, len;
	char		 echo[VALIDATE_ECHO_SIZE];

	if (j == NULL)
		return (0);
	if (!json_is_array(j)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.sectors",
		    "sectors must be an array of sector names from the "
		    "taxonomy"));
	}
	/*
	 * Every earlier element is a distinct taxonomy sector, so the inner
	 * loop never runs longer than the sector list however long the array.
	 */
	for (i = 0; i < json_array_size(j); i++) {
		item = json_array_get(j, i);
		if (!json_is_string(item)) {
			return (validate_fail(v, PROTO_INVALID_FIELD,
			    validate_path("report.sectors[%zu]", i),
			    "each sector must be a string naming a sector of "
			    "the taxonomy"));
		}
		if (validate_string(item, &s, &len) != 0 || tax == NULL ||
		    !taxonomy_has_sector(tax, s)) {
			validate_echo(json_string_value(item),
			    json_string_length(item), echo);
			return (validate_fail(v, PROTO_INVALID_FIELD,
			    validate_path("report.sectors[%zu]", i),
			    "unknown sector \"%s\"; use a sector name from the "
			    "taxonomy", echo));
		}
		for (k = 0; k < i; k++) {
			prev = json_string_value(json_array_get(j, k));
			if (strcmp(prev, s) == 0) {
				validate_echo(s, len, echo);
				return (validate_fail(v, PROTO_INVALID_FIELD,
				    validate_path("report.sectors[%zu]", i),
				    "sector \"%s\" is listed more than once",
				    echo));
			}
		}
	}
	return (0);
}

/* Order entries by text, then by position. */
static int
validate_entry_cmp(const void *a, const void *b)
{
	const struct validate_entry	*ea = a, *eb = b;
	int				 r;

	if ((r = strcmp(ea->s, eb->s)) != 0)
		return (r);
	if (ea->index != eb->index)
		return (ea->index < eb->index ? -1 : 1);
	return (0);
}

/*
 * Find the first element of the array of strings a that repeats an earlier
 * one; *dup is its index, or the array size when there is none. Sorting
 * keeps this O(n log n): nothing here bounds the number of recipients.
 */
static int
validate_first_duplicate(const json_t *a, size_t *dup)
{
	struct validate_entry	*e;
	size_t			 i, n = json_array_size(a);

	*dup = n;
	if (n < 2)
		return (0);
	if ((e = calloc(n, sizeof(*e))) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		e[i].s = json_string_value(json_array_get(a, i));
		e[i].index = i;
	}
	qsort(e, n, sizeof(*e), validate_entry_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(e[i - 1].s, e[i].s) == 0 && e[i].index < *dup)
			*dup = e[i].index;
	}
	free(e);
	return (0);
}

/* Check recipients: member IDs, distinct; required and non-empty for red. */
static int
validate_recipients(const json_t *report, struct report_view *rv,
    struct verdict *v)
{
	const json_t	*j = json_object_get(report, "recipients");
	const json_t	*item;
	const char	*s;
	size_t		 i, n, len;
	char		 echo[VALIDATE_ECHO_SIZE];

	if (j != NULL && !json_is_array(j)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.recipients",
		    "recipients must be an array of member IDs"));
	}
	n = j != NULL ? json_array_size(j) : 0;
	if (n == 0 && rv->tlp == TLP_RED) {
		return (verdict_set(v, PROTO_RECIPIENTS_REQUIRED,
		    "report.recipients",
		    "a report with tlp red must name its recipients: a "
		    "non-empty array of member IDs"));
	}
	if (j == NULL)
		return (0);
	if (n == 0) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.recipients",
		    "recipients must not be empty; leave the field out to "
		    "share by the sharing policy"));
	}
	for (i = 0; i < n; i++) {
		item = json_array_get(j, i);
		if (!json_is_string(item)) {
			return (validate_fail(v, PROTO_INVALID_FIELD,
			    validate_path("report.recipients[%zu]", i),
			    "each recipient must be a string: a member ID"));
		}
		if (validate_string(item, &s, &len) != 0 ||
		    !validate_member_id(s)) {
			validate_echo(json_string_value(item),
			    json_string_length(item), echo);
			return (validate_fail(v, PROTO_INVALID_FIELD,
			    validate_path("report.recipients[%zu]", i),
			    "recipient \"%s\" is not a member ID: 1-32 of "
			    "A-Z a-z 0-9 _ -", echo));
		}
	}
	if (validate_first_duplicate(j, &i) != 0)
		return (validate_nomem(v));
	if (i < n) {
		item = json_array_get(j, i);
		validate_echo(json_string_value(item), json_string_length(item),
		    echo);
		return (validate_fail(v, PROTO_INVALID_FIELD,
		    validate_path("report.recipients[%zu]", i),
		    "recipient \"%s\" is listed more than once", echo));
	}
	rv->recipients = j;
	return (0);
}

/*
 * Check a report against every rule of the report table, in a fixed order
 * so the same report always gets the same refusal: unknown fields first,
 * then each field in the order of the table.
 */
int
validate_report(const json_t *report, const struct taxonomy *tax,
    int64_t now_usec, struct report_view *view, struct verdict *v)
{
	struct report_view	rv;

	memset(&rv, 0, sizeof(rv));
	if (report == NULL) {
		return (verdict_set(v, PROTO_MISSING_FIELD, "report",
		    "report is required: an object with the report's fields"));
	}
	if (!json_is_object(report)) {
		return (verdict_set(v, PROTO_INVALID_FIELD, "report",
		    "report must be a JSON object"));
	}
	if (validate_unknown_fields(report, v) != 0 ||
	    validate_id(report, &rv, v) != 0 ||
	    validate_code(report, tax, &rv, v) != 0 ||
	    validate_severity(report, &rv, v) != 0 ||
	    validate_tlp(report, &rv, v) != 0 ||
	    validate_title(report, &rv, v) != 0 ||
	    validate_description(report, v) != 0 ||
	    validate_observed_at(report, now_usec, &rv, v) != 0 ||
	    validate_indicators(report, v) != 0 ||
	    validate_sectors(report, tax, v) != 0 ||
	    validate_recipients(report, &rv, v) != 0)
		return (-1);
	*view = rv;
	return (0);
}

/* 1 if s is a UUID in text form (8-4-4-4-12 hex digits). */
int
validate_uuid(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (0);
	for (i = 0; i < VALIDATE_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return (0);
	}
	return (s[VALIDATE_UUID_LEN] == '\0');
}

/* 1 if s is a member ID: 1-32 of A-Z a-z 0-9 _ -. */
int
validate_member_id(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i == VALIDATE_MEMBER_ID_MAX)
			return (0);
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return (0);
	}
	return (i > 0);
}
