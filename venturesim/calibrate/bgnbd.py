r"""BG/NBD repeat transactions and Gamma-Gamma spend (non-contractual customers: consumer and API usage).

**BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
*Marketing Science* 24(2): 275–284). While alive, a customer transacts as a
Poisson process of rate λ, λ ~ Gamma(r, α) across customers; after each
transaction they become inactive with probability p, p ~ Beta(a, b). A
customer first seen at time 0 with x repeat transactions, the last at t_x,
observed until T, has

.. math::

    L = \frac{B(a, b+x)}{B(a, b)} \frac{Γ(r+x) α^r}{Γ(r) (α+T)^{r+x}}
      + δ_{x>0} \frac{B(a+1, b+x−1)}{B(a, b)} \frac{Γ(r+x) α^r}{Γ(r) (α+t_x)^{r+x}}

(their eq. 6). Derived quantities (eqs. 10 and 13 of the paper):

.. math::

    P(\text{alive} \mid x, t_x, T) = \Big[1 + δ_{x>0} \frac{a}{b+x−1}
        \Big(\frac{α+T}{α+t_x}\Big)^{r+x}\Big]^{-1}

    E[Y(t) \mid x, t_x, T] = \frac{\frac{a+b+x−1}{a−1}\Big[1 − \big(\frac{α+T}{α+T+t}\big)^{r+x}
        {}_2F_1\big(r+x, b+x; a+b+x−1; \frac{t}{α+T+t}\big)\Big]}
        {1 + δ_{x>0} \frac{a}{b+x−1}\big(\frac{α+T}{α+t_x}\big)^{r+x}}

On the CDNOW sample (2,357 customers, weeks; ``tests/data/cdnow_summary.csv``)
the maximum-likelihood fit is r = 0.243, α = 4.414, a = 0.793, b = 2.426,
LL = −9582.4, as published.

**Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value
curves for customer base analysis", *Journal of Marketing Research* 42(4);
and Fader & Hardie's note "The Gamma-Gamma model of monetary value", 2013).
Spend per transaction z ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers,
independent of the transaction process. For a customer with x ≥ 1
transactions of mean value z̄,

.. math::

    f(\bar z \mid x) = \frac{Γ(px+q)}{Γ(px)Γ(q)} \frac{γ^q\, \bar z^{px−1} x^{px}}{(γ + x\bar z)^{px+q}},
    \qquad E[Z \mid \bar z, x] = \frac{(γ + x\bar z) p}{px + q − 1}.

On the 946 CDNOW customers with a repeat purchase (z̄ their mean repeat
spend, USD) the fit is p = 6.25, q = 3.74, γ = 15.44, as published.

**CLV** (:func:`clv`): expected discounted spend over the next ``months``,
:math:`Σ_{k=1}^{K} (E[Y(t_k)] − E[Y(t_{k−1})]) · E[Z] · margin / (1 + d)^k`
with t_k the end of month k in the data's time unit (a monthly discrete
approximation of the DERT integral, as in the *lifetimes* package).

Data layout: one row per customer with ``x`` (repeat transactions),
``t_x`` (time of the last one, 0 if none), ``T`` (time since the first
purchase), and optionally ``zbar`` (mean spend of the repeat transactions,
0 when x = 0). ``customer`` may name the customer. Time in any unit (the
CDNOW sample uses weeks); rates and α are per that unit.

**Bayes** (:func:`bgnbd`): eq. 6 in PyMC, sampled in a parametrisation whose
posterior is nearly uncorrelated (r and α, a and b are strongly correlated on
CDNOW, and short NUTS chains do not mix on them): r, the mean transaction rate
r/α, the mean dropout probability a/(a+b) and the concentration a + b. Priors
(``DEFAULT_PRIORS``, each (median, sd of the log) of a LogNormal, overridable
with ``priors={name: (median, sd)}``): r ~ LogNormal(ln 1, 1.5²); r/α ~
LogNormal(ln(x̄/T̄), 1.5²) (x̄/T̄ the data's mean repeat transactions per unit
of time); a/(a+b) ~ Beta(1, 1) (``dropout``, given as its two shapes);
a + b ~ LogNormal(ln 3, 1.5²). Posterior columns ``r, alpha, a, b``.
:func:`draws_of` turns a BG/NBD or Pareto/NBD posterior into parameter sets,
and :func:`posterior_mean_of` averages P(alive), expected transactions or CLV over them
(the posterior mean of each customer's figure).

**Into a scenario** (a segment's ``repeat_usage``, :mod:`venturesim.market.repeat_usage`):
the scenario works in months, so convert α (a time scale) from the data's unit:
α_month = α / units_per_month (weeks: α · 12/52); r, a, b have no unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

from venturesim.calibrate._data import DataError, read_table
from venturesim.calibrate._mcmc import Posterior, merge_priors, sample

__all__ = [
    "DEFAULT_PRIORS",
    "BgNbd",
    "GammaGamma",
    "Rfm",
    "bgnbd",
    "bgnbd_log_likelihood",
    "bgnbd_mle",
    "bgnbd_model",
    "clv",
    "draws_of",
    "expected_purchases",
    "expected_spend",
    "gamma_gamma_mle",
    "p_alive",
    "posterior_mean_of",
    "read_rfm",
]

DEFAULT_PRIORS = {"r": (1.0, 1.5), "rate": (None, 1.5), "dropout": (1.0, 1.0), "concentration": (3.0, 1.5)}
"""(median, sd of the log) of LogNormal priors on r, the mean rate r/α (median None: the data's x̄/T̄) and
a + b; the two Beta shapes of the prior on the mean dropout probability a/(a+b)."""


@dataclass(frozen=True)
class Rfm:
    """Per-customer summary: repeat transactions x, recency t_x, age T, mean repeat spend zbar (or None)."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    zbar: np.ndarray | None = None


def read_rfm(source) -> Rfm:
    """Read and check a per-customer summary (layout in the module docstring).

    Raises
    ------
    DataError : text, negative values, x not whole, t_x > T, x > 0 with t_x = 0, spend missing for a repeater.
    """
    table = read_table(
        source, {"x": "count", "t_x": "nonneg", "T": "positive"}, optional={"zbar": "nonneg", "customer": "label"}
    )
    f = table.frame
    problems = []
    for i in np.flatnonzero(f["t_x"].to_numpy() > f["T"].to_numpy()):
        problems.append(table.problem(i, "t_x", f"expected at most T (={f['T'][i]:g}), found {f['t_x'][i]:g}"))
    for i in np.flatnonzero((f["x"].to_numpy() > 0) & (f["t_x"].to_numpy() <= 0)):
        problems.append(
            table.problem(i, "t_x", f"expected > 0 for a customer with x={f['x'][i]:g} repeat transactions, found 0")
        )
    zbar = None
    if "zbar" in f:
        zbar = f["zbar"].to_numpy()
        for i in np.flatnonzero((f["x"].to_numpy() > 0) & (zbar <= 0)):
            problems.append(
                table.problem(
                    i, "zbar", "expected the mean spend (> 0) of a customer with repeat transactions, found 0"
                )
            )
    if problems:
        raise DataError(problems)
    return Rfm(f["x"].to_numpy(), f["t_x"].to_numpy(), f["T"].to_numpy(), zbar)


@dataclass(frozen=True)
class BgNbd:
    """BG/NBD parameters (r, α: Gamma of transaction rates; a, b: Beta of the dropout probability) and the LL."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = math.nan


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma spend parameters p, q, γ and the LL."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = math.nan

    @property
    def mean_spend(self) -> float:
        """E[Z] = pγ/(q − 1) for a new customer (q > 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else math.inf


def _bgnbd_terms(r, alpha, a, b, x, t_x, T):
    """Per-customer log-likelihood (eq. 6 of the paper, as a log-sum of its two terms)."""
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a3 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    return base + np.logaddexp(a3, a4)


def bgnbd_log_likelihood(params: BgNbd, rfm: Rfm) -> float:
    """Total log-likelihood of the customers (a sum of :func:`_bgnbd_terms`)."""
    return float(np.sum(_bgnbd_terms(params.r, params.alpha, params.a, params.b, rfm.x, rfm.t_x, rfm.T)))


def bgnbd_mle(rfm: Rfm) -> BgNbd:
    """Maximum-likelihood BG/NBD fit (L-BFGS-B on the logs of r, α, a, b)."""
    x, t_x, T = rfm.x, rfm.t_x, rfm.T
    if not np.any(x > 0):
        raise ValueError("no customer made a repeat transaction; the BG/NBD cannot be fitted")

    def nll(v):
        r, alpha, a, b = np.exp(v)
        return -float(np.sum(_bgnbd_terms(r, alpha, a, b, x, t_x, T)))

    res = minimize(
        nll,
        np.log([1.0, float(np.mean(T)), 1.0, 1.0]),
        method="L-BFGS-B",
        bounds=[(-10.0, 10.0)] * 4,
        options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 2000},
    )
    r, alpha, a, b = np.exp(res.x)
    return BgNbd(float(r), float(alpha), float(a), float(b), float(-res.fun))


def p_alive(params: BgNbd, x, t_x, T) -> np.ndarray:
    """P(customer still active | x, t_x, T) (eq. 13 of Fader, Hardie & Lee 2005)."""
    x, t_x, T = (np.asarray(v, np.float64) for v in (x, t_x, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, a / (b + x - 1) * np.exp((r + x) * np.log((alpha + T) / (alpha + t_x))), 0.0)
    return 1.0 / (1.0 + ratio)


def expected_purchases(params: BgNbd, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected transactions in the next t time units (eq. 10 of the paper)."""
    x, t_x, T = (np.asarray(v, np.float64) for v in (x, t_x, T))
    t = np.asarray(t, np.float64)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if a == 1:
        raise ValueError("a = 1 exactly makes eq. 10's (a − 1) term singular; perturb it")
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return head * body / (1.0 + ratio)


def gamma_gamma_mle(x, zbar) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma fit on the customers with x ≥ 1 (mean repeat spend ``zbar``)."""
    x, zbar = np.asarray(x, np.float64), np.asarray(zbar, np.float64)
    keep = x > 0
    x, zbar = x[keep], zbar[keep]
    if x.size < 3:
        raise ValueError(f"need at least 3 customers with repeat transactions, found {x.size}")

    def ll(p, q, g):
        px = p * x
        return np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(g)
            + (px - 1) * np.log(zbar)
            + px * np.log(x)
            - (px + q) * np.log(g + x * zbar)
        )

    res = minimize(
        lambda v: -ll(*np.exp(v)),
        np.log([1.0, 2.0, float(np.mean(zbar))]),
        method="L-BFGS-B",
        bounds=[(-10.0, 10.0)] * 3,
        options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 2000},
    )
    p, q, g = np.exp(res.x)
    return GammaGamma(float(p), float(q), float(g), float(-res.fun))


def expected_spend(params: GammaGamma, x, zbar) -> np.ndarray:
    """E[Z | z̄, x] = (γ + x z̄) p/(px + q − 1): a customer's expected spend per future transaction."""
    x, zbar = np.asarray(x, np.float64), np.asarray(zbar, np.float64)
    return (params.gamma + x * zbar) * params.p / (params.p * x + params.q - 1)


def _expected(transactions, t, x, t_x, T):
    """E[Y(t) | x, t_x, T] of a BG/NBD or a Pareto/NBD fit."""
    from venturesim.calibrate.pareto import ParetoNbd, pnbd_expected_purchases

    if isinstance(transactions, ParetoNbd):
        return pnbd_expected_purchases(transactions, t, x, t_x, T)
    return expected_purchases(transactions, t, x, t_x, T)


def clv(
    transactions,
    spend: GammaGamma,
    rfm: Rfm,
    *,
    months: int = 12,
    units_per_month: float = 52.0 / 12.0,
    discount_annual: float = 0.10,
    margin: float = 1.0,
) -> np.ndarray:
    """Expected discounted margin of each customer over the next ``months`` (module docstring).

    ``units_per_month`` converts months to the data's time unit (weeks: 52/12);
    ``discount_annual`` is converted to a monthly rate (1 + d)^(1/12) − 1. ``transactions``: a
    :class:`BgNbd` or a :class:`venturesim.calibrate.pareto.ParetoNbd`.
    """
    if rfm.zbar is None:
        raise ValueError("CLV needs each customer's mean spend (column zbar)")
    d = (1.0 + discount_annual) ** (1.0 / 12.0) - 1.0
    z = expected_spend(spend, rfm.x, rfm.zbar)
    total = np.zeros(rfm.x.shape)
    previous = np.zeros(rfm.x.shape)
    for k in range(1, months + 1):
        now = _expected(transactions, k * units_per_month, rfm.x, rfm.t_x, rfm.T)
        total += (now - previous) * z * margin / (1.0 + d) ** k
        previous = now
    return total


def mean_rate(x, T) -> float:
    """x̄/T̄: the data's mean repeat transactions per unit of time (the rate prior's default median)."""
    return max(float(np.mean(x)) / float(np.mean(T)), 1e-6)


def lognormal_priors(defaults: dict, priors: dict | None, *, default_median: float) -> dict:
    """Merge ``priors`` into ``defaults`` ({name: (first, second)}, both > 0; a first None → ``default_median``)."""
    spec = merge_priors(defaults, priors)
    out = {}
    for name, (median, sd) in spec.items():
        median = default_median if median is None else median
        if not (median > 0 and sd > 0):
            raise ValueError(f"prior {name}=({median}, {sd}) needs a median > 0 and a log-sd > 0")
        out[name] = (float(median), float(sd))
    return out


def bgnbd_model(rfm: Rfm, priors: dict | None = None):
    """(PyMC model, priors used) of the Bayesian BG/NBD: eq. 6 as the Potential ``loglik`` (module docstring)."""
    import pymc as pm
    import pytensor.tensor as pt

    x, t_x, T = (np.asarray(v, np.float64) for v in (rfm.x, rfm.t_x, rfm.T))
    if not np.any(x > 0):
        raise ValueError("no customer made a repeat transaction; the BG/NBD cannot be fitted")
    spec = lognormal_priors(DEFAULT_PRIORS, priors, default_median=mean_rate(x, T))
    repeat = x > 0

    def lbeta(u, v):
        return pt.gammaln(u) + pt.gammaln(v) - pt.gammaln(u + v)

    with pm.Model() as model:
        r = pm.LogNormal("r", math.log(spec["r"][0]), spec["r"][1])
        rate = pm.LogNormal("rate", math.log(spec["rate"][0]), spec["rate"][1])
        dropout = pm.Beta("dropout", spec["dropout"][0], spec["dropout"][1])
        conc = pm.LogNormal("concentration", math.log(spec["concentration"][0]), spec["concentration"][1])
        alpha = pm.Deterministic("alpha", r / rate)
        a = pm.Deterministic("a", dropout * conc)
        b = pm.Deterministic("b", (1.0 - dropout) * conc)
        base = pt.gammaln(r + x) - pt.gammaln(r) + r * pt.log(alpha)
        a3 = lbeta(a, b + x) - lbeta(a, b) - (r + x) * pt.log(alpha + T)
        a4 = lbeta(a + 1.0, b + np.maximum(x, 1.0) - 1.0) - lbeta(a, b) - (r + x) * pt.log(alpha + t_x)
        pm.Potential("loglik", pt.sum(base + pt.switch(repeat, pt.logaddexp(a3, a4), a3)))
    return model, spec


def bgnbd(rfm: Rfm, *, priors: dict | None = None, **sampling: Any) -> Posterior:
    """Posterior of the BG/NBD (r, α, a, b) given per-customer (x, t_x, T) (NUTS); columns ``r, alpha, a, b``.

    The likelihood is eq. 6 (module docstring); priors in :data:`DEFAULT_PRIORS`.
    """
    model, spec = bgnbd_model(rfm, priors)
    return sample(
        model,
        kind="bgnbd",
        columns={"r": "r", "alpha": "alpha", "a": "a", "b": "b"},
        sampled=["r", "rate", "dropout", "concentration"],
        priors=spec,
        info={"customers": len(rfm.x)},
        **sampling,
    )


def draws_of(posterior: Posterior, *, max_draws: int | None = 200) -> list:
    """The parameter sets of a ``bgnbd`` or ``pareto_nbd`` posterior (evenly thinned to ``max_draws``)."""
    from venturesim.calibrate.pareto import ParetoNbd

    frame = posterior.draws
    if max_draws is not None and len(frame) > max_draws:
        frame = frame.iloc[np.linspace(0, len(frame) - 1, max_draws).round().astype(int)]
    if posterior.kind == "bgnbd":
        return [BgNbd(*row) for row in frame[["r", "alpha", "a", "b"]].to_numpy(np.float64)]
    if posterior.kind == "pareto_nbd":
        return [ParetoNbd(*row) for row in frame[["r", "alpha", "s", "beta"]].to_numpy(np.float64)]
    raise ValueError(f"a {posterior.kind!r} posterior has no BG/NBD or Pareto/NBD draws")


def posterior_mean_of(figure, posterior: Posterior, *args, max_draws: int | None = 200, **kwargs) -> np.ndarray:
    """The mean over the posterior's draws of ``figure(params, *args, **kwargs)`` (e.g. :func:`p_alive`)."""
    draws = draws_of(posterior, max_draws=max_draws)
    return np.mean([figure(d, *args, **kwargs) for d in draws], axis=0)
