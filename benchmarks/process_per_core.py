"""The JAX engine on worker processes, one per core (``simulate(..., workers=2)``), against the same run on host
threads in one process (issue 21's 2e6 path-months/s).

XLA:CPU's thread pool costs the kernel 15–40 % more CPU than one core does (``benchmarks/kernel_one_core.py``);
a worker of :mod:`venturesim.engine.core_pool` restricts itself to one CPU before JAX starts, so its pool has one
thread. Both configurations run in this process, warm (the workers started, every program compiled), alternated
round by round; each run is the whole ``vs.simulate`` (sampling, kernel, the Result), default metrics. The script
also checks that both give the same arrays.

    .venv/bin/python benchmarks/process_per_core.py [scenarios/seed_stage_api.yaml] [--paths 65536] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import venturesim as vs

MONTHS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/seed_stage_api.yaml")
    parser.add_argument("--paths", type=int, default=65_536)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    sc = vs.load(args.scenario)
    configurations = {
        f"{args.workers} worker processes, one core each (`workers={args.workers}`)": {"workers": args.workers},
        "host threads in one process (default)": {},
    }
    results = {n: vs.simulate(sc, paths=args.paths, seed=1, months=MONTHS, **o) for n, o in configurations.items()}
    first, second = results.values()
    same = all(
        np.array_equal(first.data[v].values, second.data[v].values, equal_nan=first.data[v].dtype.kind == "f")
        for v in first.data.data_vars
    )
    print(f"load average at start {'/'.join(f'{x:.1f}' for x in os.getloadavg())}; same arrays: {same}")
    times: dict[str, list[float]] = {name: [] for name in configurations}
    for _ in range(args.rounds):
        for name, options in configurations.items():
            start = time.perf_counter()
            vs.simulate(sc, paths=args.paths, seed=1, months=MONTHS, **options)
            times[name].append(time.perf_counter() - start)
    print(f"load average at end {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    path_months = args.paths * MONTHS
    print("| run | path-months/s, median | best | worst |\n|---|---:|---:|---:|")
    for name, seconds in times.items():
        print(
            f"| {name} | {path_months / statistics.median(seconds):.3e} | {path_months / min(seconds):.3e} "
            f"| {path_months / max(seconds):.3e} |"
        )


if __name__ == "__main__":
    main()
