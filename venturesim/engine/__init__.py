"""The simulation engines: the JAX Monte Carlo engine and its Result.

The names below are imported on first use (PEP 562): ``import venturesim`` and the scenario
checks do not pay for JAX's import until a simulation needs it.
"""

from importlib import import_module as _import_module
from typing import Any as _Any

_EXPORTS = {
    "init": "venturesim.engine.jax_engine",
    "run_block": "venturesim.engine.jax_engine",
    "step": "venturesim.engine.jax_engine",
    "DEFAULT_METRICS": "venturesim.engine.metrics",
    "MONTHLY_METRICS": "venturesim.engine.metrics",
    "resolve_metrics": "venturesim.engine.metrics",
    "Params": "venturesim.engine.params",
    "sample": "venturesim.engine.params",
    "Result": "venturesim.engine.result",
    "run_jax": "venturesim.engine.simulate",
    "run_many": "venturesim.engine.variants",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> _Any:
    if name in _EXPORTS:
        return getattr(_import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'venturesim.engine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
