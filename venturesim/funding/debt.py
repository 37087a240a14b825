r"""Venture debt and grants in the engines: draws, debt service, warrants, the covenant (``xp``: numpy or jax.numpy).

The exact schedule of one loan is :class:`venturesim.funding.instruments.VentureDebt`;
this is the same arithmetic on arrays, for every path and facility at once.

**Draw.** Facility d is drawn in month t when it is not yet drawn, the
company is alive at the month's start, and t is its ``draw_month`` or the
month its ``with_round`` closes. The amount L arrives as financing that
month; the balance is B = L.

**Service.** In month t, a loan drawn in month t₀ is k = t − t₀ months old.
For k ≥ 1 it pays interest i·B (i = annual rate / 12) on the balance B at
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

**Grants** are pre-drawn (awarded or not) per path: the amount arrives in its
month if the company is alive.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["DebtMonth", "call_loans", "debt_month", "grant_inflow"]


class DebtMonth(NamedTuple):
    """One month of every facility, (…, D) unless noted."""

    balance: object  # USD after the month's payment and draw
    drawn_at: object  # month drawn (−1: not drawn)
    drawn: object  # USD drawn this month
    interest: object  # USD paid this month
    principal: object  # USD repaid this month
    warrants: object  # (…,) fraction of the company issued as warrants this month


def debt_month(balance, drawn_at, t, draw_now, amount, rate_annual, interest_only, amortization, coverage,
               post_money, xp=np) -> DebtMonth:
    """Service the loans drawn before month t and draw those with ``draw_now`` (…, D) bool.

    ``post_money`` (…,): the valuation the warrants are priced at (≤ 0 or NaN: no warrants).
    """
    k = t - drawn_at
    serviced = (drawn_at >= 0) & (k >= 1) & (balance > 0)
    i = rate_annual / 12.0
    interest = xp.where(serviced, balance * i, 0.0)
    left = xp.maximum(interest_only + amortization - k + 1.0, 1.0)
    grow = (1.0 + i) ** (-left)
    payment = xp.where(i > 0, balance * i / xp.maximum(1.0 - grow, 1e-30), balance / left)
    amortising = serviced & (k > interest_only)
    principal = xp.where(amortising, xp.minimum(payment - interest, balance), 0.0)
    drawing = draw_now & (drawn_at < 0)
    drawn = xp.where(drawing, amount, 0.0)
    priced = (post_money > 0)[..., None]
    warrants = xp.sum(xp.where(drawing & priced, coverage * amount / xp.where(priced, post_money[..., None], 1.0),
                               0.0), axis=-1)
    return DebtMonth(
        balance=balance - principal + drawn,
        drawn_at=xp.where(drawing, t, drawn_at),
        drawn=drawn,
        interest=interest,
        principal=principal,
        warrants=warrants,
    )


def call_loans(balance, cash, min_cash, alive, xp=np):
    """The covenant at a month end: (balance after, USD repaid now (…,), called (…,) bool)."""
    breach = alive[..., None] & (balance > 0) & (cash[..., None] < min_cash)
    called = xp.any(breach, axis=-1)
    repaid = xp.where(called, xp.sum(balance, axis=-1), 0.0)
    return xp.where(called[..., None], 0.0, balance), repaid, called


def grant_inflow(grant_month, grant_amount, t, alive, xp=np):
    """USD of grants paid in month t (…,): those awarded for month t, on a path alive at the month's start."""
    return xp.where(alive, xp.sum(xp.where(grant_month == t, grant_amount, 0.0), axis=-1), 0.0)
