/*
 * Unit tests of the ledger's arithmetic and formats (ledger.c): canonical
 * entries, the hash chain, receipts, ack messages and hex.
 *
 * Every expected SHA-256 below was computed outside the code under test,
 * with Python's hashlib over the canonical text as ledger.h documents it
 * (and as docs/ledger_verify.py recomputes it), and two of them again with
 * sha256sum. The program, for anyone to run again:
 *
 *   import datetime, hashlib, json
 *   def t(us):
 *       d = datetime.datetime(1970, 1, 1) + datetime.timedelta(
 *           microseconds=us)
 *       return d.strftime("%Y-%m-%dT%H:%M:%S.") + \
 *           "%03dZ" % (d.microsecond // 1000)
 *   H = lambda prev, text: hashlib.sha256(prev + text.encode()).digest()
 *   L = "kentongan-ledger 1\n"
 *   report = L + "kind report\nseq 1\nparty SG\nat %s\ndigest %s\n" \
 *       "recipients MY:1 ID:0\n" % (t(1763700000123456),
 *       hashlib.sha256(BODY.encode()).hexdigest())
 *   ack = L + "kind ack\nseq 1\nparty MY\nat %s\nsig %s\n" % (
 *       t(1763700060500001), SIG)
 *   forward = L + "kind forward\nseq 1\nparty HUB-B\nat %s\n" % (
 *       t(1763700120000999))
 *   unsigned = L + "kind ack\nseq 1\nparty ID\nat %s\nsig -\n" % (
 *       t(1763700060500001))
 *   empty = L + "kind report\nseq 7\nparty ID\nat %s\ndigest %s\n" \
 *       "recipients \n" % (t(1763700000000000),
 *       hashlib.sha256(b"").hexdigest())
 *   Z = bytes(32)
 *   each alone: H(Z, text).hex()
 *   the chain: h1 = H(Z, report); h2 = H(h1, ack); h3 = H(h2, forward)
 *   receipt: json.dumps({"seq": 1, "digest": sha256(BODY), "received_at":
 *       t(1763700000123456), "chain": h1.hex()}, sort_keys=True,
 *       separators=(",", ":"))
 *
 * with BODY and SIG the strings defined below.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ledger.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The report text of the vectors, and an ack's signature (any base64). */
#define BODY	"{\"id\":\"11111111-1111-4111-8111-111111111111\"," \
		"\"code\":\"test/test\"}"
#define SIG	"MEUCIQDx4bYyA1hJ7p0q+w/9z1lK3vP8mN2oQ5rS6tU7vW8xYZ=="

/* SHA-256 of BODY, of "" and of "abc" (the last FIPS 180-2's own). */
#define BODY_SHA256 \
	"83f21dabe3926419e66813dc42cd79ca5cf38379e7cfb89a4d176d4c28a35082"
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA256 \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* 2025-11-21T04:40:00.123456Z, 04:41:00.500001Z, 04:42:00.000999Z. */
#define T_REPORT	INT64_C(1763700000123456)
#define T_ACK		INT64_C(1763700060500001)
#define T_FORWARD	INT64_C(1763700120000999)

/* The canonical texts of the vectors, as ledger.h documents them. */
#define TEXT_REPORT							\
	"kentongan-ledger 1\nkind report\nseq 1\nparty SG\n"		\
	"at 2025-11-21T04:40:00.123Z\ndigest " BODY_SHA256 "\n"		\
	"recipients MY:1 ID:0\n"
#define TEXT_ACK							\
	"kentongan-ledger 1\nkind ack\nseq 1\nparty MY\n"		\
	"at 2025-11-21T04:41:00.500Z\nsig " SIG "\n"
#define TEXT_UNSIGNED							\
	"kentongan-ledger 1\nkind ack\nseq 1\nparty ID\n"		\
	"at 2025-11-21T04:41:00.500Z\nsig -\n"
#define TEXT_FORWARD							\
	"kentongan-ledger 1\nkind forward\nseq 1\nparty HUB-B\n"	\
	"at 2025-11-21T04:42:00.000Z\n"
#define TEXT_EMPTY							\
	"kentongan-ledger 1\nkind report\nseq 7\nparty ID\n"		\
	"at 2025-11-21T04:40:00.000Z\ndigest " EMPTY_SHA256 "\n"	\
	"recipients \n"

/* Each entry alone after the zero prev_hash (hashlib, see above). */
#define HASH_REPORT \
	"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d13"
#define HASH_ACK \
	"e147488dd826aaf7939f3c4769f029ceb362937ceca7ac92ab521794551ee717"
#define HASH_UNSIGNED \
	"35cc354eb08c489f7d139d0ccb232d55e3e1309a9d2d8fe7a01a85fb7eba0f4d"
#define HASH_FORWARD \
	"c36df3886bdd0b8506686db70e1fe6aad1eccd01e31a375b6d4879a7b5d7bb8f"
/* The report above, forwarded by a peer hub: its origin line at the end. */
#define ORIGIN	"{\"hub\":\"EU\",\"member\":\"CERTEU\",\"seq\":9,"	\
		"\"received_at\":\"2025-11-21T04:39:59.000Z\",\"path\":[\"EU\"]}"
#define TEXT_FORWARDED_REPORT	TEXT_REPORT "origin " ORIGIN "\n"
#define HASH_FORWARDED_REPORT \
	"66b089ffe26f2c0743a641ea7d37ac698ad7e9861aa37650cb495f5170f908ae"
#define HASH_EMPTY \
	"e71463b92552038605eac3493a9226a84301a81765274e5ff28bf5935098e36a"
/* The chain report, ack, forward (hashlib, see above). */
#define CHAIN_1	HASH_REPORT
#define CHAIN_2 \
	"ef7153f72ff1ac05831ba44ad8fc4f13d5e34ec8dbce8d427bbcab6b58535ab1"
#define CHAIN_3 \
	"2961f85b896cf6d7b710dc9b6fffc631837ac0089cb86b38b5a4aa58f21e377c"

static const unsigned char	zero[LEDGER_HASH_LEN];

/* The entries of the vectors. */
static struct ledger_entry
entry_report(void)
{
	struct ledger_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = LEDGER_REPORT;
	e.seq = 1;
	e.party = "SG";
	e.at = T_REPORT;
	ck_assert_int_eq(ledger_digest(BODY, strlen(BODY), e.digest), 0);
	e.recipients = "MY:1 ID:0";
	return (e);
}

static struct ledger_entry
entry_ack(const char *party, const char *sig)
{
	struct ledger_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = LEDGER_ACK;
	e.seq = 1;
	e.party = party;
	e.at = T_ACK;
	e.sig = sig;
	return (e);
}

static struct ledger_entry
entry_forward(void)
{
	struct ledger_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = LEDGER_FORWARD;
	e.seq = 1;
	e.party = "HUB-B";
	e.at = T_FORWARD;
	return (e);
}

/* The canonical bytes of e must be exactly want. */
static void
expect_canonical(const struct ledger_entry *e, const char *want)
{
	char	*text;
	size_t	 len = 12345;

	text = ledger_canonical(e, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(len == strlen(want) && memcmp(text, want, len) == 0,
	    "canonical entry:\n%.*s\nwanted:\n%s", (int)len, text, want);
	free(text);
}

/* hash must be the hex want. */
static void
expect_hex(const unsigned char hash[LEDGER_HASH_LEN], const char *want)
{
	char	hex[LEDGER_HEX_LEN + 1];

	ck_assert_str_eq(ledger_hex(hash, LEDGER_HASH_LEN, hex), want);
}

/* ledger_hash(prev, e) must be the hex want. */
static void
expect_hash(const unsigned char prev[LEDGER_HASH_LEN],
    const struct ledger_entry *e, const char *want)
{
	unsigned char	hash[LEDGER_HASH_LEN];

	ck_assert_int_eq(ledger_hash(prev, e, hash), 0);
	expect_hex(hash, want);
}

START_TEST(test_kind_names)
{
	static const char	*unknown[] = {
		"", "Report", "REPORT", "reports", "repor", "ack ", " ack",
		"acks", "forwarded", "forward\n", "?", "0", "1",
	};
	enum ledger_kind	 k;
	size_t			 i;

	ck_assert_str_eq(ledger_kind_name(LEDGER_REPORT), "report");
	ck_assert_str_eq(ledger_kind_name(LEDGER_ACK), "ack");
	ck_assert_str_eq(ledger_kind_name(LEDGER_FORWARD), "forward");
	ck_assert_str_eq(ledger_kind_name((enum ledger_kind)3), "?");
	ck_assert_str_eq(ledger_kind_name((enum ledger_kind)-1), "?");

	k = LEDGER_FORWARD;
	ck_assert_int_eq(ledger_kind_parse("report", &k), 0);
	ck_assert_int_eq(k, LEDGER_REPORT);
	ck_assert_int_eq(ledger_kind_parse("ack", &k), 0);
	ck_assert_int_eq(k, LEDGER_ACK);
	ck_assert_int_eq(ledger_kind_parse("forward", &k), 0);
	ck_assert_int_eq(k, LEDGER_FORWARD);
	/* An unknown name leaves the kind as it was. */
	for (i = 0; i < NITEMS(unknown); i++) {
		k = LEDGER_ACK;
		ck_assert_msg(ledger_kind_parse(unknown[i], &k) == -1,
		    "\"%s\" parsed as a kind", unknown[i]);
		ck_assert_int_eq(k, LEDGER_ACK);
	}
}
END_TEST

START_TEST(test_canonical_report)
{
	struct ledger_entry	e = entry_report();

	expect_canonical(&e, TEXT_REPORT);
	/* No recipients: the line stays, empty; NULL is the same. */
	e.seq = 7;
	e.party = "ID";
	e.at = INT64_C(1763700000000000);
	ck_assert_int_eq(ledger_digest("", 0, e.digest), 0);
	e.recipients = "";
	expect_canonical(&e, TEXT_EMPTY);
	e.recipients = NULL;
	expect_canonical(&e, TEXT_EMPTY);
	/* A report's sig is not part of its entry. */
	e.sig = SIG;
	expect_canonical(&e, TEXT_EMPTY);
}
END_TEST

START_TEST(test_canonical_forwarded_report)
{
	struct ledger_entry	e = entry_report();

	e.origin = ORIGIN;
	expect_canonical(&e, TEXT_FORWARDED_REPORT);
	expect_hash(zero, &e, HASH_FORWARDED_REPORT);
	/* Only a report's entry has an origin. */
	e = entry_ack("MY", SIG);
	e.origin = ORIGIN;
	expect_canonical(&e, TEXT_ACK);
}
END_TEST

START_TEST(test_canonical_ack)
{
	struct ledger_entry	e = entry_ack("MY", SIG);

	expect_canonical(&e, TEXT_ACK);
	e = entry_ack("ID", NULL);
	expect_canonical(&e, TEXT_UNSIGNED);
	/* An ack has no digest or recipients in its entry. */
	memset(e.digest, 0xab, sizeof e.digest);
	e.recipients = "SG:1";
	expect_canonical(&e, TEXT_UNSIGNED);
}
END_TEST

START_TEST(test_canonical_forward)
{
	struct ledger_entry	e = entry_forward();

	expect_canonical(&e, TEXT_FORWARD);
	/* Nor a forward a signature, digest or recipients. */
	e.sig = SIG;
	e.recipients = "SG:1";
	memset(e.digest, 0xab, sizeof e.digest);
	expect_canonical(&e, TEXT_FORWARD);
}
END_TEST

START_TEST(test_canonical_large_seq)
{
	struct ledger_entry	e = entry_forward();

	e.seq = INT64_MAX;
	expect_canonical(&e, "kentongan-ledger 1\nkind forward\n"
	    "seq 9223372036854775807\nparty HUB-B\n"
	    "at 2025-11-21T04:42:00.000Z\n");
}
END_TEST

START_TEST(test_canonical_unknown_kind)
{
	struct ledger_entry	e = entry_forward();
	unsigned char		hash[LEDGER_HASH_LEN];
	size_t			len = 0;

	e.kind = (enum ledger_kind)3;
	ck_assert_ptr_null(ledger_canonical(&e, &len));
	ck_assert_int_eq(ledger_hash(zero, &e, hash), -1);
}
END_TEST

START_TEST(test_times)
{
	/* Milliseconds always, the microseconds below them cut, not rounded. */
	static const struct {
		int64_t		 usec;
		const char	*at;
	} cases[] = {
		{ INT64_C(1763700000000000), "2025-11-21T04:40:00.000Z" },
		{ INT64_C(1763700000123456), "2025-11-21T04:40:00.123Z" },
		{ INT64_C(1763700000999999), "2025-11-21T04:40:00.999Z" },
		{ INT64_C(1763700000000999), "2025-11-21T04:40:00.000Z" },
		{ INT64_C(1763700060500001), "2025-11-21T04:41:00.500Z" },
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
	};
	struct ledger_entry	 e = entry_forward();
	char			 want[128];
	size_t			 i;

	for (i = 0; i < NITEMS(cases); i++) {
		e.at = cases[i].usec;
		snprintf(want, sizeof want, "kentongan-ledger 1\nkind forward\n"
		    "seq 1\nparty HUB-B\nat %s\n", cases[i].at);
		expect_canonical(&e, want);
	}
}
END_TEST

START_TEST(test_digest)
{
	unsigned char	d[LEDGER_HASH_LEN];

	ck_assert_int_eq(ledger_digest("abc", 3, d), 0);
	expect_hex(d, ABC_SHA256);
	ck_assert_int_eq(ledger_digest("", 0, d), 0);
	expect_hex(d, EMPTY_SHA256);
	ck_assert_int_eq(ledger_digest(BODY, strlen(BODY), d), 0);
	expect_hex(d, BODY_SHA256);
}
END_TEST

START_TEST(test_hash_each_kind)
{
	struct ledger_entry	e;

	e = entry_report();
	expect_hash(zero, &e, HASH_REPORT);
	e = entry_ack("MY", SIG);
	expect_hash(zero, &e, HASH_ACK);
	e = entry_ack("ID", NULL);
	expect_hash(zero, &e, HASH_UNSIGNED);
	e = entry_forward();
	expect_hash(zero, &e, HASH_FORWARD);
	e = entry_report();
	e.seq = 7;
	e.party = "ID";
	e.at = INT64_C(1763700000000000);
	ck_assert_int_eq(ledger_digest("", 0, e.digest), 0);
	e.recipients = NULL;
	expect_hash(zero, &e, HASH_EMPTY);
}
END_TEST

START_TEST(test_hash_zero_prev)
{
	struct ledger_entry	e = entry_report();
	unsigned char		hash[LEDGER_HASH_LEN], text_only[LEDGER_HASH_LEN];
	unsigned char		prev[LEDGER_HASH_LEN];

	/* The 32 zero bytes are hashed: not the text's SHA-256 alone. */
	ck_assert_int_eq(ledger_hash(zero, &e, hash), 0);
	expect_hex(hash, HASH_REPORT);
	ck_assert_int_eq(ledger_digest(TEXT_REPORT, strlen(TEXT_REPORT),
	    text_only), 0);
	ck_assert_mem_ne(hash, text_only, LEDGER_HASH_LEN);
	/* One bit of prev changes the hash. */
	memset(prev, 0, sizeof prev);
	prev[31] = 1;
	ck_assert_int_eq(ledger_hash(prev, &e, text_only), 0);
	ck_assert_mem_ne(hash, text_only, LEDGER_HASH_LEN);
}
END_TEST

START_TEST(test_hash_chain)
{
	struct ledger_entry	e1 = entry_report(), e2 = entry_ack("MY", SIG);
	struct ledger_entry	e3 = entry_forward();
	unsigned char		h1[LEDGER_HASH_LEN], h2[LEDGER_HASH_LEN];
	unsigned char		h3[LEDGER_HASH_LEN];

	ck_assert_int_eq(ledger_hash(zero, &e1, h1), 0);
	expect_hex(h1, CHAIN_1);
	ck_assert_int_eq(ledger_hash(h1, &e2, h2), 0);
	expect_hex(h2, CHAIN_2);
	ck_assert_int_eq(ledger_hash(h2, &e3, h3), 0);
	expect_hex(h3, CHAIN_3);
	/* Entries in another order give another chain. */
	ck_assert_int_eq(ledger_hash(h1, &e3, h2), 0);
	ck_assert_int_eq(ledger_hash(h2, &e2, h1), 0);
	ck_assert_mem_ne(h1, h3, LEDGER_HASH_LEN);
}
END_TEST

START_TEST(test_hash_fields)
{
	struct ledger_entry	e = entry_report();
	unsigned char		base[LEDGER_HASH_LEN], h[LEDGER_HASH_LEN];

	/* Each field of an entry is in its hash. */
	ck_assert_int_eq(ledger_hash(zero, &e, base), 0);
	e.seq = 2;
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	e = entry_report();
	e.party = "MY";
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	e = entry_report();
	e.at += 1000;
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	e = entry_report();
	e.digest[0] ^= 1;
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	e = entry_report();
	e.recipients = "MY:1";
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	e = entry_report();
	e.kind = LEDGER_ACK;
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_ne(h, base, LEDGER_HASH_LEN);
	/* What the format drops is not: microseconds below the millisecond. */
	e = entry_report();
	e.at += 1;
	ck_assert_int_eq(ledger_hash(zero, &e, h), 0);
	ck_assert_mem_eq(h, base, LEDGER_HASH_LEN);
}
END_TEST

START_TEST(test_receipt_canonical)
{
	unsigned char	 digest[LEDGER_HASH_LEN], chain[LEDGER_HASH_LEN];
	char		*text;

	ck_assert_int_eq(ledger_digest(BODY, strlen(BODY), digest), 0);
	ck_assert_int_eq(ledger_unhex(CHAIN_1, chain, LEDGER_HASH_LEN), 0);
	/* Python's json.dumps, keys sorted, (",", ":"): see above. */
	text = ledger_receipt_canonical(1, digest, T_REPORT, chain);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "{\"chain\":\"" CHAIN_1 "\",\"digest\":\""
	    BODY_SHA256 "\",\"received_at\":\"2025-11-21T04:40:00.123Z\","
	    "\"seq\":1}");
	free(text);

	text = ledger_receipt_canonical(INT64_MAX, zero,
	    INT64_C(1763700000999999), zero);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "{\"chain\":\"0000000000000000000000000000000"
	    "000000000000000000000000000000000\",\"digest\":\"000000000000000"
	    "0000000000000000000000000000000000000000000000000\","
	    "\"received_at\":\"2025-11-21T04:40:00.999Z\","
	    "\"seq\":9223372036854775807}");
	free(text);
}
END_TEST

START_TEST(test_ack_message)
{
	unsigned char	 chain[LEDGER_HASH_LEN];
	char		*text;

	ck_assert_int_eq(ledger_unhex(CHAIN_1, chain, LEDGER_HASH_LEN), 0);
	text = ledger_ack_message("MY", 1, chain);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "kentongan-ack:MY:1:" CHAIN_1);
	free(text);
	text = ledger_ack_message("SG-CERT", INT64_C(1234567890123), zero);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "kentongan-ack:SG-CERT:1234567890123:"
	    "0000000000000000000000000000000000000000000000000000000000000000");
	free(text);
}
END_TEST

START_TEST(test_hex)
{
	static const unsigned char	bytes[] = { 0x00, 0x01, 0x7f, 0x80,
	    0xab, 0xcd, 0xef, 0xff, 0x10, 0x9a };
	unsigned char			back[sizeof bytes], all[256];
	unsigned char			all_back[256];
	char				hex[2 * 256 + 1];
	size_t				i;

	ck_assert_str_eq(ledger_hex(bytes, sizeof bytes, hex),
	    "00017f80abcdefff109a");
	ck_assert_int_eq(ledger_unhex(hex, back, sizeof back), 0);
	ck_assert_mem_eq(back, bytes, sizeof bytes);
	/* Either case in, lower case out. */
	memset(back, 0, sizeof back);
	ck_assert_int_eq(ledger_unhex("00017F80ABcdEFfF109A", back,
	    sizeof back), 0);
	ck_assert_mem_eq(back, bytes, sizeof bytes);
	/* Nothing: the empty string. */
	ck_assert_str_eq(ledger_hex(bytes, 0, hex), "");
	ck_assert_int_eq(ledger_unhex("", back, 0), 0);
	/* Every byte value, both ways. */
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	ledger_hex(all, sizeof all, hex);
	ck_assert_uint_eq(strlen(hex), 512);
	ck_assert_int_eq(strncmp(hex, "000102", 6), 0);
	ck_assert_str_eq(hex + 506, "fdfeff");
	ck_assert_int_eq(ledger_unhex(hex, all_back, sizeof all_back), 0);
	ck_assert_mem_eq(all_back, all, sizeof all);
}
END_TEST

START_TEST(test_unhex_bad)
{
	static const char	*bad[] = {
		"",				/* too short */
		CHAIN_1 "0",			/* odd, one too many */
		CHAIN_1 "00",			/* one byte too many */
		"0" CHAIN_1,
		"20b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d13",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d1",
		"g20b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d13",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d1g",
		"320b42e588eb81ce4023d573cc01965 d33662301cb7362731292a3426ed1d13",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d-3",
		"0x0b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d13",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d:3",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d@3",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1dG3",
		"320b42e588eb81ce4023d573cc01965ad33662301cb7362731292a3426ed1d`3",
	};
	unsigned char		 out[LEDGER_HASH_LEN], one;
	size_t			 i;

	for (i = 0; i < NITEMS(bad); i++)
		ck_assert_msg(ledger_unhex(bad[i], out, sizeof out) == -1,
		    "\"%s\" taken as %d bytes of hex", bad[i], LEDGER_HASH_LEN);
	/* Odd lengths and non-hex for one byte. */
	ck_assert_int_eq(ledger_unhex("a", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("abc", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("zz", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("1 ", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex(" 1", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("-1", &one, 1), -1);
	ck_assert_int_eq(ledger_unhex("+1", &one, 1), -1);
	one = 0;
	ck_assert_int_eq(ledger_unhex("fF", &one, 1), 0);
	ck_assert_uint_eq(one, 0xff);
}
END_TEST

/* The suite of the ledger module. */
static Suite *
ledger_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ledger");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("kind_names", test_kind_names);
	ADD("canonical_report", test_canonical_report);
	ADD("canonical_forwarded_report", test_canonical_forwarded_report);
	ADD("canonical_ack", test_canonical_ack);
	ADD("canonical_forward", test_canonical_forward);
	ADD("canonical_large_seq", test_canonical_large_seq);
	ADD("canonical_unknown_kind", test_canonical_unknown_kind);
	ADD("times", test_times);
	ADD("digest", test_digest);
	ADD("hash_each_kind", test_hash_each_kind);
	ADD("hash_zero_prev", test_hash_zero_prev);
	ADD("hash_chain", test_hash_chain);
	ADD("hash_fields", test_hash_fields);
	ADD("receipt_canonical", test_receipt_canonical);
	ADD("ack_message", test_ack_message);
	ADD("hex", test_hex);
	ADD("unhex_bad", test_unhex_bad);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(ledger_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
