"""Throughput of the discrete-event (SimPy + Dask) engine, and the JAX engine's speed-up over it.

Run from the repository root::

    .venv/bin/python benchmarks/des.py            # full run (~2.5-3.5 min on 2 cores at load ~3),
                                                  # writes benchmarks/des_results.md
    .venv/bin/python benchmarks/des.py --quick    # tiny sizes, prints only (smoke test, ~1-2 min)

Scenario ``scenarios/seed_stage_api.yaml``, 60 months, default metrics
(cash, arr, alive, customers, runway). One path-month = one path advanced by
one month; throughput = paths × months / wall seconds of ``vs.simulate``
(so it includes sampling the inputs, the event log and building the Result).

(a) DES on one core: ``simulate(engine="des", workers=1)`` (in this process)
    at 512 paths (8 batches of ``des_runner.BATCH`` = 64), after a 64-path
    warm-up call (imports, the sampler's small jits); best of 2.
(b) DES on all cores: a Dask ``LocalCluster`` with ``os.cpu_count()`` worker
    processes, one thread each (the settings ``run_des`` uses), started here
    and timed on its own; then a warm-up of every worker (imports + one
    64-path batch, ``client.run``), timed on its own; then
    ``simulate(engine="des", scheduler=<that cluster>)`` at 2,048 paths,
    best of 2. For reference also the cold call a user makes,
    ``simulate(engine="des", workers=os.cpu_count())``, which starts and stops
    its own cluster (1 run). As each path's story depends only on the seed
    and its index, paths 0..511 of the cluster run must equal the one-core run;
    this is checked.
(c) JAX engine, in a fresh subprocess: ``simulate(engine="jax")`` at 100,000
    paths, called once to compile, then best of 2 warm calls. For the
    one-core comparison the same (1 warm call) in a subprocess pinned to one
    CPU (``sched_setaffinity``) with XLA's CPU thread pools at one thread.
(d) Speed-up = JAX path-months/s ÷ DES path-months/s at the same core count.
    Goal: ≥ 100× with all cores (nproc = 2 here) against the warm-cluster DES.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _machine

SCENARIO = ROOT / "scenarios" / "seed_stage_api.yaml"
MONTHS = 60
SEED = 1
GOAL_SPEEDUP = 100.0
FULL = {"des_1core": 512, "des_cluster": 2048, "jax": 100_000, "repeats": 2}
QUICK = {"des_1core": 64, "des_cluster": 256, "jax": 2_000, "repeats": 1}
ONE_CORE_XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


# --------------------------------------------------------------------------- helpers


def _timed(fn):
    """(wall s, CPU s of this process, output) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def _best(fn, repeats):
    """(wall, cpu) of the fastest of ``repeats`` calls, all walls, and the last output."""
    runs, out = [], None
    for _ in range(repeats):
        w, c, out = _timed(fn)
        runs.append((w, c))
    return min(runs), [w for w, _ in runs], out


def source_digest() -> str:
    """sha256 (12 hex) of every ``venturesim/**/*.py``, to tell which version of the engines a figure belongs to."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted((ROOT / "venturesim").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()[:12]


def machine() -> dict:
    import dask
    import distributed
    import simpy

    return _machine.machine(
        os_cpu_count=str(os.cpu_count()),
        simpy=simpy.__version__,
        dask=dask.__version__,
        distributed=distributed.__version__,
    )


def pm(paths: int, seconds: float) -> float:
    return paths * MONTHS / seconds


# --------------------------------------------------------------------------- JAX


def jax_figures(paths: int, repeats: int) -> dict:
    """First call (compile) and best warm call of the JAX ``simulate`` at ``paths``."""
    import venturesim as vs

    scenario = vs.load(SCENARIO)

    def run():
        return vs.simulate(scenario, paths=paths, seed=SEED, months=MONTHS, engine="jax")

    w_first, c_first, _ = _timed(run)
    (w, c), walls, res = _best(run, repeats)
    return {
        "paths": paths,
        "first_s": w_first,
        "first_cpu_s": c_first,
        "warm_s": w,
        "warm_cpu_s": c,
        "warm_walls": walls,
        "survival_60": float(np.asarray(res.data["alive"][:, -1]).mean()),
    }


def child_jax(paths: int, repeats: int, one_core: bool) -> None:
    """Subprocess entry (a fresh process, as the DES one-core run is in a fresh interpreter state):
    with ``one_core``, pinned to one CPU before jax is imported. Prints JSON."""
    if one_core:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    out = jax_figures(paths, repeats)
    out["affinity"] = sorted(os.sched_getaffinity(0))
    print(json.dumps(out))


def run_jax_child(paths: int, repeats: int, one_core: bool) -> dict:
    """JAX figures from a fresh subprocess; ``one_core``: one CPU and XLA's CPU pools at one thread."""
    env = dict(os.environ)
    if one_core:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + ONE_CORE_XLA_FLAGS).strip()
    flag = "--child-jax-1core" if one_core else "--child-jax"
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), flag, str(paths), "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"JAX child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- DES on Dask


def _warm_worker(scenario, months, seed):
    """Runs on each worker: import the DES and simulate one batch (jits the sampler for BATCH)."""
    import time as _time

    from venturesim.engine.des_engine import run_paths
    from venturesim.engine.des_runner import BATCH

    t0 = _time.perf_counter()
    run_paths(scenario, 0, BATCH, seed=seed, months=months)
    return _time.perf_counter() - t0


def _cpu_seconds():
    """Runs on each worker: CPU seconds of the worker process so far."""
    import time as _time

    return _time.process_time()


def des_cluster(scenario, paths: int, repeats: int, workers: int) -> dict:
    """Start a LocalCluster (timed), warm its workers (timed), then time simulate() on it."""
    from dask.distributed import Client, LocalCluster

    import venturesim as vs

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(workers)
    start_s = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        per_worker = client.run(_warm_worker, scenario, MONTHS, SEED)
        warm_s = time.perf_counter() - t0
        runs, res = [], None
        for _ in range(repeats):
            cpu0 = client.run(_cpu_seconds)
            stamps: list[float] = []
            w, c, res = _timed(
                lambda s=stamps: vs.simulate(
                    scenario,
                    engine="des",
                    paths=paths,
                    seed=SEED,
                    months=MONTHS,
                    scheduler=cluster.scheduler_address,
                    progress=lambda done, total: s.append(time.perf_counter()),
                )
            )
            t_end = time.perf_counter()
            cpu1 = client.run(_cpu_seconds)
            # progress() is called as each batch completes; after the last one, run_des gathers
            # every batch's output from the workers and assembles the Result
            tail = t_end - stamps[-1]
            runs.append((w, c, sum(cpu1[k] - cpu0[k] for k in cpu0), tail))
        w, c, worker_cpu, tail = min(runs)
        walls = [r[0] for r in runs]
    finally:
        t0 = time.perf_counter()
        client.close()
        cluster.close()
        close_s = time.perf_counter() - t0
    return {
        "paths": paths,
        "workers": workers,
        "start_s": start_s,
        "warm_s": warm_s,
        "warm_per_worker_s": sorted(per_worker.values()),
        "sim_s": w,
        "sim_cpu_s": c,
        "sim_walls": walls,
        "worker_cpu_s": worker_cpu,
        "tail_s": tail,
        "close_s": close_s,
        "result": res,
    }


def same_paths(a, b, n: int) -> bool:
    """True when the first ``n`` paths of two DES results have identical default metrics."""
    for name in ("cash", "arr", "alive", "customers", "runway"):
        x, y = np.asarray(a.data[name])[:n], np.asarray(b.data[name])[:n]
        if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
            return False
    return True


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test); writes no file unless --out")
    ap.add_argument(
        "--out", type=Path, default=None, help="markdown output (default benchmarks/des_results.md; none with --quick)"
    )
    ap.add_argument("--no-jax-1core", action="store_true", help="skip the one-core JAX subprocess")
    ap.add_argument("--child-jax", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-jax-1core", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    if args.child_jax is not None or args.child_jax_1core is not None:
        one_core = args.child_jax_1core is not None
        child_jax(args.child_jax_1core if one_core else args.child_jax, repeats, one_core)
        return 0
    out_path = args.out if args.out is not None else (None if args.quick else ROOT / "benchmarks" / "des_results.md")

    import venturesim as vs

    t_start = time.perf_counter()
    info = machine()
    load_start = _machine.loadavg()
    digest = source_digest()
    print("machine:", json.dumps(info), "venturesim sources:", digest, "load:", load_start, flush=True)
    scenario = vs.load(SCENARIO)
    cores = os.cpu_count() or 1
    # (engine / setting, paths, cores, runs, wall s, CPU s (None: not measured), path-months/s)
    rows: list[tuple] = []

    # (a) DES, one core, in this process
    n1 = sizes["des_1core"]
    w_warm, _, _ = _timed(lambda: vs.simulate(scenario, engine="des", paths=64, seed=SEED, months=MONTHS, workers=1))
    (w, c), walls, des1 = _best(
        lambda: vs.simulate(scenario, engine="des", paths=n1, seed=SEED, months=MONTHS, workers=1), repeats
    )
    des_1core, des1_cpu = pm(n1, w), c
    rows.append(("DES `workers=1` (in-process)", n1, 1, f"best of {repeats}", w, c, des_1core))
    print(
        f"DES 1 core: warm-up {w_warm:.2f} s; {n1} paths {', '.join(f'{x:.2f}' for x in walls)} s "
        f"-> {des_1core:,.0f} pm/s (cpu {c:.2f} s); {len(des1.events):,} events",
        flush=True,
    )

    # (b) DES, all cores, Dask LocalCluster
    nc = sizes["des_cluster"]
    cl = des_cluster(scenario, nc, repeats, cores)
    des_all = pm(nc, cl["sim_s"])
    consistent = same_paths(des1, cl["result"], n1)
    cluster_cpu = cl["sim_cpu_s"] + cl["worker_cpu_s"]
    rows.append(
        (
            f"DES on a warm Dask `LocalCluster` ({cores} workers × 1 thread)",
            nc,
            cores,
            f"best of {repeats}",
            cl["sim_s"],
            cluster_cpu,
            des_all,
        )
    )
    print(
        f"DES {cores} workers: cluster start {cl['start_s']:.2f} s, worker warm-up {cl['warm_s']:.2f} s, "
        f"{nc} paths {', '.join(f'{x:.2f}' for x in cl['sim_walls'])} s -> {des_all:,.0f} pm/s, "
        f"CPU s: client {cl['sim_cpu_s']:.2f} + workers {cl['worker_cpu_s']:.2f}; "
        f"after last batch {cl['tail_s']:.2f} s; "
        f"close {cl['close_s']:.2f} s; paths 0..{n1 - 1} equal to the 1-core run: {consistent}",
        flush=True,
    )
    del cl["result"]
    w_cold, _, _ = _timed(
        lambda: vs.simulate(scenario, engine="des", paths=nc, seed=SEED, months=MONTHS, workers=cores)
    )
    des_cold = pm(nc, w_cold)
    rows.append(
        (f"DES `workers={cores}`, cold (starts and stops its own cluster)", nc, cores, "1 run", w_cold, None, des_cold)
    )
    print(f"DES workers={cores} cold call: {w_cold:.2f} s -> {des_cold:,.0f} pm/s", flush=True)

    # (c) JAX in fresh subprocesses: all cores; then one core (pinned, XLA one thread)
    nj = sizes["jax"]
    jx = run_jax_child(nj, repeats, one_core=False)
    jax_all = pm(nj, jx["warm_s"])
    rows.append(
        (
            "JAX `simulate`, warm (compile excluded), fresh subprocess",
            nj,
            cores,
            f"best of {repeats}",
            jx["warm_s"],
            jx["warm_cpu_s"],
            jax_all,
        )
    )
    print(
        f"JAX {cores} cores: first call {jx['first_s']:.2f} s, warm {', '.join(f'{x:.2f}' for x in jx['warm_walls'])} s"
        f" -> {jax_all:,.0f} pm/s (cpu {jx['warm_cpu_s']:.2f} s)",
        flush=True,
    )
    j1 = None
    if not args.no_jax_1core:
        j1 = run_jax_child(nj, 1, one_core=True)
        jax_1core = pm(nj, j1["warm_s"])
        rows.append(
            (
                "JAX `simulate`, warm, subprocess pinned to 1 CPU, XLA 1 thread",
                nj,
                1,
                "1 warm run",
                j1["warm_s"],
                j1["warm_cpu_s"],
                jax_1core,
            )
        )
        print(
            f"JAX 1 core (affinity {j1['affinity']}): first call {j1['first_s']:.2f} s, warm "
            f"{', '.join(f'{x:.2f}' for x in j1['warm_walls'])} s -> {jax_1core:,.0f} pm/s",
            flush=True,
        )

    # (d) speed-ups
    speedup_all = jax_all / des_all
    speedups = [
        (f"{cores} cores: JAX ÷ DES on a warm cluster (the goal)", speedup_all),
        (f"{cores} cores: JAX ÷ DES cold call (`workers={cores}`, cluster start included)", jax_all / des_cold),
    ]
    if j1 is not None:
        speedups.append(("1 core: JAX (pinned) ÷ DES `workers=1`", pm(nj, j1["warm_s"]) / des_1core))
    speedups.append(
        (
            f"{cores} cores: JAX ÷ ({cores} × DES `workers=1`), i.e. a DES that scaled perfectly (hypothetical)",
            jax_all / (cores * des_1core),
        )
    )
    speedups.append(
        (
            "per CPU-second: JAX ÷ DES on the warm cluster (client + workers)",
            (nj / jx["warm_cpu_s"]) / (nc / cluster_cpu),
        )
    )
    speedups.append(("per CPU-second: JAX ÷ DES `workers=1`", (nj / jx["warm_cpu_s"]) / (n1 / des1_cpu)))
    passed = speedup_all >= GOAL_SPEEDUP
    efficiency = des_all / (cores * des_1core)

    # ------------------------------------------------------------------ report
    load_end = _machine.loadavg()
    wall = time.perf_counter() - t_start
    lines = [
        "# DES engine benchmark results",
        "",
        (
            f"Generated by `benchmarks/des.py{' --quick' if args.quick else ''}` on {time.strftime('%Y-%m-%d %H:%M')}; "
            f"scenario `scenarios/seed_stage_api.yaml`, {MONTHS} months, default metrics, seed {SEED}; "
            f"`venturesim/**/*.py` sha256 {digest}. "
            "Path-months/s = paths × months ÷ wall seconds of `vs.simulate` (sampling, simulation, event log and "
            "Result included)."
        ),
        "",
        (
            f"Machine: {info['cpu']}, nproc {info['nproc']}, {info['memory_gib']} GiB; Python {info['python']}, "
            f"simpy {info['simpy']}, dask {info['dask']}, distributed {info['distributed']}, jax {info['jax']}, "
            f"numpy {info['numpy']}; JAX devices: {info['devices']}. "
            f"Load average (1/5/15 min) at start {load_start}, at end {load_end}."
        ),
        "",
        "## Throughput",
        "",
        "| engine / setting | paths | cores | runs | wall s | CPU s | path-months/s | path-months per CPU-s |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for name, n, k, runs, w, cpu_s, rate in rows:
        per_cpu = "" if cpu_s is None else f"{pm(n, cpu_s):,.0f}"
        lines.append(
            f"| {name} | {n:,} | {k} | {runs} | {w:.2f} | {'' if cpu_s is None else f'{cpu_s:.2f}'} "
            f"| {rate:,.0f} | {per_cpu} |"
        )
    lines += [
        "",
        (
            "CPU s: process CPU time of the run (all threads); for the cluster, the client process plus the "
            "workers' CPU time during the run (`client.run(time.process_time)` before and after). Path-months per "
            "CPU-second is less sensitive than wall time to other load on the machine."
        ),
    ]
    lines += [
        "",
        "## Dask cluster overheads (not in the warm-cluster figure above)",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| `LocalCluster({cores} workers)` + `Client` until all workers are up | {cl['start_s']:.2f} |",
        f"| worker warm-up: import the DES + one {64}-path batch on every worker (`client.run`) | {cl['warm_s']:.2f} |",
        f"| `client.close()` + `cluster.close()` | {cl['close_s']:.2f} |",
        (
            f"| inside the warm-cluster run above: from the last batch done to `simulate` returning "
            f"(gather of all batches' outputs + assembling the Result) | {cl['tail_s']:.2f} of {cl['sim_s']:.2f} |"
        ),
        "",
        f"DES one-core warm-up call (64 paths, in-process): {w_warm:.2f} s. JAX first call (compile + run) at "
        f"{nj:,} paths: {jx['first_s']:.2f} s"
        + (f" ({cores} cores), {j1['first_s']:.2f} s (1 core)" if j1 is not None else "")
        + ".",
        (
            f"DES parallel efficiency, warm cluster vs {cores} × one core: {100 * efficiency:.0f} %. "
            f"Paths 0..{n1 - 1} of the cluster run equal the one-core run: {'yes' if consistent else '**NO**'}."
        ),
        "",
        "## Speed-up of the JAX engine over the DES",
        "",
        "| comparison | JAX ÷ DES |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {x:,.0f}× |" for name, x in speedups]
    lines += [
        "",
        (
            f"Goal: JAX ≥ {GOAL_SPEEDUP:.0f}× the DES on {cores} CPU cores — measured {speedup_all:,.0f}×: "
            f"{'pass' if passed else '**FAIL**'}."
        ),
        "",
        f"Benchmark wall time: {wall:.0f} s.",
    ]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if out_path is not None:
        out_path.write_text(text)
        print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
