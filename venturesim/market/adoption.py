r"""How marketing, quality, word of mouth and partners move the Bass coefficients.

The Bass (1969) hazard of adoption for a non-adopter is p + q·F (see
:mod:`venturesim.market.bass`): p is external influence (advertising, sales,
partners), q·F internal influence (word of mouth from the adopted fraction F).
This module turns a segment's base p, q (per month in the engine) into the
month's effective coefficients:

.. math::

    p' &= p · \Big(1 + L_{max} \frac{s}{s + s_{1/2}}\Big) · f(Δq; ε_a, M) · m_{partner},

    q' &= (q + k) · f(Δq; ε_a, M).

**Marketing** (s = marketing spend in the month, USD; s_{1/2} = spend at which
half the maximum lift is reached; L_max = the largest relative lift of p). A
concave, saturating response with diminishing returns — the Hill /
Michaelis–Menten curve with shape 1 used for media response in marketing-mix
models (Jin, Wang, Sun, Chan & Koehler 2017, "Bayesian methods for media mix
modeling with carryover and shape effects", Google; PyMC-Marketing's
``michaelis_menten`` saturation). The lift acts on p only, since advertising
is external influence in the Bass model. The alternative is the Generalized
Bass Model (Bass, Krishnan & Jain 1994, *Marketing Science* 13(3)), which
multiplies the whole hazard by x(t) = 1 + β_A·ΔA(t)/A(t−1) + β_P·ΔP(t)/P(t−1) —
a response to *changes* in advertising A and price P; it is undefined from
zero spend and keeps no memory of levels, so the level form above is the
default here. The marginal p per dollar, p·L_max·s_{1/2}/(s + s_{1/2})², falls
with spend.

**Quality** (Δq = our quality minus the reference's, dimensionless, positive
= better; e.g. the frontier's loss minus ours in nats/token): p and q are both
multiplied by the bounded response

.. math::

    f(Δq; ε, M) = M^{\tanh(ε Δq / \ln M)} = \exp\big(\ln M · \tanh(ε Δq / \ln M)\big),

which keeps the elasticity at the origin, d ln f/dΔq |₀ = ε, and stays in
[1/M, M] however large the gap (M > 1, the largest multiplier, default 3).
Near parity it is the log-linear e^{ε Δq} (ln f = εΔq − (εΔq)³/(3 ln²M) + …);
far from it a product cannot be adopted, kept or priced more than M times
better or worse than at parity, where the unbounded e^{ε Δq} would multiply
ARR about 8-fold for a 0.9-nat gap at ε = 2. Default ε_a = 2.0 per unit gap,
so Δq = +0.1 raises p and q by f = 1.2187 (e^{0.2} = 1.2214 unbounded). ε and
M are assumptions, not published estimates; a range of 0.5–5 for ε spans a
5 % to a 65 % response to Δq = 0.1. The same form drives churn
(f(−Δq; ε_c, M)) and price (f(Δq; ε_p, M)) in
:func:`venturesim.market._rules.quality_effect`.

**Word of mouth** (k = viral coefficient per month): in the Bass model one
adopter brings q/m·(m − N) ≈ q new adopters per unit time while the market
is untapped, so q is "adopters recruited per adopter per month". A referral
programme with K successful invitations per customer per viral cycle of
length c months adds k = K/c to q (the viral coefficient and cycle time
as in D. Skok 2009, "Lessons learned – viral marketing", forEntrepreneurs).

**Partners** (m_partner ≥ 1 typically): a resale or distribution partnership
widens external reach, so it multiplies p.

Peak adoption (Bass 1969): the adoption rate dF/dt peaks at
t* = ln(q/p)/(p + q) when q > p (0 otherwise), in the time unit of 1/p.
"""

from __future__ import annotations

from typing import NamedTuple

from venturesim.market import _checks


class _JaxNumpy:
    """``jax.numpy``, imported on first use: the default ``xp`` of this module's rules. ``venturesim
    validate`` calls :func:`quality_factor` with NumPy and imports no JAX."""

    def __getattr__(self, name: str):
        import jax.numpy

        return getattr(jax.numpy, name)


jnp = _JaxNumpy()

QUALITY_ELASTICITY_OF_ADOPTION = 2.0
"""Default ε_a: p, q × f(Δq; ε_a, M) (:func:`quality_factor`); assumption (see module docstring), range 0.5–5."""

QUALITY_MAX_MULTIPLIER = 3.0
"""Default M: no quality gap moves adoption, churn or price by more than 3× either way; assumption (see the
module docstring and docs/model/product.md)."""


class BassCoefficients(NamedTuple):
    """Effective Bass coefficients, same time unit as the inputs (per month in the engine)."""

    p: object
    q: object


def marketing_lift(spend, half_saturation, lift_max, channel_segment=None, *, xp=jnp):
    """1 + L_max · s/(s + s_{1/2}): the factor on p from monthly marketing spend s (USD).

    Equals 1 at s = 0, 1 + L_max/2 at s = s_{1/2}, and tends to 1 + L_max. With several
    channels k on the last axis of ``spend``, ``half_saturation`` and ``lift_max`` and
    ``channel_segment`` (..., K, S) saying which segment each one reaches, the lifts add:
    1 + Σ_k seg_{ks} L_k s_k/(s_k + s_{1/2,k}), (..., S) (the engines' awareness). Unchecked (it runs
    every month in the engines on validated scenario values): spend ≥ 0, s_{1/2} > 0, L_max ≥ 0.
    """
    lift = lift_max * spend / (spend + half_saturation)
    if channel_segment is None:
        return 1.0 + lift
    return 1.0 + xp.einsum("...ks,...k->...s", channel_segment, lift)


def quality_factor(
    quality_gap, quality_elasticity=QUALITY_ELASTICITY_OF_ADOPTION, max_multiplier=QUALITY_MAX_MULTIPLIER, *, xp=jnp
):
    """f = M^{tanh(ε Δq / ln M)}: the factor from the quality gap Δq (positive = better than reference).

    Elasticity ε at the origin (d ln f/dΔq = ε at Δq = 0), bounded in [1/M, M]; f = 1 when ε = 0.
    ``max_multiplier`` M > 1. Broadcasts; works for numpy and jax.numpy (``xp``).
    """
    _checks.nonneg("quality_elasticity", quality_elasticity)
    log_max = xp.log(max_multiplier)
    return xp.exp(log_max * xp.tanh(quality_elasticity * quality_gap / log_max))


def effective_bass(p, q, *, lift=1.0, quality=1.0, viral_coefficient=0.0, partner_multiplier=1.0, xp=jnp):
    """The month's Bass coefficients after marketing, quality, word of mouth and partners.

    Parameters
    ----------
    p, q : base Bass coefficients per month (p > 0, q ≥ 0), e.g. (paths, S).
    lift : marketing's factor on p (:func:`marketing_lift`), broadcastable.
    quality : the quality gap's factor on p and q, f(Δq; ε_a, M) (:func:`quality_factor`).
    viral_coefficient : k ≥ 0, recruited adopters per adopter per month, added to q.
    partner_multiplier : ≥ 0 factor on p from partnerships.

    Returns
    -------
    BassCoefficients(p', q') with p' = p·lift·f·m_partner and
    q' = (q + k)·f (f the quality factor), broadcast together (what both engines use; unchecked, as it runs every
    month on validated scenario values).
    """
    return BassCoefficients(p=p * lift * quality * partner_multiplier, q=(q + viral_coefficient) * quality)


def bass_peak_time(p, q, *, xp=jnp):
    """t* = ln(q/p)/(p + q), the time of peak adoption rate; 0 when q ≤ p. Units of 1/p (months for monthly p, q)."""
    _checks.positive("p", p)
    _checks.nonneg("q", q)
    return xp.where(q > p, xp.log(xp.maximum(q, p) / p) / (p + q), 0.0)


def bass_adoption_rate(t, p, q, *, xp=jnp):
    r"""dF/dt = (p + qF)(1 − F) at time t, with the closed form F(t); per unit time of 1/p.

    Equal to (p + q)² e^{−(p+q)t} / p / (1 + (q/p) e^{−(p+q)t})² (Bass 1969).
    """
    _checks.positive("p", p)
    _checks.nonneg("q", q)
    decay = xp.exp(-(p + q) * t)
    return (p + q) ** 2 / p * decay / (1.0 + (q / p) * decay) ** 2
