/*
 * Unit tests of the client's configuration file: keys and comments,
 * relative paths taken from the file's directory, every refusal with its
 * line, and formatting that reads back the same.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "clientconf.h"

static int
parse(const char *text, struct clientconf *c, char **cause)
{
	return (clientconf_parse(text, strlen(text), "cfg", "/home/ana/.config"
	    "/kentongan", c, cause));
}

START_TEST(test_parse)
{
	struct clientconf	 c;
	char			*cause;

	ck_assert_int_eq(parse("# settings\n\n  hub hub.example.org:7400  \n"
	    "hub standby.example.org:7400\n"
	    "operator\thub.example.org:7401 # ops\ncert id.pem\r\n"
	    "key \"/etc/k/my \\\"id\\\".key\"\nca ../ca.pem\nformat stix\n"
	    "taxonomy t.json\n", &c, &cause), 0);
	ck_assert_str_eq(c.hub, "hub.example.org:7400,standby.example.org:7400");
	ck_assert_str_eq(c.operator_hub, "hub.example.org:7401");
	ck_assert_str_eq(c.cert, "/home/ana/.config/kentongan/id.pem");
	ck_assert_str_eq(c.key, "/etc/k/my \"id\".key");
	ck_assert_str_eq(c.ca, "/home/ana/.config/kentongan/../ca.pem");
	ck_assert_str_eq(c.format, "stix");
	ck_assert_str_eq(c.taxonomy, "/home/ana/.config/kentongan/t.json");
	clientconf_clear(&c);
	ck_assert_ptr_null(c.hub);
	ck_assert_int_eq(parse("", &c, &cause), 0);
	ck_assert_ptr_null(c.hub);
}
END_TEST

static void
refused(const char *text, const char *want)
{
	struct clientconf	 c;
	char			*cause = NULL;

	ck_assert_int_eq(parse(text, &c, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, want) != NULL, "%s: %s", text, cause);
	ck_assert_ptr_null(c.hub);
	free(cause);
}

START_TEST(test_refusals)
{
	refused("hub a:1\nport 7400\n", "cfg:2: unknown key \"port\"");
	refused("ca a\nca b\n", "cfg:2: ca is set twice");
	refused("ca a b\n", "cfg:1: ca takes one value");
	refused("ca \"a b\n", "cfg:1: unterminated quote");
	refused("cert\n", "cfg:1: cert needs a value");
	refused("cert # nothing\n", "cfg:1: cert needs a value");
	refused("format xml\n", "cfg:1: format is table, json, stix or misp");
	refused("format jsonx\n", "cfg:1: format is");
}
END_TEST

START_TEST(test_format_round_trip)
{
	struct clientconf	 c = { 0 }, back;
	char			*text, *cause;

	c.hub = strdup("10.0.0.1:7400,10.0.0.2:7400");
	c.cert = strdup("/a/my id.pem");
	c.key = strdup("/a/id.key");
	c.ca = strdup("/a/ca.pem");
	c.format = strdup("json");
	text = clientconf_format(&c);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "\nhub 10.0.0.1:7400\nhub "
	    "10.0.0.2:7400\n"));
	ck_assert_ptr_nonnull(strstr(text, "\ncert \"/a/my id.pem\"\n"));
	ck_assert_ptr_null(strstr(text, "operator"));
	ck_assert_int_eq(clientconf_parse(text, strlen(text), "x", "/elsewhere",
	    &back, &cause), 0);
	ck_assert_str_eq(back.hub, c.hub);
	ck_assert_str_eq(back.cert, c.cert);
	ck_assert_str_eq(back.key, c.key);
	ck_assert_str_eq(back.ca, c.ca);
	ck_assert_str_eq(back.format, "json");
	ck_assert_ptr_null(back.operator_hub);
	free(text);
	clientconf_clear(&c);
	clientconf_clear(&back);
}
END_TEST

static Suite *
clientconf_suite(void)
{
	Suite	*s = suite_create("clientconf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_format_round_trip);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(clientconf_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
