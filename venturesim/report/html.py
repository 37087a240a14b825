"""Self-contained HTML report: summary table, notes and interactive charts.

The page needs no network when viewed: the Vega, Vega-Lite and vega-embed
JavaScript is inlined once (as altair's ``save(..., inline=True)`` does, via
``vl_convert.javascript_bundle``) and every chart spec is embedded as JSON.
All user-supplied text is escaped.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
import vl_convert
import xarray as xr

from venturesim.report.charts import exits_data, fan_data, plot_exits, plot_fan, plot_survival, survival_data

SUMMARY_COLUMNS = ("section", "metric", "statistic", "value", "se", "unit")
"""Columns required in the summary table passed to :func:`render_report`."""

_MONEY_UNITS = frozenset({"usd", "$", "usd/month", "usd per month"})
_PERCENT_UNITS = frozenset({"probability", "fraction", "share", "%", "percent"})
_EMBED_OPTIONS = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False, "editor": False}}

_CSS = """
:root { --ink: #1d2430; --muted: #5b6573; --rule: #d8dde4; --band: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 24px; font-size: 1.05rem; }
.headline { font-size: 1.1rem; line-height: 1.5; margin: 0 0 24px; max-width: 60rem; }
h2 { font-size: 1.25rem; margin: 32px 0 12px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; }
table.summary td.num, table.summary th.num { text-align: right; white-space: nowrap; }
table.summary thead th { font-size: 0.85rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table.summary tr.section th { background: var(--band); font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr; gap: 24px; }
figure.chart { margin: 0; padding: 12px; border: 1px solid var(--rule); border-radius: 6px; overflow-x: auto; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
ul.notes { color: var(--muted); padding-left: 20px; }
@media print {
  main { max-width: none; padding: 0; }
  figure.chart, table.summary tr { break-inside: avoid; page-break-inside: avoid; }
  .vega-embed details { display: none; }
}
"""

_BOOT_SCRIPT = """
document.querySelectorAll("script[data-chart-for]").forEach(function (node) {
  var target = document.getElementById(node.getAttribute("data-chart-for"));
  vegaEmbed(target, JSON.parse(node.textContent), EMBED_OPTIONS).catch(function (err) {
    target.textContent = "Chart failed to render: " + err;
  });
});
"""


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """JavaScript defining ``vegaEmbed``, ``vega`` and ``vegaLite`` globally.

    Built by ``vl_convert.javascript_bundle`` for the Vega-Lite version that
    altair targets; cached because building it takes a few seconds.
    """
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    # the stub omits ``snippet``'s default (vl_convert's own docstring: "the default snippet")
    return vl_convert.javascript_bundle(vl_version=f"v{major}_{minor}")  # type: ignore[call-arg]


def _script_json(obj: object) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>`` breakout)."""
    text = json.dumps(obj, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def format_number(value: float | None, unit: str) -> str:
    """Format a summary value for display.

    Parameters
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        ``"USD"`` gives ``$1,234,567``; ``"probability"``, ``"fraction"``,
        ``"share"``, ``"percent"`` or ``"%"`` (value as a fraction 0..1) give
        ``12.3%``; anything else a plain number with thousands separators.

    Returns
    -------
    str
        The formatted value, or ``"n/a"`` for NaN or None (undefined or not available).
    """
    if value is None or pd.isna(value):
        return "n/a"
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    key = unit.strip().lower()
    if key in _MONEY_UNITS:
        return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"
    if key in _PERCENT_UNITS:
        return f"{value:.1%}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _summary_table(summary: pd.DataFrame) -> str:
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"summary table lacks column(s) {missing}; expected {list(SUMMARY_COLUMNS)}")
    rows = [
        (
            "<table class='summary'><thead><tr><th>Metric</th><th>Statistic</th>"
            "<th class='num'>Value</th><th class='num'>± s.e.</th><th>Unit</th></tr></thead><tbody>"
        )
    ]
    for section, group in summary.groupby("section", sort=False, dropna=False):
        rows.append(f"<tr class='section'><th colspan='5'>{html.escape(str(section))}</th></tr>")
        for rec in group.itertuples(index=False):
            unit = "" if pd.isna(rec.unit) else str(rec.unit)
            rows.append(
                f"<tr><td>{html.escape(str(rec.metric))}</td>"
                f"<td>{html.escape(str(rec.statistic))}</td>"
                f"<td class='num'>{html.escape(format_number(rec.value, unit))}</td>"
                f"<td class='num'>{html.escape(format_number(rec.se, unit))}</td>"
                f"<td>{html.escape(unit)}</td></tr>"
            )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def render_report(
    title: str,
    subtitle: str,
    summary: pd.DataFrame,
    charts: Mapping[str, alt.TopLevelMixin],
    notes: Sequence[str] = (),
    headline: str = "",
) -> str:
    """Render one self-contained HTML page.

    Parameters
    ----------
    title, subtitle : str
        Page heading and sub-heading (user text; escaped).
    summary : pandas.DataFrame
        Columns ``section, metric, statistic, value, se, unit``; ``value`` and
        ``se`` are floats in ``unit`` (NaN ``se`` shows as ``n/a``). Rows are
        grouped by ``section`` in order of first appearance.
    charts : mapping of str to altair chart
        Caption -> chart, in display order. Chart ``i`` is drawn into the
        element with id ``chart-{i}``.
    notes : sequence of str, default ()
        Provenance lines (seed, paths, engine, run time), shown as a list.
    headline : str, default ""
        The run in two or three plain sentences (:func:`venturesim.analysis.summary.headline`), shown first.

    Returns
    -------
    str
        The HTML document. The Vega/Vega-Lite/vega-embed bundle (~0.9 MB) is
        inlined once; no resource is loaded from the network.
    """
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        f"<script type='text/javascript'>\n{vega_bundle()}\n</script>",
        "</head><body><main>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='subtitle'>{esc(subtitle)}</p>",
        *([f"<p class='headline'>{esc(headline)}</p>"] if headline else []),
        "<h2>Summary</h2>",
        _summary_table(summary),
    ]
    if charts:
        parts.append("<h2>Charts</h2><div class='charts'>")
        for i, (caption, chart) in enumerate(charts.items()):
            div_id = f"chart-{i}"
            parts.append(
                f"<figure class='chart'><figcaption>{esc(caption)}</figcaption>"
                f"<div id='{div_id}'></div>"
                f"<script type='application/json' data-chart-for='{div_id}'>"
                f"{_script_json(chart.to_dict())}</script></figure>"
            )
        parts.append("</div>")
    if notes:
        parts.append("<h2>Notes</h2><ul class='notes'>")
        parts.extend(f"<li>{esc(str(note))}</li>" for note in notes)
        parts.append("</ul>")
    boot = _BOOT_SCRIPT.replace("EMBED_OPTIONS", _script_json(_EMBED_OPTIONS))
    parts.append(f"</main><script type='text/javascript'>{boot}</script></body></html>")
    return "\n".join(parts)


def report_from_dataset(
    ds: xr.Dataset,
    title: str,
    subtitle: str,
    summary: pd.DataFrame,
    notes: Sequence[str] = (),
    extra_charts: Mapping[str, alt.TopLevelMixin] | None = None,
    headline: str = "",
) -> str:
    """Build the standard charts from the metrics present and render the report.

    Parameters
    ----------
    ds : xarray.Dataset
        Engine output (dims ``("path", "month")``). Charts are drawn for those of
        ``cash`` (USD, with a zero line), ``alive`` (survival curve), ``arr``
        (USD), ``customers`` (count) and ``quality_gap`` (nats/token) that are
        present, and the paths' outcomes when any path was sold, listed or
        acqui-hired; others are skipped.
    title, subtitle, summary, notes
        As for :func:`render_report`.
    extra_charts : mapping of str to altair chart, optional
        Drawn after the standard charts (an analysis' charts, e.g. the convergence of a run to a
        target SE).
    headline : str, default ""
        As for :func:`render_report`.

    Returns
    -------
    str
        The HTML document.
    """
    charts: dict[str, alt.TopLevelMixin] = {}
    if "cash" in ds.data_vars:
        charts["Cash balance"] = plot_fan(
            fan_data(ds, "cash"), "Cash at end of month", "Cash (USD)", money=True, zero_rule=True
        )
    if "alive" in ds.data_vars:
        charts["Survival"] = plot_survival(survival_data(ds))
    if "arr" in ds.data_vars:
        charts["Annual recurring revenue"] = plot_fan(
            fan_data(ds, "arr"), "Annual recurring revenue", "ARR (USD)", money=True
        )
    if "customers" in ds.data_vars:
        charts["Customers"] = plot_fan(fan_data(ds, "customers"), "Paying customers", "Customers", money=False)
    if "quality_gap" in ds.data_vars and np.isfinite(ds["quality_gap"].values).any():
        charts["Quality gap"] = plot_fan(
            fan_data(ds, "quality_gap"),
            "Frontier loss − served model's loss (operating paths)",
            "Quality gap (nats/token)",
            money=False,
            zero_rule=True,
        )
    if "exit_kind" in ds.data_vars and np.isin(ds["exit_kind"].values, (1, 2, 3)).any():
        charts["Exits"] = plot_exits(exits_data(ds))
    from venturesim.report.product_charts import product_charts

    charts.update(product_charts(ds))  # training spend, serving cost per 1M tokens, gross margin
    charts.update(extra_charts or {})
    return render_report(title, subtitle, summary, charts, notes, headline=headline)
