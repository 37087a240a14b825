"""Bass diffusion: closed form, ODE, one-month flow, and the simulated mean adoption curve."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import venturesim as vs
from venturesim.market.adoption import bass_peak_time
from venturesim.market.bass import advance_fraction, cumulative_fraction


@pytest.mark.parametrize("p, q", [(0.03, 0.38), (0.01, 0.5), (0.2, 0.1)])
def test_closed_form_solves_the_ode(p, q):
    t = np.linspace(0, 30, 61)
    ode = solve_ivp(lambda _, f: (p + q * f) * (1 - f), (0, 30), [0.0], t_eval=t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cumulative_fraction(t, p, q), ode.y[0], atol=1e-8)
    assert cumulative_fraction(0.0, p, q) == 0.0
    assert cumulative_fraction(1e4, p, q) == pytest.approx(1.0)


def test_closed_form_by_hand():
    # p = 0.03, q = 0.38, t = 5: x = e^{-2.05}; F = (1 − x)/(1 + (q/p) x)
    x = np.exp(-0.41 * 5)
    assert cumulative_fraction(5.0, 0.03, 0.38) == pytest.approx((1 - x) / (1 + 0.38 / 0.03 * x), rel=1e-14)
    assert cumulative_fraction(5.0, 0.03, 0.38) == pytest.approx(0.3312, abs=1e-4)  # x = 0.12873, (1 − x)/(1 + 12.667x)
    # with q = 0 the model is pure innovation: F = 1 − e^{−pt}
    assert cumulative_fraction(7.0, 0.1, 0.0) == pytest.approx(1 - np.exp(-0.7), rel=1e-14)


@pytest.mark.parametrize("p, q", [(0.03, 0.38), (0.01, 0.5), (0.001, 0.2)])
def test_peak_time_is_argmax_of_density(p, q):
    t = np.linspace(0, 80, 800_001)
    F = cumulative_fraction(t, p, q)
    density = (p + q * F) * (1 - F)  # dF/dt
    t_star = t[np.argmax(density)]
    assert float(bass_peak_time(p, q, xp=np)) == pytest.approx(np.log(q / p) / (p + q), rel=1e-14)
    assert float(bass_peak_time(p, q, xp=np)) == pytest.approx(t_star, abs=2e-4)
    # at the peak F = (q − p)/(2q)
    assert cumulative_fraction(bass_peak_time(p, q, xp=np), p, q) == pytest.approx((q - p) / (2 * q), rel=1e-10)


def test_peak_time_zero_when_q_not_above_p():
    assert float(bass_peak_time(0.2, 0.1, xp=np)) == 0.0
    assert float(bass_peak_time(0.1, 0.1, xp=np)) == 0.0


@pytest.mark.parametrize("p, q", [(0.03 / 12, 0.38 / 12), (0.025, 0.25), (0.3, 0.05)])
def test_advance_fraction_composes_to_closed_form(p, q):
    f = jnp.float32(0.0)
    for month in range(1, 13):
        f = advance_fraction(f, p, q)
        assert float(f) == pytest.approx(cumulative_fraction(month, p, q), rel=2e-6, abs=1e-7)
    # one 12-month step is the same flow
    assert float(advance_fraction(jnp.float32(0.0), p, q, dt=12.0)) == pytest.approx(
        cumulative_fraction(12, p, q), rel=2e-6
    )


def test_advance_fraction_from_any_state():
    p, q = 0.02, 0.3
    # start from F(7) and advance 5: F(12) (the ODE is autonomous)
    f7 = cumulative_fraction(7.0, p, q)
    assert float(advance_fraction(f7, p, q, dt=5.0)) == pytest.approx(cumulative_fraction(12.0, p, q), rel=1e-6)
    assert float(advance_fraction(1.0, p, q)) == pytest.approx(1.0)


# ----------------------------------------------------------- the simulated market

M = 5000
MONTHS = 36
PATHS = 4000


def one_segment(p_annual: float, q_annual: float, churn=0.0) -> dict:
    return {
        "name": "bass",
        "company": {"initial_cash": 1e12},
        "market": {
            "segments": [
                {
                    "name": "s",
                    "market_size": M,
                    "bass_p_annual": p_annual,
                    "bass_q_annual": q_annual,
                    "price": 1.0,
                    "churn": churn,
                }
            ]
        },
    }


def simulate(p_annual, q_annual, seed, churn=0.0):
    # one structure (1 segment, no rounds, 36 months, these metrics, 4000 paths) for every run: one compilation
    result = vs.simulate(
        one_segment(p_annual, q_annual, churn),
        paths=PATHS,
        months=MONTHS,
        seed=seed,
        metrics=("customers", "new_customers", "churned_customers", "revenue", "alive"),
    )
    return result


@pytest.fixture(scope="module")
def bass_run():
    return simulate(0.36, 0.9, seed=3)


def test_simulated_mean_adopters_follow_closed_form(bass_run):
    """Mean cumulative adopters within 3 SE of m·F(t) (p/12, q/12 per month) in every month.

    With p = 0.36, q = 0.9 a year the curve peaks at month 8.7 and reaches F(36) = 0.92.
    The Jensen term of the binomial process is below 0.7 SE at 4000 paths here
    (checked against an exact-binomial float64 replica with 400 000 paths).
    """
    data = bass_run.data
    assert bool(data["alive"].values.all())
    new = data["new_customers"].values.astype(np.float64)
    cumulative = np.cumsum(new, axis=1)
    customers = data["customers"].values.astype(np.float64)
    np.testing.assert_array_equal(customers, cumulative)  # no churn: customers = adopters
    assert np.all(data["churned_customers"].values == 0)
    assert cumulative.max() <= M and np.all(new >= 0) and np.all(new == np.round(new))
    t = np.arange(1, MONTHS + 1)
    expected = M * cumulative_fraction(t, 0.36 / 12, 0.9 / 12)
    mean = cumulative.mean(axis=0)
    se = cumulative.std(axis=0, ddof=1) / np.sqrt(PATHS)
    z = (mean - expected) / se
    assert np.all(np.abs(z) < 3), np.round(z, 2)
    # revenue = customers × price (1 USD)
    np.testing.assert_allclose(data["revenue"].values, customers, rtol=1e-6)


def _exact_binomial_process(p_annual, q_annual, paths, seed):
    """The engine's stochastic model, in float64 with numpy's exact binomial."""
    rng = np.random.default_rng(seed)
    p, q = p_annual / 12, q_annual / 12
    adopters = np.zeros(paths)
    out = np.empty((paths, MONTHS))
    for month in range(MONTHS):
        f = adopters / M
        x = (1 - f) / (1 + q / p * f) * np.exp(-(p + q))
        f_next = (1 - x) / (1 + q / p * x)
        prob = np.where(f < 1, (f_next - f) / np.maximum(1 - f, 1e-12), 0.0)
        adopters = adopters + rng.binomial((M - adopters).astype(np.int64), np.clip(prob, 0, 1))
        out[:, month] = adopters
    return out


def test_strong_word_of_mouth_matches_exact_binomial_process():
    """q = 1.8 a year: the process mean drifts ~2 SE below m·F(t), but the engine matches the exact process."""
    result = simulate(0.12, 1.8, seed=5)
    engine = result.data["customers"].values.astype(np.float64)
    replica = _exact_binomial_process(0.12, 1.8, 100_000, seed=0)
    se = np.sqrt(engine.var(axis=0, ddof=1) / PATHS + replica.var(axis=0, ddof=1) / len(replica))
    z = (engine.mean(axis=0) - replica.mean(axis=0)) / se
    assert np.all(np.abs(z) < 3.5), np.round(z, 2)
    # the spread matches too (binomial noise compounds through word of mouth)
    ratio = engine.std(axis=0)[6:] / replica.std(axis=0)[6:]
    assert np.all(np.abs(ratio - 1) < 0.06), np.round(ratio, 3)


def test_churn_removes_customers_but_not_adopters():
    result = simulate(0.36, 0.9, seed=3, churn=0.05)
    data = result.data
    new = data["new_customers"].values.astype(np.float64)
    churned = data["churned_customers"].values.astype(np.float64)
    customers = data["customers"].values.astype(np.float64)
    np.testing.assert_array_equal(customers, np.cumsum(new - churned, axis=1))
    # adopters (cumulative new) still follow the Bass curve: churned customers stay adopted
    t = np.arange(1, MONTHS + 1)
    cumulative = np.cumsum(new, axis=1)
    z = (cumulative.mean(0) - M * cumulative_fraction(t, 0.03, 0.075)) / (cumulative.std(0, ddof=1) / np.sqrt(PATHS))
    assert np.all(np.abs(z) < 3.5), np.round(z, 2)
    # E[churned in month t] = 0.05 · E[customers at the start of month t]
    start = np.concatenate([np.zeros((PATHS, 1)), customers[:, :-1]], axis=1)
    total_churned, expected = churned[:, 1:].sum(), 0.05 * start[:, 1:].sum()
    assert abs(total_churned - expected) < 4 * np.sqrt(expected * 0.95)
