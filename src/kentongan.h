/* The command-line client's options and commands. */
#ifndef KENTONGAN_KENTONGAN_H
#define KENTONGAN_KENTONGAN_H

#include "client.h"
#include "compose.h"

#define OPTIONS_CODES_MAX	64

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
	int			 all;
};

/* kentongan listen: print alerts as they arrive, ack each once written. */
int	cmd_listen(struct options *);
/* kentongan query: pages of past alerts. */
int	cmd_query(struct options *);

#endif
