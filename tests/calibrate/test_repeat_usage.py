"""BG/NBD repeat usage as a segment's retention and usage model, in both engines.

Closed forms checked: S(t) against the Beta mixture by quadrature and E[X(t)] against a direct
simulation of BG/NBD customers; the rule in NumPy (one path) against JAX (a batch); a segment's
customers and transactions through the JAX kernel and the DES within 4 standard errors of the closed
form at fixed seeds. One kernel compile (1 segment, 12 months, 400 paths).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from market.kernel_runner import market_scenario, run_des, run_kernel, segment, z_scores
from scipy import integrate, stats

import venturesim as vs
from venturesim.market.repeat_usage import expected_transactions, repeat_by_age, spend_per_transaction, survival

# CDNOW fit (Fader, Hardie & Lee 2005): r = 0.243, α = 4.414 weeks = 4.414·12/52 months, a = 0.793, b = 2.426;
# Gamma-Gamma p = 6.25, q = 3.74, γ = 15.44 (mean spend 6.25·15.44/2.74 = 35.22 USD)
R, ALPHA, A, B = 0.243, 4.414 * 12 / 52, 0.793, 2.426
P, Q, GAMMA = 6.25, 3.74, 15.44
N0, PATHS, MONTHS = 2000, 400, 12


def test_survival_is_the_beta_mixture_of_exponential_lifetimes():
    """S(t) = ∫ Beta(p; a, b) (α/(α + pt))^r dp (Gamma-mixed e^{−λpt}), by quadrature."""
    for t in (0.5, 40.0):
        by_quad = integrate.quad(lambda p, t=t: stats.beta(A, B).pdf(p) * (ALPHA / (ALPHA + p * t)) ** R, 0, 1)[0]
        assert survival(t, R, ALPHA, A, B) == pytest.approx(by_quad, rel=1e-9)
    assert survival(0.0, R, ALPHA, A, B) == 1.0
    assert spend_per_transaction(P, Q, GAMMA) == pytest.approx(35.22, abs=0.005)


def test_expected_transactions_match_simulated_customers():
    """200,000 simulated customers over 6 months: repeat transactions and survivors within 4 SE."""
    rng = np.random.default_rng(5)
    n, t = 200_000, 6.0
    lam, p = rng.gamma(R, 1.0 / ALPHA, n), rng.beta(A, B, n)
    death = rng.exponential(1.0 / (lam * p))  # the dropout-causing transactions: Poisson of rate λp
    count = rng.poisson(lam * (1.0 - p) * np.minimum(death, t)) + (death <= t)  # the others, + the fatal one
    assert abs(count.mean() - expected_transactions(t, R, ALPHA, A, B)) < 4 * count.std() / np.sqrt(n)
    alive = death > t
    assert abs(alive.mean() - survival(t, R, ALPHA, A, B)) < 4 * alive.std() / np.sqrt(n)


def test_rule_in_numpy_for_one_path_equals_jax_for_a_batch():
    """repeat_by_age with xp=np on path 1's (r, α, a, b) equals row 1 of the jnp batch (float32 tolerance)."""
    ages = np.arange(24.0)
    r = np.array([0.243, 0.5, 1.3])
    alpha, a, b = np.array([1.0, 3.0, 0.4]), np.array([0.793, 1.4, 2.5]), np.array([2.426, 4.0, 0.9])
    batch = jax.jit(lambda *v: repeat_by_age(jnp.asarray(ages), *(x[:, None] for x in v), xp=jnp))  # one compile
    h_j, mu_j = batch(*(jnp.asarray(v, jnp.float32) for v in (r, alpha, a, b)))
    for i in range(3):
        h, mu = repeat_by_age(ages, r[i], alpha[i], a[i], b[i])
        np.testing.assert_allclose(np.asarray(h_j[i]), h, rtol=2e-4, atol=1e-6)
        np.testing.assert_allclose(np.asarray(mu_j[i]), mu, rtol=1e-3, atol=1e-4)  # float32: E[X] differences
    # the hazard telescopes to S, and μ to E[X] (+ the first purchase)
    h, mu = repeat_by_age(ages, R, ALPHA, A, B)
    s = np.concatenate([[1.0], np.cumprod(1.0 - h)])
    np.testing.assert_allclose(s, survival(np.arange(25.0), R, ALPHA, A, B), rtol=1e-10)
    assert np.sum(mu * s[:-1]) == pytest.approx(1.0 + expected_transactions(24.0, R, ALPHA, A, B), rel=1e-10)


def _spec():
    usage = {"r": R, "alpha": ALPHA, "a": A, "b": B, "spend": {"p": P, "q": Q, "gamma": GAMMA}}
    seg = segment(initial_customers=N0, market_size=N0, price=0.0, repeat_usage=usage)
    del seg["churn"]
    return market_scenario([seg], cohort_max_age_months=MONTHS + 2)


@pytest.fixture(scope="module")
def kernel_run():
    return run_kernel(_spec(), PATHS, MONTHS, seed=3)


def test_segment_transactions_follow_the_bgnbd_closed_form_in_the_kernel(kernel_run):
    """N0 customers one month old at the start: after month t (0-based) N0·S(t+1) remain, and over the 12
    months they make N0·(E[X(13)] − E[X(1)]) transactions (revenue / mean spend)."""
    _, flows, customers = kernel_run
    t = np.arange(1, MONTHS + 1)
    assert np.all(np.abs(z_scores(customers[..., 0], N0 * survival(t, R, ALPHA, A, B))) < 4)
    transactions = flows.revenue.sum(axis=1) / spend_per_transaction(P, Q, GAMMA)
    expected = N0 * (expected_transactions(MONTHS + 1.0, R, ALPHA, A, B) - expected_transactions(1.0, R, ALPHA, A, B))
    assert abs(z_scores(transactions, expected)) < 4


def test_des_agrees_with_the_kernel(kernel_run):
    _, flows, customers = kernel_run
    des = run_des(_spec(), 60, MONTHS, seed=4)
    for name, kernel in (("customers", customers[..., -1, 0]), ("revenue", flows.revenue.sum(axis=1))):
        d = des[name][:, -1, 0] if name == "customers" else des[name].sum(axis=1)
        se = np.sqrt(d.var(ddof=1) / d.size + kernel.var(ddof=1) / kernel.size)
        assert abs(d.mean() - kernel.mean()) < 4 * se, name


def test_churn_with_repeat_usage_is_a_clear_error():
    spec = _spec()
    spec["market"]["segments"][0]["churn"] = 0.05
    with pytest.raises(Exception, match="churn cannot be given with repeat_usage"):
        vs.load(spec)
    spec["market"]["segments"][0].pop("churn")
    spec["market"]["segments"][0]["repeat_usage"]["spend"]["q"] = 0.8
    with pytest.raises(Exception, match="q"):
        vs.load(spec)
