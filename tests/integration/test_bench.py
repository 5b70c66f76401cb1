"""The benchmark runs end to end on tiny counts and prints every measure (timings are never asserted)."""

import re
import subprocess
import sys

from checkout import ROOT


def test_the_benchmark_runs_and_reports_every_measure():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 19  # the header and eighteen measures
    labels = ["cold start", "imports", "peak memory", "peak resident", "installed", "forward pass", "warm latency p50"]
    attacks = ["PNG 1,048,576 × 1", "both at once", "repeated scans", "trickle in", "after these"]
    for label in [*labels, "batch throughput", "concurrent clients", *attacks, "a number cut and read"]:
        row = next(row for row in rows if label in row)
        assert re.search(r"\d", row.split("|")[2]), row  # a measured number, not a placeholder
    assert "0 errors" in next(row for row in rows if "concurrent clients" in row)
    steps = r"server start [\d.]+ s · download [\d.]+ s · load [\d.]+ s · check [\d.]+ s\."
    assert re.search(f"Cold start, median steps: {steps}", result.stdout)
