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
/* Hand a checked report of c's to the committer; c hears of it then. */
void	session_submit(struct conn *, struct store_report *);
/* Answer a report (or forward) with {"type":"rejected",...}. */
struct verdict;
void	session_refuse_report(struct conn *, const char *ref, const char *id,
	    const struct verdict *);

#endif
