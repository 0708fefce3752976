/* The client's configuration file: parse, format, find, load, save. */
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clientconf.h"

#define CLIENTCONF_MAX	(64 * 1024)	/* a configuration, at most */

static const struct {
	const char	*key;
	size_t		 off;
	int		 path;		/* relative to the file's directory */
	int		 repeat;	/* each line adds one: tried in turn */
} clientconf_keys[] = {
	{ "hub", offsetof(struct clientconf, hub), 0, 1 },
	{ "operator", offsetof(struct clientconf, operator_hub), 0, 1 },
	{ "cert", offsetof(struct clientconf, cert), 1, 0 },
	{ "key", offsetof(struct clientconf, key), 1, 0 },
	{ "ca", offsetof(struct clientconf, ca), 1, 0 },
	{ "format", offsetof(struct clientconf, format), 0, 0 },
	{ "taxonomy", offsetof(struct clientconf, taxonomy), 1, 0 },
};
#define CLIENTCONF_NKEYS	(sizeof clientconf_keys / sizeof clientconf_keys[0])
#define CLIENTCONF_WORDS	2	/* a key and its value */

static char **
clientconf_field(struct clientconf *conf, size_t i)
{
	return ((char **)((char *)conf + clientconf_keys[i].off));
}

static int
clientconf_error(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return (-1);
}

/*
 * The words of one line, as kentongand.conf splits them: blanks separate,
 * '#' outside quotes starts a comment, double quotes hold blanks, and
 * inside them \" and \\ stand for " and \. Written into out (n + 1
 * bytes); at most CLIENTCONF_WORDS + 1 are kept, to know there were too
 * many. The number of words, or -1 for an unterminated quote.
 */
static int
clientconf_words(const char *s, size_t n, char *out,
    char *words[CLIENTCONF_WORDS + 1])
{
	size_t	i;
	int	nwords = 0, intoken = 0, inquote = 0;
	char	c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (!inquote && c == '#')
			break;
		if (!inquote && (c == ' ' || c == '\t' || c == '\r')) {
			if (intoken)
				*out++ = '\0';
			intoken = 0;
			continue;
		}
		if (!intoken) {
			if (nwords <= CLIENTCONF_WORDS)
				words[nwords] = out;
			nwords++;
			intoken = 1;
		}
		if (inquote && c == '\\' && i + 1 < n && (s[i + 1] == '"' ||
		    s[i + 1] == '\\'))
			*out++ = s[++i];
		else if (c == '"')
			inquote = !inquote;
		else
			*out++ = c;
	}
	*out = '\0';
	return (inquote ? -1 : nwords);
}

int
clientconf_parse(const char *text, size_t len, const char *name,
    const char *dir, struct clientconf *conf, char **cause)
{
	const char	*line = text, *end, *value;
	char		*buf = NULL, *words[CLIENTCONF_WORDS + 1], **field, *joined;
	size_t		 i, n;
	unsigned	 lineno = 0;
	int		 nwords, rc = -1;

	*cause = NULL;
	memset(conf, 0, sizeof *conf);
	if ((buf = malloc(len + 1)) == NULL)
		return (clientconf_error(cause, "out of memory"));
	while (line < text + len) {
		lineno++;
		if ((end = memchr(line, '\n', (size_t)(text + len - line))) ==
		    NULL)
			end = text + len;
		n = (size_t)(end - line);
		if (memchr(line, '\0', n) != NULL) {
			clientconf_error(cause, "%s:%u: NUL character in line",
			    name, lineno);
			goto done;
		}
		nwords = clientconf_words(line, n, buf, words);
		line = end + 1;
		if (nwords == -1) {
			clientconf_error(cause, "%s:%u: unterminated quote", name,
			    lineno);
			goto done;
		}
		if (nwords == 0)
			continue;
		for (i = 0; i < CLIENTCONF_NKEYS; i++)
			if (strcmp(clientconf_keys[i].key, words[0]) == 0)
				break;
		if (i == CLIENTCONF_NKEYS) {
			clientconf_error(cause, "%s:%u: unknown key \"%.64s\"; the "
			    "keys are hub, operator, cert, key, ca, format and "
			    "taxonomy", name, lineno, words[0]);
			goto done;
		}
		field = clientconf_field(conf, i);
		if (nwords != 2) {
			clientconf_error(cause, "%s:%u: %s %s", name, lineno,
			    clientconf_keys[i].key, nwords < 2 ? "needs a value" :
			    "takes one value (quote one with blanks)");
			goto done;
		}
		value = words[1];
		if (*field != NULL && !clientconf_keys[i].repeat) {
			clientconf_error(cause, "%s:%u: %s is set twice", name,
			    lineno, clientconf_keys[i].key);
			goto done;
		}
		if (strcmp(clientconf_keys[i].key, "format") == 0 &&
		    strcmp(value, "table") != 0 && strcmp(value, "json") != 0 &&
		    strcmp(value, "stix") != 0 && strcmp(value, "misp") != 0) {
			clientconf_error(cause, "%s:%u: format is table, json, "
			    "stix or misp", name, lineno);
			goto done;
		}
		if (*field != NULL) {
			/* Another hub: the list the client tries in turn. */
			if (asprintf(&joined, "%s,%s", *field, value) == -1) {
				clientconf_error(cause, "out of memory");
				goto done;
			}
			free(*field);
			*field = joined;
			continue;
		}
		if (clientconf_keys[i].path && dir != NULL && *value != '/') {
			if (asprintf(field, "%s/%s", dir, value) == -1)
				*field = NULL;
		} else
			*field = strdup(value);
		if (*field == NULL) {
			clientconf_error(cause, "out of memory");
			goto done;
		}
	}
	rc = 0;
done:
	free(buf);
	if (rc == -1)
		clientconf_clear(conf);
	return (rc);
}

/* Append "key value\n", the value quoted when it holds blanks or marks. */
static int
clientconf_line(char **text, const char *key, const char *value, size_t len)
{
	char	*next, *quoted, *q;
	size_t	 i;
	int	 plain = 1;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\"#\\", value[i]) != NULL)
			plain = 0;

	if ((quoted = malloc(2 * len + 3)) == NULL)
		return (-1);
	q = quoted;
	if (!plain)
		*q++ = '"';
	for (i = 0; i < len; i++) {
		if (!plain && (value[i] == '"' || value[i] == '\\'))
			*q++ = '\\';
		*q++ = value[i];
	}
	if (!plain)
		*q++ = '"';
	*q = '\0';
	if (asprintf(&next, "%s%s %s\n", *text, key, quoted) == -1) {
		free(quoted);
		return (-1);
	}
	free(quoted);
	free(*text);
	*text = next;
	return (0);
}

char *
clientconf_format(const struct clientconf *conf)
{
	char		*text, **field;
	const char	*p;
	size_t		 i, n;

	if ((text = strdup("# kentongan's configuration (kentongan setup "
	    "wrote it); flags and\n# KENTONGAN_* variables win over it.\n")) ==
	    NULL)
		return (NULL);
	for (i = 0; i < CLIENTCONF_NKEYS; i++) {
		field = clientconf_field((struct clientconf *)conf, i);
		if (*field == NULL)
			continue;
		/* A list of hubs is a line each. */
		for (p = *field; *p != '\0'; p += n + (p[n] != '\0')) {
			n = clientconf_keys[i].repeat ? strcspn(p, ", \t") :
			    strlen(p);
			if (n > 0 && clientconf_line(&text,
			    clientconf_keys[i].key, p, n) == -1) {
				free(text);
				return (NULL);
			}
		}
	}
	return (text);
}

void
clientconf_clear(struct clientconf *conf)
{
	size_t	i;

	for (i = 0; i < CLIENTCONF_NKEYS; i++) {
		free(*clientconf_field(conf, i));
		*clientconf_field(conf, i) = NULL;
	}
}

char *
clientconf_path(int *explicit)
{
	const char	*env, *home;
	char		*path;

	*explicit = 0;
	if ((env = getenv("KENTONGAN_CONFIG")) != NULL && *env != '\0') {
		*explicit = 1;
		return (strdup(env));
	}
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/') {
		if (asprintf(&path, "%s/kentongan/config", env) == -1)
			return (NULL);
		return (path);
	}
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return (NULL);
	if (asprintf(&path, "%s/.config/kentongan/config", home) == -1)
		return (NULL);
	return (path);
}

int
clientconf_load(const char *path, struct clientconf *conf, char **cause)
{
	char	*text = NULL, *dir, *slash;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd, rc;

	*cause = NULL;
	memset(conf, 0, sizeof *conf);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return (1);
		return (clientconf_error(cause, "%s: %s", path,
		    strerror(errno)));
	}
	if ((text = malloc(CLIENTCONF_MAX + 1)) == NULL) {
		close(fd);
		return (clientconf_error(cause, "out of memory"));
	}
	while ((n = read(fd, text + len, CLIENTCONF_MAX + 1 - len)) > 0 &&
	    len + (size_t)n <= CLIENTCONF_MAX)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len + (size_t)(n > 0 ? n : 0) > CLIENTCONF_MAX) {
		free(text);
		return (clientconf_error(cause, "%s: %s", path, n < 0 ?
		    strerror(errno) : "larger than 64 kB; is it the right "
		    "file?"));
	}
	if ((dir = strdup(path)) == NULL) {
		free(text);
		return (clientconf_error(cause, "out of memory"));
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	rc = clientconf_parse(text, len, path, slash != NULL ? (*dir != '\0' ?
	    dir : "/") : ".", conf, cause);
	free(dir);
	free(text);
	return (rc);
}

/* mkdir -p, each directory made 0700 (as XDG asks of ~/.config). */
static int
clientconf_mkdirs(char *dir)
{
	char	*p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	return (mkdir(dir, 0700) == -1 && errno != EEXIST ? -1 : 0);
}

int
clientconf_save(const char *path, const struct clientconf *conf,
    char **cause)
{
	char	*text, *dir, *slash, *tmp = NULL;
	size_t	 len;
	int	 fd = -1, rc = -1;

	*cause = NULL;
	if ((text = clientconf_format(conf)) == NULL ||
	    (dir = strdup(path)) == NULL) {
		free(text);
		return (clientconf_error(cause, "out of memory"));
	}
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (clientconf_mkdirs(dir) == -1) {
			clientconf_error(cause, "cannot create %s: %s", dir,
			    strerror(errno));
			goto done;
		}
	}
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1) {
		tmp = NULL;
		clientconf_error(cause, "out of memory");
		goto done;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		clientconf_error(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto done;
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) == -1) {
		clientconf_error(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto done;
	}
	if (close(fd) == -1) {
		fd = -1;
		clientconf_error(cause, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		clientconf_error(cause, "cannot write %s: %s", path,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	if (rc == -1 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(text);
	return (rc);
}
