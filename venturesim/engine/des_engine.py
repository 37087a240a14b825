"""The discrete-event engine: each path as a SimPy simulation with an event log.

The same model as the JAX engine, run event by event for the audit trail a
founder can read (docs/engines.md). Per path, one ``simpy.Environment`` runs
the **month end** at each t + 1, which closes month t with the month shared
with the JAX engine (:func:`venturesim.engine.month.close_month`, driven by
:class:`PathMonth`), logs it and starts the rounds whose trigger is met; the
domains' processes: the team's hires, requisitions, departures and layoffs
(:mod:`venturesim.team.process`), one **fundraise** process per attempt, whose
money arrives at its exact time (:mod:`venturesim.funding.process`), one per
partner (:mod:`venturesim.partnerships.process`), the risk events at their
times (:mod:`venturesim.risks.process`) and one training job per run queueing
for the cluster (:mod:`venturesim.model_costs.process`). Each domain keeps its
state in its own part of the :class:`Company` (:class:`venturesim._simpy.Path`).

Month-end events are scheduled URGENT, so an attempt resolving exactly at a
month boundary t + 1 belongs to month t + 1, as in the JAX engine.

Inputs are the same Params as the JAX engine (``sample``); process noise comes
from a NumPy generator per path seeded by ``SeedSequence([seed, path])``, so
every path's story is the same whatever the number of workers. Paths are
split across processes with Dask (a ``LocalCluster`` by default, or an
existing scheduler's address).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import jax
import numpy as np
import simpy

from venturesim import _streams as streams
from venturesim._draws import GeneratorDraws, ReplayBlock, ReplayDraws
from venturesim._simpy import month_end_tick, trigger_now
from venturesim.engine.jax_engine import BLOCK
from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.engine.month import (
    close_month,
    failed_unbridged,
    final_results,
    next_signals,
    note_pace,
    sale_on_failure,
    team_hooks,
)
from venturesim.engine.month_close import dead_record
from venturesim.engine.params import Params, sample_with_draws
from venturesim.funding.causes import death_cause, describe
from venturesim.funding.debt import DebtMonth, grant_inflow, step_debt
from venturesim.funding.instruments import NOTE, note_grants, step_notes
from venturesim.funding.process import FundingBook, fundraise, month_end_exit
from venturesim.funding.rounds import CLOSED, RAISING, months_to_close, months_to_window, start_due
from venturesim.funding.traction import growth_multiple
from venturesim.market import _checks
from venturesim.market.process import MarketPosition, market_month
from venturesim.model_costs.month_rules import ProductMonth
from venturesim.model_costs.process import TrainingBook, start_training
from venturesim.model_costs.step import month_figures
from venturesim.partnerships.process import PartnerBook, partner_month_des, start_partnerships
from venturesim.partnerships.step import note_concentration
from venturesim.partnerships.terms import concentration
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
    """One path in the DES (:class:`venturesim._simpy.Path`): what every process may read, the event log, and
    each domain's own state, written by its process module and the month end."""

    path: int
    cash: float
    funding: FundingBook  # rounds, the cap table, loans, the exit (funding.process)
    market: MarketPosition  # customers, adopters and the market's book (market.process)
    env: simpy.Environment = field(init=False)  # set (with ended) by run_path
    ended: simpy.Event = field(init=False)
    team: TeamLedger = field(init=False)  # the people and requisitions (team.process.start_team)
    training: TrainingBook = field(init=False)  # the runs and the cluster (model_costs.process.start_training)
    partners: PartnerBook = field(init=False)  # (partnerships.process.start_partnerships)
    alive: bool = True
    death_month: int = -1
    cause: str = ""  # a death's code (venturesim.funding.causes), found at the close
    arr: float = 0.0
    headcount: float = 0.0
    events: list = field(default_factory=list)

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
                self.training.queued,
                self.training.busy,
            )
        )


class PathMonth:
    """The DES driver of :func:`venturesim.engine.month.close_month`: one path's domains (floats and rows, NumPy)
    on the company's state, with its generator, processes and event log."""

    xp, row = np, True

    def __init__(
        self, company: Company, params: Params, rng, round_names, debt_names, partner_names, keep=None, product=None
    ):
        self.company, self.params, self.rng = company, params, rng
        self.product_months = product  # (months,) ProductMonth of floats, given when the path has no training run
        self.keep = None if keep is None else frozenset(keep) | {"revenue"}  # the record's names to compute
        self.round_names, self.debt_names, self.partner_names = list(round_names), list(debt_names), partner_names
        # the funding at the last month end: a failed attempt since, not bridged, may end in a sale (team.policy)
        self.attempts_seen, self.status_seen = company.funding.attempts.copy(), company.funding.status.copy()
        # the domains a scenario does not have, decided once: their months are constants (the same numbers)
        f = params.funding
        self.no_partners = params.partnerships.start.shape[-1] == 0
        self.no_loans = f.debt_amount.shape[-1] == 0
        self.no_notes = not bool(np.any(f.kind == NOTE))
        self.no_grants = f.grant_month.shape[-1] == 0
        self._partner_month = None  # with no partners: month 0's, every month's
        if self.no_loans:  # no facility: nothing drawn, serviced or issued as warrants
            empty = np.zeros(0)
            self._no_debt = DebtMonth(empty, empty, empty, empty, empty, 0.0, 0.0, 0.0)

    @property
    def funding(self) -> FundingBook:
        return self.company.funding

    def product(self, t):
        if self.product_months is not None:  # no training run: each month's figures were computed for the batch
            return self.product_months[t]
        runs = self.company.training  # a run still training counts to the month end
        month = month_figures(runs.start, runs.end, runs.release, self.params.product, t)
        return type(month)(*(float(x) for x in month))

    def partners(self, t, alive, compute_spend):
        c = self.company
        if self.no_partners and self._partner_month is not None:  # no partner: the same month every month
            return self._partner_month
        month = partner_month_des(c.partners, self.params.partnerships, t, c.alive, compute_spend)
        if self.no_partners:
            self._partner_month = month
        return month

    def team(self, t, alive):
        self.team_month = team_month(self.company, self.params.team, t)
        return self.team_month

    def market(self, t, alive, market, quality, limits):
        m = self.company.market
        month = market_month(self.rng, m.customers, m.adopters, market, t, quality, m.book, limits)
        m.customers, m.adopters, m.book = month.customers, month.adopters, month.book
        return month.flows, month.customers

    def rounds(self, t, alive):
        """Nothing to add: each round's money was booked at its closing time."""
        f = self.company.funding
        booked, f.booked = f.booked, 0.0
        return 0.0, booked

    def debt(self, t, alive):
        c = self.company
        if self.no_loans:  # no facility: its month is nothing (no warrants: the holders as they are)
            f = self.params.funding
            grants = 0.0 if self.no_grants else grant_inflow(f.grant_month, f.grant_amount, float(t), True)
            return self._notes(t, self._no_debt, grants)
        update, debt, grants = step_debt(c.funding, self.params.funding, float(t), True)
        for name, value in update._asdict().items():
            setattr(c.funding, name, value)
        for d in np.flatnonzero(debt.drawn > 0):
            name = self.debt_names[d] if d < len(self.debt_names) else f"loan {d}"
            c.log("debt", "drawn", f"{name}: ${float(debt.drawn[d]):,.0f} drawn")
        return self._notes(t, debt, grants)

    def _notes(self, t, debt, grants):
        """The instruments' month after the debt's (:func:`venturesim.funding.instruments.step_notes`)."""
        c = self.company
        net_granted = float(self.team_month.equity_granted) - float(self.team_month.equity_returned)
        if self.no_notes:  # none matures: only the team's grants are noted (the holders keep their fractions)
            b = c.funding
            if net_granted != 0.0 or b.pool_granted != 0.0:  # (nothing granted and nothing to note: γ stays 0)
                b.pool_granted = note_grants(
                    b.pool_granted, b.pool_ownership, b.founder_ownership, b.founders_at_start, net_granted
                )
            return debt._replace(notes_interest=0.0, notes_principal=0.0), float(grants)
        fields, notes = step_notes(c.funding, self.params.funding, float(t), True, net_granted)
        for name, value in fields.items():
            setattr(c.funding, name, value)
        for r in np.flatnonzero(notes.converted | notes.repaid):
            how = "converted at its cap price" if notes.converted[r] else "repaid"
            c.log("fundraising", "note matured", f"{self.round_names[r]}: note matured and {how}")
        return debt._replace(notes_interest=float(notes.interest), notes_principal=float(notes.principal)), float(
            grants
        )

    def settle(self, t, alive, accounts, arr, headcount):
        c = self.company
        c.cash, c.funding.debt_balance = float(accounts.cash), accounts.debt_balance
        if accounts.loan_called:
            c.log("debt", "loan called", f"cash below the covenant: ${float(accounts.debt_called):,.0f} repaid")
        died, f = not accounts.survived, self.params.funding
        if died:  # before the shutdown repays the debt
            b = c.funding
            c.cause = death_cause(b.status, b.attempts, f.bridge_of, b.debt_balance, self.round_names)
        c.arr = float(arr)
        b = c.funding
        failed = failed_unbridged(self.attempts_seen, b.attempts, self.status_seen, b.status, np)
        sale = sale_on_failure(self.params, failed, float(arr), float(accounts.cash), b.new_arr_pace, np)
        exited = month_end_exit(c, f, t, died, float(headcount), self.rng, sale=sale)
        if exited:  # sold or listed: the path's flows end, without a death
            c.arr = 0.0
        return np.bool_(exited)

    def concentration(self, t, alive, partner, revenue_by_segment) -> float:
        """Logs a partner's first month over its limit (:func:`venturesim.partnerships.step.note_concentration`)."""
        if self.no_partners:
            return 0.0
        c = self.company
        params, book = self.params.partnerships, c.partners
        share, over = concentration(partner, params, revenue_by_segment)
        book.concentrated_month, book.concentrated_share, first = note_concentration(
            book.concentrated_month, book.concentrated_share, share, over, float(t), np.asarray(True), xp=np
        )
        for i in np.flatnonzero(first):
            c.log(
                "partnerships",
                "concentration",
                f"{self.partner_names[i]} brought {share[i]:.0%} of revenue in month {t}, "
                f"over its limit of {float(params.concentration_limit[i]):.0%}: a concentration risk",
            )
        return float(np.max(share, initial=0.0))


def _row(params: Params, i: int) -> Params:
    """Path i's Params: (…) float64 arrays, a scalar leaf as a NumPy float64 scalar (not a 0-d array: the same
    arithmetic, several times faster on one number)."""

    def leaf(a):
        a = np.asarray(a[i], np.float64)
        return a[()] if a.ndim == 0 else a

    return jax.tree_util.tree_map(leaf, params)


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
    watch=None,
    metrics=None,
    product=None,
):
    """Simulate one path (``params`` holds that path's row). Returns (records, final, events).

    ``metrics``: the monthly metrics to record (None: all of :data:`MONTHLY_METRICS`; ``runway`` is always
    recorded, as the final results need it). ``product``: with no training run, each month's
    :class:`~venturesim.model_costs.month_rules.ProductMonth` (floats; :func:`_product_months`), else None.

    ``draws``: where the random numbers come from (:mod:`venturesim._draws`); None: the path's own NumPy
    generators, :class:`~venturesim._draws.GeneratorDraws`. ``watch(t, company)``, if given, is called
    after each month end t (0 … months − 1) with the :class:`Company`: it reads the state the records
    do not keep (the cap table, for :mod:`venturesim.report.captable`) and must not change it.
    """
    if draws is None:
        draws = GeneratorDraws(
            np.random.default_rng(np.random.SeedSequence([seed, streams.PROCESS, path])),
            np.random.default_rng(np.random.SeedSequence([seed, streams.PROCESS, path, streams.DES_TEAM])),
        )
    m = params.market
    c = params.company
    founders, pool = float(c.founder_ownership), float(c.option_pool)
    company = Company(
        path=path,
        cash=float(c.initial_cash),
        funding=FundingBook.new(params.funding, founders, pool),
        market=MarketPosition(m.initial_customers.copy(), m.initial_customers.copy()),
    )
    env = simpy.Environment()
    company.env = env
    company.ended = env.event()
    wanted = MONTHLY_METRICS if metrics is None else set(metrics) | {"runway"}
    records: dict[str, list] = {name: [] for name in MONTHLY_METRICS if name in wanted}
    start_team(env, company, params.team, list(role_names), months, draws)
    company.team.signals = des_signals(**team_hooks(params, 0, np, True))
    start_training(env, company, params.product, list(run_names), draws)
    company.partners = start_partnerships(env, company, params.partnerships, list(partner_names))
    if risks:
        r = params.risks
        env.process(risk_events(env, company, risks, r.time, r.severity, r.value, r.occurs))
    horizon = env.event()  # after the last month end's rounds started, before anything later (as the kernel)
    env.process(
        _month_ends(
            env,
            company,
            params,
            months,
            draws,
            round_names,
            records,
            list(debt_names),
            list(partner_names),
            horizon,
            watch,
            product,
        )
    )
    env.run(until=horizon)
    runway_ = records["runway"][-1]
    final = final_results(
        company.funding,
        company.partners,
        params,
        company.cash,
        company.arr,
        runway_,
        company.death_month,
        np,
        runs=company.training,
    )
    final["cause_of_death"] = company.cause
    return {k: np.asarray(v) for k, v in records.items()}, final, company.events


def _month_ends(
    env,
    company: Company,
    params: Params,
    months: int,
    rng,
    round_names,
    records,
    debt_names=(),
    partner_names=(),
    horizon=None,
    watch=None,
    product=None,
):
    """Close each month at time t + 1 (:func:`venturesim.engine.month.close_month`, as the JAX engine's step);
    at the last month end, once its rounds have started, trigger ``horizon`` (the run stops there: an attempt
    resolving, a deal or a departure after the horizon is no part of the results, as in the kernel)."""
    month = PathMonth(company, params, rng, round_names, debt_names, partner_names, keep=set(records), product=product)
    f = company.funding
    attempts_seen = f.attempts.copy()  # failed attempts at the last month end (the team's stress signal)
    resolve_at = np.zeros(len(f.status))  # when each round's latest attempt resolves (the kernel's resolve_time)
    for t in range(months):
        if watch is not None and t:
            watch(t - 1, company)  # just after month t − 1's close (and the rounds it started)
        yield month_end_tick(env)
        if not company.alive:  # dead or exited: frozen, no more flows
            rounds_closed = int(np.sum(f.status == CLOSED))
            frozen = dead_record(company.cash, f.founder_ownership, rounds_closed, len(company.market.customers))
            for name in records:
                records[name].append(frozen.get(name, 0.0))
            continue
        arr_before = company.arr
        end = close_month(month, params, t, True, company.cash)
        f.new_arr_pace, f.burn_pace = (float(v) for v in note_pace(f, arr_before, end, np))
        for name, values in records.items():
            values.append(end.record[name])
        revenue, financing = float(end.record["revenue"]), float(end.financing)
        company.log(
            "accounts",
            "month-end",
            f"month {t} closed: revenue ${revenue:,.0f}, costs ${float(end.accounts.costs):,.0f}, "
            f"financing ${financing:,.0f}, {end.customers.sum():,.0f} customers",
        )
        if not end.accounts.survived:
            assert company.cause  # found at the close for every death
            company.alive, company.death_month, company.headcount = False, t, 0.0
            company.log(
                "company", "death", f"ran out of cash (${company.cash:,.0f}): {describe(company.cause)}", company.cause
            )
            company.ended.succeed("died")
            continue
        if end.exited:
            company.alive, company.headcount = False, 0.0
            company.ended.succeed("exited")
            continue
        runway_ = float(end.runway)
        growth = growth_multiple(company.arr, f.new_arr_pace)
        due = start_due(
            f.status,
            f.next_try,
            params.funding,
            t + 1.0,
            runway_,
            company.arr,
            True,
            growth=growth,
            attempts=f.attempts,
        )
        starting = np.flatnonzero(due)
        for r in starting:
            hook = params.risks.hooks.funding_success
            env.process(fundraise(env, company, round_names, params.funding, int(r), rng, runway_, hook))
        raising = len(starting) > 0 or bool(np.any(f.status == RAISING))  # a new attempt's process starts later
        resolve_at[starting] = t + 1.0 + np.asarray(params.funding.time_to_close)[starting]
        to_close = float(months_to_close((f.status == RAISING) | due, resolve_at, t + 1.0))
        status = np.where(due, RAISING, f.status)  # an attempt starting now is raising (its process starts later)
        to_window = float(months_to_window(status, f.next_try, params.funding, t + 1.0, company.arr, growth))
        pace = (f.new_arr_pace, f.burn_pace)
        company.team.signals = next_signals(
            end,
            np.any(f.attempts > attempts_seen),
            raising,
            params,
            t,
            np,
            True,
            pace=pace,
            to_close=to_close,
            to_window=to_window,
        )
        attempts_seen = f.attempts.copy()
        month.attempts_seen, month.status_seen = attempts_seen, f.status.copy()
    if watch is not None:
        watch(months - 1, company)
    if horizon is not None:
        trigger_now(env, horizon)


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
    watch=None,
):
    """Simulate paths [start, stop) in this process (a unit of parallel work); keep only ``metrics``.

    ``replay``: the number of paths of a JAX run to replay: each path is driven by the kernel's draws for it
    in that run (:class:`venturesim._draws.ReplayDraws`) instead of its own generators, so its records are
    the JAX engine's (the end-to-end test of the drivers, ``tests/engine/test_same_uniforms.py``).
    ``replay_blocks``: a dict to keep the replayed blocks in (block index → :class:`~venturesim._draws.ReplayBlock`,
    whose ``ties`` name the months a path's counts were decided within float32 error).
    ``watch(path, t, company)``: see :func:`run_path`.
    """
    blocks = {} if replay_blocks is None else replay_blocks
    key = jax.random.fold_in(jax.random.key(seed), streams.PARAMS)
    params, draws = sample_with_draws(scenario, key, months=months, path_index=np.arange(start, stop))
    round_names = scenario.funding.class_names()
    role_names = [role.name for role in scenario.team.roles]
    partner_names = [p.name for p in scenario.partnerships.partners] if scenario.partnerships else []
    run_names = [r.name for r in scenario.product.training_runs] if scenario.product else []
    product = _product_months(params, months, stop - start) if not run_names else None
    out = []
    with _checks.trusted():  # the inputs were checked once, when the scenario was loaded and sampled
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
                None if watch is None else partial(watch, start + i),
                metrics,
                None if product is None else product[i],
            )
            out.append(({m: records[m] for m in metrics}, final, events))
    return out, draws


def _product_months(params: Params, months: int, paths: int) -> list[list[ProductMonth]]:
    """Each path's product figures for every month, for a batch without training runs: with no run they depend
    only on the inputs and the month, so :func:`~venturesim.model_costs.month_rules.month_figures` runs once a
    month on the batch's (paths,) rows — elementwise the arithmetic of one path's call, the same floats — and
    not once a month per path. Returns [path][month] → ProductMonth of floats."""
    product = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), params.product)
    none = np.full((paths, 0), np.inf)  # no run: never started, ended or released
    columns = []
    for t in range(months):
        month = month_figures(none, none, none, product, t)
        columns.append([np.broadcast_to(np.asarray(x, np.float64), (paths,)).tolist() for x in month])
    return [[ProductMonth(*(c[i] for c in column)) for column in columns] for i in range(paths)]


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
