"""Scenario schema of the team: roles, hiring plans and rules, pay, equity, attrition, layoffs.

A role is *static* — today's behaviour, kept exactly for every existing
scenario — unless it names a catalogue ``kind`` or sets a pipeline/attrition
field (``time_to_fill_months``, ``time_to_fill_shape``, ``offer_acceptance``,
``ramp_months``, ``attrition_annual``):

* **static**: the people of the plan are on payroll from their month (no
  search, every offer accepted, productive at once, nobody quits); a cut in
  the plan lets people go that month;
* **dynamic**: openings go through the hiring pipeline (a gamma time to fill
  per offer cycle, offers accepted with ``offer_acceptance``, else another
  cycle), new people ramp up linearly over ``ramp_months``, and people quit at
  ``attrition_annual`` (raised under stress); a departure opens a replacement
  requisition. A dynamic role takes every unset figure from its ``kind`` in the
  catalogue (:mod:`venturesim.team.catalog`), or the neutral value (no delay,
  every offer accepted, no ramp, no attrition) when it has no kind.
  ``dynamics: false`` keeps a role with a kind static (it then takes only pay,
  equity and recruiting cost from the catalogue).

The headcount plan (a number, or month → headcount) is a *target*: month 0's
team is in place at the start; later changes open requisitions in their month
(plan ahead by the time to fill) or, when the plan falls, let people go.
``hire_per`` rules raise the target with the business (one support person per
150 customers; one account executive per $600k of annualised new ARR).

Cost per person per month: ``monthly_cost`` (loaded, as given) or
salary_annual / 12 × (1 + on_cost); either times (1 + raise_annual)^n(t) with
n(t) the raise dates up to month t (``raise_month``, then every 12 months).

Team-level policies: a hiring freeze below a runway, a payroll budget cap,
layoffs (cut given roles by a fraction with severance when runway falls below
a trigger and no round is being raised), the option pool and vesting, the
stress multipliers of attrition and offer acceptance, and the exponent of
diminishing returns of engineering capacity. The maths: docs/model/team.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, field_validator, model_validator

from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import Spec, bounded, uncertain
from venturesim.spec.timeseries import TimeVarying

PIPELINE_FIELDS = ("time_to_fill_months", "time_to_fill_shape", "offer_acceptance", "ramp_months", "attrition_annual")
"""Fields whose presence makes a role dynamic; absent, each takes its neutral value."""

NEUTRAL = {
    "time_to_fill_months": 0.0,
    "time_to_fill_shape": 1.0,
    "offer_acceptance": 1.0,
    "ramp_months": 0.0,
    "attrition_annual": 0.0,
}
"""Neutral value of each pipeline field: no delay, every offer accepted, no ramp, no attrition."""

PAY_FIELDS = ("salary_annual", "on_cost", "raise_annual")
OTHER_FIELDS = ("equity_grant", "recruiting_cost")


class HirePer(Model):
    """A hiring rule: keep at least one person per so many customers or so much new ARR."""

    customers: float | None = Field(None, gt=0, description="One person per this many active customers.")
    new_arr: float | None = Field(
        None, gt=0, description="One person per this much new ARR a year (12 × the ARR added last month), USD."
    )

    @model_validator(mode="after")
    def _one_basis(self):
        if self.customers is None and self.new_arr is None:
            raise ValueError("give customers or new_arr (or both; the larger target wins)")
        return self


class Role(Model):
    """A role: its headcount plan or hiring rule, pay, equity, and hiring and attrition figures."""

    name: Name
    kind: Name | None = Field(
        None, description="Catalogue kind (e.g. ml_engineer, sales_ae) whose figures fill every field not set."
    )
    function: Literal["engineering", "sales", "support", "marketing", "other"] | None = Field(
        None,
        description="Capacity group the role's productive FTE count towards (default: the kind's, else other; "
        "marketing: none); sales and marketing roles' payroll and recruiting count in CAC.",
    )
    location: Name | None = Field(
        None,
        description="Catalogue location whose salary factor scales the kind's US salary "
        "(default: the team's, else us).",
    )
    dynamics: bool | None = Field(
        None,
        description="Force the hiring pipeline and attrition on (true) or off (false); "
        "default: on when the role has a kind or sets a pipeline/attrition field.",
    )
    monthly_cost: bounded(TimeVarying, ge=0) | None = Field(
        None, description="Fully loaded cost per person per month (salary + on-cost), USD; wins over salary_annual."
    )
    salary_annual: uncertain(ge=0) | None = Field(None, description="Base salary per person, USD per year.")
    on_cost: uncertain(ge=0) | None = Field(
        None, description="Benefits, payroll taxes and equipment as a fraction of salary (default 0.30)."
    )
    raise_annual: uncertain(ge=-0.5, le=1) | None = Field(
        None, description="Pay rise at each raise date, fraction (default 0; the kind's when salary comes from it)."
    )
    raise_month: int = Field(12, ge=0, description="Month of the first raise; later raises every 12 months.")
    headcount: StrictInt | dict[int, StrictInt] = Field(
        0,
        description="Target headcount: a number, or month → headcount from that month on (month 0: the starting team).",
    )
    hire_per: HirePer | None = Field(None, description="Rule that raises the target with customers or new ARR.")
    max_headcount: int | None = Field(None, ge=0, description="Never hire above this many people.")
    cut_floor: int | None = Field(
        None,
        ge=0,
        description="People of this role that the failure policy's cut to a runway target never lays off "
        "(default: the role's month-0 headcount, the starting team; 0: early employees can go too, while "
        "the founders' role keeps its default).",
    )
    pay_cut_in_distress: uncertain(ge=0, le=0.9) | None = Field(
        None,
        description="Fraction of this role's pay forgone in a month the failure policy's cut is due (distress, "
        "runway below policy.on_round_failure.cut_to_runway_months, a net burn): founders who forgo part of "
        "their salary while the company fights for its next round, not paid back (default 0; the role keeps "
        "its people).",
    )
    time_to_fill_months: uncertain(ge=0) | None = Field(
        None, description="Mean duration of one hiring cycle (source → interview → offer), months."
    )
    time_to_fill_shape: float | None = Field(
        None, gt=0, description="Gamma shape of a cycle's duration (1 = exponential; 4 = coefficient of variation 0.5)."
    )
    offer_acceptance: uncertain(gt=0, le=1) | None = Field(
        None, description="Probability an offer is accepted (a declined offer starts another cycle)."
    )
    ramp_months: uncertain(ge=0, le=24) | None = Field(
        None, description="Months from start to full productivity; productivity rises linearly, months."
    )
    attrition_annual: uncertain(ge=0, lt=1) | None = Field(
        None, description="Share of the role's people who quit in a year (monthly hazard 1 − (1 − a)^(1/12))."
    )
    recruiting_cost: uncertain(ge=0) | None = Field(None, description="Cost per hire (fees, ads, time), USD.")
    equity_grant: uncertain(ge=0, le=1) | None = Field(
        None, description="Option grant per hire from the pool, fraction of fully diluted."
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_from_catalogue(cls, data):
        if not isinstance(data, Mapping) or data.get("kind") is None:
            return data
        from venturesim.team.catalog import location, role_defaults

        defaults = role_defaults(str(data["kind"]))
        filled = dict(data)
        filled.setdefault("function", defaults.function)
        for name in OTHER_FIELDS:
            filled.setdefault(name, getattr(defaults, name))
        if filled.get("monthly_cost") is None:
            if filled.get("salary_annual") is None:
                factor = location(str(filled.get("location") or "us")).salary_factor
                salary = defaults.salary_annual
                filled["salary_annual"] = (
                    salary.model_copy(update={"scale": salary.scale * factor})
                    if isinstance(salary, Spec)
                    else salary * factor
                )
            filled.setdefault("on_cost", defaults.on_cost)
            filled.setdefault("raise_annual", defaults.raise_annual)
        if filled.get("dynamics") is not False:
            for name in PIPELINE_FIELDS:
                filled.setdefault(name, getattr(defaults, name))
        return filled

    @field_validator("headcount")
    @classmethod
    def _non_negative(cls, plan):
        table = {0: plan} if isinstance(plan, int) else plan
        bad = {m: n for m, n in table.items() if m < 0 or n < 0}
        if bad:
            raise ValueError(f"months and headcounts must be >= 0 (negative entries: {bad})")
        return plan

    @model_validator(mode="after")
    def _consistent(self):
        if self.monthly_cost is None and self.salary_annual is None:
            raise ValueError(f"role {self.name!r} needs monthly_cost, salary_annual or a kind from the catalogue")
        if self.location is not None:
            from venturesim.team.catalog import location

            location(self.location)
        if self.dynamics is False:
            given = [f for f in PIPELINE_FIELDS if getattr(self, f) is not None]
            if given:
                raise ValueError(f"dynamics is false but {given} are set; remove them or the dynamics flag")
        return self

    @property
    def is_dynamic(self) -> bool:
        """Whether hiring pipeline and attrition apply (see the module docstring)."""
        if self.dynamics is not None:
            return self.dynamics
        return self.kind is not None or any(getattr(self, f) is not None for f in PIPELINE_FIELDS)

    def pipeline_value(self, field: str):
        """A pipeline/attrition field's value: as set, else neutral (also for a static role)."""
        value = getattr(self, field)
        return NEUTRAL[field] if value is None or not self.is_dynamic else value

    def headcount_series(self, months: int) -> list[int]:
        """Planned headcount for months 0..months−1 (step: each entry holds until the next)."""
        table = {0: self.headcount} if isinstance(self.headcount, int) else dict(sorted(self.headcount.items()))
        series, current = [], 0
        for t in range(months):
            current = table.get(t, current)
            series.append(current)
        return series


Fraction = Annotated[float, Field(ge=0, le=1)]


class Layoffs(Model):
    """Cut given roles by a fraction when runway is short and no round is being raised."""

    trigger_runway_months: uncertain(ge=0) = Field(
        6.0, description="Lay off when runway at the previous month end is below this, months."
    )
    roles: dict[Name, Fraction] = Field(
        min_length=1, description="Role name → fraction of its people let go (rounded half up)."
    )
    severance_months: uncertain(ge=0) = Field(
        2.0, description="Severance per person laid off, in months of loaded cost (assumption: 2)."
    )
    cooldown_months: int = Field(6, ge=1, description="At most one layoff in this many months.")
    while_raising: bool = Field(
        False, description="Lay off even while a round is being raised (default: a round in progress defers it)."
    )


class AttritionStress(Model):
    """Multipliers of the attrition hazard under stress (assumptions; see docs/model/team.md)."""

    low_runway_months: float = Field(6.0, ge=0, description="Runway below which people worry, months.")
    low_runway: float = Field(1.5, gt=0, description="Hazard multiplier while runway is below low_runway_months.")
    failed_round: float = Field(1.5, gt=0, description="Hazard multiplier in the window after a failed round.")
    after_layoff: float = Field(2.0, gt=0, description="Hazard multiplier in the window after a layoff.")
    window_months: int = Field(6, ge=0, description="Months a failed round, a closed round or a layoff is felt.")


class OfferConditions(Model):
    """Multipliers of offer acceptance with funding momentum (assumptions)."""

    after_round: float = Field(1.1, gt=0, description="Acceptance multiplier in the window after a round closed.")
    under_stress: float = Field(
        0.8, gt=0, description="Acceptance multiplier while runway is low or after a failed round."
    )


class EngineeringGain(Model):
    """Quality gained from engineering and research work (docs/model/team.md, "Capacity effects").

    With E_t = (ramped engineering FTE)^capacity_exponent in month t and X_t = Σ_{τ≤t} E_τ
    effective FTE-months of work so far, the gain G_t = G_max (1 − e^{−X_t/X_0}), X_0 =
    G_max / nats_per_fte_month, is added to the product's quality gap (nats/token).
    """

    max_gain_nats: uncertain(gt=0, le=5) = Field(
        description="G_max: the most engineering and research work can add to the quality gap, nats/token "
        "(no default: an assumption of the scenario; compare a fine-tune's loss_reduction of 0.04–0.15)."
    )
    nats_per_fte_month: uncertain(gt=0) = Field(
        description="Initial slope dG/dX at X = 0: nats/token gained per effective engineering FTE-month "
        "(no default: an assumption of the scenario)."
    )


class SalesCapacity(Model):
    """A cap on the sales-led deals won each month from the sales team's ramped FTE."""

    deals_per_fte_month: uncertain(gt=0) = Field(
        description="Sales-led deals one fully ramped sales FTE can win a month (no default: annual quota "
        "÷ ACV ÷ 12, e.g. a $600k quota selling $100k contracts → 0.5). The month's cap is "
        "C = ⌊sales FTE × this + U⌋, U ~ Uniform[0, 1) (unbiased rounding); wins beyond C are lost."
    )


class SupportLoad(Model):
    """Churn that rises when the support team is overloaded."""

    customers_per_fte: uncertain(gt=0) = Field(
        150.0,
        description="Customers one fully ramped support FTE serves without a fall in service "
        "(assumption: 150, the team's example hire_per rule; enterprise accounts need far fewer).",
    )
    churn_elasticity: uncertain(ge=0) = Field(
        0.5,
        description="η: churn hazard × min(max(ρ, 1)^η, max_churn_multiplier) at load ρ = customers at "
        "the month start / (support FTE × customers_per_fte) (assumption: 0.5, twice the load → ×1.41).",
    )
    max_churn_multiplier: float = Field(
        3.0,
        ge=1,
        description="Largest churn multiplier from support load (also with customers and no "
        "support FTE; assumption: 3).",
    )


class CapacityEffects(Model):
    """What the team's ramped capacity does to the business (each block optional; none: no effect)."""

    engineering: EngineeringGain | None = Field(
        None,
        description="Engineering and research work raises product quality (needs a `product:` section "
        "whose quality response moves the market).",
    )
    sales: SalesCapacity | None = Field(None, description="The sales team caps the sales-led deals won a month.")
    support: SupportLoad | None = Field(None, description="An overloaded support team raises churn.")


class Team(Model):
    """The team: roles and team-wide hiring, equity, attrition and layoff policies."""

    roles: Annotated[list[Role], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Roles with headcount plans."
    )
    location: Name | None = Field(
        None, description="Default catalogue location of the roles with a kind (salary factor), e.g. us, uk."
    )
    hiring_freeze_runway_months: uncertain(ge=0) | None = Field(
        None, description="Open no requisition while runway at the previous month end is below this, months."
    )
    payroll_budget: bounded(TimeVarying, ge=0) | None = Field(
        None, description="Open no requisition that would take committed payroll above this, USD per month."
    )
    option_pool: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Option pool available for grants at month 0, fraction of fully diluted "
        "(default: the company's option_pool when the engine passes it, else 0.10).",
    )
    vesting_months: int = Field(48, ge=0, description="Months over which a grant vests (monthly after the cliff).")
    cliff_months: int = Field(12, ge=0, description="Nothing vests before this tenure, months.")
    layoffs: Layoffs | None = Field(None, description="Layoff policy (none by default).")
    attrition_stress: AttritionStress = Field(default_factory=AttritionStress)
    offer_conditions: OfferConditions = Field(default_factory=OfferConditions)
    capacity_exponent: float = Field(
        0.91,
        gt=0,
        le=1,
        description="Effective engineering capacity = FTE^exponent "
        "(0.91 ≈ 1/1.10, COCOMO II's nominal scale exponent).",
    )
    capacity_effects: CapacityEffects | None = Field(
        None,
        description="Effects of the ramped FTE on quality (engineering), deals won (sales) and churn "
        "(support), each from this month's FTE; none by default.",
    )

    @model_validator(mode="before")
    @classmethod
    def _team_location(cls, data):
        if not isinstance(data, Mapping) or data.get("location") is None or not isinstance(data.get("roles"), list):
            return data
        roles = [
            {**r, "location": data["location"]}
            if isinstance(r, Mapping) and r.get("location") is None and r.get("kind") is not None
            else r
            for r in data["roles"]
        ]
        return {**data, "roles": roles}

    @model_validator(mode="after")
    def _policies_consistent(self):
        if self.cliff_months > self.vesting_months:
            raise ValueError(f"cliff_months(={self.cliff_months}) must be <= vesting_months(={self.vesting_months})")
        if self.location is not None:
            from venturesim.team.catalog import location

            location(self.location)
        if self.layoffs is not None:
            names = [r.name for r in self.roles]
            unknown = [n for n in self.layoffs.roles if n not in names]
            if unknown:
                from venturesim.spec.errors import suggest

                hints = [n + (f" (did you mean {h!r}?)" if (h := suggest(n, names)) else "") for n in unknown]
                raise ValueError(f"layoffs name roles that do not exist: {', '.join(hints)}; roles are {names}")
        effects = self.capacity_effects
        if effects is not None:
            functions = {r.function or "other" for r in self.roles}
            missing = [
                f for f in ("engineering", "sales", "support") if getattr(effects, f) is not None and f not in functions
            ]
            if missing:
                raise ValueError(
                    f"capacity_effects.{missing[0]} needs a role with function: {missing[0]} (the roles' "
                    f"functions are {sorted(functions)}); set `function:` on a role or use a catalogue kind"
                )
        return self


def check_engineering_response(team: Team, product) -> None:
    """Refuse engineering capacity effects that could not act: they move the market only through the
    product's quality response (``product.quality_response`` elasticities), so a scenario needs a ``product:``
    section with an adoption, churn or price elasticity above 0.

    ``product``: the scenario's :class:`~venturesim.model_costs.schema.Product` or None.
    Raises ValueError naming what is missing. (Called by the scenario-level validator, which sees both sections.)
    """
    effects = team.capacity_effects
    if effects is None or effects.engineering is None:
        return
    if product is None:
        raise ValueError(
            "team.capacity_effects.engineering adds to the product's quality gap, which moves the "
            "market only through product.quality_response; add a `product:` section (without one the "
            "elasticities are 0 and the gain would do nothing)"
        )
    from venturesim.spec.distributions import tail_values

    response = product.quality_response
    if not any(tail_values(e).max() > 0 for e in (response.adoption, response.churn, response.price)):
        raise ValueError(
            f"team.capacity_effects.engineering needs a quality response: product.quality_response has "
            f"adoption(={response.adoption}), churn(={response.churn}) and price(={response.price}) "
            "all 0, so the gain would do nothing"
        )
