/* The alert an export is made from, and its deterministic IDs. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "interop.h"
#include "levels.h"
#include "timefmt.h"

/*
 * The namespace of every ID the hub mints for STIX and MISP objects. Fixed
 * forever: changing it would give every exported alert new IDs.
 */
static const unsigned char interop_namespace[16] = {
	0x6b, 0x65, 0x6e, 0x74, 0x6f, 0x6e, 0x47, 0x61,
	0x8e, 0x0a, 0x4b, 0x75, 0x6c, 0x2d, 0x2d, 0x31
};

static int
interop_error(char **cause, const char *what)
{
	if (cause != NULL && (*cause = strdup(what)) == NULL)
		*cause = NULL;
	return (-1);
}

int
interop_alert_read(const json_t *j, const char *hub,
    struct interop_alert *out, char **cause)
{
	const json_t	*seq;

	memset(out, 0, sizeof *out);
	if (!json_is_object(j))
		return (interop_error(cause, "the alert is not a JSON object"));
	out->hub = hub != NULL && *hub != '\0' ? hub : "kentongan";
	seq = json_object_get(j, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1)
		return (interop_error(cause, "the alert has no seq"));
	out->seq = json_integer_value(seq);
	if ((out->sender = json_string_value(json_object_get(j, "sender"))) ==
	    NULL)
		return (interop_error(cause, "the alert has no sender"));
	if ((out->received_at = json_string_value(json_object_get(j,
	    "received_at"))) == NULL)
		return (interop_error(cause, "the alert has no received_at"));
	out->tier = json_string_value(json_object_get(j, "tier"));
	out->origin = json_object_get(j, "origin");
	if (out->origin != NULL && !json_is_object(out->origin))
		out->origin = NULL;
	out->report = json_object_get(j, "report");
	if (!json_is_object(out->report))
		return (interop_error(cause, "the alert has no report"));
	return (0);
}

void
interop_uuid(const char *name, char out[INTEROP_UUID_LEN + 1])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	EVP_MD_CTX	*ctx;
	int		 ok;

	/* SHA-1 is what version 5 is: an identifier, not a security claim. */
	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, interop_namespace,
	    sizeof interop_namespace) == 1 &&
	    EVP_DigestUpdate(ctx, name, strlen(name)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		memset(md, 0, 16);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, INTEROP_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3],
	    md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
	    md[13], md[14], md[15]);
}

void
interop_alert_uuid(const struct interop_alert *a, const char *what,
    char out[INTEROP_UUID_LEN + 1])
{
	char	name[512];

	/* Hub names are IDs or certificate names, far shorter than this. */
	snprintf(name, sizeof name, "%s/%" PRId64 "/%s", a->hub, a->seq, what);
	interop_uuid(name, out);
}

int
interop_is_uuid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != INTEROP_UUID_LEN)
		return (0);
	for (i = 0; i < INTEROP_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!isxdigit((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

const char *
interop_field(const struct interop_alert *a, const char *key)
{
	return (json_string_value(json_object_get(a->report, key)));
}

int
interop_time(const char *s, char *out, int64_t *usec)
{
	int64_t	t;

	if (s == NULL || rfc3339_parse(s, &t) == -1)
		return (-1);
	rfc3339_format(t, out, RFC3339_BUFSIZE);
	if (usec != NULL)
		*usec = t;
	return (0);
}

void
interop_warn(json_t *warnings, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;
	int	 n;

	if (warnings == NULL)
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n == -1)
		return;
	(void)json_array_append_new(warnings, json_string(text));
	free(text);
}

char *
interop_cause(const char *fmt, ...)
{
	va_list	 ap;
	char	*text;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	return (n == -1 ? NULL : text);
}

int
interop_tlp_stricter(int best, const char *label)
{
	char		 lower[sizeof "amber+strict"];
	enum tlp	 t;
	size_t		 i;

	if (label == NULL || strlen(label) >= sizeof lower)
		return (best);
	for (i = 0; label[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)label[i]);
	lower[i] = '\0';
	if (strcmp(lower, "white") == 0)
		t = TLP_CLEAR;
	else if (tlp_parse(lower, &t) == -1)
		return (best);
	return ((int)t > best ? (int)t : best);
}
