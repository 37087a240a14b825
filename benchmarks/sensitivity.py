"""Wall time of the sensitivity analyses on ``scenarios/seed_stage_api.yaml`` (60 months, 2 cores).

Run from the repository root::

    .venv/bin/python benchmarks/sensitivity.py            # writes benchmarks/sensitivity_results.md
    .venv/bin/python benchmarks/sensitivity.py --quick    # 1,024-path runs, 12 months, prints only

Measured (outcome P(alive at 36)), each call timed whole (sampling, engine, copy to host, outcome):

(a) a warm-up run of 4,096 paths (the one compile every later run reuses: same shapes, new Params);
(b) rank importance: one run of 4,096 paths;
(c) tornado over the 10 most important inputs: 1 + 2 × 10 runs of 4,096 paths (86,016 paths);
(d) the 10-input Sobol study with 2¹² base samples: (10 + 3) × 4,096 = 53,248 paths;
(e) the spread split: 2 runs of 4,096 paths.

No run compiles again after (a): the kernel's shapes depend only on the scenario's structure, the
months, the metrics and the block of paths, and the analyses change only array leaves of the Params.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _machine import loadavg, machine

import venturesim as vs
from venturesim.analysis import sensitivity as sens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "sensitivity_results.md"))
    args = parser.parse_args()
    paths, months, base = (1024, 12, 1024) if args.quick else (4096, 60, 4096)
    outcome = f"alive@{min(36, months)}"
    scenario = vs.load(ROOT / "scenarios" / "seed_stage_api.yaml")
    load_start = loadavg()
    rows = []

    def timed(label, n_paths, fn):
        start = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - start
        rows.append((label, n_paths, seconds))
        print(f"{label}: {n_paths:,} paths in {seconds:.1f} s", flush=True)
        return value

    run = sens.runner(scenario, paths=paths, seed=1, months=months, threads=2)
    first = timed("warm-up run (compiles)", paths, lambda: run.run(None))
    importance = timed("rank importance (one run)", paths, lambda: sens.importance(run.run(None), outcome))
    names = list(importance["input"][:10])
    tornado = timed(
        "tornado, 10 inputs",
        paths * 21,
        lambda: sens.tornado(scenario, outcome, names, paths=paths, seed=1, months=months, threads=2),
    )
    sobol = timed(
        "Sobol, 10 inputs, N = base samples",
        base * 13,
        lambda: sens.sobol(scenario, outcome, names, base_samples=base, seed=1, months=months, threads=2),
    )
    split = timed(
        "spread split",
        2 * paths,
        lambda: sens.spread_split(scenario, outcome, paths=paths, seed=1, months=months, threads=2),
    )
    del first
    lines = [
        f"# Sensitivity analyses: wall time ({'quick' if args.quick else 'full'})",
        "",
        (
            f"`scenarios/seed_stage_api.yaml`, {months} months, outcome P(alive at {min(36, months)}), seed 1, "
            f"threads=2; load average {load_start} at start, {loadavg()} at end."
        ),
        "",
        "| analysis | paths | wall s |",
        "|---|---:|---:|",
        *(f"| {label} | {n:,} | {s:.1f} |" for label, n, s in rows),
        "",
        "Tornado (swing of P(alive) from p10 to p90, ± SE):",
        "",
        "| input | swing | SE |",
        "|---|---:|---:|",
        *(f"| {r.input} | {r.swing:+.4f} | {r.swing_se:.4f} |" for r in tornado.itertuples()),
        "",
        f"Sobol indices ({sobol.attrs['evaluations']:,} paths; ± 95 % bootstrap half-widths):",
        "",
        "| factor | S1 | ± | ST | ± |",
        "|---|---:|---:|---:|---:|",
        *(f"| {r.factor} | {r.S1:.3f} | {r.S1_conf:.3f} | {r.ST:.3f} | {r.ST_conf:.3f} |" for r in sobol.itertuples()),
        "",
        "Spread split: " + "; ".join(f"{r.source} {r.share:.1%} ± {r.se:.1%}" for r in split.itertuples()),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
