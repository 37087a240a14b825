"""The team: roles, hiring pipeline, payroll and equity, attrition, layoffs, capacity (docs/model/team.md)."""

from venturesim.team.catalog import load_catalog, location, role_defaults
from venturesim.team.params import TeamParams, sample_team
from venturesim.team.schema import HirePer, Layoffs, Role, Team
from venturesim.team.step import (
    TeamMonth,
    TeamSignals,
    TeamState,
    init_team,
    initial_signals,
    run_team,
    step_team,
)

__all__ = [
    "HirePer", "Layoffs", "Role", "Team", "TeamMonth", "TeamParams", "TeamSignals", "TeamState", "init_team",
    "initial_signals", "load_catalog", "location", "role_defaults", "run_team", "sample_team", "step_team",
]
