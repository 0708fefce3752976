/* Internals shared by the configuration parser and the member registry. */
#ifndef KENTONGAN_CONF_PARSER_H
#define KENTONGAN_CONF_PARSER_H

#include <stddef.h>

#include "conf.h"
#include "escape.h"

#define CONF_ID_CHARS	"1 to 32 of A-Z a-z 0-9 _ -"
#define CONF_TLP_CHOICE	"amber, amber+strict or red"
#define CONF_MAX_KEYS	32
/* Values one error message may quote. */
#define CONF_QUOTES	4

#define nitems(a) (sizeof (a) / sizeof (a)[0])

struct conf_parser;
struct conf_key;

typedef int (*conf_set_cb)(struct conf_parser *, const struct conf_key *,
    size_t, char **, int);

/*
 * A configuration key. The parser, the defaults, the required-key check and
 * the manual page all follow from this table, so a key is added here and
 * nowhere else.
 */
struct conf_key {
	const char		*name;
	conf_set_cb		 set;
	size_t			 off;		/* field, for shared setters */
	unsigned long long	 min;		/* numbers: range */
	unsigned long long	 max;
	size_t			 minargs;
	size_t			 maxargs;	/* 0: no limit */
	int			 repeatable;
	int			 required;
	const char		*def;		/* default as text, or NULL */
	const char		*syntax;	/* what the value looks like */
	const char		*help;
};

/* State of one parse. */
struct conf_parser {
	struct conf	 *conf;
	const char	 *file;
	char		 *dir;		/* prefix for relative paths, or NULL */
	char		 *err;		/* first error, "FILE:LINE: message" */
	int		  err_line;	/* -1: no error yet */
	int		  nomem;	/* the error is lack of memory */
	int		  seen[CONF_MAX_KEYS];	/* first line of each key */
	char		**broken;	/* IDs of member lines that failed */
	size_t		  nbroken;
	/* Values quoted by the error being formatted, see conf_quote. */
	char		  quoted[CONF_QUOTES][ESCAPE_QUOTE_SIZE];
	size_t		  nquoted;
};

/* Record an error unless one at an earlier (or the same) line is known; -1. */
int	conf_error(struct conf_parser *, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A value of the file as an error message quotes it: escaped and cut to
 * about 200 bytes, so that a line of megabytes or of control characters
 * cannot flood or garble the message. Only for an argument of conf_error,
 * which frees the room again.
 */
const char	*conf_quote(struct conf_parser *, const char *);
/* Record lack of memory, which outranks any error in the file; -1. */
int	conf_nomem(struct conf_parser *, int line);
/* The first line that set the key name, or 0 if none did. */
int	conf_key_seen(struct conf_parser *, const char *name);
/* 1 if s is a member ID. */
int	conf_valid_id(const char *s);

/* The setters of the registry's keys (conf_registry.c). */
int	conf_set_member(struct conf_parser *, const struct conf_key *, size_t,
	    char **, int);
int	conf_set_agreement(struct conf_parser *, const struct conf_key *,
	    size_t, char **, int);
void	conf_member_clear(struct conf_member *);

/* The federation's keys (conf_federation.c). */
int	conf_set_peer(struct conf_parser *, const struct conf_key *, size_t,
	    char **, int);
int	conf_set_hub_id(struct conf_parser *, const struct conf_key *, size_t,
	    char **, int);
int	conf_set_peer_amber_to(struct conf_parser *, const struct conf_key *,
	    size_t, char **, int);
/* An option of a peer line that a member line does not have. */
int	conf_peer_option(struct conf_parser *, struct conf_member *,
	    const char *id, const char *name, const char *value, int line,
	    int *seen);
/* The federation's checks of the whole file. */
void	conf_federation_check(struct conf_parser *);
/* 1 if a member line with this ID failed (its agreements are not blamed). */
int	conf_broken_has(struct conf_parser *, const char *id);

#endif
