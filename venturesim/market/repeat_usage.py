r"""Repeat usage of a non-contractual product: BG/NBD lifetimes and transactions, Gamma-Gamma spend.

A segment with ``repeat_usage`` (consumer apps, pay-as-you-go APIs: no
contract to cancel) follows the BG/NBD of Fader, Hardie & Lee (2005),
"Counting your customers the easy way", *Marketing Science* 24(2): 275–284,
with time in **months**: while active, a customer transacts as a Poisson
process of rate λ per month, λ ~ Gamma(r, α) across customers; after each
transaction they drop out with probability p, p ~ Beta(a, b). Given (λ, p)
the customer is still active at age t (months since their first purchase)
with probability e^{−λpt} (the dropout-causing transactions are a Poisson
process of rate λp), so

.. math::

    S(t) = E\big[(α/(α+pt))^r\big] = {}_2F_1(r, a; a+b; −t/α)
         = \Big(\frac{α}{α+t}\Big)^r {}_2F_1\Big(r, b; a+b; \frac{t}{α+t}\Big)

(the Euler integral of the Beta mixture, then Pfaff's transformation so that
the argument lies in [0, 1)), and the expected repeat transactions of a new
customer in (0, t] (their eq. 9) are

.. math::

    E[X(t)] = \frac{a+b−1}{a−1}\Big[1 − \Big(\frac{α}{α+t}\Big)^r {}_2F_1\Big(r, b; a+b−1; \frac{t}{α+t}\Big)\Big].

**By age in the engines.** Customers are tracked by age k = 0, 1, … (whole
months since the first purchase), as for sBG churn
(:mod:`venturesim.market.retention`). Customers are independent and
identically distributed, so the survivors of a cohort from age k to k + 1
are Binomial(n_k, S(k+1)/S(k)) exactly; the engines draw churn with the hazard

.. math:: h(k) = 1 − S(k+1)/S(k),

and an active customer of billed month k + 1 (cell k, alive at age k) makes on
average

.. math:: μ(k) = \frac{E[X(k+1)] − E[X(k)]}{S(k)} + δ_{k0}

transactions that month: the repeat transactions in (k, k+1] all come from
the customers alive at k, and cell 0 adds the first purchase (the one that
made them a customer). The month's revenue of the segment is
Σ_k n_k · μ(k) · E[Z], with E[Z] = pγ/(q − 1) the mean spend per transaction
of the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV", *JMR*
42(4); q > 1), times the product's quality multiplier. So a cohort of N new
customers is expected to make N(1 + E[X(K)]) transactions in its first K
billed months, the model's own closed form; the per-customer Poisson noise of
the transactions is averaged (the engines bill the expected transactions of
the customers alive, whose count is random).

Units: r, a, b have none; α is in months (a fit in weeks converts as
α_month = α_week · 12/52, see :mod:`venturesim.calibrate.bgnbd`). a = 1
makes E[X(t)]'s (a − 1) singular; a is moved to 1 + 10⁻⁶ there.
"""

from __future__ import annotations

import numpy as np

__all__ = ["expected_transactions", "repeat_by_age", "spend_per_transaction", "survival"]


def _hyp2f1(xp):
    if xp is np:
        from scipy.special import hyp2f1
    else:
        from jax.scipy.special import hyp2f1
    return hyp2f1


def _a(a, xp):
    """a, moved off the singular value 1 (module docstring)."""
    return xp.where(xp.abs(a - 1.0) < 1e-6, 1.0 + 1e-6, a)


def survival(t, r, alpha, a, b, *, xp=np):
    """S(t): share of new customers still active t months after their first purchase (module docstring)."""
    z = t / (alpha + t)
    return (alpha / (alpha + t)) ** r * _hyp2f1(xp)(r, b, a + b, z)


def expected_transactions(t, r, alpha, a, b, *, xp=np):
    """E[X(t)]: expected repeat transactions of a new customer in the t months after the first (eq. 9)."""
    a = _a(a, xp)
    z = t / (alpha + t)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * _hyp2f1(xp)(r, b, a + b - 1.0, z))


def spend_per_transaction(p, q, gamma, *, xp=np):
    """E[Z] = pγ/(q − 1), USD per transaction of a new customer (Gamma-Gamma; q > 1)."""
    return p * gamma / (q - 1.0)


def repeat_by_age(ages, r, alpha, a, b, *, xp=np):
    """(h, μ): churn hazard h(k) and transactions μ(k) per active customer of cell k (module docstring).

    ``ages`` (…, A) whole months k; r, α, a, b (…,) or (…, S) broadcast against ``ages[..., None, :]``
    when they carry a segment axis: pass ``r[..., None]`` etc. to get (…, S, A).
    """
    s0 = survival(ages, r, alpha, a, b, xp=xp)
    s1 = survival(ages + 1.0, r, alpha, a, b, xp=xp)
    x0 = expected_transactions(ages, r, alpha, a, b, xp=xp)
    x1 = expected_transactions(ages + 1.0, r, alpha, a, b, xp=xp)
    hazard = xp.clip(1.0 - s1 / s0, 0.0, 1.0)
    return hazard, (x1 - x0) / s0 + (ages == 0)
