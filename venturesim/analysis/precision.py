"""Precision control: add batches of paths until the chosen statistics are precise enough.

``simulate(scenario, target_se=0.005)`` runs batches of ``batch`` paths (paths
``k·batch … (k+1)·batch − 1``: the same paths, with the same numbers, as one run of all of them)
and after each batch estimates every chosen statistic and its Monte Carlo standard error over all
paths so far (:class:`venturesim.analysis.outcomes.Outcome`: binomial, s/√n or order statistics).
It stops after the first batch at which every SE is at most ``target_se``, or when ``max_paths``
paths have run (the last batch is cut so the total never exceeds the cap). The statistics default to
P(alive at the horizon).

The SE of a probability p after n paths is √(p(1 − p)/n), so a target SE s needs about
n = p(1 − p)/s² paths: 10,000 for p = 0.5 and s = 0.005. Stopping when an estimated SE first
crosses the target biases it slightly low (the stop depends on the estimate); with batches of
thousands of paths the estimate's own relative error, ≈ 1/√(2n) for a mean, is under 1 %.

With ``sampling="lhs"`` or ``"sobol"`` each batch is its own design (a replicate); the SE reported
is plain Monte Carlo's, conservative for a Latin hypercube (whose variance is at most n/(n − 1)
times plain Monte Carlo's, Owen 1997).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from venturesim.analysis.outcomes import Outcome, alive
from venturesim.analysis.sampling import DESIGN_STREAM, sampling_design
from venturesim.engine.jax_engine import BLOCK
from venturesim.engine.result import Result
from venturesim.engine.simulate import run_jax
from venturesim.scenario.schema import MAX_PATHS, Scenario
from venturesim.spec.errors import UsageError

DEFAULT_BATCH = 2 * BLOCK
"""Paths per batch (whole blocks: the same compiled kernel serves every batch)."""


def simulate_until(
    scenario: Scenario,
    *,
    target_se: float,
    seed: int,
    months: int,
    metrics: tuple[str, ...],
    statistics: Sequence[Outcome] | None = None,
    max_paths: int = 1_000_000,
    batch: int = DEFAULT_BATCH,
    sampling: str = "random",
    chunk_size: int | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Result:
    """Run batches of paths until every statistic's SE ≤ ``target_se`` or ``max_paths`` paths have run.

    Returns the Result of all the paths run, with ``result.convergence`` holding each statistic and
    its SE after each batch (columns ``paths, statistic, value, se, target_se``).

    Raises
    ------
    UsageError : target_se ≤ 0, max_paths or batch out of range, or a statistic the run cannot give.
    """
    if not target_se > 0:
        raise UsageError(f"target_se (--until-se) must be > 0, found {target_se!r}")
    if not 1 <= max_paths <= MAX_PATHS:
        raise UsageError(f"max_paths (--max-paths) must be between 1 and {MAX_PATHS:,}, found {max_paths:,}")
    if batch < 1:
        raise UsageError(f"batch must be >= 1, found {batch}")
    batch = -(-batch // BLOCK) * BLOCK
    statistics = list(statistics) if statistics else [alive(months)]
    parts: list[Result] = []
    rows: list[dict] = []
    done = 0
    while done < max_paths:
        size = min(batch, max_paths - done)
        design = sampling_design(scenario, sampling, size, seed, stream=DESIGN_STREAM + len(parts))
        part = run_jax(
            scenario,
            paths=size,
            seed=seed,
            months=months,
            metrics=metrics,
            chunk_size=chunk_size,
            threads=threads,
            first_path=done,
            design=design,
            workers=workers,
        )
        parts.append(part)
        done += size
        result = parts[0] if len(parts) == 1 else concat(parts)
        ses = []
        for outcome in statistics:
            value, se = outcome.of(result)
            ses.append(se)
            rows.append({"paths": done, "statistic": outcome.name, "value": value, "se": se, "target_se": target_se})
        if progress is not None:
            progress(done, max_paths)
        if all(np.isfinite(se) and se <= target_se for se in ses):
            break
    result.convergence = pd.DataFrame(rows)
    return result


def concat(parts: Sequence[Result]) -> Result:
    """One Result of consecutive runs' paths (path coordinates as run: 0 … n − 1)."""
    data = xr.concat([p.data for p in parts], dim="path", data_vars="minimal", coords="minimal", join="exact")
    inputs = pd.concat([p.inputs for p in parts], ignore_index=True)
    first = parts[0]
    return Result(data=data, scenario=first.scenario, seed=first.seed, engine=first.engine, inputs=inputs)


def converged(result: Result) -> pd.DataFrame:
    """The last row of each statistic in ``result.convergence``: the estimate the run stopped at."""
    table = result.convergence
    if table.empty:
        raise ValueError("this result was not run to a target SE (simulate(..., target_se=...))")
    return table.groupby("statistic", sort=False).tail(1).reset_index(drop=True)
