/*
 * kentongan verify: what the hub says it recorded, checked without
 * trusting the hub. A receipt against the hub's certificate; the whole
 * ledger, recomputed entry by entry from what the store holds now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kentongan.h"
#include "ledger.h"
#include "sign.h"
#include "timefmt.h"

/* Entries asked for at a time: the operator API's largest page. */
#define VERIFY_LEDGER_PAGE	1000

/* The public key of a PEM certificate, and who it names; NULL with *cause. */
static EVP_PKEY *
verify_load_cert(const char *path, char *subject, size_t size, char **cause)
{
	EVP_PKEY	*key = NULL;
	X509		*cert;
	FILE		*f;

	*cause = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (asprintf(cause, "%s: %s", path, strerror(errno)) == -1)
			*cause = NULL;
		return (NULL);
	}
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (cert == NULL || (key = X509_get_pubkey(cert)) == NULL) {
		ERR_clear_error();
		X509_free(cert);
		if (asprintf(cause, "%s: not a PEM certificate", path) == -1)
			*cause = NULL;
		return (NULL);
	}
	X509_NAME_oneline(X509_get_subject_name(cert), subject, (int)size);
	X509_free(cert);
	return (key);
}

/*
 * Check one receipt: its signature over the receipt without "sig", keys
 * sorted, compact (SPEC 13). 0 good, 1 bad, with a line saying which.
 */
static int
verify_one_receipt(EVP_PKEY *key, json_t *object, const char *where)
{
	json_t		*receipt, *copy;
	const char	*sig, *chain;
	char		*canonical, show[ESCAPE_QUOTE_SIZE];
	long long	 seq;
	int		 rc;

	receipt = json_object_get(object, "receipt");
	if (receipt == NULL)
		receipt = object;
	sig = json_string_value(json_object_get(receipt, "sig"));
	chain = json_string_value(json_object_get(receipt, "chain"));
	seq = (long long)json_integer_value(json_object_get(receipt, "seq"));
	if (!json_is_object(receipt) || sig == NULL || chain == NULL ||
	    !json_is_integer(json_object_get(receipt, "seq")) ||
	    !json_is_string(json_object_get(receipt, "digest")) ||
	    !json_is_string(json_object_get(receipt, "received_at"))) {
		printf("%s: not a receipt: it needs seq, digest, received_at, "
		    "chain and sig\n", where);
		return (1);
	}
	if ((copy = json_deep_copy(receipt)) == NULL ||
	    json_object_del(copy, "sig") == -1 ||
	    (canonical = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL) {
		json_decref(copy);
		printf("%s: out of memory\n", where);
		return (1);
	}
	json_decref(copy);
	rc = sign_verify_b64(key, canonical, strlen(canonical), sig);
	free(canonical);
	if (rc == 1) {
		printf("receipt seq=%lld: good signature; chain %s\n", seq,
		    escape_str(show, sizeof show, chain));
		return (0);
	}
	printf("receipt seq=%lld: BAD signature: not signed by this hub "
	    "certificate's key, or changed since\n", seq);
	return (1);
}

/* 1 if the n bytes at s are all white space. */
static int
verify_blank(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return (0);
	}
	return (1);
}

/* kentongan verify --receipt FILE --hub-cert FILE */
static int
verify_receipts(struct options *o)
{
	json_error_t	 jerr;
	json_t		*one;
	EVP_PKEY	*key;
	FILE		*f;
	char		 subject[256], where[64], *text = NULL, *line, *next;
	char		*cause = NULL;
	size_t		 cap = 0, checked = 0, bad = 0;
	ssize_t		 len;
	int		 lineno = 0;

	if ((key = verify_load_cert(o->hub_cert, subject, sizeof subject,
	    &cause)) == NULL) {
		fprintf(stderr, "kentongan: %s\n", cause != NULL ? cause :
		    "out of memory");
		free(cause);
		return (1);
	}
	f = strcmp(o->receipt, "-") == 0 ? stdin : fopen(o->receipt, "r");
	if (f == NULL) {
		fprintf(stderr, "kentongan: %s: %s\n", o->receipt,
		    strerror(errno));
		EVP_PKEY_free(key);
		return (1);
	}
	/* All of it: standard input cannot be read twice. */
	len = getdelim(&text, &cap, '\0', f);
	if (f != stdin)
		fclose(f);
	if (len == -1) {
		free(text);
		text = strdup("");
		len = 0;
	}
	if (text == NULL) {
		fprintf(stderr, "kentongan: out of memory\n");
		EVP_PKEY_free(key);
		return (1);
	}
	/* One object (a receipt, or push's accepted answer), or one a line. */
	one = json_loadb(text, (size_t)len, JSON_DISABLE_EOF_CHECK, &jerr);
	if (one != NULL && verify_blank(text + jerr.position, (size_t)len -
	    jerr.position)) {
		bad += (size_t)verify_one_receipt(key, one, o->receipt);
		checked++;
	} else {
		for (line = text; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			lineno++;
			if (verify_blank(line, strlen(line)))
				continue;
			snprintf(where, sizeof where, "line %d", lineno);
			json_decref(one);
			one = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
			if (!json_is_object(one)) {
				printf("%s: not JSON: %s\n", where, one ==
				    NULL ? jerr.text : "expected an object");
				bad++;
			} else
				bad += (size_t)verify_one_receipt(key, one,
				    where);
			checked++;
		}
	}
	json_decref(one);
	free(text);
	EVP_PKEY_free(key);
	if (checked == 0) {
		fprintf(stderr, "kentongan: %s: no receipt in it\n",
		    o->receipt);
		return (1);
	}
	printf("%zu of %zu receipts good, signed by %s\n", checked - bad,
	    checked, subject);
	return (bad > 0 ? 1 : 0);
}

/* Why entry e, as the API serves it, cannot be recomputed; NULL if it can. */
static const char *
verify_entry_parse(const json_t *e, struct ledger_entry *out)
{
	const char	*kind, *at, *digest;

	memset(out, 0, sizeof *out);
	kind = json_string_value(json_object_get(e, "kind"));
	if (kind == NULL || ledger_kind_parse(kind, &out->kind) == -1)
		return ("an unknown kind");
	if (json_is_true(json_object_get(e, "missing")))
		return (out->kind == LEDGER_REPORT ? "the report it records is "
		    "gone from the store" : "the acknowledgement it records is "
		    "gone from the store");
	out->seq = (int64_t)json_integer_value(json_object_get(e, "seq"));
	out->party = json_string_value(json_object_get(e, "party"));
	out->sig = json_string_value(json_object_get(e, "sig"));
	at = json_string_value(json_object_get(e, "at"));
	if (out->party == NULL || at == NULL ||
	    rfc3339_parse(at, &out->at) == -1)
		return ("no party or time");
	if (out->kind == LEDGER_REPORT) {
		digest = json_string_value(json_object_get(e, "digest"));
		out->recipients = json_string_value(json_object_get(e,
		    "recipients"));
		out->origin = json_string_value(json_object_get(e, "origin"));
		if (digest == NULL || out->recipients == NULL ||
		    ledger_unhex(digest, out->digest, LEDGER_HASH_LEN) == -1)
			return ("no digest or recipients");
		/* What its alerts and receipts were, and are, given. */
		if (!json_equal(json_object_get(e, "chain"),
		    json_object_get(e, "hash")))
			return ("the hash its report's row keeps, which its "
			    "alerts and receipts carry, is not its entry's");
	}
	return (NULL);
}

/* Print why entry number n fails; the party and seq say what it was. */
static void
verify_entry_bad(const json_t *e, long long n, const char *why)
{
	char	kind[ESCAPE_QUOTE_SIZE], party[ESCAPE_QUOTE_SIZE];

	printf("ledger entry %lld (%s seq=%lld party=%s): %s\n", n,
	    kentongan_show(kind, sizeof kind, json_object_get(e, "kind")),
	    (long long)json_integer_value(json_object_get(e, "seq")),
	    kentongan_show(party, sizeof party, json_object_get(e, "party")),
	    why);
}

/*
 * kentongan verify --ledger: every entry recomputed from the data the
 * store holds now, each from the hash before it. The first that does not
 * match is named, and the walk stops there: after it nothing can match.
 */
static int
verify_ledger(struct options *o)
{
	struct ledger_entry	 entry;
	unsigned char		 running[LEDGER_HASH_LEN], got[LEDGER_HASH_LEN];
	unsigned char		 stored[LEDGER_HASH_LEN], prev[LEDGER_HASH_LEN];
	char			 target[96], hex[LEDGER_HEX_LEN + 1];
	const char		*why, *text;
	json_t			*page, *entries, *e, *head, *rest;
	long long		 expect = 1, after = 0, last_report = 0, seq;
	char			 gap[160];
	size_t			 i;

	memset(running, 0, sizeof running);
	for (;;) {
		snprintf(target, sizeof target, "/v1/ledger?after=%lld&"
		    "limit=%d", after, VERIFY_LEDGER_PAGE);
		if ((page = kentongan_operator_get(o, target)) == NULL)
			return (1);
		entries = json_object_get(page, "entries");
		if (!json_is_array(entries)) {
			fprintf(stderr, "kentongan: the hub's ledger page has "
			    "no entries\n");
			json_decref(page);
			return (1);
		}
		json_array_foreach(entries, i, e) {
			why = NULL;
			if (json_integer_value(json_object_get(e, "n")) !=
			    expect)
				why = "entries are missing before it";
			else if ((text = json_string_value(json_object_get(e,
			    "hash"))) == NULL || ledger_unhex(text, stored,
			    sizeof stored) == -1 ||
			    (text = json_string_value(json_object_get(e,
			    "prev"))) == NULL || ledger_unhex(text, prev,
			    sizeof prev) == -1)
				why = "no hash";
			else if (memcmp(prev, running, sizeof prev) != 0)
				why = "its prev is not the hash of the entry "
				    "before it";
			else if ((why = verify_entry_parse(e, &entry)) == NULL) {
				if (ledger_hash(running, &entry, got) == -1)
					why = "cannot be hashed";
				else if (memcmp(got, stored, sizeof got) != 0)
					why = "what the store holds now does "
					    "not match its hash: changed after "
					    "it was recorded";
			}
			/* Every report is entered, in seq order. */
			seq = (long long)json_integer_value(json_object_get(e,
			    "seq"));
			if (why == NULL && entry.kind == LEDGER_REPORT) {
				if (seq != last_report + 1) {
					snprintf(gap, sizeof gap, "reports %lld "
					    "to %lld before it have no entry "
					    "(stored with the ledger off, or "
					    "taken out of it)", last_report + 1,
					    seq - 1);
					why = gap;
				}
				last_report = seq;
			}
			if (why != NULL) {
				verify_entry_bad(e, json_integer_value(
				    json_object_get(e, "n")), why);
				printf("ledger: %lld entries good before it\n",
				    expect - 1);
				json_decref(page);
				return (1);
			}
			memcpy(running, stored, sizeof running);
			expect++;
		}
		if (!json_is_integer(json_object_get(page, "next"))) {
			json_decref(page);
			break;
		}
		after = (long long)json_integer_value(json_object_get(page,
		    "next"));
		json_decref(page);
	}
	/* Nor may any report after the last one entered lack an entry. */
	snprintf(target, sizeof target, "/v1/reports?after=%lld&limit=1",
	    last_report);
	if ((rest = kentongan_operator_get(o, target)) == NULL)
		return (1);
	if (json_array_size(json_object_get(rest, "reports")) > 0) {
		seq = (long long)json_integer_value(json_object_get(
		    json_array_get(json_object_get(rest, "reports"), 0), "seq"));
		json_decref(rest);
		/* On a live hub, one stored since the walk has its entry. */
		snprintf(target, sizeof target, "/v1/reports/%lld", seq);
		if ((rest = kentongan_operator_get(o, target)) == NULL)
			return (1);
		if (json_integer_value(json_object_get(json_object_get(rest,
		    "ledger"), "n")) < expect) {
			printf("ledger: report seq=%lld and any after it have "
			    "no entry (stored with the ledger off, or taken "
			    "out of it)\n", seq);
			json_decref(rest);
			return (1);
		}
	}
	json_decref(rest);
	/* The head the hub announces is the last entry walked. */
	if ((head = kentongan_operator_get(o, "/v1/ledger/head")) == NULL)
		return (1);
	text = json_string_value(json_object_get(head, "hash"));
	if (json_integer_value(json_object_get(head, "n")) < expect - 1 ||
	    text == NULL || ledger_unhex(text, got, sizeof got) == -1 ||
	    (json_integer_value(json_object_get(head, "n")) == expect - 1 &&
	    memcmp(got, running, sizeof got) != 0)) {
		printf("ledger: the head the hub announces is not the last "
		    "entry of its chain\n");
		json_decref(head);
		return (1);
	}
	json_decref(head);
	printf("ledger: %lld entries good; head %s\n", expect - 1,
	    ledger_hex(running, sizeof running, hex));
	return (0);
}

int
cmd_verify(struct options *o)
{
	if ((o->receipt != NULL) == (o->ledger != 0)) {
		fprintf(stderr, "kentongan: verify takes --receipt FILE "
		    "--hub-cert FILE, or --ledger\n");
		return (2);
	}
	if (o->receipt != NULL && o->hub_cert == NULL) {
		fprintf(stderr, "kentongan: verify --receipt needs --hub-cert "
		    "FILE, the hub's certificate\n");
		return (2);
	}
	return (o->receipt != NULL ? verify_receipts(o) : verify_ledger(o));
}
