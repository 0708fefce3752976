/* The stored recipient list: "ID:TIER" items separated by single spaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipients.h"

char *
recipients_encode(const struct policy_set *set)
{
	char	*list, *p;
	size_t	 i, len = 1;

	for (i = 0; i < set->n; i++)
		len += strlen(set->list[i].member) + 4;	/* " ID:T" */
	if ((list = malloc(len)) == NULL)
		return (NULL);
	p = list;
	*p = '\0';
	for (i = 0; i < set->n; i++)
		p += snprintf(p, len - (size_t)(p - list), "%s%s:%d",
		    i > 0 ? " " : "", set->list[i].member,
		    (int)set->list[i].tier);
	return (list);
}

int
recipients_next(const char **cursor, struct recipients_item *item)
{
	const char	*p = *cursor, *colon, *end;

	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0') {
			*cursor = p;
			return (0);
		}
		end = p + strcspn(p, " ");
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL && colon > p && colon + 1 < end &&
		    colon[1] >= '0' && colon[1] <= '9') {
			item->id = p;
			item->id_len = (size_t)(colon - p);
			item->tier = atoi(colon + 1);
			*cursor = end;
			return (1);
		}
		p = end;
	}
}

int
recipients_tier(const char *list, const char *member)
{
	struct recipients_item	 item;
	const char		*cursor = list;
	size_t			 len = strlen(member);

	while (recipients_next(&cursor, &item)) {
		if (item.id_len == len && memcmp(item.id, member, len) == 0)
			return (item.tier);
	}
	return (-1);
}

size_t
recipients_count(const char *list)
{
	struct recipients_item	 item;
	const char		*cursor = list;
	size_t			 n = 0;

	while (recipients_next(&cursor, &item))
		n++;
	return (n);
}
