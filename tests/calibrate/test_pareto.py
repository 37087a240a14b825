"""Pareto/NBD by maximum likelihood: the published CDNOW fit, and P(alive) and E[Y(t)] against simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from venturesim.calibrate import bgnbd as bg
from venturesim.calibrate.pareto import (
    ParetoNbd,
    pnbd_expected_new,
    pnbd_expected_purchases,
    pnbd_log_likelihood,
    pnbd_mle,
    pnbd_p_alive,
)

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow():
    return bg.read_rfm(DATA / "cdnow_summary.csv")


def test_pareto_nbd_reproduces_the_cdnow_fit(cdnow):
    """Fader, Hardie & Lee (2005), "A note on implementing the Pareto/NBD model in MATLAB"
    (brucehardie.com/notes/008): r = 0.55, α = 10.58, s = 0.61, β = 11.67, LL = −9595.0 on the 2,357 CDNOW
    customers (weeks). PyMC-Marketing's tests/clv/models/test_pareto_nbd.py checks against *lifetimes*'
    fit r = 0.5534, α = 10.5802, s = 0.6061, β = 11.6562, whose LL is within 0.001 of ours."""
    fit = pnbd_mle(cdnow)
    assert (round(fit.r, 2), round(fit.alpha, 2), round(fit.s, 2), round(fit.beta, 2)) == (0.55, 10.58, 0.61, 11.67)
    assert round(fit.log_likelihood, 1) == -9595.0
    assert fit.log_likelihood == pytest.approx(pnbd_log_likelihood(fit, cdnow), abs=1e-9)
    lifetimes = pnbd_log_likelihood(ParetoNbd(0.5534, 10.5802, 0.6061, 11.6562), cdnow)
    assert 0 <= fit.log_likelihood - lifetimes < 1e-3
    # the Pareto/NBD fits CDNOW a little worse than the BG/NBD (LL −9582.4), as Fader, Hardie & Lee report
    assert fit.log_likelihood < bg.bgnbd_mle(cdnow).log_likelihood
    # CLV accepts it: a customer with no repeat purchase is worth less than the worked customer (x = 2)
    spend = bg.gamma_gamma_mle(cdnow.x, cdnow.zbar)
    rfm = bg.Rfm(np.array([0.0, 2.0]), np.array([0.0, 30.43]), np.array([38.86, 38.86]), np.array([0.0, 22.35]))
    value = bg.clv(fit, spend, rfm)
    assert 0 < value[0] < value[1]


def test_a_new_customer_is_alive_and_expects_the_population_rate():
    params = ParetoNbd(0.55, 10.58, 0.61, 11.67)
    assert float(pnbd_p_alive(params, 0, 0.0, 0.0)) == pytest.approx(1.0, abs=1e-12)
    for t in (1.0, 39.0):
        assert float(pnbd_expected_purchases(params, t, 0, 0.0, 0.0)) == pytest.approx(
            float(pnbd_expected_new(params, t)), rel=1e-10
        )
    # E[X(t)] → rβ/(α(s−1))·(1 − (β/(β+t))^{s−1}); small t: the mean rate r/α per unit of time
    assert float(pnbd_expected_new(params, 1e-6)) / 1e-6 == pytest.approx(0.55 / 10.58, rel=1e-5)


def test_p_alive_and_future_transactions_match_simulated_customers():
    """20,000 customers drawn from the model (T = 40): Σ P(alive) against those alive, and Σ E[Y(20)] against
    the transactions they make in the next 20 units, each within 4 standard errors."""
    truth = ParetoNbd(0.8, 8.0, 0.7, 12.0)
    rng = np.random.default_rng(11)
    n, T, t = 20_000, 40.0, 20.0
    lam = rng.gamma(truth.r, 1.0 / truth.alpha, n)
    mu = rng.gamma(truth.s, 1.0 / truth.beta, n)
    life = rng.exponential(1.0 / mu)
    x = rng.poisson(lam * np.minimum(life, T))
    t_x = np.where(x > 0, np.minimum(life, T) * rng.beta(np.maximum(x, 1), 1.0), 0.0)  # max of x uniforms
    future = rng.poisson(lam * np.clip(life - T, 0.0, t))
    alive = life > T
    p = pnbd_p_alive(truth, x, t_x, np.full(n, T))
    assert abs(p.sum() - alive.sum()) < 4 * np.sqrt(np.sum(p * (1 - p)))
    e = pnbd_expected_purchases(truth, t, x, t_x, np.full(n, T))
    assert abs(e.sum() - future.sum()) < 4 * future.std() * np.sqrt(n)
