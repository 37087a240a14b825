"""Report layer: tidy summaries, Altair charts, a self-contained HTML page and the exports.

It reads the engine's results and draws; the only runs it starts are the base plan
(:func:`venturesim.report.result_charts.base_plan`) and the replay of the median path for its cap table
(:mod:`venturesim.report.captable`). docs/report.md describes the charts and the exports.
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
from venturesim.report.exports import export
from venturesim.report.html import format_number, render_report, report_from_dataset, report_from_result

__all__ = [
    "MissingMetricError",
    "exits_data",
    "export",
    "fan_data",
    "format_number",
    "plot_exits",
    "plot_fan",
    "plot_survival",
    "quantile_column",
    "render_report",
    "report_from_dataset",
    "report_from_result",
    "survival_data",
]
