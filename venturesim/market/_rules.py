"""The market's monthly rules, written once for both engines (``xp`` = numpy or jax.numpy).

Shapes: path-level inputs are (paths,) in the JAX kernel and scalars in the
DES; segment-level inputs (paths, S) and (S,); channel-level (paths, K) and
(K,); cells (ages) trail the segment axis. Every rule broadcasts over the
trailing axes, so the two engines run the same arithmetic in the same order
(bit for bit the kernel's float32 sequence; the DES's in float64). The
engines keep only their randomness and event mechanics: the draws
(:func:`venturesim._jax_random.binomial` on the kernel's streams, NumPy's
``rng.binomial`` in the DES), the channels' loop (a ``lax.scan`` or a Python
loop, through :func:`venturesim.market.channels.funnel`), and the sales-led
deals (counts by age and :func:`venturesim.market.step.cap_wins`, or one
deal at a time with exact times in :mod:`venturesim.market.process`).
The month's order and the maths are in :mod:`venturesim.market.step`'s docstring.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from venturesim.funding.rounds import CLOSED
from venturesim.market.adoption import effective_bass, marketing_lift, quality_factor
from venturesim.market.bass import advance_fraction
from venturesim.market.channels import lead_capture_probability
from venturesim.market.params import at_month
from venturesim.market.retention import cohort_month, sbg_churn_hazard
from venturesim.market.revenue import base_price, bridge, survivor_price


class QualityEffect(NamedTuple):
    """Multipliers from the quality gap g, path-level ((paths,) or floats): f(g; ε_a), f(−g; ε_c), f(g; ε_p),
    f(g; ε) = M^{tanh(εg/ln M)} (:func:`venturesim.market.adoption.quality_factor`), each in [1/M, M]."""

    adoption: object
    churn: object
    price: object


def _path(x, xp, axes: int = 1):
    """A path-level value (…,) with ``axes`` trailing axes added, to broadcast over segments (and cells)."""
    return xp.asarray(x)[(...,) + (None,) * axes]


def quality_effect(
    gap, adoption_elasticity, churn_elasticity, price_elasticity, max_multiplier, xp=np
) -> QualityEffect:
    """The market multipliers for a quality gap ``gap`` (nats/token), elasticities per nat and the bound M
    (:func:`venturesim.market.adoption.quality_factor`; churn's factor is its reciprocal form)."""
    return QualityEffect(
        adoption=quality_factor(gap, adoption_elasticity, max_multiplier, xp=xp),
        churn=quality_factor(-gap, churn_elasticity, max_multiplier, xp=xp),
        price=quality_factor(gap, price_elasticity, max_multiplier, xp=xp),
    )


def opening(opened, last_revenue, t, launch_month, open_arr, entry_cost, active=True, xp=np, funded=None):
    """(opening, opened, entry cost paid): a segment opens in the first month t ≥ launch_month whose previous
    month's ARR, 12 × ``last_revenue`` (path-level), reached its ``open_arr`` and, with ``funded`` (…, S) given,
    where the rounds it waits for have closed (:func:`funded`), and pays its entry cost (summed over segments)
    that month; an open segment stays open. ``active``: the company is alive (path-level)."""
    now = (~opened) & _path(active, xp) & (t >= launch_month) & (12.0 * _path(last_revenue, xp) >= open_arr)
    if funded is not None:
        now = now & funded
    return now, opened | now, xp.sum(xp.where(now, entry_cost, 0.0), axis=-1)


def funded(open_after, status, xp=np):
    """(…, S) bool: every round segment s waits for has closed — ``open_after`` (…, S, R) 1 where s waits for
    round r (:func:`venturesim.market.params.open_after`), ``status`` (…, R) the rounds' status at the month
    start (:data:`venturesim.funding.rounds.CLOSED`); None when no segment waits (R = 0: nothing to compute)."""
    if open_after.shape[-1] == 0:
        return None
    waiting = (open_after > 0) & (xp.asarray(status) != CLOSED)[..., None, :]
    return ~xp.any(waiting, axis=-1)


def support_multiplier(customers, capacity, elasticity, max_multiplier, xp=np):
    """(ρ, M): load ρ = customers / capacity and churn multiplier M = min(max(ρ, 1)^η, M_max).

    ``customers``: at the month start, all segments. With no capacity, ρ = +∞ and M = M_max when there are
    customers (M = 1 when η = 0), ρ = 0 and M = 1 when there are none.
    """
    has = capacity > 0
    load = xp.where(has, customers / xp.where(has, capacity, 1.0), xp.where(customers > 0, xp.inf, 0.0))
    power = xp.where(
        has, xp.power(xp.maximum(load, 1.0), elasticity), xp.where((customers > 0) & (elasticity > 0), xp.inf, 1.0)
    )
    return load, xp.minimum(power, max_multiplier)


def churn_probability(
    churn,
    concentration,
    sbg,
    cohort_ages,
    quality_churn,
    price_factor,
    overload=None,
    exit_share=None,
    repeat=None,
    repeat_hazard=None,
    xp=np,
):
    """The month's churn probability of a customer, (…, S) on totals or (…, S, A) by age.

    c' = min(h · e^{−ε_c g} · ((1 − πx)/(1 − x))^{ε_p} · M_support, 1), then c' + f(1 − c') with the share f of
    customers who leave with partnerships ending this month (exactly c' when f = 0). h is the segment's
    ``churn`` (…, S) when ``cohort_ages`` (…, A) is empty (A = 0: ages untracked), else by age the sBG
    hazard (:func:`venturesim.market.retention.sbg_churn_hazard`) where ``sbg`` > 0 and ``churn`` otherwise,
    and the BG/NBD dropout hazard ``repeat_hazard`` (…, S, A) where ``repeat`` (…, S) > 0
    (:func:`venturesim.market.repeat_usage.repeat_by_age`; None or A = 0 there: no repeat-usage segment).
    ``quality_churn`` and ``overload`` (the support multiplier, None: none) are path-level; ``price_factor``
    and ``exit_share`` (None: none) are (…, S).
    """
    by_age = cohort_ages.shape[-1] > 0
    cell = (lambda x: x[..., None]) if by_age else (lambda x: x)
    if by_age:
        ages = cohort_ages[..., None, :]
        h = xp.where(
            sbg[..., None] > 0,
            sbg_churn_hazard(ages, churn[..., None], concentration[..., None], xp=xp),
            churn[..., None],
        )
        if repeat_hazard is not None and repeat_hazard.shape[-1]:
            h = xp.where(repeat[..., None] > 0, repeat_hazard, h)
    else:
        h = churn
    c = h * _path(quality_churn, xp, 1 + by_age) * cell(price_factor)
    if overload is not None:
        c = c * _path(overload, xp, 1 + by_age)
    c = xp.minimum(c, 1.0)
    if exit_share is not None:
        f = cell(exit_share)
        c = c + f * (1.0 - c)
    return c


def channel_spend(market, t, is_open, xp=np):
    """(spend, awareness): a channel spends its month's budget (…, K) while the segment it targets
    (``channel_segment`` (…, K, S), 0/1) is open, and lifts each segment's p by
    :func:`venturesim.market.adoption.marketing_lift` (…, S)."""
    segment = market.channel_segment
    targets_open = xp.einsum("...ks,...s->...k", segment, is_open.astype(segment.dtype)) > 0
    spend = xp.where(targets_open, at_month(market.channel_budget, t), 0.0)
    return spend, marketing_lift(spend, market.channel_half_saturation, market.channel_lift_max, segment, xp=xp)


def lead_capture(market, spend, xp=np):
    """(…, K) chance that one reachable prospect becomes a lead this month, 1 − e^{−b/(c·max(L_max, 1))}
    (:func:`venturesim.market.channels.lead_capture_probability`; L_max = 0 means no funnel)."""
    reach = xp.maximum(market.channel_max_leads, 1.0)
    return lead_capture_probability(spend, market.channel_cost_per_lead, reach, xp=xp)


def adoption_probability(adopters, market_size, p, q, viral, partner, awareness, quality_adoption, xp=np):
    """Chance that a non-adopter adopts this month, (f' − f)/(1 − f) in [0, 1] (0 once f = 1), (…, S).

    f = adopters/m and f' one month of Bass flow later (:func:`venturesim.market.bass.advance_fraction`) with
    the month's p', q' (:func:`venturesim.market.adoption.effective_bass`: channel ``awareness``, the quality
    factor ``quality_adoption`` (path-level), word of mouth ``viral`` and the ``partner`` multiplier).
    """
    f = adopters / market_size
    bass = effective_bass(
        p,
        q,
        lift=awareness,
        quality=_path(quality_adoption, xp),
        viral_coefficient=viral,
        partner_multiplier=partner,
        xp=xp,
    )
    f_next = advance_fraction(f, bass.p, bass.q, xp=xp)
    return xp.minimum(xp.maximum(xp.where(f < 1.0, (f_next - f) / xp.maximum(1.0 - f, 1e-12), 0.0), 0.0), 1.0)


def age_cohorts(cohorts, churned_by_age, new, is_open, xp=np):
    """(survivors by age, next month's cohorts) of an open segment (:func:`venturesim.market.retention.cohort_month`);
    a closed segment's cohorts stay as they were."""
    stay, aged = cohort_month(cohorts, churned_by_age, new, xp=xp)
    return stay, xp.where(is_open[..., None], aged, cohorts)


class Billing(NamedTuple):
    """The month's bill on the month-end customers: USD and tokens, by segment (…, S) and summed (…,)."""

    price: Any  # (…, S, cells) USD per customer, quality included (open or not)
    by_segment: Any  # (…, S) USD billed (0 where closed)
    revenue: Any  # (…,) USD
    tokens: Any  # (…,) tokens served
    support: Any  # (…,) USD, support cost


def billing(market, t, customers, cohorts, is_open, quality_price, xp=np) -> Billing:
    """Revenue = Σ_open segments, cells customers · R (:func:`venturesim.market.revenue.base_price`, plus a
    repeat-usage segment's transactions × spend per transaction, × e^{ε_p g});
    tokens = customers · (tokens per customer + 10⁶ · mean usage); support = customers · support cost.

    ``market``: MarketParams (one path's leaves or the block's); ``customers`` (…, S) and ``cohorts`` (…, S, A)
    at the month's end (A = 0: untracked); ``quality_price`` path-level.
    """
    m = market
    cut = at_month(m.competitor_cut, t)
    base = base_price(
        at_month(m.price, t),
        m.seats,
        at_month(m.price_per_seat, t),
        at_month(m.tier_price, t),
        m.annual_factor,
        m.expansion_by_age,
        m.usage_by_age,
        at_month(m.price_per_mtoken, t),
        m.pass_through,
        cut,
        xp=xp,
    )  # (…, S, cells)
    if m.repeat_transactions.shape[-1]:  # repeat usage: transactions × spend per transaction, USD
        base = base + m.repeat_transactions * m.spend_per_transaction[..., None]
    price = base * _path(quality_price, xp, 2)
    usage_tokens = 1e6 * m.usage_by_age
    if cohorts.shape[-1]:
        by_segment = xp.sum(cohorts * price, axis=-1)
        served = customers * m.tokens_per_customer + xp.sum(cohorts * usage_tokens, axis=-1)
    else:
        by_segment = customers * price[..., 0]
        served = customers * m.tokens_per_customer + customers * usage_tokens[..., 0]
    by_segment = xp.where(is_open, by_segment, 0.0)
    return Billing(
        price,
        by_segment,
        xp.sum(by_segment, axis=-1),
        xp.sum(xp.where(is_open, served, 0.0), axis=-1),
        xp.sum(xp.where(is_open, customers * m.support_cost, 0.0), axis=-1),
    )


def mrr_bridge(arpa, price, is_open, customers, churned, new, stay, churned_by_age, xp=np):
    """(revenue per customer of each cell now, the month's MRR bridge by segment,
    :func:`venturesim.market.revenue.bridge`). ``stay``/``churned_by_age`` (…, S, A) are used when ages are
    tracked (``arpa`` has A cells), else the totals ``customers`` (at the month start) and ``churned``."""
    now = xp.where(is_open[..., None], price, 0.0)
    tracked = stay is not None
    if tracked:
        survivors, lost = stay, churned_by_age
    else:
        survivors, lost = (customers - churned)[..., None], churned[..., None]
    return now, bridge(arpa, survivor_price(now, tracked, xp=xp), survivors, lost, new, now[..., 0], xp=xp)
