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
    assert len(rows) == 10  # the header and nine measures
    for label in ("cold start", "peak memory", "installed", "warm latency p50", "batch throughput", "concurrent"):
        row = next(row for row in rows if label in row)
        assert re.search(r"\d", row.split("|")[2]), row  # a measured number, not a placeholder
    assert "0 errors" in next(row for row in rows if "concurrent" in row)
    steps = r"server start [\d.]+ s · import [\d.]+ s · download [\d.]+ s · load [\d.]+ s · compile [\d.]+ s · check"
    assert re.search(f"Cold start, median steps: {steps}", result.stdout)
