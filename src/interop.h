/*
 * What STIX 2.1 and MISP exports share: the alert they are made from, and
 * the deterministic object IDs (UUIDv5) that make one alert exported twice
 * come out the same.
 */
#ifndef KENTONGAN_INTEROP_H
#define KENTONGAN_INTEROP_H

#include <stdint.h>

#include <jansson.h>

#define INTEROP_UUID_LEN	36	/* text form, without its NUL */

/*
 * One alert as an export sees it: the report exactly as accepted and what
 * the hub knows around it. Pointers borrow from the JSON it was read from.
 */
struct interop_alert {
	const char	*hub;		/* the exporting hub: namespace of the IDs */
	int64_t		 seq;
	const char	*sender;	/* member ID, or the peer hub's for a forward */
	const char	*received_at;	/* RFC 3339, UTC */
	const char	*tier;		/* "bilateral"... or NULL (the asker's own) */
	const json_t	*origin;	/* a forward's {hub,member,seq,...,path}, or NULL */
	const json_t	*report;
};

/*
 * Read an alert message, a query result's element or an operator API
 * report (all have seq, sender, received_at, report; tier and origin
 * where they apply) for hub. -1 with *cause if a field is missing.
 */
int	 interop_alert_read(const json_t *j, const char *hub,
	    struct interop_alert *out, char **cause);

/*
 * The UUIDv5 (RFC 9562) of name within the project's namespace, in text
 * form: the name is "hub/seq/what" for an alert's objects, so IDs differ
 * between hubs and alerts and repeat for the same one.
 */
void	 interop_uuid(const char *name, char out[INTEROP_UUID_LEN + 1]);
/* interop_uuid of "HUB/SEQ/WHAT". */
void	 interop_alert_uuid(const struct interop_alert *, const char *what,
	    char out[INTEROP_UUID_LEN + 1]);
/* 1 if s is a UUID in text form (any version, either case). */
int	 interop_is_uuid(const char *s);

/* The TLP label, the RSIT class, a report field as a string or NULL. */
const char *interop_field(const struct interop_alert *, const char *key);

/*
 * An RFC 3339 time rewritten as "YYYY-MM-DDTHH:MM:SS.mmmZ" (the
 * millisecond UTC form STIX requires of created and modified) into out of
 * RFC3339_BUFSIZE bytes; *usec (if not NULL) gets its microseconds. -1 if
 * s is not such a time.
 */
int	 interop_time(const char *s, char *out, int64_t *usec);
/*
 * The stricter of best (an enum tlp, or -1 for none yet) and the TLP
 * label, read in any case with TLP 1.0's white as clear; best if label
 * is not one. Reading every label a document gives keeps the strictest.
 */
int	 interop_tlp_stricter(int best, const char *label);
/*
 * Append a printf-formatted warning to warnings (an array, or NULL for
 * none). Warnings are advice: a failure to record one is not an error.
 */
void	 interop_warn(json_t *warnings, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A strdup of the printf-formatted cause; NULL only for no memory. */
char	*interop_cause(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
