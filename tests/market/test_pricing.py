"""Pricing and usage: revenue per customer, usage growth, prepaid cash, serving cost and gross margin."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim.market.pricing import (
    annual_prepaid_cash,
    competitor_cut_multiplier,
    expected_usage,
    serving_cost_per_customer,
    subscription_price,
    unit_economics,
    usage_draw,
    usage_growth,
)
from venturesim.market.revenue import base_price


def test_price_per_customer_by_hand():
    # the engines' price (revenue.base_price) from pricing's parts:
    # 5 seats × $20 = $100; tiers 60 % × $0 + 30 % × $50 + 10 % × $500 = $65 ⇒ subscription $165;
    # 40 % on annual plans at 15 % off ⇒ × (1 − 0.06) = 0.94 ⇒ $155.10;
    # usage 8 M tokens × $2.50 = $20 (no discount) ⇒ $175.10; matching a 20 % competitor cut at
    # pass-through 0.5 ⇒ × 0.9 ⇒ $157.59
    tiers = subscription_price(np.array([0.6, 0.3, 0.1]), np.array([0.0, 50.0, 500.0]), xp=np)
    one = np.ones(1)
    r = base_price(
        0.0 * one,
        5.0 * one,
        20.0 * one,
        tiers * one,
        (1 - 0.4 * 0.15) * one,
        np.ones((1, 1)),
        np.full((1, 1), 8.0),
        2.5 * one,
        0.5 * one,
        0.2 * one,
        xp=np,
    )
    assert float(r[0, 0]) == pytest.approx(157.59, abs=1e-9)
    assert competitor_cut_multiplier(0.2, 0.5) == pytest.approx(0.9)
    assert competitor_cut_multiplier(0.2) == pytest.approx(0.8)


def test_tiers_per_path_and_jit():
    shares = jnp.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])  # (paths, tiers)
    prices = jnp.array([100.0, 300.0])
    out = jax.jit(lambda s, p: subscription_price(s, p))(shares, prices)
    np.testing.assert_allclose(np.asarray(out), [100.0, 200.0, 300.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"tier_shares sum\(=0.9\) must be 1"):
        subscription_price(np.array([0.5, 0.4]), np.array([1.0, 2.0]), xp=np)


def test_usage_growth_arithmetic():
    # median 2 M tokens, σ = 1, growth 5 %/month, age 12:
    # mean = 2 · e^{0.5} · 1.05^{12} = 2 · 1.648721 · 1.795856 = 5.921733
    assert float(expected_usage(12, median_mtokens=2.0, sigma=1.0, growth_monthly=0.05, xp=np)) == pytest.approx(
        5.921733, abs=1e-6
    )
    # capped at 1.5× the starting level: 2 · 1.648721 · 1.5 = 4.946164
    assert float(
        expected_usage(12, median_mtokens=2.0, sigma=1.0, growth_monthly=0.05, max_multiple=1.5, xp=np)
    ) == pytest.approx(4.946164, abs=1e-6)
    # shrinking usage: 0.98^{24} = 0.615780
    assert float(usage_growth(24, -0.02, xp=np)) == pytest.approx(0.98**24)
    assert float(usage_growth(24, -0.02, xp=np)) == pytest.approx(0.615780, abs=1e-6)


def test_usage_draws_are_lognormal_with_the_stated_mean():
    rng = np.random.default_rng(4)
    n = 400_000
    z = rng.standard_normal(n)
    u = usage_draw(z, 6, median_mtokens=3.0, sigma=0.8, growth_monthly=0.03, xp=np)
    mean = expected_usage(6, median_mtokens=3.0, sigma=0.8, growth_monthly=0.03, xp=np)
    # E = 3 · e^{0.32} · 1.03^6 = 3 · 1.377128 · 1.194052 = 4.93309
    assert float(mean) == pytest.approx(4.93309, abs=1e-5)
    assert abs(u.mean() - mean) < 3 * u.std() / np.sqrt(n)
    assert np.median(u) == pytest.approx(3.0 * 1.03**6, rel=0.01)  # the median grows, σ does not change it


@settings(max_examples=40, deadline=None)
@given(revenue=st.floats(1.0, 1e5), age0=st.integers(0, 11), years=st.integers(1, 5))
def test_prepaid_cash_equals_revenue_over_whole_years(revenue, age0, years):
    ages = np.arange(age0, age0 + 12 * years)
    cash = annual_prepaid_cash(revenue, ages, xp=np)
    assert cash.sum() == pytest.approx(revenue * 12 * years, rel=1e-12)
    assert np.count_nonzero(cash) == years  # one payment a year


def test_unit_economics_and_gross_margin():
    # revenue $200; serving 30 M tokens × $3 = $90; support $10 ⇒ cost $100, profit $100, margin 50 %
    serving = serving_cost_per_customer(30.0, 3.0)
    ue = unit_economics(200.0, serving, 10.0)
    assert ue.cost_of_revenue == 100.0 and ue.gross_profit == 100.0
    assert float(ue.gross_margin) == pytest.approx(0.5)
    # arrays, and zero revenue gives NaN margin
    ue = unit_economics(np.array([100.0, 0.0]), np.array([40.0, 5.0]))
    assert ue.gross_margin[0] == pytest.approx(0.6) and np.isnan(ue.gross_margin[1])
    ue = jax.jit(unit_economics)(jnp.array([100.0, 0.0]), jnp.array([40.0, 5.0]), 0.0)
    assert float(ue.gross_margin[0]) == pytest.approx(0.6) and np.isnan(float(ue.gross_margin[1]))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: usage_growth(3, -1.0, xp=np), r"growth_monthly\(=-1.0\) must be > -1"),
        (lambda: competitor_cut_multiplier(1.0), r"cut\(=1.0\) must be in \[0, 1\)"),
    ],
)
def test_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()
