/*
 * The one escape of peer text, for every log line and terminal: what a
 * member, an operator's client or a certificate says is shown, never
 * obeyed (the idea of OpenSMTPD's strnvis).
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "utf8.h"

/* The longest escape of one character: \uHHHH. */
#define ESCAPE_UNIT_MAX	6

/* 1 for a format character that reorders or breaks the text around it. */
static int
escape_format_char(unsigned long cp)
{
	return (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069));
}

/*
 * Escape the character at s[0] into out (ESCAPE_UNIT_MAX bytes at least):
 * returns how many input bytes it took, and its length in *outlen.
 */
static size_t
escape_unit(const char *s, size_t len, char *out, size_t *outlen)
{
	unsigned char	c = (unsigned char)s[0];
	unsigned long	cp;
	size_t		n;

	switch (c) {
	case '\\':
		memcpy(out, "\\\\", 2);
		*outlen = 2;
		return (1);
	case '\n':
		memcpy(out, "\\n", 2);
		*outlen = 2;
		return (1);
	case '\r':
		memcpy(out, "\\r", 2);
		*outlen = 2;
		return (1);
	case '\t':
		memcpy(out, "\\t", 2);
		*outlen = 2;
		return (1);
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, ESCAPE_UNIT_MAX + 1, "\\x%02x", c);
		*outlen = 4;
		return (1);
	}
	if (c < 0x80) {
		out[0] = (char)c;
		*outlen = 1;
		return (1);
	}
	if ((n = utf8_decode(s, len, &cp)) == 0) {
		snprintf(out, ESCAPE_UNIT_MAX + 1, "\\x%02x", c);
		*outlen = 4;
		return (1);
	}
	if (cp <= 0x9f || escape_format_char(cp)) {
		snprintf(out, ESCAPE_UNIT_MAX + 1, "\\u%04lx", cp);
		*outlen = 6;
		return (n);
	}
	memcpy(out, s, n);
	*outlen = n;
	return (n);
}

/* Copy s escaped into dst, cut with "..." to fit. */
char *
escape_text(char *dst, size_t size, const char *s, size_t len)
{
	char	unit[ESCAPE_UNIT_MAX + 1];
	size_t	cap, pos = 0, cut = 0, in = 0, n, ulen, dots;

	if (size == 0)
		return (dst);
	cap = size - 1;
	while (in < len) {
		n = escape_unit(s + in, len - in, unit, &ulen);
		if (ulen > cap - pos) {
			/* Back to the last place that leaves room for "...". */
			pos = cut;
			dots = cap - pos < 3 ? cap - pos : 3;
			memcpy(dst + pos, "...", dots);
			pos += dots;
			break;
		}
		memcpy(dst + pos, unit, ulen);
		pos += ulen;
		in += n;
		if (cap - pos >= 3)
			cut = pos;
	}
	dst[pos] = '\0';
	return (dst);
}

/* The same for a C string. */
char *
escape_str(char *dst, size_t size, const char *s)
{
	if (s == NULL)
		s = "-";
	return (escape_text(dst, size, s, strlen(s)));
}
