"""venturesim: Monte Carlo and discrete-event simulation of an AI-model startup.

Quick start::

    import venturesim as vs
    sc = vs.load("scenarios/seed_stage_api.yaml")
    result = vs.simulate(sc, paths=100_000, seed=1)
    result.summary()
"""

from collections.abc import Callable as _Callable
from collections.abc import Iterable as _Iterable
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version
from pathlib import Path as _Path
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from venturesim.analysis.streaming import StreamingSummary
    from venturesim.engine.result import Result
    from venturesim.scenario.schema import Scenario

_ENGINE_EXPORTS = {
    "Scenario": "venturesim.scenario.schema",
    "ScenarioError": "venturesim.spec.errors",
    "load": "venturesim.scenario.loader",
    "MONTHLY_METRICS": "venturesim.engine.metrics",
    "Params": "venturesim.engine.params",
    "Result": "venturesim.engine.result",
    "StreamingSummary": "venturesim.analysis.streaming",
    "sample": "venturesim.engine.params",
    "compare": "venturesim.analysis.compare",
    "goal_seek": "venturesim.analysis.goal_seek",
    "pitch_check": "venturesim.analysis.pitch",
    "stress": "venturesim.analysis.stress",
    "sweep": "venturesim.analysis.sweep",
    "use_compile_cache": "venturesim._cache",
}
"""Imported on first use: the engine imports JAX (seconds), which loading or checking a scenario never needs,
and the scenario's schema imports pydantic and scipy.special, which ``venturesim --help`` does not need."""

_SUBMODULES = {
    "outcomes": "venturesim.analysis.outcomes",  # vs.outcomes.alive(m), ...
    "sensitivity": "venturesim.analysis.sensitivity",  # vs.sensitivity.tornado(...), ...
    "calibrate": "venturesim.calibrate",  # vs.calibrate.sbg(...), ... (PyMC: not needed to simulate)
}
"""Subpackages reachable as attributes, imported on first use too."""

try:
    __version__ = _version("venturesim")
except _PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

ENGINES = ("jax", "des")
KEEP = ("paths", "summary")
"""What ``simulate`` keeps: every path (a Result) or a streaming summary (:mod:`venturesim.analysis.streaming`)."""


def simulate(
    scenario: "Scenario | str | _Path | dict[str, _Any]",
    *,
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    metrics: str | _Iterable[str] | None = None,
    engine: str = "jax",
    chunk_size: int | None = None,
    threads: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: _Callable[[int, int], None] | None = None,
    sampling: str = "random",
    target_se: float | None = None,
    statistics: _Any = None,
    max_paths: int | None = None,
    keep: str = "paths",
) -> "Result | StreamingSummary":
    """Simulate a scenario's paths and return a :class:`Result`.

    Parameters
    ----------
    scenario : a Scenario, a YAML path or a dict.
    paths, seed, months : override the scenario's ``simulation`` settings.
    metrics : monthly metrics to record (names from ``MONTHLY_METRICS``),
        ``"all"``, or None for the defaults (cash, arr, alive, customers, runway).
    engine : ``"jax"`` (the vectorised Monte Carlo engine) or ``"des"`` (the
        SimPy discrete-event engine: same model, plus an event log for
        ``result.timeline(path)`` and ``result.why_dead()``).
    chunk_size : JAX: paths per compiled call (memory bound); results do not depend on it.
    threads : JAX: host threads running chunks at once (default: one per core).
    workers : DES: local Dask worker processes (default all cores; 1 = in this process).
        JAX on a CPU: with 2 or more, run the chunks on this many worker processes, each restricted to
        one core before JAX starts (:mod:`venturesim.engine.core_pool`: XLA's thread pool then has one
        thread; kept for later runs; the same numbers); default (or 1): host threads in this process.
    scheduler : DES: an existing Dask scheduler address.
    progress : called as ``progress(done_paths, total_paths)`` after each chunk.
    sampling : JAX: how the uncertain inputs are sampled: ``"random"`` (plain Monte Carlo),
        ``"lhs"`` (Latin hypercube) or ``"sobol"`` (scrambled Sobol'); process noise is plain
        Monte Carlo either way (:mod:`venturesim.analysis.sampling`).
    target_se : JAX: run batches of paths until each of ``statistics`` has a standard error at most
        this, or ``max_paths`` paths have run (then ``paths`` is ignored); ``result.convergence``
        shows each statistic ± SE after each batch (:mod:`venturesim.analysis.precision`).
    statistics : with target_se: :class:`~venturesim.analysis.outcomes.Outcome` objects or their
        text (``"alive@36"``, ``"arr@24:p50"``); default P(alive at the horizon).
    max_paths : with target_se: the cap on paths (default 1,000,000).
    keep : JAX: ``"paths"`` (default) returns the :class:`Result` with every path's records; ``"summary"`` streams
        each chunk into accumulators and drops its paths, returning a
        :class:`~venturesim.analysis.streaming.StreamingSummary` (per-metric monthly means and SEs, quantiles
        within 1 %, survival, and the summary table's probability, mean and quantile rows) whose memory does not
        grow with ``paths`` (:mod:`venturesim.analysis.streaming`).

    Raises
    ------
    ScenarioError : the scenario is invalid.
    UsageError : a setting is out of range (see :func:`venturesim.engine.simulate.check_arguments`).
    NonFiniteResultError : some paths' money became NaN or ±inf (the paths and their inputs are named).
    """
    from venturesim.engine.finite import check_finite
    from venturesim.engine.metrics import resolve_metrics
    from venturesim.engine.simulate import check_arguments, run_jax
    from venturesim.scenario.inputs import trend_problems
    from venturesim.scenario.loader import load
    from venturesim.spec.errors import UsageError

    scenario = load(scenario)
    settings = scenario.simulation
    paths = settings.paths if paths is None else paths
    seed = settings.seed if seed is None else seed
    months = settings.months if months is None else months
    check_arguments(paths=paths, seed=seed, months=months, chunk_size=chunk_size, threads=threads, workers=workers)
    paths, seed, months = int(paths), int(seed), int(months)
    chunk_size = None if chunk_size is None else int(chunk_size)
    overflowing = trend_problems(scenario, months) if months > settings.months else []
    if overflowing:
        raise UsageError(f"over {months} months (--months): " + "; ".join(overflowing))
    if engine not in ENGINES:
        raise UsageError(f"engine(={engine!r}) must be one of {ENGINES}")
    from venturesim.analysis.targets import target_metrics

    metrics = tuple(dict.fromkeys([*resolve_metrics(metrics), *target_metrics(scenario)]))  # targets' metrics too
    if keep not in KEEP:
        raise UsageError(f"keep(={keep!r}) must be one of {KEEP}")
    if keep == "summary" and (engine != "jax" or target_se is not None):
        raise UsageError(
            "keep='summary' needs the JAX engine (engine='jax') and a fixed number of paths (no target_se)"
        )
    if engine == "des" and (sampling != "random" or target_se is not None):
        raise UsageError("sampling= and target_se= need the JAX engine (engine='jax')")
    if target_se is not None:
        from venturesim.analysis.outcomes import parse_outcome
        from venturesim.analysis.precision import simulate_until

        chosen = [statistics] if isinstance(statistics, str) or hasattr(statistics, "per_path") else statistics
        result = simulate_until(
            scenario,
            target_se=float(target_se),
            seed=seed,
            months=months,
            metrics=metrics,
            statistics=[parse_outcome(s) if isinstance(s, str) else s for s in chosen or ()],
            max_paths=1_000_000 if max_paths is None else int(max_paths),
            sampling=sampling,
            chunk_size=chunk_size,
            threads=threads,
            progress=progress,
            workers=workers,
        )
        check_finite(result)
        return result
    if engine == "des":
        from venturesim.engine.des_runner import run_des

        result = run_des(
            scenario,
            paths=paths,
            seed=seed,
            months=months,
            metrics=resolve_metrics(metrics),
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    else:
        from venturesim.analysis.sampling import sampling_design
        from venturesim.analysis.streaming import StreamingSummary as _StreamingSummary
        from venturesim.engine.stream import stream_jax

        run = stream_jax if keep == "summary" else run_jax  # the summary checks the money chunk by chunk
        out = run(
            scenario,
            design=sampling_design(scenario, sampling, paths, seed),
            paths=paths,
            seed=seed,
            months=months,
            metrics=resolve_metrics(metrics),
            chunk_size=chunk_size,
            progress=progress,
            threads=threads,
            workers=workers,
        )
        if isinstance(out, _StreamingSummary):
            return out
        result = out
    check_finite(result)
    return result


def __getattr__(name: str) -> _Any:
    from importlib import import_module

    if name in _SUBMODULES:
        value = import_module(_SUBMODULES[name])
    elif name in _ENGINE_EXPORTS:
        value = getattr(import_module(_ENGINE_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'venturesim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ENGINE_EXPORTS) | set(_SUBMODULES))


__all__ = [
    "ENGINES",
    "KEEP",
    "MONTHLY_METRICS",
    "Params",
    "Result",
    "Scenario",
    "ScenarioError",
    "StreamingSummary",
    "compare",
    "goal_seek",
    "load",
    "pitch_check",
    "sample",
    "simulate",
    "stress",
    "sweep",
    "use_compile_cache",
]
