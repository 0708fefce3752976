/* A strict JSON reader for the common case, with jansson behind it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "utf8.h"

struct jsonfast {
	const char	*s;
	size_t		 len;
	size_t		 i;
	char		*buf;		/* unescaped strings */
	size_t		 cap;
};

static json_t	*jsonfast_value(struct jsonfast *, int depth);

static void
jsonfast_space(struct jsonfast *p)
{
	while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\n' ||
	    p->s[p->i] == '\r' || p->s[p->i] == '\t'))
		p->i++;
}

/*
 * The string at p->i (a quote): its bytes in *out and *outlen, pointing
 * into the input when it has no escape, else into p->buf. -1: declined.
 */
static int
jsonfast_string(struct jsonfast *p, const char **out, size_t *outlen)
{
	const char	*s = p->s;
	size_t		 start = ++p->i, i, n = 0, run;
	char		*grown;
	unsigned char	 c;
	int		 escaped = 0;

	/* Find the end, and whether there is an escape to undo. */
	for (i = start; i < p->len; i++) {
		c = (unsigned char)s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return (-1);
		if (c == '\\') {
			escaped = 1;
			if (++i >= p->len)
				return (-1);
		}
	}
	if (i >= p->len)
		return (-1);
	if (!escaped) {
		if (utf8_validate(s + start, i - start, NULL) == -1)
			return (-1);
		*out = s + start;
		*outlen = i - start;
		p->i = i + 1;
		return (0);
	}
	if (i - start > p->cap) {
		if ((grown = realloc(p->buf, i - start)) == NULL)
			return (-1);
		p->buf = grown;
		p->cap = i - start;
	}
	for (i = start; s[i] != '"'; i++) {
		if (s[i] != '\\') {
			/* Copy the run up to the next escape or the end. */
			for (run = i; s[run] != '"' && s[run] != '\\'; run++)
				;
			memcpy(p->buf + n, s + i, run - i);
			n += run - i;
			i = run - 1;
			continue;
		}
		switch (s[++i]) {
		case '"':
		case '\\':
		case '/':
			p->buf[n++] = s[i];
			break;
		case 'b':
			p->buf[n++] = '\b';
			break;
		case 'f':
			p->buf[n++] = '\f';
			break;
		case 'n':
			p->buf[n++] = '\n';
			break;
		case 'r':
			p->buf[n++] = '\r';
			break;
		case 't':
			p->buf[n++] = '\t';
			break;
		default:
			/* \u and anything invalid: jansson's to judge. */
			return (-1);
		}
	}
	if (utf8_validate(p->buf, n, NULL) == -1)
		return (-1);
	*out = p->buf;
	*outlen = n;
	p->i = i + 1;
	return (0);
}

/* An integer of up to 18 digits, as jansson reads it; NULL: declined. */
static json_t *
jsonfast_integer(struct jsonfast *p)
{
	const char	*s = p->s;
	size_t		 i = p->i, digits = 0;
	int		 negative = 0;
	int64_t		 v = 0;

	if (s[i] == '-') {
		negative = 1;
		i++;
	}
	if (i >= p->len || s[i] < '0' || s[i] > '9')
		return (NULL);
	if (s[i] == '0' && i + 1 < p->len && s[i + 1] >= '0' && s[i + 1] <= '9')
		return (NULL);
	while (i < p->len && s[i] >= '0' && s[i] <= '9') {
		if (++digits > 18)
			return (NULL);
		v = v * 10 + (s[i] - '0');
		i++;
	}
	/* A fraction or an exponent: a real, jansson's. */
	if (i < p->len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
		return (NULL);
	p->i = i;
	return (json_integer(negative ? -v : v));
}

/* A literal: true, false or null. */
static json_t *
jsonfast_literal(struct jsonfast *p, const char *word, json_t *value)
{
	size_t	n = strlen(word);

	if (p->len - p->i < n || memcmp(p->s + p->i, word, n) != 0)
		return (NULL);
	p->i += n;
	return (value);
}

static json_t *
jsonfast_object(struct jsonfast *p, int depth)
{
	json_t		*obj, *v;
	const char	*key;
	size_t		 keylen;

	if ((obj = json_object()) == NULL)
		return (NULL);
	p->i++;
	jsonfast_space(p);
	if (p->i < p->len && p->s[p->i] == '}') {
		p->i++;
		return (obj);
	}
	for (;;) {
		if (p->i >= p->len || p->s[p->i] != '"' ||
		    jsonfast_string(p, &key, &keylen) == -1)
			goto fail;
		/* A duplicate is an error; jansson words it. */
		if (json_object_getn(obj, key, keylen) != NULL)
			goto fail;
		/*
		 * An escaped key lives in p->buf, which the value may reuse:
		 * rare enough to leave to jansson.
		 */
		if (key == p->buf)
			goto fail;
		jsonfast_space(p);
		if (p->i >= p->len || p->s[p->i] != ':')
			goto fail;
		p->i++;
		jsonfast_space(p);
		if ((v = jsonfast_value(p, depth + 1)) == NULL ||
		    json_object_setn_new_nocheck(obj, key, keylen, v) == -1)
			goto fail;
		jsonfast_space(p);
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			jsonfast_space(p);
			continue;
		}
		if (p->i < p->len && p->s[p->i] == '}') {
			p->i++;
			return (obj);
		}
		goto fail;
	}
fail:
	json_decref(obj);
	return (NULL);
}

static json_t *
jsonfast_array(struct jsonfast *p, int depth)
{
	json_t	*arr, *v;

	if ((arr = json_array()) == NULL)
		return (NULL);
	p->i++;
	jsonfast_space(p);
	if (p->i < p->len && p->s[p->i] == ']') {
		p->i++;
		return (arr);
	}
	for (;;) {
		if ((v = jsonfast_value(p, depth + 1)) == NULL ||
		    json_array_append_new(arr, v) == -1)
			goto fail;
		jsonfast_space(p);
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			jsonfast_space(p);
			continue;
		}
		if (p->i < p->len && p->s[p->i] == ']') {
			p->i++;
			return (arr);
		}
		goto fail;
	}
fail:
	json_decref(arr);
	return (NULL);
}

/* The value at p->i (no whitespace before it). */
static json_t *
jsonfast_value(struct jsonfast *p, int depth)
{
	const char	*str;
	size_t		 len;

	if (p->i >= p->len || depth > JSONFAST_DEPTH_MAX)
		return (NULL);
	switch (p->s[p->i]) {
	case '{':
		return (jsonfast_object(p, depth));
	case '[':
		return (jsonfast_array(p, depth));
	case '"':
		if (jsonfast_string(p, &str, &len) == -1)
			return (NULL);
		return (json_stringn_nocheck(str, len));
	case 't':
		return (jsonfast_literal(p, "true", json_true()));
	case 'f':
		return (jsonfast_literal(p, "false", json_false()));
	case 'n':
		return (jsonfast_literal(p, "null", json_null()));
	default:
		return (jsonfast_integer(p));
	}
}

json_t *
jsonfast_parse(const char *s, size_t len)
{
	struct jsonfast	 p = { s, len, 0, NULL, 0 };
	json_t		*j = NULL;

	jsonfast_space(&p);
	/* jansson reads only an object or an array at the top. */
	if (p.i < len && (s[p.i] == '{' || s[p.i] == '[')) {
		j = jsonfast_value(&p, 1);
		jsonfast_space(&p);
		if (j != NULL && p.i != len) {
			json_decref(j);
			j = NULL;
		}
	}
	free(p.buf);
	return (j);
}
