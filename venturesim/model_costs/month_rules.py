"""The product's month, one rule for both engines (``xp`` = numpy or jax.numpy; runs on the last axis).

:func:`month_figures` is what the JAX kernel (:func:`venturesim.model_costs.step.product_month`, a block of
paths) and the DES (one path) both call for month t; ``venturesim validate`` calls it with NumPy on the
inputs' medians (:func:`venturesim.model_costs.models.starting_quality`), so this module imports no JAX.
The maths is in :mod:`venturesim.model_costs.step`'s notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from venturesim.model_costs.roadmap import ProductParams

__all__ = ["ProductMonth", "month_figures"]


class ProductMonth(NamedTuple):
    """The product's figures for one month, (paths,)."""

    training_spend: Any  # USD
    quality_gap: Any  # nats/token; < 0 behind the frontier
    served_loss: Any  # nats/token
    cost_per_token: Any  # USD per token served


def month_figures(start, end, release, params: ProductParams, t, xp=np) -> ProductMonth:
    """Month t's figures (both engines) from each run's ``start``, ``end``, ``release`` (…, R), months; +inf:
    not (yet) — a run still training (end +inf) counts to the month end. ``t``: int (traced in the kernel).
    Training spend and cost per token move with the month's accelerator price multiplier ``params.gpu_price``."""
    tf = xp.asarray(t, dtype=start.dtype)
    running = xp.clip(xp.minimum(end, tf + 1.0) - xp.maximum(start, tf), 0.0, 1.0)
    running = xp.where(xp.isfinite(start), running, 0.0)
    losses = xp.concatenate(
        [xp.asarray(params.initial_loss)[..., None], xp.where(release <= tf, params.loss, xp.inf)], axis=-1
    )
    sizes = xp.concatenate([xp.asarray(params.initial_parameters)[..., None], params.parameters], axis=-1)
    best = xp.argmin(losses, axis=-1)[..., None]
    own_loss = xp.take_along_axis(losses, best, axis=-1)[..., 0]
    gpu = params.gpu_price[..., 0] if params.gpu_price.shape[-1] == 1 else params.gpu_price[..., t]
    own_cost = params.serving_cost_per_parameter_token * xp.take_along_axis(sizes, best, axis=-1)[..., 0] * gpu
    initial_api = params.initial_api_cost > 0  # the month-0 model is a vendor's: paid per token while served
    own_cost = xp.where(initial_api & (best[..., 0] == 0), params.initial_api_cost, own_cost)
    api = params.api_share[..., t] > 0  # a serving-plan phase on a vendor's API
    served_loss = xp.where(api, params.api_loss[..., t], own_loss)
    return ProductMonth(
        training_spend=xp.sum(params.cost_rate * running, axis=-1) * gpu,
        quality_gap=params.frontier_loss[..., t] - served_loss,
        served_loss=served_loss,
        cost_per_token=xp.where(api, params.api_cost_per_token[..., t], own_cost),
    )
