r"""Pricing and usage: what one customer pays and costs each month, and the gross margin.

**Revenue per customer** (USD per month) from the three price models an AI
product combines — per seat, flat subscription tiers and usage per million
tokens:

.. math::

    R = m · \Big[\big(n_{seat}·P_{seat} + Σ_k s_k P_k\big)(1 − a·d) + U·P_{tok}\Big]

with n_seat seats per customer at P_seat USD per seat-month; tier shares s_k
(summing to 1) at P_k USD per month; U million tokens a month at P_tok USD per
million; a the share of customers on annual plans and d their discount (the
annual discount applies to the subscription part, not to metered usage); m a
price multiplier, e.g. after matching a competitor's price cut:
m = 1 − π·x for a cut x matched with pass-through π ∈ [0, 1]. Prices that
change over time are passed in as the month's value (the scenario's
time-varying inputs). If we do *not* match a cut, our price relative to
the competitor's rises to 1/(1 − x) and churn responds through
:func:`venturesim.market.revenue.churn_price_factor`.

**Usage** per customer is lognormal: U = U_med · e^{σZ} · g(a), Z ~ N(0, 1),
with median U_med (M tokens/month at age 0), log-scale spread σ, and growth
with the customer's age a in months g(a) = min((1 + γ)^a, G_max) at a monthly
rate γ, capped at G_max times the starting level. Hence

.. math:: E[U \mid a] = U_{med}\, e^{σ^2/2}\, \min\big((1+γ)^a, G_{max}\big).

**Annual prepaid cash** (optional timing): an annual-plan customer pays 12
months up front at ages 0, 12, 24, …; revenue is still recognised monthly (R
a month), and the difference is deferred revenue. Over each whole year the
cash equals the revenue. Not modelled: an annual-plan customer can only leave
at renewal, while the engine's monthly churn lets anyone leave any month;
with the same yearly survival the two differ only in timing within the year.

**Costs and gross margin** (USD per customer per month): serving cost
U · c_tok (c_tok = USD to serve a million tokens, from
:mod:`venturesim.model_costs`: 2N FLOPs per token / (peak FLOP/s × MFU) ×
price per accelerator-second), plus support cost; gross margin
GM = (R − serving − support)/R. For reference, AI companies report 50–60 %
gross margin against 60–80 % for SaaS (a16z 2020, "The New Business of AI").
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from venturesim.market import _checks


class UnitEconomics(NamedTuple):
    """Monthly unit economics per customer (USD; gross_margin a fraction, NaN when revenue is 0)."""

    revenue: object
    cost_of_revenue: object
    gross_profit: object
    gross_margin: object


def subscription_price(tier_shares, tier_prices, *, xp=jnp):
    """Σ_k s_k P_k: the mix-weighted flat subscription price, USD/month (tiers on the last axis)."""
    _checks.probability("tier_shares", tier_shares)
    _checks.check(
        "tier_shares sum", xp.sum(tier_shares, axis=-1), lambda a: np.abs(a - 1.0) < 1e-5, "1 (over the tier axis)"
    )
    _checks.nonneg("tier_prices", tier_prices)
    return xp.sum(tier_shares * tier_prices, axis=-1)


def competitor_cut_multiplier(cut, pass_through=1.0):
    """1 − π·x: our price multiplier when a competitor cuts price by x and we pass through π of it."""
    _checks.check("cut", cut, lambda a: (a >= 0) & (a < 1), "in [0, 1)")
    _checks.probability("pass_through", pass_through)
    return 1.0 - pass_through * cut


def usage_growth(age, growth_monthly, max_multiple=np.inf, *, xp=jnp):
    """g(a) = min((1 + γ)^a, G_max): usage at age a months relative to age 0."""
    _checks.nonneg("age", age)
    _checks.check("growth_monthly", growth_monthly, lambda a: a > -1, "> -1")
    _checks.positive("max_multiple", max_multiple)
    return xp.minimum((1.0 + growth_monthly) ** age, max_multiple)


def expected_usage(age, *, median_mtokens, sigma, growth_monthly=0.0, max_multiple=np.inf, xp=jnp):
    """E[U | age] = U_med·e^{σ²/2}·min((1+γ)^age, G_max): mean million tokens per customer-month."""
    _checks.nonneg("median_mtokens", median_mtokens)
    _checks.nonneg("sigma", sigma)
    return median_mtokens * xp.exp(0.5 * sigma**2) * usage_growth(age, growth_monthly, max_multiple, xp=xp)


def usage_draw(z, age, *, median_mtokens, sigma, growth_monthly=0.0, max_multiple=np.inf, xp=jnp):
    """U = U_med·e^{σz}·g(age) for standard-normal draws z: one customer's million tokens a month."""
    _checks.nonneg("median_mtokens", median_mtokens)
    _checks.nonneg("sigma", sigma)
    return median_mtokens * xp.exp(sigma * z) * usage_growth(age, growth_monthly, max_multiple, xp=xp)


def annual_prepaid_cash(monthly_revenue, age, *, xp=jnp):
    """Cash from an annual-plan customer this month: 12·R at ages 0, 12, 24, … months, else 0 (USD)."""
    _checks.nonneg("age", age)
    return xp.where(xp.mod(age, 12) == 0, 12.0 * monthly_revenue, 0.0)


def serving_cost_per_customer(usage_mtokens, cost_per_mtoken):
    """U · c_tok: USD a month to serve one customer's tokens."""
    _checks.nonneg("usage_mtokens", usage_mtokens)
    _checks.nonneg("cost_per_mtoken", cost_per_mtoken)
    return usage_mtokens * cost_per_mtoken


def unit_economics(revenue, serving_cost, support_cost=0.0) -> UnitEconomics:
    """Revenue, cost of revenue (serving + support), gross profit and margin per customer-month.

    gross_margin = (R − serving − support)/R; NaN where R = 0 (works on NumPy,
    JAX or xarray inputs through ufuncs).
    """
    _checks.nonneg("serving_cost", serving_cost)
    _checks.nonneg("support_cost", support_cost)
    cost = serving_cost + support_cost
    profit = revenue - cost
    margin = _checks.where(revenue == 0, np.nan, _checks.divide(profit, revenue))
    return UnitEconomics(revenue=revenue, cost_of_revenue=cost, gross_profit=profit, gross_margin=margin)
