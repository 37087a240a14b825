"""The quality gap moves adoption and churn in the direction and by the size
that docs/model/product.md states: Bass p, q × f(g; ε_a), churn × f(−g; ε_c),
with the bounded response f(g; ε) = M^{tanh(εg/ln M)}.

The served model is 0.1 nats behind a constant frontier (g = −0.1) or level
with it (g = 0), with the default ε_a = ε_c = 2 per nat and M = 3. In month 0
of a segment of m = 1,000,000 accounts with 20,000 initial customers, the
expected churned customers are 20,000 · 0.03 · f(0.1) = 20,000 · 0.03 ·
1.218742 = 731.2 (against 600 at parity), and the expected new ones
(m − 20,000) · (F(f₀, 1) − f₀)/(1 − f₀) with the Bass flow F of p and q
scaled by f(−0.1) = 0.820518 (closed form,
:func:`venturesim.market.bass.advance_fraction`). Each mean over 4,096 paths
must lie within 4 standard errors of its expectation.

The bound: 0.9 nats behind, churn is × f(0.9) = 2.769568 (≤ M = 3), not the
unbounded e^{1.8} = 6.05, in both engines.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import venturesim as vs
from venturesim.market.bass import advance_fraction

M, C0, CHURN, P, Q = 1_000_000, 20_000, 0.03, 0.03, 0.38
PATHS = 4096
BOUND = 3.0  # product.quality_response.max_multiplier's default


def response(gap: float, elasticity: float = 2.0) -> float:
    """f(g; ε) = M^{tanh(εg/ln M)}, written out here independently of the library."""
    return BOUND ** math.tanh(elasticity * gap / math.log(BOUND))


def test_response_hand_values():
    assert response(0.1) == pytest.approx(1.2187424, rel=1e-7)  # 3^{tanh(0.2/1.0986123)} = 3^{0.1800662}
    assert response(-0.1) == pytest.approx(0.8205180, rel=1e-7)
    assert response(0.9) == pytest.approx(2.7695681, rel=1e-7)  # e^{1.8} = 6.05 without the bound


def scenario(gap: float) -> vs.Scenario:
    return vs.load(
        {
            "name": "quality",
            "simulation": {"months": 2},
            "company": {"initial_cash": 1e9},
            "market": {
                "segments": [
                    {
                        "name": "s",
                        "market_size": M,
                        "bass_p_annual": P,
                        "bass_q_annual": Q,
                        "price": 10.0,
                        "churn": CHURN,
                        "initial_customers": C0,
                    }
                ]
            },
            "product": {"frontier_loss": 2.0, "initial_loss": 2.0 - gap},
        }
    )


def expected_new(gap: float) -> float:
    k = response(gap)
    f0 = C0 / M
    f1 = float(advance_fraction(np.float64(f0), P / 12 * k, Q / 12 * k, xp=np))
    return (M - C0) * (f1 - f0) / (1 - f0)


METRICS = ("new_customers", "churned_customers", "quality_gap")  # one compiled program for the whole file


@pytest.fixture(scope="module")
def results():
    return {g: vs.simulate(scenario(g), paths=PATHS, seed=5, metrics=METRICS) for g in (0.0, -0.1, 0.1)}


@pytest.mark.parametrize("gap", [0.0, -0.1, 0.1])
def test_churn_scales_by_the_bounded_response(results, gap):
    churned = results[gap].data["churned_customers"].values[:, 0]
    rate = CHURN * response(-gap)
    expected = C0 * rate
    se = math.sqrt(C0 * rate * (1 - rate) / PATHS)
    assert abs(churned.mean() - expected) < 4 * se, (churned.mean(), expected)


@pytest.mark.parametrize("gap", [0.0, -0.1, 0.1])
def test_adoption_scales_p_and_q_by_the_bounded_response(results, gap):
    new = results[gap].data["new_customers"].values[:, 0]
    expected = expected_new(gap)
    se = math.sqrt(expected / PATHS)  # binomial with a small probability: variance ≈ mean
    assert abs(new.mean() - expected) < 4 * se, (new.mean(), expected)
    assert float(results[gap].data["quality_gap"].values[0, 0]) == pytest.approx(gap, abs=1e-6)


def test_behind_the_frontier_adopts_about_18_percent_slower():
    """The documented size: f(−0.1) = 0.821 — the ratio of expected first-month adopters is close to it."""
    ratio = expected_new(-0.1) / expected_new(0.0)
    assert ratio == pytest.approx(response(-0.1), rel=0.02)
    assert expected_new(0.1) > expected_new(0.0) > expected_new(-0.1)


@pytest.mark.parametrize("engine, paths", [("jax", 256), ("des", 48)])
def test_a_large_gap_moves_churn_by_at_most_the_bound(engine, paths):
    """0.9 nats behind: churn × f(0.9) = 2.77 ≤ M = 3 (unbounded: e^{1.8} = 6.05), in both engines."""
    result = vs.simulate(scenario(-0.9), paths=paths, seed=3, engine=engine, metrics=METRICS)
    churned = result.data["churned_customers"].values[:, 0]
    rate = CHURN * response(0.9)
    se = math.sqrt(C0 * rate * (1 - rate) / paths)
    assert abs(churned.mean() - C0 * rate) < 4 * se, (churned.mean(), C0 * rate)
    assert churned.mean() < C0 * CHURN * BOUND
