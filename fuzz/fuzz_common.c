/* Checks and data shared by the fuzz targets. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "taxonomy.h"
#include "utf8.h"
#include "verdict.h"

static struct taxonomy	*fuzz_tax;

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line,
	    what);
	abort();
}

/* Try one place for the taxonomy; 0 if it loaded. */
static int
fuzz_taxonomy_try(const char *path)
{
	char	*cause = NULL;

	if ((fuzz_tax = taxonomy_load(path, &cause)) != NULL)
		return (0);
	fprintf(stderr, "fuzz: taxonomy %s: %s\n", path,
	    cause != NULL ? cause : "cannot load");
	free(cause);
	return (-1);
}

const struct taxonomy *
fuzz_taxonomy(const char *argv0)
{
	const char	*env, *slash;
	char		 exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t		 n;

	if (fuzz_tax != NULL)
		return (fuzz_tax);
	if ((env = getenv("KENTONGAN_TAXONOMY")) != NULL && *env != '\0') {
		/* Asked for by name: no falling back to another file. */
		if (fuzz_taxonomy_try(env) == 0)
			return (fuzz_tax);
		exit(1);
	}
#ifdef FUZZ_TAXONOMY
	if (access(FUZZ_TAXONOMY, R_OK) == 0 &&
	    fuzz_taxonomy_try(FUZZ_TAXONOMY) == 0)
		return (fuzz_tax);
#endif
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof exe, "%s", argv0 != NULL ? argv0 : "");
	if ((slash = strrchr(exe, '/')) != NULL) {
		snprintf(path, sizeof path, "%.*s/../etc/taxonomy.json",
		    (int)(slash - exe), exe);
		if (access(path, R_OK) == 0 && fuzz_taxonomy_try(path) == 0)
			return (fuzz_tax);
	}
	fprintf(stderr, "fuzz: no taxonomy: set KENTONGAN_TAXONOMY to the "
	    "path of etc/taxonomy.json\n");
	exit(1);
}

int
fuzz_utf8(const char *s)
{
	return (utf8_validate(s, strlen(s), NULL) >= 0);
}

void
fuzz_check_verdict(const struct verdict *v)
{
	FUZZ_CHECK(v->error > PROTO_OK && v->error < PROTO_NERRORS);
	FUZZ_CHECK(v->message != NULL && v->message[0] != '\0');
	FUZZ_CHECK(fuzz_utf8(v->message));
	FUZZ_CHECK(v->field == NULL || fuzz_utf8(v->field));
}
