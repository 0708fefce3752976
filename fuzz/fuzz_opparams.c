/*
 * Fuzz target: the operator API's URL parameters. The input is the query
 * string of a request (what evhttp_uri_get_query gives operator.c, without
 * the '?'), cut at its first NUL as a C string would be; it is decoded as
 * for GET /v1/reports and GET /v1/stats, and read as the SEQ of
 * /v1/reports/SEQ.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "levels.h"
#include "opparams.h"
#include "request.h"
#include "taxonomy.h"
#include "validate.h"
#include "verdict.h"

static const struct taxonomy	*tax;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tax = fuzz_taxonomy(*argc > 0 ? (*argv)[0] : NULL);
	return (0);
}

/* GET /v1/reports?query. */
static void
opparams_fuzz_reports(const char *query)
{
	struct query_request	q;
	struct verdict		v = { 0 };

	if (opparams_reports(query, tax, &q, &v) == -1) {
		fuzz_check_verdict(&v);
		FUZZ_CHECK(q.code == NULL);
		verdict_clear(&v);
		return;
	}
	FUZZ_CHECK(v.error == PROTO_OK && v.message == NULL);
	FUZZ_CHECK(q.limit >= 1 && q.limit <= REQUEST_QUERY_LIMIT_MAX);
	FUZZ_CHECK(q.after >= 0);
	FUZZ_CHECK(q.code == NULL || taxonomy_has_pattern(tax, q.code));
	FUZZ_CHECK(q.sender[0] == '\0' || validate_member_id(q.sender));
	FUZZ_CHECK(!q.has_min_severity || q.min_severity <= SEVERITY_CRITICAL);
	FUZZ_CHECK(!q.has_tlp || q.tlp <= TLP_RED);
	/* Parameters only come after a '=', so none means the defaults. */
	if (strchr(query, '=') == NULL)
		FUZZ_CHECK(q.code == NULL && q.sender[0] == '\0' &&
		    !q.has_min_severity && !q.has_tlp && !q.has_since &&
		    !q.has_until && q.after == 0 &&
		    q.limit == REQUEST_QUERY_LIMIT_DEFAULT);
	request_query_clear(&q);
}

/* GET /v1/stats?query. */
static void
opparams_fuzz_stats(const char *query)
{
	struct verdict	v = { 0 };
	int64_t		since = -1, until = -1;

	if (opparams_stats(query, &since, &until, &v) == -1) {
		fuzz_check_verdict(&v);
		verdict_clear(&v);
		return;
	}
	FUZZ_CHECK(v.error == PROTO_OK && v.message == NULL);
	if (strchr(query, '=') == NULL)
		FUZZ_CHECK(since == 0 && until == 0);
}

/* GET /v1/reports/SEQ: a positive decimal without a leading zero. */
static void
opparams_fuzz_seq(const char *text)
{
	int64_t	seq = -1;
	size_t	len = strlen(text);
	int	digits;

	digits = len > 0 && strspn(text, "0123456789") == len &&
	    text[0] != '0';
	if (opparams_seq(text, &seq) == 0) {
		FUZZ_CHECK(digits && seq >= 1);
		return;
	}
	/* Every such number of up to 18 digits fits in an int64_t. */
	FUZZ_CHECK(!digits || len > 18);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*query;

	if ((query = malloc(size + 1)) == NULL)
		abort();
	memcpy(query, data, size);
	query[size] = '\0';
	opparams_fuzz_reports(query);
	opparams_fuzz_stats(query);
	opparams_fuzz_seq(query);
	free(query);
	return (0);
}
