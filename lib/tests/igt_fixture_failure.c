// SPDX-License-Identifier: MIT
/*
 * A fixture that fails, for igt_core_protocol.py: the subtests of its group
 * fail without running, those after the group run, and the run exits 98
 * whichever subtests it selected, as with IGT.
 */
#include "igt_core.h"

int igt_main()
{
	igt_subtest("before-groups")
		igt_info("BODY-RAN before-groups\n");

	igt_subtest_group() {
		igt_fixture()
			igt_assert_f(false, "group fixture fails\n");

		igt_subtest("grouped-failed")
			igt_info("BODY-RAN grouped-failed\n");
	}

	igt_subtest("after-groups")
		igt_info("BODY-RAN after-groups\n");
}
