/* Alerts are assembled from pieces that need no escaping, plus the stored body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "timefmt.h"

char *
alert_format(int64_t seq, const char *sender, int64_t received_at, int tier,
    const char *body, size_t body_len, int newline, size_t *len)
{
	char	 head[256], when[RFC3339_BUFSIZE], tier_text[16], *out;
	int	 n;

	if (tier == ALERT_OWN_REPORT)
		snprintf(tier_text, sizeof tier_text, "null");
	else
		snprintf(tier_text, sizeof tier_text, "\"%s\"",
		    tier_name((enum tier)tier));
	n = snprintf(head, sizeof head, "{\"type\":\"alert\",\"seq\":%lld,"
	    "\"sender\":\"%s\",\"received_at\":\"%s\",\"tier\":%s,"
	    "\"report\":", (long long)seq, sender,
	    rfc3339_format(received_at, when, sizeof when), tier_text);
	if (n < 0 || (size_t)n >= sizeof head)
		return (NULL);
	*len = (size_t)n + body_len + 1 + (newline ? 1 : 0);
	if ((out = malloc(*len + 1)) == NULL)
		return (NULL);
	memcpy(out, head, (size_t)n);
	memcpy(out + n, body, body_len);
	out[n + body_len] = '}';
	if (newline)
		out[n + body_len + 1] = '\n';
	out[*len] = '\0';
	return (out);
}
