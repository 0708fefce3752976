/* Unit tests of the stored recipient list: "SG:1 MY:0". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "recipients.h"

/* A set of n recipients "ID:TIER" given as arguments. */
static void
set_fill(struct policy_set *set, struct policy_recipient *list, size_t n,
    const char *const *ids, const enum tier *tiers)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		memset(&list[i], 0, sizeof list[i]);
		ck_assert_uint_le(strlen(ids[i]), CONF_MEMBER_ID_MAX);
		strcpy(list[i].member, ids[i]);
		list[i].tier = tiers[i];
	}
	set->list = list;
	set->n = n;
}

/* Every item of list as "ID=TIER," in order, into buf. */
static const char *
items(const char *list, char *buf, size_t size)
{
	struct recipients_item	 item;
	const char		*cursor = list;
	size_t			 len = 0;
	int			 rc;

	buf[0] = '\0';
	while (recipients_next(&cursor, &item)) {
		ck_assert_ptr_nonnull(item.id);
		/* The id points into the list itself. */
		ck_assert(item.id >= list && item.id < list + strlen(list));
		rc = snprintf(buf + len, size - len, "%.*s=%d,",
		    (int)item.id_len, item.id, item.tier);
		ck_assert(rc > 0 && (size_t)rc < size - len);
		len += (size_t)rc;
	}
	/* At the end the cursor stays at the end. */
	ck_assert_int_eq(*cursor, '\0');
	ck_assert_int_eq(recipients_next(&cursor, &item), 0);
	return (buf);
}

START_TEST(test_encode_empty)
{
	struct policy_set	 set = { NULL, 0 };
	char			*list;

	list = recipients_encode(&set);
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(list, "");
	ck_assert_uint_eq(recipients_count(list), 0);
	ck_assert_int_eq(recipients_tier(list, "SG"), -1);
	free(list);
}
END_TEST

START_TEST(test_encode_one)
{
	static const char *const ids[] = { "SG" };
	static const enum tier	 tiers[] = { TIER_REGIONAL };
	struct policy_recipient	 l[1];
	struct policy_set	 set;
	char			*list;

	set_fill(&set, l, 1, ids, tiers);
	list = recipients_encode(&set);
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(list, "SG:1");
	ck_assert_uint_eq(recipients_count(list), 1);
	ck_assert_int_eq(recipients_tier(list, "SG"), TIER_REGIONAL);
	free(list);
}
END_TEST

START_TEST(test_encode_many)
{
	static const char *const ids[] = { "SG", "MY", "ID", "TH", "PH" };
	static const enum tier	 tiers[] = { TIER_REGIONAL, TIER_BILATERAL,
	    TIER_GLOBAL, TIER_BILATERAL, TIER_GLOBAL };
	struct policy_recipient	 l[5];
	struct policy_set	 set;
	char			*list, buf[256];
	size_t			 i;

	set_fill(&set, l, 5, ids, tiers);
	list = recipients_encode(&set);
	ck_assert_ptr_nonnull(list);
	/* Registry order kept, single spaces, no trailing space. */
	ck_assert_str_eq(list, "SG:1 MY:0 ID:2 TH:0 PH:2");
	ck_assert_str_eq(items(list, buf, sizeof buf),
	    "SG=1,MY=0,ID=2,TH=0,PH=2,");
	ck_assert_uint_eq(recipients_count(list), 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(recipients_tier(list, ids[i]), (int)tiers[i]);
	ck_assert_int_eq(recipients_tier(list, "VN"), -1);
	free(list);
}
END_TEST

START_TEST(test_encode_long_ids)
{
	struct policy_recipient	 l[40];
	struct policy_set	 set;
	char			 ids[40][CONF_MEMBER_ID_MAX + 1], *list, *expect;
	size_t			 i, len = 0, n = 40;

	/* IDs of the longest length, every one of them different. */
	expect = calloc(n, CONF_MEMBER_ID_MAX + 4);
	ck_assert_ptr_nonnull(expect);
	for (i = 0; i < n; i++) {
		memset(ids[i], 'A' + (int)(i % 26), CONF_MEMBER_ID_MAX);
		ids[i][CONF_MEMBER_ID_MAX] = '\0';
		ids[i][0] = (char)('0' + (int)(i / 26));
		memset(&l[i], 0, sizeof l[i]);
		memcpy(l[i].member, ids[i], sizeof l[i].member);
		l[i].tier = (enum tier)(i % 3);
		len += (size_t)sprintf(expect + len, "%s%s:%d",
		    i > 0 ? " " : "", ids[i], (int)(i % 3));
	}
	set.list = l;
	set.n = n;
	list = recipients_encode(&set);
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(list, expect);
	ck_assert_uint_eq(strlen(list), n * (CONF_MEMBER_ID_MAX + 3) - 1);
	ck_assert_uint_eq(recipients_count(list), n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(recipients_tier(list, ids[i]), (int)(i % 3));
	/* A 31-character prefix of one of them is not a recipient. */
	ids[5][CONF_MEMBER_ID_MAX - 1] = '\0';
	ck_assert_int_eq(recipients_tier(list, ids[5]), -1);
	free(list);
	free(expect);
}
END_TEST

START_TEST(test_next_walks_items)
{
	struct recipients_item	 item;
	const char		*list = "SG:1 MY:0", *cursor = list;

	ck_assert_int_eq(recipients_next(&cursor, &item), 1);
	ck_assert_ptr_eq(item.id, list);
	ck_assert_uint_eq(item.id_len, 2);
	ck_assert_int_eq(item.tier, 1);
	ck_assert_int_eq(recipients_next(&cursor, &item), 1);
	ck_assert_ptr_eq(item.id, list + 5);
	ck_assert_uint_eq(item.id_len, 2);
	ck_assert_int_eq(item.tier, 0);
	ck_assert_int_eq(recipients_next(&cursor, &item), 0);
	ck_assert_ptr_eq(cursor, list + strlen(list));
	ck_assert_int_eq(recipients_next(&cursor, &item), 0);

	cursor = "";
	ck_assert_int_eq(recipients_next(&cursor, &item), 0);
	cursor = "   ";
	ck_assert_int_eq(recipients_next(&cursor, &item), 0);
	ck_assert_int_eq(*cursor, '\0');
}
END_TEST

START_TEST(test_malformed_skipped)
{
	char	buf[256];

	/* No colon, an empty id, a missing or non-digit tier. */
	ck_assert_str_eq(items("SG MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items(":1 MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG: MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG:x MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG:-1 MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG:+1 MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG:1x MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items("SG:1:2 MY:0", buf, sizeof buf), "MY=0,");
	ck_assert_str_eq(items(": : :: MY:0 :", buf, sizeof buf), "MY=0,");
	/* A tier too large for an int is no tier. */
	ck_assert_str_eq(items("SG:99999999999999999999 MY:0", buf,
	    sizeof buf), "MY=0,");
	/* Doubled, leading and trailing spaces separate just the same. */
	ck_assert_str_eq(items("  SG:1   MY:0  ", buf, sizeof buf),
	    "SG=1,MY=0,");
	ck_assert_str_eq(items("SG:1  bad  MY:0", buf, sizeof buf),
	    "SG=1,MY=0,");
	ck_assert_str_eq(items("SG:12", buf, sizeof buf), "SG=12,");
	ck_assert_str_eq(items("bad", buf, sizeof buf), "");

	ck_assert_uint_eq(recipients_count("SG MY:0 :1 TH:x  PH:2 "), 2);
	ck_assert_int_eq(recipients_tier("SG MY:0", "SG"), -1);
	ck_assert_int_eq(recipients_tier("SG:x SG:2", "SG"), 2);
	ck_assert_int_eq(recipients_tier("SG:1x MY:0", "SG"), -1);
	ck_assert_int_eq(recipients_tier(":1", ""), -1);
}
END_TEST

START_TEST(test_prefix_ids)
{
	/* "S" and "SG" are two members; neither is found for the other. */
	ck_assert_int_eq(recipients_tier("SG:1", "S"), -1);
	ck_assert_int_eq(recipients_tier("S:0", "SG"), -1);
	ck_assert_int_eq(recipients_tier("SG:1 S:0", "S"), 0);
	ck_assert_int_eq(recipients_tier("S:0 SG:1", "SG"), 1);
	ck_assert_int_eq(recipients_tier("SGX:2 SG:1", "SG"), 1);
	ck_assert_int_eq(recipients_tier("SGX:2", "SG"), -1);
	ck_assert_int_eq(recipients_tier("SG:1", "SGX"), -1);
	ck_assert_int_eq(recipients_tier("SG:1", ""), -1);
	/* Ids compare as they are: no case folding. */
	ck_assert_int_eq(recipients_tier("SG:1", "sg"), -1);
	ck_assert_uint_eq(recipients_count("S:0 SG:1 SGX:2"), 3);
}
END_TEST

START_TEST(test_round_trip)
{
	static const char *const pool[] = { "S", "SG", "SGX", "MY", "a-b_c",
	    "Z9" };
	struct policy_recipient	 l[6];
	struct policy_set	 set;
	const char		*ids[6];
	enum tier		 tiers[6];
	char			*list;
	unsigned		 mask, i, n;

	/* Every subset of the pool encodes and reads back to itself. */
	for (mask = 0; mask < 64; mask++) {
		for (i = 0, n = 0; i < 6; i++) {
			if (mask & (1u << i)) {
				ids[n] = pool[i];
				tiers[n] = (enum tier)((mask + i) % 3);
				n++;
			}
		}
		set_fill(&set, l, n, ids, tiers);
		list = recipients_encode(&set);
		ck_assert_ptr_nonnull(list);
		ck_assert_uint_eq(recipients_count(list), n);
		for (i = 0; i < 6; i++) {
			int	want = -1;
			unsigned j;

			for (j = 0; j < n; j++) {
				if (strcmp(ids[j], pool[i]) == 0)
					want = (int)tiers[j];
			}
			ck_assert_msg(recipients_tier(list, pool[i]) == want,
			    "%s in \"%s\"", pool[i], list);
		}
		free(list);
	}
}
END_TEST

/* The suite of the recipients module. */
static Suite *
recipients_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("recipients");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("encode_empty", test_encode_empty);
	ADD("encode_one", test_encode_one);
	ADD("encode_many", test_encode_many);
	ADD("encode_long_ids", test_encode_long_ids);
	ADD("next_walks_items", test_next_walks_items);
	ADD("malformed_skipped", test_malformed_skipped);
	ADD("prefix_ids", test_prefix_ids);
	ADD("round_trip", test_round_trip);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(recipients_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
