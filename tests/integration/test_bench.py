"""The benchmark runs end to end on tiny counts and prints every measure (timings are never asserted)."""

import re
import subprocess
import sys

from bench import drawings
from checkout import ROOT


def test_the_benchmark_runs_and_reports_every_measure():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    header, *measures = rows
    assert header.startswith("| measure | this function |")
    # Every measure once, in this order, each with a measured number where the function's is written.
    labels = ["cold start", "imports", "peak memory", "peak resident", "installed", "forward pass", "warm latency p50",
              "warm latency p99", "batch throughput", "concurrent clients", "PNG 1,048,576 × 1", "both at once",
              "repeated scans", "trickle in", "after these", "a number cut and read",
              *(f"{kind} read exactly" for kind in drawings.SETS), "JS pixel contract", "page weight"]  # fmt: skip
    assert len(measures) == len(labels), measures
    for label, row in zip(labels, measures, strict=True):
        assert label in row.split("|")[1], (label, row)
        assert re.match(r" \d[\d,.]* ", row.split("|")[2]), row  # a measured number first, not a placeholder
    assert "0 errors" in next(row for row in rows if "concurrent clients" in row)
    for kind in drawings.SETS:  # the first two of each set, in a quick run
        drawn = next(row for row in rows if f"{kind} read exactly" in row).split("|")[2]
        assert re.match(r" \d of 2\b", drawn), drawn
    steps = r"server start [\d.]+ s · download [\d.]+ s · load [\d.]+ s · check [\d.]+ s\."
    assert re.search(f"Cold start, median steps: {steps}", result.stdout)
