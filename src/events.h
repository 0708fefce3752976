/*
 * GET /v1/events: Server-Sent Events for operators. Each new report and
 * each acknowledgement is sent to every open stream as it happens, from
 * memory: the store is not read. A stream that does not read is closed
 * rather than buffered without end; its browser reconnects.
 */
#ifndef KENTONGAN_EVENTS_H
#define KENTONGAN_EVENTS_H

#include <stdint.h>

struct conn;
struct hub;
struct http_request;
struct store_report;

/* Event stream output queued for one reader, before it is dropped. */
#define EVENTS_OUTPUT_MAX	(256 * 1024)
/* How often an idle stream gets a comment line, at most, in seconds. */
#define EVENTS_HEARTBEAT	15

/* The heartbeat timer; exits 1 if it cannot be made. */
void	events_start(struct hub *);
void	events_stop(struct hub *);
/* Turn an operator connection into an event stream. Takes req. */
void	events_open(struct conn *, struct http_request *);
/* A report committed and fanned out. */
void	events_report(struct hub *, const struct store_report *);
/* member acknowledged everything up to seq. */
void	events_ack(struct hub *, const char *member, int64_t seq, int is_signed);
/* The connection is going away. */
void	events_closed(struct conn *);

#endif
