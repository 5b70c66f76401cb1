"""Timing requests from the client side, over keep-alive connections as a browser or SDK would use them."""

import http.client
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass


def connect(url: str) -> http.client.HTTPConnection:
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=60)


def post(connection: http.client.HTTPConnection, body: bytes) -> tuple[int, bytes]:
    connection.request("POST", "/", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def sequential(url: str, body: bytes, count: int) -> list[float]:
    """Seconds per request for `count` POSTs, one after another on one connection (after one untimed)."""
    with closing(connect(url)) as connection:
        post(connection, body)
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            status, _ = post(connection, body)
            timings.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
    return timings


def percentile(values: list[float], percent: int) -> float:
    """The value below which `percent` % of the values lie, interpolated between the two nearest, with the
    smallest value as the 0th percentile and the largest as the 100th (as numpy's default)."""
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@dataclass
class Load:
    requests_per_second: float
    p99: float
    errors: int


def concurrent(url: str, body: bytes, clients: int, each: int) -> Load:
    """`clients` threads, each with its own connection, each sending `each` POSTs as fast as answered."""

    def client(_: int) -> tuple[list[float], int]:
        timings, errors = [], 0
        with closing(connect(url)) as connection:
            for _ in range(each):
                started = time.perf_counter()
                status, _ = post(connection, body)
                timings.append(time.perf_counter() - started)
                errors += status != 200
        return timings, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    timings = [t for found, _ in results for t in found]
    return Load(len(timings) / elapsed, percentile(timings, 99), sum(errors for _, errors in results))
