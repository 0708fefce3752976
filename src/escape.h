/* Text from a peer made safe to show in a log line or on a terminal. */
#ifndef KENTONGAN_ESCAPE_H
#define KENTONGAN_ESCAPE_H

#include <stddef.h>

/* Bytes the escaped form of n bytes can take, NUL included (4 a byte at most). */
#define ESCAPE_SIZE(n)		((size_t)(n) * 4 + 1)
/*
 * Room for one value quoted in a log line or an error message: at most
 * 200 bytes of escaped text, then "..." if it was cut.
 */
#define ESCAPE_QUOTE_SIZE	204

/*
 * Write s[0..len) into dst (size bytes) so that nothing in it can forge a
 * line, move the cursor or reorder what is shown: a backslash becomes
 * \\, newline, carriage return and tab \n \r \t, any other C0 control and
 * DEL \xHH, a C1 control and the bidirectional and line-breaking format
 * characters (U+061C, U+200E, U+200F, U+2028, U+2029, U+202A-U+202E,
 * U+2066-U+2069) \uHHHH, and each byte that is not part of well-formed
 * UTF-8 \xHH (HH from 80). Everything else is copied. Text that does not
 * fit is cut between two characters and ends in "...". dst is always
 * NUL-terminated (size > 0); returns dst.
 */
char	*escape_text(char *dst, size_t size, const char *s, size_t len);
/* escape_text of a NUL-terminated string; NULL is shown as "-". */
char	*escape_str(char *dst, size_t size, const char *s);

#endif
