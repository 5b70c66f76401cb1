"""What an attacker's small requests cost the function (bench/hostile.py's pictures, and slow bodies): the CPU
its processes spend on each, their peak memory, how long a plain digit waits while eight bodies trickle in, and
the memory they hold once it is over."""

import base64
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import hostile, timing
from bench.resources import PeakSampler, unique_memory_mib
from local import services


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) that process `pid` and every process below it have used."""
    total = 0
    for process in [pid, *services.descendants(pid)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, after "pid (name)"
    return total / os.sysconf("SC_CLK_TCK")


def attacks(server: services.Service, digit: bytes, trickle_seconds: float, rest_seconds: float) -> dict:
    """Each attack against `server` (serving with THREADS=8, model loaded), one after another."""
    pid = server.process.pid
    pictures = {
        "long line": hostile.long_line(),
        "tall line": hostile.long_line(1, hostile.MAX_PIXELS),
        "jpeg scans": hostile.jpeg_of_repeated_scans(12_000),
    }
    bodies = {name: json.dumps({"png": base64.b64encode(data).decode()}).encode() for name, data in pictures.items()}
    results = {"jpeg bytes": len(pictures["jpeg scans"])}
    for name, body in bodies.items():
        before = cpu_seconds(pid)
        with PeakSampler(pid) as peak:
            status, _ = timing.post(timing.connect(server.url), body)
        results[name] = {"cpu": cpu_seconds(pid) - before, "peak": peak.peak, "status": status}
    with PeakSampler(pid) as peak, ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda body: timing.post(timing.connect(server.url), body), [bodies["long line"],
                                                                                  bodies["tall line"]]))  # fmt: skip
    results["both lines peak"] = peak.peak
    results["digit waits"] = waits_under_trickles(server.url, digit, trickle_seconds)
    time.sleep(rest_seconds)
    results["after"] = unique_memory_mib(pid)
    return results


def waits_under_trickles(url: str, digit: bytes, seconds: float, trickles: int = 8) -> list[float]:
    """Seconds a plain digit waits for its answer, sent every 2 s while `trickles` connections each send a body
    announced as 100 kB one byte every 2 s (each gap under the silence limit) for `seconds`."""
    stop = threading.Event()
    host, port = url.removeprefix("http://").split(":")

    def trickle() -> None:
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(2):
                try:
                    connection.sendall(b" ")
                except OSError:  # cut off
                    return

    waits = []
    with ThreadPoolExecutor(trickles) as pool:
        for _ in range(trickles):
            pool.submit(trickle)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _ = timing.post(timing.connect(url), digit)
            if status != 200:
                raise RuntimeError(f"a digit sent during the trickles was answered {status}")
            waits.append(time.monotonic() - started)
            time.sleep(2)
        stop.set()
    return waits
