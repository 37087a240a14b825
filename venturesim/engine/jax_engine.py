"""The JAX engine: every path's months as one compiled ``lax.scan``.

``init(key, params)`` builds the month-0 state and ``step(keys, state, params, t)``
advances every path by one month (pure; BlackJAX-style kernel): the month itself
is :func:`venturesim.engine.month.close_month`, shared with the DES, driven by
:class:`BlockMonth` (each domain's JAX step under masks); then the rounds whose
trigger is met start raising and the team's signals for the next month are set.

Randomness (the registry :mod:`venturesim._streams`): paths run in fixed blocks
of :data:`BLOCK`; block b's key ``fold_in(k, b)`` is split once into an init key
(the training queue's noise) and a months key, month t's key is
``fold_in(months, t)``, and each domain folds in its own stream number and
draws for the whole block at once. Block b always holds
paths b·BLOCK … (b+1)·BLOCK − 1 in the same lanes, so a path's numbers depend
only on the seed and its index — not on the chunk size or device count.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import jaxlib.version

from venturesim import _streams as streams
from venturesim._jax_random import fold_in
from venturesim.engine.month import (
    close_month,
    failed_unbridged,
    final_results,
    next_signals,
    note_pace,
    sale_on_failure,
    team_hooks,
)
from venturesim.engine.month_close import dead_record, mask_dead
from venturesim.engine.params import Params
from venturesim.funding.debt import step_debt
from venturesim.funding.exits import step_exits
from venturesim.funding.instruments import step_notes
from venturesim.funding.rounds import (
    RAISING,
    FundingState,
    init_funding,
    months_to_close,
    months_to_window,
    resolve_rounds,
    start_rounds,
)
from venturesim.funding.traction import growth_multiple
from venturesim.market.step import MarketState, init_market, step_market
from venturesim.model_costs.step import ProductState, init_product, product_month
from venturesim.partnerships.step import PartnerState, init_partnerships, note_concentration, step_partnerships
from venturesim.partnerships.terms import concentration
from venturesim.risks.apply import adjust
from venturesim.team.step import TeamSignals, TeamState, init_team, initial_signals, step_team


class CompanyState(NamedTuple):
    """Per-path company state (paths,)."""

    cash: jax.Array  # USD
    alive: jax.Array  # bool
    death_month: jax.Array  # int32, −1 while alive
    arr: jax.Array  # USD, at the end of the previous month (partners judge traction by it)


class State(NamedTuple):
    """The whole per-path state."""

    company: CompanyState
    market: MarketState
    funding: FundingState
    product: ProductState
    team: TeamState
    signals: TeamSignals
    partnerships: PartnerState


def init(key: jax.Array, params: Params) -> State:
    """Month-0 state of every path (``key``: the block's key, for the training queue's noise)."""
    cash = jnp.asarray(params.company.initial_cash, jnp.float32)
    return State(
        company=CompanyState(
            cash=cash,
            alive=jnp.ones(cash.shape, bool),
            death_month=jnp.full(cash.shape, -1, jnp.int32),
            arr=jnp.zeros_like(cash),
        ),
        market=init_market(params.market),
        funding=init_funding(params.funding, params.company.founder_ownership, params.company.option_pool),
        product=init_product(key, params.product),
        team=init_team(params.team),
        signals=initial_signals(cash.shape[0], jnp.sum(params.market.initial_customers, axis=1))._replace(
            **team_hooks(params, jnp.int32(0), jnp, False)
        ),
        partnerships=init_partnerships(params.partnerships),
    )


class BlockMonth:
    """The JAX driver of :func:`venturesim.engine.month.close_month`: a block's domains stepped with the month's
    key, under masks; the new domain states are kept as attributes (set while tracing: the kernel stays pure)."""

    xp, row = jnp, False

    def __init__(self, key: jax.Array, state: State, params: Params):
        self.key, self.state, self.params = key, state, params
        self.funding, self.market_state = state.funding, state.market
        self.status_seen = state.funding.status  # the rounds' status at the month's start
        self.partner_state, self.team_state = state.partnerships, state.team

    def product(self, t):
        return product_month(self.state.product, self.params.product, t)

    def partners(self, t, alive, compute_spend):
        self.partner_state, month = step_partnerships(
            self.key, self.partner_state, self.params.partnerships, t, alive, self.state.company.arr, compute_spend
        )
        return month

    def team(self, t, alive):
        self.team_state, month = step_team(self.key, self.team_state, self.params.team, t, alive, self.state.signals)
        self.team_month = month
        return month

    def market(self, t, alive, market, quality, limits):
        self.market_state, flows = step_market(self.key, self.market_state, market, t, alive, quality, limits)
        return flows, self.market_state.customers

    def rounds(self, t, alive):
        f, hook = self.params.funding, self.params.risks.hooks.funding_success
        # a risk hook on the odds of an attempt resolving this month
        f = f._replace(success_probability=adjust(hook, f.success_probability, t, 0.0, 1.0, xp=jnp))
        self.funding, inflow = resolve_rounds(self.key, self.funding, f, t, alive)
        return inflow, None

    def debt(self, t, alive):
        update, debt, grants = step_debt(self.funding, self.params.funding, t.astype(jnp.float32), alive, xp=jnp)
        self.funding = self.funding._replace(**update._asdict())
        net_granted = self.team_month.equity_granted - self.team_month.equity_returned
        fields, notes = step_notes(self.funding, self.params.funding, t.astype(jnp.float32), alive, net_granted, xp=jnp)
        self.funding = self.funding._replace(**fields)
        return debt._replace(notes_interest=notes.interest, notes_principal=notes.principal), grants

    def settle(self, t, alive, accounts, arr, headcount):
        before = self.state.funding
        failed = failed_unbridged(before.attempts, self.funding.attempts, before.status, self.funding.status, jnp)
        self.funding, exited = step_exits(
            self.key,
            self.funding._replace(debt_balance=accounts.debt_balance),
            self.params.funding,
            t,
            alive,
            accounts.survived,
            arr,
            headcount,
            sale=sale_on_failure(self.params, failed, arr, accounts.cash, before.new_arr_pace, jnp),
        )
        return exited

    def concentration(self, t, alive, partner, revenue_by_segment):
        s = self.partner_state
        brought, over = concentration(partner, self.params.partnerships, revenue_by_segment, xp=jnp)
        month, share, _ = note_concentration(
            s.concentrated_month, s.concentrated_share, brought, over, t.astype(jnp.float32), alive
        )
        self.partner_state = s._replace(concentrated_month=month, concentrated_share=share)
        return jnp.max(brought, axis=1, initial=0.0)


def step(key: jax.Array, state: State, params: Params, t: jax.Array) -> tuple[State, dict]:
    """Advance every path of a block by month t (:func:`venturesim.engine.month.close_month`); ``key``: the
    block's key for this month."""
    alive = state.company.alive
    block = BlockMonth(key, state, params)
    end = close_month(block, params, t, alive, state.company.cash)
    new_arr_pace, burn_pace = note_pace(block.funding, state.company.arr, end, jnp)
    funding = block.funding._replace(new_arr_pace=new_arr_pace, burn_pace=burn_pace)
    growth = growth_multiple(end.arr, new_arr_pace, xp=jnp)  # the traction bars' year-over-year growth
    funding = start_rounds(funding, params.funding, t, end.runway, end.alive, end.arr, growth)
    failed = jnp.any(funding.attempts > state.funding.attempts, axis=1)
    raising = jnp.any(funding.status == RAISING, axis=1)
    to_close = months_to_close(funding.status == RAISING, funding.resolve_time, t + 1.0, jnp)
    to_window = months_to_window(funding.status, funding.next_try, params.funding, t + 1.0, end.arr, growth, jnp)
    signals = next_signals(
        end,
        failed,
        raising,
        params,
        t,
        jnp,
        False,
        pace=(new_arr_pace, burn_pace),
        to_close=to_close,
        to_window=to_window,
    )
    rounds_closed = end.record["rounds_closed"]
    segments = end.customers.shape[-1]
    dead = dead_record(state.company.cash, funding.founder_ownership, rounds_closed, segments, xp=jnp)
    company = CompanyState(
        cash=end.accounts.cash,
        alive=end.alive,
        death_month=jnp.where(alive & ~end.accounts.survived, t, state.company.death_month),
        arr=end.arr,
    )
    new = State(company, block.market_state, funding, state.product, block.team_state, signals, block.partner_state)
    return new, mask_dead(end.record, alive, dead, xp=jnp)


BLOCK = 4096
"""Paths per compiled kernel call. Every path is computed inside a block of this
exact shape, so the generated code (and so each float32 rounding, e.g. whether
a multiply-add is fused) is the same whatever the chunk size."""


KERNEL_COMPILER_OPTIONS = (
    {"xla_cpu_experimental_ynn_fusion_type": ""} if jaxlib.version.__version_info__ >= (0, 9) else {}
)
"""XLA options of the compiled kernel (:func:`run_block`, and the sharded call around it): no YNNPACK library
fusions on the CPU. jaxlib 0.10's XLA:CPU hands reductions such as a sum over a path's 2 segments or 4 roles
(trailing axes of 1–4) to YNNPACK, whose call took ≈ 260 µs for one 4,096 × 4 sum that XLA's own loop fusion
does in a few µs; with its 55 such reductions a month, `scenarios/seed_stage_api.yaml` ran at 1.10e6
path-months/s, and at 1.33e6 without them (docs/performance.md, "XLA's YNNPACK reductions turned off"). Set per
compile, not through ``XLA_FLAGS``, so a path's numbers do not depend on the process's environment or on what
imported JAX first; only XLA:CPU reads it. jaxlib before 0.9 has neither the option nor these fusions."""


@partial(jax.jit, static_argnames=("months", "metrics", "width"), compiler_options=KERNEL_COMPILER_OPTIONS)
def run_block(params: Params, block_keys: jax.Array, months: int, metrics: tuple[str, ...], width: int = 1):
    """Run ``months`` months for ``paths`` paths (a multiple of ``width`` × :data:`BLOCK`).

    ``block_keys`` holds one key per block of BLOCK paths (paths // BLOCK,). The blocks run as
    ``lax.map`` over groups of ``width`` blocks, each group's blocks side by side (``vmap``): width 1 on a
    CPU (one block at a time fills a core), more on an accelerator (one block of 4,096 paths would leave
    most of a GPU idle; :func:`venturesim.engine.simulate.blocks_per_call`). A block's random numbers come
    from its own key either way.
    Returns the selected records, each (months, paths, ...), and the per-path
    results (:func:`venturesim.engine.month.final_results`).
    """
    n = block_keys.shape[0] * BLOCK
    if width == 1:
        blocks = jax.tree_util.tree_map(lambda a: a.reshape((n // BLOCK, BLOCK) + a.shape[1:]), params)
        records, final = jax.lax.map(
            lambda block: _run_paths(block[0], block[1], months, metrics), (blocks, block_keys)
        )
    else:
        groups = n // (BLOCK * width)
        blocks = jax.tree_util.tree_map(lambda a: a.reshape((groups, width, BLOCK) + a.shape[1:]), params)
        side_by_side = jax.vmap(lambda block, key: _run_paths(block, key, months, metrics))
        records, final = jax.lax.map(lambda group: side_by_side(*group), (blocks, block_keys.reshape((groups, width))))
        records = {m: r.reshape((groups * width,) + r.shape[2:]) for m, r in records.items()}
        final = jax.tree_util.tree_map(lambda a: a.reshape((groups * width,) + a.shape[2:]), final)
    records = {  # (blocks, months, BLOCK, ...) → (months, paths, ...)
        m: jnp.moveaxis(r, 0, 1).reshape((months, n) + r.shape[3:]) for m, r in records.items()
    }
    final = jax.tree_util.tree_map(lambda a: a.reshape((n,) + a.shape[2:]), final)
    return records, final


MONTH_SERIES: dict[str, int] = {
    "company.compute": 1,
    "funding.climate": 1,
    "market.channel_budget": 1,
    "market.churn": 1,
    "market.competitor_cut": 1,
    "market.price": 1,
    "market.price_per_mtoken": 1,
    "market.price_per_seat": 1,
    "market.tier_price": 1,
    "product.api_cost_per_token": 1,
    "product.api_loss": 1,
    "product.api_loss_shift": 1,
    "product.api_migration": 1,
    "product.api_price": 1,
    "product.api_share": 1,
    "product.frontier_loss": 1,
    "risks.added_costs": 1,
    "risks.hooks.funding_success.scale": 1,
    "risks.hooks.funding_success.shift": 1,
    "risks.hooks.market_p.scale": 1,
    "risks.hooks.market_p.shift": 1,
    "risks.hooks.market_q.scale": 1,
    "risks.hooks.market_q.shift": 1,
    "team.monthly_cost": 2,
    "team.payroll_budget": 1,
    "team.plan": 2,
}
"""The Params series (field path: its month axis in a block's arrays) that a month's rules read only at that month,
through :func:`venturesim._xp.month_of` or a reader on the same convention (a month axis of length 1 holds every
month). The kernel stores them month-major and hands each month a view (:func:`month_view`). Read at other months,
and so left whole: ``company.other_costs`` (its length is the horizon),
``risks.hooks.team_attrition`` and ``team_productivity`` (month t + 1, for the next month's signals).

Why: a block's series are (paths, …, months) arrays, so month t of one is a strided gather (one cache line per path
and entry); inside the month loop XLA:CPU then runs the whole fusion that reads it element by element. Month-major,
month t is one contiguous slice. ``scenarios/seed_stage_api.yaml``'s kernel ran ≈ 15 % faster, the minimal model's
≈ 19 % (docs/performance.md, "Series read month-major"). A view holds the very values the rule read before; XLA
fuses the month differently around them, so a float32 sum of money can round differently in its last bit."""


def field_name(key_path) -> str:
    """A Params leaf's field path as :data:`MONTH_SERIES` names it (``"company.compute"``), from its pytree path."""
    return jax.tree_util.keystr(key_path).lstrip(".")


def named_leaves(params: Params) -> dict:
    """Every leaf of ``params`` by its field path (:func:`field_name`)."""
    return {field_name(key_path): leaf for key_path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]}


def months_compacted(params: Params) -> Params:
    """``params`` (host arrays, before the kernel) with each :data:`MONTH_SERIES` leaf that is the same every month
    cut to a month axis of length 1, which holds every month's value (:func:`venturesim._xp.month_of`).

    The sampler gives a series constant over the months (a constant spec, no risk acting on it, no product: its
    quality and API series) as a read-only broadcast view, zero stride on the month axis
    (:func:`venturesim.spec.timeseries.draw_series`); which leaves are views follows from the scenario, never from
    the drawn numbers, so every chunk of a run has the same shapes. Sent whole, each view was copied at full size
    into the kernel's input (``jax.device_put``) and transposed month-major inside it (:func:`month_major`), for
    values it already had: ``seed_stage_api.yaml`` has 10 such leaves, 15.8 of a block's 26.2 MB
    (docs/performance.md, "Constant series sent as one month")."""

    def compact(key_path, leaf):
        axis = MONTH_SERIES.get(field_name(key_path))
        if axis is None or leaf.shape[axis] <= 1 or leaf.strides[axis] != 0:
            return leaf
        return leaf[(slice(None),) * axis + (slice(0, 1),)]

    return jax.tree_util.tree_map_with_path(compact, params)


def month_major(params: Params) -> dict[str, jax.Array]:
    """The :data:`MONTH_SERIES` of a block that vary by month, month axis first (one transpose a block)."""
    leaves = named_leaves(params)
    return {
        name: jnp.moveaxis(leaves[name], axis, 0) for name, axis in MONTH_SERIES.items() if leaves[name].shape[axis] > 1
    }


def month_view(params: Params, major: dict[str, jax.Array], t) -> Params:
    """``params`` with each series of ``major`` replaced by its month ``t`` on a month axis of length 1."""

    def view(key_path, leaf):
        name = field_name(key_path)
        return jnp.expand_dims(major[name][t], MONTH_SERIES[name]) if name in major else leaf

    return jax.tree_util.tree_map_with_path(view, params)


def _run_paths(params: Params, block_key: jax.Array, months: int, metrics: tuple[str, ...]):
    """Scan ``months`` months over one block of paths (each month's rules see :func:`month_view`)."""
    major = month_major(params)

    def body(carry, t):
        state, _ = carry
        new_state, record = step(fold_in(months_key, t), state, month_view(params, major, t), t)
        return (new_state, (record["arr"], record["runway"])), {m: record[m] for m in metrics}

    init_key, months_key = streams.block_keys(block_key)
    state0 = init(init_key, params)
    zeros = jnp.zeros_like(state0.company.cash)
    (state, (arr, runway)), records = jax.lax.scan(body, (state0, (zeros, zeros)), jnp.arange(months))
    c = state.company
    final = final_results(
        state.funding, state.partnerships, params, c.cash, arr, runway, c.death_month, jnp, runs=state.product
    )
    return records, final
