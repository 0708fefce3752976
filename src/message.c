/* Decoding of the request envelope, apart from any connection. */
#include <string.h>

#include "jsonfast.h"
#include "message.h"

static const struct {
	const char		*name;
	enum message_type	 type;
} message_types[] = {
	{ "report", MESSAGE_REPORT },
	{ "subscribe", MESSAGE_SUBSCRIBE },
	{ "ack", MESSAGE_ACK },
	{ "query", MESSAGE_QUERY },
	{ "ping", MESSAGE_PING },
	{ "whoami", MESSAGE_WHOAMI },
	{ "forward", MESSAGE_FORWARD },
	{ "accepted", MESSAGE_ACCEPTED },
	{ "rejected", MESSAGE_REJECTED },
	{ "error", MESSAGE_ERROR },
	{ "pong", MESSAGE_PONG },
};

int
message_decode(const char *line, size_t len, struct message *m,
    struct verdict *v)
{
	json_error_t	 jerr;
	json_t		*jref, *jtype;
	const char	*type;
	size_t		 i, typelen;

	m->ref = NULL;
	/* jansson reads what the fast reader declines, and words errors. */
	if ((m->json = jsonfast_parse(line, len)) == NULL)
		m->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (m->json == NULL)
		return verdict_set(v, PROTO_MALFORMED_JSON, NULL,
		    "not valid JSON at column %d: %s", jerr.column, jerr.text);
	if (!json_is_object(m->json))
		return verdict_set(v, PROTO_MALFORMED_JSON, NULL,
		    "a message must be a JSON object");
	if ((jref = json_object_get(m->json, "ref")) != NULL) {
		if (!json_is_string(jref) ||
		    json_string_length(jref) > MESSAGE_REF_MAX)
			return verdict_set(v, PROTO_INVALID_FIELD, "ref",
			    "ref must be a string of at most %d bytes",
			    MESSAGE_REF_MAX);
		m->ref = json_string_value(jref);
	}
	if ((jtype = json_object_get(m->json, "type")) == NULL)
		return verdict_set(v, PROTO_MISSING_FIELD, "type",
		    "every message needs a string field \"type\"");
	if ((type = json_string_value(jtype)) == NULL)
		return verdict_set(v, PROTO_INVALID_FIELD, "type",
		    "\"type\" must be a string");
	typelen = json_string_length(jtype);	/* "ping\u0000x" is not ping */
	for (i = 0; i < sizeof message_types / sizeof message_types[0]; i++) {
		if (strlen(message_types[i].name) == typelen &&
		    memcmp(type, message_types[i].name, typelen) == 0) {
			m->type = message_types[i].type;
			return 0;
		}
	}
	return verdict_set(v, PROTO_UNKNOWN_TYPE, "type", "unknown message "
	    "type; expected report, subscribe, ack, query or ping");
}

void
message_clear(struct message *m)
{
	json_decref(m->json);
	m->json = NULL;
	m->ref = NULL;
}
