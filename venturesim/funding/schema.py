"""Scenario schema of funding: priced rounds raised when runway runs short or a
milestone is met, with terms (preference, participation, seniority, pool
top-up), traction-dependent odds and price, the funding climate, and exits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from venturesim.scenario._base import Model, Name, unique_names
from venturesim.scenario.distributions import bounded, uncertain
from venturesim.scenario.timeseries import TimeVarying


class Traction(Model):
    """How a round's odds and price respond to the ARR the company shows when it starts raising.

    With x = ln(max(ARR, 1 % of the reference) / reference ARR):
    logit(p) = logit(p₀) + success_elasticity · x, and
    pre-money = pre-money₀ · e^{valuation_elasticity · x}
    (p₀ and pre-money₀ are the round's inputs, read as the values at the reference ARR).
    """

    reference_arr: float = Field(gt=0, description="ARR at which the round's inputs apply, USD.")
    success_elasticity: float = Field(
        0.5, ge=0, description="Change of the log-odds of closing per unit of ln(ARR / reference)."
    )
    valuation_elasticity: float = Field(
        0.7, ge=0, le=1.5,
        description="Elasticity of the pre-money valuation to ARR (0.7: twice the ARR, 1.62× the price; "
        "ARR multiples compress as ARR grows).",
    )


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
    down_round_factor: float = Field(
        1.0, gt=0, le=1,
        description="Each failed attempt multiplies the next attempt's pre-money by this (0.7: a 30 % down round).",
    )
    start_when_arr_at_least: float | None = Field(
        None, ge=0, description="Also start raising (from earliest_month) once ARR reaches this, USD: a milestone round."
    )
    traction: Traction | None = Field(None, description="Odds and price that respond to ARR (default: fixed inputs).")
    liquidation_preference: float = Field(
        1.0, ge=0, description="Liquidation preference, multiple of the amount invested (1x is standard)."
    )
    participation: Literal["none", "full", "capped"] = Field(
        "none", description="After the preference: convert or take it (none), also share as common (full), "
        "or share up to a cap (capped)."
    )
    participation_cap: float = Field(
        3.0, gt=0, description="Capped participation: total return cap, multiple of the amount invested."
    )
    seniority: int = Field(
        0, ge=0, description="Rank in the preference stack: higher is paid first; equal ranks are pari passu."
    )
    option_pool_post: float | None = Field(
        None, ge=0, lt=1,
        description="Top up the option pool to this fraction of the post-money, counted in the pre-money "
        "(the 'option pool shuffle': existing holders, not the new investors, are diluted by it).",
    )


class Acquisition(Model):
    """Acquisition: a monthly hazard that rises with ARR; the price is a multiple of ARR."""

    hazard_annual: uncertain(ge=0, le=1) = Field(
        0.03, description="Probability of being acquired within a year at the reference ARR."
    )
    reference_arr: float = Field(10_000_000, gt=0, description="ARR at which hazard_annual applies, USD.")
    arr_elasticity: float = Field(
        0.5, ge=0, description="Hazard ∝ (ARR / reference)^elasticity (no ARR: no acquisition)."
    )
    arr_multiple: uncertain(gt=0) = Field(
        description="Price as a multiple of ARR at the time of the deal (e.g. {p5: 3, p95: 15})."
    )


class Ipo(Model):
    """An IPO once ARR reaches a threshold; valued at a multiple of ARR."""

    arr_threshold: float = Field(gt=0, description="ARR at which the company lists, USD (≈$100M+ in practice).")
    arr_multiple: uncertain(gt=0) = Field(description="Valuation at listing as a multiple of ARR.")


class Shutdown(Model):
    """When cash runs out: an acqui-hire of the team, or a shutdown with an asset sale."""

    acquihire_probability: uncertain(ge=0, le=1) = Field(
        0.0, description="Probability that a company out of cash is acqui-hired rather than shut down."
    )
    acquihire_value_per_head: uncertain(ge=0) = Field(
        0.0, description="Acqui-hire price per person on payroll at the end, USD."
    )
    asset_sale: uncertain(ge=0) = Field(0.0, description="Proceeds of selling the assets (IP, hardware) in a shutdown, USD.")


class Exits(Model):
    """How investors and founders get paid: acquisition, IPO, acqui-hire or shutdown.

    An exit ends the path (no more flows; not a death). Its value goes
    through the liquidation waterfall over the cap table at that moment
    (:func:`venturesim.funding.waterfall.waterfall_arrays`).
    """

    acquisition: Acquisition | None = Field(None, description="Acquisition hazard and price (omit: none).")
    ipo: Ipo | None = Field(None, description="IPO threshold and valuation (omit: none).")
    shutdown: Shutdown = Field(default_factory=Shutdown)


class Funding(Model):
    """Funding rounds in the order they are raised, the climate, and the exits."""

    rounds: Annotated[list[Round], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Priced rounds, raised in order."
    )
    climate: bounded(TimeVarying, gt=0) = Field(
        1.0,
        description="Funding climate by month: multiplies the odds of closing and the pre-money "
        "(0.6 in a funding winter; 1 normal).",
    )
    exits: Exits = Field(default_factory=Exits)
