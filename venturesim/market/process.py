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

Every other rule (opening, the churn probability with the support load and
the partners' exit churn, awareness, adoption, the channels' funnel, cohort
ageing, the bill and the MRR bridge) is the kernel's, from
:mod:`venturesim.market._rules`, on one path's (S,) arrays and floats.

The state the DES keeps between months beyond customers and adopters (opened
segments, last month's revenue, cohorts by age, open deals, revenue per
customer) is a :class:`MarketBook`, returned with each month and passed back
the next (``None`` in the first month).

Random draws per month, in this order: churn (one binomial per segment, or per
segment and age when ages are tracked), Bass adoption (one per segment), then
per channel leads, trials, conversions, then per sales-led segment the new
deals' opening offsets, cycles and outcomes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from venturesim._draws import provider
from venturesim.market import _rules
from venturesim.market.channels import funnel
from venturesim.market.params import MarketParams, at_month
from venturesim.market.revenue import churn_price_factor
from venturesim.market.step import MarketFlows, MarketLimits, QualityEffect, cap_wins


@dataclass
class MarketBook:
    """One path's market state in the DES besides customers and adopters.

    See :class:`~venturesim.market.step.MarketState`.

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
    pipeline: np.ndarray | None = None  # (S, D + 1) open deals by age, replaying the kernel's draws (else None)

    @classmethod
    def start(cls, market: MarketParams, customers: np.ndarray) -> MarketBook:
        """The month-0 book: nothing open, the initial customers of age 0, no deals."""
        segments, ages = customers.shape[0], market.cohort_ages.shape[-1]
        cohorts = np.zeros((segments, ages))
        if ages:
            cohorts[:, 0] = customers
        empty = np.zeros(0)
        return cls(
            np.zeros(segments, bool),
            0.0,
            cohorts,
            np.zeros((segments, max(ages, 1))),
            empty.astype(np.int64),
            empty,
            empty.astype(np.int64),
            empty.astype(bool),
        )


@dataclass
class MarketPosition:
    """One path's market state in the DES: customers and adopters ever (S,), and the book of the rest (None
    before the first month)."""

    customers: np.ndarray
    adopters: np.ndarray
    book: MarketBook | None = None


class MarketMonth(NamedTuple):
    """One path's month: the state the engine carries (customers, adopters), the month's totals and flows,
    and the book to pass back."""

    customers: np.ndarray  # (S,) after the month
    adopters: np.ndarray  # (S,)
    new: np.ndarray  # (S,)
    churned: np.ndarray  # (S,)
    revenue: float  # USD billed at the end of the month
    tokens: float  # tokens served in the month
    flows: MarketFlows  # every flow, as the JAX kernel names them (one path: (S,), (K,) or float)
    book: MarketBook  # pass back next month


def market_month(
    rng,
    customers: np.ndarray,
    adopters: np.ndarray,
    market: MarketParams,
    t: int,
    quality: QualityEffect,
    book: MarketBook | None = None,
    limits: MarketLimits | None = None,
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
    draws = provider(rng)  # a NumPy generator or a draw provider (venturesim._draws)
    book = MarketBook.start(market, customers) if book is None else book
    limits = MarketLimits() if limits is None else limits
    ages = market.cohort_ages.shape[-1]
    n_channels = market.channel_lift_max.shape[-1]

    _, opened, entry_cost = _rules.opening(
        book.opened,
        book.last_revenue,
        t,
        market.launch_month,
        market.open_arr,
        market.entry_cost,
        xp=np,
        funded=limits.funded,
    )
    is_open = opened
    entry_cost = float(entry_cost)

    # churn, on each age cohort or the total
    price_factor = churn_price_factor(
        market.pass_through, at_month(market.competitor_cut, t), market.churn_price_elasticity, xp=np
    )
    load, overload = math.nan, None  # the support load and its churn multiplier
    if limits.support_capacity is not None:
        load, overload = (
            float(v)
            for v in _rules.support_multiplier(
                float(customers.sum()),
                limits.support_capacity,
                limits.support_elasticity,
                limits.support_max_multiplier,
                xp=np,
            )
        )
    churn = _rules.churn_probability(
        market.churn[t],
        market.sbg_concentration,
        market.sbg,
        market.cohort_ages,
        quality.churn,
        price_factor,
        overload,
        limits.exit_churn,
        market.repeat,
        market.repeat_hazard,
        xp=np,
    )
    stay = churned_by_age = None
    if ages:
        churned_by_age = np.where(is_open[:, None], draws.churn(t, book.cohorts.astype(np.int64), churn), 0)
        churned = churned_by_age.sum(axis=1)
    else:
        churned = np.where(is_open, draws.churn(t, customers.astype(np.int64), churn), 0)

    # channel spend and awareness
    spend, awareness = np.zeros(0), 1.0
    if n_channels:
        spend, awareness = _rules.channel_spend(market, t, is_open, xp=np)

    # Bass adoption
    adopt_prob = _rules.adoption_probability(
        adopters,
        market.market_size,
        market.p_monthly,
        market.q_monthly,
        market.viral,
        market.partner,
        awareness,
        quality.adoption,
        xp=np,
    )
    remaining = np.maximum(market.market_size - adopters, 0).astype(np.int64)
    adopted = np.where(is_open, draws.adoption(t, remaining, adopt_prob), 0)

    # channels, each from the pool the ones before it left
    leads = np.zeros(n_channels)
    conversions = np.zeros(n_channels)
    entrants = adopted
    if n_channels:
        pool = market.market_size - adopters - adopted
        reach = market.channel_max_leads
        capture = _rules.lead_capture(market, spend, xp=np)

        for k in range(n_channels):

            def draw(stage, n, p, k=k):
                return draws.funnel(t, k, stage, max(int(n), 0), p)

            pool, flows = funnel(
                pool,
                market.channel_segment[k],
                reach[k],
                capture[k],
                market.channel_lead_to_trial[k],
                market.channel_trial_to_paid[k],
                draw,
                xp=np,
            )
            leads[k], conversions[k] = flows.leads, flows.customers
        entrants = adopted + conversions @ market.channel_segment

    # sales-led deals: each opportunity resolves at its own time
    segments = customers.shape[0]
    opportunities = np.zeros(segments)
    deals_won, deals_lost = np.zeros(segments), np.zeros(segments)
    over = np.zeros(segments)
    new = entrants
    deals: tuple[np.ndarray, ...] = (book.deal_segment, book.deal_close_time, book.deal_close_month, book.deal_won)
    pipeline = book.pipeline
    if market.deal_conditional.shape[-1] and draws.replay:  # the kernel's rule: counts by age
        opportunities = entrants * market.sales_led
        deals_won, deals_lost, over, pipeline = _deals_by_age(draws, t, opportunities, book.pipeline, market, limits)
        new = (entrants - opportunities) + deals_won
    elif market.deal_conditional.shape[-1]:
        opportunities = entrants * market.sales_led
        parts = [deals]
        for s in np.flatnonzero(opportunities > 0):
            count = int(opportunities[s])
            close_time, close_month = draws.deal_times(
                t, int(s), count, market.deal_cycle_mean[s], market.deal_cycle_cv[s], int(market.deal_max_cycle[s])
            )
            won = draws.deal_won(t, int(s), count) < market.win_rate[s]
            parts.append((np.full(count, s), close_time, close_month, won))
        deals = tuple(np.concatenate(column) for column in zip(*parts, strict=True))
        due = deals[2] == t
        if limits.deal_cap is not None:  # keep the first C wins of the month in time; the later ones are lost
            wins = np.flatnonzero(due & deals[3])
            late = wins[np.argsort(deals[1][wins], kind="stable")][max(round(float(limits.deal_cap)), 0) :]
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
        stay, cohorts = _rules.age_cohorts(book.cohorts, churned_by_age, new, is_open, xp=np)

    # revenue, tokens, support, bridge
    bill = _rules.billing(market, t, customers_next, cohorts, is_open, quality.price, xp=np)
    revenue = float(bill.revenue)
    now, movements = _rules.mrr_bridge(
        book.arpa, bill.price, is_open, customers, churned, new, stay, churned_by_age, xp=np
    )
    flows = MarketFlows(
        new_customers=new,
        churned_customers=churned,
        revenue=revenue,
        tokens=float(bill.tokens),
        revenue_by_segment=bill.by_segment,
        acquisition_spend=float(spend.sum()),
        entry_cost=entry_cost,
        support_cost=float(bill.support),
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
        pipeline=float(len(deals[0]) if pipeline is None else pipeline.sum()),
        segment_open=is_open,
        support_load=load,
        deals_over_capacity=over,
    )
    book = MarketBook(opened, revenue, cohorts, now, deals[0], deals[1], deals[2], deals[3], pipeline)
    return MarketMonth(customers_next, adopters + entrants, new, churned, revenue, flows.tokens, flows, book)


def _deals_by_age(draws, t: int, opportunities, pipeline, market: MarketParams, limits: MarketLimits):
    """The kernel's sales-led deals (:func:`venturesim.market.step.step_market`, step 4), replaying its draws:
    a deal of age a resolves with P(K = a | K ≥ a), a resolved deal is won with the win rate, and wins beyond
    the sales capacity are cut by :func:`~venturesim.market.step.cap_wins`. Returns (won, lost, over capacity,
    open deals by age (S, D + 1))."""
    before = np.zeros(market.deal_conditional.shape) if pipeline is None else pipeline
    open_deals = np.concatenate([opportunities[:, None], before[:, :-1]], axis=-1)  # ages 0 … D
    resolved = draws.deal_resolutions(t, open_deals, market.deal_conditional)
    due = resolved.sum(axis=-1)
    won = draws.deal_wins(t, due, market.win_rate)
    over = np.zeros_like(won)
    if limits.deal_cap is not None:
        kept = cap_wins(won, np.asarray(limits.deal_cap, np.float64), xp=np)
        over, won = won - kept, kept
    return won, due - won, over, open_deals - resolved
