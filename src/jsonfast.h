/*
 * A fast reader for the JSON the hub is sent most: an object of objects,
 * arrays, strings, small integers, true, false and null. It builds the
 * same jansson tree json_loadb(..., JSON_REJECT_DUPLICATES) would, without
 * jansson's lexer, or declines; on anything it declines (invalid JSON,
 * duplicate keys, \u escapes, numbers other than integers of up to 18
 * digits, deep nesting) the caller parses with jansson, which gives the
 * error or the value. So it only ever has to be right when it succeeds.
 */
#ifndef KENTONGAN_JSONFAST_H
#define KENTONGAN_JSONFAST_H

#include <stddef.h>

#include <jansson.h>

/* Nesting deeper than this is left to jansson. */
#define JSONFAST_DEPTH_MAX	32

/* The tree of s[0..len), a top-level object or array; NULL: declined. */
json_t	*jsonfast_parse(const char *s, size_t len);

#endif
