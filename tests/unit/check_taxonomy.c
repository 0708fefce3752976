/* Unit tests of the taxonomy: the shipped file, and bad files refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "taxonomy.h"

/*
 * Pieces of small test documents, each piece one line or a known number of
 * lines, so that the line an error must be reported at can be counted.
 */
#define NAME	"\"name\": {\"en\": \"N\", \"id\": \"N\"}"
#define DESC	"\"description\": {\"en\": \"D.\", \"id\": \"D.\"}"
/* Lines 1 to 3. */
#define HEAD	"{\n" \
		"  \"taxonomy\": \"rsit\", \"version\": 1,\n" \
		"  \"classes\": [\n"
/* One line each. */
#define CLASS(c) "    {\"class\": \"" c "\", " NAME ", " DESC ", \"types\": [\n"
#define TYPE(t)	"      {\"type\": \"" t "\", " NAME ", " DESC "}"
#define SECTOR(s) "    {\"sector\": \"" s "\", " NAME "}"
/* Three lines. */
#define SECTORS	"  \"sectors\": [\n" SECTOR("energy") "]\n}\n"

/* A good document of 11 lines. */
static const char good[] =
	HEAD					/* 1-3 */
	CLASS("fraud")				/* 4 */
	TYPE("phishing") ",\n"			/* 5 */
	TYPE("masquerade") "]},\n"		/* 6 */
	CLASS("availability")			/* 7 */
	TYPE("ddos") "]}],\n"			/* 8 */
	SECTORS;				/* 9-11 */

/* Parse text as "t.json" and check it is refused with exactly want. */
#define EXPECT_ERROR(text, want) do {					\
	char		*cause_ = NULL;					\
	struct taxonomy	*t_;						\
									\
	t_ = taxonomy_parse((text), strlen(text), "t.json", &cause_);	\
	ck_assert_msg(t_ == NULL, "accepted, wanted: %s", (want));	\
	ck_assert_ptr_nonnull(cause_);					\
	ck_assert_str_eq(cause_, (want));				\
	free(cause_);							\
} while (0)

/* Parse text as "t.json" and check it is refused at prefix with part. */
#define EXPECT_ERROR_LIKE(text, prefix, part) do {			\
	char		*cause_ = NULL;					\
	struct taxonomy	*t_;						\
									\
	t_ = taxonomy_parse((text), strlen(text), "t.json", &cause_);	\
	ck_assert_msg(t_ == NULL, "accepted, wanted: %s", (prefix));	\
	ck_assert_ptr_nonnull(cause_);					\
	ck_assert_msg(strncmp(cause_, (prefix), strlen(prefix)) == 0,	\
	    "\"%s\" does not start with \"%s\"", cause_, (prefix));	\
	ck_assert_msg(strstr(cause_, (part)) != NULL,			\
	    "\"%s\" does not contain \"%s\"", cause_, (part));		\
	free(cause_);							\
} while (0)

static struct taxonomy	*shipped;

/* Load the shipped taxonomy named by KENTONGAN_TAXONOMY. */
static void
shipped_setup(void)
{
	const char	*path = getenv("KENTONGAN_TAXONOMY");
	char		*cause = NULL;

	ck_assert_msg(path != NULL && *path != '\0',
	    "KENTONGAN_TAXONOMY is not set to the shipped taxonomy.json");
	shipped = taxonomy_load(path, &cause);
	ck_assert_msg(shipped != NULL, "%s", cause != NULL ? cause : "?");
}

/* Free the shipped taxonomy. */
static void
shipped_teardown(void)
{
	taxonomy_free(shipped);
	shipped = NULL;
}

/* Parse text that must be accepted. */
static struct taxonomy *
parse_good(const char *text)
{
	struct taxonomy	*t;
	char		*cause = NULL;

	t = taxonomy_parse(text, strlen(text), "t.json", &cause);
	ck_assert_msg(t != NULL, "%s", cause != NULL ? cause : "?");
	return (t);
}

START_TEST(test_shipped_counts)
{
	static const char	*classes[] = {
		"abusive-content", "malicious-code", "information-gathering",
		"intrusion-attempts", "intrusions", "availability",
		"information-content-security", "fraud", "vulnerable", "other",
		"test"
	};
	size_t			 i;

	ck_assert_uint_eq(shipped->nclasses, 11);
	ck_assert_uint_eq(shipped->ncodes, 39);
	for (i = 0; i < 11; i++)
		ck_assert_str_eq(shipped->classes[i].name, classes[i]);
	for (i = 1; i < shipped->ncodes; i++)
		ck_assert_int_lt(strcmp(shipped->codes[i - 1].code,
		    shipped->codes[i].code), 0);
}
END_TEST

START_TEST(test_shipped_sectors)
{
	static const char	*sectors[] = {
		"energy", "finance", "health", "telecommunications",
		"government", "transport", "water", "defence", "education",
		"digital-infrastructure", "manufacturing", "food", "chemicals",
		"space", "research", "media", "other"
	};
	size_t			 i;

	ck_assert_uint_ge(shipped->nsectors, 17);
	for (i = 0; i < sizeof sectors / sizeof sectors[0]; i++)
		ck_assert_msg(taxonomy_has_sector(shipped, sectors[i]),
		    "no sector %s", sectors[i]);
	ck_assert_str_eq(shipped->sectors[0].name, "energy");
	ck_assert_str_eq(shipped->sectors[0].label_en, "Energy");
	ck_assert_str_eq(shipped->sectors[0].label_id, "Energi");
}
END_TEST

START_TEST(test_find_code)
{
	static const char		*codes[] = {
		"intrusions/system-compromise", "availability/ddos",
		"malicious-code/c2-server", "test/test", "abusive-content/spam",
		"vulnerable/vulnerable-system"
	};
	const struct taxonomy_code	*c;
	size_t				 i;

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		c = taxonomy_find_code(shipped, codes[i]);
		ck_assert_msg(c != NULL, "no code %s", codes[i]);
		ck_assert_str_eq(c->code, codes[i]);
	}
	c = taxonomy_find_code(shipped, "availability/ddos");
	ck_assert_str_eq(c->name_en, "Distributed Denial of Service");
}
END_TEST

START_TEST(test_unknown_code)
{
	static const char	*codes[] = {
		"intrusions/nothing", "intrusions", "intrusions/", "/ddos",
		"ddos", "", "Availability/DDoS", "availability/ddos ",
		"test/test/test", "zzz/zzz", "aaa/aaa"
	};
	size_t			 i;

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		ck_assert_msg(taxonomy_find_code(shipped, codes[i]) == NULL,
		    "found \"%s\"", codes[i]);
	ck_assert_ptr_null(taxonomy_find_code(shipped, NULL));
	ck_assert_ptr_null(taxonomy_find_code(NULL, "test/test"));
}
END_TEST

START_TEST(test_has_pattern)
{
	/* A code, or a class followed by '/', and nothing in between. */
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "availability/ddos"), 1);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "intrusions/"), 1);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "test/"), 1);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "intrusions"), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "intrusion/"), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "intrusionss/"), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "availability/dd"), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, "/"), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, ""), 0);
	ck_assert_int_eq(taxonomy_has_pattern(shipped, NULL), 0);
}
END_TEST

START_TEST(test_has_class_sector)
{
	ck_assert_int_eq(taxonomy_has_class(shipped, "intrusions"), 1);
	ck_assert_int_eq(taxonomy_has_class(shipped, "test"), 1);
	ck_assert_int_eq(taxonomy_has_class(shipped,
	    "information-content-security"), 1);
	ck_assert_int_eq(taxonomy_has_class(shipped, "intrusions/"), 0);
	ck_assert_int_eq(taxonomy_has_class(shipped, "intrusion"), 0);
	ck_assert_int_eq(taxonomy_has_class(shipped, "Intrusions"), 0);
	ck_assert_int_eq(taxonomy_has_class(shipped, ""), 0);
	ck_assert_int_eq(taxonomy_has_class(shipped, NULL), 0);
	ck_assert_int_eq(taxonomy_has_sector(shipped, "energy"), 1);
	ck_assert_int_eq(taxonomy_has_sector(shipped, "other"), 1);
	ck_assert_int_eq(taxonomy_has_sector(shipped, "Energy"), 0);
	ck_assert_int_eq(taxonomy_has_sector(shipped, "intrusions"), 0);
	ck_assert_int_eq(taxonomy_has_sector(shipped, NULL), 0);
	ck_assert_int_eq(taxonomy_has_sector(NULL, "energy"), 0);
}
END_TEST

START_TEST(test_descriptions)
{
	const struct taxonomy_code	*c;
	const struct taxonomy_class	*k;
	size_t				 i;

	for (i = 0; i < shipped->ncodes; i++) {
		c = &shipped->codes[i];
		ck_assert_msg(*c->name_en != '\0' && *c->name_id != '\0',
		    "%s: empty name", c->code);
		ck_assert_msg(*c->description_en != '\0' &&
		    *c->description_id != '\0', "%s: empty description",
		    c->code);
		ck_assert_msg(strchr(c->description_en, '\n') == NULL &&
		    strchr(c->description_id, '\n') == NULL,
		    "%s: description is more than one line", c->code);
		ck_assert_msg(strcmp(c->description_en,
		    c->description_id) != 0,
		    "%s: description not translated", c->code);
	}
	for (i = 0; i < shipped->nclasses; i++) {
		k = &shipped->classes[i];
		ck_assert_msg(*k->label_en != '\0' && *k->label_id != '\0' &&
		    *k->description_en != '\0' && *k->description_id != '\0',
		    "%s: empty text", k->name);
	}
	for (i = 0; i < shipped->nsectors; i++)
		ck_assert_msg(*shipped->sectors[i].label_en != '\0' &&
		    *shipped->sectors[i].label_id != '\0', "%s: empty name",
		    shipped->sectors[i].name);
}
END_TEST

START_TEST(test_good)
{
	struct taxonomy	*t;

	t = parse_good(good);
	ck_assert_uint_eq(t->nclasses, 2);
	ck_assert_uint_eq(t->ncodes, 3);
	ck_assert_uint_eq(t->nsectors, 1);
	ck_assert_str_eq(t->classes[0].name, "fraud");
	ck_assert_str_eq(t->classes[1].name, "availability");
	ck_assert_str_eq(t->codes[0].code, "availability/ddos");
	ck_assert_str_eq(t->codes[1].code, "fraud/masquerade");
	ck_assert_str_eq(t->codes[2].code, "fraud/phishing");
	ck_assert_ptr_nonnull(taxonomy_find_code(t, "fraud/masquerade"));
	taxonomy_free(t);
}
END_TEST

START_TEST(test_centre_codes)
{
	static const char	 text[] =
		"{\"taxonomy\": \"rsit\", \"version\": 7, \"x-centre\": [1],\n"
		"  \"classes\": [\n"
		"    {\"class\": \"ics\", \"note\": {\"any\": \"thing\"}, "
		NAME ", " DESC ", \"types\": [\n"
		"      {\"type\": \"plc-tampering\", \"x\": null, "
		NAME ", \"description\": {\"en\": \"D.\", \"id\": \"D.\", "
		"\"jv\": \"D.\"}},\n"
		"      {\"type\": \"2024-scada\", " NAME ", " DESC "}]}],\n"
		SECTORS;
	struct taxonomy		*t;

	t = parse_good(text);
	ck_assert_ptr_nonnull(taxonomy_find_code(t, "ics/plc-tampering"));
	ck_assert_ptr_nonnull(taxonomy_find_code(t, "ics/2024-scada"));
	ck_assert_int_eq(taxonomy_has_class(t, "ics"), 1);
	taxonomy_free(t);
}
END_TEST

START_TEST(test_bad_json)
{
	EXPECT_ERROR_LIKE("", "t.json:1: ", "expected");
	EXPECT_ERROR_LIKE(
	    "{\n  \"taxonomy\": \"rsit\",\n  \"version\": 1,\n}\n",
	    "t.json:4: ", "expected");
	EXPECT_ERROR_LIKE(HEAD CLASS("fraud") TYPE("phishing") "]},\n",
	    "t.json:6: ", "expected");
	EXPECT_ERROR_LIKE("{\"a\": 1}\n{\"b\": 2}\n", "t.json:2: ",
	    "end of file expected");
	/* Invalid UTF-8 on line 2. */
	EXPECT_ERROR_LIKE("{\n\"taxonomy\": \"\xff\"}", "t.json:2: ", "0xff");
	/* An escaped NUL. */
	EXPECT_ERROR_LIKE("{\n\n\"taxonomy\": \"a\\u0000b\"}", "t.json:3: ",
	    "\\u0000");
	EXPECT_ERROR("[1, 2]", "t.json:1: not a JSON object");
}
END_TEST

START_TEST(test_duplicate_key)
{
	EXPECT_ERROR_LIKE(HEAD
	    CLASS("fraud")			/* 4 */
	    "      {\"type\": \"phishing\", " NAME ",\n"	/* 5 */
	    "       \"type\": \"masquerade\", " DESC "}]}],\n"	/* 6 */
	    SECTORS,
	    "t.json:6: ", "duplicate object key");
}
END_TEST

START_TEST(test_missing_key)
{
	EXPECT_ERROR("{\"version\": 1, \"classes\": [], \"sectors\": []}",
	    "t.json:1: missing \"taxonomy\"");
	EXPECT_ERROR("{\n\"taxonomy\": \"rsit\"}",
	    "t.json:1: missing \"version\"");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\", \"version\": 1,\n\n"
	    "\"sectors\": []}", "t.json:1: missing \"classes\"");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}]\n}\n",
	    "t.json:1: missing \"sectors\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]},\n"		/* 5 */
	    "    {" NAME ", " DESC ", \"types\": []}],\n"	/* 6 */
	    SECTORS,
	    "t.json:3: class 2: missing \"class\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    "      {" NAME ", " DESC "}]}],\n"	/* 6 */
	    SECTORS,
	    "t.json:4: class \"fraud\": type 2: missing \"type\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]},\n"		/* 5 */
	    "    {\"class\": \"availability\", " NAME ", " DESC "}],\n"	/* 6 */
	    SECTORS,
	    "t.json:6: class \"availability\": missing \"types\"");
	EXPECT_ERROR(HEAD
	    "    {\"class\": \"fraud\", " DESC ", \"types\": [\n"	/* 4 */
	    TYPE("phishing") "]}],\n"		/* 5 */
	    SECTORS,
	    "t.json:4: class \"fraud\": missing \"name\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    "      {\"type\": \"masquerade\", " NAME "}]}],\n"	/* 6 */
	    SECTORS,
	    "t.json:6: code \"fraud/masquerade\": missing \"description\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]}],\n"		/* 5 */
	    "  \"sectors\": [\n"		/* 6 */
	    SECTOR("energy") ",\n"		/* 7 */
	    "    {\"sector\": \"water\"}]\n"	/* 8 */
	    "}\n",
	    "t.json:8: sector \"water\": missing \"name\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]}],\n"		/* 5 */
	    "  \"sectors\": [\n"		/* 6 */
	    "    {" NAME "}]\n"			/* 7 */
	    "}\n",
	    "t.json:6: sector 1: missing \"sector\"");
}
END_TEST

START_TEST(test_ill_typed)
{
	EXPECT_ERROR("{\"taxonomy\": 1, \"version\": 1}",
	    "t.json:1: \"taxonomy\" is not a non-empty string");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\",\n \"version\": \"1003\"}",
	    "t.json:2: \"version\" is not a non-negative integer");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\",\n \"version\": 1.5}",
	    "t.json:2: \"version\" is not a non-negative integer");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\", \"version\": 1,\n"
	    " \"source\": [\"RSIT\"]}", "t.json:2: \"source\" is not a string");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\", \"version\": 1,\n\n"
	    " \"classes\": {}}", "t.json:3: \"classes\" is not an array");
	EXPECT_ERROR(HEAD "    \"fraud\"],\n" SECTORS,
	    "t.json:3: class 1 is not an object");
	EXPECT_ERROR(HEAD "    {\"class\": [\"fraud\"]}],\n" SECTORS,
	    "t.json:3: class 1: \"class\" is not a string");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    "      \"masquerade\"]}],\n"	/* 6 */
	    SECTORS,
	    "t.json:4: class \"fraud\": type 2 is not an object");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    "      {\"type\": true}]}],\n"	/* 5 */
	    SECTORS,
	    "t.json:4: class \"fraud\": type 1: \"type\" is not a string");
	EXPECT_ERROR(HEAD
	    "    {\"class\": \"fraud\", " NAME ", " DESC ",\n"	/* 4 */
	    "     \"types\": \"phishing\"}],\n"	/* 5 */
	    SECTORS,
	    "t.json:4: class \"fraud\": \"types\" is not an array");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    "      {\"type\": \"phishing\", \"name\": \"Phishing\", " DESC
	    "}]}],\n"				/* 5 */
	    SECTORS,
	    "t.json:5: code \"fraud/phishing\": \"name\" is not an object");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    "      {\"type\": \"phishing\", " NAME ",\n"	/* 5 */
	    "       \"description\": {\"en\": \"D.\", \"id\": 5}}]}],\n"
	    SECTORS,
	    "t.json:5: code \"fraud/phishing\": description \"id\" is not a "
	    "string");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "  \"sectors\": {\"energy\": 1}\n}\n",
	    "t.json:6: \"sectors\" is not an array");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "  \"sectors\": [\n    \"energy\"]\n}\n",
	    "t.json:6: sector 1 is not an object");
}
END_TEST

START_TEST(test_bad_name)
{
	static const char	*bad[] = {
		"Fraud", "fraud--x", "-fraud", "fraud-", "-", "fr aud",
		"fraud_x", "fraud/x", "fraud\\\\x", "fr\\u00e4ud", "fraud.",
		"FRAUD"
	};
	static const char	*want[] = {
		"\"Fraud\"", "\"fraud--x\"", "\"-fraud\"", "\"fraud-\"",
		"\"-\"", "\"fr aud\"", "\"fraud_x\"", "\"fraud/x\"",
		"\"fraud\\\\x\"", "\"fr\\u00E4ud\"", "\"fraud.\"", "\"FRAUD\""
	};
	char			 text[1024], expect[256];
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, HEAD
		    CLASS("fraud")		/* 4 */
		    TYPE("phishing") "]},\n"	/* 5 */
		    "    {\"class\": \"%s\", " NAME ", " DESC ", \"types\": [\n"
		    TYPE("x") "]}],\n"		/* 7 */
		    SECTORS, bad[i]);
		/*
		 * A name written with escapes is not found in the text, so
		 * the line is that of "classes".
		 */
		snprintf(expect, sizeof expect,
		    "t.json:%d: invalid class name %s",
		    strchr(bad[i], '\\') != NULL ? 3 : 6, want[i]);
		EXPECT_ERROR(text, expect);
	}
	EXPECT_ERROR(HEAD "    {\"class\": \"\"}],\n" SECTORS,
	    "t.json:4: invalid class name \"\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    TYPE("Masquerade") "]}],\n"		/* 6 */
	    SECTORS,
	    "t.json:6: class \"fraud\": invalid type name \"Masquerade\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    TYPE("mas\\nquerade") "]}],\n"	/* 6 */
	    SECTORS,
	    "t.json:4: class \"fraud\": invalid type name \"mas\\nquerade\"");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "  \"sectors\": [\n"		/* 6 */
	    SECTOR("energy") ",\n"		/* 7 */
	    SECTOR("Oil & Gas") "]\n}\n",	/* 8 */
	    "t.json:8: invalid sector name \"Oil & Gas\"");
}
END_TEST

START_TEST(test_duplicates)
{
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]},\n"		/* 5 */
	    CLASS("availability")		/* 6 */
	    TYPE("ddos") "]},\n"		/* 7 */
	    CLASS("fraud")			/* 8 */
	    TYPE("masquerade") "]}],\n"		/* 9 */
	    SECTORS,
	    "t.json:8: duplicate class \"fraud\"");
	EXPECT_ERROR(HEAD
	    CLASS("availability")		/* 4 */
	    TYPE("dos") ",\n"			/* 5 */
	    TYPE("ddos") ",\n"			/* 6 */
	    TYPE("outage") ",\n"		/* 7 */
	    TYPE("ddos") "]}],\n"		/* 8 */
	    SECTORS,
	    "t.json:8: duplicate code \"availability/ddos\"");
	/* The same type name in two classes is two codes. */
	EXPECT_ERROR(HEAD
	    CLASS("other")			/* 4 */
	    TYPE("other") "]},\n"		/* 5 */
	    CLASS("test")			/* 6 */
	    TYPE("other") ",\n"			/* 7 */
	    TYPE("test") ",\n"			/* 8 */
	    TYPE("other") "]}],\n"		/* 9 */
	    SECTORS,
	    "t.json:9: duplicate code \"test/other\"");
	EXPECT_ERROR(HEAD
	    CLASS("other")			/* 4 */
	    TYPE("other") "]}],\n"		/* 5 */
	    "  \"sectors\": [\n"		/* 6 */
	    SECTOR("other") ",\n"		/* 7 */
	    SECTOR("energy") ",\n"		/* 8 */
	    SECTOR("other") "]\n}\n",		/* 9 */
	    "t.json:9: duplicate sector \"other\"");
}
END_TEST

START_TEST(test_empty)
{
	EXPECT_ERROR("{\"taxonomy\": \"\", \"version\": 1}",
	    "t.json:1: \"taxonomy\" is not a non-empty string");
	EXPECT_ERROR("{\"taxonomy\": \"rsit\", \"version\": 1,\n"
	    " \"classes\": [],\n \"sectors\": []}", "t.json:2: no classes");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") "]},\n"		/* 5 */
	    "    {\"class\": \"test\", " NAME ", " DESC ", \"types\": []}],\n"
	    SECTORS,
	    "t.json:6: class \"test\" has no types");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "\n  \"sectors\": []\n}\n", "t.json:7: no sectors");
	EXPECT_ERROR(HEAD
	    "    {\"class\": \"fraud\", " DESC ",\n"	/* 4 */
	    "     \"name\": {\"en\": \"Fraud\", \"id\": \"\"}, \"types\": [\n"
	    TYPE("phishing") "]}],\n"		/* 6 */
	    SECTORS,
	    "t.json:4: class \"fraud\": empty name \"id\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    "      {\"type\": \"phishing\", " NAME ",\n"	/* 5 */
	    "       \"description\": {\"en\": \"\", \"id\": \"D.\"}}]}],\n"
	    SECTORS,
	    "t.json:5: code \"fraud/phishing\": empty description \"en\"");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "  \"sectors\": [\n"		/* 6 */
	    "    {\"sector\": \"energy\", \"name\": {\"en\": \"\", \"id\": "
	    "\"Energi\"}}]\n}\n",		/* 7 */
	    "t.json:7: sector \"energy\": empty name \"en\"");
}
END_TEST

START_TEST(test_missing_language)
{
	EXPECT_ERROR(HEAD
	    "    {\"class\": \"fraud\", " NAME ",\n"	/* 4 */
	    "     \"description\": {\"en\": \"Fraud.\"}, \"types\": [\n"
	    TYPE("phishing") "]}],\n"		/* 6 */
	    SECTORS,
	    "t.json:4: class \"fraud\": missing description \"id\"");
	EXPECT_ERROR(HEAD
	    CLASS("fraud")			/* 4 */
	    TYPE("phishing") ",\n"		/* 5 */
	    "      {\"type\": \"masquerade\", " DESC ",\n"	/* 6 */
	    "       \"name\": {\"id\": \"Penyamaran\"}}]}],\n"
	    SECTORS,
	    "t.json:6: code \"fraud/masquerade\": missing name \"en\"");
	EXPECT_ERROR(HEAD CLASS("fraud") TYPE("phishing") "]}],\n"
	    "  \"sectors\": [\n"		/* 6 */
	    SECTOR("energy") ",\n"		/* 7 */
	    "    {\"sector\": \"water\", \"name\": {\"en\": \"Water\"}}]\n}\n",
	    "t.json:8: sector \"water\": missing name \"id\"");
}
END_TEST

START_TEST(test_load_file)
{
	char		 path[] = "/tmp/check_taxonomy.XXXXXX", want[128];
	char		*cause = NULL;
	struct taxonomy	*t;
	FILE		*f;
	int		 fd;

	t = taxonomy_load("/nonexistent/taxonomy.json", &cause);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(cause,
	    "/nonexistent/taxonomy.json: No such file or directory");
	free(cause);
	cause = NULL;

	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(HEAD CLASS("fraud") TYPE("phishing") ",\n" TYPE("phishing")
	    "]}],\n" SECTORS, f);
	ck_assert_int_eq(fclose(f), 0);
	t = taxonomy_load(path, &cause);
	unlink(path);
	ck_assert_ptr_null(t);
	snprintf(want, sizeof want, "%s:6: duplicate code \"fraud/phishing\"",
	    path);
	ck_assert_str_eq(cause, want);
	free(cause);
}
END_TEST

START_TEST(test_free_null)
{
	taxonomy_free(NULL);
}
END_TEST

/* Add a test case named name holding one test. */
static void
add_case(Suite *s, const char *name, const TTest *test, int shipped_fixture)
{
	TCase	*tc = tcase_create(name);

	if (shipped_fixture)
		tcase_add_checked_fixture(tc, shipped_setup, shipped_teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

/* The taxonomy suite: one test case per behaviour. */
static Suite *
taxonomy_suite(void)
{
	Suite	*s = suite_create("taxonomy");

	add_case(s, "shipped_counts", test_shipped_counts, 1);
	add_case(s, "shipped_sectors", test_shipped_sectors, 1);
	add_case(s, "find_code", test_find_code, 1);
	add_case(s, "unknown_code", test_unknown_code, 1);
	add_case(s, "has_class_sector", test_has_class_sector, 1);
	add_case(s, "has_pattern", test_has_pattern, 1);
	add_case(s, "descriptions", test_descriptions, 1);
	add_case(s, "good", test_good, 0);
	add_case(s, "centre_codes", test_centre_codes, 0);
	add_case(s, "bad_json", test_bad_json, 0);
	add_case(s, "duplicate_key", test_duplicate_key, 0);
	add_case(s, "missing_key", test_missing_key, 0);
	add_case(s, "ill_typed", test_ill_typed, 0);
	add_case(s, "bad_name", test_bad_name, 0);
	add_case(s, "duplicates", test_duplicates, 0);
	add_case(s, "empty", test_empty, 0);
	add_case(s, "missing_language", test_missing_language, 0);
	add_case(s, "load_file", test_load_file, 0);
	add_case(s, "free_null", test_free_null, 0);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(taxonomy_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
