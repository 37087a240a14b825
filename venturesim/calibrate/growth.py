r"""Growth of monthly revenue (MRR) for a company with no customer-level data: log-linear or local-level.

Model: with y_t = ln MRR_t for months t = 0 … n−1,

.. math:: y_t = a + g\,(t − t_{n−1}) + ε_t, \qquad ε_t \sim \mathrm{N}(0, σ^2),

so a = ln MRR at the last observed month (the level the forecast starts
from) and e^g − 1 is the monthly growth rate. NUTS samples the level at the
middle month, c = a − g(n−1)/2, which is uncorrelated with g in the posterior
(with a, the two are strongly correlated and short chains do not mix). Priors
(overridable with ``priors={name: (centre, scale)}``): c ~ N(mean of ln MRR, 2²)
("level"), g ~ N(0.05, 0.10²) (a ±20 %/month range: early-stage MRR growth is
rarely faster), σ ~ HalfNormal(0.3).

Maximum likelihood (:func:`revenue_mle`) is ordinary least squares on ln
MRR (σ̂ the ML estimate, residual sum of squares / n).

Posterior columns, for a scenario trend ``start · (1 + growth)^t``:
``mrr_start`` (= e^a, USD per month at the last observed month),
``growth_monthly`` (= e^g − 1) and ``sigma`` (month-to-month noise, log scale).

**Local level** (:func:`local_level`, ``calibrate revenue --model local-level``):
a random walk with drift observed with noise (Harvey 1989, *Forecasting,
structural time series models and the Kalman filter*, ch. 2; West & Harrison
1997, the "local level" model with a constant trend):

.. math::

    μ_t = μ_{t−1} + g + η_t,\ η_t \sim \mathrm{N}(0, σ_ℓ^2); \qquad
    y_t = μ_t + ε_t,\ ε_t \sim \mathrm{N}(0, σ_o^2),

for t = 1 … n−1 from μ₀. Shocks to the level persist (a lost big customer
lowers every later month), unlike the log-linear model's ε. The levels are
integrated out: y ~ N(μ₀ + g t, σ_ℓ² min(i, j) + σ_o² δ_ij) (Cov of a random
walk from a fixed μ₀), so NUTS samples four parameters whatever n. Priors
(overridable, ``priors={name: (centre, scale)}``): μ₀ ~ N(y₀, 2²) ("start"),
g ~ N(0.05, 0.10²) ("growth"), σ_ℓ, σ_o ~ LogNormal(ln 0.05, 1²) ("level_sd",
"noise_sd"; 94 % within 0.008–0.33: boundary-avoiding, as with HalfNormal priors the posterior's
funnel towards σ → 0 gave 21 divergences on 48 simulated months). **Known limit**: even so, 2 × 300
draws on 36 simulated months still had 4 divergent transitions, and the fit is refused
(:class:`~venturesim.calibrate.ConvergenceError`); σ_ℓ and σ_o are weakly separated by a few dozen
months, so use long tuning (``tune=2000``, ``target_accept=0.95``) or the maximum-likelihood fit.
The last month's level μ_{n−1} is drawn, for each posterior draw, from its conditional normal
given y (Gaussian conditioning:
mean μ₀ + g(n−1) + kᵀΣ⁻¹(y − m), variance σ_ℓ²(n−1) − kᵀΣ⁻¹k, k_j = σ_ℓ² j);
columns ``mrr_start`` (= e^{μ_{n−1}}), ``growth_monthly`` (= e^g − 1),
``level_sd`` and ``noise_sd``. :func:`local_level_mle` maximises the same
marginal likelihood (L-BFGS-B).

Data layout: ``month`` (integer index or ``YYYY-MM``, no gaps) and ``mrr`` (USD per month, > 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from venturesim.calibrate._data import DataError, check_consecutive, read_table
from venturesim.calibrate._mcmc import Posterior, merge_priors, sample

__all__ = [
    "DEFAULT_PRIORS",
    "LOCAL_LEVEL_PRIORS",
    "LocalLevelMle",
    "RevenueMle",
    "local_level",
    "local_level_mle",
    "read_mrr",
    "revenue",
    "revenue_mle",
]

DEFAULT_PRIORS = {"level": (None, 2.0), "growth": (0.05, 0.10), "sigma": (None, 0.3)}
"""(centre, scale): normal for the log level at the middle month (centre None: the mean of ln MRR) and the log
growth; half-normal σ."""


LOCAL_LEVEL_PRIORS = {"start": (None, 2.0), "growth": (0.05, 0.10), "level_sd": (0.05, 1.0), "noise_sd": (0.05, 1.0)}
"""(centre, scale): normal for the log level μ₀ at the first month (centre None: ln MRR₀) and the log growth g;
(median, sd of the log) of LogNormal priors on σ_ℓ and σ_o."""


def _priors(defaults: dict, priors: dict | None) -> dict:
    spec = merge_priors(defaults, priors)
    return spec


def read_mrr(source) -> np.ndarray:
    """Read and check a monthly revenue series (layout in the module docstring); returns MRR by month."""
    table = read_table(source, {"month": "month", "mrr": "positive"})
    problems = check_consecutive(table, table.frame["month"].to_numpy(), "month")
    if len(table.frame) < 3:
        problems.append(table.problem(None, None, f"needs at least 3 months, found {len(table.frame)}"))
    if problems:
        raise DataError(problems)
    return table.frame["mrr"].to_numpy(np.float64)


@dataclass(frozen=True)
class RevenueMle:
    """Least-squares fit on ln MRR: level at the last month, monthly log growth g, noise σ (ML)."""

    mrr_start: float
    log_growth: float
    sigma: float

    @property
    def growth_monthly(self) -> float:
        return math.expm1(self.log_growth)


def revenue_mle(mrr) -> RevenueMle:
    """Ordinary least squares of ln MRR on the month (module docstring)."""
    y = np.log(np.asarray(mrr, np.float64))
    t = np.arange(y.size) - (y.size - 1.0)
    X = np.stack([np.ones_like(t), t], axis=1)
    (a, g), *_ = np.linalg.lstsq(X, y, rcond=None)
    sigma = float(np.sqrt(np.mean((y - X @ np.array([a, g])) ** 2)))
    return RevenueMle(float(np.exp(a)), float(g), sigma)


def revenue(mrr, *, priors: dict | None = None, **sampling: Any) -> Posterior:
    """Posterior of the log-linear growth model (NUTS); columns ``mrr_start, growth_monthly, sigma``."""
    import pymc as pm

    y = np.log(np.asarray(mrr, np.float64))
    if y.size < 3 or not np.all(np.isfinite(y)):
        raise ValueError("need at least 3 months of positive MRR")
    spec = merge_priors(DEFAULT_PRIORS, priors)
    half = (y.size - 1.0) / 2.0
    t = np.arange(y.size) - half  # centred: the level and the slope are uncorrelated in the posterior
    with pm.Model() as model:
        c = pm.Normal("level", y.mean() if spec["level"][0] is None else spec["level"][0], spec["level"][1])
        g = pm.Normal("growth", spec["growth"][0], spec["growth"][1])
        sigma = pm.HalfNormal("sigma", spec["sigma"][1])
        pm.Normal("log_mrr", c + g * t, sigma, observed=y)
        pm.Deterministic("mrr_start", pm.math.exp(c + g * half))
        pm.Deterministic("growth_monthly", pm.math.exp(g) - 1.0)
    return sample(
        model,
        kind="revenue",
        columns={"mrr_start": "mrr_start", "growth_monthly": "growth_monthly", "sigma": "sigma"},
        sampled=["level", "growth", "sigma"],
        priors=spec,
        info={"months": int(y.size)},
        **sampling,
    )


def _log_series(mrr) -> np.ndarray:
    y = np.log(np.asarray(mrr, np.float64))
    if y.size < 3 or not np.all(np.isfinite(y)):
        raise ValueError("need at least 3 months of positive MRR")
    return y


def _walk_cov(n: int) -> np.ndarray:
    """min(i, j) for i, j = 0 … n−1: the covariance of a unit random walk started at a fixed μ₀."""
    t = np.arange(n, dtype=np.float64)
    return np.minimum.outer(t, t)


@dataclass(frozen=True)
class LocalLevelMle:
    """Maximum-likelihood local-level fit: μ₀, monthly log growth g, σ_ℓ, σ_o, the LL and E[μ_{n−1} | y]."""

    start: float
    log_growth: float
    level_sd: float
    noise_sd: float
    log_likelihood: float
    last_level: float

    @property
    def growth_monthly(self) -> float:
        return math.expm1(self.log_growth)

    @property
    def mrr_start(self) -> float:
        """e^{E[μ_{n−1} | y]}: the level the forecast starts from, USD per month."""
        return math.exp(self.last_level)


def _last_level(y, start, g, level_sd, noise_sd) -> tuple[float, float]:
    """Mean and variance of μ_{n−1} given y (module docstring)."""
    n = y.size
    walk = _walk_cov(n)
    cov = level_sd**2 * walk + noise_sd**2 * np.eye(n)
    k = level_sd**2 * walk[-1]
    mean = start + g * np.arange(n)
    w = np.linalg.lstsq(cov, k, rcond=None)[0]  # Σ⁻¹k (Σ is singular when σ_o = 0: month 0 is μ₀ exactly)
    return float(mean[-1] + w @ (y - mean)), float(max(level_sd**2 * (n - 1) - w @ k, 0.0))


def local_level_mle(mrr) -> LocalLevelMle:
    """Maximum likelihood of the local-level model (module docstring), by L-BFGS-B on (μ₀, g, ln σ_ℓ, ln σ_o)."""
    from scipy.linalg import cho_factor, cho_solve
    from scipy.optimize import minimize

    y = _log_series(mrr)
    n, walk = y.size, _walk_cov(y.size)
    t = np.arange(n)

    def nll(v):
        start, g, log_l, log_o = v
        cov = np.exp(2 * log_l) * walk + np.exp(2 * log_o) * np.eye(n)
        try:
            factor = cho_factor(cov, lower=True)
        except np.linalg.LinAlgError:
            return 1e300
        r = y - start - g * t
        logdet = 2.0 * np.sum(np.log(np.diag(factor[0])))
        return 0.5 * (logdet + r @ cho_solve(factor, r) + n * math.log(2 * math.pi))

    ols = revenue_mle(mrr)
    noise = max(ols.sigma, 1e-3)
    first = math.log(ols.mrr_start) - ols.log_growth * (n - 1)
    x0 = np.array([first, ols.log_growth, math.log(noise), math.log(noise)])
    res = minimize(nll, x0, method="L-BFGS-B", bounds=[(None, None), (None, None), (-12.0, 3.0), (-12.0, 3.0)])
    start, g, log_l, log_o = res.x
    last, _ = _last_level(y, start, g, math.exp(log_l), math.exp(log_o))
    return LocalLevelMle(float(start), float(g), math.exp(log_l), math.exp(log_o), float(-res.fun), last)


def local_level(mrr, *, priors: dict | None = None, **sampling: Any) -> Posterior:
    """Posterior of the local-level model (NUTS; module docstring); columns
    ``mrr_start, growth_monthly, level_sd, noise_sd``."""
    import pymc as pm
    import pytensor.tensor as pt

    y = _log_series(mrr)
    spec = merge_priors(LOCAL_LEVEL_PRIORS, priors)
    n, walk = y.size, _walk_cov(y.size)
    with pm.Model() as model:
        start = pm.Normal("start", y[0] if spec["start"][0] is None else spec["start"][0], spec["start"][1])
        g = pm.Normal("growth", spec["growth"][0], spec["growth"][1])
        level_sd = pm.LogNormal("level_sd", math.log(spec["level_sd"][0]), spec["level_sd"][1])
        noise_sd = pm.LogNormal("noise_sd", math.log(spec["noise_sd"][0]), spec["noise_sd"][1])
        cov = level_sd**2 * walk + noise_sd**2 * pt.eye(n)
        pm.MvNormal("log_mrr", start + g * np.arange(n), cov=cov, observed=y)
        pm.Deterministic("growth_monthly", pm.math.exp(g) - 1.0)
    post = sample(
        model,
        kind="revenue_local_level",
        columns={"growth_monthly": "growth_monthly", "level_sd": "level_sd", "noise_sd": "noise_sd", "start": "start"},
        sampled=["start", "growth", "level_sd", "noise_sd"],
        priors=spec,
        info={"months": int(n), "model": "local-level"},
        **sampling,
    )
    # the last month's level, one draw from its conditional normal per posterior draw (seeded)
    rng = np.random.default_rng(np.random.SeedSequence([int(sampling.get("seed", 0)), 2026]))
    d = post.draws
    levels = np.empty(len(d))
    for i, (s0, gm, sl, so) in enumerate(d[["start", "growth_monthly", "level_sd", "noise_sd"]].to_numpy()):
        mean, var = _last_level(y, s0, math.log1p(gm), sl, so)
        levels[i] = mean + math.sqrt(var) * rng.standard_normal()
    d.insert(2, "mrr_start", np.exp(levels))
    post.draws = d.drop(columns="start")
    return post
