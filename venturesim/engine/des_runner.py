"""Running the discrete-event engine over many paths, in parallel with Dask.

Paths are cut into fixed batches of :data:`BATCH` (not into one piece per
worker), each batch is simulated by :func:`venturesim.engine.des_engine.run_paths`
and the batches are put back in path order. As every path's inputs and
random stream depend only on the seed and its index, the result is the
same for any number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from venturesim.engine.des_engine import EVENT_COLUMNS, run_paths
from venturesim.engine.result import Result, build_dataset, store_rows
from venturesim.scenario.schema import Scenario

BATCH = 64
IN_PROCESS_BELOW = 10_000
"""Default: runs of fewer paths stay in this process (a cluster costs seconds to start)."""


def run_des(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Simulate ``paths`` paths with the DES; see :func:`venturesim.simulate`.

    Parameters
    ----------
    workers : processes for a local Dask cluster (default: all cores, or this
        process alone for runs under :data:`IN_PROCESS_BELOW` paths); 1 runs
        everything in this process.
    scheduler : address of an existing Dask scheduler (``tcp://host:8786``);
        when given, ``workers`` is ignored.
    """
    batches = [(start, min(start + BATCH, paths)) for start in range(0, paths, BATCH)]
    kwargs: dict[str, Any] = {"seed": seed, "months": months, "metrics": metrics}
    if workers is None:
        workers = 1 if paths < IN_PROCESS_BELOW else os.cpu_count() or 1
    if scheduler is None and (workers == 1 or len(batches) == 1):
        outputs = []
        for start, stop in batches:
            outputs.append(run_paths(scenario, start, stop, **kwargs))
            if progress is not None:
                progress(stop, paths)
    else:
        outputs = _run_on_dask(scenario, batches, kwargs, workers, scheduler, progress, paths)
    return _collect(scenario, outputs, batches, paths, seed, months, metrics)


def _run_on_dask(scenario, batches, kwargs, workers, scheduler, progress, paths):
    from dask.distributed import Client, LocalCluster, as_completed

    if scheduler is not None:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        remote = client.scatter(scenario, broadcast=True)
        futures = [client.submit(run_paths, remote, start, stop, pure=False, **kwargs) for start, stop in batches]
        order = {future.key: i for i, future in enumerate(futures)}
        outputs, done = [None] * len(futures), 0
        for future, output in as_completed(futures, with_results=True):  # fetch each batch as it finishes
            i = order[future.key]
            outputs[i] = output
            done += batches[i][1] - batches[i][0]
            if progress is not None:
                progress(done, paths)
        return outputs
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _collect(scenario, outputs, batches, paths, seed, months, metrics) -> Result:
    monthly: dict[str, np.ndarray] = {}
    finals: dict[str, np.ndarray] = {}
    inputs: dict[str, np.ndarray] = {}
    events: list = []
    for (start, _), (runs, draws) in zip(batches, outputs, strict=True):
        for offset, (records, final, log) in enumerate(runs):
            row = start + offset
            for name in metrics:
                store_rows(monthly, name, records[name][None].astype(_dtype(name)), paths, row)
            for name, value in final.items():
                store_rows(finals, name, np.asarray(value, _final_dtype(name))[None], paths, row)
            events.extend(log)
        for name, values in draws.items():
            store_rows(inputs, name, values.astype(np.float32), paths, start)
    segments = [s.name for s in scenario.market.segments]
    rounds = scenario.funding.class_names()
    partners = [p.name for p in scenario.partnerships.partners] if scenario.partnerships else []
    runs = [r.name for r in scenario.product.training_runs] if scenario.product else []
    data = build_dataset(
        monthly, finals, months, segments, rounds, [r.name for r in scenario.risks.risks], partners, runs
    )
    log = pd.DataFrame(events, columns=EVENT_COLUMNS)
    return Result(data=data, scenario=scenario, seed=seed, engine="des", inputs=pd.DataFrame(inputs), events=log)


def _dtype(name: str):
    return bool if name in ("alive", "loan_called") else np.int32 if name == "rounds_closed" else np.float32


def _final_dtype(name: str):
    return {"death_month": np.int32, "round_status": np.int32, "cause_of_death": object}.get(name, np.float32)
