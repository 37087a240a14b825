"""The simulation engines: the JAX Monte Carlo engine and its Result."""

from venturesim.engine.jax_engine import init, run_block, step
from venturesim.engine.metrics import DEFAULT_METRICS, MONTHLY_METRICS, resolve_metrics
from venturesim.engine.params import Params, sample
from venturesim.engine.result import Result
from venturesim.engine.simulate import run_jax

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
