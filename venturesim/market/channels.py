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
lead→trial and trial→paid conversion rates. In the Monte Carlo (one uniform
per stage, :func:`venturesim._jax_random.binomial`):
leads ~ Binomial(L_max, 1 − e^{−b/(c·L_max)}) (the Poisson-touch reading,
so L_max must be finite there), trials ~ Binomial(leads, r_lt),
new ~ Binomial(trials, r_tp); each stage has the expected value above.

**CAC.** Per channel CAC_j = b_j / new_j; blended CAC = Σ b_j / Σ new_j
(USD per customer; +inf when customers are 0 and spend > 0). The marginal
CAC, d b/d new = c·e^{b/(c·L_max)}/(r_lt·r_tp), exceeds the average once
saturation bites, which is why scaling a channel raises blended CAC.

**Sales-led deals.** An opportunity opened in month s with a sales cycle of
C months (a real number, drawn per deal or per monthly cohort upstream) is
resolved in month s + ⌊C⌋: won with probability w (the win rate), lost
otherwise. A deal's age in month t is t − s, so the deals resolving in
month t are those with ⌊C⌋ = age. For a constant inflow of λ opportunities a
month, once t exceeds the longest cycle, closings (won deals) per month =
λ·w and the open pipeline at a month's end = λ·E[⌊C⌋] — Little's law,
L = λW, with W = ⌊C⌋ month-ends spent open (Little 1961, *Operations
Research* 9(3)).
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from venturesim._jax_random import binomial
from venturesim.market import _checks

CHANNELS = ("paid", "content", "outbound", "partners")
"""The channel kinds a scenario can name (the arithmetic is the same for each)."""


class ChannelFlows(NamedTuple):
    """One month of a channel's funnel (expected values or draws), counts per month."""

    leads: object
    trials: object
    customers: object


class DealFlows(NamedTuple):
    """Sales-led opportunities resolved in a month: won (new customers) and resolved (won + lost)."""

    won: object
    resolved: object


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


def channel_month_draw(u, budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads) -> ChannelFlows:
    """One Monte Carlo month of a channel: binomial leads, trials and customers (JAX).

    ``u`` has shape (3, ...) — one uniform per stage and count. ``max_leads`` must
    be finite (a whole number of reachable prospects); the means equal
    :func:`channel_month`'s.
    """
    _check_funnel(budget, cost_per_lead, lead_to_trial, trial_to_paid, max_leads)
    _checks.check("max_leads", max_leads, np.isfinite, "finite in the Monte Carlo draw")
    pool = jnp.round(jnp.asarray(max_leads, jnp.float32))
    capture = lead_capture_probability(budget, cost_per_lead, pool)
    leads = binomial(u[0], jnp.broadcast_to(pool, u[0].shape), capture)
    trials = binomial(u[1], leads, lead_to_trial)
    return ChannelFlows(leads=leads, trials=trials, customers=binomial(u[2], trials, trial_to_paid))


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


def _resolving(ages, cycle_months, xp):
    return (ages >= 0) & (xp.floor(cycle_months) == ages)


def deals_closing(ages, cycle_months, win_rate, opportunities=1.0, *, xp=jnp) -> DealFlows:
    """Expected opportunities resolved and won this month, summed over the last axis.

    Parameters
    ----------
    ages : (..., K) months since each deal/cohort was opened (this month − opening
        month; negative entries are not yet opened and never resolve).
    cycle_months : (..., K) broadcastable sales cycle C per deal/cohort, months ≥ 0.
    win_rate : probability w that a resolving deal is won, in [0, 1]; shape
        broadcastable to the result (...), e.g. one per path.
    opportunities : (..., K) broadcastable count of deals in each entry.

    Returns
    -------
    DealFlows(won, resolved) of shape (...): Σ n·w·1[⌊C⌋ = age] and Σ n·1[⌊C⌋ = age].
    """
    _checks.nonneg("cycle_months", cycle_months)
    _checks.probability("win_rate", win_rate)
    _checks.nonneg("opportunities", opportunities)
    resolved = xp.sum(xp.where(_resolving(ages, cycle_months, xp), opportunities, 0.0), axis=-1)
    return DealFlows(won=resolved * win_rate, resolved=resolved)


def deals_closing_draw(u, ages, cycle_months, win_rate, opportunities) -> DealFlows:
    """Monte Carlo :func:`deals_closing`: won ~ Binomial(resolving deals, w) per entry (JAX).

    ``u`` has the broadcast shape of (ages, cycle_months, opportunities), one uniform per entry.
    """
    _checks.nonneg("cycle_months", cycle_months)
    _checks.probability("win_rate", win_rate)
    _checks.nonneg("opportunities", opportunities)
    n = jnp.broadcast_to(jnp.where(_resolving(ages, cycle_months, jnp), opportunities, 0.0), jnp.shape(u))
    won = binomial(u, n, jnp.expand_dims(jnp.asarray(win_rate, jnp.float32), -1))
    return DealFlows(won=jnp.sum(won, axis=-1), resolved=jnp.sum(n, axis=-1))


def steady_state_pipeline(inflow, mean_whole_cycle_months, win_rate):
    """Little's law for a constant inflow λ a month: (open pipeline at month end, deals won a month).

    Open pipeline = λ·E[⌊C⌋] (each deal spends ⌊C⌋ month-ends open) and
    won per month = λ·w, once the months exceed the longest cycle.
    """
    _checks.nonneg("inflow", inflow)
    _checks.nonneg("mean_whole_cycle_months", mean_whole_cycle_months)
    _checks.probability("win_rate", win_rate)
    return inflow * mean_whole_cycle_months, inflow * win_rate
