/* The command-line client's options and commands. */
#ifndef KENTONGAN_KENTONGAN_H
#define KENTONGAN_KENTONGAN_H

#include <jansson.h>

#include "client.h"
#include "clientconf.h"
#include "compose.h"
#include "escape.h"
#include "export.h"
#include "validate.h"

#define OPTIONS_CODES_MAX	64
/* Room for a title from the hub, escaped: 200 characters of 4 bytes at most. */
#define SHOW_TITLE_SIZE		ESCAPE_SIZE(REPORT_TITLE_MAX_CHARS * 4)
/* Room for a message from the hub, escaped; a longer one is cut. */
#define SHOW_MESSAGE_SIZE	2048

struct options {
	struct client_options	 client;
	struct compose		 compose;	/* push flags */
	const char		*taxonomy;
	const char		*lang;
	int			 json;
	/* listen and query */
	const char		*codes[OPTIONS_CODES_MAX];
	size_t			 ncodes;
	const char		*min_severity;
	const char		*since;		/* listen: seq; query: time */
	const char		*until;
	const char		*sender;
	const char		*after;
	const char		*limit;
	const char		*tlp;		/* query --operator */
	int			 all;
	int			 operator;
	int			 no_sign;	/* listen: acks unsigned */
	/* verify */
	const char		*receipt;
	const char		*hub_cert;
	int			 ledger;
	/* STIX and MISP */
	enum export_format	 format;	/* listen, query: --format */
	const char		*from;		/* push --from misp|stix */
	const char		*misp_feed;	/* export --misp-feed DIR */
	/* The configuration file, and setup's flags. */
	struct clientconf	 config;
	char			*config_path;
	const char		*operator_hub;	/* setup --operator-hub */
	int			 force;		/* setup --force */
	int			 sectors;	/* codes --sectors */
};

/*
 * Read the configuration file into o->config and take its certificate,
 * key, CA and taxonomy as o's defaults; needed: a KENTONGAN_CONFIG that
 * does not exist is an error (for setup it is where to write). -1 after
 * saying why on the standard error.
 */
int	kentongan_config(struct options *, int needed);
/* kentongan setup: write the configuration, after checking it works. */
int	cmd_setup(struct options *, int nargs);

/*
 * A string of the hub's answer as a terminal may show it (escape_str into
 * buf); "-" when j is not a string. Everything a table or a message prints
 * from the hub goes through it; --json output is JSON already.
 */
const char	*kentongan_show(char *buf, size_t size, const json_t *j);

/* kentongan listen: print alerts as they arrive, ack each once written. */
int	cmd_listen(struct options *);
/* kentongan query: pages of past alerts. */
int	cmd_query(struct options *);
/* kentongan members: the registry and who is connected (operator API). */
int	cmd_members(struct options *);
/* kentongan stats: counts by code, severity, sender and day (operator API). */
int	cmd_stats(struct options *);
/* kentongan query --operator: the whole history (operator API). */
int	cmd_operator_query(struct options *);
/* kentongan verify: a receipt with the hub's certificate, or the ledger. */
int	cmd_verify(struct options *);
/* kentongan export --misp-feed DIR: a MISP feed of what this member may see. */
int	cmd_export(struct options *, int argc, char **argv);
/*
 * The reports in a MISP or STIX file (o->from), with --severity and --tlp
 * as defaults and --recipient added; each event that cannot be a report
 * is printed as refused and counted in *refused. NULL (with a message
 * printed) if the file holds nothing to send.
 */
json_t	*kentongan_import(struct options *, const char *path,
	    size_t *refused);

/*
 * The JSON documents of a file or stdin ("-"): one document, or one per
 * line. With reports, each must be an object (a report). NULL with
 * *cause (malloc'd) if there is none or a line is not one.
 */
json_t	*kentongan_read_documents(const char *path, int reports,
	    char **cause);
/* Send one JSON request (not freed); -1 with a message printed. */
int	 kentongan_send(struct client *, json_t *request);
/* Read one JSON object; NULL (with a message printed) if there is none. */
json_t	*kentongan_receive(struct client *);
/* Print an error reply of the hub; always returns -1. */
int	 kentongan_refused(const json_t *reply);
/* The member-protocol query for the page after `after`; NULL on error. */
json_t	*kentongan_query_request(struct options *, long long after,
	    long long limit);
/*
 * The name the hub mints export IDs for, from its answer to whoami (its
 * hub_id) or else its certificate's CN; malloc'd, NULL if it has neither.
 */
char	*kentongan_hub_name(struct client *, const json_t *whoami);
/* Ask whoami and return kentongan_hub_name; NULL with a message printed. */
char	*kentongan_ask_hub_name(struct client *);

/* GET target from the operator API and parse the JSON body; NULL on failure. */
json_t	*kentongan_operator_get(struct options *, const char *target);

#endif
