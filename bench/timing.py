"""Timing helpers shared by the benchmarks: wall time of commands, medians, the machine."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import time
from pathlib import Path


def run(command: list[str | Path], **kwargs) -> float:
    """Wall time of one run of `command`; its output is shown only on failure."""
    return run_with_cpu(command, **kwargs)[0]


def run_with_cpu(command: list[str | Path], **kwargs) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of `command` and every process it waited for)
    of one run of `command`. On a busy machine the wall time grows with the load; the CPU
    time far less, so it is the figure to compare runs taken under different loads by."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{output}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


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
