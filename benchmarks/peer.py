"""venturesim against hand-written peers of the same tiny model (issue 21), like for like.

The model is ``benchmarks/minimal_company.yaml``: one segment adopting by Bass diffusion (the exact
one-month flow map) and churning, a flat price, a fixed monthly burn and one priced round started when
the runway falls under the trigger and closing with a fixed probability after a fixed time. Three
implementations of it run in one process, interleaved, each timed in CPU seconds (``time.process_time``:
every thread of the process, so a run that spreads over both cores is charged for both):

* **numpy**: hand-vectorised NumPy, vectorised over paths, a Python loop over months, ``Generator.binomial``;
* **jax-scan**: a naive ``jax.jit`` + ``lax.scan`` over months with ``jax.random.binomial``;
* **venturesim**: ``vs.simulate`` on the YAML (after a warm-up run that compiles), default metrics;
* with ``--workers N``, also **venturesim, workers=N**: the same call on N worker processes, one core each
  (:mod:`venturesim.engine.core_pool`), charged the CPU seconds of this process and of its workers
  (``/proc/<pid>/stat``, Linux; 10 ms ticks).

Each repeat runs the three in turn; the table gives each one's median CPU seconds and path-months per CPU
second, and the medians over repeats of the ratios venturesim / peer (> 1: venturesim is faster). Then the
default scenario, ``scenarios/seed_stage_api.yaml`` (60 months, warm), at 16,384 and 65,536 paths:
path-months per wall second and per CPU second.

Usage::

    .venv/bin/python benchmarks/peer.py                 # 16,384 paths, 5 repeats
    .venv/bin/python benchmarks/peer.py --paths 65536 --repeats 3 --no-default
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import venturesim as vs

HERE = Path(__file__).resolve().parent
MINIMAL = HERE / "minimal_company.yaml"
DEFAULT = HERE.parent / "scenarios" / "seed_stage_api.yaml"

# The constants of minimal_company.yaml (checked against the loaded scenario in main()).
CASH0, BURN = 1_500_000.0, 200_000.0
SIZE, P_MONTHLY, Q_MONTHLY = 20_000.0, 0.03 / 12, 0.38 / 12
PRICE, CHURN, CUSTOMERS0 = 80.0, 0.03, 10.0
TRIGGER, SUCCESS, AMOUNT, CLOSE = 6.0, 0.5, 3_000_000.0, 3.0
WAITING, RAISING, DONE = 0, 1, 2


def _adoption_probability(adopters, xp):
    """The chance that a non-adopter adopts this month: the exact one-month Bass flow map from f = adopters/m."""
    ratio, decay = Q_MONTHLY / P_MONTHLY, np.exp(-(P_MONTHLY + Q_MONTHLY))
    f = adopters / SIZE
    x_next = (1.0 - f) / (1.0 + ratio * f) * decay
    f_next = (1.0 - x_next) / (1.0 + ratio * x_next)
    return xp.where(f < 1.0, (f_next - f) / xp.maximum(1.0 - f, 1e-12), 0.0)


def numpy_peer(paths: int, months: int, seed: int) -> dict[str, np.ndarray]:
    """The model in hand-vectorised NumPy (float64): a loop over months, every line vectorised over paths."""
    rng = np.random.default_rng(seed)
    cash = np.full(paths, CASH0)
    alive = np.ones(paths, bool)
    customers = np.full(paths, CUSTOMERS0)
    adopters = customers.copy()
    status = np.zeros(paths, np.int8)
    resolve = np.zeros(paths)
    out = {k: np.empty((months, paths), np.float32) for k in ("cash", "arr", "alive", "customers", "runway")}
    for t in range(months):
        churned = rng.binomial(np.where(alive, customers, 0.0).astype(np.int64), CHURN)
        new = rng.binomial(np.where(alive, SIZE - adopters, 0.0).astype(np.int64), _adoption_probability(adopters, np))
        customers = customers - churned + new
        adopters = adopters + new
        revenue = np.where(alive, customers * PRICE, 0.0)
        due = alive & (status == RAISING) & (resolve < t + 1.0)
        closed = due & (rng.random(paths) < SUCCESS)
        status = np.where(due, DONE, status)
        costs = np.where(alive, BURN, 0.0)
        cash = cash + revenue - costs + np.where(closed, AMOUNT, 0.0)
        alive_next = alive & (cash >= 0.0)
        burn = costs - revenue
        with np.errstate(divide="ignore", invalid="ignore"):
            runway = np.where(burn > 0, cash / np.maximum(burn, 1e-9), np.inf)
        runway = np.where(alive_next, runway, np.nan)
        start = alive_next & (status == WAITING) & (runway < TRIGGER)
        status = np.where(start, RAISING, status)
        resolve = np.where(start, t + 1.0 + CLOSE, resolve)
        out["cash"][t], out["arr"][t], out["alive"][t] = cash, 12.0 * np.where(alive_next, revenue, 0.0), alive_next
        out["customers"][t], out["runway"][t] = np.where(alive_next, customers, 0.0), runway
        alive = alive_next
    return out


def _jax_month(carry, key_t):
    """One month of the model for every path (float32), with ``jax.random.binomial``."""
    cash, alive, customers, adopters, status, resolve, t = carry
    k1, k2, k3 = jax.random.split(key_t, 3)
    churned = jax.random.binomial(k1, jnp.where(alive, customers, 0.0), CHURN)
    new = jax.random.binomial(k2, jnp.where(alive, SIZE - adopters, 0.0), _adoption_probability(adopters, jnp))
    customers = customers - churned + new
    adopters = adopters + new
    revenue = jnp.where(alive, customers * PRICE, 0.0)
    due = alive & (status == RAISING) & (resolve < t + 1.0)
    closed = due & (jax.random.uniform(k3, cash.shape) < SUCCESS)
    status = jnp.where(due, DONE, status)
    costs = jnp.where(alive, BURN, 0.0)
    cash = cash + revenue - costs + jnp.where(closed, AMOUNT, 0.0)
    alive_next = alive & (cash >= 0.0)
    burn = costs - revenue
    runway = jnp.where(burn > 0, cash / jnp.maximum(burn, 1e-9), jnp.inf)
    runway = jnp.where(alive_next, runway, jnp.nan)
    start = alive_next & (status == WAITING) & (runway < TRIGGER)
    status = jnp.where(start, RAISING, status)
    resolve = jnp.where(start, t + 1.0 + CLOSE, resolve)
    record = {
        "cash": cash,
        "arr": 12.0 * jnp.where(alive_next, revenue, 0.0),
        "alive": alive_next,
        "customers": jnp.where(alive_next, customers, 0.0),
        "runway": runway,
    }
    return (cash, alive_next, customers, adopters, status, resolve, t + 1.0), record


def jax_peer(paths: int, months: int, seed: int):
    """The model as a naive ``jit`` + ``lax.scan`` over months (compiled once per shape)."""
    return _jax_scan(jax.random.key(seed), paths, months)


def _jax_scan_impl(key, paths: int, months: int):
    f32 = jnp.float32
    carry = (
        jnp.full(paths, CASH0, f32),
        jnp.ones(paths, bool),
        jnp.full(paths, CUSTOMERS0, f32),
        jnp.full(paths, CUSTOMERS0, f32),
        jnp.zeros(paths, jnp.int8),
        jnp.zeros(paths, f32),
        f32(0.0),
    )
    _, records = jax.lax.scan(_jax_month, carry, jax.random.split(key, months))
    return records


_jax_scan = jax.jit(_jax_scan_impl, static_argnames=("paths", "months"))


def _check_constants(scenario) -> None:
    """The peers' constants are the YAML's (a 1-path sample of the scenario)."""
    p = vs.sample(scenario, jax.random.key(0), 1, months=1)
    got = {
        "cash": float(p.company.initial_cash[0]),
        "burn": float(p.company.other_costs[0, 0]),
        "size": float(p.market.market_size[0, 0]),
        "price": float(p.market.price[0, 0, 0]),
        "churn": float(p.market.churn[0, 0, 0]),
        "success": float(p.funding.success_probability[0, 0]),
        "amount": float(p.funding.amount[0, 0]),
    }
    want = {"cash": CASH0, "burn": BURN, "size": SIZE, "price": PRICE, "churn": CHURN, "success": SUCCESS}
    want["amount"] = AMOUNT
    for name, value in want.items():
        assert abs(got[name] - value) <= 1e-6 * abs(value), (name, got[name], value)


def _workers_cpu() -> float:
    """CPU seconds (user + system) so far of every worker process of venturesim's core pools."""
    from venturesim.engine import core_pool

    ticks = 0
    for pool in core_pool._POOLS.values():
        for worker in pool.workers:
            with open(f"/proc/{worker.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu(fn):
    """(CPU seconds, wall seconds, result) of fn(), the CPU of this process and of venturesim's workers."""
    c0, w0, k0 = time.process_time(), time.perf_counter(), _workers_cpu()
    out = fn()
    out = jax.block_until_ready(out) if not isinstance(out, vs.Result) else out
    return time.process_time() - c0 + _workers_cpu() - k0, time.perf_counter() - w0, out


def _survival(alive) -> str:
    a = np.asarray(alive)
    return f"{a[23].mean():.3f} / {a[-1].mean():.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, default=16_384)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-default", action="store_true", help="skip the default scenario's throughput")
    ap.add_argument("--workers", type=int, default=0, help="also run venturesim on this many worker processes")
    args = ap.parse_args()
    from _machine import loadavg

    paths, months = args.paths, args.months
    print(f"# peer.py: {paths:,} paths × {months} months; load average {loadavg()} at start, {time.strftime('%F %T')}")
    minimal = vs.load(MINIMAL)
    _check_constants(minimal)

    runs = {
        "numpy": lambda s: numpy_peer(paths, months, s),
        "jax-scan": lambda s: jax_peer(paths, months, s),
        "venturesim": lambda s: vs.simulate(minimal, paths=paths, seed=s, months=months),
    }
    if args.workers:
        name = f"venturesim, workers={args.workers}"
        runs[name] = lambda s: vs.simulate(minimal, paths=paths, seed=s, months=months, workers=args.workers)
    for run in runs.values():  # warm-up: compile
        run(0)
    times: dict[str, list[float]] = {k: [] for k in runs}
    last = {}
    for r in range(args.repeats):
        for name, run in runs.items():
            cpu, _, out = _cpu(lambda run=run, r=r: run(r + 1))
            times[name].append(cpu)
            last[name] = out
    pm = paths * months
    print("\n| implementation | CPU s (median) | path-months / CPU s | venturesim speed-up (median of ratios) |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        ratio = statistics.median(t / v for t, v in zip(ts, times["venturesim"], strict=True))
        print(f"| {name} | {statistics.median(ts):.3f} | {pm / statistics.median(ts):.3g} | {ratio:.2f}× |")
    alive = {
        "numpy": last["numpy"]["alive"],
        "jax-scan": last["jax-scan"]["alive"],
        "venturesim": last["venturesim"].data["alive"].transpose("month", "path").values,
    }
    alive |= {
        k: v.data["alive"].transpose("month", "path").values for k, v in last.items() if k.startswith("venturesim,")
    }
    print("\nsurvival at month 24 / 60 (sanity: the same model):", {k: _survival(v) for k, v in alive.items()})

    if not args.no_default:
        default = vs.load(DEFAULT)
        vs.simulate(default, paths=4096, seed=0, months=60)  # compile
        print("\n| seed_stage_api.yaml, 60 months | wall s | CPU s | path-months / wall s | path-months / CPU s |")
        print("|---|---|---|---|---|")
        for n in (16_384, 65_536):
            cpu, wall, _ = _cpu(lambda n=n: vs.simulate(default, paths=n, seed=1, months=60))
            print(f"| {n:,} paths | {wall:.2f} | {cpu:.2f} | {n * 60 / wall:.3g} | {n * 60 / cpu:.3g} |")
    print(f"\nload average {loadavg()} at end")


if __name__ == "__main__":
    main()
