#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The real igt_runner's verdicts on a binary built with our IGT core.

Runs the guest root's igt_runner (IGT 2.5, through chroot in a private mount
namespace) over the protocol fixture, and checks results.json: each outcome
of our core must reach igt_runner as the result IGT would get.

Usage: igt_runner_conformance.py FIXTURE_BINARY
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

EXPECTED = {
    "pass-basic": "pass",
    "pass-with-info": "pass",
    "fail-assert": "fail",
    "skip-require": "skip",
    "warn-on-stderr": "warn",
    # IGT's igt_set_timeout() fails the subtest; "timeout" is igt_runner's own.
    "timeout": "fail",
    "timeout-reset": "pass",
    "crash-segv": "crash",
    "fork-pass": "pass",
    "fork-fail": "fail",
    "formatted-7": "pass",
    "dynamic": "fail",
    "dynamic@dyn-pass": "pass",
    "dynamic@dyn-fail": "fail",
    "dynamic@dyn-skip": "skip",
    "dynamic-empty": "skip",
    "grouped-skipped": "skip",
    "grouped-failed": "fail",
    # The failed fixture before it printed to stderr inside this run, which
    # igt_runner (rightly) counts against the next subtest, as with IGT.
    "after-groups": "warn",
}


def find_root():
    if os.environ.get("TESTBED_ROOT"):
        return os.environ["TESTBED_ROOT"]
    here = os.path.dirname(os.path.abspath(__file__))
    cache = os.environ.get("TESTBED_CACHE") or os.path.join(here, "..", "..", "vm", "cache")
    roots = sorted(glob.glob(os.path.join(cache, "root", "sid-*", ".testbed-ready")))
    return os.path.dirname(roots[-1]) if roots else None


def main(fixture):
    root = find_root()
    if os.geteuid() != 0 or not root or not os.path.exists(os.path.join(root, "usr/bin/igt_runner")):
        print("SKIP: needs root and a cached guest root with igt_runner (vm/guest-root)")
        return 77

    name = "igt_protocol_fixture"
    work = tempfile.mkdtemp(prefix="conformance-")
    try:
        os.makedirs(os.path.join(work, "tests"))
        shutil.copy(fixture, os.path.join(work, "tests", name))
        with open(os.path.join(work, "tests", "test-list.txt"), "w") as f:
            f.write("TESTLIST\n%s\nEND TESTLIST\n" % name)
        subtests = sorted({k.split("@")[0] for k in EXPECTED})
        with open(os.path.join(work, "list.txt"), "w") as f:
            f.write("".join("igt@%s@%s\n" % (name, s) for s in subtests))

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
        for sub, want in sorted(EXPECTED.items()):
            key = "igt@%s@%s" % (name, sub)
            got = tests.get(key, {}).get("result", "missing")
            ok = got == want
            failures += not ok
            print("%-4s %-40s igt_runner: %-8s expected: %s" % ("ok" if ok else "FAIL", key, got, want))
        extra = set(tests) - {"igt@%s@%s" % (name, s) for s in EXPECTED}
        for key in sorted(extra):
            print("FAIL unexpected result %s: %s" % (key, tests[key].get("result")))
            failures += 1
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))
