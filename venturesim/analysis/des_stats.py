"""Statistics discrete-event users expect, computed from the DES event log.

The log holds, for each event, the time and the state after it, so each
state variable is piecewise constant between a path's events. Its
time-weighted mean over [0, T] is

    x̄ = Σ_i x_i · (t_{i+1} − t_i) / T,

with t_{i+1} the next event of the path (or T for the last one) and the
value before the first event taken as that event's value. A dead path
keeps its last state (the company's frozen cash) until T.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def event_counts(events: pd.DataFrame, paths: int) -> pd.DataFrame:
    """Number of events per (process, kind), in all and per path."""
    counts = events.groupby(["process", "kind"]).size().rename("events").reset_index()
    counts["per_path"] = counts["events"] / paths
    return counts.sort_values("events", ascending=False, ignore_index=True)


def time_weighted_mean(events: pd.DataFrame, column: str, horizon: float, paths: int) -> pd.Series:
    """Per-path time-weighted mean of ``column`` over [0, horizon] (NaN for a path without events)."""
    log = events.sort_values(["path", "time"], kind="stable")
    time = log["time"].to_numpy(float)
    path = log["path"].to_numpy()
    following = np.append(time[1:], horizon)
    last_of_path = np.append(path[1:] != path[:-1], True)
    end = np.minimum(np.where(last_of_path, horizon, following), horizon)
    first_of_path = np.insert(path[1:] != path[:-1], 0, True)
    start = np.where(first_of_path, 0.0, time)
    weighted = pd.Series(log[column].to_numpy(float) * np.maximum(end - start, 0.0)).groupby(path).sum()
    return (weighted / horizon).reindex(range(paths)).rename(f"time_weighted_{column}")


def share_of_time_raising(events: pd.DataFrame, horizon: float, paths: int) -> pd.Series:
    """Per-path share of [0, horizon] with a round attempt under way (start → resolution or death)."""
    log = events[(events["process"] == "fundraising") | (events["kind"] == "death")]
    raising = np.zeros(paths)
    for path, rows in log.groupby("path"):
        started = None
        for time, kind in zip(rows["time"], rows["kind"], strict=True):
            if kind == "start":
                started = time
            elif kind in ("closed", "failed", "abandoned", "death") and started is not None:
                raising[path] += time - started
                started = None
        if started is not None:
            raising[path] += horizon - started
    return pd.Series(np.minimum(raising, horizon) / horizon, name="share_of_time_raising")
