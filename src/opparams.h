/* Parameters of the operator API's URLs, checked as strictly as the protocol. */
#ifndef KENTONGAN_OPPARAMS_H
#define KENTONGAN_OPPARAMS_H

#include <stdint.h>

#include "export.h"
#include "request.h"
#include "taxonomy.h"
#include "verdict.h"

/*
 * Decode the query string of GET /v1/reports into q. Empty values count as
 * absent. Returns 0, or -1 with *v set (field = the parameter's name).
 */
int	opparams_reports(const char *query, const struct taxonomy *,
	    struct query_request *q, struct verdict *v);
/* The same for GET /v1/stats: since and until, 0 when absent. */
int	opparams_stats(const char *query, int64_t *since, int64_t *until,
	    struct verdict *v);
/* The same for GET /v1/ledger: after (0 when absent) and limit. */
int	opparams_ledger(const char *query, int64_t *after, unsigned *limit,
	    struct verdict *v);
/*
 * The format of an answer of GET /v1/reports (after opparams_reports has
 * checked the rest): json when absent.
 */
int	opparams_format(const char *query, enum export_format *,
	    struct verdict *v);
/* The parameters of GET /v1/reports/SEQ: only format. */
int	opparams_report(const char *query, enum export_format *,
	    struct verdict *v);
/* The SEQ of /v1/reports/SEQ: a positive decimal integer; -1 if not. */
int	opparams_seq(const char *text, int64_t *seq);

#endif
