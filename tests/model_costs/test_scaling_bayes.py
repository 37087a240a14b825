"""Bayesian fit of the loss law (PyMC NUTS): recovery of a synthetic truth."""

import numpy as np
import pytest
import xarray as xr

from venturesim.model_costs.scaling_bayes import fit_loss_law_bayes, posterior_mean_law
from venturesim.model_costs.scaling_law import BESIROGLU_2024, CHINCHILLA

FIELDS = ("E", "A", "B", "alpha", "beta")


@pytest.mark.slow
def test_posterior_recovers_a_law_other_than_the_prior_centre():
    # Truth: Besiroglu et al. 2024 (priors are centred on Chinchilla, so this is not the prior
    # talking). 6 × 6 runs, N 10M–10B, D 1B–1T, log-normal noise of sd 0.5 % (seed 1).
    # At seed 0 of the sampler (2 chains × 400 draws after 300 tuning steps, 15–30 s): posterior means within 2 % for
    # E, α, β and 15 % for A, B (the A–α and B–β trade-offs), and every 90 % interval covers the truth.
    N, D = (x.ravel() for x in np.meshgrid(np.geomspace(1e7, 1e10, 6), np.geomspace(1e9, 1e12, 6)))
    rng = np.random.default_rng(1)
    loss = BESIROGLU_2024.loss(N, D) * np.exp(rng.normal(0.0, 0.005, N.shape))
    posterior = fit_loss_law_bayes(N, D, loss, draws=400, tune=300, seed=0)
    assert dict(posterior.sizes) == {"chain": 2, "draw": 400}
    tolerance = {"E": 0.02, "alpha": 0.02, "beta": 0.02, "A": 0.15, "B": 0.15}
    for name in FIELDS:
        truth = getattr(BESIROGLU_2024, name)
        draws = posterior[name].values.ravel()
        assert draws.mean() == pytest.approx(truth, rel=tolerance[name]), name
        low, high = np.quantile(draws, [0.05, 0.95])
        assert low < truth < high, name
    # The noise scale: Student-t(ν=4) scale of 0.5 % sd noise is 0.005/√2 ≈ 0.0035.
    assert 0.001 < float(posterior["sigma"].mean()) < 0.008
    # The law at the posterior means (a plug-in, not the posterior predictive) is within 1 %
    # (twice the noise sd) of the noise-free losses at every run (0.73 % at worst here).
    law = posterior_mean_law(posterior)
    assert np.max(np.abs(law.loss(N, D) / BESIROGLU_2024.loss(N, D) - 1)) < 0.01


def test_posterior_mean_law_reads_the_means():
    # Two draws per variable; the law holds their means, e.g. E = (1.6 + 1.8)/2 = 1.7.
    values = {"E": (1.6, 1.8), "A": (400.0, 420.0), "B": (390.0, 430.0), "alpha": (0.3, 0.4), "beta": (0.25, 0.35)}
    posterior = xr.Dataset({k: (("chain", "draw"), np.array([v])) for k, v in values.items()})
    law = posterior_mean_law(posterior)
    assert pytest.approx((1.7, 410.0, 410.0)) == (law.E, law.A, law.B)
    assert (law.alpha, law.beta) == pytest.approx((0.35, 0.30))


def test_inputs_are_checked_before_sampling():
    N, D = [1e8, 1e9, 1e10], [1e9, 1e10, 1e11]
    loss = CHINCHILLA.loss(np.array(N), np.array(D))
    with pytest.raises(ValueError, match="unknown priors"):
        fit_loss_law_bayes(N, D, loss, priors={"gamma": (1.0, 1.0)})
    with pytest.raises(ValueError, match=r"prior alpha centre\(=-0.3\)"):
        fit_loss_law_bayes(N, D, loss, priors={"alpha": (-0.3, 0.5)})
    with pytest.raises(ValueError, match=r"prior u scale\(=0\)"):
        fit_loss_law_bayes(N, D, loss, priors={"u": (None, 0)})
    with pytest.raises(ValueError, match="at least 3 runs"):
        fit_loss_law_bayes(N[:2], D[:2], loss[:2])
    with pytest.raises(ValueError, match="draws"):
        fit_loss_law_bayes(N, D, loss, draws=0)
