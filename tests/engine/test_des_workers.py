"""The DES gives the same paths whatever the parallelism or the number of paths asked for.

A path's inputs are drawn from (seed, path index) and its process noise from
``SeedSequence([seed, stream, path])``, and paths are cut into fixed batches,
so

* one process (``workers=1``), a local Dask cluster (``workers=2``) and an
  existing scheduler (``scheduler=``) give an identical event log, identical
  records and identical input draws;
* the first 70 paths of a 140-path run equal a 70-path run, although the
  batches are cut differently (64 + 6 against 64 + 64 + 12).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import venturesim as vs

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
PATHS, FEWER, MONTHS, SEED = 140, 70, 36, 5

pytestmark = pytest.mark.slow  # starts Dask worker processes (make test-fast skips it)


@pytest.fixture(scope="module")
def scenario():
    return vs.load(SCENARIO)


@pytest.fixture(scope="module")
def in_process(scenario):
    return vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, engine="des", workers=1, metrics="all")


def assert_same(a: vs.Result, b: vs.Result, paths: int | None = None) -> None:
    """``b`` equals ``a`` (restricted to its first ``paths`` paths) bit for bit."""
    paths = a.paths if paths is None else paths
    assert b.paths == paths and b.engine == a.engine == "des"
    assert set(a.data.data_vars) == set(b.data.data_vars)
    for name in a.data.data_vars:
        np.testing.assert_array_equal(a.data[name].values[:paths], b.data[name].values, err_msg=name)
    assert list(a.inputs.columns) == list(b.inputs.columns)
    np.testing.assert_array_equal(a.inputs.to_numpy()[:paths], b.inputs.to_numpy())
    expected = a.events[a.events["path"] < paths].reset_index(drop=True)
    pd.testing.assert_frame_equal(expected, b.events.reset_index(drop=True), check_exact=True)


def test_the_run_is_not_trivial(in_process):
    # the comparisons below mean something only if the paths have varied stories
    kinds = set(in_process.events["kind"])
    assert {"hire", "start", "closed", "month-end"} <= kinds
    assert kinds & {"failed", "abandoned"}
    assert 0 < in_process.data["alive"].values[:, -1].mean() < 1
    assert len(np.unique(in_process.data["final_cash"].values)) == PATHS
    assert sorted(in_process.events["path"].unique()) == list(range(PATHS))


def test_log_is_in_path_then_time_order(in_process):
    log = in_process.events
    assert log["path"].is_monotonic_increasing
    assert all(group["time"].is_monotonic_increasing for _, group in log.groupby("path"))


def test_same_seed_twice_in_process(scenario, in_process):
    again = vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, engine="des", workers=1, metrics="all")
    assert_same(in_process, again)


@pytest.mark.slow
def test_two_dask_workers_equal_one_process(scenario, in_process):
    calls = []
    parallel = vs.simulate(
        scenario,
        paths=PATHS,
        months=MONTHS,
        seed=SEED,
        engine="des",
        workers=2,
        metrics="all",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert_same(in_process, parallel)
    assert calls[-1] == (PATHS, PATHS) and len(calls) == 3  # one call per batch of 64


@pytest.mark.slow
def test_existing_scheduler_equals_one_process(scenario, in_process):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = vs.simulate(
            scenario,
            paths=PATHS,
            months=MONTHS,
            seed=SEED,
            engine="des",
            metrics="all",
            workers=1,
            scheduler=cluster.scheduler_address,
        )  # workers is ignored
    assert_same(in_process, remote)


def test_fewer_paths_are_a_prefix(scenario, in_process):
    fewer = vs.simulate(scenario, paths=FEWER, months=MONTHS, seed=SEED, engine="des", workers=1, metrics="all")
    assert_same(in_process, fewer, FEWER)


def test_a_single_path_is_the_first_path(scenario, in_process):
    one = vs.simulate(scenario, paths=1, months=MONTHS, seed=SEED, engine="des", workers=1, metrics="all")
    assert_same(in_process, one, 1)


def test_another_seed_differs(scenario, in_process):
    other = vs.simulate(scenario, paths=FEWER, months=MONTHS, seed=SEED + 1, engine="des", workers=1, metrics="all")
    assert not np.array_equal(other.data["cash"].values, in_process.data["cash"].values[:FEWER])
