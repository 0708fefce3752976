/*
 * Replay inputs through a fuzz target without libFuzzer, as a TAP test:
 * one test per file, each run in a child process so a crash or a leak is
 * "not ok" for that file and the others still run.
 *
 * usage: replay_NAME [FILE | DIR]...
 * Without arguments it replays REPLAY_CORPUS and REPLAY_REGRESSIONS, the
 * source tree's fuzz/corpus/NAME and fuzz/regressions/NAME (set at build
 * time); the corpus must exist, the regressions directory may not.
 *
 * A regression whose name starts with "open-" reproduces a bug not fixed
 * yet: it is reported "# TODO", so the suite passes while it fails and
 * complains (XPASS) once it passes, when the file should be renamed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES	(16 * 1024 * 1024)
#define REPLAY_OPEN_PREFIX	"open-"

struct replay_list {
	char	**paths;
	size_t	  n;
	size_t	  cap;
};

/* Add a copy of path to the list. */
static void
replay_add(struct replay_list *l, const char *path)
{
	char	**v;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((v = realloc(l->paths, l->cap * sizeof *v)) == NULL) {
			perror("replay");
			exit(1);
		}
		l->paths = v;
	}
	if ((l->paths[l->n++] = strdup(path)) == NULL) {
		perror("replay");
		exit(1);
	}
}

/* Order paths by name, so the test numbers are stable. */
static int
replay_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Add a file, or every regular file of a directory (not hidden, not
 * README). A missing path is an error unless optional.
 */
static int
replay_collect(struct replay_list *l, const char *path, int optional)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		*file;
	size_t		 first = l->n;

	if (stat(path, &st) == -1) {
		if (optional && errno == ENOENT)
			return (0);
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_add(l, path);
		return (0);
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		if (asprintf(&file, "%s/%s", path, de->d_name) == -1) {
			perror("replay");
			exit(1);
		}
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
			replay_add(l, file);
		free(file);
	}
	closedir(d);
	qsort(l->paths + first, l->n - first, sizeof *l->paths, replay_cmp);
	return (0);
}

/* Read a whole file; NULL with a message on failure. */
static uint8_t *
replay_read(const char *path, size_t *size)
{
	FILE	*f;
	uint8_t	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > REPLAY_MAX_BYTES ||
			    (nbuf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: %s: too large\n", path);
				goto fail;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		goto fail;
	}
	fclose(f);
	*size = len;
	return (buf);
fail:
	fclose(f);
	free(buf);
	return (NULL);
}

/* Run one input in a child; 0 if it came back cleanly. */
static int
replay_one(const char *path, char *why, size_t whysize)
{
	uint8_t	*data;
	size_t	 size;
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		return (-1);
	}
	if (pid == 0) {
		if ((data = replay_read(path, &size)) == NULL)
			exit(2);
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		/* exit, not _exit: LeakSanitizer checks at exit. */
		exit(0);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			snprintf(why, whysize, "waitpid: %s", strerror(errno));
			return (-1);
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return (0);
	if (WIFSIGNALED(status))
		snprintf(why, whysize, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(why, whysize, "exit status %d", WEXITSTATUS(status));
	return (-1);
}

/* 1 if the file name says it reproduces a bug not fixed yet. */
static int
replay_is_open(const char *path)
{
	const char	*base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return (strncmp(base, REPLAY_OPEN_PREFIX,
	    strlen(REPLAY_OPEN_PREFIX)) == 0);
}

int
main(int argc, char **argv)
{
	struct replay_list	 l = { NULL, 0, 0 };
	char			 why[128];
	size_t			 i;
	int			 a, failed = 0, ok;

	if (argc > 1) {
		for (a = 1; a < argc; a++) {
			if (replay_collect(&l, argv[a], 0) == -1)
				return (1);
		}
	} else {
#if defined(REPLAY_CORPUS) && defined(REPLAY_REGRESSIONS)
		if (replay_collect(&l, REPLAY_CORPUS, 0) == -1 ||
		    replay_collect(&l, REPLAY_REGRESSIONS, 1) == -1)
			return (1);
		if (l.n == 0) {
			fprintf(stderr, "replay: %s is empty\n", REPLAY_CORPUS);
			return (1);
		}
#else
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return (1);
#endif
	}
	/* Load shared data once, before the children are forked. */
	LLVMFuzzerInitialize(&argc, &argv);

	printf("1..%zu\n", l.n);
	for (i = 0; i < l.n; i++) {
		ok = replay_one(l.paths[i], why, sizeof why) == 0;
		if (replay_is_open(l.paths[i]))
			printf("%s %zu - %s # TODO open bug, see fuzz/README\n",
			    ok ? "ok" : "not ok", i + 1, l.paths[i]);
		else if (ok)
			printf("ok %zu - %s\n", i + 1, l.paths[i]);
		else {
			printf("not ok %zu - %s (%s)\n", i + 1, l.paths[i], why);
			failed++;
		}
		free(l.paths[i]);
	}
	free(l.paths);
	fflush(stdout);
	return (failed > 0 ? 1 : 0);
}
