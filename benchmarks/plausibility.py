"""Plausibility figures of every shipped scenario (issue 14): the bands of tests/test_scenarios.py and the
share of deaths with ≥ $1M ARR in the month before death ("thriving deaths" also need ≥ 2× growth over the
year before).

    PYTHONPATH=$PWD python benchmarks/plausibility.py [--paths 1000] [--seed 1] [scenario.yaml ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import venturesim
from venturesim.engine.metrics import DEFAULT_METRICS

from plausibility import NEEDED_METRICS, figures  # isort: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--paths", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    paths = [Path(s) for s in args.scenarios] or sorted((ROOT / "scenarios").glob("*.yaml"))
    metrics = sorted({*DEFAULT_METRICS, *NEEDED_METRICS, "founder_ownership"})
    for path in paths:
        scenario = venturesim.load(path)
        result = venturesim.simulate(scenario, paths=args.paths, seed=args.seed, metrics=metrics)
        f = figures(result)
        death = result.data["death_month"].values
        dead = death >= 0
        arr = result.data["arr"].values
        before = arr[np.arange(len(death)), np.clip(death - 1, 0, result.months - 1)]
        f["deaths_with_1m_arr"] = float((dead & (before >= 1e6)).sum() / max(dead.sum(), 1))
        f["mean_arr_final"] = float(np.where(np.isfinite(result.exited()), 0.0, arr[:, -1]).mean())
        rounded = json.loads(json.dumps(f), parse_float=lambda v: round(float(v), 3))
        print(path.stem, json.dumps(rounded), flush=True)


if __name__ == "__main__":
    main()
