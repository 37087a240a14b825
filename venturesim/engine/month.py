"""One month of the company, written once for both engines: the order in which the domains act.

Month t is the interval [t, t+1) and closes at time t + 1. :func:`close_month`
runs it on a block of paths (the JAX kernel: ``xp = jax.numpy``, (paths, …)
arrays) or on one path (the DES: ``xp = numpy``, floats and (S,) rows):

0. the product's month (training spend, quality gap, serving cost), the
   partners' month (fed the month's compute spend), then the team's month,
   before the market so that this month's ramped FTE drive its capacity
   effects (engineering quality gain, the sales deal cap, the support load);
1. the market, moved by the quality gap, the partners (adoption lift, exit
   churn), the team's capacity and the risks' hooks on Bass p and q;
2. the rounds resolving this month and the venture debt and grants
   (:func:`venturesim.funding.debt.step_debt`);
3. the month close (:mod:`venturesim.engine.month_close`): the partners'
   revenue share, costs, the cash identity, the covenant, death, ARR; exits;
   runway; the partners' concentration; the month's record.

What happens after (the funding paces noted, :func:`note_pace`; a round starting, the team's signals for
the next month,
the event log) and every draw belong to the engine: a :class:`Driver` gives
each domain's month with the engine's randomness and event mechanics (JAX:
:class:`venturesim.engine.jax_engine.BlockMonth`; DES:
:class:`venturesim.engine.des_engine.Company`).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from venturesim._xp import month_of
from venturesim.engine.month_close import Accounts, Ledger, annual_run_rate, close_accounts, month_record, runway
from venturesim.funding.exits import exit_proceeds
from venturesim.funding.rounds import CLOSED
from venturesim.funding.traction import burn_multiple, growth_multiple, update_pace
from venturesim.market._rules import funded as market_funded
from venturesim.market._rules import quality_effect
from venturesim.market.step import MarketFlows, MarketLimits
from venturesim.model_costs.month_rules import ProductMonth, footprint, run_spend
from venturesim.partnerships.terms import PartnerMonth, revenue_share_amount
from venturesim.risks.apply import adjust
from venturesim.team._rules import operating_margin, sale_terms
from venturesim.team.step import TeamMonth, TeamSignals

__all__ = [
    "Driver",
    "MonthEnd",
    "close_month",
    "failed_unbridged",
    "final_results",
    "next_signals",
    "note_pace",
    "sale_on_failure",
    "team_hooks",
]


class Driver(Protocol):
    """What an engine gives :func:`close_month`: each domain's month, with its own randomness and events.

    ``xp`` is numpy (one path) or jax.numpy (a block); ``row`` is True for one path's Params row (see
    :func:`venturesim.risks.apply.adjust`). An optional ``keep`` attribute names the record's entries to
    compute (absent or None: all; the DES's :class:`~venturesim.engine.des_engine.PathMonth` computes only
    what it records, with ``revenue``, which the engine reads). ``funding`` is the funding state (any object with
    the fields of :class:`venturesim.funding.rounds.FundingState`), read after the month's exits.
    """

    @property
    def xp(self) -> Any: ...

    @property
    def row(self) -> bool: ...

    @property
    def funding(self) -> Any: ...

    @property
    def status_seen(self) -> Any:
        """(…, R) the rounds' status at the month's start (the last month end's), what a gated segment waits for."""

    def product(self, t) -> ProductMonth:
        """The product's month t (:func:`venturesim.model_costs.month_rules.month_figures`), before masking."""

    def partners(self, t, alive, compute_spend) -> PartnerMonth:
        """The partners' month (signing, credits used on ``compute_spend`` USD, effects)."""

    def team(self, t, alive) -> TeamMonth:
        """The team's month (hires, departures, payroll, capacity)."""

    def market(self, t, alive, market, quality, limits: MarketLimits) -> tuple[MarketFlows, Any]:
        """(flows, customers (…, S) at the month's end) of the market month on ``market`` (hooks applied)."""

    def rounds(self, t, alive) -> tuple[Any, Any]:
        """(money from rounds to add to the cash now, money already in the cash or None), USD."""

    def debt(self, t, alive) -> tuple[Any, Any]:
        """(:class:`venturesim.funding.debt.DebtMonth`, grants USD) of month t, state updated."""

    def settle(self, t, alive, accounts: Accounts, arr, headcount) -> Any:
        """Store the closed accounts (cash, debt after the covenant) and decide the exits; (…,) bool: exited."""

    def concentration(self, t, alive, partner: PartnerMonth, revenue_by_segment) -> Any:
        """The largest share of revenue one partner brought this month (notes a first month over a limit)."""


FOOTPRINT = frozenset({"training_energy", "serving_energy", "co2e"})
"""The record's names :func:`venturesim.model_costs.month_rules.footprint` gives."""


class MonthEnd(NamedTuple):
    """What the month closed with, for the engine's next steps (``record``: the month's metrics)."""

    record: dict
    accounts: Accounts
    alive: Any  # alive at the month's end (not dead, not exited)
    exited: Any  # sold or listed this month
    arr: Any  # USD, 12 × the month's net revenue on a path that survived the close
    runway: Any  # months (NaN on a path no longer alive)
    financing: Any  # USD, every inflow of the month
    flows: MarketFlows
    team: TeamMonth
    customers: Any  # (…, S) at the month's end


def team_hooks(params, t, xp, row: bool) -> dict:
    """The risks' multipliers of attrition and productivity in month t (key-person loss, team conflict)."""
    hooks, one = params.risks.hooks, 1.0 if row else xp.ones(params.company.initial_cash.shape, xp.float32)
    return {
        "attrition_scale": adjust(hooks.team_attrition, one, t, 0.0, xp=xp, row=row),
        "productivity": adjust(hooks.team_productivity, one, t, 0.0, xp=xp, row=row),
    }


def failed_unbridged(attempts_before, attempts, status_before, status, xp):
    """(…,) bool: an attempt failed since ``attempts_before`` and no round (a bridge included) closed since
    ``status_before`` (the distress the policies respond to, :mod:`venturesim.team.policy`)."""
    failed = xp.any(attempts > attempts_before, axis=-1)
    return failed & ~xp.any((status == CLOSED) & (status_before != CLOSED), axis=-1)


def sale_on_failure(params, failed, arr, cash, new_arr_pace, xp):
    """(probability, value USD) of the sale of a company whose round failed this month
    (:func:`venturesim.team._rules.sale_terms`, at the growth the pace ``new_arr_pace`` (USD a month) implies;
    the exits draw it with the acqui-hire's uniform, which a company alive at the month end does not use)."""
    growth = growth_multiple(arr, new_arr_pace, xp=xp)
    return sale_terms(failed, arr, cash, growth, params.team, xp=xp)


def next_signals(
    end: MonthEnd, round_failed, raising, params, t, xp, row: bool, pace=None, to_close=0.0, to_window=0.0
) -> TeamSignals:
    """What the team knows at the start of month t + 1 (:class:`venturesim.team.step.TeamSignals`) from month
    t's close, whether an attempt failed in it and whether a round is raising at its end; ``pace``: the
    funding paces (n̄, b̄) after the close (:func:`note_pace`), for the burn multiple the reinvestment policy
    reads (None: unknown, +inf); ``to_close``: months from t + 1 until the attempts raising resolve
    (:func:`venturesim.funding.rounds.months_to_close`); ``to_window``: months from t + 1 until the next round,
    which cannot start yet, could close (:func:`venturesim.funding.rounds.months_to_window`)."""
    hooks = team_hooks(params, xp.minimum(t + 1, params.company.other_costs.shape[-1] - 1), xp, row)
    customers, round_closed = xp.sum(end.customers, axis=-1), end.financing > 0
    multiple = xp.inf if pace is None else burn_multiple(pace[0], pace[1], xp=xp)
    return TeamSignals(
        end.runway,
        customers,
        12.0 * end.flows.new_mrr,
        round_failed,
        round_closed,
        raising,
        **hooks,
        net_burn=end.accounts.net_burn,
        margin=operating_margin(end.record["revenue"], end.accounts.net_burn, xp=xp),
        burn_multiple=multiple,
        to_close=to_close,
        to_window=to_window,
    )


def note_pace(funding, arr_before, end: MonthEnd, xp):
    """(n̄, b̄) of the funding state after month t's close (:func:`venturesim.funding.traction.update_pace`):
    the month's net new ARR (``end.arr`` − ``arr_before``, USD) and net burn, on paths alive at its end. The
    engines note them before the rounds that start at the month's end (their momentum and amount)."""
    return update_pace(
        funding.new_arr_pace, funding.burn_pace, end.arr - arr_before, end.accounts.net_burn, end.alive, xp=xp
    )


def close_month(d: Driver, params, t, alive, cash) -> MonthEnd:
    """Month t of every path (``alive``: at the month's start; ``cash``: USD at its start)."""
    xp, row, hooks = d.xp, d.row, params.risks.hooks
    keep = getattr(d, "keep", None)  # the record's names the engine needs (None: all)
    product = d.product(t)
    training, gap, cost_per_token = product.training_spend, product.quality_gap, product.cost_per_token
    migration = xp.where(alive, product.migration_cost, 0.0)  # a vendor's deprecation: forced migration, USD
    line = xp.where(alive, month_of(params.company.compute, t, -1), 0.0)
    training = xp.where(alive, training, 0.0)
    partner = d.partners(t, alive, line + training)
    team = d.team(t, alive)  # first: this month's FTE act on this month's market (team.capacity_effects)
    gap = gap + partner.loss_reduction
    if team.engineering_gain is not None:
        gap = gap + team.engineering_gain
    p, effects, m = params.product, params.team.capacity, params.market  # capacity: None fields, no such effect
    quality = quality_effect(
        gap, p.adoption_elasticity, p.churn_elasticity, p.price_elasticity, p.quality_max_multiplier, xp=xp
    )
    limits = MarketLimits(
        deal_cap=team.deal_capacity,
        support_capacity=team.support_capacity,
        support_elasticity=effects.support_elasticity,
        support_max_multiplier=effects.support_max_multiplier,
        exit_churn=partner.exit_churn if params.partnerships.start.shape[-1] else None,
        funded=market_funded(params.market.open_after, d.status_seen, xp),
    )
    market = m._replace(  # risk hooks on Bass p and q; partners lift p
        p_monthly=adjust(hooks.market_p, m.p_monthly, t, 0.0, xp=xp, row=row),
        q_monthly=adjust(hooks.market_q, m.q_monthly, t, 0.0, xp=xp, row=row),
        partner=m.partner * partner.adoption_multiplier,
        # the growth policy scales the channel budgets (team.policy); (…,) → (…, 1, 1)
        channel_budget=m.channel_budget * xp.asarray(team.growth_scale)[..., None, None],
    )
    flows, customers = d.market(t, alive, market, quality, limits)
    customers = xp.where(flows.segment_open, customers, 0.0)  # a segment not yet open: its customers wait for it
    inflow, booked = d.rounds(t, alive)
    debt, grants = d.debt(t, alive)
    inflow = inflow + xp.sum(debt.drawn, axis=-1) + grants
    partner_share = revenue_share_amount(partner, flows.revenue_by_segment, xp=xp)
    ledger = Ledger(
        revenue=flows.revenue - partner_share,
        gross_revenue=flows.revenue,
        people=team.cost,
        compute=line + training - partner.compute_credit_used,
        other=xp.where(alive, params.company.other_costs[..., t], 0.0) + migration,
        acquisition=flows.acquisition_spend + flows.entry_cost,
        partnership=partner.cost,
        cost_of_revenue_rate=m.cost_of_revenue,
        tokens=flows.tokens,
        cost_per_token=cost_per_token,
        support=flows.support_cost,
        interest=xp.sum(debt.interest, axis=-1) + debt.notes_interest,
        principal=xp.sum(debt.principal, axis=-1) + debt.notes_principal,
        financing=inflow,
    )
    accounts = close_accounts(alive, cash, ledger, d.funding.debt_balance, params.funding.debt_min_cash, xp=xp)
    arr = annual_run_rate(ledger.revenue, accounts.survived, xp=xp)
    exited = d.settle(t, alive, accounts, arr, team.headcount)
    alive_next = accounts.survived & ~exited
    runway_ = runway(accounts.cash, accounts.net_burn, alive_next, xp=xp)
    financing = inflow if booked is None else booked + inflow
    record = month_record(
        alive_next,
        alive,
        accounts,
        ledger,
        arr,
        runway_,
        team,
        flows,
        partner,
        training=training,
        gap=gap,
        partner_share=partner_share,
        partner_concentration=d.concentration(t, alive, partner, flows.revenue_by_segment),
        risk_costs=month_of(params.risks.added_costs, t, -1) + migration,
        financing=financing,
        grants=grants,
        debt_balance=d.funding.debt_balance,
        customers=customers,
        founder_ownership=d.funding.founder_ownership,
        rounds_closed=xp.sum(d.funding.status == CLOSED, axis=-1),
        xp=xp,
        keep=keep,
    )
    if keep is None or not keep.isdisjoint(FOOTPRINT):
        record.update(
            footprint(alive, product.training_energy, flows.tokens, product.energy_per_token, p.grid_intensity, xp=xp)
        )
    return MonthEnd(record, accounts, alive_next, exited, arr, runway_, financing, flows, team, customers)


def final_results(funding, partners, params, cash, arr, runway, death_month, xp, *, runs) -> dict:
    """Per-path results at the horizon, whatever the metrics chosen (the Result's ``final_*``, round, exit,
    risk, partner and training-run variables): ``funding`` and ``partners`` (their concentration fields) after
    the last month; ``runs``: the training runs' ``start`` and ``end`` (…, R_runs) months; round, risk,
    partner and run entries (…, R), (…, K, E), (…, P) and (…, R_runs); USD, months (−1: no such month)."""
    founder_proceeds, round_proceeds = exit_proceeds(funding, params.funding, xp=xp)
    months = params.company.other_costs.shape[-1]
    last = xp.where(death_month >= 0, death_month, xp.where(funding.exit_month >= 0, funding.exit_month, -1))
    return {
        "cash": cash,
        "arr": arr,
        "runway": runway,
        "death_month": death_month,
        "founder_ownership": funding.founder_ownership,
        "round_status": funding.status,
        "round_close_month": funding.close_month,
        "round_pre_money": funding.closed_pre_money,  # NaN: not closed
        "round_amount": funding.round_amount,  # each round's amount at its latest attempt's price
        "round_attempts": funding.attempts,  # failed attempts (a death's cause, venturesim.funding.causes)
        "round_ownership": funding.investor_ownership,  # each round's investors' fraction (a SAFE's or note's interim)
        "exit_kind": funding.exit_kind,  # index into funding.terms.EXIT_KINDS
        "exit_month": funding.exit_month,
        "exit_value": funding.exit_value,
        "exit_debt": funding.exit_debt,  # venture debt outstanding at the exit or death, USD
        "founder_proceeds": founder_proceeds,  # from the waterfall at the exit
        "round_proceeds": round_proceeds,  # to each round's investors
        "risk_time": params.risks.time,  # +inf: no event
        "risk_severity": params.risks.severity,
        "partner_concentration_month": partners.concentrated_month,  # first month over the limit
        "partner_concentration_share": partners.concentrated_share,  # the partner's share of revenue then
        "run_spend": run_spend(runs.start, runs.end, params.product, last, months, xp=xp),  # USD per run
    }
