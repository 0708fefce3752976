/*
 * The throwaway PKI, made with the OpenSSL 3 API: EC P-256 keys, a CA with
 * basicConstraints CA:TRUE, a server certificate with SAN DNS:localhost and
 * IP:127.0.0.1, and client certificates with extendedKeyUsage clientAuth.
 * Keys are written with mode 0600.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench_pki.h"

/* Certificates are valid from an hour ago, for this long. */
#define BENCH_PKI_DAYS	2

struct bench_pki {
	char			*dir;
	char			*ca_file;
	EVP_PKEY		*ca_key;
	X509			*ca_cert;
	struct bench_identity	 server;
	long			 serial;
};

/* Set *cause from a format, with OpenSSL's last error appended. */
static void
bench_pki_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
bench_pki_cause(char **cause, const char *fmt, ...)
{
	unsigned long	 e, last = 0;
	const char	*reason = NULL;
	char		*text;
	va_list		 ap;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0)
		reason = ERR_reason_error_string(last);
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL) {
		*cause = NULL;
		return;
	}
	if (reason != NULL) {
		if (asprintf(cause, "%s: %s", text, reason) == -1)
			*cause = NULL;
		free(text);
	} else
		*cause = text;
}

/* A fresh P-256 key. */
static EVP_PKEY *
bench_pki_key(char **cause)
{
	EVP_PKEY	*key;

	if ((key = EVP_EC_gen("P-256")) == NULL)
		bench_pki_cause(cause, "cannot make a P-256 key");
	return (key);
}

/* Add one extension, in OpenSSL's configuration syntax. */
static int
bench_pki_extension(X509 *cert, X509 *issuer, int nid, const char *value,
    char **cause)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL) {
		bench_pki_cause(cause, "cannot make the extension %s = %s",
		    OBJ_nid2sn(nid), value);
		return (-1);
	}
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	if (!ok) {
		bench_pki_cause(cause, "cannot add the extension %s",
		    OBJ_nid2sn(nid));
		return (-1);
	}
	return (0);
}

/*
 * A certificate for key with subject CN cn, signed by issuer_key (issuer
 * NULL: self-signed), with extensions given as NID and value pairs.
 */
static X509 *
bench_pki_certificate(struct bench_pki *pki, EVP_PKEY *key, const char *cn,
    X509 *issuer, EVP_PKEY *issuer_key, const int *nids,
    const char *const *values, size_t nexts, char **cause)
{
	X509		*cert;
	X509_NAME	*name;
	size_t		 i;

	if ((cert = X509_new()) == NULL) {
		bench_pki_cause(cause, "out of memory");
		return (NULL);
	}
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++pki->serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert),
	    (long)BENCH_PKI_DAYS * 86400) == NULL ||
	    X509_set_pubkey(cert, key) != 1) {
		bench_pki_cause(cause, "cannot fill the certificate of %s", cn);
		goto fail;
	}
	name = X509_get_subject_name(cert);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1) {
		bench_pki_cause(cause, "cannot set the subject CN %s", cn);
		goto fail;
	}
	if (X509_set_issuer_name(cert, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) != 1) {
		bench_pki_cause(cause, "cannot set the issuer of %s", cn);
		goto fail;
	}
	for (i = 0; i < nexts; i++) {
		if (bench_pki_extension(cert, issuer != NULL ? issuer : cert,
		    nids[i], values[i], cause) == -1)
			goto fail;
	}
	if (X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
		bench_pki_cause(cause, "cannot sign the certificate of %s", cn);
		goto fail;
	}
	return (cert);
fail:
	X509_free(cert);
	return (NULL);
}

/* Open path for writing with mode, as a stdio stream. */
static FILE *
bench_pki_open(const char *path, mode_t mode, char **cause)
{
	FILE	*f;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		bench_pki_cause(cause, "cannot create %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	/* A file that was there keeps its mode through O_TRUNC. */
	if (fchmod(fd, mode) == -1) {
		bench_pki_cause(cause, "cannot chmod %s: %s", path,
		    strerror(errno));
		close(fd);
		return (NULL);
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		bench_pki_cause(cause, "cannot open %s: %s", path,
		    strerror(errno));
		close(fd);
	}
	return (f);
}

/* Write a certificate and, unless key_path is NULL, its key. */
static int
bench_pki_write(X509 *cert, const char *cert_path, EVP_PKEY *key,
    const char *key_path, char **cause)
{
	FILE	*f;
	int	 ok;

	if ((f = bench_pki_open(cert_path, 0644, cause)) == NULL)
		return (-1);
	ok = PEM_write_X509(f, cert);
	if (fclose(f) != 0 || !ok) {
		bench_pki_cause(cause, "cannot write %s", cert_path);
		return (-1);
	}
	if (key_path == NULL)
		return (0);
	if ((f = bench_pki_open(key_path, 0600, cause)) == NULL)
		return (-1);
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok) {
		bench_pki_cause(cause, "cannot write %s", key_path);
		return (-1);
	}
	return (0);
}

/* Paths dir/name.crt and dir/name.key into id. */
static int
bench_pki_paths(const struct bench_pki *pki, const char *name,
    struct bench_identity *id, char **cause)
{
	memset(id, 0, sizeof *id);
	if ((id->name = strdup(name)) == NULL ||
	    asprintf(&id->cert, "%s/%s.crt", pki->dir, name) == -1 ||
	    asprintf(&id->key, "%s/%s.key", pki->dir, name) == -1) {
		id->cert = id->key = NULL;
		bench_pki_identity_clear(id);
		bench_pki_cause(cause, "out of memory");
		return (-1);
	}
	return (0);
}

/* Issue a leaf certificate for cn into dir/file.crt and dir/file.key. */
static int
bench_pki_leaf(struct bench_pki *pki, const char *file, const char *cn,
    int server, struct bench_identity *id, char **cause)
{
	static const int	 nids[] = { NID_basic_constraints,
	    NID_key_usage, NID_ext_key_usage, NID_subject_key_identifier,
	    NID_authority_key_identifier, NID_subject_alt_name };
	const char		*values[] = { "critical,CA:FALSE",
	    "critical,digitalSignature", server ? "serverAuth" : "clientAuth",
	    "hash", "keyid", "DNS:localhost,IP:127.0.0.1,IP:::1" };
	EVP_PKEY		*key;
	X509			*cert;
	int			 rc;

	if (bench_pki_paths(pki, file, id, cause) == -1)
		return (-1);
	if ((key = bench_pki_key(cause)) == NULL) {
		bench_pki_identity_clear(id);
		return (-1);
	}
	cert = bench_pki_certificate(pki, key, cn, pki->ca_cert, pki->ca_key,
	    nids, values, server ? 6 : 5, cause);
	rc = cert == NULL ? -1 : bench_pki_write(cert, id->cert, key, id->key,
	    cause);
	X509_free(cert);
	EVP_PKEY_free(key);
	if (rc == -1)
		bench_pki_identity_clear(id);
	return (rc);
}

struct bench_pki *
bench_pki_new(const char *dir, char **cause)
{
	static const int	 nids[] = { NID_basic_constraints,
	    NID_key_usage, NID_subject_key_identifier };
	static const char *const values[] = { "critical,CA:TRUE",
	    "critical,keyCertSign,cRLSign", "hash" };
	struct bench_pki	*pki;

	*cause = NULL;
	if ((pki = calloc(1, sizeof *pki)) == NULL) {
		bench_pki_cause(cause, "out of memory");
		return (NULL);
	}
	if ((pki->dir = strdup(dir)) == NULL ||
	    asprintf(&pki->ca_file, "%s/ca.crt", dir) == -1) {
		pki->ca_file = NULL;
		bench_pki_cause(cause, "out of memory");
		goto fail;
	}
	if ((pki->ca_key = bench_pki_key(cause)) == NULL)
		goto fail;
	pki->ca_cert = bench_pki_certificate(pki, pki->ca_key,
	    "Kentongan Bench CA", NULL, pki->ca_key, nids, values, 3, cause);
	if (pki->ca_cert == NULL ||
	    bench_pki_write(pki->ca_cert, pki->ca_file, NULL, NULL, cause) == -1)
		goto fail;
	if (bench_pki_leaf(pki, "server", "localhost", 1, &pki->server,
	    cause) == -1)
		goto fail;
	return (pki);
fail:
	bench_pki_free(pki);
	return (NULL);
}

int
bench_pki_issue(struct bench_pki *pki, const char *cn,
    struct bench_identity *id, char **cause)
{
	*cause = NULL;
	return (bench_pki_leaf(pki, cn, cn, 0, id, cause));
}

const char *
bench_pki_ca(const struct bench_pki *pki)
{
	return (pki->ca_file);
}

const struct bench_identity *
bench_pki_server(const struct bench_pki *pki)
{
	return (&pki->server);
}

void
bench_pki_identity_clear(struct bench_identity *id)
{
	free(id->name);
	free(id->cert);
	free(id->key);
	memset(id, 0, sizeof *id);
}

void
bench_pki_free(struct bench_pki *pki)
{
	if (pki == NULL)
		return;
	bench_pki_identity_clear(&pki->server);
	X509_free(pki->ca_cert);
	EVP_PKEY_free(pki->ca_key);
	free(pki->ca_file);
	free(pki->dir);
	free(pki);
}
