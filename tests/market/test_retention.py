"""Logo churn: constant survival, the sBG cohort model (closed form, fit, Monte Carlo) and churn response."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim._jax_random import binomial, uniforms
from venturesim.market.retention import (
    FADER_HARDIE_2007,
    cohort_month,
    constant_survival,
    fit_sbg,
    sbg_churn_hazard,
    sbg_log_likelihood,
    sbg_mean_lifetime,
    sbg_params,
    sbg_pmf,
    sbg_retention_rate,
    sbg_survival,
)

# ------------------------------------------------------------------ closed forms


@settings(max_examples=60, deadline=None)
@given(alpha=st.floats(0.05, 20.0), beta=st.floats(0.05, 50.0))
def test_sbg_survival_is_product_of_retention_rates(alpha, beta):
    t = np.arange(1, 61)
    product = np.cumprod(sbg_retention_rate(t, alpha, beta, xp=np))
    np.testing.assert_allclose(sbg_survival(t, alpha, beta, xp=np), product, rtol=1e-9)
    # P(T = t) = S(t − 1) − S(t), and the hazard at age a is 1 − r(a + 1)
    surv = sbg_survival(np.arange(0, 61), alpha, beta, xp=np)
    np.testing.assert_allclose(sbg_pmf(t, alpha, beta, xp=np), surv[:-1] - surv[1:], rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(
        sbg_churn_hazard(t - 1, alpha / (alpha + beta), alpha + beta, xp=np),
        1 - sbg_retention_rate(t, alpha, beta, xp=np),
        rtol=1e-12,
    )


def test_sbg_by_hand():
    # α = 1, β = 3: r(1) = 3/4, r(2) = 4/5 ⇒ S(2) = 0.6; h(0) = 1/4, h(5) = 1/9; P(T=1) = 1/4
    assert sbg_survival(2.0, 1.0, 3.0, xp=np) == pytest.approx(0.6, rel=1e-12)
    # in the engines' parameters m = α/(α + β) = 1/4, κ = α + β = 4: h(a) = mκ/(κ + a)
    assert sbg_churn_hazard(0.0, 0.25, 4.0, xp=np) == pytest.approx(0.25)
    assert sbg_churn_hazard(5.0, 0.25, 4.0, xp=np) == pytest.approx(1 / 9)
    assert sbg_pmf(1.0, 1.0, 3.0, xp=np) == pytest.approx(0.25, rel=1e-12)
    # E[T] = (α + β − 1)/(α − 1); α = 2, β = 3 ⇒ 4; α ≤ 1 ⇒ infinite
    assert float(sbg_mean_lifetime(2.0, 3.0, xp=np)) == pytest.approx(4.0)
    assert float(sbg_mean_lifetime(0.7, 3.0, xp=np)) == np.inf
    # sbg_params: m = 0.05, κ = 4 ⇒ α = 0.2, β = 3.8, and h(0) = m
    a, b = sbg_params(0.05, 4.0)
    assert (a, b) == pytest.approx((0.2, 3.8))
    assert sbg_churn_hazard(0.0, 0.05, 4.0, xp=np) == pytest.approx(0.05)
    # and h(a) = α/(α + β + a) at every age: 0.2/(4 + 6) = 0.02
    assert sbg_churn_hazard(6.0, 0.05, 4.0, xp=np) == pytest.approx(a / (a + b + 6.0), rel=1e-12)
    assert sbg_churn_hazard(6.0, 0.05, 4.0, xp=np) == pytest.approx(0.02, rel=1e-12)


@pytest.mark.parametrize("alpha, beta", [(2.0, 3.0), (1.5, 10.0), (4.0, 1.0)])
def test_mean_lifetime_is_sum_of_survival(alpha, beta):
    # E[T] = Σ_{t≥0} S(t). Sum to N and add the tail: S(t) ≈ K t^{−α}, K = Γ(α+β)/Γ(β), so
    # Σ_{t≥N} S(t) ≈ K (N − ½)^{1−α}/(α − 1)
    from scipy.special import gammaln

    n = 200_000
    head = np.sum(sbg_survival(np.arange(0, n), alpha, beta, xp=np))
    tail = np.exp(gammaln(alpha + beta) - gammaln(beta)) * (n - 0.5) ** (1 - alpha) / (alpha - 1)
    assert head + tail == pytest.approx(float(sbg_mean_lifetime(alpha, beta, xp=np)), rel=1e-5)


def test_constant_survival():
    # c = 0.04: (0.96)^12 = 0.61271
    assert float(constant_survival(12, 0.04, xp=np)) == pytest.approx(0.96**12)
    assert float(constant_survival(12, 0.04, xp=np)) == pytest.approx(0.612710, abs=1e-6)


def test_jax_matches_numpy_and_jits():
    t = jnp.arange(0.0, 25.0)
    jitted = jax.jit(lambda t, a, b: sbg_survival(t, a, b))(t, 0.668, 3.806)
    np.testing.assert_allclose(np.asarray(jitted), sbg_survival(np.arange(25.0), 0.668, 3.806, xp=np), rtol=2e-5)
    hz = jax.jit(sbg_churn_hazard)(jnp.arange(5.0), 0.2, 2.5)  # α, β = 0.5, 2.0
    np.testing.assert_allclose(np.asarray(hz), 0.5 / (2.5 + np.arange(5.0)), rtol=1e-6)


# ------------------------------------------------------------------ the fit


@pytest.mark.parametrize(
    "name, alpha, beta, ll",
    # Fader & Hardie (2007): High End α = 0.668, β = 3.806, LL = −1611.2; Regular α = 0.704, β = 1.182, LL = −1680.3
    [("high_end", 0.668, 3.806, -1611.2), ("regular", 0.704, 1.182, -1680.3)],
)
def test_fit_recovers_fader_hardie_2007(name, alpha, beta, ll):
    data = FADER_HARDIE_2007[name]
    fit = fit_sbg(data[:8])  # the paper fits years 1–7
    assert fit.alpha == pytest.approx(alpha, abs=6e-4)
    assert fit.beta == pytest.approx(beta, abs=6e-4)
    assert fit.log_likelihood == pytest.approx(ll, abs=0.05)
    assert fit.periods == 7
    # the projection to years 8–12 stays within 5 % of the actual counts (the paper's point)
    projected = 1000 * sbg_survival(np.arange(8, 13.0), fit.alpha, fit.beta, xp=np)
    np.testing.assert_array_less(np.abs(projected / np.array(data[8:]) - 1), 0.05)
    # and the MLE is a maximum: nearby points have a lower log-likelihood
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.05), (0, -0.05)]:
        assert sbg_log_likelihood(fit.alpha + da, fit.beta + db, data[:8]) < fit.log_likelihood


def test_fit_recovers_synthetic_parameters():
    # individual-level sBG: θ ~ Beta(0.8, 6), lifetime ~ Geometric(θ) on {1, 2, …}
    rng = np.random.default_rng(7)
    n, alpha, beta = 200_000, 0.8, 6.0
    lifetime = rng.geometric(rng.beta(alpha, beta, n))
    survivors = [(lifetime > t).sum() for t in range(25)]
    fit = fit_sbg(survivors)
    assert fit.alpha == pytest.approx(alpha, rel=0.05)
    assert fit.beta == pytest.approx(beta, rel=0.08)
    # the closed form matches the individual-level survival within 3 SE at every month
    s_hat = np.array(survivors) / n
    s = sbg_survival(np.arange(25.0), alpha, beta, xp=np)
    assert np.all(np.abs(s_hat - s) <= 3 * np.sqrt(s * (1 - s) / n) + 1e-12)


@pytest.mark.parametrize(
    "data, match",
    [
        ([1000, 900], "at least 3"),
        ([1000, 900, 950], "non-increasing"),
        ([0, 0, 0], "start > 0"),
        ([100, 100, 100], "no churn"),
    ],
)
def test_fit_rejects_bad_data(data, match):
    with pytest.raises(ValueError, match=match):
        fit_sbg(data)


# ------------------------------------------------------------------ Monte Carlo cohorts

PATHS, COHORT, MONTHS = 2000, 500, 24


@jax.jit
def _run_cohort(key, hazard_by_age):
    start = jnp.zeros((PATHS, MONTHS + 1)).at[:, 0].set(COHORT)

    def month(cohorts, t):
        u = uniforms(jax.random.fold_in(key, t), 0, cohorts.shape)
        _, cohorts = cohort_month(cohorts, binomial(u, cohorts, hazard_by_age), jnp.zeros(PATHS))
        return cohorts, cohorts.sum(axis=1)

    return jax.lax.scan(month, start, jnp.arange(MONTHS))[1]  # (MONTHS, PATHS)


def simulate_cohort(hazard_by_age, seed):
    """A cohort of COHORT customers at age 0 on every path, churned by age for MONTHS months (one compile)."""
    return np.asarray(_run_cohort(jax.random.key(seed), jnp.asarray(hazard_by_age, jnp.float32)), np.float64)


def test_constant_churn_monte_carlo():
    c = 0.04
    alive = simulate_cohort(jnp.full(MONTHS + 1, c), seed=11)
    for t in (1, 6, 12, 24):
        s = constant_survival(t, c, xp=np)  # (0.96)^t
        se = np.sqrt(COHORT * s * (1 - s) / PATHS)
        assert abs(alive[t - 1].mean() - COHORT * s) < 3 * se, t


def test_sbg_cohort_monte_carlo_matches_closed_form():
    alpha, beta = 0.668, 3.806
    hazard = sbg_churn_hazard(jnp.arange(MONTHS + 1.0), alpha / (alpha + beta), alpha + beta)
    alive = simulate_cohort(hazard, seed=12)
    for t in (1, 3, 7, 12, 24):
        s = sbg_survival(float(t), alpha, beta, xp=np)
        se = np.sqrt(COHORT * s * (1 - s) / PATHS)
        assert abs(alive[t - 1].mean() - COHORT * s) < 3 * se, t


def test_cohort_month_ages_and_absorbs():
    # no churn: customers move up one age; the oldest bucket keeps everyone at or above its age
    step = jax.jit(cohort_month)
    cohorts = jnp.array([[5.0, 7.0, 2.0]])
    stay, nxt = step(cohorts, jnp.zeros((1, 3)), jnp.array([4.0]))
    np.testing.assert_array_equal(np.asarray(nxt), [[4.0, 5.0, 9.0]])
    np.testing.assert_array_equal(np.asarray(stay), [[5.0, 7.0, 2.0]])
    # churn of 1, 2, 0 by age: survivors 4, 5, 2 move up, the oldest bucket absorbs the one below
    stay, nxt = step(cohorts, jnp.array([[1.0, 2.0, 0.0]]), jnp.array([3.0]))
    np.testing.assert_array_equal(np.asarray(nxt), [[3.0, 4.0, 7.0]])
    # certain churn empties every bucket; only the new customers remain
    stay, nxt = step(cohorts, cohorts, jnp.array([4.0]))
    np.testing.assert_array_equal(np.asarray(nxt), [[4.0, 0.0, 0.0]])
    np.testing.assert_array_equal(np.asarray(stay), [[0.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sbg_survival(1.0, -0.5, 1.0, xp=np), r"alpha\(=-0.5\) must be > 0"),
        (lambda: constant_survival(3, 1.2, xp=np), r"churn\(=1.2\) must be in \[0, 1\]"),
        (lambda: sbg_params(1.0, 2.0), r"initial_churn\(=1.0\) must be in \(0, 1\)"),
    ],
)
def test_validation_messages_name_the_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()
