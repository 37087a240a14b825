"""The headline figures of a run, each with its Monte Carlo standard error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from venturesim.analysis import _stats, exits
from venturesim.analysis.targets import target_rows
from venturesim.model_costs.summary import product_rows

COLUMNS = ["section", "metric", "statistic", "value", "se", "unit"]
QUANTILES = (0.1, 0.5, 0.9)


def summarize(result) -> pd.DataFrame:
    """Survival, cash, runway, ARR, funding and ownership figures of ``result``.

    Returns a DataFrame with columns section, metric, statistic, value, se, unit;
    ``se`` is the Monte Carlo standard error of ``value``.
    """
    ds = result.data
    months = result.months
    rows: list[tuple] = []

    death = ds["death_month"].values  # −1 if alive at the horizon
    exit_time = result.exited()  # +inf: never sold or listed
    for m in sorted({12, 24, 36, months}):
        if m <= months:
            exited = exit_time <= m
            alive = ((death < 0) | (death >= m)) & ~exited  # operating: an exited company is not "alive"
            rows.append(("survival", f"alive at month {m}", "probability", *_stats.proportion(alive), "fraction"))
            if np.isfinite(exit_time).any():
                rows.append(
                    (
                        "survival",
                        f"exited (sold or listed) by month {m}",
                        "probability",
                        *_stats.proportion(exited),
                        "fraction",
                    )
                )
    dead = death[death >= 0]
    if dead.size:
        rows.append(
            ("survival", "month of cash-out (paths that die)", "median", *_stats.quantile(dead + 1, 0.5), "months")
        )

    alive_end = death < 0
    rows += _quantile_rows("cash", f"cash at month {months}", ds["final_cash"].values, "USD")
    runway = ds["final_runway"].values
    operating = alive_end & ~np.isnan(runway)  # NaN: dead, or sold/listed (an exit ends the path's flows)
    rows += _quantile_rows("cash", f"runway at month {months} (operating paths)", runway[operating], "months")
    # a sold or listed company's ARR is the buyer's, not 0: exited paths are left out (dead ones count as 0)
    private = ~np.isfinite(exit_time)
    arr_label = f"ARR at month {months}" + ("" if private.all() else " (paths not sold or listed)")
    final_arr = ds["final_arr"].values[private]
    rows += _quantile_rows("revenue", arr_label, final_arr, "USD")
    if final_arr.size:
        rows.append(("revenue", arr_label, "mean", *_stats.mean(final_arr), "USD"))

    if "round" in ds.dims:
        for name in ds["round"].values:
            closed = ds["round_status"].sel(round=name).values == 2
            rows.append(("funding", f"raised round '{name}'", "probability", *_stats.proportion(closed), "fraction"))
            close = ds["round_close_month"].sel(round=name).values[closed]
            if close.size:
                rows.append(
                    ("funding", f"month round '{name}' closed", "median", *_stats.quantile(close + 1, 0.5), "months")
                )
    rows += _quantile_rows(
        "ownership", f"founder ownership at month {months}", ds["final_founder_ownership"].values, "fraction"
    )
    rows += exits.summary_rows(result)
    rows += _operating_rows(result)
    rows += product_rows(result)  # each training run's spend, energy and CO2e (model_costs.summary)
    rows += target_rows(result)  # the scenario's outcome targets (targets:)
    return pd.DataFrame(rows, columns=COLUMNS)


OPERATING = {  # dashboard metric → (label, unit)
    "gross_margin": ("gross margin", "fraction"),
    "cac_payback_months": ("CAC payback", "months"),
    "ltv_to_cac": ("LTV / CAC", "×"),
    "burn_multiple": ("burn multiple (net burn / net new ARR)", "×"),
    "rule_of_40": ("Rule of 40 (growth % + margin %)", "points"),
}


def _operating_rows(result) -> list[tuple]:
    """Medians of the SaaS dashboard at the horizon over the operating paths, when the run recorded
    what it needs (``metrics="all"``; :meth:`venturesim.engine.result.Result.operating_metrics`).

    A metric undefined on a path (NaN: CAC payback with no new customers or no S&M cost, LTV/CAC
    without a CAC, the burn multiple of a profitable path) has no place in an ordering: the row is the
    median over the paths where it is defined (+inf included: burning without growing, a negative gross
    margin), and NaN — printed "n/a" — when it is undefined on at least half of the operating paths,
    where the median company has no such figure. Never 0 or ∞ for "undefined".
    """
    try:
        dashboard = result.operating_metrics()
    except ValueError:
        return []
    operating = np.asarray(result.data["alive"].values[:, -1], bool) if "alive" in result.data else slice(None)
    rows = []
    for name, (label, unit) in OPERATING.items():
        values = np.asarray(dashboard[name].values[:, -1], np.float64)[operating]
        if not values.size:
            continue
        defined = values[~np.isnan(values)]
        value, se = _stats.quantile(defined, 0.5) if 2 * defined.size > values.size else (np.nan, np.nan)
        rows.append(("operations", f"{label} at month {result.months} (operating paths)", "p50", value, se, unit))
    return rows


def _quantile_rows(section: str, metric: str, values: np.ndarray, unit: str) -> list[tuple]:
    if values.size == 0:
        return []
    return [(section, metric, f"p{round(q * 100)}", *_stats.quantile(values, q), unit) for q in QUANTILES]
