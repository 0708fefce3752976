/* Protocol error codes and the verdict that carries one with its field and message. */
#ifndef KENTONGAN_VERDICT_H
#define KENTONGAN_VERDICT_H

enum proto_error {
	PROTO_OK = 0,
	PROTO_MALFORMED_JSON,
	PROTO_MESSAGE_TOO_LARGE,
	PROTO_UNKNOWN_TYPE,
	PROTO_MISSING_FIELD,
	PROTO_INVALID_FIELD,
	PROTO_UNKNOWN_FIELD,
	PROTO_UNKNOWN_CODE,
	PROTO_RECIPIENTS_REQUIRED,
	PROTO_UNKNOWN_RECIPIENT,
	PROTO_RECIPIENT_NOT_PERMITTED,
	PROTO_ID_CONFLICT,
	PROTO_RATE_LIMITED,
	PROTO_NOT_SUBSCRIBED,
	PROTO_INTERNAL_ERROR,
	PROTO_LOOP_DETECTED,		/* a forward that came back round */
	PROTO_NERRORS
};

/*
 * Why a message was refused. field is a JSON path such as
 * "report.indicators[1].value", or NULL where none applies. Both strings are
 * malloc'd and owned by the verdict.
 */
struct verdict {
	enum proto_error	 error;
	char			*field;
	char			*message;
};

const char	*proto_error_name(enum proto_error);
/* Record an error with a printf-style message; always returns -1. */
int		 verdict_set(struct verdict *, enum proto_error, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void		 verdict_clear(struct verdict *);

#endif
