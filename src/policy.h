/* The sharing policy: who is entitled to a report, and through which trust tier. */
#ifndef KENTONGAN_POLICY_H
#define KENTONGAN_POLICY_H

#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "levels.h"
#include "verdict.h"

struct policy_recipient {
	char		member[CONF_MEMBER_ID_MAX + 1];
	enum tier	tier;
};

/* A recipient set, in registry order; owned by whoever holds it. */
struct policy_set {
	struct policy_recipient	*list;
	size_t			 n;
};

/*
 * The most sensitive label S may share with R, and the tier that a report
 * of that label would go through. Roles other than member/partner and
 * R == S are the caller's concern.
 */
enum tlp	policy_max_tlp(const struct conf *, const struct conf_member *s,
		    const struct conf_member *r);
/*
 * 1 if R is entitled to a report of label tlp from S (rules 1 and 2 of the
 * policy), with *tier set; else 0.
 */
int		policy_entitled(const struct conf *, const struct conf_member *s,
		    const struct conf_member *r, enum tlp tlp, enum tier *tier);
/*
 * The recipient set of a report from sender with label tlp, restricted to
 * named (a JSON array of member IDs) when not NULL. A named recipient that
 * is unknown or not entitled refuses the whole report: returns -1 with *v
 * set and *set empty. Returns 0 otherwise.
 */
int		policy_recipients(const struct conf *, const char *sender,
		    enum tlp tlp, const json_t *named, struct policy_set *set,
		    struct verdict *v);
/*
 * 1 if a report of label tlp, with the named recipients (NULL: none) and
 * the hubs of path before this one, leaves for the peer hub: at most the
 * peer's max_tlp and never above amber, named if any are, the peer not
 * in the path, and the path shorter than the peer's hops.
 */
int		policy_peer_allowed(const struct conf_member *peer, enum tlp,
		    const json_t *named, const char *const *path,
		    size_t npath);
/*
 * The recipient set, on this hub, of a report forwarded by a peer: every
 * member and partner for clear and green, those of peer_amber_to for
 * amber, and the peers it goes on to; all through the global tier. A
 * forward above amber is refused (-1, *v set).
 */
int		policy_forwarded(const struct conf *, enum tlp,
		    const json_t *named, const char *const *path,
		    size_t npath, struct policy_set *, struct verdict *);
void		policy_set_clear(struct policy_set *);

#endif
