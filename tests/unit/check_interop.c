/* Unit tests of what the STIX and MISP exports share: alerts and IDs. */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "interop.h"

/* Python's uuid.uuid5 over the same namespace gives these. */
START_TEST(test_uuid5_known_values)
{
	char	out[INTEROP_UUID_LEN + 1];

	interop_uuid("ASEAN/42/report", out);
	ck_assert_str_eq(out, "15274036-80e3-5fd8-938c-b417b8dcaeb0");
	interop_uuid("ASEAN/43/report", out);
	ck_assert_str_eq(out, "3523d1f1-9564-5479-b9fe-8cdc591fb97e");
	interop_uuid("", out);
	ck_assert_str_eq(out, "e90466e7-ef5d-51ba-bf04-ae442ab9f481");
	ck_assert(interop_is_uuid(out));
	/* Version 5, RFC variant. */
	ck_assert_int_eq(out[14], '5');
	ck_assert(strchr("89ab", out[19]) != NULL);
}
END_TEST

START_TEST(test_alert_uuid_by_hub_and_seq)
{
	struct interop_alert	a = { .hub = "ASEAN", .seq = 42 };
	char			one[INTEROP_UUID_LEN + 1];
	char			two[INTEROP_UUID_LEN + 1];

	interop_alert_uuid(&a, "report", one);
	ck_assert_str_eq(one, "15274036-80e3-5fd8-938c-b417b8dcaeb0");
	a.hub = "EU";
	interop_alert_uuid(&a, "report", two);
	ck_assert_str_ne(one, two);
	a.hub = "ASEAN";
	a.seq = 43;
	interop_alert_uuid(&a, "report", two);
	ck_assert_str_eq(two, "3523d1f1-9564-5479-b9fe-8cdc591fb97e");
}
END_TEST

START_TEST(test_is_uuid)
{
	ck_assert(interop_is_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b10"));
	ck_assert(interop_is_uuid("0B7F6F0E-4B1C-4C8E-9D1A-2A6E3F1C9B10"));
	ck_assert(!interop_is_uuid(NULL));
	ck_assert(!interop_is_uuid(""));
	ck_assert(!interop_is_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1"));
	ck_assert(!interop_is_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b100"));
	ck_assert(!interop_is_uuid("0b7f6f0e04b1c-4c8e-9d1a-2a6e3f1c9b10"));
	ck_assert(!interop_is_uuid("0b7f6f0e-4b1c-4c8e-9d1a-2a6e3f1c9b1g"));
}
END_TEST

START_TEST(test_alert_read)
{
	struct interop_alert	 a;
	json_t			*j;
	char			*cause = NULL;

	j = json_loads("{\"type\":\"alert\",\"seq\":7,\"sender\":\"B\","
	    "\"received_at\":\"2026-12-01T00:00:00.123Z\",\"tier\":\"global\","
	    "\"origin\":{\"hub\":\"EU\",\"member\":\"FR\",\"seq\":3},"
	    "\"report\":{\"id\":\"x\"}}", 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(interop_alert_read(j, "ASEAN", &a, &cause), 0);
	ck_assert_str_eq(a.hub, "ASEAN");
	ck_assert_int_eq(a.seq, 7);
	ck_assert_str_eq(a.sender, "B");
	ck_assert_str_eq(a.received_at, "2026-12-01T00:00:00.123Z");
	ck_assert_str_eq(a.tier, "global");
	ck_assert_ptr_nonnull(a.origin);
	ck_assert_str_eq(interop_field(&a, "id"), "x");
	ck_assert_ptr_null(interop_field(&a, "title"));
	/* No hub name: a fixed one, so IDs stay deterministic. */
	ck_assert_int_eq(interop_alert_read(j, NULL, &a, &cause), 0);
	ck_assert_str_eq(a.hub, "kentongan");
	json_decref(j);
}
END_TEST

START_TEST(test_alert_read_errors)
{
	static const char *const bad[][2] = {
		{ "[]", "the alert is not a JSON object" },
		{ "{\"sender\":\"B\",\"received_at\":\"t\",\"report\":{}}",
		    "the alert has no seq" },
		{ "{\"seq\":0,\"sender\":\"B\",\"received_at\":\"t\","
		    "\"report\":{}}", "the alert has no seq" },
		{ "{\"seq\":1,\"received_at\":\"t\",\"report\":{}}",
		    "the alert has no sender" },
		{ "{\"seq\":1,\"sender\":\"B\",\"report\":{}}",
		    "the alert has no received_at" },
		{ "{\"seq\":1,\"sender\":\"B\",\"received_at\":\"t\","
		    "\"report\":[]}", "the alert has no report" },
	};
	struct interop_alert	 a;
	json_t			*j;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		j = json_loads(bad[i][0], 0, NULL);
		ck_assert_ptr_nonnull(j);
		ck_assert_int_eq(interop_alert_read(j, "H", &a, &cause), -1);
		ck_assert_ptr_nonnull(cause);
		ck_assert_str_eq(cause, bad[i][1]);
		free(cause);
		json_decref(j);
	}
}
END_TEST

static Suite *
interop_suite(void)
{
	Suite	*s = suite_create("interop");
	TCase	*tc;

	tc = tcase_create("uuid");
	tcase_add_test(tc, test_uuid5_known_values);
	tcase_add_test(tc, test_alert_uuid_by_hub_and_seq);
	tcase_add_test(tc, test_is_uuid);
	suite_add_tcase(s, tc);
	tc = tcase_create("alert");
	tcase_add_test(tc, test_alert_read);
	tcase_add_test(tc, test_alert_read_errors);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(interop_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
