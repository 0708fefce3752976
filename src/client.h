/* The client side of the member protocol: a blocking mutual-TLS line connection. */
#ifndef KENTONGAN_CLIENT_H
#define KENTONGAN_CLIENT_H

#include <stddef.h>

struct client_options {
	const char	*hub;	/* HOST:PORT or [V6]:PORT */
	const char	*cert;
	const char	*key;
	const char	*ca;
};

struct client;

/*
 * Connect and complete the handshake, verifying the hub's certificate
 * against ca and its name against the host. NULL with *cause (malloc'd,
 * saying what to do next) on failure.
 */
struct client	*client_connect(const struct client_options *, char **cause);
/* Send one line; the newline is added. -1 with *cause on failure. */
int		 client_send(struct client *, const char *line, size_t len,
		    char **cause);
/*
 * Read one line (without its newline), malloc'd. NULL with *cause on
 * failure or end of stream (*cause then says which).
 */
char		*client_read_line(struct client *, char **cause);
/* 1 if a whole line is already buffered or readable without blocking. */
int		 client_readable(struct client *, int timeout_ms);
/*
 * One HTTP/1.1 GET over the connection (the operator API), which the hub
 * then closes. *status and the malloc'd *body on success; -1 with *cause.
 */
int		 client_http_get(struct client *, const char *target,
		    int *status, char **body, char **cause);
/* 1 if the hub ended the connection with a TLS alert (a refusal). */
int		 client_refused(const struct client *);
/* The CN of the hub's certificate, malloc'd; NULL if it has none. */
char		*client_peer_cn(const struct client *);
void		 client_close(struct client *);

#endif
