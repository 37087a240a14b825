"""The DES engine's speed against a plain SimPy model of the same tiny company (issue 21).

Run from the repository root::

    .venv/bin/python benchmarks/des_peer.py            # 512 paths × 60 months, 5 repeats (~1-2 min)
    .venv/bin/python benchmarks/des_peer.py --quick    # 64 paths, 3 repeats

The company is ``benchmarks/minimal_company_des.yaml``: one segment adopting by
Bass diffusion (the exact one-month flow), a flat price, a monthly churn, a
flat burn and one round started when runway falls under its trigger. The
**peer** is that company written as a plain SimPy model, the way a SimPy user
would: per path one ``simpy.Environment``, a monthly process drawing churn and
adoption as NumPy binomials from the path's ``numpy.random.Generator``, a
fundraise process that waits its time to close and draws its success, the
cash identity, death at cash < 0 and the records kept in Python lists. The
**DES** is ``vs.simulate(scenario, engine="des", workers=1)`` on the YAML
(default metrics; sampling the inputs, the event log and the Result included),
after one warm-up call.

Both run in this process, interleaved (peer, DES, peer, DES, …); each
repeat's ratio is peer CPU seconds ÷ DES CPU seconds (the DES's speed as a
fraction of the peer's), and the median ratio is printed. Goal (issue 21):
≥ 0.2.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _machine

SCENARIO = ROOT / "benchmarks" / "minimal_company_des.yaml"
MONTHS = 60
SEED = 1
GOAL = 0.2


def peer_path(path: int, months: int, seed: int, c) -> dict:
    """One path of the tiny company as a plain SimPy model; ``c``: the company's numbers (a dict)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, path]))
    env = simpy.Environment()
    state = {"cash": c["cash"], "customers": 0, "adopters": 0, "alive": True, "raising": False, "tried": False}
    records: dict[str, list] = {"cash": [], "arr": [], "alive": [], "customers": [], "runway": []}
    m, p, q = c["market_size"], c["p"], c["q"]

    def fundraise():
        yield env.timeout(c["time_to_close"])
        state["raising"] = False
        if state["alive"] and rng.random() < c["success"]:
            state["cash"] += c["amount"]

    def months_process():
        for _t in range(months):
            yield env.timeout(1)
            if not state["alive"]:
                for name, value in (("cash", state["cash"]), ("arr", 0.0), ("alive", False), ("customers", 0)):
                    records[name].append(value)
                records["runway"].append(math.nan)
                continue
            churned = rng.binomial(state["customers"], c["churn"])
            f = state["adopters"] / m  # Bass: the exact one-month flow from fraction f
            x = (1.0 - f) / (1.0 + q / p * f) * math.exp(-(p + q))
            f_next = (1.0 - x) / (1.0 + q / p * x)
            adopted = rng.binomial(m - state["adopters"], min(max((f_next - f) / max(1.0 - f, 1e-12), 0.0), 1.0))
            state["adopters"] += adopted
            state["customers"] += adopted - churned
            revenue = state["customers"] * c["price"]
            net_burn = c["burn"] - revenue
            state["cash"] += revenue - c["burn"]
            if state["cash"] < 0:
                state["alive"] = False
            runway = (state["cash"] / net_burn if net_burn > 0 else math.inf) if state["alive"] else math.nan
            records["cash"].append(state["cash"])
            records["arr"].append(12.0 * revenue if state["alive"] else 0.0)
            records["alive"].append(state["alive"])
            records["customers"].append(state["customers"] if state["alive"] else 0)
            records["runway"].append(runway)
            if state["alive"] and not state["tried"] and runway < c["trigger"]:
                state["tried"] = state["raising"] = True
                env.process(fundraise())

    env.process(months_process())
    env.run()
    return {k: np.asarray(v) for k, v in records.items()}


def peer(paths: int, c) -> dict:
    """Every path of the peer, stacked (paths, months) per metric."""
    runs = [peer_path(i, MONTHS, SEED, c) for i in range(paths)]
    return {k: np.stack([r[k] for r in runs]) for k in runs[0]}


def company_numbers(scenario) -> dict:
    """The peer's numbers, read from the YAML's scenario (every one fixed: no uncertainty)."""
    seg, rnd = scenario.market.segments[0], scenario.funding.rounds[0]
    return {
        "cash": float(scenario.company.initial_cash),
        "burn": float(scenario.company.other_monthly_costs),
        "market_size": int(seg.market_size),
        "p": float(seg.bass_p_annual) / 12.0,
        "q": float(seg.bass_q_annual) / 12.0,
        "price": float(seg.price),
        "churn": float(seg.churn),
        "trigger": float(rnd.trigger_runway_months),
        "success": float(rnd.success_probability),
        "amount": float(rnd.amount),
        "time_to_close": float(rnd.time_to_close_months),
    }


def cpu(fn):
    c0 = time.process_time()
    out = fn()
    return time.process_time() - c0, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 paths, 3 repeats")
    ap.add_argument("--paths", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    paths = args.paths or (64 if args.quick else 512)
    repeats = args.repeats or (3 if args.quick else 5)

    import venturesim as vs

    scenario = vs.load(SCENARIO)
    c = company_numbers(scenario)
    load_start = _machine.loadavg()

    def des():
        return vs.simulate(scenario, engine="des", paths=paths, seed=SEED, months=MONTHS, workers=1)

    des_warm, _ = cpu(lambda: vs.simulate(scenario, engine="des", paths=64, seed=SEED, months=MONTHS, workers=1))
    ratios, peer_s, des_s = [], [], []
    for _ in range(repeats):
        a, mine = cpu(lambda: peer(paths, c))
        b, theirs = cpu(des)
        peer_s.append(a)
        des_s.append(b)
        ratios.append(a / b)
    ratio = statistics.median(ratios)
    survival = (float(np.mean(mine["alive"][:, -1])), float(np.asarray(theirs.data["alive"][:, -1]).mean()))
    print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; load average {load_start} -> {_machine.loadavg()}")
    print(f"{paths} paths × {MONTHS} months, {repeats} repeats interleaved; DES warm-up {des_warm:.2f} CPU s")
    print("peer (plain SimPy) CPU s:", " ".join(f"{x:.2f}" for x in peer_s))
    print("venturesim DES CPU s:    ", " ".join(f"{x:.2f}" for x in des_s))
    print(
        f"per path-month: peer {1e6 * statistics.median(peer_s) / (paths * MONTHS):.0f} µs, "
        f"DES {1e6 * statistics.median(des_s) / (paths * MONTHS):.0f} µs"
    )
    print(f"survival at month {MONTHS}: peer {survival[0]:.2f}, DES {survival[1]:.2f} (the same model)")
    print("ratios:", " ".join(f"{x:.4f}" for x in ratios))
    verdict = "pass" if ratio >= GOAL else "not met"
    print(f"venturesim DES / plain SimPy speed: {ratio:.4f}× (goal ≥ {GOAL}×: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
