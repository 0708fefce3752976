/* Alerts are assembled from pieces that need no escaping, plus the stored body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "timefmt.h"

char *
alert_format(const struct alert_fields *a, int newline, size_t *len)
{
	char	 head[384], when[RFC3339_BUFSIZE], tier_text[16], *out, *p;
	char	 chain[96];
	size_t	 origin_len = a->origin != NULL ? strlen(a->origin) : 0;
	int	 n;

	if (a->tier == ALERT_OWN_REPORT)
		snprintf(tier_text, sizeof tier_text, "null");
	else
		snprintf(tier_text, sizeof tier_text, "\"%s\"",
		    tier_name((enum tier)a->tier));
	chain[0] = '\0';
	if (a->chain != NULL && strlen(a->chain) < sizeof chain - 12)
		snprintf(chain, sizeof chain, "\"chain\":\"%s\",", a->chain);
	n = snprintf(head, sizeof head, "{\"type\":\"alert\",\"seq\":%lld,"
	    "\"sender\":\"%s\",\"received_at\":\"%s\",\"tier\":%s,%s",
	    (long long)a->seq, a->sender, rfc3339_format(a->received_at, when,
	    sizeof when), tier_text, chain);
	if (n < 0 || (size_t)n >= sizeof head)
		return (NULL);
	*len = (size_t)n + (a->origin != NULL ? 10 + origin_len : 0) + 9 +
	    a->body_len + 1 + (newline ? 1 : 0);
	if ((out = malloc(*len + 1)) == NULL)
		return (NULL);
	p = out;
	memcpy(p, head, (size_t)n);
	p += n;
	if (a->origin != NULL) {
		memcpy(p, "\"origin\":", 9);
		memcpy(p + 9, a->origin, origin_len);
		p[9 + origin_len] = ',';
		p += 10 + origin_len;
	}
	memcpy(p, "\"report\":", 9);
	p += 9;
	memcpy(p, a->body, a->body_len);
	p += a->body_len;
	*p++ = '}';
	if (newline)
		*p++ = '\n';
	*p = '\0';
	return (out);
}
