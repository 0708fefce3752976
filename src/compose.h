/* Composing a report from command-line flags, for analysts who do not write JSON. */
#ifndef KENTONGAN_COMPOSE_H
#define KENTONGAN_COMPOSE_H

#include <stddef.h>

#include <jansson.h>

#define COMPOSE_LIST_MAX	1000

struct compose {
	const char	*id;
	const char	*code;
	const char	*severity;
	const char	*tlp;
	const char	*title;
	const char	*description;
	const char	*observed_at;
	const char	*indicators[COMPOSE_LIST_MAX];	/* "TYPE:VALUE" */
	size_t		 nindicators;
	const char	*sectors[COMPOSE_LIST_MAX];
	size_t		 nsectors;
	const char	*recipients[COMPOSE_LIST_MAX];
	size_t		 nrecipients;
};

/* 1 if any report flag was given. */
int	 compose_used(const struct compose *);
/*
 * The report object the flags describe, with fields in protocol order;
 * NULL with *cause for a malformed flag (an indicator without TYPE:).
 * Values are not judged here: the hub does that, with its exact errors.
 */
json_t	*compose_report(const struct compose *, char **cause);
/* Add a list item; -1 if the list is full. */
int	 compose_add(const char **list, size_t *n, const char *item);
/* A random (version 4) UUID in text form, from the 16 random bytes given. */
void	 compose_uuid(const unsigned char random[16], char out[37]);

#endif
