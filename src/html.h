/*
 * HTML for the operator console, without I/O: text escaped for element
 * content and attribute values, and the frame every page shares. Nothing
 * from a report reaches a page except through html_text.
 */
#ifndef KENTONGAN_HTML_H
#define KENTONGAN_HTML_H

#include <stddef.h>

struct evbuffer;

/*
 * The console's Content-Security-Policy: nothing from elsewhere, no inline
 * script or style; its script and style sheet come from the hub itself.
 */
#define HTML_CSP	"default-src 'none'; script-src 'self'; " \
			"style-src 'self'; img-src 'self'; connect-src 'self'; " \
			"base-uri 'none'; form-action 'self'; " \
			"frame-ancestors 'none'"

/*
 * Append len bytes of s as text safe in element content and in a quoted
 * attribute value: & < > " ' as character references, C0 controls but
 * tab and newline, DEL and C1 controls as U+FFFD, bytes that are not
 * well-formed UTF-8 as U+FFFD, the bidirectional controls as references
 * so that they cannot reorder what surrounds them. -1 on no memory.
 */
int	html_text(struct evbuffer *, const char *s, size_t len);
/* html_text of a NUL-terminated string; NULL is shown as "-". */
int	html_str(struct evbuffer *, const char *s);
/*
 * The start of a page: doctype, head with title (escaped), the console's
 * style sheet and script, and the navigation with active (the path of the
 * page, "/" ...) marked; hub is the hub's name, shown in the header.
 */
int	html_page_start(struct evbuffer *, const char *title, const char *hub,
	    const char *active);
/* The end of a page. */
int	html_page_end(struct evbuffer *);
/* The CSS class of a TLP label ("tlp-amber-strict" ...), for its colour. */
const char *html_tlp_class(const char *tlp);

#endif
