#!/usr/bin/env python3
"""Unit tests of vm/bench-report: tables, baselines and ratios, refusals."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = os.environ.get("BENCH_REPORT") or os.path.join(os.path.dirname(__file__), "..", "bench-report")
PHASES = ["total", "invalidate", "fence_wait", "unmap_wait", "signal_to_done"]


def point(importers, fence="none", p50=1000000, sweep="importers", **extra):
    stats = {"n": 200, "min": p50 // 2, "p50": p50, "p99": 2 * p50, "max": 3 * p50}
    p = {"sweep": sweep, "importer": "vgem", "importers": importers, "size": 1 << 20,
         "fence": fence, "samples": 200, "mappings": importers, "errors": 0, "first_error": ""}
    p.update({ph: dict(stats) for ph in PHASES})
    p.update(extra)
    return p


class Report(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name

    def run_file(self, variant, guest, name, points, **extra):
        d = os.path.join(self.dir, variant, guest)
        os.makedirs(d, exist_ok=True)
        data = {"kernel": "7.3.4-release", "importer": "vgem", "samples": 200,
                "signal_delay_us": 1000, "timeout_ns": 10 ** 10, "allow_static": False,
                "unit": "ns", "points": points}
        data.update(extra)
        with open(os.path.join(d, "bench-%s.json" % name), "w") as f:
            json.dump(data, f)
        with open(os.path.join(self.dir, variant, "meta.json"), "w") as f:
            json.dump({"qemu": "TCG (QEMU 7.2.22)", "date": "2026-11-22T01:00:00Z"}, f)

    def report(self):
        p = subprocess.run([sys.executable, REPORT, "--no-plot", self.dir],
                           capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr

    def test_ratio_to_the_no_importer_point(self):
        self.run_file("patched", "l1", "vgem", [point(0, p50=1000000), point(16, p50=4000000)])
        code, out = self.report()
        self.assertEqual(code, 0, out)
        self.assertIn("4.0×", out)
        self.assertIn("TCG (QEMU 7.2.22)", out)
        with open(os.path.join(self.dir, "bench.md")) as f:
            md = f.read()
        self.assertIn("| 16 | 1 MiB | none | 16 | 2.000 / 4.000 / 8.000 / 12.000 | 4.0× |", md)

    def test_vgem_fence_compares_with_sw_sync(self):
        self.run_file("patched", "l1", "vgem", [
            point(0, "sw_sync", p50=2000000), point(1, "vgem", p50=3000000)])
        code, out = self.report()
        self.assertEqual(code, 0, out)
        self.assertIn("1.5×", out)

    def test_baseline_from_another_run_of_the_same_kernel(self):
        self.run_file("pristine", "l1", "refused", [
            point(0, p50=1000000), point(1, refused="Operation not supported", samples=0)])
        self.run_file("pristine", "l1", "static", [
            point(1, p50=100000000, errors=200, first_error="Connection timed out")],
            allow_static=True, timeout_ns=10 ** 8)
        code, out = self.report()
        self.assertEqual(code, 0, out)
        self.assertIn("refused: the import failed with Operation not supported", out)
        self.assertIn("100.0×", out)
        self.assertIn("200/200 Connection timed out", out)
        self.assertIn("non-revocable importers allowed, 100 ms bound", out)

    def test_no_figures_fail(self):
        os.makedirs(os.path.join(self.dir, "patched", "l1"))
        code, out = self.report()
        self.assertEqual(code, 1)
        self.assertIn("no bench-*.json", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
