"""The arithmetic both engines share for a round's terms and for exits (``xp``: numpy or jax.numpy).

**Odds and price of an attempt.** With A the ARR shown when the attempt
started, x = ln(max(A, φ A_ref) / A_ref) + m (0 with ``traction: off``; φ = 0.01
with a traction block, 1 by default; m the momentum of growth and burn
multiple at the start, :mod:`venturesim.funding.traction`), c the funding
climate at the start and k the failed attempts so far:

    odds  = p₀/(1 − p₀) · e^{ε_s x} · c,         p = odds / (1 + odds),
    pre   = pre₀ · e^{ε_v x} · c · d^k           (d: the down-round factor).

**Closing a round** (the ownership arithmetic, with the option pool shuffle
and the SAFEs' conversion): :mod:`venturesim.funding.ownership`.

**Exits**, checked at each month end: an IPO when ARR ≥ the threshold;
otherwise an acquisition with monthly probability
1 − exp(−λ), λ = −ln(1 − h)/12 · (ARR/ARR_ref)^η (h: the annual probability
at the reference ARR). A company out of cash is acqui-hired with its
probability (value per head × headcount) or shut down (asset sale).
"""

from __future__ import annotations

import numpy as np

from venturesim.funding.shares.waterfall import FULL

NO_EXIT, ACQUISITION, IPO, ACQUIHIRE, SHUTDOWN = 0, 1, 2, 3, 4
EXIT_KINDS = ("private", "acquisition", "ipo", "acquihire", "shutdown")


def attempt_terms(
    arr,
    base_probability,
    base_pre_money,
    reference_arr,
    success_elasticity,
    valuation_elasticity,
    climate,
    failed_attempts,
    down_round_factor,
    xp=np,
    arr_floor=0.01,
    momentum=0.0,
):
    """(probability of closing, pre-money USD) of an attempt; arrays broadcast (paths, R)."""
    has_traction = xp.isfinite(reference_arr)
    ref = xp.where(has_traction, reference_arr, 1.0)
    x = xp.where(has_traction, xp.log(xp.maximum(arr, arr_floor * ref) / ref) + momentum, 0.0)
    boost = xp.exp(success_elasticity * x) * climate
    p0 = base_probability
    odds = p0 * boost
    p = xp.where(boost == 1.0, p0, odds / xp.maximum(1.0 - p0 + odds, 1e-30))
    pre = base_pre_money * xp.exp(valuation_elasticity * x) * climate * down_round_factor**failed_attempts
    return p, pre


def acquisition_probability(arr, hazard_annual, reference_arr, arr_elasticity, xp=np):
    """Monthly probability of an acquisition at ARR ``arr`` (0 without ARR or without an acquisition block)."""
    rate = -xp.log1p(-xp.minimum(hazard_annual, 1.0 - 1e-9)) / 12.0
    scale = xp.where(arr > 0, (xp.maximum(arr, 1e-9) / reference_arr) ** arr_elasticity, 0.0)
    return 1.0 - xp.exp(-rate * scale)


def exit_classes(holders, closed, terms, xp=np, amount=None):
    """The engines' preference stack at an exit as fixed-shape arrays (…, 1 + R).

    ``holders``: the cap table (:class:`venturesim.funding.ownership.Holders`); ``closed`` (…, R) bool, the
    rounds that closed; ``terms``: the rounds' terms (``FundingParams``: amount, preference, participation,
    cap multiple, seniority; a block's or one path's); ``amount``: what each round raised, if not the terms'.

    Class 0 is common (founders, others and the option pool: options count as
    common, strike ignored); class 1 + r is round r's preferred (empty unless
    it closed). Returns (prefs, shares, seniority, participation, cap) for
    :func:`venturesim.funding.shares.waterfall.waterfall_arrays`.
    """
    founders, others, pool, investors, _ = holders
    amount = terms.amount if amount is None else amount  # what each round raised (the state's round_amount)
    preference, seniority = terms.preference, terms.seniority
    participation, cap_multiple = terms.participation, terms.cap_multiple
    common = (founders + others + pool)[..., None]
    prefs = xp.concatenate([xp.zeros_like(common), xp.where(closed, amount * preference, 0.0)], axis=-1)
    shares = xp.concatenate([common, xp.where(closed, investors, 0.0)], axis=-1)
    rank = xp.concatenate([xp.full(common.shape, -1.0), seniority + xp.zeros_like(amount)], axis=-1)
    kind = xp.concatenate([xp.full(common.shape, float(FULL)), participation + xp.zeros_like(amount)], axis=-1)
    cap = xp.concatenate([xp.full(common.shape, xp.inf), amount * cap_multiple], axis=-1)
    return prefs, shares, rank, kind, cap
