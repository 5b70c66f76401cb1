"""Timing requests from the client side, over keep-alive connections as a browser or SDK would use them."""

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
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
    connection = connect(url)
    post(connection, body)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = post(connection, body)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
    connection.close()
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Load:
    requests_per_second: float
    p99: float
    errors: int


def concurrent(url: str, body: bytes, clients: int, each: int) -> Load:
    """`clients` threads, each with its own connection, each sending `each` POSTs as fast as answered."""

    def client(_: int) -> tuple[list[float], int]:
        connection = connect(url)
        timings, errors = [], 0
        for _ in range(each):
            started = time.perf_counter()
            status, _ = post(connection, body)
            timings.append(time.perf_counter() - started)
            errors += status != 200
        connection.close()
        return timings, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    timings = [t for found, _ in results for t in found]
    return Load(len(timings) / elapsed, percentile(timings, 0.99), sum(errors for _, errors in results))
