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
3. the month close (:mod:`venturesim.engine.month_close`, shared with the
   DES): costs, the cash identity, the covenant, death (a dead path stays
   dead: no more flows), exits (:mod:`venturesim.funding.exits`; an IPO or
   acquisition ends the path's flows without a death), runway, and the
   month's record (what a path dead before the month records, too);
4. funding: a round whose trigger (runway or ARR milestone) is met starts raising.

Randomness (the registry :mod:`venturesim._streams`): paths run in fixed blocks
of :data:`BLOCK`; block b's key ``fold_in(k, b)`` is split once into an init key
(the training queue's noise) and a months key, month t's key is
``fold_in(months, t)``, and each domain folds in its own stream number and
draws for the whole block at once. Block b always holds
paths b·BLOCK … (b+1)·BLOCK − 1 in the same lanes, so a path's numbers depend
only on the seed and its index — not on the chunk size or device count.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim import _streams as streams
from venturesim.engine.month_close import annual_run_rate, close_accounts, dead_record, mask_dead, month_record, runway
from venturesim.engine.params import Params
from venturesim.funding.debt import step_debt
from venturesim.funding.exits import exit_proceeds, step_exits
from venturesim.funding.rounds import CLOSED, RAISING, FundingState, init_funding, resolve_rounds, start_rounds
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
            **_team_hooks(params, jnp.int32(0), cash.shape[0])
        ),
        partnerships=init_partnerships(params.partnerships),
    )


def _team_hooks(params: Params, t: jax.Array, paths: int) -> dict:
    """The risks' multipliers of attrition and productivity for month t (key person loss, team conflict)."""
    ones = jnp.ones(paths, jnp.float32)
    hooks = params.risks.hooks
    return {
        "attrition_scale": adjust(hooks.team_attrition, ones, t, 0.0, xp=jnp),
        "productivity": adjust(hooks.team_productivity, ones, t, 0.0, xp=jnp),
    }


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
    quality = quality_effect(
        gap, p.adoption_elasticity, p.churn_elasticity, p.price_elasticity, p.quality_max_multiplier
    )
    effects = params.team.capacity  # None fields: no such effect (static)
    limits = MarketLimits(
        deal_cap=team_month.deal_capacity,
        support_capacity=team_month.support_capacity,
        support_elasticity=effects.support_elasticity,
        support_max_multiplier=effects.support_max_multiplier,
        exit_churn=partner.exit_churn if params.partnerships.start.shape[-1] else None,
    )
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
    debt_update, debt, grants = step_debt(funding, f, t.astype(jnp.float32), alive, xp=jnp)
    funding = funding._replace(**debt_update._asdict())
    interest, principal = jnp.sum(debt.interest, axis=1), jnp.sum(debt.principal, axis=1)
    financing = financing + jnp.sum(debt.drawn, axis=1) + grants

    partner_share = revenue_share_amount(partner, flows.revenue_by_segment, xp=jnp)
    brought, over = concentration(partner, params.partnerships, flows.revenue_by_segment, xp=jnp)
    month_of, share_of, _ = note_concentration(
        partners.concentrated_month, partners.concentrated_share, brought, over, t.astype(jnp.float32), alive
    )
    partners = partners._replace(concentrated_month=month_of, concentrated_share=share_of)
    revenue = flows.revenue - partner_share  # net of the partners' revenue share
    compute = line + training - partner.compute_credit_used
    other = jnp.where(alive, params.company.other_costs[:, t], 0.0)
    accounts = close_accounts(
        alive,
        state.company.cash,
        revenue,
        flows.revenue,
        team_month.cost,
        compute,
        other,
        flows.acquisition_spend + flows.entry_cost,
        partner.cost,
        m.cost_of_revenue,
        flows.tokens,
        product.cost_per_token,
        flows.support_cost,
        interest,
        principal,
        financing,
        funding.debt_balance,
        f.debt_min_cash,
        xp=jnp,
    )
    funding = funding._replace(debt_balance=accounts.debt_balance)
    cash, alive_next = accounts.cash, accounts.survived
    death_month = jnp.where(alive & ~alive_next, t, state.company.death_month)
    headcount = team_month.headcount
    arr = annual_run_rate(revenue, alive_next, xp=jnp)
    funding, exited = step_exits(key, funding, params.funding, t, alive, alive_next, arr, headcount)
    alive_next = alive_next & ~exited
    runway_ = runway(cash, accounts.net_burn, alive_next, xp=jnp)
    funding = start_rounds(funding, params.funding, t, runway_, alive_next, arr)
    signals = TeamSignals(
        runway=runway_,
        customers=jnp.sum(market.customers, axis=1),
        new_arr=12.0 * flows.new_mrr,
        round_failed=jnp.any(funding.attempts > state.funding.attempts, axis=1),
        round_closed=financing > 0,
        raising=jnp.any(funding.status == RAISING, axis=1),
        **_team_hooks(params, jnp.minimum(t + 1, params.company.other_costs.shape[1] - 1), cash.shape[0]),
    )
    rounds_closed = jnp.sum(funding.status == CLOSED, axis=1)
    record = month_record(
        alive_next,
        alive,
        accounts,
        revenue,
        arr,
        runway_,
        team_month,
        flows,
        partner,
        compute=compute,
        training=training,
        gap=gap,
        partner_share=partner_share,
        partner_concentration=jnp.max(brought, axis=1, initial=0.0),
        risk_costs=params.risks.added_costs[:, t],
        other=other,
        financing=financing,
        grants=grants,
        interest=interest,
        principal=principal,
        debt_balance=funding.debt_balance,
        customers=market.customers,
        founder_ownership=funding.founder_ownership,
        rounds_closed=rounds_closed,
        xp=jnp,
    )
    record = mask_dead(
        record,
        alive,
        dead_record(state.company.cash, funding.founder_ownership, rounds_closed, market.customers.shape[-1], xp=jnp),
        xp=jnp,
    )
    company = CompanyState(cash=cash, alive=alive_next, death_month=death_month, arr=arr)
    return State(
        company=company,
        market=market,
        funding=funding,
        product=state.product,
        team=team,
        signals=signals,
        partnerships=partners,
    ), record


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
    records, final = jax.lax.map(lambda block: _run_paths(block[0], block[1], months, metrics), (blocks, block_keys))
    records = {  # (blocks, months, BLOCK, ...) → (months, paths, ...)
        m: jnp.moveaxis(r, 0, 1).reshape((months, n) + r.shape[3:]) for m, r in records.items()
    }
    final = jax.tree_util.tree_map(lambda a: a.reshape((n,) + a.shape[2:]), final)
    return records, final


def _run_paths(params: Params, block_key: jax.Array, months: int, metrics: tuple[str, ...]):
    """Scan ``months`` months over one block of paths."""

    def body(carry, t):
        state, _ = carry
        new_state, record = step(jax.random.fold_in(months_key, t), state, params, t)
        return (new_state, (record["arr"], record["runway"])), {m: record[m] for m in metrics}

    init_key, months_key = streams.block_keys(block_key)
    state0 = init(init_key, params)
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
