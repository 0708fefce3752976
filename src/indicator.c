/* Indicator of compromise values: one checker per indicator type. */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "indicator.h"
#include "utf8.h"

#define INDICATOR_DOMAIN_MAX	253
#define INDICATOR_LABEL_MAX	63
#define INDICATOR_URL_MAX	2048
#define INDICATOR_EMAIL_MAX	254
#define INDICATOR_LOCAL_MAX	64

const char indicator_type_list[] =
    "ipv4 ipv6 cidr domain url email md5 sha1 sha256 cve asn";

static int	indicator_ipv4(const char *, const char **);
static int	indicator_ipv6(const char *, const char **);
static int	indicator_cidr(const char *, const char **);
static int	indicator_domain(const char *, const char **);
static int	indicator_url(const char *, const char **);
static int	indicator_email(const char *, const char **);
static int	indicator_md5(const char *, const char **);
static int	indicator_sha1(const char *, const char **);
static int	indicator_sha256(const char *, const char **);
static int	indicator_cve(const char *, const char **);
static int	indicator_asn(const char *, const char **);

static const struct indicator_type {
	const char	 *name;
	int		(*check)(const char *, const char **);
} indicator_types[] = {
	{ "ipv4", indicator_ipv4 },
	{ "ipv6", indicator_ipv6 },
	{ "cidr", indicator_cidr },
	{ "domain", indicator_domain },
	{ "url", indicator_url },
	{ "email", indicator_email },
	{ "md5", indicator_md5 },
	{ "sha1", indicator_sha1 },
	{ "sha256", indicator_sha256 },
	{ "cve", indicator_cve },
	{ "asn", indicator_asn },
};

#define INDICATOR_NTYPES (sizeof(indicator_types) / sizeof(indicator_types[0]))

/* Record why a value was refused; always returns -1. */
static int
indicator_fail(const char **why, const char *phrase)
{
	*why = phrase;
	return (-1);
}

/* ASCII digit; the locale must not widen these character classes. */
static int
indicator_is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/* ASCII letter. */
static int
indicator_is_alpha(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* ASCII hex digit, either case. */
static int
indicator_is_hex(char c)
{
	return (indicator_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F'));
}

/* c in lower case, for ASCII letters only. */
static int
indicator_lower(char c)
{
	return ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

/*
 * Parse s[0..len) as a decimal number of at most maxdigits digits without
 * leading zeros and no larger than max. Returns 0 or -1.
 */
static int
indicator_decimal(const char *s, size_t len, size_t maxdigits, uint64_t max,
    uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > maxdigits)
		return (-1);
	if (s[0] == '0' && len > 1)
		return (-1);
	for (i = 0; i < len; i++) {
		if (!indicator_is_digit(s[i]))
			return (-1);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return (-1);
	*out = v;
	return (0);
}

/*
 * Whether s[0..len) is exactly one address of family af. inet_pton needs a
 * terminated string, so a copy is made; a NUL inside the span fails.
 */
static int
indicator_address(int af, const char *s, size_t len)
{
	unsigned char	 addr[sizeof(struct in6_addr)];
	char		*copy;
	int		 ok;

	if (len == 0 || memchr(s, '\0', len) != NULL)
		return (0);
	if ((copy = strndup(s, len)) == NULL)
		return (0);
	ok = inet_pton(af, copy, addr) == 1;
	free(copy);
	return (ok);
}

/*
 * Check s[0..len) as a host name: labels of letters, digits and hyphens,
 * at least two of them, a top-level label that is not all digits (else
 * "1.2.3.4" would pass as a name), an optional trailing dot when
 * allow_root_dot is set. Returns 0 or -1 with *why.
 */
static int
indicator_hostname(const char *s, size_t len, int allow_root_dot,
    const char **why)
{
	size_t	i, start, labels = 0;
	int	numeric;

	if (allow_root_dot && len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0)
		return (indicator_fail(why, "empty domain name"));
	if (len > INDICATOR_DOMAIN_MAX)
		return (indicator_fail(why, "domain name longer than 253 characters"));

	start = 0;
	numeric = 1;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (i == start)
				return (indicator_fail(why, "empty label in domain name"));
			if (i - start > INDICATOR_LABEL_MAX)
				return (indicator_fail(why,
				    "domain label longer than 63 characters"));
			if (s[start] == '-' || s[i - 1] == '-')
				return (indicator_fail(why,
				    "domain label starts or ends with a hyphen"));
			labels++;
			if (i == len)
				break;
			start = i + 1;
			numeric = 1;
			continue;
		}
		if (indicator_is_alpha(s[i]) || s[i] == '-')
			numeric = 0;
		else if (!indicator_is_digit(s[i]))
			return (indicator_fail(why,
			    "domain name has a character other than letters, digits, hyphens and dots"));
	}
	if (labels < 2)
		return (indicator_fail(why, "domain name needs at least two labels"));
	if (numeric)
		return (indicator_fail(why, "top-level domain is all digits"));
	return (0);
}

/* Check an IPv4 address in dotted-quad form. */
static int
indicator_ipv4(const char *value, const char **why)
{
	/* glibc's inet_pton takes exactly four decimal octets, no leading zeros. */
	if (!indicator_address(AF_INET, value, strlen(value)))
		return (indicator_fail(why, "not an IPv4 address"));
	return (0);
}

/* Check an IPv6 address; zone identifiers are not addresses. */
static int
indicator_ipv6(const char *value, const char **why)
{
	if (!indicator_address(AF_INET6, value, strlen(value)))
		return (indicator_fail(why, "not an IPv6 address"));
	return (0);
}

/* Check ADDRESS/PREFIX for either family. */
static int
indicator_cidr(const char *value, const char **why)
{
	const char	*slash;
	size_t		 alen;
	uint64_t	 prefix;
	int		 v6;

	if ((slash = strchr(value, '/')) == NULL)
		return (indicator_fail(why, "CIDR needs ADDRESS/PREFIX"));
	alen = (size_t)(slash - value);
	v6 = memchr(value, ':', alen) != NULL;
	if (!indicator_address(v6 ? AF_INET6 : AF_INET, value, alen)) {
		return (indicator_fail(why, v6 ? "CIDR address is not an IPv6 address" :
		    "CIDR address is not an IPv4 address"));
	}
	if (indicator_decimal(slash + 1, strlen(slash + 1), 3, v6 ? 128 : 32,
	    &prefix) != 0) {
		return (indicator_fail(why, v6 ? "CIDR prefix out of range 0-128" :
		    "CIDR prefix out of range 0-32"));
	}
	return (0);
}

/* Check a domain name; one trailing dot (the DNS root) is allowed. */
static int
indicator_domain(const char *value, const char **why)
{
	return (indicator_hostname(value, strlen(value), 1, why));
}

/*
 * Whether the valid UTF-8 text s[0..len) holds a space, a control, a
 * bidirectional control or a zero-width character, ASCII or not. Such
 * characters are how a URL in a report gets spoofed in front of an analyst.
 */
static int
indicator_has_unsafe(const char *s, size_t len)
{
	static const char	*unsafe[] = {
		"\xd8\x9c",				/* U+061C */
		"\xe2\x80\x8e", "\xe2\x80\x8f",		/* U+200E, U+200F */
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
		"\xe2\x80\xad", "\xe2\x80\xae",		/* U+202A-U+202E */
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",
		"\xe2\x81\xa9",				/* U+2066-U+2069 */
		"\xe2\x80\x8b", "\xef\xbb\xbf",		/* U+200B, U+FEFF */
		"\xc2\xa0",				/* U+00A0 */
		"\xe1\x9a\x80",				/* U+1680 */
		"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
		"\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85",
		"\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88",
		"\xe2\x80\x89", "\xe2\x80\x8a",		/* U+2000-U+200A */
		"\xe2\x80\xa8", "\xe2\x80\xa9",		/* U+2028, U+2029 */
		"\xe2\x80\xaf", "\xe2\x81\x9f",		/* U+202F, U+205F */
		"\xe3\x80\x80",				/* U+3000 */
	};
	size_t			 i, j, n;

	if (utf8_has_control(s, len))
		return (1);
	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			return (1);
		if ((unsigned char)s[i] < 0x80)
			continue;
		for (j = 0; j < sizeof(unsafe) / sizeof(unsafe[0]); j++) {
			n = strlen(unsafe[j]);
			if (len - i >= n && memcmp(s + i, unsafe[j], n) == 0)
				return (1);
		}
	}
	return (0);
}

/*
 * Check a URL: an allowed scheme, "://", optional userinfo (kept: it is how
 * phishing links disguise their host), a host that is a domain, an IPv4
 * address or a bracketed IPv6 address, an optional port, then anything
 * without spaces or controls.
 */
static int
indicator_url(const char *value, const char **why)
{
	static const char	*schemes[] = {
		"http", "https", "ftp", "ftps", "sftp", "ws", "wss"
	};
	const char		*p, *auth, *end, *at, *host, *hend, *colon;
	size_t			 len, i, n;
	uint64_t		 port;
	int			 found = 0;

	len = strlen(value);
	if (len > INDICATOR_URL_MAX)
		return (indicator_fail(why, "URL longer than 2048 bytes"));
	if (utf8_validate(value, len, NULL) < 0)
		return (indicator_fail(why, "URL is not valid UTF-8"));
	if (indicator_has_unsafe(value, len))
		return (indicator_fail(why, "URL contains a space or control character"));

	if ((p = strstr(value, "://")) == NULL)
		return (indicator_fail(why, "URL needs SCHEME://HOST"));
	n = (size_t)(p - value);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && !found; i++) {
		if (strlen(schemes[i]) == n && strncasecmp(value, schemes[i], n) == 0)
			found = 1;
	}
	if (!found) {
		return (indicator_fail(why,
		    "URL scheme is not one of http https ftp ftps sftp ws wss"));
	}

	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	/* The last '@' ends the userinfo, as browsers read it. */
	host = auth;
	for (at = auth; at < end; at++) {
		if (*at == '@')
			host = at + 1;
	}
	if (host == end)
		return (indicator_fail(why, "URL has no host"));

	if (*host == '[') {
		hend = memchr(host, ']', (size_t)(end - host));
		if (hend == NULL ||
		    !indicator_address(AF_INET6, host + 1, (size_t)(hend - host - 1)))
			return (indicator_fail(why, "URL host is not a valid IPv6 address"));
		colon = hend + 1;
		if (colon != end && *colon != ':')
			return (indicator_fail(why, "URL has text after the IPv6 host"));
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		hend = colon != NULL ? colon : end;
		n = (size_t)(hend - host);
		if (!indicator_address(AF_INET, host, n) &&
		    indicator_hostname(host, n, 1, why) != 0)
			return (indicator_fail(why,
			    "URL host is not a domain name or IP address"));
		if (colon == NULL)
			colon = end;
	}

	if (colon != end &&
	    (indicator_decimal(colon + 1, (size_t)(end - colon - 1), 5, 65535,
	    &port) != 0 || port == 0))
		return (indicator_fail(why, "URL port is not a number 1-65535"));
	return (0);
}

/* The characters of an RFC 5322 dot-atom besides the dot. */
static int
indicator_is_atext(char c)
{
	return (indicator_is_alpha(c) || indicator_is_digit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL));
}

/* Check local@domain: a dot-atom local part and a domain name. */
static int
indicator_email(const char *value, const char **why)
{
	const char	*at;
	size_t		 len, local, i;

	len = strlen(value);
	if (len > INDICATOR_EMAIL_MAX)
		return (indicator_fail(why, "email address longer than 254 characters"));
	if ((at = strchr(value, '@')) == NULL)
		return (indicator_fail(why, "email address needs LOCAL@DOMAIN"));
	local = (size_t)(at - value);
	if (local == 0 || local > INDICATOR_LOCAL_MAX)
		return (indicator_fail(why, "email local part must be 1-64 characters"));
	for (i = 0; i < local; i++) {
		if (value[i] == '.') {
			if (i == 0 || i == local - 1 || value[i - 1] == '.')
				return (indicator_fail(why,
				    "email local part has a misplaced dot"));
		} else if (!indicator_is_atext(value[i]))
			return (indicator_fail(why,
			    "email local part has a character not allowed there"));
	}
	/* A mail domain has no root dot (RFC 5321). */
	if (indicator_hostname(at + 1, strlen(at + 1), 0, why) != 0)
		return (indicator_fail(why, "email domain is not a valid domain name"));
	return (0);
}

/* Whether value is exactly n hex digits. */
static int
indicator_hex(const char *value, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!indicator_is_hex(value[i]))
			return (0);
	}
	return (value[n] == '\0');
}

/* Check an MD5 hash in hex. */
static int
indicator_md5(const char *value, const char **why)
{
	if (!indicator_hex(value, 32))
		return (indicator_fail(why, "MD5 hash must be 32 hex digits"));
	return (0);
}

/* Check a SHA-1 hash in hex. */
static int
indicator_sha1(const char *value, const char **why)
{
	if (!indicator_hex(value, 40))
		return (indicator_fail(why, "SHA-1 hash must be 40 hex digits"));
	return (0);
}

/* Check a SHA-256 hash in hex. */
static int
indicator_sha256(const char *value, const char **why)
{
	if (!indicator_hex(value, 64))
		return (indicator_fail(why, "SHA-256 hash must be 64 hex digits"));
	return (0);
}

/* Check CVE-YYYY-NNNN: the pattern of the CVE record format. */
static int
indicator_cve(const char *value, const char **why)
{
	uint64_t	 year;
	size_t		 n;

	if (strncmp(value, "CVE-", 4) != 0)
		return (indicator_fail(why, "CVE ID must start with CVE-"));
	if (indicator_decimal(value + 4, 4, 4, 2100, &year) != 0 ||
	    year < 1999 || value[8] != '-')
		return (indicator_fail(why, "CVE year must be 1999-2100"));
	n = strlen(value + 9);
	if (n < 4 || n > 19 || strspn(value + 9, "0123456789") != n)
		return (indicator_fail(why, "CVE sequence must be 4-19 digits"));
	return (0);
}

/* Check an AS number, with or without the AS prefix. */
static int
indicator_asn(const char *value, const char **why)
{
	uint64_t	n;

	if (indicator_lower(value[0]) == 'a' && indicator_lower(value[1]) == 's')
		value += 2;
	if (indicator_decimal(value, strlen(value), 10, UINT32_MAX, &n) != 0)
		return (indicator_fail(why, "AS number must be 0-4294967295"));
	return (0);
}

/* The checker entry for type, or NULL. */
static const struct indicator_type *
indicator_find(const char *type)
{
	size_t	i;

	if (type == NULL)
		return (NULL);
	for (i = 0; i < INDICATOR_NTYPES; i++) {
		if (strcmp(indicator_types[i].name, type) == 0)
			return (&indicator_types[i]);
	}
	return (NULL);
}

/* 1 if type is one of the indicator types of the protocol. */
int
indicator_type_known(const char *type)
{
	return (indicator_find(type) != NULL);
}

/* Check value for its type; *why says what is wrong. */
int
indicator_check(const char *type, const char *value, const char **why)
{
	const struct indicator_type	*t;
	const char			*dummy;

	if (why == NULL)
		why = &dummy;
	if ((t = indicator_find(type)) == NULL)
		return (indicator_fail(why, "unknown indicator type"));
	if (value == NULL)
		return (indicator_fail(why, "missing value"));
	return (t->check(value, why));
}
