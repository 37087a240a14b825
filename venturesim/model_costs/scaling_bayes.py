r"""Bayesian fit of the loss law L(N, D) = E + A/N^α + B/D^β with PyMC.

Where :func:`~venturesim.model_costs.scaling_law.fit_loss_law` gives one best
fit, this gives posterior draws of (E, A, B, α, β), so the uncertainty of a
law fitted to a handful of small runs flows into the simulation (a
parameter's distribution can be posterior draws; see DESIGN.md).

Model
-----
With m_N, m_D the mean log N and log D of the runs (centring makes the
posterior far less correlated, so NUTS needs short trajectories):

.. math::

    \log L_i &\sim \mathrm{StudentT}\big(\nu = 4,\
        \log(E + e^{u - \alpha(\log N_i - m_N)} + e^{v - \beta(\log D_i - m_D)}),\ \sigma\big) \\
    u &= \log A - \alpha\, m_N, \qquad v = \log B - \beta\, m_D

(u and v are the log of the N-term and D-term at the runs' geometric-mean N
and D). The Student-t likelihood on log loss is robust to the odd diverged
run, as the Huber loss of Hoffmann et al. 2022 is.

Priors (weakly informative, centred on :data:`~venturesim.model_costs.scaling_law.CHINCHILLA`,
overridable with ``priors={name: (centre, scale)}``):

=========  ===============================================  ====================
name       prior                                            default (centre, sd)
=========  ===============================================  ====================
log_E      Normal                                           (log 1.6934, 1.0)
alpha      LogNormal (centre = median, scale = sd of log)   (0.339, 0.5)
beta       LogNormal                                        (0.285, 0.5)
u          Normal, centre = Chinchilla's log(A/N^α) at m_N  (—, 2.0)
v          Normal, centre = Chinchilla's log(B/D^β) at m_D  (—, 2.0)
sigma      HalfNormal (scale)                               (—, 0.05)
=========  ===============================================  ====================

A log-scale sd of 2 lets a term be 7× (90 %) above or below Chinchilla's,
which covers other tokenisers and datasets. Pass ``(centre, sd)`` for
``u``/``v`` to replace the Chinchilla-derived centre.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings

import xarray as xr

from venturesim.model_costs.scaling_law import CHINCHILLA, LossLaw, _log_runs

__all__ = ["DEFAULT_PRIORS", "fit_loss_law_bayes", "posterior_mean_law"]

DEFAULT_PRIORS = {
    "log_E": (math.log(CHINCHILLA.E), 1.0),
    "alpha": (CHINCHILLA.alpha, 0.5),
    "beta": (CHINCHILLA.beta, 0.5),
    "u": (None, 2.0),
    "v": (None, 2.0),
    "sigma": (None, 0.05),
}
"""(centre, scale) of each prior; a None centre is derived from CHINCHILLA at the data."""


def fit_loss_law_bayes(
    N,
    D,
    loss,
    *,
    draws: int = 500,
    tune: int = 500,
    chains: int = 2,
    seed: int = 0,
    priors: dict | None = None,
    target_accept: float = 0.8,
) -> xr.Dataset:
    """Posterior draws of the loss law's parameters given observed runs (NUTS).

    Parameters
    ----------
    N, D, loss : array_like
        Parameters, tokens and final loss (nats/token) of each run (≥ 3 runs).
    draws, tune, chains : int
        NUTS draws kept and tuning steps per chain, and chains (run one after
        the other, ``cores=1``).
    seed : int
        Random seed of the sampler (same seed ⇒ same draws).
    priors : dict, optional
        ``{name: (centre, scale)}`` replacing entries of :data:`DEFAULT_PRIORS`.
    target_accept : float
        NUTS target acceptance rate (PyMC's default 0.8; raise it if there are divergences).

    Returns
    -------
    xarray.Dataset
        The posterior (dims ``chain``, ``draw``) with ``E, A, B, alpha, beta,
        sigma`` (and the sampled ``log_E, u, v``).
    """
    with _quiet_third_parties():
        return _fit(N, D, loss, draws, tune, chains, seed, priors, target_accept)


@contextlib.contextmanager
def _quiet_third_parties():
    """Silence PyMC's and PyTensor's informational logging and their warnings about the installation (no BLAS
    linked, ArviZ deprecations) while the fit runs: they say nothing about the fit, and ``calibrate-product``
    should print only its own figures. A divergence or sampling problem still shows in the posterior."""
    loggers = [logging.getLogger(name) for name in ("pymc", "pymc.sampling", "pytensor", "arviz")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*could not link to a BLAS.*")
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def _fit(N, D, loss, draws, tune, chains, seed, priors, target_accept) -> xr.Dataset:
    import pymc as pm

    logN, logD, logL = _log_runs(N, D, loss, min_runs=3)
    unknown = set(priors or {}) - set(DEFAULT_PRIORS)
    if unknown:
        raise ValueError(f"unknown priors {sorted(unknown)}; known: {sorted(DEFAULT_PRIORS)}")
    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}(={value!r}) must be a positive integer")
    spec = {**DEFAULT_PRIORS, **(priors or {})}
    for name, (centre, scale) in spec.items():
        if not scale > 0:
            raise ValueError(f"prior {name} scale(={scale}) must be > 0")
        if name in ("alpha", "beta") and not centre > 0:
            raise ValueError(f"prior {name} centre(={centre}) must be > 0 (a LogNormal median)")
    mN, mD = float(logN.mean()), float(logD.mean())
    u0 = math.log(CHINCHILLA.A) - CHINCHILLA.alpha * mN if spec["u"][0] is None else spec["u"][0]
    v0 = math.log(CHINCHILLA.B) - CHINCHILLA.beta * mD if spec["v"][0] is None else spec["v"][0]

    with pm.Model():
        log_E = pm.Normal("log_E", mu=spec["log_E"][0], sigma=spec["log_E"][1])
        alpha = pm.LogNormal("alpha", mu=math.log(spec["alpha"][0]), sigma=spec["alpha"][1])
        beta = pm.LogNormal("beta", mu=math.log(spec["beta"][0]), sigma=spec["beta"][1])
        u = pm.Normal("u", mu=u0, sigma=spec["u"][1])
        v = pm.Normal("v", mu=v0, sigma=spec["v"][1])
        sigma = pm.HalfNormal("sigma", sigma=spec["sigma"][1])
        E = pm.Deterministic("E", pm.math.exp(log_E))
        pm.Deterministic("A", pm.math.exp(u + alpha * mN))
        pm.Deterministic("B", pm.math.exp(v + beta * mD))
        mean = pm.math.log(E + pm.math.exp(u - alpha * (logN - mN)) + pm.math.exp(v - beta * (logD - mD)))
        pm.StudentT("log_loss", nu=4, mu=mean, sigma=sigma, observed=logL)
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=1,
            random_seed=seed,
            progressbar=False,
            target_accept=target_accept,
            compute_convergence_checks=False,
        )
    return idata.posterior


def posterior_mean_law(posterior: xr.Dataset) -> LossLaw:
    """The LossLaw at the posterior means of E, A, B, alpha, beta."""
    return LossLaw(**{name: float(posterior[name].mean()) for name in ("E", "A", "B", "alpha", "beta")})
