#!/usr/bin/env python3
"""Unit tests of vm/summary: merging, verdicts, expectations, kernel report scanning."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

SUMMARY = os.environ.get("SUMMARY") or os.path.join(os.path.dirname(__file__), "..", "summary")
ISSUE = "# issue 7 (a title): why it fails\n"
REASON = "# needs what the guest lacks\n"


def result(r):
    return {"result": r, "out": "", "err": "", "dmesg": ""}


class Run:
    """A fake vm/run output directory, and a vm/xfails directory of its own
    (empty unless xfails() writes a file)."""

    def __init__(self, case):
        self.tmp = tempfile.TemporaryDirectory()
        case.addCleanup(self.tmp.cleanup)
        self.dir = os.path.join(self.tmp.name, "run")
        self.xfails_dir = os.path.join(self.tmp.name, "xfails")
        os.makedirs(self.dir)
        os.makedirs(self.xfails_dir)

    def xfails(self, name, text):
        with open(os.path.join(self.xfails_dir, name), "w") as f:
            f.write(text)

    def guest(self, name, tests=None, dmesg="", kmemleak=None, status=None):
        runner = os.path.join(self.dir, name, "runner")
        os.makedirs(runner)
        if tests is not None:
            with open(os.path.join(runner, "results.json"), "w") as f:
                json.dump({"__type__": "TestrunResult", "results_version": 10, "uname": "x",
                           "tests": {k: result(v) for k, v in tests.items()}}, f)
        with open(os.path.join(self.dir, name, "dmesg.txt"), "w") as f:
            f.write(dmesg)
        if kmemleak is not None:
            with open(os.path.join(self.dir, name, "kmemleak.txt"), "w") as f:
                f.write(kmemleak)
        if status is not None:
            with open(os.path.join(self.dir, name, "status.json"), "w") as f:
                json.dump(status, f)
        return runner

    def meta(self, **meta):
        with open(os.path.join(self.dir, "meta.json"), "w") as f:
            json.dump(meta, f)

    def summarise(self, xfails_dir=None):
        env = dict(os.environ, XFAILS_DIR=xfails_dir or self.xfails_dir)
        p = subprocess.run([sys.executable, SUMMARY, self.dir], capture_output=True, text=True, env=env)
        with open(os.path.join(self.dir, "results.json")) as f:
            return p.returncode, p.stdout, json.load(f)


# a and b are ours; vgem_basic is upstream (vm/upstream-tests.txt), whose skips pass.
PASSING = {"igt@a@one": "pass", "igt@vgem_basic@two": "skip", "igt@b@one": "pass"}


class Verdicts(unittest.TestCase):
    def test_pass_and_skip_pass(self):
        r = Run(self)
        r.guest("l1", PASSING)
        code, out, merged = r.summarise()
        self.assertEqual(code, 0, out)
        self.assertIn("Verdict: PASS", out)
        self.assertRegex(out, r"test +pass skip fail warn dmesg-warn incomplete timeout\n")
        self.assertEqual(merged["totals"][""]["pass"], 2)
        self.assertEqual(merged["totals"]["vgem_basic"]["skip"], 1)

    def test_each_failing_result_fails(self):
        for bad in ("fail", "warn", "dmesg-fail", "incomplete", "timeout", "crash", "abort"):
            r = Run(self)
            r.guest("l1", dict(PASSING, **{"igt@b@two": bad}))
            code, out, _ = r.summarise()
            self.assertEqual(code, 1, bad)
            self.assertIn("igt@b@two", out)

    def test_upstream_failures_fail_but_not_their_dmesg_warn(self):
        for bad in ("fail", "warn", "dmesg-fail", "incomplete", "timeout", "crash", "abort"):
            r = Run(self)
            r.guest("l1", dict(PASSING, **{"igt@sw_sync@two": bad}))
            code, out, _ = r.summarise()
            self.assertEqual(code, 1, bad)
            self.assertRegex(out, r"Unexpected:\n  igt@sw_sync@two +%s +not in vm/xfails\n" % bad)
        r = Run(self)
        r.guest("l1", dict(PASSING, **{"igt@sw_sync@three": "dmesg-warn"}))
        code, out, _ = r.summarise()
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"Not passed, not counted:\n  igt@sw_sync@three +dmesg-warn\n")

    def test_our_dmesg_warn_fails(self):
        r = Run(self)
        r.guest("l1", dict(PASSING, **{"igt@b@two": "dmesg-warn"}))
        code, out, _ = r.summarise()
        self.assertEqual(code, 1, out)
        self.assertIn("Verdict: FAIL: 1 unexpected failure(s)", out)
        self.assertRegex(out, r"igt@b@two +dmesg-warn +a kernel warning or error while it ran")

    def test_no_results_fails(self):
        r = Run(self)
        r.guest("l1")
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("left no results", out)

    def test_guest_with_nothing_to_run_passes(self):
        r = Run(self)
        r.guest("l1", status={"no_tests": True})
        r.guest("l2", PASSING)
        code, out, _ = r.summarise()
        self.assertEqual(code, 0, out)

    def test_guest_error_fails(self):
        r = Run(self)
        r.guest("l1", PASSING, status={"error": "hung: killed after 600 s"})
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("hung: killed after 600 s", out)


class Expectations(unittest.TestCase):
    """vm/xfails: expected failures and allowed skips in drm-ci's format."""

    def run_with(self, tests, meta=None, **files):
        r = Run(self)
        r.guest("l1", dict(PASSING, **tests))
        if meta is not None:
            r.meta(**meta)
        for name, text in files.items():
            r.xfails(name.replace("_", "-") + ".txt", text)
        code, out, _ = r.summarise()
        return code, out

    def test_listed_failure_passes(self):
        code, out = self.run_with({"igt@b@two": "fail", "igt@sw_sync@three": "warn"},
                                  fails="# header\n\n" + ISSUE + "igt@b@two,Fail\nigt@sw_sync@three,Warn\n")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"Expected failures \(vm/xfails\):\n"
                         r"  igt@b@two +fail +\S*/fails.txt:4\n  igt@sw_sync@three +warn +\S*/fails.txt:5\n")
        self.assertNotIn("Unexpected", out)
        self.assertIn("Verdict: PASS", out)

    def test_every_drm_ci_result_name(self):
        names = {"Fail": "fail", "Warn": "warn", "DmesgWarn": "dmesg-warn", "DmesgFail": "dmesg-fail",
                 "Crash": "crash", "Timeout": "timeout", "Incomplete": "incomplete", "Abort": "abort"}
        for drm_ci, result in names.items():
            code, out = self.run_with({"igt@b@two": result}, fails=ISSUE + "igt@b@two,%s\n" % drm_ci)
            self.assertEqual(code, 0, out)

    def test_unlisted_failure_fails(self):
        code, out = self.run_with({"igt@b@two": "fail", "igt@b@three": "fail"},
                                  fails=ISSUE + "igt@b@two,Fail\n")
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"Unexpected:\n  igt@b@three +fail +not in vm/xfails\n")
        self.assertIn("Verdict: FAIL: 1 unexpected failure(s)", out)

    def test_listed_pass_fails_naming_the_line(self):
        code, out = self.run_with({}, fails=ISSUE + "igt@b@one,Fail\n")
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"igt@b@one +pass +listed in \S*/fails.txt:2 but passed: delete its line")
        self.assertIn("Verdict: FAIL: 1 listed subtest(s) passed", out)

    def test_upstream_dmesg_warn_listed_as_fail_is_a_pass(self):
        code, out = self.run_with({"igt@sw_sync@two": "dmesg-warn"}, fails=ISSUE + "igt@sw_sync@two,Fail\n")
        self.assertEqual(code, 1, out)
        self.assertIn("passed: delete its line", out)

    def test_other_result_than_listed_fails(self):
        code, out = self.run_with({"igt@b@two": "timeout"}, fails=ISSUE + "igt@b@two,Fail\n")
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"igt@b@two +timeout +listed in \S*/fails.txt:2 as Fail")
        self.assertIn("Verdict: FAIL: 1 unexpected failure(s)", out)

    def test_listed_subtest_that_skips_or_did_not_run_is_ignored(self):
        code, out = self.run_with({"igt@sw_sync@two": "skip"},
                                  fails=ISSUE + "igt@sw_sync@two,Fail\nigt@elsewhere@x,Fail\n")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"Note: +igt@sw_sync@two, listed in \S*/fails.txt:2, skipped in this job")
        self.assertNotIn("elsewhere", out)

    def test_our_unlisted_skip_fails(self):
        code, out = self.run_with({"igt@b@two": "skip"})
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"Unexpected:\n  igt@b@two +skip +one of ours, in no vm/xfails skips file")
        self.assertIn("Verdict: FAIL: 1 skip(s) of our subtests", out)

    def test_our_listed_skips_pass(self):
        tests = {"igt@b@two": "skip", "igt@c@blob-1": "skip", "igt@c@blob-22": "skip"}
        code, out = self.run_with(tests, skips=REASON + "igt@b@two\n# why c skips\nigt@c@blob-\\d+\n")
        self.assertEqual(code, 0, out)
        # A regex matches whole names only.
        code, out = self.run_with(tests, skips=REASON + "igt@b@two\nigt@c@blob\n")
        self.assertEqual(code, 1, out)
        self.assertIn("Verdict: FAIL: 2 skip(s)", out)

    def test_upstream_skip_passes(self):
        code, out = self.run_with({"igt@sw_sync@two": "skip", "igt@prime_vgem@x": "skip"})
        self.assertEqual(code, 0, out)

    def test_flavour_files_apply_to_their_flavour_only(self):
        files = {"debug_fails": ISSUE + "igt@b@two,Fail\n", "debug_skips": REASON + "igt@b@three\n"}
        tests = {"igt@b@two": "fail", "igt@b@three": "skip"}
        code, out = self.run_with(tests, meta={"flavour": "debug"}, **files)
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"igt@b@two +fail +\S*/debug-fails.txt:2")
        code, out = self.run_with(tests, meta={"flavour": "release"}, **files)
        self.assertEqual(code, 1, out)
        self.assertIn("1 unexpected failure(s); 1 skip(s)", out)
        code, out = self.run_with(tests, **files)  # no flavour: fails.txt and skips.txt alone
        self.assertEqual(code, 1, out)
        code, out = self.run_with(tests, meta={"flavour": "release"},
                                  release_fails=ISSUE + "igt@b@two,Fail\n", skips=REASON + "igt@b@three\n")
        self.assertEqual(code, 0, out)

    def check_error(self, message, **files):
        code, out = self.run_with({}, meta={"flavour": "debug"}, **files)
        self.assertEqual(code, 1, out)
        self.assertIn(message, out)
        self.assertIn("Errors in vm/xfails:\n  ", out)
        self.assertRegex(out, r"Verdict: FAIL: \S*" + re.escape(message))

    def test_malformed_lines_fail_naming_the_line(self):
        self.check_error("/fails.txt:3: not igt@binary@subtest,Result: igt@b@two Fail",
                         fails=ISSUE + "igt@b@one,Fail\nigt@b@two Fail\n")
        self.check_error("/debug-fails.txt:2: not igt@binary@subtest,Result: igt@b,Fail",
                         debug_fails=ISSUE + "igt@b,Fail\n")
        self.check_error("/fails.txt:2: unknown result Failed (one of Fail, Warn, DmesgWarn, ",
                         fails=ISSUE + "igt@b@two,Failed\n")
        self.check_error("/skips.txt:2: not igt@binary@subtest or a regex of such names: b@two",
                         skips=REASON + "b@two\n")
        self.check_error("/skips.txt:2: not a valid regex (", skips=REASON + "igt@b@(two\n")
        self.check_error("/fails.txt:5: igt@b@two is already listed at ",
                         fails=ISSUE + "igt@b@two,Fail\n\n" + ISSUE + "igt@b@two,Warn\n")

    def test_entries_need_their_comment(self):
        self.check_error("/fails.txt:1: no comment above it naming the issue", fails="igt@b@two,Fail\n")
        # A blank line ends a comment block; an entry ends it for the comments after it.
        self.check_error("/fails.txt:3: no comment above it naming the issue",
                         fails=ISSUE + "\nigt@b@two,Fail\n")
        self.check_error("/fails.txt:4: no comment above it naming the issue",
                         fails=ISSUE + "igt@b@one,Fail\n# no number here\nigt@b@two,Fail\n")
        self.check_error("/debug-skips.txt:3: no comment above it giving the reason",
                         debug_skips=REASON + "\nigt@b@two\n")
        # Entries that follow each other share the comment above the first.
        code, out = self.run_with({"igt@b@two": "fail", "igt@b@three": "fail"},
                                  fails="# See Issue 12 and issue 13:\n# both fail\nigt@b@two,Fail\nigt@b@three,Fail\n")
        self.assertEqual(code, 0, out)

    def test_pristine_run_has_no_expectations(self):
        tests = {"igt@b@two": "fail", "igt@b@three": "skip", "igt@sw_sync@four": "warn"}
        code, out = self.run_with(tests, meta={"pristine": True, "flavour": "release"},
                                  fails=ISSUE + "igt@b@two,Fail\nigt@b@one,Fail\nigt@sw_sync@four,Warn\n",
                                  release_fails="malformed\n")
        self.assertEqual(code, 1, out)
        self.assertIn("Note:   pristine: vm/xfails applies to the series only", out)
        self.assertNotIn("Expected failures", out)
        self.assertNotIn("malformed", out)
        self.assertIn("Verdict: FAIL: 2 unexpected failure(s)\n", out)  # b@two and the warn; the skip passes
        code, out = self.run_with({"igt@b@three": "skip"}, meta={"pristine": True})
        self.assertEqual(code, 0, out)

    def test_our_files_are_well_formed(self):
        xfails = os.path.join(os.path.dirname(os.path.realpath(SUMMARY)), "xfails")
        results = {"Fail": "fail", "Warn": "warn", "DmesgWarn": "dmesg-warn",
                   "DmesgFail": "dmesg-fail", "Crash": "crash", "Timeout": "timeout",
                   "Incomplete": "incomplete", "Abort": "abort"}
        for flavour in ("release", "debug"):
            # Every entry that applies to the flavour, failing as listed.
            listed = {}
            for name in ("fails.txt", "%s-fails.txt" % flavour):
                with open(os.path.join(xfails, name)) as f:
                    for line in f:
                        if line.strip() and not line.startswith("#"):
                            test, result = line.strip().split(",")
                            listed[test] = results[result]
            r = Run(self)
            r.guest("l1", dict(PASSING, **listed))
            r.meta(flavour=flavour)
            code, out, _ = r.summarise(xfails)
            self.assertEqual(code, 0, out)
            for test, result in listed.items():
                self.assertRegex(out, r"%s +%s +vm/xfails/" % (re.escape(test), result))


class Benchmarks(unittest.TestCase):
    """vm/run --bench: no tests, but figures from every guest that ran."""

    def bench_guest(self, r, name, figures=True, dmesg=""):
        r.guest(name, status={"no_tests": True}, dmesg=dmesg)
        if figures:
            with open(os.path.join(r.dir, name, "bench-vgem.json"), "w") as f:
                f.write("{}")

    def test_figures_pass(self):
        r = Run(self)
        r.meta(bench="1")
        self.bench_guest(r, "l1")
        code, out, _ = r.summarise()
        self.assertEqual(code, 0, out)

    def test_missing_figures_fail(self):
        r = Run(self)
        r.meta(bench="1")
        self.bench_guest(r, "l1")
        self.bench_guest(r, "l2", figures=False)
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("guest l2 left no benchmark figures", out)

    def test_kernel_report_fails(self):
        r = Run(self)
        r.meta(bench="1")
        self.bench_guest(r, "l1", dmesg="[ 9.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\n")
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("kernel report", out)


class KernelReports(unittest.TestCase):
    def check(self, line):
        r = Run(self)
        r.guest("l1", PASSING, dmesg="[    1.0] fine\n" + line + "\n")
        code, out, _ = r.summarise()
        self.assertEqual(code, 1, line)
        self.assertIn(line.strip(), out)

    def test_warn(self):
        self.check("[   12.3] WARNING: CPU: 1 PID: 77 at drivers/gpu/drm/vgem/vgem_drv.c:100 f+0x1/0x2")

    def test_lockdep(self):
        self.check("[   12.3] WARNING: possible circular locking dependency detected")

    def test_kasan(self):
        self.check("[   12.3] BUG: KASAN: slab-use-after-free in vgem_gem_free_object+0x1/0x2")

    def test_atomic_sleep(self):
        self.check("[   12.3] BUG: sleeping function called from invalid context at mm/slub.c:1")

    def test_hung_task(self):
        self.check("[  250.0] INFO: task revoke:123 blocked for more than 120 seconds.")

    def test_dma_api_error(self):
        self.check("[   95.7] WARNING: ../../linux/kernel/dma/debug.c:1231 at debug_dma_map_sg+0x772/0xcb0")

    def test_kmemleak(self):
        r = Run(self)
        r.guest("l1", PASSING, kmemleak="unreferenced object 0xffff888003a1b000 (size 64):\n")
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("kmemleak.txt", out)

    def test_ordinary_warnings_pass(self):
        r = Run(self)
        r.guest("l1", PASSING, dmesg="[    0.5] ACPI: warning of no interest\n[    1.0] [drm] features: -virgl\n"
                "[    1.3] DMA-API: preallocated 65536 debug entries\n"
                "[    1.3] DMA-API: debugging enabled by kernel config\n")
        self.assertEqual(r.summarise()[0], 0)


class Merging(unittest.TestCase):
    def test_nested_guest_results_merge(self):
        r = Run(self)
        r.guest("l1", PASSING)
        r.guest("l2", {"igt@c@blob": "pass"})
        code, out, merged = r.summarise()
        self.assertEqual(code, 0, out)
        self.assertEqual(set(merged["tests"]), set(PASSING) | {"igt@c@blob"})
        self.assertEqual(merged["__type__"], "TestrunResult")
        self.assertRegex(out, r"\nc +1\b")

    def test_rebooted_nested_guest_is_noted(self):
        r = Run(self)
        r.guest("l1", PASSING)
        r.guest("l2", {"igt@c@one": "pass"})
        open(os.path.join(r.dir, "l2", "serial-boot-report-1.log"), "w").close()
        code, out, _ = r.summarise()
        self.assertEqual(code, 0, out)
        self.assertIn("kernel report before our drivers ran", out)
        self.assertIn("l2/serial-boot-report-1.log", out)

    def test_reruns_are_noted(self):
        r = Run(self)
        r.guest("l1", PASSING)
        r.guest("l2", {"igt@c@one": "pass"})
        open(os.path.join(r.dir, "l2", "serial-stalled-1.log"), "w").close()
        os.makedirs(os.path.join(r.dir, "frozen-run-1", "l1"))
        os.makedirs(os.path.join(r.dir, "crashed-run-2", "l1"))
        code, out, merged = r.summarise()
        self.assertEqual(code, 0, out)
        self.assertIn("l2/serial-stalled-1.log", out)
        self.assertIn("a run froze (its console stopped) and was run again (frozen-run-1/)", out)
        self.assertIn("world switch (an emulator fault) and was run again (crashed-run-2/)", out)
        # The frozen run's results are kept, not merged.
        self.assertEqual(set(merged["tests"]), set(PASSING) | {"igt@c@one"})

    def test_nested_guest_failure_fails(self):
        r = Run(self)
        r.guest("l1", PASSING)
        r.guest("l2", dmesg="[ 1.0] Kernel panic - not syncing: oops\n")
        code, out, _ = r.summarise()
        self.assertEqual(code, 1)
        self.assertIn("guest l2 left no results", out)

    def test_dynamic_parts_are_not_counted_as_rows(self):
        r = Run(self)
        r.guest("l1", {"igt@a@dyn": "pass", "igt@a@dyn@part": "pass"})
        _, out, merged = r.summarise()
        self.assertRegex(out, r"\na +1 +0 ")


class PartialResults(unittest.TestCase):
    def test_journal_of_a_hung_guest(self):
        r = Run(self)
        runner = r.guest("l1", status={"error": "hung"})
        with open(os.path.join(runner, "joblist.txt"), "w") as f:
            f.write("a one,two\nb three\nc four\n")
        os.makedirs(os.path.join(runner, "0"))
        with open(os.path.join(runner, "0", "out.txt"), "w") as f:
            f.write("Starting subtest: one\nSubtest one: SUCCESS (0.1s)\nStarting subtest: two\n")
        code, out, merged = r.summarise()
        self.assertEqual(code, 1)
        results = {k: v["result"] for k, v in merged["tests"].items()}
        self.assertEqual(results, {"igt@a@one": "pass", "igt@a@two": "incomplete",
                                   "igt@b@three": "notrun", "igt@c@four": "notrun"})
        self.assertIn("partial results", out)


class Skips(unittest.TestCase):
    def test_whole_binary_skips_are_one_entry(self):
        r = Run(self)
        tests = dict(PASSING)
        tests.update({"igt@c@%d" % i: "skip" for i in range(9)})
        tests.update({"igt@d@%d" % i: "skip" for i in range(8)})
        tests["igt@d@last"] = "pass"
        r.guest("l1", tests)
        _, out, _ = r.summarise()
        self.assertIn("Skipped: c@* (9), d: 8 of 9 (see results.json), vgem_basic@two", out)


KSELFTEST_TAP = """TAP version 13
1..1
# timeout set to 45
# selftests: dmabuf-revoke: revoke_exporter.sh
# TAP version 13
# 1..3
# # Starting 3 tests from 1 test cases.
# #  RUN           exporter.create ...
# #            OK  exporter.create
# ok 1 exporter.create
# ok 2 exporter.move
# %s 3 exporter.static_importer_timeout%s
# # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
%s 1 selftests: dmabuf-revoke: revoke_exporter.sh%s
"""


class Kselftest(unittest.TestCase):
    def run_tap(self, tap, **meta):
        r = Run(self)
        r.guest("l1", PASSING)
        r.meta(kselftest="1", **meta)
        if tap is not None:
            with open(os.path.join(r.dir, "l1", "kselftest.txt"), "w") as f:
                f.write(tap)
        return r.summarise()

    def test_passing_kselftest_passes(self):
        code, out, merged = self.run_tap(KSELFTEST_TAP % ("ok", "", "ok", ""))
        self.assertEqual(code, 0, out)
        for name in ("exporter.create", "exporter.move", "exporter.static_importer_timeout",
                     "revoke_exporter.sh"):
            self.assertEqual(merged["tests"]["kselftest@dmabuf-revoke@" + name]["result"], "pass")

    def test_failing_test_fails(self):
        code, out, _ = self.run_tap(KSELFTEST_TAP % ("not ok", "", "not ok", ""))
        self.assertEqual(code, 1)
        self.assertRegex(out, r"kselftest@dmabuf-revoke@exporter.static_importer_timeout +fail")

    def test_skip_fails(self):
        code, out, _ = self.run_tap(KSELFTEST_TAP % ("ok", " # SKIP no device", "ok", ""))
        self.assertEqual(code, 1)
        self.assertIn("skip(s) of our subtests", out)

    def test_timeout_of_the_program_fails(self):
        code, out, _ = self.run_tap(KSELFTEST_TAP % ("ok", "", "not ok", " # TIMEOUT 45 seconds"))
        self.assertEqual(code, 1)
        self.assertRegex(out, r"kselftest@dmabuf-revoke@revoke_exporter.sh +timeout")

    def test_missing_output_fails(self):
        code, out, _ = self.run_tap(None)
        self.assertEqual(code, 1)
        self.assertIn("ran no kselftest", out)

    def test_output_without_results_fails(self):
        code, out, _ = self.run_tap("modprobe: FATAL\n")
        self.assertEqual(code, 1)
        self.assertIn("kselftest@unknown@tap", out)


class Description(unittest.TestCase):
    def test_run_description(self):
        r = Run(self)
        r.guest("l1", PASSING)
        r.meta(flavour="debug", kernel_release="7.3.4-testbed-debug", debian_version="7.3.4-1~bpo13+1",
               series_digest="abc", series_patches=3, qemu="TCG (QEMU 7.2)", blob_mode="nested",
               guest_root="sid", stages=[{"name": "kernel-build", "seconds": 12, "status": 0}])
        _, out, _ = r.summarise()
        self.assertIn("debug kernel 7.3.4-testbed-debug (Debian linux-source-7.3 7.3.4-1~bpo13+1)", out)
        self.assertIn("series abc (3 patches)", out)
        self.assertIn("virtio-gpu blob: nested", out)
        self.assertIn("kernel-build 12s", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
