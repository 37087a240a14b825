r"""Fit a distribution family to a column of data by maximum likelihood and write the scenario's ``{dist: ...}``.

==========  =========================================================  ==========================================
family      maximum-likelihood estimate                                spec written
==========  =========================================================  ==========================================
normal      mean = x̄, sd = √(Σ(x − x̄)²/n)                              ``{dist: normal, mean, sd}``
lognormal   μ = mean of ln x, σ = ML sd of ln x (x > 0)                ``{dist: lognormal, mu, sigma}``
gamma       shape k and scale θ (``scipy.stats.gamma.fit``, loc 0)     ``{dist: gamma, shape, scale_param}``
beta        a, b on [0, 1] (``scipy.stats.beta.fit``, 0 < x < 1)        ``{dist: beta, a, b}``
poisson     rate = x̄ (whole numbers ≥ 0)                               ``{dist: poisson, rate}``
==========  =========================================================  ==========================================

``family="auto"`` fits every family the data allow and keeps the one with
the smallest AIC = 2k − 2 LL (Akaike 1974). The result's ``spec`` is the
dict to paste under the input in a scenario; ``yaml()`` prints it inline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from venturesim.calibrate._data import read_table

__all__ = ["FAMILIES", "FitResult", "fit", "fit_column"]

FAMILIES = ("normal", "lognormal", "gamma", "beta", "poisson")


@dataclass(frozen=True)
class FitResult:
    """A fitted family: the scenario spec, the log-likelihood, AIC and the sample size."""

    family: str
    spec: dict
    log_likelihood: float
    aic: float
    n: int

    def yaml(self) -> str:
        """The spec as one line of YAML flow style, e.g. ``{dist: lognormal, mu: 1.2, sigma: 0.4}``."""
        return (
            "{"
            + ", ".join(f"{k}: {v:.6g}" if isinstance(v, float) else f"{k}: {v}" for k, v in self.spec.items())
            + "}"
        )


def _allowed(x: np.ndarray) -> list[str]:
    out = ["normal"]
    if np.all(x > 0):
        out += ["lognormal", "gamma"]
    if np.all((x > 0) & (x < 1)):
        out.append("beta")
    if np.all((x >= 0) & (x == np.round(x))):
        out.append("poisson")
    return out


def fit(values, family: str = "auto") -> FitResult:
    """Maximum-likelihood fit of ``family`` (or the best by AIC for ``"auto"``) to ``values``."""
    x = np.asarray(values, np.float64).ravel()
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"need at least 2 finite values, found {x.size}")
    allowed = _allowed(x)
    if family == "auto":
        fits = [fit(x, f) for f in allowed if not (f == "poisson" and len(allowed) > 1 and x.var() == 0)]
        return min(fits, key=lambda r: r.aic)
    if family not in FAMILIES:
        raise ValueError(f"family(={family!r}) must be one of {FAMILIES} or 'auto'")
    if family not in allowed:
        need = {"lognormal": "all > 0", "gamma": "all > 0", "beta": "all in (0, 1)", "poisson": "whole numbers >= 0"}[
            family
        ]
        raise ValueError(f"family {family!r} needs values {need}; these allow {allowed}")
    if np.ptp(x) == 0:
        raise ValueError("all values are equal; a fixed number is the fit")
    if family == "normal":
        mean, sd = float(x.mean()), float(x.std())
        spec, ll, k = {"dist": "normal", "mean": mean, "sd": sd}, stats.norm(mean, sd).logpdf(x).sum(), 2
    elif family == "lognormal":
        mu, sigma = float(np.log(x).mean()), float(np.log(x).std())
        spec = {"dist": "lognormal", "mu": mu, "sigma": sigma}
        ll, k = stats.lognorm(s=sigma, scale=np.exp(mu)).logpdf(x).sum(), 2
    elif family == "gamma":
        shape, _, scale = stats.gamma.fit(x, floc=0)
        spec = {"dist": "gamma", "shape": float(shape), "scale_param": float(scale)}
        ll, k = stats.gamma(shape, scale=scale).logpdf(x).sum(), 2
    elif family == "beta":
        a, b, _, _ = stats.beta.fit(x, floc=0, fscale=1)
        spec, ll, k = {"dist": "beta", "a": float(a), "b": float(b)}, stats.beta(a, b).logpdf(x).sum(), 2
    else:
        rate = float(x.mean())
        spec, ll, k = {"dist": "poisson", "rate": rate}, stats.poisson(rate).logpmf(x).sum(), 1
    return FitResult(family, spec, float(ll), float(2 * k - 2 * ll), int(x.size))


def fit_column(source, column: str, family: str = "auto") -> FitResult:
    """Read one numeric column of a CSV/parquet file (positioned errors) and :func:`fit` it."""
    table = read_table(source, {column: "number"})
    return fit(table.frame[column].to_numpy(), family)
