"""Cold start: from starting a function's process to its first correct answer, for this function and for the
trivial one, and where this function's time goes."""

import time
from collections.abc import Callable
from contextlib import closing

import requests

from bench.timing import connect, post
from local import services

Accept = Callable[[int, bytes], bool]  # whether (status, body) is the answer waited for


def first_answer(url: str, body: bytes, accept: Accept, timeout: float = 120) -> float:
    """Seconds until a POST to `url` is answered as `accept` wants (connection refused or 503 until then)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with closing(connect(url)) as connection:
                if accept(*post(connection, body)):
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{url} gave no correct answer within {timeout} s")


def cold_start(
    server: Callable[[], services.Service], body: bytes, accept: Accept, steps: Callable[[str], dict]
) -> dict[str, float]:
    """One cold start of the server that `server()` starts: its total, how long until it listened, and what
    `steps(url)` reports once it has answered."""
    started = time.perf_counter()
    running = server()  # returns once it listens
    try:
        listening = time.perf_counter() - started
        total = listening + first_answer(running.url, body, accept)
        return {"total": total, "server start": listening, **steps(running.url)}
    finally:
        running.stop()


def no_steps(url: str) -> dict[str, float]:
    return {}


def load_steps(url: str) -> dict[str, float]:
    """The seconds each step of the function's model load took, as its GET reports them."""
    return requests.get(url, timeout=10).json()["load_seconds"]
