/*
 * The throwaway PKI, made with the OpenSSL 3 API: EC P-256 keys, a CA with
 * basicConstraints CA:TRUE, a server certificate with SAN DNS:localhost and
 * IP:127.0.0.1, and client certificates with extendedKeyUsage clientAuth.
 * A hub's PKI differs in its server certificate, which is also a client
 * certificate (the hub dials its peers with it). Keys are written with
 * mode 0600.
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
	char			*trust_file;	/* own CA and a peer's; or NULL */
	EVP_PKEY		*ca_key;
	X509			*ca_cert;
	struct bench_identity	 server;
	const char		*server_eku;
	char			 server_sha256[2 * 32 + 1];
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

/* Keep the SHA-256 of the server certificate's DER form, in hex. */
static int
bench_pki_digest(struct bench_pki *pki, X509 *cert, char **cause)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 len, i;

	if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != 32) {
		bench_pki_cause(cause, "cannot take the fingerprint of the "
		    "server certificate");
		return (-1);
	}
	for (i = 0; i < len; i++) {
		pki->server_sha256[2 * i] = hex[md[i] >> 4];
		pki->server_sha256[2 * i + 1] = hex[md[i] & 0x0f];
	}
	pki->server_sha256[2 * len] = '\0';
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
	    "critical,digitalSignature",
	    server ? pki->server_eku : "clientAuth",
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
	if (rc == 0 && server)
		rc = bench_pki_digest(pki, cert, cause);
	X509_free(cert);
	EVP_PKEY_free(key);
	if (rc == -1)
		bench_pki_identity_clear(id);
	return (rc);
}

/*
 * A CA named ca_cn and a server certificate for server_cn with the
 * extended key usage server_eku, in dir.
 */
static struct bench_pki *
bench_pki_make(const char *dir, const char *ca_cn, const char *server_cn,
    const char *server_eku, char **cause)
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
	pki->server_eku = server_eku;
	pki->ca_cert = bench_pki_certificate(pki, pki->ca_key, ca_cn, NULL,
	    pki->ca_key, nids, values, 3, cause);
	if (pki->ca_cert == NULL ||
	    bench_pki_write(pki->ca_cert, pki->ca_file, NULL, NULL, cause) == -1)
		goto fail;
	if (bench_pki_leaf(pki, "server", server_cn, 1, &pki->server,
	    cause) == -1)
		goto fail;
	return (pki);
fail:
	bench_pki_free(pki);
	return (NULL);
}

struct bench_pki *
bench_pki_new(const char *dir, char **cause)
{
	return (bench_pki_make(dir, "Kentongan Bench CA", "localhost",
	    "serverAuth", cause));
}

struct bench_pki *
bench_pki_new_hub(const char *dir, const char *hub, char **cause)
{
	char		 ca_cn[64], server_cn[64];

	/* Two authorities in one trust bundle need names of their own. */
	snprintf(ca_cn, sizeof ca_cn, "Kentongan Bench CA of hub %s", hub);
	snprintf(server_cn, sizeof server_cn, "hub-%s", hub);
	return (bench_pki_make(dir, ca_cn, server_cn, "serverAuth,clientAuth",
	    cause));
}

/* Append the PEM file path to f. */
static int
bench_pki_append(FILE *f, const char *path, char **cause)
{
	FILE	*in;
	char	 buf[4096];
	size_t	 n;
	int	 bad;

	if ((in = fopen(path, "re")) == NULL) {
		bench_pki_cause(cause, "cannot read %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		if (fwrite(buf, 1, n, f) != n)
			break;
	}
	bad = ferror(in) || ferror(f);
	fclose(in);
	if (bad) {
		bench_pki_cause(cause, "cannot copy %s", path);
		return (-1);
	}
	return (0);
}

int
bench_pki_trust(struct bench_pki *pki, const struct bench_pki *peer,
    char **cause)
{
	FILE	*f;
	char	*path;
	int	 rc;

	*cause = NULL;
	if (asprintf(&path, "%s/trust.crt", pki->dir) == -1) {
		bench_pki_cause(cause, "out of memory");
		return (-1);
	}
	if ((f = bench_pki_open(path, 0644, cause)) == NULL) {
		free(path);
		return (-1);
	}
	rc = bench_pki_append(f, pki->ca_file, cause);
	if (rc == 0)
		rc = bench_pki_append(f, peer->ca_file, cause);
	if (fclose(f) != 0 && rc == 0) {
		bench_pki_cause(cause, "cannot write %s", path);
		rc = -1;
	}
	if (rc == -1) {
		free(path);
		return (-1);
	}
	free(pki->trust_file);
	pki->trust_file = path;
	return (0);
}

int
bench_pki_issue(struct bench_pki *pki, const char *cn,
    struct bench_identity *id, char **cause)
{
	*cause = NULL;
	return (bench_pki_leaf(pki, cn, cn, 0, id, cause));
}

int
bench_pki_issue_all(struct bench_pki *pki, const char *prefix,
    unsigned count, struct bench_identity **ids, char **cause)
{
	char		name[32];
	unsigned	i;

	*cause = NULL;
	if ((*ids = calloc(count > 0 ? count : 1, sizeof **ids)) == NULL) {
		bench_pki_cause(cause, "out of memory");
		return (-1);
	}
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof name, "%s%u", prefix, i);
		if (bench_pki_issue(pki, name, &(*ids)[i], cause) == -1)
			return (-1);
	}
	return (0);
}

void
bench_pki_identities_free(struct bench_identity *ids, unsigned count)
{
	unsigned	i;

	for (i = 0; ids != NULL && i < count; i++)
		bench_pki_identity_clear(&ids[i]);
	free(ids);
}

const char *
bench_pki_ca(const struct bench_pki *pki)
{
	return (pki->ca_file);
}

const char *
bench_pki_client_ca(const struct bench_pki *pki)
{
	return (pki->trust_file != NULL ? pki->trust_file : pki->ca_file);
}

const struct bench_identity *
bench_pki_server(const struct bench_pki *pki)
{
	return (&pki->server);
}

const char *
bench_pki_server_sha256(const struct bench_pki *pki)
{
	return (pki->server_sha256);
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
	free(pki->trust_file);
	free(pki->dir);
	free(pki);
}
