/* Decoding of the subscribe, ack and query requests, and alert filters. */
#ifndef KENTONGAN_REQUEST_H
#define KENTONGAN_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "levels.h"
#include "taxonomy.h"
#include "verdict.h"

#define REQUEST_FILTER_CODES_MAX	64
#define REQUEST_QUERY_LIMIT_DEFAULT	100
#define REQUEST_QUERY_LIMIT_MAX		1000
/* The longest signature an ack may carry, in base64. */
#define REQUEST_SIG_MAX			1024

/* What a subscription lets through; empty lets everything through. */
struct filter {
	char		**codes;	/* exact codes, or class prefixes ending in '/' */
	size_t		  ncodes;
	int		  has_min_severity;
	enum severity	  min_severity;
};

struct subscribe_request {
	struct filter	 filter;
	int		 has_since;
	int64_t		 since;
};

struct query_request {
	char		*code;		/* exact, or a class prefix ending in '/' */
	char		 sender[CONF_MEMBER_ID_MAX + 1];	/* "" for any */
	int		 has_min_severity;
	enum severity	 min_severity;
	int		 has_since;
	int64_t		 since;		/* usec, on received_at */
	int		 has_until;
	int64_t		 until;
	int		 has_tlp;	/* operator API only */
	enum tlp	 tlp;
	int64_t		 after;
	unsigned	 limit;
};

/*
 * Refuse keys of obj other than the allowed ones (a NULL-terminated list)
 * with unknown_field; prefix ("filter", or "" at top level) starts the path.
 */
int	request_keys(const json_t *obj, const char *const *allowed,
	    const char *prefix, struct verdict *);
/* 1 if an alert of this code and severity passes the filter. */
int	filter_match(const struct filter *, const char *code, enum severity);
/* 1 if code is the pattern itself or the pattern is its class prefix. */
int	filter_code_match(const char *pattern, const char *code);
void	filter_clear(struct filter *);
/* A deep copy of src into dst; -1 on no memory (dst then empty). */
int	filter_copy(struct filter *dst, const struct filter *src);

/*
 * Decode a request message (already known to be an object of that type).
 * Each returns 0, or -1 with *v set (field paths like "filter.codes[1]").
 */
int	request_subscribe(const json_t *, const struct taxonomy *,
	    struct subscribe_request *, struct verdict *);
/* An ack's seq, and its signature (*sig NULL when unsigned). */
int	request_ack(const json_t *, int64_t *seq, const char **sig,
	    struct verdict *);
int	request_query(const json_t *, const struct taxonomy *,
	    struct query_request *, struct verdict *);
void	request_query_clear(struct query_request *);

#endif
