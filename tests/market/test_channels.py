"""Acquisition channels: saturating leads, the funnel (expected and drawn), CAC."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim._jax_random import binomial, uniforms
from venturesim.market.channels import funnel, lead_capture_probability
from venturesim.market.metrics import cac


def expected_month(budget, cpl, r_lt, r_tp, reach):
    """E[leads, trials, customers] of a channel with more prospects than it reaches: L_max·capture, ·r_lt, ·r_tp."""
    leads = reach * np.asarray(lead_capture_probability(budget, cpl, reach, xp=np))
    return leads, leads * r_lt, leads * r_lt * r_tp


def test_funnel_by_hand():
    # budget $10k, $50 a lead, 1000 reachable leads: x = 10000/(50·1000) = 0.2;
    # leads = 1000 (1 − e^{−0.2}) = 181.269; trials = 0.3 × that = 54.381; customers = 0.2 × trials = 10.876
    leads, trials, customers = expected_month(10_000.0, 50.0, 0.3, 0.2, 1000.0)
    assert leads == pytest.approx(181.269247, abs=1e-5)
    assert trials == pytest.approx(54.380774, abs=1e-5)
    assert customers == pytest.approx(10.876155, abs=1e-5)
    # CAC = 10000 / 10.876155 = $919.44 — above the no-saturation CAC of 50/(0.3·0.2) = $833.33
    assert cac(10_000.0, customers) == pytest.approx(919.44, abs=0.01)


@settings(max_examples=50, deadline=None)
@given(budget=st.one_of(st.just(0.0), st.floats(1e-3, 1e7)), cpl=st.floats(1, 500), pool=st.floats(1, 1e5))
def test_saturation_limits(budget, cpl, pool):
    leads = pool * float(lead_capture_probability(budget, cpl, pool, xp=np))
    assert leads <= pool * (1 + 1e-12)  # never more than the reachable pool
    assert leads <= budget / cpl * (1 + 1e-12)  # never more than the linear (no-saturation) count
    assert leads >= 0.0


def test_saturation_asymptotes():
    # small budget: b/c leads; huge budget: all L_max; the same in float32 under jit
    assert 1e6 * float(lead_capture_probability(10.0, 50.0, 1e6, xp=np)) == pytest.approx(0.2, rel=1e-6)
    assert 1000 * float(lead_capture_probability(1e9, 50.0, 1000.0, xp=np)) == pytest.approx(1000.0)
    out = jax.jit(lead_capture_probability)(jnp.array([10.0, 1e9]), 50.0, jnp.array([1e6, 1000.0]))
    np.testing.assert_allclose(np.asarray(out) * [1e6, 1000.0], [0.2, 1000.0], rtol=1e-5)


def test_funnel_draws_have_the_expected_means():
    # three channels, light to saturated, each selling to its own segment with more prospects than it reaches
    # (so leads ~ Binomial(L_max, capture) and each stage's mean is expected_month's)
    paths = 5_000
    budget = jnp.array([2_000.0, 20_000.0, 80_000.0])
    cpl, r_lt, r_tp, reach = (
        jnp.array([40.0, 80.0, 200.0]),
        jnp.array([0.25, 0.4, 0.5]),
        0.3,
        jnp.array([500.0, 2000.0, 300.0]),
    )
    u = uniforms(jax.random.key(3), 0, (3, paths, 3))
    capture = lead_capture_probability(budget, cpl, reach)
    target = jnp.eye(3)[None]  # (1, K = S, S)
    pool = jnp.full((paths, 3), 10_000.0)
    pool_left, draw = jax.jit(
        lambda u, pool: funnel(
            pool[:, None, :], target, reach, capture, r_lt, r_tp, lambda stage, n, p: binomial(u[stage], n, p)
        )
    )(u, pool)
    exp = expected_month(np.asarray(budget), np.asarray(cpl), np.asarray(r_lt), r_tp, np.asarray(reach))
    for got, mean in zip((draw.leads, draw.trials, draw.customers), exp, strict=True):
        got = np.asarray(got, np.float64)
        assert np.all(got == np.round(got))
        se = got.std(axis=0) / np.sqrt(paths)
        assert np.all(np.abs(got.mean(axis=0) - mean) < 3 * se + 1e-9)
    # customers ≤ trials ≤ leads ≤ reach on every draw, and the customers leave their segment's pool
    assert np.all(np.asarray(draw.customers) <= np.asarray(draw.trials))
    assert np.all(np.asarray(draw.trials) <= np.asarray(draw.leads))
    assert np.all(np.asarray(draw.leads) <= np.asarray(reach))
    np.testing.assert_array_equal(
        np.asarray(pool_left)[:, np.arange(3), np.arange(3)], 10_000.0 - np.asarray(draw.customers)
    )


def test_funnel_reach_is_capped_by_the_pool():
    # 7 prospects left in the targeted segment, L_max = 100, certain capture and conversion: 7 leads and customers;
    # the pool of the other segment is untouched
    def certain(stage, n, p):
        return n * p

    pool, f = funnel(np.array([7.0, 50.0]), np.array([1.0, 0.0]), 100.0, 1.0, 1.0, 1.0, certain, xp=np)
    assert (f.leads, f.trials, f.customers) == (7.0, 7.0, 7.0)
    np.testing.assert_array_equal(pool, [0.0, 50.0])
