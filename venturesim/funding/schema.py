"""Scenario schema of funding: priced rounds raised when runway runs short."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from venturesim.scenario._base import Model, Name, unique_names
from venturesim.scenario.distributions import uncertain


class Round(Model):
    """A priced equity round, started when runway falls below a threshold.

    Rounds are raised in the order listed: a round becomes eligible once the
    one before it has closed or been abandoned.
    """

    name: Name
    trigger_runway_months: uncertain(ge=0) = Field(
        9.0, description="Start raising when runway (cash / net monthly burn) falls below this, months."
    )
    earliest_month: int = Field(0, ge=0, description="Do not start raising before this month.")
    success_probability: uncertain(ge=0, le=1) = Field(
        description="Probability that an attempt closes (seed→next round graduation ≈46 %; CB Insights)."
    )
    pre_money: uncertain(gt=0) = Field(description="Pre-money valuation, USD.")
    amount: uncertain(gt=0) = Field(description="New money raised, USD.")
    time_to_close_months: uncertain(ge=0) = Field(
        3.0, description="Months from starting to raise until the money arrives (or the attempt fails)."
    )
    max_attempts: int = Field(1, ge=1, description="Attempts before the round is abandoned.")
    retry_delay_months: uncertain(ge=0) = Field(
        3.0, description="Months to wait after a failed attempt before trying again."
    )


class Funding(Model):
    """Funding rounds in the order they are raised."""

    rounds: Annotated[list[Round], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Priced rounds, raised in order."
    )
