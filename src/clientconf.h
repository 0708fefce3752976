/*
 * The client's own configuration, ~/.config/kentongan/config (or
 * $KENTONGAN_CONFIG): where the hub is, which certificate and key to
 * present, which CA to trust, how to print. One "key value" a line, '#'
 * comments; relative paths are taken from the file's directory. Flags and
 * environment variables win over it. Pure parsing and writing of the
 * text; clientconf_load and clientconf_save do the file I/O.
 */
#ifndef KENTONGAN_CLIENTCONF_H
#define KENTONGAN_CLIENTCONF_H

#include <stddef.h>

struct clientconf {
	char	*hub;		/* HOST:PORT of the member listener */
	char	*operator_hub;	/* HOST:PORT of operator_listen */
	char	*cert;
	char	*key;
	char	*ca;
	char	*format;	/* table, json, stix or misp */
	char	*taxonomy;
};

/*
 * Parse text (named name in messages) into conf; dir, when not NULL, is
 * prepended to relative paths. -1 with *cause "NAME:LINE: message".
 */
int	clientconf_parse(const char *text, size_t len, const char *name,
	    const char *dir, struct clientconf *conf, char **cause);
/* The text of conf, malloc'd, as clientconf_parse reads it. */
char	*clientconf_format(const struct clientconf *conf);
void	clientconf_clear(struct clientconf *);
/*
 * Where the configuration is: $KENTONGAN_CONFIG, else
 * $XDG_CONFIG_HOME/kentongan/config, else ~/.config/kentongan/config;
 * malloc'd, NULL if there is no home to speak of. *explicit is 1 when
 * KENTONGAN_CONFIG named it (then it must exist).
 */
char	*clientconf_path(int *explicit);
/*
 * Read the file at path into conf: 0, 1 if there is no such file (conf
 * stays empty), -1 with *cause.
 */
int	clientconf_load(const char *path, struct clientconf *conf,
	    char **cause);
/*
 * Write conf to path, readable by its owner only, creating its directory
 * (0700) when missing, through a temporary file. -1 with *cause.
 */
int	clientconf_save(const char *path, const struct clientconf *conf,
	    char **cause);

#endif
