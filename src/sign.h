/*
 * Signatures that a third party can check with openssl alone: receipts
 * signed with the hub's TLS key, acknowledgements with a member's. ECDSA
 * with SHA-256 (DER) for an EC key, pure Ed25519 for an Ed25519 key,
 * RSA PKCS#1 v1.5 with SHA-256 for an RSA key; base64 on the wire.
 */
#ifndef KENTONGAN_SIGN_H
#define KENTONGAN_SIGN_H

#include <stddef.h>

#include <openssl/evp.h>

/* The private key of a PEM file; NULL with *cause. */
EVP_PKEY	*sign_load_key(const char *path, char **cause);
/* The base64 signature of len bytes, malloc'd; NULL on error. */
char		*sign_b64(EVP_PKEY *, const void *, size_t len);
/*
 * A key ready to sign many messages: the context is set up once, as its
 * setting up costs a sixth of a signature. One thread at a time.
 */
struct signer;
struct signer	*signer_new(EVP_PKEY *);
/* The base64 signature of len bytes, malloc'd; NULL on error. */
char		*signer_b64(struct signer *, const void *, size_t len);
void		 signer_free(struct signer *);
/* 1 if s is base64 in the standard alphabet, padded, and nothing else. */
int		 sign_b64_strict(const char *s);
/*
 * 1 if b64 is a good signature of the bytes by key, 0 if not (or if b64 is
 * not strictly base64), -1 on error.
 */
int		 sign_verify_b64(EVP_PKEY *, const void *, size_t len,
		    const char *b64);

#endif
