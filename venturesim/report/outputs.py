"""Writing a run's outputs: summary.json and a self-contained report.html.

Files are written atomically (temporary file + rename) and existing results
are never replaced unless ``force`` is given.
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import venturesim
from venturesim._io import atomic_write_text, prepare_output_dir
from venturesim.report.html import report_from_dataset

SUMMARY_FILE, REPORT_FILE = "summary.json", "report.html"


def _json_number(x: float):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def summary_document(
    result, summary, *, source: str = "", overrides: list[str] = (), seconds: float | None = None
) -> dict:
    """The JSON-ready summary of a run: settings plus every row of ``summary`` (``result.summary()``)."""
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
        "seconds": seconds,
        "venturesim_version": venturesim.__version__,
        "python": platform.python_version(),
        "summary": rows,
    }


def write_outputs(
    result, out_dir: str | Path, *, force: bool = False, source: str = "",
    overrides: list[str] = (), seconds: float | None = None, report: bool = True, summary=None,
) -> dict[str, Path]:
    """Write summary.json (and report.html) to ``out_dir``; returns the paths written.

    ``summary`` is ``result.summary()`` when the caller already has it (it sorts
    every path's results, so it is worth computing once).

    Raises
    ------
    FileExistsError
        If an output already exists and ``force`` is False.
    """
    names = [SUMMARY_FILE] + ([REPORT_FILE] if report else [])
    folder = prepare_output_dir(out_dir, names, force)
    summary = result.summary() if summary is None else summary
    doc = summary_document(result, summary, source=source, overrides=overrides, seconds=seconds)
    written = {"summary": folder / SUMMARY_FILE}
    atomic_write_text(written["summary"], json.dumps(doc, indent=2, allow_nan=False) + "\n")
    if report:
        notes = [
            f"{result.paths:,} paths × {result.months} months, seed {result.seed}, {result.engine} engine",
            f"source: {source}" if source else "",
            *(f"override: {o}" for o in overrides),
            "Each figure is a Monte Carlo estimate; ± is its standard error.",
        ]
        html = report_from_dataset(
            result.data, result.scenario.name, result.scenario.description,
            summary, notes=[n for n in notes if n],
        )
        written["report"] = folder / REPORT_FILE
        atomic_write_text(written["report"], html)
    return written
