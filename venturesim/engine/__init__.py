"""The simulation engines: the JAX Monte Carlo engine and its Result."""

from venturesim.engine.jax_engine import DEFAULT_METRICS, MONTHLY_METRICS, init, run_block, step
from venturesim.engine.params import Params, sample
from venturesim.engine.result import Result
from venturesim.engine.simulate import resolve_metrics, run_jax

__all__ = [
    "DEFAULT_METRICS",
    "MONTHLY_METRICS",
    "Params",
    "Result",
    "init",
    "resolve_metrics",
    "run_block",
    "run_jax",
    "sample",
    "step",
]
