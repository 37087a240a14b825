"""Priced rounds raised when runway runs short: the monthly kernel (pure JAX).

A round is in one of four states: WAITING → RAISING → CLOSED, or back to
WAITING after a failed attempt, or ABANDONED after ``max_attempts`` failures.
Rounds are raised in order: round r can start only once every earlier round
is CLOSED or ABANDONED.

Timing (month t is the interval [t, t+1)):

* **start**: at the end of month t (time t + 1) a WAITING round starts when
  it is the current round, runway < trigger or ARR ≥ its milestone,
  t + 1 ≥ earliest_month and t + 1 ≥ the retry time; it resolves at time
  t + 1 + time_to_close. The ARR and the funding climate at the start set
  the attempt's odds and price (:func:`venturesim.funding.terms.attempt_terms`).
* **resolve**: a RAISING round whose resolution time falls in [t, t+1)
  closes with the attempt's probability (one Bernoulli draw per attempt); on
  success the amount arrives in month t; on failure the round waits
  ``retry_delay`` months (the next attempt priced × the down-round factor)
  or is abandoned.

Ownership after a round with pre-money V and amount A: new investors hold
A/(V + A) post-money and every earlier holder is scaled by V/(V + A) (after
any option-pool top-up inside the pre-money), so ownership still sums to 1
(:func:`venturesim.funding.terms.close_round`).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim._jax_random import uniforms
from venturesim.funding.params import FundingParams
from venturesim.funding.terms import attempt_terms, close_round

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
    other_ownership: jax.Array  # (paths,) angels and other early holders
    pool_ownership: jax.Array  # (paths,) the option pool (granted and unissued)
    arr_at_start: jax.Array  # USD; ARR shown when the current attempt started
    climate_at_start: jax.Array  # the funding climate when it started
    closed_pre_money: jax.Array  # USD; the pre-money the round closed at (NaN if not)
    exit_kind: jax.Array  # (paths,) int32, one of terms.EXIT_KINDS' indices
    exit_month: jax.Array  # (paths,) month of the exit (−1: none)
    exit_value: jax.Array  # (paths,) USD


def init_funding(params: FundingParams, founder_ownership: jax.Array, option_pool: jax.Array) -> FundingState:
    """Month-0 state: no round raised; founders, the pool and early holders own everything."""
    shape = params.amount.shape
    zeros = jnp.zeros(shape, jnp.float32)
    founders = jnp.asarray(founder_ownership, jnp.float32)
    pool = jnp.asarray(option_pool, jnp.float32)
    return FundingState(
        status=jnp.zeros(shape, jnp.int32),
        resolve_time=zeros,
        next_try=zeros,
        attempts=zeros,
        close_month=zeros - 1.0,
        investor_ownership=zeros,
        founder_ownership=founders,
        other_ownership=1.0 - founders - pool,
        pool_ownership=pool,
        arr_at_start=zeros,
        climate_at_start=zeros + 1.0,
        closed_pre_money=zeros + jnp.nan,
        exit_kind=jnp.zeros(founders.shape, jnp.int32),
        exit_month=jnp.zeros(founders.shape, jnp.float32) - 1.0,
        exit_value=jnp.zeros(founders.shape, jnp.float32),
    )


def resolve_rounds(
    key: jax.Array, state: FundingState, params: FundingParams, t: jax.Array, active: jax.Array
) -> tuple[FundingState, jax.Array]:
    """Resolve attempts ending in month t; returns the new state and the inflow (paths,) USD."""
    u = uniforms(key, STREAM, state.status.shape)  # (paths, R)
    due = active[:, None] & (state.status == RAISING) & (state.resolve_time < t + 1.0)
    probability, pre_money = attempt_terms(
        state.arr_at_start, params.success_probability, params.pre_money, params.reference_arr,
        params.success_elasticity, params.valuation_elasticity, state.climate_at_start, state.attempts,
        params.down_round_factor, xp=jnp,
    )
    success = due & (u < probability)
    failure = due & ~success

    attempts = state.attempts + failure
    give_up = failure & (attempts >= params.max_attempts)
    status = jnp.where(success, CLOSED, state.status)
    status = jnp.where(failure, jnp.where(give_up, ABANDONED, WAITING), status)
    next_try = jnp.where(failure, state.resolve_time + params.retry_delay, state.next_try)

    # Rounds close one at a time (only the current round raises), so at most one
    # column of `success` is set per path.
    founders, others, pool, investors = close_round(
        state.founder_ownership, state.other_ownership, state.pool_ownership, state.investor_ownership,
        success, pre_money, params.amount, params.pool_target, xp=jnp,
    )
    inflow = jnp.sum(jnp.where(success, params.amount, 0.0), axis=1)
    return (
        state._replace(
            status=status,
            next_try=next_try,
            attempts=attempts,
            close_month=jnp.where(success, t.astype(jnp.float32), state.close_month),
            closed_pre_money=jnp.where(success, pre_money, state.closed_pre_money),
            investor_ownership=investors,
            founder_ownership=founders,
            other_ownership=others,
            pool_ownership=pool,
        ),
        inflow,
    )


def start_rounds(
    state: FundingState, params: FundingParams, t: jax.Array, runway: jax.Array, active: jax.Array, arr: jax.Array
) -> FundingState:
    """At the end of month t, start the current round if runway is below its trigger or ARR ≥ its milestone."""
    done = (state.status == CLOSED) | (state.status == ABANDONED)
    earlier_done = jnp.cumprod(
        jnp.concatenate([jnp.ones_like(done[:, :1]), done[:, :-1]], axis=1), axis=1
    ).astype(bool)
    now = t + 1.0
    start = (
        active[:, None]
        & earlier_done
        & (state.status == WAITING)
        & ((runway[:, None] < params.trigger_runway) | (arr[:, None] >= params.milestone_arr))
        & (now >= params.earliest_month)
        & (now >= state.next_try)
    )
    return state._replace(
        status=jnp.where(start, RAISING, state.status),
        resolve_time=jnp.where(start, now + params.time_to_close, state.resolve_time),
        arr_at_start=jnp.where(start, arr[:, None], state.arr_at_start),
        climate_at_start=jnp.where(start, params.climate[:, t][:, None], state.climate_at_start),
    )
