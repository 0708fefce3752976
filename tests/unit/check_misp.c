/* Unit tests of the misp mapping, against fixtures from its specification. */
#include <stdlib.h>

#include <check.h>

#include "misp.h"

START_TEST(test_placeholder)
{
	ck_assert_ptr_nonnull(&misp_import);
}
END_TEST

static Suite *
misp_suite(void)
{
	Suite	*s = suite_create("misp");
	TCase	*tc = tcase_create("placeholder");

	tcase_add_test(tc, test_placeholder);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(misp_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
