r"""Logo churn: constant-rate survival, the shifted-beta-geometric cohort model, and churn response.

**Constant churn.** With a monthly churn probability c, a customer survives
t months with probability S(t) = (1 − c)^t, and the expected lifetime is
1/c months (counting the month of leaving).

**Shifted-beta-geometric (sBG).** Fader & Hardie (2007), "How to project
customer retention", *Journal of Interactive Marketing* 21(1): 76–90. Each
customer has a constant churn probability θ per period, renewing each period
with probability 1 − θ, so their lifetime T ∈ {1, 2, …} (the period in which
they leave) is geometric; across customers θ ~ Beta(α, β). Then

.. math::

    P(T = t) = \frac{B(α + 1, β + t − 1)}{B(α, β)}, \qquad
    S(t) = P(T > t) = \frac{B(α, β + t)}{B(α, β)},

    r(t) = \frac{S(t)}{S(t − 1)} = \frac{β + t − 1}{α + β + t − 1}
    \quad\text{(retention rate in period t)}.

The retention rate *rises* with tenure: the high-θ customers leave first
(heterogeneity, not any change in a customer's own behaviour). For a customer
of age a — a whole periods completed, alive at the start of period a + 1 —
the churn probability in the coming period is the hazard

.. math:: h(a) = 1 − r(a + 1) = \frac{α}{α + β + a},

which is what a cohort-by-age engine applies: customers of age 0 churn with
probability α/(α + β) (the mean of θ), older ones less. Applying h(a) as a
binomial draw to each age cohort is exact for the cohort's survivor count,
because the T of different customers are independent, so each survivor of
period t − 1 survives period t with probability r(t) on its own.
The expected lifetime is E[T] = E[1/θ] = (α + β − 1)/(α − 1) for α > 1
(infinite for α ≤ 1).

α and β are per *period of the data they were fitted to*: fit monthly cohort
counts to get monthly parameters. Annual parameters do not convert to
monthly ones by a simple rescaling (a yearly-geometric lifetime is not a
monthly-geometric one), so refit or state the period.

Maximum likelihood, as in Fader & Hardie (2007): with n_t = S_{t−1} − S_t
customers lost in period t = 1…n and S_n still active (right-censored),

.. math:: LL(α, β) = Σ_{t=1}^{n} n_t \ln P(T = t) + S_n \ln S(n),

maximised numerically (the paper uses Excel's Solver; here
:func:`scipy.optimize.minimize`, L-BFGS-B on ln α, ln β). On the paper's data
(1000 customers; years 1–7) it gives α = 0.668, β = 3.806 for "High End" and
α = 0.704, β = 1.182 for "Regular", as published.

**Churn response to quality and price** (log-linear; an assumption of this
library, not a published model; both engines apply it in
:func:`venturesim.market._rules.churn_probability`):

.. math:: c' = \min\big(1,\; c · e^{−ε_q Δq} · (P/P_{ref})^{ε_p}\big)

with Δq the product's quality gap to the reference (positive = better; e.g.
the frontier's loss minus our loss, nats per token) and P/P_ref our price over
the competitors' after a price cut (:func:`venturesim.market.revenue.churn_price_factor`).
Δq = +0.1 at ε_q = 2 ⇒ churn × e^{−0.2} = 0.8187 (18.1 % lower); ε_p = 1
(unit elastic): a 10 % higher price ⇒ churn × 1.1^1 = 1.10. Neither is a
published estimate for AI products; they are stated judgements. A range for
uncertainty analysis of 0.5–5 for ε_q and 0.5–2 for ε_p spans a barely-noticed
effect to a dominant one; calibrate them on your own churn data
(:mod:`venturesim.analysis`).
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from scipy.special import betaln

from venturesim.market import _checks

FADER_HARDIE_2007 = {
    "high_end": (1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394),
    "regular": (1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173),
}
"""Active customers at the start and end of years 1–12 for two 1000-customer
cohorts (the worked example of Fader & Hardie 2007; data from Berry & Linoff
2004); the paper fits years 1–7 and projects 8–12."""


def _gammaln(xp):
    if xp is np:
        from scipy.special import gammaln
    else:
        from jax.scipy.special import gammaln
    return gammaln


def _check_ab(alpha, beta) -> None:
    _checks.positive("alpha", alpha)
    _checks.positive("beta", beta)


def constant_survival(t, churn, *, xp=jnp):
    """S(t) = (1 − c)^t: probability of still being a customer after t months at churn c per month."""
    _checks.probability("churn", churn)
    _checks.nonneg("t", t)
    return (1.0 - churn) ** t


def sbg_survival(t, alpha, beta, *, xp=jnp):
    """S(t) = B(α, β + t)/B(α, β): share of a cohort still active after t periods (t ≥ 0, real).

    Computed as exp[ln Γ(β+t) − ln Γ(β) + ln Γ(α+β) − ln Γ(α+β+t)] (Fader & Hardie 2007).
    """
    _check_ab(alpha, beta)
    _checks.nonneg("t", t)
    g = _gammaln(xp)
    return xp.exp(g(beta + t) - g(beta) + g(alpha + beta) - g(alpha + beta + t))


def sbg_pmf(t, alpha, beta, *, xp=jnp):
    """P(T = t) = B(α + 1, β + t − 1)/B(α, β): share of a cohort leaving in period t = 1, 2, …."""
    _check_ab(alpha, beta)
    _checks.check("t", t, lambda a: a >= 1, ">= 1")
    g = _gammaln(xp)
    return xp.exp(g(alpha + 1) + g(beta + t - 1) - g(alpha + beta + t) - g(alpha) - g(beta) + g(alpha + beta))


def sbg_retention_rate(t, alpha, beta, *, xp=jnp):
    """r(t) = (β + t − 1)/(α + β + t − 1) = S(t)/S(t − 1), period t = 1, 2, …."""
    _check_ab(alpha, beta)
    _checks.check("t", t, lambda a: a >= 1, ">= 1")
    return (beta + t - 1.0) / (alpha + beta + t - 1.0)


def sbg_churn_hazard(age, initial_churn, concentration, *, xp=jnp):
    """h(a) = mκ/(κ + a) = α/(α + β + a): churn probability in the coming period for a customer of age a ≥ 0.

    ``age`` counts whole periods completed (0 for a customer won last period);
    h(a) = 1 − r(a + 1), in the engines' parameters: the churn of a new customer
    m = α/(α + β) and the concentration κ = α + β (:func:`sbg_params`). This is
    the per-age churn both engines draw (:func:`venturesim.market._rules.churn_probability`).
    """
    return initial_churn * concentration / (concentration + age)


def sbg_mean_lifetime(alpha, beta, *, xp=jnp):
    """E[T] = (α + β − 1)/(α − 1) periods for α > 1; +inf for α ≤ 1 (the mean of 1/θ diverges)."""
    _check_ab(alpha, beta)
    return xp.where(alpha > 1.0, (alpha + beta - 1.0) / xp.maximum(alpha - 1.0, 1e-30), xp.inf)


def sbg_params(initial_churn, concentration):
    """(α, β) from the churn of a new customer m = α/(α+β) and concentration κ = α + β.

    Small κ: very mixed customers (churn falls fast with age); large κ: nearly
    constant churn m. A convenient scenario parameterisation: α = mκ, β = (1 − m)κ.
    """
    _checks.check("initial_churn", initial_churn, lambda a: (a > 0) & (a < 1), "in (0, 1)")
    _checks.positive("concentration", concentration)
    return initial_churn * concentration, (1.0 - initial_churn) * concentration


class SbgFit(NamedTuple):
    """Maximum-likelihood sBG fit to one cohort."""

    alpha: float
    beta: float
    log_likelihood: float
    periods: int  # n, the number of periods of data used


def sbg_log_likelihood(alpha: float, beta: float, survivors) -> float:
    """LL(α, β) of a cohort's survivor counts S_0 ≥ S_1 ≥ … ≥ S_n (Fader & Hardie 2007)."""
    s = np.asarray(survivors, dtype=np.float64)
    n = s.size - 1
    t = np.arange(1, n + 1)
    log_pmf = betaln(alpha + 1.0, beta + t - 1.0) - betaln(alpha, beta)
    log_surv = betaln(alpha, beta + n) - betaln(alpha, beta)
    return float((s[:-1] - s[1:]) @ log_pmf + s[-1] * log_surv)


def fit_sbg(survivors_by_month) -> SbgFit:
    """Fit α, β by maximum likelihood to one cohort's active counts S_0 … S_n.

    Parameters
    ----------
    survivors_by_month : sequence of customers still active at the start (S_0 > 0)
        and at the end of each period 1 … n (non-increasing, n ≥ 2). Whole
        numbers are not required (weights work too). The period is whatever the
        data's period is (months for the engine).

    Returns
    -------
    SbgFit(alpha, beta, log_likelihood, periods).
    """
    s = np.asarray(survivors_by_month, dtype=np.float64)
    if s.ndim != 1 or s.size < 3:
        raise ValueError(f"survivors_by_month(={s.tolist()}) must be a 1-D sequence of at least 3 counts")
    if not (s[0] > 0 and np.all(s >= 0)):
        raise ValueError(f"survivors_by_month(={s.tolist()}) must start > 0 and have no negative counts")
    if np.any(np.diff(s) > 0):
        raise ValueError(f"survivors_by_month(={s.tolist()}) must be non-increasing")
    if s[-1] == s[0]:
        raise ValueError(f"survivors_by_month(={s.tolist()}) shows no churn; α/(α+β) → 0 has no finite MLE")

    def negative_ll(log_ab):
        return -sbg_log_likelihood(np.exp(log_ab[0]), np.exp(log_ab[1]), s)

    best = None
    for start in ((0.0, 0.0), (-1.0, 1.0), (1.0, 2.0)):  # a few starts: the surface is flat along α ∝ β
        from scipy.optimize import minimize  # imported when used: checking a scenario needs no optimiser

        res = minimize(negative_ll, np.array(start), method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 2)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None  # three starts were tried
    alpha, beta = np.exp(best.x)
    return SbgFit(float(alpha), float(beta), float(-best.fun), int(s.size - 1))


def cohort_month(cohorts, churned, new_customers, *, xp=jnp):
    """One month of an age-structured customer base after its churn: the survivors age by one month.

    Parameters
    ----------
    cohorts : (..., A) active customers by age a = 0 … A−1 months at the start of
        the month; the last bucket holds age A−1 *and older*.
    churned : (..., A) customers who left this month by age (e.g. binomial draws
        at :func:`sbg_churn_hazard` of each age and the month's
        multipliers, :func:`venturesim.market._rules.churn_probability`).
    new_customers : (...) customers won this month; they enter at age 0 next month.

    Returns
    -------
    (survivors, cohorts_next) : (..., A) survivors of this month by their age at its
        start, and customers by age at the start of next month.
    """
    stay = cohorts - churned
    older = xp.concatenate([stay[..., :-2], stay[..., -2:-1] + stay[..., -1:]], axis=-1)
    return stay, xp.concatenate([new_customers[..., None], older], axis=-1)
