"""stream_jax(): run the JAX engine's chunks and fold each into a StreamingSummary, keeping no paths.

The same chunks as :func:`venturesim.engine.simulate.run_jax` (:func:`~venturesim.engine.simulate.chunking`,
:func:`~venturesim.engine.simulate.run_chunks`: path i's numbers depend only on the seed and i), on the same pool
of host threads, but each chunk's records are folded into the accumulators
of :class:`venturesim.analysis.streaming.StreamingSummary` in path order (``pool.map`` yields in order) and dropped.
Memory: the chunks in flight (≈ 13 kB a path each, :data:`~venturesim.engine.simulate.DEFAULT_CHUNK`) plus the
accumulators (O(months × metrics)); nothing grows with the number of paths (docs/performance.md, "Streaming
summaries").
"""

from __future__ import annotations

from collections.abc import Callable

from venturesim.analysis.streaming import StreamingSummary
from venturesim.engine.jax_engine import BLOCK
from venturesim.engine.simulate import fold_chunks
from venturesim.scenario.schema import Scenario
from venturesim.spec.sampling import Design


def stream_jax(
    scenario: Scenario,
    *,
    paths: int,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
    design: Design | None = None,
    relative_error: float | None = None,
    workers: int | None = None,
) -> StreamingSummary:
    """Run ``paths`` paths in chunks and return their :class:`StreamingSummary` (``simulate(..., keep="summary")``).

    Raises
    ------
    NonFiniteResultError
        Some paths' money became NaN or ±inf (after every chunk ran, as the full run).
    """
    summary = StreamingSummary(
        scenario, paths=paths, seed=seed, months=months, metrics=metrics, block=BLOCK, relative_error=relative_error
    )
    fold_chunks(
        summary.fold,
        scenario,
        progress=progress,
        paths=paths,
        seed=seed,
        months=months,
        metrics=metrics,
        chunk_size=chunk_size,
        threads=threads,
        design=design,
        workers=workers,
    )
    return summary.finish()
