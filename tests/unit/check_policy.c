/* Unit tests of the sharing policy: trust tiers, entitlement and named recipients. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "conf.h"
#include "levels.h"
#include "policy.h"
#include "verdict.h"

/* The three required keys; the files are never opened by conf_parse. */
#define TLS	"tls_certificate hub.crt\ntls_key hub.key\ntls_client_ca ca.crt\n"

/* Parse a registry given as text after the TLS keys, failing on any error. */
static struct conf *
parse(const char *registry)
{
	struct conf	*conf;
	char		*text = NULL, *cause = NULL;

	ck_assert_int_ne(asprintf(&text, "%s%s", TLS, registry), -1);
	conf = conf_parse(text, strlen(text), "policy.conf", &cause);
	ck_assert_msg(conf != NULL, "configuration refused: %s\n%s",
	    cause != NULL ? cause : "(null)", text);
	free(text);
	return (conf);
}

/* A JSON array of the given member IDs (NULL-terminated). */
static json_t *
named(const char *first, ...)
{
	json_t		*a;
	const char	*id;
	va_list		 ap;

	a = json_array();
	ck_assert_ptr_nonnull(a);
	va_start(ap, first);
	for (id = first; id != NULL; id = va_arg(ap, const char *))
		ck_assert_int_eq(json_array_append_new(a, json_string(id)), 0);
	va_end(ap);
	return (a);
}

/*
 * The recipient set of a report, written as "ID:tier ID:tier ..." in
 * registry order ("" for none), with the tier as R, G or B. Fails the test
 * if the call does not succeed.
 */
static char *
recipients(const struct conf *conf, const char *sender, enum tlp tlp,
    const json_t *names)
{
	struct policy_set	 set;
	struct verdict		 v = { PROTO_OK, NULL, NULL };
	char			*out = NULL;
	size_t			 len = 0, i;
	FILE			*f;
	int			 rc;

	memset(&set, 0xa5, sizeof set);
	rc = policy_recipients(conf, sender, tlp, names, &set, &v);
	ck_assert_msg(rc == 0, "%s tlp %s refused: %s %s: %s", sender,
	    tlp_name(tlp), proto_error_name(v.error),
	    v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < set.n; i++) {
		ck_assert_msg(set.list[i].tier == TIER_BILATERAL ||
		    set.list[i].tier == TIER_REGIONAL ||
		    set.list[i].tier == TIER_GLOBAL, "bad tier %d",
		    (int)set.list[i].tier);
		fprintf(f, "%s%s:%c", i == 0 ? "" : " ", set.list[i].member,
		    "BRG"[set.list[i].tier]);
	}
	fclose(f);
	if (set.n == 0)
		ck_assert_ptr_null(set.list);
	policy_set_clear(&set);
	ck_assert_ptr_null(set.list);
	ck_assert_uint_eq(set.n, 0);
	return (out);
}

/* 1 if the set written by recipients() lists id. */
static int
set_has(const char *set, const char *id)
{
	size_t	n = strlen(id);

	while (*set != '\0') {
		if (strncmp(set, id, n) == 0 && set[n] == ':')
			return (1);
		set += strcspn(set, " ");
		set += strspn(set, " ");
	}
	return (0);
}

/* The recipient set must be exactly expected. */
#define EXPECT_SET(conf, sender, tlp, names, expected) do {		\
	char	*got_ = recipients((conf), (sender), (tlp), (names));	\
									\
	ck_assert_msg(strcmp(got_, (expected)) == 0,			\
	    "from %s tlp %s: got \"%s\", expected \"%s\"", (sender),	\
	    tlp_name(tlp), got_, (expected));				\
	free(got_);							\
} while (0)

/*
 * The report must be refused as a whole with error at field, the set left
 * empty; the message must mention part (when not NULL).
 */
static void
expect_refused(const struct conf *conf, const char *sender, enum tlp tlp,
    json_t *names, enum proto_error error, const char *field,
    const char *part)
{
	struct policy_set	set;
	struct verdict		v = { PROTO_OK, NULL, NULL };
	int			rc;

	memset(&set, 0xa5, sizeof set);
	rc = policy_recipients(conf, sender, tlp, names, &set, &v);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(v.error == error, "from %s tlp %s: got %s, expected %s",
	    sender, tlp_name(tlp), proto_error_name(v.error),
	    proto_error_name(error));
	if (field == NULL)
		ck_assert_ptr_null(v.field);
	else {
		ck_assert_ptr_nonnull(v.field);
		ck_assert_str_eq(v.field, field);
	}
	ck_assert_ptr_nonnull(v.message);
	ck_assert_uint_gt(strlen(v.message), 0);
	if (part != NULL)
		ck_assert_msg(strstr(v.message, part) != NULL,
		    "message \"%s\" does not mention \"%s\"", v.message, part);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_ptr_null(set.list);
	verdict_clear(&v);
	json_decref(names);
}

static const char *role_conf[] = { "member", "partner", "operator" };

/*
 * Every sender role x recipient role x agreement x label. Each string
 * gives, for clear green amber amber+strict red, the tier through which R
 * is entitled (R regional, G global, B bilateral) or '-' for not entitled.
 */
static const struct {
	enum role	 s, r;
	const char	*agreement;	/* max_tlp, or NULL for none */
	const char	*tiers;
} matrix[] = {
	{ ROLE_MEMBER,   ROLE_MEMBER,  NULL,           "RR---" },
	{ ROLE_MEMBER,   ROLE_MEMBER,  "amber",        "RRB--" },
	{ ROLE_MEMBER,   ROLE_MEMBER,  "amber+strict", "RRBB-" },
	{ ROLE_MEMBER,   ROLE_MEMBER,  "red",          "RRBBB" },
	{ ROLE_MEMBER,   ROLE_PARTNER, NULL,           "G----" },
	{ ROLE_MEMBER,   ROLE_PARTNER, "amber",        "GBB--" },
	{ ROLE_MEMBER,   ROLE_PARTNER, "amber+strict", "GBBB-" },
	{ ROLE_MEMBER,   ROLE_PARTNER, "red",          "GBBBB" },
	{ ROLE_PARTNER,  ROLE_MEMBER,  NULL,           "G----" },
	{ ROLE_PARTNER,  ROLE_MEMBER,  "amber",        "GBB--" },
	{ ROLE_PARTNER,  ROLE_MEMBER,  "amber+strict", "GBBB-" },
	{ ROLE_PARTNER,  ROLE_MEMBER,  "red",          "GBBBB" },
	{ ROLE_PARTNER,  ROLE_PARTNER, NULL,           "G----" },
	{ ROLE_PARTNER,  ROLE_PARTNER, "amber",        "GBB--" },
	{ ROLE_PARTNER,  ROLE_PARTNER, "amber+strict", "GBBB-" },
	{ ROLE_PARTNER,  ROLE_PARTNER, "red",          "GBBBB" },
	/* Operators have no agreements; as senders they get the global tier. */
	{ ROLE_OPERATOR, ROLE_MEMBER,  NULL,           "G----" },
	{ ROLE_OPERATOR, ROLE_PARTNER, NULL,           "G----" },
};

START_TEST(test_matrix)
{
	const struct conf_member	*s, *r;
	struct conf			*conf;
	char				*registry, expected[8];
	enum tier			 tier;
	enum tlp			 tlp, max;
	const char			*tiers;
	int				 entitled;

	tiers = matrix[_i].tiers;
	ck_assert_int_ne(asprintf(&registry,
	    "member S role=%s cert_cn=s.example\n"
	    "member R role=%s cert_cn=r.example\n"
	    "%s%s%s",
	    role_conf[matrix[_i].s], role_conf[matrix[_i].r],
	    matrix[_i].agreement != NULL ? "agreement S R max_tlp=" : "",
	    matrix[_i].agreement != NULL ? matrix[_i].agreement : "",
	    matrix[_i].agreement != NULL ? "\n" : ""), -1);
	conf = parse(registry);
	s = conf_member_by_id(conf, "S");
	r = conf_member_by_id(conf, "R");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(r);

	/* The most sensitive label is the last entitled one. */
	max = TLP_CLEAR;
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		if (tiers[tlp] != '-')
			max = tlp;
	}
	ck_assert_msg(policy_max_tlp(conf, s, r) == max,
	    "%s: max_tlp %s, expected %s", registry,
	    tlp_name(policy_max_tlp(conf, s, r)), tlp_name(max));

	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		tier = (enum tier)-1;
		entitled = policy_entitled(conf, s, r, tlp, &tier);
		ck_assert_msg(entitled == (tiers[tlp] != '-'),
		    "%stlp %s: entitled %d", registry, tlp_name(tlp),
		    entitled);
		if (entitled)
			ck_assert_msg("BRG"[tier] == tiers[tlp],
			    "%stlp %s: tier %s, expected %c", registry,
			    tlp_name(tlp), tier_name(tier), tiers[tlp]);

		/* The same through the recipient set, with and without names. */
		if (tiers[tlp] == '-')
			expected[0] = '\0';
		else
			snprintf(expected, sizeof expected, "R:%c", tiers[tlp]);
		EXPECT_SET(conf, "S", tlp, NULL, expected);
		if (tiers[tlp] != '-') {
			json_t	*names = named("R", NULL);

			EXPECT_SET(conf, "S", tlp, names, expected);
			json_decref(names);
		} else {
			char	 part[64];

			snprintf(part, sizeof part, "at most tlp %s",
			    tlp_name(max));
			expect_refused(conf, "S", tlp, named("R", NULL),
			    PROTO_RECIPIENT_NOT_PERMITTED,
			    "report.recipients[0]", part);
		}
		/* The reverse direction never includes the sender either. */
		{
			char	*back = recipients(conf, "R", tlp, NULL);

			ck_assert_msg(!set_has(back, "R"),
			    "R in its own set: %s", back);
			free(back);
		}
	}
	free(registry);
	conf_free(conf);
}
END_TEST

/*
 * A registry of the region and its partners, with agreements of every
 * level (one written in the reverse order: agreements are symmetric).
 */
#define REGISTRY							\
	"member ID name=\"Indonesia\" cert_cn=id.example\n"		\
	"member SG cert_cn=sg.example\n"				\
	"member MY role=member cert_cn=my.example\n"			\
	"member APCERT role=partner cert_cn=apcert.example\n"		\
	"member JPCERT role=partner cert_cn=jpcert.example\n"		\
	"member OPS role=operator cert_cn=ops.example\n"		\
	"member TH cert_cn=th.example\n"				\
	"agreement ID MY max_tlp=red\n"					\
	"agreement ID JPCERT max_tlp=amber\n"				\
	"agreement SG ID max_tlp=amber+strict\n"

START_TEST(test_tiers)
{
	struct conf	*conf = parse(REGISTRY);

	/* Registry order, every tier in one set. */
	EXPECT_SET(conf, "ID", TLP_CLEAR, NULL,
	    "SG:R MY:R APCERT:G JPCERT:G TH:R");
	EXPECT_SET(conf, "ID", TLP_GREEN, NULL, "SG:R MY:R JPCERT:B TH:R");
	EXPECT_SET(conf, "ID", TLP_AMBER, NULL, "SG:B MY:B JPCERT:B");
	EXPECT_SET(conf, "ID", TLP_AMBER_STRICT, NULL, "SG:B MY:B");
	EXPECT_SET(conf, "ID", TLP_RED, NULL, "MY:B");

	/* The same agreements seen from the other side. */
	EXPECT_SET(conf, "MY", TLP_RED, NULL, "ID:B");
	EXPECT_SET(conf, "SG", TLP_AMBER_STRICT, NULL, "ID:B");
	EXPECT_SET(conf, "SG", TLP_GREEN, NULL, "ID:R MY:R TH:R");
	EXPECT_SET(conf, "JPCERT", TLP_CLEAR, NULL,
	    "ID:G SG:G MY:G APCERT:G TH:G");
	EXPECT_SET(conf, "JPCERT", TLP_GREEN, NULL, "ID:B");
	EXPECT_SET(conf, "JPCERT", TLP_AMBER, NULL, "ID:B");
	EXPECT_SET(conf, "JPCERT", TLP_AMBER_STRICT, NULL, "");

	/* A partner without agreements shares only clear. */
	EXPECT_SET(conf, "APCERT", TLP_CLEAR, NULL,
	    "ID:G SG:G MY:G JPCERT:G TH:G");
	EXPECT_SET(conf, "APCERT", TLP_GREEN, NULL, "");
	EXPECT_SET(conf, "TH", TLP_AMBER, NULL, "");
	conf_free(conf);
}
END_TEST

START_TEST(test_sender_excluded)
{
	struct conf			*conf = parse(REGISTRY);
	const struct conf_member	*id;
	enum tier			 tier;
	enum tlp			 tlp;
	size_t				 i;
	const char			*senders[] = { "ID", "SG", "MY",
					    "APCERT", "JPCERT", "TH" };

	id = conf_member_by_id(conf, "ID");
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		ck_assert_int_eq(policy_entitled(conf, id, id, tlp, &tier), 0);
		for (i = 0; i < sizeof senders / sizeof senders[0]; i++) {
			char	*got = recipients(conf, senders[i], tlp, NULL);

			ck_assert_msg(!set_has(got, senders[i]),
			    "%s in its own set at tlp %s: %s", senders[i],
			    tlp_name(tlp), got);
			free(got);
		}
	}
	/* Even a copy of the sender (another entry, same ID) is excluded. */
	{
		struct conf_member	copy = *id;

		ck_assert_int_eq(policy_entitled(conf, id, &copy, TLP_CLEAR,
		    &tier), 0);
	}
	conf_free(conf);
}
END_TEST

START_TEST(test_operators_excluded)
{
	struct conf			*conf;
	const struct conf_member	*ops, *id;
	enum tier			 tier;
	enum tlp			 tlp;

	conf = parse(REGISTRY "member OPS2 role=operator cert_cn=ops2.example\n");
	ops = conf_member_by_id(conf, "OPS");
	id = conf_member_by_id(conf, "ID");
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		ck_assert_int_eq(policy_entitled(conf, id, ops, tlp, &tier), 0);
		ck_assert_int_eq(policy_entitled(conf,
		    conf_member_by_id(conf, "APCERT"), ops, tlp, &tier), 0);
		/* An operator sending reaches no other operator. */
		ck_assert_int_eq(policy_entitled(conf, ops,
		    conf_member_by_id(conf, "OPS2"), tlp, &tier), 0);
	}
	EXPECT_SET(conf, "ID", TLP_CLEAR, NULL,
	    "SG:R MY:R APCERT:G JPCERT:G TH:R");
	EXPECT_SET(conf, "APCERT", TLP_CLEAR, NULL,
	    "ID:G SG:G MY:G JPCERT:G TH:G");
	/* What an operator sender would get (the listener never admits one). */
	EXPECT_SET(conf, "OPS", TLP_CLEAR, NULL,
	    "ID:G SG:G MY:G APCERT:G JPCERT:G TH:G");
	EXPECT_SET(conf, "OPS", TLP_GREEN, NULL, "");

	/* Named, an operator refuses the report at every label. */
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		expect_refused(conf, "ID", tlp, named("OPS", NULL),
		    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
		    "OPS");
		expect_refused(conf, "OPS", tlp, named("OPS2", NULL),
		    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
		    "OPS2");
	}
	expect_refused(conf, "ID", TLP_CLEAR, named("SG", "TH", "OPS2", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[2]", "OPS2");
	conf_free(conf);
}
END_TEST

START_TEST(test_named_narrowing)
{
	struct conf	*conf = parse(REGISTRY);
	json_t		*names;

	/* The set is the intersection, in registry order, not name order. */
	names = named("TH", "SG", NULL);
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "SG:R TH:R");
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "SG:R TH:R");
	json_decref(names);

	names = named("JPCERT", NULL);
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "JPCERT:B");
	EXPECT_SET(conf, "ID", TLP_AMBER, names, "JPCERT:B");
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "JPCERT:G");
	json_decref(names);

	names = named("MY", "SG", NULL);
	EXPECT_SET(conf, "ID", TLP_AMBER_STRICT, names, "SG:B MY:B");
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "SG:R MY:R");
	json_decref(names);

	/* Red goes only where it is named and agreed. */
	names = named("MY", NULL);
	EXPECT_SET(conf, "ID", TLP_RED, names, "MY:B");
	json_decref(names);
	names = named("ID", NULL);
	EXPECT_SET(conf, "MY", TLP_RED, names, "ID:B");
	json_decref(names);

	/* A name given twice is one recipient. */
	names = named("SG", "SG", NULL);
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "SG:R");
	json_decref(names);

	/* An empty list names nobody. */
	names = named(NULL);
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "");
	EXPECT_SET(conf, "ID", TLP_RED, names, "");
	json_decref(names);

	/* Everybody entitled, named: the same as no names. */
	names = named("TH", "JPCERT", "APCERT", "MY", "SG", NULL);
	EXPECT_SET(conf, "ID", TLP_CLEAR, names,
	    "SG:R MY:R APCERT:G JPCERT:G TH:R");
	json_decref(names);
	conf_free(conf);
}
END_TEST

START_TEST(test_named_unknown)
{
	struct conf	*conf = parse(REGISTRY);

	expect_refused(conf, "ID", TLP_GREEN, named("XX", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[0]", "XX");
	expect_refused(conf, "ID", TLP_GREEN, named("SG", "MY", "XX", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[2]", "XX");
	/* IDs match whole: a prefix or an extension is unknown. */
	expect_refused(conf, "ID", TLP_CLEAR, named("SG", "S", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[1]", NULL);
	expect_refused(conf, "ID", TLP_CLEAR, named("SGX", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[0]", NULL);
	expect_refused(conf, "ID", TLP_CLEAR, named("", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[0]", NULL);
	/* Unknown at any label, red included. */
	expect_refused(conf, "ID", TLP_RED, named("MY", "NOPE", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[1]", "NOPE");
	/* The first offending name decides. */
	expect_refused(conf, "ID", TLP_GREEN, named("XX", "OPS", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[0]", "XX");
	expect_refused(conf, "ID", TLP_GREEN, named("OPS", "XX", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]", "OPS");
	/* Index 10 and beyond. */
	expect_refused(conf, "ID", TLP_GREEN, named("SG", "SG", "SG", "SG",
	    "SG", "SG", "SG", "SG", "SG", "SG", "SG", "ZZ", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[11]", "ZZ");
	conf_free(conf);
}
END_TEST

START_TEST(test_named_not_permitted)
{
	struct conf	*conf = parse(REGISTRY);

	/* Above the recipient's maximum: the whole report is refused. */
	expect_refused(conf, "ID", TLP_GREEN, named("SG", "APCERT", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]",
	    "APCERT may receive at most tlp clear from ID");
	expect_refused(conf, "ID", TLP_AMBER, named("TH", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "TH may receive at most tlp green from ID");
	expect_refused(conf, "ID", TLP_AMBER_STRICT, named("JPCERT", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "JPCERT may receive at most tlp amber from ID");
	expect_refused(conf, "ID", TLP_RED, named("MY", "SG", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]",
	    "SG may receive at most tlp amber+strict from ID");
	expect_refused(conf, "SG", TLP_AMBER, named("ID", "MY", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]",
	    "MY may receive at most tlp green from SG");
	expect_refused(conf, "APCERT", TLP_GREEN, named("ID", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "ID may receive at most tlp clear from APCERT");

	/* The sender itself, even at clear. */
	expect_refused(conf, "ID", TLP_CLEAR, named("ID", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]", NULL);
	expect_refused(conf, "MY", TLP_RED, named("ID", "MY", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]", NULL);
	expect_refused(conf, "APCERT", TLP_CLEAR, named("SG", "APCERT", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]", NULL);

	/* An operator. */
	expect_refused(conf, "SG", TLP_CLEAR, named("OPS", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]", "OPS");

	/* A name that is not a string. */
	{
		json_t	*names = named("SG", NULL);

		json_array_append_new(names, json_integer(7));
		expect_refused(conf, "ID", TLP_GREEN, names,
		    PROTO_INVALID_FIELD, "report.recipients[1]", NULL);
	}
	conf_free(conf);
}
END_TEST

START_TEST(test_unknown_sender)
{
	struct conf	*conf = parse(REGISTRY);

	/* A sender removed by a reload between its report and the policy. */
	expect_refused(conf, "GONE", TLP_CLEAR, NULL, PROTO_INTERNAL_ERROR,
	    NULL, NULL);
	expect_refused(conf, "GONE", TLP_GREEN, named("SG", NULL),
	    PROTO_INTERNAL_ERROR, NULL, NULL);
	conf_free(conf);
}
END_TEST

/*
 * Federation: what leaves for a peer hub, and who receives here a report
 * that a peer forwarded.
 */

/* A set written as recipients() writes it, the tier as R, G or B. */
static char *
set_text(const struct policy_set *set)
{
	char	*out = NULL;
	size_t	 len = 0, i;
	FILE	*f;

	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < set->n; i++)
		fprintf(f, "%s%s:%c", i == 0 ? "" : " ", set->list[i].member,
		    "BRG"[set->list[i].tier]);
	fclose(f);
	return (out);
}

/* Split "A B C" into path (at most CONF_PATH_MAX); the count. */
static size_t
path_split(char *text, const char *path[CONF_PATH_MAX])
{
	size_t	 n = 0;
	char	*p;

	for (p = strtok(text, " "); p != NULL; p = strtok(NULL, " ")) {
		ck_assert_uint_lt(n, CONF_PATH_MAX);
		path[n++] = p;
	}
	return (n);
}

/* The set of a forward with hubs before this one given as "A B". */
static char *
forwarded(const struct conf *conf, enum tlp tlp, const json_t *names,
    const char *hubs)
{
	struct policy_set	 set;
	struct verdict		 v = { PROTO_OK, NULL, NULL };
	const char		*path[CONF_PATH_MAX];
	char			*copy, *out;
	size_t			 npath;
	int			 rc;

	copy = strdup(hubs);
	ck_assert_ptr_nonnull(copy);
	npath = path_split(copy, path);
	memset(&set, 0xa5, sizeof set);
	rc = policy_forwarded(conf, tlp, names, path, npath, &set, &v);
	ck_assert_msg(rc == 0, "forward tlp %s by %s refused: %s %s: %s",
	    tlp_name(tlp), hubs, proto_error_name(v.error),
	    v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	ck_assert_ptr_null(v.field);
	ck_assert_ptr_null(v.message);
	out = set_text(&set);
	if (set.n == 0)
		ck_assert_ptr_null(set.list);
	policy_set_clear(&set);
	free(copy);
	return (out);
}

/* The set of a forward must be exactly expected. */
#define EXPECT_FORWARDED(conf, tlp, names, hubs, expected) do {		\
	char	*got_ = forwarded((conf), (tlp), (names), (hubs));	\
									\
	ck_assert_msg(strcmp(got_, (expected)) == 0,			\
	    "forward tlp %s by %s: got \"%s\", expected \"%s\"",	\
	    tlp_name(tlp), (hubs), got_, (expected));			\
	free(got_);							\
} while (0)

/* The report must be refused with exactly this error, field and message. */
static void
expect_refused_exact(const struct conf *conf, const char *sender,
    enum tlp tlp, json_t *names, enum proto_error error, const char *field,
    const char *message)
{
	struct policy_set	set;
	struct verdict		v = { PROTO_OK, NULL, NULL };

	memset(&set, 0xa5, sizeof set);
	ck_assert_int_eq(policy_recipients(conf, sender, tlp, names, &set,
	    &v), -1);
	ck_assert_str_eq(proto_error_name(v.error), proto_error_name(error));
	ck_assert_ptr_nonnull(v.field);
	ck_assert_str_eq(v.field, field);
	ck_assert_ptr_nonnull(v.message);
	ck_assert_str_eq(v.message, message);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_ptr_null(set.list);
	verdict_clear(&v);
	json_decref(names);
}

/*
 * For each max_tlp and hops of a peer line: whether a report leaves for
 * it, by tlp (clear ... red) and then by the hubs before this one (0 to 3).
 */
static const struct {
	const char	*max_tlp;	/* NULL: the default */
	unsigned	 hops;		/* 0: the default */
	const char	*leaves;
} peer_matrix[] = {
	{ "clear", 1, "Y--- ---- ---- ---- ----" },
	{ "clear", 2, "YY-- ---- ---- ---- ----" },
	{ "clear", 3, "YYY- ---- ---- ---- ----" },
	{ "green", 1, "Y--- Y--- ---- ---- ----" },
	{ "green", 2, "YY-- YY-- ---- ---- ----" },
	{ "green", 3, "YYY- YYY- ---- ---- ----" },
	{ "amber", 1, "Y--- Y--- Y--- ---- ----" },
	{ "amber", 2, "YY-- YY-- YY-- ---- ----" },
	{ "amber", 3, "YYY- YYY- YYY- ---- ----" },
	/* Default: green, and only this hub's own reports. */
	{ NULL,    0, "Y--- Y--- ---- ---- ----" },
};

START_TEST(test_peer_allowed)
{
	static const char *const hubs[] = { "NZ", "JP", "KR" };
	const struct conf_member	*peer;
	struct conf			*conf;
	char				 line[256], opt[64] = "";
	const char			*leaves = peer_matrix[_i].leaves;
	enum tlp			 tlp;
	size_t				 npath;
	int				 got;

	if (peer_matrix[_i].max_tlp != NULL)
		snprintf(opt, sizeof opt, " max_tlp=%s",
		    peer_matrix[_i].max_tlp);
	if (peer_matrix[_i].hops != 0)
		snprintf(opt + strlen(opt), sizeof opt - strlen(opt),
		    " hops=%u", peer_matrix[_i].hops);
	snprintf(line, sizeof line, "hub_id ASEAN\n"
	    "peer EU cert_cn=eu.example%s\n", opt);
	conf = parse(line);
	peer = conf_member_by_id(conf, "EU");
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_eq(peer->role, ROLE_HUB);
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++) {
		for (npath = 0; npath <= 3; npath++) {
			got = policy_peer_allowed(peer, tlp, NULL, hubs, npath);
			ck_assert_msg(got == (leaves[tlp * 5 + npath] == 'Y'),
			    "%stlp %s after %zu hubs: %d", line,
			    tlp_name(tlp), npath, got);
		}
	}
	conf_free(conf);
}
END_TEST

START_TEST(test_peer_allowed_rules)
{
	static const char *const clean[] = { "NZ", "JP" };
	static const char *const via[] = { "NZ", "EU" };
	static const char *const like[] = { "EU2", "eu", "E" };
	struct conf_member		 fake;
	const struct conf_member	*eu, *sg;
	struct conf			*conf;
	json_t				*names;
	enum tlp			 tlp;

	conf = parse("hub_id ASEAN\n"
	    "peer EU cert_cn=eu.example max_tlp=amber hops=3\n"
	    "member SG cert_cn=sg.example\n");
	eu = conf_member_by_id(conf, "EU");
	sg = conf_member_by_id(conf, "SG");

	/* Named recipients: only a list that names the peer lets it go. */
	names = named("EU", NULL);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_AMBER, names, NULL, 0), 1);
	json_decref(names);
	names = named("SG", "EU", NULL);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_GREEN, names, clean, 2),
	    1);
	json_decref(names);
	names = named("SG", NULL);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, names, NULL, 0), 0);
	json_decref(names);
	names = named("EU2", "eu", NULL);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, names, NULL, 0), 0);
	json_decref(names);
	names = named(NULL);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, names, NULL, 0), 0);
	json_decref(names);
	/* A name that is not a string is no one. */
	names = json_pack("[i,s]", 7, "EU");
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, names, NULL, 0), 1);
	json_decref(names);

	/* A path that holds the peer: never back to it, whatever the hops. */
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, NULL, clean, 2), 1);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, NULL, via, 2), 0);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, NULL, via + 1, 1),
	    0);
	ck_assert_int_eq(policy_peer_allowed(eu, TLP_CLEAR, NULL, like, 2), 1);

	/* Only a party of role hub is a peer. */
	for (tlp = TLP_CLEAR; tlp <= TLP_RED; tlp++)
		ck_assert_int_eq(policy_peer_allowed(sg, tlp, NULL, NULL, 0), 0);

	/* Above amber never leaves, even for a peer that says more. */
	fake = *eu;
	fake.max_tlp = TLP_RED;
	fake.hops = CONF_HOPS_MAX;
	ck_assert_int_eq(policy_peer_allowed(&fake, TLP_AMBER, NULL, NULL, 0),
	    1);
	ck_assert_int_eq(policy_peer_allowed(&fake, TLP_AMBER_STRICT, NULL,
	    NULL, 0), 0);
	ck_assert_int_eq(policy_peer_allowed(&fake, TLP_RED, NULL, NULL, 0), 0);
	names = named("EU", NULL);
	ck_assert_int_eq(policy_peer_allowed(&fake, TLP_RED, names, NULL, 0),
	    0);
	json_decref(names);
	conf_free(conf);
}
END_TEST

/*
 * A region with three peer hubs, declared among its members: EU takes up
 * to amber from up to two hubs before this one, AU the defaults, AF clear
 * from up to one.
 */
#define FEDERATION_BASE							\
	"member ID cert_cn=id.example\n"				\
	"member SG cert_cn=sg.example\n"				\
	"peer EU cert_cn=eu.example max_tlp=amber hops=3\n"		\
	"member APCERT role=partner cert_cn=apcert.example\n"		\
	"member OPS role=operator cert_cn=ops.example\n"		\
	"peer AU cert_cn=au.example\n"					\
	"peer AF cert_cn=af.example max_tlp=clear hops=2\n"		\
	"member TH cert_cn=th.example\n"				\
	"hub_id ASEAN\n"						\
	"agreement ID SG max_tlp=red\n"					\
	"agreement ID APCERT max_tlp=amber\n"
#define FEDERATION	FEDERATION_BASE "peer_amber_to SG APCERT\n"

START_TEST(test_peer_recipients)
{
	struct conf	*conf = parse(FEDERATION);
	json_t		*names;

	/* Peers through the global tier, in registry order with the rest. */
	EXPECT_SET(conf, "ID", TLP_CLEAR, NULL,
	    "SG:R EU:G APCERT:G AU:G AF:G TH:R");
	EXPECT_SET(conf, "ID", TLP_GREEN, NULL, "SG:R EU:G APCERT:B AU:G TH:R");
	EXPECT_SET(conf, "ID", TLP_AMBER, NULL, "SG:B EU:G APCERT:B");
	EXPECT_SET(conf, "ID", TLP_AMBER_STRICT, NULL, "SG:B");
	EXPECT_SET(conf, "ID", TLP_RED, NULL, "SG:B");
	EXPECT_SET(conf, "TH", TLP_GREEN, NULL, "ID:R SG:R EU:G AU:G");
	EXPECT_SET(conf, "SG", TLP_AMBER, NULL, "ID:B EU:G");
	/* Only the region's members' reports leave; a partner's stay. */
	EXPECT_SET(conf, "APCERT", TLP_CLEAR, NULL, "ID:G SG:G TH:G");
	EXPECT_SET(conf, "APCERT", TLP_GREEN, NULL, "ID:B");
	/* A peer's own report is not sent to peers from here. */
	EXPECT_SET(conf, "EU", TLP_CLEAR, NULL, "ID:G SG:G APCERT:G TH:G");

	/* Named: a peer named goes, one not named does not. */
	names = named("EU", NULL);
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "EU:G");
	EXPECT_SET(conf, "ID", TLP_AMBER, names, "EU:G");
	json_decref(names);
	names = named("SG", NULL);
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "SG:R");
	json_decref(names);
	names = named("TH", "EU", "AU", NULL);
	EXPECT_SET(conf, "ID", TLP_GREEN, names, "EU:G AU:G TH:R");
	json_decref(names);
	names = named("AF", NULL);
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "AF:G");
	json_decref(names);
	names = named(NULL);
	EXPECT_SET(conf, "ID", TLP_CLEAR, names, "");
	json_decref(names);
	conf_free(conf);
}
END_TEST

START_TEST(test_peer_named_refused)
{
	struct conf	*conf = parse(FEDERATION);

	/* Red and amber+strict never leave, even for a peer named. */
	expect_refused_exact(conf, "ID", TLP_RED, named("SG", "EU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]",
	    "EU is a peer hub: a report of tlp red never leaves this hub");
	expect_refused_exact(conf, "ID", TLP_AMBER_STRICT, named("EU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "EU is a peer hub: a report of tlp amber+strict never leaves "
	    "this hub");
	expect_refused_exact(conf, "ID", TLP_RED, named("AF", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "AF is a peer hub: a report of tlp red never leaves this hub");
	/* A partner's report does not leave, even for a peer it names. */
	expect_refused_exact(conf, "APCERT", TLP_CLEAR, named("EU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "EU is a peer hub: only the reports of the region's members "
	    "leave for peer hubs");
	/* Above the peer's max_tlp. */
	expect_refused_exact(conf, "ID", TLP_AMBER, named("SG", "AU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[1]",
	    "AU is a peer hub that may receive at most tlp green");
	expect_refused_exact(conf, "ID", TLP_GREEN, named("AF", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "AF is a peer hub that may receive at most tlp clear");
	expect_refused_exact(conf, "TH", TLP_AMBER, named("AF", "EU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "AF is a peer hub that may receive at most tlp clear");
	/* The first bad name decides, a peer's or a member's. */
	expect_refused_exact(conf, "ID", TLP_AMBER, named("AU", "TH", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "AU is a peer hub that may receive at most tlp green");
	expect_refused_exact(conf, "ID", TLP_AMBER, named("TH", "AU", NULL),
	    PROTO_RECIPIENT_NOT_PERMITTED, "report.recipients[0]",
	    "TH may receive at most tlp green from ID");
	/* The hub's own ID is no recipient. */
	expect_refused_exact(conf, "ID", TLP_CLEAR, named("ASEAN", NULL),
	    PROTO_UNKNOWN_RECIPIENT, "report.recipients[0]",
	    "no member has the ID \"ASEAN\"");
	conf_free(conf);
}
END_TEST

START_TEST(test_forwarded)
{
	struct conf	*conf = parse(FEDERATION);
	json_t		*names;

	/* From EU itself: members and partners up to green, not operators. */
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "EU",
	    "ID:G SG:G APCERT:G AF:G TH:G");
	EXPECT_FORWARDED(conf, TLP_GREEN, NULL, "EU", "ID:G SG:G APCERT:G TH:G");
	/* Amber only to peer_amber_to (no agreement counts here). */
	EXPECT_FORWARDED(conf, TLP_AMBER, NULL, "EU", "SG:G APCERT:G");
	/* On to the peers whose hops and max_tlp allow it. */
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "AU",
	    "ID:G SG:G EU:G APCERT:G AF:G TH:G");
	EXPECT_FORWARDED(conf, TLP_GREEN, NULL, "AU",
	    "ID:G SG:G EU:G APCERT:G TH:G");
	EXPECT_FORWARDED(conf, TLP_AMBER, NULL, "AU", "SG:G EU:G APCERT:G");
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "NZ AU",
	    "ID:G SG:G EU:G APCERT:G TH:G");
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "NZ JP AU",
	    "ID:G SG:G APCERT:G TH:G");
	/* Never back to a hub on the path. */
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "EU AU",
	    "ID:G SG:G APCERT:G TH:G");
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "AF",
	    "ID:G SG:G EU:G APCERT:G TH:G");
	EXPECT_FORWARDED(conf, TLP_CLEAR, NULL, "AU AF",
	    "ID:G SG:G EU:G APCERT:G TH:G");

	/* Named recipients choose the peers it goes on to, not members. */
	names = named("EU", NULL);
	EXPECT_FORWARDED(conf, TLP_CLEAR, names, "AU",
	    "ID:G SG:G EU:G APCERT:G TH:G");
	json_decref(names);
	names = named("SG", NULL);
	EXPECT_FORWARDED(conf, TLP_CLEAR, names, "AU",
	    "ID:G SG:G APCERT:G TH:G");
	EXPECT_FORWARDED(conf, TLP_AMBER, names, "AU", "SG:G APCERT:G");
	json_decref(names);
	conf_free(conf);

	/* Without peer_amber_to an amber forward reaches no one here. */
	conf = parse(FEDERATION_BASE);
	EXPECT_FORWARDED(conf, TLP_AMBER, NULL, "NZ", "EU:G");
	EXPECT_FORWARDED(conf, TLP_AMBER, NULL, "EU", "");
	EXPECT_FORWARDED(conf, TLP_GREEN, NULL, "EU", "ID:G SG:G APCERT:G TH:G");
	conf_free(conf);
}
END_TEST

START_TEST(test_forwarded_refused)
{
	static const char *const path[] = { "EU" };
	struct conf		*conf = parse(FEDERATION);
	struct policy_set	 set;
	struct verdict		 v = { PROTO_OK, NULL, NULL };
	char			 want[128];
	enum tlp		 tlp;

	for (tlp = TLP_AMBER_STRICT; tlp <= TLP_RED; tlp++) {
		memset(&set, 0xa5, sizeof set);
		ck_assert_int_eq(policy_forwarded(conf, tlp, NULL, path, 1,
		    &set, &v), -1);
		ck_assert_int_eq(v.error, PROTO_INVALID_FIELD);
		ck_assert_str_eq(v.field, "report.tlp");
		snprintf(want, sizeof want, "a report of tlp %s never leaves "
		    "its hub: this forward is refused", tlp_name(tlp));
		ck_assert_str_eq(v.message, want);
		ck_assert_uint_eq(set.n, 0);
		ck_assert_ptr_null(set.list);
		verdict_clear(&v);
	}
	conf_free(conf);
}
END_TEST

/*
 * The randomized property: registries of random roles and agreements,
 * reports of random labels and recipient lists, and SPEC section 6 written
 * out plainly as the reference.
 */
#define MODEL_MAX	14

struct model {
	size_t		 n;
	const char	*id[MODEL_MAX];
	enum role	 role[MODEL_MAX];
	int		 agreement[MODEL_MAX][MODEL_MAX];	/* tlp or -1 */
};

/* xorshift64*: the same sequence on every platform. */
static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 32));
}

/* Uniform in [0, n). */
static size_t
rng_below(size_t n)
{
	return ((size_t)rng() % n);
}

static const char *id_pool[] = {
	"ID", "SG", "MY", "TH", "PH", "VN", "BN", "KH", "LA", "MM", "TL",
	"APCERT", "FIRST", "JPCERT", "KR-CERT", "cert_au", "SG2", "a"
};
static const char *unknown_pool[] = { "XX", "S", "SG3", "ZZ9", "NOPE" };

/* Section 6: the label of the base tier between s and r. */
static enum tlp
model_base(const struct model *m, size_t s, size_t r)
{
	if (m->role[s] == ROLE_MEMBER && m->role[r] == ROLE_MEMBER)
		return (TLP_GREEN);
	return (TLP_CLEAR);
}

/* Section 6: 1 and the tier if r is entitled under rules 1 and 2. */
static int
model_entitled(const struct model *m, size_t s, size_t r, enum tlp tlp,
    enum tier *tier)
{
	enum tlp	base;

	if (r == s)
		return (0);
	if (m->role[r] != ROLE_MEMBER && m->role[r] != ROLE_PARTNER)
		return (0);
	base = model_base(m, s, r);
	if ((int)tlp <= (int)base) {
		*tier = base == TLP_GREEN ? TIER_REGIONAL : TIER_GLOBAL;
		return (1);
	}
	if (m->agreement[s][r] >= 0 && (int)tlp <= m->agreement[s][r]) {
		*tier = TIER_BILATERAL;
		return (1);
	}
	return (0);
}

/* The index of id in the registry, or -1. */
static int
model_find(const struct model *m, const char *id)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->id[i], id) == 0)
			return ((int)i);
	}
	return (-1);
}

/* A random registry, and its configuration text. */
static char *
model_random(struct model *m)
{
	const char	*pool[sizeof id_pool / sizeof id_pool[0]];
	static const char *labels[] = { "amber", "amber+strict", "red" };
	size_t		 npool = sizeof pool / sizeof pool[0], i, j, k;
	char		*text = NULL;
	size_t		 len = 0;
	FILE		*f;
	uint32_t	 x;

	memcpy(pool, id_pool, sizeof pool);
	memset(m, 0, sizeof *m);
	m->n = 2 + rng_below(MODEL_MAX - 1);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < m->n; i++) {
		k = i + rng_below(npool - i);
		m->id[i] = pool[k];
		pool[k] = pool[i];
		pool[i] = m->id[i];
		x = rng() % 10;
		m->role[i] = x < 5 ? ROLE_MEMBER : x < 8 ? ROLE_PARTNER :
		    ROLE_OPERATOR;
		fprintf(f, "member %s role=%s cert_cn=cn-%s\n", m->id[i],
		    role_conf[m->role[i]], m->id[i]);
	}
	for (i = 0; i < m->n; i++) {
		for (j = 0; j < m->n; j++)
			m->agreement[i][j] = -1;
	}
	for (i = 0; i < m->n; i++) {
		for (j = i + 1; j < m->n; j++) {
			if (m->role[i] == ROLE_OPERATOR ||
			    m->role[j] == ROLE_OPERATOR || rng() % 10 >= 4)
				continue;
			k = rng_below(3);
			m->agreement[i][j] = m->agreement[j][i] =
			    TLP_AMBER + (int)k;
			if (rng() % 2)
				fprintf(f, "agreement %s %s max_tlp=%s\n",
				    m->id[i], m->id[j], labels[k]);
			else
				fprintf(f, "agreement %s %s max_tlp=%s\n",
				    m->id[j], m->id[i], labels[k]);
		}
	}
	fclose(f);
	return (text);
}

/* Counts that show the random cases reached every outcome. */
struct coverage {
	unsigned	tier[3];
	unsigned	accepted_named;
	unsigned	accepted_empty;
	unsigned	unknown;
	unsigned	not_permitted;
};

/* One random report against the registry, checked against the model. */
static void
model_check_report(const struct model *m, const struct conf *conf,
    struct coverage *cov)
{
	struct policy_set	 set;
	struct verdict		 v = { PROTO_OK, NULL, NULL };
	enum proto_error	 want_error = PROTO_OK;
	enum tier		 tier;
	enum tlp		 tlp;
	json_t			*names = NULL;
	const char		*id;
	char			 want_field[64] = "";
	size_t			 s, i, k, n, count;
	int			 r, rc, listed[MODEL_MAX];
	uint32_t		 mode;

	s = rng_below(m->n);
	tlp = (enum tlp)rng_below(5);
	mode = rng() % 10;
	memset(listed, 0, sizeof listed);
	if (mode >= 3) {
		names = json_array();
		count = rng_below(m->n + 2);
		for (k = 0; k < count; k++) {
			if (mode < 7) {
				/* Only names that are entitled. */
				r = (int)rng_below(m->n);
				if (!model_entitled(m, s, (size_t)r, tlp,
				    &tier))
					continue;
				id = m->id[r];
			} else if (rng() % 8 == 0)
				id = unknown_pool[rng_below(sizeof
				    unknown_pool / sizeof unknown_pool[0])];
			else
				id = m->id[rng_below(m->n)];
			json_array_append_new(names, json_string(id));
		}
	}

	/* The reference: the first bad name refuses the whole report. */
	if (names != NULL) {
		json_t	*item;

		json_array_foreach(names, i, item) {
			r = model_find(m, json_string_value(item));
			if (r < 0)
				want_error = PROTO_UNKNOWN_RECIPIENT;
			else if (!model_entitled(m, s, (size_t)r, tlp, &tier))
				want_error = PROTO_RECIPIENT_NOT_PERMITTED;
			else {
				listed[r] = 1;
				continue;
			}
			snprintf(want_field, sizeof want_field,
			    "report.recipients[%zu]", i);
			break;
		}
	}

	memset(&set, 0xa5, sizeof set);
	rc = policy_recipients(conf, m->id[s], tlp, names, &set, &v);
	if (want_error != PROTO_OK) {
		ck_assert_msg(rc == -1 && v.error == want_error,
		    "from %s tlp %s: got %d %s, expected %s", m->id[s],
		    tlp_name(tlp), rc, proto_error_name(v.error),
		    proto_error_name(want_error));
		ck_assert_ptr_nonnull(v.field);
		ck_assert_str_eq(v.field, want_field);
		ck_assert_uint_eq(set.n, 0);
		ck_assert_ptr_null(set.list);
		if (want_error == PROTO_UNKNOWN_RECIPIENT)
			cov->unknown++;
		else
			cov->not_permitted++;
		verdict_clear(&v);
		json_decref(names);
		return;
	}
	ck_assert_msg(rc == 0, "from %s tlp %s: refused with %s %s: %s",
	    m->id[s], tlp_name(tlp), proto_error_name(v.error),
	    v.field != NULL ? v.field : "-",
	    v.message != NULL ? v.message : "-");
	ck_assert_int_eq(v.error, PROTO_OK);
	n = 0;
	for (i = 0; i < m->n; i++) {
		if (!model_entitled(m, s, i, tlp, &tier))
			continue;
		if (names != NULL && !listed[i])
			continue;
		ck_assert_msg(n < set.n, "from %s tlp %s: %s missing",
		    m->id[s], tlp_name(tlp), m->id[i]);
		ck_assert_msg(strcmp(set.list[n].member, m->id[i]) == 0,
		    "from %s tlp %s: recipient %zu is %s, expected %s",
		    m->id[s], tlp_name(tlp), n, set.list[n].member, m->id[i]);
		ck_assert_msg(set.list[n].tier == tier,
		    "from %s tlp %s to %s: tier %s, expected %s", m->id[s],
		    tlp_name(tlp), m->id[i], tier_name(set.list[n].tier),
		    tier_name(tier));
		cov->tier[tier]++;
		n++;
	}
	ck_assert_msg(set.n == n, "from %s tlp %s: %zu recipients, expected "
	    "%zu", m->id[s], tlp_name(tlp), set.n, n);
	if (names != NULL && n > 0)
		cov->accepted_named++;
	if (n == 0)
		cov->accepted_empty++;
	policy_set_clear(&set);
	json_decref(names);
}

START_TEST(test_random)
{
	struct coverage	 cov;
	struct model	 m;
	struct conf	*conf;
	char		*text;
	int		 registry, report;

	memset(&cov, 0, sizeof cov);
	rng_state = UINT64_C(0x4b656e746f6e6761);
	for (registry = 0; registry < 400; registry++) {
		text = model_random(&m);
		conf = parse(text);
		ck_assert_uint_eq(conf->nmembers, m.n);
		for (report = 0; report < 25; report++)
			model_check_report(&m, conf, &cov);
		conf_free(conf);
		free(text);
	}
	ck_assert_uint_gt(cov.tier[TIER_BILATERAL], 1000);
	ck_assert_uint_gt(cov.tier[TIER_REGIONAL], 1000);
	ck_assert_uint_gt(cov.tier[TIER_GLOBAL], 1000);
	ck_assert_uint_gt(cov.accepted_named, 500);
	ck_assert_uint_gt(cov.accepted_empty, 500);
	ck_assert_uint_gt(cov.unknown, 200);
	ck_assert_uint_gt(cov.not_permitted, 500);
}
END_TEST

/* The suite of the policy module. */
static Suite *
policy_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("policy");
	tc = tcase_create("matrix");
	tcase_add_loop_test(tc, test_matrix, 0,
	    (int)(sizeof matrix / sizeof matrix[0]));
	suite_add_tcase(s, tc);
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("tiers", test_tiers);
	ADD("sender_excluded", test_sender_excluded);
	ADD("operators_excluded", test_operators_excluded);
	ADD("named_narrowing", test_named_narrowing);
	ADD("named_unknown", test_named_unknown);
	ADD("named_not_permitted", test_named_not_permitted);
	ADD("unknown_sender", test_unknown_sender);
	tc = tcase_create("peer_allowed");
	tcase_add_loop_test(tc, test_peer_allowed, 0,
	    (int)(sizeof peer_matrix / sizeof peer_matrix[0]));
	suite_add_tcase(s, tc);
	ADD("peer_allowed_rules", test_peer_allowed_rules);
	ADD("peer_recipients", test_peer_recipients);
	ADD("peer_named_refused", test_peer_named_refused);
	ADD("forwarded", test_forwarded);
	ADD("forwarded_refused", test_forwarded_refused);
	ADD("random", test_random);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(policy_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
