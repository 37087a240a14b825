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
    assert all("bands: 25–75 % and 5–95 % of paths" in caption for caption in charts)
    spec = charts[next(iter(charts))].to_dict()
    assert spec["title"] == "Training runs' spend by month"
    assert product_charts(dataset()[["revenue"]]) == {}
