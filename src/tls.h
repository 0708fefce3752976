/* TLS contexts of the listeners and the mapping of client certificates to members. */
#ifndef KENTONGAN_TLS_H
#define KENTONGAN_TLS_H

#include <openssl/ssl.h>

#include "conf.h"

enum tls_listener {
	TLS_MEMBER_LISTENER,
	TLS_OPERATOR_LISTENER
};

/*
 * A server context for one kind of listener, from the certificates, key,
 * client CA and CRL that conf names. *registry is read at every handshake
 * to map the client's certificate to a member, so it must always point to
 * the configuration in force. NULL with *cause ("FILE:LINE: message") on
 * failure.
 */
SSL_CTX		*tls_server_ctx_new(const struct conf *, enum tls_listener,
		    struct conf *const *registry, char **cause);
/*
 * The context of this hub's links to peer hubs: its own certificate as
 * the client's, the server's chain checked against tls_client_ca and the
 * CRL. NULL with *cause on failure.
 */
SSL_CTX		*tls_client_ctx_new(const struct conf *, char **cause);
/*
 * The member that the verified peer certificate of ssl maps to and that the
 * listener admits; NULL with *why (static text) otherwise.
 */
const struct conf_member *tls_peer_member(SSL *, const struct conf *,
		    enum tls_listener, const char **why);
/*
 * Verify an established peer's certificate again, against the CA and CRL
 * of ctx (after a reload): 1 if it still passes, else 0 with *why.
 */
int		 tls_recheck_peer(SSL_CTX *ctx, SSL *ssl, const char **why);
/*
 * 0 if every CRL of tls_crl (if set) is still current; -1 with *cause
 * ("FILE:LINE: ...") if one has passed its nextUpdate, which makes OpenSSL
 * refuse every client until the CRL is renewed.
 */
int		 tls_crl_current(const struct conf *, char **cause);
/*
 * When the certificate of ctx stops being valid, and when the next of the
 * CRLs of tls_crl is due (0: no CRL), in seconds since the epoch; -1 if the
 * certificate's time cannot be read.
 */
int		 tls_expiry(SSL_CTX *ctx, const struct conf *, int64_t *cert_end,
		    int64_t *crl_next);
/* SHA-256 of the certificate's DER encoding; -1 on failure. */
int		 tls_fingerprint(X509 *, unsigned char out[CONF_SHA256_LEN]);
/*
 * The certificate's subject on one line (RFC 2253, UTF-8 as it is: pass it
 * through escape_str to show it), malloc'd.
 */
char		*tls_subject(X509 *);
/* The subject CN, malloc'd, or NULL if it has none. */
char		*tls_subject_cn(X509 *);
/* The first queued OpenSSL error as text, into buf; clears the queue. */
const char	*tls_error_string(char *buf, size_t size);

#endif
