"""A 100-variant sweep as one program against 100 separate ``vs.simulate`` calls, in the same process.

Run from the repository root::

    .venv/bin/python benchmarks/sweep.py            # 100 variants × 1,000 paths × 36 months
    .venv/bin/python benchmarks/sweep.py --quick    # 8 variants × 500 paths × 12 months

The variants are a 10 × 10 grid on ``scenarios/seed_stage_api.yaml``: the initial cash (× 0.6 … 1.5)
and the midmarket price (× 0.7 … 1.3); numbers only, so every variant has the same shapes. Each mode
is timed whole (overrides, sampling, engine, copy to host, the statistics of
:func:`venturesim.analysis.sweep.default_statistics`), in CPU seconds of the process and wall seconds:

(a) warm-up: one ``vs.simulate`` at these shapes (the compile every later run reuses);
(b) 100 separate ``vs.simulate`` calls, one after the other (a script's loop), each variant's statistics;
(c) ``vs.sweep(...)``: the same compiled kernel, the variants' kernel calls on a thread per core.

Every mode gives the same numbers (checked). A variant of 1,000 paths fills one block of 4,096 lanes
(the engine's fixed block; the other lanes are padding), in every mode alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np
from _machine import loadavg, machine

import venturesim as vs
from venturesim.analysis.sweep import default_statistics, make_variants


def timed(label: str, fn):
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label}: {cpu:.1f} CPU s, {wall:.1f} s wall", flush=True)
    return value, cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    side, paths, months = (3, 500, 12) if args.quick else (10, 1000, 36)
    scenario = vs.load(ROOT / "scenarios" / "seed_stage_api.yaml")
    grid = {
        "company.initial_cash*=": [round(float(x), 3) for x in np.linspace(0.6, 1.5, side)],
        "market.segments.midmarket.price*=": [round(float(x), 3) for x in np.linspace(0.7, 1.3, side)],
    }
    variants = make_variants(grid)
    stats = default_statistics(months)
    run = {"paths": paths, "seed": 1, "months": months}
    load_start = loadavg()
    print(machine(), "load", load_start, flush=True)
    print(f"{len(variants)} variants × {paths:,} paths × {months} months", flush=True)

    timed("(a) warm-up vs.simulate (compiles)", lambda: vs.simulate(scenario, **run))

    def separate():
        rows = []
        for v in variants:
            result = vs.simulate(scenario.override(v.settings), **run)
            rows.append([x for o in stats for x in o.of(result)])
        return np.array(rows)

    loop, loop_cpu, loop_wall = timed(f"(b) {len(variants)} separate vs.simulate calls", separate)
    one, one_cpu, one_wall = timed("(c) vs.sweep", lambda: vs.sweep(scenario, grid, **run))
    numbers = [c for o in stats for c in (o.name, f"{o.name} se")]
    assert np.array_equal(one[numbers].to_numpy(float), loop, equal_nan=True)
    print(f"load average before {load_start}, after {loadavg()}")
    print(f"ratio separate/sweep: {loop_cpu / one_cpu:.2f}× CPU, {loop_wall / one_wall:.2f}× wall")


if __name__ == "__main__":
    main()
