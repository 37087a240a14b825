"""simulate(): sample, run in chunks, gather a Result.

Memory stays bounded: paths run in chunks of ``chunk_size`` (rounded up to
whole blocks of :data:`~venturesim.engine.jax_engine.BLOCK` paths per device;
the last chunk is padded to the same shape, so there is one compilation), and each chunk's
records are copied into preallocated host arrays. With several devices each
chunk's path axis is sharded across them. Path i's numbers depend only on
the seed and i, so any chunk size or device count gives the same result.
"""

from __future__ import annotations

from typing import Callable

import jax
import numpy as np
import pandas as pd

from venturesim.engine.jax_engine import BLOCK, run_block
from venturesim.engine.params import sample_with_draws
from venturesim.engine.result import Result, build_dataset, store_rows
from venturesim.scenario.sampling import path_keys
from venturesim.scenario.schema import Scenario

DEFAULT_CHUNK = 65_536
PARAMS_STREAM, PROCESS_STREAM = 0, 1


def run_jax(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Run the JAX engine over ``paths`` paths in chunks; see :func:`venturesim.simulate`."""
    devices = jax.devices()
    chunk = min(paths, chunk_size or DEFAULT_CHUNK)
    unit = BLOCK * len(devices)
    chunks = -(-paths // chunk)
    chunk = -(-(-(-paths // chunks)) // unit) * unit  # equal chunks of whole blocks on every device
    sharding = _path_sharding(devices)
    key = jax.random.key(seed)
    params_key = jax.random.fold_in(key, PARAMS_STREAM)
    process_key = jax.random.fold_in(key, PROCESS_STREAM)
    segments = [s.name for s in scenario.market.segments]
    rounds = [r.name for r in scenario.funding.rounds]

    monthly: dict[str, np.ndarray] = {}
    finals: dict[str, np.ndarray] = {}
    inputs: dict[str, np.ndarray] = {}
    for start in range(0, paths, chunk):
        stop = min(start + chunk, paths)
        index = np.minimum(np.arange(start, start + chunk), paths - 1)  # pad with the last path
        params, draws = sample_with_draws(scenario, params_key, months=months, path_index=index)
        keys = path_keys(process_key, np.arange(start // BLOCK, start // BLOCK + chunk // BLOCK, dtype=np.uint32))
        if sharding is not None:  # split the path axis across devices; numbers do not change
            params, keys = jax.device_put((params, keys), sharding)
        records, final = run_block(params, keys, months, metrics)
        valid = stop - start
        for name, value in records.items():
            block = np.moveaxis(np.asarray(value), 0, 1)[:valid]  # (paths, months[, S])
            store_rows(monthly, name, block, paths, start)
        for name, value in final._asdict().items():
            store_rows(finals, name, np.asarray(value)[:valid], paths, start)
        for name, value in draws.items():
            store_rows(inputs, name, value[:valid].astype(np.float32), paths, start)
        if progress is not None:
            progress(stop, paths)

    data = build_dataset(monthly, finals, months, segments, rounds)
    return Result(data=data, scenario=scenario, seed=seed, engine="jax", inputs=pd.DataFrame(inputs))


def _path_sharding(devices):
    """Sharding of the leading (path) axis over all devices, or None for one device."""
    if len(devices) == 1:
        return None
    mesh = jax.sharding.Mesh(np.asarray(devices), ("path",))
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("path"))
