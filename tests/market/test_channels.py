"""Acquisition channels: saturating leads, the funnel, CAC, and sales-led deal closings (Little's law)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim._jax_random import uniforms
from venturesim.market.channels import (
    channel_cac,
    channel_month,
    channel_month_draw,
    deals_closing,
    deals_closing_draw,
    expected_leads,
    marginal_cac,
    steady_state_pipeline,
)


def test_funnel_by_hand():
    # budget $10k, $50 a lead, 1000 reachable leads: x = 10000/(50·1000) = 0.2;
    # leads = 1000 (1 − e^{−0.2}) = 181.269; trials = 0.3 × that = 54.381; customers = 0.2 × trials = 10.876
    f = channel_month(10_000.0, 50.0, 0.3, 0.2, 1000.0, xp=np)
    assert f.leads == pytest.approx(181.269247, abs=1e-5)
    assert f.trials == pytest.approx(54.380774, abs=1e-5)
    assert f.customers == pytest.approx(10.876155, abs=1e-5)
    # CAC = 10000 / 10.876155 = $919.44 — above the no-saturation CAC of 50/(0.3·0.2) = $833.33
    per, blended = channel_cac(np.array([10_000.0]), np.array([f.customers]))
    assert per[0] == pytest.approx(919.44, abs=0.01) and blended == per[0]  # one channel: blended = its CAC
    # the marginal customer costs 50 e^{0.2}/0.06 = $1017.84
    assert float(marginal_cac(10_000.0, 50.0, 0.3, 0.2, 1000.0, xp=np)) == pytest.approx(1017.84, abs=0.01)


@settings(max_examples=50, deadline=None)
@given(budget=st.one_of(st.just(0.0), st.floats(1e-3, 1e7)), cpl=st.floats(1, 500), pool=st.floats(1, 1e5))
def test_saturation_limits(budget, cpl, pool):
    leads = float(expected_leads(budget, cpl, pool, xp=np))
    assert leads <= pool * (1 + 1e-12)  # never more than the reachable pool
    assert leads <= budget / cpl * (1 + 1e-12)  # never more than the linear (no-saturation) count
    assert leads >= 0.0
    # the marginal CAC is at least the average (concave response)
    f = channel_month(budget, cpl, 0.5, 0.4, pool, xp=np)
    if f.customers > 0:
        assert float(marginal_cac(budget, cpl, 0.5, 0.4, pool, xp=np)) >= budget / f.customers * (1 - 1e-9)


def test_saturation_asymptotes():
    # small budget: b/c; huge budget: L_max; infinite pool: exactly linear
    assert float(expected_leads(10.0, 50.0, 1e6, xp=np)) == pytest.approx(0.2, rel=1e-6)
    assert float(expected_leads(1e9, 50.0, 1000.0, xp=np)) == pytest.approx(1000.0)
    assert float(expected_leads(1e9, 50.0, np.inf, xp=np)) == pytest.approx(2e7)
    out = jax.jit(expected_leads)(jnp.array([1e3, 1e9]), 50.0, jnp.array([jnp.inf, 1000.0]))
    np.testing.assert_allclose(np.asarray(out), [20.0, 1000.0], rtol=1e-6)


def test_blended_cac():
    # paid $30k → 20 customers, content $5k → 10, outbound $45k → 10, partners $0 → 0
    # per channel: 1500, 500, 4500, NaN (0/0); blended = 80000/40 = 2000
    per, blended = channel_cac(np.array([[30e3, 5e3, 45e3, 0.0]]), np.array([[20.0, 10.0, 10.0, 0.0]]))
    np.testing.assert_allclose(per[0, :3], [1500.0, 500.0, 4500.0])
    assert np.isnan(per[0, 3])
    assert blended[0] == pytest.approx(2000.0)
    per, blended = channel_cac(np.array([100.0]), np.array([0.0]))
    assert per[0] == np.inf and blended == np.inf


def test_draws_have_the_expected_means():
    paths = 5_000
    budget = jnp.array([2_000.0, 20_000.0, 80_000.0])  # three channels, light to saturated
    cpl, r_lt, r_tp, pool = jnp.array([40.0, 80.0, 200.0]), jnp.array([0.25, 0.4, 0.5]), 0.3, jnp.array([500.0, 2000.0, 300.0])
    u = uniforms(jax.random.key(3), 0, (3, paths, 3))
    draw = jax.jit(channel_month_draw)(u, budget, cpl, r_lt, r_tp, pool)
    exp = channel_month(np.asarray(budget), np.asarray(cpl), np.asarray(r_lt), r_tp, np.asarray(pool), xp=np)
    for got, mean in ((draw.leads, exp.leads), (draw.trials, exp.trials), (draw.customers, exp.customers)):
        got = np.asarray(got, np.float64)
        assert np.all(got == np.round(got))
        se = got.std(axis=0) / np.sqrt(paths)
        assert np.all(np.abs(got.mean(axis=0) - mean) < 3 * se + 1e-9)
    # customers ≤ trials ≤ leads ≤ pool on every draw
    assert np.all(np.asarray(draw.customers) <= np.asarray(draw.trials))
    assert np.all(np.asarray(draw.trials) <= np.asarray(draw.leads))
    assert np.all(np.asarray(draw.leads) <= np.asarray(pool))


def test_draw_needs_a_finite_pool():
    with pytest.raises(ValueError, match=r"max_leads\(=inf\) must be finite"):
        channel_month_draw(jnp.zeros((3, 1)), 100.0, 10.0, 0.5, 0.5, np.inf)


# ------------------------------------------------------------------ sales-led deals


def test_deals_closing_by_hand():
    # four cohorts opened at months 0, 1, 2, 3; now month 4 ⇒ ages 4, 3, 2, 1
    # cycles 4.5, 2.9, 2.0, 3.0 ⇒ ⌊C⌋ = 4, 2, 2, 3: cohorts 0 (age 4) and 2 (age 2) resolve
    ages = np.array([4.0, 3.0, 2.0, 1.0])
    cycles = np.array([4.5, 2.9, 2.0, 3.0])
    opps = np.array([10.0, 20.0, 30.0, 40.0])
    f = deals_closing(ages, cycles, 0.25, opps, xp=np)
    assert f.resolved == 40.0  # 10 + 30
    assert f.won == 10.0  # 0.25 × 40
    # not-yet-opened entries (negative age) never resolve
    assert deals_closing(np.array([-1.0]), np.array([0.0]), 0.5, 7.0, xp=np).resolved == 0.0


@pytest.mark.parametrize("cycle_values", [(3.0,), (2.0, 3.0, 4.0, 5.0), (0.5, 1.7, 6.2)])
def test_littles_law_for_constant_inflow(cycle_values):
    # λ = 12 opportunities a month, win rate 0.3; cohort s has cycle drawn from cycle_values (cycled)
    lam, w, months = 12.0, 0.3, 46
    cycles = np.resize(np.array(cycle_values), months)  # cohort s gets cycle_values[s mod k]
    opened = np.arange(months)
    won, pipeline = [], []
    for t in range(months):
        ages = np.where(opened <= t, t - opened, -1.0)
        f = deals_closing(ages, cycles, w, lam, xp=np)
        won.append(f.won)
        # open at the month end: opened by t and resolving after t
        pipeline.append(lam * np.sum((opened <= t) & (opened + np.floor(cycles) > t)))
    won, pipeline = np.array(won), np.array(pipeline)
    # after the longest cycle, over 36 months (a multiple of each cycle pattern's period k = 1, 3, 4):
    # each residue class s ≡ r (mod k) resolves exactly 36/k cohorts, so the mean of won is exactly λw,
    # and it is open at ⌊C_r⌋ of every k month-ends, so the mean pipeline is exactly λ·E[⌊C⌋]
    steady = slice(10, 46)
    expected_pipeline, expected_won = steady_state_pipeline(lam, np.mean(np.floor(cycle_values)), w)
    assert np.mean(won[steady]) == pytest.approx(expected_won, rel=1e-12)  # 12 × 0.3 = 3.6
    assert np.mean(pipeline[steady]) == pytest.approx(expected_pipeline, rel=1e-12)
    if len(cycle_values) == 1:  # a fixed 3-month cycle: every month exactly 3.6 won and 36 open
        np.testing.assert_allclose(won[steady], 3.6)
        np.testing.assert_allclose(pipeline[steady], 36.0)


def test_deal_draws_match_expected():
    paths, k = 5_000, 6
    ages = jnp.arange(k, dtype=jnp.float32)[::-1]  # 5, 4, …, 0
    cycles = jnp.array([5.0, 1.0, 3.7, 4.0, 2.0, 0.0])  # ⌊C⌋ = age for entries 0 (5), 2 (⌊3.7⌋ = 3), 5 (0)
    opps = jnp.array([8.0, 9.0, 30.0, 11.0, 12.0, 50.0])
    win = jnp.full((paths,), 0.4)
    u = uniforms(jax.random.key(5), 0, (paths, k))
    f = jax.jit(deals_closing_draw)(u, ages, cycles, win, opps)
    assert np.all(np.asarray(f.resolved) == 88.0)  # 8 + 30 + 50
    won = np.asarray(f.won, np.float64)
    # E = 0.4·88 = 35.2, SD = √(88·0.4·0.6) = 4.596
    assert abs(won.mean() - 35.2) < 3 * 4.596 / np.sqrt(paths)
    assert won.std() == pytest.approx(4.596, rel=0.05)
