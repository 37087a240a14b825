"""How far specialising the kernel to a scenario's domains could go (issue 21): the compiled ``run_block`` on one
block of 4,096 paths × 60 months of ``benchmarks/minimal_company.yaml``, whole and with the steps the minimal model
does not use stubbed out at trace time (their outputs replaced by zeros of the same shapes; the numbers are then
wrong, only the time counts). Each variant runs in a fresh interpreter; ns per path-month is the median of 7 warm
calls (process CPU seconds).

    .venv/bin/python benchmarks/kernel_ablation.py [scenario.yaml]

    .venv/bin/python benchmarks/kernel_ablation.py scenarios/seed_stage_api.yaml \
        --stub venturesim.team._rules.openings,venturesim.team.step.month_costs ...

``--stub`` replaces the named domains with a list of variants, each a function (``module.name``, comma-separated
for several in one variant) stubbed the same way, where the kernel's step looks it up (a rule the step calls as
``rules.x`` is stubbed in its module, one imported by name in the step's module).

Prints one line per variant (the number of fusions XLA made, ns per path-month and the compile's CPU seconds) for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ["", "team", "partners", "exits", "debt", "product", "finals", "window"]
ALL = "team,partners,exits,debt,product,finals,window"

CHILD = r"""
import re, sys, time
import numpy as np, jax, jax.numpy as jnp
import venturesim as vs
import venturesim.engine.jax_engine as je
from venturesim.engine.simulate import run_keys, path_keys
from venturesim.engine.params import sample_with_draws
from venturesim.engine.metrics import DEFAULT_METRICS

def zeros(f, *a):
    return jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), jax.eval_shape(f, *a))

which = [w for w in sys.argv[2].split(",") if w]
for name in [w for w in which if "." in w]:  # --stub: module.function, outputs replaced by zeros
    import importlib
    module, _, attr = name.rpartition(".")
    module = importlib.import_module(module)
    setattr(module, attr, lambda *a, f=getattr(module, attr), **k: zeros(lambda *a: f(*a, **k), *a))
if "team" in which:
    team = je.step_team
    je.step_team = lambda key, s, p, t, a, sig: (s, zeros(lambda *x: team(*x)[1], key, s, p, t, a, sig))
if "partners" in which:
    partners = je.step_partnerships
    je.step_partnerships = lambda key, s, p, t, a, arr, c: (
        s, zeros(lambda *x: partners(*x)[1], key, s, p, t, a, arr, c))
if "exits" in which:
    je.step_exits = lambda key, s, p, t, was, nxt, arr, hc, sale=None: (s, jnp.zeros(arr.shape, bool))
if "debt" in which:
    debt, notes = je.step_debt, je.step_notes
    je.step_debt = lambda s, f, t, a, xp: zeros(lambda s, t, a: debt(s, f, t, a, xp=xp), s, t, a)
    je.step_notes = lambda s, f, t, a, g, xp: ({}, zeros(lambda s, t, a, g: notes(s, f, t, a, g, xp=xp)[1], s, t, a, g))
if "product" in which:
    product = je.product_month
    je.product_month = lambda s, p, t: zeros(product, s, p, t)
if "finals" in which:
    je.final_results = lambda funding, partners, params, cash, arr, runway, death, xp, runs: {
        "cash": cash, "arr": arr, "runway": runway, "death_month": death}
if "window" in which:
    je.months_to_window = lambda status, nt, f, t, arr, g, xp: jnp.zeros(arr.shape, arr.dtype)
    je.months_to_close = lambda r, rt, t, xp: jnp.zeros(r.shape[:1], jnp.float32)

sc = vs.load(sys.argv[1])
params_key, process_key = run_keys(1)
params, _ = sample_with_draws(sc, params_key, months=60, path_index=np.arange(je.BLOCK))
keys = path_keys(process_key, np.arange(1, dtype=np.uint32))
# the kernel's own jit (its static arguments and XLA options)
start = time.process_time()
compiled = je.run_block.lower(params, keys, months=60, metrics=tuple(sorted(DEFAULT_METRICS)), width=1).compile()
compile_s = time.process_time() - start
fusions = len(re.findall(r"= \S+ fusion\(", compiled.as_text()))
jax.block_until_ready(compiled(params, keys))
times = []
for _ in range(7):
    c = time.process_time()
    jax.block_until_ready(compiled(params, keys))
    times.append(time.process_time() - c)
ns = np.median(times) / (je.BLOCK * 60) * 1e9
label = ",".join(which) or "whole kernel"
print(f"{label}: {fusions} fusions, {ns:.0f} ns per path-month, compile {compile_s:.1f} CPU s")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "benchmarks" / "minimal_company.yaml"))
    parser.add_argument("--stub", nargs="+", help="variants of module.function[,module.function] to stub instead")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print("load average at start", "/".join(f"{x:.1f}" for x in os.getloadavg()))
    variants = ["", *args.stub, ""] if args.stub else [*VARIANTS, ALL, ""]
    for variant in variants:
        subprocess.run([sys.executable, "-c", CHILD, args.scenario, variant], check=True, env=env)
    print("load average at end", "/".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
