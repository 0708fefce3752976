/* Parameters of the operator API's URLs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "export.h"
#include "opparams.h"
#include "timefmt.h"
#include "validate.h"

/*
 * Decoded values are C strings: a NUL (%00) would cut one short unseen. So
 * look at the raw pairs first and refuse such a value as the value it is
 * not: an unknown code, or an invalid parameter.
 */
static int
opparams_nul(const char *query, struct verdict *v)
{
	const char	*pair = query, *end, *eq;
	char		 name[65];
	size_t		 len;

	while (*pair != '\0') {
		end = pair + strcspn(pair, "&");
		eq = memchr(pair, '=', (size_t)(end - pair));
		len = (size_t)((eq != NULL ? eq : end) - pair);
		if (len >= sizeof name)
			len = sizeof name - 1;
		memcpy(name, pair, len);
		name[len] = '\0';
		if (memmem(pair, (size_t)(end - pair), "%00", 3) != NULL) {
			if (eq == NULL || memmem(pair, len, "%00", 3) != NULL)
				return (verdict_set(v, PROTO_UNKNOWN_FIELD, NULL,
				    "a parameter name may not contain NUL"));
			return (verdict_set(v, strcmp(name, "code") == 0 ?
			    PROTO_UNKNOWN_CODE : PROTO_INVALID_FIELD, name,
			    "%s may not contain NUL (%%00)", name));
		}
		pair = *end == '&' ? end + 1 : end;
	}
	return (0);
}

/* Split and decode a query string; refuse repeated names. */
static int
opparams_split(const char *query, struct evkeyvalq *params,
    const char *const *allowed, struct verdict *v)
{
	struct evkeyval	*kv, *other;
	size_t		 i;

	TAILQ_INIT(params);
	if (query == NULL)
		return (0);
	if (opparams_nul(query, v) == -1)
		return (-1);
	if (evhttp_parse_query_str(query, params) == -1)
		return (verdict_set(v, PROTO_INVALID_FIELD, NULL, "the query "
		    "string is malformed (expected NAME=VALUE&...)"));
	TAILQ_FOREACH(kv, params, next) {
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(kv->key, allowed[i]) == 0)
				break;
		}
		if (allowed[i] == NULL)
			return (verdict_set(v, PROTO_UNKNOWN_FIELD, kv->key,
			    "unknown parameter \"%.64s\"", kv->key));
		for (other = TAILQ_NEXT(kv, next); other != NULL;
		    other = TAILQ_NEXT(other, next)) {
			if (strcmp(other->key, kv->key) == 0)
				return (verdict_set(v, PROTO_INVALID_FIELD,
				    kv->key, "parameter \"%.64s\" is given more "
				    "than once", kv->key));
		}
	}
	return (0);
}

/* A parameter's value, NULL when absent or empty. */
static const char *
opparams_get(struct evkeyvalq *params, const char *name)
{
	const char	*value = evhttp_find_header(params, name);

	return (value != NULL && *value != '\0' ? value : NULL);
}

/* A non-negative decimal no larger than max. */
static int
opparams_number(const char *s, int64_t max, int64_t *out)
{
	char		*end;
	long long	 n;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || n > max)
		return (-1);
	*out = n;
	return (0);
}

/* since and until, shared by the endpoints that take a time window. */
static int
opparams_window(struct evkeyvalq *params, int *has_since, int64_t *since,
    int *has_until, int64_t *until, struct verdict *v)
{
	const char	*s;

	*has_since = *has_until = 0;
	if ((s = opparams_get(params, "since")) != NULL) {
		if (rfc3339_parse(s, since) == -1)
			return (verdict_set(v, PROTO_INVALID_FIELD, "since",
			    "since must be an RFC 3339 time such as "
			    "2026-11-01T00:00:00Z"));
		*has_since = 1;
	}
	if ((s = opparams_get(params, "until")) != NULL) {
		if (rfc3339_parse(s, until) == -1)
			return (verdict_set(v, PROTO_INVALID_FIELD, "until",
			    "until must be an RFC 3339 time such as "
			    "2026-11-21T00:00:00Z"));
		*has_until = 1;
	}
	return (0);
}

int
opparams_reports(const char *query, const struct taxonomy *t,
    struct query_request *q, struct verdict *v)
{
	static const char *const allowed[] = { "code", "sender",
	    "min_severity", "tlp", "since", "until", "after", "limit",
	    "format", NULL };
	struct evkeyvalq	 params;
	const char		*s;
	int64_t			 n;
	int			 rc = -1;

	memset(q, 0, sizeof *q);
	q->limit = REQUEST_QUERY_LIMIT_DEFAULT;
	if (opparams_split(query, &params, allowed, v) == -1)
		goto done;
	if ((s = opparams_get(&params, "code")) != NULL) {
		if (!taxonomy_has_pattern(t, s)) {
			verdict_set(v, PROTO_UNKNOWN_CODE, "code", "\"%.64s\" is "
			    "neither a code nor a class (CLASS/) of the "
			    "taxonomy", s);
			goto done;
		}
		if ((q->code = strdup(s)) == NULL) {
			verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
			    "out of memory");
			goto done;
		}
	}
	if ((s = opparams_get(&params, "sender")) != NULL) {
		if (!validate_member_id(s)) {
			verdict_set(v, PROTO_INVALID_FIELD, "sender", "sender "
			    "must be a member ID (1-32 of A-Z a-z 0-9 _ -)");
			goto done;
		}
		memcpy(q->sender, s, strlen(s) + 1);
	}
	if ((s = opparams_get(&params, "min_severity")) != NULL) {
		if (severity_parse(s, &q->min_severity) == -1) {
			verdict_set(v, PROTO_INVALID_FIELD, "min_severity",
			    "min_severity must be one of info, low, medium, "
			    "high, critical");
			goto done;
		}
		q->has_min_severity = 1;
	}
	if ((s = opparams_get(&params, "tlp")) != NULL) {
		if (tlp_parse(s, &q->tlp) == -1) {
			verdict_set(v, PROTO_INVALID_FIELD, "tlp", "tlp must be "
			    "one of clear, green, amber, amber+strict, red "
			    "(write + as %%2B)");
			goto done;
		}
		q->has_tlp = 1;
	}
	if (opparams_window(&params, &q->has_since, &q->since, &q->has_until,
	    &q->until, v) == -1)
		goto done;
	if ((s = opparams_get(&params, "after")) != NULL) {
		if (opparams_number(s, INT64_MAX, &q->after) == -1) {
			verdict_set(v, PROTO_INVALID_FIELD, "after", "after must "
			    "be a sequence number (an integer, 0 or more)");
			goto done;
		}
	}
	if ((s = opparams_get(&params, "limit")) != NULL) {
		if (opparams_number(s, REQUEST_QUERY_LIMIT_MAX, &n) == -1 ||
		    n < 1) {
			verdict_set(v, PROTO_INVALID_FIELD, "limit", "limit must "
			    "be from 1 to %d", REQUEST_QUERY_LIMIT_MAX);
			goto done;
		}
		q->limit = (unsigned)n;
	}
	rc = 0;
done:
	evhttp_clear_headers(&params);
	if (rc == -1)
		request_query_clear(q);
	return (rc);
}

int
opparams_stats(const char *query, int64_t *since, int64_t *until,
    struct verdict *v)
{
	static const char *const allowed[] = { "since", "until", NULL };
	struct evkeyvalq	 params;
	int			 has_since, has_until, rc = -1;

	*since = *until = 0;
	if (opparams_split(query, &params, allowed, v) == -1 ||
	    opparams_window(&params, &has_since, since, &has_until, until,
	    v) == -1)
		goto done;
	if (!has_since)
		*since = 0;
	if (!has_until)
		*until = 0;
	rc = 0;
done:
	evhttp_clear_headers(&params);
	return (rc);
}

int
opparams_ledger(const char *query, int64_t *after, unsigned *limit,
    struct verdict *v)
{
	static const char *const allowed[] = { "after", "limit", NULL };
	struct evkeyvalq	 params;
	const char		*s;
	int64_t			 n;
	int			 rc = -1;

	*after = 0;
	*limit = REQUEST_QUERY_LIMIT_DEFAULT;
	if (opparams_split(query, &params, allowed, v) == -1)
		goto done;
	if ((s = opparams_get(&params, "after")) != NULL &&
	    opparams_number(s, INT64_MAX, after) == -1) {
		verdict_set(v, PROTO_INVALID_FIELD, "after", "after must be an "
		    "entry number (an integer, 0 or more)");
		goto done;
	}
	if ((s = opparams_get(&params, "limit")) != NULL) {
		if (opparams_number(s, REQUEST_QUERY_LIMIT_MAX, &n) == -1 ||
		    n < 1) {
			verdict_set(v, PROTO_INVALID_FIELD, "limit", "limit must "
			    "be from 1 to %d", REQUEST_QUERY_LIMIT_MAX);
			goto done;
		}
		*limit = (unsigned)n;
	}
	rc = 0;
done:
	evhttp_clear_headers(&params);
	return (rc);
}

int
opparams_seq(const char *text, int64_t *seq)
{
	if (*text == '0' || opparams_number(text, INT64_MAX, seq) == -1 ||
	    *seq < 1)
		return (-1);
	return (0);
}

/* The format parameter among params: json when absent. */
static int
opparams_format_of(struct evkeyvalq *params, enum export_format *format,
    struct verdict *v)
{
	const char	*s;

	*format = EXPORT_JSON;
	/* Unlike a filter, an empty format names none: refused. */
	if ((s = evhttp_find_header(params, "format")) != NULL &&
	    export_format_parse(s, format) == -1)
		return (verdict_set(v, PROTO_INVALID_FIELD, "format", "format "
		    "must be json, stix or misp, not \"%.64s\"", s));
	return (0);
}

int
opparams_format(const char *query, enum export_format *format,
    struct verdict *v)
{
	struct evkeyvalq	 params;
	int			 rc;

	*format = EXPORT_JSON;
	TAILQ_INIT(&params);
	if (query == NULL)
		return (0);
	if (evhttp_parse_query_str(query, &params) == -1)
		return (verdict_set(v, PROTO_INVALID_FIELD, NULL, "the query "
		    "string is malformed (expected NAME=VALUE&...)"));
	rc = opparams_format_of(&params, format, v);
	evhttp_clear_headers(&params);
	return (rc);
}

int
opparams_report(const char *query, enum export_format *format,
    struct verdict *v)
{
	static const char *const allowed[] = { "format", NULL };
	struct evkeyvalq	 params;
	int			 rc = -1;

	*format = EXPORT_JSON;
	if (opparams_split(query, &params, allowed, v) == -1 ||
	    opparams_format_of(&params, format, v) == -1)
		goto done;
	rc = 0;
done:
	evhttp_clear_headers(&params);
	return (rc);
}
