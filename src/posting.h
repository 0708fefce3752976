/*
 * Posting lists: for each block of POSTING_BLOCK_SEQS sequence numbers and
 * each key (a recipient, a sender, a code, a severity, a label), the bitmap
 * of the reports of that block that have it. A history query intersects
 * them block by block instead of reading every report, so a member
 * entitled to little, or a filter that matches nothing, costs little.
 * Completed blocks never change. Pure: no I/O; the store keeps them.
 */
#ifndef KENTONGAN_POSTING_H
#define KENTONGAN_POSTING_H

#include <stddef.h>
#include <stdint.h>

#include "levels.h"

#define POSTING_BLOCK_SEQS	1024
#define POSTING_WORDS		(POSTING_BLOCK_SEQS / 64)
#define POSTING_BYTES		(POSTING_BLOCK_SEQS / 8)

/* Key kinds, the first byte of a key; "*" alone marks a completed block. */
#define POSTING_RECIPIENT	'm'
#define POSTING_SENDER		'f'
#define POSTING_CODE		'c'
#define POSTING_SEVERITY	's'
#define POSTING_TLP		't'
#define POSTING_ALL		"*"

struct posting_bits {
	uint64_t	w[POSTING_WORDS];
};

/* The block holding seq, and the first seq of a block. */
int64_t	posting_block(int64_t seq);
int64_t	posting_block_start(int64_t block);
void	posting_bits_clear(struct posting_bits *);
void	posting_bits_set(struct posting_bits *, int64_t seq);
int	posting_bits_test(const struct posting_bits *, int64_t seq);
void	posting_bits_and(struct posting_bits *, const struct posting_bits *);
void	posting_bits_or(struct posting_bits *, const struct posting_bits *);
/* Keep only the bits of block for seqs in (after, upto]. */
void	posting_bits_window(struct posting_bits *, int64_t block,
	    int64_t after, int64_t upto);
int	posting_bits_empty(const struct posting_bits *);
unsigned posting_bits_count(const struct posting_bits *);
/*
 * The first seq at or after from whose bit is set in block, or -1. Seqs
 * come out in ascending order.
 */
int64_t	posting_bits_next(const struct posting_bits *, int64_t block,
	    int64_t from);
/* Stored form: POSTING_BYTES bytes, little-endian words. */
void	posting_bits_encode(const struct posting_bits *,
	    unsigned char out[POSTING_BYTES]);
/* From a stored blob; a shorter one is zero-extended, a longer one cut. */
void	posting_bits_decode(struct posting_bits *, const void *, size_t);

/* The key "K:NAME", malloc'd; NULL on no memory. */
char	*posting_key(char kind, const char *name, size_t len);

/* The keys of one block as it is built from its reports. */
struct posting_builder;

struct posting_builder	*posting_builder_new(int64_t block);
/*
 * Add one report of the block: its sender, code, severity, label and
 * stored recipient list. -1 on no memory or a seq outside the block.
 */
int	posting_builder_add(struct posting_builder *, int64_t seq,
	    const char *sender, const char *code, enum severity, enum tlp,
	    const char *recipient_list);
int64_t	posting_builder_block(const struct posting_builder *);
/* The keys gathered so far, in no particular order. */
size_t	posting_builder_count(const struct posting_builder *);
void	posting_builder_entry(const struct posting_builder *, size_t,
	    const char **key, const struct posting_bits **);
void	posting_builder_free(struct posting_builder *);

/*
 * A query as posting keys: a report matches when, for every term, one of
 * the term's patterns matches one of its keys. A pattern is a whole key,
 * or a prefix of keys (a code class "c:intrusions/").
 */
struct posting_pattern {
	char	*key;		/* malloc'd */
	int	 prefix;
};

struct posting_term {
	struct posting_pattern	*patterns;
	size_t			 npatterns;
};

struct posting_plan {
	struct posting_term	*terms;
	size_t			 nterms;
};

/* What a plan is built from; NULL and 0 fields do not filter. */
struct posting_query {
	const char		*member;	/* entitled to, or NULL: all */
	int			 own;		/* also what member sent */
	const char *const	*codes;		/* exact, or class ending in '/' */
	size_t			 ncodes;
	const char		*sender;
	int			 has_min_severity;
	enum severity		 min_severity;
	int			 has_tlp;
	enum tlp		 tlp;
};

/* Build the plan of q; -1 on no memory. */
int	posting_plan_build(struct posting_plan *, const struct posting_query *);
void	posting_plan_clear(struct posting_plan *);
/* 1 if one report matches the plan (for reports not in a block yet). */
int	posting_plan_match(const struct posting_plan *, const char *sender,
	    const char *code, enum severity, enum tlp,
	    const char *recipient_list);
/* 1 if key matches the pattern. */
int	posting_pattern_match(const struct posting_pattern *, const char *key);

#endif
