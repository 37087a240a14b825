"""Plausibility figures of a run, for tests/test_scenarios.py (each figure's band and source are there)."""

from __future__ import annotations

import itertools

import numpy as np

from venturesim.engine.result import OPERATING_METRICS
from venturesim.funding.rounds import CLOSED

NEEDED_METRICS = ("arr", "cash", "net_burn", *OPERATING_METRICS)  # the unit economics and the bands' own


def figures(result) -> dict:
    """Graduation, dilution, failure timing, profitable survivors, gross margin, CAC payback and thriving deaths."""
    d = result.data
    T = result.months
    names = result.scenario.funding.class_names()
    rounds = {r.name: r for r in result.scenario.funding.rounds}
    status = d["round_status"].values
    closed = status == CLOSED
    pre, amount = d["round_pre_money"].values, d["round_amount"].values
    out: dict = {"graduation": {}, "dilution": {}}
    priced = [i for i, n in enumerate(names) if n in rounds and rounds[n].instrument == "priced"]
    ordered = [i for i, n in enumerate(names) if n in rounds]
    for a, b in itertools.pairwise(ordered):
        if closed[:, a].sum() >= 30:
            out["graduation"][f"{names[a]}->{names[b]}"] = float(closed[closed[:, a], b].mean())
    for i in priced:
        if closed[:, i].sum() >= 30:
            dil = amount[closed[:, i], i] / (pre[closed[:, i], i] + amount[closed[:, i], i])
            out["dilution"][names[i]] = float(np.median(dil))
    death = d["death_month"].values
    dead = death >= 0
    out["deaths"] = float(dead.mean())
    out["deaths_after_36"] = float((death > 36).sum() / max(dead.sum(), 1))
    arr = d["arr"].values  # (path, month)
    # ARR in the month before death and a year before that
    idx = np.clip(death - 1, 0, T - 1)
    arr_before = arr[np.arange(len(death)), idx]
    arr_year = arr[np.arange(len(death)), np.clip(idx - 12, 0, T - 1)]
    thriving = dead & (arr_before >= 1e6) & (arr_before >= 2.0 * arr_year)
    out["thriving_deaths"] = float(thriving.sum() / max(dead.sum(), 1))
    exited = np.isfinite(result.exited())
    alive = ~dead & ~exited
    out["alive"] = float(alive.mean())
    burn = d["net_burn"].values[:, -3:].mean(axis=1)
    out["profitable_survivors"] = float((burn[alive] <= 0).mean()) if alive.sum() >= 30 else float("nan")
    revenue = d["revenue"].values[:, -12:].sum(axis=1)
    cor = d["cost_of_revenue"].values[:, -12:].sum(axis=1)
    ok = alive & (revenue > 0)
    out["gross_margin"] = float(np.median(1.0 - cor[ok] / revenue[ok])) if ok.sum() >= 30 else float("nan")
    om = result.operating_metrics()
    payback = om["cac_payback_months"].values[:, -12:] if "cac_payback_months" in om else None
    if payback is not None:
        v = payback[alive]
        v = v[np.isfinite(v)]
        out["cac_payback"] = float(np.median(v)) if v.size >= 30 else float("nan")
    return out
