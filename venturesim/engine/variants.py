"""Many variants of one scenario through one compiled program, on common random numbers.

Variants whose Params have the same structure and leaf shapes (same segments, rounds, roles, risks, …;
only numbers differ) are one *shape group*: :func:`run_many` runs each group through the compiled
block kernel :func:`~venturesim.engine.jax_engine.run_block` of that shape, so a group compiles once
(numbers are array leaves, never static). Every variant gets the same seed and the same path indices,
so path i of every variant sees the same keyed input draws (where the variants share an input) and
the same process noise: a variant's Result is, number for number, that of
``vs.simulate(variant, paths=…, seed=…, months=…)``.

The kernel runs block by block (:func:`~venturesim.engine.simulate.run_blocks`), so every variant
shares the one compiled program of ``vs.simulate`` (a block of BLOCK paths).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import jax
import numpy as np

from venturesim.engine.finite import check_finite
from venturesim.engine.jax_engine import months_compacted
from venturesim.engine.params import sample_with_draws
from venturesim.engine.result import Result, store_rows
from venturesim.engine.simulate import assemble, chunking, placement, run_chunk, run_keys
from venturesim.scenario.schema import Scenario
from venturesim.spec.sampling import Design


def shape_signature(scenario: Scenario, months: int) -> tuple:
    """What the compiled kernel depends on besides the months and metrics: the Params' tree structure and
    every leaf's shape (less the path axis) and dtype, from one sampled path."""
    params, _ = sample_with_draws(scenario, jax.random.key(0), months=months, path_index=np.arange(1))
    leaves, tree = jax.tree_util.tree_flatten(months_compacted(params))  # as run_chunk sends them
    return (str(tree), tuple((np.shape(leaf)[1:], str(np.asarray(leaf).dtype)) for leaf in leaves))


def shape_groups(scenarios: Sequence[Scenario], months: int) -> list[list[int]]:
    """Indices of ``scenarios`` grouped by :func:`shape_signature`, groups in order of first appearance."""
    groups: dict[tuple, list[int]] = {}
    for i, scenario in enumerate(scenarios):
        groups.setdefault(shape_signature(scenario, months), []).append(i)
    return list(groups.values())


def run_many(
    scenarios: Sequence[Scenario],
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    on_result: Callable[[int, Result], None],
    chunk_size: int | None = None,
    threads: int | None = None,
    groups: Sequence[Sequence[int]] | None = None,
    designs: Sequence[Design | None] | None = None,
) -> None:
    """Simulate every scenario (same seed, paths, months: common random numbers) and hand each Result to
    ``on_result(index, result)`` as soon as its paths are done, in the order of ``groups`` (default: one
    group, in the scenarios' order).

    ``designs`` (one per scenario, or None) sets inputs of each variant's paths from given uniforms or
    quantiles (:class:`venturesim.spec.sampling.Design`, as ``run_jax``'s ``design``): variants of one
    scenario under several designs (a tornado's pinned inputs) run the same way.

    Work items (a variant × a chunk of paths) run on a pool of ``threads`` host threads
    (default: one per core), as in :func:`venturesim.engine.simulate.run_jax`.

    Raises
    ------
    NonFiniteResultError : a variant's money became NaN or ±inf on some paths.
    """
    if groups is None:
        groups = [list(range(len(scenarios)))]
    chunk, chunks = chunking(paths, chunk_size)
    where = placement()
    params_key, process_key = run_keys(seed)
    jobs = [(i, k) for group in groups for i in group for k in range(chunks)]

    def run_job(job: tuple[int, int]) -> tuple[int, int, tuple[dict, dict, dict]]:
        i, k = job
        start, _, records, finals, draws = run_chunk(
            scenarios[i],
            params_key,
            process_key,
            k,
            chunk=chunk,
            paths=paths,
            months=months,
            metrics=metrics,
            device=where,
            design=None if designs is None else designs[i],
        )
        return i, start, (records, finals, draws)

    stores: dict[int, tuple[dict, dict, dict, list[int]]] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(threads or os.cpu_count() or 1, len(jobs))))
    try:
        for i, start, part in pool.map(run_job, jobs):
            monthly, finals, inputs, done = stores.setdefault(i, ({}, {}, {}, [0]))
            for target, block in zip((monthly, finals, inputs), part, strict=True):
                for name, value in block.items():
                    store_rows(target, name, value, paths, start)
            done[0] += 1
            if done[0] == chunks:
                del stores[i]
                result = assemble(scenarios[i], monthly, finals, inputs, paths=paths, seed=seed, months=months)
                check_finite(result)
                on_result(i, result)
    finally:  # on an error, work not yet started is dropped; only items in flight finish
        pool.shutdown(wait=True, cancel_futures=True)
