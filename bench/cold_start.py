"""Cold start: from starting the function's process to its first correct prediction, and where the time
goes; against `python -c "import tensorflow"` on the same machine."""

import json
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from bench.client import connect, post
from local import services


def first_prediction(url: str, body: bytes, expected: int, timeout: float = 120) -> float:
    """Seconds until a POST to `url` answers `expected` (connection refused or 503 until then)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with closing(connect(url)) as connection:
                status, answer = post(connection, body)
            if status == 200 and json.loads(answer)["prediction"] == expected:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{url} gave no correct prediction within {timeout} s")


def cold_start(env: dict[str, str], log_dir: Path, body: bytes, expected: int) -> dict[str, float]:
    """One cold start of the real function: its total, how long until the server listened, and the phases
    the function logged while loading."""
    port = services.free_port()
    started = time.perf_counter()
    server = services.start_function(port, log_dir, env, name="cold-start")  # returns once it listens
    try:
        listening = time.perf_counter() - started
        total = listening + first_prediction(server.url, body, expected)
    finally:
        server.stop()
    loaded = next(json.loads(line) for line in server.log.read_text().splitlines() if '"model loaded"' in line)
    return {"total": total, "server start": listening, **loaded["seconds"]}


def import_tensorflow() -> float:
    """Seconds from starting `python -c "import tensorflow"` until the import is done: the floor under any
    TensorFlow function's cold start. (Timing the whole command would add the second or so that TensorFlow
    takes to tear itself down at exit, which no cold start pays.)"""
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", "import tensorflow, time; print(time.time())"], check=True, capture_output=True
    )
    return float(done.stdout) - started
