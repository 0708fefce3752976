/* MISP: an alert as an event, a feed's manifest, and events as reports. */
#ifndef KENTONGAN_MISP_H
#define KENTONGAN_MISP_H

#include <jansson.h>

#include "interop.h"

/* The comment of the text attribute that carries a report's description. */
#define MISP_DESCRIPTION_COMMENT "kentongan:description"

/* MISP's threat_level_id of a severity ("1"..."4"), or NULL. */
const char *misp_threat_level(const char *severity);
/* {"Event":{...}} of one alert (SPEC §14); NULL with *cause. */
json_t	*misp_event(const struct interop_alert *, char **cause);
/*
 * The manifest.json entry of an event ({"Event":{...}} as misp_event
 * makes it), keyed by its uuid in a feed's manifest; NULL with *cause.
 */
json_t	*misp_manifest_entry(const json_t *event, char **cause);
/*
 * The events of a MISP document: {"Event":{...}}, {"response":[...]} (a
 * MISP search result) or an array of either; each element of the returned
 * array is an Event object (borrowed into a new array). NULL with *cause
 * if the document holds no event.
 */
json_t	*misp_events(const json_t *doc, char **cause);
/*
 * The hub report one MISP Event object describes: the rsit: tag gives the
 * code, tlp: the label, the attributes the indicators; defaults may give
 * "severity" and "tlp" where the event says neither. What could not be
 * mapped is appended to warnings if not NULL. NULL with *cause (an event
 * without an rsit tag is refused, saying so).
 */
json_t	*misp_import(const json_t *event, const json_t *defaults,
	    json_t *warnings, char **cause);

#endif
