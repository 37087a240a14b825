"""The discrete-event engine: each path as a SimPy simulation with an event log.

The same model as the JAX engine (:mod:`venturesim.engine.jax_engine`), run
event by event for the audit trail a founder can read. Per path, one
``simpy.Environment`` runs

* the **month-end** process (billing and payroll): at time t + 1 it closes
  month t exactly as the JAX ``step`` does — the team's month (whose
  capacity effects act on this month's market), market (churn, Bass adoption,
  revenue), costs, the cash identity, death, runway — logs a routine
  ``month-end`` event and starts a round whose trigger is met;
* the **team** (:mod:`venturesim.team.process`): a planned role logs each
  hire and departure at the start of its month; a role with a hiring
  pipeline runs one process per requisition (source → interview → offer →
  accept/decline → start → ramp), departures at exponential times, and
  layoffs; payroll is closed at each month end (``team_month``);
* one **fundraise** process per round attempt (:mod:`venturesim.funding.process`),
  whose money arrives at its exact resolution time (a SAFE, a priced round
  converting the SAFEs, or, on a failure, the insiders' bridge); venture debt
  and grants are settled at the month end (:mod:`venturesim.funding.debt`);
* one **partnership** process per partner (search → negotiation → signed
  or not → active → terminated; :mod:`venturesim.partnerships.process`);
* the **risk events**, each logged at its exact time
  (:mod:`venturesim.risks.process`; their impacts are in the drawn Params,
  so both engines see the same events);
* one **training job** per run on the product roadmap, queueing for the
  cluster's slots (a ``simpy.Resource``; :mod:`venturesim.model_costs.process`),
  with interruptions, restarts, failure and release. The log's
  ``training_queue`` and ``accelerators_busy`` columns give the queue length
  and busy slots, so ``Result.time_weighted`` yields their time averages
  (utilisation = busy slots / slots).

Month-end events are scheduled URGENT, so an attempt resolving exactly at a
month boundary t + 1 belongs to month t + 1, as in the JAX engine.

Inputs are the same Params as the JAX engine (``sample``); process noise comes
from a NumPy generator per path seeded by ``SeedSequence([seed, path])``, so
every path's story is the same whatever the number of workers. Paths are
split across processes with Dask (a ``LocalCluster`` by default, or an
existing scheduler's address).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import jax
import numpy as np
import simpy

from venturesim import _streams as streams
from venturesim._draws import GeneratorDraws, ReplayBlock, ReplayDraws
from venturesim._simpy import month_end_tick
from venturesim.engine.jax_engine import BLOCK
from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.engine.month_close import annual_run_rate, close_accounts, dead_record, month_record, runway
from venturesim.engine.params import Params, sample_with_draws
from venturesim.funding.causes import death_cause, describe
from venturesim.funding.debt import step_debt
from venturesim.funding.exits import exit_proceeds
from venturesim.funding.process import fundraise, month_end_exit, rounds_to_start
from venturesim.funding.rounds import CLOSED, RAISING, WAITING
from venturesim.funding.terms import NO_EXIT
from venturesim.market.process import MarketBook, market_month
from venturesim.market.step import MarketLimits, quality_effect
from venturesim.model_costs.process import product_month_des, start_training
from venturesim.partnerships.process import PartnerBook, partner_month_des, start_partnerships
from venturesim.partnerships.step import note_concentration
from venturesim.partnerships.terms import PartnerMonth, concentration, revenue_share_amount
from venturesim.risks.apply import adjust
from venturesim.risks.process import risk_events
from venturesim.scenario.schema import Scenario
from venturesim.team.process import TeamLedger, des_signals, start_team, team_month

EVENT_COLUMNS = [
    "time",
    "path",
    "process",
    "kind",
    "details",
    "cause",
    "cash",
    "arr",
    "headcount",
    "training_queue",
    "accelerators_busy",
]


@dataclass
class Company:
    """One path's mutable state in the DES."""

    path: int
    cash: float
    founder_ownership: float
    other_ownership: float
    pool_ownership: float
    customers: np.ndarray
    adopters: np.ndarray
    status: np.ndarray
    attempts: np.ndarray
    next_try: np.ndarray
    close_month: np.ndarray
    investor_ownership: np.ndarray
    closed_pre_money: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray
    run_release: np.ndarray
    outstanding: np.ndarray
    debt_balance: np.ndarray
    debt_drawn_at: np.ndarray
    env: simpy.Environment = field(init=False)  # set (with ended, team, partner_book) by run_path
    ended: simpy.Event = field(init=False)
    alive: bool = True
    death_month: int = -1
    arr: float = 0.0
    headcount: float = 0.0
    financing_this_month: float = 0.0
    exit_kind: int = NO_EXIT
    exit_month: float = -1.0
    exit_value: float = 0.0
    exit_debt: float = 0.0
    concentrated_month: np.ndarray | None = None
    concentrated_share: np.ndarray | None = None
    training_queue: int = 0
    accelerators_busy: int = 0
    events: list = field(default_factory=list)
    team: TeamLedger = field(init=False)
    market_book: MarketBook | None = None
    partner_book: PartnerBook = field(init=False)

    def log(self, process: str, kind: str, details: str, cause: str | None = None) -> None:
        """Append an event with the state after it (``cause``: a death's code, :mod:`venturesim.funding.causes`)."""
        self.events.append(
            (
                self.env.now,
                self.path,
                process,
                kind,
                details,
                cause,
                self.cash,
                self.arr,
                self.headcount,
                self.training_queue,
                self.accelerators_busy,
            )
        )


def _row(params: Params, i: int) -> Params:
    return jax.tree_util.tree_map(lambda a: np.asarray(a[i], np.float64), params)


def run_path(
    params: Params,
    path: int,
    months: int,
    seed: int,
    round_names: list[str],
    role_names: list[str],
    run_names: Sequence[str] = (),
    partner_names: Sequence[str] = (),
    risks: tuple = (),
    debt_names: Sequence[str] = (),
    draws=None,
):
    """Simulate one path (``params`` holds that path's row). Returns (records, final, events).

    ``draws``: where the random numbers come from (:mod:`venturesim._draws`); None: the path's own NumPy
    generators, :class:`~venturesim._draws.GeneratorDraws`.
    """
    if draws is None:
        draws = GeneratorDraws(
            np.random.default_rng(np.random.SeedSequence([seed, streams.PROCESS, path])),
            np.random.default_rng(np.random.SeedSequence([seed, streams.PROCESS, path, streams.DES_TEAM])),
        )
    m = params.market
    n_rounds = len(round_names)
    company = Company(
        path=path,
        cash=float(params.company.initial_cash),
        founder_ownership=float(params.company.founder_ownership),
        other_ownership=1.0 - float(params.company.founder_ownership) - float(params.company.option_pool),
        pool_ownership=float(params.company.option_pool),
        customers=m.initial_customers.copy(),
        adopters=m.initial_customers.copy(),
        status=np.full(n_rounds, WAITING),
        attempts=np.zeros(n_rounds),
        next_try=np.zeros(n_rounds),
        close_month=np.full(n_rounds, -1.0),
        investor_ownership=np.zeros(n_rounds),
        closed_pre_money=np.full(n_rounds, np.nan),
        run_start=np.full(len(run_names), np.inf),
        run_end=np.full(len(run_names), np.inf),
        run_release=np.full(len(run_names), np.inf),
        outstanding=np.zeros(n_rounds, bool),
        debt_balance=np.zeros(len(params.funding.debt_amount)),
        debt_drawn_at=np.full(len(params.funding.debt_amount), -1.0),
    )
    env = simpy.Environment()
    company.env = env
    company.ended = env.event()
    records: dict[str, list] = {name: [] for name in MONTHLY_METRICS}
    start_team(env, company, params.team, list(role_names), months, draws)
    company.team.signals = des_signals(**_team_hooks(params, 0))
    start_training(env, company, params.product, list(run_names), draws)
    company.partner_book = start_partnerships(env, company, params.partnerships, list(partner_names))
    company.concentrated_month = np.full(len(partner_names), -1.0)
    company.concentrated_share = np.zeros(len(partner_names))
    if risks:
        r = params.risks
        env.process(risk_events(env, company, risks, r.time, r.severity, r.value, r.occurs))
    env.process(
        _month_ends(env, company, params, months, draws, round_names, records, list(debt_names), list(partner_names))
    )
    env.run(until=months + 0.5)
    founder_proceeds, round_proceeds = exit_proceeds(company, params.funding, xp=np)
    final = {
        "cash": company.cash,
        "arr": company.arr,
        "runway": records["runway"][-1],
        "death_month": company.death_month,
        "founder_ownership": company.founder_ownership,
        "round_status": company.status.copy(),
        "round_close_month": company.close_month.copy(),
        "round_pre_money": company.closed_pre_money.copy(),
        "round_amount": params.funding.amount.copy(),
        "exit_kind": company.exit_kind,
        "exit_month": company.exit_month,
        "exit_value": company.exit_value,
        "founder_proceeds": float(founder_proceeds),
        "round_proceeds": round_proceeds,
        "risk_time": params.risks.time.copy(),
        "risk_severity": params.risks.severity.copy(),
        "partner_concentration_month": company.concentrated_month.copy(),
        "partner_concentration_share": company.concentrated_share.copy(),
    }
    return {k: np.asarray(v) for k, v in records.items()}, final, company.events


@functools.lru_cache(maxsize=16)
def _no_partner(segments: int) -> PartnerMonth:
    """A month without partners: no effect (the DES's fast path; the JAX kernel computes the same)."""
    zeros = np.zeros(segments)
    return PartnerMonth(
        weight=np.zeros(0),
        adoption_multiplier=zeros + 1.0,
        revenue_share=zeros,
        compute_credit_used=0.0,
        loss_reduction=0.0,
        cost=0.0,
        exit_churn=zeros,
        active=0.0,
    )


def _concentration(company: Company, partner: PartnerMonth, params, revenue_by_segment, t: int, names) -> float:
    """The largest share of revenue one partner brought in month t (0 without partners); records and logs a
    partner's first month over its limit (:func:`venturesim.partnerships.step.note_concentration`)."""
    if not len(params.start):
        return 0.0
    rows = type(params)(*(np.asarray(a)[None] for a in params))
    month = type(partner)(*(np.asarray(v)[None] for v in partner))
    share, over = concentration(month, rows, np.asarray(revenue_by_segment)[None])
    company.concentrated_month, company.concentrated_share, first = note_concentration(
        company.concentrated_month, company.concentrated_share, share[0], over[0], float(t), np.asarray(True), xp=np
    )
    for i in np.flatnonzero(first):
        company.log(
            "partnerships",
            "concentration",
            f"{names[i]} brought {share[0, i]:.0%} of revenue in month {t}, "
            f"over its limit of {float(params.concentration_limit[i]):.0%}: a concentration risk",
        )
    return float(np.max(share[0], initial=0.0))


def _team_hooks(params: Params, t: int) -> dict:
    """The risks' multipliers of attrition and productivity for month t (one path's row)."""
    hooks = params.risks.hooks
    return {
        "attrition_scale": float(adjust(hooks.team_attrition, 1.0, t, 0.0, row=True)),
        "productivity": float(adjust(hooks.team_productivity, 1.0, t, 0.0, row=True)),
    }


def _month_ends(
    env, company: Company, params: Params, months: int, rng, round_names, records, debt_names=(), partner_names=()
):
    """Close each month at time t + 1, as the JAX engine's step does."""
    m, f, p, hooks = params.market, params.funding, params.product, params.risks.hooks
    attempts_seen = company.attempts.copy()  # failed attempts at the last month end (the team's stress signal)
    for t in range(months):
        yield month_end_tick(env)
        if not company.alive:  # dead or exited: frozen, no more flows
            frozen = dead_record(
                company.cash, company.founder_ownership, int(np.sum(company.status == CLOSED)), len(company.customers)
            )
            for name in records:
                records[name].append(frozen.get(name, 0.0))
            continue
        training, gap, _, cost_per_token = product_month_des(company, p, t)
        line = params.company.compute[t]
        partner = (
            partner_month_des(company.partner_book, params.partnerships, t, company.alive, line + training)
            if len(params.partnerships.start)
            else _no_partner(len(company.customers))
        )
        gap += float(partner.loss_reduction)
        team = team_month(company, params.team, t)  # first: this month's FTE act on this month's market
        if team.engineering_gain is not None:
            gap += team.engineering_gain
        quality = quality_effect(
            gap, p.adoption_elasticity, p.churn_elasticity, p.price_elasticity, p.quality_max_multiplier, xp=np
        )
        effects = params.team.capacity  # None fields: no such effect
        limits = MarketLimits(
            deal_cap=team.deal_capacity,
            support_capacity=team.support_capacity,
            support_elasticity=effects.support_elasticity,
            support_max_multiplier=effects.support_max_multiplier,
            exit_churn=partner.exit_churn if len(params.partnerships.start) else None,
        )
        market_row = m._replace(
            p_monthly=adjust(hooks.market_p, m.p_monthly, t, 0.0, row=True),
            q_monthly=adjust(hooks.market_q, m.q_monthly, t, 0.0, row=True),
            partner=m.partner * partner.adoption_multiplier,
        )
        month = market_month(
            rng, company.customers, company.adopters, market_row, t, quality, company.market_book, limits
        )
        (customers, adopters, _new, _churned, gross, tokens), company.market_book = month[:6], month.book
        flows = month.flows
        company.customers, company.adopters = customers, adopters
        partner_share = float(revenue_share_amount(partner, flows.revenue_by_segment))
        revenue = gross - partner_share
        debt, grants = _debt_month(company, f, t, debt_names)
        interest, principal = float(np.sum(debt.interest)), float(np.sum(debt.principal))
        other = params.company.other_costs[t]
        compute = line + training - float(partner.compute_credit_used)
        drawn = float(np.sum(debt.drawn)) + grants
        accounts = close_accounts(
            True,
            company.cash,
            revenue,
            gross,
            team.cost,
            compute,
            other,
            float(flows.acquisition_spend + flows.entry_cost),
            float(partner.cost),
            m.cost_of_revenue,
            tokens,
            cost_per_token,
            float(flows.support_cost),
            interest,
            principal,
            drawn,
            company.debt_balance,
            f.debt_min_cash,
        )  # the rounds' money is in the cash already, booked when each closed
        company.cash, company.debt_balance = float(accounts.cash), accounts.debt_balance
        if accounts.loan_called:
            company.log("debt", "loan called", f"cash below the covenant: ${float(accounts.debt_called):,.0f} repaid")
        financing, company.financing_this_month = company.financing_this_month + drawn, 0.0
        died = not accounts.survived
        cause = (
            death_cause(company.status, company.attempts, f.bridge_of, company.debt_balance, round_names)
            if died
            else None
        )  # before the shutdown repays the debt
        company.arr = float(annual_run_rate(revenue, not died))
        exited = month_end_exit(company, f, t, died, team.headcount, rng)
        if exited:  # sold or listed: the path's flows end, without a death
            company.arr = 0.0
        alive = not (died or exited)
        runway_ = float(runway(company.cash, accounts.net_burn, alive))
        concentration_ = _concentration(
            company, partner, params.partnerships, flows.revenue_by_segment, t, partner_names
        )
        record = month_record(
            alive,
            True,
            accounts,
            revenue,
            company.arr,
            runway_,
            team,
            flows,
            partner,
            compute=compute,
            training=training,
            gap=gap,
            partner_share=partner_share,
            partner_concentration=concentration_,
            risk_costs=params.risks.added_costs[t],
            other=other,
            financing=financing,
            grants=grants,
            interest=interest,
            principal=principal,
            debt_balance=company.debt_balance,
            customers=customers,
            founder_ownership=company.founder_ownership,
            rounds_closed=int(np.sum(company.status == CLOSED)),
        )
        for name, value in record.items():
            records[name].append(value)
        company.log(
            "accounts",
            "month-end",
            f"month {t} closed: revenue ${revenue:,.0f}, costs ${float(accounts.costs):,.0f}, "
            f"financing ${financing:,.0f}, {customers.sum():,.0f} customers",
        )
        if died:
            assert cause is not None  # found above for every death
            company.alive, company.death_month, company.headcount = False, t, 0.0
            company.log("company", "death", f"ran out of cash (${company.cash:,.0f}): {describe(cause)}", cause)
            company.ended.succeed("died")
            continue
        if exited:
            company.alive, company.headcount = False, 0.0
            company.ended.succeed("exited")
            continue
        starting = rounds_to_start(company, f, t + 1.0, runway_)
        for r in starting:
            env.process(fundraise(env, company, round_names, f, int(r), rng, runway_, hooks.funding_success))
        new_arr = 12.0 * float(flows.new_mrr)
        company.team.signals = des_signals(
            runway_,
            customers.sum(),
            new_arr,
            bool(np.any(company.attempts > attempts_seen)),
            financing > 0,
            len(starting) > 0 or bool(np.any(company.status == RAISING)),
            **_team_hooks(params, min(t + 1, months - 1)),
        )
        attempts_seen = company.attempts.copy()


def _debt_month(company: Company, f, t: int, names=()):
    """Month t's venture debt and grants (:func:`venturesim.funding.debt.step_debt`), with the draws logged."""
    update, debt, grants = step_debt(company, f, float(t), True)
    for name, value in update._asdict().items():
        setattr(company, name, value)
    for d in np.flatnonzero(debt.drawn > 0):
        name = names[d] if d < len(names) else f"loan {d}"
        company.log("debt", "drawn", f"{name}: ${float(debt.drawn[d]):,.0f} drawn")
    return debt, float(grants)


def run_paths(
    scenario: Scenario,
    start: int,
    stop: int,
    *,
    seed: int,
    months: int,
    metrics=tuple(MONTHLY_METRICS),
    replay: int | None = None,
    replay_blocks: dict | None = None,
):
    """Simulate paths [start, stop) in this process (a unit of parallel work); keep only ``metrics``.

    ``replay``: the number of paths of a JAX run to replay: each path is driven by the kernel's draws for it
    in that run (:class:`venturesim._draws.ReplayDraws`) instead of its own generators, so its records are
    the JAX engine's (the end-to-end test of the drivers, ``tests/engine/test_same_uniforms.py``).
    ``replay_blocks``: a dict to keep the replayed blocks in (block index → :class:`~venturesim._draws.ReplayBlock`,
    whose ``ties`` name the months a path's counts were decided within float32 error).
    """
    blocks = {} if replay_blocks is None else replay_blocks
    key = jax.random.fold_in(jax.random.key(seed), streams.PARAMS)
    params, draws = sample_with_draws(scenario, key, months=months, path_index=np.arange(start, stop))
    round_names = scenario.funding.class_names()
    role_names = [role.name for role in scenario.team.roles]
    partner_names = [p.name for p in scenario.partnerships.partners] if scenario.partnerships else []
    run_names = [r.name for r in scenario.product.training_runs] if scenario.product else []
    out = []
    for i in range(stop - start):
        records, final, events = run_path(
            _row(params, i),
            start + i,
            months,
            seed,
            round_names,
            role_names,
            run_names,
            partner_names,
            scenario.risks.risks,
            [d.name for d in scenario.funding.venture_debt],
            _replay(scenario, seed, months, start + i, _row(params, i), replay, blocks) if replay else None,
        )
        out.append(({m: records[m] for m in metrics}, final, events))
    return out, draws


def _replay(scenario: Scenario, seed: int, months: int, path: int, row: Params, paths: int, blocks: dict):
    """Path ``path``'s :class:`~venturesim._draws.ReplayDraws` in a JAX run of ``paths`` paths (``blocks``:
    the blocks' :class:`~venturesim._draws.ReplayBlock` so far). The kernel pads the last block with copies of
    the last path, and a training run's interruption counts depend on the whole block's rates, so those are
    sampled as the kernel's block has them."""
    b, lane = divmod(path, BLOCK)
    if b not in blocks:
        rates = None
        if row.product.work.shape[-1]:
            key = jax.random.fold_in(jax.random.key(seed), streams.PARAMS)
            index = np.minimum(np.arange(b * BLOCK, (b + 1) * BLOCK), paths - 1)
            block, _ = sample_with_draws(scenario, key, months=months, path_index=index)
            rates = block.product.interrupt_rate * block.product.work
        blocks[b] = ReplayBlock(seed, b, BLOCK, rates)
    return ReplayDraws(blocks[b], lane, row)
