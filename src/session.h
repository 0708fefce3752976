/* The member protocol on a ready connection: one request line in, replies out. */
#ifndef KENTONGAN_SESSION_H
#define KENTONGAN_SESSION_H

#include <stddef.h>

struct conn;
struct store_report;

/* Serve one complete request line (without its newline). */
void	session_line(struct conn *, const char *line, size_t len);
/* A line is longer than max_message_bytes: answer and close. */
void	session_too_large(struct conn *);
/* The committer is done with a report: answer its sender. */
void	session_committed(struct store_report *, void *hub);

#endif
