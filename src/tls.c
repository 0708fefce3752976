/* TLS contexts for the listeners: certificates, CRL, and who a client is. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "escape.h"
#include "log.h"
#include "tls.h"

/* What the verify callback needs to know of its listener. */
struct tls_listener_data {
	struct conf *const	*registry;
	enum tls_listener	 kind;
};

static int	tls_listener_index = -1;

/* Free a context's listener data along with the context. */
static void
tls_listener_data_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	free(ptr);
}

const char *
tls_error_string(char *buf, size_t size)
{
	unsigned long	e = ERR_get_error();
	const char	*reason;

	if (e == 0)
		snprintf(buf, size, "unknown TLS error");
	else if ((reason = ERR_reason_error_string(e)) != NULL)
		snprintf(buf, size, "%s", reason);
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return (buf);
}

int
tls_fingerprint(X509 *cert, unsigned char out[CONF_SHA256_LEN])
{
	unsigned int	len = CONF_SHA256_LEN;

	if (X509_digest(cert, EVP_sha256(), out, &len) != 1 ||
	    len != CONF_SHA256_LEN)
		return (-1);
	return (0);
}

char *
tls_subject(X509 *cert)
{
	BIO	*bio;
	char	*text = NULL, *data;
	long	 len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return (NULL);
	/*
	 * RFC 2253 form, but names in other scripts stay readable: it is
	 * escaped where it is shown, like all text a peer chose.
	 */
	if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
	    XN_FLAG_RFC2253 & ~(ASN1_STRFLGS_ESC_MSB | ASN1_STRFLGS_ESC_CTRL)) >=
	    0) {
		len = BIO_get_mem_data(bio, &data);
		if (len >= 0)
			text = strndup(data, (size_t)len);
	}
	BIO_free(bio);
	return (text);
}

char *
tls_subject_cn(X509 *cert)
{
	X509_NAME	*name = X509_get_subject_name(cert);
	X509_NAME_ENTRY	*entry;
	ASN1_STRING	*data;
	unsigned char	*utf8;
	char		*cn;
	int		 i, len;

	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || (entry = X509_NAME_get_entry(name, i)) == NULL)
		return (NULL);
	data = X509_NAME_ENTRY_get_data(entry);
	if ((len = ASN1_STRING_to_UTF8(&utf8, data)) < 0)
		return (NULL);
	/* A CN with an embedded NUL cannot be matched honestly. */
	if (memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		return (NULL);
	}
	cn = strndup((char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
	return (cn);
}

/* The member that cert maps to and that the listener admits. */
static const struct conf_member *
tls_cert_member(X509 *cert, const struct conf *conf, enum tls_listener kind,
    const char **why)
{
	const struct conf_member	*member;
	unsigned char			 fp[CONF_SHA256_LEN];
	char				*cn;

	if (tls_fingerprint(cert, fp) == -1) {
		*why = "cannot compute the certificate's fingerprint";
		return (NULL);
	}
	cn = tls_subject_cn(cert);
	member = conf_member_by_cert(conf, fp, cn);
	free(cn);
	if (member == NULL) {
		*why = "certificate not registered to any member";
		return (NULL);
	}
	if (kind == TLS_MEMBER_LISTENER && (member->role == ROLE_OPERATOR ||
	    member->role == ROLE_MONITOR)) {
		*why = member->role == ROLE_OPERATOR ? "operators are not "
		    "admitted on the member listener" : "monitors are not "
		    "admitted on the member listener";
		return (NULL);
	}
	if (kind == TLS_OPERATOR_LISTENER && member->role != ROLE_OPERATOR &&
	    member->role != ROLE_MONITOR) {
		*why = "only operators (and monitors, for /metrics) are admitted "
		    "on the operator listener";
		return (NULL);
	}
	return (member);
}

const struct conf_member *
tls_peer_member(SSL *ssl, const struct conf *conf, enum tls_listener kind,
    const char **why)
{
	const struct conf_member	*member;
	X509				*cert;

	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		*why = "certificate not verified";
		return (NULL);
	}
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		*why = "no client certificate";
		return (NULL);
	}
	member = tls_cert_member(cert, conf, kind, why);
	X509_free(cert);
	return (member);
}

int
tls_recheck_peer(SSL_CTX *ctx, SSL *ssl, const char **why)
{
	X509_STORE_CTX	*store_ctx;
	STACK_OF(X509)	*chain;
	X509		*leaf;
	int		 ok = 0;

	*why = "no client certificate";
	if ((leaf = SSL_get1_peer_certificate(ssl)) == NULL)
		return (0);
	/* The peer's chain as sent, leaf excluded on the server side. */
	chain = SSL_get_peer_cert_chain(ssl);
	if ((store_ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(store_ctx, SSL_CTX_get_cert_store(ctx), leaf,
	    chain) != 1) {
		*why = "cannot check the certificate";
		goto done;
	}
	X509_STORE_CTX_set_purpose(store_ctx, X509_PURPOSE_SSL_CLIENT);
	if (X509_verify_cert(store_ctx) == 1)
		ok = 1;
	else
		*why = X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(store_ctx));
done:
	X509_STORE_CTX_free(store_ctx);
	X509_free(leaf);
	ERR_clear_error();
	return (ok);
}

/* "ADDR:PORT" of the peer on the other end of ssl, into buf. */
static const char *
tls_peer_address(SSL *ssl, char *buf, size_t size)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[INET6_ADDRSTRLEN];
	int			 fd = SSL_get_fd(ssl);
	unsigned		 port;

	snprintf(buf, size, "?");
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return (buf);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
		snprintf(buf, size, "%s:%u", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		port = ntohs(sin6->sin6_port);
		snprintf(buf, size, "[%s]:%u", host, port);
	}
	return (buf);
}

/* Log a refused certificate so that an operator can onboard or chase it. */
static void
tls_log_refused(SSL *ssl, X509 *cert, const char *why)
{
	unsigned char	 fp[CONF_SHA256_LEN];
	char		 hex[CONF_SHA256_LEN * 2 + 1], peer[64], *subject;
	char		 shown[ESCAPE_QUOTE_SIZE];

	if (cert == NULL || tls_fingerprint(cert, fp) == -1)
		snprintf(hex, sizeof hex, "?");
	else
		conf_fingerprint_hex(fp, hex, sizeof hex);
	subject = cert != NULL ? tls_subject(cert) : NULL;
	log_warnx("tls: %s: refused certificate sha256=%s subject=\"%s\": %s",
	    tls_peer_address(ssl, peer, sizeof peer), hex,
	    subject != NULL ? escape_str(shown, sizeof shown, subject) : "?",
	    why);
	free(subject);
}

/*
 * Chain and CRL checks are OpenSSL's; on top, the leaf must map to a member
 * the listener admits. Refusing here fails the handshake itself, so an
 * unknown party never reaches the protocol.
 */
static int
tls_verify(int ok, X509_STORE_CTX *store_ctx)
{
	const struct tls_listener_data	*data;
	const char			*why;
	SSL				*ssl;
	X509				*leaf;

	ssl = X509_STORE_CTX_get_ex_data(store_ctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL)
		return (0);
	data = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_listener_index);
	leaf = X509_STORE_CTX_get0_cert(store_ctx);
	if (!ok) {
		tls_log_refused(ssl, leaf, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(store_ctx)));
		return (0);
	}
	if (X509_STORE_CTX_get_error_depth(store_ctx) != 0)
		return (1);
	if (data == NULL || tls_cert_member(leaf, *data->registry, data->kind,
	    &why) == NULL) {
		tls_log_refused(ssl, leaf, data == NULL ? "no registry" : why);
		X509_STORE_CTX_set_error(store_ctx,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return (0);
	}
	return (1);
}

/* Set *cause to "FILE:LINE: key: path: what". */
static void
tls_cause(char **cause, const struct conf *conf, const char *key,
    const struct conf_path *p, const char *what)
{
	char	path[ESCAPE_QUOTE_SIZE];

	if (asprintf(cause, "%s:%d: %s: %s: %s", conf->file, p->line, key,
	    escape_str(path, sizeof path, p->path), what) == -1)
		*cause = NULL;
}

/*
 * Check that a configured file is a regular file that can be opened, for a
 * clearer error than OpenSSL's, and with secret that no one but its owner
 * has access to it. stat comes first: opening a FIFO would block.
 */
static int
tls_readable(const struct conf *conf, const char *key,
    const struct conf_path *p, int secret, char **cause)
{
	struct stat	 sb;
	FILE		*f;
	char		*what, path[ESCAPE_QUOTE_SIZE];

	if (stat(p->path, &sb) == -1) {
		tls_cause(cause, conf, key, p, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		tls_cause(cause, conf, key, p, "not a regular file; expected "
		    "a PEM file");
		return (-1);
	}
	if (secret && (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		if (asprintf(&what, "mode %04o gives group or others access "
		    "to the private key; chmod 600 %s",
		    (unsigned)(sb.st_mode & 07777), escape_str(path,
		    sizeof path, p->path)) == -1) {
			*cause = NULL;
			return (-1);
		}
		tls_cause(cause, conf, key, p, what);
		free(what);
		return (-1);
	}
	if ((f = fopen(p->path, "r")) == NULL) {
		tls_cause(cause, conf, key, p, strerror(errno));
		return (-1);
	}
	fclose(f);
	return (0);
}

int
tls_crl_current(const struct conf *conf, char **cause)
{
	const ASN1_TIME	*next;
	X509_CRL	*crl;
	FILE		*f;
	char		 when[64];
	BIO		*bio;
	int		 rc = 0, len;

	*cause = NULL;
	if (conf->tls_crl.path == NULL ||
	    (f = fopen(conf->tls_crl.path, "r")) == NULL)
		return (0);
	while (rc == 0 && (crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) !=
	    NULL) {
		next = X509_CRL_get0_nextUpdate(crl);
		if (next != NULL && X509_cmp_current_time(next) < 0) {
			snprintf(when, sizeof when, "?");
			if ((bio = BIO_new(BIO_s_mem())) != NULL) {
				ASN1_TIME_print(bio, next);
				len = BIO_read(bio, when, sizeof when - 1);
				when[len > 0 ? len : 0] = '\0';
				BIO_free(bio);
			}
			if (asprintf(cause, "%s:%d: tls_crl: %s: the CRL expired "
			    "(next update was due %s): every client is refused "
			    "until a new CRL is issued", conf->file,
			    conf->tls_crl.line, conf->tls_crl.path, when) == -1)
				*cause = NULL;
			rc = -1;
		}
		X509_CRL_free(crl);
	}
	fclose(f);
	ERR_clear_error();
	return (rc);
}

/* An ASN1_TIME in seconds since the epoch; -1 if it cannot be read. */
static int64_t
tls_epoch(const ASN1_TIME *t)
{
	struct tm	tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (-1);
	return ((int64_t)timegm(&tm));
}

int
tls_expiry(SSL_CTX *ctx, const struct conf *conf, int64_t *cert_end,
    int64_t *crl_next)
{
	X509_CRL	*crl;
	X509		*cert;
	FILE		*f;
	int64_t		 next;

	*cert_end = -1;
	*crl_next = 0;
	if (ctx != NULL && (cert = SSL_CTX_get0_certificate(ctx)) != NULL)
		*cert_end = tls_epoch(X509_get0_notAfter(cert));
	if (conf->tls_crl.path != NULL &&
	    (f = fopen(conf->tls_crl.path, "r")) != NULL) {
		while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) != NULL) {
			next = tls_epoch(X509_CRL_get0_nextUpdate(crl));
			if (next > 0 && (*crl_next == 0 || next < *crl_next))
				*crl_next = next;
			X509_CRL_free(crl);
		}
		fclose(f);
	}
	ERR_clear_error();
	return (*cert_end == -1 ? -1 : 0);
}

/* Load every CRL of a PEM file into the context's store and turn checking on. */
static int
tls_load_crl(SSL_CTX *ctx, const struct conf *conf, char **cause)
{
	X509_STORE	*store = SSL_CTX_get_cert_store(ctx);
	X509_CRL	*crl;
	FILE		*f;
	char		 err[256];
	int		 n = 0;

	if ((f = fopen(conf->tls_crl.path, "r")) == NULL) {
		tls_cause(cause, conf, "tls_crl", &conf->tls_crl,
		    strerror(errno));
		return (-1);
	}
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_crl(store, crl) != 1) {
			X509_CRL_free(crl);
			fclose(f);
			tls_cause(cause, conf, "tls_crl", &conf->tls_crl,
			    tls_error_string(err, sizeof err));
			return (-1);
		}
		X509_CRL_free(crl);
		n++;
	}
	fclose(f);
	ERR_clear_error();	/* the end of the file */
	if (n == 0) {
		tls_cause(cause, conf, "tls_crl", &conf->tls_crl,
		    "no PEM CRL in the file");
		return (-1);
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return (0);
}

/*
 * The hub's certificate and key, the CA that issues its parties'
 * certificates and the CRL, into ctx: what a listener and a link to a
 * peer hub have in common. -1 with *cause set.
 */
static int
tls_ctx_load(SSL_CTX *ctx, const struct conf *conf, int client, char **cause)
{
	STACK_OF(X509_NAME)	*names;
	char			 err[256];

	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * Frames are newline-delimited, so a truncated stream cannot pass
	 * for a whole message: a peer that drops the connection without
	 * close_notify is treated as having closed it.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* Long-lived peers gain nothing from resumption. */
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

	if (tls_readable(conf, "tls_certificate", &conf->tls_certificate, 0,
	    cause) == -1)
		return (-1);
	if (SSL_CTX_use_certificate_chain_file(ctx,
	    conf->tls_certificate.path) != 1) {
		tls_cause(cause, conf, "tls_certificate",
		    &conf->tls_certificate, tls_error_string(err, sizeof err));
		return (-1);
	}
	if (tls_readable(conf, "tls_key", &conf->tls_key, 1, cause) == -1)
		return (-1);
	if (SSL_CTX_use_PrivateKey_file(ctx, conf->tls_key.path,
	    SSL_FILETYPE_PEM) != 1) {
		tls_cause(cause, conf, "tls_key", &conf->tls_key,
		    tls_error_string(err, sizeof err));
		return (-1);
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		tls_cause(cause, conf, "tls_key", &conf->tls_key,
		    "the key does not match tls_certificate");
		return (-1);
	}
	if (tls_readable(conf, "tls_client_ca", &conf->tls_client_ca, 0,
	    cause) == -1)
		return (-1);
	if (SSL_CTX_load_verify_locations(ctx, conf->tls_client_ca.path,
	    NULL) != 1 ||
	    (names = SSL_load_client_CA_file(conf->tls_client_ca.path)) ==
	    NULL) {
		tls_cause(cause, conf, "tls_client_ca", &conf->tls_client_ca,
		    "no usable PEM CA certificate in the file");
		ERR_clear_error();
		return (-1);
	}
	if (client)
		sk_X509_NAME_pop_free(names, X509_NAME_free);
	else
		SSL_CTX_set_client_CA_list(ctx, names);
	if (conf->tls_crl.path != NULL && (tls_readable(conf, "tls_crl",
	    &conf->tls_crl, 0, cause) == -1 || tls_load_crl(ctx, conf,
	    cause) == -1))
		return (-1);

	return (0);
}

SSL_CTX *
tls_server_ctx_new(const struct conf *conf, enum tls_listener kind,
    struct conf *const *registry, char **cause)
{
	struct tls_listener_data	*data = NULL;
	SSL_CTX				*ctx;
	char				 err[256];

	*cause = NULL;
	if (tls_listener_index == -1)
		tls_listener_index = SSL_CTX_get_ex_new_index(0, NULL, NULL,
		    NULL, tls_listener_data_free);
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		if (asprintf(cause, "%s:0: cannot create a TLS context: %s",
		    conf->file, tls_error_string(err, sizeof err)) == -1)
			*cause = NULL;
		return (NULL);
	}
	if (tls_ctx_load(ctx, conf, 0, cause) == -1)
		goto fail;
	if ((data = calloc(1, sizeof *data)) == NULL) {
		if (asprintf(cause, "%s:0: out of memory", conf->file) == -1)
			*cause = NULL;
		goto fail;
	}
	data->registry = registry;
	data->kind = kind;
	SSL_CTX_set_ex_data(ctx, tls_listener_index, data);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, tls_verify);
	SSL_CTX_set_verify_depth(ctx, 8);
	return (ctx);
fail:
	SSL_CTX_free(ctx);
	return (NULL);
}

SSL_CTX *
tls_client_ctx_new(const struct conf *conf, char **cause)
{
	SSL_CTX	*ctx;
	char	 err[256];

	*cause = NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		if (asprintf(cause, "%s:0: cannot create a TLS context: %s",
		    conf->file, tls_error_string(err, sizeof err)) == -1)
			*cause = NULL;
		return (NULL);
	}
	if (tls_ctx_load(ctx, conf, 1, cause) == -1) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	/* The chain and CRL here; which peer it is, once connected. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 8);
	return (ctx);
}
