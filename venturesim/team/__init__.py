"""The team: roles, hiring pipeline, payroll and equity, attrition, layoffs, capacity (docs/model/team.md)."""

from venturesim._lazy import lazy_exports as _lazy_exports

_EXPORTS = {
    "load_catalog": "venturesim.team.catalog",
    "location": "venturesim.team.catalog",
    "role_defaults": "venturesim.team.catalog",
    "CapacityParams": "venturesim.team.params",
    "TeamParams": "venturesim.team.params",
    "sample_team": "venturesim.team.params",
    "CapacityEffects": "venturesim.team.schema",
    "EngineeringGain": "venturesim.team.schema",
    "HirePer": "venturesim.team.schema",
    "Layoffs": "venturesim.team.schema",
    "Role": "venturesim.team.schema",
    "SalesCapacity": "venturesim.team.schema",
    "SupportLoad": "venturesim.team.schema",
    "Team": "venturesim.team.schema",
    "check_engineering_response": "venturesim.team.schema",
    "TeamMonth": "venturesim.team.step",
    "TeamSignals": "venturesim.team.step",
    "TeamState": "venturesim.team.step",
    "init_team": "venturesim.team.step",
    "initial_signals": "venturesim.team.step",
    "step_team": "venturesim.team.step",
}
"""Each public name and the module that defines it; imported on first use (:mod:`venturesim._lazy`)."""

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)

__all__ = [
    "CapacityEffects",
    "CapacityParams",
    "EngineeringGain",
    "HirePer",
    "Layoffs",
    "Role",
    "SalesCapacity",
    "SupportLoad",
    "Team",
    "TeamMonth",
    "TeamParams",
    "TeamSignals",
    "TeamState",
    "check_engineering_response",
    "init_team",
    "initial_signals",
    "load_catalog",
    "location",
    "role_defaults",
    "sample_team",
    "step_team",
]
