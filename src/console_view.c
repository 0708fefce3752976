/* The console's tables and plots, as HTML fragments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "console_view.h"
#include "html.h"
#include "svg.h"
#include "timefmt.h"

/* The RSIT classes, then any other; colours told apart at a glance. */
static const struct {
	const char	*name;
	const char	*colour;
} console_classes[CONSOLE_NCLASSES] = {
	{ "abusive-content", "#8e6c8a" },
	{ "malicious-code", "#d62728" },
	{ "information-gathering", "#1f77b4" },
	{ "intrusion-attempts", "#ff7f0e" },
	{ "intrusions", "#9b1d20" },
	{ "availability", "#9467bd" },
	{ "information-content-security", "#17becf" },
	{ "fraud", "#bcbd22" },
	{ "vulnerable", "#2ca02c" },
	{ "other", "#7f7f7f" },
	{ "test", "#c7c7c7" },
	{ "(not in the taxonomy)", "#444444" },
};

/* Severity colours, from info (cool) to critical (dark red). */
static const char *const console_severity_colours[CONSOLE_NSEVERITIES] = {
	"#9aa5b1", "#4c9be8", "#f3a712", "#e4572e", "#8b0000"
};

size_t
console_class_index(const char *code)
{
	size_t	i, len;

	len = strcspn(code, "/");
	for (i = 0; i < CONSOLE_NCLASSES - 1; i++)
		if (strlen(console_classes[i].name) == len &&
		    strncmp(console_classes[i].name, code, len) == 0)
			return (i);
	return (CONSOLE_NCLASSES - 1);
}

const char *
console_class_name(size_t i)
{
	return (i < CONSOLE_NCLASSES ? console_classes[i].name : "?");
}

char *
console_time(int64_t usec, char *buf, size_t size)
{
	char	full[RFC3339_BUFSIZE];

	if (usec == 0) {
		snprintf(buf, size, "-");
		return (buf);
	}
	rfc3339_format(usec, full, sizeof full);
	/* 2026-12-04T18:12:07.611Z: seconds are enough to read. */
	full[10] = ' ';
	snprintf(buf, size, "%.19sZ", full);
	return (buf);
}

/* "TLP:AMBER+STRICT" as a coloured label. */
static int
console_tlp(struct evbuffer *out, enum tlp tlp)
{
	const char	*name = tlp_name(tlp);
	char		 upper[32];
	size_t		 i;

	for (i = 0; name[i] != '\0' && i < sizeof upper - 1; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
		    name[i] - 'a' + 'A' : name[i]);
	upper[i] = '\0';
	return (evbuffer_add_printf(out, "<span class=\"tlp %s\">TLP:%s</span>",
	    html_tlp_class(name), upper) == -1 ? -1 : 0);
}

int
console_view_rows_start(struct evbuffer *out, const char *tbody_id)
{
	return (evbuffer_add_printf(out, "<table class=\"reports\"><thead><tr>"
	    "<th>seq</th><th>received (UTC)</th><th>sender</th><th>code</th>"
	    "<th>severity</th><th>TLP</th><th>title</th><th>recipients</th>"
	    "</tr></thead><tbody%s%s%s>", tbody_id != NULL ? " id=\"" : "",
	    tbody_id != NULL ? tbody_id : "", tbody_id != NULL ? "\"" : "") ==
	    -1 ? -1 : 0);
}

int
console_view_row(struct evbuffer *out, const struct console_row *r)
{
	char	when[RFC3339_BUFSIZE];
	int	rc = 0;

	if (evbuffer_add_printf(out, "<tr data-seq=\"%lld\"><td><a href=\""
	    "/reports/%lld\">%lld</a></td><td>%s</td><td>", (long long)r->seq,
	    (long long)r->seq, (long long)r->seq, console_time(r->received_at,
	    when, sizeof when)) == -1 || html_str(out, r->sender) == -1 ||
	    evbuffer_add_printf(out, "%s</td><td>", r->forwarded ?
	    " <span class=\"badge\">forwarded</span>" : "") == -1 ||
	    html_str(out, r->code) == -1 ||
	    evbuffer_add_printf(out, "</td><td class=\"sev sev-%s\">%s</td><td>",
	    severity_name(r->severity), severity_name(r->severity)) == -1 ||
	    console_tlp(out, r->tlp) == -1 ||
	    evbuffer_add_printf(out, "</td><td class=\"title\">") == -1 ||
	    html_str(out, r->title != NULL ? r->title : "") == -1 ||
	    evbuffer_add_printf(out, "</td><td class=\"num\">%lld</td></tr>\n",
	    (long long)r->nrecipients) == -1)
		rc = -1;
	return (rc);
}

int
console_view_rows_end(struct evbuffer *out, size_t nrows,
    const char *empty_note)
{
	if (evbuffer_add_printf(out, "</tbody></table>\n") == -1)
		return (-1);
	if (nrows == 0 && empty_note != NULL &&
	    (evbuffer_add_printf(out, "<p class=\"empty\" id=\"rows-empty\">") ==
	    -1 || html_str(out, empty_note) == -1 ||
	    evbuffer_add_printf(out, "</p>\n") == -1))
		return (-1);
	return (0);
}

int
console_view_timeline(struct evbuffer *out, const struct console_timeline *t)
{
	struct svg_series	 classes[CONSOLE_NCLASSES];
	struct svg_series	 severities[CONSOLE_NSEVERITIES];
	struct svg_bars		 b = { 0 };
	char			 labels[CONSOLE_HOURS][8];
	const char		*label_list[CONSOLE_HOURS];
	size_t			 i, h, n = 0;
	int64_t			 hour;

	for (h = 0; h < CONSOLE_HOURS; h++) {
		hour = (t->first_hour + (int64_t)h * 3600) % 86400 / 3600;
		snprintf(labels[h], sizeof labels[h], "%02lld:00",
		    (long long)hour);
		label_list[h] = labels[h];
	}
	/* Only the classes seen, so the legend says what the bars are. */
	for (i = 0; i < CONSOLE_NCLASSES; i++) {
		for (h = 0; h < CONSOLE_HOURS && t->by_class[i][h] == 0; h++)
			;
		if (h == CONSOLE_HOURS)
			continue;
		classes[n].name = console_classes[i].name;
		classes[n].colour = console_classes[i].colour;
		classes[n].values = t->by_class[i];
		n++;
	}
	for (i = 0; i < CONSOLE_NSEVERITIES; i++) {
		severities[i].name = severity_name((enum severity)i);
		severities[i].colour = console_severity_colours[i];
		severities[i].values = t->by_severity[i];
	}
	b.x_label = "hour (UTC)";
	b.y_label = "reports";
	b.nbins = CONSOLE_HOURS;
	b.bin_labels = label_list;
	b.label_every = 3;
	b.title = "Reports of the last 24 hours, by class";
	b.nseries = n;
	b.series = classes;
	if (svg_stacked_bars(out, &b) == -1)
		return (-1);
	b.title = "Reports of the last 24 hours, by severity";
	b.nseries = CONSOLE_NSEVERITIES;
	b.series = severities;
	return (svg_stacked_bars(out, &b));
}

int
console_stats_add(struct console_count **list, size_t *n, const char *key,
    int64_t count)
{
	struct console_count	*grown;
	size_t			 i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].key, key) == 0) {
			(*list)[i].n += count;
			return (0);
		}
	if ((grown = reallocarray(*list, *n + 1, sizeof **list)) == NULL)
		return (-1);
	*list = grown;
	if ((grown[*n].key = strdup(key)) == NULL)
		return (-1);
	grown[*n].n = count;
	(*n)++;
	return (0);
}

void
console_stats_clear(struct console_stats *s)
{
	size_t	i;

	for (i = 0; i < s->ncode; i++)
		free(s->by_code[i].key);
	for (i = 0; i < s->nsender; i++)
		free(s->by_sender[i].key);
	for (i = 0; i < s->nday; i++)
		free(s->by_day[i].key);
	free(s->by_code);
	free(s->by_sender);
	free(s->by_day);
	memset(s, 0, sizeof *s);
}

/* Most first; equal counts by key. */
static int
console_count_cmp(const void *a, const void *b)
{
	const struct console_count	*x = a, *y = b;

	if (x->n != y->n)
		return (x->n > y->n ? -1 : 1);
	return (strcmp(x->key, y->key));
}

static int
console_key_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct console_count *)a)->key,
	    ((const struct console_count *)b)->key));
}

/* A horizontal plot of the largest counts, the rest as "others". */
static int
console_top_plot(struct evbuffer *out, const char *title, const char *x_label,
    struct console_count *list, size_t n)
{
	const char	*labels[CONSOLE_TOP + 1];
	int64_t		 values[CONSOLE_TOP + 1], others = 0;
	size_t		 i, shown;

	if (n > 0)
		qsort(list, n, sizeof *list, console_count_cmp);
	shown = n > CONSOLE_TOP ? CONSOLE_TOP : n;
	for (i = 0; i < shown; i++) {
		labels[i] = list[i].key;
		values[i] = list[i].n;
	}
	for (; i < n; i++)
		others += list[i].n;
	if (others > 0) {
		labels[shown] = "(others)";
		values[shown++] = others;
	}
	return (svg_hbars(out, title, x_label, shown, labels, values,
	    "#4c9be8"));
}

int
console_view_stats(struct evbuffer *out, const struct console_stats *s)
{
	struct svg_series	 days = { "reports", "#4c9be8", NULL };
	struct svg_series	 sev[CONSOLE_NSEVERITIES];
	struct svg_bars		 b = { 0 };
	const char		**labels = NULL, *sev_label = "all";
	int64_t			*values = NULL;
	size_t			 i;
	int			 rc = -1;

	if (evbuffer_add_printf(out, "<p class=\"total\">%lld reports</p>\n",
	    (long long)s->total) == -1)
		return (-1);
	if (s->nday > 0) {
		qsort(s->by_day, s->nday, sizeof *s->by_day, console_key_cmp);
		if ((labels = calloc(s->nday, sizeof *labels)) == NULL ||
		    (values = calloc(s->nday, sizeof *values)) == NULL)
			goto done;
		for (i = 0; i < s->nday; i++) {
			labels[i] = s->by_day[i].key;
			values[i] = s->by_day[i].n;
		}
		days.values = values;
		b.title = "Reports by day";
		b.x_label = "day (UTC)";
		b.y_label = "reports";
		b.nbins = s->nday;
		b.bin_labels = labels;
		b.label_every = (s->nday + 5) / 6;
		b.nseries = 1;
		b.series = &days;
		if (svg_stacked_bars(out, &b) == -1)
			goto done;
	}
	if (console_top_plot(out, "Reports by code", "reports", s->by_code,
	    s->ncode) == -1 ||
	    console_top_plot(out, "Reports by sender", "reports", s->by_sender,
	    s->nsender) == -1)
		goto done;
	for (i = 0; i < CONSOLE_NSEVERITIES; i++) {
		sev[i].name = severity_name((enum severity)i);
		sev[i].colour = console_severity_colours[i];
		sev[i].values = &s->by_severity[i];
	}
	memset(&b, 0, sizeof b);
	b.title = "Reports by severity";
	b.x_label = "the whole period";
	b.y_label = "reports";
	b.nbins = 1;
	b.bin_labels = &sev_label;
	b.nseries = CONSOLE_NSEVERITIES;
	b.series = sev;
	rc = svg_stacked_bars(out, &b);
done:
	free(labels);
	free(values);
	return (rc);
}

/* <tr><th>NAME</th><td>VALUE</td></tr>, the value escaped. */
static int
console_field(struct evbuffer *out, const char *name, const char *value)
{
	if (evbuffer_add_printf(out, "<tr><th>%s</th><td>", name) == -1 ||
	    html_str(out, value) == -1 ||
	    evbuffer_add_printf(out, "</td></tr>\n") == -1)
		return (-1);
	return (0);
}

int
console_view_report(struct evbuffer *out, const struct console_row *r,
    const char *body, size_t len, const char *origin)
{
	json_t		*j, *list, *item;
	const char	*s;
	char		 when[RFC3339_BUFSIZE], number[32];
	size_t		 i;
	int		 rc = -1;

	if ((j = json_loadb(body, len, 0, NULL)) == NULL || !json_is_object(j))
		goto done;
	snprintf(number, sizeof number, "%lld", (long long)r->nrecipients);
	if (evbuffer_add_printf(out, "<table class=\"fields\">") == -1 ||
	    console_field(out, "title", json_string_value(json_object_get(j,
	    "title"))) == -1 ||
	    console_field(out, "code", r->code) == -1 ||
	    evbuffer_add_printf(out, "<tr><th>severity</th><td class=\"sev "
	    "sev-%s\">%s</td></tr><tr><th>TLP</th><td>",
	    severity_name(r->severity), severity_name(r->severity)) == -1 ||
	    console_tlp(out, r->tlp) == -1 ||
	    evbuffer_add_printf(out, "</td></tr>") == -1 ||
	    console_field(out, "sender", r->sender) == -1 ||
	    console_field(out, "id", json_string_value(json_object_get(j,
	    "id"))) == -1 ||
	    console_field(out, "received (UTC)", console_time(r->received_at,
	    when, sizeof when)) == -1 ||
	    console_field(out, "observed", json_string_value(json_object_get(j,
	    "observed_at"))) == -1 ||
	    console_field(out, "recipients", number) == -1)
		goto done;
	if (origin != NULL && console_field(out, "forwarded from", origin) == -1)
		goto done;
	list = json_object_get(j, "sectors");
	if (json_array_size(list) > 0) {
		if (evbuffer_add_printf(out, "<tr><th>sectors</th><td>") == -1)
			goto done;
		json_array_foreach(list, i, item) {
			if ((i > 0 && evbuffer_add_printf(out, ", ") == -1) ||
			    html_str(out, json_string_value(item)) == -1)
				goto done;
		}
		if (evbuffer_add_printf(out, "</td></tr>") == -1)
			goto done;
	}
	if (evbuffer_add_printf(out, "</table>\n") == -1)
		goto done;
	if ((s = json_string_value(json_object_get(j, "description"))) != NULL &&
	    (evbuffer_add_printf(out, "<h2>Description</h2><p class=\""
	    "description\">") == -1 || html_str(out, s) == -1 ||
	    evbuffer_add_printf(out, "</p>\n") == -1))
		goto done;
	list = json_object_get(j, "indicators");
	if (evbuffer_add_printf(out, "<h2>Indicators</h2>") == -1)
		goto done;
	if (json_array_size(list) == 0) {
		if (evbuffer_add_printf(out, "<p class=\"empty\">none</p>\n") == -1)
			goto done;
	} else {
		if (evbuffer_add_printf(out, "<table class=\"indicators\"><thead>"
		    "<tr><th>type</th><th>value</th></tr></thead><tbody>") == -1)
			goto done;
		json_array_foreach(list, i, item) {
			if (evbuffer_add_printf(out, "<tr><td>") == -1 ||
			    html_str(out, json_string_value(json_object_get(item,
			    "type"))) == -1 ||
			    evbuffer_add_printf(out, "</td><td class=\"value\">") ==
			    -1 || html_str(out, json_string_value(json_object_get(
			    item, "value"))) == -1 ||
			    evbuffer_add_printf(out, "</td></tr>") == -1)
				goto done;
		}
		if (evbuffer_add_printf(out, "</tbody></table>\n") == -1)
			goto done;
	}
	rc = 0;
done:
	json_decref(j);
	return (rc);
}

int
console_view_deliveries(struct evbuffer *out,
    const struct console_delivery *d, size_t n)
{
	char	sent[RFC3339_BUFSIZE], acked[RFC3339_BUFSIZE];
	size_t	i;

	if (evbuffer_add_printf(out, "<h2>Deliveries</h2><table class=\""
	    "deliveries\"><thead><tr><th>recipient</th><th>tier</th>"
	    "<th>delivered (UTC)</th><th>acknowledged (UTC)</th>"
	    "<th>signed</th></tr></thead><tbody>") == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (evbuffer_add_printf(out, "<tr data-member=\"") == -1 ||
		    html_str(out, d[i].member) == -1 ||
		    evbuffer_add_printf(out, "\"><td>") == -1 ||
		    html_str(out, d[i].member) == -1 ||
		    evbuffer_add_printf(out, "</td><td>%s</td><td>%s</td><td>%s"
		    "</td><td class=\"%s\">%s</td></tr>\n", d[i].tier,
		    console_time(d[i].delivered_at, sent, sizeof sent),
		    console_time(d[i].acked_at, acked, sizeof acked),
		    d[i].is_signed == 1 ? "yes" : d[i].is_signed == 0 ? "no" :
		    "unknown", d[i].acked_at == 0 ? "-" : d[i].is_signed == 1 ?
		    "signed" : d[i].is_signed == 0 ? "unsigned" :
		    "no ledger entry") == -1)
			return (-1);
	}
	if (evbuffer_add_printf(out, "</tbody></table>\n") == -1)
		return (-1);
	if (n == 0 && evbuffer_add_printf(out, "<p class=\"empty\">no "
	    "recipient was entitled to this report</p>\n") == -1)
		return (-1);
	return (0);
}

int
console_view_ledger(struct evbuffer *out, const struct console_ledger *l)
{
	if (evbuffer_add_printf(out, "<h2>Ledger entry</h2>") == -1)
		return (-1);
	if (!l->has_entry)
		return (evbuffer_add_printf(out, "<p class=\"empty\">none: the "
		    "ledger was off when it was stored</p>\n") == -1 ? -1 : 0);
	if (evbuffer_add_printf(out, "<table class=\"fields\"><tr><th>entry"
	    "</th><td>%lld</td></tr><tr><th>hash</th><td class=\"value\">%s"
	    "</td></tr><tr><th>previous</th><td class=\"value\">%s</td></tr>"
	    "<tr><th>check</th><td class=\"%s\">", (long long)l->n, l->hash,
	    l->prev, l->verified == 1 ? "verified" : l->verified == 0 ?
	    "broken" : "unchecked") == -1)
		return (-1);
	if (l->verified == 1) {
		if (evbuffer_add_printf(out, "&#10003; verified: recomputed from "
		    "the stored report, equal to the chain") == -1)
			return (-1);
	} else if (evbuffer_add_printf(out, "&#10007; %s",
	    l->verified == 0 ? "does not match: " : "not checked: ") == -1 ||
	    html_str(out, l->why != NULL ? l->why : "") == -1)
		return (-1);
	return (evbuffer_add_printf(out, "</td></tr></table>\n") == -1 ? -1 :
	    0);
}
