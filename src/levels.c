/* Names of the ordered vocabularies, in the spelling of the wire protocol. */
#include <string.h>

#include "levels.h"

static const char *severity_names[] = {
	"info", "low", "medium", "high", "critical"
};
static const char *tlp_names[] = {
	"clear", "green", "amber", "amber+strict", "red"
};
static const char *role_names[] = { "member", "partner", "operator", "hub",
	"monitor" };
static const char *tier_names[] = { "bilateral", "regional", "global" };

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Index of name in a table, or -1. */
static int
levels_lookup(const char **table, size_t n, const char *name)
{
	size_t	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (strcmp(table[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}

int
severity_parse(const char *name, enum severity *out)
{
	int	i = levels_lookup(severity_names, NITEMS(severity_names), name);

	if (i < 0)
		return (-1);
	*out = (enum severity)i;
	return (0);
}

const char *
severity_name(enum severity s)
{
	return ((size_t)s < NITEMS(severity_names) ? severity_names[s] : "?");
}

int
tlp_parse(const char *name, enum tlp *out)
{
	int	i = levels_lookup(tlp_names, NITEMS(tlp_names), name);

	if (i < 0)
		return (-1);
	*out = (enum tlp)i;
	return (0);
}

const char *
tlp_name(enum tlp t)
{
	return ((size_t)t < NITEMS(tlp_names) ? tlp_names[t] : "?");
}

int
role_parse(const char *name, enum role *out)
{
	int	i = levels_lookup(role_names, NITEMS(role_names), name);

	if (i < 0)
		return (-1);
	*out = (enum role)i;
	return (0);
}

const char *
role_name(enum role r)
{
	return ((size_t)r < NITEMS(role_names) ? role_names[r] : "?");
}

const char *
tier_name(enum tier t)
{
	return ((size_t)t < NITEMS(tier_names) ? tier_names[t] : "?");
}
