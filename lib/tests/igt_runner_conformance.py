#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The real igt_runner's verdicts on a binary built with our IGT core.

Runs the guest root's igt_runner (IGT 2.5, through chroot in a private mount
namespace) over the protocol fixtures, and checks results.json: each outcome
of our core must reach igt_runner as the result IGT would get.

Usage: igt_runner_conformance.py FIXTURE FIXTURE_FAILURE TEARDOWN_FAILURE
Skips (exit 77) when not root or when no guest root is cached
(vm/guest-root makes one; TESTBED_ROOT names another).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

# Per binary (in the order of the command line), its subtests' results.
EXPECTED = [{
    "pass-basic": "pass",
    "pass-with-info": "pass",
    "fail-assert": "fail",
    "skip-require": "skip",
    "warn-on-stderr": "warn",
    # IGT's igt_set_timeout() fails the subtest; "timeout" is igt_runner's own.
    "timeout": "fail",
    "timeout-reset": "pass",
    "thread-pass": "pass",
    "thread-assert": "fail",
    "crash-segv": "crash",
    "fork-pass": "pass",
    "fork-fail": "fail",
    "fork-fail-stops-others": "fail",
    "fork-timeout": "fail",
    "fork-leak": "fail",
    "plain-fork-leak": "fail",
    "helper-leak": "fail",
    "helper-pass": "pass",
    "helper-sigkill": "pass",
    "helper-wait": "pass",
    "helper-ended-early": "crash",
    "signal-helper": "pass",
    "helper-from-fixture": "pass",
    "exit-handlers": "pass",
    # Killed by SIGTERM before its result, handlers run or not.
    "exit-handlers-signal": "incomplete",
    "exit-handler-in-child": "pass",
    "formatted-7": "pass",
    "dynamic": "fail",
    "dynamic@dyn-pass": "pass",
    "dynamic@dyn-fail": "fail",
    "dynamic@dyn-skip": "skip",
    "dynamic-empty": "skip",
    "dynamic-leak": "fail",
    "dynamic-leak@dyn-leak": "fail",
    "dynamic-leak@dyn-after-leak": "pass",
    "grouped-skipped": "skip",
    "after-groups": "pass",
}, {
    # The failed fixture prints to stderr inside the run of the subtest
    # after it, which igt_runner (rightly) counts against it, as with IGT;
    # output after a run's last result counts against nothing.
    "before-groups": "pass",
    "grouped-failed": "fail",
    "after-groups": "warn",
}, {
    # So igt_runner passes a subtest whose teardown fails after it, with
    # IGT's core as with ours: only the exit code, 98, tells (EXIT_CODES).
    "pass-before-teardown": "pass",
}]

# The exit code igt_runner's journal records for the run of a subtest.
EXIT_CODES = {"pass-before-teardown": 98}


def find_root():
    if os.environ.get("TESTBED_ROOT"):
        return os.environ["TESTBED_ROOT"]
    here = os.path.dirname(os.path.abspath(__file__))
    cache = os.environ.get("TESTBED_CACHE") or os.path.join(here, "..", "..", "vm", "cache")
    roots = sorted(glob.glob(os.path.join(cache, "root", "sid-*", ".testbed-ready")))
    return os.path.dirname(roots[-1]) if roots else None


def expected_results(fixtures):
    """igt@binary@subtest: result, over all the fixtures."""
    return {"igt@%s@%s" % (os.path.basename(b), sub): want
            for b, subs in zip(fixtures, EXPECTED) for sub, want in subs.items()}


def journal_exit(results, subtest):
    """The exit code of the run of @subtest, from its journal.txt."""
    for journal in glob.glob(os.path.join(results, "*", "journal.txt")):
        with open(journal) as f:
            lines = f.read().splitlines()
        if lines and lines[0] == subtest:
            return next((int(l.split(":")[1].split()[0]) for l in lines if l.startswith("exit:")), None)
    return None


def main(fixtures):
    root = find_root()
    if os.geteuid() != 0 or not root or not os.path.exists(os.path.join(root, "usr/bin/igt_runner")):
        print("SKIP: needs root and a cached guest root with igt_runner (vm/guest-root)")
        return 77

    expected = expected_results(fixtures)
    names = [os.path.basename(b) for b in fixtures]
    work = tempfile.mkdtemp(prefix="conformance-")
    try:
        os.makedirs(os.path.join(work, "tests"))
        for binary in fixtures:
            shutil.copy(binary, os.path.join(work, "tests"))
        with open(os.path.join(work, "tests", "test-list.txt"), "w") as f:
            f.write("TESTLIST\n%s\nEND TESTLIST\n" % "\n".join(names))
        # igt@binary@subtest, without the dynamic subtests' part.
        subtests = sorted({"@".join(k.split("@")[:3]) for k in expected})
        with open(os.path.join(work, "list.txt"), "w") as f:
            f.write("".join(s + "\n" for s in subtests))

        # The work directory appears as /tmp inside the root; the bind
        # mount lives only in this private namespace.
        script = ("mount --bind {work} {root}/tmp && mount -t proc proc {root}/proc && "
                  "chroot {root} igt_runner --test-list /tmp/list.txt --per-test-timeout 30 "
                  "/tmp/tests /tmp/results").format(work=work, root=root)
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                           capture_output=True, text=True, timeout=300)
        try:
            with open(os.path.join(work, "results", "results.json")) as f:
                tests = json.load(f)["tests"]
        except OSError:
            print(p.stdout, p.stderr, sep="\n")
            print("FAIL: igt_runner wrote no results.json (exit %d)" % p.returncode)
            return 1

        failures = 0
        for key, want in sorted(expected.items()):
            got = tests.get(key, {}).get("result", "missing")
            ok = got == want
            failures += not ok
            print("%-4s %-55s igt_runner: %-8s expected: %s" % ("ok" if ok else "FAIL", key, got, want))
        for sub, want in sorted(EXIT_CODES.items()):
            got = journal_exit(os.path.join(work, "results"), sub)
            ok = got == want
            failures += not ok
            print("%-4s %-55s exit code: %-9s expected: %s" % ("ok" if ok else "FAIL", sub, got, want))
        extra = set(tests) - set(expected)
        for key in sorted(extra):
            print("FAIL unexpected result %s: %s" % (key, tests[key].get("result")))
            failures += 1
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main([os.path.abspath(a) for a in sys.argv[1:]]))
