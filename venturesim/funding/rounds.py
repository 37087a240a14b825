"""Priced rounds raised when runway runs short: the monthly kernel (pure JAX).

A round is in one of four states: WAITING → RAISING → CLOSED, or back to
WAITING after a failed attempt, or ABANDONED after ``max_attempts`` failures.
Rounds are raised in order: round r can start only once every earlier round
is CLOSED or ABANDONED.

Timing (month t is the interval [t, t+1)):

* **start**: at the end of month t (time t + 1) a WAITING round starts when
  it is the current round, runway < trigger, t + 1 ≥ earliest_month and
  t + 1 ≥ the retry time; it resolves at time t + 1 + time_to_close.
* **resolve**: a RAISING round whose resolution time falls in [t, t+1)
  closes with probability ``success_probability`` (one Bernoulli draw per
  attempt); on success the amount arrives in month t; on failure the round
  waits ``retry_delay`` months or is abandoned.

Ownership after a round with pre-money V and amount A: new investors hold
A/(V + A) post-money and every earlier holder is scaled by V/(V + A), so
ownership still sums to 1.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim._jax_random import uniforms
from venturesim.funding.params import FundingParams

STREAM = 2
WAITING, RAISING, CLOSED, ABANDONED = 0, 1, 2, 3


class FundingState(NamedTuple):
    """Per-path funding state; (paths, R) unless noted."""

    status: jax.Array  # int32, one of WAITING/RAISING/CLOSED/ABANDONED
    resolve_time: jax.Array  # months; when the current attempt resolves
    next_try: jax.Array  # months; earliest start of the next attempt
    attempts: jax.Array  # failed attempts so far
    close_month: jax.Array  # month the round closed (-1 if not)
    investor_ownership: jax.Array  # fraction held by each round's investors
    founder_ownership: jax.Array  # (paths,)
    other_ownership: jax.Array  # (paths,) angels, option pool and other early holders


def init_funding(params: FundingParams, founder_ownership: jax.Array) -> FundingState:
    """Month-0 state: no round raised; founders and early holders own everything."""
    shape = params.amount.shape
    zeros = jnp.zeros(shape, jnp.float32)
    founders = jnp.asarray(founder_ownership, jnp.float32)
    return FundingState(
        status=jnp.zeros(shape, jnp.int32),
        resolve_time=zeros,
        next_try=zeros,
        attempts=zeros,
        close_month=zeros - 1.0,
        investor_ownership=zeros,
        founder_ownership=founders,
        other_ownership=1.0 - founders,
    )


def resolve_rounds(
    key: jax.Array, state: FundingState, params: FundingParams, t: jax.Array, active: jax.Array
) -> tuple[FundingState, jax.Array]:
    """Resolve attempts ending in month t; returns the new state and the inflow (paths,) USD."""
    u = uniforms(key, STREAM, state.status.shape)  # (paths, R)
    due = active[:, None] & (state.status == RAISING) & (state.resolve_time < t + 1.0)
    success = due & (u < params.success_probability)
    failure = due & ~success

    attempts = state.attempts + failure
    give_up = failure & (attempts >= params.max_attempts)
    status = jnp.where(success, CLOSED, state.status)
    status = jnp.where(failure, jnp.where(give_up, ABANDONED, WAITING), status)
    next_try = jnp.where(failure, state.resolve_time + params.retry_delay, state.next_try)

    # Rounds close one at a time (only the current round raises), so at most one
    # column of `success` is set per path.
    post_money = params.pre_money + params.amount
    dilution = jnp.prod(jnp.where(success, params.pre_money / post_money, 1.0), axis=1)
    new_stake = jnp.where(success, params.amount / post_money, 0.0)
    inflow = jnp.sum(jnp.where(success, params.amount, 0.0), axis=1)
    return (
        state._replace(
            status=status,
            next_try=next_try,
            attempts=attempts,
            close_month=jnp.where(success, t.astype(jnp.float32), state.close_month),
            investor_ownership=state.investor_ownership * dilution[:, None] + new_stake,
            founder_ownership=state.founder_ownership * dilution,
            other_ownership=state.other_ownership * dilution,
        ),
        inflow,
    )


def start_rounds(
    state: FundingState, params: FundingParams, t: jax.Array, runway: jax.Array, active: jax.Array
) -> FundingState:
    """At the end of month t, start the current round if runway is below its trigger."""
    done = (state.status == CLOSED) | (state.status == ABANDONED)
    earlier_done = jnp.cumprod(
        jnp.concatenate([jnp.ones_like(done[:, :1]), done[:, :-1]], axis=1), axis=1
    ).astype(bool)
    now = t + 1.0
    start = (
        active[:, None]
        & earlier_done
        & (state.status == WAITING)
        & (runway[:, None] < params.trigger_runway)
        & (now >= params.earliest_month)
        & (now >= state.next_try)
    )
    return state._replace(
        status=jnp.where(start, RAISING, state.status),
        resolve_time=jnp.where(start, now + params.time_to_close, state.resolve_time),
    )
