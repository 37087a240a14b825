"""The arithmetic both engines share for partnerships (``xp``: numpy or jax.numpy).

**Signing.** With base log-odds b = logit p₀ + β_fit (F − ½) (drawn per path)
and x = ln(max(A, A_ref/100)/A_ref) for the ARR A shown at the decision
(0 without a reference ARR): p = 1/(1 + e^{−(b + ε x)}).

**A month's effects.** Partner i is active during [a_i, z_i) (a: signing
time, z: end; +∞ if never/open). Its weight in month t (the interval
[t, t+1)) is w_i = |[a_i, z_i) ∩ [t, t+1)| ∈ [0, 1] (0 on a dead path), and
with m_is = 1 if partner i works with segment s (every segment when it names
none):

* adoption multiplier of segment s (on Bass p):  Π_i (1 + (μ_i − 1) w_i m_is);
* revenue share of segment s: a partner takes its rate r_i only of the
  revenue it *sourced*, the customers its adoption multiplier brought. With
  partner i's uplift u_is = max(μ_i − 1, 0) w_i m_is, the segment's adoption
  runs at M_s = Π_i (1 + u_is) times its unpartnered rate (see above), so a
  share 1 − 1/M_s of the segment's customers is partner-sourced, split
  between partners in proportion to their uplifts:
  σ_is = (1 − 1/M_s) u_is / Σ_j u_js (0 when Σ_j u_js = 0). The share of
  segment s taken is min(Σ_i r_i σ_is, 1) and the revenue taken
  = Σ_s share_s · revenue_s, deducted from revenue (:func:`revenue_share_amount`).
  One partner at full weight: σ = (μ − 1)/μ, e.g. a reseller with μ = 1.5
  and r = 20 % takes 20 % × ⅓ = 6.7 % of its segment's revenue, not 20 %; a
  partner that brings no customers (μ ≤ 1) takes nothing. This is stateless:
  the segment's customer stock is taken to be sourced in the proportion of
  the current adoption uplift (exact once the stock was acquired under the
  partnership; an upper bound on what the partner sourced, since the
  multiplier scales only Bass p and customers acquired before signing count).
* loss reduction:  Σ_i ℓ_i w_i nats/token (added to the quality gap);
* cost:  Σ_i c_i w_i + Σ_{i: a_i ∈ [t, t+1)} signing cost_i, USD;
* compute credits: partner i's remaining credit C_i is usable in any month
  with w_i > 0; credits are used in partner order until the month's compute
  spend X is covered: used_i = min(C_i, max(X − Σ_{j<i} C_j^usable, 0)),
  so Σ_i used_i = min(X, Σ_i C_i^usable) and credits run out exactly;
* exit churn of segment s: 1 − Π_{i: z_i ∈ [t, t+1)} (1 − f_i m_is), the
  share of the segment's customers who leave with partnerships ending this
  month (the engine combines it with the month's churn c as 1 − (1 − c)(1 − f)).

**Concentration.** Partner i (naming a segment) brings w_i × that segment's
revenue; a share of total revenue above its ``concentration_limit`` is a
concentration risk (:func:`concentration`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVE",
    "ENDED",
    "FAILED",
    "NEGOTIATING",
    "SEARCHING",
    "STATUS_NAMES",
    "WAITING",
    "PartnerMonth",
    "concentration",
    "decide",
    "month_accounting",
    "revenue_share_amount",
    "sign_probability",
]

WAITING, SEARCHING, NEGOTIATING, ACTIVE, ENDED, FAILED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = ("waiting", "searching", "negotiating", "active", "ended", "failed")


class PartnerMonth(NamedTuple):
    """Partnerships' effects in one month (zero/one on dead paths)."""

    weight: Any  # (paths, P) share of the month each partnership was active
    adoption_multiplier: Any  # (paths, S) multiplies Bass p
    revenue_share: Any  # (paths, S) fraction of each segment's revenue taken by partners (on what they sourced)
    compute_credit_used: Any  # (paths,) USD of compute paid by credits
    loss_reduction: Any  # (paths,) nats/token added to the quality gap
    cost: Any  # (paths,) USD: monthly costs and signing costs
    exit_churn: Any  # (paths, S) share of customers lost with partnerships ending this month
    active: Any  # (paths,) partnerships active at the month end


def sign_probability(base_logit, arr, reference_arr, traction_elasticity, xp=np):
    """Probability that a negotiation ends in a signed deal (arrays broadcast, e.g. (paths, P))."""
    has = xp.isfinite(reference_arr)
    ref = xp.where(has, reference_arr, 1.0)
    x = xp.where(has, xp.log(xp.maximum(arr, 0.01 * ref) / ref), 0.0)
    logit = base_logit + traction_elasticity * x
    return jax.nn.sigmoid(logit) if xp is jnp else expit(logit)


def decide(u, probability, attempt, max_attempts):
    """(signed, retried) for attempts decided now: signed iff u < p, else retried while attempt + 1 < max_attempts."""
    return u < probability, (u >= probability) & (attempt + 1 < max_attempts)


def month_accounting(active_since, end_time, credits, params, t, alive, compute_spend, xp=np):
    """Month t's effects from each partnership's active interval (partners on the last axis).

    Parameters
    ----------
    active_since, end_time : (…, P) signing and end times, months (+∞: none).
    credits : (…, P) remaining compute credits, USD.
    params : :class:`~venturesim.partnerships.params.PartnerParams` with the same leading axes (…).
    t : the month (int or scalar array).
    alive : (…) bool, the company is alive in month t.
    compute_spend : (…) USD of compute this month that credits may pay.

    Returns
    -------
    (credits left, :class:`PartnerMonth`)
    """
    t0 = xp.asarray(t, dtype=active_since.dtype)
    t1 = t0 + 1.0
    alive_p = xp.asarray(alive)[..., None]
    overlap = xp.minimum(end_time, t1) - xp.maximum(active_since, t0)
    weight = xp.where(alive_p, xp.clip(overlap, 0.0, 1.0), 0.0)  # (…, P)
    w = weight[..., None] * params.segment  # (…, P, S)
    adoption = xp.prod(1.0 + (params.adoption[..., None] - 1.0) * w, axis=-2)
    uplift = xp.maximum(params.adoption[..., None] - 1.0, 0.0) * w  # (…, P, S)
    total_uplift = xp.sum(uplift, axis=-2, keepdims=True)
    sourced_total = 1.0 - 1.0 / xp.prod(1.0 + uplift, axis=-2, keepdims=True)
    sourced = xp.where(total_uplift > 0, sourced_total * uplift / xp.where(total_uplift > 0, total_uplift, 1.0), 0.0)
    share = xp.minimum(xp.sum(params.revenue_share[..., None] * sourced, axis=-2), 1.0)
    loss = xp.sum(params.loss_reduction * weight, axis=-1)
    signed_now = alive_p & (active_since >= t0) & (active_since < t1)
    cost = xp.sum(params.monthly_cost * weight + xp.where(signed_now, params.signing_cost, 0.0), axis=-1)

    usable = xp.where(weight > 0, credits, 0.0)
    before = xp.cumsum(usable, axis=-1) - usable
    spend = xp.asarray(xp.where(alive, compute_spend, 0.0))[..., None]
    used = xp.clip(spend - before, 0.0, usable)
    ending = alive_p & xp.isfinite(active_since) & (end_time >= t0) & (end_time < t1)
    kept = 1.0 - params.churn_on_exit[..., None] * ending[..., None] * params.segment
    exit_churn = 1.0 - xp.prod(kept, axis=-2)
    active_now = xp.sum(alive_p & (active_since < t1) & (end_time > t1), axis=-1)
    month = PartnerMonth(
        weight=weight,
        adoption_multiplier=adoption,
        revenue_share=share,
        compute_credit_used=xp.sum(used, axis=-1),
        loss_reduction=loss,
        cost=cost,
        exit_churn=exit_churn,
        active=active_now,
    )
    return credits - used, month


def revenue_share_amount(month: PartnerMonth, revenue_by_segment, xp=np):
    """USD of the month's revenue taken by partners: Σ_s share_s · revenue_s, (…)."""
    return xp.sum(month.revenue_share * revenue_by_segment, axis=-1)


def concentration(month: PartnerMonth, params, revenue_by_segment, xp=np):
    """(share of revenue each partner brings, flag share > its limit), both (…, P).

    A partner naming a segment brings w_i × that segment's revenue; partners naming no segment bring none.
    """
    total = xp.sum(revenue_by_segment, axis=-1)[..., None]  # (…, 1)
    brought = month.weight * xp.sum(params.segment * revenue_by_segment[..., None, :], axis=-1) * params.has_segment
    share = xp.where(total > 0, brought / xp.where(total > 0, total, 1.0), 0.0)
    return share, share > params.concentration_limit
