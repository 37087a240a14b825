"""Per-path team parameters drawn from the scenario: one row per path, a role axis K.

Every leaf has the path axis first (the engines cut paths into blocks), role
figures are (paths, K), monthly series (paths, K, T), team-level figures
(paths,). Three leaves only carry static sizes for the kernel:
``vesting`` (paths, B) — B tenure buckets, the last absorbing —, ``offsets``
(paths, H) — H months of hiring pipeline — and ``slots`` (paths, M) — at most
M openings with a time to fill per role and month. A scenario whose roles are
all static gets B = H = 1 and M = 0, so the kernel costs almost nothing more
than the plan did.

Uncertain inputs are drawn with the names ``team.roles.<role>.<field>`` and
``team.<field>`` (``team.layoffs.<field>``,
``team.capacity_effects.<block>.<field>``), as overrides and correlations
name them.

The capacity effects (:class:`CapacityParams`) hold ``None`` for every block
the scenario does not give: ``None`` is an empty pytree node, so the block's
code is left out of the compiled kernel (a static choice, like a zero-length
axis) and a scenario without ``capacity_effects`` runs exactly as before.
"""

from __future__ import annotations

import math
from typing import NamedTuple, cast

import numpy as np

from venturesim.spec.distributions import Spec
from venturesim.spec.sampling import Sampler
from venturesim.spec.timeseries import stack_series
from venturesim.team._rules import hazard_rate
from venturesim.team.catalog import FUNCTIONS, load_catalog
from venturesim.team.policy import Policy
from venturesim.team.schema import Role, Team
from venturesim.team.vesting import vesting_curve

__all__ = [
    "DEFAULT_OPTION_POOL",
    "MAX_OPENINGS",
    "PIPELINE_MONTHS",
    "RAMP_BUCKETS",
    "CapacityParams",
    "TeamParams",
    "monthly_costs",
    "sample_team",
]

PIPELINE_MONTHS = 36
"""H: a requisition lands at most H − 1 = 35 months after it opens (longer times to fill are capped)."""
MAX_OPENINGS = 16
"""M: requisitions with a time to fill opened per role and month; the rest open the month after."""
RAMP_BUCKETS = 25
"""Tenure buckets needed for any ramp (ramp_months ≤ 24)."""
DEFAULT_OPTION_POOL = 0.10
"""Pool for grants when neither the team nor the caller gives one (assumption: seed-stage pools of 10–15 %)."""


class CapacityParams(NamedTuple):
    """The capacity effects' draws, (P,) each; a block the scenario does not give is None (static).

    gain_max : G_max, nats/token (engineering).
    gain_scale : X_0 = G_max / initial slope, effective engineering FTE-months (engineering).
    deals_per_fte : deals won a month per ramped sales FTE (sales).
    customers_per_fte : customers served per ramped support FTE at load 1 (support).
    support_elasticity : η of churn to the support load (support).
    support_max_multiplier : largest churn multiplier (support).
    """

    gain_max: np.ndarray | None = None
    gain_scale: np.ndarray | None = None
    deals_per_fte: np.ndarray | None = None
    customers_per_fte: np.ndarray | None = None
    support_elasticity: np.ndarray | None = None
    support_max_multiplier: np.ndarray | None = None


def sample_capacity(team: Team, sampler: Sampler) -> CapacityParams:
    """Draw the ``team.capacity_effects`` blocks the scenario gives (the others stay None)."""
    effects = team.capacity_effects
    if effects is None:
        return CapacityParams()
    name = "team.capacity_effects"
    fields: dict[str, np.ndarray] = {}
    if (e := effects.engineering) is not None:
        gain_max = sampler.scalar(e.max_gain_nats, f"{name}.engineering.max_gain_nats")
        slope = sampler.scalar(e.nats_per_fte_month, f"{name}.engineering.nats_per_fte_month")
        fields |= {"gain_max": gain_max, "gain_scale": gain_max / slope}
    if (s := effects.sales) is not None:
        fields["deals_per_fte"] = sampler.scalar(s.deals_per_fte_month, f"{name}.sales.deals_per_fte_month")
    if (u := effects.support) is not None:
        fields |= {
            "customers_per_fte": sampler.scalar(u.customers_per_fte, f"{name}.support.customers_per_fte"),
            "support_elasticity": sampler.scalar(u.churn_elasticity, f"{name}.support.churn_elasticity"),
            "support_max_multiplier": np.full(sampler.n, float(u.max_churn_multiplier)),
        }
    return CapacityParams(**fields)


class TeamParams(NamedTuple):
    """Team inputs for a block of paths (P paths, K roles, T months)."""

    plan: np.ndarray  # (P, K, T) target headcount by role
    monthly_cost: np.ndarray  # (P, K, T) loaded cost per person, raises included, USD per month
    time_to_fill: np.ndarray  # (P, K) mean months per hiring cycle (0: instant)
    time_to_fill_shape: np.ndarray  # (P, K) gamma shape of a cycle
    offer_acceptance: np.ndarray  # (P, K) base probability
    attrition_rate: np.ndarray  # (P, K) λ, continuous hazard per month
    ramp_months: np.ndarray  # (P, K)
    equity_grant: np.ndarray  # (P, K) fraction of fully diluted per hire
    recruiting_cost: np.ndarray  # (P, K) USD per hire
    per_customers: np.ndarray  # (P, K) customers per person (0: no rule)
    per_new_arr: np.ndarray  # (P, K) annualised new ARR per person, USD (0: no rule)
    max_headcount: np.ndarray  # (P, K) (+inf: no cap)
    layoff_fraction: np.ndarray  # (P, K)
    cut_floor: np.ndarray  # (P, K) people the policy's cut never reaches (default: the month-0 plan)
    pay_cut: np.ndarray  # (P, K) fraction of pay forgone in a month the policy's cut is due (default 0)
    function: np.ndarray  # (P, K, 3) one-hot: engineering, sales, support
    sales_marketing: np.ndarray  # (P, K) 1.0 for sales and marketing roles (their cost counts in CAC)
    payroll_budget: np.ndarray  # (P, T) USD per month (+inf: no cap)
    freeze_runway: np.ndarray  # (P,) months (−inf: never)
    freeze_after_failure: np.ndarray  # (P,) 1.0: no openings in distress (policy.on_round_failure)
    hold_raising_runway: np.ndarray  # (P,) months: no openings while raising below this (−inf: never)
    cut_runway: np.ndarray  # (P,) months: in distress, cut to this runway (−inf: no cut)
    short_close_margin: (
        np.ndarray
    )  # (P,) months: in distress while raising with runway < months to close + this (−inf: never)
    short_window_margin: (
        np.ndarray
    )  # (P,) months: in distress while the next round waits with runway < months to its close + this (−inf: never)
    deploy_runway: np.ndarray  # (P,) months: scale the plan up above this runway (+inf: never)
    growth_step: np.ndarray  # (P,) growth of the scale per month while deploying
    distress_channel_scale: np.ndarray  # (P,) channel budgets × this in distress
    max_scale: np.ndarray  # (P,) largest growth scale
    target_margin: np.ndarray  # (P,) reinvest while the operating margin exceeds this (+inf: no target)
    target_burn_multiple: np.ndarray  # (P,) reinvest while the burn multiple is below this (−inf: no target)
    reinvest_max_scale: np.ndarray  # (P,) largest growth scale reached by reinvesting
    reinvest_runway: np.ndarray  # (P,) months: reinvest only while runway exceeds this
    sell_probability: np.ndarray  # (P,) probability that a failed attempt ends in a sale
    sale_multiple: np.ndarray  # (P,) a sale on failure at ARR × this, USD
    sale_cash_floor: np.ndarray  # (P,) … and at least cash × this
    sale_min_arr: np.ndarray  # (P,) USD: no sale below this ARR
    sale_min_growth: np.ndarray  # (P,) no sale below this year-over-year growth multiple
    layoff_runway: np.ndarray  # (P,) months (−inf: no layoff policy)
    layoff_cooldown: np.ndarray  # (P,) months
    layoff_while_raising: np.ndarray  # (P,) 1.0 or 0.0
    severance_months: np.ndarray  # (P,)
    option_pool: np.ndarray  # (P,) fraction
    stress_runway: np.ndarray  # (P,) months
    stress_low_runway: np.ndarray  # (P,) hazard multiplier
    stress_failed_round: np.ndarray  # (P,)
    stress_after_layoff: np.ndarray  # (P,)
    stress_window: np.ndarray  # (P,) months
    accept_after_round: np.ndarray  # (P,) acceptance multiplier
    accept_under_stress: np.ndarray  # (P,)
    capacity_exponent: np.ndarray  # (P,)
    capacity: CapacityParams  # the capacity effects' draws (None where a block is absent)
    vesting: np.ndarray  # (P, B) vested fraction by tenure bucket
    offsets: np.ndarray  # (P, H) 0 … H − 1
    slots: np.ndarray  # (P, M) 0 … M − 1


def _default_on_cost() -> float:
    return float(cast(float, load_catalog().defaults["on_cost"]))  # the catalogue's defaults are typed object


def _raise_multiplier(rate: np.ndarray, first_month: int, months: int) -> np.ndarray:
    """(1 + r)^{n(t)}, n(t) = raise dates ≤ t (first_month, then every 12 months); (P, T)."""
    t = np.arange(months)
    n = np.where(t >= first_month, (t - first_month) // 12 + 1, 0)
    return np.power(1.0 + rate[:, None], n[None, :])


def monthly_costs(role: Role, sampler: Sampler, months: int) -> np.ndarray:
    """Loaded cost per person per month of one role, (P, T) USD (see the schema's module docstring)."""
    name = f"team.roles.{role.name}"
    if role.monthly_cost is not None:
        cost = sampler.series(role.monthly_cost, f"{name}.monthly_cost", months)
    else:
        assert role.salary_annual is not None  # the schema fills it from the catalogue when monthly_cost is absent
        salary = sampler.scalar(role.salary_annual, f"{name}.salary_annual")
        on_cost = sampler.scalar(role.on_cost if role.on_cost is not None else _default_on_cost(), f"{name}.on_cost")
        cost = np.repeat((salary / 12.0 * (1.0 + on_cost))[:, None], months, axis=1)
    if role.raise_annual is None:
        return cost
    rate = sampler.scalar(role.raise_annual, f"{name}.raise_annual")
    return cost * _raise_multiplier(rate, role.raise_month, months)


def _can_be_positive(value) -> bool:
    return isinstance(value, Spec) or float(value) > 0


def _sizes(team: Team) -> tuple[int, int, int]:
    """(B, H, M) from the scenario alone, so every chunk of paths compiles to the same shapes."""
    ramps = [r.pipeline_value("ramp_months") for r in team.roles]
    b_ramp = RAMP_BUCKETS if any(isinstance(v, Spec) for v in ramps) else math.ceil(max([0.0, *ramps])) + 1
    grants = any(r.equity_grant is not None and _can_be_positive(r.equity_grant) for r in team.roles)
    b_vest = team.vesting_months + 1 if grants else 1
    delayed = any(_can_be_positive(r.pipeline_value("time_to_fill_months")) for r in team.roles)
    return max(b_ramp, b_vest, 1), (PIPELINE_MONTHS if delayed else 1), (MAX_OPENINGS if delayed else 0)


def sample_team(
    team: Team, sampler: Sampler, months: int, option_pool=None, policy: Policy | None = None
) -> TeamParams:
    """Draw every role's figures and the team's policies for ``sampler.n`` paths over ``months``.

    ``option_pool``: the pool grants draw on (fraction; a number or (paths,)) when the team sets
    none — the engine passes the company's ``option_pool`` (the cap table's); default 0.10.
    ``policy``: the scenario's management policies (:mod:`venturesim.team.policy`; default: its defaults).
    """
    n, roles = sampler.n, team.roles
    policy = policy or Policy()
    failure, growth, reinvest = policy.on_round_failure, policy.growth, policy.reinvest

    def per_role(get, default=0.0) -> np.ndarray:  # (P, K)
        columns = []
        for role in roles:
            field, value = get(role)
            value = default if value is None else value
            columns.append(sampler.scalar(value, f"team.roles.{role.name}.{field}"))
        return np.stack(columns, axis=1) if columns else np.zeros((n, 0))

    def pipeline(field):
        return per_role(lambda r: (field, r.pipeline_value(field)))

    def team_level(value, name, default) -> np.ndarray:  # (P,)
        return sampler.scalar(default if value is None else value, name)

    def const(value) -> np.ndarray:
        return np.full(n, float(value))

    plan = np.asarray([r.headcount_series(months) for r in roles], np.float64).reshape(len(roles), months)
    plan = np.broadcast_to(plan[None], (n, len(roles), months))
    costs = [monthly_costs(r, sampler, months) for r in roles]
    cost = stack_series(costs, axis=1) if costs else np.zeros((n, 0, months))
    function = np.zeros((n, len(roles), 3))
    sales_marketing = np.zeros((n, len(roles)))
    for k, role in enumerate(roles):
        group = role.function or "other"
        if group in FUNCTIONS[:3]:  # the capacity groups
            function[:, k, FUNCTIONS.index(group)] = 1.0
        sales_marketing[:, k] = float(group in ("sales", "marketing"))
    layoffs, stress, offers = team.layoffs, team.attrition_stress, team.offer_conditions
    fractions = layoffs.roles if layoffs else {}
    buckets, horizon, slots = _sizes(team)
    budget = (
        np.broadcast_to(np.inf, (n, months))  # no cap: one value, a read-only view (as a constant series is)
        if team.payroll_budget is None
        else sampler.series(team.payroll_budget, "team.payroll_budget", months)
    )
    return TeamParams(
        plan=plan,
        monthly_cost=cost,
        time_to_fill=pipeline("time_to_fill_months"),
        time_to_fill_shape=pipeline("time_to_fill_shape"),
        offer_acceptance=pipeline("offer_acceptance"),
        attrition_rate=hazard_rate(pipeline("attrition_annual")),
        ramp_months=pipeline("ramp_months"),
        equity_grant=per_role(lambda r: ("equity_grant", r.equity_grant)),
        recruiting_cost=per_role(lambda r: ("recruiting_cost", r.recruiting_cost)),
        per_customers=per_role(lambda r: ("hire_per.customers", r.hire_per and r.hire_per.customers)),
        per_new_arr=per_role(lambda r: ("hire_per.new_arr", r.hire_per and r.hire_per.new_arr)),
        max_headcount=per_role(lambda r: ("max_headcount", r.max_headcount), default=np.inf),
        layoff_fraction=per_role(lambda r: ("layoff_fraction", fractions.get(r.name, 0.0))),
        cut_floor=cut_floors(roles, plan, n),
        pay_cut=per_role(lambda r: ("pay_cut_in_distress", r.pay_cut_in_distress)),
        function=function,
        sales_marketing=sales_marketing,
        payroll_budget=budget,
        freeze_runway=team_level(team.hiring_freeze_runway_months, "team.hiring_freeze_runway_months", -np.inf),
        freeze_after_failure=const(float(failure.freeze_hiring)),
        hold_raising_runway=team_level(
            growth.hold_hires_while_raising_below_runway_months,
            "policy.growth.hold_hires_while_raising_below_runway_months",
            -np.inf,
        ),
        cut_runway=team_level(failure.cut_to_runway_months, "policy.on_round_failure.cut_to_runway_months", -np.inf),
        short_close_margin=team_level(
            failure.cut_while_raising_short_of_close_months,
            "policy.on_round_failure.cut_while_raising_short_of_close_months",
            -np.inf,
        ),
        short_window_margin=team_level(
            failure.cut_while_waiting_to_raise_short_of_close_months,
            "policy.on_round_failure.cut_while_waiting_to_raise_short_of_close_months",
            -np.inf,
        ),
        deploy_runway=team_level(growth.deploy_above_runway_months, "policy.growth.deploy_above_runway_months", np.inf),
        growth_step=const(growth.step_per_month),
        distress_channel_scale=const(failure.channel_budget_scale),
        max_scale=const(growth.max_scale),
        target_margin=const(np.inf if reinvest.target_operating_margin is None else reinvest.target_operating_margin),
        target_burn_multiple=const(-np.inf if reinvest.target_burn_multiple is None else reinvest.target_burn_multiple),
        reinvest_max_scale=const(reinvest.max_scale),
        reinvest_runway=const(reinvest.min_runway_months),
        sell_probability=team_level(failure.sell_probability, "policy.on_round_failure.sell_probability", None),
        sale_multiple=team_level(failure.sale_arr_multiple, "policy.on_round_failure.sale_arr_multiple", None),
        sale_cash_floor=const(failure.sale_cash_floor),
        sale_min_arr=const(failure.sale_min_arr),
        sale_min_growth=const(failure.sale_min_growth),
        layoff_runway=(
            team_level(layoffs.trigger_runway_months, "team.layoffs.trigger_runway_months", None)
            if layoffs
            else const(-np.inf)
        ),
        layoff_cooldown=const(layoffs.cooldown_months if layoffs else 1),
        layoff_while_raising=const(bool(layoffs and layoffs.while_raising)),
        severance_months=(
            team_level(layoffs.severance_months, "team.layoffs.severance_months", None)
            if layoffs
            else team_level(failure.severance_months, "policy.on_round_failure.severance_months", None)
        ),
        option_pool=np.broadcast_to(
            np.asarray(
                team.option_pool
                if team.option_pool is not None
                else DEFAULT_OPTION_POOL
                if option_pool is None
                else option_pool,
                np.float64,
            ),
            (n,),
        ),
        stress_runway=const(stress.low_runway_months),
        stress_low_runway=const(stress.low_runway),
        stress_failed_round=const(stress.failed_round),
        stress_after_layoff=const(stress.after_layoff),
        stress_window=const(stress.window_months),
        accept_after_round=const(offers.after_round),
        accept_under_stress=const(offers.under_stress),
        capacity_exponent=const(team.capacity_exponent),
        capacity=sample_capacity(team, sampler),
        vesting=np.broadcast_to(vesting_curve(buckets, team.vesting_months, team.cliff_months), (n, buckets)),
        offsets=np.broadcast_to(np.arange(horizon, dtype=np.float64), (n, horizon)),
        slots=np.broadcast_to(np.arange(slots, dtype=np.float64), (n, slots)),
    )


def cut_floors(roles, plan: np.ndarray, n: int) -> np.ndarray:
    """(n, K) each role's ``cut_floor``, else its month-0 plan (``plan`` (n, K, T)): a read-only broadcast view."""
    floors = np.array([plan[0, k, 0] if r.cut_floor is None else float(r.cut_floor) for k, r in enumerate(roles)])
    return np.broadcast_to(floors.reshape(len(roles)), (n, len(roles)))
