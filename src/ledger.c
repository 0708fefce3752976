/* The ledger's hash chain, its canonical entries, receipts and ack messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ledger.h"
#include "timefmt.h"

static const char *const ledger_kinds[] = { "report", "ack", "forward" };

const char *
ledger_kind_name(enum ledger_kind k)
{
	return ((size_t)k < sizeof ledger_kinds / sizeof ledger_kinds[0] ?
	    ledger_kinds[k] : "?");
}

int
ledger_kind_parse(const char *s, enum ledger_kind *k)
{
	size_t	i;

	for (i = 0; i < sizeof ledger_kinds / sizeof ledger_kinds[0]; i++) {
		if (strcmp(s, ledger_kinds[i]) == 0) {
			*k = (enum ledger_kind)i;
			return (0);
		}
	}
	return (-1);
}

char *
ledger_hex(const unsigned char *b, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[i * 2] = hex[b[i] >> 4];
		out[i * 2 + 1] = hex[b[i] & 0xf];
	}
	out[n * 2] = '\0';
	return (out);
}

/* The value of one hex digit, or -1. */
static int
ledger_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

int
ledger_unhex(const char *s, unsigned char *out, size_t n)
{
	size_t	i;
	int	h, l;

	if (strlen(s) != n * 2)
		return (-1);
	for (i = 0; i < n; i++) {
		if ((h = ledger_nibble(s[i * 2])) == -1 ||
		    (l = ledger_nibble(s[i * 2 + 1])) == -1)
			return (-1);
		out[i] = (unsigned char)(h << 4 | l);
	}
	return (0);
}

char *
ledger_canonical(const struct ledger_entry *e, size_t *len)
{
	char	 digest[LEDGER_HEX_LEN + 1], at[RFC3339_BUFSIZE], *text;
	int	 n;

	/* Times as the hub shows them everywhere: RFC 3339, milliseconds. */
	rfc3339_format(e->at, at, sizeof at);
	/* Every field is an ID, digits, hex or base64: no newline inside. */
	switch (e->kind) {
	case LEDGER_REPORT:
		n = asprintf(&text, "kentongan-ledger 1\nkind report\nseq %lld\n"
		    "party %s\nat %s\ndigest %s\nrecipients %s\n%s%s%s",
		    (long long)e->seq, e->party, at,
		    ledger_hex(e->digest, LEDGER_HASH_LEN, digest),
		    e->recipients != NULL ? e->recipients : "",
		    e->origin != NULL ? "origin " : "",
		    e->origin != NULL ? e->origin : "",
		    e->origin != NULL ? "\n" : "");
		break;
	case LEDGER_ACK:
		n = asprintf(&text, "kentongan-ledger 1\nkind ack\nseq %lld\n"
		    "party %s\nat %s\nsig %s\n", (long long)e->seq, e->party,
		    at, e->sig != NULL ? e->sig : "-");
		break;
	case LEDGER_FORWARD:
		n = asprintf(&text, "kentongan-ledger 1\nkind forward\nseq %lld\n"
		    "party %s\nat %s\n", (long long)e->seq, e->party, at);
		break;
	default:
		return (NULL);
	}
	if (n < 0)
		return (NULL);
	*len = (size_t)n;
	return (text);
}

int
ledger_digest(const void *data, size_t len, unsigned char out[LEDGER_HASH_LEN])
{
	unsigned int	n = LEDGER_HASH_LEN;

	return (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 &&
	    n == LEDGER_HASH_LEN ? 0 : -1);
}

int
ledger_hash(const unsigned char prev[LEDGER_HASH_LEN],
    const struct ledger_entry *e, unsigned char out[LEDGER_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	char		*text;
	size_t		 len;
	unsigned int	 n = LEDGER_HASH_LEN;
	int		 rc = -1;

	if ((text = ledger_canonical(e, &len)) == NULL)
		return (-1);
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, prev, LEDGER_HASH_LEN) == 1 &&
	    EVP_DigestUpdate(ctx, text, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == LEDGER_HASH_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	free(text);
	return (rc);
}

char *
ledger_receipt_canonical(int64_t seq, const unsigned char digest[LEDGER_HASH_LEN],
    int64_t received_at, const unsigned char chain[LEDGER_HASH_LEN])
{
	char	 c[LEDGER_HEX_LEN + 1], d[LEDGER_HEX_LEN + 1];
	char	 when[RFC3339_BUFSIZE], *text;

	if (asprintf(&text, "{\"chain\":\"%s\",\"digest\":\"%s\","
	    "\"received_at\":\"%s\",\"seq\":%lld}",
	    ledger_hex(chain, LEDGER_HASH_LEN, c),
	    ledger_hex(digest, LEDGER_HASH_LEN, d),
	    rfc3339_format(received_at, when, sizeof when),
	    (long long)seq) == -1)
		return (NULL);
	return (text);
}

char *
ledger_ack_message(const char *member, int64_t seq,
    const unsigned char chain[LEDGER_HASH_LEN])
{
	char	c[LEDGER_HEX_LEN + 1], *text;

	if (asprintf(&text, "kentongan-ack:%s:%lld:%s", member,
	    (long long)seq, ledger_hex(chain, LEDGER_HASH_LEN, c)) == -1)
		return (NULL);
	return (text);
}
