"""What machine this is, so that every timing can be read against the machine it came from."""

import os
from pathlib import Path


def machine() -> str:
    """The CPU model and the number of cores, e.g. "AMD EPYC, 2 cores"."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return f"{names[0] if names else 'unknown CPU'}, {os.cpu_count()} cores"
