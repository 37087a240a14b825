"""Peak memory of a streaming run (``keep="summary"``) against the full Result, at up to 1 M paths.

Run from the repository root::

    .venv/bin/python benchmarks/streaming_memory.py                                  # summary:1000000,paths:200000
    .venv/bin/python benchmarks/streaming_memory.py --runs summary:200000,paths:200000,summary:1000000
    .venv/bin/python benchmarks/streaming_memory.py --runs summary:8192,paths:8192   # smoke test (~1 min)
    .venv/bin/python benchmarks/streaming_memory.py --runs summary:1000000:4096       # keep:paths:chunk_size

Each run is a fresh subprocess that loads ``scenarios/seed_stage_api.yaml`` and calls
``simulate(paths=n, seed=11, months=60, keep=...)`` with the default metrics (cash, arr, alive, customers, runway),
then builds the summary table (``.summary()``), as a user after the key figures does. Measured per run: wall and CPU
time of simulate + summary, and the child's peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at its end; it
includes the Python, JAX and XLA runtime, ≈ 0.5 GB after import). Prints a Markdown table with the machine and the
load average (the cores are shared: times are upper bounds, memory is not affected by load).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

SCENARIO = ROOT / "scenarios" / "seed_stage_api.yaml"
MONTHS = 60
SEED = 11


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(keep: str, paths: int, chunk_size: int | None = None) -> dict:
    """Fresh process: one simulate + summary; its times and peak RSS."""
    import venturesim as vs

    scenario = vs.load(SCENARIO)
    import jax  # noqa: F401  (imported before the baseline RSS is read)

    after_import = _rss_kb()
    t0, c0 = time.perf_counter(), time.process_time()
    out = vs.simulate(scenario, paths=paths, seed=SEED, months=MONTHS, keep=keep, chunk_size=chunk_size)
    t1 = time.perf_counter()
    table = out.summary()
    t2, c2 = time.perf_counter(), time.process_time()
    alive = table[table["metric"] == f"alive at month {MONTHS}"]["value"].iloc[0]
    return {
        "keep": keep,
        "paths": paths,
        "chunk_size": chunk_size,
        "simulate_s": t1 - t0,
        "wall_s": t2 - t0,
        "cpu_s": c2 - c0,
        "summary_rows": len(table),
        "alive_at_horizon": float(alive),
        "rss_after_import_kb": after_import,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
    }


def run_child(spec: str) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", spec],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {spec} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default="summary:1000000,paths:200000", help="comma list of keep:paths[:chunk_size]")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        keep, paths, *chunk = args.child.split(":")
        print(json.dumps(child(keep, int(paths), int(chunk[0]) if chunk else None)))
        return 0

    import _machine

    load_start = _machine.loadavg()
    print(f"machine: {_machine.machine()}", flush=True)
    print(f"load average at start: {load_start}", flush=True)
    print("| keep | paths | chunk | peak RSS | RSS after import | simulate, s | + summary, s (CPU s) | alive at 60 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for spec in args.runs.split(","):
        r = run_child(spec)
        chunk = f"{r['chunk_size']:,}" if r["chunk_size"] else "default"
        print(
            f"| {r['keep']} | {r['paths']:,} | {chunk} | {r['peak_rss_kb'] / 2**20:.2f} GiB | "
            f"{r['rss_after_import_kb'] / 2**20:.2f} GiB | {r['simulate_s']:.0f} | {r['wall_s']:.0f} "
            f"({r['cpu_s']:.0f}) | {r['alive_at_horizon']:.4f} |",
            flush=True,
        )
    print(f"load average at end: {_machine.loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
