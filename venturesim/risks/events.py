"""Risk events as tables: every event per path, and which risks came before deaths.

Both engines give the same events (they are drawn with the parameters), so
these tables work for JAX and DES results alike.

* :func:`event_table`: one row per event — path, risk, event number, time
  (months), month (⌊time⌋, the month it happened in) and severity.
* :func:`risks_before_death`: per risk, how many deaths it preceded
  (fired at a time < death month + 1, i.e. before the month-end at which
  cash ran out) and the death rate of paths where it fired within the
  horizon against paths where it did not.
* :func:`last_risk_before_death`: per dead path, the last risk that fired
  before its death ("none" when none did) — the usual first answer to
  "which risk killed this path".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["event_table", "last_risk_before_death", "risks_before_death"]

_COLUMNS = ["path", "risk", "event", "time", "month", "severity"]


def event_table(time: np.ndarray, severity: np.ndarray, names, path_index: np.ndarray | None = None) -> pd.DataFrame:
    """Every event that fired: (paths, K, E) ``time`` and ``severity`` → a long table sorted by path and time."""
    time = np.asarray(time, np.float64)
    if time.ndim != 3 or time.shape[1] != len(names):
        raise ValueError(f"time has shape {time.shape}; expected (paths, {len(names)}, E)")
    path_index = np.arange(time.shape[0]) if path_index is None else np.asarray(path_index)
    p, k, e = np.nonzero(np.isfinite(time))
    table = pd.DataFrame(
        {
            "path": path_index[p],
            "risk": np.asarray(list(names), dtype=object)[k],
            "event": e,
            "time": time[p, k, e],
            "month": np.floor(time[p, k, e]).astype(np.int64),
            "severity": np.asarray(severity, np.float64)[p, k, e],
        },
        columns=_COLUMNS,
    )
    return table.sort_values(["path", "time", "risk"], kind="stable").reset_index(drop=True)


def _dead(death_month: np.ndarray) -> np.ndarray:
    return np.asarray(death_month) >= 0


def risks_before_death(events: pd.DataFrame, death_month: np.ndarray, names) -> pd.DataFrame:
    """Per risk: deaths it preceded, their share of all deaths, and death rates with and without it.

    Parameters
    ----------
    events : :func:`event_table` (paths numbered 0 … n−1).
    death_month : (paths,) month the path died (−1: did not).
    names : every risk's name (risks that never fired get a row too).
    """
    death_month = np.asarray(death_month)
    n = len(death_month)
    dead = _dead(death_month)
    deaths = max(int(dead.sum()), 1)
    rows = []
    for name in names:
        mine = events[events["risk"] == name]
        fired = np.zeros(n, bool)
        fired[mine["path"].to_numpy(np.int64)] = True
        first = mine.groupby("path")["time"].min()
        before = np.zeros(n, bool)
        paths = first.index.to_numpy(np.int64)
        before[paths] = dead[paths] & (first.to_numpy() < death_month[paths] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_with = dead[fired].mean() if fired.any() else np.nan
            rate_without = dead[~fired].mean() if (~fired).any() else np.nan
        rows.append(
            {
                "risk": name,
                "paths_fired": int(fired.sum()),
                "deaths_after": int(before.sum()),
                "share_of_deaths": before.sum() / deaths,
                "death_rate_if_fired": rate_with,
                "death_rate_if_not": rate_without,
            }
        )
    return pd.DataFrame(rows).sort_values("deaths_after", ascending=False, kind="stable").reset_index(drop=True)


def last_risk_before_death(events: pd.DataFrame, death_month: np.ndarray) -> pd.DataFrame:
    """Per dead path: the last risk that fired before its death (columns path, death_month, risk, time)."""
    death_month = np.asarray(death_month)
    dead_paths = np.flatnonzero(_dead(death_month))
    ev = events[events["path"].isin(dead_paths)]
    ev = ev[ev["time"].to_numpy() < death_month[ev["path"].to_numpy(np.int64)] + 1]
    last = ev.sort_values(["path", "time"], kind="stable").groupby("path").tail(1).set_index("path")
    table = pd.DataFrame({"path": dead_paths, "death_month": death_month[dead_paths]})
    table["risk"] = [last["risk"].get(p, "none") for p in dead_paths]
    table["time"] = [last["time"].get(p, np.nan) for p in dead_paths]
    return table
