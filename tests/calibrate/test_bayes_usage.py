"""Bayesian BG/NBD, Pareto/NBD and local-level revenue fits (PyMC NUTS; slow): the true values used to simulate
the data lie inside the 94 % intervals, and the posterior means sit near the maximum-likelihood fits.

Short chains (2 × 300 draws after 300 tuning steps) on small synthetic data sets, with the convergence gate at
ESS ≥ 100 in all (the library default) — the gate is part of what is tested.
"""

from __future__ import annotations

import numpy as np
import pytest

from venturesim.calibrate import bgnbd as bg
from venturesim.calibrate.growth import local_level, local_level_mle
from venturesim.calibrate.pareto import ParetoNbd, pareto_nbd, pnbd_mle

pytestmark = pytest.mark.slow

SETTINGS = {"draws": 300, "tune": 300, "chains": 2, "seed": 2}


def _bgnbd_customers(r, alpha, a, b, n, T, rng):
    """x, t_x of n BG/NBD customers observed for T (dropout after each transaction with probability p)."""
    lam, p = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    death = rng.exponential(1.0 / (lam * p))  # the fatal transaction is the first of a Poisson(λp) process
    span = np.minimum(death, T)
    x = rng.poisson(lam * (1.0 - p) * span) + (death <= T)
    t_x = np.where(death <= T, death, span * rng.beta(np.maximum(x, 1), 1.0))
    return x.astype(float), np.where(x > 0, t_x, 0.0)


def test_bgnbd_posterior_covers_the_truth_and_agrees_with_ml():
    rng = np.random.default_rng(21)
    truth = bg.BgNbd(0.5, 4.0, 0.8, 2.5)
    x, t_x = _bgnbd_customers(truth.r, truth.alpha, truth.a, truth.b, 1500, 40.0, rng)
    rfm = bg.Rfm(x, t_x, np.full(x.size, 40.0))
    post = bg.bgnbd(rfm, **SETTINGS)
    # the mean rate r/α and the mean dropout a/(a+b) are what the data pin down
    rate = post.draws["r"] / post.draws["alpha"]
    lo, hi = np.quantile(rate, [0.03, 0.97])
    assert lo < truth.r / truth.alpha < hi
    for column in ("r", "alpha", "a", "b"):
        lo, hi = post.interval(column)
        assert lo < getattr(truth, column) < hi, column
    ml = bg.bgnbd_mle(rfm)
    assert post.draws["r"].median() == pytest.approx(ml.r, rel=0.15)
    # P(alive) of a customer, averaged over the posterior, is near its value at the ML fit
    mean_alive = bg.posterior_mean_of(bg.p_alive, post, 3, 20.0, 40.0)
    assert float(mean_alive) == pytest.approx(float(bg.p_alive(ml, 3, 20.0, 40.0)), abs=0.05)


def test_pareto_nbd_posterior_covers_the_truth():
    truth = ParetoNbd(0.8, 8.0, 0.7, 12.0)
    rng = np.random.default_rng(11)
    n, T = 600, 40.0
    lam, mu = rng.gamma(truth.r, 1.0 / truth.alpha, n), rng.gamma(truth.s, 1.0 / truth.beta, n)
    life = rng.exponential(1.0 / mu)
    x = rng.poisson(lam * np.minimum(life, T))
    t_x = np.where(x > 0, np.minimum(life, T) * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    rfm = bg.Rfm(x.astype(float), t_x, np.full(n, T))
    post = pareto_nbd(rfm, **SETTINGS)
    rate = post.draws["r"] / post.draws["alpha"]
    lo, hi = np.quantile(rate, [0.03, 0.97])
    assert lo < truth.r / truth.alpha < hi
    for column in ("r", "alpha", "s", "beta"):
        lo, hi = post.interval(column)
        assert lo < getattr(truth, column) < hi, column
    ml = pnbd_mle(rfm)
    assert float(np.median(rate)) == pytest.approx(ml.r / ml.alpha, rel=0.1)


def test_local_level_posterior_covers_the_truth():
    rng = np.random.default_rng(8)
    n, g, sl, so = 48, np.log(1.05), 0.04, 0.03
    level = np.log(5000) + np.cumsum(np.r_[0.0, g + sl * rng.standard_normal(n - 1)])
    mrr = np.exp(level + so * rng.standard_normal(n))
    post = local_level(mrr, **SETTINGS)
    lo, hi = post.interval("growth_monthly")
    assert lo < 0.05 < hi
    lo, hi = post.interval("level_sd")
    assert lo < sl < hi
    lo, hi = post.interval("mrr_start")
    assert lo < np.exp(level[-1]) < hi
    ml = local_level_mle(mrr)
    assert post.draws["growth_monthly"].median() == pytest.approx(ml.growth_monthly, abs=0.01)
