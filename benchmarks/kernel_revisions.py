"""The compiled kernel of two checkouts of venturesim, side by side: time, outputs and the work in its trace.

``benchmarks/revisions.py`` times whole ``simulate`` calls (sampling, the kernel, the Result), whose noise on 2 shared
cores hides a change of 10 % in the kernel. This script times the kernel alone: ``run_block`` compiled for one block
of 4,096 paths × 60 months of a scenario (default metrics), the median process CPU seconds of 7 warm calls, in a
fresh interpreter per checkout, the two interleaved ``--rounds`` times::

    git worktree add --detach /tmp/base <revision>
    .venv/bin/python benchmarks/kernel_revisions.py /tmp/base . --scenario benchmarks/minimal_company.yaml

Each child also prints a hash of every output of the block (records and per-path finals: a change that must not
move a number shows the same hash in both) and the work in the traced month: the elements per path computed by the
operations of ``step`` outside branches (``lax.cond`` bodies not counted, a loop's body once), in total and by the
function of venturesim that wrote the operation (``--by-function N``: the N largest).
"""

from __future__ import annotations

import os
import statistics

from revisions import revision_parser, run_in  # benchmarks/: the script's own folder

CHILD = r"""
import collections, hashlib, json, sys, time
import numpy as np, jax, jax.numpy as jnp
import venturesim as vs
import venturesim.engine.jax_engine as je
from venturesim.engine.metrics import DEFAULT_METRICS
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import path_keys, run_keys

scenario, months = sys.argv[1], int(sys.argv[2])
params_key, process_key = run_keys(1)
params, _ = sample_with_draws(vs.load(scenario), params_key, months=months, path_index=np.arange(je.BLOCK))
keys = path_keys(process_key, np.arange(1, dtype=np.uint32))
# the kernel's own jit (its static arguments and XLA options)
compiled = je.run_block.lower(params, keys, months=months, metrics=tuple(sorted(DEFAULT_METRICS)), width=1).compile()
out = jax.block_until_ready(compiled(params, keys))
times = []
for _ in range(7):
    c = time.process_time()
    jax.block_until_ready(compiled(params, keys))
    times.append(time.process_time() - c)
digest = hashlib.sha1()
for name in sorted(out[0]):
    digest.update(np.asarray(out[0][name]).tobytes())
for leaf in jax.tree_util.tree_leaves(out[1]):
    digest.update(np.asarray(leaf).tobytes())

# the work of one month: elements per path of each operation outside branches, by the venturesim function writing it
block = jax.tree_util.tree_map(jnp.asarray, params)
state = je.init(jax.random.key(0), block)
jaxpr = jax.make_jaxpr(lambda s, p, t: je.step(jax.random.key(1), s, p, t))(state, block, jnp.int32(3))
work = collections.Counter()

def site(e, outer):  # the venturesim function that wrote an operation (a jnp function's inner ones: the caller)
    for frame in e.source_info.traceback.frames if e.source_info.traceback else []:
        if "venturesim" in frame.file_name:
            return frame.file_name.split("venturesim/")[-1] + ":" + frame.function_name
    return outer


def walk(jp, outer="other"):
    for e in jp.eqns:
        if e.primitive.name == "cond":
            continue
        where = site(e, outer)
        inner = [v for v in e.params.values() if hasattr(v, "jaxpr") or hasattr(v, "eqns")]
        for v in inner:
            walk(v.jaxpr if hasattr(v, "jaxpr") else v, where)
        if not inner:
            work[where] += sum(int(np.prod(v.aval.shape)) for v in e.outvars if hasattr(v.aval, "shape")) / je.BLOCK


walk(jaxpr.jaxpr)
print(json.dumps({
    "ns_per_path_month": float(np.median(times)) / (je.BLOCK * months) * 1e9,
    "outputs": digest.hexdigest()[:12],
    "elements_per_path_month": sum(work.values()),
    "by_function": work.most_common(),
}))
"""


def main() -> None:
    ap = revision_parser(__doc__.split("\n\n")[0], rounds=5)
    ap.add_argument("--by-function", type=int, default=0, help="print the N functions with the most work")
    args = ap.parse_args()
    print(f"load average at start {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows: dict[str, list[dict]] = {"base": [], "new": []}
    for r in range(args.rounds):
        for name, checkout in (("base", args.base), ("new", args.new)):
            res = run_in(checkout, CHILD, checkout / args.scenario, args.months)
            rows[name].append(res)
            print(f"round {r + 1} {name}: {res['ns_per_path_month']:.0f} ns per path-month", flush=True)
    ratios = [n["ns_per_path_month"] / b["ns_per_path_month"] for b, n in zip(rows["base"], rows["new"], strict=True)]
    print(f"\n| checkout | ns per path-month (median of {args.rounds}) | elements per path-month | outputs |")
    print("|---|---|---|---|")
    for k in ("base", "new"):
        med = statistics.median(x["ns_per_path_month"] for x in rows[k])
        print(f"| {k} | {med:.0f} | {rows[k][0]['elements_per_path_month']:.0f} | {rows[k][0]['outputs']} |")
    print(
        f"\nnew ÷ base, kernel CPU time: median of the rounds' ratios {statistics.median(ratios):.3f} "
        f"(per round: {', '.join(f'{x:.3f}' for x in ratios)}); {args.scenario}, {args.months} months; "
        f"outputs {'identical' if rows['base'][0]['outputs'] == rows['new'][0]['outputs'] else 'DIFFERENT'}; "
        f"load average at end {'/'.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    for k in ("base", "new") if args.by_function else ():
        print(f"\n{k}: elements per path-month by function")
        for where, n in rows[k][0]["by_function"][: args.by_function]:
            print(f"  {n:8.1f}  {where}")


if __name__ == "__main__":
    main()
