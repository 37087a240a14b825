"""Option grants: vesting with a cliff, and what returns to the pool when people leave.

A grant of g (fraction of fully diluted) made at hire vests by tenure τ —
the number of whole months since the hire month (0 at the end of the hire
month) — as

.. math:: v(τ) = 𝟙[τ ≥ C] · \\min(τ / V, 1),

with V the vesting period and C the cliff (V = 48, C = 12 by default: the
standard four-year schedule with a one-year cliff, Carta/NVCA practice). So
nothing vests in the first year, a quarter vests at the 12-month anniversary,
then 1/48 a month, and everything after 48 months. With V = 0 a grant vests at
once.

When a person leaves at tenure τ, the unvested part g · (1 − v(τ)) returns to
the option pool and the vested part g · v(τ) stays issued (the leaver keeps
the options). The pool identity holds at all times:

    pool_initial = pool_available + Σ grants of current people + Σ vested of leavers.

In the JAX kernel people of a role are tracked by tenure month in B buckets,
the last absorbing ("B − 1 months or more"), so ``vesting_curve(B, V, C)``
gives v for each bucket; the DES applies the same curve to each person (tenure
capped at B − 1, where v = 1 already when grants are made).
"""

from __future__ import annotations

import numpy as np

__all__ = ["vested_fraction", "vesting_curve"]


def _check(vesting_months, cliff_months) -> None:
    if vesting_months < 0:
        raise ValueError(f"vesting_months(={vesting_months}) must be >= 0")
    if not 0 <= cliff_months <= max(vesting_months, 0):
        raise ValueError(f"cliff_months(={cliff_months}) must be in [0, vesting_months(={vesting_months})]")


def vested_fraction(tenure_months, vesting_months: float = 48, cliff_months: float = 12, xp=np):
    """Vested share v(τ) of a grant after ``tenure_months`` whole months (array or number).

    Parameters
    ----------
    tenure_months : whole months since the hire month (0 at the end of it).
    vesting_months : V, months over which the grant vests (0: at once).
    cliff_months : C ≤ V, tenure before which nothing vests.
    xp : ``numpy`` or ``jax.numpy``.
    """
    tau = xp.asarray(tenure_months)
    if vesting_months == 0:
        return xp.ones_like(tau, dtype=float) if xp is np else xp.ones(tau.shape)
    share = xp.minimum(tau / vesting_months, 1.0)
    return xp.where(tau >= cliff_months, share, 0.0)


def vesting_curve(buckets: int, vesting_months: float = 48, cliff_months: float = 12) -> np.ndarray:
    """v for tenure buckets 0 … buckets − 1 (the last bucket holds everyone at least that long)."""
    if buckets < 1:
        raise ValueError(f"buckets(={buckets}) must be >= 1")
    _check(vesting_months, cliff_months)
    return np.asarray(vested_fraction(np.arange(buckets, dtype=np.float64), vesting_months, cliff_months))
