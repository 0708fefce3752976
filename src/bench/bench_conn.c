/*
 * A client connection of the load generator: a non-blocking socket on an
 * epoll set, TLS with plain SSL_read and SSL_write on readiness (what
 * memcached and OpenSMTPD do), and a buffer each way. The protocol above
 * is reached through the home's callbacks; this file knows no message.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "bench_conn.h"

/* Room kept free for one SSL_read: a whole TLS record's plaintext. */
#define BENCH_CONN_READ_ROOM		16384
/* The same for connections that expect only tiny records. */
#define BENCH_CONN_READ_ROOM_SMALL	512
/* Bytes read from one connection before the others get a turn. */
#define BENCH_CONN_READ_BUDGET		(256 * 1024)

/* The last queued OpenSSL error's reason, or errno's text. */
static const char *
bench_conn_reason(int saved_errno)
{
	unsigned long	 e, last = 0;
	const char	*reason;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		return (saved_errno != 0 ? strerror(saved_errno) :
		    "connection closed");
	reason = ERR_reason_error_string(last);
	return (reason != NULL ? reason : "TLS error");
}

/* Make room for want more bytes at the end of b. */
static int
bench_conn_reserve(struct bench_buf *b, size_t want)
{
	size_t	 cap;
	char	*data;

	if (b->cap - b->len >= want)
		return (0);
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->cap - b->len >= want)
			return (0);
	}
	cap = b->cap == 0 ? 4096 : b->cap;
	while (cap - b->len < want) {
		if (cap > SIZE_MAX / 2)
			return (-1);
		cap *= 2;
	}
	if ((data = realloc(b->data, cap)) == NULL)
		return (-1);
	b->data = data;
	b->cap = cap;
	return (0);
}

SSL_CTX *
bench_conn_context(const char *ca, const char *cert, const char *key,
    char **cause)
{
	SSL_CTX	*ctx;

	*cause = NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		if (asprintf(cause, "cannot make a TLS context: %s",
		    bench_conn_reason(0)) == -1)
			*cause = NULL;
		return (NULL);
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		if (asprintf(cause, "cannot require TLS 1.2: %s",
		    bench_conn_reason(0)) == -1)
			*cause = NULL;
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		if (asprintf(cause, "cannot use the certificate %s: %s", cert,
		    bench_conn_reason(0)) == -1)
			*cause = NULL;
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		if (asprintf(cause, "cannot use the key %s with %s: %s", key,
		    cert, bench_conn_reason(0)) == -1)
			*cause = NULL;
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		if (asprintf(cause, "cannot use the CA file %s: %s", ca,
		    bench_conn_reason(0)) == -1)
			*cause = NULL;
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return (ctx);
fail:
	SSL_CTX_free(ctx);
	return (NULL);
}

void
bench_conn_init(struct bench_conn *c, struct bench_conn_home *home,
    const char *what, unsigned index, const char *name, SSL_CTX *ctx)
{
	memset(c, 0, sizeof *c);
	c->home = home;
	c->state = BENCH_CONN_NEW;
	c->what = what;
	c->index = index;
	c->name = name;
	c->ctx = ctx;
	c->fd = -1;
}

/* Keep text as the home's first error, naming the connection. */
static void
bench_conn_keep(struct bench_conn *c, const char *text)
{
	if (c->home->error != NULL)
		return;
	if (asprintf(&c->home->error, "%s %u (%s): %s", c->what, c->index,
	    c->name, text) == -1)
		c->home->error = NULL;
}

void
bench_conn_error(struct bench_conn *c, const char *fmt, ...)
{
	char	*text;
	va_list	 ap;

	if (c->home->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text != NULL) {
		bench_conn_keep(c, text);
		free(text);
	}
}

void
bench_conn_close(struct bench_conn *c)
{
	if (c->ssl != NULL) {
		if (c->state == BENCH_CONN_READY ||
		    c->state == BENCH_CONN_GREETING)
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1) {
		(void)epoll_ctl(c->home->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

void
bench_conn_reset(struct bench_conn *c)
{
	if (c->state == BENCH_CONN_CONNECTING ||
	    c->state == BENCH_CONN_HANDSHAKING)
		c->home->opening--;
	if (c->state == BENCH_CONN_READY)
		atomic_fetch_sub_explicit(c->home->ready, 1,
		    memory_order_relaxed);
	bench_conn_close(c);
	c->state = BENCH_CONN_NEW;
	c->in.off = c->in.len = 0;
	c->out.off = c->out.len = 0;
	c->retry_len = 0;
	c->events = 0;
	c->deaf = 0;
	c->read_wants_write = 0;
	c->write_wants_read = 0;
}

void
bench_conn_free(struct bench_conn *c)
{
	bench_conn_close(c);
	free(c->in.data);
	free(c->out.data);
	memset(&c->in, 0, sizeof c->in);
	memset(&c->out, 0, sizeof c->out);
}

void
bench_conn_fail(struct bench_conn *c, const char *fmt, ...)
{
	char	*text;
	va_list	 ap;

	if (c->state == BENCH_CONN_FAILED)
		return;
	if (c->home->error == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&text, fmt, ap) == -1)
			text = NULL;
		va_end(ap);
		if (text != NULL) {
			bench_conn_keep(c, text);
			free(text);
		}
	}
	if (c->state == BENCH_CONN_CONNECTING ||
	    c->state == BENCH_CONN_HANDSHAKING)
		c->home->opening--;
	if (c->state == BENCH_CONN_READY)
		atomic_fetch_sub_explicit(c->home->ready, 1,
		    memory_order_relaxed);
	atomic_fetch_add_explicit(c->home->failed, 1, memory_order_relaxed);
	bench_conn_close(c);
	c->state = BENCH_CONN_FAILED;
}

void
bench_conn_ready(struct bench_conn *c)
{
	if (c->state == BENCH_CONN_READY || c->state == BENCH_CONN_FAILED)
		return;
	c->state = BENCH_CONN_READY;
	atomic_fetch_add_explicit(c->home->ready, 1, memory_order_relaxed);
}

/* Register the events the connection now waits for, if they changed. */
static void
bench_conn_watch(struct bench_conn *c)
{
	struct epoll_event	ev;
	uint32_t		want = EPOLLIN;

	if (c->state == BENCH_CONN_FAILED || c->fd == -1)
		return;
	/* A deaf connection hears only errors, which epoll always reports. */
	if (c->deaf && c->state == BENCH_CONN_READY)
		want = 0;
	if (c->state == BENCH_CONN_CONNECTING)
		want = EPOLLOUT;
	else if (c->read_wants_write ||
	    (c->out.len > c->out.off && !c->write_wants_read))
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(c->home->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		bench_conn_fail(c, "epoll: %s", strerror(errno));
		return;
	}
	c->events = want;
}

int
bench_conn_queue(struct bench_conn *c, const void *p, size_t len)
{
	if (bench_conn_reserve(&c->out, len) == -1) {
		bench_conn_fail(c, "out of memory");
		return (-1);
	}
	memcpy(c->out.data + c->out.len, p, len);
	c->out.len += len;
	return (0);
}

void
bench_conn_flush(struct bench_conn *c)
{
	size_t	len;
	int	n, e, saved;

	if (c->state != BENCH_CONN_GREETING && c->state != BENCH_CONN_READY)
		return;
	c->write_wants_read = 0;
	while (c->state != BENCH_CONN_FAILED && c->out.len > c->out.off) {
		len = c->retry_len;
		if (len == 0) {
			len = c->out.len - c->out.off;
			if (len > INT_MAX / 2)
				len = INT_MAX / 2;
		}
		ERR_clear_error();
		errno = 0;
		n = SSL_write(c->ssl, c->out.data + c->out.off, (int)len);
		if (n > 0) {
			c->out.off += (size_t)n;
			c->retry_len = 0;
			continue;
		}
		saved = errno;
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
			/* The same bytes must be offered again. */
			c->retry_len = len;
			c->write_wants_read = e == SSL_ERROR_WANT_READ;
			break;
		}
		bench_conn_fail(c, "write: %s", bench_conn_reason(saved));
		return;
	}
	if (c->out.off == c->out.len)
		c->out.off = c->out.len = 0;
	bench_conn_watch(c);
}

/* Read what TLS has for us, up to a budget, and hand it up. */
static void
bench_conn_read(struct bench_conn *c)
{
	size_t	room, got = 0, space;
	int	n, e, saved;

	room = c->small ? BENCH_CONN_READ_ROOM_SMALL : BENCH_CONN_READ_ROOM;
	c->read_wants_write = 0;
	while (c->state != BENCH_CONN_FAILED) {
		/* Stop for the others only with nothing decrypted left over. */
		if (got >= BENCH_CONN_READ_BUDGET && SSL_pending(c->ssl) == 0)
			break;
		if (bench_conn_reserve(&c->in, room) == -1) {
			bench_conn_fail(c, "out of memory");
			return;
		}
		space = c->in.cap - c->in.len;
		ERR_clear_error();
		errno = 0;
		n = SSL_read(c->ssl, c->in.data + c->in.len,
		    space > INT_MAX ? INT_MAX : (int)space);
		if (n > 0) {
			c->in.len += (size_t)n;
			got += (size_t)n;
			c->home->input(c);
			continue;
		}
		saved = errno;
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			break;
		if (e == SSL_ERROR_WANT_WRITE) {
			c->read_wants_write = 1;
			break;
		}
		if (e == SSL_ERROR_ZERO_RETURN)
			bench_conn_fail(c, "the server closed the connection");
		else
			bench_conn_fail(c, "read: %s", bench_conn_reason(saved));
		return;
	}
	if (c->state != BENCH_CONN_FAILED)
		c->home->after_read(c);
}

/* Take the TLS handshake a step further. */
static void
bench_conn_handshake(struct bench_conn *c)
{
	long	verify;
	int	n, e, saved;

	ERR_clear_error();
	errno = 0;
	n = SSL_do_handshake(c->ssl);
	if (n == 1) {
		c->home->opening--;
		c->read_wants_write = 0;
		c->state = BENCH_CONN_GREETING;
		c->home->greet(c);
		bench_conn_flush(c);
		return;
	}
	saved = errno;
	e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->read_wants_write = e == SSL_ERROR_WANT_WRITE;
		bench_conn_watch(c);
		return;
	}
	verify = SSL_get_verify_result(c->ssl);
	if (verify != X509_V_OK)
		bench_conn_fail(c, "TLS handshake: the server's certificate "
		    "does not verify: %s", X509_verify_cert_error_string(verify));
	else
		bench_conn_fail(c, "TLS handshake: %s",
		    bench_conn_reason(saved));
}

/* The TCP connection is up (or failed): start TLS. */
static void
bench_conn_start_tls(struct bench_conn *c)
{
	struct bench_conn_home	*h = c->home;
	int			 err = 0;
	socklen_t		 len = sizeof err;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		bench_conn_fail(c, "cannot connect to %s:%s: %s", h->host,
		    h->port, strerror(err));
		return;
	}
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		bench_conn_fail(c, "cannot make a TLS session: %s",
		    bench_conn_reason(0));
		return;
	}
	if (c->small)
		(void)SSL_set_mode(c->ssl, SSL_MODE_RELEASE_BUFFERS);
	/* The server's certificate must name the address we meant. */
	if (h->host_is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		    h->host) != 1) {
			bench_conn_fail(c, "bad address %s", h->host);
			return;
		}
	} else if (SSL_set_tlsext_host_name(c->ssl, h->host) != 1 ||
	    SSL_set1_host(c->ssl, h->host) != 1) {
		bench_conn_fail(c, "bad host name %s", h->host);
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->state = BENCH_CONN_HANDSHAKING;
	bench_conn_handshake(c);
}

void
bench_conn_open(struct bench_conn *c)
{
	struct bench_conn_home	*h = c->home;
	struct epoll_event	 ev;
	int			 one = 1;

	h->opening++;
	c->state = BENCH_CONN_CONNECTING;
	c->fd = socket(h->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		bench_conn_fail(c, "socket: %s%s", strerror(errno),
		    errno == EMFILE ? " (raise the open files limit: ulimit "
		    "-n)" : "");
		return;
	}
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof one) == -1) {
		bench_conn_fail(c, "TCP_NODELAY: %s", strerror(errno));
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		bench_conn_fail(c, "epoll: %s", strerror(errno));
		return;
	}
	c->events = EPOLLOUT;
	if (connect(c->fd, h->addr, h->addrlen) == 0) {
		bench_conn_start_tls(c);
		return;
	}
	if (errno != EINPROGRESS)
		bench_conn_fail(c, "cannot connect to %s:%s: %s", h->host,
		    h->port, strerror(errno));
}

void
bench_conn_event(struct bench_conn *c, uint32_t events)
{
	switch (c->state) {
	case BENCH_CONN_CONNECTING:
		bench_conn_start_tls(c);
		break;
	case BENCH_CONN_HANDSHAKING:
		bench_conn_handshake(c);
		break;
	case BENCH_CONN_READY:
		if (c->deaf) {
			if (events & (EPOLLERR | EPOLLHUP))
				bench_conn_fail(c, "the connection broke");
			else if (events & EPOLLOUT)
				bench_conn_flush(c);
			break;
		}
		/* FALLTHROUGH */
	case BENCH_CONN_GREETING:
		if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ||
		    ((events & EPOLLOUT) && c->read_wants_write))
			bench_conn_read(c);
		if (c->state != BENCH_CONN_FAILED && ((events & EPOLLOUT) ||
		    c->write_wants_read))
			bench_conn_flush(c);
		break;
	case BENCH_CONN_NEW:
	case BENCH_CONN_FAILED:
		break;
	}
}
