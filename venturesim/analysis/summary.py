"""The headline figures of a run, each with its Monte Carlo standard error, and the headline in words.

One quantile convention everywhere (table, CLI, report): :data:`QUANTILES` = p10/p50/p90, the 10th, 50th and
90th percentiles over the paths a row names ("operating paths", "paths that die", ...); ± is the Monte Carlo
standard error (:mod:`venturesim.analysis._stats`). Each path stands, at the horizon, as operating (alive and
private), exited (sold, listed or acqui-hired) or dead (:func:`venturesim.analysis.outcomes.standing`):

* a dead path's cash counts as $0 in the all-paths rows; its negative balance at death (the shortfall: the bills it
  could not pay) is its own row;
* founder ownership is over the operating and exited paths (a dead company's founders own nothing of value);
* ARR and runway rows say whose paths they are; where the all-paths and the operating-only figures differ (some
  paths died) both are shown, so a median of $0 that only means "half the paths are dead" is never alone;
* a figure that is undefined (a median where most paths have no value) is NaN, printed "n/a" — never 0 or ∞.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from venturesim.analysis import _stats, exits
from venturesim.analysis import outcomes as oc
from venturesim.analysis.product_rows import product_rows
from venturesim.analysis.targets import target_rows
from venturesim.funding.terms import ACQUIHIRE

COLUMNS = ["section", "metric", "statistic", "value", "se", "unit"]
QUANTILES = _stats.QUANTILES
"""The quantiles every summary row and chart reports (p10/p50/p90)."""
CONVENTION = "p10/p50/p90: 10th, 50th and 90th percentiles over the paths each row names; ± Monte Carlo s.e."
"""The quantile convention in words, for tables' headers."""
TOP_CAUSES = 5
"""Causes of death listed in the summary (the rest are in ``result.why_dead()``)."""


def summarize(result) -> pd.DataFrame:
    """Survival, founder, cash, ARR, funding, ownership, deaths, exits and returns figures of ``result``.

    Returns a DataFrame with columns section, metric, statistic, value, se, unit;
    ``se`` is the Monte Carlo standard error of ``value`` (module docstring: which paths each row covers).
    """
    ds = result.data
    months = result.months
    rows: list[tuple] = []
    where = oc.standing(result)
    operating, dead = where == oc.OPERATING, where == oc.DEAD

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

    rows += _founder_rows(result, operating)

    final_cash = np.asarray(ds["final_cash"].values, np.float64)
    rows += _quantile_rows("cash", f"cash at month {months} (operating paths)", final_cash[operating], "USD")
    if dead.any():
        private = where != oc.EXITED
        cash_all = np.where(dead, 0.0, final_cash)[private]
        rows += _quantile_rows("cash", f"cash at month {months} (all paths not sold; dead = $0)", cash_all, "USD")
        shortfall = np.maximum(-final_cash[dead], 0.0)
        for q in (0.5, 0.9):
            rows.append(
                (
                    "cash",
                    "shortfall at death: bills unpaid (paths that die)",
                    f"p{round(100 * q)}",
                    *_stats.quantile(shortfall, q),
                    "USD",
                )
            )
    runway = np.asarray(ds["final_runway"].values, np.float64)
    profitable = operating & np.isposinf(runway)  # a probability over all paths, as every other one in the table
    rows.append(
        (
            "cash",
            f"operating and cash-flow positive at month {months}",
            "probability",
            *_stats.proportion(profitable),
            "fraction",
        )
    )
    burning = runway[operating & np.isfinite(runway)]
    rows += _quantile_rows("cash", f"runway at month {months} (operating paths still burning)", burning, "months")

    final_arr = np.asarray(ds["final_arr"].values, np.float64)
    rows += _quantile_rows("revenue", f"ARR at month {months} (operating paths)", final_arr[operating], "USD")
    if operating.any():
        rows.append(
            ("revenue", f"ARR at month {months} (operating paths)", "mean", *_stats.mean(final_arr[operating]), "USD")
        )
    if dead.any():  # a sold or listed company's ARR is the buyer's: exited paths are left out, dead ones count as 0
        arr_all = np.where(dead, 0.0, final_arr)[where != oc.EXITED]
        label = f"ARR at month {months} (all paths not sold; dead = $0)"
        rows += _quantile_rows("revenue", label, arr_all, "USD")
        rows.append(("revenue", label, "mean", *_stats.mean(arr_all), "USD"))

    ownership: list[tuple] = []
    if "round" in ds.dims:
        from venturesim.funding.params import _round_axis

        bridges = {r.name for r, _, parent in _round_axis(result.scenario.funding) if parent >= 0}
        for name in ds["round"].values:
            name = str(name)
            closed = ds["round_status"].sel(round=name).values == exits.CLOSED
            rows.append(("funding", f"raised round '{name}'", "probability", *_stats.proportion(closed), "fraction"))
            if name not in bridges:  # a bridge is raised only when its round fails: never "needed" on its own
                rows.append(
                    (
                        "funding",
                        f"raised '{name}' or did without it (cash-flow positive or sold at month {months})",
                        "probability",
                        *_stats.proportion(oc.raised_or_did_without(result, name)),
                        "fraction",
                    )
                )
            close = ds["round_close_month"].sel(round=name).values[closed]
            if close.size:
                rows.append(
                    ("funding", f"month round '{name}' closed", "p50", *_stats.quantile(close + 1, 0.5), "months")
                )
            after, how = oc.founder_ownership_after(result, name)
            after = after[~np.isnan(after)]
            ownership += _quantile_rows(
                "ownership", f"founder ownership after '{name}' ({how}; n={after.size:,})", after, "fraction"
            )
    owned = np.asarray(ds["final_founder_ownership"].values, np.float64)[~dead]
    rows += ownership
    rows += _quantile_rows(
        "ownership", f"founder ownership at month {months} (operating or exited paths)", owned, "fraction"
    )
    rows += _death_rows(result, dead)
    rows += exits.summary_rows(result)
    rows += _operating_rows(result)
    rows += product_rows(result)  # each training run's spend, energy and CO2e (analysis.product_rows)
    rows += target_rows(result)  # the scenario's outcome targets (targets:)
    return pd.DataFrame(rows, columns=COLUMNS)


def _founder_rows(result, operating: np.ndarray) -> list[tuple]:
    """Runway today and the month the company becomes cash-flow positive (:mod:`venturesim.analysis.outcomes`)."""
    rows: list[tuple] = []
    now = oc.runway_now(result)
    if now is not None:
        rows += _quantile_rows("founder", "runway now: starting cash / month-1 net burn", now[~np.isnan(now)], "months")
    first = oc.first_cash_flow_positive_month(result)
    if first is not None:
        reached = first[~np.isnan(first)]
        rows += _quantile_rows(
            "founder", f"first month cash-flow positive (paths that get there, n={reached.size:,})", reached, "months"
        )
        rows.append(
            (
                "founder",
                f"never cash-flow positive by month {result.months}",
                "probability",
                *_stats.proportion(np.isnan(first)),
                "fraction",
            )
        )
    return rows


def _death_rows(result, dead: np.ndarray) -> list[tuple]:
    """When the paths that die run out of cash, and the commonest causes (share of all paths; both engines)."""
    if not dead.any():
        return []
    month = np.asarray(result.data["death_month"].values, np.float64)[dead] + 1.0
    rows = _quantile_rows("deaths", f"month of cash-out (paths that die, n={month.size:,})", month, "months")
    try:
        codes = result.death_causes()
    except ValueError:  # a result simulated before causes were recorded
        return rows
    from venturesim.funding.causes import describe

    counted = pd.Series(codes[codes != ""]).value_counts()
    for code, _ in counted.head(TOP_CAUSES).items():
        rows.append(("deaths", describe(str(code)), "probability", *_stats.proportion(codes == code), "fraction"))
    return rows


OPERATING = {  # dashboard metric → (label, unit)
    "gross_margin": ("gross margin", "fraction"),
    "cac_payback_months": ("CAC payback", "months"),  # S&M spend (channels + S&M payroll, recruiting) / (new MRR × GM)
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


def _span(months: int) -> str:
    """``60`` → "5 years", ``18`` → "18 months"."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{months} months"


def _whole_shares(shares: list[float]) -> list[int]:
    """Shares (summing to 1) as whole numbers out of 100 that sum to 100: floors, then the largest remainders get
    the points left (Hamilton's method), so "67, 22 and 12 of 100" never adds up to 101."""
    scaled = [100.0 * p for p in shares]
    whole = [int(np.floor(x)) for x in scaled]
    for i in sorted(range(len(scaled)), key=lambda i: whole[i] - scaled[i])[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def _of_100(p: float) -> str:
    """A share as "k of 100"; a share that rounds to 0 but is not 0 as "fewer than 1 in 100"."""
    return "fewer than 1 in 100" if p > 0 and round(100 * p) == 0 else f"{round(100 * p)} of 100"


def headline(result) -> str:
    """Two or three sentences in plain words: where the simulated futures stand at the horizon, when and why the
    company dies when it does, and when it pays its own way.

    Example: "In 56 of 100 simulated futures the company is still operating after 4 years, 7 were sold or
    listed, 37 ran out of cash. Half of the deaths come between months 12 and 18; the commonest cause: cash ran
    out while raising seed (21 of 100 futures). 40 of 100 futures are cash-flow positive by month 48 (median
    month 31); runway today is 14 months at the first month's burn (median)."

    Shares are of all paths, as whole numbers out of 100; "between months a and b" is the p25–p75 of the month
    of cash-out over the paths that die; the month figures are medians (p50) over the paths they name.
    """
    where = oc.standing(result)
    kinds = (oc.OPERATING, oc.EXITED, oc.DEAD)
    share = dict(zip(kinds, _whole_shares([float(np.mean(where == k)) for k in kinds]), strict=True))
    span = _span(result.months)
    first = f"In {share[oc.OPERATING]} of 100 simulated futures the company is still operating after {span}"
    if share[oc.EXITED] > 0:
        acquihired = "exit_kind" in result.data and bool((result.data["exit_kind"].values == ACQUIHIRE).any())
        how = "sold, listed or acqui-hired" if acquihired else "sold or listed"
        first += f", {share[oc.EXITED]} were {how}"
    dead = where == oc.DEAD
    if share[oc.DEAD] > 0:
        first += f", {share[oc.DEAD]} ran out of cash."
    else:
        first += ", fewer than 1 in 100 ran out of cash." if dead.any() else " and none ran out of cash."
    sentences = [first]
    if dead.any():
        month = np.asarray(result.data["death_month"].values, np.float64)[dead] + 1.0
        lo, hi = (round(float(np.quantile(month, q))) for q in (0.25, 0.75))
        if dead.sum() == 1:
            when = f"The one death comes in month {round(float(month[0]))}"
        elif hi > lo:
            when = f"Half of the deaths come between months {lo} and {hi}"
        else:
            when = f"Most deaths come around month {lo}"
        try:
            codes = result.death_causes()
        except ValueError:
            codes = None
        if codes is not None and (codes != "").any():
            from venturesim.funding.causes import describe

            code, count = next(iter(pd.Series(codes[codes != ""]).value_counts().items()))
            when += f"; the commonest cause: {describe(str(code))} ({_of_100(count / result.paths)} futures)"
        sentences.append(when + ".")
    money = []
    first_positive = oc.first_cash_flow_positive_month(result)
    if first_positive is not None:
        reached = first_positive[~np.isnan(first_positive)]
        text = f"{_of_100(reached.size / result.paths)} futures are cash-flow positive by month {result.months}"
        if reached.size:
            text += f" (median month {round(float(np.median(reached)))})"
        money.append(text)
    now = oc.runway_now(result)
    if now is not None and (~np.isnan(now)).any():
        median = float(np.quantile(now[~np.isnan(now)], 0.5, method="inverted_cdf"))
        money.append(
            "the starting cash covers costs from month 1 (median path)"
            if np.isinf(median)
            else "runway today is more than 10 years at the first month's burn (median)"
            if median > _stats.RUNWAY_CAP_MONTHS
            else f"runway today is {median:.0f} months at the first month's burn (median)"
        )
    if money:
        text = "; ".join(money)
        sentences.append(text[0].upper() + text[1:] + ".")
    return " ".join(sentences)
