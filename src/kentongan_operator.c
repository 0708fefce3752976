/* kentongan members, stats and query --operator: the hub operator's views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "kentongan.h"

json_t *
kentongan_operator_get(struct options *o, const char *target)
{
	struct client	*c;
	json_error_t	 jerr;
	json_t		*body = NULL;
	char		*cause = NULL, *text = NULL;
	char		 error[ESCAPE_QUOTE_SIZE], message[SHOW_MESSAGE_SIZE];
	int		 status;

	if ((c = client_connect(&o->client, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		free(cause);
		return (NULL);
	}
	if (client_http_get(c, target, &status, &text, &cause) == -1) {
		fprintf(stderr, "kentongan: %s\n", cause ? cause : "?");
		free(cause);
		client_close(c);
		return (NULL);
	}
	client_close(c);
	body = json_loads(text, 0, &jerr);
	if (status != 200) {
		fprintf(stderr, "kentongan: the hub answered %d: %s: %s\n",
		    status, kentongan_show(error, sizeof error,
		    json_object_get(body, "error")), kentongan_show(message,
		    sizeof message, json_object_get(body, "message")));
		if (status == 403)
			fprintf(stderr, "kentongan: the operator API needs a "
			    "certificate of a member with role=operator\n");
		json_decref(body);
		body = NULL;
	} else if (body == NULL)
		fprintf(stderr, "kentongan: the hub's answer is not JSON: %s\n",
		    escape_str(message, sizeof message, jerr.text));
	free(text);
	return (body);
}

/* Append &name=value (URL-encoded) when value is set. */
static int
operator_param(char **target, const char *name, const char *value)
{
	char	*encoded, *grown;
	int	 rc;

	if (value == NULL)
		return (0);
	if ((encoded = evhttp_uriencode(value, -1, 0)) == NULL)
		return (-1);
	rc = asprintf(&grown, "%s%s%s=%s", *target,
	    strchr(*target, '?') != NULL ? "&" : "?", name, encoded);
	free(encoded);
	if (rc == -1)
		return (-1);
	free(*target);
	*target = grown;
	return (0);
}

/* Print a JSON document as is, for scripts. */
static void
operator_print_json(const json_t *j)
{
	char	*text;

	if ((text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) !=
	    NULL) {
		printf("%s\n", text);
		free(text);
	}
}

int
cmd_members(struct options *o)
{
	const json_t	*m;
	json_t		*body;
	char		 id[ESCAPE_QUOTE_SIZE], name[29], role[ESCAPE_QUOTE_SIZE];
	char		 seen[ESCAPE_QUOTE_SIZE];
	size_t		 i;

	if ((body = kentongan_operator_get(o, "/v1/members")) == NULL)
		return (1);
	if (o->json)
		operator_print_json(body);
	else {
		printf("%-10s %-28s %-8s %-9s %-24s %10s %8s\n", "ID", "NAME",
		    "ROLE", "CONNECTED", "LAST SEEN", "ACKED", "BACKLOG");
		json_array_foreach(json_object_get(body, "members"), i, m) {
			/* The name is cut to its column by the escape. */
			printf("%-10s %-28s %-8s %-9s %-24s %10lld %8lld\n",
			    kentongan_show(id, sizeof id, json_object_get(m,
			    "id")),
			    kentongan_show(name, sizeof name,
			    json_object_get(m, "name")),
			    kentongan_show(role, sizeof role,
			    json_object_get(m, "role")),
			    json_is_true(json_object_get(m, "connected")) ?
			    "yes" : "no",
			    kentongan_show(seen, sizeof seen, json_object_get(m,
			    "last_seen")),
			    (long long)json_integer_value(json_object_get(m,
			    "acked_seq")),
			    (long long)json_integer_value(json_object_get(m,
			    "backlog")));
		}
	}
	json_decref(body);
	return (0);
}

/* One dimension of the statistics, largest first as the hub sent it. */
static void
operator_print_counts(const char *title, const json_t *counts)
{
	const char	*key;
	json_t		*value;
	char		 shown[ESCAPE_QUOTE_SIZE];

	printf("%s\n", title);
	if (json_object_size(counts) == 0)
		printf("  (none)\n");
	json_object_foreach((json_t *)counts, key, value)
		printf("  %-66s %10lld\n", escape_str(shown, sizeof shown, key),
		    (long long)json_integer_value(value));
}

int
cmd_stats(struct options *o)
{
	json_t	*body;
	char	*target, since[ESCAPE_QUOTE_SIZE], until[ESCAPE_QUOTE_SIZE];
	int	 status = 1;

	if ((target = strdup("/v1/stats")) == NULL ||
	    operator_param(&target, "since", o->since) == -1 ||
	    operator_param(&target, "until", o->until) == -1) {
		free(target);
		fprintf(stderr, "kentongan: out of memory\n");
		return (1);
	}
	if ((body = kentongan_operator_get(o, target)) != NULL) {
		if (o->json)
			operator_print_json(body);
		else {
			printf("reports: %lld (since %s, until %s)\n",
			    (long long)json_integer_value(json_object_get(body,
			    "total")), kentongan_show(since, sizeof since,
			    json_object_get(body, "since")), kentongan_show(until,
			    sizeof until, json_object_get(body, "until")));
			operator_print_counts("by code:",
			    json_object_get(body, "by_code"));
			operator_print_counts("by severity:",
			    json_object_get(body, "by_severity"));
			operator_print_counts("by sender:",
			    json_object_get(body, "by_sender"));
			operator_print_counts("by day (UTC):",
			    json_object_get(body, "by_day"));
		}
		json_decref(body);
		status = 0;
	}
	free(target);
	return (status);
}

/* The target of one page of GET /v1/reports. */
static char *
operator_reports_target(struct options *o, const char *after)
{
	char	*target;

	if ((target = strdup("/v1/reports")) == NULL)
		return (NULL);
	if ((o->ncodes > 0 && operator_param(&target, "code",
	    o->codes[0]) == -1) ||
	    operator_param(&target, "sender", o->sender) == -1 ||
	    operator_param(&target, "min_severity", o->min_severity) == -1 ||
	    operator_param(&target, "tlp", o->tlp) == -1 ||
	    operator_param(&target, "since", o->since) == -1 ||
	    operator_param(&target, "until", o->until) == -1 ||
	    operator_param(&target, "after", after) == -1 ||
	    operator_param(&target, "limit", o->limit) == -1 ||
	    (o->format != EXPORT_JSON && operator_param(&target, "format",
	    o->format == EXPORT_STIX ? "stix" : "misp") == -1)) {
		free(target);
		return (NULL);
	}
	return (target);
}

int
cmd_operator_query(struct options *o)
{
	const json_t	*r, *report, *next;
	json_t		*body;
	char		*target, after[32], when[ESCAPE_QUOTE_SIZE];
	char		 sender[ESCAPE_QUOTE_SIZE], severity[ESCAPE_QUOTE_SIZE];
	char		 tlp[ESCAPE_QUOTE_SIZE], code[ESCAPE_QUOTE_SIZE];
	char		 title[SHOW_TITLE_SIZE];
	const char	*page_after = o->after;
	size_t		 i, total = 0;

	if (o->ncodes > 1) {
		fprintf(stderr, "kentongan: query takes one --code\n");
		return (2);
	}
	if (!o->json && o->format == EXPORT_JSON)
		printf("%8s  %-24s %-8s %5s %-8s %-12s %-36s %s\n", "SEQ",
		    "RECEIVED", "SENDER", "TOLD", "SEVERITY", "TLP", "CODE",
		    "TITLE");
	for (;;) {
		if ((target = operator_reports_target(o, page_after)) == NULL) {
			fprintf(stderr, "kentongan: out of memory\n");
			return (1);
		}
		body = kentongan_operator_get(o, target);
		free(target);
		if (body == NULL)
			return (1);
		json_array_foreach(json_object_get(body, "reports"), i, r) {
			report = json_object_get(r, "report");
			total++;
			if (o->json || o->format != EXPORT_JSON) {
				char *text = json_dumps(r, JSON_COMPACT);

				printf("%s\n", text != NULL ? text : "");
				free(text);
				continue;
			}
			printf("%8lld  %-24s %-8s %5lld %-8s %-12s %-36s %s\n",
			    (long long)json_integer_value(json_object_get(r,
			    "seq")), kentongan_show(when, sizeof when,
			    json_object_get(r, "received_at")),
			    kentongan_show(sender, sizeof sender,
			    json_object_get(r, "sender")),
			    (long long)json_integer_value(json_object_get(r,
			    "recipients")),
			    kentongan_show(severity, sizeof severity,
			    json_object_get(report, "severity")),
			    kentongan_show(tlp, sizeof tlp,
			    json_object_get(report, "tlp")),
			    kentongan_show(code, sizeof code,
			    json_object_get(report, "code")),
			    kentongan_show(title, sizeof title,
			    json_object_get(report, "title")));
		}
		next = json_object_get(body, "next");
		if (!json_is_integer(next)) {
			json_decref(body);
			break;
		}
		snprintf(after, sizeof after, "%lld",
		    (long long)json_integer_value(next));
		json_decref(body);
		page_after = after;
		if (!o->all) {
			fflush(stdout);
			fprintf(stderr, "kentongan: more reports follow: add "
			    "--after %s for the next page, or --all\n", after);
			break;
		}
	}
	fflush(stdout);
	if (!o->json && o->format == EXPORT_JSON)
		fprintf(stderr, "kentongan: %zu reports\n", total);
	return (0);
}
