"""The scenario language: schema, distribution specs, YAML loading, sampling, overrides.

The domain packages build their schemas from this package's building blocks
(distributions, time series) and :mod:`venturesim.scenario.schema` composes
them, so the public names below are imported lazily to avoid an import cycle.
"""

from importlib import import_module as _import_module

_EXPORTS = {
    "Dist": "venturesim.spec.distributions",
    "Spec": "venturesim.spec.distributions",
    "Problem": "venturesim.spec.errors",
    "ScenarioError": "venturesim.spec.errors",
    "iter_inputs": "venturesim.scenario.inputs",
    "uncertain_inputs": "venturesim.scenario.inputs",
    "from_dict": "venturesim.scenario.loader",
    "load": "venturesim.scenario.loader",
    "apply_overrides": "venturesim.scenario.overrides",
    "parse_override": "venturesim.scenario.overrides",
    "Scenario": "venturesim.scenario.schema",
    "Schedule": "venturesim.spec.timeseries",
    "TimeVarying": "venturesim.spec.timeseries",
    "Trend": "venturesim.spec.timeseries",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(_import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'venturesim.scenario' has no attribute {name!r}")
