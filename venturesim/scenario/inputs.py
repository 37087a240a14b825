"""Names of a scenario's uncertain inputs, as used by correlations and overrides.

An input's name is its field path with list items named by their ``name``:
``market.segments.smb.market_size``, ``funding.rounds.seed.pre_money``.
The knots of a schedule are ``<field>.schedule.<month>``; a trend's parts are
``<field>.start`` and ``<field>.growth``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pydantic import BaseModel

from venturesim.spec.distributions import Spec
from venturesim.spec.timeseries import Schedule, Trend


def iter_inputs(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, float | Spec]]:
    """Yield (name, spec) for every number or distribution spec in ``model``."""
    for field, value in model:
        name = f"{prefix}{field}"
        yield from _iter_value(value, name)


def _iter_value(value, name: str):
    if isinstance(value, Schedule):
        for month, knot in value.schedule.items():
            yield f"{name}.schedule.{month}", knot
    elif isinstance(value, Trend):
        yield f"{name}.start", value.start
        yield f"{name}.growth", value.growth
    elif isinstance(value, Spec):
        yield name, value
    elif isinstance(value, BaseModel):
        yield from iter_inputs(value, f"{name}.")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            label = getattr(item, "name", i)
            yield from _iter_value(item, f"{name}.{label}")
    elif isinstance(value, float):
        yield name, value


def trend_problems(model: BaseModel, months: int) -> list[str]:
    """Trends in ``model`` that grow beyond ±MAX_MAGNITUDE (float32 overflow in the engine) within ``months``."""
    from venturesim.spec._base import MAX_MAGNITUDE

    problems, stack = [], [("", model)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, Trend):
            peak = value.log10_peak(months)
            if peak > math.log10(MAX_MAGNITUDE):
                problems.append(
                    f"{name}: the trend reaches about 1e{peak:.0f} by month {months - 1} at its inputs' extreme "
                    f"tails, beyond ±{MAX_MAGNITUDE:g} (the engine computes in float32); "
                    "lower its growth or use a schedule"
                )
        elif isinstance(value, BaseModel):
            stack.extend((f"{name}.{field}" if name else field, child) for field, child in value)
        elif isinstance(value, list):
            stack.extend((f"{name}.{getattr(item, 'name', i)}", item) for i, item in enumerate(value))
    return sorted(problems)


def uncertain_inputs(model: BaseModel) -> dict[str, Spec]:
    """The inputs that are distributions (not plain numbers), by name."""
    return {name: spec for name, spec in iter_inputs(model) if isinstance(spec, Spec)}
