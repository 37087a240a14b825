"""The product's charts in the report: training spend, serving cost per million tokens, gross margin.

Each is a fan chart (:func:`venturesim.report.charts.plot_fan`: 5–95 % and 25–75 % bands around the
median, the legend in its caption) drawn when the run recorded what it needs:

* **training spend** — ``training_compute``, USD a month (all runs on the roadmap together);
* **serving cost per 1M tokens** — ``serving_cost_per_million``, USD: the vendor's price per token in an
  API phase, or 2·N FLOPs per token on own accelerators at their utilisation
  (:mod:`venturesim.model_costs.step`), NaN on dead paths;
* **gross margin** — (revenue − cost_of_revenue) / revenue per path and month, NaN where there is no
  revenue (cost of revenue includes serving; docs/model/product.md).

The quality gap's chart is drawn with the standard charts (:func:`venturesim.report.html.report_from_dataset`).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import xarray as xr

from venturesim.report.charts import fan_data, plot_fan

__all__ = ["gross_margin", "product_charts"]


def gross_margin(ds: xr.Dataset) -> xr.DataArray:
    """(revenue − cost_of_revenue) / revenue per path and month, fraction; NaN where revenue ≤ 0."""
    revenue = ds["revenue"].astype(np.float64)
    margin = (revenue - ds["cost_of_revenue"].astype(np.float64)) / revenue.where(revenue > 0)
    return margin.rename("gross_margin")


def product_charts(ds: xr.Dataset) -> dict[str, alt.TopLevelMixin]:
    """Caption → chart for the product's figures present in ``ds`` (none: an empty dict)."""
    charts: dict[str, alt.TopLevelMixin] = {}
    bands = " (median line; bands: 25–75 % and 5–95 % of paths)"
    if "training_compute" in ds.data_vars and float(np.nansum(ds["training_compute"].values)) > 0:
        charts["Training spend" + bands] = plot_fan(
            fan_data(ds, "training_compute"), "Training runs' spend by month", "Training spend (USD)", money=True
        )
    if "serving_cost_per_million" in ds.data_vars and np.isfinite(ds["serving_cost_per_million"].values).any():
        charts["Serving cost per 1M tokens" + bands] = plot_fan(
            fan_data(ds, "serving_cost_per_million"),
            "Cost of serving 1M tokens (vendor API or own accelerators)",
            "USD per 1M tokens",
            money=True,
        )
    if {"revenue", "cost_of_revenue"} <= set(ds.data_vars):
        margin = gross_margin(ds)
        if np.isfinite(margin.values).any():
            charts["Gross margin" + bands] = plot_fan(
                fan_data(xr.Dataset({"gross_margin": margin}), "gross_margin"),
                "Gross margin: (revenue − cost of revenue) / revenue",
                "Gross margin (fraction)",
                money=False,
                zero_rule=True,
            )
    return charts
