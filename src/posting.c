/* Posting bitmaps per block of sequence numbers, their keys, and query plans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posting.h"
#include "recipients.h"

int64_t
posting_block(int64_t seq)
{
	return (seq / POSTING_BLOCK_SEQS);
}

int64_t
posting_block_start(int64_t block)
{
	return (block * POSTING_BLOCK_SEQS);
}

void
posting_bits_clear(struct posting_bits *b)
{
	memset(b, 0, sizeof *b);
}

void
posting_bits_set(struct posting_bits *b, int64_t seq)
{
	unsigned	bit = (unsigned)(seq % POSTING_BLOCK_SEQS);

	b->w[bit / 64] |= (uint64_t)1 << (bit % 64);
}

int
posting_bits_test(const struct posting_bits *b, int64_t seq)
{
	unsigned	bit = (unsigned)(seq % POSTING_BLOCK_SEQS);

	return ((b->w[bit / 64] >> (bit % 64)) & 1);
}

void
posting_bits_and(struct posting_bits *b, const struct posting_bits *other)
{
	size_t	i;

	for (i = 0; i < POSTING_WORDS; i++)
		b->w[i] &= other->w[i];
}

void
posting_bits_or(struct posting_bits *b, const struct posting_bits *other)
{
	size_t	i;

	for (i = 0; i < POSTING_WORDS; i++)
		b->w[i] |= other->w[i];
}

void
posting_bits_window(struct posting_bits *b, int64_t block, int64_t after,
    int64_t upto)
{
	int64_t		first = posting_block_start(block);
	int64_t		lo = after + 1 - first, hi = upto - first;
	unsigned	i;

	/* lo and hi: the first and last bit kept, relative to the block. */
	if (hi < 0 || lo >= POSTING_BLOCK_SEQS || lo > hi) {
		posting_bits_clear(b);
		return;
	}
	if (lo < 0)
		lo = 0;
	if (hi >= POSTING_BLOCK_SEQS)
		hi = POSTING_BLOCK_SEQS - 1;
	for (i = 0; i < POSTING_WORDS; i++) {
		int64_t		wlo = (int64_t)i * 64, whi = wlo + 63;
		uint64_t	mask = ~(uint64_t)0;

		if (whi < lo || wlo > hi)
			mask = 0;
		else {
			if (lo > wlo)
				mask &= ~(uint64_t)0 << (lo - wlo);
			if (hi < whi)
				mask &= ~(uint64_t)0 >> (whi - hi);
		}
		b->w[i] &= mask;
	}
}

int
posting_bits_empty(const struct posting_bits *b)
{
	size_t	i;

	for (i = 0; i < POSTING_WORDS; i++) {
		if (b->w[i] != 0)
			return (0);
	}
	return (1);
}

unsigned
posting_bits_count(const struct posting_bits *b)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < POSTING_WORDS; i++)
		n += (unsigned)__builtin_popcountll(b->w[i]);
	return (n);
}

int64_t
posting_bits_next(const struct posting_bits *b, int64_t block, int64_t from)
{
	int64_t		first = posting_block_start(block), rel;
	unsigned	word, bit;
	uint64_t	w;

	rel = from < first ? 0 : from - first;
	if (rel >= POSTING_BLOCK_SEQS)
		return (-1);
	word = (unsigned)(rel / 64);
	bit = (unsigned)(rel % 64);
	w = b->w[word] & (~(uint64_t)0 << bit);
	for (;;) {
		if (w != 0)
			return (first + (int64_t)word * 64 +
			    __builtin_ctzll(w));
		if (++word == POSTING_WORDS)
			return (-1);
		w = b->w[word];
	}
}

void
posting_bits_encode(const struct posting_bits *b,
    unsigned char out[POSTING_BYTES])
{
	size_t		i, j;

	for (i = 0; i < POSTING_WORDS; i++) {
		for (j = 0; j < 8; j++)
			out[i * 8 + j] = (unsigned char)(b->w[i] >> (j * 8));
	}
}

void
posting_bits_decode(struct posting_bits *b, const void *blob, size_t len)
{
	const unsigned char	*p = blob;
	size_t			 i;

	posting_bits_clear(b);
	if (len > POSTING_BYTES)
		len = POSTING_BYTES;
	for (i = 0; i < len; i++)
		b->w[i / 8] |= (uint64_t)p[i] << ((i % 8) * 8);
}

char *
posting_key(char kind, const char *name, size_t len)
{
	char	*key;

	if ((key = malloc(len + 3)) == NULL)
		return (NULL);
	key[0] = kind;
	key[1] = ':';
	memcpy(key + 2, name, len);
	key[len + 2] = '\0';
	return (key);
}

/* A key with its bitmap, chained in the builder's hash table. */
struct posting_entry {
	char			*key;
	struct posting_bits	 bits;
	struct posting_entry	*next;
};

#define POSTING_BUCKETS	256

struct posting_builder {
	int64_t			 block;
	struct posting_entry	*buckets[POSTING_BUCKETS];
	struct posting_entry	**entries;	/* in order of creation */
	size_t			 n;
	size_t			 cap;
};

struct posting_builder *
posting_builder_new(int64_t block)
{
	struct posting_builder	*b;

	if ((b = calloc(1, sizeof *b)) == NULL)
		return (NULL);
	b->block = block;
	return (b);
}

/* FNV-1a of a key, folded to a bucket. */
static size_t
posting_bucket(const char *key)
{
	uint32_t	h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return (h % POSTING_BUCKETS);
}

/* Set seq in the bitmap of key, creating the key on first use. */
static int
posting_builder_mark(struct posting_builder *b, const char *key, int64_t seq)
{
	struct posting_entry	*e, **grown;
	size_t			 bucket = posting_bucket(key), cap;

	for (e = b->buckets[bucket]; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			posting_bits_set(&e->bits, seq);
			return (0);
		}
	}
	if (b->n == b->cap) {
		cap = b->cap == 0 ? 64 : b->cap * 2;
		if ((grown = reallocarray(b->entries, cap, sizeof *grown)) ==
		    NULL)
			return (-1);
		b->entries = grown;
		b->cap = cap;
	}
	if ((e = calloc(1, sizeof *e)) == NULL)
		return (-1);
	if ((e->key = strdup(key)) == NULL) {
		free(e);
		return (-1);
	}
	posting_bits_set(&e->bits, seq);
	e->next = b->buckets[bucket];
	b->buckets[bucket] = e;
	b->entries[b->n++] = e;
	return (0);
}

/* Mark kind:name (len bytes of name). */
static int
posting_builder_mark_name(struct posting_builder *b, char kind,
    const char *name, size_t len, int64_t seq)
{
	char	small[64], *key = small;
	int	rc;

	if (len + 3 > sizeof small && (key = posting_key(kind, name,
	    len)) == NULL)
		return (-1);
	if (key == small) {
		small[0] = kind;
		small[1] = ':';
		memcpy(small + 2, name, len);
		small[len + 2] = '\0';
	}
	rc = posting_builder_mark(b, key, seq);
	if (key != small)
		free(key);
	return (rc);
}

int
posting_builder_add(struct posting_builder *b, int64_t seq,
    const char *sender, const char *code, enum severity severity,
    enum tlp tlp, const char *recipient_list)
{
	struct recipients_item	 item;
	const char		*cursor = recipient_list;
	char			 digit[2] = { 0, 0 };

	if (posting_block(seq) != b->block)
		return (-1);
	if (posting_builder_mark(b, POSTING_ALL, seq) == -1 ||
	    posting_builder_mark_name(b, POSTING_SENDER, sender,
	    strlen(sender), seq) == -1 ||
	    posting_builder_mark_name(b, POSTING_CODE, code, strlen(code),
	    seq) == -1)
		return (-1);
	digit[0] = (char)('0' + (int)severity);
	if (posting_builder_mark_name(b, POSTING_SEVERITY, digit, 1, seq) == -1)
		return (-1);
	digit[0] = (char)('0' + (int)tlp);
	if (posting_builder_mark_name(b, POSTING_TLP, digit, 1, seq) == -1)
		return (-1);
	while (recipients_next(&cursor, &item)) {
		if (posting_builder_mark_name(b, POSTING_RECIPIENT, item.id,
		    item.id_len, seq) == -1)
			return (-1);
	}
	return (0);
}

int64_t
posting_builder_block(const struct posting_builder *b)
{
	return (b->block);
}

size_t
posting_builder_count(const struct posting_builder *b)
{
	return (b->n);
}

void
posting_builder_entry(const struct posting_builder *b, size_t i,
    const char **key, const struct posting_bits **bits)
{
	*key = b->entries[i]->key;
	*bits = &b->entries[i]->bits;
}

void
posting_builder_free(struct posting_builder *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->entries[i]->key);
		free(b->entries[i]);
	}
	free(b->entries);
	free(b);
}

/* Append a term of n empty patterns to the plan; NULL on no memory. */
static struct posting_term *
posting_plan_term(struct posting_plan *plan, size_t n)
{
	struct posting_term	*grown, *t;

	grown = reallocarray(plan->terms, plan->nterms + 1, sizeof *grown);
	if (grown == NULL)
		return (NULL);
	plan->terms = grown;
	t = &plan->terms[plan->nterms];
	if ((t->patterns = calloc(n, sizeof *t->patterns)) == NULL)
		return (NULL);
	t->npatterns = n;
	plan->nterms++;
	return (t);
}

/* Set pattern i of t to kind:name; -1 on no memory. */
static int
posting_plan_pattern(struct posting_term *t, size_t i, char kind,
    const char *name, int prefix)
{
	if ((t->patterns[i].key = posting_key(kind, name,
	    strlen(name))) == NULL)
		return (-1);
	t->patterns[i].prefix = prefix;
	return (0);
}

int
posting_plan_build(struct posting_plan *plan, const struct posting_query *q)
{
	struct posting_term	*t;
	char			 digit[2] = { 0, 0 };
	size_t			 i, n;
	int			 s;

	memset(plan, 0, sizeof *plan);
	if (q->member != NULL) {
		if ((t = posting_plan_term(plan, q->own ? 2 : 1)) == NULL ||
		    posting_plan_pattern(t, 0, POSTING_RECIPIENT, q->member,
		    0) == -1 ||
		    (q->own && posting_plan_pattern(t, 1, POSTING_SENDER,
		    q->member, 0) == -1))
			goto fail;
	}
	if (q->ncodes > 0) {
		if ((t = posting_plan_term(plan, q->ncodes)) == NULL)
			goto fail;
		for (i = 0; i < q->ncodes; i++) {
			n = strlen(q->codes[i]);
			if (posting_plan_pattern(t, i, POSTING_CODE,
			    q->codes[i], n > 0 && q->codes[i][n - 1] == '/') ==
			    -1)
				goto fail;
		}
	}
	if (q->sender != NULL) {
		if ((t = posting_plan_term(plan, 1)) == NULL ||
		    posting_plan_pattern(t, 0, POSTING_SENDER, q->sender,
		    0) == -1)
			goto fail;
	}
	if (q->has_min_severity && q->min_severity > SEVERITY_INFO) {
		n = (size_t)(SEVERITY_CRITICAL - q->min_severity + 1);
		if ((t = posting_plan_term(plan, n)) == NULL)
			goto fail;
		for (s = (int)q->min_severity, i = 0; i < n; s++, i++) {
			digit[0] = (char)('0' + s);
			if (posting_plan_pattern(t, i, POSTING_SEVERITY, digit,
			    0) == -1)
				goto fail;
		}
	}
	if (q->has_tlp) {
		digit[0] = (char)('0' + (int)q->tlp);
		if ((t = posting_plan_term(plan, 1)) == NULL ||
		    posting_plan_pattern(t, 0, POSTING_TLP, digit, 0) == -1)
			goto fail;
	}
	return (0);
fail:
	posting_plan_clear(plan);
	return (-1);
}

void
posting_plan_clear(struct posting_plan *plan)
{
	size_t	i;

	size_t	j;

	for (i = 0; i < plan->nterms; i++) {
		for (j = 0; j < plan->terms[i].npatterns; j++)
			free(plan->terms[i].patterns[j].key);
		free(plan->terms[i].patterns);
	}
	free(plan->terms);
	memset(plan, 0, sizeof *plan);
}

int
posting_pattern_match(const struct posting_pattern *p, const char *key)
{
	if (p->prefix)
		return (strncmp(key, p->key, strlen(p->key)) == 0);
	return (strcmp(key, p->key) == 0);
}

/* 1 if one of the term's patterns matches key. */
static int
posting_term_match_key(const struct posting_term *t, const char *key)
{
	size_t	i;

	for (i = 0; i < t->npatterns; i++) {
		if (posting_pattern_match(&t->patterns[i], key))
			return (1);
	}
	return (0);
}

/* 1 if the term matches kind:name (len bytes of name). */
static int
posting_term_match_name(const struct posting_term *t, char kind,
    const char *name, size_t len)
{
	char	small[64], *key = small;
	int	match;

	if (len + 3 > sizeof small && (key = posting_key(kind, name,
	    len)) == NULL)
		return (0);
	if (key == small) {
		small[0] = kind;
		small[1] = ':';
		memcpy(small + 2, name, len);
		small[len + 2] = '\0';
	}
	match = posting_term_match_key(t, key);
	if (key != small)
		free(key);
	return (match);
}

/* 1 if the term matches one of the report's keys. */
static int
posting_term_match(const struct posting_term *t, const char *sender,
    const char *code, enum severity severity, enum tlp tlp,
    const char *recipient_list)
{
	struct recipients_item	 item;
	const char		*cursor = recipient_list;
	char			 digit = (char)('0' + (int)severity);

	if (posting_term_match_name(t, POSTING_SENDER, sender,
	    strlen(sender)) ||
	    posting_term_match_name(t, POSTING_CODE, code, strlen(code)) ||
	    posting_term_match_name(t, POSTING_SEVERITY, &digit, 1))
		return (1);
	digit = (char)('0' + (int)tlp);
	if (posting_term_match_name(t, POSTING_TLP, &digit, 1))
		return (1);
	while (recipients_next(&cursor, &item)) {
		if (posting_term_match_name(t, POSTING_RECIPIENT, item.id,
		    item.id_len))
			return (1);
	}
	return (0);
}

int
posting_plan_match(const struct posting_plan *plan, const char *sender,
    const char *code, enum severity severity, enum tlp tlp,
    const char *recipient_list)
{
	size_t	i;

	for (i = 0; i < plan->nterms; i++) {
		if (!posting_term_match(&plan->terms[i], sender, code,
		    severity, tlp, recipient_list))
			return (0);
	}
	return (1);
}
