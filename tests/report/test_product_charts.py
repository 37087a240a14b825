"""The product's charts: drawn from the metrics a run recorded, gross margin by hand, skipped when absent."""

import numpy as np
import xarray as xr

from venturesim.report.product_charts import gross_margin, product_charts


def dataset():
    months = np.arange(3)
    data = {
        "revenue": (("path", "month"), [[0.0, 100.0, 200.0], [50.0, 80.0, 0.0]]),
        "cost_of_revenue": (("path", "month"), [[10.0, 40.0, 50.0], [60.0, 20.0, 5.0]]),
        "training_compute": (("path", "month"), [[1e5, 0.0, 0.0], [2e5, 1e5, 0.0]]),
        "serving_cost_per_million": (("path", "month"), [[4.375, 4.375, 0.065], [4.375, np.nan, np.nan]]),
    }
    return xr.Dataset(data, coords={"path": [0, 1], "month": months})


def test_gross_margin_by_hand():
    """(100 − 40)/100 = 0.6, (200 − 50)/200 = 0.75; (50 − 60)/50 = −0.2, (80 − 20)/80 = 0.75; no revenue: NaN."""
    got = gross_margin(dataset()).values
    np.testing.assert_allclose(got, [[np.nan, 0.6, 0.75], [-0.2, 0.75, np.nan]])


def test_the_three_charts_with_their_legends_and_none_without_the_metrics():
    charts = product_charts(dataset())
    assert [c.split(" (")[0] for c in charts] == ["Training spend", "Serving cost per 1M tokens", "Gross margin"]
    assert all("bands: 25–75 % and 10–90 % of paths" in caption for caption in charts)
    spec = charts[next(iter(charts))].to_dict()
    assert spec["title"] == "Training runs' spend by month"
    assert product_charts(dataset()[["revenue"]]) == {}
    margin = charts[next(c for c in charts if c.startswith("Gross margin"))].to_dict()
    assert margin["layer"][0]["encoding"]["y"]["axis"]["format"] == ".0%"  # 0.6 reads 60 %, not "600m"


def test_energy_co2e_and_spend_by_run_charts_by_hand():
    """Energy = training + serving kWh a month; cumulative CO2e in tonnes (path 0: 0.4, 1.0, 1.0 t; path 1: 0.2,
    0.2, 0.2 t, a dead month's NaN as 0; medians 0.3, 0.6, 0.6); each run's spend over the paths: run 'a' on 5
    paths 0, 10, 20, 30, 40 USD ⇒ p50 20, p25 10, p75 30, mean 20."""
    from venturesim.report.charts import fan_data
    from venturesim.report.product_charts import run_spend_table

    ds = dataset()
    ds["training_energy"] = (("path", "month"), [[1000.0, 0.0, 0.0], [500.0, 0.0, 0.0]])
    ds["serving_energy"] = (("path", "month"), [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    ds["co2e"] = (("path", "month"), [[400.0, 600.0, 0.0], [200.0, np.nan, 0.0]])
    charts = product_charts(ds)
    captions = [c.split(" (")[0] for c in charts]
    assert captions[3:] == ["Energy of training and serving", "Cumulative CO2e of training and serving"]
    co2 = charts[next(c for c in charts if c.startswith("Cumulative CO2e"))].to_dict()
    assert co2["layer"][0]["encoding"]["y"]["title"] == "CO2e (tonnes, cumulative)"
    cumulative = (ds["co2e"].fillna(0.0).cumsum("month") / 1000.0).rename("t")
    np.testing.assert_allclose(fan_data(xr.Dataset({"t": cumulative}), "t")["q50"], [0.3, 0.6, 0.6])

    runs = xr.Dataset(
        {"run_spend": (("path", "run"), np.array([[0.0, 10.0, 20.0, 30.0, 40.0], [5.0] * 5]).T)},
        coords={"path": np.arange(5), "run": ["a", "b"]},
    )
    table = run_spend_table(runs)
    assert list(table["run"]) == ["a", "b"]
    np.testing.assert_allclose(table.loc[0, ["p25", "p50", "p75", "mean"]].to_numpy(float), [10, 20, 30, 20])
    chart = product_charts(runs)  # run_spend alone: that chart only
    assert len(chart) == 1
    caption = next(c for c in chart if c.startswith("Training spend by run"))
    assert "median (bar), 25–75 % (thick rule) and 10–90 % (thin rule)" in caption
    assert chart[caption].to_dict()["title"] == "Training spend by run (over the paths)"
