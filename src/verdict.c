/* Protocol error codes, spelled as on the wire, and verdict bookkeeping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "verdict.h"

static const char *proto_error_names[PROTO_NERRORS] = {
	[PROTO_OK] = "ok",
	[PROTO_MALFORMED_JSON] = "malformed_json",
	[PROTO_MESSAGE_TOO_LARGE] = "message_too_large",
	[PROTO_UNKNOWN_TYPE] = "unknown_type",
	[PROTO_MISSING_FIELD] = "missing_field",
	[PROTO_INVALID_FIELD] = "invalid_field",
	[PROTO_UNKNOWN_FIELD] = "unknown_field",
	[PROTO_UNKNOWN_CODE] = "unknown_code",
	[PROTO_RECIPIENTS_REQUIRED] = "recipients_required",
	[PROTO_UNKNOWN_RECIPIENT] = "unknown_recipient",
	[PROTO_RECIPIENT_NOT_PERMITTED] = "recipient_not_permitted",
	[PROTO_ID_CONFLICT] = "id_conflict",
	[PROTO_RATE_LIMITED] = "rate_limited",
	[PROTO_NOT_SUBSCRIBED] = "not_subscribed",
	[PROTO_INTERNAL_ERROR] = "internal_error",
	[PROTO_LOOP_DETECTED] = "loop_detected",
};

const char *
proto_error_name(enum proto_error e)
{
	if ((unsigned)e >= PROTO_NERRORS)
		return ("internal_error");
	return (proto_error_names[e]);
}

int
verdict_set(struct verdict *v, enum proto_error error, const char *field,
    const char *fmt, ...)
{
	va_list	ap;
	char	*message = NULL;

	verdict_clear(v);
	v->error = error;
	if (field != NULL)
		v->field = strdup(field);
	va_start(ap, fmt);
	if (vasprintf(&message, fmt, ap) == -1)
		message = NULL;
	va_end(ap);
	/* Both are sent in JSON, and they may quote what the peer sent. */
	if (message != NULL)
		utf8_scrub(message);
	if (v->field != NULL)
		utf8_scrub(v->field);
	v->message = message;
	return (-1);
}

void
verdict_clear(struct verdict *v)
{
	free(v->field);
	free(v->message);
	v->field = NULL;
	v->message = NULL;
	v->error = PROTO_OK;
}
