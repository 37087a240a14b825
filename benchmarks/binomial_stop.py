"""The binomial sampler's early stop, in the whole kernel: the same compiled engine with the 64-term
inversion (before) and with the early stop (after), interleaved in one process, on shipped scenarios.

    .venv/bin/python benchmarks/binomial_stop.py [scenario.yaml ...]

For each scenario: the compile time of each variant, the warm ``run_block`` time at one chunk of
PATHS paths × MONTHS months (median of ROUNDS interleaved calls, process CPU seconds and wall), and whether the
two variants' records are bit-identical. Prints a Markdown table (docs/performance.md).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import venturesim as vs
from venturesim import _jax_random
from venturesim._jax_random import INVERSION_TERMS, SMALL_MEAN
from venturesim.engine import jax_engine
from venturesim.engine.metrics import resolve_metrics
from venturesim.engine.params import sample_with_draws
from venturesim.spec.sampling import path_keys

ROOT = Path(__file__).resolve().parents[1]
PATHS, MONTHS, ROUNDS = 8192, 60, 5


def _old_binomial(u, n, p):
    """The sampler before the early stop (verbatim): all 64 terms for every count.

    Its code runs as ``_jax_random.binomial``'s (globals jax, jnp, INVERSION_TERMS, SMALL_MEAN of that module).
    """
    p = jnp.clip(p, 0.0, 1.0)
    flip = p > 0.5
    q = jnp.where(flip, 1.0 - p, p)
    mean = n * q
    ratio = q / jnp.maximum(1.0 - q, 1e-30)
    pmf0 = jnp.exp(n * jnp.log1p(-q))

    def add_term(k, carry):
        below, grows, pmf, cdf = carry
        below = below + (cdf < u)
        pmf = pmf * jnp.maximum(n - k, 0.0) / (k + 1.0) * ratio
        next_cdf = cdf + pmf
        return below, grows + (next_cdf > cdf), pmf, next_cdf

    zeros = jnp.zeros_like(n)
    below, grows, _, _ = jax.lax.fori_loop(0, INVERSION_TERMS, add_term, (zeros, zeros, pmf0, pmf0))
    small = jnp.minimum(jnp.minimum(below, grows), n)
    z = jax.scipy.special.ndtri(jnp.clip(u, 1e-7, 1.0 - 1e-7))
    large = jnp.clip(jnp.round(mean + jnp.sqrt(mean * (1.0 - q)) * z), 0.0, n)
    x = jnp.where(mean < SMALL_MEAN, small, large)
    return jnp.where(flip, n - x, x)


def _compile(code, params, keys, metrics):
    """run_block compiled with the binomial's code swapped for ``code`` while tracing."""
    new_code = _jax_random.binomial.__code__
    _jax_random.binomial.__code__ = code
    try:
        started = time.perf_counter()

        def run_block(params, keys, months, metrics):  # a new function: no trace shared with the other variant
            return jax_engine.run_block.__wrapped__(params, keys, months, metrics)

        fn = jax.jit(
            run_block, static_argnames=("months", "metrics"), compiler_options=jax_engine.KERNEL_COMPILER_OPTIONS
        )
        compiled = fn.lower(params, keys, months=MONTHS, metrics=metrics).compile()
        return compiled, time.perf_counter() - started
    finally:
        _jax_random.binomial.__code__ = new_code


def measure(path: Path) -> dict:
    scenario = vs.load(path)
    metrics = resolve_metrics(None)
    key = jax.random.key(7)
    params, _ = sample_with_draws(scenario, jax.random.fold_in(key, 0), months=MONTHS, path_index=np.arange(PATHS))
    keys = path_keys(jax.random.fold_in(key, 1), np.arange(PATHS // jax_engine.BLOCK, dtype=np.uint32))
    variants = {"before": _old_binomial.__code__, "after": _jax_random.binomial.__code__}
    row: dict = {"scenario": path.stem}
    compiled = {}
    for name, code in variants.items():
        compiled[name], row[f"compile_{name}"] = _compile(code, params, keys, metrics)
    outputs, cpu, wall = {}, {n: [] for n in variants}, {n: [] for n in variants}
    for _ in range(ROUNDS):
        for name in variants:
            c, w = time.process_time(), time.perf_counter()
            out = jax.block_until_ready(compiled[name](params, keys))
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
            outputs[name] = out
    leaves = [jax.tree_util.tree_leaves(outputs[n]) for n in variants]
    row["identical"] = all(
        np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True) for a, b in zip(*leaves, strict=True)
    )
    for name in variants:
        row[f"cpu_{name}"] = statistics.median(cpu[name])
        row[f"wall_{name}"] = statistics.median(wall[name])
    return row


def main(paths: list[str]) -> None:
    paths = [Path(p) for p in paths] or sorted((ROOT / "scenarios").glob("*.yaml"))
    print(
        f"{PATHS:,} paths × {MONTHS} months, one chunk; median of {ROUNDS} interleaved warm calls; "
        f"load {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    print(
        "| scenario | compile before s | compile after s | CPU s before | CPU s after | CPU after ÷ before "
        "| path-months/s after (wall) | bit-identical |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for path in paths:
        r = measure(path)
        print(
            f"| {r['scenario']} | {r['compile_before']:.1f} | {r['compile_after']:.1f} | {r['cpu_before']:.2f} "
            f"| {r['cpu_after']:.2f} | {r['cpu_after'] / r['cpu_before']:.2f} "
            f"| {PATHS * MONTHS / r['wall_after']:,.0f} | {'yes' if r['identical'] else 'NO'} |",
            flush=True,
        )
    print(f"load {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
