"""The market in the discrete-event engine: one path's month, in NumPy.

The same model as :mod:`venturesim.market.step` (opening, churn, Bass adoption
by the exact one-month flow, channels, sales-led deals, revenue on the
month-end customers, the MRR bridge), drawn with NumPy's exact binomial
sampler from the path's own generator. What differs by design:

* **deals** are individual: each opportunity gets its own opening time
  (uniform in its month) and gamma sales cycle from the generator, and is
  resolved — won with the win rate or lost — at its own time, booked in the
  month that contains it (:func:`venturesim.market.pipeline.draw_deal_times`);
  the JAX kernel draws the same distribution as counts by resolution month;
* with a sales capacity C, the first C wins of the month **in time order**
  are kept and the later ones lost (JAX: largest-remainder scaling of the
  counts by segment; the same total min(W, C));
* float64 arithmetic (JAX: float32).

The support load's churn multiplier and the partners' exit churn act on the
churn probability exactly as in the kernel (:class:`~venturesim.market.step.MarketLimits`).

The state the DES keeps between months beyond customers and adopters (opened
segments, last month's revenue, cohorts by age, open deals, revenue per
customer) is a :class:`MarketBook`, returned with each month and passed back
the next (``None`` in the first month).

Random draws per month, in this order: churn (one binomial per segment, or per
segment and age when ages are tracked), Bass adoption (one per segment) — the
same two calls as the first release, so old scenarios give the same numbers —
then per channel leads, trials, conversions, then per sales-led segment the new
deals' opening offsets, cycles and outcomes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from venturesim.market.bass import advance_fraction
from venturesim.market.params import MarketParams, at_month
from venturesim.market.pipeline import draw_deal_times
from venturesim.market.revenue import base_price, bridge, churn_price_factor, survivor_price
from venturesim.market.step import MarketFlows, MarketLimits, QualityEffect, support_multiplier


@dataclass
class MarketBook:
    """One path's market state in the DES besides customers and adopters (see :class:`~venturesim.market.step.MarketState`).

    Deals are kept one per entry: segment, close time, the month it is booked in, and whether it is won.
    """

    opened: np.ndarray  # (S,) bool
    last_revenue: float
    cohorts: np.ndarray  # (S, A) customers by age; A = 0 when untracked
    arpa: np.ndarray  # (S, max(A, 1)) USD per customer of each cell at last month's end
    deal_segment: np.ndarray  # (deals,) int
    deal_close_time: np.ndarray  # (deals,) months
    deal_close_month: np.ndarray  # (deals,) int
    deal_won: np.ndarray  # (deals,) bool
    plain: bool = False  # no seats, tiers, annual plans, usage, expansion, cut or tracked ages: R = price

    @classmethod
    def start(cls, market: MarketParams, customers: np.ndarray) -> MarketBook:
        """The month-0 book: nothing open, the initial customers of age 0, no deals."""
        segments, ages = customers.shape[0], market.cohort_ages.shape[-1]
        cohorts = np.zeros((segments, ages))
        if ages:
            cohorts[:, 0] = customers
        empty = np.zeros(0)
        plain = bool(ages == 0 and not market.seats.any() and not market.tier_price.any()
                     and np.all(market.annual_factor == 1.0) and not market.usage_by_age.any()
                     and np.all(market.expansion_by_age == 1.0) and not market.competitor_cut.any())
        return cls(np.zeros(segments, bool), 0.0, cohorts, np.zeros((segments, max(ages, 1))),
                   empty.astype(np.int64), empty, empty.astype(np.int64), empty.astype(bool), plain)


class MarketMonth(NamedTuple):
    """One path's month: the first six fields are the first release's return tuple."""

    customers: np.ndarray  # (S,) after the month
    adopters: np.ndarray  # (S,)
    new: np.ndarray  # (S,)
    churned: np.ndarray  # (S,)
    revenue: float  # USD billed at the end of the month
    tokens: float  # tokens served in the month
    flows: MarketFlows  # every flow, as the JAX kernel names them (one path: (S,), (K,) or float)
    book: MarketBook  # pass back next month


def market_month(
    rng: np.random.Generator, customers: np.ndarray, adopters: np.ndarray, market: MarketParams, t: int,
    quality: QualityEffect, book: MarketBook | None = None, limits: MarketLimits | None = None,
) -> MarketMonth:
    """Month t for one path.

    Parameters
    ----------
    customers, adopters : (S,) active customers and adopters ever.
    market : one path's MarketParams (each leaf without the path axis).
    quality : the quality gap's multipliers (floats) for this month.
    book : the previous month's :class:`MarketBook` (None in month 0).
    limits : the team's capacity and the partners' exit churn (floats, (S,) for exit churn); None: none.

    Returns
    -------
    MarketMonth(customers, adopters, new, churned, revenue, tokens, flows, book).
    """
    book = MarketBook.start(market, customers) if book is None else book
    limits = MarketLimits() if limits is None else limits
    ages = market.cohort_ages.shape[-1]
    n_channels = market.channel_lift_max.shape[-1]

    opening = ~book.opened & (t >= market.launch_month) & (12.0 * book.last_revenue >= market.open_arr)
    opened = book.opened | opening
    is_open = opened
    entry_cost = float((opening * market.entry_cost).sum()) if opening.any() else 0.0

    # churn (a plain segment's price factor is exactly 1, and x · 1.0 = x: skipped)
    cut = at_month(market.competitor_cut, t)
    price_factor = 1.0 if book.plain else churn_price_factor(market.pass_through, cut, market.churn_price_elasticity,
                                                              xp=np)
    churn_now = market.churn[t]
    load, overload = math.nan, None  # the support load and its churn multiplier
    if limits.support_capacity is not None:
        load, overload = (float(v) for v in support_multiplier(
            float(customers.sum()), limits.support_capacity, limits.support_elasticity,
            limits.support_max_multiplier, xp=np))
    exit_churn = limits.exit_churn
    if ages:
        kappa = market.sbg_concentration[:, None]
        hazard = np.where(market.sbg[:, None] > 0, churn_now[:, None] * kappa / (kappa + market.cohort_ages[None, :]),
                          churn_now[:, None])
        if overload is None:
            hazard = np.minimum(hazard * quality.churn * price_factor[:, None], 1.0)
        else:
            hazard = np.minimum(hazard * quality.churn * price_factor[:, None] * overload, 1.0)
        if exit_churn is not None:
            hazard = hazard + exit_churn[:, None] * (1.0 - hazard)
        churned_by_age = np.where(is_open[:, None], rng.binomial(book.cohorts.astype(np.int64), hazard), 0)
        churned = churned_by_age.sum(axis=1)
    else:
        churn = np.minimum(churn_now * quality.churn * price_factor, 1.0) if not book.plain else np.minimum(
            churn_now * quality.churn, 1.0)
        if overload is not None:
            churn = np.minimum(churn_now * quality.churn * price_factor * overload, 1.0)
        if exit_churn is not None:
            churn = churn + exit_churn * (1.0 - churn)
        churned = np.where(is_open, rng.binomial(customers.astype(np.int64), churn), 0)

    # channel spend and awareness
    if n_channels:
        channel_open = market.channel_segment @ is_open.astype(np.float64) > 0
        spend = np.where(channel_open, at_month(market.channel_budget, t), 0.0)
        lift = market.channel_lift_max * spend / (spend + market.channel_half_saturation)
        awareness = 1.0 + lift @ market.channel_segment
    else:
        spend = np.zeros(0)

    # Bass adoption
    f = adopters / market.market_size
    p = market.p_monthly * awareness if n_channels else market.p_monthly
    f_next = advance_fraction(f, p * quality.adoption * market.partner,
                              (market.q_monthly + market.viral) * quality.adoption, xp=np)
    adopt_prob = np.where(f < 1.0, (f_next - f) / np.maximum(1.0 - f, 1e-12), 0.0)
    remaining = np.maximum(market.market_size - adopters, 0).astype(np.int64)
    adopted = np.where(is_open, rng.binomial(remaining, np.clip(adopt_prob, 0.0, 1.0)), 0)

    # channels
    leads = np.zeros(n_channels)
    conversions = np.zeros(n_channels)
    entrants = adopted
    if n_channels:
        pool = market.market_size - adopters - adopted
        for k in range(n_channels):
            target = market.channel_segment[k]
            reach = market.channel_max_leads[k]
            n = int(min(reach, float(target @ pool)))
            capture = -np.expm1(-spend[k] / (market.channel_cost_per_lead[k] * max(reach, 1.0)))
            leads[k] = rng.binomial(max(n, 0), min(max(capture, 0.0), 1.0))
            trials = rng.binomial(int(leads[k]), market.channel_lead_to_trial[k])
            conversions[k] = rng.binomial(trials, market.channel_trial_to_paid[k])
            pool = pool - target * conversions[k]
        entrants = adopted + conversions @ market.channel_segment

    # sales-led deals: each opportunity resolves at its own time
    segments = customers.shape[0]
    opportunities = np.zeros(segments)
    deals_won, deals_lost = np.zeros(segments), np.zeros(segments)
    over = np.zeros(segments)
    new = entrants
    deals = (book.deal_segment, book.deal_close_time, book.deal_close_month, book.deal_won)
    if market.deal_conditional.shape[-1]:
        opportunities = entrants * market.sales_led
        parts = [deals]
        for s in np.flatnonzero(opportunities > 0):
            count = int(opportunities[s])
            close_time, close_month = draw_deal_times(rng, count, t, market.deal_cycle_mean[s],
                                                      market.deal_cycle_cv[s], int(market.deal_max_cycle[s]))
            won = rng.random(count) < market.win_rate[s]
            parts.append((np.full(count, s), close_time, close_month, won))
        deals = tuple(np.concatenate(column) for column in zip(*parts))
        due = deals[2] == t
        if limits.deal_cap is not None:  # keep the first C wins of the month in time; the later ones are lost
            wins = np.flatnonzero(due & deals[3])
            late = wins[np.argsort(deals[1][wins], kind="stable")][max(int(round(float(limits.deal_cap))), 0):]
            if late.size:
                over = np.bincount(deals[0][late], minlength=segments).astype(np.float64)
                won = deals[3].copy()
                won[late] = False
                deals = deals[:3] + (won,)
        deals_won = np.bincount(deals[0][due & deals[3]], minlength=segments).astype(np.float64)
        deals_lost = np.bincount(deals[0][due & ~deals[3]], minlength=segments).astype(np.float64)
        deals = tuple(column[~due] for column in deals)
        new = (entrants - opportunities) + deals_won

    # customers
    customers_next = customers - churned + new
    cohorts = book.cohorts
    if ages:
        stay = book.cohorts - churned_by_age
        aged = np.concatenate([new[:, None], stay[:, :-2], stay[:, -2:-1] + stay[:, -1:]], axis=1)
        cohorts = np.where(is_open[:, None], aged, book.cohorts)

    # revenue, tokens, support, bridge
    if book.plain:  # base = price exactly; the first release's arithmetic
        base = market.price[t][:, None]
    else:
        base = base_price(market.price[t], market.seats, at_month(market.price_per_seat, t), market.tier_price,
                          market.annual_factor, market.expansion_by_age, market.usage_by_age,
                          at_month(market.price_per_mtoken, t), market.pass_through, cut, xp=np)  # (S, cells)
    if ages:
        by_segment = (cohorts * base * quality.price).sum(axis=1)
        served = customers_next * market.tokens_per_customer + (cohorts * 1e6 * market.usage_by_age).sum(axis=1)
    else:
        by_segment = customers_next * base[:, 0] * quality.price
        served = customers_next * market.tokens_per_customer
        if not book.plain:
            served = served + customers_next * (1e6 * market.usage_by_age[:, 0])
    revenue = float(np.where(is_open, by_segment, 0.0).sum())
    tokens = float(np.where(is_open, served, 0.0).sum())
    support = float((is_open * customers_next * market.support_cost).sum())

    now = np.where(is_open[:, None], base * quality.price, 0.0)
    if ages:
        survivors, lost = stay, churned_by_age
    else:
        survivors, lost = (customers - churned)[:, None], churned[:, None]
    movements = bridge(book.arpa, survivor_price(now, bool(ages), xp=np), survivors, lost, new, now[:, 0], xp=np)
    flows = MarketFlows(
        new_customers=new,
        churned_customers=churned,
        revenue=revenue,
        tokens=tokens,
        revenue_by_segment=np.where(is_open, by_segment, 0.0),
        acquisition_spend=float(spend.sum()),
        entry_cost=entry_cost,
        support_cost=support,
        new_mrr=float(movements.new.sum()),
        expansion_mrr=float(movements.expansion.sum()),
        contraction_mrr=float(movements.contraction.sum()),
        churned_mrr=float(movements.churned.sum()),
        channel_spend=spend,
        channel_leads=leads,
        channel_conversions=conversions,
        opportunities=opportunities,
        deals_won=deals_won,
        deals_lost=deals_lost,
        pipeline=float(len(deals[0])),
        segment_open=is_open,
        support_load=load,
        deals_over_capacity=over,
    )
    book = MarketBook(opened, revenue, cohorts, now, *deals, book.plain)
    return MarketMonth(customers_next, adopters + entrants, new, churned, revenue, tokens, flows, book)
