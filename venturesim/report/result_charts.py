"""Charts of a :class:`~venturesim.engine.result.Result`, for the report and for notebooks.

Each ``*_data`` function reduces a Result to a small tidy table (a few hundred rows at most, whatever
the number of paths: quantiles, shares and bins, never the paths themselves), and each ``plot_*``
function takes the Result and returns an Altair chart drawn from that table. Nothing here simulates
except :func:`base_plan`, which runs the JAX engine once with every uncertain input at its median.

Conventions (the same as the summary table's): quantiles over paths are p10, p50 and p90, with a
p25–p75 inner band where a band is drawn (:data:`venturesim.analysis._stats.FAN_QUANTILES`); shares
carry their binomial standard error √(p(1 − p)/n); money is in USD; months are the engine's month
index (the value at month m is the state at the end of month m); every chart says which paths it
counts ("operating paths", "paths that exited", "all paths").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import altair as alt
import numpy as np
import pandas as pd
import xarray as xr

from venturesim.engine.result import OPERATING_METRICS
from venturesim.report.charts import (
    _MONEY_LABEL_EXPR,
    _MONEY_TOOLTIP_FORMAT,
    CHART_HEIGHT,
    FAN_QUANTILES,
    PANEL_WIDTH,
    _js_string,
    _layer,
    band_labels,
    fan_data,
    month_axis,
    quantile_column,
)

if TYPE_CHECKING:
    from venturesim.engine.result import Result

__all__ = [
    "OUTCOMES",
    "base_plan",
    "death_causes_data",
    "distribution_data",
    "median_path",
    "moic_data",
    "outcome_values",
    "plot_death_causes",
    "plot_moic",
    "plot_outcome_distribution",
    "plot_pnl",
    "plot_time_to_arr",
    "plot_unit_economics",
    "pnl_data",
    "statement_table",
    "time_to_arr_data",
    "unit_economics_data",
]

_LEGEND = alt.Legend(title=None, orient="bottom", direction="horizontal", labelLimit=240)
_ACQUISITION, _IPO, _ACQUIHIRE, _SHUTDOWN = 1, 2, 3, 4  # venturesim.funding.terms.EXIT_KINDS' order
_SOLD = (_ACQUISITION, _IPO, _ACQUIHIRE)


def _finals(result: Result, name: str) -> np.ndarray:
    if name not in result.data:
        raise ValueError(f"the result has no {name!r} (per-path results)")
    return np.asarray(result.data[name].values)


def _operating_at_horizon(result: Result) -> np.ndarray:
    """(paths,) bool: alive at the horizon and neither sold, listed nor shut down."""
    alive = _finals(result, "death_month") < 0
    if "exit_kind" in result.data:
        alive &= _finals(result, "exit_kind") == 0
    return alive


def _sold(result: Result) -> np.ndarray:
    """(paths,) bool: sold, listed or acqui-hired by the horizon."""
    if "exit_kind" not in result.data:
        return np.zeros(result.paths, bool)
    return np.isin(_finals(result, "exit_kind"), _SOLD)


# ---- distributions of final outcomes ---------------------------------------------------------------

OUTCOMES = {
    "arr": ("ARR at the horizon", "final_arr", "operating paths (alive, not sold, listed or shut down)"),
    "exit_value": ("Exit value", "exit_value", "paths sold, listed or acqui-hired by the horizon"),
    "founder_proceeds": ("Founders' proceeds", "founder_proceeds", "paths sold, listed or acqui-hired by the horizon"),
}
"""Outcome → (title, per-path variable, the paths it counts)."""


def outcome_values(result: Result, outcome: str) -> np.ndarray:
    """The per-path values of ``outcome`` (a key of :data:`OUTCOMES`) over the paths it counts, USD."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; choose from {sorted(OUTCOMES)}")
    _, variable, _ = OUTCOMES[outcome]
    chosen = _operating_at_horizon(result) if outcome == "arr" else _sold(result)
    return np.asarray(_finals(result, variable), np.float64)[chosen]


def distribution_data(values: np.ndarray, bins: int = 30, points: int = 80) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Histogram on log-spaced bins and the exceedance curve P(X ≥ x) of positive ``values``.

    Parameters
    ----------
    values : the outcome over the n paths it counts (zeros and negatives count in n but cannot be drawn
        on a log axis: their share is ``attrs["share_not_positive"]``).
    bins : number of bins, equal in log10(x) from the smallest positive value to the largest.
    points : number of x values (log-spaced over the same range) at which P(X ≥ x) is given.

    Returns
    -------
    (histogram, exceedance) : the histogram's columns low, high (bin edges), share (fraction of the n
        paths in [low, high), the last bin closed) and se (√(share(1 − share)/n)); the exceedance's columns
        x and p_at_least = #{X ≥ x}/n and se. Both carry ``attrs["n"]``. Empty frames when no value is
        positive.
    """
    v = np.asarray(values, np.float64)
    v = v[np.isfinite(v)]
    n = v.size
    positive = np.sort(v[v > 0])
    attrs = {"n": n, "share_not_positive": float((v <= 0).mean()) if n else float("nan")}
    if positive.size == 0:
        hist = pd.DataFrame(columns=["low", "high", "share", "se"])
        exceed = pd.DataFrame(columns=["x", "p_at_least", "se"])
        hist.attrs.update(attrs)
        exceed.attrs.update(attrs)
        return hist, exceed
    lo, hi = positive[0], positive[-1]
    if hi <= lo:  # one distinct value: a bin of ±10 % around it
        lo, hi = lo / 1.1, hi * 1.1
    edges = np.logspace(np.log10(lo), np.log10(hi), bins + 1)
    edges[0], edges[-1] = min(edges[0], positive[0]), max(edges[-1], positive[-1])
    counts, _ = np.histogram(positive, edges)
    share = counts / n
    hist = pd.DataFrame({"low": edges[:-1], "high": edges[1:], "share": share, "se": np.sqrt(share * (1 - share) / n)})
    x = np.logspace(np.log10(positive[0]), np.log10(positive[-1]), points) if hi > lo else positive[:1]
    x[0], x[-1] = positive[0], positive[-1]
    at_least = (positive.size - np.searchsorted(positive, x, side="left")) / n
    exceed = pd.DataFrame({"x": x, "p_at_least": at_least, "se": np.sqrt(at_least * (1 - at_least) / n)})
    hist.attrs.update(attrs)
    exceed.attrs.update(attrs)
    return hist, exceed


def log_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Tick values for a log axis from ``low`` to ``high`` (> 0): the powers of ten inside, with 2× and 5×
    multiples added while there are fewer than ``most``, and at least the two ends' powers of ten."""
    lo, hi = np.floor(np.log10(low)), np.ceil(np.log10(high))
    powers = [float(10.0**k) for k in np.arange(lo, hi + 1)]
    for steps in ((1.0, 2.0, 5.0), (1.0, 3.0)):
        finer = sorted(float(f"{m * p:.6g}") for p in powers for m in steps if low <= m * p <= high)
        if len(finer) <= most and len(finer) > len([p for p in powers if low <= p <= high]):
            return finer
    inside = [p for p in powers if low <= p <= high]
    if len(inside) >= 2:
        stride = int(np.ceil(len(inside) / most))
        return inside[::stride]
    return [powers[0], powers[-1]] if len(powers) > 1 else powers


def _log_x(title: str, money: bool, ticks: list[float]) -> alt.Axis:
    if money:
        return alt.Axis(labelExpr=_MONEY_LABEL_EXPR, title=title, values=ticks, labelOverlap=True)
    return alt.Axis(format="~g", title=title, values=ticks, labelOverlap=True)


def _distribution_chart(
    hist: pd.DataFrame, exceed: pd.DataFrame, title: str, x_title: str, money: bool, who: str
) -> alt.LayerChart:
    n = int(hist.attrs.get("n", 0))
    zero = float(hist.attrs.get("share_not_positive", 0.0))
    subtitle = [f"{who}; n = {n:,}"]
    if zero > 0:
        subtitle.append(f"{zero:.1%} of them at 0 (not on the log axis; they count in every share)")
    value_format = _MONEY_TOOLTIP_FORMAT if money else ",.3~g"
    low, high = float(hist["low"].min()), float(hist["high"].max())
    x_scale = alt.Scale(type="log", domain=[low, high], nice=False)
    series = ["share of paths in the bin", "P(outcome ≥ x), right axis"]
    colors = alt.Scale(domain=series, range=["#8fb0d6", "#c0392b"])
    bars = (
        alt.Chart(hist)
        .transform_calculate(series=_js_string(series[0]))
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X("low:Q", scale=x_scale, axis=_log_x(x_title, money, log_ticks(low, high))),
            x2="high:Q",
            y=alt.Y("share:Q", title="Share of paths in the bin", axis=alt.Axis(format="%")),
            y2=alt.datum(0),
            color=alt.Color("series:N", scale=colors, legend=_LEGEND),
            tooltip=[
                alt.Tooltip("low:Q", title="from", format=value_format),
                alt.Tooltip("high:Q", title="to", format=value_format),
                alt.Tooltip("share:Q", title="share", format=".1%"),
                alt.Tooltip("se:Q", title="s.e.", format=".2%"),
            ],
        )
    )
    line = (
        alt.Chart(exceed)
        .transform_calculate(series=_js_string(series[1]))
        .mark_line(strokeWidth=2, interpolate="step-after", point=alt.OverlayMarkDef(size=12, opacity=0.0))
        .encode(
            x=alt.X("x:Q", scale=x_scale),
            y=alt.Y("p_at_least:Q", title="P(outcome ≥ x)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color("series:N", scale=colors, legend=_LEGEND),
            tooltip=[
                alt.Tooltip("x:Q", title="x", format=value_format),
                alt.Tooltip("p_at_least:Q", title="P(outcome ≥ x)", format=".1%"),
                alt.Tooltip("se:Q", title="s.e.", format=".2%"),
            ],
        )
    )
    return cast(
        alt.LayerChart,
        alt.layer(bars, line)
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams(title, subtitle=subtitle), width="container", height=CHART_HEIGHT),
    )


def plot_outcome_distribution(result: Result, outcome: str = "arr", bins: int = 30) -> alt.LayerChart:
    """Histogram (log-spaced bins, left axis) and P(outcome ≥ x) (right axis) of a final outcome on a log
    x axis: ``"arr"`` (operating paths), ``"exit_value"`` or ``"founder_proceeds"`` (paths that exited).

    Raises ValueError when no counted path has a positive value (nothing to draw on a log axis).
    """
    title, _, who = OUTCOMES.get(outcome, (outcome, "", ""))
    hist, exceed = distribution_data(outcome_values(result, outcome), bins)
    if exceed.empty:
        raise ValueError(f"no positive {title.lower()} to chart ({who}: {hist.attrs['n']} paths)")
    return _distribution_chart(hist, exceed, title, f"{title} (USD, log scale)", True, who)


REALISED = "realised"
"""The MOIC chart's basis for the paths that exited by the horizon (the others: marked, :func:`moic_data`)."""


def moic_data(result: Result, points: int = 60) -> pd.DataFrame:
    """Per round and basis, P(MOIC ≥ x); MOIC = the round's investors' proceeds (or marked value) / what they paid.

    Bases (column ``basis``): ``"realised"``, over the paths where the round closed and the company was sold,
    listed, acqui-hired or shut down by the horizon; and, when the result has the rounds' ownership and the
    final ARR, over all paths where the round closed, the still-private companies marked at the horizon
    (:func:`venturesim.analysis.exits.marked_moic`) at their last post-money (``"marked at last post-money"``)
    and at the scenario's ARR multiple (``"marked at 8.1× ARR"``) — the summary's investor view.

    Columns round, basis, x, p_at_least, se, n (paths counted), private (of them still private, marked) and
    zero (share of them with MOIC 0); ``attrs["all_zero"]`` names the (round, basis) with every MOIC 0 (nothing to
    draw on a log axis).
    """
    from venturesim.analysis.exits import MARKS, marked_moic

    d = result.data
    if "round_proceeds" not in d or "exit_kind" not in d:
        raise ValueError("the result has no exits (round_proceeds, exit_kind)")
    exited = np.isin(d["exit_kind"].values, (*_SOLD, _SHUTDOWN))
    can_mark = "round_ownership" in d and "final_arr" in d and "round_pre_money" in d
    frames, nothing = [], []
    for r, name in enumerate(d["round"].values):
        closed = d["round_status"].values[:, r] == 2  # venturesim.funding.rounds.CLOSED
        chosen = closed & exited
        bases: list[tuple[str, np.ndarray, int]] = []
        if chosen.any():
            moic = d["round_proceeds"].values[chosen, r] / d["round_amount"].values[chosen, r]
            bases.append((REALISED, moic, 0))
        if can_mark and (closed & ~exited).any():
            for how in MARKS:
                moic, realised = marked_moic(result, str(name), how)
                label = "marked at last post-money" if how == "post_money" else _arr_mark(result)
                bases.append((label, moic, int((~realised).sum())))
        for basis, moic, private in bases:
            _, exceed = distribution_data(moic, 1, points)
            if exceed.empty:  # every MOIC 0: nothing to draw on a log axis, said in the subtitle
                nothing.append(f"{name}, {basis}: all {int(np.isfinite(moic).sum()):,} at 0")
                continue
            finite = moic[np.isfinite(moic)]
            frames.append(
                exceed.assign(
                    round=str(name), basis=basis, n=finite.size, private=private, zero=float((finite <= 0).mean())
                )
            )
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["round", "basis", "x", "p_at_least", "se", "n", "private", "zero"])
    )
    frame.attrs["all_zero"] = nothing
    return frame


def _arr_mark(result: Result) -> str:
    return f"marked at {result.scenario.funding.pricing.arr_multiple:g}× ARR"


def plot_moic(result: Result) -> alt.LayerChart:
    """P(MOIC ≥ x) per round on a log x axis (:func:`moic_data`): a solid line over the realised paths, dashed
    and dotted over all paths where the round closed with the still-private companies marked at their last
    post-money and at the ARR multiple; each legend entry gives n; a rule at 1× (money back)."""
    frame = moic_data(result)
    if frame.empty:
        raise ValueError("no round closed on a path that exited by the horizon: no MOIC to chart")
    all_zero = frame.attrs.get("all_zero", [])

    def label(g: pd.DataFrame) -> str:
        row = g.iloc[0]
        if row["basis"] == REALISED:
            return f"{row['round']}, realised (n = {row['n']:,}, {row['zero']:.0%} at 0)"
        return f"{row['round']}, {row['basis']} (n = {row['n']:,}, {row['private']:,} private)"

    labels = {key: label(g) for key, g in frame.groupby(["round", "basis"], sort=False)}
    frame = frame.assign(label=[labels[k] for k in zip(frame["round"], frame["basis"], strict=True)])
    bases = list(dict.fromkeys(frame["basis"]))
    order = list(labels.values())  # one legend: each line's colour and dash (solid realised, dashed marked)
    dashes = [[[1, 0], [6, 3], [2, 2]][bases.index(basis)] for _, basis in labels]
    legend = alt.Legend(title=None, orient="bottom", columns=1, labelLimit=360, symbolType="stroke")
    frame = frame[["x", "p_at_least", "se", "label"]]  # the chart's data: what it draws, nothing per row twice
    low, high = float(frame["x"].min()), float(frame["x"].max())
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2, interpolate="step-after")
        .encode(
            x=alt.X(
                "x:Q",
                scale=alt.Scale(type="log", domain=[min(low, 1.0), max(high, 1.0)], nice=False),
                axis=_log_x("MOIC (×, log scale)", False, log_ticks(min(low, 1.0), max(high, 1.0))),
            ),
            y=alt.Y("p_at_least:Q", title="P(MOIC ≥ x)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color("label:N", scale=alt.Scale(domain=order), legend=legend),
            strokeDash=alt.StrokeDash("label:N", scale=alt.Scale(domain=order, range=dashes), legend=legend),
            tooltip=[
                alt.Tooltip("label:N", title="paths"),
                alt.Tooltip("x:Q", title="MOIC", format=".2f"),
                alt.Tooltip("p_at_least:Q", title="P(MOIC ≥ x)", format=".1%"),
                alt.Tooltip("se:Q", title="s.e.", format=".2%"),
            ],
        )
    )
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="#555").encode(x="x:Q")
    subtitle = ["realised: the company exited (sold, listed, acqui-hired or shut down)"]
    if len(bases) > 1:
        subtitle.append("marked: every path where the round closed, still-private companies valued at the horizon")
    if all_zero:
        subtitle.append("not drawn (MOIC 0): " + "; ".join(all_zero))
    return cast(
        alt.LayerChart,
        alt.layer(lines, one).properties(
            title=alt.TitleParams("Investors' multiple by round", subtitle=subtitle),
            width="container",
            height=CHART_HEIGHT,
        ),
    )


# ---- time to ARR milestones -------------------------------------------------------------------------


def time_to_arr_data(result: Result, thresholds: Sequence[float] = (1e6, 1e7)) -> pd.DataFrame:
    """Share of all paths whose ARR has reached each threshold by the end of month m, m = 0 … T.

    A path reaches a threshold the first month its recorded ARR is ≥ it (a path that died or exited
    later still counts as having reached it). Columns threshold (USD), label, month, share, se
    (binomial, n = all paths) and median_month (the median first month among the paths that reached
    it by the horizon; NaN if none).
    """
    arr = np.asarray(result.data["arr"].transpose("path", "month").values, np.float64)
    months = np.asarray(result.data["month"].values, np.int64)
    n = arr.shape[0]
    grid = np.concatenate([[0], months])
    rows = []
    for threshold in thresholds:
        hit = np.nan_to_num(arr, nan=-np.inf) >= threshold
        first = np.where(hit.any(axis=1), months[np.argmax(hit, axis=1)], np.iinfo(np.int64).max)
        reached = first[first <= months[-1]]
        median = float(np.median(reached)) if reached.size else float("nan")
        share = (first[None, :] <= grid[:, None]).mean(axis=1)
        for m, p in zip(grid, share, strict=True):
            rows.append(
                {
                    "threshold": float(threshold),
                    "label": f"ARR ≥ {_money_text(threshold)}",
                    "month": int(m),
                    "share": float(p),
                    "se": float(np.sqrt(p * (1 - p) / n)),
                    "median_month": median,
                }
            )
    return pd.DataFrame(rows)


def _money_text(value: float) -> str:
    from venturesim.report.charts import money_label

    return money_label(value).replace(".0M", "M").replace(".0B", "B").replace(".0k", "k")


def plot_time_to_arr(result: Result, thresholds: Sequence[float] = (1e6, 1e7)) -> alt.LayerChart:
    """Cumulative share of paths that reached $1M and $10M ARR by each month (:func:`time_to_arr_data`)."""
    frame = time_to_arr_data(result, thresholds)
    x = month_axis(0, int(frame["month"].max()))
    color = alt.Color("label:N", legend=_LEGEND, sort=list(dict.fromkeys(frame["label"])))
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2, interpolate="step-after")
        .encode(
            x=x,
            y=alt.Y("share:Q", title="Share of all paths", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=color,
        )
    )
    hover = alt.selection_point(fields=["month"], nearest=True, on="pointerover", empty=False)
    points = (
        alt.Chart()
        .mark_point(filled=True, size=30)
        .encode(
            x=x,
            y="share:Q",
            color=color,
            opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)),
            tooltip=[
                alt.Tooltip("label:N", title="milestone"),
                alt.Tooltip("month:Q", title="by month"),
                alt.Tooltip("share:Q", title="share of paths", format=".1%"),
                alt.Tooltip("se:Q", title="s.e.", format=".2%"),
                alt.Tooltip("median_month:Q", title="median month (paths that got there)", format=".0f"),
            ],
        )
        .add_params(hover)
    )
    return _layer([lines, points], frame).properties(
        title=alt.TitleParams("Time to ARR milestones", subtitle="all paths; a path counts from its first month there"),
        width="container",
        height=CHART_HEIGHT,
    )


# ---- causes of death --------------------------------------------------------------------------------


def death_causes_data(result: Result) -> pd.DataFrame:
    """Why the paths that died died: columns cause, paths, share (of all paths) and se.

    The causes are the structured codes of either engine (:meth:`Result.why_dead`: the DES's
    ``cause_of_death``, the JAX engine's found from its rounds' final state by the same rule, described by
    :func:`venturesim.funding.causes.describe`), the summary table's causes; only a result recorded
    without them (no ``round_attempts``/``exit_debt``) groups its deaths by the year of the horizon they
    happened in ("year 2 (months 13–24)", ``attrs["by"] = "year"``).
    """
    death = _finals(result, "death_month")
    n = result.paths
    try:
        table = result.why_dead()
    except ValueError:  # no causes recorded: by year
        table = None
    if table is not None:
        frame = pd.DataFrame({"cause": table["cause"], "paths": table["paths"].astype(int)})
    else:
        dead = death[death >= 0]
        year = dead // 12 + 1  # month index m (0-based) → year ⌊m/12⌋ + 1
        counts = pd.Series(year).value_counts().sort_index()
        frame = pd.DataFrame(
            {
                "cause": [f"year {int(y)} (months {12 * (int(y) - 1) + 1}–{12 * int(y)})" for y in counts.index],
                "paths": counts.to_numpy(int),
            }
        )
        frame.attrs["by"] = "year"
    share = frame["paths"] / n
    return frame.assign(share=share, se=np.sqrt(share * (1 - share) / n)).reset_index(drop=True)


def plot_death_causes(result: Result) -> alt.LayerChart:
    """Horizontal bars: the share of all paths each cause of death ended, ±1.96 s.e. (:func:`death_causes_data`)."""
    frame = death_causes_data(result)
    by_year = frame.attrs.get("by") == "year"
    frame = frame.assign(
        low=(frame["share"] - 1.96 * frame["se"]).clip(0, 1), high=(frame["share"] + 1.96 * frame["se"]).clip(0, 1)
    )
    y = alt.Y(
        "cause:N", title="Year of death" if by_year else None, sort=list(frame["cause"]), axis=alt.Axis(labelLimit=170)
    )
    base = alt.Chart().encode(y=y)
    bars = base.mark_bar(color="#e15759").encode(
        x=alt.X("share:Q", title="Share of all paths", axis=alt.Axis(format="%")),
        tooltip=[
            "cause:N",
            alt.Tooltip("paths:Q", format=","),
            alt.Tooltip("share:Q", format=".1%"),
            alt.Tooltip("se:Q", title="s.e.", format=".2%"),
        ],
    )
    errors = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    dead = int(frame["paths"].sum())
    subtitle = [f"{dead:,} of {result.paths:,} paths died by the horizon"]
    if by_year:
        subtitle.append("causes not recorded by this engine: when they died")
    return _layer([bars, errors], frame).properties(
        title=alt.TitleParams("Causes of death", subtitle=subtitle), width="container", height=max(80, 28 * len(frame))
    )


# ---- unit economics ---------------------------------------------------------------------------------

UNIT_ECONOMICS = {
    "gross_margin": ("Gross margin", "%"),
    "cac_payback_months": ("CAC payback (months)", ",.1f"),
    "ltv_to_cac": ("LTV / CAC", ",.1f"),
    "burn_multiple": ("Burn multiple", ",.1f"),
}
"""Operating metric (:meth:`Result.operating_metrics`) → (title, number format)."""

UNIT_ECONOMICS_CAPS = {"cac_payback_months": 60.0, "ltv_to_cac": 20.0, "burn_multiple": 10.0}
"""Where a ratio's panel stops: a path at +∞ (a CAC that never pays back, zero churn, burning without growing) or
above counts at the cap, so it stays in the quantiles (left out, it would make the ratio look better)."""


def unit_economics_data(result: Result) -> pd.DataFrame:
    """Per month, the p10, p25, p50, p75 and p90 over operating paths (alive that month, the ratio defined: NaN
    left out) of the SaaS ratios in :data:`UNIT_ECONOMICS`, a ratio at or above its cap
    (:data:`UNIT_ECONOMICS_CAPS`, +∞ included) counted at the cap. Columns metric, title, month, q10 … q90, n
    (paths with a defined value), infinite (the share of them at +∞) and cap (NaN: none). Needs
    ``metrics="all"`` (see :meth:`Result.operating_metrics`)."""
    ops = result.operating_metrics()
    alive = np.asarray(result.data["alive"].transpose("path", "month").values, bool)
    frames = []
    for metric, (title, _) in UNIT_ECONOMICS.items():
        values = np.asarray(ops[metric].transpose("path", "month").values, np.float64)
        values = np.where(alive & ~np.isnan(values), values, np.nan)  # (paths, months)
        cap = UNIT_ECONOMICS_CAPS.get(metric, np.nan)
        n = (~np.isnan(values)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            infinite = np.where(n > 0, np.isposinf(values).sum(axis=0) / np.maximum(n, 1), np.nan)
        if np.isfinite(cap):
            values = np.minimum(values, cap)
        values = np.where(np.isfinite(values), values, np.nan)  # −∞ or an uncapped +∞: undrawable
        frame = fan_data(xr.Dataset({metric: (("path", "month"), values)}, coords={"month": ops["month"]}), metric)
        frames.append(frame.assign(metric=metric, title=title, n=n, infinite=infinite, cap=cap))
    return pd.concat(frames, ignore_index=True)


def plot_unit_economics(result: Result) -> alt.FacetChart:
    """One panel per ratio (:data:`UNIT_ECONOMICS`): its p10–p90 and p25–p75 bands and median over the
    operating paths, month by month; each panel its own y scale."""
    frame = unit_economics_data(result)
    columns = [quantile_column(q) for q in FAN_QUANTILES]
    labels = band_labels(columns)
    frame = frame.dropna(subset=[columns[2]])
    colors = alt.Scale(domain=labels, range=["#c6d7ea", "#8fb0d6", "#1f3b63"])
    x = month_axis(int(result.data["month"].values.min()), result.months)
    outer = (
        alt.Chart()
        .transform_calculate(band=_js_string(labels[0]))
        .mark_area()
        .encode(
            x=x,
            y=alt.Y(f"{columns[0]}:Q", title=None),
            y2=f"{columns[-1]}:Q",
            color=alt.Color("band:N", scale=colors, legend=_LEGEND),
        )
    )
    inner = (
        alt.Chart()
        .transform_calculate(band=_js_string(labels[1]))
        .mark_area()
        .encode(
            x=x, y=f"{columns[1]}:Q", y2=f"{columns[-2]}:Q", color=alt.Color("band:N", scale=colors, legend=_LEGEND)
        )
    )
    line = (
        alt.Chart()
        .transform_calculate(band=_js_string(labels[2]))
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=f"{columns[2]}:Q",
            color=alt.Color("band:N", scale=colors, legend=_LEGEND),
            tooltip=[
                "title:N",
                "month:Q",
                *(alt.Tooltip(f"{c}:Q", format=",.3~g") for c in columns),
                "n:Q",
                alt.Tooltip("infinite:Q", title="share at +∞", format=".1%"),
                alt.Tooltip("cap:Q", title="drawn at most"),
            ],
        )
    )
    order = [t for t, _ in UNIT_ECONOMICS.values()]
    return (
        alt.layer(outer, inner, line, data=frame)
        .properties(width=PANEL_WIDTH, height=110)
        .facet(
            row=alt.Row(
                "title:N", title=None, sort=order, header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top")
            )
        )
        .resolve_scale(y="independent")
        .properties(
            title=alt.TitleParams(
                "Unit economics",
                subtitle=[
                    "operating paths each month; a ratio above its panel's cap, or at +∞",
                    "(never pays back, zero churn, burning without growing), counts at the cap:",
                    ", ".join(f"{UNIT_ECONOMICS[m][0]} {c:g}" for m, c in UNIT_ECONOMICS_CAPS.items()),
                ],
            )
        )
    )


# ---- the median path's statement and the base plan ------------------------------------------------


def median_path(result: Result) -> int:
    """The path in the middle when paths are ordered by how long they operated (months alive, the
    horizon for a survivor), then by ARR at the horizon, then by cash at the horizon: the element of
    rank ⌊(n − 1)/2⌋ in that order (ties broken by path index)."""
    death = _finals(result, "death_month").astype(np.int64)
    lived = np.where(death < 0, result.months, death + 1)
    arr = np.nan_to_num(np.asarray(_finals(result, "final_arr"), np.float64))
    cash = np.nan_to_num(np.asarray(_finals(result, "final_cash"), np.float64))
    order = np.lexsort((np.arange(result.paths), cash, arr, lived))  # last key is the primary one
    return int(order[(result.paths - 1) // 2])


STATEMENT = {
    "revenue": "Revenue",
    "cost_of_revenue": "Cost of revenue",
    "gross_profit": "Gross profit",
    "operating_expenses": "Operating expenses",
    "net_income": "Net income (revenue − costs)",
    "financing": "Financing (rounds, debt, grants)",
    "debt_repaid": "Debt repaid",
    "cash": "Cash at month end",
}
"""Line item → label of the monthly statement (:func:`pnl_data`)."""

STATEMENT_METRICS = ("revenue", "cost_of_revenue", "costs", "financing", "cash")


def pnl_data(result: Result, path: int | None = None) -> pd.DataFrame:
    """One path's monthly P&L and cash flow: columns month then the :data:`STATEMENT` items, USD.

    gross profit = revenue − cost of revenue; operating expenses = costs − cost of revenue; net income
    = revenue − costs (costs include cost of revenue and interest); financing and debt repaid as
    recorded (0 when ``debt_repaid`` is not recorded); cash as recorded at the month end. ``path``
    defaults to :func:`median_path`. Needs the metrics revenue, cost_of_revenue, costs, financing, cash.
    """
    missing = [m for m in STATEMENT_METRICS if m not in result.data]
    if missing:
        raise ValueError(f"the statement needs the metrics {missing}: simulate with metrics='all'")
    p = median_path(result) if path is None else int(path)
    d = result.data.isel(path=p)
    get = {m: np.asarray(d[m].values, np.float64) for m in STATEMENT_METRICS}
    repaid = (
        np.asarray(d["debt_repaid"].values, np.float64) if "debt_repaid" in result.data else np.zeros_like(get["cash"])
    )
    frame = pd.DataFrame(
        {
            "month": np.asarray(result.data["month"].values, np.int64),
            "revenue": get["revenue"],
            "cost_of_revenue": get["cost_of_revenue"],
            "gross_profit": get["revenue"] - get["cost_of_revenue"],
            "operating_expenses": get["costs"] - get["cost_of_revenue"],
            "net_income": get["revenue"] - get["costs"],
            "financing": get["financing"],
            "debt_repaid": repaid,
            "cash": get["cash"],
        }
    )
    frame.attrs["path"] = p
    return frame


def base_plan(result: Result, paths: int | None = None) -> Result:
    """The base plan: the same scenario, seed and horizon with every uncertain input pinned at its
    median (quantile 0.5 of its distribution, :class:`venturesim.spec.sampling.Design`), on the JAX engine.

    The month-to-month luck (customers won and lost, rounds' outcomes, risk events) still varies between
    the plan's paths; :func:`statement_table` shows the plan's :func:`median_path`. ``paths`` defaults to
    the main run's first chunk (so the engine's compiled program is reused: same shapes, other values).
    """
    from venturesim.analysis.sampling import input_names
    from venturesim.engine.simulate import chunking, run_jax
    from venturesim.spec.sampling import Design

    if paths is None:
        paths, _ = chunking(result.paths, None)  # the main run's chunk, as run_jax splits the run
    names = input_names(result.scenario, result.months)
    metrics = _metric_order(result)
    return run_jax(
        result.scenario,
        paths=int(paths),
        seed=result.seed,
        months=result.months,
        metrics=metrics,
        design=Design(pinned=dict.fromkeys(names, 0.5)),
    )


def _metric_order(result: Result) -> tuple[str, ...]:
    """The metrics tuple the run was most likely compiled with (the kernel's static argument): "all" and the
    defaults in their own order, anything else as recorded."""
    from venturesim.engine.metrics import DEFAULT_METRICS, MONTHLY_METRICS

    recorded = set(result.metrics)
    for candidate in (tuple(MONTHLY_METRICS), DEFAULT_METRICS):
        if recorded == set(candidate):
            return candidate
    return tuple(result.metrics)


def statement_table(result: Result, plan: Result | None = None) -> pd.DataFrame:
    """The monthly statement as a table for the report: rows (line item, whose), one column per month
    (``"M1"`` …), USD; ``whose`` is "median path" (:func:`median_path` of ``result``) and, given a
    ``plan`` (:func:`base_plan`), "base plan" (the plan's median path)."""
    frames = [("median path", pnl_data(result))]
    if plan is not None:
        frames.append(("base plan", pnl_data(plan)))
    rows = []
    for item, label in STATEMENT.items():
        for whose, frame in frames:
            row: dict[str, str | float] = {"line item": label, "whose": whose}
            row.update({f"M{m}": float(v) for m, v in zip(frame["month"], frame[item], strict=True)})
            rows.append(row)
    return pd.DataFrame(rows)


def plot_pnl(result: Result, plan: Result | None = None) -> alt.FacetChart:
    """Revenue, operating expenses, net income and cash month by month: the median path (solid) and,
    given ``plan``, the base plan with every input at its median (dashed); one panel per line item."""
    items = ("revenue", "operating_expenses", "net_income", "cash")
    frames = [pnl_data(result).assign(whose="median path")]
    if plan is not None:
        frames.append(pnl_data(plan).assign(whose="base plan (inputs at their medians)"))
    long = pd.concat(frames, ignore_index=True).melt(
        id_vars=["month", "whose"], value_vars=list(items), var_name="item", value_name="usd"
    )
    long["title"] = long["item"].map(STATEMENT)
    x = month_axis(int(result.data["month"].values.min()), result.months)
    whose = list(dict.fromkeys(long["whose"]))
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("usd:Q", title=None, axis=alt.Axis(labelExpr=_MONEY_LABEL_EXPR)),
            color=alt.Color("whose:N", sort=whose, legend=_LEGEND, scale=alt.Scale(range=["#1f3b63", "#f28e2b"])),
            strokeDash=alt.StrokeDash("whose:N", sort=whose, legend=None, scale=alt.Scale(range=[[1, 0], [5, 3]])),
            tooltip=["whose:N", "title:N", "month:Q", alt.Tooltip("usd:Q", title="USD", format=_MONEY_TOOLTIP_FORMAT)],
        )
    )
    zero = alt.Chart().mark_rule(color="#999").encode(y=alt.datum(0))
    order = [STATEMENT[i] for i in items]
    return (
        alt.layer(lines, zero, data=long)
        .properties(width=PANEL_WIDTH, height=110)
        .facet(
            row=alt.Row(
                "title:N", title=None, sort=order, header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top")
            )
        )
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams("Monthly P&L and cash", subtitle="the median path next to the base plan"))
    )


UNIT_ECONOMICS_METRICS = frozenset(OPERATING_METRICS) | {"alive"}
"""The monthly metrics :func:`unit_economics_data` needs (:meth:`Result.operating_metrics`'s and ``alive``)."""
