/* The forward message between hubs and the stored origin of a forwarded report. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parser.h"
#include "forward.h"
#include "request.h"
#include "timefmt.h"

/* 1 if path (n entries) holds id. */
static int
forward_path_has(const struct origin *o, size_t n, const char *id)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(o->path[i], id) == 0)
			return (1);
	}
	return (0);
}

/* Copy a member ID field of obj into out; -1 with *v set. */
static int
forward_id(const json_t *obj, const char *key, const char *field, char *out,
    size_t size, struct verdict *v)
{
	const json_t	*j = json_object_get(obj, key);
	const char	*s;

	if (j == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, field, "%s is "
		    "required", field));
	if ((s = json_string_value(j)) == NULL || !conf_valid_id(s) ||
	    strlen(s) >= size)
		return (verdict_set(v, PROTO_INVALID_FIELD, field, "%s must be "
		    "a hub or member ID (" CONF_ID_CHARS ")", field));
	snprintf(out, size, "%s", s);
	return (0);
}

/* The origin object of a forward. */
static int
forward_decode_origin(const json_t *j, struct origin *o, struct verdict *v)
{
	static const char *const keys[] = {
		"hub", "member", "seq", "received_at", NULL
	};
	const json_t	*seq, *at;

	if (j == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, "forward.origin",
		    "a forward needs an \"origin\" object"));
	if (!json_is_object(j))
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.origin",
		    "forward.origin must be an object"));
	if (request_keys(j, keys, "forward.origin", v) == -1 ||
	    forward_id(j, "hub", "forward.origin.hub", o->hub, sizeof o->hub,
	    v) == -1 ||
	    forward_id(j, "member", "forward.origin.member", o->member,
	    sizeof o->member, v) == -1)
		return (-1);
	if ((seq = json_object_get(j, "seq")) == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, "forward.origin.seq",
		    "forward.origin.seq is required"));
	if (!json_is_integer(seq) || json_integer_value(seq) < 1)
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.origin.seq",
		    "forward.origin.seq must be a positive integer"));
	o->seq = json_integer_value(seq);
	if ((at = json_object_get(j, "received_at")) == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD,
		    "forward.origin.received_at",
		    "forward.origin.received_at is required"));
	if (!json_is_string(at) || rfc3339_parse(json_string_value(at),
	    &o->received_at) == -1)
		return (verdict_set(v, PROTO_INVALID_FIELD,
		    "forward.origin.received_at", "forward.origin.received_at "
		    "must be an RFC 3339 time"));
	return (0);
}

/* The path of a forward, which starts at the origin hub. */
static int
forward_decode_path(const json_t *j, struct origin *o, struct verdict *v)
{
	const json_t	*item;
	const char	*s;
	char		 field[48];
	size_t		 i;

	if (j == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, "forward.path",
		    "a forward needs a \"path\" array"));
	if (!json_is_array(j) || json_array_size(j) == 0)
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.path",
		    "forward.path must be an array of hub IDs, the origin "
		    "first"));
	if (json_array_size(j) > CONF_PATH_MAX)
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.path",
		    "forward.path may hold at most %d hubs", CONF_PATH_MAX));
	o->npath = 0;
	json_array_foreach(j, i, item) {
		snprintf(field, sizeof field, "forward.path[%zu]", i);
		s = json_string_value(item);
		if (s == NULL || !conf_valid_id(s))
			return (verdict_set(v, PROTO_INVALID_FIELD, field,
			    "%s must be a hub ID (" CONF_ID_CHARS ")", field));
		if (forward_path_has(o, o->npath, s))
			return (verdict_set(v, PROTO_INVALID_FIELD, field,
			    "%s: hub %s is on the path twice", field, s));
		snprintf(o->path[o->npath++], sizeof o->path[0], "%s", s);
	}
	if (strcmp(o->path[0], o->hub) != 0)
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.path[0]",
		    "the path starts at the origin hub, %s", o->hub));
	return (0);
}

int
forward_decode(const json_t *msg, const char *from_peer, struct origin *o,
    const json_t **report, struct verdict *v)
{
	static const char *const envelope[] = { "type", "ref", "forward",
	    NULL };
	static const char *const fields[] = { "origin", "path", "report",
	    NULL };
	const json_t	*f;

	memset(o, 0, sizeof *o);
	*report = NULL;
	if (request_keys(msg, envelope, "", v) == -1)
		return (-1);
	if ((f = json_object_get(msg, "forward")) == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, "forward",
		    "a forward message needs a \"forward\" object"));
	if (!json_is_object(f))
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward",
		    "forward must be an object"));
	if (request_keys(f, fields, "forward", v) == -1 ||
	    forward_decode_origin(json_object_get(f, "origin"), o, v) == -1 ||
	    forward_decode_path(json_object_get(f, "path"), o, v) == -1)
		return (-1);
	/* The hub that sent it is on the path, whatever it wrote. */
	if (strcmp(o->path[o->npath - 1], from_peer) != 0) {
		if (forward_path_has(o, o->npath, from_peer))
			return (verdict_set(v, PROTO_INVALID_FIELD,
			    "forward.path", "the sending hub, %s, must be last "
			    "on the path", from_peer));
		if (o->npath == CONF_PATH_MAX)
			return (verdict_set(v, PROTO_INVALID_FIELD,
			    "forward.path", "forward.path may hold at most %d "
			    "hubs", CONF_PATH_MAX));
		snprintf(o->path[o->npath++], sizeof o->path[0], "%s",
		    from_peer);
	}
	if ((*report = json_object_get(f, "report")) == NULL)
		return (verdict_set(v, PROTO_MISSING_FIELD, "forward.report",
		    "a forward needs a \"report\" object"));
	if (!json_is_object(*report))
		return (verdict_set(v, PROTO_INVALID_FIELD, "forward.report",
		    "forward.report must be an object"));
	return (0);
}

int
forward_loop(const struct origin *o, const char *hub_id, struct verdict *v)
{
	char	path[CONF_PATH_MAX * (CONF_MEMBER_ID_MAX + 3) + 1];
	size_t	i, len = 0;

	if (strcmp(o->hub, hub_id) != 0 &&
	    !forward_path_has(o, o->npath, hub_id))
		return (0);
	path[0] = '\0';
	for (i = 0; i < o->npath; i++)
		len += (size_t)snprintf(path + len, sizeof path - len, "%s%s",
		    i > 0 ? " > " : "", o->path[i]);
	return (verdict_set(v, PROTO_LOOP_DETECTED, "forward.path", "this hub, "
	    "%s, is already on the report's path (%s)", hub_id, path));
}

size_t
forward_path(const struct origin *o, const char *out[CONF_PATH_MAX])
{
	size_t	i;

	for (i = 0; i < o->npath; i++)
		out[i] = o->path[i];
	return (o->npath);
}

char *
forward_key(const struct origin *o, const char *id)
{
	char	*key, *p;

	if (asprintf(&key, "%s/%s/%s", o->hub, o->member, id) == -1)
		return (NULL);
	for (p = key + strlen(o->hub) + strlen(o->member) + 2; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return (key);
}

/* Append the path (with extra at its end, if not NULL) as a JSON array. */
static int
forward_path_json(const struct origin *o, const char *extra, char *buf,
    size_t size)
{
	size_t	i, len = 0;
	int	n;

	buf[len++] = '[';
	for (i = 0; i < o->npath; i++) {
		n = snprintf(buf + len, size - len, "%s\"%s\"", i > 0 ? "," : "",
		    o->path[i]);
		if (n < 0 || (size_t)n >= size - len)
			return (-1);
		len += (size_t)n;
	}
	if (extra != NULL) {
		n = snprintf(buf + len, size - len, "%s\"%s\"",
		    o->npath > 0 ? "," : "", extra);
		if (n < 0 || (size_t)n >= size - len)
			return (-1);
		len += (size_t)n;
	}
	if (len + 2 > size)
		return (-1);
	buf[len++] = ']';
	buf[len] = '\0';
	return (0);
}

#define FORWARD_PATH_JSON	(CONF_PATH_MAX * (CONF_MEMBER_ID_MAX + 3) + 8)

char *
forward_origin_encode(const struct origin *o)
{
	char	 path[FORWARD_PATH_JSON], when[RFC3339_BUFSIZE], *text;

	/* IDs are of A-Z a-z 0-9 _ -: nothing to escape. */
	if (forward_path_json(o, NULL, path, sizeof path) == -1 ||
	    asprintf(&text, "{\"hub\":\"%s\",\"member\":\"%s\",\"seq\":%lld,"
	    "\"received_at\":\"%s\",\"path\":%s}", o->hub, o->member,
	    (long long)o->seq, rfc3339_format(o->received_at, when,
	    sizeof when), path) == -1)
		return (NULL);
	return (text);
}

int
forward_origin_decode(const char *text, struct origin *o)
{
	struct verdict	 v = { 0 };
	json_t		*j, *path;
	int		 rc = -1;

	memset(o, 0, sizeof *o);
	if ((j = json_loads(text, 0, NULL)) == NULL)
		return (-1);
	path = json_object_get(j, "path");
	if (path != NULL)
		json_incref(path);
	json_object_del(j, "path");
	if (forward_decode_origin(j, o, &v) == 0 &&
	    forward_decode_path(path, o, &v) == 0)
		rc = 0;
	verdict_clear(&v);
	json_decref(path);
	json_decref(j);
	return (rc);
}

char *
forward_format(const struct origin *o, const char *hub_id, const char *sender,
    int64_t seq, int64_t received_at, const char *body, size_t body_len,
    size_t *len)
{
	struct origin	 own;
	char		 path[FORWARD_PATH_JSON], when[RFC3339_BUFSIZE];
	char		 head[FORWARD_PATH_JSON + 256], *out;
	int		 n;

	if (o == NULL) {
		memset(&own, 0, sizeof own);
		snprintf(own.hub, sizeof own.hub, "%s", hub_id);
		snprintf(own.member, sizeof own.member, "%s", sender);
		own.seq = seq;
		own.received_at = received_at;
		o = &own;
	} else if (o->npath == CONF_PATH_MAX)
		return (NULL);
	if (forward_path_json(o, hub_id, path,
	    sizeof path) == -1)
		return (NULL);
	n = snprintf(head, sizeof head, "{\"type\":\"forward\",\"ref\":"
	    "\"%lld\",\"forward\":{\"origin\":{\"hub\":\"%s\",\"member\":"
	    "\"%s\",\"seq\":%lld,\"received_at\":\"%s\"},\"path\":%s,"
	    "\"report\":", (long long)seq, o->hub, o->member,
	    (long long)o->seq, rfc3339_format(o->received_at, when,
	    sizeof when), path);
	if (n < 0 || (size_t)n >= sizeof head)
		return (NULL);
	*len = (size_t)n + body_len + 3;
	if ((out = malloc(*len + 1)) == NULL)
		return (NULL);
	memcpy(out, head, (size_t)n);
	memcpy(out + n, body, body_len);
	memcpy(out + n + body_len, "}}\n", 4);
	return (out);
}
