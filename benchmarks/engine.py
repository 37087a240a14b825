"""Speed and memory benchmark of the JAX engine, with a NumPy baseline.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py            # full run (~3-5 min on 2 cores), writes benchmarks/results.md
    .venv/bin/python benchmarks/engine.py --quick    # 10k paths only, prints (smoke test, ~30 s)
    .venv/bin/python benchmarks/engine.py --profile  # also: chunk sizes and ablations (~4-5 min more)

Scenario ``scenarios/seed_stage_api.yaml``, 60 months, default metrics
(cash, arr, alive, customers, runway). A path-month is one path advanced by
one month. Measured:

(a) compile: ``simulate(n)``'s first call minus its best warm call, and the
    first chunk's ``run_block`` time minus a warm chunk's of the same shape;
(b) JAX path-months/s of ``simulate`` at 10k and 100k paths (warm, best of
    2) and 1M paths (once, in a fresh subprocess, chunks 2.. only so compile
    is excluded), including sampling and the copy of records to host; and the
    time inside ``sample`` and inside ``run_block`` of those same calls;
(c) peak RSS of a fresh subprocess that runs only ``simulate`` on 1M paths
    (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at its end);
(d) the NumPy baseline (:mod:`numpy_baseline`) at 10k and 100k paths and the
    JAX/NumPy throughput ratio at 100k (the baseline models only the
    foundation's month: a speed reference, no longer the same company; its
    figures are printed beside the engine's without a verdict);
(e) the statistical agreement of the JAX figures at 100k paths with the
    discrete-event engine's on the same scenario (:data:`DES_PATHS` paths):
    two-proportion z-tests on survival and median-ARR tests, |z| < 4.

``sample`` and ``run_block`` are timed by wrapping the functions that
:mod:`venturesim.engine.simulate` calls (at run time, in this process only),
so the split follows whatever ``simulate`` does; run_block's result is
waited for (``block_until_ready``) before its timer stops.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine
from agreement import compare_runs
from numpy_baseline import simulate_numpy

import venturesim as vs
import venturesim.engine.simulate as sim
from venturesim.engine.metrics import DEFAULT_METRICS

SCENARIO = ROOT / "scenarios" / "seed_stage_api.yaml"
MONTHS = 60
DES_PATHS = 1_000  # the discrete-event engine's run for the agreement check (≈ 0.5 ms a path-month on one core)
GOALS = {"compile_s": 15.0, "peak_rss_gb": 4.0, "jax_over_numpy": 1.0}
SOURCES = (
    "venturesim/engine/jax_engine.py",
    "venturesim/engine/simulate.py",
    "venturesim/engine/params.py",
    "venturesim/_jax_random.py",
    "venturesim/market/step.py",
    "venturesim/funding/rounds.py",
)


# --------------------------------------------------------------------------- helpers


def _timed(fn):
    """(wall s, CPU s of this process, output) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def _params_of(out):
    """The Params in ``sample`` (Params) or ``sample_with_draws`` ((Params, draws)) output."""
    return out[0] if isinstance(out, tuple) and not isinstance(out, vs.Params) else out


def _n_paths(params) -> int:
    return int(jax.tree_util.tree_leaves(params)[0].shape[0])


class Probe:
    """Times the ``sample`` and ``run_block`` calls made by :mod:`venturesim.engine.simulate`.

    Inside ``with Probe() as probe:``, every call is appended to
    ``probe.events`` as (kind, wall s, cpu s, paths).
    """

    def __init__(self):
        self.events: list[tuple[str, float, float, int]] = []
        self._saved: dict[str, object] = {}

    def __enter__(self):
        def wrap(name, kind, paths_of, sync):
            orig = getattr(sim, name)

            def wrapped(*args, **kwargs):
                w, c, out = _timed(lambda: sync(orig(*args, **kwargs)))
                self.events.append((kind, w, c, paths_of(args, out)))
                return out

            self._saved[name] = orig
            setattr(sim, name, wrapped)

        wrap("run_block", "run_block", lambda a, out: _n_paths(a[0]), jax.block_until_ready)
        for name in ("sample_with_draws", "sample"):
            if hasattr(sim, name):
                wrap(name, "sample", lambda a, out: _n_paths(_params_of(out)), lambda out: out)
        return self

    def __exit__(self, *exc):
        for name, orig in self._saved.items():
            setattr(sim, name, orig)
        return False

    def total(self, kind: str, events=None) -> tuple[float, float]:
        ev = [e for e in (self.events if events is None else events) if e[0] == kind]
        return sum(e[1] for e in ev), sum(e[2] for e in ev)


COMPILED_CHUNKS: set[int] = set()
"""run_block chunk shapes already compiled in this process (jit caches them)."""


def simulate_probed(scenario, paths: int, seed: int, **kwargs) -> dict:
    """One ``simulate`` call: wall, CPU, and the sample / run_block events of that call."""
    with Probe() as probe:
        w, c, res = _timed(lambda: vs.simulate(scenario, paths=paths, seed=seed, months=MONTHS, **kwargs))
    COMPILED_CHUNKS.update(e[3] for e in probe.events if e[0] == "run_block")
    return {
        "wall": w,
        "cpu": c,
        "result": res,
        "events": probe.events,
        "sample": probe.total("sample"),
        "run_block": probe.total("run_block"),
        "run_block_each": [e[1] for e in probe.events if e[0] == "run_block"],
        "chunk": max((e[3] for e in probe.events if e[0] == "run_block"), default=0),
    }


def _sample(scenario, key, n):
    return _params_of(vs.sample(scenario, key, n, months=MONTHS))


def _default_metrics() -> str:
    return ", ".join(DEFAULT_METRICS)


def machine() -> dict:
    return _machine.machine(xla_flags=os.environ.get("XLA_FLAGS", ""))


def source_digest() -> str:
    """sha256 (12 hex) of the engine sources measured, to tell which version a figure belongs to."""
    h = hashlib.sha256()
    for rel in SOURCES:
        path = ROOT / rel
        h.update(rel.encode() + (path.read_bytes() if path.exists() else b""))
    return h.hexdigest()[:12]


def _vm_rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


# --------------------------------------------------------------------------- subprocesses


def child_1m(paths: int) -> dict:
    """Fresh process: run only ``simulate(paths)``; times per chunk and peak RSS."""
    scenario = vs.load(SCENARIO)
    rss_before = _vm_rss_kb()
    stamps: list[tuple[float, float, int]] = []
    with Probe() as probe:
        t0, c0 = time.perf_counter(), time.process_time()
        result = vs.simulate(
            scenario,
            paths=paths,
            seed=11,
            months=MONTHS,
            progress=lambda done, total: stamps.append((time.perf_counter(), time.process_time(), done)),
        )
        t_end, c_end = time.perf_counter(), time.process_time()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    first_t, first_c, first_done = stamps[0]
    n_first = 2 if probe.events and probe.events[0][0] == "sample" else 1  # events of chunk 1
    warm_events = probe.events[n_first:]
    return {
        "paths": paths,
        "wall_s": t_end - t0,
        "cpu_s": c_end - c0,
        "first_chunk_s": first_t - t0,
        "warm_paths": paths - first_done,
        "warm_s": t_end - first_t,
        "warm_cpu_s": c_end - first_c,
        "chunks": len(stamps),
        "warm_sample_s": probe.total("sample", warm_events)[0],
        "warm_run_block_s": probe.total("run_block", warm_events)[0],
        "peak_rss_kb": peak_kb,
        "rss_after_import_kb": rss_before,
        "survival_60": float(np.asarray(result.data["alive"][:, -1]).mean()),
    }


def child_ablation(variant: str, paths: int) -> dict:
    """Fresh process: warm ``run_block`` time with parts of the kernel replaced (profiling only).

    ``norng``: the monthly uniforms are constants (no Threefry); ``nobinom``:
    the binomial draws are replaced by round(n·p). Patched before the first
    trace, by name, in the modules that use them.
    """
    import jax.numpy as jnp

    from venturesim.funding import rounds
    from venturesim.market import step as market_step

    parts = set(variant.split("+"))
    if "norng" in parts:
        for mod in (market_step, rounds):
            if hasattr(mod, "uniforms"):
                mod.uniforms = lambda key, stream, shape: jnp.full(shape, 0.5, jnp.float32)
            if hasattr(mod, "draws"):
                mod.draws = lambda key, stream, shape: (
                    jnp.full(shape, 0.5, jnp.float32),
                    jnp.zeros(shape, jnp.float32),
                )
    if "nobinom" in parts:  # n and p are the last two arguments in every version of binomial
        market_step.binomial = lambda *a: jnp.round(a[-2] * jnp.clip(a[-1], 0.0, 1.0))
    scenario = vs.load(SCENARIO)
    runs = [simulate_probed(scenario, paths, seed=5) for _ in range(2)]
    return {
        "variant": variant,
        "run_block_s": runs[1]["run_block"][0],
        "run_block_cpu_s": runs[1]["run_block"][1],
        "compile_s": runs[0]["run_block"][0] - runs[1]["run_block"][0],
        "chunk": runs[1]["chunk"],
    }


def run_child(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- profile


def profile(scenario, out: list[str]) -> None:
    """Chunk sizes, and what run_block's time is made of (ablations in fresh processes)."""
    out += [
        "",
        "## Profile",
        "",
        "### Chunk size: `simulate(paths=c, chunk_size=c)`, second (warm) call",
        "",
        (
            "| chunk c | run_block compile s | sample s | run_block s | run_block path-months/s "
            "| whole call path-months/s |"
        ),
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c in (16_384, 65_536, 262_144):
        cached = c in COMPILED_CHUNKS
        first = simulate_probed(scenario, c, seed=4, chunk_size=c)
        warm = simulate_probed(scenario, c, seed=4, chunk_size=c)
        rb, sm = warm["run_block"][0], warm["sample"][0]
        comp = "cached" if cached else f"{first['run_block'][0] - rb:.1f}"
        out.append(
            f"| {c:,} | {comp} | {sm:.2f} | {rb:.2f} | {c * MONTHS / rb:,.0f} | {c * MONTHS / warm['wall']:,.0f} |"
        )
        print(out[-1], flush=True)

    paths = 65_536
    out += [
        "",
        f"### Ablations: warm `run_block` on one chunk of {paths:,} paths, each in a fresh process",
        "",
        (
            "`norng`: the monthly uniforms replaced by constants (no Threefry); `nobinom`: binomial draws "
            "replaced by round(n·p). The model's numbers change; only the time is of interest."
        ),
        "",
        "| variant | run_block wall s | CPU s | path-months/s | share of base time removed |",
        "|---|---:|---:|---:|---:|",
    ]
    base = None
    for variant in ("base", "norng", "nobinom", "norng+nobinom"):
        try:
            r = run_child("--ablation", variant, str(paths))
        except RuntimeError as err:
            out.append(f"| {variant} | failed: {str(err).splitlines()[-1][:80]} | | | |")
            continue
        base = r["run_block_s"] if variant == "base" else base
        removed = "—" if base is None or variant == "base" else f"{100 * (1 - r['run_block_s'] / base):.0f} %"
        out.append(
            f"| {variant} | {r['run_block_s']:.2f} | {r['run_block_cpu_s']:.2f} "
            f"| {r['chunk'] * MONTHS / r['run_block_s']:,.0f} | {removed} |"
        )
        print(out[-1], flush=True)


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k paths only (smoke test); writes no file unless --out")
    ap.add_argument("--profile", action="store_true", help="also chunk sizes and ablations (~4 min more)")
    ap.add_argument("--no-1m", action="store_true", help="skip the 1M-path subprocess (throughput and peak RSS)")
    ap.add_argument(
        "--out", type=Path, default=None, help="markdown output (default benchmarks/results.md; none with --quick)"
    )
    ap.add_argument("--child-1m", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--ablation", nargs=2, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_1m is not None:
        print(json.dumps(child_1m(args.child_1m)))
        return 0
    if args.ablation is not None:
        print(json.dumps(child_ablation(args.ablation[0], int(args.ablation[1]))))
        return 0
    out_path = args.out if args.out is not None else (None if args.quick else ROOT / "benchmarks" / "results.md")

    t_start = time.perf_counter()
    info = machine()
    digest = source_digest()
    load_start = _machine.loadavg()
    print("machine:", json.dumps(info), "engine sources:", digest, "load:", load_start, flush=True)
    scenario = vs.load(SCENARIO)
    sizes = [10_000] if args.quick else [10_000, 100_000]
    rows: list[tuple] = []  # (engine / part, paths, runs, wall s, cpu s, path-months/s)
    figures: dict = {}
    compile_rows: list[tuple[str, float, bool]] = []  # (measure, seconds, counts for the goal)

    # (a) compile, (b) JAX throughput and (d) NumPy baseline. Per size: simulate(n) once to
    # compile run_block (and the sampler's small jits) for its chunk shape, then two warm
    # JAX calls interleaved with two NumPy runs, so that both see the same machine load.
    agreement = None
    for n in sizes:
        first = simulate_probed(scenario, n, seed=2)
        _sample(scenario, jax.random.key(12344), n)  # compile the sampler's jits for this shape first
        w_s, c_s, params = _timed(lambda n=n: _sample(scenario, jax.random.key(12345), n))
        calls, np_runs = [], []
        for _ in range(2):
            calls.append(simulate_probed(scenario, n, seed=2))
            np_runs.append(_timed(lambda params=params: simulate_numpy(params, MONTHS, seed=3)))
        warm = min(calls, key=lambda r: r["wall"])
        chunk = warm["chunk"]
        warm_chunks = [t for r in calls for t in r["run_block_each"]] + first["run_block_each"][1:]
        rb_compile = first["run_block_each"][0] - float(np.median(warm_chunks))
        compile_rows.append(
            (f"`simulate({n:,})`: first call − best warm call", first["wall"] - warm["wall"], n == sizes[0])
        )
        compile_rows.append((f"`run_block` at chunk {chunk:,}: first chunk − median warm chunk", rb_compile, True))
        (s_w, s_c), (r_w, r_c) = warm["sample"], warm["run_block"]
        rows.append(
            (
                "JAX `simulate` (sample + run_block + copy to host)",
                n,
                "best of 2 warm",
                warm["wall"],
                warm["cpu"],
                n * MONTHS / warm["wall"],
            )
        )
        rows.append(("… of which in `sample`", n, "same call", s_w, s_c, n * MONTHS / s_w))
        rows.append((f"… of which in `run_block` (chunks of {chunk:,})", n, "same call", r_w, r_c, n * MONTHS / r_w))
        figures[f"jax_{n}"] = n * MONTHS / warm["wall"]
        figures[f"jax_run_block_{n}"] = n * MONTHS / r_w
        print(
            f"jax {n:,}: first {first['wall']:.2f} s, warm {warm['wall']:.2f} s "
            f"({n * MONTHS / warm['wall']:,.0f} pm/s); "
            f"sample {s_w:.2f} s, run_block {r_w:.2f} s (chunk {chunk:,}, compile {rb_compile:.2f} s)",
            flush=True,
        )

        w_np, c_np, rec = min(np_runs, key=lambda r: r[0])
        rows.append(
            ("NumPy baseline + `sample`", n, "best of 2 + 1 sample", w_np + w_s, c_np + c_s, n * MONTHS / (w_np + w_s))
        )
        rows.append(("… of which the NumPy loop over months", n, "best of 2", w_np, c_np, n * MONTHS / w_np))
        figures[f"numpy_{n}"] = n * MONTHS / (w_np + w_s)
        figures[f"numpy_kernel_{n}"] = n * MONTHS / w_np
        print(f"numpy {n:,}: loop {w_np:.2f} s ({n * MONTHS / w_np:,.0f} pm/s), sample {w_s:.2f} s", flush=True)
        if n == sizes[-1]:
            jr = warm["result"].data
            jax_alive, jax_arr = np.asarray(jr["alive"]).T, np.asarray(jr["arr"]).T
            jax_cpu = warm["cpu"]
            agreement = compare_runs(jax_alive, jax_arr, rec["alive"], rec["arr"])
    ratio_n = sizes[-1]

    # (e) the same company in the discrete-event engine: the JAX figures' statistical check
    des_agreement = None
    if not args.quick:
        print(f"DES {DES_PATHS:,} paths …", flush=True)
        des_w, des_c, des = _timed(lambda: vs.simulate(scenario, paths=DES_PATHS, seed=5, engine="des", workers=1))
        dd = des.data
        des_agreement = compare_runs(jax_alive, jax_arr, np.asarray(dd["alive"]).T, np.asarray(dd["arr"]).T)
        figures.update(des_wall=des_w, des_cpu=des_c, des_per_cpu_s=DES_PATHS * MONTHS / des_c)
        figures["jax_per_cpu_s"] = ratio_n * MONTHS / jax_cpu
        print(f"DES: {des_w:.1f} s, {des_c:.1f} CPU s", flush=True)
    figures["ratio"] = figures[f"jax_{ratio_n}"] / figures[f"numpy_{ratio_n}"]
    figures["ratio_kernel"] = figures[f"jax_run_block_{ratio_n}"] / figures[f"numpy_kernel_{ratio_n}"]

    # (b, c) 1M paths in a fresh process: warm throughput and peak RSS
    child = None
    if not (args.quick or args.no_1m):
        print("1M paths in a subprocess …", flush=True)
        child = run_child("--child-1m", "1000000")
        print("child:", json.dumps(child), flush=True)
        wp = child["warm_paths"]
        rows.append(
            (
                f"JAX `simulate`, fresh process, chunks 2–{child['chunks']} (compile excluded)",
                1_000_000,
                f"1 run, {wp:,} warm paths",
                child["warm_s"],
                child["warm_cpu_s"],
                wp * MONTHS / child["warm_s"],
            )
        )
        rows.append(
            (
                "… of which in `sample`",
                wp,
                "same run",
                child["warm_sample_s"],
                float("nan"),
                wp * MONTHS / child["warm_sample_s"],
            )
        )
        rows.append(
            (
                "… of which in `run_block`",
                wp,
                "same run",
                child["warm_run_block_s"],
                float("nan"),
                wp * MONTHS / child["warm_run_block_s"],
            )
        )
        rows.append(
            (
                "JAX `simulate`, fresh process, whole call (incl. compile)",
                1_000_000,
                "1 run",
                child["wall_s"],
                child["cpu_s"],
                1_000_000 * MONTHS / child["wall_s"],
            )
        )
        figures["jax_1000000"] = wp * MONTHS / child["warm_s"]
        figures["peak_rss_gb"] = child["peak_rss_kb"] * 1024 / 1e9

    # ------------------------------------------------------------------ report
    lines = [
        "# Engine benchmark results",
        "",
        (
            f"Generated by `benchmarks/engine.py{' --quick' if args.quick else ''}` "
            f"on {time.strftime('%Y-%m-%d %H:%M')}; "
            f"scenario `scenarios/seed_stage_api.yaml`, {MONTHS} months, metrics "
            f"{_default_metrics()}; "
            f"default chunk {sim.DEFAULT_CHUNK:,} paths. Engine sources sha256 {digest}."
        ),
        "",
        (
            f"Machine: {info['cpu']}, nproc {info['nproc']}, {info['memory_gib']} GiB; Python {info['python']}, "
            f"jax {info['jax']}, numpy {info['numpy']}; devices: {info['devices']}. "
            f"Load average (1/5/15 min) at start {load_start}, at end {_machine.loadavg()}."
        ),
        "",
        "## Throughput",
        "",
        (
            "A path-month is one path advanced by one month. Wall seconds; CPU = user + system seconds of the "
            "process (XLA may use both cores; the NumPy loop uses one)."
        ),
        "",
        "| engine / part | paths | runs | wall s | CPU s | path-months/s |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for engine, n, runs, secs, cpu, pms in rows:
        cpu_text = "—" if math.isnan(cpu) else f"{cpu:.2f}"
        lines.append(f"| {engine} | {n:,} | {runs} | {secs:.2f} | {cpu_text} | {pms:,.0f} |")

    lines += ["", "## Compile", "", "| measure | seconds |", "|---|---:|"]
    lines += [f"| {what} | {secs:.2f} |" for what, secs, _ in compile_rows]
    compile_s = max(secs for _, secs, counts in compile_rows if counts)

    def verdict(ok):
        return "pass" if ok else "**FAIL**"

    lines += [
        "",
        "## Goals",
        "",
        "| goal | measured | result |",
        "|---|---:|---|",
        (
            f"| compile < {GOALS['compile_s']:.0f} s (worst of: 10k first − warm call; run_block first − warm chunk) "
            f"| {compile_s:.1f} s | {verdict(compile_s < GOALS['compile_s'])} |"
        ),
    ]
    if child is not None:
        lines.append(
            f"| peak RSS of a 1M × {MONTHS} run < {GOALS['peak_rss_gb']:.0f} GB | {figures['peak_rss_gb']:.2f} GB "
            f"| {verdict(figures['peak_rss_gb'] < GOALS['peak_rss_gb'])} |"
        )
    lines.append(
        f"| JAX / NumPy path-months/s at {ratio_n:,} paths ≥ 1 (both incl. `sample`) | {figures['ratio']:.2f} "
        f"| {verdict(figures['ratio'] >= GOALS['jax_over_numpy'])} |"
    )
    lines.append(f"| (for information: time in `run_block` / NumPy loop alone) | {figures['ratio_kernel']:.2f} | — |")

    def agreement_table(rows, other, judged):
        table = [f"| check | JAX | {other} | z | result |", "|---|---:|---:|---:|---|"]
        for r in rows:
            fmt = (lambda v: f"{v:.4f}") if r["check"].startswith("survival") else (lambda v: f"{v:,.0f}")
            result = verdict(r["pass"]) if judged else "—"
            table.append(f"| {r['check']} | {fmt(r['a'])} | {fmt(r['b'])} | {r['z']:+.2f} | {result} |")
        return table

    if des_agreement:
        lines += [
            "",
            f"## Agreement, JAX ({ratio_n:,} paths) vs the discrete-event engine ({DES_PATHS:,} paths), same scenario",
            "",
            (
                "The same company in the model's two drivers (independent random streams). Survival: two-proportion "
                "z-test with pooled proportion; median ARR (dead paths count 0): difference over its asymptotic "
                "standard error √Σ 1/(4 n f(m)²), f from the 45–55 % quantiles. Pass when |z| < 4."
            ),
            "",
            *agreement_table(des_agreement, "DES", True),
            "",
            (
                f"The DES run (one core, in this process): {figures['des_wall']:.1f} s, "
                f"{figures['des_cpu']:.1f} CPU s, "
                f"{figures['des_per_cpu_s']:,.0f} path-months per CPU second; JAX at {ratio_n:,} paths: "
                f"{figures['jax_per_cpu_s']:,.0f}, {figures['jax_per_cpu_s'] / figures['des_per_cpu_s']:,.0f}× the DES "
                "core for core."
            ),
        ]
    if agreement:
        lines += [
            "",
            f"## JAX vs the NumPy baseline ({ratio_n:,} paths each), for information",
            "",
            (
                "The baseline runs only the foundation's month (Bass, churn, revenue, a static team's payroll, "
                "other costs, flat-odds priced rounds); the engine has since gained hiring and attrition, the "
                "failure policy, pricing and billing, the product's costs and risks, so the two are no longer the "
                "same company and no verdict is given (the check above is the engine's). Same tests as above."
            ),
            "",
            *agreement_table(agreement, "NumPy", False),
        ]
    if child is not None:
        lines += [
            "",
            (
                f"1M run: peak RSS {child['peak_rss_kb'] / 1024:,.0f} MiB (RSS after imports "
                f"{child['rss_after_import_kb'] / 1024:,.0f} MiB), "
                f"first chunk (incl. compile) {child['first_chunk_s']:.1f} s, "
                f"{child['chunks']} chunks, survival at month 60 {child['survival_60']:.3f}."
            ),
        ]

    if args.profile:
        profile(scenario, lines)

    lines += [
        "",
        f"Benchmark wall time: {time.perf_counter() - t_start:.0f} s; load average at end {_machine.loadavg()}.",
    ]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if out_path is not None:
        Path(out_path).write_text(text)
        print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
