/* Decoding of the subscribe, ack and query requests, and alert filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "sign.h"
#include "timefmt.h"
#include "validate.h"

int
filter_code_match(const char *pattern, const char *code)
{
	size_t	len = strlen(pattern);

	if (len > 0 && pattern[len - 1] == '/')
		return (strncmp(pattern, code, len) == 0);
	return (strcmp(pattern, code) == 0);
}

int
filter_match(const struct filter *f, const char *code, enum severity severity)
{
	size_t	i;

	if (f->has_min_severity && severity < f->min_severity)
		return (0);
	if (f->ncodes == 0)
		return (1);
	for (i = 0; i < f->ncodes; i++) {
		if (filter_code_match(f->codes[i], code))
			return (1);
	}
	return (0);
}

void
filter_clear(struct filter *f)
{
	size_t	i;

	for (i = 0; i < f->ncodes; i++)
		free(f->codes[i]);
	free(f->codes);
	memset(f, 0, sizeof *f);
}

int
filter_copy(struct filter *dst, const struct filter *src)
{
	size_t	i;

	memset(dst, 0, sizeof *dst);
	dst->has_min_severity = src->has_min_severity;
	dst->min_severity = src->min_severity;
	if (src->ncodes == 0)
		return (0);
	if ((dst->codes = calloc(src->ncodes, sizeof *dst->codes)) == NULL)
		return (-1);
	for (i = 0; i < src->ncodes; i++) {
		if ((dst->codes[i] = strdup(src->codes[i])) == NULL) {
			dst->ncodes = i;
			filter_clear(dst);
			return (-1);
		}
	}
	dst->ncodes = src->ncodes;
	return (0);
}

int
request_keys(const json_t *obj, const char *const *allowed, const char *prefix,
    struct verdict *v)
{
	const char	*key;
	json_t		*value;
	char		 path[128];
	size_t		 i;

	json_object_foreach((json_t *)obj, key, value) {
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(key, allowed[i]) == 0)
				break;
		}
		if (allowed[i] != NULL)
			continue;
		snprintf(path, sizeof path, "%s%s%.64s", prefix,
		    *prefix != '\0' ? "." : "", key);
		return (verdict_set(v, PROTO_UNKNOWN_FIELD, path,
		    "unknown field \"%.64s\"", key));
	}
	return (0);
}

/*
 * Check a code pattern: a code of the taxonomy, or a class of it followed
 * by '/'. A well-formed string that names neither is unknown_code.
 */
static int
request_code_pattern(const json_t *j, const struct taxonomy *t,
    const char *path, const char **out, struct verdict *v)
{
	const char	*s = json_string_value(j);
	size_t		 len;

	if (s == NULL || (len = json_string_length(j)) == 0 || len > 128 ||
	    strlen(s) != len)
		return (verdict_set(v, PROTO_INVALID_FIELD, path, "a code or "
		    "a class followed by '/' was expected, such as "
		    "\"intrusions/\" or \"availability/ddos\""));
	if (!taxonomy_has_pattern(t, s))
		return (verdict_set(v, PROTO_UNKNOWN_CODE, path, "\"%.64s\" is "
		    "neither a code nor a class of the hub's taxonomy", s));
	*out = s;
	return (0);
}

/* An optional severity level at key. */
static int
request_severity(const json_t *obj, const char *key, const char *path,
    int *has, enum severity *out, struct verdict *v)
{
	const json_t	*j = json_object_get(obj, key);

	*has = 0;
	if (j == NULL)
		return (0);
	if (severity_parse(json_string_value(j), out) == -1)
		return (verdict_set(v, PROTO_INVALID_FIELD, path, "severity "
		    "must be one of info, low, medium, high, critical"));
	*has = 1;
	return (0);
}

/* An optional non-negative integer at key. */
static int
request_uint(const json_t *obj, const char *key, int *has, int64_t *out,
    struct verdict *v)
{
	const json_t	*j = json_object_get(obj, key);

	*has = 0;
	if (j == NULL)
		return (0);
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return (verdict_set(v, PROTO_INVALID_FIELD, key, "%s must be "
		    "an integer, 0 or more", key));
	*out = json_integer_value(j);
	*has = 1;
	return (0);
}

/* The filter object of a subscription. */
static int
request_filter(const json_t *j, const struct taxonomy *t, struct filter *f,
    struct verdict *v)
{
	static const char *const allowed[] = { "codes", "min_severity", NULL };
	const json_t	*codes, *item;
	const char	*s;
	char		 path[64];
	size_t		 i;

	memset(f, 0, sizeof *f);
	if (j == NULL)
		return (0);
	if (!json_is_object(j))
		return (verdict_set(v, PROTO_INVALID_FIELD, "filter",
		    "filter must be an object"));
	if (request_keys(j, allowed, "filter", v) == -1)
		return (-1);
	if (request_severity(j, "min_severity", "filter.min_severity",
	    &f->has_min_severity, &f->min_severity, v) == -1)
		return (-1);
	if ((codes = json_object_get(j, "codes")) == NULL)
		return (0);
	if (!json_is_array(codes) ||
	    json_array_size(codes) > REQUEST_FILTER_CODES_MAX)
		return (verdict_set(v, PROTO_INVALID_FIELD, "filter.codes",
		    "filter.codes must be an array of at most %d codes or "
		    "classes", REQUEST_FILTER_CODES_MAX));
	if (json_array_size(codes) == 0)
		return (0);
	if ((f->codes = calloc(json_array_size(codes), sizeof *f->codes)) ==
	    NULL)
		return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
		    "out of memory"));
	json_array_foreach(codes, i, item) {
		snprintf(path, sizeof path, "filter.codes[%zu]", i);
		if (request_code_pattern(item, t, path, &s, v) == -1)
			goto fail;
		if ((f->codes[f->ncodes] = strdup(s)) == NULL) {
			verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
			    "out of memory");
			goto fail;
		}
		f->ncodes++;
	}
	return (0);
fail:
	filter_clear(f);
	return (-1);
}

int
request_subscribe(const json_t *msg, const struct taxonomy *t,
    struct subscribe_request *r, struct verdict *v)
{
	static const char *const allowed[] = {
		"type", "ref", "filter", "since", NULL
	};

	memset(r, 0, sizeof *r);
	if (request_keys(msg, allowed, "", v) == -1 ||
	    request_uint(msg, "since", &r->has_since, &r->since, v) == -1)
		return (-1);
	return (request_filter(json_object_get(msg, "filter"), t, &r->filter,
	    v));
}

int
request_ack(const json_t *msg, int64_t *seq, const char **sig,
    struct verdict *v)
{
	static const char *const allowed[] = { "type", "ref", "seq", "sig",
	    NULL };
	const json_t	*j;
	int		 has;

	*sig = NULL;
	if (request_keys(msg, allowed, "", v) == -1 ||
	    request_uint(msg, "seq", &has, seq, v) == -1)
		return (-1);
	if (!has)
		return (verdict_set(v, PROTO_MISSING_FIELD, "seq", "an ack "
		    "needs \"seq\": every alert up to it has been processed"));
	if ((j = json_object_get(msg, "sig")) != NULL) {
		if (!json_is_string(j) || json_string_length(j) == 0 ||
		    json_string_length(j) >= REQUEST_SIG_MAX ||
		    !sign_b64_strict(json_string_value(j)))
			return (verdict_set(v, PROTO_INVALID_FIELD, "sig", "sig "
			    "must be the base64 signature of kentongan-ack:"
			    "MEMBER:SEQ:CHAIN (A-Z, a-z, 0-9, + and /, padded "
			    "with = to a multiple of 4, nothing else)"));
		*sig = json_string_value(j);
	}
	return (0);
}

/* An optional RFC 3339 time of the query filter. */
static int
request_time(const json_t *filter, const char *key, int *has, int64_t *out,
    struct verdict *v)
{
	const json_t	*j = json_object_get(filter, key);
	char		 path[32];

	*has = 0;
	if (j == NULL)
		return (0);
	snprintf(path, sizeof path, "filter.%s", key);
	if (!json_is_string(j) || rfc3339_parse(json_string_value(j), out) ==
	    -1)
		return (verdict_set(v, PROTO_INVALID_FIELD, path, "%s must be "
		    "an RFC 3339 time such as 2026-11-01T00:00:00Z", path));
	*has = 1;
	return (0);
}

/* The filter object of a query. */
static int
request_query_filter(const json_t *j, const struct taxonomy *t,
    struct query_request *q, struct verdict *v)
{
	static const char *const allowed[] = {
		"code", "sender", "min_severity", "since", "until", NULL
	};
	const json_t	*item;
	const char	*s;

	if (j == NULL)
		return (0);
	if (!json_is_object(j))
		return (verdict_set(v, PROTO_INVALID_FIELD, "filter",
		    "filter must be an object"));
	if (request_keys(j, allowed, "filter", v) == -1)
		return (-1);
	if ((item = json_object_get(j, "code")) != NULL) {
		if (request_code_pattern(item, t, "filter.code", &s, v) == -1)
			return (-1);
		if ((q->code = strdup(s)) == NULL)
			return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
			    "out of memory"));
	}
	if ((item = json_object_get(j, "sender")) != NULL) {
		s = json_string_value(item);
		if (s == NULL || !validate_member_id(s))
			return (verdict_set(v, PROTO_INVALID_FIELD,
			    "filter.sender", "sender must be a member ID"));
		snprintf(q->sender, sizeof q->sender, "%s", s);
	}
	if (request_severity(j, "min_severity", "filter.min_severity",
	    &q->has_min_severity, &q->min_severity, v) == -1 ||
	    request_time(j, "since", &q->has_since, &q->since, v) == -1 ||
	    request_time(j, "until", &q->has_until, &q->until, v) == -1)
		return (-1);
	return (0);
}

int
request_query(const json_t *msg, const struct taxonomy *t,
    struct query_request *q, struct verdict *v)
{
	static const char *const allowed[] = {
		"type", "ref", "filter", "after", "limit", NULL
	};
	int64_t	limit;
	int	has;

	memset(q, 0, sizeof *q);
	q->limit = REQUEST_QUERY_LIMIT_DEFAULT;
	if (request_keys(msg, allowed, "", v) == -1 ||
	    request_uint(msg, "after", &has, &q->after, v) == -1)
		goto fail;
	if (request_uint(msg, "limit", &has, &limit, v) == -1)
		goto fail;
	if (has && (limit < 1 || limit > REQUEST_QUERY_LIMIT_MAX)) {
		verdict_set(v, PROTO_INVALID_FIELD, "limit", "limit must be "
		    "from 1 to %d", REQUEST_QUERY_LIMIT_MAX);
		goto fail;
	}
	if (has)
		q->limit = (unsigned)limit;
	if (request_query_filter(json_object_get(msg, "filter"), t, q, v) ==
	    -1)
		goto fail;
	return (0);
fail:
	request_query_clear(q);
	return (-1);
}

void
request_query_clear(struct query_request *q)
{
	free(q->code);
	q->code = NULL;
}
