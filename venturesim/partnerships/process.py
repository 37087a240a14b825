"""Partnerships in the discrete-event engine: one SimPy process per partner, and the month's accounting.

Each partner's process (:func:`partnership`) lives the lifecycle of
:mod:`venturesim.partnerships.step` in continuous time, with the same
pre-drawn durations and uniforms, and logs each step with
``company.log("partnership", kind, details)``:

* ``search`` — the search starts (attempt a + 1);
* ``negotiation`` — talks start;
* ``signed`` — the deal is signed (with its probability, fit and the ARR shown);
* ``declined`` — the attempt fails (a retry follows or the partner is given up: ``failed``);
* ``ended`` — the contract ends or the partner terminates.

The signing probability uses ``company.arr``, the ARR at the last month end
— what the JAX kernel uses for any decision in the month. A process stops
when the company ends.

The state lives in a :class:`PartnerBook` (times, as in the JAX state); at
each month end the engine calls :func:`partner_month_des`, which runs the
same accounting as the JAX kernel (:func:`venturesim.partnerships.terms.month_accounting`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from venturesim._simpy import stops_when_ended
from venturesim.partnerships.terms import (
    ACTIVE,
    ENDED,
    FAILED,
    NEGOTIATING,
    SEARCHING,
    WAITING,
    PartnerMonth,
    decide,
    month_accounting,
    sign_probability,
)

__all__ = ["PartnerBook", "partner_month_des", "partnership", "start_partnerships"]


@dataclass
class PartnerBook:
    """One path's partnership state in the DES, (P,) arrays (as :class:`~venturesim.partnerships.step.PartnerState`)."""

    status: np.ndarray
    attempt: np.ndarray
    attempt_start: np.ndarray
    active_since: np.ndarray
    end_time: np.ndarray
    credits: np.ndarray
    concentrated_month: np.ndarray  # first month over the concentration limit (−1: never)
    concentrated_share: np.ndarray  # the partner's share of revenue that month

    @classmethod
    def new(cls, params) -> PartnerBook:
        """Nothing signed; ``params`` is one path's row of PartnerParams."""
        p = len(params.start)
        return cls(
            status=np.full(p, WAITING),
            attempt=np.zeros(p, np.int64),
            attempt_start=np.asarray(params.start, np.float64).copy(),
            active_since=np.full(p, np.inf),
            end_time=np.full(p, np.inf),
            credits=np.zeros(p),
            concentrated_month=np.full(p, -1.0),
            concentrated_share=np.zeros(p),
        )


@stops_when_ended
def partnership(env, company, book: PartnerBook, params, i: int, name: str):
    """SimPy process of partner ``i`` (``params``: the path's PartnerParams row)."""
    start = float(params.start[i])
    if start > env.now:
        yield env.timeout(start - env.now)
    attempts = int(params.max_attempts[i])
    for a in range(attempts):
        if not company.alive:
            return
        book.attempt[i], book.attempt_start[i], book.status[i] = a, env.now, SEARCHING
        company.log("partnership", "search", f"{name}: search started (attempt {a + 1} of {attempts})")
        yield env.timeout(float(params.search[i, a]))
        if not company.alive:
            return
        book.status[i] = NEGOTIATING
        company.log("partnership", "negotiation", f"{name}: negotiating")
        yield env.timeout(float(params.negotiation[i, a]))
        if not company.alive:
            return
        p = float(
            sign_probability(params.base_logit[i], company.arr, params.reference_arr[i], params.traction_elasticity[i])
        )
        signed, retried = decide(params.sign_u[i, a], p, a, params.max_attempts[i])
        if signed:
            life = float(params.lifetime[i])
            book.status[i], book.active_since[i], book.end_time[i] = ACTIVE, env.now, env.now + life
            book.credits[i] = float(params.compute_credits[i])
            until = "open-ended" if math.isinf(life) else f"until month {env.now + life:.1f}"
            company.log(
                "partnership",
                "signed",
                f"{name}: signed (probability {p:.2f}, fit {params.fit[i]:.2f}, ARR ${company.arr:,.0f}); {until}",
            )
            if math.isinf(life):
                return
            yield env.timeout(life)
            if not company.alive:
                return
            book.status[i] = ENDED
            why = "contract ended" if params.by_contract[i] else "partner terminated"
            company.log("partnership", "ended", f"{name}: {why}")
            return
        company.log(
            "partnership",
            "declined" if retried else "failed",
            f"{name}: not signed (probability {p:.2f})" + ("" if retried else "; given up"),
        )
        if not retried:
            book.status[i] = FAILED
            return
        book.status[i] = WAITING
        yield env.timeout(float(params.retry_delay[i]))


def start_partnerships(env, company, params, names: list[str]) -> PartnerBook:
    """Start one process per partner; returns the path's book (keep it, e.g. as ``company.partners``)."""
    if len(names) != len(params.start):
        raise ValueError(f"{len(names)} names for {len(params.start)} partners")
    book = PartnerBook.new(params)
    for i, name in enumerate(names):
        env.process(partnership(env, company, book, params, i, name))
    return book


def partner_month_des(book: PartnerBook, params, t: int, alive: bool, compute_spend: float) -> PartnerMonth:
    """Month t's effects for one path (called at the month end, time t + 1); updates the book's credits."""
    book.credits, month = month_accounting(
        book.active_since, book.end_time, book.credits, params, t, alive, compute_spend
    )
    return month
