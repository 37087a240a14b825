"""Charts of the analyses (:mod:`venturesim.analysis`): tornado, rank importance, Sobol indices,
spread split and convergence. Each takes the analysis' table and never simulates."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from venturesim.report.charts import CHART_HEIGHT, PANEL_WIDTH

_Z95 = 1.959963984540054


def _height(rows: int) -> int:
    return max(CHART_HEIGHT // 2, 24 * rows)


def plot_tornado(table: pd.DataFrame) -> alt.LayerChart:
    """Tornado of :func:`venturesim.analysis.sensitivity.tornado`: per input, a bar from the outcome at
    the input's low quantile to the outcome at its high one, around the base value, largest swing on
    top; the tooltip gives the input's values and the swing ± SE."""
    base = float(table.attrs.get("base", np.nan))
    low, high = table.attrs.get("low", 0.1), table.attrs.get("high", 0.9)
    data = table.assign(
        order=np.arange(len(table)),
        swing_95=_Z95 * table["swing_se"],
        start=table[["outcome_low", "outcome_high"]].min(axis=1),
        end=table[["outcome_low", "outcome_high"]].max(axis=1),
        direction=np.where(table["swing"] >= 0, "higher at p90", "lower at p90"),
    )
    y = alt.Y("input:N", sort=alt.SortField("order"), title=None)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("start:Q", title=str(table.attrs.get("outcome", "outcome")), scale=alt.Scale(zero=False)),
            x2="end:Q",
            color=alt.Color("direction:N", title=f"input at p{100 * high:g} vs p{100 * low:g}"),
            tooltip=[
                "input:N",
                alt.Tooltip("input_low:Q", format=",.4g", title=f"input p{100 * low:g}"),
                alt.Tooltip("input_high:Q", format=",.4g", title=f"input p{100 * high:g}"),
                alt.Tooltip("outcome_low:Q", format=",.4g"),
                alt.Tooltip("outcome_high:Q", format=",.4g"),
                alt.Tooltip("swing:Q", format=",.4g"),
                alt.Tooltip("swing_se:Q", format=",.2g", title="swing SE"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(strokeDash=[4, 4]).encode(x="base:Q")
    return (bars + rule).properties(width="container", height=_height(len(table)), title="Tornado")


def plot_importance(table: pd.DataFrame) -> alt.LayerChart:
    """Rank correlations of :func:`venturesim.analysis.sensitivity.importance` with 95 % error bars,
    largest |ρ| on top; the tooltip gives the contribution to variance."""
    data = table.assign(
        order=np.arange(len(table)),
        lo=table["rank_correlation"] - _Z95 * table["se"],
        hi=table["rank_correlation"] + _Z95 * table["se"],
    )
    y = alt.Y("input:N", sort=alt.SortField("order"), title=None)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("rank_correlation:Q", title=f"Spearman ρ with {table.attrs.get('outcome', 'the outcome')}"),
            tooltip=[
                "input:N",
                alt.Tooltip("rank_correlation:Q", format=".3f"),
                alt.Tooltip("se:Q", format=".3f"),
                alt.Tooltip("contribution:Q", format=".1%", title="contribution to variance"),
            ],
        )
    )
    bars_err = alt.Chart(data).mark_rule().encode(y=y, x="lo:Q", x2="hi:Q")
    return (bars + bars_err).properties(width="container", height=_height(len(table)), title="Rank importance")


def plot_sobol(table: pd.DataFrame) -> alt.LayerChart:
    """First-order and total Sobol indices of :func:`venturesim.analysis.sensitivity.sobol`, side by
    side per factor with their 95 % bootstrap intervals."""
    rows = []
    for order, row in enumerate(table.itertuples()):
        for kind, value, conf in (("first order", row.S1, row.S1_conf), ("total", row.ST, row.ST_conf)):
            rows.append(
                {
                    "factor": row.factor,
                    "index": kind,
                    "value": value,
                    "lo": value - conf,
                    "hi": value + conf,
                    "order": order,
                }
            )
    data = pd.DataFrame(rows)
    y = alt.Y("factor:N", sort=alt.SortField("order"), title=None)
    offset = alt.YOffset("index:N")
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            yOffset=offset,
            x=alt.X("value:Q", title=f"Sobol index of {table.attrs.get('outcome', 'the outcome')}"),
            color=alt.Color("index:N", title=None),
            tooltip=["factor:N", "index:N", alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("hi:Q", format=".3f")],
        )
    )
    errs = alt.Chart(data).mark_rule().encode(y=y, yOffset=offset, x="lo:Q", x2="hi:Q")
    return (bars + errs).properties(width="container", height=_height(2 * len(table)), title="Sobol indices")


def plot_spread_split(table: pd.DataFrame) -> alt.Chart:
    """The split of :func:`venturesim.analysis.sensitivity.spread_split`: the shares of the outcome's
    variance from the inputs and from luck, as one stacked bar."""
    data = table.assign(label=str(table.attrs.get("outcome", "outcome")))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None),
            x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share of the variance"),
            color=alt.Color("source:N", title=None),
            tooltip=["source:N", alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("se:Q", format=".1%")],
        )
        .properties(width="container", height=80, title="Parameter uncertainty vs luck")
    )


def plot_convergence(table: pd.DataFrame) -> alt.LayerChart:
    """Each statistic ± 2 SE against the paths run so far (``result.convergence``), one panel per
    statistic (independent y scales)."""
    data = table.assign(lo=table["value"] - 2 * table["se"], hi=table["value"] + 2 * table["se"])
    x = alt.X("paths:Q", title="paths", axis=alt.Axis(format=",.3~s"))
    band = alt.Chart().mark_area(opacity=0.25).encode(x=x, y=alt.Y("lo:Q", title=None), y2="hi:Q")
    line = (
        alt.Chart()
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("value:Q", title="estimate ± 2 SE", scale=alt.Scale(zero=False)),
            tooltip=["paths:Q", alt.Tooltip("value:Q", format=",.4g"), alt.Tooltip("se:Q", format=",.2g")],
        )
    )
    return (
        alt.layer(band, line, data=data)
        .properties(width=PANEL_WIDTH, height=CHART_HEIGHT // 2)
        .facet(facet=alt.Facet("statistic:N", title=None), columns=2)
        .resolve_scale(y="independent")
        .properties(title="Convergence")
    )
