"""Productive capacity: ramp-up of new people and diminishing returns of team size.

**Ramp.** A person in tenure month τ (0 in the month they start) works at

.. math:: r(τ) = \\min\\left(\\frac{τ + 1}{R + 1}, 1\\right)

of full productivity, R = ``ramp_months``: with R = 3 that is 25 %, 50 %,
75 %, then 100 % from the fourth month — the linear ramp commonly used for
quota-carrying sales staff and onboarding engineers (R is an assumption per
role, see the catalogue). R = 0: productive at once.

**Ramped FTE** of a capacity group (engineering/research, sales, support) is
Σ over its people of r(τ): people-months of full productivity in the month.

**Diminishing returns.** Adding people adds less than proportional output
(Brooks 1975, *The Mythical Man-Month*: n people have n(n − 1)/2
communication channels). Two documented forms:

* power law (default): E = F^α with α = ``capacity_exponent`` = 0.91, the
  reciprocal of COCOMO II's nominal scale exponent ≈1.10 (effort ∝ size^1.10,
  so output ∝ effort^0.91; Boehm et al. 2000, *Software Cost Estimation with
  COCOMO II*). α = 1 is no loss; E(1) = 1 always.
* communication overhead: E = F − c · F(F − 1)/2, each pair of people costing
  c FTE of coordination (Brooks's channels); E peaks at F* = 1/c + 1/2 and is
  clipped at 0 beyond 2/c + 1. ``brooks_capacity`` gives it for analyses.

**Effects** (``team.capacity_effects``; docs/model/team.md). Each month uses
the month's own ramped FTE (the people on payroll at its end, as payroll
counts them; the engines close the team before the market):

* engineering: X_t = Σ_{τ≤t} E_τ effective FTE-months done so far (E = F^α of
  the engineering/research FTE) raise quality by
  G_t = G_max (1 − e^{−X_t/X_0}) nats/token, X_0 = G_max / g₀ with g₀ the
  initial slope (nats per FTE-month): a saturating learning curve, so a
  bigger team gets there sooner but never past G_max (:func:`quality_gain`);
* sales: at most C = ⌊F_sales · d + U⌋ sales-led deals are won in the month,
  F_sales the ramped sales FTE (productivity-scaled, no diminishing returns:
  each account executive carries their own quota), d deals per FTE-month and
  U ~ Uniform[0, 1), so E[C] = F_sales · d exactly — a plain floor would let
  one account executive at 0.7 deals a month win nothing, ever
  (:func:`deal_capacity`);
* support: the team serves F_support · k customers at load 1 (k customers
  per FTE); the market raises churn with the load (:func:`support_capacity`
  here, the multiplier in :func:`venturesim.market.step.support_multiplier`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "brooks_capacity",
    "deal_capacity",
    "effective_capacity",
    "month_capacity",
    "quality_gain",
    "ramp_weights",
    "support_capacity",
]


def ramp_weights(ramp_months, buckets: int, xp=np):
    """r(τ) for τ = 0 … buckets − 1; ``ramp_months`` may be an array (…) → result (…, buckets)."""
    if buckets < 1:
        raise ValueError(f"buckets(={buckets}) must be >= 1")
    ramp = xp.asarray(ramp_months)[..., None]
    tau = xp.arange(buckets)
    return xp.minimum((tau + 1.0) / (ramp + 1.0), 1.0)


def effective_capacity(fte, exponent: float | np.ndarray = 0.91, xp=np):
    """Power-law capacity E = F^α of ``fte`` ramped FTE (0 stays 0)."""
    fte = xp.maximum(xp.asarray(fte), 0.0)
    return xp.where(fte > 0, xp.power(xp.maximum(fte, 1e-30), exponent), 0.0)


def brooks_capacity(fte, overhead: float):
    """Communication-overhead capacity E = max(F − c F(F − 1)/2, 0) with c = ``overhead`` FTE per pair."""
    if not 0 <= overhead < 1:
        raise ValueError(f"overhead(={overhead}) must be in [0, 1)")
    fte = np.asarray(fte, dtype=np.float64)
    if np.any(fte < 0):
        raise ValueError(f"fte(={fte}) must be >= 0")
    return np.maximum(fte - overhead * fte * (fte - 1.0) / 2.0, 0.0)


def quality_gain(done, max_gain, scale, xp=np):
    """G = G_max (1 − e^{−X/X_0}) nats/token for ``done`` = X effective FTE-months and ``scale`` = X_0.

    dG/dX at X = 0 is G_max / X_0 (the initial slope); X = X_0 gives 63.2 % of G_max.
    """
    return max_gain * -xp.expm1(-xp.maximum(xp.asarray(done), 0.0) / scale)


def deal_capacity(sales_fte, deals_per_fte, u, xp=np):
    """C = ⌊F · d + u⌋: deals the sales team can win in a month, u ~ Uniform[0, 1) (E[C] = F · d)."""
    return xp.floor(xp.maximum(xp.asarray(sales_fte), 0.0) * deals_per_fte + u)


def support_capacity(support_fte, customers_per_fte, xp=np):
    """Customers the support team serves at load 1: F_support · k."""
    return xp.maximum(xp.asarray(support_fte), 0.0) * customers_per_fte


def month_capacity(fte, function, productivity, exponent, done, effects, u, xp=np):
    """The month's capacity (both engines) from ``fte`` (…, K), the ramped FTE per role.

    ``function`` (…, K, 3): each role's group; ``productivity`` (…): the risks' multiplier; ``exponent``: α;
    ``done``: X_{t−1}; ``effects``: CapacityParams (None blocks: no effect); ``u``: the sales cap's uniform.
    Returns (FTE by group × productivity (…, 3), E = F_eng^α, X_t, G_t, C, customers served at load 1),
    an effect the scenario does not give being None.
    """
    by_function = xp.einsum("...k,...kf->...f", fte, function) * xp.asarray(productivity)[..., None]
    engineering = effective_capacity(by_function[..., 0], exponent, xp=xp)
    done = done + engineering
    e = effects
    return (
        by_function,
        engineering,
        done,
        None if e.gain_max is None else quality_gain(done, e.gain_max, e.gain_scale, xp=xp),
        None if e.deals_per_fte is None else deal_capacity(by_function[..., 1], e.deals_per_fte, u, xp=xp),
        None if e.customers_per_fte is None else support_capacity(by_function[..., 2], e.customers_per_fte, xp=xp),
    )
