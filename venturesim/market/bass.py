r"""Bass diffusion: how many of a segment's potential customers have adopted.

The Bass (1969) model: the fraction F(t) of a market of size m that has
adopted by time t solves

.. math:: \frac{dF}{dt} = (p + q F)(1 - F), \qquad F(0) = 0,

with innovation coefficient p (adoption from outside influence) and
imitation coefficient q (word of mouth). Its closed form is

.. math:: F(t) = \frac{1 - e^{-(p+q)t}}{1 + (q/p)\, e^{-(p+q)t}},

and adoption per unit time peaks at t* = ln(q/p)/(p + q) when q > p
(:func:`venturesim.market.adoption.bass_peak_time`)
(Bass 1969, Management Science 15(5); PyMC-Marketing's ``bass`` module
documents the same equations). Coefficients in scenarios are per year
(the published meta-analysis means p ≈ 0.03, q ≈ 0.38; Sultan, Farley &
Lehmann 1990); the monthly engine uses p/12 and q/12 with t in months.

**One month from any state.** The ODE is autonomous, so from a fraction f the
fraction one step Δ later is F(t₀ + Δ) with F(t₀) = f. Writing
x = e^{−(p+q)t}, F = (1 − x)/(1 + (q/p)x) inverts to
x = (1 − F)/(1 + (q/p)F); so x' = x·e^{−(p+q)Δ} and f' = (1 − x')/(1 + (q/p)x').
In the Monte Carlo each of the m − N non-adopters adopts during the month
with probability (f' − f)/(1 − f) (a binomial draw), so the expected adopted
fraction follows the closed form up to a Jensen term of order Var(f)·q/2,
i.e. O(q/m): the flow map is concave in f, so the stochastic mean runs
slightly *below* m·F(t). It is small but not nil: with m = 5 000 and
p, q = 0.12, 1.8 a year it is about 2.3 customers (0.05 % of m) near the
peak; with the published averages (p, q ≈ 0.03, 0.38) it is far smaller.
tests/market/test_bass.py checks both the closed-form agreement and the
engine against an exact-binomial replica at the larger q.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


def cumulative_fraction(t, p, q):
    """Closed-form F(t): fraction of the market adopted by time t (same time unit as 1/p)."""
    decay = np.exp(-(p + q) * np.asarray(t, dtype=np.float64))
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def advance_fraction(f, p, q, dt=1.0, xp=jnp):
    """Adopted fraction after a step ``dt`` from fraction ``f`` (exact ODE flow).

    Parameters
    ----------
    f : adopted fraction now, in [0, 1].
    p, q : Bass coefficients per unit of ``dt`` (p > 0).
    dt : step length.
    xp : array module, ``jax.numpy`` (the JAX engine) or ``numpy`` (the DES).
    """
    ratio = q / p
    x = (1.0 - f) / (1.0 + ratio * f)
    x_next = x * xp.exp(-(p + q) * dt)
    return (1.0 - x_next) / (1.0 + ratio * x_next)
