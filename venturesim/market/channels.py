r"""Acquisition channels (paid, content/SEO, outbound sales, partners), their funnel, CAC and sales cycles.

**Leads with saturation.** A channel with monthly budget b (USD), cost per
lead c (USD, the cost of the first, cheapest leads) and a reachable pool of
L_max leads a month gives

.. math:: \text{leads}(b) = L_{max}\,\big(1 − e^{−b/(c·L_{max})}\big).

Read it as each of the L_max reachable prospects receiving a Poisson number
of paid "touches" with mean b/(c·L_max) and becoming a lead on the first one.
It equals b/c for small budgets (slope 1/c at b = 0), never exceeds
L_max, and the cost of the marginal lead, c·e^{b/(c·L_max)}, rises with
spend — diminishing returns (a negative-exponential response, one of the
classic concave advertising-response shapes; see Jin et al. 2017 for the
family used in marketing-mix models). With L_max = ∞ it is linear, b/c.

**Funnel.** trials = leads · r_lt, new customers = trials · r_tp, with the
lead→trial and trial→paid conversion rates. In the Monte Carlo of both engines
(:func:`funnel`, drawing from the prospects a channel can still reach):
leads ~ Binomial(min(L_max, pool), 1 − e^{−b/(c·L_max)}) (the Poisson-touch
reading), trials ~ Binomial(leads, r_lt), new ~ Binomial(trials, r_tp); with
a pool of at least L_max each stage has the expected value above.

**CAC.** Per channel CAC_j = b_j / new_j; blended CAC = Σ b_j / Σ new_j
(USD per customer; +inf when customers are 0 and spend > 0). The marginal
CAC, d b/d new = c·e^{b/(c·L_max)}/(r_lt·r_tp), exceeds the average once
saturation bites, which is why scaling a channel raises blended CAC.

Sales-led deals and their cycles are in :mod:`venturesim.market.pipeline`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from venturesim.market import _checks

CHANNELS = ("paid", "content", "outbound", "partners")
"""The channel kinds a scenario can name (the arithmetic is the same for each)."""


class ChannelFlows(NamedTuple):
    """One month of a channel's funnel (expected values or draws), counts per month."""

    leads: object
    trials: object
    customers: object


def _check_funnel(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads) -> None:
    _checks.nonneg("budget", budget)
    _checks.positive("cost_per_lead", cost_per_lead)
    _checks.probability("lead_to_trial", lead_to_trial)
    _checks.probability("trial_to_paid", trial_to_paid)
    _checks.positive("max_leads", max_leads)


def lead_capture_probability(budget, cost_per_lead, max_leads, *, xp=jnp):
    """1 − e^{−b/(c·L_max)}: chance that one reachable prospect becomes a lead this month."""
    return -xp.expm1(-budget / (cost_per_lead * max_leads))


def expected_leads(budget, cost_per_lead, max_leads=np.inf, *, xp=jnp):
    """L_max(1 − e^{−b/(c·L_max)}) leads a month; b/c when ``max_leads`` is inf."""
    _checks.nonneg("budget", budget)
    _checks.positive("cost_per_lead", cost_per_lead)
    _checks.positive("max_leads", max_leads)
    finite = xp.isfinite(max_leads)
    pool = xp.where(finite, max_leads, 1.0)
    saturated = pool * lead_capture_probability(budget, cost_per_lead, pool, xp=xp)
    return xp.where(finite, saturated, budget / cost_per_lead)


def channel_month(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads=np.inf, *, xp=jnp) -> ChannelFlows:
    """Expected leads, trials and new customers from a channel's monthly budget.

    Parameters
    ----------
    budget : USD spent on the channel this month, e.g. (paths, channels).
    cost_per_lead : USD per lead at low spend (> 0).
    lead_to_trial, trial_to_paid : funnel conversion rates in [0, 1].
    max_leads : reachable leads per month L_max (> 0; inf for no saturation).
    """
    _check_funnel(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads)
    leads = expected_leads(budget, cost_per_lead, max_leads, xp=xp)
    trials = leads * lead_to_trial
    return ChannelFlows(leads=leads, trials=trials, customers=trials * trial_to_paid)


def funnel(pool, target, reach, capture, lead_to_trial, trial_to_paid, draw, *, xp=jnp):
    """One Monte Carlo month of a channel's funnel, drawn from the prospects it can still reach.

    leads ~ Binomial(min(L_max, Σ_s target_s · pool_s), capture), trials ~ Binomial(leads, r_lt),
    customers ~ Binomial(trials, r_tp); the customers leave the pool of the segment they were won in.

    Parameters
    ----------
    pool : (..., S) non-adopters left; target : (..., S) 0/1, the segment the channel sells to.
    reach : (...) reachable leads a month L_max; capture : (...) :func:`lead_capture_probability`.
    lead_to_trial, trial_to_paid : (...) the funnel's conversion rates.
    draw : ``draw(stage, n, p)`` → Binomial(n, p) counts, stage 0, 1, 2 (leads, trials, customers): the
        engine's randomness (the kernel's uniforms of the stage, or the DES's generator).

    Returns
    -------
    (pool left, ChannelFlows(leads, trials, customers)).
    """
    leads = draw(0, xp.minimum(reach, xp.sum(target * pool, axis=-1)), capture)
    trials = draw(1, leads, lead_to_trial)
    won = draw(2, trials, trial_to_paid)
    return pool - target * xp.asarray(won)[..., None], ChannelFlows(leads, trials, won)


def marginal_cac(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads=np.inf, *, xp=jnp):
    """d budget / d customers = c·e^{b/(c·L_max)}/(r_lt·r_tp), USD for the next customer."""
    _check_funnel(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads)
    finite = xp.isfinite(max_leads)
    pool = xp.where(finite, max_leads, 1.0)
    with np.errstate(over="ignore"):  # an enormous budget: the marginal lead costs +inf
        growth = xp.where(finite, xp.exp(budget / (cost_per_lead * pool)), 1.0)
    return cost_per_lead * growth / (lead_to_trial * trial_to_paid)


def channel_cac(budgets, new_customers, *, channel_axis=-1):
    """Per-channel and blended CAC, USD per new customer.

    Parameters
    ----------
    budgets, new_customers : spend and customers won by channel, channels on
        ``channel_axis`` (e.g. (paths, months, channels)).

    Returns
    -------
    (per_channel, blended) : b_j/new_j, and Σ_j b_j / Σ_j new_j over the channel
        axis. +inf where spend > 0 won nobody; NaN where neither spend nor customers.
    """
    _checks.nonneg("budgets", budgets)
    _checks.nonneg("new_customers", new_customers)
    budgets = budgets if hasattr(budgets, "sum") else np.asarray(budgets, np.float64)
    new_customers = new_customers if hasattr(new_customers, "sum") else np.asarray(new_customers, np.float64)
    per_channel = _checks.divide(budgets, new_customers)
    blended = _checks.divide(budgets.sum(axis=channel_axis), new_customers.sum(axis=channel_axis))
    return per_channel, blended
