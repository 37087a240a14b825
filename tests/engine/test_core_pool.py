"""``simulate(workers=N)`` with the JAX engine: the chunks run on worker processes, one core each
(:mod:`venturesim.engine.core_pool`), with the same numbers as in this process."""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.engine import core_pool

pytestmark = pytest.mark.slow  # starts two interpreters with JAX (the edit loop leaves it to `make test`)

SCENARIO = "scenarios/seed_stage_api.yaml"


@pytest.fixture(scope="module")
def pool_size():
    yield 2
    core_pool.shutdown_pools()


def assert_same(a: vs.Result, b: vs.Result) -> None:
    assert list(a.data.data_vars) == list(b.data.data_vars)
    for name in a.data.data_vars:
        x, y = a.data[name].values, b.data[name].values
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    assert a.inputs.equals(b.inputs)


def test_workers_give_the_same_arrays_as_this_process(pool_size):
    """9,000 paths in chunks of 4,096: three chunks over two workers, the last one padded; Latin hypercube inputs
    (a design sent to the workers), every metric; the progress callback sees every chunk in path order."""
    options = {"paths": 9000, "seed": 4, "months": 24, "metrics": "all", "chunk_size": 4096, "sampling": "lhs"}
    here = vs.simulate(SCENARIO, **options)
    seen = []
    there = vs.simulate(SCENARIO, workers=pool_size, progress=lambda done, total: seen.append((done, total)), **options)
    assert_same(here, there)
    assert seen == [(4096, 9000), (8192, 9000), (9000, 9000)]
    streamed = vs.simulate(SCENARIO, workers=pool_size, keep="summary", **options)  # folded chunk by chunk
    assert streamed.summary().equals(vs.simulate(SCENARIO, keep="summary", **options).summary())


def test_a_dead_worker_is_reported_and_the_next_run_starts_a_new_pool(pool_size):
    pool = core_pool.core_pool(pool_size)
    victim = pool.workers[0].process
    victim.kill()
    victim.wait()
    options = {"paths": 9000, "seed": 4, "months": 24, "chunk_size": 4096}
    with pytest.raises(core_pool.WorkerDied, match=f"pid {victim.pid}"):
        vs.simulate(SCENARIO, workers=pool_size, **options)
    again = vs.simulate(SCENARIO, workers=pool_size, **options)
    assert core_pool.core_pool(pool_size) is not pool
    assert_same(again, vs.simulate(SCENARIO, **options))


def test_one_worker_is_this_process():
    """``workers=1`` means this process, as for the DES (the engines' hand-worked tests pass it to both)."""
    before = dict(core_pool._POOLS)
    vs.simulate(SCENARIO, paths=10, seed=1, months=24, workers=1)  # the program above
    assert set(core_pool._POOLS) == set(before)  # no pool of 1 started
