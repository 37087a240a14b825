"""Speed and memory benchmark of the JAX engine, with a NumPy baseline.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py            # full run (~5-8 min on 2 cores), writes benchmarks/results.md
    .venv/bin/python benchmarks/engine.py --quick    # 10k paths only, prints (smoke test)
    .venv/bin/python benchmarks/engine.py --profile  # also: where run_block spends its time, chunk sizes

Scenario ``scenarios/seed_stage_api.yaml``, 60 months, default metrics
(cash, arr, alive, customers, runway). One path-month = one path advanced by
one month. Measured:

(a) compile time: first call minus a warm call of ``simulate`` at a chunk
    shape, and ``run_block.lower(...).compile()`` at the 65,536-path chunk;
(b) JAX path-months/s at 10k, 100k (warm, best of 2) and 1M paths (once, in
    a fresh subprocess, chunks 2..16 only so compile is excluded), including
    sampling and the copy of records to host; separately ``sample`` and the
    pure ``run_block`` time of the same chunks;
(c) peak RSS of a fresh subprocess that runs only ``simulate`` on 1M paths
    (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at its end);
(d) the NumPy baseline (:mod:`numpy_baseline`) at 10k and 100k paths and
    the JAX/NumPy throughput ratio at 100k, plus a statistical agreement
    check of the two models (two-proportion z-test on survival, |z| < 4).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import venturesim as vs  # noqa: E402
import venturesim.engine.jax_engine as jax_engine  # noqa: E402
from numpy_baseline import compare_with_jax, simulate_numpy  # noqa: E402
from venturesim.engine.jax_engine import run_block  # noqa: E402
from venturesim.engine.metrics import DEFAULT_METRICS  # noqa: E402
from venturesim.engine.simulate import DEFAULT_CHUNK, PARAMS_STREAM, PROCESS_STREAM  # noqa: E402
from venturesim.scenario.sampling import path_keys  # noqa: E402

SCENARIO = ROOT / "scenarios" / "seed_stage_api.yaml"
MONTHS = 60
GOALS = {"compile_s": 15.0, "peak_rss_gb": 4.0, "jax_over_numpy": 1.0}


# --------------------------------------------------------------------------- helpers

def _sample(scenario, key, *, n=None, path_index=None):
    """``venturesim.sample`` → Params (accepts the older (Params, draws) return too)."""
    out = vs.sample(scenario, key, n, months=MONTHS, path_index=path_index)
    if not isinstance(out, vs.Params) and isinstance(out, tuple):
        out = out[0]
    return out


def _wall(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def _timed(fn):
    """(wall s, CPU s of this process, output) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def _best(fn, repeats):
    """Best wall time of ``repeats`` calls, and the last call's output."""
    times, out = [], None
    for _ in range(repeats):
        dt, out = _wall(fn)
        times.append(dt)
    return min(times), out


def _runs(fn, repeats):
    """``repeats`` timed calls: list of (wall, cpu), and the last output."""
    runs, out = [], None
    for _ in range(repeats):
        w, c, out = _timed(fn)
        runs.append((w, c))
    return runs, out


def _unit() -> int:
    """run_block's path count must be a multiple of this (jax_engine.BLOCK × devices, if any)."""
    return int(getattr(jax_engine, "BLOCK", 1)) * len(jax.devices())


def _round_chunk(paths: int, chunk: int = DEFAULT_CHUNK) -> int:
    """The chunk ``simulate`` uses for ``paths`` (as in venturesim.engine.simulate.run_jax)."""
    unit = _unit()
    return -(-min(paths, chunk) // unit) * unit


def source_digest() -> str:
    """sha256 (12 hex) of the engine sources measured, to tell which version a figure belongs to."""
    import hashlib

    h = hashlib.sha256()
    for rel in ("venturesim/engine/jax_engine.py", "venturesim/engine/simulate.py", "venturesim/_jax_random.py",
                "venturesim/market/step.py", "venturesim/funding/rounds.py", "venturesim/engine/params.py"):
        path = ROOT / rel
        h.update(rel.encode() + (path.read_bytes() if path.exists() else b""))
    return h.hexdigest()[:12]


def _loadavg() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
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
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }


def _keys():
    key = jax.random.key(0)
    return jax.random.fold_in(key, PARAMS_STREAM), jax.random.fold_in(key, PROCESS_STREAM)


def chunk_components(scenario, paths: int) -> dict:
    """One chunk of the work ``simulate(paths)`` does, split: sampling and run_block (synchronised).

    The chunk is the first one ``simulate`` would run (same size and padding);
    run_block must already be compiled for that shape. Returns wall and CPU
    seconds and the chunk size.
    """
    params_key, process_key = _keys()
    chunk = _round_chunk(paths)
    index = np.minimum(np.arange(chunk), paths - 1)
    w_s, c_s, params = _timed(lambda: _sample(scenario, params_key, path_index=index))
    keys = path_keys(process_key, index.astype(np.uint32))
    w_r, c_r, _ = _timed(lambda: jax.block_until_ready(run_block(params, keys, MONTHS, DEFAULT_METRICS)))
    return {"chunk": chunk, "sample_s": w_s, "sample_cpu": c_s, "run_block_s": w_r, "run_block_cpu": c_r}


def aot_compile_seconds(scenario, chunk: int) -> float:
    """``run_block.lower(...).compile()`` wall time at a chunk shape (tracing + XLA compile)."""
    params_key, process_key = _keys()
    params = _sample(scenario, params_key, n=chunk)
    keys = path_keys(process_key, np.arange(chunk, dtype=np.uint32))
    dt, _ = _wall(lambda: run_block.lower(params, keys, MONTHS, DEFAULT_METRICS).compile())
    return dt


# --------------------------------------------------------------------------- 1M child

def child_main(paths: int) -> None:
    """Fresh process: run only ``simulate(paths)``; print JSON with times and peak RSS."""
    scenario = vs.load(SCENARIO)
    rss_before = _vm_rss_kb()
    stamps: list[tuple[float, float, int]] = []
    t0, c0 = time.perf_counter(), time.process_time()
    result = vs.simulate(scenario, paths=paths, seed=11, months=MONTHS,
                         progress=lambda done, total: stamps.append((time.perf_counter(), time.process_time(), done)))
    t_end, c_end = time.perf_counter(), time.process_time()
    alive_60 = float(np.asarray(result.data["alive"][:, -1]).mean())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    first_t, first_c, first_done = stamps[0]
    print(json.dumps({
        "paths": paths,
        "wall_s": t_end - t0,
        "first_chunk_s": first_t - t0,
        "warm_paths": paths - first_done,
        "warm_s": t_end - first_t,
        "warm_cpu_s": c_end - first_c,
        "cpu_s": c_end - c0,
        "chunks": len(stamps),
        "peak_rss_kb": peak_kb,
        "rss_after_import_kb": rss_before,
        "survival_60": alive_60,
    }))


def _vm_rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def run_child(paths: int) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(paths)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- profile

def profile(scenario, out: list[str]) -> None:
    """Where run_block's time goes, and the effect of the chunk size."""
    import jax.numpy as jnp

    from venturesim._jax_random import binomial, draws

    chunk = DEFAULT_CHUNK
    params_key, process_key = _keys()
    keys = path_keys(process_key, np.arange(chunk, dtype=np.uint32))
    params = jax.device_put(_sample(scenario, params_key, n=chunk))

    def timed(fn, *args, repeats=2):
        compiled = jax.jit(fn).lower(*args).compile()
        return _best(lambda: jax.block_until_ready(compiled(*args)), repeats)[0]

    def rng_only(path_keys_):
        # exactly the engine's key derivation and draws per path and month
        def body(acc, t):
            k = jax.vmap(lambda k: jax.random.fold_in(k, t))(path_keys_)
            u, z = jax.vmap(lambda k: draws(k, 1, (2, 2)))(k)  # market
            u2, _ = jax.vmap(lambda k: draws(k, 2, (2,)))(k)  # funding
            return acc + u.sum() + z.sum() + u2.sum(), None
        return jax.lax.scan(body, 0.0, jnp.arange(MONTHS))[0]

    def binomial_only(u, z, n, p):
        # the engine's two binomial draws of shape (paths, S) per month
        def body(acc, t):
            x = binomial(u, z, n + t, p) + binomial(1.0 - u, z, 2.0 * n + t, 0.5 * p)
            return acc + x.sum(), None
        return jax.lax.scan(body, 0.0, jnp.arange(MONTHS))[0]

    u = jax.random.uniform(jax.random.key(2), (chunk, 2))
    z = jax.random.normal(jax.random.key(3), (chunk, 2))
    n = jnp.full((chunk, 2), 300.0)
    p = jnp.full((chunk, 2), 0.05)
    t_full = timed(lambda pr, k: run_block(pr, k, MONTHS, DEFAULT_METRICS), params, keys)
    t_rng = timed(rng_only, keys)
    t_bin = timed(binomial_only, u, z, n, p)
    t_sample = _best(lambda: _sample(scenario, params_key, n=chunk), 2)[0]
    pm = chunk * MONTHS
    out += [
        "",
        f"### Profile: one chunk of {chunk:,} paths × {MONTHS} months (best of 2)",
        "",
        "| part | seconds | share of run_block |",
        "|---|---:|---:|",
        f"| run_block (whole scan) | {t_full:.2f} | 100 % |",
        f"| random numbers only (fold_in + `draws` as in the engine) | {t_rng:.2f} | {100 * t_rng / t_full:.0f} % |",
        f"| binomial only (2 × (paths, 2) per month, 64-term inversion) | {t_bin:.2f} | {100 * t_bin / t_full:.0f} % |",
        f"| `sample` (outside run_block) | {t_sample:.2f} | {100 * t_sample / t_full:.0f} % |",
        "",
        "Parts are timed separately; they overlap inside the fused scan, so shares need not add to 100 %.",
        f"run_block alone: {pm / t_full:,.0f} path-months/s.",
    ]

    out += ["", "### Chunk size (one chunk: sample + run_block, warm, best of 2)", "",
            "| chunk | sample s | run_block s | run_block path-months/s | sample + run_block path-months/s |",
            "|---:|---:|---:|---:|---:|"]
    for size in (16_384, 65_536, 262_144):
        idx = np.arange(size, dtype=np.uint32)
        k = path_keys(process_key, idx)
        t_s, pr = _best(lambda: _sample(scenario, params_key, n=size), 2)
        compiled = run_block.lower(pr, k, MONTHS, DEFAULT_METRICS).compile()
        t_r = _best(lambda: jax.block_until_ready(compiled(pr, k)), 2)[0]
        out.append(f"| {size:,} | {t_s:.2f} | {t_r:.2f} | {size * MONTHS / t_r:,.0f} | {size * MONTHS / (t_s + t_r):,.0f} |")
        print(out[-1], flush=True)


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k paths only (smoke test); writes no file unless --out")
    ap.add_argument("--profile", action="store_true", help="also profile run_block and chunk sizes (~2-3 min more)")
    ap.add_argument("--no-1m", action="store_true", help="skip the 1M-path subprocess (throughput and peak RSS)")
    ap.add_argument("--out", type=Path, default=None, help="markdown output (default benchmarks/results.md; none with --quick)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        child_main(args.child)
        return 0
    out_path = args.out if args.out is not None else (None if args.quick else ROOT / "benchmarks" / "results.md")

    t_start = time.perf_counter()
    info = machine()
    digest = source_digest()
    load_start = _loadavg()
    print("machine:", json.dumps(info), "engine sources:", digest, "load:", load_start, flush=True)
    scenario = vs.load(SCENARIO)
    sizes = [10_000] if args.quick else [10_000, 100_000]
    rows: list[tuple] = []  # (engine / part, paths, runs, wall s, cpu s, path-months/s)
    figures: dict = {}
    compile_rows: list[tuple[str, float]] = []

    # (a) compile and (b) JAX throughput. simulate(n) three times: the first call compiles
    # run_block (and the sampler's small jits) for the chunk shape; the next two are warm.
    # compile = first − best warm. Every new shape compiles anew (no persistent cache).
    jax_results = {}
    for n in sizes:
        run = lambda: vs.simulate(scenario, paths=n, seed=2, months=MONTHS)  # noqa: E731
        w_first, _, _ = _timed(run)
        warm, res = _runs(run, 2)
        w, c = min(warm)
        jax_results[n] = res
        chunk = _round_chunk(n)
        compile_rows.append((f"`simulate({n:,})` first call − best warm call (chunk {chunk:,})", w_first - w))
        rows.append(("JAX `simulate` (sample + run_block + copy to host)", n, "best of 2 warm", w, c, n * MONTHS / w))
        comp = chunk_components(scenario, n)
        k = comp["chunk"]
        rows.append(("JAX `sample` only, first chunk", k, "1 run", comp["sample_s"], comp["sample_cpu"], k * MONTHS / comp["sample_s"]))
        rows.append(("JAX `run_block` only, first chunk", k, "1 run", comp["run_block_s"], comp["run_block_cpu"],
                     k * MONTHS / comp["run_block_s"]))
        figures[f"jax_{n}"] = n * MONTHS / w
        figures[f"jax_run_block_{n}"] = k * MONTHS / comp["run_block_s"]
        print(f"jax {n:,}: first {w_first:.2f} s, warm {w:.2f} s ({n * MONTHS / w:,.0f} pm/s, cpu {c:.2f} s); "
              f"chunk {k:,}: sample {comp['sample_s']:.2f} s, run_block {comp['run_block_s']:.2f} s", flush=True)
    aot_shape = 32_768  # a shape nothing else compiles: lower().compile() shares jit's in-memory cache
    t_aot = aot_compile_seconds(scenario, aot_shape)
    compile_rows.append((f"`run_block.lower(...).compile()` at {aot_shape:,} paths (trace + XLA compile)", t_aot))
    print(f"compile: run_block.lower().compile() at {aot_shape:,} paths {t_aot:.2f} s", flush=True)

    # (d) NumPy baseline on Params from the same sampler (independent key); agreement with JAX
    agreement = None
    for n in sizes:
        _sample(scenario, jax.random.key(12344), n=n)  # compile the sampler's jits for this shape first
        w_s, c_s, params = _timed(lambda: _sample(scenario, jax.random.key(12345), n=n))
        runs, rec = _runs(lambda: simulate_numpy(params, MONTHS, seed=3), 2)
        w_np, c_np = min(runs)
        rows.append(("NumPy baseline (loop over months)", n, "best of 2", w_np, c_np, n * MONTHS / w_np))
        rows.append(("NumPy baseline + `sample`", n, "+ sample, 1 run", w_np + w_s, c_np + c_s, n * MONTHS / (w_np + w_s)))
        figures[f"numpy_{n}"] = n * MONTHS / (w_np + w_s)
        figures[f"numpy_kernel_{n}"] = n * MONTHS / w_np
        print(f"numpy {n:,}: kernel {w_np:.2f} s ({n * MONTHS / w_np:,.0f} pm/s), sample {w_s:.2f} s", flush=True)
        if n == sizes[-1]:
            jr = jax_results[n].data
            agreement = compare_with_jax(np.asarray(jr["alive"]).T, np.asarray(jr["arr"]).T, rec["alive"], rec["arr"])
    ratio_n = sizes[-1]
    figures["ratio"] = figures[f"jax_{ratio_n}"] / figures[f"numpy_{ratio_n}"]
    figures["ratio_kernel"] = figures[f"jax_run_block_{ratio_n}"] / figures[f"numpy_kernel_{ratio_n}"]

    # (b, c) 1M paths in a fresh process: warm throughput and peak RSS
    child = None
    if not (args.quick or args.no_1m):
        print("1M paths in a subprocess …", flush=True)
        child = run_child(1_000_000)
        warm_pm = child["warm_paths"] * MONTHS / child["warm_s"]
        rows.append((f"JAX `simulate`, fresh process, chunks 2–{child['chunks']} (compile excluded)", 1_000_000,
                     f"1 run, {child['warm_paths']:,} warm paths", child["warm_s"], child["warm_cpu_s"], warm_pm))
        rows.append(("JAX `simulate`, fresh process, whole call (incl. compile)", 1_000_000, "1 run",
                     child["wall_s"], child["cpu_s"], 1_000_000 * MONTHS / child["wall_s"]))
        figures["jax_1000000"] = warm_pm
        figures["peak_rss_gb"] = child["peak_rss_kb"] * 1024 / 1e9
        print("child:", json.dumps(child), flush=True)

    # ------------------------------------------------------------------ report
    lines = [
        "# Engine benchmark results",
        "",
        f"Generated by `benchmarks/engine.py{' --quick' if args.quick else ''}` on {time.strftime('%Y-%m-%d %H:%M')}; "
        f"scenario `scenarios/seed_stage_api.yaml`, {MONTHS} months, metrics {', '.join(DEFAULT_METRICS)}; "
        f"default chunk {DEFAULT_CHUNK:,} paths, run_block unit {_unit():,} paths. Engine sources sha256 {digest}.",
        "",
        f"Machine: {info['cpu']}, nproc {info['nproc']}, {info['memory_gib']} GiB; Python {info['python']}, "
        f"jax {info['jax']}, numpy {info['numpy']}; devices: {info['devices']}. "
        f"Load average (1/5/15 min) at start {load_start}, at end {_loadavg()}.",
        "",
        "## Throughput",
        "",
        "A path-month is one path advanced by one month. Wall seconds; CPU = user + system seconds of the "
        "process (XLA may use both cores; the NumPy loop uses one).",
        "",
        "| engine / part | paths | runs | wall s | CPU s | path-months/s |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for engine, n, runs, secs, cpu, pms in rows:
        lines.append(f"| {engine} | {n:,} | {runs} | {secs:.2f} | {cpu:.2f} | {pms:,.0f} |")

    lines += ["", "## Compile", "", "| measure | seconds |", "|---|---:|"]
    lines += [f"| {what} | {secs:.2f} |" for what, secs in compile_rows]
    compile_s = max(secs for _, secs in compile_rows)

    def verdict(ok):
        return "pass" if ok else "**FAIL**"

    lines += ["", "## Goals", "", "| goal | measured | result |", "|---|---:|---|",
              f"| compile < {GOALS['compile_s']:.0f} s (worst of the compile measures) | {compile_s:.1f} s "
              f"| {verdict(compile_s < GOALS['compile_s'])} |"]
    if child is not None:
        lines.append(f"| peak RSS of a 1M × {MONTHS} run < {GOALS['peak_rss_gb']:.0f} GB | {figures['peak_rss_gb']:.2f} GB "
                     f"| {verdict(figures['peak_rss_gb'] < GOALS['peak_rss_gb'])} |")
    lines.append(f"| JAX / NumPy path-months/s at {ratio_n:,} paths ≥ 1 (both incl. `sample`) | {figures['ratio']:.2f} "
                 f"| {verdict(figures['ratio'] >= GOALS['jax_over_numpy'])} |")
    lines.append(f"| (for information: `run_block` one chunk / NumPy loop) | {figures['ratio_kernel']:.2f} | — |")

    if agreement:
        lines += ["", f"## Agreement, JAX vs NumPy baseline ({ratio_n:,} paths each, independent random streams)", "",
                  "Survival: two-proportion z-test with pooled proportion; median ARR (dead paths count 0): "
                  "difference over its asymptotic standard error √Σ 1/(4 n f(m)²), f from the 45–55 % quantiles. "
                  "Pass when |z| < 4.", "",
                  "| check | JAX | NumPy | z | result |", "|---|---:|---:|---:|---|"]
        for r in agreement:
            fmt = (lambda v: f"{v:.4f}") if r["check"].startswith("survival") else (lambda v: f"{v:,.0f}")
            lines.append(f"| {r['check']} | {fmt(r['jax'])} | {fmt(r['numpy'])} | {r['z']:+.2f} | {verdict(r['pass'])} |")
    if child is not None:
        lines += ["", f"1M run: peak RSS {child['peak_rss_kb'] / 1024:,.0f} MiB (RSS after imports "
                  f"{child['rss_after_import_kb'] / 1024:,.0f} MiB), first chunk (incl. compile) {child['first_chunk_s']:.1f} s, "
                  f"{child['chunks']} chunks, survival at month 60 {child['survival_60']:.3f}."]

    if args.profile:
        profile(scenario, lines)

    lines += ["", f"Benchmark wall time: {time.perf_counter() - t_start:.0f} s."]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if out_path is not None:
        Path(out_path).write_text(text)
        print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
