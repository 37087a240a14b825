"""A run split over one process per core, each started on its own CPU, against the same run in one process (issue 21).

The measurement behind the plan in docs/performance.md ("The kernel on one core"): XLA:CPU's thread pool costs the
kernel 15–40 % more CPU than one core does, and a process restricted to one CPU before JAX starts has a pool of one
thread. Here each of two worker processes (``multiprocessing``, spawned) restricts itself to one CPU, loads the
scenario, warms up, then on each request runs its half of the paths (``run_jax`` with ``first_path``: the same paths,
with the same numbers, as in a run from 0) and sends back every monthly record and final as NumPy arrays through a
pipe. The parent times the requests (wall seconds, both halves and the transfer) and, alternated with them, warm
``vs.simulate`` calls of all the paths in itself. Not an engine mode: a prototype's figure.

    .venv/bin/python benchmarks/process_per_core.py [scenarios/seed_stage_api.yaml] [--paths 65536] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import time

MONTHS = 60


def worker(cpu: int, scenario: str, paths: int, first_path: int, conn) -> None:
    """Restrict this process to ``cpu`` before JAX starts, then run paths [first_path, first_path + paths) per
    request, sending back (seconds, {name: array})."""
    os.sched_setaffinity(0, {cpu})
    import venturesim as vs
    from venturesim.engine.metrics import DEFAULT_METRICS
    from venturesim.engine.simulate import run_jax

    sc = vs.load(scenario)

    def run():
        result = run_jax(
            sc, paths=paths, seed=1, months=MONTHS, metrics=tuple(DEFAULT_METRICS), first_path=first_path, threads=1
        )
        return {name: v.values for name, v in result.data.data_vars.items()}

    run()  # compile (or read the compile cache) and warm up
    conn.send("ready")
    while conn.recv():
        start = time.perf_counter()
        data = run()
        conn.send((time.perf_counter() - start, data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/seed_stage_api.yaml")
    parser.add_argument("--paths", type=int, default=65_536)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))[:2]
    half = args.paths // len(cpus)
    mp.set_start_method("spawn")
    pipes, workers = [], []
    for i, cpu in enumerate(cpus):
        parent, child = mp.Pipe()
        process = mp.Process(target=worker, args=(cpu, args.scenario, half, i * half, child))
        process.start()
        pipes.append(parent)
        workers.append(process)
    for pipe in pipes:
        pipe.recv()
    import venturesim as vs

    sc = vs.load(args.scenario)
    vs.simulate(sc, paths=args.paths, seed=1, months=MONTHS)  # warm
    split, whole = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for pipe in pipes:
            pipe.send(True)
        for pipe in pipes:
            pipe.recv()
        split.append(time.perf_counter() - start)
        start = time.perf_counter()
        vs.simulate(sc, paths=args.paths, seed=1, months=MONTHS)
        whole.append(time.perf_counter() - start)
    for pipe in pipes:
        pipe.send(False)
    for process in workers:
        process.join()
    path_months = len(cpus) * half * MONTHS
    print(f"load average at end {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| run | path-months/s, median | best |\n|---|---:|---:|")
    for name, times in ((f"{len(cpus)} processes, one CPU each", split), ("one process (`vs.simulate`)", whole)):
        print(f"| {name} | {path_months / statistics.median(times):.3e} | {path_months / min(times):.3e} |")


if __name__ == "__main__":
    main()
