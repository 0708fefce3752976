/* What every fuzz target defines, and the checks and data they share. */
#ifndef KENTONGAN_FUZZ_H
#define KENTONGAN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct taxonomy;
struct verdict;

/* The hub's clock in every target: 2026-11-20T08:00:00Z, so runs repeat. */
#define FUZZ_NOW_USEC	1795161600000000LL

/*
 * The libFuzzer entry points. Every target defines both, so the replay
 * driver (replay.c) can call them without weak symbols.
 */
int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The project's taxonomy, loaded once: from $KENTONGAN_TAXONOMY, else the
 * source tree's etc/taxonomy.json (FUZZ_TAXONOMY, set at build time), else
 * ../etc/taxonomy.json next to the executable. Exits when none loads.
 */
const struct taxonomy	*fuzz_taxonomy(const char *argv0);

/*
 * Stop on a broken invariant: print what and where, then abort(), which
 * libFuzzer reports as a crash with the input that caused it.
 */
void	fuzz_fail(const char *file, int line, const char *what)
	    __attribute__((noreturn));
#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

/* 1 if s is valid UTF-8 (what a JSON reply can carry), else 0. */
int	fuzz_utf8(const char *s);
/*
 * Check a verdict of a refusal: a known error code, a non-empty message,
 * and message and field that a JSON reply can carry (valid UTF-8).
 */
void	fuzz_check_verdict(const struct verdict *);

#endif
