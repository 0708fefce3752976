/* The stored recipient list: "ID:TIER" items separated by single spaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipients.h"

/* A tier has at most this many digits (it is a small enum). */
#define RECIPIENTS_TIER_DIGITS	4

char *
recipients_encode(const struct policy_set *set)
{
	char	*list, *p, digits[RECIPIENTS_TIER_DIGITS + 8];
	size_t	 i, len = 1, n, d;
	int	 tier;

	for (i = 0; i < set->n; i++)	/* " ID:TIER" */
		len += strlen(set->list[i].member) + 2 + sizeof digits;
	if ((list = malloc(len)) == NULL)
		return (NULL);
	/* By hand: once per report on the commit thread, printf showed. */
	p = list;
	for (i = 0; i < set->n; i++) {
		if (i > 0)
			*p++ = ' ';
		n = strlen(set->list[i].member);
		memcpy(p, set->list[i].member, n);
		p += n;
		*p++ = ':';
		tier = (int)set->list[i].tier;
		d = 0;
		do {
			digits[d++] = (char)('0' + tier % 10);
			tier /= 10;
		} while (tier > 0 && d < sizeof digits);
		while (d > 0)
			*p++ = digits[--d];
	}
	*p = '\0';
	return (list);
}

/*
 * The tier of the n bytes at s: digits only, few enough for an int; -1
 * otherwise.
 */
static int
recipients_parse_tier(const char *s, size_t n)
{
	size_t	i;
	int	tier = 0;

	if (n == 0 || n > RECIPIENTS_TIER_DIGITS)
		return (-1);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		tier = tier * 10 + (s[i] - '0');
	}
	return (tier);
}

int
recipients_next(const char **cursor, struct recipients_item *item)
{
	const char	*p = *cursor, *colon, *end;
	int		 tier;

	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0') {
			*cursor = p;
			return (0);
		}
		end = p + strcspn(p, " ");
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL && colon > p && (tier =
		    recipients_parse_tier(colon + 1, (size_t)(end - colon -
		    1))) != -1) {
			item->id = p;
			item->id_len = (size_t)(colon - p);
			item->tier = tier;
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
