"""Management policies: what the company does with its plans when the money does not come (scenario schema).

Plans are intentions; policies decide what happens to them. A round's failed
attempt (one not rescued by a bridge) puts the company *in distress* until a
round closes: months since the last failed attempt < months since the last
close (:func:`venturesim.team._rules.distressed`). In distress, by default:

* **freeze hiring**: no requisition opens (the plan's hires wait for the money);
* **cut to a runway target**: when runway R at the previous month end is below
  the target R*, the people hired since month 0 (above each role's month-0
  plan, or above its ``cut_floor`` where the role sets one) are laid off pro
  rata, enough to cut the net burn B by B (1 − R/R*) —
  the burn that makes the cash last R* months — or all of them if that is not
  enough (:func:`venturesim.team._rules.policy_cut`), with severance; the roles
  stay capped until a round closes;
* **cut pay** (per role, ``team.roles[].pay_cut_in_distress``, default 0): in a
  month the cut is due (in distress, R < R*, B > 0; the layoff cooldown aside)
  role k is paid c_k (1 − π_k): founders who forgo part of their salary
  (:func:`venturesim.team._rules.paid_cost`);
* **cut marketing**: every channel budget × ``channel_budget_scale`` (0.5).

**Use of funds and reinvestment** (:class:`Growth`): while runway at the
previous month end exceeds ``deploy_above_runway_months`` (money from a round
in the bank, or profits: runway +∞) and the company is not in distress, it
scales its plan up: the growth scale s grows by ``step_per_month`` a month up
to ``max_scale``; role k's target is plan_k(0) + ⌊(plan_k(t) − plan_k(0)) s + ½⌋
(the plan's hires, scaled; a half rounds up within float32 error,
:data:`venturesim.team._rules.SCALE_ROUNDING`) and every channel budget is × s. In distress s
returns to 1 (the plan as written). So a round twice the size buys twice the
months of extra hiring and marketing, and a profitable company reinvests
until its runway is back at the target (:func:`venturesim.team._rules.growth_scale`).
The shipped scenarios use 24 months, the usual 18–24 months a round is
sized to last (an assumption, as are the 5 % step and the ×3 ceiling); the
schema's default is off (null) so that a hand-written plan runs as written
unless the scenario asks the company to deploy its money.

**Reinvestment when profitable** (:class:`Reinvest`): a company that makes
money does not bank it forever. With an operating-margin target μ* the
growth scale keeps growing (past ``growth.max_scale``, up to
``reinvest.max_scale``) while last month's operating margin
μ = (revenue − costs)/revenue = −B/revenue exceeds μ*: the profit above the
target is spent on the plan's hires and the channels. With a burn-multiple
target β* it keeps growing while the burn multiple of the funding paces
β = b̄/n̄ (:func:`venturesim.funding.traction.burn_multiple`; 0.5 when not
burning) is below β*: the company grows its burn until each dollar of net
new ARR costs β* dollars — and keeps that burn when growth slows, so a
late-stage company can run out of cash years in, as real cohorts do. Neither
target cuts: a company over its target holds its scale (the failure policy
cuts once a round fails). Either way it reinvests only while its runway exceeds
``min_runway_months`` (12; profitable: +∞). Defaults: off (null); the shipped scenarios use
β* = 1.5, the top of D. Sacks' (2020, "The Burn Multiple") "great" band
(1–1.5), the efficiency growth investors ask of a company that spends to grow.
A margin target of 0 is break-even: by the Rule of 40 (B. Feld 2015) a
company growing ≥ 40 % a year may run at a loss.

**Selling on a failed round** (:class:`OnRoundFailure` ``sell_probability``):
a failed attempt (not bridged) of a company with ARR ≥ ``sale_min_arr`` growing
≥ ``sale_min_growth``× a year (the paces' growth,
:func:`venturesim.funding.traction.growth_multiple`) ends in a sale of the
company with probability q — an acquisition at max(ARR × m, the cash floor F), where m is
``sale_arr_multiple`` and F the cash in the bank × ``sale_cash_floor``. The
value goes through the exit waterfall (:mod:`venturesim.funding.exits`).
Defaults: q = 0 (off), m = 1, F = 1× cash: distressed sales of venture-backed
software companies happen at or below 1× ARR (an assumption; acqui-hires are
priced per engineer, and the buyer at least pays for the cash it acquires).

**Raising again with traction** (:class:`OnRoundFailure` ``retry_abandoned_with_traction``,
``waive_earliest_month_with_traction``; :class:`TractionBar`): a company with ARR ≥ ``min_arr`` growing
≥ ``min_growth``× a year (:func:`venturesim.funding.traction.has_traction`, the sale's test) starts an
ABANDONED round again — when its later rounds have not started and it would start if it were waiting (trigger
or milestone, earliest month, ``retry_delay_months`` after its last failure) — one more attempt each time,
priced × the down-round factor per failed attempt; and a round's ``earliest_month`` does not hold for it. The
rule is :func:`venturesim.funding.rounds.start_due`'s, in both engines. Defaults: off (null); a bar's defaults
are $1M ARR growing 2× (the median growth at a Series A, Blossom Street Ventures Q4 2016; $1M an assumption).
Failed raises that come back as extension or bridge rounds are common (Carta's State of Private Markets
reports, 2023–24); unlimited retries are an assumption.

**Cutting before the money runs out mid-raise** (:class:`OnRoundFailure`
``cut_while_raising_short_of_close_months``): a company raising a round whose runway R at the previous month
end is shorter than the months left until the attempt resolves, c (the round's ``time_to_close_months`` from
its start), plus a margin m — R < c + m — would run out before it learns the answer, and cuts as a
company whose round failed does: it is *in distress* that month (:func:`venturesim.team._rules.in_distress`,
:func:`venturesim.team._rules.short_of_close`): the hiring freeze, the cut to ``cut_to_runway_months`` and the
channel cut above, and the growth scale back to 1. It leaves distress when the cut has brought R back above
c + m or the round closes (a failed attempt keeps it there, as before); the roles cut stay capped until a
round closes. Most deaths of thriving companies in the shipped scenarios happen mid-raise, of raises that
started with less runway than their time to close (docs/model.md §5). The principle is P. Graham's "Default
alive or default dead?" (2015) and Sequoia's "Adapting to Endure" (2022): plan the burn so that the cash lasts
until the money comes, not until the raise should be over. That the company knows when its attempt will
resolve (the drawn time to close) and the margin are assumptions. Default: off (null).

**… and while waiting to raise** (:class:`OnRoundFailure` ``cut_while_waiting_to_raise_short_of_close_months``):
the same distress when the next round cannot start yet — it may start at s = max(its ``earliest_month``, its
retry time), the earliest month waived at the waiver's traction — and runway R < (s − now) + its
``time_to_close_months`` + m (:func:`venturesim.team._rules.short_of_window`,
:func:`venturesim.funding.rounds.months_to_window`). Default: off (null).

The principle of the cut is P. Graham's "Default alive or default dead?" (2015): a
company whose raise fails cuts to what its cash can carry rather than
executing the plan the raise was to pay for. The 12-month target is an
assumption (a company that cannot raise needs a year to reach profitability
or try again; compare the 9-month default trigger of a round).
"""

from __future__ import annotations

from pydantic import Field

from venturesim.spec._base import Model
from venturesim.spec.distributions import uncertain


class TractionBar(Model):
    """The traction at which investors take a meeting whatever the round's history: ARR and its growth."""

    min_arr: float = Field(
        1_000_000.0,
        ge=0,
        description="At least this ARR, USD (1,000,000: the usual Series A bar, an assumption; compare "
        "sale_min_arr in the shipped scenarios).",
    )
    min_growth: float = Field(
        2.0,
        ge=0,
        description="… growing at least this multiple a year (the funding paces' growth, funding.traction; 2, "
        "≈100 %/yr, is the median growth at a Series A, Blossom Street Ventures Q4 2016).",
    )


class OnRoundFailure(Model):
    """What the company does from a failed round attempt until a round closes."""

    freeze_hiring: bool = Field(
        True, description="Open no requisition while in distress (a failed attempt and no round closed since)."
    )
    cut_to_runway_months: uncertain(ge=0) | None = Field(
        12.0,
        description="In distress with runway below this, lay off people hired since month 0 (pro rata; a role's "
        "cut_floor lowers what it keeps) to bring "
        "the net burn to cash / this, months (null: no cut; assumption: 12).",
    )
    channel_budget_scale: float = Field(
        0.5,
        ge=0,
        description="Channel budgets × this while in distress (marketing cut with the team; assumption: 0.5).",
    )
    severance_months: uncertain(ge=0) = Field(
        1.0,
        description="Severance per person cut, months of loaded cost (a team.layoffs block's severance wins; "
        "assumption: 1).",
    )
    sell_probability: uncertain(ge=0, le=1) = Field(
        0.0,
        description="Probability that a failed attempt (not bridged) ends in a sale of the company at the month "
        "end (0: never; the exit goes through the waterfall).",
    )
    sale_arr_multiple: uncertain(ge=0) = Field(
        1.0, description="A sale on a failed round is priced at ARR × this, USD (assumption: 1×, a distressed sale)."
    )
    sale_cash_floor: float = Field(
        1.0, ge=0, description="… and at least the cash in the bank × this (the buyer pays for the cash it gets; 1)."
    )
    sale_min_arr: float = Field(
        0.0, ge=0, description="A buyer only comes for a company with at least this ARR, USD (0: any)."
    )
    sale_min_growth: float = Field(
        0.0,
        ge=0,
        description="… growing at least this multiple a year (the funding paces' growth, funding.traction; 0: any; "
        "2, ≈100 %/yr, is the median growth at a Series A, Blossom Street Ventures Q4 2016).",
    )
    retry_abandoned_with_traction: TractionBar | None = Field(
        None,
        description="A round abandoned after max_attempts failures is tried again, one more attempt each time "
        "(retry_delay after the last failure, priced × the down-round factor per failed attempt), by a company "
        "with this traction whose later rounds have not started (null, the default: an abandoned round is never "
        "tried again; {} for the bar's defaults, $1M ARR growing 2×).",
    )
    waive_earliest_month_with_traction: TractionBar | None = Field(
        None,
        description="A round's earliest_month does not hold for a company with this traction: investors meet a "
        "company growing fast whatever its age (null, the default: earliest_month always holds).",
    )
    cut_while_raising_short_of_close_months: uncertain(ge=0) | None = Field(
        None,
        description="While a round is being raised and runway at the previous month end is shorter than the "
        "months left until the attempt resolves plus this margin, months, the company is in distress as after a "
        "failed attempt (hiring freeze, cut to cut_to_runway_months, channel budgets cut; null, the default: it "
        "spends through the raise as planned; 3, a quarter's cushion, is an assumption).",
    )
    cut_while_waiting_to_raise_short_of_close_months: uncertain(ge=0) | None = Field(
        None,
        description="While the next round cannot start yet (its earliest_month, or its retry_delay_months after a "
        "failed attempt) and runway at the previous month end is shorter than the months until it could start plus "
        "its time_to_close_months plus this margin, months, the company is in distress as after a failed attempt "
        "(null, the default: it spends as planned while it waits).",
    )


class Growth(Model):
    """Use of funds and reinvestment: scale the plan's hires and the channel budgets up while cash is ample."""

    deploy_above_runway_months: uncertain(ge=0) | None = Field(
        None,
        description="Scale the plan up while runway exceeds this (profitable: always), months (null, the "
        "default: plans as written; 24 is the 18–24 months a round is sized for, what the shipped scenarios use).",
    )
    step_per_month: float = Field(
        0.05, ge=0, le=1, description="Growth of the scale per month while deploying (assumption: 5 %)."
    )
    max_scale: float = Field(
        3.0, ge=1, description="Largest multiple of the plan's hires and channel budgets (assumption: 3)."
    )
    hold_hires_while_raising_below_runway_months: uncertain(ge=0) | None = Field(
        None,
        description="While a round is being raised and runway is below this, months, open no requisition: the "
        "plan's hires wait for the round (null, the default: hire through the raise; 12 is a year of cash, the "
        "failure policy's cut target; an assumption).",
    )


class Reinvest(Model):
    """Reinvestment when profitable: keep scaling the plan up while margin or burn multiple allows."""

    target_operating_margin: float | None = Field(
        None,
        description="Keep growing the plan's scale while last month's operating margin (revenue − costs)/revenue "
        "exceeds this: reinvest the profit above it (null: no margin target; 0: break-even, the Rule of 40 for a "
        "company growing ≥ 40 %/yr, Feld 2015).",
    )
    target_burn_multiple: float | None = Field(
        None,
        gt=0,
        description="Keep growing the plan's scale while the burn multiple (net burn / net new ARR, the funding "
        "paces) is below this (null: none; 1.5: the top of Sacks 2020's 'great' band).",
    )
    max_scale: float = Field(
        10.0, ge=1, description="Largest growth scale reached by reinvesting (assumption: 10× the plan's hires)."
    )
    min_runway_months: float = Field(
        12.0,
        ge=0,
        description="Reinvest only while runway exceeds this, months (profitable: always; 12, the failure "
        "policy's cut target: a company does not grow its burn with less than a year of cash; an assumption).",
    )


class Policy(Model):
    """Management policies: how the company responds to what happens to its plans."""

    on_round_failure: OnRoundFailure = Field(default_factory=OnRoundFailure)
    growth: Growth = Field(default_factory=Growth)
    reinvest: Reinvest = Field(default_factory=Reinvest)
