"""Scenario schema of funding: rounds (priced equity or post-money SAFEs) raised
when runway runs short or a milestone is met, with terms (preference,
participation, seniority, pool top-up, SAFE cap and discount), traction-dependent
odds and price, the funding climate, an insiders' bridge SAFE when a round
fails, venture debt, non-dilutive grants, and exits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import bounded, uncertain
from venturesim.spec.timeseries import TimeVarying


class Traction(Model):
    """How a round's odds and price respond to the ARR the company shows when it starts raising.

    With x = ln(max(ARR, 1 % of the reference) / reference ARR):
    logit(p) = logit(p₀) + success_elasticity · x, and
    pre-money = pre-money₀ · e^{valuation_elasticity · x}
    (p₀ and pre-money₀ are the round's inputs, read as the values at the reference ARR).
    """

    reference_arr: float = Field(gt=0, description="ARR at which the round's inputs apply, USD.")
    success_elasticity: uncertain(ge=0) = Field(
        0.5, description="Change of the log-odds of closing per unit of ln(ARR / reference)."
    )
    valuation_elasticity: uncertain(ge=0, le=1.5) = Field(
        0.7,
        description="Elasticity of the pre-money valuation to ARR (0.7: twice the ARR, 1.62× the price; "
        "ARR multiples compress as ARR grows).",
    )
    momentum: bool = Field(
        True, description="Also price growth and the burn multiple (funding.pricing's references; false: ARR alone)."
    )


class RoundPricing(Model):
    """How every round without ``traction: off`` is priced on traction, and how its size follows its price.

    The maths and sources: :mod:`venturesim.funding.traction` (docs/model/funding.md, "Traction pricing").
    A round with a ``traction:`` block uses the block's reference ARR and elasticities; the others use
    a reference ARR of pre-money / ``arr_multiple`` and these elasticities (ARR below the reference
    neither helps nor hurts; growth and the burn multiple do, once ARR is a quarter of the reference).
    """

    arr_multiple: float = Field(
        8.1,
        gt=0,
        description="Run-rate ARR multiple a round's pre-money assumes (reference ARR = pre-money / this; 8.1: "
        "Blossom Street Ventures' median Series A ask, Q3 2019).",
    )
    growth_reference: float = Field(
        2.0,
        gt=0,
        description="Year-over-year ARR growth multiple at which growth is neutral (2: ≈100 %, the median at "
        "a Series A; Blossom Street Ventures Q4 2016).",
    )
    burn_multiple_reference: float = Field(
        2.0,
        gt=0,
        description="Burn multiple (net burn / net new ARR) at which efficiency is neutral (2: Sacks 2020's "
        "'good' (1.5–2) / 'suspect' (2–3) boundary).",
    )
    success_elasticity: float = Field(
        0.5, ge=0, description="Change of the log-odds of closing per unit of traction score (as `traction:`)."
    )
    valuation_elasticity: float = Field(
        0.7, ge=0, le=1.5, description="Elasticity of the pre-money to the traction score (as `traction:`)."
    )
    min_dilution: float = Field(
        0.15,
        ge=0,
        lt=1,
        description="A priced round sells at least this fraction of the post-money: a richly priced round "
        "raises more (Carta 2023's ≈20 % median seed and A dilution, ± 5 points).",
    )
    max_dilution: float = Field(
        0.25,
        gt=0,
        le=1,
        description="A priced round sells at most this fraction of the post-money: a round whose price falls "
        "raises less (1: the planned amount whatever the price; Carta 2023's ≈20 % median, + 5 points).",
    )

    raise_at_reference_arr: bool = Field(
        True,
        description="Also start a traction-priced round without a milestone once ARR reaches its reference ARR "
        "(pre-money / arr_multiple): raise opportunistically when the traction the price assumes is there.",
    )

    @model_validator(mode="after")
    def _range(self):
        if self.min_dilution > self.max_dilution:
            raise ValueError(f"min_dilution(={self.min_dilution}) must be <= max_dilution(={self.max_dilution})")
        return self


class Bridge(Model):
    """Insiders bridge a failed attempt of a priced round with a post-money SAFE.

    When an attempt fails, the existing investors put in ``amount`` with
    probability ``probability`` (once per round, at the failure), as a SAFE
    with a post-money valuation cap of ``valuation_cap_factor`` × the failed
    attempt's pre-money and a ``discount``; it converts at the next priced round.
    The round's own retry (``retry_delay_months``, ``max_attempts``) goes on as before.
    """

    amount: uncertain(gt=0) = Field(
        description="Bridge size, USD (insider bridges are typically 10–25 % of the round)."
    )
    probability: uncertain(ge=0, le=1) = Field(
        1.0, description="Probability that insiders bridge when an attempt fails (assumption; 1: always)."
    )
    valuation_cap_factor: float = Field(
        1.0,
        gt=0,
        description="Post-money cap as a multiple of the failed attempt's pre-money (1: flat to the "
        "price the market refused).",
    )
    discount: float = Field(
        0.2, ge=0, lt=1, description="Discount to the next priced round's price (0.2 is the customary 20 %)."
    )


class ProRata(Model):
    """A pro rata side letter: the round's investors may buy their share of the next priced round.

    At the first priced round that closes after this one, with probability ``probability`` (drawn once per
    path), they buy (their fully diluted shares ÷ the round's Company Capitalization) × its amount, out of
    the round (YC pro rata side letter; NVCA "Right to Participate Pro Rata").
    """

    probability: uncertain(ge=0, le=1) = Field(
        1.0, description="Probability that the investors exercise the right at the next priced round (1: always)."
    )


class Round(Model):
    """A funding round, started when runway falls below a threshold: a priced equity round, a SAFE or a note.

    Rounds are raised in the order listed: a round becomes eligible once the
    one before it has closed or been abandoned. A SAFE round (``instrument:
    safe``) is raised the same way; on closing its investors hold
    amount / valuation_cap of the company (YC post-money SAFE: only the holders
    other than outstanding SAFEs are diluted), and at the next priced round the
    SAFE converts at the better of its cap and its discount to the round's
    price. Until then, at an exit it is paid like 1x non-participating preferred
    stock (the greater of its money back and its as-converted share).

    A pre-money SAFE (``instrument: pre_money_safe``, YC 2013 form) converts at Cap / (the round's
    capitalization without SAFEs and notes, with the pool increase); a convertible note (``instrument:
    note``) accrues simple interest and converts principal and interest at Cap / (issued shares and granted
    options), or at its maturity converts at that cap price or is repaid, as ``at_maturity`` says
    (:mod:`venturesim.funding.instruments`). ``pro_rata`` and ``mfn`` are side letters.
    """

    name: Name
    instrument: Literal["priced", "safe", "pre_money_safe", "note"] = Field(
        "priced",
        description="Priced equity (needs `pre_money`), a post-money SAFE, a pre-money SAFE or a convertible note "
        "(each needs `valuation_cap`); ≈92 % of pre-seed rounds are SAFEs, post-money cap-only the most common "
        "(Carta, State of Seed 2025).",
    )
    trigger_runway_months: uncertain(ge=0) = Field(
        9.0, description="Start raising when runway (cash / net monthly burn) falls below this, months."
    )
    earliest_month: int = Field(0, ge=0, description="Do not start raising before this month.")
    success_probability: uncertain(ge=0, le=1) = Field(
        description="Probability that an attempt closes (seed→next round graduation ≈46 %; CB Insights)."
    )
    pre_money: uncertain(gt=0) | None = Field(None, description="Pre-money valuation of a priced round, USD.")
    valuation_cap: uncertain(gt=0) | None = Field(
        None,
        description="A SAFE's or note's valuation cap, USD: post-money for `safe`, pre-money for "
        "`pre_money_safe` and `note` (traction, the climate and down rounds move it as they move a priced "
        "round's pre-money).",
    )
    discount: float = Field(
        0.0, ge=0, lt=1, description="A SAFE's or note's discount to the next priced round's price (0: cap only)."
    )
    interest_annual: uncertain(ge=0, le=1) | None = Field(
        None,
        description="A note's annual interest, simple: it converts or is repaid with principal × (1 + rate × "
        "months/12) (notes only; default 0; 2–8 % is usual).",
    )
    maturity_months: int | None = Field(
        None, ge=1, description="A note's term, months after it closes (notes only; default 24)."
    )
    at_maturity: Literal["convert", "repay"] | None = Field(
        None,
        description="What the holder elects at maturity if no priced round has converted the note: convert at "
        "the cap price, or be repaid principal and interest in cash (notes only; default convert).",
    )
    mfn: bool = Field(
        False,
        description="Most-favoured-nation side letter (SAFEs): adopt the cap and discount of a later SAFE of the "
        "same kind on better terms, still outstanding at the conversion.",
    )
    pro_rata: ProRata | None = Field(
        None, description="Pro rata side letter: the investors may buy their share of the next priced round."
    )
    amount: uncertain(gt=0) = Field(description="New money raised, USD.")
    time_to_close_months: uncertain(ge=0) = Field(
        3.0, description="Months from starting to raise until the money arrives (or the attempt fails)."
    )
    max_attempts: int = Field(1, ge=1, description="Attempts before the round is abandoned.")
    retry_delay_months: uncertain(ge=0) = Field(
        3.0, description="Months to wait after a failed attempt before trying again."
    )
    down_round_factor: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Each failed attempt multiplies the next attempt's pre-money by this (0.7: a 30 % down round).",
    )
    start_when_arr_at_least: float | None = Field(
        None,
        ge=0,
        description="Also start raising (from earliest_month) once ARR reaches this, USD: a milestone round.",
    )
    traction: Traction | Literal["off"] | None = Field(
        None,
        description="Odds and price that respond to ARR (a reference ARR and elasticities); `off`: the inputs "
        "exactly, at any traction and price; default: funding.pricing's traction pricing.",
    )
    liquidation_preference: float = Field(
        1.0, ge=0, description="Liquidation preference, multiple of the amount invested (1x is standard)."
    )
    participation: Literal["none", "full", "capped"] = Field(
        "none",
        description="After the preference: convert or take it (none), also share as common (full), "
        "or share up to a cap (capped).",
    )
    participation_cap: float = Field(
        3.0, gt=0, description="Capped participation: total return cap, multiple of the amount invested."
    )
    seniority: int = Field(
        0, ge=0, description="Rank in the preference stack: higher is paid first; equal ranks are pari passu."
    )
    option_pool_post: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="Top up the option pool to this fraction of the post-money, counted in the pre-money "
        "(the 'option pool shuffle': existing holders, not the new investors, are diluted by it).",
    )
    bridge: Bridge | None = Field(None, description="Insiders' bridge SAFE when an attempt of this priced round fails.")

    @model_validator(mode="after")
    def _instrument_terms(self):
        note_terms = [f for f in ("interest_annual", "maturity_months", "at_maturity") if getattr(self, f) is not None]
        if self.instrument == "priced":
            if self.pre_money is None:
                raise ValueError(f"priced round {self.name!r} needs `pre_money`")
            wrong = [f for f in ("valuation_cap",) if getattr(self, f) is not None] + (
                ["discount"] if self.discount else []
            )
            if wrong:
                raise ValueError(f"{', '.join(wrong)} only apply to a SAFE or a note (round {self.name!r} is priced)")
        else:
            kind = {"safe": "SAFE", "pre_money_safe": "pre-money SAFE", "note": "note"}[self.instrument]
            if self.valuation_cap is None:
                cap = "post-money" if self.instrument == "safe" else "pre-money"
                raise ValueError(f"{kind} round {self.name!r} needs `valuation_cap` (the {cap} cap)")
            wrong = [f for f in ("pre_money", "option_pool_post", "bridge") if getattr(self, f) is not None]
            if wrong:
                raise ValueError(f"{', '.join(wrong)} only apply to a priced round (round {self.name!r} is a {kind})")
        if self.instrument != "note" and note_terms:
            raise ValueError(f"{', '.join(note_terms)} only apply to `instrument: note` (round {self.name!r})")
        if self.instrument == "note" and self.pro_rata is not None:
            raise ValueError(f"`pro_rata` applies to priced rounds and SAFEs (round {self.name!r} is a note)")
        if self.mfn and self.instrument not in ("safe", "pre_money_safe"):
            raise ValueError(f"`mfn` applies to SAFEs (round {self.name!r} is {self.instrument})")
        return self


class Acquisition(Model):
    """Acquisition: a monthly hazard that rises with ARR; the price is a multiple of ARR."""

    hazard_annual: uncertain(ge=0, le=1) = Field(
        0.03, description="Probability of being acquired within a year at the reference ARR."
    )
    reference_arr: float = Field(10_000_000, gt=0, description="ARR at which hazard_annual applies, USD.")
    arr_elasticity: uncertain(ge=0) = Field(
        0.5, description="Hazard ∝ (ARR / reference)^elasticity (no ARR: no acquisition)."
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
    asset_sale: uncertain(ge=0) = Field(
        0.0, description="Proceeds of selling the assets (IP, hardware) in a shutdown, USD."
    )


class Exits(Model):
    """How investors and founders get paid: acquisition, IPO, acqui-hire or shutdown.

    An exit ends the path (no more flows; not a death). Its value goes
    through the liquidation waterfall over the cap table at that moment
    (:func:`venturesim.funding.shares.waterfall.waterfall_arrays`).
    """

    acquisition: Acquisition | None = Field(None, description="Acquisition hazard and price (omit: none).")
    ipo: Ipo | None = Field(None, description="IPO threshold and valuation (omit: none).")
    shutdown: Shutdown = Field(default_factory=Shutdown)


class VentureDebt(Model):
    """A venture loan: drawn at a month or when a round closes; interest-only, then amortised; warrants.

    After the draw month, each month pays interest B·r/12 on the balance B;
    after ``interest_only_months`` it pays the level (annuity) payment that
    clears the balance over ``amortization_months``. Warrants for
    ``warrant_coverage`` × amount, priced at the post-money of the round drawn
    with (or the last closed priced round), are issued as common stock (strike
    ignored, as for options). A ``min_cash`` covenant: at a month end with cash
    below it, the lender calls the loan and the balance is repaid at once. At
    an exit the balance is repaid before the equity waterfall.
    """

    name: Name
    amount: uncertain(gt=0) = Field(description="Loan drawn, USD (typically 20–40 % of the last equity round).")
    draw_month: int | None = Field(None, ge=0, description="Draw in this month (give this or `with_round`).")
    with_round: Name | None = Field(
        None, description="Draw in the month this round closes (give this or `draw_month`)."
    )
    interest_annual: uncertain(ge=0, le=1) = Field(
        0.12, description="Annual interest rate (assumption: venture lenders charge roughly prime + 2–5 %)."
    )
    interest_only_months: int = Field(12, ge=0, description="Months of interest-only payments after the draw.")
    amortization_months: int = Field(24, ge=1, description="Months of level payments that repay the loan.")
    warrant_coverage: float = Field(
        0.0, ge=0, le=1, description="Warrants issued, as a fraction of the amount (assumption: 5–20 % is usual)."
    )
    min_cash: float | None = Field(None, ge=0, description="Minimum-cash covenant, USD (omit: none).")

    @model_validator(mode="after")
    def _one_draw_rule(self):
        if (self.draw_month is None) == (self.with_round is None):
            raise ValueError(f"venture debt {self.name!r}: give exactly one of `draw_month` and `with_round`")
        return self


class Grant(Model):
    """A non-dilutive grant: awarded with a probability, paid in one month."""

    name: Name
    amount: uncertain(gt=0) = Field(description="Grant paid, USD (e.g. an NSF SBIR Phase I ≈ $305k).")
    month: int = Field(ge=0, description="Month the money arrives when awarded.")
    probability: uncertain(ge=0, le=1) = Field(
        1.0, description="Probability of the award (SBIR Phase I success rates are ≈15–25 %; assumption)."
    )


class Funding(Model):
    """Funding rounds in the order they are raised, the climate, debt, grants and the exits."""

    rounds: Annotated[list[Round], AfterValidator(unique_names)] = Field(
        default_factory=list,
        description="Funding rounds, raised in the order listed: each one a priced equity round, a post-money or "
        "pre-money SAFE or a convertible note (`instrument`), optionally with an insiders' bridge (`bridge`) when an "
        "attempt fails; venture loans and grants are `venture_debt` and `grants`.",
    )
    climate: bounded(TimeVarying, gt=0) = Field(
        1.0,
        description="Funding climate by month: multiplies the odds of closing and the pre-money "
        "(0.6 in a funding winter; 1 normal).",
    )
    venture_debt: Annotated[list[VentureDebt], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Venture loans."
    )
    grants: Annotated[list[Grant], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Non-dilutive grants."
    )
    exits: Exits = Field(default_factory=Exits)
    pricing: RoundPricing = Field(
        default_factory=RoundPricing,
        description="Traction pricing of every round without `traction: off`, and its size's dilution range.",
    )

    @model_validator(mode="after")
    def _debt_rounds_exist(self):
        names = [r.name for r in self.rounds]
        for debt in self.venture_debt:
            if debt.with_round is not None and debt.with_round not in names:
                from venturesim.spec.errors import suggest

                hint = suggest(debt.with_round, names)
                raise ValueError(
                    f"venture debt {debt.name!r} draws with round {debt.with_round!r}, which does not "
                    f"exist" + (f" (did you mean {hint!r}?)" if hint else "") + f"; rounds are {names}"
                )
        taken = set(names)
        for r in self.rounds:
            if r.bridge is not None and f"{r.name}_bridge" in taken:
                raise ValueError(f"round {r.name!r}'s bridge is named {r.name}_bridge, which another round uses")
        return self

    def class_names(self) -> list[str]:
        """Each round's name, with a round's bridge (``<round>_bridge``) right after it: the engines' round axis."""
        return [n for r in self.rounds for n in ([r.name] + ([f"{r.name}_bridge"] if r.bridge else []))]
