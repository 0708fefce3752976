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
} clientconf_keys[] = {
	{ "hub", offsetof(struct clientconf, hub), 0 },
	{ "operator_hub", offsetof(struct clientconf, operator_hub), 0 },
	{ "cert", offsetof(struct clientconf, cert), 1 },
	{ "key", offsetof(struct clientconf, key), 1 },
	{ "ca", offsetof(struct clientconf, ca), 1 },
	{ "format", offsetof(struct clientconf, format), 0 },
	{ "taxonomy", offsetof(struct clientconf, taxonomy), 1 },
};
#define CLIENTCONF_NKEYS	(sizeof clientconf_keys / sizeof clientconf_keys[0])

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

int
clientconf_parse(const char *text, size_t len, const char *name,
    const char *dir, struct clientconf *conf, char **cause)
{
	const char	*line = text, *end, *p, *key, *value;
	size_t		 keylen, valuelen, i;
	unsigned	 lineno = 0;
	char		**field;

	*cause = NULL;
	memset(conf, 0, sizeof *conf);
	while (line < text + len) {
		lineno++;
		if ((end = memchr(line, '\n', (size_t)(text + len - line))) ==
		    NULL)
			end = text + len;
		for (p = line; p < end && (*p == ' ' || *p == '\t'); p++)
			;
		key = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '#' &&
		    *p != '\r')
			p++;
		keylen = (size_t)(p - key);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		value = p;
		valuelen = (size_t)(end - p);
		/* A comment ends a line; a value may not hold a '#'. */
		if ((p = memchr(value, '#', valuelen)) != NULL)
			valuelen = (size_t)(p - value);
		while (valuelen > 0 && (value[valuelen - 1] == ' ' ||
		    value[valuelen - 1] == '\t' || value[valuelen - 1] == '\r'))
			valuelen--;
		line = end + 1;
		if (keylen == 0) {
			if (valuelen > 0 && *value != '#')
				goto bad;
			continue;
		}
		for (i = 0; i < CLIENTCONF_NKEYS; i++)
			if (strlen(clientconf_keys[i].key) == keylen &&
			    memcmp(clientconf_keys[i].key, key, keylen) == 0)
				break;
		if (i == CLIENTCONF_NKEYS) {
			clientconf_clear(conf);
			return (clientconf_error(cause, "%s:%u: unknown key "
			    "\"%.*s\"; the keys are hub, operator_hub, cert, "
			    "key, ca, format and taxonomy", name, lineno,
			    (int)(keylen > 64 ? 64 : keylen), key));
		}
		field = clientconf_field(conf, i);
		if (valuelen == 0) {
			clientconf_clear(conf);
			return (clientconf_error(cause, "%s:%u: %s needs a "
			    "value", name, lineno, clientconf_keys[i].key));
		}
		if (*field != NULL) {
			clientconf_clear(conf);
			return (clientconf_error(cause, "%s:%u: %s is set "
			    "twice", name, lineno, clientconf_keys[i].key));
		}
		if (memchr(value, '\0', valuelen) != NULL)
			goto bad;
		if (clientconf_keys[i].key[0] == 'f' &&
		    !((valuelen == 5 && memcmp(value, "table", 5) == 0) ||
		    (valuelen == 4 && (memcmp(value, "json", 4) == 0 ||
		    memcmp(value, "stix", 4) == 0 || memcmp(value, "misp",
		    4) == 0)))) {
			clientconf_clear(conf);
			return (clientconf_error(cause, "%s:%u: format is table, "
			    "json, stix or misp", name, lineno));
		}
		if (clientconf_keys[i].path && dir != NULL && *value != '/') {
			if (asprintf(field, "%s/%.*s", dir, (int)valuelen,
			    value) == -1)
				*field = NULL;
		} else
			*field = strndup(value, valuelen);
		if (*field == NULL) {
			clientconf_clear(conf);
			return (clientconf_error(cause, "out of memory"));
		}
	}
	return (0);
bad:
	clientconf_clear(conf);
	return (clientconf_error(cause, "%s:%u: expected \"key value\"", name,
	    lineno));
}

char *
clientconf_format(const struct clientconf *conf)
{
	char	*text = NULL, *next, **field;
	size_t	 i;

	if ((text = strdup("# kentongan's configuration (kentongan setup "
	    "wrote it); flags and\n# KENTONGAN_* variables win over it.\n")) ==
	    NULL)
		return (NULL);
	for (i = 0; i < CLIENTCONF_NKEYS; i++) {
		field = clientconf_field((struct clientconf *)conf, i);
		if (*field == NULL)
			continue;
		if (asprintf(&next, "%s%s %s\n", text, clientconf_keys[i].key,
		    *field) == -1) {
			free(text);
			return (NULL);
		}
		free(text);
		text = next;
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
