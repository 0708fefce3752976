/* UTF-8 checks on text from the wire. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "utf8.h"

/*
 * Length of the well-formed sequence that starts at s[0] (at most len bytes
 * are looked at), or 0 if none starts there. The byte ranges are those of
 * Table 3-7 of the Unicode standard: restricting the second byte after
 * E0, ED, F0 and F4 is what rules out overlongs, surrogates and code points
 * above U+10FFFF without decoding.
 */
static size_t
utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* below is an overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* above is a surrogate */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* below is an overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above is beyond U+10FFFF */
	} else
		return (0);	/* continuation byte, C0, C1 or F5-FF */

	if (len < n)
		return (0);
	if (s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	}
	return (n);
}

/*
 * Check s[0..len) and count its code points. On error the offset reported
 * is the start of the first ill-formed sequence, which is where a reader
 * of the text would look.
 */
long
utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 off = 0, n;
	long			 count = 0;

	while (off < len) {
		/*
		 * Runs of ASCII, most of any report, eight bytes at a time:
		 * each is one code point.
		 */
		while (len - off >= 8) {
			uint64_t	word;

			memcpy(&word, u + off, sizeof word);
			if ((word & UINT64_C(0x8080808080808080)) != 0 ||
			    count > LONG_MAX - 8)
				break;
			off += 8;
			count += 8;
		}
		if (off >= len)
			break;
		n = utf8_sequence(u + off, len - off);
		if (n == 0 || count == LONG_MAX) {
			if (bad_offset != NULL)
				*bad_offset = off;
			return (-1);
		}
		off += n;
		count++;
	}
	return (count);
}

/* One code point and the length of its sequence; 0 where none is well-formed. */
size_t
utf8_decode(const char *s, size_t len, unsigned long *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n, i;

	if (len == 0 || (n = utf8_sequence(u, len)) == 0)
		return (0);
	if (n == 1) {
		*cp = u[0];
		return (1);
	}
	*cp = u[0] & (0x7f >> n);
	for (i = 1; i < n; i++)
		*cp = (*cp << 6) | (u[i] & 0x3f);
	return (n);
}

/*
 * Whether valid UTF-8 text holds a C0 or C1 control or DEL. C1 controls
 * U+0080-U+009F are always encoded as C2 80 to C2 9F, and in valid UTF-8 a
 * C2 byte is always a lead byte, so a byte scan is enough.
 */
int
utf8_has_control(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return (1);
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return (1);
	}
	return (0);
}

void
utf8_scrub(char *s)
{
	size_t	len = strlen(s), off = 0, bad;

	while (off < len && utf8_validate(s + off, len - off, &bad) == -1) {
		s[off + bad] = '?';
		off += bad + 1;
	}
}
