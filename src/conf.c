/* kentongand.conf: one table of keys drives parsing, defaults and checks. */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"

#ifndef KENTONGAN_DEFAULT_DATABASE
#define KENTONGAN_DEFAULT_DATABASE	"/var/lib/kentongan/kentongan.db"
#endif
#ifndef KENTONGAN_DEFAULT_TAXONOMY
#define KENTONGAN_DEFAULT_TAXONOMY	"/usr/share/kentongan/taxonomy.json"
#endif

#define CONF_READ_CHUNK	16384
#define CONF_MAX_BYTES	(64 * 1024 * 1024)	/* refuse /dev/zero and such */


static int	conf_set_listen(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);
static int	conf_set_operator(struct conf_parser *,
		    const struct conf_key *, size_t, char **, int);
static int	conf_set_path(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);
static int	conf_set_size(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);
static int	conf_set_uint(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);
static int	conf_set_rate(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);
static int	conf_set_log_level(struct conf_parser *,
		    const struct conf_key *, size_t, char **, int);
static int	conf_set_ledger(struct conf_parser *, const struct conf_key *,
		    size_t, char **, int);

static const struct conf_key conf_keys[] = {
	{ .name = "listen", .set = conf_set_listen,
	  .minargs = 1, .maxargs = 1, .repeatable = 1,
	  .def = "0.0.0.0:7400", .syntax = "ADDR:PORT",
	  .help = "Address for member connections ([ADDR]:PORT for IPv6); "
	  "may be given more than once." },
	{ .name = "operator_listen", .set = conf_set_operator,
	  .minargs = 1, .maxargs = 1,
	  .def = "127.0.0.1:7401", .syntax = "ADDR:PORT or off",
	  .help = "Address of the operator HTTPS API, or off." },
	{ .name = "tls_certificate", .set = conf_set_path,
	  .off = offsetof(struct conf, tls_certificate),
	  .minargs = 1, .maxargs = 1, .required = 1, .syntax = "FILE",
	  .help = "Certificate chain of the hub, PEM." },
	{ .name = "tls_key", .set = conf_set_path,
	  .off = offsetof(struct conf, tls_key),
	  .minargs = 1, .maxargs = 1, .required = 1, .syntax = "FILE",
	  .help = "Private key of the hub, PEM." },
	{ .name = "tls_client_ca", .set = conf_set_path,
	  .off = offsetof(struct conf, tls_client_ca),
	  .minargs = 1, .maxargs = 1, .required = 1, .syntax = "FILE",
	  .help = "CA certificates that issue member and operator "
	  "certificates, PEM." },
	{ .name = "tls_crl", .set = conf_set_path,
	  .off = offsetof(struct conf, tls_crl),
	  .minargs = 1, .maxargs = 1, .syntax = "FILE",
	  .help = "Certificate revocation list, PEM (optional)." },
	{ .name = "database", .set = conf_set_path,
	  .off = offsetof(struct conf, database),
	  .minargs = 1, .maxargs = 1,
	  .def = KENTONGAN_DEFAULT_DATABASE, .syntax = "FILE",
	  .help = "SQLite database of reports, recipients and deliveries." },
	{ .name = "taxonomy", .set = conf_set_path,
	  .off = offsetof(struct conf, taxonomy),
	  .minargs = 1, .maxargs = 1,
	  .def = KENTONGAN_DEFAULT_TAXONOMY, .syntax = "FILE",
	  .help = "Taxonomy of incident codes and sectors, JSON." },
	{ .name = "max_message_bytes", .set = conf_set_size,
	  .off = offsetof(struct conf, max_message_bytes),
	  .min = 4096, .max = 67108864, .minargs = 1, .maxargs = 1,
	  .def = "65536", .syntax = "BYTES",
	  .help = "Largest protocol line accepted." },
	{ .name = "handshake_timeout", .set = conf_set_uint,
	  .off = offsetof(struct conf, handshake_timeout),
	  .min = 1, .max = 3600, .minargs = 1, .maxargs = 1,
	  .def = "10", .syntax = "SECONDS",
	  .help = "Time allowed to complete the TLS handshake." },
	{ .name = "idle_timeout", .set = conf_set_uint,
	  .off = offsetof(struct conf, idle_timeout),
	  .min = 1, .max = 86400, .minargs = 1, .maxargs = 1,
	  .def = "300", .syntax = "SECONDS",
	  .help = "Time without traffic before a connection is closed." },
	{ .name = "max_connections", .set = conf_set_uint,
	  .off = offsetof(struct conf, max_connections),
	  .min = 1, .max = 1000000, .minargs = 1, .maxargs = 1,
	  .def = "16384", .syntax = "COUNT",
	  .help = "Connections held on the member listeners at once, TLS "
	  "handshakes included; past it the oldest unfinished handshake "
	  "makes room, or the new connection is closed." },
	{ .name = "max_operator_connections", .set = conf_set_uint,
	  .off = offsetof(struct conf, max_operator_connections),
	  .min = 1, .max = 100000, .minargs = 1, .maxargs = 1,
	  .def = "64", .syntax = "COUNT",
	  .help = "Connections held on the operator listener at once, TLS "
	  "handshakes included; past it the oldest unfinished handshake "
	  "makes room, or the new connection is closed. Its descriptors are "
	  "kept apart from the member listeners', so a flood of the "
	  "operator port never stops members from connecting." },
	{ .name = "max_connections_per_member", .set = conf_set_uint,
	  .off = offsetof(struct conf, max_connections_per_member),
	  .min = 1, .max = 1000000, .minargs = 1, .maxargs = 1,
	  .def = "256", .syntax = "COUNT",
	  .help = "Connections one member or partner may hold at once; a "
	  "further one is refused with rate_limited and closed." },
	{ .name = "report_rate", .set = conf_set_rate,
	  .minargs = 1, .maxargs = 2,
	  .def = "100 1000", .syntax = "RATE BURST",
	  .help = "Reports per second per member (1 to 1000000) and burst "
	  "(1 to 10000000); 0 (alone, or as RATE) means unlimited." },
	{ .name = "log_level", .set = conf_set_log_level,
	  .minargs = 1, .maxargs = 1,
	  .def = "info", .syntax = "info or debug",
	  .help = "info: connections, refusals and a summary of reports each "
	  "minute; debug adds a line per accepted report." },
	{ .name = "ledger", .set = conf_set_ledger,
	  .minargs = 1, .maxargs = 1,
	  .def = "on", .syntax = "on or off",
	  .help = "on: every report and acknowledgement is an entry of the "
	  "hash chain, and each accepted report gets a signed receipt; off "
	  "keeps neither (for measurements: the chain then misses what was "
	  "stored meanwhile). Read at start only." },
	{ .name = "member", .set = conf_set_member,
	  .minargs = 1, .repeatable = 1,
	  .syntax = "ID [name=NAME] [role=member|partner|operator] "
	  "[cert_sha256=HEX]... [cert_cn=CN]",
	  .help = "A member of the hub and the certificate(s) that identify "
	  "it." },
	{ .name = "agreement", .set = conf_set_agreement,
	  .minargs = 2, .repeatable = 1,
	  .syntax = "ID ID max_tlp=amber|amber+strict|red",
	  .help = "A bilateral agreement between two members or partners "
	  "(symmetric)." },
	{ .name = "hub_id", .set = conf_set_hub_id,
	  .minargs = 1, .maxargs = 1, .syntax = "ID",
	  .help = "This hub's own ID among its peers; required when a peer "
	  "is set." },
	{ .name = "peer", .set = conf_set_peer,
	  .minargs = 1, .repeatable = 1,
	  .syntax = "ID [name=NAME] [cert_sha256=HEX]... [cert_cn=CN] "
	  "[connect=HOST:PORT] [max_tlp=clear|green|amber] [hops=N]",
	  .help = "A peer hub of another region (role hub): the certificate "
	  "that identifies it, whether this hub dials it, the most sensitive "
	  "label that may leave for it (default green) and how many hubs a "
	  "report may have passed before it goes on to this one (default 1: "
	  "only this hub's own)." },
	{ .name = "peer_amber_to", .set = conf_set_peer_amber_to,
	  .minargs = 1, .repeatable = 1, .syntax = "ID...",
	  .help = "Members and partners that receive amber reports forwarded "
	  "by peers; without it, an amber forward reaches no one here." },
};

#define CONF_NKEYS nitems(conf_keys)
_Static_assert(CONF_NKEYS <= CONF_MAX_KEYS, "raise CONF_MAX_KEYS");

/* The tokens of one line; argv points into buf. */
struct conf_words {
	char	 *buf;
	char	**argv;
	size_t	  argc;
};

/* A value escaped and cut for an error message, in the parser's room. */
const char *
conf_quote(struct conf_parser *p, const char *s)
{
	if (p->nquoted == CONF_QUOTES)
		return ("...");
	return (escape_str(p->quoted[p->nquoted++], ESCAPE_QUOTE_SIZE, s));
}

/* Record an error unless one at an earlier (or the same) line is known. */
int
conf_error(struct conf_parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	/* Its arguments are formatted, or unused: the quotes are done with. */
	p->nquoted = 0;
	if (p->nomem || (p->err_line != -1 && line >= p->err_line))
		return (-1);
	free(p->err);
	p->err = NULL;
	p->err_line = line;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return (-1);
	if (asprintf(&p->err, "%s:%d: %s", p->file, line, msg) == -1)
		p->err = NULL;
	free(msg);
	return (-1);
}

/* Record lack of memory: it outranks any error in the file itself. */
int
conf_nomem(struct conf_parser *p, int line)
{
	if (p->nomem)
		return (-1);
	p->err_line = -1;
	conf_error(p, line, "out of memory");
	p->nomem = 1;
	return (-1);
}

/* Free the tokens of a line. */
static void
conf_words_free(struct conf_words *w)
{
	free(w->buf);
	free(w->argv);
	memset(w, 0, sizeof *w);
}

/*
 * Split one line into tokens: blanks separate, '#' outside quotes starts a
 * comment, and a double quote may open anywhere in a token; inside quotes
 * \" and \\ stand for " and \, and any other backslash is literal. The
 * tokens never take more room than the line, so they are written into one
 * buffer of its length whatever that is.
 */
static int
conf_tokenize(struct conf_parser *p, const char *s, size_t n, int line,
    struct conf_words *w)
{
	char	**v, *out, c;
	size_t	  cap = 0, i;
	int	  intoken = 0, inquote = 0;

	memset(w, 0, sizeof *w);
	if ((w->buf = malloc(n + 1)) == NULL)
		goto nomem;
	out = w->buf;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '\0') {
			conf_error(p, line, "NUL character in line");
			goto fail;
		}
		if (!inquote && c == '#')
			break;
		if (!inquote && (c == ' ' || c == '\t' || c == '\r' ||
		    c == '\v' || c == '\f')) {
			if (intoken)
				*out++ = '\0';
			intoken = 0;
			continue;
		}
		if (!intoken) {
			if (w->argc == cap) {
				cap = cap == 0 ? 8 : cap * 2;
				v = reallocarray(w->argv, cap, sizeof *v);
				if (v == NULL)
					goto nomem;
				w->argv = v;
			}
			w->argv[w->argc++] = out;
			intoken = 1;
		}
		if (inquote && c == '\\' && i + 1 < n &&
		    (s[i + 1] == '"' || s[i + 1] == '\\'))
			*out++ = s[++i];
		else if (c == '"')
			inquote = !inquote;
		else
			*out++ = c;
	}
	if (inquote) {
		conf_error(p, line, "unterminated quote");
		goto fail;
	}
	*out = '\0';
	return (0);

nomem:
	conf_nomem(p, line);
fail:
	conf_words_free(w);
	return (-1);
}

/* 1 if s is a member ID: 1-32 of A-Z a-z 0-9 _ -. */
int
conf_valid_id(const char *s)
{
	size_t	n;

	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-");
	return (n >= 1 && n <= CONF_MEMBER_ID_MAX && s[n] == '\0');
}

/* Parse a decimal number no larger than max, without overflow. */
static int
conf_number(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long	v = 0;
	unsigned		d;

	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	*out = v;
	return (0);
}

/* 1 if s is one or more decimal digits. */
static int
conf_digits(const char *s)
{
	return (*s != '\0' && s[strspn(s, "0123456789")] == '\0');
}

/* Parse a number in [k->min, k->max], with the error message if not. */
static int
conf_ranged(struct conf_parser *p, const struct conf_key *k, const char *s,
    int line, unsigned long long *out)
{
	if (conf_number(s, k->max, out) != 0 || *out < k->min) {
		return (conf_error(p, line,
		    "%s: expected a number from %llu to %llu, got \"%s\"",
		    k->name, k->min, k->max, conf_quote(p, s)));
	}
	return (0);
}

/*
 * Split ADDR:PORT or [IPv6]:PORT into a numeric host and a port. Returns 0,
 * -1 for a bad address, -2 for a bad port, -3 when out of memory.
 */
static int
conf_address_parse(const char *s, struct conf_address *a)
{
	struct in6_addr		 in6;
	struct in_addr		 in4;
	const char		*colon, *end, *port;
	char			*host;
	unsigned long long	 n;
	size_t			 len;
	int			 af;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return (-1);
		s++;
		len = (size_t)(end - s);
		port = end + 2;
		af = AF_INET6;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return (-1);
		len = (size_t)(colon - s);
		port = colon + 1;
		af = AF_INET;
	}
	if ((host = strndup(s, len)) == NULL)
		return (-3);
	if (inet_pton(af, host, af == AF_INET6 ? (void *)&in6 :
	    (void *)&in4) != 1) {
		free(host);
		return (-1);
	}
	if (conf_number(port, 65535, &n) != 0 || n == 0) {
		free(host);
		return (-2);
	}
	a->host = host;
	if (asprintf(&a->port, "%llu", n) == -1) {
		free(host);
		a->host = NULL;
		a->port = NULL;
		return (-3);
	}
	return (0);
}

/* 1 if two addresses are the same numeric host and port. */
static int
conf_address_equal(const struct conf_address *a, const struct conf_address *b)
{
	unsigned char	ba[sizeof (struct in6_addr)];
	unsigned char	bb[sizeof (struct in6_addr)];
	int		fa, fb;

	if (a->host == NULL || b->host == NULL || strcmp(a->port, b->port) != 0)
		return (0);
	fa = strchr(a->host, ':') != NULL ? AF_INET6 : AF_INET;
	fb = strchr(b->host, ':') != NULL ? AF_INET6 : AF_INET;
	if (fa != fb)
		return (0);
	if (inet_pton(fa, a->host, ba) != 1 || inet_pton(fb, b->host, bb) != 1)
		return (0);
	return (memcmp(ba, bb, fa == AF_INET6 ? 16 : 4) == 0);
}

/* Parse an address value for key k, reporting errors at line. */
static int
conf_address(struct conf_parser *p, const struct conf_key *k, const char *s,
    int line, struct conf_address *a)
{
	switch (conf_address_parse(s, a)) {
	case 0:
		a->line = line;
		return (0);
	case -2:
		return (conf_error(p, line,
		    "%s: expected a port from 1 to 65535 in \"%s\"", k->name,
		    conf_quote(p, s)));
	case -3:
		return (conf_nomem(p, line));
	default:
		return (conf_error(p, line, "%s: expected ADDR:PORT or "
		    "[IPv6]:PORT with a numeric address, got \"%s\"", k->name,
		    conf_quote(p, s)));
	}
}

/* Free the strings of an address. */
static void
conf_address_clear(struct conf_address *a)
{
	free(a->host);
	free(a->port);
	a->host = NULL;
	a->port = NULL;
}

/* listen ADDR:PORT: add a member listener. */
static int
conf_set_listen(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	struct conf		*conf = p->conf;
	struct conf_address	 a, *v;
	size_t			 i;

	memset(&a, 0, sizeof a);
	if (conf_address(p, k, argv[0], line, &a) != 0)
		return (-1);
	for (i = 0; i < conf->nlisten; i++) {
		if (conf_address_equal(&conf->listen[i], &a)) {
			conf_error(p, line, "%s: duplicate address \"%s\" "
			    "(first at line %d)", k->name, conf_quote(p, argv[0]),
			    conf->listen[i].line);
			goto fail;
		}
	}
	v = reallocarray(conf->listen, conf->nlisten + 1, sizeof *v);
	if (v == NULL) {
		conf_nomem(p, line);
		goto fail;
	}
	conf->listen = v;
	conf->listen[conf->nlisten++] = a;
	return (0);

fail:
	conf_address_clear(&a);
	return (-1);
}

/* operator_listen ADDR:PORT|off. */
static int
conf_set_operator(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	struct conf		*conf = p->conf;
	struct conf_address	 a;

	memset(&a, 0, sizeof a);
	if (strcmp(argv[0], "off") == 0) {
		conf_address_clear(&conf->operator_listen);
		conf->operator_off = 1;
		conf->operator_listen.line = line;
		return (0);
	}
	if (conf_address(p, k, argv[0], line, &a) != 0)
		return (-1);
	conf_address_clear(&conf->operator_listen);
	conf->operator_off = 0;
	conf->operator_listen = a;
	return (0);
}

static int
conf_set_log_level(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	if (strcmp(argv[0], "info") == 0)
		p->conf->log_debug = 0;
	else if (strcmp(argv[0], "debug") == 0)
		p->conf->log_debug = 1;
	else
		return (conf_error(p, line, "%s: expected info or debug, not "
		    "\"%s\"", k->name, conf_quote(p, argv[0])));
	return (0);
}

/* ledger on|off */
static int
conf_set_ledger(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	if (strcmp(argv[0], "on") == 0)
		p->conf->ledger_off = 0;
	else if (strcmp(argv[0], "off") == 0)
		p->conf->ledger_off = 1;
	else
		return (conf_error(p, line, "%s: expected on or off, not "
		    "\"%s\"", k->name, conf_quote(p, argv[0])));
	return (0);
}

/* A path-valued key: relative paths are joined to the file's directory. */
static int
conf_set_path(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	struct conf_path	*cp;
	char			*path;

	cp = (struct conf_path *)((char *)p->conf + k->off);
	if (*argv[0] == '\0') {
		return (conf_error(p, line, "%s: expected a file name, got "
		    "\"\"", k->name));
	}
	/* Defaults (line 0) are build-time paths, not relative to the file. */
	if (argv[0][0] == '/' || p->dir == NULL || line == 0)
		path = strdup(argv[0]);
	else if (asprintf(&path, "%s%s", p->dir, argv[0]) == -1)
		path = NULL;
	if (path == NULL)
		return (conf_nomem(p, line));
	free(cp->path);
	cp->path = path;
	cp->line = line;
	return (0);
}

/* A number stored in a size_t. */
static int
conf_set_size(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	unsigned long long	n = 0;

	if (conf_ranged(p, k, argv[0], line, &n) != 0)
		return (-1);
	*(size_t *)((char *)p->conf + k->off) = (size_t)n;
	return (0);
}

/* A number stored in an unsigned. */
static int
conf_set_uint(struct conf_parser *p, const struct conf_key *k,
    __attribute__((unused)) size_t argc, char **argv, int line)
{
	unsigned long long	n = 0;

	if (conf_ranged(p, k, argv[0], line, &n) != 0)
		return (-1);
	*(unsigned *)((char *)p->conf + k->off) = (unsigned)n;
	return (0);
}

/*
 * report_rate RATE BURST, or 0 alone for unlimited; with RATE 0 the burst
 * is unused and stored as 0.
 */
static int
conf_set_rate(struct conf_parser *p, const struct conf_key *k, size_t argc,
    char **argv, int line)
{
	unsigned long long	rate = 0, burst = 0;

	if (conf_number(argv[0], 1000000, &rate) != 0) {
		return (conf_error(p, line, "%s: expected RATE from 0 to "
		    "1000000, got \"%s\"", k->name, conf_quote(p, argv[0])));
	}
	if (argc == 1 && rate != 0) {
		return (conf_error(p, line, "%s: too few values (expected %s, "
		    "or 0 for unlimited)", k->name, k->syntax));
	}
	if (rate == 0) {
		if (argc == 2 && !conf_digits(argv[1])) {
			return (conf_error(p, line, "%s: expected BURST as a "
			    "number, got \"%s\"", k->name,
			    conf_quote(p, argv[1])));
		}
		burst = 0;
	} else if (conf_number(argv[1], 10000000, &burst) != 0 || burst == 0) {
		return (conf_error(p, line, "%s: expected BURST from 1 to "
		    "10000000, got \"%s\"", k->name, conf_quote(p, argv[1])));
	}
	p->conf->report_rate = (unsigned)rate;
	p->conf->report_burst = (unsigned)burst;
	return (0);
}

/* Find a key in the table by name. */
static const struct conf_key *
conf_key_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_keys[i].name, name) == 0)
			return (&conf_keys[i]);
	}
	return (NULL);
}

/* The first line that set the key name, or 0 if none did. */
int
conf_key_seen(struct conf_parser *p, const char *name)
{
	const struct conf_key	*k = conf_key_find(name);

	return (k != NULL ? p->seen[k - conf_keys] : 0);
}

/* Check the value count of a key, then hand the values to its setter. */
static int
conf_apply(struct conf_parser *p, const struct conf_key *k, size_t argc,
    char **argv, int line)
{
	if (argc == 0) {
		return (conf_error(p, line, "%s: missing value (expected %s)",
		    k->name, k->syntax));
	}
	if (argc < k->minargs) {
		return (conf_error(p, line, "%s: too few values (expected %s)",
		    k->name, k->syntax));
	}
	if (k->maxargs != 0 && argc > k->maxargs) {
		return (conf_error(p, line, "%s: too many values (expected %s)",
		    k->name, k->syntax));
	}
	return (k->set(p, k, argc, argv, line));
}

/* Parse one line of the file. */
static void
conf_line(struct conf_parser *p, const char *s, size_t n, int line)
{
	const struct conf_key	*k;
	struct conf_words	 w;
	size_t			 i;

	if (conf_tokenize(p, s, n, line, &w) != 0)
		return;
	if (w.argc == 0)
		goto out;
	if ((k = conf_key_find(w.argv[0])) == NULL) {
		conf_error(p, line, "unknown key \"%s\"",
		    conf_quote(p, w.argv[0]));
		goto out;
	}
	i = (size_t)(k - conf_keys);
	if (p->seen[i] != 0 && !k->repeatable) {
		conf_error(p, line, "duplicate key \"%s\" (first set at line "
		    "%d)", k->name, p->seen[i]);
		goto out;
	}
	if (p->seen[i] == 0)
		p->seen[i] = line;
	conf_apply(p, k, w.argc - 1, w.argv + 1, line);

out:
	conf_words_free(&w);
}

/* Set every key that no line set to its default, through its own setter. */
static void
conf_defaults(struct conf_parser *p)
{
	const struct conf_key	*k;
	struct conf_words	 w;
	size_t			 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_keys[i];
		if (p->seen[i] != 0 || k->def == NULL)
			continue;
		if (conf_tokenize(p, k->def, strlen(k->def), 0, &w) != 0)
			continue;
		conf_apply(p, k, w.argc, w.argv, 0);
		conf_words_free(&w);
	}
}

/* Format an address for a message, with brackets around IPv6. */
static const char *
conf_address_text(const struct conf_address *a, char *buf, size_t size)
{
	if (strchr(a->host, ':') != NULL)
		snprintf(buf, size, "[%s]:%s", a->host, a->port);
	else
		snprintf(buf, size, "%s:%s", a->host, a->port);
	return (buf);
}

/*
 * Checks that need the whole file: agreements may name members declared
 * later, so they are checked here and reported at the agreement's line;
 * conf_error keeps the lowest line.
 */
static void
conf_check(struct conf_parser *p)
{
	struct conf			*conf = p->conf;
	const struct conf_agreement	*ag;
	const struct conf_member	*m;
	const struct conf_address	*l, *op = &conf->operator_listen;
	const char			*ids[2];
	char				 text[INET6_ADDRSTRLEN + 16];
	size_t				 i, j;

	for (i = 0; i < conf->nagreements; i++) {
		ag = &conf->agreements[i];
		ids[0] = ag->a;
		ids[1] = ag->b;
		for (j = 0; j < 2; j++) {
			m = conf_member_by_id(conf, ids[j]);
			if (m == NULL && conf_broken_has(p, ids[j]))
				continue;
			if (m == NULL) {
				conf_error(p, ag->line, "agreement %s %s: "
				    "unknown member \"%s\"", ag->a, ag->b,
				    ids[j]);
			} else if (m->role == ROLE_HUB) {
				conf_error(p, ag->line, "agreement %s %s: "
				    "\"%s\" is a peer hub (what leaves for it "
				    "is its peer line's max_tlp)", ag->a, ag->b,
				    ids[j]);
			} else if (m->role == ROLE_OPERATOR ||
			    m->role == ROLE_MONITOR) {
				conf_error(p, ag->line, "agreement %s %s: "
				    "\"%s\" is %s (agreements are between "
				    "members and partners)", ag->a, ag->b, ids[j],
				    m->role == ROLE_OPERATOR ? "an operator" :
				    "a monitor");
			}
		}
	}

	conf_federation_check(p);
	for (i = 0; !conf->operator_off && i < conf->nlisten; i++) {
		l = &conf->listen[i];
		if (!conf_address_equal(l, op))
			continue;
		conf_address_text(l, text, sizeof text);
		if (op->line >= l->line) {
			conf_error(p, op->line, "operator_listen: %s is also "
			    "a listen address (line %d)", text, l->line);
		} else {
			conf_error(p, l->line, "listen: %s is also the "
			    "operator_listen address (line %d)", text,
			    op->line);
		}
	}

	/*
	 * No line names a missing key, so it is reported at line 0, and only
	 * when the file has no other error: a misspelt key is the better
	 * message than the absence it causes.
	 */
	if (p->err_line != -1)
		return;
	for (i = 0; i < CONF_NKEYS; i++) {
		if (conf_keys[i].required && p->seen[i] == 0) {
			conf_error(p, 0, "missing required key \"%s\"",
			    conf_keys[i].name);
			return;
		}
	}
}

/* Parse configuration text; file names it in messages and anchors paths. */
struct conf *
conf_parse(const char *text, size_t len, const char *file, char **cause)
{
	struct conf_parser	 p;
	const char		*slash, *nl;
	size_t			 pos, n, i;
	int			 line;

	*cause = NULL;
	memset(&p, 0, sizeof p);
	p.err_line = -1;
	p.file = file != NULL ? file : "-";
	if ((p.conf = calloc(1, sizeof *p.conf)) == NULL ||
	    (p.conf->file = strdup(p.file)) == NULL) {
		conf_nomem(&p, 0);
		goto fail;
	}
	if (file != NULL && (slash = strrchr(file, '/')) != NULL) {
		p.dir = strndup(file, (size_t)(slash - file) + 1);
		if (p.dir == NULL) {
			conf_nomem(&p, 0);
			goto fail;
		}
	}

	/*
	 * Every line is parsed even after an error: an earlier agreement may
	 * name a member declared after it, and only the whole file tells.
	 */
	line = 0;
	for (pos = 0; pos < len; pos += n + 1) {
		if (line == INT_MAX) {
			conf_error(&p, line, "too many lines");
			break;
		}
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		conf_line(&p, text + pos, n, line);
	}
	conf_defaults(&p);
	conf_check(&p);

fail:
	if (p.err_line != -1) {
		*cause = p.err;
		conf_free(p.conf);
		p.conf = NULL;
	}
	for (i = 0; i < p.nbroken; i++)
		free(p.broken[i]);
	free(p.broken);
	free(p.dir);
	return (p.conf);
}

/* Read a configuration file whole and parse it. */
struct conf *
conf_load(const char *file, char **cause)
{
	struct conf	*conf;
	struct stat	 sb;
	FILE		*f;
	char		*buf = NULL, *nbuf;
	size_t		 len = 0, size = 0, n;
	int		 error, open_to_all = 0;

	*cause = NULL;
	if ((f = fopen(file, "r")) == NULL) {
		error = errno;
		goto fail;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & S_IWOTH) != 0)
		open_to_all = (int)(sb.st_mode & 07777);
	errno = 0;
	for (;;) {
		if (size - len < CONF_READ_CHUNK) {
			if (size >= CONF_MAX_BYTES) {
				error = EFBIG;
				goto fail;
			}
			n = size == 0 ? CONF_READ_CHUNK : size * 2;
			if ((nbuf = realloc(buf, n)) == NULL) {
				error = errno;
				goto fail;
			}
			buf = nbuf;
			size = n;
		}
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		error = errno != 0 ? errno : EIO;
		goto fail;
	}
	fclose(f);
	conf = conf_parse(buf, len, file, cause);
	free(buf);
	/* It names who may receive what: no one else may rewrite it. */
	if (conf != NULL && open_to_all != 0 && asprintf(&conf->warning,
	    "%s:0: warning: anyone may write this file (mode %04o), and "
	    "with it the member registry; chmod o-w %s", file, open_to_all,
	    file) == -1)
		conf->warning = NULL;
	return (conf);

fail:
	if (f != NULL)
		fclose(f);
	free(buf);
	if (asprintf(cause, "%s:0: cannot read: %s", file,
	    strerror(error)) == -1)
		*cause = NULL;
	return (NULL);
}

/* Free a configuration and everything it owns. */
void
conf_free(struct conf *conf)
{
	size_t	i;

	if (conf == NULL)
		return;
	free(conf->file);
	free(conf->warning);
	for (i = 0; i < conf->nlisten; i++)
		conf_address_clear(&conf->listen[i]);
	free(conf->listen);
	conf_address_clear(&conf->operator_listen);
	free(conf->tls_certificate.path);
	free(conf->tls_key.path);
	free(conf->tls_client_ca.path);
	free(conf->tls_crl.path);
	free(conf->database.path);
	free(conf->taxonomy.path);
	for (i = 0; i < conf->nmembers; i++)
		conf_member_clear(&conf->members[i]);
	free(conf->members);
	for (i = 0; i < conf->nagreements; i++) {
		free(conf->agreements[i].a);
		free(conf->agreements[i].b);
	}
	free(conf->agreements);
	free(conf->hub_id);
	for (i = 0; i < conf->npeer_amber_to; i++)
		free(conf->peer_amber_to[i]);
	free(conf->peer_amber_to);
	free(conf->peer_amber_to_lines);
	free(conf);
}
