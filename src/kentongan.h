/* The command-line client's options and commands. */
#ifndef KENTONGAN_KENTONGAN_H
#define KENTONGAN_KENTONGAN_H

#include <jansson.h>

#include "client.h"
#include "compose.h"
#include "escape.h"
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
};

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
/* GET target from the operator API and parse the JSON body; NULL on failure. */
json_t	*kentongan_operator_get(struct options *, const char *target);

#endif
