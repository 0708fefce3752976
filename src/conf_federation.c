/* The federation keys of kentongand.conf: hub_id, peer and peer_amber_to. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"

/* 1 if s is a host name (letters, digits, dots and dashes). */
static int
conf_hostname(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
		return (0);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-'))
			return (0);
	}
	return (1);
}

/*
 * connect=HOST:PORT or [IPv6]:PORT, HOST a numeric address or a name
 * (resolved when the hub dials). -1 with the error recorded.
 */
static int
conf_peer_connect(struct conf_parser *p, const char *id, const char *val,
    int line, struct conf_address *a)
{
	struct in6_addr	 in6;
	const char	*host, *colon, *end;
	char		*h;
	size_t		 hlen;
	unsigned long	 port;
	char		*endp;

	if (a->host != NULL)
		return (conf_error(p, line, "peer \"%s\": duplicate option "
		    "\"connect\"", id));
	if (*val == '[') {
		if ((end = strchr(val, ']')) == NULL || end[1] != ':')
			goto bad;
		host = val + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
	} else {
		if ((colon = strrchr(val, ':')) == NULL)
			goto bad;
		host = val;
		hlen = (size_t)(colon - val);
	}
	port = strtoul(colon + 1, &endp, 10);
	if (colon[1] < '0' || colon[1] > '9' || *endp != '\0' || port == 0 ||
	    port > 65535)
		return (conf_error(p, line, "peer \"%s\": connect: expected a "
		    "port from 1 to 65535 in \"%s\"", id, conf_quote(p, val)));
	if ((h = strndup(host, hlen)) == NULL)
		return (conf_nomem(p, line));
	if (*val == '[' ? inet_pton(AF_INET6, h, &in6) != 1 :
	    !conf_hostname(h, hlen)) {
		free(h);
		goto bad;
	}
	a->host = h;
	if (asprintf(&a->port, "%lu", port) == -1) {
		a->port = NULL;
		return (conf_nomem(p, line));
	}
	a->line = line;
	return (0);
bad:
	return (conf_error(p, line, "peer \"%s\": connect: expected HOST:PORT "
	    "or [IPv6]:PORT, got \"%s\"", id, conf_quote(p, val)));
}

int
conf_peer_option(struct conf_parser *p, struct conf_member *m, const char *id,
    const char *name, const char *val, int line, int *seen)
{
	unsigned long	 hops;
	char		*end;

	if (strcmp(name, "connect") == 0)
		return (conf_peer_connect(p, id, val, line, &m->connect));
	if (strcmp(name, "max_tlp") == 0) {
		if (*seen & 1)
			return (conf_error(p, line, "peer \"%s\": duplicate "
			    "option \"max_tlp\"", id));
		*seen |= 1;
		if (tlp_parse(val, &m->max_tlp) != 0 ||
		    m->max_tlp > TLP_AMBER)
			return (conf_error(p, line, "peer \"%s\": max_tlp: "
			    "expected clear, green or amber (amber+strict and "
			    "red never leave the hub), got \"%s\"", id,
			    conf_quote(p, val)));
		return (0);
	}
	if (strcmp(name, "hops") == 0) {
		if (*seen & 2)
			return (conf_error(p, line, "peer \"%s\": duplicate "
			    "option \"hops\"", id));
		*seen |= 2;
		hops = strtoul(val, &end, 10);
		if (*val < '0' || *val > '9' || *end != '\0' || hops < 1 ||
		    hops > CONF_HOPS_MAX)
			return (conf_error(p, line, "peer \"%s\": hops: expected "
			    "a number from 1 to %d, got \"%s\"", id,
			    CONF_HOPS_MAX, conf_quote(p, val)));
		m->hops = (unsigned)hops;
		return (0);
	}
	if (strcmp(name, "role") == 0)
		return (conf_error(p, line, "peer \"%s\": a peer has role hub; "
		    "remove role=", id));
	return (conf_error(p, line, "peer \"%s\": unknown option \"%s\"", id,
	    conf_quote(p, name)));
}

/* hub_id ID: this hub's own ID among its peers. */
int
conf_set_hub_id(struct conf_parser *p, __attribute__((unused))
    const struct conf_key *k, size_t argc, char **argv, int line)
{
	(void)argc;
	if (!conf_valid_id(argv[0]))
		return (conf_error(p, line, "hub_id: invalid ID \"%s\" "
		    "(expected " CONF_ID_CHARS ")", conf_quote(p, argv[0])));
	free(p->conf->hub_id);
	if ((p->conf->hub_id = strdup(argv[0])) == NULL)
		return (conf_nomem(p, line));
	p->conf->hub_id_line = line;
	return (0);
}

/* peer_amber_to ID...: who receives amber reports forwarded by peers. */
int
conf_set_peer_amber_to(struct conf_parser *p, __attribute__((unused))
    const struct conf_key *k, size_t argc, char **argv, int line)
{
	struct conf	 *conf = p->conf;
	char		**v;
	int		 *lines;
	size_t		  i;

	for (i = 0; i < argc; i++) {
		if (!conf_valid_id(argv[i]))
			return (conf_error(p, line, "peer_amber_to: invalid "
			    "ID \"%s\" (expected " CONF_ID_CHARS ")",
			    conf_quote(p, argv[i])));
		if (conf_amber_to(conf, argv[i]))
			return (conf_error(p, line, "peer_amber_to: \"%s\" "
			    "given twice", argv[i]));
		v = reallocarray(conf->peer_amber_to, conf->npeer_amber_to + 1,
		    sizeof *v);
		if (v == NULL)
			return (conf_nomem(p, line));
		conf->peer_amber_to = v;
		lines = reallocarray(conf->peer_amber_to_lines,
		    conf->npeer_amber_to + 1, sizeof *lines);
		if (lines == NULL)
			return (conf_nomem(p, line));
		conf->peer_amber_to_lines = lines;
		if ((v[conf->npeer_amber_to] = strdup(argv[i])) == NULL)
			return (conf_nomem(p, line));
		lines[conf->npeer_amber_to++] = line;
	}
	if (conf->peer_amber_to_line == 0)
		conf->peer_amber_to_line = line;
	return (0);
}

int
conf_amber_to(const struct conf *conf, const char *id)
{
	size_t	i;

	for (i = 0; i < conf->npeer_amber_to; i++) {
		if (strcmp(conf->peer_amber_to[i], id) == 0)
			return (1);
	}
	return (0);
}

/*
 * The checks of the federation keys that need the whole file: a peer
 * wants hub_id, and hub_id and peer_amber_to name no one they should not.
 */
void
conf_federation_check(struct conf_parser *p)
{
	const struct conf		*conf = p->conf;
	const struct conf_member	*m, *first = NULL;
	size_t				 i;

	for (i = 0; i < conf->nmembers; i++) {
		if (conf->members[i].role == ROLE_HUB) {
			first = &conf->members[i];
			break;
		}
	}
	/* A hub_id line that was refused has its own error. */
	if (first != NULL && conf->hub_id == NULL &&
	    conf_key_seen(p, "hub_id") == 0)
		conf_error(p, first->line, "peer \"%s\": hub_id is required "
		    "when a peer is set: add a line \"hub_id ID\" with this "
		    "hub's own ID", first->id);
	if (conf->hub_id != NULL &&
	    (m = conf_member_by_id(conf, conf->hub_id)) != NULL)
		conf_error(p, conf->hub_id_line, "hub_id: \"%s\" is also the "
		    "ID of a %s (line %d)", conf->hub_id, m->role == ROLE_HUB ?
		    "peer" : "member", m->line);
	for (i = 0; i < conf->npeer_amber_to; i++) {
		m = conf_member_by_id(conf, conf->peer_amber_to[i]);
		if (m == NULL && conf_broken_has(p, conf->peer_amber_to[i]))
			continue;
		if (m == NULL)
			conf_error(p, conf->peer_amber_to_lines[i],
			    "peer_amber_to: unknown member \"%s\"",
			    conf->peer_amber_to[i]);
		else if (m->role != ROLE_MEMBER && m->role != ROLE_PARTNER)
			conf_error(p, conf->peer_amber_to_lines[i],
			    "peer_amber_to: \"%s\" is not a member or partner",
			    conf->peer_amber_to[i]);
	}
}
