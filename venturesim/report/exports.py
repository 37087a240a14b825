"""Exporting a run's paths for other tools: CSV, Parquet and Excel (xlsx).

Three tables (:func:`tables`):

* **paths** — one row per path: ``path``, every uncertain input's draw (column ``input:<name>``, the
  names of ``result.inputs``, i.e. the ``--set`` names) and every per-path result of the dataset
  (``final_cash``, ``death_month``, ``exit_kind``, …; a per-round result is one column per round,
  ``round_amount[seed]``; a per-partner one per partner; a risk event's ``risk_time[<risk>#<k>]``);
* **monthly** — one row per path and month: ``path``, ``month`` (1 … T, the end of month T) and every
  recorded monthly metric (a per-segment metric is one column per segment, ``revenue_by_segment[smb]``);
* **events** — the DES engine's event log (``result.events``: time, path, process, kind, details,
  cause, cash, ARR, headcount, …), only when there is one (the JAX engine keeps none).

Units are those of the Result (USD, months, fractions; :data:`venturesim.engine.metrics.MONTHLY_METRICS`
and :data:`venturesim.engine.result.FINAL_VARIABLES`). Files per format: ``paths.csv``, ``monthly.csv``,
``events.csv``; ``paths.parquet``, ``monthly.parquet``, ``events.parquet``; one workbook ``results.xlsx``
(openpyxl) with a sheet per table and an ``about`` sheet. A spreadsheet sheet holds at most
:data:`XLSX_MAX_CELLS` cells (Excel's own limit is 1,048,576 rows, and openpyxl writes some 10⁵ cells a
second): a larger table is left out of the workbook, and the ``about`` sheet says so and why.

Written with the run's other outputs as one folder (:func:`venturesim._io.write_folder`: atomic, never
over existing results without ``force``).
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from venturesim.engine.result import Result

__all__ = ["EXPORT_FILES", "FORMATS", "XLSX_MAX_CELLS", "export", "export_files", "parse_formats", "tables"]

FORMATS = ("csv", "parquet", "xlsx")
"""The export formats."""

TABLES = ("paths", "monthly", "events")
"""The exported tables, in order."""

XLSX_FILE = "results.xlsx"
EXPORT_FILES = frozenset({f"{t}.{f}" for t in TABLES for f in ("csv", "parquet")} | {XLSX_FILE})
"""Every file an export may write (an output folder holding only these and the run's files can be replaced)."""

XLSX_MAX_CELLS = 5_000_000
"""Most cells (rows × columns) of one sheet of the workbook; a larger table is left out of it."""


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """The formats named in ``values`` (each a format or a comma-separated list), deduplicated in order.

    Raises
    ------
    UsageError
        For an unknown format, naming the nearest one.
    """
    from venturesim.spec.errors import UsageError, suggest

    chosen: list[str] = []
    for value in values:
        for name in (part.strip().lower() for part in str(value).split(",")):
            if not name:
                continue
            if name not in FORMATS:
                hint = suggest(name, FORMATS)
                raise UsageError(
                    f"--export: unknown format {name!r}"
                    + (f" (did you mean {hint!r}?)" if hint else "")
                    + f"; choose from {', '.join(FORMATS)}"
                )
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)


def _columns_of(name: str, values: np.ndarray, labels: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
    """Flatten a (paths, …) array into one column per trailing index, ``name[label]`` or ``name[a#b]``."""
    if values.ndim == 1:
        return {name: values}
    flat = values.reshape(values.shape[0], -1)
    index = np.array(np.meshgrid(*[np.arange(n) for n in values.shape[1:]], indexing="ij")).reshape(values.ndim - 1, -1)
    columns = {}
    for k in range(flat.shape[1]):
        parts = [str(labels[d][index[d, k]]) for d in range(values.ndim - 1)]
        columns[f"{name}[{'#'.join(parts)}]"] = flat[:, k]
    return columns


def _labels(result: Result, dims: Sequence[Hashable]) -> list[list[str]]:
    data = result.data
    return [
        [str(v) for v in data[d].values] if d in data.coords else [str(i) for i in range(data.sizes[d])] for d in dims
    ]


def paths_table(result: Result) -> pd.DataFrame:
    """One row per path: ``path``, ``input:<name>`` per uncertain input, then every per-path result."""
    data = result.data
    columns: dict[str, np.ndarray] = {"path": np.asarray(data["path"].values, np.int64)}
    for name in result.inputs.columns:
        columns[f"input:{name}"] = result.inputs[name].to_numpy()
    for name, var in data.data_vars.items():
        if var.dims[0] != "path" or "month" in var.dims:
            continue
        values = np.asarray(var.transpose("path", ...).values)
        if values.dtype == object:
            values = values.astype(str)
        columns.update(_columns_of(str(name), values, _labels(result, var.dims[1:])))
    return pd.DataFrame(columns)


def monthly_table(result: Result) -> pd.DataFrame:
    """One row per path and month (path-major): ``path``, ``month``, then every recorded monthly metric."""
    data = result.data
    paths, months = result.paths, result.months
    columns: dict[str, np.ndarray] = {
        "path": np.repeat(np.asarray(data["path"].values, np.int64), months),
        "month": np.tile(np.asarray(data["month"].values, np.int64), paths),
    }
    for name in result.metrics:
        var = data[name].transpose("path", "month", ...)
        values = np.asarray(var.values).reshape((paths * months,) + var.shape[2:])
        columns.update(_columns_of(name, values, _labels(result, var.dims[2:])))
    return pd.DataFrame(columns)


def tables(result: Result) -> dict[str, pd.DataFrame]:
    """The tables to export: ``paths``, ``monthly`` and, with a DES event log, ``events``."""
    out = {"paths": paths_table(result), "monthly": monthly_table(result)}
    if not result.events.empty:
        out["events"] = result.events.reset_index(drop=True)
    return out


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def _xlsx(frames: Mapping[str, pd.DataFrame], result: Result) -> bytes:
    about = [
        ("scenario", result.scenario.name),
        ("engine", result.engine),
        ("seed", result.seed),
        ("paths", result.paths),
        ("months", result.months),
        ("units", "USD, months and fractions, as in venturesim's Result (docs/model.md)"),
    ]
    kept = {}
    for name, frame in frames.items():
        cells = frame.shape[0] * max(frame.shape[1], 1)
        if cells > XLSX_MAX_CELLS:
            about.append(
                (
                    f"sheet {name}",
                    (
                        f"left out: {frame.shape[0]:,} rows × {frame.shape[1]} columns = {cells:,} cells, over the "
                        f"{XLSX_MAX_CELLS:,} a sheet holds here; export csv or parquet for it"
                    ),
                )
            )
        else:
            kept[name] = frame
            about.append((f"sheet {name}", f"{frame.shape[0]:,} rows × {frame.shape[1]} columns"))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(about, columns=["item", "value"]).to_excel(writer, sheet_name="about", index=False)
        for name, frame in kept.items():
            frame.replace([np.inf, -np.inf], np.nan).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def export_files(result: Result, formats: Iterable[str]) -> dict[str, bytes]:
    """File name → content of the export in ``formats`` (names as in :func:`parse_formats`).

    In the workbook, ±∞ (a profitable path's runway) is an empty cell, as NaN is; CSV writes ``inf``.
    """
    chosen = parse_formats(formats)
    frames = tables(result)
    files: dict[str, bytes] = {}
    for fmt in chosen:
        if fmt == "xlsx":
            files[XLSX_FILE] = _xlsx(frames, result)
            continue
        write = _csv if fmt == "csv" else _parquet
        for name, frame in frames.items():
            files[f"{name}.{fmt}"] = write(frame)
    return files


def export(
    result: Result, out_dir: str | Path, formats: Iterable[str] = ("csv",), *, force: bool = False
) -> dict[str, Path]:
    """Write the export of ``result`` as the folder ``out_dir`` (atomic; an existing export is replaced only
    with ``force``). Returns file name → path written.

    Raises
    ------
    OutputError
        If ``out_dir`` holds files and ``force`` is False, or holds files an export does not write.
    """
    from venturesim._io import write_folder

    return write_folder(out_dir, export_files(result, formats), force, EXPORT_FILES)
