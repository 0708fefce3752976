/* HTML escaping and the console's page frame. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "html.h"
#include "utf8.h"

int
html_text(struct evbuffer *out, const char *s, size_t len)
{
	static const char	 replacement[] = "\xef\xbf\xbd";
	const char		*ref;
	unsigned long		 cp;
	size_t			 i = 0, start = 0, n;
	char			 num[16];
	int			 rc = 0;

	while (i < len) {
		ref = NULL;
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			cp = 0;
		if (n == 0)
			ref = replacement;
		else if (cp == '&')
			ref = "&amp;";
		else if (cp == '<')
			ref = "&lt;";
		else if (cp == '>')
			ref = "&gt;";
		else if (cp == '"')
			ref = "&quot;";
		else if (cp == '\'')
			ref = "&#39;";
		else if ((cp < 0x20 && cp != '\t' && cp != '\n') ||
		    (cp >= 0x7f && cp < 0xa0))
			ref = replacement;
		else if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(num, sizeof num, "&#x%lX;", cp);
			ref = num;
		}
		if (ref == NULL) {
			i += n;
			continue;
		}
		if (i > start && evbuffer_add(out, s + start, i - start) == -1)
			rc = -1;
		if (evbuffer_add(out, ref, strlen(ref)) == -1)
			rc = -1;
		i += n == 0 ? 1 : n;
		start = i;
	}
	if (i > start && evbuffer_add(out, s + start, i - start) == -1)
		rc = -1;
	return (rc);
}

int
html_str(struct evbuffer *out, const char *s)
{
	if (s == NULL)
		s = "-";
	return (html_text(out, s, strlen(s)));
}

int
html_page_start(struct evbuffer *out, const char *title, const char *hub,
    const char *active)
{
	static const struct {
		const char	*path;
		const char	*name;
	} nav[] = {
		{ "/", "Live" },
		{ "/reports", "Reports" },
		{ "/stats", "Statistics" },
	};
	size_t	i;
	int	rc = 0;

	if (evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>") == -1 ||
	    html_str(out, title) == -1 ||
	    evbuffer_add_printf(out, " - Kentongan</title><link rel=\"stylesheet\" "
	    "href=\"/console.css\"><link rel=\"icon\" type=\"image/svg+xml\" "
	    "href=\"/favicon.svg\"><script src=\"/console.js\" defer>"
	    "</script></head>\n<body><header><span class=\"brand\">"
	    "Kentongan</span> <span class=\"hub\">") == -1 ||
	    html_str(out, hub) == -1 ||
	    evbuffer_add_printf(out, "</span><nav>") == -1)
		rc = -1;
	for (i = 0; i < sizeof nav / sizeof nav[0]; i++)
		if (evbuffer_add_printf(out, "<a href=\"%s\"%s>%s</a>",
		    nav[i].path, strcmp(nav[i].path, active) == 0 ?
		    " aria-current=\"page\"" : "", nav[i].name) == -1)
			rc = -1;
	if (evbuffer_add_printf(out, "</nav></header>\n<main><h1>") == -1 ||
	    html_str(out, title) == -1 ||
	    evbuffer_add_printf(out, "</h1>\n") == -1)
		rc = -1;
	return (rc);
}

int
html_page_end(struct evbuffer *out)
{
	return (evbuffer_add_printf(out, "</main></body></html>\n") == -1 ?
	    -1 : 0);
}

const char *
html_tlp_class(const char *tlp)
{
	if (tlp == NULL)
		return ("tlp-unknown");
	if (strcmp(tlp, "clear") == 0)
		return ("tlp-clear");
	if (strcmp(tlp, "green") == 0)
		return ("tlp-green");
	if (strcmp(tlp, "amber") == 0)
		return ("tlp-amber");
	if (strcmp(tlp, "amber+strict") == 0)
		return ("tlp-amber-strict");
	if (strcmp(tlp, "red") == 0)
		return ("tlp-red");
	return ("tlp-unknown");
}
