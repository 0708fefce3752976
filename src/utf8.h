/* UTF-8 checks on text from the wire. */
#ifndef KENTONGAN_UTF8_H
#define KENTONGAN_UTF8_H

#include <stddef.h>

/*
 * Check that s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns the number of code points, or -1; on -1
 * *bad_offset (if not NULL) is the offset of the first bad byte.
 */
long	utf8_validate(const char *s, size_t len, size_t *bad_offset);
/*
 * Decode the code point that starts at s[0] (at most len bytes are looked
 * at) into *cp. Returns the length of its well-formed sequence, or 0 if
 * none starts there.
 */
size_t	utf8_decode(const char *s, size_t len, unsigned long *cp);
/*
 * 1 if the valid UTF-8 string s contains a control character
 * (U+0000-U+001F, U+007F-U+009F), else 0.
 */
int	utf8_has_control(const char *s, size_t len);
/*
 * Make the NUL-terminated s valid UTF-8 in place: each byte where a bad
 * sequence starts becomes '?'. Text that quotes input (a parser's "near
 * '...'", a truncated echo) must stay encodable in a JSON answer.
 */
void	utf8_scrub(char *s);

#endif
