/*
 * Unit tests of signatures in base64 (sign.c): EC P-256, Ed25519 and RSA
 * keys made by the test, signed and checked both by sign.c and, for the
 * encoding SPEC section 13 names, by OpenSSL's EVP calls directly on
 * bytes the test decodes itself.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ledger.h"
#include "sign.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The three kinds of key, and a second key of each kind. */
enum { K_EC, K_ED25519, K_RSA, NKEYS };
static const char *const key_names[NKEYS] = { "EC P-256", "Ed25519",
    "RSA 2048" };
static EVP_PKEY	*keys[NKEYS], *others[NKEYS];

/* What a member signs: an ack message over a chain (any 32 bytes). */
static const char	message[] = "kentongan-ack:MY:42:"
    "320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d13";

/* A new key of kind k. */
static EVP_PKEY *
keygen(int k)
{
	EVP_PKEY	*key = NULL;

	switch (k) {
	case K_EC:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case K_ED25519:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case K_RSA:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	}
	return (key);
}

/* The public half of key alone, as a certificate would give it. */
static EVP_PKEY *
public_only(EVP_PKEY *key)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	EVP_PKEY		*pub;
	int			 len;

	len = i2d_PUBKEY(key, &der);
	ck_assert_int_gt(len, 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	ck_assert_ptr_nonnull(pub);
	OPENSSL_free(der);
	return (pub);
}

/* Standard base64 (RFC 4648 section 4), written here, not OpenSSL's. */
static const char	b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
b64_encode(const unsigned char *in, size_t len)
{
	char	*out, *o;
	size_t	 i;
	uint32_t v;

	out = o = malloc(4 * ((len + 2) / 3) + 1);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return (out);
}

/* Strict decoding: padded, canonical, nothing else; the test fails if not. */
static unsigned char *
b64_decode(const char *in, size_t *len)
{
	unsigned char	*out;
	const char	*p;
	size_t		 n = strlen(in), i, pad = 0;
	uint32_t	 v = 0;
	int		 j, last;

	ck_assert_msg(n > 0 && n % 4 == 0, "base64 of %zu chars", n);
	if (in[n - 1] == '=')
		pad++;
	if (in[n - 2] == '=')
		pad++;
	out = malloc(n / 4 * 3);
	ck_assert_ptr_nonnull(out);
	*len = 0;
	for (i = 0; i < n; i += 4) {
		last = i + 4 == n;
		v = 0;
		for (j = 0; j < 4; j++) {
			v <<= 6;
			/* '=' only as the padding of the last group. */
			if (last && j >= 4 - (int)pad)
				continue;
			p = strchr(b64_alphabet, in[i + j]);
			ck_assert_msg(p != NULL && in[i + j] != '\0',
			    "not base64 at %zu: %s", i + j, in);
			v |= (uint32_t)(p - b64_alphabet);
		}
		out[(*len)++] = (unsigned char)(v >> 16);
		if (!last || pad < 2)
			out[(*len)++] = (unsigned char)(v >> 8);
		if (!last || pad < 1)
			out[(*len)++] = (unsigned char)v;
	}
	/* The bits under the padding are zero in canonical base64. */
	ck_assert_msg((pad == 0) || (pad == 1 && (v & 0xff) == 0) ||
	    (pad == 2 && (v & 0xffff) == 0), "non-canonical base64: %s", in);
	return (out);
}

/* sign_b64 of message by key, checked to be plain base64. */
static char *
sign_message(EVP_PKEY *key, const void *msg, size_t len)
{
	char	*sig;

	sig = sign_b64(key, msg, len);
	ck_assert_ptr_nonnull(sig);
	ck_assert_msg(strlen(sig) > 0 && strlen(sig) % 4 == 0 &&
	    strspn(sig, b64_alphabet) + strspn(sig + strspn(sig,
	    b64_alphabet), "=") == strlen(sig), "not base64: \"%s\"", sig);
	ck_assert_int_eq(ERR_peek_error(), 0);
	return (sig);
}

static int
verify(EVP_PKEY *key, const void *msg, size_t len, const char *b64)
{
	int	rc;

	rc = sign_verify_b64(key, msg, len, b64);
	ck_assert_int_eq(ERR_peek_error(), 0);
	return (rc);
}

/* A fresh directory per test, for key files. */
static char	tmpdir[PATH_MAX];

static void
setup(void)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_sign.XXXXXX", base);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
}

static const char *const tmpfiles[] = { "ec.pem", "ed25519.pem",
    "rsa.pem", "ec-traditional.pem", "text.txt", "empty.pem",
    "public.pem", "dir" };

static void
teardown(void)
{
	char	path[PATH_MAX * 2];
	size_t	i;

	if (tmpdir[0] == '\0')
		return;
	for (i = 0; i < NITEMS(tmpfiles); i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, tmpfiles[i]);
		if (unlink(path) == -1)
			rmdir(path);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

/* The path of name in the test's directory (static storage). */
static const char *
tmppath(const char *name)
{
	static char	path[PATH_MAX * 2];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return (path);
}

/* Write key to name as PEM (PKCS#8, or the traditional form). */
static const char *
write_key(const char *name, EVP_PKEY *key, int traditional)
{
	const char	*path = tmppath(name);
	BIO		*bio;

	bio = BIO_new_file(path, "w");
	ck_assert_msg(bio != NULL, "%s: cannot create", path);
	if (traditional)
		ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(bio, key,
		    NULL, NULL, 0, NULL, NULL), 1);
	else
		ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, key, NULL, NULL,
		    0, NULL, NULL), 1);
	BIO_free(bio);
	return (path);
}

/* Write text to name. */
static const char *
write_text(const char *name, const char *text)
{
	const char	*path = tmppath(name);
	FILE		*f;

	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return (path);
}

START_TEST(test_sign_verify)
{
	EVP_PKEY	*key = keys[_i], *pub;
	unsigned char	*der;
	char		*sig, *again;
	size_t		 len;

	sig = sign_message(key, message, strlen(message));
	ck_assert_msg(verify(key, message, strlen(message), sig) == 1,
	    "%s: own signature refused", key_names[_i]);
	/* A certificate's key has the public half only. */
	pub = public_only(key);
	ck_assert_int_eq(verify(pub, message, strlen(message), sig), 1);
	EVP_PKEY_free(pub);

	der = b64_decode(sig, &len);
	switch (_i) {
	case K_EC:
		/* DER SEQUENCE of two INTEGERs of up to 33 bytes. */
		ck_assert_uint_ge(len, 8);
		ck_assert_uint_le(len, 72);
		ck_assert_uint_eq(der[0], 0x30);
		break;
	case K_ED25519:
		ck_assert_uint_eq(len, 64);
		/* Pure Ed25519 is deterministic. */
		again = sign_message(key, message, strlen(message));
		ck_assert_str_eq(again, sig);
		free(again);
		break;
	case K_RSA:
		ck_assert_uint_eq(len, 256);
		break;
	}
	free(der);
	free(sig);

	/* The empty message, and bytes that are not text. */
	sig = sign_message(key, "", 0);
	ck_assert_int_eq(verify(key, "", 0, sig), 1);
	ck_assert_int_eq(verify(key, "x", 1, sig), 0);
	free(sig);
	sig = sign_message(key, "\0\xff\n", 3);
	ck_assert_int_eq(verify(key, "\0\xff\n", 3, sig), 1);
	ck_assert_int_eq(verify(key, "\0\xff", 2, sig), 0);
	free(sig);
}
END_TEST

START_TEST(test_changed_message)
{
	EVP_PKEY	*key = keys[_i];
	char		 changed[sizeof message + 1], *sig;
	size_t		 i, len = strlen(message);

	sig = sign_message(key, message, len);
	/* One bit anywhere, one byte fewer, one byte more. */
	for (i = 0; i < len; i += 7) {
		memcpy(changed, message, len);
		changed[i] ^= 1;
		ck_assert_msg(verify(key, changed, len, sig) == 0,
		    "%s: taken with byte %zu changed", key_names[_i], i);
	}
	ck_assert_int_eq(verify(key, message, len - 1, sig), 0);
	memcpy(changed, message, len);
	changed[len] = '0';
	ck_assert_int_eq(verify(key, changed, len + 1, sig), 0);
	ck_assert_int_eq(verify(key, "", 0, sig), 0);
	/* Another member's ack message, same seq and chain. */
	memcpy(changed, message, len);
	memcpy(changed + strlen("kentongan-ack:"), "SG", 2);
	ck_assert_int_eq(verify(key, changed, len, sig), 0);
	free(sig);
}
END_TEST

START_TEST(test_other_key)
{
	char	*sig;
	int	 k;

	/* Signed by another key of the same kind. */
	sig = sign_message(others[_i], message, strlen(message));
	ck_assert_int_eq(verify(others[_i], message, strlen(message), sig), 1);
	ck_assert_msg(verify(keys[_i], message, strlen(message), sig) == 0,
	    "%s: another key's signature taken", key_names[_i]);
	free(sig);
	/* Signed by a key of another kind. */
	sig = sign_message(keys[_i], message, strlen(message));
	for (k = 0; k < NKEYS; k++) {
		if (k == _i)
			continue;
		ck_assert_msg(verify(keys[k], message, strlen(message), sig) ==
		    0, "%s signature taken by the %s key", key_names[_i],
		    key_names[k]);
	}
	free(sig);
}
END_TEST

START_TEST(test_bad_base64)
{
	static const char	*garbage[] = {
		"", "=", "==", "===", "====", "A", "AA", "AAA", "AAAA", "A===",
		"AA==", "AAA=", "!!!!", "****", "\n\n\n\n", "    ", "AAAA====",
		"MEUC", "MEUCIQ", "-_-_", "\xff\xfe\xfd\xfc",
	};
	EVP_PKEY	*key = keys[_i];
	const char	*msg = message;
	size_t		 i, n, len = strlen(message);
	char		*sig, *bad;

	for (i = 0; i < NITEMS(garbage); i++)
		ck_assert_msg(verify(key, msg, len, garbage[i]) == 0,
		    "%s: \"%s\" taken", key_names[_i], garbage[i]);

	sig = sign_message(key, msg, len);
	n = strlen(sig);
	bad = malloc(n + 16);
	ck_assert_ptr_nonnull(bad);
	/* Truncated: by one character, one group, or to half. */
	snprintf(bad, n + 16, "%.*s", (int)(n - 1), sig);
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	snprintf(bad, n + 16, "%.*s", (int)(n - 4), sig);
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	snprintf(bad, n + 16, "%.*s", (int)(n / 8 * 4), sig);
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	/* Longer: bytes after the signature. */
	snprintf(bad, n + 16, "%sAAAA", sig);
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	/* Characters outside the alphabet in the middle, of the same length. */
	memcpy(bad, sig, n + 1);
	bad[n / 2] = '*';
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	memcpy(bad, sig, n + 1);
	bad[4] = '\n';
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	/* One character changed within the alphabet. */
	memcpy(bad, sig, n + 1);
	bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(key, msg, len, bad), 0);
	/* The base64url alphabet is not base64. */
	memcpy(bad, sig, n + 1);
	for (i = 0; i < n; i++) {
		if (bad[i] == '+')
			bad[i] = '-';
		else if (bad[i] == '/')
			bad[i] = '_';
	}
	if (strcmp(bad, sig) != 0)
		ck_assert_int_eq(verify(key, msg, len, bad), 0);
	free(bad);
	free(sig);
}
END_TEST

START_TEST(test_overlong_base64)
{
	static const size_t	 lengths[] = { 2052, 4096, 100000 };
	EVP_PKEY		*key = keys[_i];
	size_t			 i, n, siglen;
	char			*sig, *long_;

	/* A valid signature, then more than any signature, of 'A's. */
	sig = sign_message(key, message, strlen(message));
	siglen = strlen(sig);
	for (i = 0; i < NITEMS(lengths); i++) {
		n = lengths[i];
		long_ = malloc(n + 1);
		ck_assert_ptr_nonnull(long_);
		memset(long_, 'A', n);
		long_[n] = '\0';
		ck_assert_int_eq(verify(key, message, strlen(message), long_),
		    0);
		memcpy(long_, sig, siglen);
		/* The signature's padding is the string's only '='. */
		if (sig[siglen - 1] == '=')
			long_[siglen - 1] = 'A';
		if (sig[siglen - 2] == '=')
			long_[siglen - 2] = 'A';
		ck_assert_int_eq(verify(key, message, strlen(message), long_),
		    0);
		free(long_);
	}
	free(sig);
}
END_TEST

/*
 * EVP_DecodeBlock skips leading spaces and tabs; a signature with blanks
 * before it must still be refused, since strict base64 decoders (base64
 * -d, Python's b64decode(validate=True)) refuse it and the ledger would
 * keep it so.
 */
START_TEST(test_leading_blanks)
{
	EVP_PKEY	*key = keys[_i];
	char		*sig, *spaces, *tabs;
	int		 with_spaces, with_tabs;

	sig = sign_message(key, message, strlen(message));
	ck_assert_int_ne(asprintf(&spaces, "    %s", sig), -1);
	ck_assert_int_ne(asprintf(&tabs, "\t\t\t\t%s", sig), -1);
	with_spaces = verify(key, message, strlen(message), spaces);
	with_tabs = verify(key, message, strlen(message), tabs);
	/* Freed first: an assertion that fails leaves no leak behind. */
	free(spaces);
	free(tabs);
	free(sig);
	ck_assert_msg(with_spaces == 0, "%s: signature with 4 leading spaces "
	    "taken as signed", key_names[_i]);
	ck_assert_msg(with_tabs == 0, "%s: signature with 4 leading tabs taken "
	    "as signed", key_names[_i]);
}
END_TEST

START_TEST(test_ecdsa_der)
{
	EVP_MD_CTX		*ctx;
	EVP_PKEY_CTX		*pctx;
	ECDSA_SIG		*es;
	unsigned char		*der, *again = NULL, *mine;
	unsigned char		 digest[32];
	const unsigned char	*p;
	size_t			 len, minelen = 0;
	char			*sig, *b64;
	int			 againlen;

	/* ECDSA with SHA-256, the DER of (r, s), in base64. */
	sig = sign_message(keys[K_EC], message, strlen(message));
	der = b64_decode(sig, &len);
	p = der;
	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(es);
	ck_assert_ptr_eq(p, der + len);
	/* Strict DER: encoded again, the same bytes. */
	againlen = i2d_ECDSA_SIG(es, &again);
	ck_assert_int_eq(againlen, (int)len);
	ck_assert_mem_eq(again, der, len);
	OPENSSL_free(again);
	ECDSA_SIG_free(es);

	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    keys[K_EC]), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, der, len,
	    (const unsigned char *)message, strlen(message)), 1);
	EVP_MD_CTX_free(ctx);
	/* Over the message's SHA-256: the digest is SHA-256's. */
	ck_assert_int_eq(ledger_digest(message, strlen(message), digest), 0);
	pctx = EVP_PKEY_CTX_new(keys[K_EC], NULL);
	ck_assert_ptr_nonnull(pctx);
	ck_assert_int_eq(EVP_PKEY_verify_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_verify(pctx, der, len, digest,
	    sizeof digest), 1);
	EVP_PKEY_CTX_free(pctx);
	free(der);
	free(sig);

	/* And the other way: signed by OpenSSL directly, taken by sign.c. */
	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    keys[K_EC]), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, NULL, &minelen,
	    (const unsigned char *)message, strlen(message)), 1);
	mine = malloc(minelen);
	ck_assert_ptr_nonnull(mine);
	ck_assert_int_eq(EVP_DigestSign(ctx, mine, &minelen,
	    (const unsigned char *)message, strlen(message)), 1);
	EVP_MD_CTX_free(ctx);
	b64 = b64_encode(mine, minelen);
	ck_assert_int_eq(verify(keys[K_EC], message, strlen(message), b64), 1);
	free(b64);
	free(mine);
}
END_TEST

START_TEST(test_ed25519_raw)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*raw, mine[64];
	size_t		 len, minelen = sizeof mine;
	char		*sig, *b64;

	/* Pure Ed25519: 64 bytes over the message itself. */
	sig = sign_message(keys[K_ED25519], message, strlen(message));
	raw = b64_decode(sig, &len);
	ck_assert_uint_eq(len, 64);
	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    keys[K_ED25519]), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, raw, len,
	    (const unsigned char *)message, strlen(message)), 1);
	EVP_MD_CTX_free(ctx);

	/* Deterministic: OpenSSL's own signature is the same bytes. */
	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, NULL, NULL,
	    keys[K_ED25519]), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, mine, &minelen,
	    (const unsigned char *)message, strlen(message)), 1);
	EVP_MD_CTX_free(ctx);
	ck_assert_uint_eq(minelen, 64);
	ck_assert_mem_eq(mine, raw, 64);
	b64 = b64_encode(mine, minelen);
	ck_assert_str_eq(b64, sig);
	free(b64);
	free(raw);
	free(sig);
}
END_TEST

START_TEST(test_rsa_pkcs1)
{
	/* DigestInfo of SHA-256 (RFC 8017 section 9.2, note 1). */
	static const unsigned char	prefix[] = { 0x30, 0x31, 0x30, 0x0d,
	    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	    0x05, 0x00, 0x04, 0x20 };
	EVP_PKEY_CTX			*pctx;
	unsigned char			*raw, digest[32], out[256];
	size_t				 len, outlen = sizeof out;
	char				*sig;

	/* PKCS#1 v1.5 with SHA-256: the padding opens onto DigestInfo. */
	sig = sign_message(keys[K_RSA], message, strlen(message));
	raw = b64_decode(sig, &len);
	ck_assert_uint_eq(len, 256);
	ck_assert_int_eq(ledger_digest(message, strlen(message), digest), 0);
	pctx = EVP_PKEY_CTX_new(keys[K_RSA], NULL);
	ck_assert_ptr_nonnull(pctx);
	ck_assert_int_eq(EVP_PKEY_verify_recover_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_verify_recover(pctx, out, &outlen, raw,
	    len), 1);
	ck_assert_uint_eq(outlen, sizeof prefix + sizeof digest);
	ck_assert_mem_eq(out, prefix, sizeof prefix);
	ck_assert_mem_eq(out + sizeof prefix, digest, sizeof digest);
	EVP_PKEY_CTX_free(pctx);
	free(raw);
	free(sig);
}
END_TEST

START_TEST(test_load_key)
{
	static const char *const	files[NKEYS] = { "ec.pem",
	    "ed25519.pem", "rsa.pem" };
	EVP_PKEY			*loaded;
	const char			*path;
	char				*cause, *sig;

	path = write_key(files[_i], keys[_i], 0);
	cause = (char *)1;
	loaded = sign_load_key(path, &cause);
	ck_assert_msg(loaded != NULL, "%s: %s", path, cause);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(EVP_PKEY_eq(loaded, keys[_i]), 1);
	/* What the loaded key signs, the original's public half takes. */
	sig = sign_message(loaded, message, strlen(message));
	ck_assert_int_eq(verify(keys[_i], message, strlen(message), sig), 1);
	free(sig);
	EVP_PKEY_free(loaded);

	/* An EC key in the older "EC PRIVATE KEY" form. */
	if (_i == K_EC) {
		path = write_key("ec-traditional.pem", keys[_i], 1);
		loaded = sign_load_key(path, &cause);
		ck_assert_msg(loaded != NULL, "%s: %s", path, cause);
		ck_assert_int_eq(EVP_PKEY_eq(loaded, keys[_i]), 1);
		EVP_PKEY_free(loaded);
	}
}
END_TEST

/* sign_load_key of path must fail with a cause naming path and why. */
static void
load_fails(const char *path, const char *why)
{
	EVP_PKEY	*key;
	char		*cause = NULL;

	key = sign_load_key(path, &cause);
	if (key != NULL) {
		EVP_PKEY_free(key);
		ck_abort_msg("%s loaded as a key", path);
	}
	ck_assert_msg(cause != NULL, "%s: no cause", path);
	ck_assert_msg(strncmp(cause, path, strlen(path)) == 0 &&
	    strstr(cause, why) != NULL, "%s: cause \"%s\", wanted \"%s\"",
	    path, cause, why);
	ck_assert_int_eq(ERR_peek_error(), 0);
	free(cause);
}

START_TEST(test_load_key_fails)
{
	const char	*path;
	FILE		*f;

	load_fails(tmppath("missing.pem"), strerror(ENOENT));
	load_fails(write_text("text.txt", "not a key\n"),
	    "not a PEM private key");
	load_fails(write_text("empty.pem", ""), "not a PEM private key");
	/* A public key is not the private key. */
	path = tmppath("public.pem");
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PUBKEY(f, keys[K_EC]), 1);
	ck_assert_int_eq(fclose(f), 0);
	load_fails(path, "not a PEM private key");
	/* A directory opens, but holds no key. */
	path = tmppath("dir");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	load_fails(path, "not a PEM private key");
}
END_TEST

/* The suite of the sign module. */
static Suite *
sign_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("sign");
	/* One loop over the kinds of key: _i is the kind. */
#define ADD(name, fn, kinds) do {					\
	tc = tcase_create(name);					\
	tcase_add_unchecked_fixture(tc, setup, teardown);		\
	tcase_set_timeout(tc, 120);					\
	tcase_add_loop_test(tc, fn, 0, (kinds));			\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("sign_verify", test_sign_verify, NKEYS);
	ADD("changed_message", test_changed_message, NKEYS);
	ADD("other_key", test_other_key, NKEYS);
	ADD("bad_base64", test_bad_base64, NKEYS);
	ADD("overlong_base64", test_overlong_base64, NKEYS);
	ADD("leading_blanks", test_leading_blanks, NKEYS);
	ADD("ecdsa_der", test_ecdsa_der, 1);
	ADD("ed25519_raw", test_ed25519_raw, 1);
	ADD("rsa_pkcs1", test_rsa_pkcs1, 1);
	ADD("load_key", test_load_key, NKEYS);
	ADD("load_key_fails", test_load_key_fails, 1);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed, k;

	/* Made once, before any test: RSA keys take a while. */
	for (k = 0; k < NKEYS; k++) {
		if ((keys[k] = keygen(k)) == NULL ||
		    (others[k] = keygen(k)) == NULL) {
			fprintf(stderr, "cannot make a %s key\n", key_names[k]);
			return (EXIT_FAILURE);
		}
	}
	sr = srunner_create(sign_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (k = 0; k < NKEYS; k++) {
		EVP_PKEY_free(keys[k]);
		EVP_PKEY_free(others[k]);
	}
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
