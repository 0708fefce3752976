/* Signing and checking receipts and acknowledgements, in base64. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign.h"

EVP_PKEY *
sign_load_key(const char *path, char **cause)
{
	EVP_PKEY	*key;
	FILE		*f;

	*cause = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (asprintf(cause, "%s: %s", path, strerror(errno)) == -1)
			*cause = NULL;
		return (NULL);
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL) {
		ERR_clear_error();
		if (asprintf(cause, "%s: not a PEM private key", path) == -1)
			*cause = NULL;
	}
	return (key);
}

/* SHA-256 for every key but Ed25519, which signs the message itself. */
static const EVP_MD *
sign_md(EVP_PKEY *key)
{
	return (EVP_PKEY_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
}

/*
 * Sign with a context ready for it; the base64, malloc'd, or NULL. maxlen,
 * when not 0, is the largest signature of the key, which spares asking.
 */
static char *
sign_with_ctx(EVP_MD_CTX *ctx, const void *msg, size_t len, size_t maxlen)
{
	unsigned char	*sig = NULL;
	char		*b64 = NULL;
	size_t		 siglen = maxlen;

	if ((siglen == 0 && EVP_DigestSign(ctx, NULL, &siglen, msg,
	    len) != 1) || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1)
		goto done;
	if ((b64 = malloc(4 * ((siglen + 2) / 3) + 1)) == NULL)
		goto done;
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
done:
	ERR_clear_error();
	free(sig);
	return (b64);
}

char *
sign_b64(EVP_PKEY *key, const void *msg, size_t len)
{
	EVP_MD_CTX	*ctx;
	char		*b64 = NULL;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (NULL);
	if (EVP_DigestSignInit(ctx, NULL, sign_md(key), NULL, key) == 1)
		b64 = sign_with_ctx(ctx, msg, len, 0);
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return (b64);
}

struct signer {
	EVP_PKEY	*key;
	EVP_MD_CTX	*ready;		/* initialised once, copied for each */
	EVP_MD_CTX	*work;
	size_t		 maxlen;	/* of a signature */
};

struct signer *
signer_new(EVP_PKEY *key)
{
	struct signer	*s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return (NULL);
	EVP_PKEY_up_ref(key);
	s->key = key;
	/* Ed25519 signs in one go and its context cannot be copied. */
	if (EVP_PKEY_id(key) != EVP_PKEY_ED25519 &&
	    ((s->ready = EVP_MD_CTX_new()) == NULL ||
	    (s->work = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(s->ready, NULL, sign_md(key), NULL,
	    key) != 1)) {
		EVP_MD_CTX_free(s->ready);
		EVP_MD_CTX_free(s->work);
		s->ready = s->work = NULL;
	}
	if (EVP_PKEY_get_size(key) > 0)
		s->maxlen = (size_t)EVP_PKEY_get_size(key);
	ERR_clear_error();
	return (s);
}

char *
signer_b64(struct signer *s, const void *msg, size_t len)
{
	if (s->ready == NULL || EVP_MD_CTX_copy_ex(s->work, s->ready) != 1) {
		ERR_clear_error();
		return (sign_b64(s->key, msg, len));
	}
	/*
	 * The copy is used once: signing may finish it in place, instead of
	 * duplicating it to keep it usable.
	 */
	EVP_MD_CTX_set_flags(s->work, EVP_MD_CTX_FLAG_FINALISE);
	return (sign_with_ctx(s->work, msg, len, s->maxlen));
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	EVP_MD_CTX_free(s->ready);
	EVP_MD_CTX_free(s->work);
	EVP_PKEY_free(s->key);
	free(s);
}

int
sign_b64_strict(const char *s)
{
	size_t	len = strlen(s), i, pad = 0;

	/*
	 * Strictly the standard alphabet, padded: a signature has one
	 * spelling in the ledger, and no space or newline gets into it.
	 */
	if (len == 0 || len % 4 != 0)
		return (0);
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	for (i = 0; i < len - pad; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		    s[i] == '/'))
			return (0);
	}
	return (1);
}

int
sign_verify_b64(EVP_PKEY *key, const void *msg, size_t len, const char *b64)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	*sig = NULL;
	size_t		 b64len = strlen(b64), pad = 0;
	int		 siglen, rc = 0;

	/* Base64 of at most a few hundred bytes: a signature, no more. */
	if (b64len == 0 || b64len % 4 != 0 || b64len > 2048 ||
	    !sign_b64_strict(b64))
		return (0);
	if (b64[b64len - 1] == '=')
		pad++;
	if (b64[b64len - 2] == '=')
		pad++;
	if ((sig = malloc(b64len / 4 * 3)) == NULL)
		return (-1);
	if ((siglen = EVP_DecodeBlock(sig, (const unsigned char *)b64,
	    (int)b64len)) < 0)
		goto done;
	siglen -= (int)pad;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = -1;
		goto done;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, sign_md(key), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, (size_t)siglen, msg, len) == 1)
		rc = 1;
done:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(sig);
	return (rc);
}
