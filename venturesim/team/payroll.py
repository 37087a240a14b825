"""Payroll from the headcount plan: Σ_roles headcount_r(t) · cost_r(t), USD per month."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from venturesim.scenario.sampling import Sampler
from venturesim.team.schema import Team


class TeamParams(NamedTuple):
    """Per-path team inputs.

    Attributes
    ----------
    headcount : (paths, T) planned people on payroll.
    payroll : (paths, T) fully loaded payroll, USD per month.
    """

    headcount: np.ndarray
    payroll: np.ndarray


def sample_team(team: Team, sampler: Sampler, months: int) -> TeamParams:
    """Draw per-role costs and combine them with the headcount plan."""
    headcount = np.zeros((sampler.n, months))
    payroll = np.zeros((sampler.n, months))
    for role in team.roles:
        heads = np.asarray(role.headcount_series(months), dtype=np.float64)[None, :]  # (1, T)
        cost = sampler.series(role.monthly_cost, f"team.roles.{role.name}.monthly_cost", months)
        headcount = headcount + heads
        payroll = payroll + heads * cost
    return TeamParams(headcount=headcount, payroll=payroll)
