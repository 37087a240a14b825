"""Exits in the JAX engine, and the waterfall at the horizon (pure JAX).

At the end of month t (after the cash identity and death, see
:mod:`venturesim.engine.jax_engine`), for each path (rules in
:mod:`venturesim.funding.terms`):

* alive with ARR ≥ the IPO threshold → IPO at ARR × the IPO multiple;
* else alive → acquired with probability 1 − e^{−λ(ARR)} at ARR × the
  acquisition multiple;
* out of cash this month → acqui-hired with its probability (headcount ×
  value per head) or shut down (the asset sale).

An exit ends the path's flows (``alive`` turns False) but is not a death.
Venture debt outstanding at the exit is repaid first: the equity waterfall
shares max(value − debt, 0).
At the horizon every exited path's value goes through the waterfall over
the cap table it had at the exit (no round closes after an exit, so the
final ownership is that table); a path still private gets nothing yet.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from venturesim._jax_random import uniforms
from venturesim.funding.params import FundingParams
from venturesim.funding.rounds import CLOSED, FundingState
from venturesim.funding.terms import (
    ACQUIHIRE, ACQUISITION, IPO, NO_EXIT, SHUTDOWN, acquisition_probability, exit_classes,
)
from venturesim.funding.shares.waterfall import waterfall_arrays

STREAM = 6


def step_exits(
    key: jax.Array, state: FundingState, params: FundingParams, t: jax.Array,
    was_alive: jax.Array, alive_next: jax.Array, arr: jax.Array, headcount: jax.Array,
) -> tuple[FundingState, jax.Array]:
    """Exits decided at the end of month t; returns the state and ``exited`` (paths,) bool (IPO or acquisition)."""
    u = uniforms(key, STREAM, (2,) + arr.shape)
    ipo = alive_next & (arr >= params.ipo_threshold)
    p_acquired = acquisition_probability(
        arr, params.acquisition_hazard, params.acquisition_reference_arr, params.acquisition_elasticity, xp=jnp
    )
    acquired = alive_next & ~ipo & (u[0] < p_acquired)
    died = was_alive & ~alive_next
    acquihired = died & (u[1] < params.acquihire_probability)
    kind = jnp.where(ipo, IPO, jnp.where(acquired, ACQUISITION, jnp.where(
        acquihired, ACQUIHIRE, jnp.where(died, SHUTDOWN, NO_EXIT))))
    value = jnp.select(
        [ipo, acquired, acquihired, died],
        [arr * params.ipo_multiple, arr * params.acquisition_multiple,
         headcount * params.acquihire_value_per_head, params.asset_sale],
        0.0,
    )
    happened = kind != NO_EXIT
    return (
        state._replace(
            exit_kind=jnp.where(happened, kind, state.exit_kind).astype(jnp.int32),
            exit_month=jnp.where(happened, t.astype(jnp.float32), state.exit_month),
            exit_value=jnp.where(happened, value, state.exit_value),
            exit_debt=jnp.where(happened, jnp.sum(state.debt_balance, axis=-1), state.exit_debt),
        ),
        ipo | acquired,
    )


def exit_proceeds(state: FundingState, params: FundingParams) -> tuple[jax.Array, jax.Array]:
    """(founders' proceeds (paths,), each round's investors' proceeds (paths, R)), USD, from the waterfall."""
    closed = state.status == CLOSED
    prefs, shares, rank, kind, cap = exit_classes(
        state.founder_ownership, state.other_ownership, state.pool_ownership, state.investor_ownership,
        closed, params.amount, params.preference, params.participation, params.cap_multiple, params.seniority,
        xp=jnp,
    )
    value = jnp.where(state.exit_kind != NO_EXIT, jnp.maximum(state.exit_value - state.exit_debt, 0.0), 0.0)
    paid = waterfall_arrays(value, prefs, shares, rank, kind, cap, xp=jnp)  # (paths, 1 + R)
    common = shares[:, 0]
    founders = paid[:, 0] * jnp.where(common > 0, state.founder_ownership / jnp.where(common > 0, common, 1.0), 0.0)
    return founders, paid[:, 1:]
