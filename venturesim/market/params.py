"""Per-path market parameters drawn from the scenario.

Shapes: S segments, K channels, T months, A tracked customer ages (0 when no
segment needs ages), D + 1 deal resolution months (0 when no segment is
sales-led). A time-varying input given as a plain number is stored with a
month axis of length 1 (read it with :func:`at_month`), so unused inputs cost
no memory. Every leaf has the path axis first, as the engines require.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from venturesim._xp import month_of
from venturesim.market.pipeline import conditional_probabilities, resolution_probabilities
from venturesim.market.repeat_usage import repeat_by_age, spend_per_transaction
from venturesim.market.schema import Market, Segment
from venturesim.spec.distributions import Spec
from venturesim.spec.sampling import Sampler
from venturesim.spec.timeseries import stack_series


class MarketParams(NamedTuple):
    """Market inputs for a block of paths.

    Attributes
    ----------
    market_size : (paths, S) potential customers, whole numbers.
    p_monthly, q_monthly : (paths, S) Bass coefficients per month (annual / 12).
    price : (paths, T, S) flat price per active customer per month, USD.
    churn : (paths, T, S) monthly logo churn (of a new customer, under sBG).
    launch_month : (paths, S) month the segment may open.
    initial_customers : (paths, S) active customers at month 0 (age 0).
    cost_of_revenue : (paths,) fraction of revenue spent serving it (besides tokens).
    tokens_per_customer : (paths, S) tokens served per active customer per month.
    viral : (paths, S) viral coefficient k, per month, added to q.
    partner : (paths, S) multiplier on p from partnerships.
    sales_led : (paths, S) 1 for a sales-led segment, else 0.
    win_rate : (paths, S) share of resolved deals won.
    deal_cycle_mean, deal_cycle_cv, deal_max_cycle : (paths, S) the deal cycle's
        gamma mean (months), coefficient of variation and cap D (months).
    deal_conditional : (paths, S, D+1) P(K = k | K ≥ k): a deal of age k resolves this month
        (:mod:`venturesim.market.pipeline`).
    open_arr : (paths, S) ARR at which the segment opens, USD (0: no rule).
    open_after : (paths, S, R) 1 where segment s opens only once round r (the engines' round axis,
        ``Funding.class_names``) has closed, else 0; R = 0 when no segment waits for a round.
    entry_cost : (paths, S) USD paid in the month the segment opens.
    seats : (paths, S) seats per customer; price_per_seat : (paths, T|1, S) USD.
    tier_price : (paths, T|1, S) mix-weighted tier price, USD per customer-month (a month axis for risks).
    annual_factor : (paths, S) 1 − annual share × annual discount.
    competitor_cut : (paths, T|1, S) competitors' price cut x; pass_through : (paths, S) π.
    churn_price_elasticity : (paths, S) ε_p.
    usage_by_age : (paths, S, max(A, 1)) mean million tokens per customer-month
        in a customer's (k+1)-th billed month.
    price_per_mtoken : (paths, T|1, S) USD per million tokens.
    expansion_by_age : (paths, S, max(A, 1)) subscription multiple in the
        (k+1)-th billed month, min((1 + e)^k, cap).
    sbg : (paths, S) 1 for shifted-beta-geometric churn; sbg_concentration : (paths, S) κ.
    repeat : (paths, S) 1 for a BG/NBD repeat-usage segment (:mod:`venturesim.market.repeat_usage`).
    repeat_hazard, repeat_transactions : (paths, S, max(A, 1)), or (paths, S, 0) when no segment has
        repeat usage: the BG/NBD dropout hazard of age k and the transactions of an active customer in
        cell k. spend_per_transaction : (paths, S) Gamma-Gamma mean spend, USD (0 without repeat usage).
    support_cost : (paths, S) USD per active customer per month.
    cohort_ages : (paths, A) ages 0 … A−1 of the tracked cohorts (A = 0: untracked).
    channel_segment : (paths, K, S) one-hot: the segment each channel sells to.
    channel_budget : (paths, T|1, K) USD per month.
    channel_cost_per_lead, channel_max_leads, channel_lead_to_trial,
    channel_trial_to_paid : (paths, K) the funnel (max_leads 0: no funnel).
    channel_lift_max, channel_half_saturation : (paths, K) awareness lift of p.
    """

    market_size: np.ndarray
    p_monthly: np.ndarray
    q_monthly: np.ndarray
    price: np.ndarray
    churn: np.ndarray
    launch_month: np.ndarray
    initial_customers: np.ndarray
    cost_of_revenue: np.ndarray
    tokens_per_customer: np.ndarray
    viral: np.ndarray
    partner: np.ndarray
    sales_led: np.ndarray
    win_rate: np.ndarray
    deal_cycle_mean: np.ndarray
    deal_cycle_cv: np.ndarray
    deal_max_cycle: np.ndarray
    deal_conditional: np.ndarray
    open_arr: np.ndarray
    open_after: np.ndarray
    entry_cost: np.ndarray
    seats: np.ndarray
    price_per_seat: np.ndarray
    tier_price: np.ndarray
    annual_factor: np.ndarray
    competitor_cut: np.ndarray
    pass_through: np.ndarray
    churn_price_elasticity: np.ndarray
    usage_by_age: np.ndarray
    price_per_mtoken: np.ndarray
    expansion_by_age: np.ndarray
    sbg: np.ndarray
    sbg_concentration: np.ndarray
    repeat: np.ndarray
    repeat_hazard: np.ndarray
    repeat_transactions: np.ndarray
    spend_per_transaction: np.ndarray
    support_cost: np.ndarray
    cohort_ages: np.ndarray
    channel_segment: np.ndarray
    channel_budget: np.ndarray
    channel_cost_per_lead: np.ndarray
    channel_max_leads: np.ndarray
    channel_lead_to_trial: np.ndarray
    channel_trial_to_paid: np.ndarray
    channel_lift_max: np.ndarray
    channel_half_saturation: np.ndarray


def at_month(series, t):
    """Month t of a (paths, T|1, ...) series (or one path's (T|1, ...)): a length-1 month axis is constant."""
    return month_of(series, t, 1 if series.ndim >= 3 else 0)


def _nonzero(spec) -> bool:
    """Whether an input may differ from 0 (a distribution counts as non-zero)."""
    return isinstance(spec, Spec) or float(spec) != 0.0


def needs_ages(market: Market) -> bool:
    """Customers are tracked by age when a segment uses sBG churn, repeat usage, expansion or usage growth."""
    return any(
        s.churn_concentration is not None
        or s.repeat_usage is not None
        or _nonzero(s.expansion_monthly)
        or (s.usage is not None and _nonzero(s.usage.growth_monthly))
        for s in market.segments
    )


def sample_market(market: Market, sampler: Sampler, months: int, rounds: Sequence[str] = ()) -> MarketParams:
    """Draw the market inputs for ``sampler``'s paths (``rounds``: the names along the engines' round axis)."""
    n, segments = sampler.n, market.segments
    n_seg = len(segments)

    def scalar(spec, name):
        return sampler.scalar(spec, name)

    def per_segment(field):
        return np.stack(
            [sampler.scalar(getattr(s, field), f"market.segments.{s.name}.{field}") for s in segments], axis=1
        )

    def per_segment_series(field):
        return stack_series(
            [sampler.series(getattr(s, field), f"market.segments.{s.name}.{field}", months) for s in segments], axis=2
        )

    def compact_series(items):
        """(paths, T|1, len(items)) from (spec, name) pairs; length 1 when all are plain numbers."""
        if all(isinstance(spec, (int, float)) for spec, _ in items):
            return np.broadcast_to(np.array([float(spec) for spec, _ in items]), (n, 1, len(items))).copy()
        return stack_series([sampler.series(spec, name, months) for spec, name in items], axis=2)

    def block(s: Segment, part: str, field: str, default):
        """Per-path draws of ``s.part.field``, or ``default`` when the block is absent."""
        model = getattr(s, part)
        if model is None:
            return np.full(n, float(default))
        return scalar(getattr(model, field), f"market.segments.{s.name}.{part}.{field}")

    def per_segment_block(part, field, default):
        return np.stack([block(s, part, field, default) for s in segments], axis=1)

    size = np.maximum(np.round(per_segment("market_size")), 1.0)
    # ages 0 … months suffice for a run of `months` months (initial customers are one month old at
    # the start), so a shorter run tracks fewer ages and gives the same numbers
    ages = min(market.cohort_max_age_months, months + 1) if needs_ages(market) else 0
    k_age = np.arange(max(ages, 1), dtype=np.float64)  # cell k = billed months before this one

    # sales-led deals
    sales_led = np.array([s.sales is not None for s in segments], np.float64)
    cycle_mean = per_segment_block("sales", "cycle_months", 1.0)
    cycle_cv = per_segment_block("sales", "cycle_cv", 1.0)
    max_cycle = np.array([s.sales.max_cycle_months if s.sales else 0 for s in segments], np.int64)
    width = int(max_cycle.max()) + 1 if sales_led.any() else 0
    conditional = np.ones((n, n_seg, width))
    for j, s in enumerate(segments):
        if s.sales is not None:
            probs = resolution_probabilities(cycle_mean[:, j], cycle_cv[:, j], s.sales.max_cycle_months)
            padded = np.zeros((n, width))
            padded[:, : probs.shape[1]] = probs
            conditional[:, j] = conditional_probabilities(padded)

    # pricing and usage
    def tier_price(s: Segment):
        if s.pricing is None or not s.pricing.tiers:
            return np.zeros(n)
        return sum(
            t.share * scalar(t.price, f"market.segments.{s.name}.pricing.tiers.{t.name}.price") for t in s.pricing.tiers
        )

    annual = per_segment_block("pricing", "annual_plan_share", 0.0) * per_segment_block(
        "pricing", "annual_discount", 0.0
    )
    usage_mean = per_segment_block("usage", "median_mtokens_per_customer_month", 0.0) * np.exp(
        0.5 * per_segment_block("usage", "sigma", 0.0) ** 2
    )
    usage_growth = per_segment_block("usage", "growth_monthly", 0.0)
    usage_cap = per_segment_block("usage", "max_multiple", 1e6)
    expansion = per_segment("expansion_monthly")
    expansion_cap = per_segment("expansion_max_multiple")

    def growth_by_age(rate, cap):  # (paths, S, max(A, 1)): min((1 + rate)^k, cap), 1 at k = 0
        return np.minimum((1.0 + rate[..., None]) ** k_age, np.maximum(cap[..., None], 1.0))

    def seg_series(part, field, default):
        return compact_series(
            [
                (
                    getattr(getattr(s, part), field) if getattr(s, part) is not None else default,
                    f"market.segments.{s.name}.{part}.{field}",
                )
                for s in segments
            ]
        )

    concentration = np.stack(
        [
            scalar(s.churn_concentration, f"market.segments.{s.name}.churn_concentration")
            if s.churn_concentration is not None
            else np.ones(n)
            for s in segments
        ],
        axis=1,
    )
    repeat = np.array([s.repeat_usage is not None for s in segments], np.float64)
    width = max(ages, 1) if repeat.any() else 0
    repeat_hazard = np.zeros((n, n_seg, width))
    repeat_transactions = np.zeros((n, n_seg, width))
    spend = np.zeros((n, n_seg))
    for j, s in enumerate(segments):
        if s.repeat_usage is not None:
            u, at = s.repeat_usage, f"market.segments.{s.name}.repeat_usage"
            r, alpha, a, b = (scalar(getattr(u, f), f"{at}.{f}")[:, None] for f in ("r", "alpha", "a", "b"))
            repeat_hazard[:, j], repeat_transactions[:, j] = repeat_by_age(k_age[:width], r, alpha, a, b)
            spend[:, j] = spend_per_transaction(
                *(scalar(getattr(u.spend, f), f"{at}.spend.{f}") for f in ("p", "q", "gamma"))
            )

    open_arr = np.stack(
        [
            scalar(s.open_when_arr_at_least, f"market.segments.{s.name}.open_when_arr_at_least")
            if s.open_when_arr_at_least is not None
            else np.zeros(n)
            for s in segments
        ],
        axis=1,
    )

    # channels
    channels = market.channels
    n_ch = len(channels)
    names = [s.name for s in segments]
    one_hot = np.zeros((n, n_ch, n_seg))
    for k, c in enumerate(channels):
        one_hot[:, k, names.index(c.segment)] = 1.0

    def per_channel(part, field, default):
        return (
            np.stack(
                [
                    scalar(getattr(getattr(c, part), field), f"market.channels.{c.name}.{part}.{field}")
                    if getattr(c, part) is not None
                    else np.full(n, float(default))
                    for c in channels
                ],
                axis=1,
            )
            if n_ch
            else np.zeros((n, 0))
        )

    return MarketParams(
        market_size=size,
        p_monthly=per_segment("bass_p_annual") / 12.0,
        q_monthly=per_segment("bass_q_annual") / 12.0,
        price=per_segment_series("price"),
        churn=per_segment_series("churn"),
        launch_month=np.broadcast_to([s.launch_month for s in segments], (n, n_seg)),
        initial_customers=np.minimum(np.broadcast_to([float(s.initial_customers) for s in segments], size.shape), size),
        cost_of_revenue=sampler.scalar(market.cost_of_revenue, "market.cost_of_revenue"),
        tokens_per_customer=per_segment("tokens_per_customer_month"),
        viral=per_segment("viral_coefficient"),
        partner=per_segment("partner_multiplier"),
        sales_led=np.broadcast_to(sales_led, (n, n_seg)),
        win_rate=per_segment_block("sales", "win_rate", 1.0),
        deal_cycle_mean=cycle_mean,
        deal_cycle_cv=cycle_cv,
        deal_max_cycle=np.broadcast_to(max_cycle.astype(np.float64), (n, n_seg)),
        deal_conditional=conditional,
        open_arr=open_arr,
        open_after=open_after(segments, rounds, n),
        entry_cost=per_segment("entry_cost"),
        seats=per_segment_block("pricing", "seats_per_customer", 0.0),
        price_per_seat=seg_series("pricing", "price_per_seat", 0.0),
        tier_price=np.stack([tier_price(s) for s in segments], axis=1)[:, None, :],
        annual_factor=1.0 - annual,
        competitor_cut=seg_series("pricing", "competitor_price_cut", 0.0),
        pass_through=per_segment_block("pricing", "price_cut_pass_through", 0.0),
        churn_price_elasticity=per_segment("churn_price_elasticity"),
        usage_by_age=usage_mean[..., None] * growth_by_age(usage_growth, usage_cap),
        price_per_mtoken=seg_series("usage", "price_per_mtoken", 0.0),
        expansion_by_age=growth_by_age(expansion, expansion_cap),
        sbg=np.broadcast_to(np.array([s.churn_concentration is not None for s in segments], np.float64), (n, n_seg)),
        sbg_concentration=concentration,
        repeat=np.broadcast_to(repeat, (n, n_seg)),
        repeat_hazard=repeat_hazard,
        repeat_transactions=repeat_transactions,
        spend_per_transaction=spend,
        support_cost=per_segment("support_cost_per_customer"),
        cohort_ages=np.broadcast_to(np.arange(ages, dtype=np.float64), (n, ages)),
        channel_segment=one_hot,
        channel_budget=compact_series([(c.budget, f"market.channels.{c.name}.budget") for c in channels])
        if n_ch
        else np.zeros((n, 1, 0)),
        channel_cost_per_lead=per_channel("funnel", "cost_per_lead", 1.0),
        channel_max_leads=np.round(per_channel("funnel", "max_leads", 0.0)),
        channel_lead_to_trial=per_channel("funnel", "lead_to_trial", 0.0),
        channel_trial_to_paid=per_channel("funnel", "trial_to_paid", 0.0),
        channel_lift_max=per_channel("awareness", "lift_max", 0.0),
        channel_half_saturation=per_channel("awareness", "half_saturation", 1.0),
    )


def open_after(segments, rounds: Sequence[str], n: int) -> np.ndarray:
    """(n, S, R) the rounds each segment waits for (``open_after_round``), a read-only broadcast view; R = 0
    when no segment waits, so the engines compute nothing for it."""
    gated = [s.open_after_round for s in segments]
    if all(name is None for name in gated):
        return np.zeros((n, len(segments), 0))
    table = np.array([[float(name == r) for r in rounds] for name in gated]).reshape(len(segments), len(rounds))
    return np.broadcast_to(table, (n, *table.shape))
