"""The market's shared rules by hand (venturesim.market._rules): the numbers both engines run."""

from __future__ import annotations

import numpy as np
import pytest

from venturesim.market import _rules
from venturesim.market.bass import cumulative_fraction
from venturesim.market.revenue import churn_price_factor

NO_AGES = np.zeros(0)


def churn(c, quality=1.0, price=1.0, overload=None, exit_share=None, ages=NO_AGES, sbg=0.0, kappa=1.0):
    return _rules.churn_probability(
        np.array([c]),
        np.array([kappa]),
        np.array([sbg]),
        ages,
        quality,
        np.array([price]),
        overload,
        None if exit_share is None else np.array([exit_share]),
    )


def test_churn_probability_by_hand():
    # quality: Δq = +0.1 at ε_c = 2, M = 3 ⇒ churn × 3^{tanh(−0.2/ln 3)} = e^{−1.098612·0.180066} = 0.820518
    # (the unbounded e^{−0.2} = 0.818731 before the bound); adoption × 1/0.820518 = 1.218742
    q = _rules.quality_effect(0.1, 2.0, 2.0, 1.0, 3.0)
    assert float(q.churn) == pytest.approx(0.820518, abs=1e-6) and float(q.adoption) == pytest.approx(
        1.218742, abs=1e-6
    )
    assert churn(0.04, quality=q.churn)[0] == pytest.approx(0.04 * 0.820518, rel=1e-6)
    # price: an unmatched 1/11 cut puts our price 10 % above the competitors' ⇒ × 1.1 at ε_p = 1
    factor = churn_price_factor(0.0, 1.0 / 11.0, 1.0, xp=np)
    assert float(factor) == pytest.approx(1.1, rel=1e-12)
    assert churn(0.04, price=factor)[0] == pytest.approx(0.044, rel=1e-12)
    # the support multiplier, then the cap at 1: 0.3 × 2 × 2 = 1.2 ⇒ 1
    assert churn(0.3, price=2.0, overload=2.0)[0] == 1.0
    # partners' exit churn: c + f(1 − c) = 1 − (1 − c)(1 − f): 0.04, f = 0.25 ⇒ 0.28
    assert churn(0.04, exit_share=0.25)[0] == pytest.approx(0.28, rel=1e-12)
    assert churn(0.04, exit_share=0.0)[0] == 0.04


def test_sbg_churn_by_age():
    # m = 0.05, κ = 4 at ages 0, 1, 6: 0.05, 0.04, 0.02 (= α/(α + β + a), α = 0.2, β = 3.8); off: 0.05 at every age
    ages = np.array([0.0, 1.0, 6.0])
    np.testing.assert_allclose(churn(0.05, ages=ages, sbg=1.0, kappa=4.0)[0], [0.05, 0.04, 0.02], rtol=1e-12)
    np.testing.assert_allclose(churn(0.05, ages=ages, sbg=0.0, kappa=4.0)[0], [0.05, 0.05, 0.05], rtol=1e-12)
    # with the quality factor 0.5 on every age
    np.testing.assert_allclose(
        churn(0.05, quality=0.5, ages=ages, sbg=1.0, kappa=4.0)[0], [0.025, 0.02, 0.01], rtol=1e-12
    )


def test_opening_by_hand():
    # month 3; segments launch at 0, 0, 5 with ARR rules 0, $1M, 0; last month's revenue $100k ⇒ ARR $1.2M
    opened = np.array([False, False, False])
    now, opened, cost = _rules.opening(
        opened, 100e3, 3, np.array([0.0, 0.0, 5.0]), np.array([0.0, 1e6, 0.0]), np.array([10.0, 20.0, 40.0])
    )
    np.testing.assert_array_equal(now, [True, True, False])
    assert cost == 30.0
    # open segments stay open and pay nothing again; revenue $50k (ARR $600k) would not open the second
    now, opened2, cost = _rules.opening(
        np.array([True, False, False]),
        50e3,
        3,
        np.array([0.0, 0.0, 5.0]),
        np.array([0.0, 1e6, 0.0]),
        np.array([10.0, 20.0, 40.0]),
    )
    np.testing.assert_array_equal(opened2, [True, False, False])
    assert cost == 0.0 and not now.any()
    # a dead company opens nothing
    assert not _rules.opening(opened * False, 100e3, 3, np.zeros(3), np.zeros(3), np.ones(3), active=False)[0].any()


def test_adoption_probability_follows_the_closed_form():
    # from the closed form's F(t) at t = 10 months, one month's conditional adoption is (F(11) − F(10))/(1 − F(10))
    p, q, m = 0.01, 0.2, 1e6
    f10, f11 = cumulative_fraction(10.0, p, q), cumulative_fraction(11.0, p, q)
    got = _rules.adoption_probability(
        np.array([f10 * m]), np.array([m]), np.array([p]), np.array([q]), np.zeros(1), np.ones(1), 1.0, 1.0
    )
    assert got[0] == pytest.approx((f11 - f10) / (1 - f10), rel=1e-9)
    # a saturated market adopts nobody
    assert (
        _rules.adoption_probability(
            np.array([m]), np.array([m]), np.array([p]), np.array([q]), np.zeros(1), np.ones(1), 1.0, 1.0
        )[0]
        == 0.0
    )
