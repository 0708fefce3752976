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
 * Issue a client certificate with subject CN cn into dir/cn.crt and
 * dir/cn.key; fills id (free with bench_pki_identity_clear).
 */
int				 bench_pki_issue(struct bench_pki *,
				    const char *cn, struct bench_identity *id,
				    char **cause);
/* The CA certificate's file. */
const char			*bench_pki_ca(const struct bench_pki *);
/* The server's certificate and key. */
const struct bench_identity	*bench_pki_server(const struct bench_pki *);
void				 bench_pki_identity_clear(struct bench_identity *);
void				 bench_pki_free(struct bench_pki *);

#endif
