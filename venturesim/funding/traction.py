"""Traction-priced rounds, written once for both engines (``xp``: numpy or jax.numpy).

What investors see when a round starts, and what it does to the round's
odds, price and size (docs/model/funding.md, "Traction pricing").

**Pace.** Each month end the company's pace is smoothed over the trailing
months with an exponential moving average of weight α = 1/6 (a mean age of
six months: the two quarters a pitch deck shows): n̄ ← (1 − α) n̄ + α ΔARR
(net new ARR of the month, USD) and b̄ ← (1 − α) b̄ + α B (net burn of the
month, USD; :func:`update_pace`).

**Momentum** (:func:`momentum`), at ARR A, for a round with reference ARR A_ref:

* growth G = A / max(A − 12 n̄, A/8) (the year-ago ARR implied by the pace;
  capped at 8×), x_g = ln(G / G_ref), G_ref = 2: ≈100 % year-over-year growth
  is the median of companies raising a Series A (Blossom Street Ventures,
  Series A valuation report Q4 2016: median YoY growth ≈ 100 %);
* burn multiple BM = b̄ / n̄ (net burn per dollar of net new ARR; 0.5 when
  the company makes money, 8 when ARR does not grow), clipped to [0.5, 8],
  x_b = −ln(BM / BM_ref), BM_ref = 2: D. Sacks (2020), "The Burn Multiple":
  < 1 amazing, 1–1.5 great, 1.5–2 good, 2–3 suspect, > 3 bad;
* each of x_g, x_b is clipped to [−ln 4, ln 4], and their mean counts with
  weight w = min(A / (A_ref/4), 1): a company with no revenue to speak of
  is priced on its story (the round's inputs), not on noise.

**Odds and price** (:func:`venturesim.funding.terms.attempt_terms`): the
score x = ln(max(A, φ A_ref)/A_ref) + momentum moves the log-odds by ε_s x
and the pre-money by e^{ε_v x}. With an explicit ``traction:`` block φ = 0.01
(the block's ARR response, as before); by default A_ref = pre-money / 8.1
(Blossom Street Ventures, Series A valuation report Q3 2019: median ask
8.1× run-rate ARR for SaaS) and φ = 1: ARR above what the price assumes
raises the odds and the price; below it, the round's inputs apply.

**Round size** (:func:`round_amount`): investors buy a stake, not a sum. The
round raises its planned amount A₀ unless that would sell less than d_lo or
more than d_hi of the post-money at the attempt's price V; then it raises
the amount that sells exactly the bound: A = clip(A₀, V d_lo/(1 − d_lo),
V d_hi/(1 − d_hi)). Defaults d_lo = 15 %, d_hi = 25 %: Carta's 2023
median dilution of ≈ 20 % at the seed and the A, ± 5 points: a hot company raises more
at the same dilution, a company whose price collapses raises less rather
than selling a third of itself.
"""

from __future__ import annotations

import math

import numpy as np

PACE_WEIGHT = 1.0 / 6.0
"""α of the pace's moving average (mean age 6 months: two quarters)."""
MAX_GROWTH = 8.0
"""Year-over-year growth multiple at which the growth signal saturates."""
BURN_MULTIPLE_RANGE = (0.5, 8.0)
"""Burn multiples outside this range read as its ends (0.5: profitable; 8: no net new ARR)."""
SIGNAL_CLIP = math.log(4.0)
"""Each signal (growth, burn multiple) moves the score by at most ln 4."""
WEIGHT_AT = 0.25
"""Momentum counts in full from this fraction of the reference ARR (linearly below)."""


def update_pace(new_arr_pace, burn_pace, net_new_arr, net_burn, alive, xp=np):
    """(n̄, b̄) after a month with net new ARR ``net_new_arr`` and net burn ``net_burn`` USD (unchanged off ``alive``)."""
    a = PACE_WEIGHT
    return (
        xp.where(alive, (1.0 - a) * new_arr_pace + a * net_new_arr, new_arr_pace),
        xp.where(alive, (1.0 - a) * burn_pace + a * net_burn, burn_pace),
    )


def growth_multiple(arr, new_arr_pace, xp=np):
    """Year-over-year ARR growth implied by the pace: A / max(A − 12 n̄, A/8), in [1/8…, 8]; 1 without ARR."""
    prior = xp.maximum(arr - 12.0 * new_arr_pace, arr / MAX_GROWTH)
    return xp.where(arr > 0, arr / xp.where(prior > 0, prior, 1.0), 1.0)


def has_traction(arr, growth, min_arr, min_growth):
    """A company with the traction of a bar (…,) bool: ARR ``arr`` ≥ ``min_arr`` USD and year-over-year growth
    ``growth`` (:func:`growth_multiple`) ≥ ``min_growth`` (+inf ``min_arr``: never). The one test of the failure
    policy's sale, retry of an abandoned round and waiver of a round's earliest month
    (:mod:`venturesim.team.policy`), in both engines."""
    return (arr >= min_arr) & (growth >= min_growth)


def burn_multiple(new_arr_pace, burn_pace, xp=np):
    """Net burn per dollar of net new ARR, b̄/n̄, clipped to :data:`BURN_MULTIPLE_RANGE` (0.5 when not burning)."""
    lo, hi = BURN_MULTIPLE_RANGE
    ratio = burn_pace / xp.where(new_arr_pace > 0, new_arr_pace, 1.0)
    return xp.where(burn_pace <= 0, lo, xp.where(new_arr_pace <= 0, hi, xp.clip(ratio, lo, hi)))


def momentum(arr, new_arr_pace, burn_pace, reference_arr, growth_reference, burn_multiple_reference, xp=np):
    """Momentum score (…, R): w · (x_g + x_b)/2 (module docstring). ``arr`` and the paces are (…, 1) or
    broadcast against the rounds' ``reference_arr`` (…, R); +inf reference: 0."""
    x_g = xp.clip(xp.log(growth_multiple(arr, new_arr_pace, xp=xp) / growth_reference), -SIGNAL_CLIP, SIGNAL_CLIP)
    x_b = xp.clip(
        -xp.log(burn_multiple(new_arr_pace, burn_pace, xp=xp) / burn_multiple_reference), -SIGNAL_CLIP, SIGNAL_CLIP
    )
    weight = xp.clip(arr / (WEIGHT_AT * reference_arr), 0.0, 1.0)
    return weight * 0.5 * (x_g + x_b)


def round_amount(planned, pre_money, min_ratio, max_ratio, xp=np):
    """The amount an attempt raises, USD: clip(A₀, V·min_ratio, V·max_ratio), ratio = d/(1 − d) for the
    dilution bounds (0 and +inf: no bound)."""
    return xp.clip(planned, pre_money * min_ratio, pre_money * max_ratio)


def dilution_ratio(dilution: float) -> float:
    """d/(1 − d): the amount per dollar of pre-money that sells a fraction d of the post-money (d = 1: +inf)."""
    return math.inf if dilution >= 1.0 else dilution / (1.0 - dilution)
