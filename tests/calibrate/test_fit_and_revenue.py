"""Maximum-likelihood family fits (closed forms) and the log-linear revenue model."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from venturesim.calibrate.families import fit
from venturesim.calibrate.growth import revenue_mle
from venturesim.spec.distributions import LogNormal


def test_lognormal_and_normal_are_the_closed_forms():
    x = np.array([1.0, 2.0, 4.0, 8.0])  # ln x = 0, ln2, 2ln2, 3ln2: mean 1.5 ln2, ML sd √1.25 ln2
    r = fit(x, "lognormal")
    assert r.spec["mu"] == pytest.approx(1.5 * np.log(2), rel=1e-12)
    assert r.spec["sigma"] == pytest.approx(np.sqrt(1.25) * np.log(2), rel=1e-12)
    n = fit([1.0, 2.0, 3.0, 6.0], "normal")
    assert (n.spec["mean"], n.spec["sd"]) == (3.0, pytest.approx(np.sqrt(3.5)))
    # the YAML line is a valid scenario spec
    LogNormal(**yaml.safe_load(r.yaml()))


def test_gamma_recovered_and_auto_picks_it_by_aic():
    x = np.random.default_rng(1).gamma(3.0, 2.0, size=4000)
    r = fit(x, "auto")
    assert r.family == "gamma"
    assert r.spec["shape"] == pytest.approx(3.0, rel=0.06) and r.spec["scale_param"] == pytest.approx(2.0, rel=0.06)
    b = fit(np.random.default_rng(2).beta(2.0, 5.0, size=4000), "beta")
    assert b.spec["a"] == pytest.approx(2.0, rel=0.08) and b.spec["b"] == pytest.approx(5.0, rel=0.08)
    with pytest.raises(ValueError, match="family 'lognormal' needs values all > 0"):
        fit([-1.0, 2.0], "lognormal")


def test_revenue_least_squares_by_hand():
    # exact exponential growth of 10 %/month from 1000: the fit is exact, σ = 0
    mrr = 1000 * 1.1 ** np.arange(12)
    f = revenue_mle(mrr)
    assert f.growth_monthly == pytest.approx(0.1, rel=1e-10)
    assert f.mrr_start == pytest.approx(mrr[-1], rel=1e-10) and f.sigma == pytest.approx(0, abs=1e-10)
    # alternating ±ε around the line: slope unchanged for an even count, σ = ε
    eps = 0.05
    noisy = mrr * np.exp(eps * (-1.0) ** np.arange(12))
    assert revenue_mle(noisy).sigma == pytest.approx(eps, rel=0.02)


def test_bass_predictive_check_by_hand():
    """One-point posterior (p, q, m fixed) with Poisson counts: the mean is m[F(k+1) − F(k)] exactly and the
    94 % band is Poisson's; data drawn from the model fall inside about 94 % of the time."""
    import pandas as pd

    from venturesim.calibrate._mcmc import Posterior
    from venturesim.calibrate.checks import bass_predictive, plot_bass_check
    from venturesim.calibrate.diffusion import Signups, expected_new
    from venturesim.market.bass import cumulative_fraction

    n = 4000
    draws = pd.DataFrame({"market_size": np.full(n, 20_000.0), "bass_p_annual": 0.06, "bass_q_annual": 0.9})
    post = Posterior("bass", draws, pd.DataFrame(), 0, 0.0, "pymc")
    mu = expected_new(0.06, 0.9, 20_000, 48)
    assert mu[0] == pytest.approx(20_000 * cumulative_fraction(1, 0.005, 0.075), rel=1e-12)
    observed = np.random.default_rng(5).poisson(mu)
    frame = bass_predictive(post, Signups({"all": observed}), seed=1)
    np.testing.assert_allclose(frame["mean"], mu, rtol=1e-12)
    from scipy import stats

    # the band's ends are Poisson quantiles (sampled with 4000 draws: within 2 counts of the exact ones)
    assert np.all(np.abs(frame["low"] - stats.poisson(mu).ppf(0.03)) <= 2 + 0.02 * mu)
    assert np.all(np.abs(frame["high"] - stats.poisson(mu).ppf(0.97)) <= 2 + 0.02 * mu)
    assert 0.8 <= frame["inside"].mean() <= 1.0  # 48 months, each inside with probability ≈ 0.94
    assert plot_bass_check(frame).to_dict()["layer"][0]["mark"]["type"] == "area"


def test_local_level_conditioning_and_recovery():
    """The last level given the data: with no observation noise it is the last observation; with no level noise
    it is the line μ₀ + g(n−1). And 80 months drawn from the model (g = ln 1.05, σ_ℓ = 0.04, σ_o = 0.03) give
    ML estimates within 3 standard errors of g (SE ≈ σ_ℓ/√(n−1) = 0.0045)."""
    from venturesim.calibrate.growth import _last_level, local_level_mle

    y = np.log([100.0, 120.0, 118.0, 150.0, 160.0])
    assert _last_level(y, y[0], 0.1, 0.05, 0.0)[0] == pytest.approx(y[-1], abs=1e-9)
    mean, var = _last_level(y, 4.6, 0.1, 0.0, 0.05)
    assert (mean, var) == (pytest.approx(4.6 + 0.4, abs=1e-12), pytest.approx(0.0, abs=1e-12))
    rng = np.random.default_rng(8)
    n, g, sl, so = 80, np.log(1.05), 0.04, 0.03
    level = np.log(5000) + np.cumsum(np.r_[0.0, g + sl * rng.standard_normal(n - 1)])
    fit = local_level_mle(np.exp(level + so * rng.standard_normal(n)))
    assert abs(fit.log_growth - g) < 3 * sl / np.sqrt(n - 1)
    # σ_ℓ and σ_o are only weakly separated by 80 months; the variance of a month-on-month change,
    # Var(Δ ln MRR) = σ_ℓ² + 2σ_o², is well determined
    assert fit.level_sd**2 + 2 * fit.noise_sd**2 == pytest.approx(sl**2 + 2 * so**2, rel=0.25)
    assert abs(fit.last_level - level[-1]) < 3 * so
