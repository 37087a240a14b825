"""The JAX engine: every path's months as one compiled ``lax.scan``.

``init(key, params)`` builds the month-0 state and ``step(keys, state, params, t)``
advances every path by one month (pure; BlackJAX-style kernel). Month t is
the interval [t, t+1); records are the state at its end. In each month:

0. product: training spend on the roadmap's runs, the served model and its
   quality gap to the frontier, the serving cost per token
   (:mod:`venturesim.model_costs.step`; the queue is scheduled at month 0);
   partnerships: signing, effects and terminations
   (:mod:`venturesim.partnerships.step`);
   team: hiring pipeline, attrition, layoffs and payroll (:mod:`venturesim.team.step`),
   run before the market so that this month's ramped FTE drive the capacity
   effects (engineering quality gain added to the gap, the sales deal cap, the
   support load's churn multiplier; ``team.capacity_effects``);
1. market: channels, deals, churn, Bass adoption, pricing and revenue, moved
   by the quality gap, the partners (their exit churn included), the team's
   capacity and the risk hooks on p and q
   (:mod:`venturesim.market.step`); partners take their revenue share;
2. funding: attempts due this month resolve (:mod:`venturesim.funding.rounds`),
   at odds a risk (a lead investor pulling out) can lower; a failed attempt
   may be bridged by insiders; venture debt is drawn and serviced and grants
   paid (:mod:`venturesim.funding.debt`);
3. costs = people (payroll + severance + recruiting) + compute (the monthly
   line + training − partners' credits) + other costs (with the risks' costs)
   + acquisition (channel budgets, market entry) + partnership costs
   + cost of revenue (cost_of_revenue · revenue + tokens · cost per token)
   + interest on venture debt;
4. the cash identity  cash[t] = cash[t−1] + revenue − costs + financing − principal
   (financing: rounds, bridges, loans drawn, grants; principal: loans repaid);
   a lender whose minimum-cash covenant is broken calls its loan (cash − balance);
5. death: a path whose cash is below 0 dies and stays dead (no more flows);
6. exits: IPO, acquisition, or — for a path that just died — acqui-hire or
   shutdown (:mod:`venturesim.funding.exits`); an IPO or acquisition ends
   the path's flows without a death;
7. runway = cash / (costs + principal − revenue) when burning, else +∞ (profitable);
8. funding: a round whose trigger (runway or ARR milestone) is met starts raising.

Randomness: paths run in fixed blocks of :data:`BLOCK`; block b's key for
month t is ``fold_in(fold_in(k, b), t)`` and each domain folds in its own
stream number and draws for the whole block at once. Block b always holds
paths b·BLOCK … (b+1)·BLOCK − 1 in the same lanes, so a path's numbers depend
only on the seed and its index — not on the chunk size or device count.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim.engine.params import Params
from venturesim.funding.exits import exit_proceeds, step_exits
from venturesim.funding.rounds import (
    RAISING, FundingState, call_debt, init_funding, resolve_rounds, start_rounds, step_debt,
)
from venturesim.market.step import MarketLimits, MarketState, init_market, quality_effect, step_market
from venturesim.model_costs.step import ProductState, init_product, product_month
from venturesim.partnerships.step import PartnerState, init_partnerships, note_concentration, step_partnerships
from venturesim.partnerships.terms import concentration, revenue_share_amount
from venturesim.risks.apply import adjust
from venturesim.team.step import TeamSignals, TeamState, init_team, initial_signals, step_team



class CompanyState(NamedTuple):
    """Per-path company state (paths,)."""

    cash: jax.Array  # USD
    alive: jax.Array  # bool
    death_month: jax.Array  # int32, −1 while alive
    arr: jax.Array  # USD, at the end of the previous month (partners judge traction by it)


class State(NamedTuple):
    """The whole per-path state."""

    company: CompanyState
    market: MarketState
    funding: FundingState
    product: ProductState
    team: TeamState
    signals: TeamSignals
    partnerships: PartnerState


class Final(NamedTuple):
    """Per-path results at the horizon, recorded whatever the metrics chosen."""

    cash: jax.Array
    arr: jax.Array
    runway: jax.Array
    death_month: jax.Array
    founder_ownership: jax.Array
    round_status: jax.Array  # (paths, R)
    round_close_month: jax.Array  # (paths, R)
    round_pre_money: jax.Array  # (paths, R) USD the round closed at (NaN: not closed)
    round_amount: jax.Array  # (paths, R) USD the round raises (drawn per path)
    exit_kind: jax.Array  # (paths,) index into funding.terms.EXIT_KINDS
    exit_month: jax.Array  # (paths,) −1: still private
    exit_value: jax.Array  # (paths,) USD
    founder_proceeds: jax.Array  # (paths,) USD from the waterfall at the exit
    round_proceeds: jax.Array  # (paths, R) USD to each round's investors
    risk_time: jax.Array  # (paths, K, E) months of the risk events (+inf: none)
    risk_severity: jax.Array  # (paths, K, E)
    partner_concentration_month: jax.Array  # (paths, P) first month over the concentration limit (−1: never)
    partner_concentration_share: jax.Array  # (paths, P) the partner's share of revenue that month


def init(key: jax.Array, params: Params) -> State:
    """Month-0 state of every path (``key``: the block's key, for the training queue's noise)."""
    cash = jnp.asarray(params.company.initial_cash, jnp.float32)
    return State(
        company=CompanyState(
            cash=cash,
            alive=jnp.ones(cash.shape, bool),
            death_month=jnp.full(cash.shape, -1, jnp.int32),
            arr=jnp.zeros_like(cash),
        ),
        market=init_market(params.market),
        funding=init_funding(params.funding, params.company.founder_ownership, params.company.option_pool),
        product=init_product(key, params.product),
        team=init_team(params.team),
        signals=initial_signals(cash.shape[0], jnp.sum(params.market.initial_customers, axis=1))._replace(
            **_team_hooks(params, jnp.int32(0), cash.shape[0])),
        partnerships=init_partnerships(params.partnerships),
    )


def _team_hooks(params: Params, t: jax.Array, paths: int) -> dict:
    """The risks' multipliers of attrition and productivity for month t (key person loss, team conflict)."""
    ones = jnp.ones(paths, jnp.float32)
    hooks = params.risks.hooks
    return {"attrition_scale": adjust(hooks.team_attrition, ones, t, 0.0, xp=jnp),
            "productivity": adjust(hooks.team_productivity, ones, t, 0.0, xp=jnp)}


def step(key: jax.Array, state: State, params: Params, t: jax.Array) -> tuple[State, dict]:
    """Advance every path of a block by month t. ``key``: the block's key for this month."""
    alive = state.company.alive
    hooks = params.risks.hooks
    product = product_month(state.product, params.product, t)
    line = jnp.where(alive, params.company.compute[:, t], 0.0)
    training = jnp.where(alive, product.training_spend, 0.0)
    partners, partner = step_partnerships(
        key, state.partnerships, params.partnerships, t, alive, state.company.arr, line + training
    )
    # the team first: this month's ramped FTE act on this month's market (team.capacity_effects)
    team, team_month = step_team(key, state.team, params.team, t, alive, state.signals)
    p = params.product
    gap = product.quality_gap + partner.loss_reduction
    if team_month.engineering_gain is not None:
        gap = gap + team_month.engineering_gain
    quality = quality_effect(gap, p.adoption_elasticity, p.churn_elasticity, p.price_elasticity)
    effects = params.team.capacity  # None fields: no such effect (static)
    limits = MarketLimits(deal_cap=team_month.deal_capacity, support_capacity=team_month.support_capacity,
                          support_elasticity=effects.support_elasticity,
                          support_max_multiplier=effects.support_max_multiplier,
                          exit_churn=partner.exit_churn if params.partnerships.start.shape[-1] else None)
    m = params.market
    market_params = m._replace(  # risk hooks on Bass p and q; partners lift p
        p_monthly=adjust(hooks.market_p, m.p_monthly, t, 0.0, xp=jnp),
        q_monthly=adjust(hooks.market_q, m.q_monthly, t, 0.0, xp=jnp),
        partner=m.partner * partner.adoption_multiplier,
    )
    market, flows = step_market(key, state.market, market_params, t, alive, quality, limits)
    f = params.funding
    funding_params = f._replace(  # a risk hook on the odds of an attempt resolving this month
        success_probability=adjust(hooks.funding_success, f.success_probability, t, 0.0, 1.0, xp=jnp)
    )
    funding, financing = resolve_rounds(key, state.funding, funding_params, t, alive)
    funding, debt, grants = step_debt(funding, f, t, alive)
    interest, principal = jnp.sum(debt.interest, axis=1), jnp.sum(debt.principal, axis=1)
    financing = financing + jnp.sum(debt.drawn, axis=1) + grants

    partner_share = revenue_share_amount(partner, flows.revenue_by_segment, xp=jnp)
    brought, over = concentration(partner, params.partnerships, flows.revenue_by_segment, xp=jnp)
    month_of, share_of, _ = note_concentration(partners.concentrated_month, partners.concentrated_share, brought, over,
                                               t.astype(jnp.float32), alive)
    partners = partners._replace(concentrated_month=month_of, concentrated_share=share_of)
    revenue = flows.revenue - partner_share  # net of the partners' revenue share
    people = team_month.cost
    compute = line + training - partner.compute_credit_used
    other = jnp.where(alive, params.company.other_costs[:, t], 0.0)
    acquisition = flows.acquisition_spend + flows.entry_cost  # sales & marketing, market entry
    serving = flows.tokens * product.cost_per_token
    cost_of_revenue = flows.revenue * m.cost_of_revenue + serving + flows.support_cost
    costs = people + compute + other + acquisition + partner.cost + cost_of_revenue + interest
    cash = state.company.cash + revenue - costs + financing - principal
    funding, called_debt, called = call_debt(funding, f, cash, alive)
    cash = cash - called_debt

    alive_next = alive & (cash >= 0.0)
    death_month = jnp.where(alive & ~alive_next, t, state.company.death_month)
    headcount = team_month.headcount
    arr = 12.0 * jnp.where(alive_next, revenue, 0.0)
    funding, exited = step_exits(key, funding, params.funding, t, alive, alive_next, arr, headcount)
    alive_next = alive_next & ~exited
    net_burn = costs + principal - revenue
    runway = jnp.where(net_burn > 0, cash / jnp.maximum(net_burn, 1e-9), jnp.inf)
    runway = jnp.where(alive_next, runway, jnp.nan)
    funding = start_rounds(funding, params.funding, t, runway, alive_next, arr)
    new_arr = 12.0 * flows.new_mrr
    signals = TeamSignals(
        runway=runway, customers=jnp.sum(market.customers, axis=1), new_arr=new_arr,
        round_failed=jnp.any(funding.attempts > state.funding.attempts, axis=1), round_closed=financing > 0,
        raising=jnp.any(funding.status == RAISING, axis=1),
        **_team_hooks(params, jnp.minimum(t + 1, params.company.other_costs.shape[1] - 1), cash.shape[0]))

    customers_by_segment = jnp.where(alive_next[:, None], market.customers, 0.0)
    record = {
        "cash": cash,
        "revenue": revenue,
        "arr": jnp.where(alive_next, arr, 0.0),
        "costs": costs,
        "payroll": team_month.payroll,
        "severance": team_month.severance,
        "recruiting_cost": team_month.recruiting,
        "hires": team_month.hires,
        "departures": team_month.departures,
        "layoffs": team_month.layoffs,
        "open_requisitions": team_month.open_requisitions,
        "engineering_fte": jnp.where(alive_next, team_month.engineering_fte, 0.0),
        "sales_fte": jnp.where(alive_next, team_month.sales_fte, 0.0),
        "support_fte": jnp.where(alive_next, team_month.support_fte, 0.0),
        "option_pool_available": jnp.where(alive_next, team_month.pool_available, 0.0),
        "compute": compute,
        "training_compute": training,
        "serving_cost": serving,
        "quality_gap": jnp.where(alive_next, gap, jnp.nan),
        "acquisition_spend": flows.acquisition_spend,
        "entry_cost": flows.entry_cost,
        "support_cost": flows.support_cost,
        "new_mrr": flows.new_mrr,
        "expansion_mrr": flows.expansion_mrr,
        "contraction_mrr": flows.contraction_mrr,
        "churned_mrr": flows.churned_mrr,
        "pipeline": jnp.where(alive_next, flows.pipeline, 0.0),
        "deals_won": flows.deals_won.sum(axis=1),
        "deals_lost_to_capacity": flows.deals_over_capacity.sum(axis=1),
        "sales_capacity_deals": jnp.where(alive_next, jnp.nan if team_month.deal_capacity is None
                                          else team_month.deal_capacity, 0.0),
        "support_load": jnp.where(alive_next, flows.support_load, jnp.nan),
        "engineering_quality_gain": jnp.where(alive_next, 0.0 if team_month.engineering_gain is None
                                              else team_month.engineering_gain, 0.0),
        "revenue_by_segment": flows.revenue_by_segment,
        "partner_revenue_share": partner_share,
        "compute_credits_used": partner.compute_credit_used,
        "partnership_costs": partner.cost,
        "partners_active": jnp.where(alive_next, partner.active, 0.0),
        "partner_concentration": jnp.max(brought, axis=1, initial=0.0),
        "risk_costs": jnp.where(alive, params.risks.added_costs[:, t], 0.0),
        "other_costs": other,
        "cost_of_revenue": cost_of_revenue,
        "financing": financing,
        "grants": grants,
        "interest": interest,
        "debt_repaid": principal + called_debt,
        "debt_balance": jnp.sum(funding.debt_balance, axis=1),
        "loan_called": called,
        "net_burn": net_burn,
        "customers": customers_by_segment.sum(axis=1),
        "customers_by_segment": customers_by_segment,
        "new_customers": flows.new_customers.sum(axis=1),
        "churned_customers": flows.churned_customers.sum(axis=1),
        "alive": alive_next,
        "runway": runway,
        "headcount": jnp.where(alive_next, headcount, 0.0),
        "founder_ownership": funding.founder_ownership,
        "rounds_closed": jnp.sum(funding.status == 2, axis=1),
    }
    company = CompanyState(cash=cash, alive=alive_next, death_month=death_month, arr=arr)
    return State(company=company, market=market, funding=funding, product=state.product, team=team,
                 signals=signals, partnerships=partners), record


BLOCK = 4096
"""Paths per compiled kernel call. Every path is computed inside a block of this
exact shape, so the generated code (and so each float32 rounding, e.g. whether
a multiply-add is fused) is the same whatever the chunk size."""


@partial(jax.jit, static_argnames=("months", "metrics"))
def run_block(params: Params, block_keys: jax.Array, months: int, metrics: tuple[str, ...]):
    """Run ``months`` months for ``paths`` paths (a multiple of :data:`BLOCK`).

    The paths are processed as ``lax.map`` over blocks of BLOCK paths;
    ``block_keys`` holds one key per block (paths // BLOCK,).
    Returns the selected records, each (months, paths, ...), and the per-path
    :class:`Final` results.
    """
    n = block_keys.shape[0] * BLOCK
    blocks = jax.tree_util.tree_map(lambda a: a.reshape((n // BLOCK, BLOCK) + a.shape[1:]), params)
    records, final = jax.lax.map(lambda block: _run_paths(*block, months, metrics), (blocks, block_keys))
    records = {  # (blocks, months, BLOCK, ...) → (months, paths, ...)
        m: jnp.moveaxis(r, 0, 1).reshape((months, n) + r.shape[3:]) for m, r in records.items()
    }
    final = jax.tree_util.tree_map(lambda a: a.reshape((n,) + a.shape[2:]), final)
    return records, final


def _run_paths(params: Params, block_key: jax.Array, months: int, metrics: tuple[str, ...]):
    """Scan ``months`` months over one block of paths."""
    def body(carry, t):
        state, _ = carry
        new_state, record = step(jax.random.fold_in(block_key, t), state, params, t)
        return (new_state, (record["arr"], record["runway"])), {m: record[m] for m in metrics}

    state0 = init(block_key, params)
    zeros = jnp.zeros_like(state0.company.cash)
    (state, (arr, runway)), records = jax.lax.scan(body, (state0, (zeros, zeros)), jnp.arange(months))
    founder_proceeds, round_proceeds = exit_proceeds(state.funding, params.funding)
    final = Final(
        cash=state.company.cash,
        arr=arr,
        runway=runway,
        death_month=state.company.death_month,
        founder_ownership=state.funding.founder_ownership,
        round_status=state.funding.status,
        round_close_month=state.funding.close_month,
        round_pre_money=state.funding.closed_pre_money,
        round_amount=params.funding.amount,
        exit_kind=state.funding.exit_kind,
        exit_month=state.funding.exit_month,
        exit_value=state.funding.exit_value,
        founder_proceeds=founder_proceeds,
        round_proceeds=round_proceeds,
        risk_time=params.risks.time,
        risk_severity=params.risks.severity,
        partner_concentration_month=state.partnerships.concentrated_month,
        partner_concentration_share=state.partnerships.concentrated_share,
    )
    return records, final
