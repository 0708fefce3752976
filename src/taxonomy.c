/* Load, validate and look up the incident code vocabulary and sector list. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "taxonomy.h"

/* Largest file taxonomy_load will read. */
#define TAXONOMY_MAX_SIZE	(16 * 1024 * 1024)

/*
 * Semantic errors are reported at the line of the item at fault: where its
 * name is first written as "class": "name" (or "type", "sector") after the
 * previous item of its kind. Items whose name is not found are reported at
 * their enclosing item ("classes", "sectors", the class of a type), and the
 * top level at line 1.
 */

/* An offset that is nowhere in the text: messages then say line 1. */
#define TAXONOMY_NOWHERE	SIZE_MAX

/*
 * The text being parsed, kept to turn offsets into line numbers, and where
 * the one error message goes.
 */
struct taxonomy_parser {
	const char	*text;
	size_t		 len;
	const char	*name;
	char	       **cause;
	size_t		 maxcodes;	/* room in taxonomy codes */
};

static void	taxonomy_verror(struct taxonomy_parser *, size_t,
		    const char *, va_list) __attribute__((format(printf, 3, 0)));
static void	taxonomy_error(struct taxonomy_parser *, size_t,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static void	taxonomy_error_line(struct taxonomy_parser *, size_t,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static void	taxonomy_error_file(struct taxonomy_parser *, const char *,
		    ...) __attribute__((format(printf, 2, 3)));

/* Set *cause to "NAME:LINE: message", or "NAME: message" if line is 0. */
static void
taxonomy_verror(struct taxonomy_parser *p, size_t line, const char *fmt,
    va_list ap)
{
	char	*message = NULL;
	int	 n;

	if (p->cause == NULL)
		return;
	*p->cause = NULL;
	if (vasprintf(&message, fmt, ap) == -1)
		return;
	if (line == 0)
		n = asprintf(p->cause, "%s: %s", p->name, message);
	else
		n = asprintf(p->cause, "%s:%zu: %s", p->name, line, message);
	if (n == -1)
		*p->cause = NULL;
	free(message);
}

/* The line, counted from 1, holding offset off; 1 if off is nowhere. */
static size_t
taxonomy_line(const struct taxonomy_parser *p, size_t off)
{
	size_t	line = 1, i;

	if (off == TAXONOMY_NOWHERE)
		return (1);
	for (i = 0; i < off && i < p->len; i++) {
		if (p->text[i] == '\n')
			line++;
	}
	return (line);
}

/* Report an error about the text at offset off. */
static void
taxonomy_error(struct taxonomy_parser *p, size_t off, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	taxonomy_verror(p, taxonomy_line(p, off), fmt, ap);
	va_end(ap);
}

/* Report an error at a given line. */
static void
taxonomy_error_line(struct taxonomy_parser *p, size_t line, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	taxonomy_verror(p, line, fmt, ap);
	va_end(ap);
}

/* Report an error that has no place in the text (input, memory). */
static void
taxonomy_error_file(struct taxonomy_parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	taxonomy_verror(p, 0, fmt, ap);
	va_end(ap);
}

/* Report running out of memory; returns -1. */
static int
taxonomy_nomem(struct taxonomy_parser *p)
{
	taxonomy_error_file(p, "out of memory");
	return (-1);
}

/* 1 if c is JSON white space. */
static int
taxonomy_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* Offset of the first member name "key" at or after from, or nowhere. */
static size_t
taxonomy_find_key(const struct taxonomy_parser *p, size_t from,
    const char *key)
{
	const char	*q;
	size_t		 klen = strlen(key), at, k;

	for (at = from; at < p->len; at++) {
		q = memchr(p->text + at, '"', p->len - at);
		if (q == NULL)
			break;
		at = q - p->text;
		if (p->len - at < klen + 2 ||
		    memcmp(q + 1, key, klen) != 0 || q[klen + 1] != '"')
			continue;
		k = at + klen + 2;
		while (k < p->len && taxonomy_space(p->text[k]))
			k++;
		if (k < p->len && p->text[k] == ':')
			return (at);
	}
	return (TAXONOMY_NOWHERE);
}

/* Offset of the first "key": "value" at or after from, or nowhere. */
static size_t
taxonomy_find(const struct taxonomy_parser *p, size_t from, const char *key,
    const char *value)
{
	const char	*text = p->text, *q;
	size_t		 klen = strlen(key), vlen = strlen(value), at, k;

	if (from == TAXONOMY_NOWHERE)
		from = 0;
	for (at = from; at < p->len; at++) {
		q = memchr(text + at, '"', p->len - at);
		if (q == NULL)
			break;
		at = q - text;
		if (p->len - at < vlen + 2 ||
		    memcmp(q + 1, value, vlen) != 0 || q[vlen + 1] != '"')
			continue;
		k = at;
		while (k > 0 && taxonomy_space(text[k - 1]))
			k--;
		if (k == 0 || text[k - 1] != ':')
			continue;
		k--;
		while (k > 0 && taxonomy_space(text[k - 1]))
			k--;
		if (k < klen + 2 || text[k - 1] != '"' ||
		    memcmp(text + k - 1 - klen, key, klen) != 0 ||
		    text[k - 2 - klen] != '"')
			continue;
		return (at);
	}
	return (TAXONOMY_NOWHERE);
}

/* 1 if s is runs of lower-case letters and digits joined by single hyphens. */
static int
taxonomy_valid_name(const char *s)
{
	int	alnum = 0;

	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			alnum = 1;
		else if (*s == '-' && alnum)
			alnum = 0;
		else
			return (0);
	}
	return (alnum);
}

/* Check and return the name of the index-th class, type or sector o. */
static const char *
taxonomy_name(struct taxonomy_parser *p, size_t off, json_t *o,
    const char *key, const char *scope, size_t index)
{
	json_t		*v;
	const char	*s;
	char		*quoted;
	size_t		 at;

	if (!json_is_object(o)) {
		if (scope != NULL)
			taxonomy_error(p, off, "class \"%s\": %s %zu is not "
			    "an object", scope, key, index);
		else
			taxonomy_error(p, off, "%s %zu is not an object", key,
			    index);
		return (NULL);
	}
	v = json_object_get(o, key);
	if (v == NULL || !json_is_string(v)) {
		if (scope != NULL)
			taxonomy_error(p, off,
			    "class \"%s\": %s %zu: %s\"%s\"%s", scope, key,
			    index, v == NULL ? "missing " : "", key,
			    v == NULL ? "" : " is not a string");
		else
			taxonomy_error(p, off, "%s %zu: %s\"%s\"%s", key, index,
			    v == NULL ? "missing " : "", key,
			    v == NULL ? "" : " is not a string");
		return (NULL);
	}
	s = json_string_value(v);
	if (taxonomy_valid_name(s))
		return (s);

	/* Quote it as JSON so that no byte of it reaches a log unescaped. */
	quoted = json_dumps(v, JSON_ENCODE_ANY|JSON_ENSURE_ASCII);
	if (quoted == NULL) {
		taxonomy_nomem(p);
		return (NULL);
	}
	if ((at = taxonomy_find(p, off, key, s)) != TAXONOMY_NOWHERE)
		off = at;
	if (scope != NULL)
		taxonomy_error(p, off, "class \"%s\": invalid %s name %s",
		    scope, key, quoted);
	else
		taxonomy_error(p, off, "invalid %s name %s", key, quoted);
	free(quoted);
	return (NULL);
}

/* Copy the required, non-empty "en" and "id" texts of member key of o. */
static int
taxonomy_text(struct taxonomy_parser *p, size_t off, json_t *o,
    const char *key, const char *kind, const char *what, char **en, char **id)
{
	static const char	*langs[] = { "en", "id" };
	char		       **out[] = { en, id };
	json_t			*text, *v;
	size_t			 i;

	text = json_object_get(o, key);
	if (text == NULL) {
		taxonomy_error(p, off, "%s \"%s\": missing \"%s\"", kind, what,
		    key);
		return (-1);
	}
	if (!json_is_object(text)) {
		taxonomy_error(p, off, "%s \"%s\": \"%s\" is not an object",
		    kind, what, key);
		return (-1);
	}
	for (i = 0; i < 2; i++) {
		v = json_object_get(text, langs[i]);
		if (v == NULL) {
			taxonomy_error(p, off, "%s \"%s\": missing %s \"%s\"",
			    kind, what, key, langs[i]);
			return (-1);
		}
		if (!json_is_string(v)) {
			taxonomy_error(p, off, "%s \"%s\": %s \"%s\" is not a "
			    "string", kind, what, key, langs[i]);
			return (-1);
		}
		if (*json_string_value(v) == '\0') {
			taxonomy_error(p, off, "%s \"%s\": empty %s \"%s\"",
			    kind, what, key, langs[i]);
			return (-1);
		}
		if ((*out[i] = strdup(json_string_value(v))) == NULL)
			return (taxonomy_nomem(p));
	}
	return (0);
}

/* Fetch top-level member key, which must be a non-empty array. */
static json_t *
taxonomy_array(struct taxonomy_parser *p, json_t *root, const char *key,
    size_t *off)
{
	json_t	*a;

	*off = taxonomy_find_key(p, 0, key);
	a = json_object_get(root, key);
	if (a == NULL) {
		taxonomy_error(p, TAXONOMY_NOWHERE, "missing \"%s\"", key);
		return (NULL);
	}
	if (!json_is_array(a)) {
		taxonomy_error(p, *off, "\"%s\" is not an array", key);
		return (NULL);
	}
	if (json_array_size(a) == 0) {
		taxonomy_error(p, *off, "no %s", key);
		return (NULL);
	}
	return (a);
}

/* Check the members that identify the file: taxonomy, version, source. */
static int
taxonomy_header(struct taxonomy_parser *p, json_t *root)
{
	json_t	*v;

	v = json_object_get(root, "taxonomy");
	if (v == NULL) {
		taxonomy_error(p, TAXONOMY_NOWHERE, "missing \"taxonomy\"");
		return (-1);
	}
	if (!json_is_string(v) || *json_string_value(v) == '\0') {
		taxonomy_error(p, taxonomy_find_key(p, 0, "taxonomy"),
		    "\"taxonomy\" is not a non-empty string");
		return (-1);
	}
	v = json_object_get(root, "version");
	if (v == NULL) {
		taxonomy_error(p, TAXONOMY_NOWHERE, "missing \"version\"");
		return (-1);
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		taxonomy_error(p, taxonomy_find_key(p, 0, "version"),
		    "\"version\" is not a non-negative integer");
		return (-1);
	}
	v = json_object_get(root, "source");
	if (v != NULL && !json_is_string(v)) {
		taxonomy_error(p, taxonomy_find_key(p, 0, "source"),
		    "\"source\" is not a string");
		return (-1);
	}
	return (0);
}

/* Add the index-th type o of class cname to the codes of t. */
static int
taxonomy_type(struct taxonomy_parser *p, struct taxonomy *t, json_t *o,
    const char *cname, size_t coff, size_t index, size_t *cursor, size_t first)
{
	struct taxonomy_code	*tc;
	const char		*name;
	char			*code = NULL;
	size_t			 off, i;

	if ((name = taxonomy_name(p, coff, o, "type", cname, index)) == NULL)
		return (-1);
	off = taxonomy_find(p, *cursor, "type", name);
	if (off == TAXONOMY_NOWHERE)
		off = coff;
	else
		*cursor = off + 1;

	if (asprintf(&code, "%s/%s", cname, name) == -1)
		return (taxonomy_nomem(p));
	for (i = first; i < t->ncodes; i++) {
		if (strcmp(t->codes[i].code, code) == 0) {
			taxonomy_error(p, off, "duplicate code \"%s\"", code);
			goto fail;
		}
	}
	if (t->ncodes >= p->maxcodes) {
		taxonomy_error(p, off, "too many codes");
		goto fail;
	}
	tc = &t->codes[t->ncodes++];
	tc->code = code;
	code = NULL;

	if (taxonomy_text(p, off, o, "name", "code", tc->code, &tc->name_en,
	    &tc->name_id) != 0)
		goto fail;
	if (taxonomy_text(p, off, o, "description", "code", tc->code,
	    &tc->description_en, &tc->description_id) != 0)
		goto fail;
	return (0);

fail:
	free(code);
	return (-1);
}

/* Add the index-th class o and its types to t. */
static int
taxonomy_class(struct taxonomy_parser *p, struct taxonomy *t, json_t *o,
    size_t aoff, size_t index, size_t *cursor)
{
	struct taxonomy_class	*tc;
	json_t			*types, *ty;
	const char		*name;
	size_t			 off, i, first, tcursor;

	if ((name = taxonomy_name(p, aoff, o, "class", NULL, index)) == NULL)
		return (-1);
	off = taxonomy_find(p, *cursor, "class", name);
	if (off == TAXONOMY_NOWHERE)
		off = aoff;
	else
		*cursor = off + 1;

	for (i = 0; i < t->nclasses; i++) {
		if (strcmp(t->classes[i].name, name) == 0) {
			taxonomy_error(p, off, "duplicate class \"%s\"", name);
			return (-1);
		}
	}
	tc = &t->classes[t->nclasses++];
	if ((tc->name = strdup(name)) == NULL)
		return (taxonomy_nomem(p));
	if (taxonomy_text(p, off, o, "name", "class", tc->name, &tc->label_en,
	    &tc->label_id) != 0)
		return (-1);
	if (taxonomy_text(p, off, o, "description", "class", tc->name,
	    &tc->description_en, &tc->description_id) != 0)
		return (-1);

	types = json_object_get(o, "types");
	if (types == NULL) {
		taxonomy_error(p, off, "class \"%s\": missing \"types\"",
		    tc->name);
		return (-1);
	}
	if (!json_is_array(types)) {
		taxonomy_error(p, off,
		    "class \"%s\": \"types\" is not an array", tc->name);
		return (-1);
	}
	if (json_array_size(types) == 0) {
		taxonomy_error(p, off, "class \"%s\" has no types", tc->name);
		return (-1);
	}
	first = t->ncodes;
	tcursor = off;
	json_array_foreach(types, i, ty) {
		if (taxonomy_type(p, t, ty, tc->name, off, i + 1, &tcursor,
		    first) != 0)
			return (-1);
	}
	if (tcursor != TAXONOMY_NOWHERE && tcursor > *cursor)
		*cursor = tcursor;
	return (0);
}

/* Read and check the classes array of root into t. */
static int
taxonomy_classes(struct taxonomy_parser *p, struct taxonomy *t, json_t *root)
{
	json_t	*classes, *c, *types;
	size_t	 aoff, i, total = 0, cursor;

	if ((classes = taxonomy_array(p, root, "classes", &aoff)) == NULL)
		return (-1);

	/* Room for every type there could be; bounded by the parsed JSON. */
	json_array_foreach(classes, i, c) {
		types = json_is_object(c) ? json_object_get(c, "types") : NULL;
		if (json_is_array(types))
			total += json_array_size(types);
	}
	t->classes = calloc(json_array_size(classes), sizeof *t->classes);
	if (t->classes == NULL)
		return (taxonomy_nomem(p));
	t->codes = calloc(total == 0 ? 1 : total, sizeof *t->codes);
	if (t->codes == NULL)
		return (taxonomy_nomem(p));
	p->maxcodes = total;

	cursor = aoff;
	json_array_foreach(classes, i, c) {
		if (taxonomy_class(p, t, c, aoff, i + 1, &cursor) != 0)
			return (-1);
	}
	return (0);
}

/* Read and check the sectors array of root into t. */
static int
taxonomy_sectors(struct taxonomy_parser *p, struct taxonomy *t, json_t *root)
{
	struct taxonomy_sector	*ts;
	json_t			*sectors, *s;
	const char		*name;
	size_t			 aoff, off, i, j, cursor;

	if ((sectors = taxonomy_array(p, root, "sectors", &aoff)) == NULL)
		return (-1);
	t->sectors = calloc(json_array_size(sectors), sizeof *t->sectors);
	if (t->sectors == NULL)
		return (taxonomy_nomem(p));

	cursor = aoff;
	json_array_foreach(sectors, i, s) {
		name = taxonomy_name(p, aoff, s, "sector", NULL, i + 1);
		if (name == NULL)
			return (-1);
		off = taxonomy_find(p, cursor, "sector", name);
		if (off == TAXONOMY_NOWHERE)
			off = aoff;
		else
			cursor = off + 1;
		for (j = 0; j < t->nsectors; j++) {
			if (strcmp(t->sectors[j].name, name) == 0) {
				taxonomy_error(p, off,
				    "duplicate sector \"%s\"", name);
				return (-1);
			}
		}
		ts = &t->sectors[t->nsectors++];
		if ((ts->name = strdup(name)) == NULL)
			return (taxonomy_nomem(p));
		if (taxonomy_text(p, off, s, "name", "sector", ts->name,
		    &ts->label_en, &ts->label_id) != 0)
			return (-1);
	}
	return (0);
}

/* Order two codes by name, for qsort. */
static int
taxonomy_cmp_code(const void *a, const void *b)
{
	const struct taxonomy_code	*ca = a, *cb = b;

	return (strcmp(ca->code, cb->code));
}

/* Compare a code name with a code, for bsearch. */
static int
taxonomy_cmp_key(const void *key, const void *elem)
{
	const struct taxonomy_code	*c = elem;

	return (strcmp(key, c->code));
}

/* Parse and check a taxonomy held in memory. */
struct taxonomy *
taxonomy_parse(const char *text, size_t len, const char *name, char **cause)
{
	struct taxonomy_parser	 p;
	struct taxonomy		*t = NULL;
	json_t			*root;
	json_error_t		 error;

	memset(&p, 0, sizeof p);
	p.text = text;
	p.len = len;
	p.name = name;
	p.cause = cause;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (root == NULL) {
		taxonomy_error_line(&p, error.line > 0 ? (size_t)error.line : 1,
		    "%s", error.text);
		return (NULL);
	}
	if (!json_is_object(root)) {
		taxonomy_error(&p, TAXONOMY_NOWHERE, "not a JSON object");
		goto fail;
	}
	if (taxonomy_header(&p, root) != 0)
		goto fail;
	if ((t = calloc(1, sizeof *t)) == NULL) {
		taxonomy_nomem(&p);
		goto fail;
	}
	if (taxonomy_classes(&p, t, root) != 0)
		goto fail;
	if (taxonomy_sectors(&p, t, root) != 0)
		goto fail;
	qsort(t->codes, t->ncodes, sizeof *t->codes, taxonomy_cmp_code);
	json_decref(root);
	return (t);

fail:
	taxonomy_free(t);
	json_decref(root);
	return (NULL);
}

/* Read a taxonomy file and parse it. */
struct taxonomy *
taxonomy_load(const char *path, char **cause)
{
	struct taxonomy_parser	 p;
	struct taxonomy		*t = NULL;
	FILE			*f;
	char			*buf = NULL, *nbuf;
	size_t			 len = 0, size = 0, n;

	memset(&p, 0, sizeof p);
	p.name = path;
	p.cause = cause;

	if ((f = fopen(path, "r")) == NULL) {
		taxonomy_error_file(&p, "%s", strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (len == size) {
			if (size >= TAXONOMY_MAX_SIZE) {
				taxonomy_error_file(&p, "file too large");
				goto out;
			}
			size = size == 0 ? 8192 : size * 2;
			if ((nbuf = realloc(buf, size)) == NULL) {
				taxonomy_nomem(&p);
				goto out;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				taxonomy_error_file(&p, "%s", strerror(errno));
				goto out;
			}
			break;
		}
	}
	t = taxonomy_parse(buf, len, path, cause);

out:
	fclose(f);
	free(buf);
	return (t);
}

/* Free a taxonomy; NULL is allowed. */
void
taxonomy_free(struct taxonomy *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nclasses; i++) {
		free(t->classes[i].name);
		free(t->classes[i].label_en);
		free(t->classes[i].label_id);
		free(t->classes[i].description_en);
		free(t->classes[i].description_id);
	}
	for (i = 0; i < t->ncodes; i++) {
		free(t->codes[i].code);
		free(t->codes[i].name_en);
		free(t->codes[i].name_id);
		free(t->codes[i].description_en);
		free(t->codes[i].description_id);
	}
	for (i = 0; i < t->nsectors; i++) {
		free(t->sectors[i].name);
		free(t->sectors[i].label_en);
		free(t->sectors[i].label_id);
	}
	free(t->classes);
	free(t->codes);
	free(t->sectors);
	free(t);
}

/* The entry for code ("class/type"), or NULL. */
const struct taxonomy_code *
taxonomy_find_code(const struct taxonomy *t, const char *code)
{
	if (t == NULL || code == NULL || t->ncodes == 0)
		return (NULL);
	return (bsearch(code, t->codes, t->ncodes, sizeof *t->codes,
	    taxonomy_cmp_key));
}

/* 1 if class_name is a class of the taxonomy. */
int
taxonomy_has_class(const struct taxonomy *t, const char *class_name)
{
	size_t	i;

	if (t == NULL || class_name == NULL)
		return (0);
	for (i = 0; i < t->nclasses; i++) {
		if (strcmp(t->classes[i].name, class_name) == 0)
			return (1);
	}
	return (0);
}

int
taxonomy_has_pattern(const struct taxonomy *t, const char *pattern)
{
	size_t	i, len;

	if (t == NULL || pattern == NULL || (len = strlen(pattern)) == 0)
		return (0);
	if (pattern[len - 1] != '/')
		return (taxonomy_find_code(t, pattern) != NULL);
	for (i = 0; i < t->nclasses; i++) {
		if (strlen(t->classes[i].name) == len - 1 &&
		    strncmp(t->classes[i].name, pattern, len - 1) == 0)
			return (1);
	}
	return (0);
}

/* 1 if sector is in the taxonomy's sector list. */
int
taxonomy_has_sector(const struct taxonomy *t, const char *sector)
{
	size_t	i;

	if (t == NULL || sector == NULL)
		return (0);
	for (i = 0; i < t->nsectors; i++) {
		if (strcmp(t->sectors[i].name, sector) == 0)
			return (1);
	}
	return (0);
}
