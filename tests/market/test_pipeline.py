"""When sales-led deals resolve: the closed form of K = min(⌊U + C⌋, D) against simulation and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from venturesim.market.pipeline import conditional_probabilities, draw_deal_times, resolution_probabilities


def test_exponential_cycle_by_hand():
    """cv = 1: C ~ Exp(mean μ). P(K = 0) = ∫_0^1 (1 − e^{−y/μ}) dy = 1 − μ(1 − e^{−1/μ});
    P(K = k ≥ 1) = μ(e^{1/μ} − 1)(1 − e^{−1/μ}) e^{−k/μ}. With μ = 2: P(K = 0) = 1 − 2 × 0.393469 = 0.213061."""
    mu = 2.0
    probs = resolution_probabilities(mu, 1.0, 60)
    assert probs[0] == pytest.approx(0.213061, abs=1e-6)
    k = np.arange(1, 20)
    by_hand = mu * math.expm1(1 / mu) * -math.expm1(-1 / mu) * np.exp(-k / mu)
    np.testing.assert_allclose(probs[1:20], by_hand, rtol=1e-9)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("mean, cv", [(3.0, 0.5), (0.4, 1.5), (7.5, 0.2)])
def test_mean_resolution_month_is_the_mean_cycle(mean, cv):
    """E⌊U + x⌋ = x for U uniform on [0, 1), so E[K] = E[C] when the cap D is never reached."""
    probs = resolution_probabilities(mean, cv, 200)
    assert probs @ np.arange(201) == pytest.approx(mean, rel=1e-7)


@pytest.mark.parametrize("mean, cv, cap", [(3.0, 0.5, 6), (2.0, 1.0, 24), (0.5, 0.8, 3)])
def test_probabilities_match_the_event_engines_deal_draws(mean, cv, cap):
    """The DES draws each deal's U and C; its month frequencies agree with P(K = k) within 4 SE
    (n = 200,000 deals; SE = √(p(1 − p)/n)), including the mass piled at the cap D."""
    rng = np.random.default_rng(4)
    n = 200_000
    close_time, close_month = draw_deal_times(rng, n, 5, mean, cv, cap)
    assert close_month.min() >= 5 and close_month.max() <= 5 + cap
    assert np.all((close_time >= close_month) & (close_time < close_month + 1))  # booked in the month it happens
    freq = np.bincount(close_month - 5, minlength=cap + 1) / n
    probs = resolution_probabilities(mean, cv, cap)
    se = np.sqrt(probs * (1 - probs) / n)
    assert np.all(np.abs(freq - probs) < 4 * se + 1e-12), np.round((freq - probs) / np.maximum(se, 1e-12), 2)


def test_conditional_chain_rebuilds_the_distribution():
    """P(K = k) = c_k Π_{j<k} (1 − c_j): resolving each month's survivors with c_k is the same law."""
    probs = resolution_probabilities(np.array([2.0, 5.0]), np.array([0.5, 0.9]), 12)
    cond = conditional_probabilities(probs)
    assert np.all(cond[..., -1] == 1.0) and np.all((cond >= 0) & (cond <= 1))
    survive = np.concatenate([np.ones((2, 1)), np.cumprod(1 - cond[..., :-1], axis=-1)], axis=-1)
    np.testing.assert_allclose(survive * cond, probs, atol=1e-12)


def test_inputs_are_checked():
    with pytest.raises(ValueError, match=r"mean_months\(=-1.0\) must be > 0"):
        resolution_probabilities(-1.0, 0.5, 10)
    with pytest.raises(ValueError, match=r"max_months\(=0\)"):
        resolution_probabilities(2.0, 0.5, 0)
