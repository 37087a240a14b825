"""Bayesian fits (short NUTS chains): recovery of known parameters, diagnostics, and refusal when not converged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from venturesim.calibrate import ConvergenceError, read_cohorts, read_posterior, sbg, sbg_mle
from venturesim.calibrate._mcmc import Convergence
from venturesim.calibrate.diffusion import Signups, bass, expected_new

DATA = Path(__file__).parents[1] / "data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def regular():
    cohorts = read_cohorts(DATA / "fader_hardie_2007_cohorts.csv", periods=7)
    return type(cohorts)({"regular": cohorts.segments["regular"]})


def test_sbg_posterior_agrees_with_the_published_fit(regular, tmp_path):
    """1000 customers: the posterior is close to normal around the MLE (α = 0.704, β = 1.182)."""
    post = sbg(regular, draws=500, tune=500, chains=2, seed=1)
    mle = sbg_mle(regular)
    for name, value in (("alpha", mle.alpha), ("beta", mle.beta), ("churn", mle.churn)):
        lo, hi = post.interval(name)
        assert lo < value < hi, (name, lo, value, hi)
        assert np.median(post.draws[name]) == pytest.approx(value, rel=0.08)
    d = post.draws
    np.testing.assert_allclose(d["churn"], d["alpha"] / (d["alpha"] + d["beta"]), rtol=1e-10)
    np.testing.assert_allclose(d["churn_concentration"], d["alpha"] + d["beta"], rtol=1e-10)
    assert post.divergences == 0 and (post.diagnostics["r_hat"] <= 1.01).all()
    assert len(d) == 1000 and set(d["chain"]) == {0, 1}
    back = read_posterior(post.to_parquet(tmp_path / "retention.parquet"))
    assert back.kind == "sbg" and back.sampler == post.sampler
    np.testing.assert_array_equal(back.draws["alpha"], d["alpha"])
    assert list(back.diagnostics.index) == ["churn", "churn_concentration"]


def test_chains_that_disagree_are_refused_with_the_reason():
    """Two chains centred 3 sd apart: R-hat ≈ 1.8 (≫ 1.01) and a tiny ESS; the error names both."""
    import xarray as xr

    from venturesim.calibrate._mcmc import Posterior, check_convergence, diagnose

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 200)) + np.array([[0.0], [3.0]])
    diag = diagnose(xr.Dataset({"m": (("chain", "draw"), x)}), ["m"], names={"m": "market_size"})
    assert diag.loc["market_size", "r_hat"] > 1.5 and diag.loc["market_size", "ess_bulk"] < 20
    post = Posterior("bass", None, diag, divergences=3, seconds=0.0, sampler="pymc")
    with pytest.raises(ConvergenceError) as exc:
        check_convergence(post, Convergence())
    text = str(exc.value)
    assert "R-hat of market_size is 1." in text and "effective sample size of market_size is" in text
    assert "3 divergent transition(s) (> 0)" in text
    check_convergence(post, Convergence(max_rhat=3, min_ess=1, max_divergences=3))  # the caller's thresholds


def test_bass_recovers_true_values_and_narrows_with_more_data():
    """Poisson sign-ups from p = 0.06, q = 0.9 a year, m = 20 000: each 94 % interval holds the truth, and
    60 months of data give narrower intervals than 30 (two independent segments in one model)."""
    rng = np.random.default_rng(3)
    truth = {"bass_p_annual": 0.06, "bass_q_annual": 0.9, "market_size": 20_000}
    counts = rng.poisson(expected_new(0.06, 0.9, 20_000, 60))
    post = bass(Signups({"short": counts[:30], "long": counts}), likelihood="poisson", draws=300, tune=300, seed=2)
    for name, value in truth.items():
        lo_s, hi_s = post.interval(f"short.{name}")
        lo_l, hi_l = post.interval(f"long.{name}")
        assert lo_s < value < hi_s and lo_l < value < hi_l, (name, (lo_s, hi_s), (lo_l, hi_l))
        assert hi_l - lo_l < 0.7 * (hi_s - lo_s), name
