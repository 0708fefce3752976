/* Spans of valid JSON text, for keeping a report's bytes as received. */
#include <string.h>

#include "jsonspan.h"

/* The end of the string that starts at s[i] (a quote): past its quote. */
static size_t
jsonspan_string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return (i + 1);
	}
	return (len);
}

/* The end of the value that starts at s[i]. */
static size_t
jsonspan_value_end(const char *s, size_t len, size_t i)
{
	size_t	depth = 0;

	if (i >= len)
		return (len);
	if (s[i] == '"')
		return (jsonspan_string_end(s, len, i));
	if (s[i] != '{' && s[i] != '[') {
		/* A number or a literal: up to a delimiter. */
		while (i < len && strchr(",}] \t\r\n", s[i]) == NULL)
			i++;
		return (i);
	}
	for (; i < len; i++) {
		if (s[i] == '"') {
			i = jsonspan_string_end(s, len, i) - 1;
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			return (i + 1);
	}
	return (len);
}

/* Skip JSON whitespace. */
static size_t
jsonspan_skip(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	return (i);
}

int
jsonspan_member(const char *s, size_t len, const char *key, size_t *start,
    size_t *end)
{
	size_t	i, k, klen = strlen(key);

	i = jsonspan_skip(s, len, 0);
	if (i >= len || s[i] != '{')
		return (-1);
	i = jsonspan_skip(s, len, i + 1);
	while (i < len && s[i] == '"') {
		k = jsonspan_string_end(s, len, i);
		/* "key" exactly: an escaped spelling is left to the slow way. */
		if (k - i == klen + 2 && memcmp(s + i + 1, key, klen) == 0) {
			i = jsonspan_skip(s, len, k);
			if (i >= len || s[i] != ':')
				return (-1);
			*start = jsonspan_skip(s, len, i + 1);
			*end = jsonspan_value_end(s, len, *start);
			return (*end <= len && *end > *start ? 0 : -1);
		}
		i = jsonspan_skip(s, len, k);
		if (i >= len || s[i] != ':')
			return (-1);
		i = jsonspan_skip(s, len, i + 1);
		i = jsonspan_skip(s, len, jsonspan_value_end(s, len, i));
		if (i < len && s[i] == ',')
			i = jsonspan_skip(s, len, i + 1);
	}
	return (-1);
}

int
jsonspan_compact(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '"':
			for (i++; i < len && s[i] != '"'; i++) {
				/* jansson may spell an escape otherwise. */
				if (s[i] == '\\')
					return (0);
			}
			if (i >= len)
				return (0);
			break;
		case ' ':
		case '\t':
		case '\r':
		case '\n':
		case '-':
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			return (0);
		default:
			break;
		}
	}
	return (1);
}
