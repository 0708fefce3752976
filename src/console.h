/*
 * The operator console (SPEC section 15): HTML pages on the operator
 * listener, for the same operator certificates as the API. The store is
 * read on reader threads, like the API's reads; the loop only renders what
 * it keeps in memory (members, links) and sends.
 */
#ifndef KENTONGAN_CONSOLE_H
#define KENTONGAN_CONSOLE_H

struct conn;
struct http_request;

/*
 * 1 if path is one of the console's: /, /reports, /reports/SEQ, /stats,
 * and its style sheet, script and icon.
 */
int	console_path(const char *path);
/* Answer a GET or HEAD of a console path. Takes req. */
void	console_request(struct conn *, struct http_request *);

#endif
