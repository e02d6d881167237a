// SPDX-License-Identifier: MIT
/*
 * The last fixture, a teardown after every subtest, fails: every subtest
 * passes and yet the run exits 98, as with IGT (igt_core_protocol.py).
 */
#include "igt_core.h"

int igt_main()
{
	igt_subtest("pass-before-teardown")
		igt_info("BODY-RAN pass-before-teardown\n");

	igt_fixture() {
		igt_info("BODY-RAN teardown\n");
		igt_assert_f(false, "teardown fails\n");
	}
}
