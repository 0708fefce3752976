/* A throwaway PKI: a CA, the server's certificate, members' certificates. */
#ifndef KENTONGAN_BENCH_PKI_H
#define KENTONGAN_BENCH_PKI_H

#include "bench.h"

struct bench_pki;

/*
 * Make an EC P-256 CA and a server certificate for localhost and 127.0.0.1
 * in dir, as PEM files. NULL with *cause on failure.
 */
struct bench_pki		*bench_pki_new(const char *dir, char **cause);
/*
 * The same for a hub that peers with others: the CA is named after hub,
 * and the server certificate (CN hub-HUB) also serves as the client
 * certificate the hub dials its peers with (serverAuth and clientAuth).
 */
struct bench_pki		*bench_pki_new_hub(const char *dir,
				    const char *hub, char **cause);
/*
 * Trust the parties of peer's CA too: write dir/trust.crt with both CA
 * certificates, from now on the hub's tls_client_ca.
 */
int				 bench_pki_trust(struct bench_pki *,
				    const struct bench_pki *peer, char **cause);
/*
 * Issue a client certificate with subject CN cn into dir/cn.crt and
 * dir/cn.key; fills id (free with bench_pki_identity_clear).
 */
int				 bench_pki_issue(struct bench_pki *,
				    const char *cn, struct bench_identity *id,
				    char **cause);
/*
 * Issue count certificates named prefix0, prefix1, ... into a new array
 * *ids (free with bench_pki_identities_free, also after a failure).
 */
int				 bench_pki_issue_all(struct bench_pki *,
				    const char *prefix, unsigned count,
				    struct bench_identity **ids, char **cause);
/* Clear and free count identities of an array. */
void				 bench_pki_identities_free(
				    struct bench_identity *ids, unsigned count);
/* The CA certificate's file. */
const char			*bench_pki_ca(const struct bench_pki *);
/* The CAs the hub trusts for its clients: the bundle, or the CA alone. */
const char			*bench_pki_client_ca(const struct bench_pki *);
/* The server's certificate and key. */
const struct bench_identity	*bench_pki_server(const struct bench_pki *);
/* The SHA-256 of the server certificate (DER), lower-case hex. */
const char			*bench_pki_server_sha256(
				    const struct bench_pki *);
void				 bench_pki_identity_clear(struct bench_identity *);
void				 bench_pki_free(struct bench_pki *);

#endif
