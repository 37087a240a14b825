"""The accelerator catalogue: peak FLOP/s, memory, bandwidth, power and rental price.

The figures live in the package data file ``model_costs/data/hardware.yaml``
(each entry with a ``source`` line; prices from REFERENCES.md's 2026 ranges,
or a stated assumption where REFERENCES has none) and are validated by
:class:`Accelerator`. A scenario or a user changes any of them with
``load_catalog(overrides)``.

Price per accelerator-hour is a distribution spec (usually the 90 % range
shorthand ``{p5, p95}``, a lognormal; see :mod:`venturesim.spec.distributions`).
Prices fall over time: after ``m`` months a price is multiplied by

.. math:: (1 + g)^{m/12},

with ``g = price_trend_annual`` (-0.242 by default: Epoch AI's GPU
price-performance doubling time of about 2.5 years, 1 − 2^{−1/2.5}; Hobbhahn &
Besiroglu 2022).

The ``cpu`` entry's peak is a nominal placeholder (``peak_measured: true``):
measure it with :func:`measure_peak_flops` and pass it as an override.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from importlib import resources

import numpy as np
import yaml
from pydantic import Field

from venturesim.spec._base import Model, Name
from venturesim.spec.distributions import Spec, uncertain
from venturesim.spec.errors import suggest, validate_text

__all__ = ["Accelerator", "HardwareCatalog", "accelerator", "load_catalog", "measure_peak_flops"]

_DATA_FILE = "data/hardware.yaml"


class Accelerator(Model):
    """One accelerator type (a GPU, a TPU chip, or a CPU machine)."""

    label: str = Field(description="Display name, e.g. 'NVIDIA H100 SXM'.")
    peak_flops: float = Field(gt=0, description="Peak dense bf16 throughput, FLOP/s (no sparsity).")
    peak_measured: bool = Field(
        False,
        description="True when peak_flops is a nominal placeholder to be measured at run time "
        "(see measure_peak_flops).",
    )
    memory_bytes: float = Field(gt=0, description="Accelerator memory, bytes (decimal, as the vendor states it).")
    bandwidth_bytes_s: float = Field(gt=0, description="Memory bandwidth, bytes per second.")
    power_w: float = Field(gt=0, description="Board power (TDP), watts.")
    price_per_hour: uncertain(gt=0) = Field(
        description="Rental price, USD per accelerator-hour: a number or a distribution spec "
        "such as {p5: 1.99, p95: 5.00}."
    )
    price_trend_annual: float = Field(
        gt=-1, le=1, description="Change of the hourly price per year, fraction (-0.242 = falls 24.2 %/yr)."
    )
    source: str = Field(description="Where each figure comes from, and which are assumptions.")

    def price_quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Price per accelerator-hour (USD) at probability ``q`` of its distribution."""
        q = np.asarray(q, dtype=np.float64)
        if np.any((q <= 0) | (q >= 1)):
            raise ValueError(f"q(={q}) must lie in (0, 1)")
        if isinstance(self.price_per_hour, Spec):
            return self.price_per_hour.ppf(q)
        return np.full(q.shape, float(self.price_per_hour))

    @property
    def median_price_per_hour(self) -> float:
        """Median rental price, USD per accelerator-hour."""
        return float(self.price_quantile(0.5))

    def price_multiplier(self, months: float | np.ndarray) -> np.ndarray:
        """Factor (1 + g)^(months/12) by which the hourly price has moved after ``months``."""
        return (1.0 + self.price_trend_annual) ** (np.asarray(months, dtype=np.float64) / 12.0)

    @property
    def ridge_point(self) -> float:
        """Roofline ridge, FLOP per byte: peak FLOP/s ÷ bandwidth (Williams et al. 2009).

        A kernel doing fewer FLOPs per byte moved than this is memory-bound.
        """
        return self.peak_flops / self.bandwidth_bytes_s


class HardwareCatalog(Model):
    """The catalogue file: accelerators by name."""

    accelerators: dict[Name, Accelerator] = Field(description="Accelerator entries by name.")


@functools.cache
def _catalog_text() -> str:
    return resources.files("venturesim.model_costs").joinpath(_DATA_FILE).read_text("utf-8")


@functools.cache
def _packaged() -> dict[str, Accelerator]:
    """The packaged catalogue, validated once (errors carry file:line positions)."""
    return dict(validate_text(HardwareCatalog, _catalog_text(), "hardware.yaml").accelerators)


def load_catalog(overrides: Mapping[str, Mapping | Accelerator] | None = None) -> dict[str, Accelerator]:
    """The accelerator catalogue, optionally with entries changed or added.

    Parameters
    ----------
    overrides : mapping, optional
        ``{name: {field: value, ...}}``. For a name in the catalogue the given
        fields replace the packaged ones (``{"h100_sxm": {"price_per_hour": 2.2}}``);
        a new name needs every field. A value may also be an :class:`Accelerator`.

    Returns
    -------
    dict[str, Accelerator]
        A fresh dict (changing it does not change the packaged catalogue).

    Raises
    ------
    pydantic.ValidationError
        (a ``ValueError``) when an overridden entry is invalid; the error
        names the entry and field.
    """
    catalog = dict(_packaged())
    if not overrides:
        return catalog
    raw = yaml.safe_load(_catalog_text())["accelerators"]
    changed: dict[str, object] = {}
    for name, patch in overrides.items():
        if isinstance(patch, Accelerator):
            changed[name] = patch
        elif isinstance(patch, Mapping):
            changed[name] = {**raw.get(name, {}), **patch}
        else:
            raise TypeError(f"override for {name!r} (={patch!r}) must be a mapping of fields or an Accelerator")
    validated = HardwareCatalog.model_validate({"accelerators": changed}).accelerators
    catalog.update(validated)
    return catalog


def accelerator(name: str, catalog: Mapping[str, Accelerator] | None = None) -> Accelerator:
    """Look up one accelerator by name (in ``catalog``, default the packaged one).

    Raises
    ------
    KeyError
        For an unknown name, with the closest known name ("did you mean ...?"):
        the only name that starts with ``name``, else the closest spelling.
    """
    catalog = _packaged() if catalog is None else catalog
    try:
        return catalog[name]
    except KeyError:
        starting = [known for known in catalog if known.lower().startswith(name.lower())]
        hint = starting[0] if len(starting) == 1 else suggest(name, catalog)
        message = f"unknown accelerator {name!r}; known: {', '.join(sorted(catalog))}"
        raise KeyError(message + (f"; did you mean {hint!r}?" if hint else "")) from None


def measure_peak_flops(
    size: int = 2048,
    repeats: int = 5,
    *,
    dtype: type = np.float32,
    timer: Callable[[], float] = time.perf_counter,
    seed: int = 0,
) -> float:
    """Measure this machine's matrix-multiply throughput, FLOP/s.

    Times ``repeats`` products of two ``size``×``size`` matrices with NumPy's
    BLAS (all its threads) and returns the best, 2·size³ / seconds (a
    square product does size³ multiply-adds). Use it as the ``cpu`` entry's
    peak: ``load_catalog({"cpu": {"peak_flops": measure_peak_flops()}})``.

    Parameters
    ----------
    size : int
        Matrix side.
    repeats : int
        Timed products; the fastest counts (after one untimed warm-up).
    dtype : numpy dtype
        float32 by default (CPUs rarely have fast bf16).
    timer : callable
        Clock in seconds (injectable for tests).
    seed : int
        Seed of the random matrices.
    """
    if size < 1 or repeats < 1:
        raise ValueError(f"size(={size}) and repeats(={repeats}) must be ≥ 1")
    rng = np.random.default_rng(seed)
    a: np.ndarray = rng.standard_normal((size, size)).astype(dtype)
    b: np.ndarray = rng.standard_normal((size, size)).astype(dtype)
    a @ b  # warm-up: thread pool start, page faults
    best = np.inf
    for _ in range(repeats):
        start = timer()
        a @ b
        best = min(best, timer() - start)
    if not best > 0:
        raise ValueError(f"timer measured {best} s for a product; cannot compute a rate")
    return 2.0 * size**3 / best
