"""The Bass coefficients' response to marketing, quality, word of mouth and partners; peak adoption time."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim.market.adoption import (
    QUALITY_ELASTICITY_OF_ADOPTION,
    bass_adoption_rate,
    bass_peak_time,
    effective_bass,
    marketing_lift,
    quality_factor,
)
from venturesim.market.bass import cumulative_fraction


def composed(
    p,
    q,
    *,
    marketing_spend=0.0,
    spend_half_saturation=1.0,
    marketing_lift_max=0.0,
    quality_gap=0.0,
    quality_elasticity=QUALITY_ELASTICITY_OF_ADOPTION,
    viral_coefficient=0.0,
    partner_multiplier=1.0,
    xp=jnp,
):
    """effective_bass of one channel's marketing lift and the quality factor (how the engines compose them)."""
    return effective_bass(
        p,
        q,
        lift=marketing_lift(marketing_spend, spend_half_saturation, marketing_lift_max, xp=xp),
        quality=quality_factor(quality_gap, quality_elasticity, xp=xp),
        viral_coefficient=viral_coefficient,
        partner_multiplier=partner_multiplier,
        xp=xp,
    )


@pytest.mark.parametrize("p, q", [(0.03, 0.38), (0.03 / 12, 0.38 / 12), (0.01, 0.5), (0.002, 0.6)])
def test_peak_time_is_argmax_of_closed_form_rate(p, q):
    t_star = float(bass_peak_time(p, q, xp=np))
    assert t_star == pytest.approx(np.log(q / p) / (p + q), rel=1e-14)
    # argmax over a fine grid of dF/dt, from finite differences of the closed form in bass.py
    t = np.linspace(0, 3 * t_star, 600_001)
    rate = np.gradient(cumulative_fraction(t, p, q), t)
    assert t[np.argmax(rate)] == pytest.approx(t_star, abs=2 * (t[1] - t[0]))
    # and our closed-form rate equals (p + qF)(1 − F)
    F = cumulative_fraction(t[::1000], p, q)
    np.testing.assert_allclose(bass_adoption_rate(t[::1000], p, q, xp=np), (p + q * F) * (1 - F), rtol=1e-10)


def test_peak_time_by_hand_and_degenerate():
    # p = 0.03, q = 0.38 per year: ln(12.6667)/0.41 = 2.53897/0.41 = 6.1926 years
    assert float(bass_peak_time(0.03, 0.38, xp=np)) == pytest.approx(6.1926, abs=1e-4)
    # monthly coefficients give the same peak in months: 12 × 6.1926 = 74.31
    assert float(bass_peak_time(0.03 / 12, 0.38 / 12, xp=np)) == pytest.approx(12 * 6.19261, abs=1e-3)
    assert float(bass_peak_time(0.2, 0.1, xp=np)) == 0.0
    # jit and a (paths, S) array
    p = jnp.array([[0.01, 0.02], [0.2, 0.05]])
    q = jnp.array([[0.3, 0.3], [0.1, 0.5]])
    out = np.asarray(jax.jit(bass_peak_time)(p, q))
    expected = np.where(np.asarray(q) > np.asarray(p), np.log(np.asarray(q) / np.asarray(p)) / np.asarray(p + q), 0.0)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_quality_raises_p_and_q_by_the_bounded_factor():
    # default ε_a = 2, M = 3: Δq = +0.1 ⇒ p, q × 3^{tanh(0.2/ln 3)} = 1.218742 (unbounded e^{0.2} = 1.221403)
    base = composed(0.002, 0.03, xp=np)
    better = composed(0.002, 0.03, quality_gap=0.1, xp=np)
    assert QUALITY_ELASTICITY_OF_ADOPTION == 2.0
    assert better.p / base.p == pytest.approx(1.218742, abs=1e-6)
    assert better.q / base.q == pytest.approx(1.218742, abs=1e-6)
    # from −0.2 to −0.1 the bounded factor rises by f(−0.1)/f(−0.2): 1.051018 at ε = 0.5 (e^{0.05} = 1.051271,
    # nearly log-linear), 1.382999 at ε = 5 (e^{0.5} = 1.648721: saturating)
    for eps, ratio in ((0.5, 1.051018), (5.0, 1.382999)):
        lo = composed(0.01, 0.3, quality_gap=-0.2, quality_elasticity=eps, viral_coefficient=0.05, xp=np)
        hi = composed(0.01, 0.3, quality_gap=-0.1, quality_elasticity=eps, viral_coefficient=0.05, xp=np)
        assert hi.p / lo.p == pytest.approx(ratio, abs=1e-6)
        assert hi.q / lo.q == pytest.approx(ratio, abs=1e-6)


def test_effective_bass_by_hand():
    # p = 0.002, q = 0.03 a month; spend $20k at s_½ = $20k, L_max = 1 ⇒ lift 1.5; Δq = 0.05, ε = 2, M = 3
    # ⇒ 3^{tanh(0.1/ln 3)} = 1.104867; viral k = 0.01; partners × 1.2.
    # p' = 0.002 · 1.5 · 1.104867 · 1.2 = 0.0036 · 1.104867 = 0.0039775; q' = (0.03 + 0.01) · 1.104867 = 0.0441947
    c = composed(
        0.002,
        0.03,
        marketing_spend=20_000,
        spend_half_saturation=20_000,
        marketing_lift_max=1.0,
        quality_gap=0.05,
        viral_coefficient=0.01,
        partner_multiplier=1.2,
        xp=np,
    )
    assert c.p == pytest.approx(0.0039775, abs=1e-7)
    assert c.q == pytest.approx(0.0441947, abs=1e-7)
    # neutral inputs leave p and q unchanged
    assert composed(0.002, 0.03, xp=np) == pytest.approx((0.002, 0.03))


def test_viral_coefficient_is_adopters_per_adopter_per_month():
    # with p → 0 and the market untapped, dN/dt = q' N (1 − N/m) ≈ q' N: each adopter recruits k a month
    m, n, k = 1e7, 100.0, 0.08
    c = composed(1e-12, 0.0, viral_coefficient=k, xp=np)
    dn_dt = (c.p + c.q * n / m) * (m - n)
    assert dn_dt / n == pytest.approx(k, rel=1e-4)


@settings(max_examples=50, deadline=None)
@given(p=st.floats(1e-4, 0.05), q=st.floats(0.06, 1.0), s1=st.floats(0, 1e5), ds=st.floats(1.0, 1e5))
def test_more_marketing_brings_the_peak_earlier(p, q, s1, ds):
    # marketing raises p only; t* = ln(q/p)/(p + q) falls in p
    a = composed(p, q, marketing_spend=s1, spend_half_saturation=5e4, marketing_lift_max=2.0, xp=np)
    b = composed(p, q, marketing_spend=s1 + ds, spend_half_saturation=5e4, marketing_lift_max=2.0, xp=np)
    assert b.p > a.p and b.q == a.q
    assert bass_peak_time(b.p, b.q, xp=np) <= bass_peak_time(a.p, a.q, xp=np)


def test_jit_matches_numpy():
    kwargs = {
        "marketing_spend": jnp.array([0.0, 1e4, 5e4]),
        "spend_half_saturation": 2e4,
        "marketing_lift_max": 1.0,
        "quality_gap": jnp.array([0.0, 0.1, -0.1]),
        "viral_coefficient": 0.01,
        "partner_multiplier": 1.1,
    }
    out = jax.jit(lambda p, q: composed(p, q, **kwargs))(jnp.float32(0.002), jnp.float32(0.03))
    ref = composed(0.002, 0.03, **{k: np.asarray(v) for k, v in kwargs.items()}, xp=np)
    np.testing.assert_allclose(np.asarray(out.p), ref.p, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(out.q), ref.q, rtol=1e-6)
    assert float(quality_factor(0.0, xp=np)) == 1.0


def test_inside_lax_scan_with_a_path_axis():
    # 3 paths × 2 segments, 24 months of spend; expected adopted fraction via the exact one-month Bass flow
    from venturesim.market.bass import advance_fraction

    rng = np.random.default_rng(0)
    spend = rng.uniform(0, 5e4, (24, 1, 1))  # (months, 1, 1): the same budget schedule on every path
    p = np.array([[0.002, 0.004]] * 3)  # (paths, S)
    q = np.array([[0.03, 0.05]] * 3)
    gap = np.array([[0.0], [0.1], [-0.1]])  # (paths, 1)

    def month(f, s, xp):
        c = composed(
            p,
            q,
            marketing_spend=s,
            spend_half_saturation=2e4,
            marketing_lift_max=1.0,
            quality_gap=gap,
            viral_coefficient=0.005,
            xp=xp,
        )
        f = advance_fraction(f, c.p, c.q, xp=xp)
        return f, f

    _, jax_path = jax.jit(lambda s: jax.lax.scan(lambda f, s: month(f, s, jnp), jnp.zeros((3, 2)), s))(spend)
    f = np.zeros((3, 2))
    for s in spend:
        f, _ = month(f, s, np)
    np.testing.assert_allclose(np.asarray(jax_path[-1]), f, rtol=1e-5)
    # with equal spend, the better product (path 1) is ahead of the neutral one (0), which leads the worse (2)
    assert np.all(f[1] > f[0]) and np.all(f[0] > f[2])


@pytest.mark.parametrize("elasticity, bound", [(2.0, 3.0), (0.5, 1.5), (5.0, 10.0)])
def test_quality_factor_keeps_the_elasticity_at_the_origin(elasticity, bound):
    # d ln f/dΔq at 0 by a central difference (the error is O(h²·ε³/ln²M), far below the tolerance)
    h = 1e-5
    slope = (
        np.log(quality_factor(h, elasticity, bound, xp=np)) - np.log(quality_factor(-h, elasticity, bound, xp=np))
    ) / (2 * h)
    assert slope == pytest.approx(elasticity, rel=1e-8)


@pytest.mark.parametrize("elasticity, bound", [(2.0, 3.0), (0.5, 1.5), (5.0, 10.0)])
def test_quality_factor_stays_within_the_bound_for_any_gap(elasticity, bound):
    gaps = np.array([-1e6, -50.0, -5.0, -0.9, 0.9, 5.0, 50.0, 1e6])
    f = quality_factor(gaps, elasticity, bound, xp=np)
    assert np.all(f >= (1.0 - 1e-12) / bound) and np.all(f <= bound * (1.0 + 1e-12))
    assert f[0] == pytest.approx(1.0 / bound, rel=1e-12) and f[-1] == pytest.approx(bound, rel=1e-12)
    assert np.all(np.diff(f[1:-1]) > 0)  # increasing in the gap


def test_quality_factor_by_hand():
    # ε = 2, M = 3, Δq = 0.9: 2·0.9/ln 3 = 1.638431, tanh = 0.927253, 3^0.927055 = 2.769568 (unbounded e^{1.8} = 6.0496)
    assert float(quality_factor(0.9, 2.0, 3.0, xp=np)) == pytest.approx(2.769568, abs=1e-6)
    assert float(quality_factor(-0.9, 2.0, 3.0, xp=np)) == pytest.approx(1 / 2.769568, rel=1e-6)
    assert float(quality_factor(0.7, 0.0, 3.0, xp=np)) == 1.0  # no elasticity, no effect


def test_quality_factor_numpy_equals_jax():
    gaps = np.linspace(-2.0, 2.0, 41)
    elasticity = np.array([0.5, 2.0, 5.0])[:, None]
    want = quality_factor(gaps, elasticity, 3.0, xp=np)
    got = jax.jit(lambda g, e: quality_factor(g, e, 3.0))(
        jnp.asarray(gaps, jnp.float32), jnp.asarray(elasticity, jnp.float32)
    )
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6)
