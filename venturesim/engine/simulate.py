"""simulate(): sample, run in chunks, gather a Result.

Memory stays bounded: paths run in chunks of ``chunk_size`` (rounded up to
whole calls of :func:`blocks_per_call` blocks of :data:`~venturesim.engine.jax_engine.BLOCK`
paths; the last chunk is padded to the same shape), each chunk's blocks run a
call per group of blocks (so one compiled program serves any number of paths), and each chunk's
records are copied into preallocated host arrays. Chunks run on a pool of
host threads (sampling overlaps computation; on a CPU each thread's kernel
uses a core). With several local devices every call's paths are sharded over
all of them (``jax.sharding``: a 1-D mesh over the path axis, each device
running whole blocks). Path i's numbers depend only on the seed and i, so any
chunk size, thread count or device count gives the same result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from functools import partial
from typing import TypeAlias

import jax
import numpy as np
import pandas as pd
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from venturesim import _streams as streams
from venturesim.engine.jax_engine import BLOCK, KERNEL_COMPILER_OPTIONS, months_compacted, run_block
from venturesim.engine.params import sample_with_draws
from venturesim.engine.programs import kernel
from venturesim.engine.result import Result, build_dataset, store_rows
from venturesim.scenario.schema import MAX_MONTHS, MAX_PATHS, MAX_SEED, Scenario
from venturesim.spec.errors import UsageError
from venturesim.spec.sampling import Design, path_keys

DEFAULT_CHUNK = 16_384
"""Paths per chunk (4 blocks). Each chunk in flight holds its sampled inputs and the domains' state
(≈13 kB a path with every domain: measured as peak RSS 3.0 GB at 65,536 against 1.7 GB at 16,384 for
262,144 paths of seed_stage_api.yaml, two chunks in flight), so smaller chunks bound memory; the
throughput is the same within noise (docs/performance.md)."""


WORKER_CHUNK = 8_192
"""Paths per chunk on worker processes (``workers=``, :mod:`venturesim.engine.core_pool`): a worker computes one
chunk at a time and sends it back through a pipe, so smaller chunks than :data:`DEFAULT_CHUNK` keep the workers
evenly busy to the end of a run (65,536 paths of seed_stage_api.yaml: 2.15–2.23e6 against 2.06–2.18e6
path-months/s with chunks of 16,384, docs/performance.md)."""


ACCELERATOR_BLOCKS_PER_CALL = 64
"""Blocks of BLOCK paths side by side in one kernel call on a GPU or TPU (262,144 paths): a single block of
4,096 paths leaves most of an accelerator idle (docs/performance.md, "On a GPU")."""


Placement: TypeAlias = jax.Device | Mesh
"""Where a call runs: one device, or a 1-D mesh (axis ``"paths"``) of all local devices."""


def placement() -> Placement:
    """The first device when there is one, else a 1-D mesh of every local device over the path axis
    (multi-host: each process's local devices, after ``jax.distributed.initialize()``; docs/performance.md)."""
    devices = jax.local_devices()
    return devices[0] if len(devices) == 1 else Mesh(np.array(devices), ("paths",))


def blocks_per_call(where: Placement | None = None) -> int:
    """Blocks run side by side in one kernel call at ``where`` (default: :func:`placement`).

    Per device: 1 on a CPU, where one block already fills a core and wider calls were slower (0.58 vs
    0.48 CPU s a block); :data:`ACCELERATOR_BLOCKS_PER_CALL` elsewhere; the environment variable
    ``VENTURESIM_BLOCKS_PER_CALL`` overrides it (a benchmark's knob). On a mesh of d devices the
    width is rounded up to a multiple of d, so each device runs whole blocks. A path's numbers do not
    depend on it on a CPU; on an accelerator, fix it to compare runs bit for bit (the generated code
    follows the call's shape).
    """
    where = where if where is not None else placement()
    devices = list(where.devices.flat) if isinstance(where, Mesh) else [where]
    override = os.environ.get("VENTURESIM_BLOCKS_PER_CALL")
    if override:
        if not override.isdigit() or int(override) < 1:
            raise UsageError(f"VENTURESIM_BLOCKS_PER_CALL must be a whole number >= 1, found {override!r}")
        width = int(override)
    else:
        width = 1 if devices[0].platform == "cpu" else ACCELERATOR_BLOCKS_PER_CALL
    return _ceil_div(width, len(devices)) * len(devices)


def check_arguments(*, paths, seed, months, chunk_size=None, threads=None, workers=None) -> None:
    """Refuse run settings outside what the engines support, naming the option and the fix.

    The same limits as the scenario's ``simulation`` section: 1 ≤ paths ≤ MAX_PATHS,
    1 ≤ months ≤ MAX_MONTHS, 0 ≤ seed ≤ MAX_SEED; chunk_size, threads and workers ≥ 1 when given.

    Raises
    ------
    UsageError
        Listing every setting out of range.
    """
    limits = {
        "paths": (paths, 1, MAX_PATHS),
        "months": (months, 1, MAX_MONTHS),
        "seed": (seed, 0, MAX_SEED),
        "chunk_size": (chunk_size, 1, None),
        "threads": (threads, 1, None),
        "workers": (workers, 1, None),
    }
    wrong = []
    for name, (value, low, high) in limits.items():
        if value is None and name in ("chunk_size", "threads", "workers"):
            continue
        whole = isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            wrong.append(f"{name} must be a whole number, found {value!r}")
        elif value < low or (high is not None and value > high):
            span = f"between {low:,} and {high:,}" if high is not None else f">= {low}"
            wrong.append(f"{name} (--{name.replace('_', '-')}) must be {span}, found {value:,}")
    if wrong:
        raise UsageError("; ".join(wrong))


def run_jax(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
    first_path: int = 0,
    design: Design | None = None,
    workers: int | None = None,
) -> Result:
    """Run the JAX engine over ``paths`` paths in chunks; see :func:`venturesim.simulate`.

    ``first_path`` (a multiple of BLOCK) is the global index of the first path: paths
    ``first_path … first_path + paths − 1`` are the same paths, with the same numbers, as in a run
    from 0 (so a run can be extended batch by batch, and an analysis can give two sets of inputs the
    same process noise). ``design`` (one row per path of this run) sets inputs from given uniforms or
    quantiles (:class:`venturesim.spec.sampling.Design`).

    Chunks run on a pool of host threads, or with ``workers`` on that many worker processes, each on one core
    (:func:`fold_chunks`, :func:`run_chunks`).
    """
    monthly: dict[str, np.ndarray] = {}
    finals: dict[str, np.ndarray] = {}
    inputs: dict[str, np.ndarray] = {}

    def store(start, records, final, draws):
        for target, block in ((monthly, records), (finals, final), (inputs, draws)):
            for name, value in block.items():
                store_rows(target, name, value, paths, start)

    fold_chunks(
        store,
        scenario,
        progress=progress,
        paths=paths,
        seed=seed,
        months=months,
        metrics=metrics,
        chunk_size=chunk_size,
        threads=threads,
        first_path=first_path,
        design=design,
        workers=workers,
    )
    return assemble(scenario, monthly, finals, inputs, paths=paths, seed=seed, months=months, first_path=first_path)


def fold_chunks(fold: Callable, scenario: Scenario, *, paths: int, progress=None, **run) -> None:
    """Call ``fold(start, records, finals, draws)`` on each of a run's chunks in path order (:func:`run_chunks`,
    keyword arguments ``run``), then ``progress(stop, paths)``, which may raise (Ctrl-C in the CLI) to stop the
    run: the chunks not yet started are then dropped."""
    with closing(run_chunks(scenario, paths=paths, **run)) as chunks:
        for start, stop, records, finals, draws in chunks:
            fold(start, records, finals, draws)
            if progress is not None:
                progress(stop, paths)


def run_chunks(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    chunk_size: int | None = None,
    threads: int | None = None,
    first_path: int = 0,
    design: Design | None = None,
    workers: int | None = None,
) -> Generator[tuple[int, int, dict, dict, dict], None, None]:
    """A run's chunks (:func:`run_chunk`), in path order, computed on a pool of ``threads`` host threads (default:
    one per core; XLA releases the GIL, and one kernel call uses about one core on CPU) so sampling overlaps
    computation — or, with ``workers`` ≥ 2, on that many worker processes, each restricted to one core before JAX
    started (:mod:`venturesim.engine.core_pool`; CPU only; the same numbers; ``workers=1`` is this process, as
    for the DES). If the consumer stops (an error, Ctrl-C), chunks not yet started are dropped; only those in
    flight finish."""
    if first_path % BLOCK:
        raise ValueError(f"first_path(={first_path}) must be a multiple of {BLOCK}")
    where = placement()
    if workers is not None and workers > 1:
        if jax.default_backend() != "cpu":
            raise UsageError(f"workers= runs the JAX engine on CPU cores; this run's device is {where}: leave it out")
        chunk, chunks = chunking(paths, chunk_size, workers, default=WORKER_CHUNK)
        from venturesim.engine import core_pool

        settings = {"chunk": chunk, "paths": paths, "months": months, "metrics": metrics, "first_path": first_path}
        yield from core_pool.run_chunks(workers, chunks, scenario=scenario, seed=seed, design=design, **settings)
        return
    threads = threads or os.cpu_count() or 1
    chunk, chunks = chunking(paths, chunk_size, threads)
    params_key, process_key = run_keys(seed)

    def one_chunk(k: int) -> tuple[int, int, dict, dict, dict]:
        return run_chunk(
            scenario,
            params_key,
            process_key,
            k,
            chunk=chunk,
            paths=paths,
            months=months,
            metrics=metrics,
            device=where,
            first_path=first_path,
            design=design,
        )

    pool = ThreadPoolExecutor(max_workers=max(1, min(threads, chunks)))
    try:
        yield from pool.map(one_chunk, range(chunks))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def chunking(paths: int, chunk_size: int | None, threads: int = 1, default: int = DEFAULT_CHUNK) -> tuple[int, int]:
    """(chunk, chunks): equal chunks of whole calls (:func:`blocks_per_call` blocks), at most ``chunk_size``
    (default ``default``) paths each (rounded up to whole calls), as few as cover ``paths`` — and, without a
    ``chunk_size``, at least one per thread while there are calls to share (``threads`` host threads: a run of
    10,000 paths is two chunks of 8,192 on 2 cores, not one of 12,288 on one core). The numbers do not depend
    on the chunks (each path's block is keyed by its index)."""
    unit = BLOCK * blocks_per_call()
    chunks = _ceil_div(paths, min(paths, chunk_size or default))
    if chunk_size is None:
        chunks = max(chunks, min(threads, _ceil_div(paths, unit)))
    chunk = _ceil_div(_ceil_div(paths, chunks), unit) * unit
    return chunk, _ceil_div(paths, chunk)


def run_keys(seed: int) -> tuple[jax.Array, jax.Array]:
    """(params_key, process_key) of a run's seed: the inputs' draws and the process noise."""
    key = jax.random.key(seed)
    return jax.random.fold_in(key, streams.PARAMS), jax.random.fold_in(key, streams.PROCESS)


def run_chunk(
    scenario: Scenario,
    params_key: jax.Array,
    process_key: jax.Array,
    k: int,
    *,
    chunk: int,
    paths: int,
    months: int,
    metrics: tuple[str, ...],
    device,
    first_path: int = 0,
    design: Design | None = None,
) -> tuple[int, int, dict, dict, dict]:
    """Chunk ``k`` of a run (paths ``k·chunk …``, the last padded with the last path): sample its inputs, run its
    blocks on ``device`` (:func:`run_blocks`). Returns (start, stop, records, finals, input draws), each cut to the
    chunk's real paths. ``device``: a device or a mesh (:func:`placement`).

    Only the blocks holding real paths are sampled (padded within the last block with the last path); blocks
    past them, which a call of several blocks may need, repeat the last sampled path's inputs."""
    start = k * chunk
    stop = min(start + chunk, paths)
    sampled = min(chunk, _ceil_div(stop - start, BLOCK) * BLOCK)
    rows = np.minimum(np.arange(start, start + sampled), paths - 1)  # pad with the last path
    params, draws = sample_with_draws(
        scenario,
        params_key,
        months=months,
        path_index=first_path + rows,
        design=None if design is None else design.take(rows),
    )
    params = months_compacted(params)
    if sampled < chunk:
        params = jax.tree_util.tree_map(lambda a: _pad_rows(a, chunk), params)
    first_block = (first_path + start) // BLOCK
    keys = path_keys(process_key, np.arange(first_block, first_block + chunk // BLOCK, dtype=np.uint32))
    records, finals = run_blocks(params, keys, device, months, metrics)
    valid = stop - start
    return (
        start,
        stop,
        {m: v[:valid] for m, v in records.items()},
        {m: v[:valid] for m, v in finals.items()},
        {m: v[:valid].astype(np.float32) for m, v in draws.items()},
    )


def run_blocks(
    params, keys: jax.Array, device: Placement, months: int, metrics: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run whole blocks of paths (``params`` with ``len(keys)`` × BLOCK paths, one key per block) on ``device``
    (a device, or a mesh: each call's paths and keys sharded over its ``"paths"`` axis), one :func:`run_block`
    call per :func:`blocks_per_call` blocks, so one compiled program serves any number of paths. Returns host
    arrays: the records (paths, months[, …]) and the finals (paths[, …]).

    On one device the host arrays go to the compiled call as they are (it copies them to ``device``, the default
    device in the call): 170 against 180–193 ms a block of ``seed_stage_api`` through ``jax.device_put`` first,
    whose Python cost is per leaf (226 a block; docs/performance.md, "Constant series sent as one month")."""
    width = blocks_per_call(device)
    call: Callable
    if isinstance(device, Mesh):
        mesh, sharding = device, NamedSharding(device, PartitionSpec("paths"))
        call = partial(run_sharded, months=months, metrics=metrics, width=width, mesh=mesh)

        def put(arguments):
            return jax.device_put(arguments, sharding)
    else:  # run_block, through the program kept beside the compile cache where it is on (every call has one shape)
        first = jax.tree_util.tree_map(lambda a: a[: width * BLOCK], params)
        call = kernel(first, keys[:width], months, metrics, width)

        def put(arguments):
            return arguments

    parts = []
    with jax.default_device(None if isinstance(device, Mesh) else device):
        for b in range(0, len(keys), width):
            block = jax.tree_util.tree_map(lambda a, b=b: a[b * BLOCK : (b + width) * BLOCK], params)
            parts.append(call(*put((block, keys[b : b + width]))))
    records = {m: np.concatenate([np.moveaxis(np.asarray(r[m]), 0, 1) for r, _ in parts]) for m in parts[0][0]}
    finals = {m: np.concatenate([np.asarray(f[m]) for _, f in parts]) for m in parts[0][1]}
    return records, finals


@partial(jax.jit, static_argnames=("months", "metrics", "width", "mesh"), compiler_options=KERNEL_COMPILER_OPTIONS)
def run_sharded(params, block_keys: jax.Array, months: int, metrics: tuple[str, ...], width: int, mesh: Mesh):
    """:func:`run_block` of ``width`` blocks with the paths sharded over ``mesh``'s ``"paths"`` axis
    (``jax.shard_map``): each device runs the program of a single device's call of width ÷ devices blocks
    on its own blocks, so a path's numbers are those of a run on one device."""
    # the kernel's function, not its jit: a jit inside a jit may not carry compiler options (this one has them)
    local = partial(run_block.__wrapped__, months=months, metrics=metrics, width=width // mesh.size)
    paths = PartitionSpec("paths")
    specs = {"in_specs": (paths, paths), "out_specs": (PartitionSpec(None, "paths"), paths)}
    return jax.shard_map(local, mesh=mesh, check_vma=False, **specs)(params, block_keys)


def assemble(
    scenario: Scenario,
    monthly: dict[str, np.ndarray],
    finals: dict[str, np.ndarray],
    inputs: dict[str, np.ndarray],
    *,
    paths: int,
    seed: int,
    months: int,
    first_path: int = 0,
) -> Result:
    """The Result of a scenario's host arrays: monthly records (paths, months[, …]), per-path finals, input draws."""
    segments = [s.name for s in scenario.market.segments]
    rounds = scenario.funding.class_names()
    partners = [p.name for p in scenario.partnerships.partners] if scenario.partnerships else []
    runs = [r.name for r in scenario.product.training_runs] if scenario.product else []
    data = build_dataset(
        monthly, finals, months, segments, rounds, [r.name for r in scenario.risks.risks], partners, runs
    )
    if first_path:
        data = data.assign_coords(path=first_path + np.arange(paths))
    return Result(data=data, scenario=scenario, seed=seed, engine="jax", inputs=pd.DataFrame(inputs))


def _pad_rows(a, rows: int):
    """``a`` with its last row repeated to ``rows`` rows."""
    return np.concatenate([np.asarray(a), np.repeat(np.asarray(a)[-1:], rows - len(a), axis=0)])


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)
