"""Time-varying inputs: a schedule of values by month, or a compound trend.

A **schedule** ``{schedule: {0: 30, 12: 25, 24: 20}, interpolation: step}``
holds each value from its month until the next knot (``step``) or moves in a
straight line between knots (``linear``); before the first knot the first
value holds and after the last knot the last value holds. Each knot may itself
be a distribution spec, drawn once per path.

A **trend** ``{start: 2.5, growth: {p5: -0.04, p95: -0.01}}`` is
value(t) = start · (1 + growth)^t for month t = 0, 1, …; ``growth`` is a
monthly rate (−0.02 is a 2 % fall a month, about 21.5 % a year), drawn once
per path — e.g. a falling GPU rental price.

Month t of the simulation is the interval [t, t+1); the value for month t is
the schedule or trend evaluated at t.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from venturesim.spec.distributions import Dist, spec_kind, uncertain


class Schedule(BaseModel):
    """Values by month: step or linear interpolation between knots."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    schedule: dict[int, Dist] = Field(min_length=1, description="Month (integer ≥ 0) → value from that month on.")
    interpolation: Literal["step", "linear"] = Field(
        "step", description="'step' holds each value until the next knot; 'linear' interpolates."
    )

    @field_validator("schedule")
    @classmethod
    def _months_non_negative(cls, knots: dict[int, object]) -> dict[int, object]:
        bad = [m for m in knots if m < 0]
        if bad:
            raise ValueError(f"schedule months must be >= 0, found {bad}")
        return dict(sorted(knots.items()))

    def evaluate(self, knot_values: np.ndarray, months: int) -> np.ndarray:
        """Series for months 0..months−1 from drawn knot values.

        Parameters
        ----------
        knot_values : (paths, knots) array, the drawn value of each knot in
            month order.
        months : number of months.

        Returns
        -------
        (paths, months) array.
        """
        knot_months = np.asarray(list(self.schedule), dtype=np.float64)
        t = np.arange(months, dtype=np.float64)
        if self.interpolation == "step":
            idx = np.clip(np.searchsorted(knot_months, t, side="right") - 1, 0, len(knot_months) - 1)
            return knot_values[:, idx]
        return _interp_rows(t, knot_months, knot_values)


def _interp_rows(t: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Vectorised linear interpolation of each row of ``fp`` (paths, knots) at ``t``."""
    if len(xp) == 1:
        return np.repeat(fp[:, :1], len(t), axis=1)
    tc = np.clip(t, xp[0], xp[-1])
    right = np.clip(np.searchsorted(xp, tc, side="right"), 1, len(xp) - 1)
    left = right - 1
    w = (tc - xp[left]) / (xp[right] - xp[left])  # (months,)
    return fp[:, left] * (1 - w) + fp[:, right] * w


class Trend(BaseModel):
    """Compound monthly trend: start · (1 + growth)^t."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    start: Dist = Field(description="Value in month 0, in the input's unit.")
    growth: uncertain(gt=-1) = Field(description="Monthly growth rate (−0.02 = −2 % a month).")

    def log10_peak(self, months: int) -> float:
        """log₁₀ of the largest magnitude the trend reaches in months 0..months−1 at its inputs' extreme tails."""
        from venturesim.spec.distributions import tail_values

        start = float(np.max(np.abs(tail_values(self.start))))
        growth = float(np.max(tail_values(self.growth)))
        return math.log10(max(start, 1e-300)) + max(months - 1, 0) * max(math.log10(1 + growth), 0.0)

    def evaluate(self, start: np.ndarray, growth: np.ndarray, months: int) -> np.ndarray:
        """(paths, months) series from per-path ``start`` and ``growth`` draws."""
        t = np.arange(months, dtype=np.float64)
        return start[:, None] * np.power(1.0 + growth[:, None], t[None, :])


TimeVarying = Annotated[
    Annotated[Dist, Tag("constant")] | Annotated[Schedule, Tag("schedule")] | Annotated[Trend, Tag("trend")],
    Discriminator(lambda v: spec_kind(v) if spec_kind(v) in ("schedule", "trend") else "constant"),
]
"""An input that may change month by month: any distribution spec, a schedule or a trend."""


def draw_series(scalar, spec, name: str, months: int) -> np.ndarray:
    """Per-path monthly values (paths, months) of a time-varying input, from ``scalar(spec, name)``, the
    per-path draws of an uncertain number (a schedule's knots are drawn as ``name.schedule.<month>``, a
    trend's start and growth as ``name.start`` and ``name.growth``; a constant is repeated every month, as a
    read-only broadcast view of its (paths,) draws).
    The one rule for :class:`venturesim.spec.sampling.Sampler` and the medians of
    :class:`venturesim.model_costs.models.MedianInputs`."""
    if isinstance(spec, Schedule):
        knots = np.stack([scalar(v, f"{name}.schedule.{m}") for m, v in spec.schedule.items()], axis=1)
        return spec.evaluate(knots, months)
    if isinstance(spec, Trend):
        return spec.evaluate(scalar(spec.start, f"{name}.start"), scalar(spec.growth, f"{name}.growth"), months)
    values = scalar(spec, name)
    return np.broadcast_to(values[:, None], (len(values), months))  # a read-only view, not a (paths, months) copy


def stack_series(series: list[np.ndarray], axis: int) -> np.ndarray:
    """``np.stack(series, axis)`` of (paths, months) series; when every one is constant over the months (a broadcast
    view, :func:`draw_series`), a read-only broadcast view of their stacked first months instead of a copy."""
    if all(s.ndim == 2 and s.strides[1] == 0 for s in series):
        first = np.stack([s[:, :1] for s in series], axis=axis)
        shape = list(series[0].shape)
        shape.insert(axis % 3, len(series))
        return np.broadcast_to(first, tuple(shape))
    return np.stack(series, axis=axis)
