"""Base class of every scenario model, and helpers for named lists."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Frozen, strict scenario model: unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", name):
        raise ValueError(f"name {name!r} must start with a letter and hold only letters, digits, '_' or '-'")
    return name


Name = Annotated[
    str,
    AfterValidator(_identifier),
    Field(description="Identifier used in reports and in override paths (letters, digits, _ -)."),
]


def unique_names(items):
    """Validator for a list of named items: the names must differ."""
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise ValueError(f"name {item.name!r} is used twice; names in a list must differ")
        seen.add(item.name)
    return items


MAX_MAGNITUDE = 1e18
"""Largest magnitude of any number a scenario may hold (USD, counts, tokens, parameters ...).

The engines compute in float32 (largest value ≈ 3.4e38), so the product of any
two inputs (price × customers, tokens × price per token) must stay finite:
(1e18)² = 1e36 does. Larger values are refused at validation instead of
overflowing to ±inf in the engine."""
