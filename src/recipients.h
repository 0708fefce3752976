/*
 * The stored form of a report's recipient set: "SG:1 MY:0", each recipient's
 * ID and enum tier, separated by single spaces. This module alone writes
 * and reads it.
 */
#ifndef KENTONGAN_RECIPIENTS_H
#define KENTONGAN_RECIPIENTS_H

#include <stddef.h>

#include "policy.h"

/* One recipient as read back: id points into the list, not terminated. */
struct recipients_item {
	const char	*id;
	size_t		 id_len;
	int		 tier;
};

/* The stored text of a set, malloc'd; NULL on no memory. */
char	*recipients_encode(const struct policy_set *);
/*
 * The next recipient of list after *cursor (start with *cursor = list):
 * 1 and *item filled, or 0 at the end. Malformed items are skipped.
 */
int	 recipients_next(const char **cursor, struct recipients_item *);
/* The tier of member in list, or -1 if it is not a recipient. */
int	 recipients_tier(const char *list, const char *member);
/* How many recipients list names. */
size_t	 recipients_count(const char *list);

#endif
