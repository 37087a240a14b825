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
(USD per customer; +inf when customers are 0 and spend > 0), from the engines'
``channel_spend`` and ``channel_conversions`` (:func:`venturesim.market.metrics.cac`).
The marginal CAC, d b/d new = c·e^{b/(c·L_max)}/(r_lt·r_tp), exceeds the
average once saturation bites, which is why scaling a channel raises blended CAC.

Sales-led deals and their cycles are in :mod:`venturesim.market.pipeline`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp

CHANNELS = ("paid", "content", "outbound", "partners")
"""The channel kinds a scenario can name (the arithmetic is the same for each)."""


class ChannelFlows(NamedTuple):
    """One month of a channel's funnel as drawn by :func:`funnel`, counts per month."""

    leads: object
    trials: object
    customers: object


def lead_capture_probability(budget, cost_per_lead, max_leads, *, xp=jnp):
    """1 − e^{−b/(c·L_max)}: chance that one reachable prospect becomes a lead this month."""
    return -xp.expm1(-budget / (cost_per_lead * max_leads))


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
