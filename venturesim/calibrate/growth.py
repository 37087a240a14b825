r"""Growth of monthly revenue (MRR) for a company with no customer-level data: a log-linear model.

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

Data layout: ``month`` (integer index or ``YYYY-MM``, no gaps) and ``mrr`` (USD per month, > 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from venturesim.calibrate._data import DataError, check_consecutive, read_table
from venturesim.calibrate._mcmc import Convergence, Posterior, sample

__all__ = ["DEFAULT_PRIORS", "RevenueMle", "read_mrr", "revenue", "revenue_mle"]

DEFAULT_PRIORS = {"level": (None, 2.0), "growth": (0.05, 0.10), "sigma": (None, 0.3)}
"""(centre, scale): normal for the log level at the middle month (centre None: the mean of ln MRR) and the log
growth; half-normal σ."""


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


def revenue(
    mrr,
    *,
    priors: dict | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    convergence: Convergence | None = None,
) -> Posterior:
    """Posterior of the log-linear growth model (NUTS); columns ``mrr_start, growth_monthly, sigma``."""
    import pymc as pm

    y = np.log(np.asarray(mrr, np.float64))
    if y.size < 3 or not np.all(np.isfinite(y)):
        raise ValueError("need at least 3 months of positive MRR")
    spec = {**DEFAULT_PRIORS, **(priors or {})}
    if set(spec) != set(DEFAULT_PRIORS):
        raise ValueError(f"unknown priors {sorted(set(spec) - set(DEFAULT_PRIORS))}; known: {sorted(DEFAULT_PRIORS)}")
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
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        convergence=convergence,
        info={"priors": {k: list(v) for k, v in spec.items()}, "months": int(y.size)},
    )
