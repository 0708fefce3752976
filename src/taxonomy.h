/* The incident code vocabulary (RSIT classes and types) and the sector list. */
#ifndef KENTONGAN_TAXONOMY_H
#define KENTONGAN_TAXONOMY_H

#include <stddef.h>

struct taxonomy_code {
	char	*code;		/* "class/type", lower case */
	char	*name_en;
	char	*name_id;	/* Bahasa Indonesia */
	char	*description_en;
	char	*description_id;
};

struct taxonomy_class {
	char	*name;		/* "intrusions" */
	char	*label_en;
	char	*label_id;
	char	*description_en;
	char	*description_id;
};

struct taxonomy_sector {
	char	*name;		/* "energy" */
	char	*label_en;
	char	*label_id;
};

struct taxonomy {
	struct taxonomy_class	*classes;	/* in file order */
	size_t			 nclasses;
	struct taxonomy_code	*codes;		/* sorted by code */
	size_t			 ncodes;
	struct taxonomy_sector	*sectors;	/* in file order */
	size_t			 nsectors;
};

/*
 * Load and validate a taxonomy file. On error returns NULL and sets *cause
 * to a malloc'd "FILE:LINE: message".
 */
struct taxonomy	*taxonomy_load(const char *path, char **cause);
/* The same from text in memory; name is used in messages. */
struct taxonomy	*taxonomy_parse(const char *text, size_t len, const char *name,
		    char **cause);
void		 taxonomy_free(struct taxonomy *);

const struct taxonomy_code	*taxonomy_find_code(const struct taxonomy *,
				    const char *code);
/* 1 if class_name (without the trailing '/') is a class of the taxonomy. */
int		 taxonomy_has_class(const struct taxonomy *, const char *class_name);
int		 taxonomy_has_sector(const struct taxonomy *, const char *sector);
/*
 * 1 if pattern is a code of the taxonomy, or one of its classes followed by
 * '/' ("intrusions/"): what filters and queries may name.
 */
int		 taxonomy_has_pattern(const struct taxonomy *, const char *pattern);

#endif
