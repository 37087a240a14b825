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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

from venturesim.calibrate._data import DataError, read_table

__all__ = [
    "BgNbd",
    "GammaGamma",
    "Rfm",
    "bgnbd_log_likelihood",
    "bgnbd_mle",
    "clv",
    "expected_purchases",
    "expected_spend",
    "gamma_gamma_mle",
    "p_alive",
    "read_rfm",
]


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


def clv(
    transactions: BgNbd,
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
    ``discount_annual`` is converted to a monthly rate (1 + d)^(1/12) − 1.
    """
    if rfm.zbar is None:
        raise ValueError("CLV needs each customer's mean spend (column zbar)")
    d = (1.0 + discount_annual) ** (1.0 / 12.0) - 1.0
    z = expected_spend(spend, rfm.x, rfm.zbar)
    total = np.zeros(rfm.x.shape)
    previous = np.zeros(rfm.x.shape)
    for k in range(1, months + 1):
        now = expected_purchases(transactions, k * units_per_month, rfm.x, rfm.t_x, rfm.T)
        total += (now - previous) * z * margin / (1.0 + d) ** k
        previous = now
    return total
