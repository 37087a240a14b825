"""The team's monthly kernel: hiring pipeline, attrition, layoffs, payroll, equity, capacity (pure JAX).

Month t (the interval [t, t+1)) for each path, with K roles. Decisions are
taken at the month start from the :class:`TeamSignals` of the previous month
end (runway, customers, new ARR, round events); people then join during the
month. In order:

1. **clocks**: months since the last failed round, closed round and layoff
   (an event in month t − 1 is "1 month ago");
2. **attrition**: each person employed at the month start leaves in the
   month with probability h = 1 − e^{−λM}, λ = −ln(1 − a)/12 (so with M = 1,
   h = 1 − (1 − a)^{1/12} and 12 months compound to a), M the stress
   multiplier (low runway, failed round, layoff; :mod:`venturesim.team._rules`):
   departures_k ~ Binomial(N_k, h_k). A person hired during the month starts
   this clock at the next month start;
3. **layoffs**: when runway < trigger, no round is being raised (unless
   allowed) and the cooldown has passed, each listed role loses
   ⌊f_k N_k + ½⌋ people, paid s months of severance; the role is capped at
   what is left until a round closes; in distress (a failed attempt, no
   round closed since) the policy's cut to a runway target
   (:mod:`venturesim.team.policy`, :func:`venturesim.team._rules.policy_cut`);
4. **target** = min(max(plan_k(t), rule_k), cap_k, max_headcount_k), the plan's hires scaled
   by the growth policy (:mod:`venturesim.team.policy`), with
   rule_k from ``hire_per`` (⌈customers/c⌉, ⌈12·new ARR/a⌉);
5. **separations**: a fall in the plan lets people go: min(N − target,
   plan(t−1) − plan(t)), never below 0;
6. **cancellations**: requisitions beyond target − N are cancelled, those that
   would land latest first;
7. **openings**: gap = target − N − open requisitions, none during a hiring
   freeze (runway < freeze threshold, in distress under the freeze policy, or raising a round with runway
   below the policy's hold threshold), at most M per delayed role, within the payroll budget (greedy in role
   order). Each opening's time to fill is
   D = Σ_{i=1}^{G} C_i with G ~ Geometric(p) offer cycles (p the acceptance,
   taken at opening) and C_i ~ Gamma(k, T/k) (mean T): given G, D ~
   Gamma(Gk, T/k), sampled directly; D is capped at H − 1 months and the
   hire lands in month t + ⌊D⌋ — the continuous time binned, as the DES
   lands it at t + D. A role with T = 0 fills at once (the static plan);
8. **arrivals**: requisitions landing this month join, each with an option
   grant g_k from the pool (scaled down pro rata if the pool runs short);
9. **money** (:mod:`venturesim.team.payroll`): payroll on the month-end
   headcount, severance, recruiting cost per hire;
10. **capacity** (:mod:`venturesim.team.capacity`): ramped FTE by function;
    with ``capacity_effects``, the month's engineering quality gain
    G_t = G_max (1 − e^{−X_t/X_0}) (X_t the effective engineering FTE-months so
    far, this month's included), the sales deal cap C = ⌊F_sales d + U⌋ (U
    uniform, stream 6) and the support capacity F_support k. The engines run
    this step before the market's, so these act on the same month.

People of a role are tracked by tenure month in B buckets (the last
absorbing) for ramp and vesting. Who leaves is a uniform random subset of a
role, so departures remove the same share of every bucket ("mean field"):
capacity and vested equity are exact in expectation, counts are exact per path.
The starting team (plan at month 0) is fully ramped and holds no pool grants.
A dead path (``active`` false) keeps its state and reports zeros.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim import _streams as streams
from venturesim._jax_random import binomial, fold_in, uniforms
from venturesim._xp import month_of
from venturesim.team import _rules as rules
from venturesim.team.capacity import month_capacity, ramp_weights
from venturesim.team.params import TeamParams
from venturesim.team.payroll import month_costs, sales_marketing_cost

__all__ = ["FAR", "TeamMonth", "TeamSignals", "TeamState", "init_team", "initial_signals", "step_team"]

FAR = 1e6
"""'Months since' an event that never happened."""


class TeamSignals(NamedTuple):
    """What the engine knows at the start of month t: the previous month end's figures, (paths,)."""

    runway: jax.Array  # months at the end of month t − 1 (+inf when profitable or at t = 0)
    customers: jax.Array  # active customers at the end of month t − 1
    new_arr: jax.Array  # ARR added in month t − 1, USD (12 × the monthly revenue of customers won)
    round_failed: jax.Array  # bool: a round attempt failed in month t − 1
    round_closed: jax.Array  # bool: a round closed in month t − 1
    raising: jax.Array  # bool: a round attempt is in progress at the end of month t − 1
    attrition_scale: jax.Array | float = 1.0  # risks' multiplier of every attrition hazard in month t
    productivity: jax.Array | float = 1.0  # risks' multiplier of productive capacity in month t
    net_burn: jax.Array | float = 0.0  # USD, net burn of month t − 1 (the policy's cut to a runway target)
    margin: jax.Array | float = -jnp.inf  # operating margin of month t − 1 (reinvestment; −inf: no revenue)
    burn_multiple: jax.Array | float = jnp.inf  # burn multiple of the funding paces at the end of month t − 1
    to_close: jax.Array | float = 0.0  # months from the start of month t until the attempt being raised resolves
    to_window: jax.Array | float = 0.0  # months from the start of month t until a round that cannot start yet closes


def initial_signals(paths: int, customers=0.0) -> TeamSignals:
    """Signals for month 0: infinite runway, no round events, ``customers`` (initial customers)."""
    zeros = jnp.zeros(paths, jnp.float32)
    false = jnp.zeros(paths, bool)
    return TeamSignals(
        runway=zeros + jnp.inf,
        customers=zeros + customers,
        new_arr=zeros,
        round_failed=false,
        round_closed=false,
        raising=false,
        attrition_scale=zeros + 1.0,
        productivity=zeros + 1.0,
        net_burn=zeros,
        margin=zeros - jnp.inf,
        burn_multiple=zeros + jnp.inf,
        to_close=zeros,
        to_window=zeros,
    )


class TeamState(NamedTuple):
    """Per-path team state."""

    employees: jax.Array  # (P, K) people on payroll
    cohort: jax.Array  # (P, K, B) people by tenure month (expected composition)
    grants: jax.Array  # (P, K, B) pool grants held, by tenure month, fraction of fully diluted
    pipeline: jax.Array  # (P, K, H) requisitions landing h months from now
    cap: jax.Array  # (P, K) headcount cap after a layoff (+inf: none)
    pool: jax.Array  # (P,) option pool not granted
    vested_departed: jax.Array  # (P,) vested grants of people who left
    since_failed: jax.Array  # (P,) months since a round failed
    since_closed: jax.Array  # (P,) months since a round closed
    since_layoff: jax.Array  # (P,) months since a layoff
    engineering_done: jax.Array  # (P,) effective engineering FTE-months so far, X = Σ FTE^α
    growth: jax.Array  # (P,) the policy's growth scale of the plan's hires and channel budgets
    plan_before: jax.Array  # (P, K) the plan of month t − 1 (of month 0 at the start): a fall lets people go
    plan_start: jax.Array  # (P, K) the plan of month 0, the base the growth policy scales the hires from


class TeamMonth(NamedTuple):
    """The team's figures for month t, (paths,) unless noted."""

    payroll: jax.Array  # USD, salaries + on-cost of the month-end headcount
    severance: jax.Array  # USD
    recruiting: jax.Array  # USD
    cost: jax.Array  # USD, payroll + severance + recruiting (what the cash identity needs)
    sales_marketing: jax.Array  # USD, payroll + recruiting of sales and marketing roles (in CAC)
    headcount: jax.Array  # people on payroll at the month end
    headcount_by_role: jax.Array  # (P, K)
    hires: jax.Array  # people who joined
    departures: jax.Array  # people who quit (attrition)
    separations: jax.Array  # people let go because the plan fell
    layoffs: jax.Array  # people laid off
    openings: jax.Array  # requisitions opened
    open_requisitions: jax.Array  # requisitions open at the month end
    engineering_fte: jax.Array  # ramped FTE, engineering/research
    sales_fte: jax.Array  # ramped FTE, sales
    support_fte: jax.Array  # ramped FTE, support
    engineering_capacity: jax.Array  # engineering FTE^α (diminishing returns)
    equity_granted: jax.Array  # pool grants made this month, fraction
    equity_returned: jax.Array  # unvested grants returned to the pool this month, fraction
    pool_available: jax.Array  # option pool left at the month end, fraction
    frozen: jax.Array  # bool, hiring freeze this month
    engineering_gain: jax.Array | None = None  # nats/token added to the quality gap (None: no engineering effect)
    deal_capacity: jax.Array | None = None  # sales-led deals that can be won this month (None: no cap)
    support_capacity: jax.Array | None = None  # customers served at support load 1 (None: no support effect)
    growth_scale: jax.Array | float = 1.0  # the policies' multiplier of the channel budgets this month


def init_team(params: TeamParams) -> TeamState:
    """Month-0 state: the plan's month-0 team in place, fully ramped, no pool grants, nothing open."""
    start = jnp.asarray(params.plan[:, :, 0], jnp.float32)  # (P, K)
    paths, roles = start.shape
    buckets, horizon = params.vesting.shape[1], params.offsets.shape[1]
    cohort = jnp.zeros((paths, roles, buckets), jnp.float32).at[:, :, buckets - 1].set(start)
    far = jnp.full(paths, FAR, jnp.float32)
    return TeamState(
        employees=start,
        cohort=cohort,
        grants=jnp.zeros_like(cohort),
        pipeline=jnp.zeros((paths, roles, horizon), jnp.float32),
        cap=jnp.full((paths, roles), jnp.inf, jnp.float32),
        pool=jnp.asarray(params.option_pool, jnp.float32),
        vested_departed=jnp.zeros(paths, jnp.float32),
        since_failed=far,
        since_closed=far,
        since_layoff=far,
        engineering_done=jnp.zeros(paths, jnp.float32),
        growth=jnp.ones(paths, jnp.float32),
        plan_before=start,
        plan_start=start,
    )


def _keep_earliest(pipeline: jax.Array, keep: jax.Array) -> jax.Array:
    """Keep ``keep`` (P, K) requisitions of ``pipeline`` (P, K, H), those landing soonest."""
    before = jnp.cumsum(pipeline, axis=-1) - pipeline
    return jnp.clip(keep[..., None] - before, 0.0, pipeline)


def _age(x: jax.Array) -> jax.Array:
    """Move every tenure bucket one month on; the last bucket absorbs."""
    if x.shape[-1] == 1:
        return x
    return jnp.concatenate([jnp.zeros_like(x[..., :1]), x[..., :-2], x[..., -2:-1] + x[..., -1:]], axis=-1)


def step_team(
    key: jax.Array, state: TeamState, params: TeamParams, t: jax.Array, active: jax.Array, signals: TeamSignals
) -> tuple[TeamState, TeamMonth]:
    """Advance every path by month t. ``key``: this block and month's key; ``active``: (P,) bool."""
    p = jax.tree_util.tree_map(jnp.asarray, params)
    paths, roles, buckets = state.cohort.shape
    horizon, slots = p.offsets.shape[1], p.slots.shape[1]
    key = fold_in(key, streams.TEAM)
    cost = month_of(p.monthly_cost, t, 2)  # (P, K)
    plan = month_of(p.plan, t, 2)  # the months before and month 0 are in the state: the plan is read at t only
    runway = signals.runway

    # 1. clocks
    since_failed, since_closed, since_layoff = rules.advance_clocks(
        state.since_failed, state.since_closed, state.since_layoff, signals.round_failed, signals.round_closed, xp=jnp
    )

    # 2. attrition
    n0 = state.employees
    rate = rules.leave_rate(runway, since_failed, since_layoff, signals.attrition_scale, p, xp=jnp)
    departures = binomial(uniforms(key, streams.TEAM_DEPARTURES, (paths, roles)), n0, 1.0 - jnp.exp(-rate))
    n1 = n0 - departures

    # 3. layoffs
    laid_off, cap, since_layoff = rules.layoffs(
        runway, signals.raising, signals.round_closed, since_layoff, n1, state.cap, p, xp=jnp
    )
    distress = rules.in_distress(
        since_failed, since_closed, signals.raising, runway, signals.to_close, p, xp=jnp, to_window=signals.to_window
    )
    cut, cap, since_layoff = rules.policy_cut(
        runway, signals.net_burn, distress, since_layoff, n1 - laid_off, cap, p.cut_floor, cost, p, xp=jnp
    )
    laid_off = laid_off + cut
    n2 = n1 - laid_off
    paid = rules.paid_cost(cost, p.pay_cut, rules.pay_cut_due(distress, runway, signals.net_burn, p, xp=jnp), xp=jnp)

    # 4–5. target (the plan scaled by the growth policy) and separations
    base = state.plan_start
    reinvest = rules.reinvesting(signals.margin, signals.burn_multiple, runway, p, xp=jnp)
    growth = rules.growth_scale(state.growth, runway, distress, p, xp=jnp, reinvest=reinvest)
    plan_now = rules.scaled_plan(plan, base, growth, xp=jnp)
    plan_then = rules.scaled_plan(state.plan_before, base, state.growth, xp=jnp)
    rule = rules.rule_target(signals.customers, signals.new_arr, p, xp=jnp)
    target, separations = rules.staffing_target(plan_now, plan_then, rule, cap, n2, p, xp=jnp)
    n3 = n2 - separations

    removed = departures + laid_off + separations
    leaving = jnp.where(n0 > 0, removed / jnp.maximum(n0, 1.0), 0.0)[..., None]  # (P, K, 1)
    vest = p.vesting[:, None, :]  # (P, 1, B)
    returned = jnp.sum(state.grants * (1.0 - vest) * leaving, axis=(1, 2))
    vested_left = jnp.sum(state.grants * vest * leaving, axis=(1, 2))
    cohort = state.cohort * (1.0 - leaving)
    grants = state.grants * (1.0 - leaving)

    # 6. cancellations
    pipeline = _keep_earliest(state.pipeline, jnp.maximum(target - n3, 0.0))

    # 7. openings
    delayed = p.time_to_fill > 0
    opened, frozen = rules.openings(
        target,
        n3,
        pipeline.sum(-1),
        runway,
        cost,
        month_of(p.payroll_budget, t, 1),
        p,
        xp=jnp,
        distress=distress,
        raising=signals.raising,
    )
    pipeline = pipeline.at[:, :, 0].add(jnp.where(delayed, 0.0, opened))
    if slots:
        accept = rules.acceptance(runway, since_failed, since_closed, p, xp=jnp)  # (P, K)
        cycles = rules.geometric_cycles(
            uniforms(key, streams.TEAM_CYCLES, (paths, roles, slots)), accept[..., None], xp=jnp
        )
        shape = p.time_to_fill_shape[..., None]
        work = jax.random.gamma(fold_in(key, streams.TEAM_WORK), cycles * shape)  # (P, K, M)
        fill = jnp.minimum(work * (p.time_to_fill[..., None] / shape), horizon - 1.0)
        offset = jnp.floor(fill).astype(jnp.int32)
        use = (delayed[..., None] & (p.slots[:, None, :] < opened[..., None])).astype(jnp.float32)
        rows = jnp.arange(paths)[:, None, None]
        cols = jnp.arange(roles)[None, :, None]
        pipeline = pipeline.at[rows, cols, offset].add(use)

    # 8. arrivals and grants
    hires = pipeline[:, :, 0]
    n4 = n3 + hires
    pool = state.pool + returned
    granted, _ = rules.pool_grants(hires, p.equity_grant, pool, xp=jnp)
    pool = pool - granted.sum(-1)
    cohort = cohort.at[:, :, 0].add(hires)
    grants = grants.at[:, :, 0].add(granted)
    pipeline = jnp.concatenate([pipeline[:, :, 1:], jnp.zeros_like(pipeline[:, :, :1])], axis=-1)

    # 9–10. money and capacity
    payroll, severance, recruiting = month_costs(
        n4, paid, laid_off, p.severance_months, hires, p.recruiting_cost, xp=jnp
    )
    fte = jnp.sum(cohort * ramp_weights(p.ramp_months, buckets, xp=jnp), axis=-1)  # (P, K)
    u = None if p.capacity.deals_per_fte is None else uniforms(key, streams.TEAM_DEAL_CAP, (paths,))
    by_function, capacity, done, gain, deals, served = month_capacity(  # a block not given is None: not compiled
        fte, p.function, signals.productivity, p.capacity_exponent, state.engineering_done, p.capacity, u, xp=jnp
    )

    new = TeamState(
        employees=n4,
        cohort=_age(cohort),
        grants=_age(grants),
        pipeline=pipeline,
        cap=cap,
        pool=pool,
        vested_departed=state.vested_departed + vested_left,
        since_failed=since_failed,
        since_closed=since_closed,
        since_layoff=since_layoff,
        engineering_done=done,
        growth=growth,
        plan_before=plan,
        plan_start=state.plan_start,
    )
    new = jax.tree_util.tree_map(lambda a, b: jnp.where(active.reshape((-1,) + (1,) * (a.ndim - 1)), a, b), new, state)

    def live(x):
        return jnp.where(active.reshape((-1,) + (1,) * (x.ndim - 1)), x, jnp.zeros_like(x))

    month = TeamMonth(
        payroll=payroll,
        severance=severance,
        recruiting=recruiting,
        cost=payroll + severance + recruiting,
        sales_marketing=sales_marketing_cost(n4, paid, hires, p.recruiting_cost, p.sales_marketing, xp=jnp),
        headcount=n4.sum(-1),
        headcount_by_role=n4,
        hires=hires.sum(-1),
        departures=departures.sum(-1),
        separations=separations.sum(-1),
        layoffs=laid_off.sum(-1),
        openings=opened.sum(-1),
        open_requisitions=pipeline.sum((1, 2)),
        engineering_fte=by_function[:, 0],
        sales_fte=by_function[:, 1],
        support_fte=by_function[:, 2],
        engineering_capacity=capacity,
        equity_granted=granted.sum(-1),
        equity_returned=returned,
        pool_available=pool,
        frozen=frozen,
        engineering_gain=gain,
        deal_capacity=deals,
        support_capacity=served,
        growth_scale=rules.channel_scale(growth, distress, p, xp=jnp),
    )
    month = jax.tree_util.tree_map(live, month)
    return new, month._replace(pool_available=new.pool)
