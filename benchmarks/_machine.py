"""Facts about the machine a benchmark ran on (shared by the benchmark scripts)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import jax
import numpy as np


def loadavg() -> str:
    """1/5/15-minute load averages, e.g. '1.5/1.9/3.1'."""
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine(**extra: str) -> dict:
    """CPU model, core count, memory, Python/JAX/NumPy versions and JAX devices, plus ``extra``."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        nproc = str(os.cpu_count())
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "nproc": nproc,
        "memory_gib": f"{mem_gb:.1f}",
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "devices": ", ".join(str(d) for d in jax.devices()),
        **extra,
    }
