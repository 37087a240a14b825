"""The compiled kernel on one core against the same kernel with XLA:CPU's thread pool over every core (issue 21).

XLA:CPU runs a program's operations on its intra-op thread pool: independent operations at the same time, and a
large elementwise fusion cut into as many parts as the pool has threads (``outer_dimension_partitions`` in the
compiled HLO). The pool's size is the number of CPUs the process may run on when JAX starts its CPU client, and
JAX offers no setting for it. This script measures what that costs on one block of 4,096 paths × 60 months of a
scenario (default metrics), each configuration in a fresh interpreter:

* ``all cores``: as ``venturesim`` runs it;
* ``one core``: the child restricts itself to one CPU (``os.sched_setaffinity``) before JAX starts, so the pool
  has one thread and no fusion is cut.

For each: the process CPU ns and wall ns per path-month (medians of 7 warm calls) and the number of cut fusions.
Rounds alternate the two configurations (the cores are shared). Linux only (``sched_setaffinity``).

    .venv/bin/python benchmarks/kernel_one_core.py scenarios/seed_stage_api.yaml [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys
if sys.argv[2] == "one core":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import jax, numpy as np
sys.path.insert(0, "benchmarks")
from kernel_trace import MONTHS, compiled_block, warm_times
import venturesim.engine.jax_engine as je
compiled, arguments = compiled_block(sys.argv[1])
jax.block_until_ready(compiled(*arguments))
cpu, wall = warm_times(compiled, arguments, 7)
per = je.BLOCK * MONTHS / 1e9
print(json.dumps({"cpu": float(np.median(cpu)) / per, "wall": float(np.median(wall)) / per,
                  "cut": compiled.as_text().count("outer_dimension_partitions")}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average at start {'/'.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    print("| configuration | round | CPU ns per path-month | wall ns per path-month | fusions cut |")
    print("|---|---:|---:|---:|---:|")
    for r in range(1, args.rounds + 1):
        for configuration in ("all cores", "one core"):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, args.scenario, configuration],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            m = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {configuration} | {r} | {m['cpu']:,.0f} | {m['wall']:,.0f} | {m['cut']} |")
    print(f"load average at end {'/'.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)


if __name__ == "__main__":
    main()
