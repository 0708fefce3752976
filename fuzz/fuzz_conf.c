/*
 * Fuzz target: the configuration parser, conf_parse over the input as the
 * text of "fuzz.conf". conf_parse reads no file (certificate and database
 * paths are only recorded here; hub.c opens them), so this is pure. The
 * text is parsed a second time as "sub/fuzz.conf": the outcome must be the
 * same, with "sub/" in front of the message and of every relative path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"
#include "fuzz.h"
#include "levels.h"

#define CONF_FUZZ_FILE	"fuzz.conf"
#define CONF_FUZZ_SUB	"sub/"

int
LLVMFuzzerInitialize(__attribute__((unused)) int *argc,
    __attribute__((unused)) char ***argv)
{
	return (0);
}

/* Check the "FILE:LINE: " prefix of an error; lines counts the text's. */
static void
conf_fuzz_cause(const char *cause, const char *file, size_t lines)
{
	const char	*p;
	size_t		 flen = strlen(file);
	unsigned long	 line = 0;

	FUZZ_CHECK(cause != NULL);
	FUZZ_CHECK(strncmp(cause, file, flen) == 0 && cause[flen] == ':');
	p = cause + flen + 1;
	FUZZ_CHECK(*p >= '0' && *p <= '9');
	for (; *p >= '0' && *p <= '9'; p++) {
		line = line * 10 + (unsigned long)(*p - '0');
		FUZZ_CHECK(line <= lines);
	}
	FUZZ_CHECK(p[0] == ':' && p[1] == ' ' && p[2] != '\0');
}

/* Check a path-valued setting of both parses. */
static void
conf_fuzz_path(const struct conf_path *a, const struct conf_path *b,
    int required)
{
	FUZZ_CHECK(a->line == b->line);
	if (a->path == NULL) {
		FUZZ_CHECK(!required && b->path == NULL && a->line == 0);
		return;
	}
	FUZZ_CHECK(*a->path != '\0' && b->path != NULL);
	if (a->line == 0 || a->path[0] == '/')
		FUZZ_CHECK(strcmp(a->path, b->path) == 0);
	else
		FUZZ_CHECK(strncmp(b->path, CONF_FUZZ_SUB,
		    strlen(CONF_FUZZ_SUB)) == 0 &&
		    strcmp(b->path + strlen(CONF_FUZZ_SUB), a->path) == 0);
}

/* Check what a successful parse holds, and its lookups. */
static void
conf_fuzz_valid(const struct conf *c)
{
	const struct conf_member	*m;
	const struct conf_agreement	*ag;
	const struct conf_address	*l;
	char				 hex[65];
	size_t				 i, j;

	FUZZ_CHECK(strcmp(c->file, CONF_FUZZ_FILE) == 0);
	FUZZ_CHECK(c->nlisten >= 1);
	for (i = 0; i < c->nlisten; i++) {
		l = &c->listen[i];
		FUZZ_CHECK(l->host != NULL && l->port != NULL);
		FUZZ_CHECK(atoi(l->port) >= 1 && atoi(l->port) <= 65535);
		FUZZ_CHECK(c->operator_off ||
		    strcmp(l->host, c->operator_listen.host) != 0 ||
		    strcmp(l->port, c->operator_listen.port) != 0);
	}
	FUZZ_CHECK(c->operator_off ? c->operator_listen.host == NULL :
	    c->operator_listen.host != NULL && c->operator_listen.port != NULL);
	FUZZ_CHECK(c->max_message_bytes >= 4096 &&
	    c->max_message_bytes <= 67108864);
	FUZZ_CHECK(c->handshake_timeout >= 1 && c->handshake_timeout <= 3600);
	FUZZ_CHECK(c->idle_timeout >= 1 && c->idle_timeout <= 86400);
	FUZZ_CHECK(c->report_rate <= 1000000);
	FUZZ_CHECK(c->report_rate == 0 ? c->report_burst == 0 :
	    c->report_burst >= 1 && c->report_burst <= 10000000);
	FUZZ_CHECK(c->database.path != NULL && c->taxonomy.path != NULL);

	for (i = 0; i < c->nmembers; i++) {
		m = &c->members[i];
		FUZZ_CHECK(m->id != NULL && conf_valid_id(m->id));
		FUZZ_CHECK(m->name != NULL && *m->name != '\0');
		FUZZ_CHECK(m->role <= ROLE_OPERATOR);
		FUZZ_CHECK(m->nsha256 > 0 || m->cn != NULL);
		FUZZ_CHECK(m->cn == NULL || *m->cn != '\0');
		FUZZ_CHECK(m->line >= 1);
		FUZZ_CHECK(conf_member_by_id(c, m->id) == m);
		for (j = 0; j < m->nsha256; j++) {
			FUZZ_CHECK(conf_member_by_cert(c, m->sha256[j],
			    NULL) == m);
			FUZZ_CHECK(conf_fingerprint_hex(m->sha256[j], hex,
			    sizeof hex) == hex && strlen(hex) == 64);
		}
		if (m->cn != NULL)
			FUZZ_CHECK(conf_member_by_cert(c, NULL, m->cn) == m);
	}
	for (i = 0; i < c->nagreements; i++) {
		ag = &c->agreements[i];
		FUZZ_CHECK(strcmp(ag->a, ag->b) != 0);
		FUZZ_CHECK(ag->max_tlp >= TLP_AMBER && ag->max_tlp <= TLP_RED);
		FUZZ_CHECK(conf_agreement_between(c, ag->a, ag->b) == ag);
		FUZZ_CHECK(conf_agreement_between(c, ag->b, ag->a) == ag);
		m = conf_member_by_id(c, ag->a);
		FUZZ_CHECK(m != NULL && m->role != ROLE_OPERATOR);
		m = conf_member_by_id(c, ag->b);
		FUZZ_CHECK(m != NULL && m->role != ROLE_OPERATOR);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*a, *b;
	char		*cause_a = NULL, *cause_b = NULL;
	size_t		 lines = 1, i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	a = conf_parse((const char *)data, size, CONF_FUZZ_FILE, &cause_a);
	b = conf_parse((const char *)data, size, CONF_FUZZ_SUB CONF_FUZZ_FILE,
	    &cause_b);
	FUZZ_CHECK((a == NULL) == (b == NULL));
	if (a == NULL) {
		conf_fuzz_cause(cause_a, CONF_FUZZ_FILE, lines);
		conf_fuzz_cause(cause_b, CONF_FUZZ_SUB CONF_FUZZ_FILE, lines);
		FUZZ_CHECK(strcmp(cause_b + strlen(CONF_FUZZ_SUB), cause_a) ==
		    0);
	} else {
		FUZZ_CHECK(cause_a == NULL && cause_b == NULL);
		conf_fuzz_valid(a);
		conf_fuzz_path(&a->tls_certificate, &b->tls_certificate, 1);
		conf_fuzz_path(&a->tls_key, &b->tls_key, 1);
		conf_fuzz_path(&a->tls_client_ca, &b->tls_client_ca, 1);
		conf_fuzz_path(&a->tls_crl, &b->tls_crl, 0);
		conf_fuzz_path(&a->database, &b->database, 1);
		conf_fuzz_path(&a->taxonomy, &b->taxonomy, 1);
		FUZZ_CHECK(a->nmembers == b->nmembers &&
		    a->nagreements == b->nagreements &&
		    a->nlisten == b->nlisten);
	}
	free(cause_a);
	free(cause_b);
	conf_free(a);
	conf_free(b);
	return (0);
}
