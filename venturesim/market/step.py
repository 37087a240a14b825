"""The market's monthly kernel: opening, churn, adoption, channels, deals, revenue and the MRR bridge (pure JAX).

Month t (the interval [t, t+1)) for each segment, with the product's quality
gap g (nats/token, < 0 behind the frontier; see :mod:`venturesim.model_costs.step`)
and its multipliers e^{ε_a g} (adoption), e^{−ε_c g} (churn), e^{ε_p g} (price):

0. opening: a segment opens in the first month t ≥ launch_month whose previous
   month's ARR (12 × revenue) reached its ``open_arr`` (0 when it has no rule),
   and pays its entry cost that month; it stays open;
1. churn: customers at the start of the month leave with probability
   c = min(churn[t] · e^{−ε_c g} · ((1 − πx)/(1 − x))^{ε_p} · M_support, 1) — drawn on
   the segment's total, or, when ages are tracked, on each age cohort a with the
   sBG hazard churn[t] · κ/(κ + a) (times the same factors) or the constant c;
   M_support = min(max(ρ, 1)^η, M_max) at the support load ρ = customers at
   the month start (all segments) / the support team's capacity
   (:func:`support_multiplier`; 1 without ``team.capacity_effects.support``);
   partnerships ending this month take a share f of the segment's customers
   with them: c' = 1 − (1 − c)(1 − f), computed as c + f(1 − c), which is c
   exactly when f = 0;
2. Bass: each of the m − adopters non-adopters adopts with probability
   (f' − f)/(1 − f), f = adopters/m and f' one month of Bass flow later
   (:func:`venturesim.market.bass.advance_fraction`) with
   p' = p · (1 + Σ_channels L s/(s + s_½)) · e^{ε_a g} · m_partner and
   q' = (q + k_viral) · e^{ε_a g} (:mod:`venturesim.market.adoption`);
3. channels, in the scenario's order: leads ~ Binomial(min(L_max, pool),
   1 − e^{−b/(c L_max)}), trials ~ Binomial(leads, r_lt), conversions ~
   Binomial(trials, r_tp) (:mod:`venturesim.market.channels`); the pool is the
   segment's non-adopters left after Bass and the channels before;
4. a self-serve segment's adopters and conversions are new customers at once;
   a sales-led segment's become opportunities: each open deal of age a months
   resolves this month with P(K = a | K ≥ a), K its resolution month
   (:mod:`venturesim.market.pipeline`), and a resolved deal is won with the
   win rate; with a sales capacity C (``team.capacity_effects.sales``) at most
   C wins are kept across the sales-led segments — W > C wins are scaled to
   C by largest remainders (:func:`cap_wins`; the DES keeps the first C in
   time) and the rest are lost (the buyer goes elsewhere); the won ones are
   new customers;
5. customers ← customers − churned + new; adopters ← adopters + Bass adopters +
   conversions (churned or lost accounts do not return to the pool);
6. revenue = Σ_open segments, cells customers · R (billed on the month-end
   customers; :func:`venturesim.market.revenue.base_price` × e^{ε_p g});
   tokens = customers · (tokens per customer + 10⁶ · mean usage); support
   = customers · support cost; the MRR bridge (:func:`venturesim.market.revenue.bridge`).

The rules are written once for both engines in :mod:`venturesim.market._rules`
(and the building blocks they call); this module keeps the kernel's
randomness and its deal mechanics (counts by age, :func:`cap_wins`).

Randomness: the market's stream ``fold_in(key, MARKET)`` has one sub-stream per
draw (:mod:`venturesim._streams`): churn on totals and Bass adoption
(``MARKET_TOTALS``, shape (2, paths, S)), churn by age, the channels, the deals
and their wins.
Shapes are static: no channels (K = 0), no tracked ages (A = 0) or no
sales-led segment (D = 0) leave their code out of the compiled kernel, and
so does each :class:`MarketLimits` field left None (no support effect, no
deal cap, no partners' exit churn), and a neutral one (exit share 0,
η = 0) gives the same numbers bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim import _streams as streams
from venturesim._binomial_compact import binomial_compact, binomials
from venturesim._jax_random import binomial, fold_in, uniforms
from venturesim.market import _rules
from venturesim.market._rules import QualityEffect, support_multiplier
from venturesim.market.channels import funnel
from venturesim.market.params import MarketParams, at_month
from venturesim.market.revenue import churn_price_factor


class MarketState(NamedTuple):
    """Per-path market state.

    adopters, customers : (paths, S) accounts that ever adopted (Bass state,
        including lost deals) and active customers.
    opened : (paths, S) bool, the segment has opened.
    last_revenue : (paths,) USD billed last month (for the ARR opening rule).
    cohorts : (paths, S, A) active customers by age (billed months so far); A = 0 when untracked.
    pipeline : (paths, S, D+1) open deals by age at the end of last month (months since the opening month).
    arpa : (paths, S, max(A, 1)) revenue per customer of each cell at the end of last month, USD.
    """

    adopters: jax.Array
    customers: jax.Array
    opened: jax.Array
    last_revenue: jax.Array
    cohorts: jax.Array
    pipeline: jax.Array
    arpa: jax.Array


class MarketFlows(NamedTuple):
    """What happened in the market during one month (USD, counts; zero on dead paths)."""

    new_customers: jax.Array  # (paths, S) customers won (self-serve adopters and conversions, won deals)
    churned_customers: jax.Array  # (paths, S)
    revenue: jax.Array  # (paths,) USD
    tokens: jax.Array  # (paths,) tokens served
    revenue_by_segment: jax.Array  # (paths, S) USD
    acquisition_spend: jax.Array  # (paths,) USD, channel budgets spent (sales & marketing)
    entry_cost: jax.Array  # (paths,) USD, segments' entry costs paid this month
    support_cost: jax.Array  # (paths,) USD, support cost of the month-end customers (cost of revenue)
    new_mrr: jax.Array  # (paths,) USD
    expansion_mrr: jax.Array  # (paths,) USD
    contraction_mrr: jax.Array  # (paths,) USD
    churned_mrr: jax.Array  # (paths,) USD
    channel_spend: jax.Array  # (paths, K) USD
    channel_leads: jax.Array  # (paths, K)
    channel_conversions: jax.Array  # (paths, K) customers (self-serve) or opportunities (sales-led)
    opportunities: jax.Array  # (paths, S) deals opened
    deals_won: jax.Array  # (paths, S)
    deals_lost: jax.Array  # (paths, S)
    pipeline: jax.Array  # (paths,) open deals at the month's end
    segment_open: jax.Array  # (paths, S) bool
    support_load: jax.Array  # (paths,) ρ, customers at the month start / support capacity (NaN: no support limit)
    deals_over_capacity: jax.Array  # (paths, S) deals won beyond the sales capacity, lost (in deals_lost too)


class MarketLimits(NamedTuple):
    """What the rest of the company imposes on the month's market; a field left None has no effect
    (and no code in the compiled kernel). JAX: (paths,) / (paths, S); DES: floats / (S,).

    deal_cap : sales-led deals that can be won this month, all sales-led segments together (a whole number).
    support_capacity : customers the support team serves at load 1 (support FTE × customers per FTE).
    support_elasticity : η, the churn multiplier's exponent of the load.
    support_max_multiplier : the churn multiplier's cap M_max (≥ 1).
    exit_churn : (…, S) share f of each segment's customers who leave with partnerships ending this month.
    funded : (…, S) bool, every round the segment waits for (``open_after_round``) closed by the month start.
    """

    deal_cap: jax.Array | None = None
    support_capacity: jax.Array | None = None
    support_elasticity: jax.Array | None = None
    support_max_multiplier: jax.Array | None = None
    exit_churn: jax.Array | None = None
    funded: jax.Array | None = None


def cap_wins(won, cap, xp=jnp):
    """Keep at most ``cap`` (…,) of the deals ``won`` (…, S) across segments, by largest remainders.

    When W = Σ_s won_s > C each segment keeps ⌊won_s C / W⌋ and the C − Σ ⌊…⌋ left over go one each to the
    segments with the largest remainders (won_s C mod W; ties to the earlier segment): Hamilton's
    apportionment, so the kept deals sum to C exactly and no segment keeps more than it won (giving the
    whole remainder to the largest segment could: wins (1, 1, 1) capped at 2). Integer arithmetic, exact.
    """
    won_i = xp.round(won).astype(xp.int32)
    cap_i = xp.maximum(xp.round(cap), 0.0).astype(xp.int32)
    total = xp.sum(won_i, axis=-1)
    scaled = won_i * cap_i[..., None]
    safe = xp.maximum(total, 1)[..., None]
    base, rest = scaled // safe, scaled % safe
    left = cap_i - xp.sum(base, axis=-1)  # in [0, S)
    order = xp.argsort(-rest, axis=-1, stable=True)  # largest remainder first, ties by segment
    rank = xp.argsort(order, axis=-1)
    kept = base + (rank < left[..., None]).astype(xp.int32)
    return xp.where((total > cap_i)[..., None], kept.astype(won.dtype), won)


def init_market(params: MarketParams) -> MarketState:
    """Month-0 state: the initial customers have adopted, are active and of age 0; no deals open."""
    start = jnp.asarray(params.initial_customers, jnp.float32)
    paths, segments = start.shape
    ages = params.cohort_ages.shape[-1]
    cohorts = jnp.zeros((paths, segments, ages), jnp.float32)
    if ages:
        cohorts = cohorts.at[..., 0].set(start)
    return MarketState(
        adopters=start,
        customers=start,
        opened=jnp.zeros((paths, segments), bool),
        last_revenue=jnp.zeros((paths,), jnp.float32),
        cohorts=cohorts,
        pipeline=jnp.zeros((paths, segments, params.deal_conditional.shape[-1]), jnp.float32),
        arpa=jnp.zeros((paths, segments, max(ages, 1)), jnp.float32),
    )


def step_market(
    key: jax.Array,
    state: MarketState,
    params: MarketParams,
    t: jax.Array,
    active: jax.Array,
    quality: QualityEffect,
    limits: MarketLimits | None = None,
) -> tuple[MarketState, MarketFlows]:
    """Advance one month. ``key``: this block and month's key; ``active``: (paths,) bool (company alive);
    ``limits``: the team's capacity and the partners' exit churn (None: none)."""
    limits = MarketLimits() if limits is None else limits
    sub = fold_in(key, streams.MARKET)
    u = uniforms(sub, streams.MARKET_TOTALS, (2,) + state.customers.shape)  # (2, paths, S)
    ages = params.cohort_ages.shape[-1]
    n_channels = params.channel_lift_max.shape[-1]
    n_deal_months = params.deal_conditional.shape[-1]
    size = params.market_size

    # 0. opening
    _, opened, entry_cost = _rules.opening(
        state.opened,
        state.last_revenue,
        t,
        params.launch_month,
        params.open_arr,
        params.entry_cost,
        active,
        xp=jnp,
        funded=limits.funded,
    )
    is_open = active[:, None] & opened

    # 1. churn: on each age cohort (one uniform per (path, segment) for each age, drawn per age: the same
    # numbers whatever the number of tracked ages, so a shorter horizon gives the same months) or the total
    price_factor = churn_price_factor(
        params.pass_through, at_month(params.competitor_cut, t), params.churn_price_elasticity
    )
    load = jnp.full(active.shape, jnp.nan, jnp.float32)
    overload = None  # the support load's churn multiplier
    if limits.support_capacity is not None:
        load, overload = support_multiplier(
            jnp.sum(state.customers, axis=1),
            limits.support_capacity,
            limits.support_elasticity,
            limits.support_max_multiplier,
            xp=jnp,
        )
    churn = _rules.churn_probability(
        at_month(params.churn, t),
        params.sbg_concentration,
        params.sbg,
        params.cohort_ages,
        quality.churn,
        price_factor,
        overload,
        limits.exit_churn,
        params.repeat,
        params.repeat_hazard,
        xp=jnp,
    )
    # channel spend (and its awareness lift of p)
    awareness = 1.0
    spend = jnp.zeros(params.channel_lift_max.shape, jnp.float32)
    if n_channels:
        spend, awareness = _rules.channel_spend(params, t, is_open, xp=jnp)

    # 2. Bass adoption
    adopt_prob = _rules.adoption_probability(
        state.adopters,
        size,
        params.p_monthly,
        params.q_monthly,
        params.viral,
        params.partner,
        awareness,
        quality.adoption,
        xp=jnp,
    )
    stay = churned_by_age = None
    if ages:  # churn by age is drawn with the deals below (no flow before step 5 depends on it); adoption compacted:
        # a few segments' large markets need 40+ inversion terms, the rest none (sales-led kernel 0.82× with the wins)
        adopted = binomial_compact(u[1], size - state.adopters, adopt_prob)
    else:  # churn on totals and adoption: one draw of (2, paths, S) counts
        churned, adopted = _churn_and_adoption(
            u, jnp.stack([state.customers, size - state.adopters]), jnp.stack([churn, adopt_prob])
        )
        churned = jnp.where(is_open, churned, 0.0)
    adopted = jnp.where(is_open, adopted, 0.0)

    # 3. channels, each from the pool the ones before it left
    leads = jnp.zeros(spend.shape, jnp.float32)
    conversions = jnp.zeros(spend.shape, jnp.float32)
    entrants = adopted
    if n_channels:
        uc = uniforms(sub, streams.MARKET_CHANNELS, (n_channels, 3) + active.shape)
        reach = params.channel_max_leads
        capture = _rules.lead_capture(params, spend, xp=jnp)

        def one_channel(pool, xs):  # pool: (paths, S) non-adopters left; a scan, so one compiled body for K channels
            uk, target, reach_k, capture_k, to_trial, to_paid = xs
            pool, flows = funnel(
                pool, target, reach_k, capture_k, to_trial, to_paid, lambda stage, n, p: binomial(uk[stage], n, p)
            )
            return pool, (flows.leads, flows.customers)

        per_channel = (
            uc,
            jnp.moveaxis(params.channel_segment, 1, 0),
            reach.T,
            capture.T,
            params.channel_lead_to_trial.T,
            params.channel_trial_to_paid.T,
        )
        _, (leads, conversions) = jax.lax.scan(one_channel, size - state.adopters - adopted, per_channel)
        leads, conversions = leads.T, conversions.T  # (paths, K)
        entrants = adopted + jnp.einsum("pks,pk->ps", params.channel_segment, conversions)

    # 1 (by age) and 4: churn on each age cohort (one uniform per (path, segment) for each age, drawn per
    # age: the same numbers whatever the number of tracked ages, so a shorter horizon gives the same months)
    # and the sales-led deals, by age: a deal opened a months ago resolves now with P(K = a | K ≥ a).
    # These are the block's large draws, (paths, S, A) and (paths, S, D+1): one compacted call (each count's
    # inversion terms run as far as that count needs, :mod:`venturesim._binomial_compact`).
    large = []
    if ages:
        ages_key = fold_in(sub, streams.MARKET_AGES)
        u_age = jax.vmap(lambda a: uniforms(ages_key, a, state.customers.shape), out_axes=-1)(
            jnp.arange(ages)
        )  # (P, S, A)
        large.append((u_age, state.cohorts, churn))
    opportunities = open_deals = None
    if n_deal_months:
        opportunities = entrants * params.sales_led
        open_deals = jnp.concatenate([opportunities[..., None], state.pipeline[..., :-1]], axis=-1)  # ages 0 … D
        large.append((uniforms(sub, streams.MARKET_DEALS, open_deals.shape), open_deals, params.deal_conditional))
    counts = binomials(*large) if large else []
    if ages:
        churned_by_age = jnp.where(is_open[..., None], counts[0], 0.0)
        churned = jnp.sum(churned_by_age, axis=-1)

    zeros_s = jnp.zeros_like(churned)
    deals_won, deals_lost, pipeline = zeros_s, zeros_s, state.pipeline
    over = zeros_s
    new = entrants
    if opportunities is None:
        opportunities = zeros_s
    else:
        resolved = counts[-1]
        due = jnp.sum(resolved, axis=-1)
        deals_won = binomial_compact(uniforms(sub, streams.MARKET_WINS, churned.shape), due, params.win_rate)
        deals_won = jnp.where(active[:, None], deals_won, 0.0)
        if limits.deal_cap is not None:  # wins beyond the sales team's capacity are lost
            kept = cap_wins(deals_won, limits.deal_cap)
            over, deals_won = deals_won - kept, kept
        deals_lost = jnp.where(active[:, None], due - deals_won, 0.0)
        pipeline = jnp.where(active[:, None, None], open_deals - resolved, state.pipeline)
        new = (entrants - opportunities) + deals_won

    # 5. customers
    customers = state.customers - churned + new
    cohorts = state.cohorts
    if ages:
        stay, cohorts = _rules.age_cohorts(state.cohorts, churned_by_age, new, is_open, xp=jnp)

    # 6. revenue, tokens, support, MRR bridge
    bill = _rules.billing(params, t, customers, cohorts, is_open, quality.price, xp=jnp)
    revenue = jnp.where(active, bill.revenue, 0.0)
    now, movements = _rules.mrr_bridge(
        state.arpa, bill.price, is_open, state.customers, churned, new, stay, churned_by_age, xp=jnp
    )
    alive = active.astype(jnp.float32)
    flows = MarketFlows(
        new_customers=new,
        churned_customers=churned,
        revenue=revenue,
        tokens=jnp.where(active, bill.tokens, 0.0),
        revenue_by_segment=jnp.where(active[:, None], bill.by_segment, 0.0),
        acquisition_spend=jnp.sum(spend, axis=1),
        entry_cost=entry_cost,
        support_cost=jnp.where(active, bill.support, 0.0),
        new_mrr=alive * jnp.sum(movements.new, axis=1),
        expansion_mrr=alive * jnp.sum(movements.expansion, axis=1),
        contraction_mrr=alive * jnp.sum(movements.contraction, axis=1),
        churned_mrr=alive * jnp.sum(movements.churned, axis=1),
        channel_spend=spend,
        channel_leads=leads,
        channel_conversions=conversions,
        opportunities=opportunities,
        deals_won=deals_won,
        deals_lost=deals_lost,
        pipeline=jnp.sum(pipeline, axis=(1, 2)),
        segment_open=is_open,
        support_load=jnp.where(active, load, jnp.nan),
        deals_over_capacity=over,
    )
    state = MarketState(
        adopters=state.adopters + entrants,
        customers=customers,
        opened=opened,
        last_revenue=revenue,
        cohorts=cohorts,
        pipeline=pipeline,
        arpa=jnp.where(active[:, None, None], now, state.arpa),
    )
    return state, flows


def _churn_and_adoption(u, n, p):
    """(churned, adopted): Binomial(n, p) counts of the (2, paths, S) draws, by one compacted call with each
    (draw, segment)'s paths contiguous, so that the tiles that need more inversion terms are grouped."""
    (counts,) = binomials(tuple(jnp.moveaxis(jnp.broadcast_to(a, u.shape), -1, 1) for a in (u, n, p)))
    return jnp.moveaxis(counts, 1, -1)
