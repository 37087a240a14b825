"""Writing a run's outputs: summary.json, a self-contained report.html and run.json.

The folder is written as one unit (a temporary sibling folder, then a rename)
and existing results are never replaced unless ``force`` is given.
summary.json is reproducible: the same scenario, overrides, seed, paths and
months give the same bytes. What differs between runs of the same inputs (the
wall-clock time, the Python and venturesim versions) is in run.json.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path

import venturesim
from venturesim._io import check_output_dir, write_folder
from venturesim.report.exports import EXPORT_FILES, export_files
from venturesim.report.html import report_from_result

SUMMARY_FILE, REPORT_FILE, RUN_FILE = "summary.json", "report.html", "run.json"
OUTPUT_FILES = frozenset({SUMMARY_FILE, REPORT_FILE, RUN_FILE}) | EXPORT_FILES
"""What a run writes (with ``--export``, :data:`venturesim.report.exports.EXPORT_FILES`); an output folder
holding anything else is never replaced."""


def _json_number(x: float):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def summary_document(result, summary, *, source: str = "", overrides: Sequence[str] = ()) -> dict:
    """The JSON-ready summary of a run: settings plus every row of ``summary`` (``result.summary()``).

    Nothing in it depends on the machine or the clock (see :func:`run_document`).
    """
    rows = summary.to_dict(orient="records")
    for row in rows:
        row["value"], row["se"] = _json_number(float(row["value"])), _json_number(float(row["se"]))
    return {
        "scenario": result.scenario.name,
        "source": source,
        "overrides": list(overrides),
        "engine": result.engine,
        "seed": result.seed,
        "paths": result.paths,
        "months": result.months,
        "summary": rows,
    }


def run_document(result, *, seconds: float | None = None) -> dict:
    """How this run went, which may differ between two runs of the same inputs: time and versions."""
    return {
        "seconds": seconds,
        "venturesim_version": venturesim.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "engine": result.engine,
    }


def check_outputs(out_dir: str | Path, force: bool) -> Path:
    """Refuse an output folder before simulating (see :func:`venturesim._io.check_output_dir`)."""
    return check_output_dir(out_dir, OUTPUT_FILES, force)


def write_outputs(
    result,
    out_dir: str | Path,
    *,
    force: bool = False,
    source: str = "",
    overrides: Sequence[str] = (),
    seconds: float | None = None,
    report: bool = True,
    summary=None,
    exports: Sequence[str] = (),
    plan=None,
) -> dict[str, Path]:
    """Write summary.json, run.json (and report.html) as the folder ``out_dir``; returns the paths written.

    ``summary`` is ``result.summary()`` when the caller already has it (it sorts
    every path's results, so it is worth computing once). ``exports``: formats
    (csv, parquet, xlsx) of the paths' tables written in the same folder
    (:mod:`venturesim.report.exports`). ``plan``: the base plan's Result
    (:func:`venturesim.report.result_charts.base_plan`), shown next to the median
    path in the report.

    Raises
    ------
    OutputError
        (A FileExistsError.) If results exist and ``force`` is False, or the
        folder holds files venturesim did not write, or a file blocks it.
    """
    summary = result.summary() if summary is None else summary
    doc = summary_document(result, summary, source=source, overrides=overrides)
    files = {
        SUMMARY_FILE: json.dumps(doc, indent=2, allow_nan=False) + "\n",
        RUN_FILE: json.dumps(run_document(result, seconds=seconds), indent=2) + "\n",
    }
    if report:
        from venturesim.analysis.summary import CONVENTION

        notes = [
            f"{result.paths:,} paths × {result.months} months, seed {result.seed}, {result.engine} engine",
            f"source: {source}" if source else "",
            *(f"override: {o}" for o in overrides),
            "Each figure is a Monte Carlo estimate; ± is its standard error.",
            CONVENTION,
        ]
        extra = {}
        if not result.convergence.empty:  # a run to a target SE: each statistic ± 2 SE against paths
            from venturesim.report.analysis_charts import plot_convergence

            extra["Convergence"] = plot_convergence(result.convergence)
        if plan is not None:
            notes.append(
                f"base plan: every uncertain input at its median, {plan.paths:,} paths; its median path is shown"
            )
        files[REPORT_FILE] = report_from_result(
            result, summary, notes=[n for n in notes if n], extra_charts=extra, plan=plan
        )
    exported = export_files(result, exports) if exports else {}
    written = write_folder(out_dir, {**files, **exported}, force, OUTPUT_FILES)
    return {
        "summary": written[SUMMARY_FILE],
        "run": written[RUN_FILE],
        **({"report": written[REPORT_FILE]} if report else {}),
        **{name: written[name] for name in exported},
    }
