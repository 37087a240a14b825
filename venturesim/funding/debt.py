r"""Venture debt and grants in the engines: draws, debt service, warrants, the covenant (``xp``: numpy or jax.numpy).

The exact schedule of one loan is :class:`venturesim.funding.shares.VentureLoan`;
this is the same arithmetic on arrays, for every path and facility at once.

**Draw.** Facility d is drawn in month t when it is not yet drawn, the
company is alive at the month's start, and t is its ``draw_month`` or the
month its ``with_round`` closes (:func:`draw_due`). The amount L arrives as financing that
month; the balance is B = L.

**Service.** In month t, a loan drawn in month t₀ is k = t − t₀ months old.
For k ≥ 1, on a company alive at the month's start (a dead or exited
path has no more flows: an exit repays the balance, see
:mod:`venturesim.funding.exits`), it pays interest i·B (i = annual rate / 12) on the balance B at
the month's start; for k > IO (the interest-only months) also principal, the
level (annuity) payment over the n' = IO + n − k + 1 payments left less the
interest:

.. math:: \text{payment} = \frac{B\,i}{1 - (1 + i)^{-n'}} \quad (B/n' \text{ if } i = 0),

which is the same level payment every month (an annuity's payment on its
own remaining balance does not change) and clears the balance at k = IO + n.
Interest is a cost; principal is a financing outflow.

**Warrants** at the draw: coverage × L of stock at the price of the round
drawn with, or else the last closed round: a fraction w = coverage × L /
post-money (a SAFE round's post-money cap); none before any round. They are
issued to the early holders' common (:func:`venturesim.funding.ownership.issue_to_new_holder`).

**Covenant.** At a month end with cash below a facility's ``min_cash`` and
a balance outstanding, the lender calls the loan, and with it every other
outstanding balance (loan agreements' cross-default clauses): all is repaid
at once, and the company may die of it.

The whole month (draws, service, warrants issued, grants) is
:func:`step_debt`, written once for both engines: ``state`` is the JAX
engine's :class:`venturesim.funding.rounds.FundingState` or the DES's
company, which hold the same fields.

**Grants** are pre-drawn (awarded or not) per path: the amount arrives in its
month if the company is alive.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from venturesim.funding.ownership import Holders, issue_to_new_holder
from venturesim.funding.rounds import CLOSED

__all__ = [
    "DebtMonth",
    "DebtUpdate",
    "call_loans",
    "debt_month",
    "draw_due",
    "grant_inflow",
    "step_debt",
    "warrant_post_money",
]


class DebtMonth(NamedTuple):
    """One month of every facility, (…, D) unless noted."""

    balance: Any  # USD after the month's payment and draw
    drawn_at: Any  # month drawn (−1: not drawn)
    drawn: Any  # USD drawn this month
    interest: Any  # USD paid this month
    principal: Any  # USD repaid this month
    warrants: Any  # (…,) fraction of the company issued as warrants this month
    notes_interest: Any = 0.0  # (…,) USD of interest on notes repaid at maturity (funding.instruments)
    notes_principal: Any = 0.0  # (…,) USD of notes' principal repaid at maturity


class DebtUpdate(NamedTuple):
    """The funding fields :func:`step_debt` changes (the caller stores them: ``state._replace(**u._asdict())``)."""

    debt_balance: Any  # (…, D) USD
    debt_drawn_at: Any  # (…, D)
    founder_ownership: Any  # (…,)
    other_ownership: Any  # (…,) early holders, with the warrants issued to the lenders
    pool_ownership: Any  # (…,)
    investor_ownership: Any  # (…, R)


def debt_month(balance, drawn_at, t, draw_now, alive, f, post_money, xp=np) -> DebtMonth:
    """Service the loans drawn before month t and draw those with ``draw_now`` (…, D) bool.

    ``alive`` (…,): alive at the month's start (else nothing is drawn or paid);
    ``f``: the facilities' terms (:class:`venturesim.funding.params.FundingParams`' ``debt_*``);
    ``post_money`` (…,): the valuation the warrants are priced at (≤ 0 or NaN: no warrants).
    """
    alive = xp.asarray(alive)[..., None]
    k = t - drawn_at
    serviced = alive & (drawn_at >= 0) & (k >= 1) & (balance > 0)
    i = f.debt_rate / 12.0
    interest = xp.where(serviced, balance * i, 0.0)
    left = xp.maximum(f.debt_interest_only + f.debt_amortization - k + 1.0, 1.0)
    grow = (1.0 + i) ** (-left)
    payment = xp.where(i > 0, balance * i / xp.maximum(1.0 - grow, 1e-30), balance / left)
    amortising = serviced & (k > f.debt_interest_only)
    principal = xp.where(amortising, xp.minimum(payment - interest, balance), 0.0)
    drawing = alive & draw_now & (drawn_at < 0)
    amount = f.debt_amount
    drawn = xp.where(drawing, amount, 0.0)
    priced = (post_money > 0)[..., None]
    warrants = xp.sum(
        xp.where(drawing & priced, f.debt_warrants * amount / xp.where(priced, post_money[..., None], 1.0), 0.0),
        axis=-1,
    )
    return DebtMonth(
        balance=balance - principal + drawn,
        drawn_at=xp.where(drawing, t, drawn_at),
        drawn=drawn,
        interest=interest,
        principal=principal,
        warrants=warrants,
        notes_interest=xp.zeros_like(warrants),  # funding.instruments.step_notes fills these in
        notes_principal=xp.zeros_like(warrants),
    )


def draw_due(status, close_month, t, f, xp=np):
    """(…, D) bool: facility d is due in month t — its ``draw_month`` is t, or its round closed in month t."""
    closed_now = (status == CLOSED) & (close_month == t)
    with_round = f.debt_round >= 0
    if closed_now.shape[-1]:
        index = xp.broadcast_to(
            xp.maximum(f.debt_round, 0).astype(np.int32), closed_now.shape[:-1] + f.debt_round.shape[-1:]
        )
        round_closed = xp.take_along_axis(closed_now, index, axis=-1)
    else:
        round_closed = with_round
    return xp.where(with_round, round_closed, f.debt_draw_month == t)


def warrant_post_money(status, close_month, closed_pre_money, amount, is_safe, xp=np):
    """The post-money of the last closed round (a SAFE's: its cap), USD (…,); 0 before any round."""
    if not amount.shape[-1]:
        return xp.zeros(status.shape[:-1])
    closed = status == CLOSED
    order = xp.where(closed, close_month * (amount.shape[-1] + 1) + xp.arange(amount.shape[-1]), -1.0)
    last = xp.argmax(order, axis=-1)
    post = xp.where(is_safe > 0, closed_pre_money, closed_pre_money + amount)
    value = xp.take_along_axis(post, last[..., None], axis=-1)[..., 0]
    return xp.where(xp.any(closed, axis=-1), value, 0.0)


def step_debt(state, f, t, alive, xp=np) -> tuple[DebtUpdate, DebtMonth, Any]:
    """Month t's venture debt (after the rounds resolve) and grants, for one path or a block.

    ``state``: any object with the funding fields (``status``, ``close_month``,
    ``closed_pre_money``, ``debt_balance``, ``debt_drawn_at``, the ownership
    fractions and ``outstanding``); ``f``: :class:`venturesim.funding.params.FundingParams`
    (one path's row or a block's); ``t`` the month (float); ``alive`` (…,) bool.
    Returns (:class:`DebtUpdate`, :class:`DebtMonth`, grants USD (…,)).
    """
    draw_now = draw_due(state.status, state.close_month, t, f, xp=xp)
    post = warrant_post_money(
        state.status,
        state.close_month,
        state.closed_pre_money,
        state.round_amount,
        xp.where(f.kind == 1, 1.0, 0.0),
        xp=xp,
    )
    month = debt_month(state.debt_balance, state.debt_drawn_at, t, draw_now, alive, f, post, xp=xp)
    founders, others, pool, investors, _ = issue_to_new_holder(Holders.of(state), month.warrants, xp=xp)
    update = DebtUpdate(
        debt_balance=month.balance,
        debt_drawn_at=month.drawn_at,
        founder_ownership=founders,
        other_ownership=others + month.warrants,
        pool_ownership=pool,
        investor_ownership=investors,
    )
    return update, month, grant_inflow(f.grant_month, f.grant_amount, t, alive, xp=xp)


def call_loans(balance, cash, min_cash, alive, xp=np):
    """The covenant at a month end: (balance after, USD repaid now (…,), called (…,) bool)."""
    if xp is np and np.ndim(cash) == 0 and np.shape(balance)[-1] == 0:  # one path, no loan (the same numbers)
        return balance, np.float64(0.0), np.False_
    breach = xp.asarray(alive)[..., None] & (balance > 0) & (xp.asarray(cash)[..., None] < min_cash)
    called = xp.any(breach, axis=-1)
    repaid = xp.where(called, xp.sum(balance, axis=-1), 0.0)
    return xp.where(called[..., None], 0.0, balance), repaid, called


def grant_inflow(grant_month, grant_amount, t, alive, xp=np):
    """USD of grants paid in month t (…,): those awarded for month t, on a path alive at the month's start."""
    return xp.where(alive, xp.sum(xp.where(grant_month == t, grant_amount, 0.0), axis=-1), 0.0)
