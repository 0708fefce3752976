/*
 * Fuzz target: the report validator on its own. The input is JSON text;
 * an object is checked as a report, and a report request
 * ({"type":"report","report":{...}}) also by its "report" member. Each
 * report is checked with the taxonomy and without one (every code then
 * unknown), and again after a compact dump and reload, the form in which
 * the hub stores and forwards it: the verdict must not change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "levels.h"
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

/* 1 if two optional strings are equal. */
static int
validate_fuzz_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Validate one report; check the outcome; returns the result. */
static int
validate_fuzz_one(const json_t *report, const struct taxonomy *t,
    int64_t now, struct report_view *view, struct verdict *v)
{
	size_t	i;

	memset(view, 0, sizeof *view);
	if (validate_report(report, t, now, view, v) == -1) {
		fuzz_check_verdict(v);
		/* Paths start at the report. */
		FUZZ_CHECK(v->field == NULL ||
		    strncmp(v->field, "report", 6) == 0);
		return (-1);
	}
	FUZZ_CHECK(v->error == PROTO_OK && v->message == NULL);
	FUZZ_CHECK(json_is_object(report));
	FUZZ_CHECK(view->id != NULL && validate_uuid(view->id));
	FUZZ_CHECK(view->id == json_string_value(json_object_get(report,
	    "id")));
	FUZZ_CHECK(view->code != NULL && t != NULL &&
	    taxonomy_find_code(t, view->code) != NULL);
	FUZZ_CHECK(view->title != NULL && *view->title != '\0' &&
	    fuzz_utf8(view->title));
	FUZZ_CHECK(view->severity <= SEVERITY_CRITICAL);
	FUZZ_CHECK(view->tlp <= TLP_RED);
	FUZZ_CHECK(view->has_observed_at ==
	    (json_object_get(report, "observed_at") != NULL));
	FUZZ_CHECK(!view->has_observed_at || view->observed_at <= now ||
	    (uint64_t)view->observed_at - (uint64_t)now <=
	    (uint64_t)REPORT_FUTURE_SLACK_USEC);
	FUZZ_CHECK(view->recipients == json_object_get(report, "recipients"));
	FUZZ_CHECK(view->tlp != TLP_RED || view->recipients != NULL);
	for (i = 0; view->recipients != NULL &&
	    i < json_array_size(view->recipients); i++)
		FUZZ_CHECK(validate_member_id(json_string_value(
		    json_array_get(view->recipients, i))));
	return (0);
}

/* Validate a report in every way the hub meets it. */
static void
validate_fuzz_report(const json_t *report)
{
	struct report_view	 view, again_view;
	struct verdict		 v = { 0 }, again = { 0 };
	json_t			*copy;
	char			*text;
	int			 rc, rc_again;

	rc = validate_fuzz_one(report, tax, FUZZ_NOW_USEC, &view, &v);

	/* The same report always gets the same answer. */
	rc_again = validate_fuzz_one(report, tax, FUZZ_NOW_USEC, &again_view,
	    &again);
	FUZZ_CHECK(rc == rc_again && v.error == again.error);
	FUZZ_CHECK(validate_fuzz_same(v.field, again.field));
	FUZZ_CHECK(validate_fuzz_same(v.message, again.message));
	verdict_clear(&again);

	/* What is stored is what was checked: dump, reload, same verdict. */
	text = json_dumps(report, JSON_COMPACT | JSON_ENCODE_ANY);
	FUZZ_CHECK(text != NULL);
	copy = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(copy != NULL);
	rc_again = validate_fuzz_one(copy, tax, FUZZ_NOW_USEC, &again_view,
	    &again);
	FUZZ_CHECK(rc == rc_again && v.error == again.error);
	FUZZ_CHECK(validate_fuzz_same(v.field, again.field));
	FUZZ_CHECK(validate_fuzz_same(v.message, again.message));
	if (rc == 0) {
		FUZZ_CHECK(strcmp(view.id, again_view.id) == 0);
		FUZZ_CHECK(strcmp(view.code, again_view.code) == 0);
		FUZZ_CHECK(view.observed_at == again_view.observed_at);
	}
	verdict_clear(&again);
	json_decref(copy);
	free(text);

	/* Without a taxonomy no code is known, so nothing passes. */
	rc_again = validate_fuzz_one(report, NULL, FUZZ_NOW_USEC, &again_view,
	    &again);
	FUZZ_CHECK(rc_again == -1);
	verdict_clear(&again);

	/* Clocks at the ends of time: no overflow in the future check. */
	(void)validate_fuzz_one(report, tax, INT64_MIN, &again_view, &again);
	verdict_clear(&again);
	(void)validate_fuzz_one(report, tax, INT64_MAX, &again_view, &again);
	verdict_clear(&again);

	verdict_clear(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*root, *report;
	json_error_t	 jerr;

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (root == NULL)
		return (0);
	if (json_is_object(root)) {
		validate_fuzz_report(root);
		report = json_object_get(root, "report");
		if (report != NULL)
			validate_fuzz_report(report);
	}
	json_decref(root);
	return (0);
}
