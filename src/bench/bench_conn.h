/* One non-blocking mutual-TLS client connection on an epoll set. */
#ifndef KENTONGAN_BENCH_CONN_H
#define KENTONGAN_BENCH_CONN_H

#include <sys/socket.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

enum bench_conn_state {
	BENCH_CONN_NEW,
	BENCH_CONN_CONNECTING,
	BENCH_CONN_HANDSHAKING,
	BENCH_CONN_GREETING,	/* TLS is up; the protocol's first answer is awaited */
	BENCH_CONN_READY,
	BENCH_CONN_FAILED
};

/* Bytes data[off..len) are waiting. */
struct bench_buf {
	char	*data;
	size_t	 off;
	size_t	 len;
	size_t	 cap;
};

struct bench_conn;

/*
 * What the connections of one thread share: the epoll set, where to
 * connect, the counters, the first error, and the protocol above them.
 */
struct bench_conn_home {
	int			 epfd;
	const struct sockaddr	*addr;
	socklen_t		 addrlen;
	const char		*host;
	const char		*port;
	int			 host_is_ip;
	unsigned		 opening;	/* handshakes under way */
	char			*error;		/* the first, malloc'd */
	_Atomic uint64_t	*ready;
	_Atomic uint64_t	*failed;
	/* The first message, once TLS is up. */
	void			(*greet)(struct bench_conn *);
	/* Bytes arrived in conn->in; consume what is complete. */
	void			(*input)(struct bench_conn *);
	/* A read pass ended: write what is due. */
	void			(*after_read)(struct bench_conn *);
};

struct bench_conn {
	struct bench_conn_home	*home;
	enum bench_conn_state	 state;
	const char		*what;		/* "publisher", ..., for messages */
	unsigned		 index;
	const char		*name;		/* its identity's */
	SSL_CTX			*ctx;
	SSL			*ssl;
	int			 fd;
	int			 small;		/* expects few bytes: small buffers */
	int			 deaf;		/* never reads once ready */
	uint32_t		 events;	/* registered with epoll */
	struct bench_buf	 in;
	struct bench_buf	 out;
	size_t			 retry_len;	/* an SSL_write to repeat */
	int			 read_wants_write;
	int			 write_wants_read;
};

/* A client TLS context for one identity; NULL with *cause. */
SSL_CTX	*bench_conn_context(const char *ca, const char *cert, const char *key,
	    char **cause);
void	 bench_conn_init(struct bench_conn *, struct bench_conn_home *,
	    const char *what, unsigned index, const char *name, SSL_CTX *);
/* Start connecting; the rest happens in bench_conn_event. */
void	 bench_conn_open(struct bench_conn *);
/* Readiness reported by epoll. */
void	 bench_conn_event(struct bench_conn *, uint32_t events);
/* Queue bytes for the server; -1 (and the connection failed) on no memory. */
int	 bench_conn_queue(struct bench_conn *, const void *, size_t);
/* Write what is queued, as far as TLS and the socket take it. */
void	 bench_conn_flush(struct bench_conn *);
/* The protocol's greeting was answered: count the connection ready. */
void	 bench_conn_ready(struct bench_conn *);
/* The connection failed: keep the first reason, count it, close it. */
void	 bench_conn_fail(struct bench_conn *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Keep a reason as the home's first error, if it has none yet. */
void	 bench_conn_error(struct bench_conn *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Close the connection, drop what its buffers hold and make it new again,
 * for bench_conn_open to open it once more.
 */
void	 bench_conn_reset(struct bench_conn *);
/* Close the socket and TLS state (a close_notify if it was up). */
void	 bench_conn_close(struct bench_conn *);
/* Close, and free the buffers. */
void	 bench_conn_free(struct bench_conn *);

#endif
