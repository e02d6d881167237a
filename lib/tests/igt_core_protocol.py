#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host unit tests of the IGT-compatible core: the protocol igt_runner reads,
and the results IGT gives for timeouts, threads, children and fixtures.

Usage: igt_core_protocol.py FIXTURE FIXTURE_FAILURE TEARDOWN_FAILURE
(the binaries of igt_protocol_fixture.c, igt_fixture_failure.c and
igt_teardown_failure.c)
"""
import os
import re
import subprocess
import sys
import unittest

FIXTURE = FIXTURE_FAILURE = TEARDOWN_FAILURE = None

ALL_SUBTESTS = [
    "pass-basic", "pass-with-info", "fail-assert", "skip-require",
    "warn-on-stderr", "timeout", "timeout-reset", "thread-pass",
    "thread-assert", "crash-segv", "fork-pass", "fork-fail",
    "fork-fail-stops-others", "fork-timeout", "fork-leak", "plain-fork-leak",
    "helper-leak", "helper-pass", "helper-sigkill", "helper-wait",
    "helper-ended-early", "signal-helper", "helper-from-fixture", "exit-handlers",
    "exit-handlers-signal", "exit-handler-in-child", "formatted-7",
    "dynamic", "dynamic-empty", "dynamic-leak", "grouped-skipped",
    "after-groups",
]

EXIT_SUCCESS, EXIT_SKIP, EXIT_INVALID, EXIT_FAILURE = 0, 77, 79, 98
RESULT_LINE = re.compile(r"^Subtest ([\w-]+): (SUCCESS|SKIP|FAIL|CRASH|TIMEOUT) \(\d+\.\d{3}s\)$", re.M)
DYNAMIC_LINE = re.compile(r"^Dynamic subtest ([\w-]+): (SUCCESS|SKIP|FAIL|CRASH|TIMEOUT) \(\d+\.\d{3}s\)$", re.M)
# The core names the children it kills.
KILLED_CHILD = re.compile(r"child (?:process (\d+) was left behind|\d+ \(pid (\d+)\) was not waited for)")


def run(*args, sentinel=False, binary=None):
    env = dict(os.environ)
    env.pop("IGT_SENTINEL_ON_STDERR", None)
    if sentinel:
        env["IGT_SENTINEL_ON_STDERR"] = "1"
    # A child left running would keep the pipes open: the timeout catches it.
    return subprocess.run([binary or FIXTURE, *args], capture_output=True, text=True,
                          env=env, timeout=60)


def results(out):
    return dict(RESULT_LINE.findall(out))


class Listing(unittest.TestCase):
    def test_list_subtests_prints_names_only(self):
        p = run("--list-subtests")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.split(), ALL_SUBTESTS)
        self.assertEqual(p.stderr, "")

    def test_list_runs_no_bodies(self):
        self.assertNotIn("BODY-RAN", run("--list-subtests").stdout)

    def test_describe_names_every_subtest(self):
        p = run("--describe")
        self.assertEqual(p.returncode, 0)
        self.assertIn("SUB pass-basic ", p.stdout)
        self.assertIn("  Passes.", p.stdout)
        self.assertIn("SUB after-groups ", p.stdout)

    def test_help_exits_zero(self):
        self.assertEqual(run("--help").returncode, 0)

    def test_unknown_option_is_invalid(self):
        self.assertEqual(run("--no-such-option").returncode, EXIT_INVALID)


class Selection(unittest.TestCase):
    def test_single_pass(self):
        p = run("--run-subtest", "pass-basic")
        self.assertEqual(p.returncode, EXIT_SUCCESS)
        self.assertIn("Starting subtest: pass-basic\n", p.stdout)
        self.assertEqual(results(p.stdout), {"pass-basic": "SUCCESS"})
        self.assertRegex(p.stdout, r"^IGT-Version: ")

    def test_unknown_subtest_exits_79(self):
        p = run("--run-subtest", "no-such-subtest")
        self.assertEqual(p.returncode, EXIT_INVALID)
        self.assertNotIn("BODY-RAN", p.stdout)

    def test_glob(self):
        p = run("--run-subtest", "pass-*")
        self.assertEqual(results(p.stdout), {"pass-basic": "SUCCESS", "pass-with-info": "SUCCESS"})
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_comma_list_and_negation(self):
        p = run("--run-subtest", "pass-*,!pass-with-info,formatted-?")
        self.assertEqual(results(p.stdout), {"pass-basic": "SUCCESS", "formatted-7": "SUCCESS"})

    def test_subtest_runs_once(self):
        p = run("--run-subtest", "pass-basic")
        self.assertEqual(p.stdout.count("BODY-RAN pass-basic"), 1)


class Results(unittest.TestCase):
    def check(self, name, result, code):
        p = run("--run-subtest", name)
        self.assertEqual(results(p.stdout), {name: result}, p.stdout + p.stderr)
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        return p

    def test_fail(self):
        p = self.check("fail-assert", "FAIL", EXIT_FAILURE)
        self.assertIn("Failed assertion: 1 == 2", p.stderr)
        self.assertIn("error: 1 != 2", p.stderr)
        # The debug ring is shown on failure.
        self.assertIn("debug before the failure", p.stderr)

    def test_skip(self):
        p = self.check("skip-require", "SKIP", EXIT_SKIP)
        self.assertIn("requirement missing", p.stdout)

    def test_warning_goes_to_stderr(self):
        p = self.check("warn-on-stderr", "SUCCESS", EXIT_SUCCESS)
        self.assertIn("WARNING: a warning", p.stderr)

    def test_timeout_fails(self):
        # IGT's igt_set_timeout() fails the subtest: FAIL and 98, not 78.
        p = self.check("timeout", "FAIL", EXIT_FAILURE)
        self.assertIn("Timed out: sleeping on purpose\n", p.stdout)

    def test_timeout_reset(self):
        self.check("timeout-reset", "SUCCESS", EXIT_SUCCESS)

    def test_crash(self):
        p = run("--run-subtest", "crash-segv")
        self.assertEqual(results(p.stdout), {"crash-segv": "CRASH"})
        self.assertEqual(p.returncode, -11)

    def test_fork(self):
        self.check("fork-pass", "SUCCESS", EXIT_SUCCESS)
        p = self.check("fork-fail", "FAIL", EXIT_FAILURE)
        self.assertIn("child 1 fails", p.stderr)

    def test_mixed_pass_and_skip_passes(self):
        p = run("--run-subtest", "pass-basic,skip-require")
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_any_failure_fails(self):
        p = run("--run-subtest", "pass-basic,fail-assert,skip-require")
        self.assertEqual(p.returncode, EXIT_FAILURE)
        self.assertEqual(results(p.stdout),
                         {"pass-basic": "SUCCESS", "fail-assert": "FAIL", "skip-require": "SKIP"})


class Dynamic(unittest.TestCase):
    def test_dynamic_results(self):
        p = run("--run-subtest", "dynamic")
        self.assertIn("Starting dynamic subtest: dyn-pass\n", p.stdout)
        self.assertEqual(dict(DYNAMIC_LINE.findall(p.stdout)),
                         {"dyn-pass": "SUCCESS", "dyn-fail": "FAIL", "dyn-skip": "SKIP"})
        self.assertEqual(results(p.stdout), {"dynamic": "FAIL"})
        self.assertEqual(p.returncode, EXIT_FAILURE)

    def test_dynamic_selection(self):
        p = run("--run-subtest", "dynamic", "--dynamic-subtest", "dyn-pass")
        self.assertEqual(dict(DYNAMIC_LINE.findall(p.stdout)), {"dyn-pass": "SUCCESS"})
        self.assertEqual(results(p.stdout), {"dynamic": "SUCCESS"})
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_empty_container_skips(self):
        p = run("--run-subtest", "dynamic-empty")
        self.assertEqual(results(p.stdout), {"dynamic-empty": "SKIP"})
        self.assertEqual(p.returncode, EXIT_SKIP)


    def test_dynamic_leak_fails_only_its_dynamic_subtest(self):
        p = run("--run-subtest", "dynamic-leak")
        self.assertEqual(dict(DYNAMIC_LINE.findall(p.stdout)),
                         {"dyn-leak": "FAIL", "dyn-after-leak": "SUCCESS"})
        self.assertEqual(results(p.stdout), {"dynamic-leak": "FAIL"})
        self.assertEqual(p.returncode, EXIT_FAILURE)


class Threads(unittest.TestCase):
    def test_assert_in_thread_fails_the_subtest(self):
        p = run("--run-subtest", "thread-assert")
        self.assertEqual(results(p.stdout), {"thread-assert": "FAIL"})
        self.assertEqual(p.returncode, EXIT_FAILURE)
        self.assertRegex(p.stderr, r"\[thread:\d+\] CRITICAL: the thread fails")
        self.assertIn("Failure in a thread!", p.stderr)
        # The failing thread ended; the test's thread went on, no longjmp.
        self.assertIn("BODY-RAN after the join", p.stdout)

    def test_thread_that_passes(self):
        p = run("--run-subtest", "thread-pass")
        self.assertEqual(results(p.stdout), {"thread-pass": "SUCCESS"})
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_thread_failure_stays_in_its_subtest(self):
        p = run("--run-subtest", "thread-assert,thread-pass")
        self.assertEqual(results(p.stdout), {"thread-assert": "FAIL", "thread-pass": "SUCCESS"})


class Children(unittest.TestCase):
    def assert_killed(self, p, count):
        pids = [int(a or b) for a, b in KILLED_CHILD.findall(p.stderr)]
        self.assertEqual(len(pids), count, p.stderr)
        for pid in pids:
            with self.assertRaises(ProcessLookupError, msg="child %d still there" % pid):
                os.kill(pid, 0)

    def check_leak(self, name):
        p = run("--run-subtest", name)
        self.assertEqual(results(p.stdout), {name: "FAIL"}, p.stderr)
        self.assertEqual(p.returncode, EXIT_FAILURE)
        self.assertRegex(p.stderr, "Subtest %s left 1 child process\\(es\\) running: killed" % name)
        self.assert_killed(p, 1)

    def test_unwaited_igt_fork_child_fails(self):
        self.check_leak("fork-leak")

    def test_plain_fork_child_left_running_fails(self):
        self.check_leak("plain-fork-leak")

    def test_helper_left_running_fails(self):
        self.check_leak("helper-leak")

    def test_leak_stays_in_its_subtest(self):
        p = run("--run-subtest", "fork-leak,pass-basic")
        self.assertEqual(results(p.stdout), {"fork-leak": "FAIL", "pass-basic": "SUCCESS"})

    def test_failed_child_stops_the_others(self):
        # As in IGT: the others are killed rather than waited for forever.
        p = run("--run-subtest", "fork-fail-stops-others")
        self.assertEqual(results(p.stdout), {"fork-fail-stops-others": "FAIL"})
        self.assertEqual(p.returncode, EXIT_FAILURE)

    def test_waitchildren_timeout_kills_and_fails(self):
        # The killed child's status, 128 + SIGKILL, is the exit code, as in IGT.
        p = run("--run-subtest", "fork-timeout")
        self.assertEqual(results(p.stdout), {"fork-timeout": "FAIL"})
        self.assertEqual(p.returncode, 128 + 9)
        self.assertIn("Timed out waiting for children", p.stdout)


class Helpers(unittest.TestCase):
    def test_stopped_helper_passes(self):
        for name in ("helper-pass", "helper-sigkill", "helper-wait"):
            p = run("--run-subtest", name)
            self.assertEqual(results(p.stdout), {name: "SUCCESS"}, p.stderr)
            self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_signal_helper_interrupts_as_igt_does(self):
        p = run("--run-subtest", "signal-helper")
        self.assertEqual(results(p.stdout), {"signal-helper": "SUCCESS"}, p.stderr)
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_helper_from_a_fixture_is_not_a_leak(self):
        p = run("--run-subtest", "helper-from-fixture")
        self.assertEqual(results(p.stdout), {"helper-from-fixture": "SUCCESS"}, p.stderr)
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_helper_that_ended_early_is_a_bug(self):
        # IGT's igt_stop_helper() asserts the helper was still running.
        p = run("--run-subtest", "helper-ended-early")
        self.assertEqual(results(p.stdout), {"helper-ended-early": "CRASH"})
        self.assertEqual(p.returncode, -6)
        self.assertIn("ended before it was stopped", p.stderr)


class ExitHandlers(unittest.TestCase):
    def handlers(self, out):
        return re.findall(r"^EXIT-HANDLER (\w) (\d+) \(pid (\d+)\)$", out, re.M)

    def test_once_each_last_first_at_exit(self):
        p = run("--run-subtest", "exit-handlers")
        self.assertEqual(p.returncode, EXIT_SUCCESS)
        self.assertEqual([(h, sig) for h, sig, _ in self.handlers(p.stdout)], [("b", "0"), ("a", "0")])
        # After the results, and not in the child.
        self.assertGreater(p.stdout.index("EXIT-HANDLER"), p.stdout.index("Subtest exit-handlers:"))
        self.assertEqual(len({pid for _, _, pid in self.handlers(p.stdout)}), 1)

    def test_on_a_fatal_signal(self):
        p = run("--run-subtest", "exit-handlers-signal")
        self.assertEqual(p.returncode, -15)
        self.assertEqual([(h, sig) for h, sig, _ in self.handlers(p.stdout)], [("a", "15")])

    def test_a_child_has_its_own(self):
        p = run("--run-subtest", "exit-handler-in-child")
        self.assertEqual(results(p.stdout), {"exit-handler-in-child": "SUCCESS"})
        parent = re.search(r"BODY-RAN parent (\d+)", p.stdout).group(1)
        handlers = self.handlers(p.stdout)
        self.assertEqual(len(handlers), 1, p.stdout)
        self.assertNotEqual(handlers[0][2], parent)


class Fixtures(unittest.TestCase):
    def test_skipped_fixture_skips_its_group_only(self):
        p = run("--run-subtest", "grouped-skipped,after-groups")
        self.assertEqual(results(p.stdout), {"grouped-skipped": "SKIP", "after-groups": "SUCCESS"})
        self.assertNotIn("BODY-RAN grouped-skipped", p.stdout)
        self.assertIn("group requirement missing", p.stdout)
        self.assertEqual(p.returncode, EXIT_SUCCESS)

    def test_failed_fixture_fails_its_group(self):
        p = run("--run-subtest", "grouped-failed,after-groups", binary=FIXTURE_FAILURE)
        self.assertEqual(results(p.stdout), {"grouped-failed": "FAIL", "after-groups": "SUCCESS"})
        self.assertNotIn("BODY-RAN grouped-failed", p.stdout)
        self.assertEqual(p.returncode, EXIT_FAILURE)

    def test_failed_fixture_fails_the_run(self):
        # As in IGT, fixtures run whatever is selected, and their failure counts.
        p = run("--run-subtest", "before-groups", binary=FIXTURE_FAILURE)
        self.assertEqual(results(p.stdout), {"before-groups": "SUCCESS"})
        self.assertEqual(p.returncode, EXIT_FAILURE)

    def test_failure_in_the_last_fixture_exits_98(self):
        for args in (["--run-subtest", "pass-before-teardown"], []):
            p = run(*args, binary=TEARDOWN_FAILURE)
            self.assertEqual(results(p.stdout), {"pass-before-teardown": "SUCCESS"})
            self.assertIn("BODY-RAN teardown", p.stdout)
            self.assertIn("teardown fails", p.stderr)
            self.assertEqual(p.returncode, EXIT_FAILURE)


class Sentinels(unittest.TestCase):
    def test_stderr_sentinels(self):
        p = run("--run-subtest", "pass-basic,warn-on-stderr", sentinel=True)
        lines = p.stderr.splitlines()
        self.assertIn("Starting subtest: pass-basic", lines)
        self.assertTrue(any(RESULT_LINE.match(l) for l in lines))
        # The warning sits between warn-on-stderr's own sentinels.
        start = lines.index("Starting subtest: warn-on-stderr")
        self.assertIn("WARNING: a warning", "\n".join(lines[start:]))

    def test_no_sentinels_by_default(self):
        p = run("--run-subtest", "pass-basic")
        self.assertNotIn("Starting subtest", p.stderr)


if __name__ == "__main__":
    FIXTURE, FIXTURE_FAILURE, TEARDOWN_FAILURE = (os.path.abspath(a) for a in sys.argv[1:4])
    del sys.argv[1:4]
    unittest.main(verbosity=2)
