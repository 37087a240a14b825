"""The team: roles, hiring pipeline, payroll and equity, attrition, layoffs, capacity (docs/model/team.md)."""

from venturesim.team.catalog import load_catalog, location, role_defaults
from venturesim.team.params import CapacityParams, TeamParams, sample_team
from venturesim.team.schema import (
    CapacityEffects,
    EngineeringGain,
    HirePer,
    Layoffs,
    Role,
    SalesCapacity,
    SupportLoad,
    Team,
    check_engineering_response,
)
from venturesim.team.step import TeamMonth, TeamSignals, TeamState, init_team, initial_signals, step_team

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
