"""Fundraising in the discrete-event engine: one round attempt as a SimPy process.

The same model as :mod:`venturesim.funding.rounds`, in continuous time: an
attempt that starts at time s (a month end) runs through pitch meetings
(40 % of the time to close), term sheet negotiation (30 %) and due
diligence (30 %), and resolves at s + time_to_close: the money arrives with
the attempt's probability (set by the ARR and climate at the start,
:func:`venturesim.funding.terms.attempt_terms`), else the round waits
``retry_delay`` months or is abandoned after ``max_attempts`` failures. The
phase shares only label the log; what the numbers depend on is the
resolution time. The start trigger and the bridges' eligibility and cap are
the rules of :mod:`venturesim.funding.rounds` (:func:`~venturesim.funding.rounds.start_due`,
:func:`~venturesim.funding.rounds.bridge_due`); exits are decided at month
ends (:func:`month_end_exit`) by :func:`venturesim.funding.exits.exit_outcome`.

The ``company`` argument is the engine's per-path state (:class:`venturesim._simpy.Path`):
this module writes its own state, ``company.funding`` (a :class:`FundingBook`), and
reads across domains only ``alive`` and ``arr``, adds a round's money to ``cash``
and logs with ``log(process, kind, details)``.

A SAFE round closes as a post-money SAFE and a priced round converts the
outstanding SAFEs (:mod:`venturesim.funding.ownership`); a failed attempt of
a round with a bridge is bridged by insiders at once with their probability
(one draw from the path's generator, only when there is a bridge to close).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from venturesim._draws import provider
from venturesim.funding.exits import exit_outcome, settle_exit
from venturesim.funding.ownership import Holders, issue_safes
from venturesim.funding.params import FundingParams
from venturesim.funding.rounds import (
    ABANDONED,
    CLOSED,
    RAISING,
    WAITING,
    after_failure,
    attempt_odds,
    attempt_start,
    bridge_cap,
    bridge_due,
    close_rounds,
)
from venturesim.funding.terms import ACQUISITION, EXIT_KINDS, IPO, NO_EXIT

_KIND_WORDS = ("a priced round", "a SAFE", "a pre-money SAFE", "a note")
PHASES = (("pitch meetings", 0.4), ("term sheet", 0.3), ("due diligence", 0.3))


@dataclass
class FundingBook:
    """One path's funding state in the DES: :class:`venturesim.funding.rounds.FundingState`'s fields ((R,) for
    the rounds, (D,) for the loans, floats) but the attempts' start and resolution (kept by each
    :func:`fundraise` process), and ``booked``: USD of the rounds closed since the last month end."""

    status: np.ndarray
    attempts: np.ndarray
    next_try: np.ndarray
    close_month: np.ndarray
    investor_ownership: np.ndarray
    closed_pre_money: np.ndarray
    outstanding: np.ndarray
    debt_balance: np.ndarray
    debt_drawn_at: np.ndarray
    founder_ownership: float
    other_ownership: float
    pool_ownership: float
    exit_kind: int = NO_EXIT
    exit_month: float = -1.0
    exit_value: float = 0.0
    exit_debt: float = 0.0
    pool_granted: float = 0.0  # γ, the granted options' share of the pool (funding.instruments)
    founders_at_start: float = 0.0  # the founders' month-0 fraction
    round_amount: np.ndarray = field(
        default_factory=lambda: np.zeros(0)
    )  # (R,) USD, each round's amount at its latest attempt's price
    new_arr_pace: float = 0.0  # USD/month, n̄ (funding.traction.update_pace)
    burn_pace: float = 0.0  # USD/month, b̄
    booked: float = 0.0

    @classmethod
    def new(cls, funding: FundingParams, founder_ownership: float, option_pool: float) -> FundingBook:
        """Month 0: no round raised, no loan drawn; founders, the pool and early holders own everything."""
        rounds, loans = len(funding.amount), len(funding.debt_amount)
        return cls(
            status=np.full(rounds, WAITING),
            attempts=np.zeros(rounds),
            next_try=np.zeros(rounds),
            close_month=np.full(rounds, -1.0),
            investor_ownership=np.zeros(rounds),
            closed_pre_money=np.full(rounds, np.nan),
            outstanding=np.zeros(rounds, bool),
            debt_balance=np.zeros(loans),
            debt_drawn_at=np.full(loans, -1.0),
            founder_ownership=founder_ownership,
            other_ownership=1.0 - founder_ownership - option_pool,
            pool_ownership=option_pool,
            founders_at_start=founder_ownership,
            round_amount=np.array(funding.amount, dtype=float),
        )


def fundraise(env, company, names: list[str], funding: FundingParams, r: int, rng, runway: float, success_hook=None):
    """One attempt at round r (a SimPy process generator).

    ``success_hook``: the risks' adjustment of the odds of an attempt resolving
    in a month (:class:`venturesim.risks.apply.Adjustment`, one path's row), or None.
    """
    book = company.funding
    name = names[r]
    draws = provider(rng)  # a NumPy generator or a draw provider (venturesim._draws)
    book.status[r] = RAISING
    duration = float(funding.time_to_close[r])
    arr_at_start, climate_at_start = company.arr, funding.climate[int(env.now) - 1]
    attempts_at_start = book.attempts.copy()
    score, amounts = attempt_start(
        funding, arr_at_start, book.new_arr_pace, book.burn_pace, climate_at_start, book.attempts
    )
    book.round_amount[r] = amount = float(amounts[r])
    probability, pre_money = (
        v[r] for v in attempt_odds(funding, arr_at_start, climate_at_start, book.attempts, momentum=score)
    )
    company.log(
        "fundraising",
        "start",
        f"{name}: started raising ${amount:,.0f} "
        f"at ${pre_money:,.0f} pre-money (runway {runway:.1f} months, ARR ${company.arr:,.0f}, "
        f"odds of closing {probability:.0%})",
    )
    start, elapsed_share = env.now, 0.0
    for i, (phase, share) in enumerate(PHASES):
        elapsed_share += share
        # The last phase ends exactly at start + duration (no float drift from summing shares).
        until = start + duration if i == len(PHASES) - 1 else start + duration * elapsed_share
        yield env.timeout(until - env.now)
        if not company.alive:
            return
        company.log("fundraising", phase, f"{name}: {phase} done")
    base = funding.success_probability
    if success_hook is not None:  # a risk (a lead investor pulling out) acts on the month it resolves in
        from venturesim.risks.apply import adjust

        month = min(math.floor(env.now), len(funding.climate) - 1)
        base = adjust(success_hook, funding.success_probability, month, 0.0, 1.0, row=True)
        probability = attempt_odds(funding, arr_at_start, climate_at_start, attempts_at_start, base, momentum=score)[0][
            r
        ]
    if draws.attempt(math.floor(env.now), r) < probability:
        success, prices = np.arange(len(names)) == r, np.full(len(names), pre_money)
        terms = funding._replace(amount=book.round_amount)
        holders, book.pool_granted = close_rounds(
            Holders.of(book), success, prices, terms, book=book, t=float(math.floor(env.now))
        )
        _take(company, holders)
        _close(env, company, r, pre_money, amount)
        company.log(
            "fundraising",
            "closed",
            f"{name}: closed ${amount:,.0f}"
            + (
                f" as {_KIND_WORDS[int(funding.kind[r])]} capped at ${pre_money:,.0f} "
                + ("post-money" if funding.kind[r] == 1 else "pre-money")
                if funding.is_safe[r]
                else ""
            )
            + f"; founders now own {book.founder_ownership:.1%}",
        )
        return
    _bridge(env, company, names, funding, r, pre_money, base, draws)
    book.attempts, book.status, book.next_try = after_failure(
        np.arange(len(names)) == r, book.attempts, book.status, book.next_try, env.now, funding
    )
    if book.status[r] == ABANDONED:
        company.log("fundraising", "abandoned", f"{name}: failed (attempt {int(book.attempts[r])}); round abandoned")
    else:
        company.log(
            "fundraising",
            "failed",
            f"{name}: failed (attempt {int(book.attempts[r])}); can retry from month {book.next_try[r]:.1f}",
        )


def _take(company, holders: Holders) -> None:
    """Store the cap table's fractions in the company's funding book."""
    for name, value in holders.fields().items():
        setattr(company.funding, name, value)


def _close(env, company, r: int, price: float, amount: float) -> None:
    """Round r closed now at ``price`` (pre-money, or a SAFE's cap): the money arrives."""
    book = company.funding
    book.closed_pre_money[r] = price
    company.cash += amount
    book.booked += amount
    book.status[r] = CLOSED
    book.close_month[r] = math.floor(env.now)


def _bridge(env, company, names, funding: FundingParams, r: int, pre_money: float, probability, draws) -> None:
    """Insiders bridge round r's failed attempt (once) with its bridge's probability (``probability``: the
    month's odds of every round, so a risk hook acts on the bridge as in the JAX engine)."""
    book = company.funding
    eligible, parent_pre = bridge_due(
        funding.bridge_of, book.status, np.arange(len(names)) == r, np.full(len(names), pre_money)
    )
    if not eligible.any():
        return
    b = int(np.flatnonzero(eligible)[0])
    if not draws.bridge(math.floor(env.now), b) < probability[b]:
        company.log("fundraising", "no bridge", f"{names[r]}: insiders did not bridge")
        return
    cap = float(bridge_cap(funding.pre_money[b], parent_pre[b]))
    _take(company, issue_safes(Holders.of(company.funding), np.arange(len(names)) == b, funding.amount / cap))
    _close(env, company, b, cap, funding.amount[b])
    company.log(
        "fundraising",
        "bridged",
        f"{names[b]}: insiders bridged ${funding.amount[b]:,.0f} on a SAFE capped at ${cap:,.0f}",
    )


def month_end_exit(company, funding: FundingParams, t: int, died: bool, headcount: float, rng, sale=None) -> bool:
    """Decide an exit at the end of month t (after the accounts); True if the company was sold or listed.

    The outcome is :func:`venturesim.funding.exits.exit_outcome`'s. Draws from
    ``rng`` only where the outcome is uncertain (an acqui-hire's odds strictly
    between 0 and 1; an acquisition's when the company lives with some ARR
    below the IPO threshold), so a scenario without exits consumes no random
    numbers here; a certain outcome is given the uniform 0.
    """
    book = company.funding
    arr, f = company.arr, funding
    p = float(f.acquihire_probability)
    draws = provider(rng)
    u_acquihire = draws.acquihire(t) if died and 0.0 < p < 1.0 else 0.0
    uncertain = not died and arr < f.ipo_threshold and f.acquisition_hazard > 0 and arr > 0
    u_acquired = draws.acquired(t) if uncertain else 1.0
    q = 0.0 if sale is None else float(sale[0])
    if not died and arr < f.ipo_threshold and q > 0.0:  # a sale on a failed round: certain at q = 1
        u_acquihire = draws.acquihire(t) if q < 1.0 else 0.0
    kind, value = exit_outcome(not died, died, arr, headcount, u_acquired, u_acquihire, f, sale=sale)
    kind, value = int(kind), float(value)
    if kind == NO_EXIT:
        return False
    update = settle_exit(company.funding, kind, value, float(t))
    book.exit_kind, book.exit_month, book.exit_value = kind, float(t), value
    book.exit_debt, book.debt_balance = float(update.exit_debt), update.debt_balance
    if kind in (IPO, ACQUISITION) or value > 0:
        company.log(
            "exit",
            EXIT_KINDS[kind],
            f"{EXIT_KINDS[kind]} at ${value:,.0f}"
            + (f" ({value / arr:.1f}× ARR)" if kind in (IPO, ACQUISITION) else ""),
        )
    return kind in (IPO, ACQUISITION)
