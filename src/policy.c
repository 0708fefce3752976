/* The sharing policy of the trust tiers: pure functions over the registry. */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Regional tier between two members of the region, global otherwise. */
static enum tlp
policy_base(const struct conf_member *s, const struct conf_member *r,
    enum tier *tier)
{
	if (s->role == ROLE_MEMBER && r->role == ROLE_MEMBER) {
		*tier = TIER_REGIONAL;
		return (TLP_GREEN);
	}
	*tier = TIER_GLOBAL;
	return (TLP_CLEAR);
}

enum tlp
policy_max_tlp(const struct conf *conf, const struct conf_member *s,
    const struct conf_member *r)
{
	const struct conf_agreement	*agreement;
	enum tier			 tier;
	enum tlp			 max;

	max = policy_base(s, r, &tier);
	agreement = conf_agreement_between(conf, s->id, r->id);
	if (agreement != NULL && agreement->max_tlp > max)
		max = agreement->max_tlp;
	return (max);
}

int
policy_entitled(const struct conf *conf, const struct conf_member *s,
    const struct conf_member *r, enum tlp tlp, enum tier *tier)
{
	const struct conf_agreement	*agreement;
	enum tlp			 base;

	if (r == s || strcmp(r->id, s->id) == 0)
		return (0);
	if (r->role != ROLE_MEMBER && r->role != ROLE_PARTNER)
		return (0);
	base = policy_base(s, r, tier);
	if (tlp <= base)
		return (1);
	/* Only an agreement can lift the label above the base tier. */
	agreement = conf_agreement_between(conf, s->id, r->id);
	if (agreement != NULL && tlp <= agreement->max_tlp) {
		*tier = TIER_BILATERAL;
		return (1);
	}
	return (0);
}

/* Append one recipient; -1 on allocation failure. */
static int
policy_set_add(struct policy_set *set, const char *member, enum tier tier)
{
	struct policy_recipient	*list;

	list = reallocarray(set->list, set->n + 1, sizeof *list);
	if (list == NULL)
		return (-1);
	set->list = list;
	memset(&list[set->n], 0, sizeof list[set->n]);
	strncpy(list[set->n].member, member, CONF_MEMBER_ID_MAX);
	list[set->n].tier = tier;
	set->n++;
	return (0);
}

/* 1 if path holds id. */
static int
policy_path_has(const char *const *path, size_t npath, const char *id)
{
	size_t	i;

	for (i = 0; i < npath; i++) {
		if (strcmp(path[i], id) == 0)
			return (1);
	}
	return (0);
}

static int	policy_named_has(const json_t *, const char *);

int
policy_peer_allowed(const struct conf_member *peer, enum tlp tlp,
    const json_t *named, const char *const *path, size_t npath)
{
	if (peer->role != ROLE_HUB)
		return (0);
	/* amber+strict and red never leave, whatever a peer line says. */
	if (tlp > TLP_AMBER || tlp > peer->max_tlp)
		return (0);
	if (named != NULL && !policy_named_has(named, peer->id))
		return (0);
	if (policy_path_has(path, npath, peer->id))
		return (0);
	return (npath < peer->hops);
}

/* Check that every named recipient exists and is entitled. */
static int
policy_check_named(const struct conf *conf, const struct conf_member *s,
    enum tlp tlp, const json_t *named, struct verdict *v)
{
	const struct conf_member	*r;
	const json_t			*item;
	const char			*id;
	char				 path[64];
	enum tier			 tier;
	size_t				 i;

	json_array_foreach(named, i, item) {
		snprintf(path, sizeof path, "report.recipients[%zu]", i);
		id = json_string_value(item);
		if (id == NULL)
			return (verdict_set(v, PROTO_INVALID_FIELD, path,
			    "recipients must be member IDs"));
		r = conf_member_by_id(conf, id);
		if (r == NULL)
			return (verdict_set(v, PROTO_UNKNOWN_RECIPIENT, path,
			    "no member has the ID \"%.32s\"", id));
		if (r == s)
			return (verdict_set(v, PROTO_RECIPIENT_NOT_PERMITTED,
			    path, "a report is not sent back to its sender"));
		if (r->role == ROLE_OPERATOR || r->role == ROLE_MONITOR)
			return (verdict_set(v, PROTO_RECIPIENT_NOT_PERMITTED,
			    path, "%s is %s, not a recipient of alerts",
			    r->id, r->role == ROLE_OPERATOR ? "an operator" :
			    "a monitor"));
		if (r->role == ROLE_HUB) {
			if (s->role != ROLE_MEMBER)
				return (verdict_set(v,
				    PROTO_RECIPIENT_NOT_PERMITTED, path, "%s is "
				    "a peer hub: only the reports of the "
				    "region's members leave for peer hubs",
				    r->id));
			if (policy_peer_allowed(r, tlp, named, NULL, 0))
				continue;
			if (tlp > TLP_AMBER)
				return (verdict_set(v,
				    PROTO_RECIPIENT_NOT_PERMITTED, path, "%s is "
				    "a peer hub: a report of tlp %s never leaves "
				    "this hub", r->id, tlp_name(tlp)));
			return (verdict_set(v, PROTO_RECIPIENT_NOT_PERMITTED,
			    path, "%s is a peer hub that may receive at most "
			    "tlp %s", r->id, tlp_name(r->max_tlp)));
		}
		if (!policy_entitled(conf, s, r, tlp, &tier))
			return (verdict_set(v, PROTO_RECIPIENT_NOT_PERMITTED,
			    path, "%s may receive at most tlp %s from %s", r->id,
			    tlp_name(policy_max_tlp(conf, s, r)), s->id));
	}
	return (0);
}

/* 1 if the JSON array of IDs holds id. */
static int
policy_named_has(const json_t *named, const char *id)
{
	const json_t	*item;
	const char	*s;
	size_t		 i;

	json_array_foreach(named, i, item) {
		s = json_string_value(item);
		if (s != NULL && strcmp(s, id) == 0)
			return (1);
	}
	return (0);
}

int
policy_recipients(const struct conf *conf, const char *sender, enum tlp tlp,
    const json_t *named, struct policy_set *set, struct verdict *v)
{
	const struct conf_member	*s, *r;
	enum tier			 tier;
	size_t				 i;

	memset(set, 0, sizeof *set);
	s = conf_member_by_id(conf, sender);
	if (s == NULL)
		return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
		    "the sender is no longer registered"));
	if (named != NULL && policy_check_named(conf, s, tlp, named, v) == -1)
		return (-1);
	for (i = 0; i < conf->nmembers; i++) {
		r = &conf->members[i];
		if (r->role == ROLE_HUB) {
			/*
			 * A peer hub is a recipient through its link, of the
			 * region's members' reports (SPEC 12); partners' stay.
			 */
			if (s->role != ROLE_MEMBER ||
			    !policy_peer_allowed(r, tlp, named, NULL, 0))
				continue;
			tier = TIER_GLOBAL;
		} else if (!policy_entitled(conf, s, r, tlp, &tier))
			continue;
		if (named != NULL && !policy_named_has(named, r->id))
			continue;
		if (policy_set_add(set, r->id, tier) == -1) {
			policy_set_clear(set);
			return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
			    "out of memory"));
		}
	}
	return (0);
}

int
policy_forwarded(const struct conf *conf, enum tlp tlp, const json_t *named,
    const char *const *path, size_t npath, struct policy_set *set,
    struct verdict *v)
{
	const struct conf_member	*r;
	size_t				 i;
	int				 entitled;

	memset(set, 0, sizeof *set);
	if (tlp > TLP_AMBER)
		return (verdict_set(v, PROTO_INVALID_FIELD, "report.tlp",
		    "a report of tlp %s never leaves its hub: this forward "
		    "is refused", tlp_name(tlp)));
	for (i = 0; i < conf->nmembers; i++) {
		r = &conf->members[i];
		switch (r->role) {
		case ROLE_MEMBER:
		case ROLE_PARTNER:
			entitled = tlp <= TLP_GREEN || conf_amber_to(conf,
			    r->id);
			break;
		case ROLE_HUB:
			entitled = policy_peer_allowed(r, tlp, named, path,
			    npath);
			break;
		default:
			entitled = 0;
			break;
		}
		if (entitled && policy_set_add(set, r->id, TIER_GLOBAL) == -1) {
			policy_set_clear(set);
			return (verdict_set(v, PROTO_INTERNAL_ERROR, NULL,
			    "out of memory"));
		}
	}
	return (0);
}

void
policy_set_clear(struct policy_set *set)
{
	free(set->list);
	set->list = NULL;
	set->n = 0;
}
