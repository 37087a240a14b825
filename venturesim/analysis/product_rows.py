"""The product's rows of a run's summary (:func:`venturesim.analysis.summary.summarize`): each training run's
spend, and the energy and emissions of training and serving over the horizon.

Every row is a median over all paths with its order-statistic Monte Carlo standard error
(:func:`venturesim.analysis._stats.quantile`), in the summary's columns (section, metric, statistic, value,
se, unit):

* ``spend on training run 'r'`` — the final result ``run_spend`` (USD), the run's rental cost until the path's
  death, exit or the horizon (0 on a path that never started it);
* ``training energy`` / ``serving energy`` — Σ_t of the monthly ``training_energy`` / ``serving_energy``,
  MWh (kWh / 1000), when the run recorded them;
* ``CO2e of training and serving`` — Σ_t ``co2e`` / 1000, tonnes CO2e (energy × the grid's carbon
  intensity, ``product.energy``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["product_rows"]


def product_rows(result) -> list[tuple]:
    """The summary rows of the product (none without training runs or the energy metrics)."""
    from venturesim.analysis import _stats

    ds = result.data
    rows: list[tuple] = []
    if "run_spend" in ds and ds.sizes.get("run", 0):
        spend = np.asarray(ds["run_spend"].values, np.float64)
        for i, name in enumerate(ds["run"].values):
            rows.append(
                ("product", f"spend on training run '{name}'", "p50", *_stats.quantile(spend[:, i], 0.5), "USD")
            )
    horizon = f"over {result.months} months"
    for metric, label, scale, unit in (
        ("training_energy", f"training energy {horizon}", 1e-3, "MWh"),
        ("serving_energy", f"serving energy {horizon}", 1e-3, "MWh"),
        ("co2e", f"CO2e of training and serving {horizon}", 1e-3, "t CO2e"),
    ):
        if metric in ds:
            total = np.nansum(np.asarray(ds[metric].values, np.float64), axis=1) * scale
            if np.any(total > 0):
                rows.append(("product", label, "p50", *_stats.quantile(total, 0.5), unit))
    return rows
