"""The scenario language: schema, distribution specs, YAML loading, sampling, overrides.

The domain packages build their schemas from this package's building blocks
(distributions, time series) and :mod:`venturesim.scenario.schema` composes
them, so the public names below are imported lazily to avoid an import cycle.
"""

from importlib import import_module

_EXPORTS = {
    "Dist": "distributions",
    "Spec": "distributions",
    "Problem": "errors",
    "ScenarioError": "errors",
    "iter_inputs": "inputs",
    "uncertain_inputs": "inputs",
    "from_dict": "loader",
    "load": "loader",
    "apply_overrides": "overrides",
    "parse_override": "overrides",
    "Scenario": "schema",
    "Schedule": "timeseries",
    "TimeVarying": "timeseries",
    "Trend": "timeseries",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"venturesim.scenario.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'venturesim.scenario' has no attribute {name!r}")
