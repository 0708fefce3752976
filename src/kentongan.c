/* kentongan: the command-line client for CSIRT analysts and hub operators. */
#include <libgen.h>
#include <limits.h>
#include <unistd.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "client.h"
#include "compose.h"
#include "kentongan.h"
#include "taxonomy.h"

#ifndef KENTONGAN_DEFAULT_TAXONOMY
#define KENTONGAN_DEFAULT_TAXONOMY "/usr/share/kentongan/taxonomy.json"
#endif

/*
 * The taxonomy of --taxonomy, KENTONGAN_TAXONOMY or the configuration;
 * else the installed one, else, for a kentongan run from a build tree,
 * the source tree's (etc/ beside configure.ac, one or two levels above
 * the program). NULL with *cause naming every place looked at.
 */
static struct taxonomy *
kentongan_taxonomy(const char *given, char **cause)
{
	char		 exe[PATH_MAX], *dir, *looked = NULL, *next;
	char		 candidate[PATH_MAX + 64], marker[PATH_MAX + 64];
	ssize_t		 n;
	int		 up;

	if (given != NULL)
		return (taxonomy_load(given, cause));
	if (access(KENTONGAN_DEFAULT_TAXONOMY, R_OK) == 0)
		return (taxonomy_load(KENTONGAN_DEFAULT_TAXONOMY, cause));
	if (asprintf(&looked, "%s", KENTONGAN_DEFAULT_TAXONOMY) == -1)
		looked = NULL;
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		for (up = 1; up <= 2; up++) {
			snprintf(candidate, sizeof candidate, "%s/%s/etc/"
			    "taxonomy.json", dir, up == 1 ? ".." : "../..");
			snprintf(marker, sizeof marker, "%s/%s/configure.ac",
			    dir, up == 1 ? ".." : "../..");
			if (access(marker, R_OK) == 0 &&
			    access(candidate, R_OK) == 0) {
				free(looked);
				return (taxonomy_load(candidate, cause));
			}
			if (looked != NULL && asprintf(&next, "%s, %s", looked,
			    candidate) != -1) {
				free(looked);
				looked = next;
			}
		}
	}
	if (asprintf(cause, "no taxonomy found (looked at %s); give one "
	    "with --taxonomy FILE, KENTONGAN_TAXONOMY or \"taxonomy FILE\" in "
	    "the configuration", looked != NULL ? looked : "?") == -1)
		*cause = NULL;
	free(looked);
	return (NULL);
}

/* "2026-12-02" as "2026-12-02T00:00:00Z" in buf; anything else as it is. */
static const char *
kentongan_day(const char *s, char *buf, size_t size)
{
	size_t	i;

	if (s == NULL || strlen(s) != 10)
		return (s);
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return (s);
	snprintf(buf, size, "%sT00:00:00Z", s);
	return (buf);
}

/* A class named without its '/' ("intrusions") as the filter's prefix. */
static const char *
kentongan_class(const char *code, char *buf, size_t size)
{
	if (strchr(code, '/') != NULL || strlen(code) + 2 > size ||
	    *code == '\0')
		return (code);
	snprintf(buf, size, "%s/", code);
	return (buf);
}

/* codes --sectors: the sectors a report's --sector may name. */
static void
kentongan_sectors(const struct taxonomy *t, int json, int indonesian)
{
	json_t	*list;
	char	*text;
	size_t	 i, width = 0;

	if (json) {
		list = json_array();
		for (i = 0; i < t->nsectors; i++)
			json_array_append_new(list, json_pack("{s:s, s:{s:s, "
			    "s:s}}", "sector", t->sectors[i].name, "name", "en",
			    t->sectors[i].label_en, "id", t->sectors[i].label_id));
		text = json_dumps(list, JSON_INDENT(2));
		printf("%s\n", text != NULL ? text : "[]");
		free(text);
		json_decref(list);
		return;
	}
	for (i = 0; i < t->nsectors; i++)
		if (strlen(t->sectors[i].name) > width)
			width = strlen(t->sectors[i].name);
	for (i = 0; i < t->nsectors; i++)
		printf("%-*s  %s\n", (int)width, t->sectors[i].name,
		    indonesian ? t->sectors[i].label_id : t->sectors[i].label_en);
}

/* Room for a class name given as a code filter, and its slash. */
#define KENTONGAN_CLASS_MAX	66

/* Reports sent ahead of their answers, so a file is not one round trip a line. */
#define PUSH_WINDOW	256


/* Print usage to f. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: kentongan COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  push [FILE|-]    send reports: one JSON report object per line, "
	    "or one object;\n"
	    "                   or compose one from flags:\n"
	    "                     --code C --severity S --tlp L --title T\n"
	    "                     [--description D] [--observed-at TIME] "
	    "[--id UUID]\n"
	    "                     [--indicator TYPE:VALUE]... [--sector S]... "
	    "[--recipient ID]...\n"
	    "                   prints the seq of each or why it was refused; "
	    "exit 1 if any refused\n"
	    "                   --from misp|stix FILE: MISP events or a STIX "
	    "bundle, made\n"
	    "                   reports (rsit: tag or label: the code; tlp: "
	    "the label);\n"
	    "                   --severity, --tlp for events that say neither, "
	    "--recipient\n"
	    "  listen           print alerts as they arrive; each is "
	    "acknowledged only\n"
	    "                   once written out\n"
	    "                     [--code C]... [--min-severity S] "
	    "[--since SEQ]\n"
	    "                   acknowledgements are signed with --key; "
	    "--no-sign sends them\n"
	    "                   unsigned\n"
	    "                   --format stix|misp prints each as a STIX 2.1 "
	    "bundle or\n"
	    "                   a MISP event, one per line (also for query)\n"
	    "  query            past alerts this member sent or received\n"
	    "                     [--code C] [--sender ID] [--min-severity S]\n"
	    "                     [--since TIME] [--until TIME] [--after SEQ] "
	    "[--limit N] [--all]\n"
	    "  query --operator the whole history, from the operator API\n"
	    "                     [--code C] [--sender ID] [--min-severity S] "
	    "[--tlp L]\n"
	    "                     [--since TIME] [--until TIME] [--after SEQ] "
	    "[--limit N] [--all]\n"
	    "  export --misp-feed DIR\n"
	    "                   write what this member may see as a MISP feed "
	    "(manifest.json\n"
	    "                   and UUID.json); a second run writes only what "
	    "is new\n"
	    "                     [--code C] [--sender ID] [--min-severity S] "
	    "[--since TIME]\n"
	    "                     [--until TIME]\n"
	    "  members          the members, who is connected, acknowledged "
	    "position, backlog\n"
	    "  stats            report counts by code, severity, sender and day\n"
	    "                     [--since TIME] [--until TIME]\n"
	    "  verify --receipt FILE --hub-cert FILE\n"
	    "                   check receipts (push --json's accepted lines) "
	    "against the\n"
	    "                   hub's certificate\n"
	    "  verify --ledger  recompute the hub's whole ledger from what it "
	    "stores;\n"
	    "                   exit 1 naming the first entry that no longer "
	    "matches\n"
	    "                   (query --operator, members, stats and verify "
	    "--ledger take\n"
	    "                   --hub HOST:PORT of operator_listen and an "
	    "operator's\n"
	    "                   certificate)\n"
	    "  codes            the incident code vocabulary "
	    "[--lang en|id] [--taxonomy FILE]\n"
	    "                   --sectors: the sectors --sector takes instead\n"
	    "  setup            write ~/.config/kentongan/config once the hub "
	    "answers:\n"
	    "                     --hub --cert --key --ca [--operator-hub "
	    "HOST:PORT]\n"
	    "                     [--format F] [--force]; asks for what is "
	    "missing\n"
	    "\n"
	    "common options:\n"
	    "  --hub HOST:PORT --cert FILE --key FILE --ca FILE\n"
	    "      (or KENTONGAN_HUB, KENTONGAN_CERT, KENTONGAN_KEY, "
	    "KENTONGAN_CA;\n"
	    "      else the configuration, ~/.config/kentongan/config or "
	    "KENTONGAN_CONFIG)\n"
	    "  --json           machine-readable output\n");
}

/* A string of the hub's, escaped for a terminal. */
const char *
kentongan_show(char *buf, size_t size, const json_t *j)
{
	return (escape_str(buf, size, json_string_value(j)));
}

/* The hub's reply to report number index, printed for a person. */
static int
push_print(const json_t *reply, int json_output)
{
	const json_t	*field;
	const char	*type;
	char		*text, id[ESCAPE_QUOTE_SIZE], error[ESCAPE_QUOTE_SIZE];
	char		 where[ESCAPE_QUOTE_SIZE], message[SHOW_MESSAGE_SIZE];

	type = json_string_value(json_object_get(reply, "type"));
	if (json_output) {
		if ((text = json_dumps(reply, JSON_COMPACT)) != NULL) {
			printf("%s\n", text);
			free(text);
		}
	}
	if (type != NULL && strcmp(type, "accepted") == 0) {
		if (!json_output && json_is_true(json_object_get(reply,
		    "duplicate")))
			printf("duplicate %s seq=%lld\n", kentongan_show(id,
			    sizeof id, json_object_get(reply, "id")),
			    (long long)json_integer_value(json_object_get(reply,
			    "seq")));
		else if (!json_output)
			printf("accepted %s seq=%lld recipients=%lld\n",
			    kentongan_show(id, sizeof id,
			    json_object_get(reply, "id")),
			    (long long)json_integer_value(json_object_get(reply,
			    "seq")),
			    (long long)json_integer_value(json_object_get(reply,
			    "recipients")));
		return (0);
	}
	if (!json_output) {
		kentongan_show(id, sizeof id, json_object_get(reply, "id"));
		kentongan_show(error, sizeof error, json_object_get(reply,
		    "error"));
		kentongan_show(message, sizeof message, json_object_get(reply,
		    "message"));
		field = json_object_get(reply, "field");
		if (json_is_string(field))
			printf("rejected %s: %s (%s): %s\n", id, error,
			    kentongan_show(where, sizeof where, field), message);
		else
			printf("rejected %s: %s: %s\n", id, error, message);
	}
	return (1);
}

/* Give a report without an id a fresh one, as its idempotency key. */
static int
push_ensure_id(json_t *report)
{
	unsigned char	random[16];
	char		uuid[37];

	if (!json_is_object(report) || json_object_get(report, "id") != NULL)
		return (0);
	if (RAND_bytes(random, sizeof random) != 1)
		return (-1);
	compose_uuid(random, uuid);
	return (json_object_set_new(report, "id", json_string(uuid)));
}

json_t *
kentongan_read_documents(const char *path, int reports, char **cause)
{
	json_error_t	 jerr;
	json_t		*all, *one;
	FILE		*f;
	char		*text = NULL, *line, *save = NULL;
	size_t		 cap = 0, len;
	int		 lineno = 0;

	*cause = NULL;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		if (asprintf(cause, "cannot open %s: %m", path) == -1)
			*cause = NULL;
		return (NULL);
	}
	len = getdelim(&text, &cap, '\0', f);
	if (f != stdin)
		fclose(f);
	if ((ssize_t)len == -1) {
		free(text);
		if (asprintf(cause, "%s: empty input, no %s to send", path,
		    reports ? "report" : "document") == -1)
			*cause = NULL;
		return (NULL);
	}
	if ((all = json_array()) == NULL)
		goto nomem;
	/* One (possibly pretty-printed) document is the whole input. */
	one = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (json_is_object(one) || (!reports && one != NULL)) {
		json_array_append_new(all, one);
		free(text);
		return (all);
	}
	json_decref(one);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		one = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (one == NULL || (reports && !json_is_object(one))) {
			if (asprintf(cause, "%s:%d: not a JSON %s: %s; nothing "
			    "was sent", path, lineno, reports ? "report object" :
			    "document", one == NULL ? jerr.text :
			    "expected {...}") == -1)
				*cause = NULL;
			json_decref(one);
			json_decref(all);
			free(text);
			return (NULL);
		}
		json_array_append_new(all, one);
	}
	free(text);
	if (json_array_size(all) == 0) {
		json_decref(all);
		if (asprintf(cause, "%s: no %s in the input", path, reports ?
		    "report" : "document") == -1)
			*cause = NULL;
		return (NULL);
	}
	return (all);
nomem:
	free(text);
	if (asprintf(cause, "out of memory") == -1)
		*cause = NULL;
	return (NULL);
}

/* Wait for one answer and print it; returns 0/1 (refused) or -1 (lost). */
static int
push_receive(struct client *c, size_t *answered, int json_output)
{
	json_t	*reply;
	char	*line, *cause = NULL;
	int	 refused;

	if ((line = client_read_line(c, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause ? cause : "?");
		free(cause);
		return (-1);
	}
	reply = json_loads(line, 0, NULL);
	free(line);
	if (reply == NULL) {
		fprintf(stderr, "kentongan: the hub sent something that is not "
		    "JSON\n");
		return (-1);
	}
	refused = push_print(reply, json_output);
	json_decref(reply);
	(*answered)++;
	return (refused);
}

/* kentongan push. */
static int
cmd_push(struct options *o, int argc, char **argv)
{
	struct client	*c;
	json_t		*reports, *report, *request;
	char		*cause = NULL, *text;
	size_t		 i, sent = 0, answered = 0, refused = 0;
	int		 rc;

	if (o->from != NULL) {
		if (argc > 1) {
			fprintf(stderr, "kentongan: push --from takes one FILE "
			    "(or - for standard input)\n");
			return (2);
		}
		if ((reports = kentongan_import(o, argc == 1 ? argv[0] : "-",
		    &refused)) == NULL)
			return (1);
		if (json_array_size(reports) == 0) {
			json_decref(reports);
			return (1);
		}
	} else if (compose_used(&o->compose)) {
		if (argc > 0) {
			fprintf(stderr, "kentongan: push takes either report "
			    "flags or a FILE, not both\n");
			return (2);
		}
		if ((report = compose_report(&o->compose, &cause)) == NULL) {
			fprintf(stderr, "kentongan: %s\n", cause);
			free(cause);
			return (2);
		}
		reports = json_pack("[o]", report);
	} else {
		if (argc > 1) {
			fprintf(stderr, "kentongan: push takes one FILE (or - "
			    "for standard input)\n");
			return (2);
		}
		reports = kentongan_read_documents(argc == 1 ? argv[0] : "-",
		    1, &cause);
		if (reports == NULL) {
			fprintf(stderr, "kentongan: %s\n", cause);
			free(cause);
			return (1);
		}
	}
	json_array_foreach(reports, i, report) {
		if (push_ensure_id(report) == -1) {
			fprintf(stderr, "kentongan: cannot make a UUID\n");
			json_decref(reports);
			return (1);
		}
	}
	if ((c = client_connect(&o->client, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		free(cause);
		json_decref(reports);
		return (1);
	}
	json_array_foreach(reports, i, report) {
		while (sent - answered >= PUSH_WINDOW) {
			if ((rc = push_receive(c, &answered, o->json)) == -1)
				goto lost;
			refused += (size_t)rc;
		}
		request = json_pack("{s:s, s:O}", "type", "report", "report",
		    report);
		text = request != NULL ? json_dumps(request, JSON_COMPACT) :
		    NULL;
		json_decref(request);
		if (text == NULL ||
		    client_send(c, text, strlen(text), &cause) == -1) {
			free(text);
			fprintf(stderr, "kentongan: %s\n", cause ? cause :
			    "out of memory");
			free(cause);
			goto lost;
		}
		free(text);
		sent++;
	}
	while (answered < sent) {
		if ((rc = push_receive(c, &answered, o->json)) == -1)
			goto lost;
		refused += (size_t)rc;
	}
	client_close(c);
	json_decref(reports);
	return (refused > 0 ? 1 : 0);
lost:
	/* After a refusal at the handshake, resending would not help. */
	if (!client_refused(c))
		fprintf(stderr, "kentongan: %zu of %zu reports have no answer; "
		    "send them again (a report already accepted is recognised "
		    "by its id)\n", json_array_size(reports) - answered,
		    json_array_size(reports));
	client_close(c);
	json_decref(reports);
	return (1);
}

/* kentongan codes. */
static int
cmd_codes(struct options *o)
{
	const struct taxonomy_code	*code;
	struct taxonomy			*t;
	json_t				*list, *item;
	char				*cause = NULL, *text;
	size_t				 i, width = 0;
	int				 indonesian;

	indonesian = o->lang != NULL && strcmp(o->lang, "id") == 0;
	if (o->lang != NULL && !indonesian && strcmp(o->lang, "en") != 0) {
		fprintf(stderr, "kentongan: --lang takes en or id\n");
		return (2);
	}
	if ((t = kentongan_taxonomy(o->taxonomy, &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause);
		free(cause);
		return (1);
	}
	if (o->sectors) {
		kentongan_sectors(t, o->json, indonesian);
		taxonomy_free(t);
		return (0);
	}
	if (o->json) {
		list = json_array();
		for (i = 0; i < t->ncodes; i++) {
			code = &t->codes[i];
			item = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}",
			    "code", code->code, "name", "en", code->name_en,
			    "id", code->name_id, "description", "en",
			    code->description_en, "id", code->description_id);
			json_array_append_new(list, item);
		}
		text = json_dumps(list, JSON_INDENT(2));
		printf("%s\n", text != NULL ? text : "[]");
		free(text);
		json_decref(list);
	} else {
		for (i = 0; i < t->ncodes; i++) {
			if (strlen(t->codes[i].code) > width)
				width = strlen(t->codes[i].code);
		}
		for (i = 0; i < t->ncodes; i++) {
			code = &t->codes[i];
			printf("%-*s  %s\n", (int)width, code->code,
			    indonesian ? code->name_id : code->name_en);
		}
	}
	taxonomy_free(t);
	return (0);
}

int
main(int argc, char **argv)
{
	enum {
		OPT_HUB = 256, OPT_CERT, OPT_KEY, OPT_CA, OPT_JSON, OPT_ID,
		OPT_CODE, OPT_SEVERITY, OPT_TLP, OPT_TITLE, OPT_DESCRIPTION,
		OPT_OBSERVED_AT, OPT_INDICATOR, OPT_SECTOR, OPT_RECIPIENT,
		OPT_TAXONOMY, OPT_LANG, OPT_MIN_SEVERITY, OPT_SINCE, OPT_UNTIL,
		OPT_SENDER, OPT_AFTER, OPT_LIMIT, OPT_ALL, OPT_OPERATOR,
		OPT_NO_SIGN, OPT_RECEIPT, OPT_HUB_CERT, OPT_LEDGER, OPT_FORMAT,
		OPT_FROM, OPT_MISP_FEED, OPT_OPERATOR_HUB, OPT_FORCE,
		OPT_SECTORS
	};
	static const struct option longopts[] = {
		{ "hub", required_argument, NULL, OPT_HUB },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "id", required_argument, NULL, OPT_ID },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "tlp", required_argument, NULL, OPT_TLP },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "observed-at", required_argument, NULL, OPT_OBSERVED_AT },
		{ "indicator", required_argument, NULL, OPT_INDICATOR },
		{ "sector", required_argument, NULL, OPT_SECTOR },
		{ "recipient", required_argument, NULL, OPT_RECIPIENT },
		{ "taxonomy", required_argument, NULL, OPT_TAXONOMY },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "min-severity", required_argument, NULL, OPT_MIN_SEVERITY },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "sender", required_argument, NULL, OPT_SENDER },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "operator", no_argument, NULL, OPT_OPERATOR },
		{ "no-sign", no_argument, NULL, OPT_NO_SIGN },
		{ "receipt", required_argument, NULL, OPT_RECEIPT },
		{ "hub-cert", required_argument, NULL, OPT_HUB_CERT },
		{ "ledger", no_argument, NULL, OPT_LEDGER },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "misp-feed", required_argument, NULL, OPT_MISP_FEED },
		{ "operator-hub", required_argument, NULL, OPT_OPERATOR_HUB },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "sectors", no_argument, NULL, OPT_SECTORS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	/* Static: what the configuration holds lives as long as the program. */
	static struct options o;
	struct compose	*cp = &o.compose;
	const char	*command;
	enum export_format format;
	static char	 classes[OPTIONS_CODES_MAX][KENTONGAN_CLASS_MAX];
	char		 since_day[32], until_day[32];
	size_t		 i;
	int		 ch, full = 0, format_given = 0;

	/* A hub that closes on us is an error to report, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return (argc < 2 ? 2 : 0);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("kentongan %s\n", PACKAGE_VERSION);
		return (0);
	}
	command = argv[1];
	/* The configuration first: the environment, then flags, win. */
	if (kentongan_config(&o, strcmp(command, "setup") != 0) == -1)
		return (2);
	o.client.hub = getenv("KENTONGAN_HUB");
	if (getenv("KENTONGAN_CERT") != NULL)
		o.client.cert = getenv("KENTONGAN_CERT");
	if (getenv("KENTONGAN_KEY") != NULL)
		o.client.key = getenv("KENTONGAN_KEY");
	if (getenv("KENTONGAN_CA") != NULL)
		o.client.ca = getenv("KENTONGAN_CA");
	if (getenv("KENTONGAN_TAXONOMY") != NULL)
		o.taxonomy = getenv("KENTONGAN_TAXONOMY");
	argc--;
	argv++;
	/* Our own word for a bad option: one line and where to look. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_HUB: o.client.hub = optarg; break;
		case OPT_CERT: o.client.cert = optarg; break;
		case OPT_KEY: o.client.key = optarg; break;
		case OPT_CA: o.client.ca = optarg; break;
		case OPT_JSON:
			o.json = 1;
			format_given = 1;
			break;
		case OPT_ID: cp->id = optarg; break;
		case OPT_CODE:
			/* push takes one code; listen and query filter on them. */
			cp->code = optarg;
			if (o.ncodes == OPTIONS_CODES_MAX)
				full = -1;
			else
				o.codes[o.ncodes++] = optarg;
			break;
		case OPT_SEVERITY: cp->severity = optarg; break;
		case OPT_TLP:
			cp->tlp = optarg;
			o.tlp = optarg;
			break;
		case OPT_TITLE: cp->title = optarg; break;
		case OPT_DESCRIPTION: cp->description = optarg; break;
		case OPT_OBSERVED_AT: cp->observed_at = optarg; break;
		case OPT_INDICATOR:
			full |= compose_add(cp->indicators, &cp->nindicators,
			    optarg);
			break;
		case OPT_SECTOR:
			full |= compose_add(cp->sectors, &cp->nsectors, optarg);
			break;
		case OPT_RECIPIENT:
			full |= compose_add(cp->recipients, &cp->nrecipients,
			    optarg);
			break;
		case OPT_TAXONOMY: o.taxonomy = optarg; break;
		case OPT_LANG: o.lang = optarg; break;
		case OPT_MIN_SEVERITY: o.min_severity = optarg; break;
		case OPT_SINCE: o.since = optarg; break;
		case OPT_UNTIL: o.until = optarg; break;
		case OPT_SENDER: o.sender = optarg; break;
		case OPT_AFTER: o.after = optarg; break;
		case OPT_LIMIT: o.limit = optarg; break;
		case OPT_ALL: o.all = 1; break;
		case OPT_OPERATOR: o.operator = 1; break;
		case OPT_NO_SIGN: o.no_sign = 1; break;
		case OPT_RECEIPT: o.receipt = optarg; break;
		case OPT_HUB_CERT: o.hub_cert = optarg; break;
		case OPT_LEDGER: o.ledger = 1; break;
		case OPT_FORMAT:
			if (export_format_parse(optarg, &o.format) == -1) {
				fprintf(stderr, "kentongan: --format takes json, "
				    "stix or misp\n");
				return (2);
			}
			if (o.format == EXPORT_JSON)
				o.json = 1;
			format_given = 1;
			break;
		case OPT_FROM: o.from = optarg; break;
		case OPT_MISP_FEED: o.misp_feed = optarg; break;
		case OPT_OPERATOR_HUB: o.operator_hub = optarg; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_SECTORS: o.sectors = 1; break;
		case 'h':
			usage(stdout);
			return (0);
		case ':':
			fprintf(stderr, "kentongan: %s needs a value; kentongan "
			    "--help lists the options\n", argv[optind - 1]);
			return (2);
		default:
			fprintf(stderr, "kentongan: %s: unknown option %s; "
			    "kentongan --help lists the options\n", command,
			    argv[optind - 1]);
			return (2);
		}
	}
	if (full) {
		fprintf(stderr, "kentongan: too many flags: at most %d --code, "
		    "and %d of --indicator, --sector and --recipient\n",
		    OPTIONS_CODES_MAX, COMPOSE_LIST_MAX);
		return (2);
	}
	argc -= optind;
	argv += optind;
	if (strcmp(command, "setup") == 0)
		return (cmd_setup(&o, argc));
	/*
	 * What people type: a day for a time (its 00:00 UTC), a class for
	 * a code filter without its '/'. listen's --since is a seq.
	 */
	if (strcmp(command, "listen") != 0) {
		o.since = kentongan_day(o.since, since_day, sizeof since_day);
		o.until = kentongan_day(o.until, until_day, sizeof until_day);
	}
	if (strcmp(command, "push") != 0)
		for (i = 0; i < o.ncodes; i++)
			o.codes[i] = kentongan_class(o.codes[i],
			    classes[i], sizeof classes[i]);
	/* Operator views go to operator_listen; the rest to members'. */
	if (o.client.hub == NULL)
		o.client.hub = strcmp(command, "members") == 0 ||
		    strcmp(command, "stats") == 0 || o.operator || o.ledger ?
		    o.config.operator_hub : o.config.hub;
	/* The configured format, where the command has it. */
	if (!format_given && o.config.format != NULL &&
	    export_format_parse(o.config.format, &format) == 0) {
		if (format == EXPORT_JSON)
			o.json = 1;
		else if (strcmp(command, "listen") == 0 ||
		    strcmp(command, "query") == 0)
			o.format = format;
	}
	if (strcmp(command, "push") == 0)
		return (cmd_push(&o, argc, argv));
	if (strcmp(command, "codes") == 0)
		return (cmd_codes(&o));
	if (strcmp(command, "listen") == 0)
		return (cmd_listen(&o));
	if (strcmp(command, "query") == 0)
		return (o.operator ? cmd_operator_query(&o) : cmd_query(&o));
	if (strcmp(command, "export") == 0)
		return (cmd_export(&o, argc, argv));
	if (strcmp(command, "members") == 0)
		return (cmd_members(&o));
	if (strcmp(command, "stats") == 0)
		return (cmd_stats(&o));
	if (strcmp(command, "verify") == 0) {
		if (argc > 0) {
			fprintf(stderr, "kentongan: verify takes no operand; "
			    "use --receipt FILE or --ledger\n");
			return (2);
		}
		return (cmd_verify(&o));
	}
	fprintf(stderr, "kentongan: unknown command \"%s\"; run kentongan "
	    "--help\n", command);
	return (2);
}
