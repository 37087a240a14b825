"""Scenario schema of partnerships: partner types, search and negotiation, fit, effects, partner risk.

A scenario lists the partners the company will look for::

    partnerships:
      fit_weights: {goal_alignment: 0.3, capability_match: 0.3, complementary_resources: 0.25, reputation: 0.15}
      partners:
        - name: aws_activate
          type: cloud_credits
        - name: reseller
          type: channel
          segment: enterprise
          start_month: 6
          fit: {goal_alignment: 0.8, capability_match: 0.6}
          reference_arr: 500000

A partner's life: from ``start_month`` the company **searches** (a duration),
then **negotiates** (a duration); at the end the deal is **signed** with a
probability set by the company's traction and the partner's fit, else the
attempt fails (retried after ``retry_delay_months`` up to ``max_attempts``).
A signed partnership is **active** until its contract ends or the partner
terminates (a constant hazard), then it has **ended**.

Signing probability, with F the fit score (weighted mean of the four
criteria of the source guide §7.3.1: goal alignment, capability match,
complementary resources, reputation; weights ``fit_weights``) and
x = ln(max(ARR, ARR_ref/100)/ARR_ref) (0 without ``reference_arr``):

    logit p = logit p₀ + β_fit (F − ½) + ε x

p₀ is ``signing_probability`` (at fit ½ and the reference ARR), β_fit
``fit_sensitivity`` and ε ``traction_elasticity``.

Any field left out takes the default of the partner's ``type`` from the
types catalogue (``partnerships/data/types.yaml``, with sources;
:mod:`venturesim.partnerships.catalog`). Effects while active are in
:mod:`venturesim.partnerships.terms`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import uncertain

PARTNER_TYPES = ("strategic", "joint_rnd", "channel", "co_marketing", "cloud_credits", "data")
"""Kinds of partnership (source guide §7.3.2: strategic, joint R&D, channel, co-branding; plus credits and data)."""

FIT_CRITERIA = ("goal_alignment", "capability_match", "complementary_resources", "reputation")

TYPE_FIELDS = (
    "search_months",
    "negotiation_months",
    "signing_probability",
    "termination_annual",
    "contract_months",
    "adoption_multiplier",
    "revenue_share",
    "compute_credits",
    "loss_reduction",
    "monthly_cost",
    "signing_cost",
    "churn_on_exit",
)
"""Partner fields whose default comes from the partner's type."""


class Fit(Model):
    """How well the partner fits, each criterion in [0, 1] (0.5: average)."""

    goal_alignment: uncertain(ge=0, le=1) = Field(0.5, description="Goals and strategy agree (§7.3.1 目标一致性).")
    capability_match: uncertain(ge=0, le=1) = Field(
        0.5, description="Their technology/market capability is what is needed."
    )
    complementary_resources: uncertain(ge=0, le=1) = Field(0.5, description="Their resources complement the company's.")
    reputation: uncertain(ge=0, le=1) = Field(0.5, description="Reputation and reliability.")


class FitWeights(Model):
    """Weights of the fit criteria (normalised to sum to 1)."""

    goal_alignment: float = Field(0.30, ge=0)
    capability_match: float = Field(0.30, ge=0)
    complementary_resources: float = Field(0.25, ge=0)
    reputation: float = Field(0.15, ge=0)

    @model_validator(mode="after")
    def _positive(self):
        total = sum(getattr(self, c) for c in FIT_CRITERIA)
        if not total > 0:
            raise ValueError(f"fit weights must have a positive sum (found {total})")
        return self

    def normalised(self) -> dict[str, float]:
        total = sum(getattr(self, c) for c in FIT_CRITERIA)
        return {c: getattr(self, c) / total for c in FIT_CRITERIA}


class Partner(Model):
    """One partner the company seeks; omitted figures come from its type's defaults."""

    name: Name
    type: Literal[PARTNER_TYPES] = Field(description="Kind of partnership: " + ", ".join(PARTNER_TYPES) + ".")
    start_month: float = Field(0.0, ge=0, description="Month the search starts.")
    search_months: uncertain(ge=0) | None = Field(
        None, description="Months to find the partner and open talks (per attempt)."
    )
    negotiation_months: uncertain(ge=0) | None = Field(None, description="Months of negotiation (per attempt).")
    signing_probability: uncertain(ge=0, le=1) | None = Field(
        None, description="p₀: probability of signing at fit 0.5 and the reference ARR."
    )
    fit: Fit = Field(default_factory=Fit)
    fit_sensitivity: float = Field(4.0, ge=0, description="β_fit: change of the log-odds per unit of fit score.")
    reference_arr: float | None = Field(
        None, gt=0, description="ARR at which p₀ applies, USD (omit: traction does not matter)."
    )
    traction_elasticity: uncertain(ge=0) = Field(
        0.5, description="ε: change of the log-odds per unit of ln(ARR/reference)."
    )
    max_attempts: int = Field(1, ge=1, le=10, description="Attempts before giving up.")
    retry_delay_months: uncertain(ge=0) = Field(3.0, description="Months between a failed attempt and the next search.")
    contract_months: Annotated[float, Field(gt=0)] | Literal["open"] | None = Field(
        None, description="Length of the contract, months, or 'open' (no end); omit: the type's."
    )
    termination_annual: uncertain(ge=0, lt=1) | None = Field(
        None, description="Probability the partner ends an active partnership within a year."
    )
    segment: Name | None = Field(None, description="Segment the partner sells to / brings (omit: all segments).")
    adoption_multiplier: uncertain(gt=0) | None = Field(
        None, description="Multiplies the segment's Bass p while active."
    )
    revenue_share: uncertain(ge=0, le=1) | None = Field(
        None, description="Fraction of the segment's revenue the partner takes."
    )
    compute_credits: uncertain(ge=0) | None = Field(None, description="Compute credits granted at signing, USD.")
    loss_reduction: uncertain(ge=0) | None = Field(
        None, description="Loss reduction of the served model while active, nats/token."
    )
    monthly_cost: uncertain(ge=0) | None = Field(
        None, description="Cost while active, USD per month (joint R&D, co-marketing, data licence)."
    )
    signing_cost: uncertain(ge=0) | None = Field(None, description="One-off cost at signing, USD.")
    churn_on_exit: uncertain(ge=0, le=1) | None = Field(
        None, description="Fraction of the segment's customers lost when the partnership ends."
    )
    concentration_limit: float = Field(
        0.3,
        gt=0,
        le=1,
        description="Flag a concentration risk when the partner's segment brings more than this share of revenue.",
    )


class Partnerships(Model):
    """The partners the company seeks, and the weights of the fit criteria."""

    fit_weights: FitWeights = Field(default_factory=FitWeights)
    partners: Annotated[list[Partner], AfterValidator(unique_names)] = Field(default_factory=list)
