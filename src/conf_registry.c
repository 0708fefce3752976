/* The member registry of kentongand.conf: members, agreements and lookups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"

/* Parse 64 hex digits, with optional colons between byte pairs. */
static int
conf_fingerprint_parse(const char *s, unsigned char out[CONF_SHA256_LEN])
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*h, *l;
	size_t			 i;

	for (i = 0; i < CONF_SHA256_LEN; i++) {
		if (i > 0 && *s == ':')
			s++;
		if (s[0] == '\0' || s[1] == '\0')
			return (-1);
		h = strchr(hex, s[0] >= 'A' && s[0] <= 'F' ? s[0] + 32 : s[0]);
		l = strchr(hex, s[1] >= 'A' && s[1] <= 'F' ? s[1] + 32 : s[1]);
		if (h == NULL || l == NULL)
			return (-1);
		out[i] = (unsigned char)(((h - hex) << 4) | (l - hex));
		s += 2;
	}
	return (*s == '\0' ? 0 : -1);
}

/* Free what a member owns. */
void
conf_member_clear(struct conf_member *m)
{
	free(m->id);
	free(m->name);
	free(m->sha256);
	free(m->cn);
	free(m->connect.host);
	free(m->connect.port);
	memset(m, 0, sizeof *m);
}

/* Remember a member whose line failed, so agreements naming it pass. */
static void
conf_broken_add(struct conf_parser *p, const char *id, int line)
{
	char	**v, *s;

	if ((s = strdup(id)) == NULL) {
		conf_nomem(p, line);
		return;
	}
	v = reallocarray(p->broken, p->nbroken + 1, sizeof *v);
	if (v == NULL) {
		free(s);
		conf_nomem(p, line);
		return;
	}
	p->broken = v;
	p->broken[p->nbroken++] = s;
}

/* 1 if a member line with this ID failed. */
int
conf_broken_has(struct conf_parser *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->nbroken; i++) {
		if (strcmp(p->broken[i], id) == 0)
			return (1);
	}
	return (0);
}

/* Apply one OPTION=VALUE of a member line to m. */
static int
conf_member_option(struct conf_parser *p, struct conf_member *m,
    const char *what, const char *id, char *arg, int line, int *have_role)
{
	unsigned char	  fp[CONF_SHA256_LEN], (*v)[CONF_SHA256_LEN];
	char		 *eq, *val;
	size_t		  i;

	if ((eq = strchr(arg, '=')) == NULL) {
		return (conf_error(p, line, "%s \"%s\": expected "
		    "OPTION=VALUE, got \"%s\"", what, id, conf_quote(p, arg)));
	}
	*eq = '\0';
	val = eq + 1;

	if (strcmp(arg, "name") == 0) {
		if (m->name != NULL) {
			return (conf_error(p, line, "%s \"%s\": duplicate "
			    "option \"name\"", what, id));
		}
		if (*val == '\0') {
			return (conf_error(p, line, "%s \"%s\": name: "
			    "expected a non-empty name", what, id));
		}
		if ((m->name = strdup(val)) == NULL)
			return (conf_nomem(p, line));
	} else if (strcmp(arg, "role") == 0 && m->role != ROLE_HUB) {
		if (*have_role) {
			return (conf_error(p, line, "%s \"%s\": duplicate "
			    "option \"role\"", what, id));
		}
		if (role_parse(val, &m->role) != 0 || m->role == ROLE_HUB) {
			return (conf_error(p, line, "%s \"%s\": role: "
			    "expected member, partner, operator or monitor, got "
			    "\"%s\"",
			    what, id, conf_quote(p, val)));
		}
		*have_role = 1;
	} else if (strcmp(arg, "cert_sha256") == 0) {
		if (conf_fingerprint_parse(val, fp) != 0) {
			return (conf_error(p, line, "%s \"%s\": "
			    "cert_sha256: expected 64 hex digits (colons "
			    "allowed between byte pairs), got \"%s\"", what, id,
			    conf_quote(p, val)));
		}
		for (i = 0; i < m->nsha256; i++) {
			if (memcmp(m->sha256[i], fp, sizeof fp) == 0) {
				return (conf_error(p, line, "%s \"%s\": "
				    "cert_sha256 \"%s\" given twice", what, id,
				    conf_quote(p, val)));
			}
		}
		v = reallocarray(m->sha256, m->nsha256 + 1, sizeof *v);
		if (v == NULL)
			return (conf_nomem(p, line));
		m->sha256 = v;
		memcpy(m->sha256[m->nsha256++], fp, sizeof fp);
	} else if (strcmp(arg, "cert_cn") == 0) {
		if (m->cn != NULL) {
			return (conf_error(p, line, "%s \"%s\": duplicate "
			    "option \"cert_cn\"", what, id));
		}
		if (*val == '\0') {
			return (conf_error(p, line, "%s \"%s\": cert_cn: "
			    "expected a non-empty name", what, id));
		}
		if ((m->cn = strdup(val)) == NULL)
			return (conf_nomem(p, line));
	} else if (m->role == ROLE_HUB) {
		return (conf_peer_option(p, m, id, arg, val, line, have_role));
	} else {
		return (conf_error(p, line, "%s \"%s\": unknown option "
		    "\"%s\"", what, id, conf_quote(p, arg)));
	}
	return (0);
}

/* Check that no other member claims the certificate identity of m. */
static int
conf_member_conflicts(struct conf_parser *p, const struct conf_member *m)
{
	const struct conf	*conf = p->conf;
	const struct conf_member *o;
	size_t			 i, j, f;

	for (i = 0; i < conf->nmembers; i++) {
		o = &conf->members[i];
		for (f = 0; f < m->nsha256; f++) {
			for (j = 0; j < o->nsha256; j++) {
				if (memcmp(m->sha256[f], o->sha256[j],
				    CONF_SHA256_LEN) != 0)
					continue;
				return (conf_error(p, m->line, "%s \"%s\": "
				    "certificate fingerprint already claimed "
				    "by \"%s\" (line %d)", m->role == ROLE_HUB ?
				    "peer" : "member", m->id, o->id, o->line));
			}
		}
		if (m->cn != NULL && o->cn != NULL &&
		    strcmp(m->cn, o->cn) == 0) {
			return (conf_error(p, m->line, "%s \"%s\": cert_cn "
			    "\"%s\" already claimed by \"%s\" (line %d)",
			    m->role == ROLE_HUB ? "peer" : "member", m->id,
			    conf_quote(p, m->cn), o->id, o->line));
		}
	}
	return (0);
}

/* member or peer ID [OPTION=VALUE]...: add a party to the registry. */
static int
conf_set_party(struct conf_parser *p, size_t argc, char **argv, int line,
    enum role role, const char *what)
{
	struct conf		 *conf = p->conf;
	struct conf_member	  m, *v;
	const struct conf_member *o;
	const char		 *id = argv[0];
	size_t			  i;
	int			  have_role = 0;

	memset(&m, 0, sizeof m);
	if (!conf_valid_id(id)) {
		return (conf_error(p, line, "%s: invalid ID \"%s\" "
		    "(expected " CONF_ID_CHARS ")", what, conf_quote(p, id)));
	}
	if ((o = conf_member_by_id(conf, id)) != NULL &&
	    (role == ROLE_HUB) == (o->role == ROLE_HUB)) {
		return (conf_error(p, line, "%s \"%s\": duplicate %s ID (first "
		    "declared at line %d)", what, id, what, o->line));
	}
	if (o != NULL) {
		return (conf_error(p, line, "%s \"%s\": the ID is already a "
		    "%s's (line %d): a peer and a member cannot share an ID",
		    what, id, o->role == ROLE_HUB ? "peer" : "member",
		    o->line));
	}
	m.role = role;
	m.max_tlp = TLP_GREEN;
	m.hops = 1;
	for (i = 1; i < argc; i++) {
		if (conf_member_option(p, &m, what, id, argv[i], line,
		    &have_role) != 0)
			goto fail;
	}
	m.line = line;
	if (m.nsha256 == 0 && m.cn == NULL) {
		conf_error(p, line, "%s \"%s\": expected cert_sha256 or "
		    "cert_cn (at least one)", what, id);
		goto fail;
	}
	if ((m.id = strdup(id)) == NULL ||
	    (m.name == NULL && (m.name = strdup(id)) == NULL)) {
		conf_nomem(p, line);
		goto fail;
	}
	if (conf_member_conflicts(p, &m) != 0)
		goto fail;
	v = reallocarray(conf->members, conf->nmembers + 1, sizeof *v);
	if (v == NULL) {
		conf_nomem(p, line);
		goto fail;
	}
	conf->members = v;
	conf->members[conf->nmembers++] = m;
	return (0);

fail:
	conf_member_clear(&m);
	conf_broken_add(p, id, line);
	return (-1);
}

/* member ID [OPTION=VALUE]...: add a member to the registry. */
int
conf_set_member(struct conf_parser *p, __attribute__((unused))
    const struct conf_key *k, size_t argc, char **argv, int line)
{
	return (conf_set_party(p, argc, argv, line, ROLE_MEMBER, "member"));
}

/* peer ID [OPTION=VALUE]...: add a peer hub to the registry. */
int
conf_set_peer(struct conf_parser *p, __attribute__((unused))
    const struct conf_key *k, size_t argc, char **argv, int line)
{
	return (conf_set_party(p, argc, argv, line, ROLE_HUB, "peer"));
}

/* agreement A B max_tlp=L: add a bilateral agreement. */
int
conf_set_agreement(struct conf_parser *p, __attribute__((unused))
    const struct conf_key *k, size_t argc, char **argv, int line)
{
	struct conf			*conf = p->conf;
	struct conf_agreement		 ag, *v;
	const struct conf_agreement	*o;
	const char			*a = argv[0], *b = argv[1];
	char				*eq;
	size_t				 i;
	int				 have_tlp = 0;

	memset(&ag, 0, sizeof ag);
	for (i = 0; i < 2; i++) {
		if (!conf_valid_id(argv[i])) {
			return (conf_error(p, line, "agreement: invalid "
			    "member ID \"%s\" (expected " CONF_ID_CHARS ")",
			    conf_quote(p, argv[i])));
		}
	}
	if (strcmp(a, b) == 0) {
		return (conf_error(p, line, "agreement %s %s: a member cannot "
		    "have an agreement with itself", a, b));
	}
	for (i = 2; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL) {
			return (conf_error(p, line, "agreement %s %s: expected "
			    "OPTION=VALUE, got \"%s\"", a, b,
			    conf_quote(p, argv[i])));
		}
		*eq = '\0';
		if (strcmp(argv[i], "max_tlp") != 0) {
			return (conf_error(p, line, "agreement %s %s: unknown "
			    "option \"%s\"", a, b, conf_quote(p, argv[i])));
		}
		if (have_tlp) {
			return (conf_error(p, line, "agreement %s %s: "
			    "duplicate option \"max_tlp\"", a, b));
		}
		if (tlp_parse(eq + 1, &ag.max_tlp) != 0 ||
		    ag.max_tlp < TLP_AMBER) {
			return (conf_error(p, line, "agreement %s %s: max_tlp: "
			    "expected " CONF_TLP_CHOICE ", got \"%s\"", a, b,
			    conf_quote(p, eq + 1)));
		}
		have_tlp = 1;
	}
	if (!have_tlp) {
		return (conf_error(p, line, "agreement %s %s: missing max_tlp "
		    "(expected " CONF_TLP_CHOICE ")", a, b));
	}
	if ((o = conf_agreement_between(conf, a, b)) != NULL) {
		return (conf_error(p, line, "agreement %s %s: duplicate "
		    "agreement for this pair (first at line %d)", a, b,
		    o->line));
	}
	ag.line = line;
	if ((ag.a = strdup(a)) == NULL || (ag.b = strdup(b)) == NULL)
		goto nomem;
	v = reallocarray(conf->agreements, conf->nagreements + 1, sizeof *v);
	if (v == NULL)
		goto nomem;
	conf->agreements = v;
	conf->agreements[conf->nagreements++] = ag;
	return (0);

nomem:
	free(ag.a);
	free(ag.b);
	return (conf_nomem(p, line));
}

/* The member with this ID, or NULL. */
const struct conf_member *
conf_member_by_id(const struct conf *conf, const char *id)
{
	size_t	i;

	for (i = 0; i < conf->nmembers; i++) {
		if (strcmp(conf->members[i].id, id) == 0)
			return (&conf->members[i]);
	}
	return (NULL);
}

/* The member a certificate maps to: fingerprint first, then CN. */
const struct conf_member *
conf_member_by_cert(const struct conf *conf,
    const unsigned char sha256[CONF_SHA256_LEN], const char *cn)
{
	const struct conf_member	*m;
	size_t				 i, j;

	for (i = 0; sha256 != NULL && i < conf->nmembers; i++) {
		m = &conf->members[i];
		for (j = 0; j < m->nsha256; j++) {
			if (memcmp(m->sha256[j], sha256, CONF_SHA256_LEN) == 0)
				return (m);
		}
	}
	for (i = 0; cn != NULL && i < conf->nmembers; i++) {
		m = &conf->members[i];
		if (m->cn != NULL && strcmp(m->cn, cn) == 0)
			return (m);
	}
	return (NULL);
}

/* The agreement between a and b, in either order, or NULL. */
const struct conf_agreement *
conf_agreement_between(const struct conf *conf, const char *a, const char *b)
{
	const struct conf_agreement	*ag;
	size_t				 i;

	for (i = 0; i < conf->nagreements; i++) {
		ag = &conf->agreements[i];
		if ((strcmp(ag->a, a) == 0 && strcmp(ag->b, b) == 0) ||
		    (strcmp(ag->a, b) == 0 && strcmp(ag->b, a) == 0))
			return (ag);
	}
	return (NULL);
}

/*
 * Lower-case hex of a fingerprint without colons (64 characters, so buf
 * needs at least 65 bytes); NULL if buf is too small.
 */
char *
conf_fingerprint_hex(const unsigned char sha256[CONF_SHA256_LEN], char *buf,
    size_t size)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	if (size < CONF_SHA256_LEN * 2 + 1)
		return (NULL);
	for (i = 0; i < CONF_SHA256_LEN; i++) {
		buf[i * 2] = hex[sha256[i] >> 4];
		buf[i * 2 + 1] = hex[sha256[i] & 0xf];
	}
	buf[CONF_SHA256_LEN * 2] = '\0';
	return (buf);
}
