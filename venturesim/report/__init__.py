"""Report layer: tidy summaries, Altair charts and a self-contained HTML page.

Never simulates; it only reads the engine's ``xarray.Dataset`` and draws.
"""

from venturesim.report.charts import (
    MissingMetricError,
    exits_data,
    fan_data,
    plot_exits,
    plot_fan,
    plot_survival,
    quantile_column,
    survival_data,
)
from venturesim.report.html import format_number, render_report, report_from_dataset

__all__ = [
    "MissingMetricError",
    "exits_data",
    "fan_data",
    "format_number",
    "plot_exits",
    "plot_fan",
    "plot_survival",
    "quantile_column",
    "render_report",
    "report_from_dataset",
    "survival_data",
]
