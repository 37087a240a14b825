"""The product's month, one rule for both engines (``xp`` = numpy or jax.numpy; runs on the last axis).

:func:`month_figures` is what the JAX kernel (:func:`venturesim.model_costs.step.product_month`, a block of
paths) and the DES (one path) both call for month t; ``venturesim validate`` calls it with NumPy on the
inputs' medians (:func:`venturesim.model_costs.models.starting_quality`), so this module imports no JAX.
The maths is in :mod:`venturesim.model_costs.step`'s notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from venturesim._xp import fold_range, month_of

if TYPE_CHECKING:
    from venturesim.model_costs.roadmap import ProductParams

__all__ = ["ProductMonth", "month_figures"]


class ProductMonth(NamedTuple):
    """The product's figures for one month, (paths,)."""

    training_spend: Any  # USD
    quality_gap: Any  # nats/token; < 0 behind the frontier
    served_loss: Any  # nats/token
    cost_per_token: Any  # USD per token served
    training_energy: Any  # kWh drawn by the training runs in the month (facility: × PUE)
    energy_per_token: Any  # kWh per token served on own accelerators (0 for a vendor's API)
    migration_cost: Any  # USD: a forced migration off a deprecated vendor model the product is served by


def _month(series, t):
    """Month t of a (…, T|1) series (length 1: every month)."""
    return month_of(series, t, -1)


def month_figures(start, end, release, params: ProductParams, t, xp=np) -> ProductMonth:
    """Month t's figures (both engines) from each run's ``start``, ``end``, ``release`` (…, R), months; +inf:
    not (yet) — a run still training (end +inf) counts to the month end. ``t``: int (traced in the kernel).

    * Training spend and cost per token move with the month's accelerator price multiplier ``params.gpu_price``.
    * Energy: a run draws ``energy_rate`` kWh a month while it holds its slot (n · TDP · PUE · 730.5 h /
      1000), so training_energy = Σ_r energy_rate_r · |[start_r, end_r) ∩ [t, t+1)|; a token served on own
      accelerators takes ``serving_kwh_per_parameter_token`` · N_served kWh; a vendor's token takes none of
      the company's (its energy is the vendor's).
    * A vendor model (an API phase, or the month-0 API model while it is the best) costs its price × the
      month's ``api_price`` multiplier and its loss + ``api_loss_shift`` (a deprecation's forced migration:
      risks ``product.api_price``, ``product.api_quality``); ``api_migration`` USD is paid in a month the
      product is served by a vendor's model, else nothing (no dependence, no migration).
    """
    tf = xp.asarray(t, dtype=start.dtype)
    running = xp.clip(xp.minimum(end, tf + 1.0) - xp.maximum(start, tf), 0.0, 1.0)
    running = xp.where(xp.isfinite(start), running, 0.0)
    initial_api = params.initial_api_cost > 0  # the month-0 model is a vendor's: paid per token while served
    vendor_price, vendor_shift = _month(params.api_price, t), _month(params.api_loss_shift, t)
    initial_loss = xp.asarray(params.initial_loss) + xp.where(initial_api, vendor_shift, 0.0)
    losses = xp.concatenate([initial_loss[..., None], xp.where(release <= tf, params.loss, xp.inf)], axis=-1)
    sizes = xp.concatenate([xp.asarray(params.initial_parameters)[..., None], params.parameters], axis=-1)
    best = xp.argmin(losses, axis=-1)[..., None]
    own_loss = xp.take_along_axis(losses, best, axis=-1)[..., 0]
    gpu = _month(params.gpu_price, t)
    size = xp.take_along_axis(sizes, best, axis=-1)[..., 0]
    own_cost = params.serving_cost_per_parameter_token * size * gpu
    on_initial_api = initial_api & (best[..., 0] == 0)
    own_cost = xp.where(on_initial_api, params.initial_api_cost * vendor_price, own_cost)
    own_energy = xp.where(on_initial_api, 0.0, params.serving_kwh_per_parameter_token * size)
    api = _month(params.api_share, t) > 0  # a serving-plan phase on a vendor's API
    served_loss = xp.where(api, _month(params.api_loss, t) + vendor_shift, own_loss)
    on_vendor = api | on_initial_api
    return ProductMonth(
        training_spend=xp.sum(params.cost_rate * running, axis=-1) * gpu,
        quality_gap=_month(params.frontier_loss, t) - served_loss,
        served_loss=served_loss,
        cost_per_token=xp.where(api, _month(params.api_cost_per_token, t) * vendor_price, own_cost),
        training_energy=xp.sum(params.energy_rate * running, axis=-1),
        energy_per_token=xp.where(api, 0.0, own_energy),
        migration_cost=xp.where(on_vendor, _month(params.api_migration, t), 0.0),
    )


def footprint(alive, training_energy, tokens, energy_per_token, grid_intensity, xp=np) -> dict:
    """The month's energy and emissions (both engines; the record's ``training_energy``, ``serving_energy``
    (kWh) and ``co2e`` (kg CO2e)), on a path alive at the month's start (else 0).

    serving kWh = tokens × kWh per token; kg CO2e = (training + serving kWh) × grid g CO2e/kWh / 1000
    (Lacoste et al. 2019, "Quantifying the carbon emissions of machine learning"; Patterson et al. 2021,
    "Carbon emissions and large neural network training": energy × PUE × the grid's carbon intensity).
    """
    training = xp.where(alive, training_energy, 0.0)
    serving = xp.where(alive, tokens * energy_per_token, 0.0)
    return {
        "training_energy": training,
        "serving_energy": serving,
        "co2e": (training + serving) * grid_intensity / 1000.0,
    }


def run_spend(start, end, params: ProductParams, last_month, months: int, xp=np):
    """Each run's training spend over a path's life, USD (…, R): Σ_{t ≤ last_month} cost_rate_r ·
    |[start_r, end_r) ∩ [t, t+1)| · gpu_price(t), the month rule's training spend split by run and summed over
    the months t = 0 … min(last_month, months − 1) in which the path paid its bills (``last_month``: its death
    or exit month, −1 for none: the horizon's last). Σ_r run_spend = Σ_t training_compute on every path."""
    total = xp.zeros(start.shape, dtype=start.dtype)
    if start.shape[-1] == 0:  # no runs on the roadmap: nothing to add up (and nothing compiled)
        return total
    last = xp.where(last_month < 0, months - 1, last_month)
    finite = xp.isfinite(start)
    gpu_price = xp.asarray(params.gpu_price)  # indexed by a traced month on a block

    def add_month(t, total):
        tf = xp.asarray(t, dtype=start.dtype)
        running = xp.clip(xp.minimum(end, tf + 1.0) - xp.maximum(start, tf), 0.0, 1.0)
        paid = xp.where(finite & (t <= last)[..., None], running, 0.0)
        return total + params.cost_rate * paid * _month(gpu_price, t)[..., None]

    return fold_range(xp, months, add_month, total)  # one loop body on a block, whatever the horizon
