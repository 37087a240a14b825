"""Throughput of the JAX engine in two checkouts of venturesim, measured side by side in one run.

A refactor that must not slow the engine (issue 13: "the JAX engine's path-months/s on
``scenarios/seed_stage_api.yaml`` is no lower") is measured here against the revision before it.
Each checkout runs in its own fresh Python subprocess (its own ``venturesim`` on ``PYTHONPATH``),
and the two are interleaved ``--rounds`` times, so machine load drifts over both alike::

    git worktree add --detach /tmp/base <revision>
    .venv/bin/python benchmarks/revisions.py /tmp/base . --paths 100000 --rounds 3

In each subprocess: one ``simulate`` call compiles (and is discarded), then the best of
``--repeats`` warm calls is kept. Path-months/s = paths × months / wall seconds of that call
(sampling, the kernel and the copy of records to host included: what a user waits for). The
figure reported per checkout is the median over rounds, and the ratio is new ÷ base of those
medians; each round's ratio is printed too so the spread is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
import venturesim as vs
scenario, paths, months, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sc = vs.load(scenario)
t0 = time.perf_counter(); vs.simulate(sc, paths=min(paths, 16384), seed=1, months=months)
compile_s = time.perf_counter() - t0
best = float("inf")
for _ in range(repeats):
    t0 = time.perf_counter(); r = vs.simulate(sc, paths=paths, seed=1, months=months)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"first_call_s": compile_s, "best_s": best, "path_months_per_s": paths * months / best,
                  "venturesim": vs.__file__}))
"""


def run_in(checkout: Path, code: str, *args) -> dict:
    """Run ``code`` in a fresh interpreter importing ``venturesim`` from ``checkout`` (in it, with ``args`` as
    ``sys.argv[1:]``); returns the JSON object its last line prints."""
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], env=env, cwd=checkout, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def revision_parser(description: str, rounds: int) -> argparse.ArgumentParser:
    """The arguments of a benchmark of two checkouts: the two, the scenario, the horizon and the rounds."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("base", type=Path, help="checkout of the baseline revision")
    ap.add_argument("new", type=Path, help="checkout of the revision under test")
    ap.add_argument("--scenario", default="scenarios/seed_stage_api.yaml")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=rounds)
    return ap


def main() -> None:
    ap = revision_parser(__doc__.split("\n\n")[0], rounds=3)
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    rows: dict[str, list[dict]] = {"base": [], "new": []}
    for r in range(args.rounds):
        for name, checkout in (("base", args.base), ("new", args.new)):
            res = run_in(checkout, CHILD, checkout / args.scenario, args.paths, args.months, args.repeats)
            rows[name].append(res)
            print(
                f"round {r + 1} {name}: {res['path_months_per_s']:,.0f} path-months/s "
                f"(first call {res['first_call_s']:.1f} s; {res['venturesim']})",
                flush=True,
            )
    ratios = [n["path_months_per_s"] / b["path_months_per_s"] for b, n in zip(rows["base"], rows["new"], strict=True)]
    med = {k: statistics.median(x["path_months_per_s"] for x in v) for k, v in rows.items()}
    first = {k: statistics.median(x["first_call_s"] for x in v) for k, v in rows.items()}
    print(f"\n| checkout | path-months/s (median of {args.rounds}) | first call, s |\n|---|---|---|")
    for k in ("base", "new"):
        print(f"| {k} | {med[k]:,.0f} | {first[k]:.1f} |")
    print(
        f"\nnew ÷ base = {med['new'] / med['base']:.3f} (per round: {', '.join(f'{x:.3f}' for x in ratios)}); "
        f"{args.paths:,} paths × {args.months} months, {args.scenario}, load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
