"""What the function occupies: the memory of its processes, and the disk its environment takes."""

import threading
from pathlib import Path

from local import services


def peak_memory_mib(pid: int) -> float:
    """The sum of the peak resident memory (VmHWM) of process `pid` and of every process below it, in MiB. Pages
    that processes share (a worker forked from its master shares the master's) count once for each."""
    total_kib = 0
    for process in [pid, *services.descendants(pid)]:
        status = Path(f"/proc/{process}/status").read_text().splitlines()
        total_kib += next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return total_kib / 1024


def unique_memory_mib(pid: int) -> float:
    """The memory that process `pid` and every process below it hold now, each page counted once, as the
    instance's memory limit counts it: the sum of their proportional set sizes (a page that n processes share
    counts 1/n in each), in MiB."""
    total_kib = 0
    for process in [pid, *services.descendants(pid)]:
        rollup = Path(f"/proc/{process}/smaps_rollup").read_text().splitlines()
        total_kib += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return total_kib / 1024


class PeakSampler:
    """unique_memory_mib(pid), read every `interval` seconds while the `with` block runs: `peak` is the
    largest reading. The kernel keeps no peak of it, so a peak shorter than the interval can be missed."""

    def __init__(self, pid: int, interval: float = 0.01):
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exception) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, unique_memory_mib(self.pid))
            if self._done.wait(self.interval):
                return


def installed_megabytes(environment: Path) -> float:
    """What the packages of a virtual environment occupy, in MB (10^6 bytes): its site-packages, less pip and
    setuptools, which come with every environment."""
    (packages,) = environment.glob("lib/python*/site-packages")
    tools = {"pip", "setuptools", "pkg_resources", "_distutils_hack"}
    installed = [entry for entry in packages.iterdir() if entry.name.split("-")[0] not in tools]
    files = [path for entry in installed for path in [entry, *entry.rglob("*")] if path.is_file()]
    return sum(path.stat().st_size for path in files) / 1e6
