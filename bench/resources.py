"""What the function occupies: the memory of its processes, and the disk its environment takes."""

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


def installed_megabytes(environment: Path) -> float:
    """What the packages of a virtual environment occupy, in MB (10^6 bytes): its site-packages, less pip and
    setuptools, which come with every environment."""
    (packages,) = environment.glob("lib/python*/site-packages")
    tools = {"pip", "setuptools", "pkg_resources", "_distutils_hack"}
    installed = [entry for entry in packages.iterdir() if entry.name.split("-")[0] not in tools]
    files = [path for entry in installed for path in [entry, *entry.rglob("*")] if path.is_file()]
    return sum(path.stat().st_size for path in files) / 1e6
