"""Host sampling of a run's inputs (``sample_with_draws``, the call ``run_chunk`` makes), before and after a change.

Run from the repository root::

    git archive <base-commit> venturesim | tar -x -C /tmp/base      # the code to compare against
    .venv/bin/python benchmarks/sampling.py --base /tmp/base
    .venv/bin/python benchmarks/sampling.py                           # this tree only

Each measurement is a fresh subprocess (``python -P``, ``PYTHONPATH`` = the tree measured) on one thread: load the
scenario, then time the first ``sample_with_draws`` of 16,384 paths (the default chunk), 60 months (it includes the
per-shape compile of the key and normal draws), then the best of 3 warm calls, then the ``tracemalloc`` peak of one
more call, divided by the paths. Trees alternate (base, this, base, this, …) for ``--rounds`` rounds; the table gives
the best round of each. Prints a Markdown table and the load average (the cores are shared: times are upper
bounds; memory is not affected by load).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("seed_stage_api", "sales_led_enterprise_ai")
PATHS, MONTHS = 16_384, 60

CHILD = """
import json, sys, time, tracemalloc
import numpy as np
import venturesim as vs
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import run_keys
scenario = vs.load(sys.argv[1])
key, _ = run_keys(0)
index = np.arange(int(sys.argv[2]))
months = int(sys.argv[3])
t = time.perf_counter(); sample_with_draws(scenario, key, months=months, path_index=index)
first = time.perf_counter() - t
warm = []
for _ in range(3):
    t = time.perf_counter(); sample_with_draws(scenario, key, months=months, path_index=index)
    warm.append(time.perf_counter() - t)
tracemalloc.start(); sample_with_draws(scenario, key, months=months, path_index=index)
peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
print(json.dumps({"first": first, "warm": min(warm), "peak": peak}))
"""


def measure(tree: Path, scenario: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    path = ROOT / "scenarios" / f"{scenario}.yaml"
    out = subprocess.run(
        [sys.executable, "-P", "-c", CHILD, str(path), str(PATHS), str(MONTHS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, help="a tree holding the venturesim package to compare against")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.base, "after": ROOT} if args.base else {"this tree": ROOT}
    best: dict[tuple[str, str], dict] = {}
    for _ in range(args.rounds):
        for scenario in SCENARIOS:
            for label, tree in trees.items():
                m = measure(tree, scenario)
                b = best.setdefault((scenario, label), m)
                best[(scenario, label)] = {k: min(b[k], m[k]) for k in m}
    print(f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}, {PATHS:,} paths, {MONTHS} months\n")
    print("| scenario | code | first call, paths/s | warm, paths/s | peak memory, kB/path |")
    print("|---|---|---:|---:|---:|")
    for (scenario, label), m in best.items():
        print(
            f"| {scenario} | {label} | {PATHS / m['first']:,.0f} | {PATHS / m['warm']:,.0f} | "
            f"{m['peak'] / PATHS / 1e3:.1f} |"
        )


if __name__ == "__main__":
    main()
