"""The market's monthly kernel: Bass adoption, logo churn and revenue (pure JAX).

Month t (the interval [t, t+1)) for each open segment, with the product's
quality gap g (nats/token, < 0 behind the frontier; see
:mod:`venturesim.model_costs.step`) and its elasticities ε:

1. churned ~ Binomial(customers, min(churn[t] · e^{−ε_c g}, 1)) — customers
   at the start of the month leave with the monthly churn probability;
2. new ~ Binomial(m − adopters, (f' − f)/(1 − f)) with f = adopters/m and f'
   one month of Bass flow later (:func:`venturesim.market.bass.advance_fraction`)
   with coefficients p · e^{ε_a g} and q · e^{ε_a g};
3. customers ← customers − churned + new; adopters ← adopters + new
   (the Bass state counts everyone who ever adopted; churned customers do not
   return to the pool, and word of mouth comes from all past adopters);
4. revenue = Σ_open segments customers · price[t] · e^{ε_p g} (billed on the
   customers active at the end of the month; a segment earns nothing before
   its launch month, even from initial customers), USD;
5. tokens served = Σ_open segments customers · tokens per customer.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim._jax_random import binomial, uniforms
from venturesim.market.adoption import quality_factor
from venturesim.market.bass import advance_fraction
from venturesim.market.params import MarketParams

STREAM = 1


class MarketState(NamedTuple):
    """Per-path market state: (paths, S) adopters ever and active customers."""

    adopters: jax.Array
    customers: jax.Array


class MarketFlows(NamedTuple):
    """What happened in the market during one month."""

    new_customers: jax.Array  # (paths, S)
    churned_customers: jax.Array  # (paths, S)
    revenue: jax.Array  # (paths,) USD
    tokens: jax.Array  # (paths,) tokens served


class QualityEffect(NamedTuple):
    """Multipliers from the quality gap g, (paths,): e^{ε_a g}, e^{−ε_c g}, e^{ε_p g}."""

    adoption: jax.Array
    churn: jax.Array
    price: jax.Array


def quality_effect(gap, adoption_elasticity, churn_elasticity, price_elasticity, xp=jnp) -> QualityEffect:
    """The market multipliers for a quality gap ``gap`` (nats/token) and elasticities per nat
    (:func:`venturesim.market.adoption.quality_factor`; churn's factor is its reciprocal form)."""
    return QualityEffect(
        adoption=quality_factor(gap, adoption_elasticity, xp=xp),
        churn=quality_factor(-gap, churn_elasticity, xp=xp),
        price=quality_factor(gap, price_elasticity, xp=xp),
    )


def init_market(params: MarketParams) -> MarketState:
    """Month-0 state: the initial customers have adopted and are active."""
    start = jnp.asarray(params.initial_customers, jnp.float32)
    return MarketState(adopters=start, customers=start)


def step_market(
    key: jax.Array, state: MarketState, params: MarketParams, t: jax.Array, active: jax.Array,
    quality: QualityEffect,
) -> tuple[MarketState, MarketFlows]:
    """Advance one month. ``key``: this block and month's key; ``active``: (paths,) bool (company alive)."""
    u = uniforms(key, STREAM, (2,) + state.customers.shape)  # (2, paths, S)
    is_open = active[:, None] & (t >= params.launch_month)

    churned = binomial(u[0], state.customers, jnp.minimum(params.churn[:, t] * quality.churn[:, None], 1.0))
    size = params.market_size
    f = state.adopters / size
    lift = quality.adoption[:, None]
    f_next = advance_fraction(f, params.p_monthly * lift, params.q_monthly * lift)
    adopt_prob = jnp.where(f < 1.0, (f_next - f) / jnp.maximum(1.0 - f, 1e-12), 0.0)
    new = binomial(u[1], size - state.adopters, adopt_prob)

    churned = jnp.where(is_open, churned, 0.0)
    new = jnp.where(is_open, new, 0.0)
    customers = state.customers - churned + new
    price = params.price[:, t] * quality.price[:, None]
    revenue = jnp.where(active, jnp.sum(jnp.where(is_open, customers * price, 0.0), axis=1), 0.0)
    tokens = jnp.where(active, jnp.sum(jnp.where(is_open, customers * params.tokens_per_customer, 0.0), axis=1), 0.0)
    return (
        MarketState(adopters=state.adopters + new, customers=customers),
        MarketFlows(new_customers=new, churned_customers=churned, revenue=revenue, tokens=tokens),
    )
