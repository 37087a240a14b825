"""Cold compile of the JAX engine for every shipped scenario, each in a fresh interpreter with no compile cache.

For each ``scenarios/*.yaml`` (or the files given), a child process samples one block of 4,096 paths at the
scenario's horizon with the default metrics and times, separately, the trace + lowering of ``run_block``, XLA's
compile and the first (warm) call, in wall seconds and process CPU seconds (CPU: less sensitive to the load of a
shared machine). The number of lines of the lowered StableHLO is printed too (the size of the program).

    .venv/bin/python benchmarks/compile_times.py [--xla-defaults] [scenarios/x.yaml ...]

``--xla-defaults`` compiles the kernel with jaxlib's default XLA options instead of
``jax_engine.KERNEL_COMPILER_OPTIONS`` (what the YNNPACK option costs or saves in compile time).

Prints a markdown table for docs/performance.md, with the load average at the start and the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
import jax, numpy as np
import venturesim as vs
from venturesim import _streams as streams
from venturesim.engine.jax_engine import BLOCK, run_block
if sys.argv[2] == "xla-defaults":  # the kernel's function under a jit without the kernel's XLA options
    run_block = jax.jit(run_block.__wrapped__, static_argnames=("months", "metrics", "width"))
from venturesim.engine.metrics import DEFAULT_METRICS
from venturesim.engine.simulate import sample_with_draws

sc = vs.load(sys.argv[1])
months = sc.simulation.months
key = jax.random.key(1)
params, _ = sample_with_draws(sc, jax.random.fold_in(key, streams.PARAMS), months=months, path_index=np.arange(BLOCK))
keys = jax.random.split(key, 1)
t0, c0 = time.perf_counter(), time.process_time()
lowered = run_block.lower(params, keys, months, tuple(DEFAULT_METRICS))
t1, c1 = time.perf_counter(), time.process_time()
compiled = lowered.compile()
t2, c2 = time.perf_counter(), time.process_time()
jax.block_until_ready(compiled(params, keys))
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"months": months, "lower_wall": t1 - t0, "lower_cpu": c1 - c0, "compile_wall": t2 - t1,
                  "compile_cpu": c2 - c1, "run_wall": t3 - t2, "run_cpu": c3 - c2,
                  "hlo_lines": lowered.as_text().count("\n")}))
"""


def loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main(files: list[str], xla_defaults: bool = False) -> None:
    paths = [Path(f) for f in files] or sorted((ROOT / "scenarios").glob("*.yaml"))
    env = dict(os.environ, VENTURESIM_COMPILE_CACHE="off", JAX_ENABLE_COMPILATION_CACHE="false")
    print(f"load average at start {loadavg()}", file=sys.stderr)
    print(
        "| scenario | months | StableHLO lines | trace + lower s (CPU) | compile s (CPU) | compile s (wall) "
        "| first block of 4,096 paths s (CPU) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = {"compile_cpu": 0.0, "run_cpu": 0.0}
    for path in paths:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), "xla-defaults" if xla_defaults else "kernel-options"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        total = {k: v + r[k] for k, v in total.items()}
        print(
            f"| {path.stem} | {r['months']} | {r['hlo_lines']:,} | {r['lower_cpu']:.1f} | {r['compile_cpu']:.1f} "
            f"| {r['compile_wall']:.1f} | {r['run_cpu']:.1f} |",
            flush=True,
        )
    print(f"| **all {len(paths)}** | | | | {total['compile_cpu']:.1f} | | {total['run_cpu']:.1f} |")
    print(f"load average at end {loadavg()}", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if a != "--xla-defaults"], xla_defaults="--xla-defaults" in args)
