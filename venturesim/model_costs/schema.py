"""Scenario schema of compute spend (the monthly line; training runs come later)."""

from __future__ import annotations

from pydantic import Field

from venturesim.scenario._base import Model
from venturesim.scenario.distributions import bounded
from venturesim.scenario.timeseries import TimeVarying


class Compute(Model):
    """Compute spend on training and experiments, as a monthly line."""

    monthly_spend: bounded(TimeVarying, ge=0) = Field(
        0.0,
        description="Accelerator rental and other compute per month, USD "
        "(a trend with negative growth models falling GPU prices).",
    )
