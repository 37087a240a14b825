#!/usr/bin/env bash
# One prepared GPU check (issue 21): the Monte Carlo engine's path-months/s at 1 M and 10 M paths on the
# default scenario, then the Transformer's tokens/s and MFU (benchmarks/gpu_transformer.sh). Under 5 minutes
# on one H100/H200; the goal for the engine is >= 5e8 path-months/s.
#
#   benchmarks/gpu.sh            # 1 M and 10 M paths of scenarios/seed_stage_api.yaml (60 months), then GPT-2 small
#   benchmarks/gpu.sh --smoke    # 8,192 and 16,384 paths and the Transformer's tiny shape: checks the script on a CPU
#
# Timed: venturesim.simulate (sampling the inputs on the host, the compiled kernel on the device, the copy of the
# default metrics' records back to the host, building the Result), after one warm-up call of one chunk that pays
# the compile. A path-month is one path advanced one month. Chunks of 262,144 paths (64 blocks) so the device is
# kept busy; the chunk size never changes the numbers (tests/engine/test_reproducibility.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
SMOKE=""
if [ "${1:-}" = "--smoke" ]; then SMOKE="--smoke"; fi
"$PY" - $SMOKE <<'PYTHON'
import sys
import time

import jax

import venturesim as vs

smoke = "--smoke" in sys.argv[1:]
sizes = (8_192, 16_384) if smoke else (1_000_000, 10_000_000)
chunk = 8_192 if smoke else 262_144
months = 60
scenario = vs.load("scenarios/seed_stage_api.yaml")
device = jax.devices()[0]
print(f"device: {device.device_kind} ({device.platform}), {len(jax.devices())} device(s)")
start = time.perf_counter()
vs.simulate(scenario, paths=chunk, seed=0, months=months, chunk_size=chunk)
print(f"warm-up (compile + one chunk of {chunk:,} paths): {time.perf_counter() - start:.1f} s")
for paths in sizes:
    start = time.perf_counter()
    result = vs.simulate(scenario, paths=paths, seed=1, months=months, chunk_size=chunk)
    seconds = time.perf_counter() - start
    alive = float(result.data["alive"].isel(month=-1).mean())
    print(f"{paths:>12,} paths x {months} months: {seconds:7.1f} s, {paths * months / seconds:.3g} path-months/s "
          f"(goal 5e8); alive at month {months}: {alive:.3f}")
    del result
PYTHON
if [ -n "$SMOKE" ]; then exec benchmarks/gpu_transformer.sh --smoke; else exec benchmarks/gpu_transformer.sh; fi
