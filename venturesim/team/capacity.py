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
"""

from __future__ import annotations

import numpy as np

__all__ = ["brooks_capacity", "effective_capacity", "ramp_weights"]


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
