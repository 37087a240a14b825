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
from typing import Any as _Any

from venturesim.engine import MONTHLY_METRICS, Params, Result, sample
from venturesim.scenario import Scenario, ScenarioError, load

try:
    __version__ = _version("venturesim")
except _PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

ENGINES = ("jax", "des")


def simulate(
    scenario: Scenario | str | _Path | dict[str, _Any],
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
) -> Result:
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
    workers, scheduler : DES: local Dask worker processes (default all cores;
        1 = in this process) or an existing Dask scheduler address.
    progress : called as ``progress(done_paths, total_paths)`` after each chunk.
    """
    from venturesim.engine.metrics import resolve_metrics
    from venturesim.engine.simulate import run_jax

    scenario = load(scenario)
    settings = scenario.simulation
    paths = settings.paths if paths is None else int(paths)
    seed = settings.seed if seed is None else int(seed)
    months = settings.months if months is None else int(months)
    if paths < 1 or months < 1 or seed < 0:
        raise ValueError(
            f"need paths >= 1, months >= 1 and seed >= 0; found paths={paths}, months={months}, seed={seed}"
        )
    if engine not in ENGINES:
        raise ValueError(f"engine(={engine!r}) must be one of {ENGINES}")
    if engine == "des":
        from venturesim.engine.des_runner import run_des

        return run_des(
            scenario,
            paths=paths,
            seed=seed,
            months=months,
            metrics=resolve_metrics(metrics),
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    return run_jax(
        scenario,
        paths=paths,
        seed=seed,
        months=months,
        metrics=resolve_metrics(metrics),
        chunk_size=chunk_size,
        progress=progress,
        threads=threads,
    )


__all__ = ["ENGINES", "MONTHLY_METRICS", "Params", "Result", "Scenario", "ScenarioError", "load", "sample", "simulate"]
