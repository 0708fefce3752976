/* STIX 2.1: an alert as a bundle, and a bundle's report as a hub report. */
#ifndef KENTONGAN_STIX_H
#define KENTONGAN_STIX_H

#include <jansson.h>

#include "interop.h"

/*
 * The STIX 2.1 bundle of one alert (SPEC §14): identities, the report,
 * an indicator per indicator, a vulnerability per CVE, the TLP 2.0
 * marking definition. NULL with *cause if it cannot be built.
 */
json_t	*stix_bundle(const struct interop_alert *, char **cause);
/*
 * The STIX pattern of one indicator, "[ipv4-addr:value = '198.51.100.7']",
 * with quotes and backslashes escaped; NULL for a type with no pattern
 * (cve, which is a vulnerability) or no memory.
 */
char	*stix_pattern(const char *type, const char *value);
/*
 * The hub report a bundle with one STIX report describes, in protocol
 * field order. defaults may give "severity" and "tlp" for a bundle that
 * says neither. What could not be mapped is appended to warnings (an array
 * of strings) if it is not NULL. NULL with *cause saying what is missing.
 */
/*
 * The OASIS TLP 2.0 marking definition ID of a label, or NULL; the label a
 * TLP 2.0 or TLP 1.0 marking definition ID stands for (TLP 1.0's white is
 * clear), or NULL.
 */
const char *stix_tlp_marking(const char *label);
const char *stix_tlp_label(const char *marking);
/*
 * The indicators ({type,value}, in order) a STIX pattern's equality
 * comparisons name. A comparison the hub cannot carry (another operator,
 * an object path with no indicator type) is left out with a warning. NULL
 * if pattern is not a pattern (the warning says where it stops being one)
 * or no memory.
 */
json_t	*stix_pattern_read(const char *pattern, json_t *warnings);
json_t	*stix_import(const json_t *bundle, const json_t *defaults,
	    json_t *warnings, char **cause);

#endif
