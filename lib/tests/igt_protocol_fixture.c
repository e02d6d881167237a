// SPDX-License-Identifier: MIT
/*
 * A test binary with one subtest per outcome of the IGT protocol, for the
 * host unit tests of the IGT-compatible core (igt_core_protocol.py).
 * BODY-RAN lines on stdout show which bodies ran; CHILD-PID lines name
 * the children the core must kill; EXIT-HANDLER lines show exit handlers
 * running. Its fixtures never fail, as a failed fixture fails the whole
 * run (igt_fixture_failure.c and igt_teardown_failure.c have those).
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_aux.h"
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

static void __attribute__((noreturn)) wait_forever(void)
{
	printf("CHILD-PID %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * Under the signal helper, as with IGT's, poll() (never restarted) sees
 * EINTR and a read() that waits for data restarts and gets it.
 */
static void signal_helper_subtest(void)
{
	struct timespec delay = { .tv_nsec = 100000000 };
	struct pollfd pfd;
	int fds[2];
	char c;

	igt_assert_eq(pipe(fds), 0);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	igt_fork_signal_helper();
	igt_assert_eq(poll(&pfd, 1, 1000), -1);
	igt_assert_eq(errno, EINTR);
	igt_fork(child, 1) {
		while (nanosleep(&delay, &delay))
			;
		igt_assert_eq(write(fds[1], "x", 1), 1);
	}
	igt_assert_eq(read(fds[0], &c, 1), 1);
	igt_waitchildren();
	igt_stop_signal_helper();
}

static void exit_handler_a(int sig)
{
	printf("EXIT-HANDLER a %d (pid %d)\n", sig, getpid());
	fflush(stdout);
}

static void exit_handler_b(int sig)
{
	printf("EXIT-HANDLER b %d (pid %d)\n", sig, getpid());
	fflush(stdout);
}

int igt_main()
{
	struct igt_helper_process fixture_helper = {}, helper = {};

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

	/* A failed child stops its siblings, which could wait for it forever. */
	igt_subtest("fork-fail-stops-others") {
		igt_fork(child, 2) {
			if (child == 1)
				wait_forever();
			igt_assert_f(false, "child %d fails\n", child);
		}
		igt_waitchildren();
	}

	igt_subtest("fork-timeout") {
		igt_fork(child, 1)
			wait_forever();
		igt_waitchildren_timeout(1, "a child that never ends");
	}

	igt_subtest("fork-leak")
		igt_fork(child, 1)
			wait_forever();

	igt_subtest("plain-fork-leak") {
		if (fork() == 0)
			wait_forever();
	}

	igt_subtest("helper-leak")
		igt_fork_helper(&helper)
			wait_forever();

	igt_subtest("helper-pass") {
		igt_fork_helper(&helper)
			wait_forever();
		igt_assert(helper.running);
		igt_stop_helper(&helper);
		igt_assert(!helper.running);
	}

	igt_subtest("helper-sigkill") {
		helper.use_SIGKILL = true;
		igt_fork_helper(&helper) {
			signal(SIGTERM, SIG_IGN);
			wait_forever();
		}
		igt_stop_helper(&helper);
		helper.use_SIGKILL = false;
	}

	igt_subtest("helper-wait") {
		igt_fork_helper(&helper)
			exit(3);
		igt_assert_eq(WEXITSTATUS(igt_wait_helper(&helper)), 3);
	}

	/* As in IGT, a helper must run until it is stopped. */
	igt_subtest("helper-ended-early") {
		igt_fork_helper(&helper)
			exit(0);
		usleep(100000);
		igt_stop_helper(&helper);
	}

	igt_subtest("signal-helper")
		signal_helper_subtest();

	igt_subtest_group() {
		igt_fixture()
			igt_fork_helper(&fixture_helper)
				wait_forever();

		igt_subtest("helper-from-fixture")
			igt_assert_eq(kill(fixture_helper.pid, 0), 0);

		igt_fixture()
			igt_stop_helper(&fixture_helper);
	}

	igt_subtest("exit-handlers") {
		igt_install_exit_handler(exit_handler_a);
		igt_install_exit_handler(exit_handler_b);
		igt_install_exit_handler(exit_handler_a);
		/* A child starts with none of its parent's. */
		igt_fork(child, 1)
			igt_info("BODY-RAN child %d\n", getpid());
		igt_waitchildren();
	}

	igt_subtest("exit-handlers-signal") {
		igt_install_exit_handler(exit_handler_a);
		raise(SIGTERM);
	}

	igt_subtest("exit-handler-in-child") {
		igt_info("BODY-RAN parent %d\n", getpid());
		igt_fork(child, 1)
			igt_install_exit_handler(exit_handler_a);
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

	igt_subtest_with_dynamic("dynamic-leak") {
		igt_dynamic("dyn-leak")
			igt_fork(child, 1)
				wait_forever();
		igt_dynamic("dyn-after-leak")
			igt_info("BODY-RAN dyn-after-leak\n");
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
