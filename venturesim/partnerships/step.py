"""Partnerships' monthly kernel (pure JAX): the status machine and the month's effects.

Each partner is WAITING (before its start month) → SEARCHING →
NEGOTIATING → ACTIVE (signed) → ENDED, or → FAILED after its last failed
attempt. Attempt a starts its search at time s_a (s_0 = the start month)
and is decided at d_a = s_a + search_a + negotiation_a: signed iff
u_a < p(ARR) (:func:`venturesim.partnerships.terms.sign_probability`), else
retried from s_{a+1} = d_a + retry_delay while a + 1 < max_attempts. A
partnership signed at d is active on [d, d + lifetime).

**Month t** (the interval [t, t+1)), on a path alive at its start:

1. every decision with d_a < t + 1 is taken, in time order (a static loop of
   A steps: a partner decides at most A times), with the ARR at the start of
   the month — the DES's ``company.arr`` for any time in [t, t+1);
2. the month's effects from the active intervals
   (:func:`venturesim.partnerships.terms.month_accounting`), with compute
   credits paying ``compute_spend``;
3. the status shown at the month end (time t + 1).

**Concentration** (:func:`note_concentration`, after the market step): the
first month in which a partner brings more than its ``concentration_limit``
of revenue is recorded with the share — a risk event (``Result.risk_events``
lists it as "<partner>: concentration"), the dependence that the partner's
termination (its exit churn) then exposes.

All randomness is pre-drawn in :class:`~venturesim.partnerships.params.PartnerParams`,
so ``key`` is accepted for the kernel signature but not used.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim.partnerships.params import PartnerParams
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

__all__ = ["PartnerState", "init_partnerships", "note_concentration", "step_partnerships"]

"""Random stream number reserved for partnerships' in-kernel draws (none today: all are pre-drawn)."""


class PartnerState(NamedTuple):
    """Per-path partnership state, (paths, P)."""

    status: jax.Array  # int32: WAITING … FAILED
    attempt: jax.Array  # int32: current attempt index
    attempt_start: jax.Array  # months: when the current attempt's search starts
    active_since: jax.Array  # months: signing time (+inf: not signed)
    end_time: jax.Array  # months: end of the active interval (+inf: open or not signed)
    credits: jax.Array  # USD of compute credits left
    concentrated_month: jax.Array  # first month the partner brought more than its limit of revenue (−1: never)
    concentrated_share: jax.Array  # its share of revenue that month


def _at(series: jax.Array, index: jax.Array) -> jax.Array:
    """(paths, P) entries of a (paths, P, A) array at each partner's attempt index."""
    return jnp.take_along_axis(series, index[..., None], axis=2)[..., 0]


def _phase(status, attempt_start, search, time):
    """WAITING/SEARCHING/NEGOTIATING of a pending partner at ``time``."""
    pending = (status == WAITING) | (status == SEARCHING) | (status == NEGOTIATING)
    phase = jnp.where(time < attempt_start, WAITING, jnp.where(time < attempt_start + search, SEARCHING, NEGOTIATING))
    return jnp.where(pending, phase, status).astype(jnp.int32)


def init_partnerships(params: PartnerParams) -> PartnerState:
    """Month-0 state: nothing signed; each partner waiting for (or at) its start month."""
    start = jnp.asarray(params.start, jnp.float32)
    inf = jnp.full(start.shape, jnp.inf, jnp.float32)
    attempt = jnp.zeros(start.shape, jnp.int32)
    status = _phase(jnp.zeros(start.shape, jnp.int32), start, _at(jnp.asarray(params.search), attempt), 0.0)
    return PartnerState(
        status=status,
        attempt=attempt,
        attempt_start=start,
        active_since=inf,
        end_time=inf,
        credits=jnp.zeros(start.shape, jnp.float32),
        concentrated_month=jnp.zeros_like(start) - 1.0,
        concentrated_share=jnp.zeros_like(start),
    )


def step_partnerships(
    key: jax.Array,
    state: PartnerState,
    params: PartnerParams,
    t: jax.Array,
    active: jax.Array,
    arr: jax.Array,
    compute_spend: jax.Array,
) -> tuple[PartnerState, PartnerMonth]:
    """Advance month t.

    Parameters
    ----------
    key : unused (all draws are in ``params``).
    active : (paths,) bool, the company is alive at the start of month t.
    arr : (paths,) ARR at the start of month t, USD (12 × last month's revenue).
    compute_spend : (paths,) USD of compute this month that credits may pay.
    """
    del key
    now_end = jnp.asarray(t, jnp.float32) + 1.0
    status, attempt, start = state.status, state.attempt, state.attempt_start
    since, end, credits = state.active_since, state.end_time, state.credits
    probability = sign_probability(
        params.base_logit, arr[:, None], params.reference_arr, params.traction_elasticity, xp=jnp
    )
    for _ in range(params.search.shape[-1]):  # static: at most A decisions per partner
        pending = (status == WAITING) | (status == SEARCHING) | (status == NEGOTIATING)
        decision = start + _at(params.search, attempt) + _at(params.negotiation, attempt)
        due = active[:, None] & pending & (decision < now_end)
        signs, retries = decide(_at(params.sign_u, attempt), probability, attempt, params.max_attempts)
        signed, retry = due & signs, due & retries
        failed = due & ~signs
        status = jnp.where(signed, ACTIVE, jnp.where(failed & ~retry, FAILED, status))
        since = jnp.where(signed, decision, since)
        end = jnp.where(signed, decision + params.lifetime, end)
        credits = jnp.where(signed, params.compute_credits, credits)
        start = jnp.where(retry, decision + params.retry_delay, start)
        attempt = jnp.where(retry, attempt + 1, attempt)
    credits, month = month_accounting(since, end, credits, params, t, active, compute_spend, xp=jnp)
    status = jnp.where((status == ACTIVE) & (end <= now_end), ENDED, status)
    status = jnp.where(active[:, None], _phase(status, start, _at(params.search, attempt), now_end), status)
    new = state._replace(
        status=status.astype(jnp.int32),
        attempt=attempt,
        attempt_start=start,
        active_since=since,
        end_time=end,
        credits=credits,
    )
    return new, month


def note_concentration(concentrated_month, concentrated_share, share, over, t, active, xp=jnp):
    """Record month t for each partner over its limit for the first time (``share``, ``over``: (…, P) from
    :func:`venturesim.partnerships.terms.concentration`; ``active``: (…,) the company alive).
    Returns (concentrated_month, concentrated_share, first (…, P) bool)."""
    first = over & active[..., None] & (concentrated_month < 0)
    return (xp.where(first, t, concentrated_month), xp.where(first, share, concentrated_share), first)
