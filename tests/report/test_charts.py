"""Tests for venturesim.report.charts on small hand-made datasets."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import vl_convert
import xarray as xr

from venturesim.report import MissingMetricError, fan_data, plot_fan, plot_survival, quantile_column, survival_data


def make_ds(**variables: np.ndarray) -> xr.Dataset:
    """Dataset with dims (path, month) and month = 1..T from (path, month) arrays."""
    n_months = next(iter(variables.values())).shape[1]
    return xr.Dataset(
        {name: (("path", "month"), values) for name, values in variables.items()},
        coords={"month": np.arange(1, n_months + 1)},
    )


@pytest.fixture
def cash_ds() -> xr.Dataset:
    # 5 paths x 2 months. Month 1: 0, 10, 20, 30, 40 (shuffled across paths);
    # month 2: twice that, minus 100.
    month1 = np.array([30.0, 0.0, 40.0, 10.0, 20.0])
    cash = np.stack([month1, 2 * month1 - 100], axis=1).astype(np.float32)
    return make_ds(cash=cash)


def test_quantile_column_names() -> None:
    assert [quantile_column(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)] == ["q05", "q25", "q50", "q75", "q95"]
    assert quantile_column(0.025) == "q2_5"
    assert quantile_column(1.0) == "q100"
    with pytest.raises(ValueError):
        quantile_column(1.5)


def test_fan_data_quantiles(cash_ds: xr.Dataset) -> None:
    fan = fan_data(cash_ds, "cash")  # the report's convention: p10, p25, p50, p75, p90
    assert list(fan.columns) == ["month", "q10", "q25", "q50", "q75", "q90"]
    assert fan["month"].tolist() == [1, 2]
    # Linear interpolation over sorted 0,10,20,30,40: position q * 4 (p10 → 0.4 → 4; p90 → 3.6 → 36).
    np.testing.assert_allclose(fan.iloc[0, 1:].to_numpy(), [4.0, 10.0, 20.0, 30.0, 36.0])
    np.testing.assert_allclose(fan.iloc[1, 1:].to_numpy(), [-92.0, -80.0, -60.0, -40.0, -28.0])
    assert fan["q50"].dtype == np.float64


def test_fan_data_custom_quantiles_and_dim_order(cash_ds: xr.Dataset) -> None:
    transposed = cash_ds.transpose("month", "path")
    fan = fan_data(transposed, "cash", quantiles=(0.1, 0.5, 0.9))
    assert list(fan.columns) == ["month", "q10", "q50", "q90"]
    np.testing.assert_allclose(fan["q90"], [36.0, -28.0])


def test_fan_data_ignores_nan() -> None:
    values = np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]], dtype=np.float32)
    fan = fan_data(make_ds(arr=values), "arr", quantiles=(0.5,))
    assert fan["q50"].iloc[0] == pytest.approx(2.0)
    assert np.isnan(fan["q50"].iloc[1])


def test_fan_data_rejects_bad_quantiles(cash_ds: xr.Dataset) -> None:
    with pytest.raises(ValueError, match="increasing"):
        fan_data(cash_ds, "cash", quantiles=(0.5, 0.25))


def test_missing_metric_is_named(cash_ds: xr.Dataset) -> None:
    with pytest.raises(MissingMetricError, match="'arr'") as info:
        fan_data(cash_ds, "arr")
    assert isinstance(info.value, ValueError) and isinstance(info.value, KeyError)
    assert "cash" in str(info.value)  # lists what is available
    with pytest.raises(ValueError, match="'alive'"):
        survival_data(cash_ds)


def test_survival_data() -> None:
    alive = np.array([[True, True, True], [True, True, False], [True, False, False], [False, False, False]])
    surv = survival_data(make_ds(alive=alive))
    assert surv["month"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(surv["survival"], [1.0, 0.75, 0.5, 0.25])
    np.testing.assert_allclose(
        surv["se"], [0.0, np.sqrt(0.75 * 0.25 / 4), np.sqrt(0.5 * 0.5 / 4), np.sqrt(0.25 * 0.75 / 4)]
    )
    assert surv["se"].iloc[2] == pytest.approx(0.25)


def _layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def test_plot_fan_spec(cash_ds: xr.Dataset) -> None:
    chart = plot_fan(fan_data(cash_ds, "cash"), "Cash", "Cash (USD)", zero_rule=True)
    spec = chart.to_dict()
    assert spec["width"] == "container"
    assert spec["title"] == "Cash"
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "area", "line", "rule", "rule"]
    outer, inner = spec["layer"][0]["encoding"], spec["layer"][1]["encoding"]
    assert (outer["y"]["field"], outer["y2"]["field"]) == ("q10", "q90")
    assert (inner["y"]["field"], inner["y2"]["field"]) == ("q25", "q75")
    assert spec["layer"][2]["encoding"]["y"]["field"] == "q50"
    assert "'M'" in outer["y"]["axis"]["labelExpr"]
    # the legend names each band (one color scale, entries from the layers' constant "band" field)
    assert outer["color"]["scale"]["domain"] == ["p10–p90 of paths", "p25–p75 of paths", "median (p50)"]
    assert [layer["transform"][0]["calculate"] for layer in spec["layer"][:3]] == [
        '"p10–p90 of paths"',
        '"p25–p75 of paths"',
        '"median (p50)"',
    ]
    # the x axis ends at the horizon (month 2 here), not at Vega's next nice number
    assert outer["x"]["scale"] == {"domain": [1, 2], "nice": False, "zero": False}
    zero = spec["layer"][3]
    assert spec["datasets"][zero["data"]["name"]] == [{"zero": 0.0}]
    tooltip = spec["layer"][4]["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["month", "q10", "q25", "q50", "q75", "q90"]
    assert [t["title"] for t in tooltip[1:]] == ["p10", "p25", "p50", "p75", "p90"]
    svg = vl_convert.vegalite_to_svg(spec)
    assert "p10–p90 of paths" in svg and "median (p50)" in svg


def test_plot_fan_counts_without_zero_rule(cash_ds: xr.Dataset) -> None:
    chart = plot_fan(fan_data(cash_ds, "cash"), "Customers", "Customers", money=False)
    marks = [layer["mark"]["type"] for layer in _layers(chart)]
    assert marks == ["area", "area", "line", "rule"]
    assert _layers(chart)[0]["encoding"]["y"]["axis"]["format"] == ",.3~s"


def test_plot_fan_needs_odd_quantiles() -> None:
    with pytest.raises(ValueError, match="odd number"):
        plot_fan(pd.DataFrame({"month": [1], "q25": [0.0], "q75": [1.0]}), "t", "y")


def test_plot_survival_spec() -> None:
    surv = pd.DataFrame({"month": [0, 1, 2], "survival": [1.0, 0.9, 0.02], "se": [0.0, 0.1, 0.05]})
    spec = plot_survival(surv).to_dict()
    assert spec["width"] == "container" and spec["title"] == "Survival probability"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 2]
    band, line, _ = spec["layer"]
    assert band["encoding"]["color"]["scale"]["domain"] == ["share of paths alive", "95 % interval (±1.96 s.e.)"]
    assert band["mark"]["interpolate"] == "step-after"
    assert line["mark"]["interpolate"] == "step-after"
    assert band["encoding"]["y"]["scale"]["domain"] == [0.0, 1.0]
    assert band["encoding"]["y"]["axis"]["format"] == "%"
    rows = spec["datasets"][spec["data"]["name"]]
    # +-1.96 se, clipped to [0, 1].
    assert [round(r["low"], 6) for r in rows] == [1.0, 0.704, 0.0]
    assert [round(r["high"], 6) for r in rows] == [1.0, 1.0, 0.118]
    assert vl_convert.vegalite_to_svg(spec).startswith("<svg")


def test_exits_data_and_chart_by_hand() -> None:
    """Ten paths: 5 private, 2 acquired, 1 IPO, 0 acqui-hired, 2 shut down → 50/20/10/0/20 %."""
    from venturesim.report import exits_data, plot_exits

    ds = xr.Dataset({"exit_kind": (("path",), np.array([0, 0, 0, 0, 0, 1, 1, 2, 4, 4]))})
    table = exits_data(ds)
    assert table["outcome"].tolist() == ["still private", "acquired", "IPO", "acqui-hired", "shut down"]
    np.testing.assert_allclose(table["share"], [0.5, 0.2, 0.1, 0.0, 0.2])
    np.testing.assert_allclose(table["se"][0], np.sqrt(0.25 / 10))
    spec = plot_exits(table).to_dict()
    assert spec["title"] == "How the paths end"
    with pytest.raises(ValueError, match="lacks column"):
        plot_exits(table.drop(columns="se"))


def test_money_labels_one_decimal_at_every_scale() -> None:
    """The axis labels: one decimal after the scale letter ($5.0M next to $25.0M, not $5.00M), B for 1e9."""
    from venturesim.report.charts import money_label

    assert [money_label(v) for v in (5e6, 2.5e7, 1.26e9, 4.5e5, 12.0, 0.0, -5e6)] == [
        "$5.0M",
        "$25.0M",
        "$1.3B",
        "$450.0k",
        "$12",
        "$0",
        "\u2212$5.0M",
    ]
    # Vega's expression draws the same labels: a fan from −$10M to $30M in steps Vega picks ($5M here)
    cash = np.array([[-1e7, 3e7], [-1e7, 3e7], [-1e7, 3e7]], dtype=np.float64)
    svg = vl_convert.vegalite_to_svg(plot_fan(fan_data(make_ds(cash=cash), "cash"), "c", "Cash").to_dict())
    labels = re.findall(r">([^<]*\$[^<]*)</text>", svg)
    assert labels and set(labels) <= {money_label(v) for v in np.arange(-1e7, 3.5e7, 5e6)}, labels
    assert "$25.0M" in labels and "$5.0M" in labels
