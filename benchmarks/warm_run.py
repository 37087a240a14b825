"""A founder's warm edit loop (issue 21): three measurements on ``scenarios/seed_stage_api.yaml``.

1. ``venturesim run --paths 1000`` in a fresh process, with the compile cache warm (a temporary folder), in
   pairs: one run that builds the report's Vega bundle (its ``-report`` folder removed first) and one that reads it
   back; wall and CPU seconds (user + system of the child).
2. ``vs.simulate`` of 10,000 paths, warm, in this process, alternating one chunk (``chunk_size=16_384``, as before
   the run was spread over the threads) and the default chunks; wall and process CPU seconds.
3. The report's cap-table replay of one path (``cap_table_data``), process CPU seconds, median of 5 paths.

    .venv/bin/python benchmarks/warm_run.py [--pairs 3]

Prints the figures for docs/performance.md, with the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "seed_stage_api.yaml"


def cli_run(cache: Path, out: Path) -> tuple[float, float]:
    env = {**os.environ, "VENTURESIM_COMPILE_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "venturesim"), "run", str(SCENARIO), "--paths", "1000", "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"venturesim run failed ({status})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    print("load average at start", "/".join(f"{x:.1f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        cache, kept = Path(tmp) / "jax", Path(tmp) / "jax-report"
        cli_run(cache, Path(tmp) / "warm-up")  # compiles into the cache
        runs: dict[str, list[tuple[float, float]]] = {"bundle built": [], "bundle read back": []}
        for i in range(args.pairs):
            shutil.rmtree(kept, ignore_errors=True)
            runs["bundle built"].append(cli_run(cache, Path(tmp) / f"built{i}"))
            runs["bundle read back"].append(cli_run(cache, Path(tmp) / f"kept{i}"))
    for name, pairs in runs.items():
        walls, cpus = zip(*pairs, strict=True)
        print(
            f"venturesim run --paths 1000, {name}: wall {[round(w, 2) for w in walls]} s, median "
            f"{statistics.median(walls):.2f} s; CPU median {statistics.median(cpus):.2f} s"
        )

    import venturesim as vs
    from venturesim.report.captable import cap_table_data

    sc = vs.load(SCENARIO)
    variants = {"one chunk": {"chunk_size": 16_384}, "spread over the threads": {}}
    for kw in variants.values():
        vs.simulate(sc, paths=10_000, seed=1, **kw)
    timed: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(args.pairs):
        for name, kw in variants.items():
            wall, cpu = time.perf_counter(), time.process_time()
            vs.simulate(sc, paths=10_000, seed=1, **kw)
            timed[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    for name, pairs in timed.items():
        walls, cpus = zip(*pairs, strict=True)
        print(
            f"vs.simulate 10,000 paths, {name}: wall {[round(w, 2) for w in walls]} s, "
            f"CPU {[round(c, 2) for c in cpus]} s"
        )

    result = vs.simulate(sc, paths=1000, seed=1)
    cap_table_data(result, 0)
    cpus = []
    for path in range(1, 6):
        cpu = time.process_time()
        cap_table_data(result, path)
        cpus.append(time.process_time() - cpu)
    print(f"cap_table_data, one path: median {statistics.median(cpus):.2f} CPU s")
    print("load average at end", "/".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
