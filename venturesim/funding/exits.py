"""Exits, written once for both engines (``xp``: numpy or jax.numpy), and the waterfall at the horizon.

At the end of month t (after the cash identity and death, see
:mod:`venturesim.engine.month_close`), for each path (rules in
:mod:`venturesim.funding.terms`; :func:`exit_outcome`), in this order of precedence:

* alive with ARR ≥ the IPO threshold → IPO at ARR × the IPO multiple;
* else alive → acquired with probability 1 − e^{−λ(ARR)} at ARR × the
  acquisition multiple;
* out of cash this month → acqui-hired with its probability (headcount ×
  value per head) or shut down (the asset sale).

Each engine brings its own uniforms: the JAX kernel draws two per path every
month (:func:`step_exits`); the DES draws only where the outcome is uncertain
(:func:`venturesim.funding.process.month_end_exit`), and passes 0 (an outcome
certain to happen) or 1 (certain not to) otherwise.

An exit ends the path's flows (``alive`` turns False) but is not a death.
Venture debt outstanding at the exit is repaid first, from the exit's value,
once: the equity waterfall shares max(value − debt, 0) and the balance is
cleared (:func:`settle_exit`), so no more interest or principal is paid.
At the horizon every exited path's value goes through the waterfall over
the cap table it had at the exit (no round closes after an exit, so the
final ownership is that table); a path still private gets nothing yet.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from venturesim import _streams as streams
from venturesim._jax_random import uniforms
from venturesim.funding.instruments import amount_due
from venturesim.funding.ownership import Holders
from venturesim.funding.params import FundingParams
from venturesim.funding.rounds import CLOSED, FundingState
from venturesim.funding.shares.waterfall import waterfall_arrays
from venturesim.funding.terms import (
    ACQUIHIRE,
    ACQUISITION,
    IPO,
    NO_EXIT,
    SHUTDOWN,
    acquisition_probability,
    exit_classes,
)


class ExitUpdate(NamedTuple):
    """The funding fields an exit sets (…,) (the balance (…, D): cleared by the exit); NumPy or JAX arrays (``xp``)."""

    exit_kind: Any
    exit_month: Any
    exit_value: Any
    exit_debt: Any  # USD repaid from the exit's value before the equity
    debt_balance: Any


def exit_outcome(survived, died, arr, headcount, u_acquired, u_acquihire, f, xp=np, sale=None):
    """(kind, value USD) of the exit decided at a month end, (…,) (kind: :data:`NO_EXIT` for none).

    ``survived``: alive at the month's end (cash ≥ 0); ``died``: ran out of cash
    this month; ``u_acquired``, ``u_acquihire``: uniforms on [0, 1). ``sale``: (probability, value USD) of
    a sale on a failed round (:func:`venturesim.team._rules.sale_terms`): a company alive at the month end
    is sold (an acquisition at that value) when ``u_acquihire`` < the probability, unless acquired anyway.
    """
    survived, died = xp.asarray(survived), xp.asarray(died)
    ipo = survived & (arr >= f.ipo_threshold)
    p_acquired = acquisition_probability(
        arr, f.acquisition_hazard, f.acquisition_reference_arr, f.acquisition_elasticity, xp=xp
    )
    acquired = survived & ~ipo & (u_acquired < p_acquired)
    sold = survived & ~ipo & ~acquired & (u_acquihire < sale[0]) if sale is not None else False
    acquired = acquired | sold
    acquihired = died & (u_acquihire < f.acquihire_probability)
    kind = xp.where(
        ipo, IPO, xp.where(acquired, ACQUISITION, xp.where(acquihired, ACQUIHIRE, xp.where(died, SHUTDOWN, NO_EXIT)))
    )
    value = xp.where(
        ipo,
        arr * f.ipo_multiple,
        xp.where(
            acquired,
            xp.where(sold, sale[1], arr * f.acquisition_multiple) if sale is not None else arr * f.acquisition_multiple,
            xp.where(acquihired, headcount * f.acquihire_value_per_head, xp.where(died, f.asset_sale, 0.0)),
        ),
    )
    return kind, value


def settle_exit(state, kind, value, t, xp=np) -> ExitUpdate:
    """Note an exit (``kind`` ≠ NO_EXIT) in month t: its kind, month, value and the debt it repays (cleared)."""
    happened = kind != NO_EXIT
    balance = state.debt_balance
    return ExitUpdate(
        exit_kind=xp.where(happened, kind, state.exit_kind),
        exit_month=xp.where(happened, t, state.exit_month),
        exit_value=xp.where(happened, value, state.exit_value),
        exit_debt=xp.where(happened, xp.sum(balance, axis=-1), state.exit_debt),
        debt_balance=xp.where(xp.asarray(happened)[..., None], 0.0, balance),
    )


def step_exits(
    key: jax.Array,
    state: FundingState,
    params: FundingParams,
    t: jax.Array,
    was_alive: jax.Array,
    alive_next: jax.Array,
    arr: jax.Array,
    headcount: jax.Array,
    sale=None,
) -> tuple[FundingState, jax.Array]:
    """Exits decided at the end of month t; returns the state and ``exited`` (paths,) bool (IPO or acquisition).
    ``sale``: (probability, value) of a sale on a failed round (:func:`exit_outcome`)."""
    u = uniforms(key, streams.EXITS, (2,) + arr.shape)
    kind, value = exit_outcome(
        alive_next, was_alive & ~alive_next, arr, headcount, u[0], u[1], params, xp=jnp, sale=sale
    )
    update = settle_exit(state, kind, value, t.astype(jnp.float32), xp=jnp)
    state = state._replace(**update._replace(exit_kind=update.exit_kind.astype(jnp.int32))._asdict())
    return state, (kind == IPO) | (kind == ACQUISITION)


def exit_proceeds(state, params: FundingParams, xp=jnp):
    """(founders' proceeds (…,), each round's investors' proceeds (…, R)), USD, from the waterfall.

    ``state``: the funding fields (a block's or one path's) after the last month. A note still outstanding
    at the exit is paid like 1x preferred on its principal and the simple interest accrued to the exit month.
    """
    closed = state.status == CLOSED
    founder_ownership = xp.asarray(state.founder_ownership)
    holders = Holders.of(state)._replace(
        founders=founder_ownership, others=xp.asarray(state.other_ownership), pool=xp.asarray(state.pool_ownership)
    )
    # an outstanding note is owed its principal and interest at the exit month (funding.instruments)
    exit_month = xp.asarray(state.exit_month)[..., None]
    owed = amount_due(state.round_amount, params.interest_rate, state.close_month, exit_month, params.kind, xp=xp)
    amount = xp.where(state.outstanding, owed, state.round_amount)
    prefs, shares, rank, kind, cap = exit_classes(holders, closed, params, xp=xp, amount=amount)
    value = xp.where(xp.asarray(state.exit_kind) != NO_EXIT, xp.maximum(state.exit_value - state.exit_debt, 0.0), 0.0)
    batch, classes = value.shape, shares.shape[-1]
    paid = waterfall_arrays(
        xp.reshape(value, (-1,)),
        xp.reshape(prefs, (-1, classes)),
        xp.reshape(shares, (-1, classes)),
        xp.reshape(rank, (-1, classes)),
        xp.reshape(kind, (-1, classes)),
        xp.reshape(cap, (-1, classes)),
        xp=xp,
    )
    paid = xp.reshape(paid, batch + (classes,))  # (…, 1 + R)
    common = shares[..., 0]
    founders = paid[..., 0] * xp.where(common > 0, founder_ownership / xp.where(common > 0, common, 1.0), 0.0)
    return founders, paid[..., 1:]
