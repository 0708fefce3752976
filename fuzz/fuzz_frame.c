/*
 * Fuzz target: the member protocol's input path, as conn.c and session.c
 * drive it: bytes arrive in chunks, frame_next/frame_take cut lines,
 * message_decode reads the envelope, then the request decoders (and for a
 * report validate_report) judge what is in it.
 *
 * Input: byte 0 picks the line limit (4096 >> (b % 8): 4096 down to 32, so
 * "0" is the daemon's smallest max_message_bytes); byte 1 seeds the chunk
 * sizes (b % 13 == 0: one byte at a time; else up to 2^(b % 13) bytes);
 * the rest is the stream of lines, as a peer would send it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "frame.h"
#include "fuzz.h"
#include "levels.h"
#include "forward.h"
#include "message.h"
#include "request.h"
#include "taxonomy.h"
#include "validate.h"
#include "verdict.h"

#define FRAME_FUZZ_MAX	4096

static const struct taxonomy	*tax;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tax = fuzz_taxonomy(*argc > 0 ? (*argv)[0] : NULL);
	return (0);
}

/* Check a refusal and release it. */
static void
frame_fuzz_refused(struct verdict *v)
{
	fuzz_check_verdict(v);
	verdict_clear(v);
}

/* A successful decode leaves the verdict untouched. */
static void
frame_fuzz_clean(const struct verdict *v)
{
	FUZZ_CHECK(v->error == PROTO_OK && v->message == NULL &&
	    v->field == NULL);
}

/* A report request, as session_report checks it. */
static void
frame_fuzz_report(const json_t *msg)
{
	static const char *const allowed[] = { "type", "ref", "report", NULL };
	struct report_view	 view;
	struct verdict		 v = { 0 };
	const json_t		*report = json_object_get(msg, "report");
	size_t			 i;

	if (request_keys(msg, allowed, "", &v) == -1) {
		frame_fuzz_refused(&v);
		return;
	}
	if (validate_report(report, tax, FUZZ_NOW_USEC, &view, &v) == -1) {
		frame_fuzz_refused(&v);
		return;
	}
	frame_fuzz_clean(&v);
	FUZZ_CHECK(validate_uuid(view.id));
	FUZZ_CHECK(taxonomy_find_code(tax, view.code) != NULL);
	FUZZ_CHECK(view.title != NULL && *view.title != '\0');
	FUZZ_CHECK(view.severity <= SEVERITY_CRITICAL);
	FUZZ_CHECK(view.tlp <= TLP_RED);
	FUZZ_CHECK(view.recipients == NULL || json_array_size(view.recipients) >
	    0);
	FUZZ_CHECK(view.tlp != TLP_RED || view.recipients != NULL);
	for (i = 0; view.recipients != NULL &&
	    i < json_array_size(view.recipients); i++)
		FUZZ_CHECK(validate_member_id(json_string_value(
		    json_array_get(view.recipients, i))));
	FUZZ_CHECK(!view.has_observed_at ||
	    view.observed_at <= FUZZ_NOW_USEC + REPORT_FUTURE_SLACK_USEC);
}

/* A subscribe request; the filter is then used as fan-out would. */
static void
frame_fuzz_subscribe(const json_t *msg)
{
	struct subscribe_request	 r;
	struct verdict			 v = { 0 };
	size_t				 i;

	if (request_subscribe(msg, tax, &r, &v) == -1) {
		frame_fuzz_refused(&v);
		return;
	}
	frame_fuzz_clean(&v);
	FUZZ_CHECK(!r.has_since || r.since >= 0);
	FUZZ_CHECK(r.filter.ncodes <= REQUEST_FILTER_CODES_MAX);
	FUZZ_CHECK(!r.filter.has_min_severity ||
	    r.filter.min_severity <= SEVERITY_CRITICAL);
	for (i = 0; i < r.filter.ncodes; i++) {
		FUZZ_CHECK(taxonomy_has_pattern(tax, r.filter.codes[i]));
		/* A pattern matches itself as a code, or its class's codes. */
		FUZZ_CHECK(filter_code_match(r.filter.codes[i],
		    r.filter.codes[i]));
	}
	for (i = 0; i < tax->ncodes; i++)
		(void)filter_match(&r.filter, tax->codes[i].code,
		    SEVERITY_MEDIUM);
	FUZZ_CHECK(r.filter.ncodes > 0 || filter_match(&r.filter,
	    "test/test", SEVERITY_CRITICAL));
	filter_clear(&r.filter);
}

/* An ack request. */
static void
frame_fuzz_ack(const json_t *msg)
{
	struct verdict	v = { 0 };
	int64_t		seq = -1;
	const char	*sig = NULL;

	if (request_ack(msg, &seq, &sig, &v) == -1) {
		frame_fuzz_refused(&v);
		return;
	}
	frame_fuzz_clean(&v);
	FUZZ_CHECK(seq >= 0);
}

/* A query request. */
static void
frame_fuzz_query(const json_t *msg)
{
	struct query_request	q;
	struct verdict		v = { 0 };

	if (request_query(msg, tax, &q, &v) == -1) {
		frame_fuzz_refused(&v);
		FUZZ_CHECK(q.code == NULL);
		return;
	}
	frame_fuzz_clean(&v);
	FUZZ_CHECK(q.limit >= 1 && q.limit <= REQUEST_QUERY_LIMIT_MAX);
	FUZZ_CHECK(q.after >= 0);
	FUZZ_CHECK(q.code == NULL || taxonomy_has_pattern(tax, q.code));
	FUZZ_CHECK(q.sender[0] == '\0' || validate_member_id(q.sender));
	FUZZ_CHECK(!q.has_min_severity || q.min_severity <= SEVERITY_CRITICAL);
	FUZZ_CHECK(!q.has_tlp);		/* the operator API's only */
	request_query_clear(&q);
	FUZZ_CHECK(q.code == NULL);
}

/* A ping request, as session_ping checks it. */
static void
frame_fuzz_ping(const json_t *msg)
{
	static const char *const allowed[] = { "type", "ref", NULL };
	struct verdict	v = { 0 };

	if (request_keys(msg, allowed, "", &v) == -1)
		frame_fuzz_refused(&v);
	else
		frame_fuzz_clean(&v);
}

/* One line, as session_line handles it. */
static void
frame_fuzz_line(const char *line, size_t len)
{
	struct message	m;
	struct verdict	v = { 0 };

	if (message_decode(line, len, &m, &v) == -1) {
		fuzz_check_verdict(&v);
		if (v.error == PROTO_MALFORMED_JSON)
			FUZZ_CHECK(m.ref == NULL);
		FUZZ_CHECK(m.ref == NULL || strlen(m.ref) <= MESSAGE_REF_MAX);
		verdict_clear(&v);
		message_clear(&m);
		return;
	}
	frame_fuzz_clean(&v);
	FUZZ_CHECK(json_is_object(m.json));
	FUZZ_CHECK(json_is_string(json_object_get(m.json, "type")));
	FUZZ_CHECK(m.ref == NULL || (strlen(m.ref) <= MESSAGE_REF_MAX &&
	    fuzz_utf8(m.ref)));
	switch (m.type) {
	case MESSAGE_REPORT:
		frame_fuzz_report(m.json);
		break;
	case MESSAGE_SUBSCRIBE:
		frame_fuzz_subscribe(m.json);
		break;
	case MESSAGE_ACK:
		frame_fuzz_ack(m.json);
		break;
	case MESSAGE_QUERY:
		frame_fuzz_query(m.json);
		break;
	case MESSAGE_PING:
		frame_fuzz_ping(m.json);
		break;
	case MESSAGE_FORWARD: {
		struct origin	 o;
		struct verdict	 fv = { 0 };
		const json_t	*report;

		if (forward_decode(m.json, "PEER", &o, &report, &fv) == 0) {
			FUZZ_CHECK(json_is_object(report));
			FUZZ_CHECK(o.npath >= 1 && o.npath <= CONF_PATH_MAX);
			FUZZ_CHECK(strcmp(o.path[o.npath - 1], "PEER") == 0);
		}
		verdict_clear(&fv);
		break;
	}
	case MESSAGE_WHOAMI:
	case MESSAGE_ACCEPTED:
	case MESSAGE_REJECTED:
	case MESSAGE_ERROR:
	case MESSAGE_PONG:
		/* Answers between hubs: only their ref is read. */
		break;
	default:
		FUZZ_CHECK(!"message_decode returned an unknown type");
	}
	message_clear(&m);
	FUZZ_CHECK(m.json == NULL && m.ref == NULL);
}

/* The next chunk size of the stream, from the seed in byte 1. */
static size_t
frame_fuzz_chunk(uint32_t *state, unsigned shift)
{
	*state = *state * 1103515245u + 12345u;
	if (shift == 0)
		return (1);
	return (1 + (*state >> 8) % ((size_t)1 << shift));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer	*input;
	const uint8_t	*stream, *lf;
	char		*line;
	size_t		 n, max, fed = 0, used = 0, chunk, buffered, len, at;
	size_t		 scanned = 0;
	uint32_t	 state;
	unsigned	 shift;

	if (size < 2)
		return (0);
	max = (size_t)FRAME_FUZZ_MAX >> (data[0] % 8);
	shift = data[1] % 13;
	state = data[1];
	stream = data + 2;
	n = size - 2;
	if ((input = evbuffer_new()) == NULL)
		abort();

	while (fed < n) {
		chunk = frame_fuzz_chunk(&state, shift);
		if (chunk > n - fed)
			chunk = n - fed;
		if (evbuffer_add(input, stream + fed, chunk) == -1)
			abort();
		fed += chunk;
		for (;;) {
			/* What the peer sent and the hub has not taken yet. */
			buffered = evbuffer_get_length(input);
			FUZZ_CHECK(buffered == fed - used);
			lf = memchr(stream + used, '\n', buffered);
			at = lf != NULL ? (size_t)(lf - (stream + used)) : 0;
			len = (size_t)-1;
			switch (frame_next(input, max, &scanned, &len)) {
			case FRAME_MORE:
				FUZZ_CHECK(lf == NULL && buffered <= max);
				FUZZ_CHECK(len == (size_t)-1);
				/* All of it searched, never again. */
				FUZZ_CHECK(scanned == buffered);
				break;
			case FRAME_TOO_LARGE:
				FUZZ_CHECK(lf == NULL ? buffered > max :
				    at > max);
				/* The connection is closed: nothing more. */
				goto done;
			case FRAME_LINE:
				FUZZ_CHECK(lf != NULL && len == at &&
				    len <= max && scanned == 0);
				FUZZ_CHECK(evbuffer_get_length(input) ==
				    buffered);
				if ((line = frame_take(input, len)) == NULL)
					abort();
				FUZZ_CHECK(evbuffer_get_length(input) ==
				    buffered - len - 1);
				FUZZ_CHECK(line[len] == '\0' &&
				    memcmp(line, stream + used, len) == 0);
				FUZZ_CHECK(memchr(line, '\n', len) == NULL);
				used += len + 1;
				frame_fuzz_line(line, len);
				free(line);
				continue;
			default:
				FUZZ_CHECK(!"frame_next returned an unknown "
				    "status");
			}
			break;
		}
	}
done:
	evbuffer_free(input);
	return (0);
}
