r"""Pareto/NBD repeat transactions (non-contractual customers), by maximum likelihood or Bayes.

Model (Schmittlein, Morrison & Colombo 1987, "Counting your customers: who
are they and what will they do next?", *Management Science* 33(1): 1–24):
while alive a customer transacts as a Poisson process of rate λ,
λ ~ Gamma(r, α); their lifetime is exponential with rate μ, μ ~ Gamma(s, β),
independent of λ. (The BG/NBD of :mod:`venturesim.calibrate.bgnbd` differs
only in how customers die: after a transaction, not at any moment.)

Likelihood of a customer with x repeat transactions, the last at t_x, seen
until T (Fader, Hardie & Lee 2005, "A note on implementing the Pareto/NBD
model in MATLAB", brucehardie.com/notes/008, eq. 2):

.. math::

    L = \frac{Γ(r+x) α^r β^s}{Γ(r)} \Big[\frac{1}{(α+T)^{r+x}(β+T)^s} + \frac{s}{r+s+x} A_0\Big],

with, for α ≥ β (z₁ = (α−β)/(α+·), first argument of the hypergeometric s+1),

.. math::

    A_0 = \frac{{}_2F_1(r+s+x, s+1; r+s+x+1; \frac{α−β}{α+t_x})}{(α+t_x)^{r+s+x}}
        − \frac{{}_2F_1(r+s+x, s+1; r+s+x+1; \frac{α−β}{α+T})}{(α+T)^{r+s+x}},

and for α < β the same with α ↔ β swapped and s+1 replaced by r+x. Then
(same note, eqs. 5, 6 and Schmittlein et al. 1987):

.. math::

    P(\text{alive} \mid x, t_x, T) = \Big[1 + \frac{s}{r+s+x}(α+T)^{r+x}(β+T)^s A_0\Big]^{-1},

    E[Y(t) \mid x, t_x, T] = \frac{(r+x)(β+T)}{(α+T)(s−1)}\Big[1 − \Big(\frac{β+T}{β+T+t}\Big)^{s−1}\Big]
        P(\text{alive} \mid x, t_x, T),

    E[X(t)] = \frac{rβ}{α(s−1)}\Big[1 − \Big(\frac{β}{β+t}\Big)^{s−1}\Big] \quad\text{(a new customer)}.

On the CDNOW sample (2,357 customers, weeks) the fit is r = 0.553,
α = 10.578, s = 0.606, β = 11.669, LL = −9595.0 (Fader, Hardie & Lee's
note; PyMC-Marketing's ``tests/clv/models/test_pareto_nbd.py`` uses
r = 0.5534, α = 10.5802, s = 0.6061, β = 11.6562 from *lifetimes*). CLV:
:func:`venturesim.calibrate.bgnbd.clv` accepts a :class:`ParetoNbd` too.

**Bayes** (:func:`pareto_nbd`): the same likelihood in PyMC, sampled as r,
the mean transaction rate r/α, s and the mean dropout rate s/β (far less
correlated in the posterior than r, α and s, β). Priors, LogNormal (median,
sd of the log), overridable with ``priors={name: (median, sd)}``: r, s ~
LogNormal(ln 1, 1.5²); r/α ~ LogNormal(ln(x̄/T̄), 1.5²) (the data's mean
repeat transactions per unit of time); s/β ~ LogNormal(ln(1/T̄), 1.5²) (a
mean lifetime of one observation window). Posterior columns ``r, alpha, s, beta``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

from venturesim.calibrate._mcmc import Posterior, sample

__all__ = [
    "DEFAULT_PRIORS",
    "ParetoNbd",
    "pareto_nbd",
    "pareto_nbd_model",
    "pnbd_expected_new",
    "pnbd_expected_purchases",
    "pnbd_log_likelihood",
    "pnbd_mle",
    "pnbd_p_alive",
]

DEFAULT_PRIORS = {"r": (1.0, 1.5), "rate": (None, 1.5), "s": (1.0, 1.5), "dropout_rate": (None, 1.5)}
"""(median, sd of the log) of LogNormal priors on r, r/α (None: x̄/T̄), s and s/β (None: 1/T̄)."""


@dataclass(frozen=True)
class ParetoNbd:
    """Pareto/NBD parameters (r, α: Gamma of transaction rates; s, β: Gamma of dropout rates) and the LL."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float = math.nan


def _log_a0_terms(r, alpha, s, beta, x, t_x, T):
    """(log of A₀'s first term, log of its second term), A₀ = e^first − e^second (module docstring).

    Both branches are evaluated (np.where), so it is vectorised over customers and safe when α = β.
    """
    rsx = r + s + x
    big_alpha = alpha >= beta
    hi, lo = (np.maximum(alpha, beta), np.minimum(alpha, beta))
    second = np.where(big_alpha, s + 1.0, r + x)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.log(hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + t_x))) - rsx * np.log(hi + t_x)
        f2 = np.log(hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + T))) - rsx * np.log(hi + T)
    return f1, f2


def _log_a0(r, alpha, s, beta, x, t_x, T):
    f1, f2 = _log_a0_terms(r, alpha, s, beta, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        return f1 + np.log1p(-np.exp(np.minimum(f2 - f1, 0.0)))  # −inf when t_x = T (A₀ = 0)


def _terms(r, alpha, s, beta, x, t_x, T):
    """Per-customer log-likelihood (module docstring)."""
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    second = np.log(s / (r + s + x)) + _log_a0(r, alpha, s, beta, x, t_x, T)
    with np.errstate(invalid="ignore"):
        return head + np.logaddexp(first, second)


def pnbd_log_likelihood(params: ParetoNbd, rfm) -> float:
    """Total log-likelihood of the customers (``rfm``: :class:`venturesim.calibrate.bgnbd.Rfm`)."""
    return float(np.sum(_terms(params.r, params.alpha, params.s, params.beta, rfm.x, rfm.t_x, rfm.T)))


def pnbd_mle(rfm) -> ParetoNbd:
    """Maximum-likelihood Pareto/NBD fit (L-BFGS-B on the logs of r, α, s, β; Nelder-Mead polish)."""
    x, t_x, T = (np.asarray(v, np.float64) for v in (rfm.x, rfm.t_x, rfm.T))
    if not np.any(x > 0):
        raise ValueError("no customer made a repeat transaction; the Pareto/NBD cannot be fitted")

    def nll(v):
        r, alpha, s, beta = np.exp(v)
        value = -float(np.sum(_terms(r, alpha, s, beta, x, t_x, T)))
        return value if math.isfinite(value) else 1e300

    start = np.log([1.0, float(np.mean(T)), 1.0, float(np.mean(T))])
    res = minimize(nll, start, method="L-BFGS-B", bounds=[(-10.0, 10.0)] * 4, options={"ftol": 1e-15, "gtol": 1e-9})
    res = minimize(nll, res.x, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000})
    r, alpha, s, beta = np.exp(res.x)
    return ParetoNbd(float(r), float(alpha), float(s), float(beta), float(-res.fun))


def pnbd_p_alive(params: ParetoNbd, x, t_x, T) -> np.ndarray:
    """P(customer still alive | x, t_x, T) (module docstring)."""
    x, t_x, T = (np.asarray(v, np.float64) for v in (x, t_x, T))
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    log_ratio = (math.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)) + _log_a0(
        r, alpha, s, beta, x, t_x, T
    )
    return 1.0 / (1.0 + np.exp(log_ratio))


def pnbd_expected_purchases(params: ParetoNbd, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected transactions in the next t time units (module docstring; s ≠ 1)."""
    x, t_x, T = (np.asarray(v, np.float64) for v in (x, t_x, T))
    t = np.asarray(t, np.float64)
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    if s == 1:
        raise ValueError("s = 1 exactly makes the (s − 1) term singular; perturb it")
    head = (r + x) * (beta + T) / ((alpha + T) * (s - 1.0))
    return head * (1.0 - ((beta + T) / (beta + T + t)) ** (s - 1.0)) * pnbd_p_alive(params, x, t_x, T)


def pnbd_expected_new(params: ParetoNbd, t) -> np.ndarray:
    """E[X(t)]: expected repeat transactions of a new customer in (0, t] (module docstring; s ≠ 1)."""
    t = np.asarray(t, np.float64)
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    return r * beta / (alpha * (s - 1.0)) * (1.0 - (beta / (beta + t)) ** (s - 1.0))


def pareto_nbd_model(rfm, priors: dict | None = None):
    """(PyMC model, priors used) of the Bayesian Pareto/NBD: the likelihood as the Potential ``loglik``, with
    PyTensor's ``hyp2f1`` (differentiable in its parameters)."""
    import pymc as pm
    import pytensor.tensor as pt

    from venturesim.calibrate.bgnbd import lognormal_priors, mean_rate

    x, t_x, T = (np.asarray(v, np.float64) for v in (rfm.x, rfm.t_x, rfm.T))
    if not np.any(x > 0):
        raise ValueError("no customer made a repeat transaction; the Pareto/NBD cannot be fitted")
    given = dict(priors or {})
    if "dropout_rate" not in given:
        given["dropout_rate"] = (1.0 / float(np.mean(T)), DEFAULT_PRIORS["dropout_rate"][1])
    spec = lognormal_priors(DEFAULT_PRIORS, given, default_median=mean_rate(x, T))
    with pm.Model() as model:
        r, rate, s, death = (
            pm.LogNormal(name, math.log(spec[name][0]), spec[name][1]) for name in ("r", "rate", "s", "dropout_rate")
        )
        alpha = pm.Deterministic("alpha", r / rate)
        beta = pm.Deterministic("beta", s / death)
        rsx = r + s + x
        hi, lo = pt.maximum(alpha, beta), pt.minimum(alpha, beta)
        second = pt.switch(alpha >= beta, s + 1.0, r + x)
        f1 = pt.log(pt.hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + t_x))) - rsx * pt.log(hi + t_x)
        f2 = pt.log(pt.hyp2f1(rsx, second, rsx + 1.0, (hi - lo) / (hi + T))) - rsx * pt.log(hi + T)
        # A₀ = e^f1 − e^f2 ≥ 0; customers with t_x = T have A₀ = 0 (their second term drops out)
        gap = pt.clip(f2 - f1, -700.0, -1e-12)
        log_a0 = f1 + pt.log1p(-pt.exp(gap))
        first = -(r + x) * pt.log(alpha + T) - s * pt.log(beta + T)
        log_second = pt.log(s) - pt.log(rsx) + log_a0
        both = pt.switch(t_x < T, pt.logaddexp(first, log_second), first)
        head = pt.gammaln(r + x) - pt.gammaln(r) + r * pt.log(alpha) + s * pt.log(beta)
        pm.Potential("loglik", pt.sum(head + both))
    return model, spec


def pareto_nbd(rfm, *, priors: dict | None = None, **sampling: Any) -> Posterior:
    """Posterior of (r, α, s, β) given per-customer (x, t_x, T) (NUTS); columns ``r, alpha, s, beta``.

    The model is :func:`pareto_nbd_model`'s. Slow: the gradient of ₂F₁ in its parameters is a series per
    customer (docs/performance.md); prefer :func:`pnbd_mle` for thousands of customers.
    """
    model, spec = pareto_nbd_model(rfm, priors)
    return sample(
        model,
        kind="pareto_nbd",
        columns={"r": "r", "alpha": "alpha", "s": "s", "beta": "beta"},
        sampled=["r", "rate", "s", "dropout_rate"],
        priors=spec,
        info={"customers": len(rfm.x)},
        **sampling,
    )
