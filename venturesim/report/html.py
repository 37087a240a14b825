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
import warnings
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import vl_convert
import xarray as xr

from venturesim._io import atomic_write_text
from venturesim.analysis._stats import RUNWAY_CAP_MONTHS, RUNWAY_CAPPED
from venturesim.report.charts import exits_data, fan_data, plot_exits, plot_fan, plot_survival, survival_data

SUMMARY_COLUMNS = ("section", "metric", "statistic", "value", "se", "unit")
"""Columns required in the summary table passed to :func:`render_report`."""

_MONEY_UNITS = frozenset({"usd", "$", "usd/month", "usd per month"})
_PERCENT_UNITS = frozenset({"probability", "fraction", "share", "%", "percent"})
_MULTIPLE_UNITS = frozenset({"×", "x", "multiple"})
_EMBED_OPTIONS = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False, "editor": False}}

_CSS = """
:root { --ink: #1d2430; --muted: #5b6573; --rule: #d8dde4; --band: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 24px; font-size: 1.05rem; }
h2 { font-size: 1.25rem; margin: 32px 0 12px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.table-scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; }
table.summary td.num, table.summary th.num { text-align: right; white-space: nowrap; }
table.summary thead th { font-size: 0.85rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table.summary tr.section th { background: var(--band); font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr; gap: 24px; }
figure.chart { margin: 0; padding: 12px; border: 1px solid var(--rule); border-radius: 6px; overflow-x: auto;
  min-width: 0; }
figure.chart > div { width: 100%; }
.headline { font-size: 1.1rem; margin: 0 0 16px; }
.headline:empty { display: none; }
table.statement { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.85rem; }
table.statement th, table.statement td { padding: 3px 8px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
table.statement td.num { text-align: right; }
@media (max-width: 600px) {
  main { padding: 16px 10px 40px; }
  figure.chart { padding: 6px; }
  table.summary th, table.summary td { padding: 4px 6px; }
}
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


BUNDLE_FOLDER: Path | None = None
"""Where :func:`vega_bundle` keeps the bundle between processes; None (a library call): built once per process.
``venturesim run`` sets it beside its compile cache (:func:`venturesim.cli.report_cache_folder`)."""


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """JavaScript defining ``vegaEmbed``, ``vega`` and ``vegaLite`` globally.

    Built by ``vl_convert.javascript_bundle`` for the Vega-Lite version that
    altair targets; cached in the process, and in :data:`BUNDLE_FOLDER` when set, under a name that holds
    the Vega-Lite and vl-convert versions (building it takes 1.2 s of a 10 s warm ``venturesim run`` of
    1,000 paths on 2 cores). A folder that cannot be written is no error: the bundle is built again.
    """
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    version = f"v{major}_{minor}"
    kept = (
        None
        if BUNDLE_FOLDER is None
        else Path(BUNDLE_FOLDER) / f"vega-{version}-vl-convert-{metadata.version('vl-convert-python')}.js"
    )
    if kept is not None and kept.is_file():
        return kept.read_text(encoding="utf-8")
    # the stub omits ``snippet``'s default (vl_convert's own docstring: "the default snippet")
    bundle = vl_convert.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(kept, bundle)
        except OSError:
            pass
    return bundle


def _script_json(obj: object) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>`` breakout)."""
    text = json.dumps(obj, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def format_number(value: float | None, unit: str, metric: str = "") -> str:
    """Format a summary value for display.

    Parameters
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        ``"USD"`` gives ``$1,234,567``; ``"probability"``, ``"fraction"``,
        ``"share"``, ``"percent"`` or ``"%"`` (value as a fraction 0..1) give
        ``12.3%``; ``"×"`` (a multiple: MOIC, LTV/CAC) two decimals, ``1.00``;
        anything else a plain number with thousands separators (two decimals
        unless whole).
    metric : str
        The row's label: a runway (``unit`` months, ``metric`` naming runway)
        above :data:`RUNWAY_CAP_MONTHS`, +∞ included, gives ``"> 10 years"``.

    Returns
    -------
    str
        The formatted value, or ``"n/a"`` for NaN or None (undefined or not available).
    """
    if value is None or pd.isna(value):
        return "n/a"
    key = unit.strip().lower()
    if key == "months" and "runway" in metric.lower() and value > RUNWAY_CAP_MONTHS:
        return RUNWAY_CAPPED
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    if key in _MONEY_UNITS:
        return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"
    if key in _PERCENT_UNITS:
        return f"{value:.1%}"
    if key in _MULTIPLE_UNITS:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_value_se(value: float | None, se: float | None, unit: str, metric: str = "") -> tuple[str, str]:
    """A row's value and its standard error as text (:func:`format_number`); a runway shown as ``"> 10 years"``
    gets "—" for its SE (the SE of a figure past the cap has nothing to say)."""
    shown = format_number(value, unit, metric)
    return shown, "—" if shown == RUNWAY_CAPPED else format_number(se, unit, metric)


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
            value, se = format_value_se(rec.value, rec.se, unit, str(rec.metric))
            rows.append(
                f"<tr><td>{html.escape(str(rec.metric))}</td>"
                f"<td>{html.escape(str(rec.statistic))}</td>"
                f"<td class='num'>{html.escape(value)}</td>"
                f"<td class='num'>{html.escape(se)}</td>"
                f"<td>{html.escape(unit)}</td></tr>"
            )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _plain_table(table: pd.DataFrame) -> str:
    """A DataFrame as an HTML table; month columns (``M1``, ``M2``, …) as whole dollars."""
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in table.columns)
    rows = []
    for rec in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, rec, strict=True):
            if str(column)[:1] == "M" and str(column)[1:].isdigit():
                cells.append(f"<td class='num'>{esc(format_number(value, 'USD'))}</td>")
            else:
                cells.append(f"<td>{esc(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='statement'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_report(
    title: str,
    subtitle: str,
    summary: pd.DataFrame,
    charts: Mapping[str, alt.TopLevelMixin],
    notes: Sequence[str] = (),
    *,
    headline: str = "",
    tables: Mapping[str, pd.DataFrame] | None = None,
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
        Two or three sentences in plain words shown under the title (the
        element ``<p class='headline' id='headline'>`` is always there, empty
        and hidden when no headline is given).
    tables : mapping of str to pandas.DataFrame, optional
        Heading -> table, shown after the charts (numbers in USD: a column
        whose name starts with ``M`` followed by digits is a month's amount),
        each in a horizontally scrolling box.

    Returns
    -------
    str
        The HTML document. The Vega/Vega-Lite/vega-embed bundle (~0.9 MB) is
        inlined once; no resource is loaded from the network. Charts take the
        width of their box (``width="container"``); the summary table and the
        other tables scroll sideways inside their box on a narrow screen.
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
        f"<p class='headline' id='headline'>{esc(headline)}</p>",
        "<h2>Summary</h2>",
        f"<div class='table-scroll'>{_summary_table(summary)}</div>",
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
    for heading, table in (tables or {}).items():
        parts.append(f"<h2>{esc(heading)}</h2><div class='table-scroll'>{_plain_table(table)}</div>")
    if notes:
        parts.append("<h2>Notes</h2><ul class='notes'>")
        parts.extend(f"<li>{esc(str(note))}</li>" for note in notes)
        parts.append("</ul>")
    boot = _BOOT_SCRIPT.replace("EMBED_OPTIONS", _script_json(_EMBED_OPTIONS))
    parts.append(f"</main><script type='text/javascript'>{boot}</script></body></html>")
    return "\n".join(parts)


def operating_view(ds: xr.Dataset) -> xr.Dataset:
    """``ds``'s cash, ARR and customers with NaN where the path is not operating that month (``alive`` False:
    dead, sold, listed or shut down), so their fans are over the paths still operating; ``ds`` itself
    when it has no ``alive``. (Over all paths the medians sit at 0 once half the paths are dead, and a
    dead path's cash is its last, negative, balance.)"""
    if "alive" not in ds.data_vars:
        return ds
    alive = ds["alive"].astype(bool)
    names = [m for m in ("cash", "arr", "customers") if m in ds.data_vars]
    return xr.Dataset({m: ds[m].astype(np.float64).where(alive) for m in names})


def dataset_charts(ds: xr.Dataset) -> dict[str, alt.TopLevelMixin]:
    """Caption → the standard charts of the metrics present in ``ds``: survival (``alive``), cash (USD,
    with a zero line), ARR (USD), customers (count) over the operating paths (:func:`operating_view`),
    the quality gap (nats/token), the paths' outcomes when any path was sold, listed or acqui-hired,
    and the product's charts. Fans show p10–p90 and p25–p75 bands around the median
    (:data:`venturesim.analysis._stats.FAN_QUANTILES`)."""
    charts: dict[str, alt.TopLevelMixin] = {}
    if "alive" in ds.data_vars:
        charts["Survival"] = plot_survival(survival_data(ds))
    view = operating_view(ds)
    who = " (operating paths)" if "alive" in ds.data_vars else ""
    if "cash" in ds.data_vars:
        charts["Cash balance"] = plot_fan(
            fan_data(view, "cash"), "Cash at end of month" + who, "Cash (USD)", money=True, zero_rule=True
        )
    if "arr" in ds.data_vars:
        charts["Annual recurring revenue"] = plot_fan(
            fan_data(view, "arr"), "Annual recurring revenue" + who, "ARR (USD)", money=True
        )
    if "customers" in ds.data_vars:
        charts["Customers"] = plot_fan(fan_data(view, "customers"), "Paying customers" + who, "Customers", money=False)
    gap = ds["quality_gap"].values if "quality_gap" in ds.data_vars else np.zeros(0)
    if np.isfinite(gap).any() and np.nanmax(np.abs(gap)) > 0:  # all 0: no product roadmap to chart
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
    return charts


def report_from_dataset(
    ds: xr.Dataset,
    title: str,
    subtitle: str,
    summary: pd.DataFrame,
    notes: Sequence[str] = (),
    extra_charts: Mapping[str, alt.TopLevelMixin] | None = None,
) -> str:
    """Render the report of a bare dataset: :func:`dataset_charts`, then ``extra_charts``.

    A :class:`~venturesim.engine.result.Result` gets the full report (:func:`report_from_result`).
    """
    charts = dataset_charts(ds)
    charts.update(extra_charts or {})
    return render_report(title, subtitle, summary, charts, notes)


def charts_of_result(result, plan=None) -> dict[str, alt.TopLevelMixin]:
    """Caption → chart of everything a Result can show, in the report's order (each drawn only when the
    run recorded what it needs): the standard charts of :func:`dataset_charts`, then time to ARR
    milestones, the distributions of final outcomes (ARR, exit value, founders' proceeds, investors'
    MOIC), causes of death, funding and ownership, unit economics and the median path's P&L next to the
    base plan (``plan``, :func:`venturesim.report.result_charts.base_plan`; None: the median path alone).
    Every chart is drawn from a summary of the paths (quantiles, shares, bins), never the paths."""
    from venturesim.report import result_charts as rc

    data = result.data
    charts = dataset_charts(data)
    tail = {k: charts.pop(k) for k in list(charts) if k not in _LEADING}
    if "arr" in data.data_vars:
        charts["Time to $1M and $10M ARR"] = rc.plot_time_to_arr(result)
    for outcome, (title, variable, _) in rc.OUTCOMES.items():
        if variable in data and (rc.outcome_values(result, outcome) > 0).any():
            charts[f"Distribution: {title}"] = rc.plot_outcome_distribution(result, outcome)
    if "round_proceeds" in data and not rc.moic_data(result).empty:
        charts["Distribution: investors' multiple (MOIC)"] = rc.plot_moic(result)
    if "death_month" in data and (data["death_month"].values >= 0).any():
        charts["Causes of death"] = rc.plot_death_causes(result)
    from venturesim.report import captable

    if captable.can_chart(result):
        try:
            charts["Funding and ownership (median path)"] = captable.plot_cap_table(result)
        except captable.ReplayMismatch as exc:  # not the result's path: leave the chart out rather than show it
            warnings.warn(f"cap table left out of the report: {exc}", stacklevel=2)
    if set(data.data_vars) >= rc.UNIT_ECONOMICS_METRICS:
        charts["Unit economics"] = rc.plot_unit_economics(result)
    if set(rc.STATEMENT_METRICS) <= set(data.data_vars):
        charts["Monthly P&L and cash: median path" + (" and base plan" if plan is not None else "")] = rc.plot_pnl(
            result, plan
        )
    charts.update(tail)
    return charts


_LEADING = ("Survival", "Cash balance", "Annual recurring revenue", "Customers")


def report_from_result(
    result,
    summary: pd.DataFrame,
    *,
    notes: Sequence[str] = (),
    extra_charts: Mapping[str, alt.TopLevelMixin] | None = None,
    plan=None,
) -> str:
    """The run report of a Result: headline slot, summary table, :func:`charts_of_result` then
    ``extra_charts`` (an analysis' charts: convergence, tornado, …), the median path's monthly
    statement (next to ``plan``'s when given) and the notes.

    The headline is :func:`venturesim.analysis.summary.headline`.
    """
    from venturesim.analysis.summary import headline
    from venturesim.report import result_charts as rc

    charts = charts_of_result(result, plan)
    charts.update(extra_charts or {})
    tables = {}
    if set(rc.STATEMENT_METRICS) <= set(result.data.data_vars):
        heading = "Monthly statement of the median path" + (" and the base plan" if plan is not None else "")
        tables[heading + " (USD)"] = rc.statement_table(result, plan)
    return render_report(
        result.scenario.name,
        result.scenario.description,
        summary,
        charts,
        notes,
        headline=headline(result),
        tables=tables,
    )
