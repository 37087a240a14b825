"""Scenario schema of the market: customer segments with Bass adoption."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from venturesim.scenario._base import Model, Name, unique_names
from venturesim.scenario.distributions import uncertain
from venturesim.scenario.timeseries import TimeVarying
from venturesim.scenario.distributions import bounded


class Segment(Model):
    """One customer segment: who could buy, how fast they adopt, what they pay."""

    name: Name
    market_size: uncertain(gt=0) = Field(
        description="Potential customers m: accounts that could ever adopt (count)."
    )
    bass_p_annual: uncertain(gt=0, le=1) = Field(
        0.03,
        description=(
            "Bass innovation coefficient p, per year (meta-analysis mean 0.03; "
            "Sultan, Farley & Lehmann 1990)."
        ),
    )
    bass_q_annual: uncertain(ge=0, le=5) = Field(
        0.38,
        description=(
            "Bass imitation coefficient q, per year (meta-analysis mean 0.38, "
            "typically 0.3–0.5; Sultan, Farley & Lehmann 1990)."
        ),
    )
    price: bounded(TimeVarying, ge=0) = Field(
        description="Price per active customer per month, USD."
    )
    churn: bounded(TimeVarying, ge=0, le=1) = Field(
        0.03,
        description="Monthly logo churn: fraction of active customers leaving each month "
        "(SMB 3–5 %, enterprise < 1 %).",
    )
    launch_month: int = Field(0, ge=0, description="Month the segment opens (0 = from the start).")
    initial_customers: int = Field(0, ge=0, description="Active customers at month 0 (count).")
    tokens_per_customer_month: uncertain(ge=0) = Field(
        0.0,
        description="Tokens the model generates per active customer per month; each costs "
        "2N FLOPs to serve (product.serving), a cost of revenue.",
    )


class Market(Model):
    """The market: one or more segments plus the cost of serving revenue."""

    segments: Annotated[list[Segment], AfterValidator(unique_names)] = Field(
        min_length=1, description="Customer segments."
    )
    cost_of_revenue: uncertain(ge=0, le=1) = Field(
        0.0,
        description="Support, hosting and other cost of revenue as a fraction of revenue, on top of "
        "the token serving cost (AI products in all: 0.4–0.5, i.e. 50–60 % gross margin; a16z 2020).",
    )
