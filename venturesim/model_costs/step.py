"""The product roadmap in the JAX engine: the training queue (pure JAX), and the
monthly product figures — one rule for both engines (:func:`month_figures`,
``xp`` = numpy or jax.numpy, runs on the last axis).

**Queue** (computed once per path at month 0; the same rules as the DES
process :func:`venturesim.model_costs.process.training_job`). Runs take a
cluster slot in roadmap order: run r is *decided* — it takes a slot, or is
skipped because its base failed — no earlier than run r−1 is decided. With
s_r the submit month, d_{r−1} the previous run's decision time, b_r its
base's release (a fine-tune), and f the earliest time a slot is free:

    start_r = max(s_r, d_{r−1}, b_r, f)            (d_r = start_r)
    end_r   = start_r + work_r + K_r · restart_r,   K_r ~ Poisson(λ_r · work_r)
    release_r = end_r + delay_r if the run succeeds (probability 1 − p_fail), else never.

A fine-tune whose base failed is skipped at d_r = max(s_r, d_{r−1}, end of
the base). Interruptions arrive as a Poisson process during the work, so the
count over work_r months is Poisson(λ_r · work_r), whatever the DES's exact
interruption times.

**Month t** (the interval [t, t+1)):

* training spend = Σ_r cost_rate_r · |[start_r, end_r) ∩ [t, t+1)|, USD;
* the served model is, in a ``serving_plan`` phase with strategy 'api', the
  phase's vendor model (loss L_frontier(t) − its gap; cost its blended price per
  token); otherwise the lowest-loss own model released by time t (or the
  initial one); the quality gap g(t) = L_frontier(t) − L_served(t), nats/token;
* serving cost per token of an own model = cost per parameter-token × N_served
  × the month's accelerator price multiplier, USD; of a vendor's model (an API
  phase, or an API initial model while it is the best): its price per token.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from venturesim import _streams as streams
from venturesim._jax_random import fold_in, uniforms
from venturesim.model_costs.month_rules import ProductMonth, month_figures
from venturesim.model_costs.roadmap import ProductParams

__all__ = ["ProductMonth", "ProductState", "init_product", "month_figures", "product_month"]


class ProductState(NamedTuple):
    """Each run's schedule, (paths, R) months; +inf where it never happens."""

    start: jax.Array
    end: jax.Array
    release: jax.Array


def init_product(key: jax.Array, params: ProductParams) -> ProductState:
    """Schedule every run of every path (``key``: the block's key)."""
    shape = params.work.shape  # (paths, R)
    failed = uniforms(key, streams.PRODUCT, shape) < params.failure_probability
    interruptions = jax.random.poisson(
        fold_in(key, streams.PRODUCT_INTERRUPTIONS), params.interrupt_rate * params.work, shape
    )
    duration = params.work + interruptions * params.restart
    inf = jnp.full(shape[:1], jnp.inf, jnp.float32)
    free = params.slots.astype(jnp.float32)  # (paths, C) time each slot frees up
    decided = jnp.zeros(shape[:1], jnp.float32)
    starts: list[jax.Array] = []
    ends: list[jax.Array] = []
    releases: list[jax.Array] = []
    for r in range(shape[1]):  # static: runs on the roadmap
        submit = jnp.maximum(params.submit[:, r], decided)
        if r:
            has_base = params.base[:, r] >= 0
            index = jnp.clip(params.base[:, r].astype(jnp.int32), 0, r - 1)[:, None]
            base_release = jnp.take_along_axis(jnp.stack(releases, 1), index, 1)[:, 0]
            base_end = jnp.take_along_axis(jnp.stack(ends, 1), index, 1)[:, 0]
            skipped = has_base & jnp.isinf(base_release)
            submit = jnp.where(has_base, jnp.maximum(submit, jnp.where(skipped, base_end, base_release)), submit)
        else:
            skipped = jnp.zeros(shape[:1], bool)
        slot = jnp.argmin(free, axis=1)
        start = jnp.maximum(submit, jnp.min(free, axis=1))
        start = jnp.where(skipped, submit, start)
        end = start + duration[:, r]
        taken = (jnp.arange(free.shape[1]) == slot[:, None]) & ~skipped[:, None]
        free = jnp.where(taken, end[:, None], free)
        decided = start
        starts.append(jnp.where(skipped, inf, start))
        ends.append(jnp.where(skipped, inf, end))
        releases.append(jnp.where(skipped | failed[:, r], inf, end + params.release_delay[:, r]))
    if not starts:
        empty = jnp.zeros(shape, jnp.float32)
        return ProductState(start=empty, end=empty, release=empty)
    return ProductState(start=jnp.stack(starts, 1), end=jnp.stack(ends, 1), release=jnp.stack(releases, 1))


def product_month(state: ProductState, params: ProductParams, t: jax.Array) -> ProductMonth:
    """Month t's training spend, quality gap and serving cost (before masking by ``alive``)."""
    return month_figures(state.start, state.end, state.release, params, t, xp=jnp)
