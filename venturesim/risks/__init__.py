"""Risks: a catalogue of risk events, correlated arrivals, impacts on parameters, mitigations.

See :mod:`venturesim.risks.schema` for the scenario section,
:mod:`venturesim.risks.draws` for arrivals and dependence,
:mod:`venturesim.risks.apply` for how events change the parameters, and
``docs/model/risks.md`` for the catalogue.
"""

from venturesim._lazy import lazy_exports as _lazy_exports

_EXPORTS = {
    "HOOK_TARGETS": "venturesim.risks.apply",
    "Adjustment": "venturesim.risks.apply",
    "RiskHooks": "venturesim.risks.apply",
    "RiskRecord": "venturesim.risks.apply",
    "adjust": "venturesim.risks.apply",
    "apply_risks": "venturesim.risks.apply",
    "empty_record": "venturesim.risks.apply",
    "RiskDraws": "venturesim.risks.draws",
    "arrival_times": "venturesim.risks.draws",
    "event_windows": "venturesim.risks.draws",
    "occurrence_correlation": "venturesim.risks.draws",
    "occurrence_probability": "venturesim.risks.draws",
    "sample_risks": "venturesim.risks.draws",
    "event_table": "venturesim.risks.events",
    "last_risk_before_death": "venturesim.risks.events",
    "risks_before_death": "venturesim.risks.events",
    "describe_event": "venturesim.risks.process",
    "risk_events": "venturesim.risks.process",
    "TARGETS": "venturesim.risks.schema",
    "Impact": "venturesim.risks.schema",
    "Mitigation": "venturesim.risks.schema",
    "Raises": "venturesim.risks.schema",
    "Risk": "venturesim.risks.schema",
    "Risks": "venturesim.risks.schema",
}
"""Each public name and the module that defines it; imported on first use (:mod:`venturesim._lazy`)."""

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)

__all__ = [
    "HOOK_TARGETS",
    "TARGETS",
    "Adjustment",
    "Impact",
    "Mitigation",
    "Raises",
    "Risk",
    "RiskDraws",
    "RiskHooks",
    "RiskRecord",
    "Risks",
    "adjust",
    "apply_risks",
    "arrival_times",
    "catalog",
    "catalog_risk",
    "describe_event",
    "empty_record",
    "event_table",
    "event_windows",
    "last_risk_before_death",
    "occurrence_correlation",
    "occurrence_probability",
    "risk_events",
    "risks_before_death",
    "sample_risks",
]

# Eager, and after the lazy map: the submodule ``venturesim.risks.catalog`` shares its name with the function, and
# importing a submodule sets the package's attribute to the module; importing it here first keeps the name bound
# to the function (the module is light: YAML and the error helpers).
from venturesim.risks.catalog import catalog, catalog_risk  # noqa: E402
