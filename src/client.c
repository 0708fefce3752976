/* A blocking mutual-TLS connection to the hub, for the command-line client. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "client.h"

struct client {
	SSL_CTX	*ctx;
	SSL	*ssl;
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
	char	*hub;
	int	 refused;
};

/* Set *cause from a format. */
static void
client_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
client_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* The last OpenSSL error's reason, or a fallback. */
static const char *
client_ssl_reason(void)
{
	unsigned long	 e, last = 0;
	const char	*reason;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		return (errno != 0 ? strerror(errno) : "connection closed");
	reason = ERR_reason_error_string(last);
	return (reason != NULL ? reason : "TLS error");
}

/* Split "HOST:PORT" or "[V6]:PORT"; malloc'd host. */
static int
client_split(const char *hub, char **host, char **port)
{
	const char	*colon;

	if (hub[0] == '[') {
		colon = strstr(hub, "]:");
		if (colon == NULL)
			return (-1);
		*host = strndup(hub + 1, (size_t)(colon - hub - 1));
		colon++;
	} else {
		colon = strrchr(hub, ':');
		if (colon == NULL || colon == hub)
			return (-1);
		*host = strndup(hub, (size_t)(colon - hub));
	}
	if (*host == NULL)
		return (-1);
	if (colon[1] == '\0') {
		free(*host);
		return (-1);
	}
	*port = strdup(colon + 1);
	if (*port == NULL) {
		free(*host);
		return (-1);
	}
	return (0);
}

/* Open a TCP connection to host:port. */
static int
client_tcp(const char *host, const char *port, const char *hub, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		client_cause(cause, "cannot resolve the hub %s: %s; check "
		    "--hub or KENTONGAN_HUB", hub, gai_strerror(rc));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		client_cause(cause, "cannot connect to the hub %s: %s; is "
		    "kentongand running there, and is --hub right?", hub,
		    strerror(saved));
	return (fd);
}

/* Connect to one address of o->hub (hub). */
static struct client *
client_connect_one(const struct client_options *o, const char *hub,
    char **cause)
{
	struct client	*c;
	char		*host = NULL, *port = NULL;

	*cause = NULL;
	if (hub == NULL || o->cert == NULL || o->key == NULL ||
	    o->ca == NULL) {
		client_cause(cause, "missing %s: give --hub, --cert, --key and "
		    "--ca (or KENTONGAN_HUB, KENTONGAN_CERT, KENTONGAN_KEY, "
		    "KENTONGAN_CA)", hub == NULL ? "--hub" : o->cert == NULL ?
		    "--cert" : o->key == NULL ? "--key" : "--ca");
		return (NULL);
	}
	if ((c = calloc(1, sizeof *c)) == NULL) {
		client_cause(cause, "out of memory");
		return (NULL);
	}
	c->fd = -1;
	if ((c->hub = strdup(hub)) == NULL ||
	    client_split(hub, &host, &port) == -1) {
		client_cause(cause, "bad hub address \"%s\": expected HOST:PORT "
		    "or [IPV6]:PORT", hub);
		goto fail;
	}
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		client_cause(cause, "cannot create a TLS context: %s",
		    client_ssl_reason());
		goto fail;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_use_certificate_chain_file(c->ctx, o->cert) != 1) {
		client_cause(cause, "cannot use the certificate %s: %s",
		    o->cert, client_ssl_reason());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(c->ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c->ctx) != 1) {
		client_cause(cause, "cannot use the key %s with %s: %s",
		    o->key, o->cert, client_ssl_reason());
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(c->ctx, o->ca, NULL) != 1) {
		client_cause(cause, "cannot use the CA file %s: %s", o->ca,
		    client_ssl_reason());
		goto fail;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if ((c->fd = client_tcp(host, port, hub, cause)) == -1)
		goto fail;
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		client_cause(cause, "cannot create a TLS session: %s",
		    client_ssl_reason());
		goto fail;
	}
	/* The hub's certificate must name the host we meant to reach. */
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host) != 1) {
		ERR_clear_error();
		SSL_set_tlsext_host_name(c->ssl, host);
		if (SSL_set1_host(c->ssl, host) != 1) {
			client_cause(cause, "bad hub host name %s", host);
			goto fail;
		}
	}
	if (SSL_connect(c->ssl) != 1) {
		long verify = SSL_get_verify_result(c->ssl);

		if (verify != X509_V_OK)
			client_cause(cause, "the hub %s is not who it should be: "
			    "%s; check --ca and --hub", hub,
			    X509_verify_cert_error_string(verify));
		else
			client_cause(cause, "TLS handshake with the hub %s "
			    "failed: %s; if the hub refused this certificate, "
			    "ask its operator to register it", hub,
			    client_ssl_reason());
		goto fail;
	}
	free(host);
	free(port);
	return (c);
fail:
	free(host);
	free(port);
	client_close(c);
	return (NULL);
}

/*
 * o->hub may name several hubs, separated by commas or blanks (an active
 * hub and its standby): each is tried in turn, and the first that
 * completes the handshake is the one. When none does, *cause says what
 * each answered.
 */
struct client *
client_connect(const struct client_options *o, char **cause)
{
	struct client_options	 one = *o;
	struct client		*c = NULL;
	char			*list, *hub, *next = NULL, *why, *all = NULL;
	char			*joined;
	int			 tried = 0;

	*cause = NULL;
	if (o->hub == NULL || strpbrk(o->hub, ", \t") == NULL)
		return (client_connect_one(o, o->hub, cause));
	if ((list = strdup(o->hub)) == NULL) {
		client_cause(cause, "out of memory");
		return (NULL);
	}
	for (hub = strtok_r(list, ", \t", &next); hub != NULL;
	    hub = strtok_r(NULL, ", \t", &next)) {
		tried++;
		one.hub = hub;
		if ((c = client_connect_one(&one, hub, &why)) != NULL)
			break;
		if (asprintf(&joined, "%s%s%s", all != NULL ? all : "",
		    all != NULL ? "; " : "", why != NULL ? why : "?") != -1) {
			free(all);
			all = joined;
		}
		free(why);
	}
	free(list);
	if (c == NULL) {
		if (tried == 0)
			client_cause(cause, "no hub address in \"%s\"", o->hub);
		else if (asprintf(cause, "none of the %d hubs answered: %s",
		    tried, all != NULL ? all : "?") == -1)
			*cause = NULL;
	}
	free(all);
	return (c);
}

int
client_send(struct client *c, const char *line, size_t len, char **cause)
{
	char	*buf;
	int	 n;

	/* One write per line, so each line is one TLS record where it fits. */
	if ((buf = malloc(len + 1)) == NULL) {
		client_cause(cause, "out of memory");
		return (-1);
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	n = SSL_write(c->ssl, buf, (int)(len + 1));
	free(buf);
	if (n <= 0) {
		client_cause(cause, "lost the connection to the hub %s: %s",
		    c->hub, client_ssl_reason());
		return (-1);
	}
	return (0);
}

/* Pull more bytes from TLS into the buffer; 0 at end of stream, -1 on error. */
static int
client_fill(struct client *c, char **cause)
{
	const char	*reason;
	char		*grown;
	int		 n;

	if (c->cap - c->len < 16384) {
		if ((grown = realloc(c->buf, c->cap + 65536)) == NULL) {
			client_cause(cause, "out of memory");
			return (-1);
		}
		c->buf = grown;
		c->cap += 65536;
	}
	n = SSL_read(c->ssl, c->buf + c->len, (int)(c->cap - c->len));
	if (n > 0) {
		c->len += (size_t)n;
		return (n);
	}
	if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN) {
		client_cause(cause, "the hub %s closed the connection", c->hub);
		return (0);
	}
	reason = client_ssl_reason();
	if (strstr(reason, "alert") != NULL) {
		c->refused = 1;
		client_cause(cause, "the hub %s refused this connection (%s): "
		    "is this certificate registered there, unrevoked and "
		    "unexpired? Send its fingerprint (openssl x509 -noout "
		    "-fingerprint -sha256 -in CERT) to the hub's operator",
		    c->hub, reason);
	} else
		client_cause(cause, "lost the connection to the hub %s: %s",
		    c->hub, reason);
	return (-1);
}

char *
client_read_line(struct client *c, char **cause)
{
	char	*nl, *line;
	size_t	 n;

	for (;;) {
		if (c->len > 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = (size_t)(nl - c->buf);
			if ((line = strndup(c->buf, n)) == NULL) {
				client_cause(cause, "out of memory");
				return (NULL);
			}
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return (line);
		}
		if (client_fill(c, cause) <= 0)
			return (NULL);
	}
}

int
client_readable(struct client *c, int timeout_ms)
{
	struct pollfd	pfd = { .fd = c->fd, .events = POLLIN };

	if (c->len > 0 && memchr(c->buf, '\n', c->len) != NULL)
		return (1);
	if (SSL_pending(c->ssl) > 0)
		return (1);
	return (poll(&pfd, 1, timeout_ms) > 0);
}

int
client_http_get(struct client *c, const char *target, int *status,
    char **body, char **cause)
{
	char	*request, *end, *length;
	size_t	 head, want;
	int	 n;

	*body = NULL;
	n = asprintf(&request, "GET %s HTTP/1.1\r\nHost: kentongan\r\n"
	    "Accept: application/json\r\nConnection: close\r\n\r\n", target);
	if (n == -1) {
		client_cause(cause, "out of memory");
		return (-1);
	}
	if (SSL_write(c->ssl, request, n) != n) {
		free(request);
		client_cause(cause, "lost the connection to the hub %s: %s",
		    c->hub, client_ssl_reason());
		return (-1);
	}
	free(request);
	/* Read to the end: the request asked the hub to close. */
	for (;;) {
		n = client_fill(c, cause);
		if (n < 0)
			return (-1);
		free(*cause);
		*cause = NULL;
		if (n == 0)
			break;
	}
	if (c->len == 0 || (end = memmem(c->buf, c->len, "\r\n\r\n", 4)) ==
	    NULL) {
		client_cause(cause, "the hub %s did not answer in HTTP; is "
		    "--hub the operator listener (operator_listen)?", c->hub);
		return (-1);
	}
	head = (size_t)(end - c->buf) + 4;
	want = c->len - head;
	/* The head is read as a string: the buffer is not one. */
	*end = '\0';
	if (sscanf(c->buf, "HTTP/1.%*d %d", status) != 1) {
		client_cause(cause, "the hub %s did not answer in HTTP; is "
		    "--hub the operator listener (operator_listen)?", c->hub);
		return (-1);
	}
	if ((length = strcasestr(c->buf, "\r\nContent-Length:")) != NULL &&
	    strtoul(length + 17, NULL, 10) < want)
		want = strtoul(length + 17, NULL, 10);
	if ((*body = strndup(c->buf + head, want)) == NULL) {
		client_cause(cause, "out of memory");
		return (-1);
	}
	c->len = 0;
	return (0);
}

int
client_refused(const struct client *c)
{
	return (c != NULL && c->refused);
}

void
client_close(struct client *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd != -1)
		close(c->fd);
	SSL_CTX_free(c->ctx);
	free(c->buf);
	free(c->hub);
	free(c);
}

char *
client_peer_cn(const struct client *c)
{
	X509		*cert;
	X509_NAME	*name;
	char		*cn = NULL;
	int		 len;

	if ((cert = SSL_get0_peer_certificate(c->ssl)) == NULL ||
	    (name = X509_get_subject_name(cert)) == NULL)
		return (NULL);
	if ((len = X509_NAME_get_text_by_NID(name, NID_commonName, NULL,
	    0)) <= 0 || (cn = malloc((size_t)len + 1)) == NULL)
		return (NULL);
	if (X509_NAME_get_text_by_NID(name, NID_commonName, cn,
	    len + 1) != len) {
		free(cn);
		return (NULL);
	}
	return (cn);
}
