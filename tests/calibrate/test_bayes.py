"""Bayesian fits (short NUTS chains): recovery of known parameters, diagnostics, and refusal when not converged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from venturesim.calibrate import ConvergenceError, read_cohorts, read_posterior, sbg_mle
from venturesim.calibrate._mcmc import Convergence
from venturesim.calibrate.diffusion import expected_new

DATA = Path(__file__).parents[1] / "data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def regular():
    cohorts = read_cohorts(DATA / "fader_hardie_2007_cohorts.csv", periods=7)
    return type(cohorts)({"regular": cohorts.segments["regular"]})


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


def test_bass_recovers_true_values_and_narrows_with_more_data(tmp_path):
    """Poisson sign-ups from p = 0.06, q = 0.9 a year, m = 20 000: each 94 % interval holds the truth, and
    60 months of data give narrower intervals than 30 (two independent segments in one fit, run through
    `venturesim calibrate market`, which also writes the posterior predictive check)."""
    from typer.testing import CliRunner

    from venturesim.cli import app

    rng = np.random.default_rng(3)
    truth = {"bass_p_annual": 0.06, "bass_q_annual": 0.9, "market_size": 20_000}
    counts = rng.poisson(expected_new(0.06, 0.9, 20_000, 60))
    rows = [("short", k, c) for k, c in enumerate(counts[:30])] + [("long", k, c) for k, c in enumerate(counts)]
    data = tmp_path / "signups.csv"
    data.write_text("segment,month,new_customers\n" + "".join(f"{s},{k},{c}\n" for s, k, c in rows))
    out, chart = tmp_path / "market.parquet", tmp_path / "check.html"
    args = ["calibrate", "market", str(data), "--out", str(out), "--poisson", "--chart", str(chart)]
    result = CliRunner().invoke(app, [*args, "--draws", "300", "--tune", "300", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "months inside the 94 % predictive interval" in result.output and chart.stat().st_size > 1000
    post = read_posterior(out)
    assert post.info["segments"] == ["short", "long"] and post.info["months"] == {"short": 30, "long": 60}
    for name, value in truth.items():
        lo_s, hi_s = post.interval(f"short.{name}")
        lo_l, hi_l = post.interval(f"long.{name}")
        assert lo_s < value < hi_s and lo_l < value < hi_l, (name, (lo_s, hi_s), (lo_l, hi_l))
        assert hi_l - lo_l < 0.7 * (hi_s - lo_s), name


def test_sbg_posterior_from_the_cli_agrees_with_the_published_fit(regular, tmp_path):
    """`venturesim calibrate retention` on Fader & Hardie's "Regular" cohort (1000 customers, years 1–7): the
    posterior is close to normal around the MLE (α = 0.704, β = 1.182); the file has the scenario's columns, the
    diagnostics and the sampler in its metadata."""
    from typer.testing import CliRunner

    from venturesim.cli import app

    data = tmp_path / "cohorts.csv"
    data.write_text("segment,0,1,2,3,4,5,6,7\nregular,1000,631,468,382,326,289,262,241\n")
    out = tmp_path / "retention.parquet"
    args = ["calibrate", "retention", str(data), "--out", str(out), "--draws", "500", "--tune", "500", "--seed", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sbg posterior (" in result.output and "R-hat" in result.output and "Warning" not in result.output
    post = read_posterior(out)
    assert post.kind == "sbg" and post.divergences == 0 and (post.diagnostics["r_hat"] <= 1.01).all()
    assert list(post.diagnostics.index) == ["churn", "churn_concentration"]
    d = post.draws
    assert len(d) == 1000 and set(d["chain"]) == {0, 1}
    mle = sbg_mle(regular)
    for name, value in (("alpha", mle.alpha), ("beta", mle.beta), ("churn", mle.churn)):
        lo, hi = post.interval(name)
        assert lo < value < hi, (name, lo, value, hi)
        assert np.median(d[name]) == pytest.approx(value, rel=0.08)
    np.testing.assert_allclose(d["churn"], d["alpha"] / (d["alpha"] + d["beta"]), rtol=1e-10)
    np.testing.assert_allclose(d["churn_concentration"], d["alpha"] + d["beta"], rtol=1e-10)


def test_revenue_posterior_recovers_growth_and_matches_least_squares():
    """24 months of MRR from 10 000 growing 8 %/month with 5 % log noise: the 94 % intervals hold the truth and the
    posterior means are near the least-squares fit (flat-ish priors, so the two nearly agree)."""
    from venturesim.calibrate import revenue, revenue_mle

    rng = np.random.default_rng(4)
    g, sigma = np.log(1.08), 0.05
    mrr = 10_000 * np.exp(g * np.arange(24) + sigma * rng.standard_normal(24))
    post = revenue(mrr, draws=300, tune=300, seed=3)
    mle = revenue_mle(mrr)
    lo, hi = post.interval("growth_monthly")
    assert lo < 0.08 < hi and hi - lo < 0.02
    lo, hi = post.interval("sigma")
    assert lo < sigma < hi
    assert post.draws["growth_monthly"].mean() == pytest.approx(mle.growth_monthly, abs=0.002)
    assert post.draws["mrr_start"].median() == pytest.approx(mle.mrr_start, rel=0.02)
