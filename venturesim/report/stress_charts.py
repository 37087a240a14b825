"""Charts of the what-if analyses: variants overlaid, goal-seek curves, claims and conditional inputs.

Each ``*_data`` function reduces results to a small tidy table; each
``plot_*`` draws such a table (Altair) and never simulates.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import cast

import altair as alt
import numpy as np
import pandas as pd

from venturesim.report.charts import _MONEY_LABEL_EXPR, CHART_HEIGHT, month_axis


def survival_overlay_data(results: Mapping[str, object]) -> pd.DataFrame:
    """Columns variant, month (0 … T), survival (operating share), se — one block per variant."""
    frames = []
    for name, result in results.items():
        table = result.survival().reset_index()  # type: ignore[attr-defined]
        frames.append(table[["month", "survival", "se"]].assign(variant=name))
    return pd.concat(frames, ignore_index=True)


def plot_survival_overlay(frame: pd.DataFrame) -> alt.LayerChart:
    """Survival curves of every variant on one chart (step lines, ±1.96 SE bands), coloured by variant."""
    frame = frame.assign(
        low=(frame["survival"] - 1.96 * frame["se"]).clip(0, 1),
        high=(frame["survival"] + 1.96 * frame["se"]).clip(0, 1),
    )
    order = list(dict.fromkeys(frame["variant"]))
    color = alt.Color("variant:N", sort=order, title="Variant")
    x = month_axis(frame["month"].min(), frame["month"].max())
    scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(frame).encode(x=x, color=color)
    band = base.mark_area(opacity=0.15, interpolate="step-after").encode(
        y=alt.Y("low:Q", scale=scale, title="Paths still operating", axis=alt.Axis(format="%")), y2="high:Q"
    )
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y=alt.Y("survival:Q", scale=scale),
        tooltip=["variant:N", "month:Q", alt.Tooltip("survival:Q", format=".1%"), alt.Tooltip("se:Q", format=".2%")],
    )
    return cast(
        alt.LayerChart,
        alt.layer(band, line).properties(title="Survival probability", width="container", height=CHART_HEIGHT),
    )


def fan_overlay_data(results: Mapping[str, object], metric: str, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Columns variant, month, low, median, high: the metric's 10th, 50th and 90th percentiles over the paths
    operating that month (``alive``; as the run report's fans: a dead path's cash is its last, negative, balance
    and a sold one's is not the company's any more — the Survival overlay shows how many are left), NaN in a
    month with none."""
    frames = []
    for name, result in results.items():
        data = result.data  # type: ignore[attr-defined]
        values = np.asarray(data[metric].values, np.float64)  # (paths, months)
        if "alive" in data:
            values = np.where(np.asarray(data["alive"].values, bool), values, np.nan)
        with warnings.catch_warnings():  # a month no path operates: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanquantile(values, quantiles, axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "variant": name,
                    "month": result.data["month"].values.astype(int),  # type: ignore[attr-defined]
                    "low": q[0],
                    "median": q[1],
                    "high": q[2],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def plot_fan_overlay(frame: pd.DataFrame, title: str, money: bool = True) -> alt.LayerChart:
    """Median lines and p10–p90 bands of every variant, coloured by variant (the subtitle says so); x from the
    first month to the horizon."""
    axis = alt.Axis(labelExpr=_MONEY_LABEL_EXPR) if money else alt.Axis(format=",.3~s")
    order = list(dict.fromkeys(frame["variant"]))
    color = alt.Color("variant:N", sort=order, title="Variant")
    base = alt.Chart(frame).encode(x=month_axis(frame["month"].min(), frame["month"].max()), color=color)
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("low:Q", title=title, axis=axis), y2="high:Q")
    line = base.mark_line(strokeWidth=2).encode(y="median:Q", tooltip=["variant:N", "month:Q", "median:Q"])
    return cast(
        alt.LayerChart,
        alt.layer(band, line).properties(
            title=alt.TitleParams(title, subtitle="each variant: median line, p10–p90 band of the paths operating"),
            width="container",
            height=CHART_HEIGHT,
        ),
    )


def plot_goal_seek(trace: pd.DataFrame, target: float, root: float, x_title: str, y_title: str) -> alt.LayerChart:
    """The statistic at each evaluated value (±1.96 SE), the target line and the root found.

    ``trace``: columns x, value, se (:attr:`venturesim.analysis.goal_seek.GoalSeek.trace`).
    """
    frame = trace.assign(low=trace["value"] - 1.96 * trace["se"], high=trace["value"] + 1.96 * trace["se"])
    base = alt.Chart(frame).encode(x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)))
    points = base.mark_point(filled=True, color="#4c78a8").encode(
        y=alt.Y("value:Q", title=y_title), tooltip=["x:Q", "value:Q", "se:Q"]
    )
    bars = base.mark_rule(color="#4c78a8").encode(y="low:Q", y2="high:Q")
    line = alt.Chart(frame.sort_values("x")).mark_line(color="#4c78a8", opacity=0.5).encode(x="x:Q", y="value:Q")
    goal = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color="#c0392b", strokeDash=[4, 4]).encode(y="y:Q")
    answer = alt.Chart(pd.DataFrame({"x": [root]})).mark_rule(color="#2e6b28").encode(x="x:Q")
    return cast(
        alt.LayerChart,
        alt.layer(line, bars, points, goal, answer).properties(
            title="Goal seek (common random numbers)", width="container", height=CHART_HEIGHT
        ),
    )


def plot_probabilities(frame: pd.DataFrame, title: str = "Probability of each claim") -> alt.LayerChart:
    """Horizontal bars of probabilities with ±1.96 SE error bars; ``frame``: columns label, probability, se."""
    frame = frame.assign(
        low=(frame["probability"] - 1.96 * frame["se"]).clip(0, 1),
        high=(frame["probability"] + 1.96 * frame["se"]).clip(0, 1),
    )
    base = alt.Chart(frame).encode(y=alt.Y("label:N", title=None, sort=list(frame["label"])))
    bars = base.mark_bar(color="#4e79a7").encode(
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="Probability"),
        tooltip=["label:N", alt.Tooltip("probability:Q", format=".1%"), alt.Tooltip("se:Q", format=".2%")],
    )
    rules = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    return cast(alt.LayerChart, alt.layer(bars, rules).properties(title=title, width="container"))


def plot_input_shift(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Where each input's conditional median falls in its prior (percentile; 50 % = no shift).

    ``frame``: :func:`venturesim.analysis.goal_seek.inputs_given` (columns input, median_percentile).
    """
    frame = frame.assign(shift=frame["median_percentile"] - 0.5)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("input:N", sort=list(frame["input"]), title=None),
            x=alt.X(
                "median_percentile:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
                title="Conditional median's percentile in the prior",
            ),
            color=alt.condition("datum.shift > 0", alt.value("#59a14f"), alt.value("#e15759")),
            tooltip=["input:N", alt.Tooltip("median_percentile:Q", format=".1%"), "ks:Q"],
        )
        .properties(title=title, width="container")
    )
