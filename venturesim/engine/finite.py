"""The check that a simulation's money is finite: NaN or ±inf are reported, never averaged in.

Validation keeps every input finite and within ±1e18 (so no product of two
inputs overflows float32), but a long compounding trend or an extreme draw can
still overflow inside the engine. A summary would then average ±inf or NaN
into plausible-looking figures ("0 % survival, cash-out month 1"), so every
money record (the monthly metrics in USD and the final cash and ARR) is
checked after the run, and the paths that broke are named with their inputs.
"""

from __future__ import annotations

import numpy as np

from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.spec.errors import NonFiniteResultError

FINAL_MONEY = ("final_cash", "final_arr")
"""Per-path money results checked besides the monthly USD metrics (others use NaN/inf as 'none')."""
SHOWN_PATHS = 3
"""Paths whose inputs the error lists."""


def money_variables(data) -> list[str]:
    """Names of the money variables of a Result dataset: monthly metrics in USD and :data:`FINAL_MONEY`."""
    monthly = [name for name in data.data_vars if "USD" in MONTHLY_METRICS.get(name, "")]
    return monthly + [name for name in FINAL_MONEY if name in data.data_vars]


def check_finite(result) -> None:
    """Raise :class:`NonFiniteResultError` if any path's money is NaN or ±inf.

    The message names each offending variable (with its first bad month), the
    number of paths affected, and the first :data:`SHOWN_PATHS` paths with the
    draws of their uncertain inputs (``result.inputs``), so the cause can be
    reproduced with ``--set`` or narrowed in the scenario.
    """
    bad = np.zeros(result.paths, bool)
    found = []
    for name in money_variables(result.data):
        values = np.asarray(result.data[name].values)
        broken = ~np.isfinite(values.reshape(len(values), -1))
        if broken.any():
            rows = broken.any(axis=1)
            bad |= rows
            where = ""
            if "month" in result.data[name].dims:
                months = np.asarray(result.data["month"].values)
                first = int(np.argmax(broken[np.argmax(rows)]))
                where = f" from month {months[first // max(1, broken.shape[1] // len(months))]}"
            found.append(f"{name} ({int(rows.sum())} path(s){where})")
    if not found:
        return
    paths = np.flatnonzero(bad)
    lines = [
        f"the simulation produced NaN or infinite money on {len(paths):,} of {result.paths:,} paths: "
        + ", ".join(found)
        + ". A number overflowed the engine's float32 range: narrow the distributions or trends below."
    ]
    for path in paths[:SHOWN_PATHS]:
        if len(result.inputs.columns):
            row = result.inputs.iloc[int(path)]
            inputs = ", ".join(f"{column}={float(value):.6g}" for column, value in row.items())
        else:
            inputs = "every input is a fixed number"
        lines.append(f"  path {int(path)}: {inputs}")
    if len(paths) > SHOWN_PATHS:
        lines.append(f"  ... and {len(paths) - SHOWN_PATHS:,} more path(s)")
    error = NonFiniteResultError("\n".join(lines))
    error.paths = paths
    raise error
