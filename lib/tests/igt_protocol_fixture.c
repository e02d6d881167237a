// SPDX-License-Identifier: MIT
/*
 * A test binary with one subtest per outcome of the IGT protocol, for the
 * host unit tests of the IGT-compatible core (igt_core_protocol.py).
 * BODY-RAN lines on stdout show which bodies ran. Its fixtures never
 * fail, as a failed fixture fails the whole run (igt_fixture_failure.c
 * and igt_teardown_failure.c have those).
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "igt_core.h"

static void *assert_in_thread(void *fail)
{
	igt_assert_f(!fail, "the thread fails\n");
	return NULL;
}

/* Joins a thread that asserts; the test's thread goes on to the end. */
static void thread_subtest(bool fail)
{
	pthread_t thread;

	igt_assert_eq(pthread_create(&thread, NULL, assert_in_thread, fail ? &thread : NULL), 0);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_info("BODY-RAN after the join\n");
}

int igt_main()
{
	igt_describe("Passes.");
	igt_subtest("pass-basic")
		igt_info("BODY-RAN pass-basic\n");

	igt_subtest("pass-with-info") {
		igt_info("BODY-RAN pass-with-info\n");
		igt_debug("a debug line\n");
	}

	igt_subtest("fail-assert") {
		igt_debug("debug before the failure\n");
		igt_assert_eq(1, 2);
	}

	igt_subtest("skip-require")
		igt_require_f(false, "requirement missing\n");

	igt_subtest("warn-on-stderr")
		igt_warn("a warning\n");

	igt_subtest("timeout") {
		igt_set_timeout(1, "sleeping on purpose");
		sleep(10);
	}

	igt_subtest("timeout-reset") {
		igt_set_timeout(1, "not reached");
		igt_reset_timeout();
		usleep(1500000);
	}

	igt_subtest("thread-pass")
		thread_subtest(false);

	igt_subtest("thread-assert")
		thread_subtest(true);

	igt_subtest("crash-segv")
		raise(SIGSEGV);

	igt_subtest("fork-pass") {
		igt_fork(child, 2)
			igt_assert(child < 2);
		igt_waitchildren();
	}

	igt_subtest("fork-fail") {
		igt_fork(child, 2)
			igt_assert_f(child != 1, "child %d fails\n", child);
		igt_waitchildren();
	}

	igt_subtest_f("formatted-%d", 7)
		igt_info("BODY-RAN formatted-7\n");

	igt_subtest_with_dynamic("dynamic") {
		igt_dynamic("dyn-pass")
			igt_info("BODY-RAN dyn-pass\n");
		igt_dynamic_f("dyn-%s", "fail")
			igt_assert(false);
		igt_dynamic("dyn-skip")
			igt_skip("skipping a dynamic subtest\n");
	}

	igt_subtest_with_dynamic("dynamic-empty") {
	}

	igt_subtest_group() {
		igt_fixture()
			igt_require_f(false, "group requirement missing\n");

		igt_subtest("grouped-skipped")
			igt_info("BODY-RAN grouped-skipped\n");
	}

	igt_subtest("after-groups")
		igt_info("BODY-RAN after-groups\n");
}
