"""Rounds raised when runway runs short, and insiders' bridges: the monthly kernel (pure JAX).

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

* **bridge**: when an attempt of a round with a bridge fails, the bridge
  (the next entry of the round axis) closes at once with the insiders'
  probability: its amount arrives that month as a post-money SAFE capped at
  its cap factor × the failed attempt's pre-money (once per round).

Ownership (:mod:`venturesim.funding.ownership`): a priced round with
pre-money V and amount A gives its investors A/(V + A) post-money, after the
option-pool top-up and the conversion of every outstanding SAFE and note (with
the pro rata and MFN side letters, :mod:`venturesim.funding.instruments`); a
post-money SAFE (a SAFE round or a bridge) gives its holders amount/cap and
dilutes every holder but the outstanding instruments; a pre-money SAFE or a
note its interim as-converted fraction. Ownership still sums to 1. Notes
reaching maturity convert or are repaid at the month end
(:func:`venturesim.funding.instruments.step_notes`).

Venture debt and grants (:func:`venturesim.funding.debt.step_debt`): the
state holds each facility's balance and draw month.

The rules of a start (:func:`start_due`) and of a bridge (:func:`bridge_due`,
:func:`bridge_cap`) are written once with an ``xp`` switch (numpy or
jax.numpy) on the trailing round axis: the JAX kernel calls them on (paths, R),
the DES (:mod:`venturesim.funding.process`) on one path's (R,).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from venturesim import _streams as streams
from venturesim._jax_random import fold_in, uniforms
from venturesim._xp import month_of, when
from venturesim.funding.instruments import Instruments, amount_due, convert_at_round, issue_fraction
from venturesim.funding.ownership import Holders, issue_safes
from venturesim.funding.params import FundingParams
from venturesim.funding.terms import attempt_terms
from venturesim.funding.traction import has_traction, momentum, round_amount, update_pace

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
    momentum_at_start: jax.Array  # growth and burn multiple's score when it started (funding.traction)
    round_amount: jax.Array  # USD; the current attempt's amount (what the round raised, once closed)
    new_arr_pace: jax.Array  # (paths,) USD a month, moving average of net new ARR (funding.traction)
    burn_pace: jax.Array  # (paths,) USD a month, moving average of net burn
    climate_at_start: jax.Array  # the funding climate when it started
    closed_pre_money: jax.Array  # USD; the pre-money the round closed at (NaN if not)
    exit_kind: jax.Array  # (paths,) int32, one of terms.EXIT_KINDS' indices
    exit_month: jax.Array  # (paths,) month of the exit (−1: none)
    exit_value: jax.Array  # (paths,) USD
    outstanding: jax.Array  # bool: a SAFE closed and not yet converted
    debt_balance: jax.Array  # (paths, D) USD
    debt_drawn_at: jax.Array  # (paths, D) month drawn (−1: not drawn)
    exit_debt: jax.Array  # (paths,) USD of debt outstanding at the exit (repaid before the equity)
    pool_granted: jax.Array  # (paths,) γ, the granted options' share of the pool (funding.instruments)
    founders_at_start: jax.Array  # (paths,) the founders' month-0 fraction (converts the team's grants)


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
        momentum_at_start=zeros,
        round_amount=jnp.asarray(params.amount, jnp.float32),
        new_arr_pace=jnp.zeros(founders.shape, jnp.float32),
        burn_pace=jnp.zeros(founders.shape, jnp.float32),
        climate_at_start=zeros + 1.0,
        closed_pre_money=zeros + jnp.nan,
        exit_kind=jnp.zeros(founders.shape, jnp.int32),
        exit_month=jnp.zeros(founders.shape, jnp.float32) - 1.0,
        exit_value=jnp.zeros(founders.shape, jnp.float32),
        outstanding=jnp.zeros(shape, bool),
        debt_balance=jnp.zeros(params.debt_amount.shape, jnp.float32),
        debt_drawn_at=jnp.zeros(params.debt_amount.shape, jnp.float32) - 1.0,
        exit_debt=jnp.zeros(founders.shape, jnp.float32),
        pool_granted=jnp.zeros(founders.shape, jnp.float32),
        founders_at_start=founders,
    )


def resolve_rounds(
    key: jax.Array, state: FundingState, params: FundingParams, t: jax.Array, active: jax.Array
) -> tuple[FundingState, jax.Array]:
    """Resolve attempts ending in month t; returns the new state and the inflow (paths,) USD."""
    sub = fold_in(key, streams.FUNDING)
    u = uniforms(sub, streams.FUNDING_ATTEMPTS, state.status.shape)  # (paths, R)
    due = active[:, None] & (state.status == RAISING) & (state.resolve_time < t + 1.0)
    probability, pre_money = attempt_odds(
        params, state.arr_at_start, state.climate_at_start, state.attempts, xp=jnp, momentum=state.momentum_at_start
    )
    amount = state.round_amount
    terms = params._replace(amount=amount)
    success = due & (u < probability)
    failure = due & ~success
    attempts, status, next_try = after_failure(
        failure,
        state.attempts,
        jnp.where(success, CLOSED, state.status),
        state.next_try,
        state.resolve_time,
        params,
        xp=jnp,
    )

    holders, granted = close_rounds(Holders.of(state), success, pre_money, terms, xp=jnp, book=state, t=t)

    # Insiders bridge a failed attempt (once per round), capped at the factor × the attempt's pre-money.
    u_bridge = uniforms(sub, streams.FUNDING_BRIDGES, state.status.shape)
    eligible, parent_pre = bridge_due(params.bridge_of, status, failure, pre_money, xp=jnp)
    bridged = eligible & (u_bridge < params.success_probability)
    bridge_cap_ = bridge_cap(params.pre_money, parent_pre)
    holders = issue_safes(holders, bridged, amount / bridge_cap_, xp=jnp)
    status = jnp.where(bridged, CLOSED, status)
    closed = success | bridged
    inflow = jnp.sum(jnp.where(closed, amount, 0.0), axis=1)
    return (
        state._replace(
            status=status,
            next_try=next_try,
            attempts=attempts,
            close_month=jnp.where(closed, t.astype(jnp.float32), state.close_month),
            closed_pre_money=jnp.where(success, pre_money, jnp.where(bridged, bridge_cap_, state.closed_pre_money)),
            pool_granted=granted,
            **holders.fields(),
        ),
        inflow,
    )


def close_rounds(holders: Holders, success, pre_money, params: FundingParams, xp=np, book=None, t=0.0):
    """(the cap table, γ the granted share of the pool) after the rounds in ``success`` (…, R) close at
    ``pre_money`` (…, R) USD (a SAFE's or note's: its cap), each raising ``params.amount`` (the attempt's
    amount, :func:`attempt_start`, in the engines), in month ``t``.

    A priced round converts every outstanding SAFE and note, with the side letters (pro rata, MFN) and the
    pool top-up (:func:`~venturesim.funding.instruments.convert_at_round`); a SAFE or note round closes as an
    outstanding instrument holding its interim fraction (:func:`~venturesim.funding.instruments.issue_fraction`,
    :func:`~venturesim.funding.ownership.issue_safes`). ``book``: the funding state before the close (status,
    close month, closed pre-money — an instrument's cap —, γ); None: no round closed before (γ = 0). Rounds
    close one at a time (only the current round raises), so at most one column of ``success`` is set per path.
    """
    safe = params.is_safe > 0
    amount = params.amount
    if book is None:
        closed = xp.zeros_like(success)
        issued, caps, granted = xp.zeros_like(amount), xp.ones_like(amount), 0.0
    else:
        closed = (book.status == CLOSED) & ~success
        issued, granted = book.close_month, book.pool_granted
        caps = xp.where(closed, book.closed_pre_money, 1.0)
    kind = params.kind + xp.zeros_like(amount)
    instruments = Instruments(
        kind=kind,
        due=amount_due(amount, params.interest_rate, issued, t, kind, xp=xp),
        cap=caps,
        discount=None if params.discount is None else params.discount + xp.zeros_like(amount),
        issued=issued,
        mfn=(params.mfn > 0) & closed,
        pro_rata=params.pro_rata > 0,
        closed=closed,
    )
    priced = success & ~safe

    def convert(holders, granted):
        return convert_at_round(holders, granted, priced, pre_money, amount, params.pool_target, instruments, xp=xp)

    # no priced round closing on any path: nothing converts, the cap table stays as it is
    holders, granted = when(xp, xp.any(priced), convert, lambda *unchanged: unchanged, holders, granted)
    w = issue_fraction(holders, granted, kind, amount, pre_money, xp=xp)
    return issue_safes(holders, success & safe, w, xp=xp), granted


def attempt_odds(params: FundingParams, arr, climate, attempts, success_probability=None, xp=np, momentum=0.0):
    """(probability of closing, pre-money USD) of an attempt at each round (…, R): the round's terms
    (:func:`venturesim.funding.terms.attempt_terms`) at the ARR, momentum and climate of its start and its
    failed attempts so far; ``success_probability`` replaces the base odds (a risk hook), if given."""
    base = params.success_probability if success_probability is None else success_probability
    return attempt_terms(
        arr,
        base,
        params.pre_money,
        params.reference_arr,
        params.success_elasticity,
        params.valuation_elasticity,
        climate,
        attempts,
        params.down_round_factor,
        xp=xp,
        arr_floor=params.arr_floor,
        momentum=momentum,
    )


def attempt_start(params: FundingParams, arr, new_arr_pace, burn_pace, climate, attempts, xp=np):
    """(momentum (…, R), amount (…, R) USD) of attempts starting now at ARR ``arr`` (…,) with the paces (…,):
    the momentum score (:func:`venturesim.funding.traction.momentum`) and the amount the attempt raises at its
    price (:func:`venturesim.funding.traction.round_amount`)."""
    arr, new_arr_pace, burn_pace = (xp.asarray(v)[..., None] for v in (arr, new_arr_pace, burn_pace))
    score = params.momentum_weight * momentum(
        arr,
        new_arr_pace,
        burn_pace,
        params.reference_arr,
        xp.asarray(params.growth_reference)[..., None],
        xp.asarray(params.burn_multiple_reference)[..., None],
        xp=xp,
    )
    _, pre = attempt_odds(params, arr, climate, attempts, xp=xp, momentum=score)
    return score, round_amount(params.amount, pre, params.min_amount_ratio, params.max_amount_ratio, xp=xp)


def after_failure(failed, attempts, status, next_try, resolved_at, params: FundingParams, xp=np):
    """(attempts, status, next_try) (…, R) after the attempts ``failed`` resolved at ``resolved_at``: one more
    failure; the round is ABANDONED after ``max_attempts``, else WAITING until resolved_at + retry_delay."""
    attempts = attempts + failed
    give_up = failed & (attempts >= params.max_attempts)
    status = xp.where(failed, xp.where(give_up, ABANDONED, WAITING), status)
    return attempts, status, xp.where(failed, resolved_at + params.retry_delay, next_try)


def start_due(status, next_try, params: FundingParams, now, runway, arr, active, xp=np, growth=1.0, attempts=None):
    """(…, R) bool: the rounds that start raising at the month end ``now`` (= t + 1).

    Round r is *ready* when runway < its trigger or ARR ≥ its milestone, and
    ``now`` ≥ its earliest month and its retry time. It starts when the path
    is active, r is ready and WAITING, and every earlier round is CLOSED or
    ABANDONED (a bridge never blocks, and never starts on its own: its trigger
    is −∞).

    The failure policy's traction (:mod:`venturesim.team.policy`,
    :func:`venturesim.funding.traction.has_traction` at ARR ``arr`` and
    year-over-year ``growth``): with the waiver's traction a round's earliest
    month does not hold; with the retry's, an ABANDONED round r that is ready
    and whose later rounds have not started (WAITING, no ``attempts``) starts
    again — it counts as not done, so the rounds after it wait. ``runway``,
    ``arr``, ``growth`` and ``active`` are (…,); the round parameters are
    (…, R) or (R,), the traction bars (…,).
    """
    bridge = params.bridge_of >= 0
    runway, arr, growth = (xp.asarray(v)[..., None] for v in (runway, arr, growth))
    bars = (params.waive_min_arr, params.waive_min_growth, params.retry_min_arr, params.retry_min_growth)
    waive_arr, waive_growth, retry_arr, retry_growth = (xp.asarray(v)[..., None] for v in bars)
    waived = has_traction(arr, growth, waive_arr, waive_growth)
    ready = (
        ((runway < params.trigger_runway) | (arr >= params.milestone_arr))
        & ((now >= params.earliest_month) | waived)
        & (now >= next_try)
    )
    retry = has_traction(arr, growth, retry_arr, retry_growth)
    fresh = bridge | ((status == WAITING) & ((0.0 if attempts is None else attempts) <= 0))
    # every later round fresh: the reversed exclusive cumulative product
    later_fresh = xp.flip(
        xp.cumprod(xp.concatenate([xp.ones_like(fresh[..., :1]), xp.flip(fresh, -1)[..., :-1]], axis=-1), axis=-1), -1
    ).astype(bool)
    reopen = retry & (status == ABANDONED) & ~bridge & later_fresh & ready
    done = (((status == CLOSED) | (status == ABANDONED)) & ~reopen) | bridge
    return xp.asarray(active)[..., None] & _all_before(done, xp) & ((status == WAITING) | reopen) & ready


def _all_before(done, xp=np):
    """(…, R) bool: whether every round before r is ``done`` (the exclusive cumulative product)."""
    return xp.cumprod(xp.concatenate([xp.ones_like(done[..., :1]), done[..., :-1]], axis=-1), axis=-1).astype(bool)


def months_to_close(raising, resolve_time, now, xp=np):
    """Months from ``now`` until the attempts in progress resolve (…,): the largest resolve time − ``now`` of the
    rounds ``raising`` (…, R) bool, 0 when none is (the failure policy's cut while raising,
    :func:`venturesim.team._rules.short_of_close`)."""
    return xp.max(xp.where(raising, resolve_time - now, 0.0), axis=-1, initial=0.0)


def months_to_window(status, next_try, params: FundingParams, now, arr, growth, xp=np):
    """Months from ``now`` until the next round could close when it cannot start yet (…,), 0 when it can or there
    is none (the failure policy's cut while waiting to raise, :func:`venturesim.team._rules.short_of_window`).

    The next round is the WAITING round (not a bridge) whose earlier rounds are CLOSED, ABANDONED or bridges; it
    can start at s = max(its ``earliest_month``, its retry time ``next_try``) — the earliest month waived at the
    waiver's traction (ARR ``arr`` and year-over-year ``growth`` (…,), as :func:`start_due`). While s > ``now``
    the money is (s − now) + its ``time_to_close`` months away.
    """
    bridge = params.bridge_of >= 0
    done = (status == CLOSED) | (status == ABANDONED) | bridge
    upcoming = (status == WAITING) & ~bridge & _all_before(done, xp)
    arr, growth, bar_arr, bar_growth = (
        xp.asarray(v)[..., None] for v in (arr, growth, params.waive_min_arr, params.waive_min_growth)
    )
    earliest = xp.where(has_traction(arr, growth, bar_arr, bar_growth), 0.0, params.earliest_month)
    wait = xp.maximum(earliest, next_try) - now
    return xp.max(xp.where(upcoming & (wait > 0), wait + params.time_to_close, 0.0), axis=-1, initial=0.0)


def bridge_due(bridge_of, status, failed, pre_money, xp=np):
    """Which bridges may close now, and the pre-money of the attempt each would bridge.

    A bridge b (``bridge_of[b]`` = its round) is due when its round's attempt
    ``failed`` (…, R) bool this instant and b is still WAITING (once per
    round). Returns ((…, R) bool, (…, R) USD the parent attempt's pre-money).
    """
    if not bridge_of.shape[-1]:
        return failed & False, pre_money
    parent = xp.broadcast_to(xp.maximum(bridge_of, 0).astype(np.int32), failed.shape)
    parent_failed = xp.take_along_axis(failed, parent, axis=-1)
    parent_pre = xp.take_along_axis(xp.broadcast_to(pre_money, failed.shape), parent, axis=-1)
    return (bridge_of >= 0) & parent_failed & (status == WAITING), parent_pre


def bridge_cap(cap_factor, failed_pre_money):
    """A bridge SAFE's post-money cap, USD: its cap factor × the failed attempt's pre-money."""
    return cap_factor * failed_pre_money


def start_rounds(
    state: FundingState,
    params: FundingParams,
    t: jax.Array,
    runway: jax.Array,
    active: jax.Array,
    arr: jax.Array,
    growth: jax.Array,
) -> FundingState:
    """At the end of month t, start the rounds :func:`start_due` names (the attempt's ARR and climate noted;
    ``growth``, the traction bars' year-over-year growth: the paces',
    :func:`venturesim.funding.traction.growth_multiple`)."""
    now = t + 1.0
    start = start_due(
        state.status, state.next_try, params, now, runway, arr, active, xp=jnp, growth=growth, attempts=state.attempts
    )
    climate = month_of(params.climate, t, 1)[:, None]
    score, amount = attempt_start(params, arr, state.new_arr_pace, state.burn_pace, climate, state.attempts, xp=jnp)
    return state._replace(
        status=jnp.where(start, RAISING, state.status),
        resolve_time=jnp.where(start, now + params.time_to_close, state.resolve_time),
        arr_at_start=jnp.where(start, arr[:, None], state.arr_at_start),
        climate_at_start=jnp.where(start, climate, state.climate_at_start),
        momentum_at_start=jnp.where(start, score, state.momentum_at_start),
        round_amount=jnp.where(start, amount, state.round_amount),
    )


def note_pace(state: FundingState, arr_before, arr, net_burn, alive) -> FundingState:
    """The month's net new ARR (``arr`` − ``arr_before``) and net burn into the paces (:func:`update_pace`)."""
    new_arr_pace, burn_pace = update_pace(
        state.new_arr_pace, state.burn_pace, arr - arr_before, net_burn, alive, xp=jnp
    )
    return state._replace(new_arr_pace=new_arr_pace, burn_pace=burn_pace)
