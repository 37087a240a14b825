"""Reading a user's data table with positioned errors: file, row, column, expected, found.

Every problem in the file is collected (up to :data:`MAX_PROBLEMS`) into one
:class:`DataError` whose lines look like::

    signups.csv:7: column 'new_customers': expected a whole number >= 0, found -3
    signups.csv:9: column 'month': missing months 2024-05 to 2024-06 between rows 8 and 9
    cohorts.csv:3: column '4': expected at most the previous period's 312 (a cohort cannot grow), found 330

Rows are the file's line numbers (the header is line 1), so an editor jumps
straight to them. A missing column gets a "did you mean" hint.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from venturesim.spec.errors import VentureSimError, suggest

__all__ = ["MAX_PROBLEMS", "ConvergenceError", "DataError", "DataProblem", "Table", "read_table"]

MAX_PROBLEMS = 20
"""At most this many problems are listed (then a count of the rest)."""


@dataclass(frozen=True)
class DataProblem:
    """One problem in a data file (``row`` is the file's line number; None for the whole file)."""

    filename: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.filename if self.row is None else f"{self.filename}:{self.row}"
        col = f"column {self.column!r}: " if self.column is not None else ""
        return f"{where}: {col}{self.message}"


class DataError(VentureSimError, ValueError):
    """A calibration data file is unusable; ``problems`` lists each by row and column (exit 7)."""

    exit_code = 7

    def __init__(self, problems: list[DataProblem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problem(s)")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple:
        return (type(self), (self.problems,))


class ConvergenceError(VentureSimError, RuntimeError):
    """An MCMC fit did not converge (R-hat, effective sample size or divergences); the message says which (exit 8)."""

    exit_code = 8


_KINDS = {
    "number": ("a number", lambda v: True),
    "positive": ("a number > 0", lambda v: v > 0),
    "nonneg": ("a number >= 0", lambda v: v >= 0),
    "count": ("a whole number >= 0", lambda v: v >= 0 and float(v).is_integer()),
}


class Table:
    """A data table read from a CSV or parquet file, with its name for messages.

    ``frame`` holds the parsed columns; ``rows[i]`` is the file line of frame row ``i``.
    """

    def __init__(self, frame: pd.DataFrame, filename: str, rows: np.ndarray) -> None:
        self.frame = frame
        self.filename = filename
        self.rows = rows

    def problem(self, i: int | np.integer | None, column: str | None, message: str) -> DataProblem:
        """A problem at frame row ``i`` (None: the whole file)."""
        return DataProblem(self.filename, None if i is None else int(self.rows[i]), column, message)


def source_name(source) -> str:
    """The name messages use for a data source: the file's name, or ``<data frame>``."""
    return "<data frame>" if isinstance(source, pd.DataFrame) else Path(source).name


def raw_frame(source, filename: str) -> pd.DataFrame:
    """The table as text cells (CSV) or as stored (parquet, DataFrame); a missing or unreadable file is a DataError."""
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True)
    path = Path(source)
    if not path.is_file():
        raise DataError([DataProblem(filename, None, None, "file not found")])
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except Exception as exc:
        raise DataError(
            [
                DataProblem(
                    filename,
                    None,
                    None,
                    f"cannot read it as a table ({type(exc).__name__}); give a CSV "
                    "with a header row, or a parquet file",
                )
            ]
        ) from None


def _number(cell) -> float | None:
    """The cell as a float, None when it is not a number (blank cells are NaN)."""
    if cell is None:
        return math.nan
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    text = str(cell).strip()
    if text == "" or text.lower() in {"na", "nan"}:
        return math.nan
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def read_table(
    source,
    columns: dict[str, str],
    *,
    optional: dict[str, str] | None = None,
    allow_blank: tuple[str, ...] = (),
    filename: str | None = None,
) -> Table:
    """Read a data table and check its columns' types, collecting every problem.

    Parameters
    ----------
    source : a CSV or parquet path, or a pandas DataFrame (then rows are numbered as if a CSV: header = line 1).
    columns : required columns and their kind: ``number``, ``positive``, ``nonneg``, ``count`` (a whole
        number >= 0) or ``label`` (any text), or ``month`` (an integer month index or a ``YYYY-MM`` month).
    optional : columns that may be absent, same kinds.
    allow_blank : columns whose cells may be blank (NaN), e.g. a young cohort's later periods.
    filename : the name for messages (default: the file's name).

    Raises
    ------
    DataError : every missing column and every bad cell, by row and column.
    """
    filename = filename or source_name(source)
    raw = raw_frame(source, filename)
    raw.columns = [str(c).strip() for c in raw.columns]
    rows = np.arange(len(raw)) + 2
    table = Table(raw, filename, rows)
    problems: list[DataProblem] = []
    wanted = {**columns, **{k: v for k, v in (optional or {}).items() if k in raw.columns}}
    for name in columns:
        if name not in raw.columns:
            hint = suggest(name, list(raw.columns))
            problems.append(
                table.problem(
                    None,
                    None,
                    f"missing column {name!r}"
                    + (f"; did you mean {hint!r}?" if hint else f"; the columns are {list(raw.columns)[:20]}"),
                )
            )
    if not len(raw):
        problems.append(table.problem(None, None, "has no data rows"))
    if problems:
        raise DataError(problems)
    parsed = {}
    for name, kind in wanted.items():
        if kind == "label":
            parsed[name] = raw[name].astype(str).str.strip()
            continue
        if kind == "month":
            parsed[name] = _months(table, name, problems)
            continue
        what, ok = _KINDS[kind]
        values = np.empty(len(raw))
        for i, cell in enumerate(raw[name].tolist()):
            v = _number(cell)
            values[i] = math.nan if v is None else v
            if v is None:
                problems.append(table.problem(i, name, f"expected {what}, found text {str(cell)!r}"))
            elif math.isnan(v):
                if name not in allow_blank:
                    problems.append(table.problem(i, name, f"expected {what}, found a blank cell"))
            elif not math.isfinite(v) or not ok(v):
                problems.append(table.problem(i, name, f"expected {what}, found {cell}"))
        parsed[name] = values
    if problems:
        raise DataError(problems)
    return Table(pd.DataFrame(parsed), filename, rows)


def _months(table: Table, name: str, problems: list[DataProblem]) -> np.ndarray:
    """Month column → integer months (index as given, or months since year 0 for ``YYYY-MM``)."""
    out = np.zeros(len(table.frame), dtype=np.int64)
    for i, cell in enumerate(table.frame[name].tolist()):
        text = str(cell).strip()
        v = _number(text)
        if v is not None and math.isfinite(v) and float(v).is_integer():
            out[i] = int(v)
            continue
        try:
            period = pd.Period(text, freq="M")
            out[i] = period.year * 12 + period.month - 1
        except (ValueError, TypeError):
            problems.append(table.problem(i, name, f"expected a month (an integer index or YYYY-MM), found {text!r}"))
    return out


def month_label(month: int, dated: bool) -> str:
    """A month for messages: ``2024-05`` for dated data, else the index."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}" if dated else str(month)


def check_consecutive(
    table: Table, months: np.ndarray, name: str, group: np.ndarray | None = None
) -> list[DataProblem]:
    """Problems where months are repeated, out of order or missing (within each group)."""
    problems = []
    dated = bool(np.all(months > 10_000))
    groups = np.zeros(len(months), int) if group is None else pd.factorize(group)[0]
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        for prev, cur in itertools.pairwise(idx):
            gap = months[cur] - months[prev]
            if gap == 1:
                continue
            if gap <= 0:
                what = "repeats" if gap == 0 else "goes back to"
                problems.append(
                    table.problem(
                        cur,
                        name,
                        f"{what} month {month_label(months[cur], dated)} "
                        f"(row {table.rows[prev]} has {month_label(months[prev], dated)}); sort by month, "
                        "one row per month",
                    )
                )
            else:
                missing = f"{month_label(months[prev] + 1, dated)}" + (
                    f" to {month_label(months[cur] - 1, dated)}" if gap > 2 else ""
                )
                problems.append(
                    table.problem(
                        cur,
                        name,
                        f"missing month(s) {missing} between rows {table.rows[prev]} and "
                        f"{table.rows[cur]}; add them (with 0 if nothing happened)",
                    )
                )
    return problems
