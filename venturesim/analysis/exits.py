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
"""

from __future__ import annotations

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
    """Per round: P(closed), the share of its paths realised by the horizon, and the realised MOIC and IRR."""
    rows = []
    for name in result.data["round"].values:
        closed, chosen, moic, irr = _realised(result, str(name))
        row = {
            "round": str(name),
            "p_closed": closed.mean(),
            "realised": int(chosen.sum()),
            "still_private": int((closed & ~chosen).sum()),
        }
        if moic.size:
            for q in (0.1, 0.5, 0.9):
                row[f"moic_p{round(100 * q)}"] = _stats.quantile(moic, q)[0]
            row["moic_mean"], row["moic_mean_se"] = _stats.mean(moic)
            row["p_moic_below_1"], _ = _stats.proportion(moic < 1.0)
            row["p_moic_10x"], _ = _stats.proportion(moic >= 10.0)
            row["irr_median"] = _stats.quantile(irr, 0.5)[0]
        rows.append(row)
    return pd.DataFrame(rows)


def cheque_returns(result, round_name: str, cheque: float, q=(0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
    """Distribution of what a ``cheque`` (USD) in ``round_name`` returns, over the paths where the round
    closed and the company exited by the horizon: proceeds (USD), MOIC and IRR quantiles with SEs."""
    if cheque <= 0:
        raise ValueError(f"cheque(={cheque}) must be > 0")
    names = [str(n) for n in result.data["round"].values]
    if round_name not in names:
        raise ValueError(f"round {round_name!r} is not in the scenario; rounds are {names}")
    _, _, moic, irr = _realised(result, round_name)
    if moic.size == 0:
        raise ValueError(f"round {round_name!r} never closed on a path that exited by the horizon")
    rows = []
    for p in q:
        m, se = _stats.quantile(moic, p)
        rows.append(
            {"quantile": p, "proceeds": cheque * m, "moic": m, "moic_se": se, "irr": _stats.quantile(irr, p)[0]}
        )
    return pd.DataFrame(rows)


def summary_rows(result) -> list[tuple]:
    """Rows for :func:`venturesim.analysis.summary.summarize` (exits and returns), if the scenario has exits."""
    ds = result.data
    if "exit_kind" not in ds or not np.isin(ds["exit_kind"].values, (1, 2, 3)).any():
        return []
    rows = []
    for k, name in enumerate(EXIT_KINDS):
        if k != NO_EXIT:
            rows.append(
                (
                    "exits",
                    f"{name} by month {result.months}",
                    "probability",
                    *_stats.proportion(ds["exit_kind"].values == k),
                    "fraction",
                )
            )
    founders = ds["founder_proceeds"].values[ds["exit_kind"].values != NO_EXIT]
    for q in (0.5, 0.9):
        rows.append(
            ("exits", "founders' proceeds (exited paths)", f"p{round(100 * q)}", *_stats.quantile(founders, q), "USD")
        )
    for name in ds["round"].values:
        _, _, moic, _ = _realised(result, str(name))
        if moic.size:
            rows.append(("returns", f"round '{name}' MOIC (realised)", "p50", *_stats.quantile(moic, 0.5), "×"))
            rows.append(
                ("returns", f"round '{name}' MOIC < 1", "probability", *_stats.proportion(moic < 1), "fraction")
            )
            rows.append(
                ("returns", f"round '{name}' MOIC ≥ 10", "probability", *_stats.proportion(moic >= 10), "fraction")
            )
    return rows
