"""Scenario schema of the team: roles with a headcount plan and a loaded cost."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt, field_validator

from venturesim.scenario._base import Model, Name, unique_names
from venturesim.scenario.distributions import bounded
from venturesim.scenario.timeseries import TimeVarying


class Role(Model):
    """A role with its planned headcount by month and its cost per head."""

    name: Name
    monthly_cost: bounded(TimeVarying, ge=0) = Field(
        description="Fully loaded cost per person per month (salary + on-cost), USD."
    )
    headcount: StrictInt | dict[int, StrictInt] = Field(
        description="People in the role: a number, or month → headcount from that month on."
    )

    @field_validator("headcount")
    @classmethod
    def _non_negative(cls, plan):
        table = {0: plan} if isinstance(plan, int) else plan
        bad = {m: n for m, n in table.items() if m < 0 or n < 0}
        if bad:
            raise ValueError(f"months and headcounts must be >= 0 (negative entries: {bad})")
        return plan

    def headcount_series(self, months: int) -> list[int]:
        """Planned headcount for months 0..months−1 (step: each entry holds until the next)."""
        table = {0: self.headcount} if isinstance(self.headcount, int) else dict(sorted(self.headcount.items()))
        series, current = [], 0
        for t in range(months):
            current = table.get(t, current)
            series.append(current)
        return series


class Team(Model):
    """The team: a list of roles."""

    roles: Annotated[list[Role], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Roles with headcount plans."
    )
