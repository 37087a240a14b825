"""Tidy summaries of simulated paths and the Altair charts drawn from them.

Nothing here simulates. The functions take the engine's ``xarray.Dataset``
(dims ``("path", "month")``; the value at month ``m`` is the state at the end
of month ``m``) and reduce it over paths to small tidy ``pandas.DataFrame``
objects, which the ``plot_*`` functions draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import cast

import altair as alt
import numpy as np
import pandas as pd
import xarray as xr

from venturesim.analysis._stats import FAN_QUANTILES

CHART_WIDTH = 560
"""Width in pixels of the charts that cannot follow their container (faceted and concatenated ones
use :data:`PANEL_WIDTH`); single and layered charts take the container's width (``"container"``)."""
CHART_HEIGHT = 300
"""Chart height in pixels."""
PANEL_WIDTH = 260
"""Width in pixels of one panel of a faceted chart: fits a 420-px-wide screen with its axis."""


FAN_COLORS = ("#c6d7ea", "#8fb0d6", "#1f3b63")
"""Outer band, inner band, median line."""

_MONEY_AXIS_FORMAT = "$,.3s"  # kept for the callers that format tooltips with d3's SI prefixes
# "$5.0M", "$25.0M", "$1.2B", "$450.0k", "$12": one decimal after the scale letter at every size (d3's
# "$,.3s" gives "$5.00M" next to "$25.0M" and "G" for billions).
_MONEY_LABEL_EXPR = (
    "abs(datum.value) >= 1e9 ? format(datum.value / 1e9, '$,.1f') + 'B'"
    " : abs(datum.value) >= 1e6 ? format(datum.value / 1e6, '$,.1f') + 'M'"
    " : abs(datum.value) >= 1e3 ? format(datum.value / 1e3, '$,.1f') + 'k'"
    " : format(datum.value, '$,.0f')"
)
_MONEY_TOOLTIP_FORMAT = "$,.0f"


def money_label(value: float) -> str:
    """The axis label :data:`_MONEY_LABEL_EXPR` draws for ``value`` (USD), in Python: ``$5.0M``, ``$25.0M``,
    ``$1.2B``, ``$450.0k``, ``$12``; negative values get d3's minus sign ``−``."""
    sign = "\u2212" if value < 0 else ""
    v = abs(value)
    for scale, letter in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= scale:
            return f"{sign}${v / scale:,.1f}{letter}"
    return f"{sign}${v:,.0f}"


def month_axis(first: int, last: int, title: str = "Month") -> alt.X:
    """The x encoding of a monthly chart: the scale runs exactly from ``first`` to ``last`` (the horizon),
    not to Vega's next "nice" number (50 on a 48-month horizon)."""
    return alt.X(
        "month:Q",
        title=title,
        scale=alt.Scale(domain=[int(first), int(last)], nice=False, zero=False),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )


_COUNT_AXIS_FORMAT = ",.3~s"
_COUNT_TOOLTIP_FORMAT = ",.1f"


class MissingMetricError(ValueError, KeyError):
    """A metric needed for a chart is not a data variable of the dataset.

    Subclasses both ``ValueError`` and ``KeyError`` so callers can catch either.
    """

    def __str__(self) -> str:
        # KeyError would otherwise repr() the message, adding quotes.
        return str(self.args[0]) if self.args else ""


def _metric_values(ds: xr.Dataset, metric: str) -> np.ndarray:
    """Return ``ds[metric]`` as an array of shape (n_paths, n_months)."""
    if metric not in ds.data_vars:
        present = ", ".join(sorted(str(v) for v in ds.data_vars)) or "none"
        raise MissingMetricError(
            f"metric {metric!r} is not in the simulation results "
            f"(available metrics: {present}); select it in the scenario to chart it"
        )
    return ds[metric].transpose("path", "month").values


def quantile_column(q: float) -> str:
    """Name of the column holding quantile ``q`` (e.g. 0.05 -> ``"q05"``).

    Parameters
    ----------
    q : float
        Quantile in [0, 1].

    Returns
    -------
    str
        ``"q"`` followed by the percentile, zero-padded to two digits when it is
        a whole number (``"q05"``, ``"q50"``), otherwise with ``_`` as decimal
        point (0.025 -> ``"q2_5"``).
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile must lie in [0, 1], got {q}")
    pct = round(q * 100, 6)
    if pct == int(pct):
        return f"q{int(pct):02d}"
    return "q" + f"{pct:g}".replace(".", "_")


def fan_data(ds: xr.Dataset, metric: str, quantiles: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
    """Per-month quantiles of ``metric`` across simulated paths.

    Parameters
    ----------
    ds : xarray.Dataset
        Engine output with dims ``("path", "month")`` and coordinate ``month``.
    metric : str
        Data variable to summarise, e.g. ``"cash"`` (USD).
    quantiles : sequence of float, default :data:`FAN_QUANTILES` (0.1, 0.25, 0.5, 0.75, 0.9)
        Quantiles in [0, 1], increasing.

    Returns
    -------
    pandas.DataFrame
        One row per month: column ``month`` (int) then one float column per
        quantile, named by :func:`quantile_column` (``q10`` ... ``q90``), in the
        metric's unit. NaN values (a metric undefined on some paths) are ignored;
        a month with no finite value gives NaN.

    Raises
    ------
    MissingMetricError
        If ``metric`` is not a data variable of ``ds``.
    """
    qs = np.asarray(quantiles, dtype=np.float64)
    if qs.ndim != 1 or qs.size == 0 or np.any(np.diff(qs) <= 0):
        raise ValueError(f"quantiles must be a non-empty increasing sequence, got {quantiles}")
    columns = [quantile_column(q) for q in qs]
    values = _metric_values(ds, metric)
    if np.isnan(values).any():
        with warnings.catch_warnings():  # months where every path is NaN give NaN, silently
            warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
            table = np.nanquantile(values, qs, axis=0)
    else:
        table = np.quantile(values, qs, axis=0)
    frame = pd.DataFrame(table.T.astype(np.float64), columns=columns)
    frame.insert(0, "month", ds["month"].values.astype(np.int64))
    return frame


def survival_data(ds: xr.Dataset) -> pd.DataFrame:
    """Fraction of paths still alive at the end of each month.

    Parameters
    ----------
    ds : xarray.Dataset
        Engine output containing the boolean variable ``alive``.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (int, starting with a month-0 row), ``survival``
        (probability in [0, 1]; 1 at month 0) and ``se``, the binomial standard
        error ``sqrt(p (1 - p) / n)`` with ``n`` the number of paths (0 at month 0).

    Raises
    ------
    MissingMetricError
        If ``alive`` is not a data variable of ``ds``.
    """
    alive = _metric_values(ds, "alive").astype(np.float64)
    n_paths = alive.shape[0]
    if n_paths == 0:
        raise ValueError("cannot compute survival from a dataset with no paths")
    survival = np.concatenate([[1.0], alive.mean(axis=0)])
    months = np.concatenate([[0], ds["month"].values.astype(np.int64)])
    se = np.sqrt(survival * (1.0 - survival) / n_paths)
    return pd.DataFrame({"month": months, "survival": survival, "se": se})


def _quantile_columns(fan_df: pd.DataFrame) -> list[str]:
    columns = [c for c in fan_df.columns if c != "month"]
    if len(columns) < 3 or len(columns) % 2 == 0:
        raise ValueError(
            "fan data needs an odd number (>= 3) of quantile columns besides 'month' "
            f"(bands pair up from the outside in, the middle one is the median), got {columns}"
        )
    return columns


def _layer(layers: Sequence[alt.Chart], data: pd.DataFrame) -> alt.LayerChart:
    """``layers`` on one set of ``data``, given to the layer chart (a layer made with its own data keeps it).

    Altair moves data shared by every layer up to the layer chart itself, and before that it hashes each layer's
    specification with the data in it, written out as text (``DataFrame.__repr__``, ≈ 20 ms a layer): half the
    report's chart time. Layers made without data (``alt.Chart()``) give the same chart without the hashing."""
    # alt.layer is typed LayerChart | FacetChart (the latter only for facet arguments, none given here)
    return cast(alt.LayerChart, alt.layer(*layers, data=data))


def _js_string(text: str) -> str:
    """A Vega expression string literal of ``text`` (JSON escaping is valid there)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _percent_label(column: str) -> str:
    """``"q10"`` → ``"p10"``; ``"q2_5"`` → ``"p2.5"``."""
    return "p" + column[1:].replace("_", ".")


def band_labels(columns: Sequence[str]) -> list[str]:
    """Legend entries of a fan drawn from quantile ``columns`` (outermost band first, then the median):
    ``["p10–p90 of paths", "p25–p75 of paths", "median (p50)"]`` for :data:`FAN_QUANTILES`."""
    n_bands = len(columns) // 2
    labels = [f"{_percent_label(columns[i])}–{_percent_label(columns[-1 - i])} of paths" for i in range(n_bands)]
    return labels + [f"median ({_percent_label(columns[n_bands])})"]


def plot_fan(
    fan_df: pd.DataFrame,
    title: str,
    y_title: str,
    money: bool = True,
    *,
    zero_rule: bool = False,
    percent: bool = False,
) -> alt.LayerChart:
    """Fan chart: nested quantile bands around a median line, with a legend naming each band.

    Parameters
    ----------
    fan_df : pandas.DataFrame
        Output of :func:`fan_data`: ``month`` plus an odd number of quantile
        columns in increasing order. The outermost pair forms the lightest band,
        the next pair a darker one, and the middle column is drawn as a line.
        The report uses :data:`FAN_QUANTILES` (bands p10–p90 and p25–p75).
    title : str
        Chart title.
    y_title : str
        Y-axis title, including the unit (e.g. ``"Cash (USD)"``).
    money : bool, default True
        Format the axis as US dollars with one decimal after the scale letter
        (``$5.0M``, ``$25.0M``; :func:`money_label`) and tooltips as whole dollars;
        otherwise as plain counts.
    zero_rule : bool, default False
        Draw a horizontal rule at y = 0 (use for cash, where crossing zero is
        running out of money).
    percent : bool, default False
        The values are fractions: axis and tooltips as percentages (0.62 → 62 %);
        ``money`` must then be False.

    Returns
    -------
    altair.LayerChart
        Chart as wide as its container (``width="container"``), x from the first
        month to the last (the horizon), a legend at the bottom ("p10–p90 of
        paths", "p25–p75 of paths", "median (p50)") and a pointer tooltip giving
        every quantile at the hovered month.
    """
    columns = _quantile_columns(fan_df)
    if money:
        axis = alt.Axis(labelExpr=_MONEY_LABEL_EXPR)
        value_format = _MONEY_TOOLTIP_FORMAT
    elif percent:
        axis = alt.Axis(format=".0%")
        value_format = ".1%"
    else:
        axis = alt.Axis(format=_COUNT_AXIS_FORMAT)
        value_format = _COUNT_TOOLTIP_FORMAT
    months = fan_df["month"].to_numpy()
    x = month_axis(months.min(), months.max()) if len(months) else alt.X("month:Q", title="Month")
    base = alt.Chart().encode(x=x)  # the layers' data is the layer chart's (see _layer)
    labels = band_labels(columns)
    n_bands = len(columns) // 2
    shades = ["#e3ebf5", "#dce7f3", *FAN_COLORS[:2]]  # lightest outside
    color_scale = alt.Scale(domain=labels, range=shades[-n_bands:] + [FAN_COLORS[2]])
    legend = alt.Legend(title=None, orient="bottom", direction="horizontal", labelLimit=220)

    layers: list[alt.Chart] = []
    for i in range(n_bands):
        low, high = columns[i], columns[-1 - i]
        layers.append(
            base.transform_calculate(band=_js_string(labels[i]))
            .mark_area(opacity=0.9)
            .encode(
                y=alt.Y(f"{low}:Q", title=y_title, axis=axis),
                y2=alt.Y2(f"{high}:Q"),
                color=alt.Color("band:N", scale=color_scale, legend=legend),
            )
        )
    median = columns[n_bands]
    layers.append(
        base.transform_calculate(band=_js_string(labels[-1]))
        .mark_line(strokeWidth=2)
        .encode(y=f"{median}:Q", color=alt.Color("band:N", scale=color_scale, legend=legend))
    )
    if zero_rule:
        layers.append(
            alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#c0392b", strokeDash=[4, 4]).encode(y="zero:Q")
        )

    hover = alt.selection_point(fields=["month"], nearest=True, on="pointerover", empty=False)
    tooltip = [alt.Tooltip("month:Q", title="Month")] + [
        alt.Tooltip(f"{c}:Q", title=_percent_label(c), format=value_format) for c in columns
    ]
    layers.append(
        base.mark_rule(color="#555")
        .encode(opacity=alt.condition(hover, alt.value(0.6), alt.value(0.0)), tooltip=tooltip)
        .add_params(hover)
    )
    return _layer(layers, fan_df).properties(title=title, width="container", height=CHART_HEIGHT)


def plot_survival(surv_df: pd.DataFrame) -> alt.LayerChart:
    """Survival curve as a step line with a 95% normal-approximation band.

    Parameters
    ----------
    surv_df : pandas.DataFrame
        Output of :func:`survival_data` (``month``, ``survival``, ``se``).

    Returns
    -------
    altair.LayerChart
        Step line of survival probability (percent axis, 0–100%) with a band of
        ``survival ± 1.96 se`` clipped to [0, 1], and a per-month tooltip.
    """
    missing = {"month", "survival", "se"} - set(surv_df.columns)
    if missing:
        raise ValueError(f"survival data lacks column(s) {sorted(missing)}")
    frame = surv_df.assign(
        low=(surv_df["survival"] - 1.96 * surv_df["se"]).clip(0.0, 1.0),
        high=(surv_df["survival"] + 1.96 * surv_df["se"]).clip(0.0, 1.0),
    )
    x = month_axis(frame["month"].min(), frame["month"].max())
    y_scale = alt.Scale(domain=[0.0, 1.0])
    base = alt.Chart().encode(x=x)
    labels = ["share of paths alive", "95 % interval (±1.96 s.e.)"]
    colors = alt.Scale(domain=labels, range=["#2e6b28", "#b5d6b0"])
    legend = alt.Legend(title=None, orient="bottom", direction="horizontal", labelLimit=220)
    band = (
        base.transform_calculate(band=_js_string(labels[1]))
        .mark_area(interpolate="step-after")
        .encode(
            y=alt.Y("low:Q", title="Paths still operating", scale=y_scale, axis=alt.Axis(format="%")),
            y2="high:Q",
            color=alt.Color("band:N", scale=colors, legend=legend),
        )
    )
    line = (
        base.transform_calculate(band=_js_string(labels[0]))
        .mark_line(strokeWidth=2, interpolate="step-after")
        .encode(y=alt.Y("survival:Q", scale=y_scale), color=alt.Color("band:N", scale=colors, legend=legend))
    )
    hover = alt.selection_point(fields=["month"], nearest=True, on="pointerover", empty=False)
    rule = (
        base.mark_rule(color="#555")
        .encode(
            opacity=alt.condition(hover, alt.value(0.6), alt.value(0.0)),
            tooltip=[
                alt.Tooltip("month:Q", title="Month"),
                alt.Tooltip("survival:Q", title="Survival", format=".1%"),
                alt.Tooltip("se:Q", title="Std. error", format=".2%"),
            ],
        )
        .add_params(hover)
    )
    return _layer([band, line, rule], frame).properties(
        title="Survival probability", width="container", height=CHART_HEIGHT
    )


EXIT_LABELS = {
    "private": "still private",
    "acquisition": "acquired",
    "ipo": "IPO",
    "acquihire": "acqui-hired",
    "shutdown": "shut down",
}


def exits_data(ds: xr.Dataset) -> pd.DataFrame:
    """Share of paths by how they end (still private, acquired, IPO, acqui-hired, shut down).

    Parameters
    ----------
    ds : xarray.Dataset
        Engine output with the per-path variable ``exit_kind``.

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome`` (label), ``share`` (fraction of paths) and ``se``
        (binomial standard error), one row per outcome, in EXIT_LABELS order.
    """
    from venturesim.funding.terms import EXIT_KINDS

    if "exit_kind" not in ds.data_vars:
        raise MissingMetricError("the results have no exit_kind (per-path exits)")
    kind = ds["exit_kind"].values
    share = np.array([(kind == k).mean() for k in range(len(EXIT_KINDS))])
    return pd.DataFrame(
        {
            "outcome": [EXIT_LABELS[name] for name in EXIT_KINDS],
            "share": share,
            "se": np.sqrt(share * (1 - share) / kind.size),
        }
    )


def plot_exits(exits_df: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars of the share of paths per outcome, with ±1.96 SE error bars.

    Parameters
    ----------
    exits_df : pandas.DataFrame
        Output of :func:`exits_data` (``outcome``, ``share``, ``se``).
    """
    missing = {"outcome", "share", "se"} - set(exits_df.columns)
    if missing:
        raise ValueError(f"exits data lacks column(s) {sorted(missing)}")
    frame = exits_df.assign(
        low=(exits_df["share"] - 1.96 * exits_df["se"]).clip(0.0, 1.0),
        high=(exits_df["share"] + 1.96 * exits_df["se"]).clip(0.0, 1.0),
    )
    y = alt.Y("outcome:N", title=None, sort=list(exits_df["outcome"]))
    base = alt.Chart().encode(y=y)
    bars = base.mark_bar(color="#4e79a7").encode(
        x=alt.X("share:Q", title="Share of paths at the horizon", axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
            alt.Tooltip("se:Q", title="Std. error", format=".2%"),
        ],
    )
    errors = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    return _layer([bars, errors], frame).properties(title="How the paths end", width="container", height=160)
