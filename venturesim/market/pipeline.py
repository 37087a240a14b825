r"""Sales-led deals: when a deal opened in a month resolves, for the monthly kernel and the event engine.

A deal of a sales-led segment opens during month s, at time s + U with U
uniform on [0, 1) (the month's adopters arrive spread over it), and has a sales
cycle C months, gamma distributed per deal with mean μ and coefficient of
variation v (shape a = 1/v², scale θ = μv²; v = 1 is exponential). It resolves
at time s + U + C, i.e. in month s + K with

.. math:: K = \min(⌊U + C⌋,\; D)

where D is the longest cycle in whole months (a deal open that long is decided
then). Since U + C < x has probability G(x) = ∫_{x−1}^{x} F_C(y) dy (F_C the
gamma CDF, 0 below 0),

.. math::

    P(K = k) = G(k + 1) − G(k)\quad (k < D), \qquad P(K = D) = 1 − G(D),

    \int_0^x F_C(y)\,dy = x\,F_C(x; a, θ) − aθ\,F_C(x; a + 1, θ)

(integration by parts; E[C·1{C ≤ x}] = aθ F(x; a+1, θ) for a gamma). The JAX
engine keeps open deals by age a (months since the opening month) and each
month resolves Binomial(open deals of age a, P(K = a | K ≥ a)) of them — a
chain of conditional binomials over the months, which gives each deal the
resolution month K with exactly the probabilities above; the discrete-event
engine draws each deal's U and C and resolves it at its own time. Both then
win a resolving deal with the win rate w. For a constant inflow λ, once the months exceed D, deals won a month = λw
and open deals at a month's end = λ·E[K] (Little's law, L = λW; Little 1961).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc

from venturesim.market import _checks


def _integrated_cdf(x, shape, scale):
    """∫_0^x F_C(y) dy for C ~ Gamma(shape, scale); 0 for x ≤ 0."""
    x = np.maximum(x, 0.0)
    # F_C(x; a, θ) = P(a, x/θ), the regularised lower incomplete gamma: what ``stats.gamma.cdf`` computes for
    # x ≥ 0 and a, θ > 0 (the same numbers), without its per-call argument checks and masking
    return x * gammainc(shape, x / scale) - shape * scale * gammainc(shape + 1.0, x / scale)


def resolution_probabilities(mean_months, cv, max_months: int) -> np.ndarray:
    """P(K = k), k = 0 … D: the month (after the opening month) in which a deal resolves.

    Parameters
    ----------
    mean_months : (...) mean sales cycle μ, months (> 0).
    cv : (...) coefficient of variation v of one deal's cycle (> 0).
    max_months : D, whole months; a deal still open then resolves in month s + D.

    Returns
    -------
    (..., D + 1) probabilities summing to 1 (float64).
    """
    _checks.positive("mean_months", mean_months)
    _checks.positive("cv", cv)
    if not (isinstance(max_months, (int, np.integer)) and max_months >= 1):
        raise ValueError(f"max_months(={max_months}) must be a whole number >= 1")
    mean = np.asarray(mean_months, np.float64)[..., None]
    v = np.asarray(cv, np.float64)[..., None]
    shape, scale = 1.0 / v**2, mean * v**2
    edges = np.arange(max_months + 1, dtype=np.float64)  # x = 0 … D
    below = _integrated_cdf(edges, shape, scale) - _integrated_cdf(edges - 1.0, shape, scale)  # G(x)
    below = np.clip(below, 0.0, 1.0)
    probs = np.diff(below, axis=-1)  # G(k+1) − G(k), k = 0 … D−1
    return np.concatenate([probs, 1.0 - below[..., -1:]], axis=-1).clip(0.0, 1.0)


def conditional_probabilities(probabilities) -> np.ndarray:
    """P(K = k | K ≥ k) along the last axis (the last entry is 1): a deal of age k's chance to resolve now."""
    p = np.asarray(probabilities, np.float64)
    tail = np.flip(np.cumsum(np.flip(p, -1), -1), -1)  # P(K ≥ k)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(tail > 0, p / tail, 1.0)
    cond[..., -1] = 1.0
    return np.clip(cond, 0.0, 1.0)


def draw_deal_times(
    rng: np.random.Generator, n: int, month: int, mean_months: float, cv: float, max_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """One path's new deals in the event engine: (time each resolves, month it is booked in).

    Opening times are month + U; resolution at opening + C with C ~ Gamma(1/v², μv²), booked in
    month + min(⌊U + C⌋, D) (a deal forced to a decision at D resolves at the end of that month).
    """
    opened = month + rng.random(n)
    cycle = rng.gamma(1.0 / cv**2, mean_months * cv**2, n)
    offset = np.minimum(np.floor(opened - month + cycle), max_months)
    close_month = month + offset
    close_time = np.minimum(opened + cycle, close_month + 1.0 - 1e-9)
    return close_time, close_month.astype(np.int64)
