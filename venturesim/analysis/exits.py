"""How a run's paths exit, and the returns its rounds realise, each figure with its Monte Carlo standard error.

Per path and round r that closed (month c_r, amount A_r) and a path that
exited (month e, proceeds P_r from the waterfall):

    MOIC_r = P_r / A_r,        IRR_r = MOIC_r^{12 / (e − c_r)} − 1  (annual; two cash flows),

with e − c_r floored at one month. A path still private at the horizon has
no realised return: it is counted in the share of paths still private, and
left out of the MOIC distribution (stated in every table). A $X cheque in
round r on the round's terms owns X/A_r of the round's class, so its
proceeds are X · MOIC_r: :func:`cheque_returns` gives their distribution
over a run's own exits. (To price a cheque on other terms against given
exit values, use :func:`venturesim.funding.shares.returns.cheque_at_exits`.)

Still-private companies are marked at the horizon, two ways, each shown and
labelled (neither is a realised return): at the **last post-money** (the
pre-money + amount of the latest round that closed on the path) and at an
**ARR multiple** (final ARR × ``funding.pricing.arr_multiple``, the run-rate
multiple the scenario's rounds are priced at; 8.1 by default, Blossom Street
Ventures' median Series A ask). The round's investors hold their fully diluted
fraction ``round_ownership`` of it, so

    marked MOIC_r = round_ownership_r · mark / A_r

(liquidation preferences ignored: a mark, not a waterfall). A realised path
that died (a shutdown) returns its waterfall's proceeds, usually 0. Every
table states its n and which paths it is over (``n`` and ``conditioning``
columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from venturesim.analysis import _stats
from venturesim.funding.shares.returns import annualised
from venturesim.funding.terms import EXIT_KINDS, NO_EXIT

CLOSED = 2  # a round's status code, venturesim.funding.rounds.CLOSED


def exit_table(result) -> pd.DataFrame:
    """Share of paths by how they ended (private at the horizon, acquisition, IPO, acqui-hire, shutdown)
    and the value of those exits, USD."""
    ds = result.data
    kind, value = ds["exit_kind"].values, ds["exit_value"].values
    rows = []
    for k, name in enumerate(EXIT_KINDS):
        chosen = kind == k
        share, se = _stats.proportion(chosen)
        median = float(np.median(value[chosen])) if chosen.any() and k != NO_EXIT else np.nan
        rows.append(
            {
                "exit": name,
                "share": share,
                "se": se,
                "median_value": median,
                "mean_value": float(value[chosen].mean()) if chosen.any() and k != NO_EXIT else np.nan,
            }
        )
    return pd.DataFrame(rows)


MARKS = ("post_money", "arr_multiple")
"""How a still-private company is marked at the horizon (module docstring)."""


def marked_value(result, how: str) -> np.ndarray:
    """Per path, the company's value at the horizon, USD, for marking a still-private company: ``"post_money"``,
    the last closed round's pre-money + amount (NaN if none closed), or ``"arr_multiple"``, final ARR ×
    ``funding.pricing.arr_multiple``."""
    ds = result.data
    if how == "arr_multiple":
        return np.asarray(ds["final_arr"].values, np.float64) * float(result.scenario.funding.pricing.arr_multiple)
    if how != "post_money":
        raise ValueError(f"mark(={how!r}) must be one of {MARKS}")
    closed = ds["round_status"].values == CLOSED
    if not closed.shape[1]:
        return np.full(result.paths, np.nan)
    post = np.asarray(ds["round_pre_money"].values, np.float64) + np.asarray(ds["round_amount"].values, np.float64)
    latest = np.argmax(np.where(closed, ds["round_close_month"].values, -np.inf), axis=1)
    value = post[np.arange(result.paths), latest]
    return np.where(closed.any(axis=1), value, np.nan)


def mark_label(result, how: str) -> str:
    """Words for a mark: "last post-money" or "8.1× ARR (funding.pricing.arr_multiple)"."""
    if how == "post_money":
        return "last post-money"
    return f"{result.scenario.funding.pricing.arr_multiple:g}× ARR (funding.pricing.arr_multiple)"


def marked_moic(result, round_name: str, how: str) -> tuple[np.ndarray, np.ndarray]:
    """(MOIC, realised) over the paths where ``round_name`` closed: the realised MOIC where the company exited or died
    by the horizon, else round_ownership × :func:`marked_value` / amount; ``realised`` flags the former."""
    ds = result.data
    r = [str(n) for n in ds["round"].values].index(round_name)
    closed = ds["round_status"].values[:, r] == CLOSED
    done = ds["exit_kind"].values != NO_EXIT
    amount = np.asarray(ds["round_amount"].values[:, r], np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        realised = np.asarray(ds["round_proceeds"].values[:, r], np.float64) / amount
        marked = np.asarray(ds["round_ownership"].values[:, r], np.float64) * marked_value(result, how) / amount
    return np.where(done, realised, marked)[closed], done[closed]


def _conditioning(result, round_name: str, realised: int, private: int) -> str:
    return (
        f"paths where '{round_name}' closed: {realised:,} realised (sold, listed, acqui-hired or shut down by month "
        f"{result.months}), {private:,} still private (marked, not realised)"
    )


def _realised(result, round_name: str):
    ds = result.data
    r = list(ds["round"].values).index(round_name)
    closed = ds["round_status"].values[:, r] == CLOSED
    exited = ds["exit_kind"].values != NO_EXIT
    chosen = closed & exited
    moic = ds["round_proceeds"].values[chosen, r] / ds["round_amount"].values[chosen, r]
    irr = annualised(moic, np.maximum(ds["exit_month"].values[chosen] - ds["round_close_month"].values[chosen, r], 1.0))
    return closed, chosen, moic, irr


def round_returns(result) -> pd.DataFrame:
    """Per round: P(closed); n, the realised paths and the still-private ones, and the ``conditioning`` in words;
    the realised MOIC (p10/p50/p90, mean ± s.e., P(< 1×), P(≥ 10×)) and IRR over the realised paths; and the MOIC
    p10/p50/p90 over all paths where it closed, still-private ones marked at the last post-money
    (``marked_post_money_*``) and at the ARR multiple (``marked_arr_multiple_*``; module docstring). A figure over
    no paths is NaN ("n/a"), never 0."""
    rows = []
    for name in result.data["round"].values:
        name = str(name)
        closed, chosen, moic, irr = _realised(result, name)
        private = int((closed & ~chosen).sum())
        row = {
            "round": name,
            "p_closed": closed.mean(),
            "n": int(closed.sum()),
            "realised": int(chosen.sum()),
            "still_private": private,
            "conditioning": _conditioning(result, name, int(chosen.sum()), private),
        }
        for q in _stats.QUANTILES:
            row[f"moic_p{round(100 * q)}"] = _stats.quantile(moic, q)[0]
        row["moic_mean"], row["moic_mean_se"] = _stats.mean(moic)
        row["p_moic_below_1"], _ = _stats.proportion(moic < 1.0)
        row["p_moic_10x"], _ = _stats.proportion(moic >= 10.0)
        row["irr_median"] = _stats.quantile(irr, 0.5)[0]
        for how in MARKS:
            marked, _ = marked_moic(result, name, how)
            marked = marked[~np.isnan(marked)]
            for q in _stats.QUANTILES:
                row[f"marked_{how}_p{round(100 * q)}"] = _stats.quantile(marked, q)[0]
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["round", "p_closed", "n", "realised", "still_private"])


def cheque_returns(
    result, round_name: str, cheque: float, q: Sequence[float] = _stats.FAN_QUANTILES, mark: str | None = None
) -> pd.DataFrame:
    """Distribution of what a ``cheque`` (USD) in ``round_name`` returns: proceeds (USD), MOIC and IRR quantiles
    with SEs (``q``: by default the report's p10, p25, p50, p75, p90), and the ``n`` and ``conditioning`` of the
    paths it is over.

    ``mark=None``: over the paths where the round closed and the company exited or died by the horizon (realised).
    ``mark="post_money"`` or ``"arr_multiple"``: over every path where it closed, the still-private ones marked
    (module docstring); the IRR column is then NaN (a mark has no exit date)."""
    if cheque <= 0:
        raise ValueError(f"cheque(={cheque}) must be > 0")
    names = [str(n) for n in result.data["round"].values]
    if round_name not in names:
        raise ValueError(f"round {round_name!r} is not in the scenario; rounds are {names}")
    closed, chosen, moic, irr = _realised(result, round_name)
    private = int((closed & ~chosen).sum())
    conditioning = _conditioning(result, round_name, int(chosen.sum()), private)
    if mark is None:
        conditioning += "; over the realised paths only"
    else:
        moic, _ = marked_moic(result, round_name, mark)
        moic, irr = moic[~np.isnan(moic)], np.full(moic.size, np.nan)
        conditioning += f"; still-private marked at {mark_label(result, mark)}"
    if moic.size == 0:
        raise ValueError(f"round {round_name!r}: no paths to price a cheque over ({conditioning})")
    rows = []
    for p in q:
        m, se = _stats.quantile(moic, p)
        irr_p = _stats.quantile(irr, p)[0] if np.isfinite(irr).any() else np.nan
        rows.append({"quantile": p, "proceeds": cheque * m, "moic": m, "moic_se": se, "irr": irr_p})
    table = pd.DataFrame(rows)
    table["n"] = moic.size
    table["conditioning"] = conditioning
    table.attrs["conditioning"] = conditioning
    return table


def summary_rows(result) -> list[tuple]:
    """Rows for :func:`venturesim.analysis.summary.summarize`: exits and realised returns when some path was sold,
    listed or acqui-hired; each round's MOIC with still-private companies marked (both marks) when some are."""
    ds = result.data
    if "exit_kind" not in ds:
        return []
    kinds = ds["exit_kind"].values
    exited = np.isin(kinds, (1, 2, 3))  # sold, listed or acqui-hired
    sold = bool(exited.any())
    rows = []
    for k, name in enumerate(EXIT_KINDS):
        if k != NO_EXIT and sold and (kinds == k).any():  # a kind no path ended in (none modelled) prints nothing
            rows.append(
                ("exits", f"{name} by month {result.months}", "probability", *_stats.proportion(kinds == k), "fraction")
            )
    founders = ds["founder_proceeds"].values[exited]  # not shutdowns: their asset sale goes to preferences first
    for q in (0.5, 0.9) if sold else ():
        rows.append(
            (
                "exits",
                f"founders' proceeds (paths sold, listed or acqui-hired, n={founders.size:,})",
                f"p{round(100 * q)}",
                *_stats.quantile(founders, q),
                "USD",
            )
        )
    for name in ds["round"].values:
        name = str(name)
        closed, chosen, moic, _ = _realised(result, name)
        if not closed.any():
            continue
        realised = f"realised: n={moic.size:,} of {int(closed.sum()):,} where it closed"
        if moic.size and sold:
            rows.append(("returns", f"round '{name}' MOIC ({realised})", "p50", *_stats.quantile(moic, 0.5), "×"))
            rows.append(
                (
                    "returns",
                    f"round '{name}' MOIC < 1 ({realised})",
                    "probability",
                    *_stats.proportion(moic < 1),
                    "fraction",
                )
            )
            rows.append(
                (
                    "returns",
                    f"round '{name}' MOIC ≥ 10 ({realised})",
                    "probability",
                    *_stats.proportion(moic >= 10),
                    "fraction",
                )
            )
        if (closed & ~chosen).any() and "round_ownership" in ds:
            for how in MARKS:
                marked, _ = marked_moic(result, name, how)
                marked = marked[~np.isnan(marked)]
                short = "last post-money" if how == "post_money" else f"{mark_label(result, how).split(' (')[0]}"
                label = (
                    f"round '{name}' MOIC, private marked at {short} "
                    f"(n={marked.size:,} where it closed, {int((closed & ~chosen).sum()):,} private)"
                )
                rows += [
                    ("returns", label, f"p{round(100 * q)}", *_stats.quantile(marked, q), "×") for q in _stats.QUANTILES
                ]
    return rows
