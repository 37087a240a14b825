"""CPU and wall time of ``venturesim calibrate-product --quick`` (docs/performance.md, issue 15's goal: < 3 minutes
on 2 cores).

Run: ``python benchmarks/calibrate_product_quick.py [repeats]``. Each repeat runs the command as a user does, in a
fresh interpreter (imports, 7 training runs, the CPU peak measured before and after, the PyMC fit's compile and
NUTS 2 × 300/300), and prints one Markdown row: wall seconds, CPU seconds (user + system of the child, from
``getrusage``), the load average before and after (on a shared machine the wall time is the CPU time stretched by
the other processes: CPU / wall is the share of the cores this command got), whether anything was printed to
stderr besides the progress lines (a third-party warning would be), and the MFU lines printed (one expected).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def once() -> str:
    with tempfile.TemporaryDirectory() as folder:
        before_load = loadavg()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "venturesim.cli", "calibrate-product", "--quick", "--out", f"{folder}/cal.yaml"],
            capture_output=True,
            text=True,
            check=False,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    if done.returncode:
        raise SystemExit(f"calibrate-product failed ({done.returncode}):\n{done.stderr[-2000:]}")
    extra = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("run ")]
    mfu = [line for line in done.stdout.splitlines() if line.startswith("MFU")]
    return (
        f"| {wall:.0f} | {cpu:.0f} | {cpu / wall:.2f} | {before_load} → {loadavg()} | "
        f"{'none' if not extra else repr(extra[:2])} | {len(mfu)}: {mfu[0][:40] if mfu else '-'} |"
    )


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(f"{os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("| wall s | CPU s | cores used | load average (1/5/15 min) before → after | other stderr | MFU lines |")
    print("|---:|---:|---:|---|---|---|")
    for _ in range(repeats):
        print(once(), flush=True)


if __name__ == "__main__":
    main()
