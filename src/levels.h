/* Ordered vocabularies of the protocol: severity levels, TLP labels, roles, tiers. */
#ifndef KENTONGAN_LEVELS_H
#define KENTONGAN_LEVELS_H

enum severity {
	SEVERITY_INFO,
	SEVERITY_LOW,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
	SEVERITY_CRITICAL
};

/* Ordered by sensitivity: a larger value is more restricted. */
enum tlp {
	TLP_CLEAR,
	TLP_GREEN,
	TLP_AMBER,
	TLP_AMBER_STRICT,
	TLP_RED
};

enum role {
	ROLE_MEMBER,
	ROLE_PARTNER,
	ROLE_OPERATOR,
	ROLE_HUB,		/* a peer hub of another region: peer lines */
	ROLE_MONITOR		/* reads /metrics on the operator listener */
};

enum tier {
	TIER_BILATERAL,
	TIER_REGIONAL,
	TIER_GLOBAL
};

/* Each parser returns 0 and stores the value, or -1 for an unknown name. */
int		 severity_parse(const char *, enum severity *);
const char	*severity_name(enum severity);
int		 tlp_parse(const char *, enum tlp *);
const char	*tlp_name(enum tlp);
int		 role_parse(const char *, enum role *);
const char	*role_name(enum role);
const char	*tier_name(enum tier);

#endif
