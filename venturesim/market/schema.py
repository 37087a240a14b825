"""Scenario schema of the market: segments (Bass adoption, sales motion, pricing, retention) and channels.

Every optional field has a neutral default (no channels, self-serve, no
seats, tiers or usage pricing, constant churn, no expansion, no support cost,
no opening rule): a scenario that leaves it out runs without it. The equations are in
docs/model/market.md; the engines' use of them in its section "How the engines
use it".
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import bounded, uncertain
from venturesim.spec.timeseries import TimeVarying

CHANNEL_KINDS = ("paid", "content", "outbound", "partners")


class SalesMotion(Model):
    """A sales-led segment: every account that adopts opens a deal, which closes after a sales cycle.

    A deal opened during month s at time s + U (U uniform in the month) with a
    cycle C resolves in month s + min(⌊U + C⌋, max_cycle_months) and is won with
    probability ``win_rate``; C is gamma distributed per deal with the given mean
    and coefficient of variation. Lost accounts do not come back to the market.
    """

    cycle_months: uncertain(gt=0) = Field(
        description="Mean sales cycle of a deal, months from opening to decision (drawn once per path)."
    )
    cycle_cv: uncertain(gt=0, le=3) = Field(
        0.5,
        description="Coefficient of variation of one deal's cycle (gamma distributed; 1 = exponential). "
        "Default 0.5 is an assumption.",
    )
    win_rate: uncertain(ge=0, le=1) = Field(description="Share of resolved deals that are won.")
    max_cycle_months: int = Field(
        24,
        ge=1,
        le=120,
        description="A deal still open this many months after its opening month is decided in that month.",
    )


class Tier(Model):
    """A flat subscription tier and the share of a segment's customers on it."""

    name: Name
    share: float = Field(ge=0, le=1, description="Share of the segment's customers on this tier (shares sum to 1).")
    price: uncertain(ge=0) = Field(description="Price of the tier per customer per month, USD.")


class Pricing(Model):
    """Seats, tiers, annual plans and competitor price cuts (on top of the segment's flat ``price``).

    Monthly subscription per customer = (price + seats · price_per_seat + Σ share_k · tier price_k)
    · (1 − annual_plan_share · annual_discount); every price is multiplied by
    1 − price_cut_pass_through · competitor_price_cut.
    """

    seats_per_customer: uncertain(ge=0) = Field(0.0, description="Paid seats per customer (count).")
    price_per_seat: bounded(TimeVarying, ge=0) = Field(0.0, description="Price per seat per month, USD.")
    tiers: Annotated[list[Tier], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Flat subscription tiers (none: no tier fee)."
    )
    annual_plan_share: uncertain(ge=0, le=1) = Field(0.0, description="Share of customers on annual contracts.")
    annual_discount: uncertain(ge=0, lt=1) = Field(
        0.0, description="Discount on the subscription for an annual contract (0.15 = 15 % off)."
    )
    competitor_price_cut: bounded(TimeVarying, ge=0, lt=1) = Field(
        0.0,
        description="Competitors' price cut x relative to month 0 (0.3 = 30 % cheaper), by month. "
        "Churn × ((1 − πx)/(1 − x))^price_elasticity, π the pass-through.",
    )
    price_cut_pass_through: uncertain(ge=0, le=1) = Field(
        0.0, description="Share π of a competitor's cut that we match (our prices × (1 − π x))."
    )

    @field_validator("tiers")
    @classmethod
    def _shares_sum_to_one(cls, tiers: list[Tier]) -> list[Tier]:
        total = sum(t.share for t in tiers)
        if tiers and abs(total - 1.0) > 1e-6:
            raise ValueError(f"tier shares(={[t.share for t in tiers]}) must sum to 1, found {total:g}")
        return tiers


class Usage(Model):
    """Metered usage: million tokens per customer-month, growing with the customer's age."""

    median_mtokens_per_customer_month: uncertain(ge=0) = Field(
        description="Median million tokens a customer uses in their first billed month."
    )
    sigma: uncertain(ge=0, le=4) = Field(
        1.0,
        description="Log-scale spread of usage across customers (lognormal); the mean is "
        "median · exp(sigma²/2). Default 1.0 is an assumption.",
    )
    growth_monthly: uncertain(gt=-1, le=1) = Field(
        0.0, description="Monthly growth of a customer's usage with their age (0.05 = +5 % a month)."
    )
    max_multiple: uncertain(ge=1) = Field(
        1e6, description="Cap on usage growth: at most this multiple of the first month's usage."
    )
    price_per_mtoken: bounded(TimeVarying, ge=0) = Field(
        0.0, description="Price per million tokens, USD (0: usage is included in the subscription)."
    )


class GammaGammaSpend(Model):
    """Spend per transaction, Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4)): a
    transaction's value z ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers; mean pγ/(q − 1) USD."""

    p: uncertain(gt=0) = Field(description="Shape p of a transaction's value (no unit; CDNOW: 6.25).")
    q: uncertain(gt=1) = Field(description="Shape q of the customers' scale (> 1 for a finite mean; CDNOW: 3.74).")
    gamma: uncertain(gt=0) = Field(description="Scale γ of the customers' scale, USD (CDNOW: 15.44).")


class RepeatUsage(Model):
    """Non-contractual repeat usage, BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
    way"): an active customer transacts at rate λ ~ Gamma(r, α) per month and drops out with probability
    p ~ Beta(a, b) after each transaction; revenue = transactions × spend. Replaces the segment's churn
    (docs/model/calibration.md; `venturesim calibrate usage` fits r, α, a, b and the spend)."""

    r: uncertain(gt=0) = Field(description="Shape r of the transaction rates (no unit; CDNOW: 0.243).")
    alpha: uncertain(gt=0) = Field(
        description="Scale α of the transaction rates, months (a fit in weeks: α · 12/52; CDNOW: 4.414 "
        "weeks = 1.019 months)."
    )
    a: uncertain(gt=0) = Field(description="Beta shape a of the dropout probability (CDNOW: 0.793).")
    b: uncertain(gt=0) = Field(description="Beta shape b of the dropout probability (CDNOW: 2.426).")
    spend: GammaGammaSpend = Field(description="Spend per transaction, USD (Gamma-Gamma).")


class Segment(Model):
    """One customer segment: who could buy, how fast they adopt, how they buy, what they pay and how long they stay."""

    name: Name
    market_size: uncertain(gt=0) = Field(description="Potential customers m: accounts that could ever adopt (count).")
    bass_p_annual: uncertain(gt=0, le=1) = Field(
        0.03,
        description=(
            "Bass innovation coefficient p, per year (meta-analysis mean 0.03; Sultan, Farley & Lehmann 1990)."
        ),
    )
    bass_q_annual: uncertain(ge=0, le=5) = Field(
        0.38,
        description=(
            "Bass imitation coefficient q, per year (meta-analysis mean 0.38, "
            "typically 0.3–0.5; Sultan, Farley & Lehmann 1990)."
        ),
    )
    price: bounded(TimeVarying, ge=0) = Field(description="Price per active customer per month, USD.")
    churn: bounded(TimeVarying, ge=0, le=1) = Field(
        0.03,
        description="Monthly logo churn: fraction of active customers leaving each month "
        "(SMB 3–5 %, enterprise < 1 %).",
    )
    launch_month: int = Field(0, ge=0, description="Month the segment opens (0 = from the start).")
    initial_customers: int = Field(
        0,
        ge=0,
        description="Active customers at month 0 (count); a segment that opens later brings them when it opens "
        "(counted, billed and churned from then on).",
    )
    tokens_per_customer_month: uncertain(ge=0) = Field(
        0.0,
        description="Tokens the model generates per active customer per month; each costs "
        "2N FLOPs to serve (product.serving), a cost of revenue.",
    )
    viral_coefficient: uncertain(ge=0, le=2) = Field(
        0.0,
        description="Word of mouth from a referral programme: adopters recruited per adopter per month, "
        "added to the monthly q (Skok 2009).",
    )
    partner_multiplier: uncertain(ge=0) = Field(1.0, description="Partnerships' multiplier on Bass p (1 = none).")
    sales: SalesMotion | None = Field(
        None,
        description="Give it to make the segment sales-led (deals with a cycle and a win rate); "
        "omit it for self-serve (adopters pay at once).",
    )
    open_when_arr_at_least: uncertain(ge=0) | None = Field(
        None,
        description="Market expansion: the segment opens in the first month from launch_month on "
        "whose previous month's ARR (12 × revenue) reached this, USD.",
    )
    open_after_round: str | None = Field(
        None,
        description="Market expansion paid for by a round: the segment opens only once this round (a name from "
        "funding.rounds) has closed, at a month end before the month it opens (with launch_month and "
        "open_when_arr_at_least).",
    )
    entry_cost: uncertain(ge=0) = Field(
        0.0, description="One-off cost of entering the segment, paid in the month it opens, USD."
    )
    pricing: Pricing | None = Field(None, description="Seats, tiers, annual plans, competitor price cuts.")
    usage: Usage | None = Field(None, description="Usage-based pricing per million tokens.")
    churn_concentration: uncertain(gt=0) | None = Field(
        None,
        description="Shifted-beta-geometric churn (Fader & Hardie 2007): κ = α + β, with `churn` the churn "
        "of a new customer; a customer of age a churns with churn · κ/(κ + a). Omit for constant churn.",
    )
    churn_price_elasticity: uncertain(ge=0) = Field(
        1.0,
        description="Churn × (our price / competitors')^elasticity after a competitor price cut "
        "(1.0, unit elastic, is an assumption).",
    )
    expansion_monthly: uncertain(gt=-1, le=1) = Field(
        0.0,
        description="Growth of a retained customer's subscription per month of age (seats, upsell); "
        "negative for contraction.",
    )
    expansion_max_multiple: uncertain(ge=1) = Field(
        1e6, description="Cap on expansion: a customer's subscription at most this multiple of the first month's."
    )
    support_cost_per_customer: uncertain(ge=0) = Field(
        0.0, description="Support and success cost per active customer per month, USD (cost of revenue)."
    )
    repeat_usage: RepeatUsage | None = Field(
        None,
        description="Non-contractual customers (BG/NBD lifetimes and transactions, Gamma-Gamma spend): "
        "they drop out after a transaction instead of churning, and pay per transaction on top of `price` "
        "(set price: 0 for pure pay-per-use). Omit for subscription churn.",
    )

    @model_validator(mode="after")
    def _one_retention_model(self):
        if self.repeat_usage is not None:
            clash = [f for f in ("churn", "churn_concentration") if f in self.model_fields_set]
            if clash:
                raise ValueError(
                    f"segment {self.name!r}: {' and '.join(clash)} cannot be given with repeat_usage, whose "
                    "BG/NBD dropout replaces the churn; remove one of them"
                )
        return self


class FunnelSpec(Model):
    """A channel's direct-response funnel: budget → leads (saturating) → trials → paid."""

    cost_per_lead: uncertain(gt=0) = Field(description="Cost of a lead at low spend, USD.")
    max_leads: uncertain(gt=0) = Field(
        description="Reachable leads a month L_max; leads = L_max(1 − exp(−budget/(cost_per_lead·L_max)))."
    )
    lead_to_trial: uncertain(ge=0, le=1) = Field(description="Share of leads that start a trial (or take a meeting).")
    trial_to_paid: uncertain(ge=0, le=1) = Field(
        description="Share of trials that pay (in a sales-led segment: that become an opportunity)."
    )


class AwarenessSpec(Model):
    """A channel's awareness effect on Bass p: × (1 + lift_max · s/(s + half_saturation))."""

    lift_max: uncertain(ge=0) = Field(description="Largest relative lift of the segment's Bass p.")
    half_saturation: uncertain(gt=0) = Field(description="Monthly spend giving half the largest lift, USD.")


class Channel(Model):
    """An acquisition channel aimed at one segment: a monthly budget, a funnel and/or an awareness lift."""

    name: Name
    kind: Literal["paid", "content", "outbound", "partners"] = Field(
        "paid", description="Channel kind, for reports (the arithmetic is the same)."
    )
    segment: str = Field(description="Name of the segment the channel sells to.")
    budget: bounded(TimeVarying, ge=0) = Field(description="Spend per month while the segment is open, USD.")
    funnel: FunnelSpec | None = Field(None, description="Direct response: leads, trials, customers.")
    awareness: AwarenessSpec | None = Field(None, description="Lift of the segment's Bass p by this spend.")


class Market(Model):
    """The market: one or more segments, the channels selling to them, and the cost of serving revenue."""

    segments: Annotated[list[Segment], AfterValidator(unique_names)] = Field(
        min_length=1, description="Customer segments."
    )
    cost_of_revenue: uncertain(ge=0, le=1) = Field(
        0.0,
        description="Support, hosting and other cost of revenue as a fraction of revenue, on top of "
        "the token serving cost (AI products in all: 0.4–0.5, i.e. 50–60 % gross margin; a16z 2020).",
    )
    channels: Annotated[list[Channel], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Acquisition channels (paid, content/SEO, outbound sales, partners)."
    )
    cohort_max_age_months: int = Field(
        60,
        ge=2,
        le=240,
        description="Customers are tracked by age up to this many months (older ones share the last age) "
        "when a segment uses sBG churn, expansion or usage growth.",
    )

    @model_validator(mode="after")
    def _channels_name_segments(self):
        names = [s.name for s in self.segments]
        for channel in self.channels:
            if channel.segment not in names:
                from venturesim.spec.errors import suggest

                hint = suggest(channel.segment, names)
                raise ValueError(
                    f"channel {channel.name!r}: segment(={channel.segment!r}) is not a segment"
                    + (f"; did you mean {hint!r}?" if hint else f"; segments are {names}")
                )
        return self
