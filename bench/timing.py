"""Timing helpers shared by the benchmarks: wall time of commands, medians, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from pathlib import Path


def run(command: list[str | Path], **kwargs) -> float:
    """Wall time of one run of `command`; its output is shown only on failure."""
    start = time.perf_counter()
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{output}")
    return elapsed


def median(command: list[str | Path], repeat: int, **kwargs) -> float:
    return statistics.median(run(command, **kwargs) for _ in range(repeat))


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )
