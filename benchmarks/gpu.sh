#!/usr/bin/env bash
# One prepared GPU check (issue 21): the Monte Carlo engine's path-months/s at 1 M and 10 M paths on the
# default scenario, then the Transformer's tokens/s and MFU (benchmarks/gpu_transformer.sh). Under 5 minutes
# on one H100/H200; the goal for the engine is >= 5e8 path-months/s.
#
#   benchmarks/gpu.sh            # scenarios/seed_stage_api.yaml, 60 months; then GPT-2 small
#   benchmarks/gpu.sh --smoke    # small sizes and the Transformer's tiny shape: checks the script on a CPU
#   SKIP_TRANSFORMER=1 benchmarks/gpu.sh   # the engine's part only
#   GPU_WIDTHS="256 1024" benchmarks/gpu.sh  # other widths (blocks a call) for the kernel-only figures
#
# Three figures, each printed as soon as it is measured:
#   1. the sampling of the inputs (venturesim.engine.params.sample_with_draws: NumPy on the host, JAX on the
#      default device), paths/s on one thread;
#   2. the kernel alone (jax_engine.run_block on inputs already on the device, the default metrics' records
#      kept on the device), for calls of W blocks of 4,096 paths side by side (W = 64: 262,144 paths a call;
#      W = 256: 1,048,576), after one warm-up call that pays the compile; 10 M paths = 40 calls of W = 64 and
#      10 calls of W = 256. The inputs of the first 262,144 paths are reused for every call (each call has
#      its own blocks' keys, so its own random numbers): the kernel's work does not depend on the input values;
#      the inputs sampled are those of 65,536 paths, repeated to fill a call;
#   3. venturesim.simulate end to end at 1 M paths (sampling on the host's threads, the kernel, the copy of the
#      records back, building the Result), with the library's default calls on this device.
# A path-month is one path advanced one month.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
SMOKE=""
if [ "${1:-}" = "--smoke" ]; then SMOKE="--smoke"; fi
"$PY" - $SMOKE <<'PYTHON' || echo "the engine's part failed (exit $?)"
import os
import sys
import time

import jax
import numpy as np

import venturesim as vs
from venturesim.engine.jax_engine import BLOCK, run_block
from venturesim.engine.metrics import DEFAULT_METRICS
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import blocks_per_call, run_keys
from venturesim.spec.sampling import path_keys

smoke = "--smoke" in sys.argv[1:]
months = 60
widths = tuple(int(w) for w in os.environ.get("GPU_WIDTHS", "1 2" if smoke else "64 256").split())
total = 4 * BLOCK if smoke else 10_485_760  # 10 M paths (2,560 blocks)
end_to_end = 2 * BLOCK if smoke else 1_048_576
scenario = vs.load("scenarios/seed_stage_api.yaml")
device = jax.devices()[0]
print(f"device: {device.device_kind} ({device.platform}), {len(jax.devices())} device(s); "
      f"library default: {blocks_per_call(device)} blocks a call", flush=True)
params_key, process_key = run_keys(1)
metrics = tuple(DEFAULT_METRICS)

base = widths[0] * BLOCK if smoke else 65_536
start = time.perf_counter()
params, _ = sample_with_draws(scenario, params_key, months=months, path_index=np.arange(base))
params = jax.block_until_ready(jax.device_put(params, device))
seconds = time.perf_counter() - start
size = sum(np.asarray(a).nbytes for a in jax.tree_util.tree_leaves(params)) / base
print(f"1. sampling {base:,} paths' inputs (first call, one thread): {seconds:.1f} s, {base / seconds:,.0f} paths/s; "
      f"{size / 1e3:.1f} kB of inputs a path", flush=True)

for width in widths:
    n = width * BLOCK
    copies = n // base
    call = jax.tree_util.tree_map(lambda a: jax.numpy.concatenate([a] * copies) if copies > 1 else a, params)
    keys = path_keys(process_key, np.arange(total // BLOCK, dtype=np.uint32))
    start = time.perf_counter()
    jax.block_until_ready(run_block(call, keys[:width], months, metrics, width))
    print(f"2. W={width}: compile + first call of {n:,} paths: {time.perf_counter() - start:.1f} s", flush=True)
    hlo = run_block.lower(call, keys[:width], months, metrics, width).compile().as_text()
    print(f"   W={width}: the compiled program has {hlo.count(' fusion(')} fusion calls and "
          f"{hlo.count('custom-call(')} custom calls (each a kernel launch; most inside the month's loop)", flush=True)
    per_path = None
    for paths in sorted({n, 1_048_576 if not smoke else 2 * n, total}):
        calls = max(1, paths // n)
        if per_path is not None and per_path * calls * n > 45:
            print(f"   W={width}: {calls * n:,} paths skipped (would take over 45 s)", flush=True)
            continue
        start = time.perf_counter()
        out = [run_block(call, keys[c * width : (c + 1) * width], months, metrics, width) for c in range(calls)]
        jax.block_until_ready(out)
        seconds = time.perf_counter() - start
        alive = float(np.mean(np.asarray(out[0][0]["alive"][-1]))) if "alive" in out[0][0] else float("nan")
        del out
        per_path = seconds / (calls * n)
        print(f"   W={width}: {calls * n:>12,} paths x {months} months, kernel only: {seconds:7.2f} s, "
              f"{calls * n * months / seconds:.3g} path-months/s (goal 5e8); alive at month {months} "
              f"(first call): {alive:.3f}", flush=True)

start = time.perf_counter()
result = vs.simulate(scenario, paths=end_to_end, seed=1, months=months)
seconds = time.perf_counter() - start
alive = float(result.data["alive"].isel(month=-1).mean())
print(f"3. venturesim.simulate end to end, {end_to_end:,} paths x {months} months: {seconds:.1f} s, "
      f"{end_to_end * months / seconds:.3g} path-months/s; alive at month {months}: {alive:.3f}", flush=True)
PYTHON
# The Transformer runs even if the engine's part failed.
if [ -n "${SKIP_TRANSFORMER:-}" ]; then exit 0; fi
if [ -n "$SMOKE" ]; then exec benchmarks/gpu_transformer.sh --smoke; else exec benchmarks/gpu_transformer.sh; fi
