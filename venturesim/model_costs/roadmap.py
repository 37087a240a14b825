"""Per-path parameters of the product roadmap, drawn from the scenario.

For each training run r (in roadmap order) and path:

* work, months = C_r / (peak · MFU · n) / 3600 / 730.5, with C_r = 6·N·D
  (Kaplan et al. 2020; a fine-tune: 6·N_base·D_ft) and 730.5 hours a month.
  MFU is the run's own, else the one ``product.calibration`` measured on the
  run's accelerator kind (a CPU calibration never sets a GPU run's), else
  :data:`~venturesim.model_costs.schema.DEFAULT_TRAINING_MFU`; with a
  calibration that applies, peak is the calibration's (the same catalogue
  figure on a GPU/TPU; the measured one on a CPU, whose catalogue peak is a
  placeholder). One MFU definition throughout: model FLOPs ÷ (peak × time);
* cost rate, USD per month while the run holds its cluster slot
  = n · price per accelerator-hour · 730.5 (restarts are paid for too); the
  catalogue's price (when the run gives none) moves by its annual trend to
  the submit month: price · (1 + g)^(month/12);
* interruptions arrive at λ_r = n · rate per 1,000 accelerator-days / 1000 ·
  30.44 per month of work, each costing ``restart_hours``;
* loss = L(N, D) from the loss law (the published Chinchilla fit, or the
  calibration file's law transferred to the reference scale — one posterior
  draw per path, :func:`venturesim.model_costs.quality_scale.transfer_law`),
  minus ``loss_reduction`` for a fine-tune (from its base's loss). Every loss
  the scenario gives (frontier, initial, loss reductions) is converted from
  ``product.loss_unit`` to nats per reference token
  (:func:`~venturesim.model_costs.quality_scale.to_reference`).

Serving: a token costs 2·N FLOPs (Kaplan et al. 2020), so the cost per token
of the served model is 2·N · price / 3600 / (peak · MFU · utilisation · k),
USD, with k the quantisation's throughput multiplier
(:func:`venturesim.model_costs.serving.serving_cost_per_million_tokens`);
the quantisation loss penalty adds to the served model's loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import ndtr

from venturesim.market.adoption import QUALITY_MAX_MULTIPLIER
from venturesim.model_costs.schema import Product
from venturesim.model_costs.training_cost import HOURS_PER_MONTH
from venturesim.spec.distributions import Spec

if TYPE_CHECKING:
    from venturesim.spec.sampling import Sampler

DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
DEFAULT_INITIAL_PARAMETERS = 7e9
"""Size of the month-0 model when the scenario gives neither ``initial_parameters`` nor ``initial_model``."""


class ProductParams(NamedTuple):
    """Product inputs for a block of paths (R = training runs, C = cluster slots, T = months).

    Attributes
    ----------
    submit : (paths, R) month each run joins the queue.
    base : (paths, R) index of the run a fine-tune builds on (−1: none).
    work : (paths, R) months of uninterrupted training.
    cost_rate : (paths, R) USD per month while the run holds a slot.
    interrupt_rate : (paths, R) interruptions per month of work.
    restart : (paths, R) months lost per interruption.
    failure_probability : (paths, R) probability the run is wasted.
    release_delay : (paths, R) months from the end of training to release.
    loss : (paths, R) loss the run reaches (served model: + quantisation penalty), nats/token.
    parameters : (paths, R) the run's model size N.
    slots : (paths, C) zeros; C is the number of cluster slots (a shape, so it is static).
    initial_loss, initial_parameters : (paths,) the model served at month 0.
    frontier_loss : (paths, T) the competing frontier's loss, nats/token.
    adoption_elasticity, churn_elasticity, price_elasticity : (paths,) per nat of quality gap.
    quality_max_multiplier : (paths,) M > 1, the bound of each quality factor (in [1/M, M]).
    serving_cost_per_parameter_token : (paths,) USD per token per parameter served
        (× 2 FLOPs per parameter already included).
    gpu_price : (paths, T|1) month's multiplier of accelerator rental prices (risks on
        ``company.compute``; 1: none), on training runs' cost and serving cost per token.
    initial_api_cost : (paths,) USD per token if the model served at month 0 is a vendor API model, else 0.
    api_share : (paths, T) 1 in the months of a ``serving_plan`` phase with strategy 'api', else 0.
    api_loss : (paths, T) that phase's vendor model's loss (frontier − its gap), nats/token.
    api_cost_per_token : (paths, T) that phase's blended USD per token (× its price multiplier).
    """

    submit: np.ndarray
    base: np.ndarray
    work: np.ndarray
    cost_rate: np.ndarray
    interrupt_rate: np.ndarray
    restart: np.ndarray
    failure_probability: np.ndarray
    release_delay: np.ndarray
    loss: np.ndarray
    parameters: np.ndarray
    slots: np.ndarray
    initial_loss: np.ndarray
    initial_parameters: np.ndarray
    frontier_loss: np.ndarray
    adoption_elasticity: np.ndarray
    churn_elasticity: np.ndarray
    price_elasticity: np.ndarray
    quality_max_multiplier: np.ndarray
    serving_cost_per_parameter_token: np.ndarray
    gpu_price: np.ndarray
    initial_api_cost: np.ndarray
    api_share: np.ndarray
    api_loss: np.ndarray
    api_cost_per_token: np.ndarray
    energy_rate: np.ndarray
    serving_kwh_per_parameter_token: np.ndarray
    grid_intensity: np.ndarray
    api_price: np.ndarray
    api_loss_shift: np.ndarray
    api_migration: np.ndarray


def _price(spec, accelerator_name: str, sampler: Sampler, name: str, month: float = 0.0) -> np.ndarray:
    """Rental price per accelerator-hour, USD: the scenario's, else the catalogue's
    (today's distribution × its annual price trend to the power month/12)."""
    from venturesim.model_costs.hardware import accelerator

    if spec is not None:
        return sampler.scalar(spec, name)
    chip = accelerator(accelerator_name)
    return sampler.scalar(chip.price_per_hour, name) * chip.price_multiplier(month)


def _loss_law(product: Product, calibration, sampler: Sampler):
    """(paths,) arrays E, A, B, alpha, beta on the reference scale (nats per reference token): Chinchilla, or
    one posterior draw per path of the calibration's law, transferred (``product.calibration_transfer``):
    'anchored' keeps the draw's exponents and matches the published law at the anchor
    (:func:`~venturesim.model_costs.quality_scale.transfer_law`); 'none' uses it as fitted (the schema
    allows that only for a law in nats/token)."""
    from venturesim.model_costs.quality_scale import transfer_law
    from venturesim.model_costs.scaling_law import CHINCHILLA

    n = sampler.n
    names = ("E", "A", "B", "alpha", "beta")
    if calibration is None:
        return tuple(np.full(n, float(getattr(CHINCHILLA, k))) for k in names)
    draws = calibration.law_draws  # name → posterior draws; None without the Bayesian fit
    if draws is None:
        law = tuple(np.full(n, float(getattr(calibration.law, k))) for k in names)
    else:
        count = len(draws["E"])
        index = np.minimum((ndtr(sampler.standard_normal("product.calibration")) * count).astype(int), count - 1)
        law = tuple(np.asarray(draws[k], np.float64)[index] for k in names)
    if product.calibration_transfer == "none":
        return law
    return transfer_law(*law)


def _calibration(product: Product):
    """The calibration file's content, or None."""
    if product.calibration is None:
        return None
    from venturesim.model_costs.calibration import load_calibration

    return load_calibration(product.calibration)


def run_mfu(run, calibration) -> tuple[float | Spec, float | None]:
    """The MFU of ``run`` (a spec or number) and the peak FLOP/s it is measured against (None: the catalogue's).

    The run's own MFU if it gives one; else the calibration's measured MFU and peak if the calibration
    ran on the run's accelerator kind; else :data:`~venturesim.model_costs.schema.DEFAULT_TRAINING_MFU`.
    """
    from venturesim.model_costs.schema import DEFAULT_TRAINING_MFU

    if run.mfu is not None:
        return run.mfu, None
    if calibration is not None and calibration.accelerator == run.accelerator and np.isfinite(calibration.mfu):
        return float(calibration.mfu), float(calibration.peak_flops)
    return DEFAULT_TRAINING_MFU, None


def _no_product(n: int, months: int) -> ProductParams:
    """No product section: no runs, no quality gap, no serving cost (its monthly series are read-only views of one
    zero, as a constant series is)."""
    runs, scalars, series = np.zeros((n, 0)), np.zeros(n), np.broadcast_to(0.0, (n, months))
    return ProductParams(
        **dict.fromkeys(ProductParams._fields[:10], runs),
        slots=np.zeros((n, 1)),
        initial_loss=scalars,
        initial_parameters=scalars,
        frontier_loss=series,
        adoption_elasticity=scalars,
        churn_elasticity=scalars,
        price_elasticity=scalars,
        quality_max_multiplier=np.full(n, QUALITY_MAX_MULTIPLIER),
        serving_cost_per_parameter_token=scalars,
        gpu_price=np.ones((n, 1)),
        initial_api_cost=scalars,
        api_share=series,
        api_loss=series,
        api_cost_per_token=series,
        energy_rate=runs,
        serving_kwh_per_parameter_token=scalars,
        grid_intensity=scalars,
        **_no_vendor_risk(n),
    )


def _no_vendor_risk(n: int) -> dict[str, np.ndarray]:
    """A vendor's price and quality as in the catalogue, no migration (a risk changes them)."""
    return {"api_price": np.ones((n, 1)), "api_loss_shift": np.zeros((n, 1)), "api_migration": np.zeros((n, 1))}


def sample_product(product: Product | None, sampler: Sampler, months: int) -> ProductParams:
    """Draw the product inputs for ``sampler``'s paths (``None``: no product section — no effect)."""
    from venturesim.model_costs.hardware import accelerator
    from venturesim.model_costs.models import (
        api_model,
        api_price_per_token,
        fine_tuning_flops,
        fine_tuning_gain,
        open_model,
        open_model_loss,
        preset,
    )
    from venturesim.model_costs.quality_scale import to_reference
    from venturesim.model_costs.serving import QUANTIZATIONS, serving_cost_per_million_tokens, serving_tokens_per_s

    n = sampler.n
    if product is None:
        return _no_product(n, months)
    calibration = _calibration(product)
    E, A, B, alpha, beta = _loss_law(product, calibration, sampler)

    def reference(loss):  # the scenario's loss unit → nats per reference token
        return to_reference(loss, product.loss_unit, product.bytes_per_token)

    serving = product.serving
    quant = QUANTIZATIONS[serving.quantization]
    runs = product.training_runs
    names = [r.name for r in runs]
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ProductParams._fields[:10]}
    energy_rate: list[np.ndarray] = []
    pue = sampler.scalar(product.energy.pue, "product.energy.pue")
    for run in runs:
        key = f"product.training_runs.{run.name}"
        chip = accelerator(run.accelerator)
        tokens = sampler.scalar(run.tokens, f"{key}.tokens")
        method = run.method or "full"
        if run.base_model is not None:  # fine-tune an open-weights model: its N and its loss on the reference scale
            model = open_model(run.base_model)
            size = np.full(n, model.parameters)
            if run.loss_reduction is not None:
                reduction = reference(sampler.scalar(run.loss_reduction, f"{key}.loss_reduction"))
            else:
                reduction = fine_tuning_gain(tokens, method)
            loss = open_model_loss(model) - reduction
            flops = fine_tuning_flops(size, tokens, method)
        elif run.base is None:
            assert run.parameters is not None  # the schema requires parameters of a pre-training run
            size = sampler.scalar(run.parameters, f"{key}.parameters")
            loss = E + A / size**alpha + B / tokens**beta
            flops = 6.0 * size * tokens
        else:
            b = names.index(run.base)
            size = columns["parameters"][b]
            reduction = reference(sampler.scalar(run.loss_reduction or 0.0, f"{key}.loss_reduction"))
            loss = columns["loss"][b] - quant.loss_penalty - reduction
            flops = fine_tuning_flops(size, tokens, method)
        mfu_spec, peak = run_mfu(run, calibration)
        mfu = sampler.scalar(mfu_spec, f"{key}.mfu")
        peak = chip.peak_flops if peak is None else peak
        price = _price(run.price_per_hour, run.accelerator, sampler, f"{key}.price_per_hour", run.month)
        columns["submit"].append(np.full(n, run.month))
        columns["base"].append(np.full(n, -1 if run.base is None else names.index(run.base)))
        columns["work"].append(flops / (peak * mfu * run.accelerators) / 3600.0 / HOURS_PER_MONTH)
        columns["cost_rate"].append(run.accelerators * price * HOURS_PER_MONTH)
        energy_rate.append(run.accelerators * chip.power_w * pue * HOURS_PER_MONTH / 1000.0)
        rate = sampler.scalar(
            run.interruptions_per_1000_accelerator_days, f"{key}.interruptions_per_1000_accelerator_days"
        )
        columns["interrupt_rate"].append(run.accelerators * rate / 1000.0 * DAYS_PER_MONTH)
        columns["restart"].append(sampler.scalar(run.restart_hours, f"{key}.restart_hours") / HOURS_PER_MONTH)
        columns["failure_probability"].append(sampler.scalar(run.failure_probability, f"{key}.failure_probability"))
        columns["release_delay"].append(sampler.scalar(run.release_delay_months, f"{key}.release_delay_months"))
        columns["loss"].append(loss + quant.loss_penalty)
        columns["parameters"].append(size)

    def stack(values):
        return np.stack(values, axis=1) if values else np.zeros((n, 0))

    chip = accelerator(serving.accelerator)
    price = _price(serving.price_per_hour, serving.accelerator, sampler, "product.serving.price_per_hour")
    mfu = sampler.scalar(serving.mfu, "product.serving.mfu")
    utilisation = sampler.scalar(serving.utilisation, "product.serving.utilisation")
    frontier = reference(sampler.series(product.frontier_loss, "product.frontier_loss", months))
    initial = (
        frontier[:, 0]
        if product.initial_loss is None
        else reference(sampler.scalar(product.initial_loss, "product.initial_loss")) + quant.loss_penalty
    )
    initial_parameters = sampler.scalar(
        DEFAULT_INITIAL_PARAMETERS if product.initial_parameters is None else product.initial_parameters,
        "product.initial_parameters",
    )
    initial_api_cost = np.zeros(n)
    if product.initial_model is not None:
        start = preset(product.initial_model)
        initial = np.asarray(start.loss(frontier[:, 0]), np.float64) * np.ones(n)
        if start.strategy == "api":
            assert start.api is not None
            initial_api_cost = np.full(n, api_price_per_token(api_model(start.api)))
        else:
            initial = initial + quant.loss_penalty
            initial_parameters = np.full(n, start.parameters)
    api_share, api_loss, api_cost = (np.zeros((n, months)) for _ in range(3))
    for i, phase in enumerate(product.serving_plan):
        end = product.serving_plan[i + 1].month if i + 1 < len(product.serving_plan) else months
        if phase.strategy != "api":
            continue
        multiplier = sampler.scalar(  # drawn whatever the horizon: a path's inputs do not depend on --months
            1.0 if phase.price_multiplier is None else phase.price_multiplier,
            f"product.serving_plan.{i}.price_multiplier",
        )
        if phase.month >= months:
            continue
        assert phase.api_model is not None
        vendor = api_model(phase.api_model)
        span = slice(phase.month, end)
        api_share[:, span] = 1.0
        api_loss[:, span] = frontier[:, span] - vendor.gap_to_frontier
        api_cost[:, span] = (api_price_per_token(vendor) * multiplier)[:, None]
    response = product.quality_response
    tokens_per_s_per_parameter = serving_tokens_per_s(2.0, chip, mfu=mfu, utilisation=utilisation, quantization=quant)
    return ProductParams(
        **{k: stack(v) for k, v in columns.items()},
        slots=np.zeros((n, product.cluster_slots)),
        initial_loss=initial,
        initial_parameters=initial_parameters,
        frontier_loss=frontier,
        adoption_elasticity=sampler.scalar(response.adoption, "product.quality_response.adoption"),
        churn_elasticity=sampler.scalar(response.churn, "product.quality_response.churn"),
        price_elasticity=sampler.scalar(response.price, "product.quality_response.price"),
        quality_max_multiplier=np.full(n, response.max_multiplier),
        serving_cost_per_parameter_token=serving_cost_per_million_tokens(
            2.0, chip, price, mfu=mfu, utilisation=utilisation, quantization=quant
        )
        / 1e6,
        gpu_price=np.ones((n, 1)),
        initial_api_cost=initial_api_cost,
        api_share=api_share,
        api_loss=api_loss,
        api_cost_per_token=api_cost,
        energy_rate=stack(energy_rate),
        serving_kwh_per_parameter_token=chip.power_w * pue / 1000.0 / 3600.0 / tokens_per_s_per_parameter,
        grid_intensity=sampler.scalar(product.energy.grid_intensity, "product.energy.grid_intensity"),
        **_no_vendor_risk(n),
    )
