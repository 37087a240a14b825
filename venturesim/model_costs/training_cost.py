r"""Cost, time, energy and CO2 of a training (or fine-tuning) run.

For C model FLOPs on n accelerators of peak P FLOP/s at model-FLOPs
utilisation u:

.. math::

    t_{compute} = \frac{C}{P\,u\,n\,3600}\ \text{h}, \qquad
    t_{wall} = t_{compute}\,(1 + r), \qquad
    \text{cost} = n\,t_{wall}\,p,

with r the failure/restart overhead (time lost to crashes, restarts from
checkpoints and hardware swaps) and p the price per accelerator-hour. Energy
and emissions follow Lacoste et al. 2019 ("Quantifying the Carbon Emissions
of Machine Learning"):

.. math::

    E = \frac{W\,n\,t_{wall}\,\mathrm{PUE}}{1000}\ \text{kWh}, \qquad
    \text{CO}_2\text{e} = \frac{E\,g}{1000}\ \text{kg},

with W the board power (TDP, an upper bound on average draw) and g the grid
intensity in gCO2e/kWh.

Defaults (all overridable):

* ``restart_overhead = 1/0.9 − 1 ≈ 0.111``: Llama 3's 54-day pre-training on
  16k H100s kept "higher than 90 % effective training time" through 466 job
  interruptions (Dubey et al. 2024, §3.3.4).
* ``pue = 1.2``: the upper end of hyperscale data centres (1.1–1.2, Google
  data-centre reports; industry average ≈1.58, Uptime Institute 2023).
* ``grid_g_per_kwh = 370``: US-East (ML CO2 impact data; range ≈20 Québec to
  ≈740 coal-heavy grids).

Fine-tuning is a training run on a base model: full fine-tuning costs
6·N·D like pre-training. Low-rank adaptation (LoRA, Hu et al. 2021) freezes
the base weights: the forward pass (2N per token) and the backward pass
through activations (2N) remain, the weight-gradient products (2N) are
skipped, and the adapters add 6·N_adapter:

.. math:: C_{LoRA} = (4 N + 6 N_{adapter})\,D.

(Kaplan et al. 2020 split 6N as 2N forward + 4N backward, half of which is
weight gradients.) Hu et al. report a ≈25 % training speed-up on GPT-3 175B
over full fine-tuning, below the 33 % this FLOP count allows, since memory
traffic is unchanged.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from venturesim.model_costs.hardware import Accelerator
from venturesim.model_costs.hardware import accelerator as lookup

__all__ = [
    "DEFAULT_GRID_G_PER_KWH",
    "DEFAULT_PUE",
    "DEFAULT_RESTART_OVERHEAD",
    "HOURS_PER_MONTH",
    "TrainingRunCost",
    "fine_tune_flops",
    "fine_tune_run",
    "training_run",
]

DEFAULT_RESTART_OVERHEAD = 1 / 0.9 - 1
"""Wall-time overhead for failures and restarts, fraction (Llama 3: > 90 % effective time)."""
DEFAULT_PUE = 1.2
"""Power usage effectiveness, hyperscale upper end (Google data-centre reports)."""
DEFAULT_GRID_G_PER_KWH = 370.0
"""Grid carbon intensity, gCO2e/kWh, US-East (ML CO2 impact data)."""
HOURS_PER_MONTH = 365.25 * 24 / 12
"""730.5 hours in an average month."""


class TrainingRunCost(NamedTuple):
    """Outcome of one run (floats, or arrays when inputs are arrays)."""

    flops: float
    """Model FLOPs of the run."""
    n_accelerators: int
    """Accelerators used together."""
    compute_hours: float
    """Hours of pure computation, C / (P·u·n·3600)."""
    wall_hours: float
    """Elapsed hours including the restart overhead."""
    accelerator_hours: float
    """n × wall hours (what is billed)."""
    cost_usd: float
    """Rental cost, USD."""
    energy_kwh: float
    """Facility energy, kWh (TDP × hours × PUE)."""
    co2e_kg: float
    """Emissions, kg CO2e."""

    @property
    def wall_months(self) -> float:
        """Elapsed time in months (730.5 h each)."""
        return self.wall_hours / HOURS_PER_MONTH


def _check(name: str, value, low: float, *, closed: bool = False, high: float | None = None) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    ok = (array >= low) if closed else (array > low)
    if high is not None:
        ok &= array <= high
    if not np.all(ok):
        want = f"{'≥' if closed else '>'} {low:g}" + (f" and ≤ {high:g}" if high is not None else "")
        raise ValueError(f"{name}(={value!r}) must be {want}")
    return array


def _out(array: np.ndarray):
    return float(array) if np.ndim(array) == 0 else array


def training_run(
    flops,
    accelerator: Accelerator | str,
    n_accelerators: int,
    mfu,
    price_per_hour=None,
    *,
    restart_overhead=DEFAULT_RESTART_OVERHEAD,
    pue=DEFAULT_PUE,
    grid_g_per_kwh=DEFAULT_GRID_G_PER_KWH,
) -> TrainingRunCost:
    """Time, cost, energy and emissions of a run of ``flops`` model FLOPs.

    Parameters
    ----------
    flops : float or array
        Model FLOPs C (e.g. :func:`~venturesim.model_costs.flops.training_flops`).
    accelerator : Accelerator or str
        The accelerator (or its catalogue name).
    n_accelerators : int
        How many run together.
    mfu : float or array
        Model FLOPs utilisation u in (0, 1] (PaLM Table 3: 21–46 % at scale;
        nanoGPT ≈37 % for GPT-2 124M on one A100).
    price_per_hour : float or array, optional
        USD per accelerator-hour; default the accelerator's median price.
    restart_overhead : float or array
        r ≥ 0, wall-time fraction lost to failures and restarts.
    pue : float or array
        Power usage effectiveness ≥ 1.
    grid_g_per_kwh : float or array
        Grid intensity, gCO2e per kWh, ≥ 0.

    Returns
    -------
    TrainingRunCost
        Arrays broadcast together when any input is an array (e.g. price draws).
    """
    acc = lookup(accelerator) if isinstance(accelerator, str) else accelerator
    if not isinstance(n_accelerators, (int, np.integer)) or n_accelerators < 1:
        raise ValueError(f"n_accelerators(={n_accelerators!r}) must be a positive integer")
    C = _check("flops", flops, 0.0)
    u = _check("mfu", mfu, 0.0, high=1.0)
    price = _check("price_per_hour", acc.median_price_per_hour if price_per_hour is None else price_per_hour, 0.0)
    r = _check("restart_overhead", restart_overhead, 0.0, closed=True)
    pue_ = _check("pue", pue, 1.0, closed=True)
    grid = _check("grid_g_per_kwh", grid_g_per_kwh, 0.0, closed=True)

    compute_hours = C / (acc.peak_flops * u * n_accelerators) / 3600.0
    wall_hours = compute_hours * (1.0 + r)
    accelerator_hours = n_accelerators * wall_hours
    energy_kwh = acc.power_w * accelerator_hours * pue_ / 1000.0
    return TrainingRunCost(
        flops=_out(C),
        n_accelerators=int(n_accelerators),
        compute_hours=_out(compute_hours),
        wall_hours=_out(wall_hours),
        accelerator_hours=_out(accelerator_hours),
        cost_usd=_out(accelerator_hours * price),
        energy_kwh=_out(energy_kwh),
        co2e_kg=_out(energy_kwh * grid / 1000.0),
    )


def fine_tune_flops(
    n_params: float, tokens: float, *, method: Literal["full", "lora"] = "full", adapter_params: float = 0.0
) -> float:
    """FLOPs to fine-tune a base model of ``n_params`` on ``tokens`` tokens.

    ``"full"``: 6·N·D (as pre-training, Kaplan et al. 2020). ``"lora"``:
    (4·N + 6·N_adapter)·D — frozen base weights skip their weight-gradient
    products (see the module docstring; Hu et al. 2021).

    Parameters
    ----------
    n_params : float
        N, parameters of the base model.
    tokens : float
        D, fine-tuning tokens (all epochs).
    method : {"full", "lora"}
        Which parameters train.
    adapter_params : float
        N_adapter, trainable adapter parameters (LoRA only; rank r on a d×k
        matrix adds r·(d + k)).
    """
    _check("n_params", n_params, 0.0)
    _check("tokens", tokens, 0.0)
    _check("adapter_params", adapter_params, 0.0, closed=True)
    if method == "full":
        if adapter_params:
            raise ValueError(f"adapter_params(={adapter_params}) applies only to method='lora'")
        return 6.0 * n_params * tokens
    if method == "lora":
        return (4.0 * n_params + 6.0 * adapter_params) * tokens
    raise ValueError(f"method(={method!r}) must be 'full' or 'lora'")


def fine_tune_run(
    n_params: float,
    tokens: float,
    accelerator: Accelerator | str,
    n_accelerators: int,
    mfu,
    price_per_hour=None,
    *,
    method: Literal["full", "lora"] = "full",
    adapter_params: float = 0.0,
    **run_options,
) -> TrainingRunCost:
    """:func:`training_run` of :func:`fine_tune_flops` (``run_options`` go to ``training_run``)."""
    flops = fine_tune_flops(n_params, tokens, method=method, adapter_params=adapter_params)
    return training_run(flops, accelerator, n_accelerators, mfu, price_per_hour, **run_options)
