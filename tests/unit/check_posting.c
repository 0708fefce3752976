/* Unit tests of posting bitmaps, the builder of a block's keys, and query plans. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "posting.h"
#include "recipients.h"
#include "request.h"

#define B	POSTING_BLOCK_SEQS

/* A small deterministic generator (xorshift64*), the same on every run. */
static uint64_t	rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * UINT64_C(2685821657736338717));
}

/* The number of bits set, counted one by one with test. */
static unsigned
count_by_test(const struct posting_bits *b, int64_t block)
{
	unsigned	n = 0;
	int64_t		seq;

	for (seq = posting_block_start(block);
	    seq < posting_block_start(block + 1); seq++)
		n += (unsigned)posting_bits_test(b, seq);
	return (n);
}

START_TEST(test_blocks)
{
	ck_assert_int_eq(posting_block(0), 0);
	ck_assert_int_eq(posting_block(1), 0);
	ck_assert_int_eq(posting_block(B - 1), 0);
	ck_assert_int_eq(posting_block(B), 1);
	ck_assert_int_eq(posting_block(3 * B + 17), 3);
	ck_assert_int_eq(posting_block_start(0), 0);
	ck_assert_int_eq(posting_block_start(3), 3 * B);
	ck_assert_int_eq(posting_block(posting_block_start(1000000)), 1000000);
	ck_assert_int_eq(POSTING_WORDS * 64, B);
	ck_assert_int_eq(POSTING_BYTES * 8, B);
}
END_TEST

START_TEST(test_set_test_word_edges)
{
	static const int	 bits[] = { 0, 1, 62, 63, 64, 65, 127, 128, 511,
	    512, 960, 1022, 1023 };
	struct posting_bits	 b;
	int64_t			 block, seq, start;
	size_t			 i;
	int			 want;

	for (block = 0; block < 7; block += 3) {
		start = posting_block_start(block);
		posting_bits_clear(&b);
		ck_assert(posting_bits_empty(&b));
		ck_assert_uint_eq(posting_bits_count(&b), 0);
		for (i = 0; i < sizeof bits / sizeof bits[0]; i++) {
			posting_bits_set(&b, start + bits[i]);
			/* Setting twice changes nothing. */
			posting_bits_set(&b, start + bits[i]);
		}
		ck_assert(!posting_bits_empty(&b));
		ck_assert_uint_eq(posting_bits_count(&b),
		    sizeof bits / sizeof bits[0]);
		for (seq = start; seq < start + B; seq++) {
			want = 0;
			for (i = 0; i < sizeof bits / sizeof bits[0]; i++)
				want |= seq - start == bits[i];
			ck_assert_msg(posting_bits_test(&b, seq) == want,
			    "block %lld seq %lld", (long long)block,
			    (long long)seq);
		}
		/* Bit i of the block is bit i % 64 of word i / 64. */
		ck_assert_uint_eq(b.w[0], UINT64_C(0xc000000000000003));
		ck_assert_uint_eq(b.w[1], UINT64_C(0x8000000000000003));
		ck_assert_uint_eq(b.w[2], 1);
		ck_assert_uint_eq(b.w[15], UINT64_C(0xc000000000000001));
	}
}
END_TEST

START_TEST(test_and_or)
{
	struct posting_bits	a, b, c;
	int64_t			seq;

	posting_bits_clear(&a);
	posting_bits_clear(&b);
	/* a: multiples of 2, b: multiples of 3, in block 2. */
	for (seq = 2 * B; seq < 3 * B; seq++) {
		if (seq % 2 == 0)
			posting_bits_set(&a, seq);
		if (seq % 3 == 0)
			posting_bits_set(&b, seq);
	}
	c = a;
	posting_bits_and(&c, &b);
	for (seq = 2 * B; seq < 3 * B; seq++)
		ck_assert_int_eq(posting_bits_test(&c, seq), seq % 6 == 0);
	c = a;
	posting_bits_or(&c, &b);
	for (seq = 2 * B; seq < 3 * B; seq++)
		ck_assert_int_eq(posting_bits_test(&c, seq),
		    seq % 2 == 0 || seq % 3 == 0);
	ck_assert_uint_eq(posting_bits_count(&c), count_by_test(&c, 2));
	/* Against nothing. */
	posting_bits_clear(&b);
	c = a;
	posting_bits_and(&c, &b);
	ck_assert(posting_bits_empty(&c));
	c = a;
	posting_bits_or(&c, &b);
	ck_assert(memcmp(&c, &a, sizeof a) == 0);
}
END_TEST

/* Check the window (after, upto] of a full block bit by bit. */
static void
check_window(int64_t block, int64_t after, int64_t upto)
{
	struct posting_bits	b;
	int64_t			seq, start = posting_block_start(block);
	unsigned		want = 0;

	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, block, after, upto);
	/* Asserted once per window: Check's assertions are slow in bulk. */
	for (seq = start; seq < start + B; seq++) {
		int	in = seq > after && seq <= upto;

		want += (unsigned)in;
		if (posting_bits_test(&b, seq) != in)
			ck_abort_msg("block %lld (%lld, %lld]: seq %lld",
			    (long long)block, (long long)after,
			    (long long)upto, (long long)seq);
	}
	ck_assert_uint_eq(posting_bits_count(&b), want);
	ck_assert_int_eq(posting_bits_empty(&b), want == 0);
}

START_TEST(test_window_edges)
{
	static const int64_t	 rel[] = { -B - 5, -2, -1, 0, 1, 62, 63, 64,
	    65, 127, 128, 500, 1021, 1022, 1023, 1024, 1025, 2 * B + 3 };
	size_t			 i, j;
	int64_t			 block, start;

	/* Block 0 (whose seq 0 is never used), and two later blocks. */
	for (block = 0; block < 9; block += 4) {
		start = posting_block_start(block);
		for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			for (j = 0; j < sizeof rel / sizeof rel[0]; j++)
				check_window(block, start + rel[i],
				    start + rel[j]);
		}
	}
}
END_TEST

START_TEST(test_window_cases)
{
	struct posting_bits	b;

	/* The whole block, from before its start to past its end. */
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, 0, 10 * B);
	ck_assert_uint_eq(posting_bits_count(&b), B);
	/* Seq 0's block: after 0 drops seq 0 only. */
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 0, 0, B - 1);
	ck_assert_uint_eq(posting_bits_count(&b), B - 1);
	ck_assert_int_eq(posting_bits_test(&b, 0), 0);
	ck_assert_int_eq(posting_bits_test(&b, 1), 1);
	/* Nothing to keep: after == upto, after > upto, outside the block. */
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, B + 5, B + 5);
	ck_assert(posting_bits_empty(&b));
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, B + 9, B + 5);
	ck_assert(posting_bits_empty(&b));
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, 0, B - 1);
	ck_assert(posting_bits_empty(&b));
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, 2 * B - 1, 5 * B);
	ck_assert(posting_bits_empty(&b));
	/* One seq: the last of a block, the first of the next. */
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 1, 2 * B - 2, 2 * B - 1);
	ck_assert_uint_eq(posting_bits_count(&b), 1);
	ck_assert_int_eq(posting_bits_next(&b, 1, 0), 2 * B - 1);
	memset(&b, 0xff, sizeof b);
	posting_bits_window(&b, 2, 2 * B - 1, 2 * B);
	ck_assert_uint_eq(posting_bits_count(&b), 1);
	ck_assert_int_eq(posting_bits_next(&b, 2, 0), 2 * B);
}
END_TEST

START_TEST(test_window_random)
{
	int	i;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 3000; i++) {
		int64_t	block = (int64_t)(rng() % 4);
		int64_t	start = posting_block_start(block);
		int64_t	after = start - 70 + (int64_t)(rng() % (B + 140));
		int64_t	upto = start - 70 + (int64_t)(rng() % (B + 140));

		check_window(block, after, upto);
	}
}
END_TEST

START_TEST(test_count)
{
	struct posting_bits	b;
	int64_t			seq;

	posting_bits_clear(&b);
	ck_assert_uint_eq(posting_bits_count(&b), 0);
	memset(&b, 0xff, sizeof b);
	ck_assert_uint_eq(posting_bits_count(&b), B);
	posting_bits_clear(&b);
	rng_state = 42;
	for (seq = 5 * B; seq < 6 * B; seq++) {
		if (rng() % 7 == 0)
			posting_bits_set(&b, seq);
	}
	ck_assert_uint_gt(posting_bits_count(&b), 0);
	ck_assert_uint_eq(posting_bits_count(&b), count_by_test(&b, 5));
}
END_TEST

START_TEST(test_next)
{
	struct posting_bits	 b;
	int64_t			 seq, got, block = 3, start = 3 * B;
	int64_t			 set[] = { 0, 1, 63, 64, 200, 1023 };
	size_t			 i;

	posting_bits_clear(&b);
	ck_assert_int_eq(posting_bits_next(&b, block, start), -1);
	for (i = 0; i < sizeof set / sizeof set[0]; i++)
		posting_bits_set(&b, start + set[i]);
	/* Ascending iteration gives exactly the seqs set. */
	for (i = 0, got = posting_bits_next(&b, block, start); got != -1;
	    got = posting_bits_next(&b, block, got + 1), i++) {
		ck_assert_uint_lt(i, sizeof set / sizeof set[0]);
		ck_assert_int_eq(got, start + set[i]);
	}
	ck_assert_uint_eq(i, sizeof set / sizeof set[0]);
	/* From before the block: its first; from a set seq: that seq. */
	ck_assert_int_eq(posting_bits_next(&b, block, 0), start);
	ck_assert_int_eq(posting_bits_next(&b, block, start - 1), start);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 64), start + 64);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 65), start + 200);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 1023),
	    start + 1023);
	/* Past the block, or past its last bit: the end. */
	ck_assert_int_eq(posting_bits_next(&b, block, start + B), -1);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 5 * B), -1);
	posting_bits_clear(&b);
	posting_bits_set(&b, start + 700);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 701), -1);
	ck_assert_int_eq(posting_bits_next(&b, block, start + 700),
	    start + 700);
	/* Every bit set: every seq, in order. */
	memset(&b, 0xff, sizeof b);
	for (seq = start, i = 0; seq != -1; seq = posting_bits_next(&b, block,
	    seq + 1), i++)
		ck_assert_int_eq(seq, start + (int64_t)i);
	ck_assert_uint_eq(i, B);
}
END_TEST

START_TEST(test_encode_decode)
{
	struct posting_bits	a, b;
	unsigned char		out[POSTING_BYTES], big[POSTING_BYTES + 72];
	int			i;

	posting_bits_clear(&a);
	posting_bits_set(&a, 0);
	posting_bits_set(&a, 9);
	posting_bits_set(&a, 64);
	posting_bits_set(&a, 1023);
	posting_bits_encode(&a, out);
	/* Little-endian words: bit i is bit i % 8 of byte i / 8. */
	for (i = 0; i < POSTING_BYTES; i++) {
		unsigned char want = i == 0 ? 0x01 : i == 1 ? 0x02 :
		    i == 8 ? 0x01 : i == 127 ? 0x80 : 0x00;

		ck_assert_msg(out[i] == want, "byte %d: %#x", i, out[i]);
	}
	posting_bits_decode(&b, out, sizeof out);
	ck_assert(memcmp(&a, &b, sizeof a) == 0);

	/* Random bitmaps go round. */
	rng_state = 7;
	for (i = 0; i < 100; i++) {
		size_t	w;

		for (w = 0; w < POSTING_WORDS; w++)
			a.w[w] = rng();
		posting_bits_encode(&a, out);
		memset(&b, 0xaa, sizeof b);
		posting_bits_decode(&b, out, sizeof out);
		ck_assert(memcmp(&a, &b, sizeof a) == 0);
	}

	/* A short blob is zero-extended, whatever b held before. */
	memset(out, 0xff, sizeof out);
	memset(&b, 0xff, sizeof b);
	posting_bits_decode(&b, out, 3);
	ck_assert_uint_eq(posting_bits_count(&b), 24);
	ck_assert_int_eq(posting_bits_test(&b, 23), 1);
	ck_assert_int_eq(posting_bits_test(&b, 24), 0);
	memset(&b, 0xff, sizeof b);
	posting_bits_decode(&b, out, 9);
	ck_assert_uint_eq(b.w[0], UINT64_MAX);
	ck_assert_uint_eq(b.w[1], 0xff);
	ck_assert_uint_eq(posting_bits_count(&b), 72);
	memset(&b, 0xff, sizeof b);
	posting_bits_decode(&b, NULL, 0);
	ck_assert(posting_bits_empty(&b));
	/* A long one is cut: what follows the block is ignored. */
	memset(big, 0, sizeof big);
	memset(big + POSTING_BYTES, 0xff, sizeof big - POSTING_BYTES);
	big[5] = 0x10;
	posting_bits_decode(&b, big, sizeof big);
	ck_assert_uint_eq(posting_bits_count(&b), 1);
	ck_assert_int_eq(posting_bits_test(&b, 44), 1);
}
END_TEST

START_TEST(test_key)
{
	char	*k;

	k = posting_key(POSTING_CODE, "intrusions/x", 12);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k, "c:intrusions/x");
	free(k);
	/* Only len bytes of name: it need not be terminated there. */
	k = posting_key(POSTING_RECIPIENT, "SG:1 MY:0", 2);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k, "m:SG");
	free(k);
	k = posting_key(POSTING_SENDER, "", 0);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k, "f:");
	free(k);
}
END_TEST

/* The builder's bitmap of key, or NULL; and each key appears once. */
static const struct posting_bits *
builder_find(const struct posting_builder *b, const char *want)
{
	const struct posting_bits	*bits, *found = NULL;
	const char			*key;
	size_t				 i;

	for (i = 0; i < posting_builder_count(b); i++) {
		posting_builder_entry(b, i, &key, &bits);
		if (strcmp(key, want) == 0) {
			ck_assert_msg(found == NULL, "key %s twice", want);
			found = bits;
		}
	}
	return (found);
}

/* The keys of the builder, sorted and joined by spaces, into buf. */
static const char *
builder_keys(const struct posting_builder *b, char *buf, size_t size)
{
	const struct posting_bits	*bits;
	const char			**keys, *tmp;
	size_t				 i, j, n = posting_builder_count(b), len = 0;

	keys = calloc(n + 1, sizeof *keys);
	ck_assert_ptr_nonnull(keys);
	for (i = 0; i < n; i++)
		posting_builder_entry(b, i, &keys[i], &bits);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (strcmp(keys[j], keys[i]) < 0) {
				tmp = keys[i];
				keys[i] = keys[j];
				keys[j] = tmp;
			}
		}
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert_uint_lt(len + strlen(keys[i]) + 2, size);
		len += (size_t)sprintf(buf + len, "%s%s", i > 0 ? " " : "",
		    keys[i]);
	}
	free(keys);
	return (buf);
}

/* The seqs of a bitmap of block as "S,S,", into buf. */
static const char *
seqs_of(const struct posting_bits *bits, int64_t block, char *buf,
    size_t size)
{
	int64_t	seq;
	size_t	len = 0;

	buf[0] = '\0';
	if (bits == NULL)
		return ("(none)");
	for (seq = posting_bits_next(bits, block, 0); seq != -1;
	    seq = posting_bits_next(bits, block, seq + 1)) {
		ck_assert_uint_lt(len + 24, size);
		len += (size_t)sprintf(buf + len, "%lld,", (long long)seq);
	}
	return (buf);
}

START_TEST(test_builder_keys)
{
	struct posting_builder	*b;
	char			 buf[1024];

	b = posting_builder_new(2);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(posting_builder_block(b), 2);
	ck_assert_uint_eq(posting_builder_count(b), 0);
	ck_assert_int_eq(posting_builder_add(b, 2 * B + 5, "ID",
	    "intrusions/system-compromise", SEVERITY_HIGH, TLP_AMBER,
	    "SG:1 MY:0"), 0);
	ck_assert_str_eq(builder_keys(b, buf, sizeof buf),
	    "* c:intrusions/system-compromise f:ID m:MY m:SG s:3 t:2");
	ck_assert_str_eq(seqs_of(builder_find(b, "*"), 2, buf, sizeof buf),
	    "2053,");
	ck_assert_str_eq(seqs_of(builder_find(b, "m:SG"), 2, buf, sizeof buf),
	    "2053,");

	/* A second report shares keys; its own bits only where it has them. */
	ck_assert_int_eq(posting_builder_add(b, 2 * B + 1023, "SG",
	    "availability/ddos", SEVERITY_INFO, TLP_AMBER, "MY:2 ID:1 S:0"),
	    0);
	/* One with no recipients at all, at the block's first seq. */
	ck_assert_int_eq(posting_builder_add(b, 2 * B, "MY",
	    "intrusions/system-compromise", SEVERITY_CRITICAL, TLP_CLEAR, ""),
	    0);
	ck_assert_str_eq(builder_keys(b, buf, sizeof buf),
	    "* c:availability/ddos c:intrusions/system-compromise f:ID f:MY "
	    "f:SG m:ID m:MY m:S m:SG s:0 s:3 s:4 t:0 t:2");
	ck_assert_str_eq(seqs_of(builder_find(b, "*"), 2, buf, sizeof buf),
	    "2048,2053,3071,");
	ck_assert_str_eq(seqs_of(builder_find(b, "m:MY"), 2, buf, sizeof buf),
	    "2053,3071,");
	ck_assert_str_eq(seqs_of(builder_find(b, "m:SG"), 2, buf, sizeof buf),
	    "2053,");
	ck_assert_str_eq(seqs_of(builder_find(b, "m:S"), 2, buf, sizeof buf),
	    "3071,");
	ck_assert_str_eq(seqs_of(builder_find(b, "f:SG"), 2, buf, sizeof buf),
	    "3071,");
	ck_assert_str_eq(seqs_of(builder_find(b,
	    "c:intrusions/system-compromise"), 2, buf, sizeof buf),
	    "2048,2053,");
	ck_assert_str_eq(seqs_of(builder_find(b, "t:2"), 2, buf, sizeof buf),
	    "2053,3071,");
	ck_assert_str_eq(seqs_of(builder_find(b, "s:4"), 2, buf, sizeof buf),
	    "2048,");
	ck_assert_ptr_null(builder_find(b, "m:ID:1"));
	posting_builder_free(b);
	posting_builder_free(NULL);
}
END_TEST

START_TEST(test_builder_refuses_other_blocks)
{
	struct posting_builder	*b;
	char			 buf[256];

	b = posting_builder_new(1);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(posting_builder_add(b, B - 1, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, "MY:0"), -1);
	ck_assert_int_eq(posting_builder_add(b, 2 * B, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, "MY:0"), -1);
	ck_assert_int_eq(posting_builder_add(b, 0, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, "MY:0"), -1);
	/* Refused before anything was marked. */
	ck_assert_uint_eq(posting_builder_count(b), 0);
	ck_assert_int_eq(posting_builder_add(b, B, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, "MY:0"), 0);
	ck_assert_int_eq(posting_builder_add(b, 2 * B - 1, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, "MY:0"), 0);
	ck_assert_str_eq(seqs_of(builder_find(b, "*"), 1, buf, sizeof buf),
	    "1024,2047,");
	posting_builder_free(b);

	/* Block 0 holds seq 0 (never used) to 1023. */
	b = posting_builder_new(0);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(posting_builder_add(b, 1, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, ""), 0);
	ck_assert_int_eq(posting_builder_add(b, B, "SG", "a/b",
	    SEVERITY_LOW, TLP_GREEN, ""), -1);
	ck_assert_str_eq(seqs_of(builder_find(b, "*"), 0, buf, sizeof buf),
	    "1,");
	posting_builder_free(b);
}
END_TEST

START_TEST(test_builder_long_code)
{
	struct posting_builder	*b;
	char			 code61[62], code62[63], code200[201];
	char			 key[256], buf[64];

	/* Around the builder's 64-byte key buffer: 2 + 61 + 1 fits it. */
	memset(code61, 'a', sizeof code61 - 1);
	code61[sizeof code61 - 1] = '\0';
	memset(code62, 'a', sizeof code62 - 1);
	code62[sizeof code62 - 1] = '\0';
	memset(code200, 'b', sizeof code200 - 1);
	code200[sizeof code200 - 1] = '\0';
	code200[3] = '/';
	b = posting_builder_new(0);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(posting_builder_add(b, 10, "SG", code61,
	    SEVERITY_LOW, TLP_GREEN, ""), 0);
	ck_assert_int_eq(posting_builder_add(b, 11, "SG", code62,
	    SEVERITY_LOW, TLP_GREEN, ""), 0);
	ck_assert_int_eq(posting_builder_add(b, 12, "SG", code200,
	    SEVERITY_LOW, TLP_GREEN, ""), 0);
	ck_assert_int_eq(posting_builder_add(b, 13, "SG", code200,
	    SEVERITY_LOW, TLP_GREEN, ""), 0);
	snprintf(key, sizeof key, "c:%s", code61);
	ck_assert_str_eq(seqs_of(builder_find(b, key), 0, buf, sizeof buf),
	    "10,");
	snprintf(key, sizeof key, "c:%s", code62);
	ck_assert_str_eq(seqs_of(builder_find(b, key), 0, buf, sizeof buf),
	    "11,");
	snprintf(key, sizeof key, "c:%s", code200);
	ck_assert_str_eq(seqs_of(builder_find(b, key), 0, buf, sizeof buf),
	    "12,13,");
	/* "*", f:SG, s:1, t:1 and three codes. */
	ck_assert_uint_eq(posting_builder_count(b), 7);
	posting_builder_free(b);
}
END_TEST

START_TEST(test_builder_many_keys)
{
	struct posting_builder	*b;
	const struct posting_bits *bits;
	char			 sender[16], code[32], key[64];
	int64_t			 seq;
	int			 i;

	/* More keys than the table has buckets, and than its first array. */
	b = posting_builder_new(4);
	ck_assert_ptr_nonnull(b);
	for (seq = 4 * B; seq < 5 * B; seq++) {
		i = (int)(seq % 600);
		snprintf(sender, sizeof sender, "M%d", i % 300);
		snprintf(code, sizeof code, "class/code-%d", i);
		ck_assert_int_eq(posting_builder_add(b, seq, sender, code,
		    (enum severity)(seq % 5), (enum tlp)(seq % 4), "SG:0 "
		    "bad MY:1"), 0);
	}
	/* * + 300 senders + 600 codes + 5 + 4 + 2 recipients. */
	ck_assert_uint_eq(posting_builder_count(b), 1 + 300 + 600 + 5 + 4 + 2);
	ck_assert_uint_eq(posting_bits_count(builder_find(b, "*")), B);
	ck_assert_uint_eq(posting_bits_count(builder_find(b, "m:SG")), B);
	ck_assert_ptr_null(builder_find(b, "m:bad"));
	ck_assert_ptr_null(builder_find(b, "t:4"));
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof key, "c:class/code-%d", i);
		bits = builder_find(b, key);
		ck_assert_ptr_nonnull(bits);
		for (seq = 4 * B; seq < 5 * B; seq++) {
			if (posting_bits_test(bits, seq) != (seq % 600 == i))
				ck_abort_msg("%s: seq %lld", key,
				    (long long)seq);
		}
	}
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "f:M%d", i);
		bits = builder_find(b, key);
		ck_assert_ptr_nonnull(bits);
		for (seq = 4 * B; seq < 5 * B; seq++) {
			if (posting_bits_test(bits, seq) !=
			    (seq % 600 % 300 == i))
				ck_abort_msg("%s: seq %lld", key,
				    (long long)seq);
		}
	}
	posting_builder_free(b);
}
END_TEST

/* The plan as "K|K* & K" (a * marks a prefix pattern), into buf. */
static const char *
plan_text(const struct posting_plan *plan, char *buf, size_t size)
{
	size_t	i, j, len = 0;

	buf[0] = '\0';
	for (i = 0; i < plan->nterms; i++) {
		ck_assert_uint_gt(plan->terms[i].npatterns, 0);
		for (j = 0; j < plan->terms[i].npatterns; j++) {
			const struct posting_pattern *p =
			    &plan->terms[i].patterns[j];

			ck_assert_uint_lt(len + strlen(p->key) + 5, size);
			len += (size_t)sprintf(buf + len, "%s%s%s",
			    j > 0 ? "|" : i > 0 ? " & " : "", p->key,
			    p->prefix ? "*" : "");
		}
	}
	return (buf);
}

/* Build the plan of q and compare its text. */
#define EXPECT_PLAN(q, text) do {					\
	struct posting_plan	plan_;					\
	char			buf_[512];				\
									\
	ck_assert_int_eq(posting_plan_build(&plan_, (q)), 0);		\
	ck_assert_str_eq(plan_text(&plan_, buf_, sizeof buf_), (text));	\
	posting_plan_clear(&plan_);					\
	ck_assert_uint_eq(plan_.nterms, 0);				\
	ck_assert_ptr_null(plan_.terms);				\
} while (0)

START_TEST(test_plan_build)
{
	static const char *const codes[] = { "intrusions/",
	    "availability/ddos" };
	static const char *const empty_code[] = { "" };
	struct posting_query	 q;

	memset(&q, 0, sizeof q);
	EXPECT_PLAN(&q, "");
	q.member = "SG";
	EXPECT_PLAN(&q, "m:SG");
	q.own = 1;
	EXPECT_PLAN(&q, "m:SG|f:SG");
	q.codes = codes;
	q.ncodes = 2;
	EXPECT_PLAN(&q, "m:SG|f:SG & c:intrusions/*|c:availability/ddos");
	q.sender = "MY";
	EXPECT_PLAN(&q, "m:SG|f:SG & c:intrusions/*|c:availability/ddos & "
	    "f:MY");
	q.has_min_severity = 1;
	q.min_severity = SEVERITY_HIGH;
	EXPECT_PLAN(&q, "m:SG|f:SG & c:intrusions/*|c:availability/ddos & "
	    "f:MY & s:3|s:4");
	q.has_tlp = 1;
	q.tlp = TLP_CLEAR;
	EXPECT_PLAN(&q, "m:SG|f:SG & c:intrusions/*|c:availability/ddos & "
	    "f:MY & s:3|s:4 & t:0");

	/* own without a member means nothing. */
	memset(&q, 0, sizeof q);
	q.own = 1;
	EXPECT_PLAN(&q, "");
	/* min_severity info lets everything through: no term. */
	q.has_min_severity = 1;
	q.min_severity = SEVERITY_INFO;
	EXPECT_PLAN(&q, "");
	q.min_severity = SEVERITY_LOW;
	EXPECT_PLAN(&q, "s:1|s:2|s:3|s:4");
	q.min_severity = SEVERITY_CRITICAL;
	EXPECT_PLAN(&q, "s:4");
	/* A severity given without has_min_severity does not filter. */
	q.has_min_severity = 0;
	EXPECT_PLAN(&q, "");
	q.has_tlp = 1;
	q.tlp = TLP_RED;
	EXPECT_PLAN(&q, "t:4");
	/* An exact code, and an empty one (exact, not a prefix of all). */
	memset(&q, 0, sizeof q);
	q.codes = codes + 1;
	q.ncodes = 1;
	EXPECT_PLAN(&q, "c:availability/ddos");
	q.codes = empty_code;
	EXPECT_PLAN(&q, "c:");
}
END_TEST

START_TEST(test_pattern_match)
{
	struct posting_pattern	p;

	p.key = "c:intrusions/";
	p.prefix = 1;
	ck_assert(posting_pattern_match(&p, "c:intrusions/system-compromise"));
	ck_assert(posting_pattern_match(&p, "c:intrusions/"));
	ck_assert(!posting_pattern_match(&p, "c:intrusions-x/foo"));
	ck_assert(!posting_pattern_match(&p, "c:intrusionsx/foo"));
	ck_assert(!posting_pattern_match(&p, "c:intrusions"));
	ck_assert(!posting_pattern_match(&p, "f:intrusions/x"));
	p.prefix = 0;
	ck_assert(posting_pattern_match(&p, "c:intrusions/"));
	ck_assert(!posting_pattern_match(&p, "c:intrusions/system-compromise"));
	p.key = "m:S";
	ck_assert(posting_pattern_match(&p, "m:S"));
	ck_assert(!posting_pattern_match(&p, "m:SG"));
	ck_assert(!posting_pattern_match(&p, "f:S"));
}
END_TEST

/* posting_plan_match of a plan built from q. */
static int
plan_match(const struct posting_query *q, const char *sender,
    const char *code, enum severity severity, enum tlp tlp,
    const char *list)
{
	struct posting_plan	plan;
	int			match;

	ck_assert_int_eq(posting_plan_build(&plan, q), 0);
	match = posting_plan_match(&plan, sender, code, severity, tlp, list);
	posting_plan_clear(&plan);
	return (match);
}

START_TEST(test_plan_match)
{
	static const char *const cls[] = { "intrusions/" };
	static const char *const exact[] = { "intrusions/system-compromise" };
	static const char *const two[] = { "fraud/phishing",
	    "availability/" };
	struct posting_query	 q;

	/* No terms: everything. */
	memset(&q, 0, sizeof q);
	ck_assert(plan_match(&q, "SG", "x/y", SEVERITY_INFO, TLP_RED, ""));

	/* A member: what it is a recipient of; with own, what it sent. */
	q.member = "SG";
	ck_assert(plan_match(&q, "ID", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0 SG:1"));
	ck_assert(!plan_match(&q, "ID", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	ck_assert(!plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	ck_assert(!plan_match(&q, "ID", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "SGX:0 S:1"));
	ck_assert(!plan_match(&q, "ID", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "SG MY:0"));
	q.own = 1;
	ck_assert(plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	ck_assert(plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SGX", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	ck_assert(!plan_match(&q, "S", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	/* A member "S" is not "SG". */
	q.member = "S";
	ck_assert(!plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "SG:1"));
	ck_assert(plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "SG:1 S:2"));

	/* A class: its codes, not codes of a class with a longer name. */
	memset(&q, 0, sizeof q);
	q.codes = cls;
	q.ncodes = 1;
	ck_assert(plan_match(&q, "SG", "intrusions/system-compromise",
	    SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "intrusions-x/system-compromise",
	    SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "intrusionsx/a", SEVERITY_LOW,
	    TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "availability/ddos", SEVERITY_LOW,
	    TLP_GREEN, ""));
	/* A code pattern does not match other kinds of keys. */
	ck_assert(!plan_match(&q, "intrusions/", "x/y", SEVERITY_LOW,
	    TLP_GREEN, "intrusions/:1"));
	/* An exact code: itself only. */
	q.codes = exact;
	ck_assert(plan_match(&q, "SG", "intrusions/system-compromise",
	    SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "intrusions/system-compromise-2",
	    SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "intrusions/system", SEVERITY_LOW,
	    TLP_GREEN, ""));
	/* Several: any of them. */
	q.codes = two;
	q.ncodes = 2;
	ck_assert(plan_match(&q, "SG", "fraud/phishing", SEVERITY_LOW,
	    TLP_GREEN, ""));
	ck_assert(plan_match(&q, "SG", "availability/ddos", SEVERITY_LOW,
	    TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "fraud/phishing-kit", SEVERITY_LOW,
	    TLP_GREEN, ""));

	/* Sender, severity and label; all terms must hold. */
	memset(&q, 0, sizeof q);
	q.sender = "MY";
	ck_assert(plan_match(&q, "MY", "x/y", SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "MYX", "x/y", SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "SG", "x/y", SEVERITY_LOW, TLP_GREEN,
	    "MY:0"));
	q.has_min_severity = 1;
	q.min_severity = SEVERITY_MEDIUM;
	ck_assert(!plan_match(&q, "MY", "x/y", SEVERITY_LOW, TLP_GREEN, ""));
	ck_assert(plan_match(&q, "MY", "x/y", SEVERITY_MEDIUM, TLP_GREEN, ""));
	ck_assert(plan_match(&q, "MY", "x/y", SEVERITY_CRITICAL, TLP_GREEN,
	    ""));
	q.has_tlp = 1;
	q.tlp = TLP_AMBER;
	ck_assert(!plan_match(&q, "MY", "x/y", SEVERITY_HIGH, TLP_GREEN, ""));
	ck_assert(!plan_match(&q, "MY", "x/y", SEVERITY_HIGH, TLP_AMBER_STRICT,
	    ""));
	ck_assert(plan_match(&q, "MY", "x/y", SEVERITY_HIGH, TLP_AMBER, ""));
	q.min_severity = SEVERITY_INFO;
	ck_assert(plan_match(&q, "MY", "x/y", SEVERITY_INFO, TLP_AMBER, ""));
}
END_TEST

/*
 * What the block's posting lists say about one report under a plan: for
 * each term, the union of the bitmaps of the keys its patterns match; all
 * terms intersected.
 */
static int
plan_match_by_bits(const struct posting_plan *plan,
    const struct posting_builder *b, int64_t seq)
{
	const struct posting_bits	*bits;
	const char			*key;
	size_t				 i, j, k;
	int				 any;

	for (i = 0; i < plan->nterms; i++) {
		any = 0;
		for (k = 0; k < posting_builder_count(b) && !any; k++) {
			posting_builder_entry(b, k, &key, &bits);
			for (j = 0; j < plan->terms[i].npatterns; j++) {
				if (posting_pattern_match(
				    &plan->terms[i].patterns[j], key) &&
				    posting_bits_test(bits, seq))
					any = 1;
			}
		}
		if (!any)
			return (0);
	}
	return (1);
}

START_TEST(test_plan_agrees_with_bits)
{
	static const char *const members[] = { "S", "SG", "SGX", "MY", "ID" };
	static const char *const codes[] = { "intrusions/a", "intrusions/b",
	    "intrusions-x/a", "intrusionsx/a", "availability/ddos" };
	static const char *const patterns[] = { "intrusions/", "intrusions/a",
	    "availability/", "intrusions-x/", "nothing/" };
	struct posting_builder	*b;
	struct posting_plan	 plan;
	struct posting_query	 q;
	struct {
		const char	*sender, *code;
		enum severity	 severity;
		enum tlp	 tlp;
		char		 list[64];
	}			 rep[200];
	const char		*qcodes[2];
	int64_t			 seq;
	int			 i, k, agree = 0, matched = 0;
	size_t			 m;

	/* Reports of one block, and their posting lists. */
	rng_state = 1234;
	b = posting_builder_new(7);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < 200; i++) {
		size_t len = 0;

		rep[i].sender = members[rng() % 5];
		rep[i].code = codes[rng() % 5];
		rep[i].severity = (enum severity)(rng() % 5);
		rep[i].tlp = (enum tlp)(rng() % 5);
		rep[i].list[0] = '\0';
		for (m = 0; m < 5; m++) {
			if (members[m] != rep[i].sender && rng() % 3 == 0)
				len += (size_t)sprintf(rep[i].list + len,
				    "%s%s:%d", len > 0 ? " " : "", members[m],
				    (int)(rng() % 3));
		}
		ck_assert_int_eq(posting_builder_add(b, 7 * B + 5 * i,
		    rep[i].sender, rep[i].code, rep[i].severity, rep[i].tlp,
		    rep[i].list), 0);
	}
	/* Matching a row and intersecting bitmaps always agree. */
	for (k = 0; k < 600; k++) {
		memset(&q, 0, sizeof q);
		if (rng() % 3 != 0) {
			q.member = members[rng() % 5];
			q.own = (int)(rng() % 2);
		}
		if (rng() % 2) {
			qcodes[0] = patterns[rng() % 5];
			qcodes[1] = patterns[rng() % 5];
			q.codes = qcodes;
			q.ncodes = 1 + (size_t)(rng() % 2);
		}
		if (rng() % 3 == 0)
			q.sender = members[rng() % 5];
		if (rng() % 2) {
			q.has_min_severity = 1;
			q.min_severity = (enum severity)(rng() % 5);
		}
		if (rng() % 3 == 0) {
			q.has_tlp = 1;
			q.tlp = (enum tlp)(rng() % 5);
		}
		ck_assert_int_eq(posting_plan_build(&plan, &q), 0);
		for (i = 0; i < 200; i++) {
			int	by_row, by_bits, want;
			struct filter f = { 0 };

			seq = 7 * B + 5 * i;
			by_row = posting_plan_match(&plan, rep[i].sender,
			    rep[i].code, rep[i].severity, rep[i].tlp,
			    rep[i].list);
			by_bits = plan_match_by_bits(&plan, b, seq);
			/* And what the query means, written out plainly. */
			f.codes = (char **)(uintptr_t)q.codes;
			f.ncodes = q.ncodes;
			f.has_min_severity = q.has_min_severity;
			f.min_severity = q.min_severity;
			want = filter_match(&f, rep[i].code, rep[i].severity) &&
			    (q.sender == NULL ||
			    strcmp(q.sender, rep[i].sender) == 0) &&
			    (!q.has_tlp || q.tlp == rep[i].tlp);
			if (q.member != NULL) {
				want = want && ((q.own && strcmp(q.member,
				    rep[i].sender) == 0) ||
				    recipients_tier(rep[i].list, q.member) !=
				    -1);
			}
			if (by_row != want || by_bits != want)
				ck_abort_msg("query %d report %d: row %d bits "
				    "%d want %d", k, i, by_row, by_bits, want);
			agree++;
			matched += want;
		}
		posting_plan_clear(&plan);
	}
	ck_assert_int_eq(agree, 600 * 200);
	/* Not a vacuous agreement: both outcomes occurred. */
	ck_assert_int_gt(matched, 1000);
	ck_assert_int_lt(matched, agree - 1000);
	posting_builder_free(b);
}
END_TEST

/* The suite of the posting module. */
static Suite *
posting_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("posting");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_set_timeout(tc, 60);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("blocks", test_blocks);
	ADD("set_test_word_edges", test_set_test_word_edges);
	ADD("and_or", test_and_or);
	ADD("window_edges", test_window_edges);
	ADD("window_cases", test_window_cases);
	ADD("window_random", test_window_random);
	ADD("count", test_count);
	ADD("next", test_next);
	ADD("encode_decode", test_encode_decode);
	ADD("key", test_key);
	ADD("builder_keys", test_builder_keys);
	ADD("builder_refuses_other_blocks", test_builder_refuses_other_blocks);
	ADD("builder_long_code", test_builder_long_code);
	ADD("builder_many_keys", test_builder_many_keys);
	ADD("plan_build", test_plan_build);
	ADD("pattern_match", test_pattern_match);
	ADD("plan_match", test_plan_match);
	ADD("plan_agrees_with_bits", test_plan_agrees_with_bits);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(posting_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
