"""The product's charts in the report: training spend, serving cost per million tokens, gross margin.

Each is a fan chart (:func:`venturesim.report.charts.plot_fan`: 10–90 % and 25–75 % bands around the
median, the legend in its caption) drawn when the run recorded what it needs:

* **training spend** — ``training_compute``, USD a month (all runs on the roadmap together);
* **serving cost per 1M tokens** — ``serving_cost_per_million``, USD: the vendor's price per token in an
  API phase, or 2·N FLOPs per token on own accelerators at their utilisation
  (:mod:`venturesim.model_costs.step`), NaN on dead paths;
* **gross margin** — (revenue − cost_of_revenue) / revenue per path and month, NaN where there is no
  revenue (cost of revenue includes serving; docs/model/product.md);
* **energy** — ``training_energy`` + ``serving_energy``, kWh a month (own accelerators × TDP × PUE;
  a vendor API's tokens are the vendor's), and **cumulative CO2e** — the running sum of ``co2e``, tonnes
  (energy × the grid's carbon intensity, ``product.energy``);

and one chart that is not a fan: **training spend by run** — each named run's spend over the path's life
(the final result ``run_spend``, USD): the median as a bar, the 25–75 % and 10–90 % ranges as rules.

The quality gap's chart is drawn with the standard charts (:func:`venturesim.report.html.report_from_dataset`).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import xarray as xr

from venturesim.report.charts import fan_data, plot_fan

__all__ = ["gross_margin", "product_charts", "run_spend_chart", "run_spend_table"]


def gross_margin(ds: xr.Dataset) -> xr.DataArray:
    """(revenue − cost_of_revenue) / revenue per path and month, fraction; NaN where revenue ≤ 0."""
    revenue = ds["revenue"].astype(np.float64)
    margin = (revenue - ds["cost_of_revenue"].astype(np.float64)) / revenue.where(revenue > 0)
    return margin.rename("gross_margin")


def product_charts(ds: xr.Dataset) -> dict[str, alt.TopLevelMixin]:
    """Caption → chart for the product's figures present in ``ds`` (none: an empty dict)."""
    charts: dict[str, alt.TopLevelMixin] = {}
    bands = " (median line; bands: 25–75 % and 10–90 % of paths)"
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
                "Gross margin",
                money=False,
                zero_rule=True,
                percent=True,
            )
    if {"training_energy", "serving_energy"} <= set(ds.data_vars):
        energy = (ds["training_energy"].astype(np.float64) + ds["serving_energy"].astype(np.float64)).rename("energy")
        if float(np.nansum(energy.values)) > 0:
            charts["Energy of training and serving" + bands] = plot_fan(
                fan_data(xr.Dataset({"energy": energy}), "energy"),
                "Energy of own training runs and serving, by month (accelerator TDP × hours × PUE)",
                "Energy (kWh per month)",
                money=False,
            )
    if "co2e" in ds.data_vars and float(np.nansum(ds["co2e"].values)) > 0:
        cumulative = (ds["co2e"].astype(np.float64).fillna(0.0).cumsum("month") / 1000.0).rename("co2e_t")
        charts["Cumulative CO2e of training and serving" + bands] = plot_fan(
            fan_data(xr.Dataset({"co2e_t": cumulative}), "co2e_t"),
            "Emissions so far: energy × the grid's carbon intensity",
            "CO2e (tonnes, cumulative)",
            money=False,
        )
    if "run_spend" in ds.data_vars and ds.sizes.get("run", 0) and float(np.nansum(ds["run_spend"].values)) > 0:
        charts[
            "Training spend by run: median (bar), 25–75 % (thick rule) and 10–90 % (thin rule) of paths; "
            "each run's spend until the path's death, exit or the horizon"
        ] = run_spend_chart(ds)
    return charts


def run_spend_table(ds: xr.Dataset) -> pd.DataFrame:
    """Each named run's spend over the paths (``run_spend``, USD): p10, p25, p50, p75, p90 and the mean, one row
    a run in roadmap order."""
    values = np.asarray(ds["run_spend"].values, np.float64)  # (path, run)
    q = np.nanquantile(values, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
    return pd.DataFrame(
        {
            "run": [str(r) for r in ds["run"].values],
            **{f"p{p}": q[i] for i, p in enumerate((10, 25, 50, 75, 90))},
            "mean": np.nanmean(values, axis=0),
        }
    )


def run_spend_chart(ds: xr.Dataset) -> alt.TopLevelMixin:
    """Bars of each run's median spend with its 25–75 % and 10–90 % ranges as rules (:func:`run_spend_table`)."""
    table = run_spend_table(ds)
    base = alt.Chart(table).encode(
        y=alt.Y("run:N", sort=list(table["run"]), title="Training run"),
        tooltip=[
            alt.Tooltip("run:N"),
            *(alt.Tooltip(f"{c}:Q", format="$,.0f") for c in ("p10", "p25", "p50", "p75", "p90", "mean")),
        ],
    )
    money = alt.Axis(format="$~s")
    bars = base.mark_bar(opacity=0.5).encode(x=alt.X("p50:Q", title="Spend per run (USD)", axis=money))
    wide = base.mark_rule(strokeWidth=1).encode(x="p10:Q", x2="p90:Q")
    inner = base.mark_rule(strokeWidth=5).encode(x="p25:Q", x2="p75:Q")
    return alt.layer(bars, wide, inner).properties(title="Training spend by run (over the paths)", width=520)
