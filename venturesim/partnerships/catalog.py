"""Partner-type defaults: search and negotiation times, signing odds, partner risk and effects.

The figures live in ``partnerships/data/types.yaml``; each type carries a
``source`` for every figure (a citation where one exists, else
"assumption"). ``docs/model/partnerships.md`` lists them. A scenario
partner takes every figure it does not set from its type
(:func:`resolved_field`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Literal

from pydantic import Field, model_validator

from venturesim.partnerships.schema import PARTNER_TYPES, TYPE_FIELDS, Partner
from venturesim.spec._base import Model
from venturesim.spec.distributions import uncertain
from venturesim.spec.errors import validate_text

__all__ = ["PartnerType", "partner_type", "partner_types", "resolved_field", "type_sources_markdown", "types_markdown"]

_DATA_FILE = "data/types.yaml"


class PartnerType(Model):
    """Default figures of one kind of partnership."""

    label: str
    search_months: uncertain(ge=0)
    negotiation_months: uncertain(ge=0)
    signing_probability: uncertain(ge=0, le=1)
    termination_annual: uncertain(ge=0, lt=1)
    contract_months: float | Literal["open"]
    adoption_multiplier: uncertain(gt=0)
    revenue_share: uncertain(ge=0, le=1)
    compute_credits: uncertain(ge=0)
    loss_reduction: uncertain(ge=0)
    monthly_cost: uncertain(ge=0)
    signing_cost: uncertain(ge=0)
    churn_on_exit: uncertain(ge=0, le=1)
    source: dict[str, str] = Field(description="Where each figure comes from (field → text).")

    @model_validator(mode="after")
    def _every_figure_has_a_source(self):
        missing = [f for f in TYPE_FIELDS if f not in self.source]
        if missing:
            raise ValueError(f"no source for {missing}")
        return self


class _TypeCatalog(Model):
    types: dict[Literal[PARTNER_TYPES], PartnerType]

    @model_validator(mode="after")
    def _complete(self):
        missing = [t for t in PARTNER_TYPES if t not in self.types]
        if missing:
            raise ValueError(f"types catalogue lacks {missing}")
        return self


@functools.cache
def partner_types() -> Mapping[str, PartnerType]:
    """Every partner type's defaults (validated once, with file:line errors)."""
    text = resources.files("venturesim.partnerships").joinpath(_DATA_FILE).read_text("utf-8")
    return validate_text(_TypeCatalog, text, "types.yaml").types


def partner_type(name: str) -> PartnerType:
    """The defaults of partner type ``name``."""
    types = partner_types()
    if name not in types:
        raise ValueError(f"unknown partner type {name!r}; choose from {sorted(types)}")
    return types[name]


def resolved_field(partner: Partner, field: str):
    """The partner's figure, or its type's default when the scenario left it out."""
    if field not in TYPE_FIELDS:
        raise ValueError(f"field(={field!r}) has no type default; type fields are {TYPE_FIELDS}")
    value = getattr(partner, field)
    return getattr(partner_type(partner.type), field) if value is None else value


def _fmt(value) -> str:
    if hasattr(value, "model_dump"):
        fields = value.model_dump(exclude_defaults=True)
        if "dist" in fields:
            fields = {"dist": fields.pop("dist"), **fields}
        return "{" + ", ".join(f"{k}: {v:g}" if isinstance(v, float) else f"{k}: {v}" for k, v in fields.items()) + "}"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def types_markdown() -> str:
    """The partner types' defaults as a Markdown table (as in ``docs/model/partnerships.md``)."""
    fields = [
        "search_months",
        "negotiation_months",
        "signing_probability",
        "termination_annual",
        "contract_months",
        "adoption_multiplier",
        "revenue_share",
        "compute_credits",
        "loss_reduction",
        "monthly_cost",
        "signing_cost",
        "churn_on_exit",
    ]
    lines = ["| figure | " + " | ".join(partner_types()) + " |", "|---|" + "---|" * len(partner_types())]
    for field in fields:
        lines.append(f"| {field} | " + " | ".join(_fmt(getattr(t, field)) for t in partner_types().values()) + " |")
    return "\n".join(lines)


def type_sources_markdown() -> str:
    """Every type figure's source as a Markdown list (as in ``docs/model/partnerships.md``)."""
    lines = []
    for name, t in partner_types().items():
        lines.append(f"- **{name}** ({t.label})")
        lines += [f"  - {field}: {text}" for field, text in t.source.items()]
    return "\n".join(lines)
