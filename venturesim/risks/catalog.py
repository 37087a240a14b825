"""The risk catalogue: default risks with documented hazards and impacts.

The figures live in the package data file ``risks/data/catalog.yaml``; each
entry is a :class:`venturesim.risks.schema.Risk` without its ``name`` (the
key) and carries a ``source`` per figure — a citation where a published
figure exists, else "assumption". ``docs/model/risks.md`` lists the table.

A scenario includes entries by name (``risks: {include: [price_war]}``) and
changes their fields with ``overrides``; :func:`catalog` returns the
validated defaults.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import yaml

from venturesim.spec.errors import suggest

__all__ = ["catalog", "catalog_entries", "catalog_markdown", "catalog_risk", "sources_markdown"]

_DATA_FILE = "data/catalog.yaml"


@functools.cache
def catalog_entries() -> Mapping[str, dict]:
    """The catalogue's raw entries (name → field dict), read once; read-only."""
    text = resources.files("venturesim.risks").joinpath(_DATA_FILE).read_text("utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("risks"), dict):
        raise TypeError(f"{_DATA_FILE} must hold a mapping 'risks: {{name: entry}}'")
    entries = {}
    for name, entry in raw["risks"].items():
        entry = dict(entry)
        # Catalogue mitigations are offered, not bought: a scenario buys one with `buy:`.
        entry["mitigations"] = [{"bought": False, **m} for m in entry.get("mitigations", [])]
        entries[name] = entry
    return MappingProxyType(entries)


@functools.cache
def catalog() -> Mapping:
    """Every catalogue risk, validated (name → :class:`~venturesim.risks.schema.Risk`)."""
    from venturesim.risks.schema import Risk

    return MappingProxyType(
        {name: Risk.model_validate({"name": name, **entry}) for name, entry in catalog_entries().items()}
    )


def catalog_risk(name: str):
    """The catalogue's default risk ``name`` (ValueError with a suggestion if unknown)."""
    table = catalog()
    if name not in table:
        hint = suggest(name, table)
        raise ValueError(
            f"unknown catalogue risk {name!r}"
            + (f"; did you mean {hint!r}?" if hint else f"; choose from {sorted(table)}")
        )
    return table[name]


def _fmt(value) -> str:
    """A figure as YAML-like text: 0.1, {p5: 0.3, p95: 3}, {dist: pert, low: 0.5, mode: 1, high: 1.5}."""
    if hasattr(value, "model_dump"):
        fields = value.model_dump(exclude_defaults=True)
        if "dist" in fields:
            fields = {"dist": fields.pop("dist"), **fields}
        return "{" + ", ".join(f"{k}: {v:g}" if isinstance(v, float) else f"{k}: {v}" for k, v in fields.items()) + "}"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _impact_text(impact) -> str:
    amount = _fmt(impact.value)
    sign = "×" if impact.mode == "multiply" else ("" if amount.startswith("-") else "+")
    where = (
        f"[{impact.segment or impact.round or impact.run}]" if (impact.segment or impact.round or impact.run) else ""
    )
    span = (
        "once"
        if impact.target in ("company.one_off_cost", "product.api_migration_cost")
        else "for good"
        if impact.duration_months is None
        else f"{impact.duration_months} mo"
    )
    chance = "" if impact.probability >= 1 else f" (p={impact.probability:g})"
    return f"{impact.target}{where} {sign}{amount} {span}{chance}"


def catalog_markdown() -> str:
    """The catalogue as a Markdown table (as in ``docs/model/risks.md``; a test keeps them equal)."""
    lines = [
        (
            "| risk | category | arrival | max events | severity | macro loading "
            "| impacts at severity 1 | mitigations offered |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in catalog().items():
        arrival = (
            f"annual p {_fmt(r.annual_probability)}"
            if r.annual_probability is not None
            else f"hazard {_fmt(r.hazard_monthly)}/mo"
        )
        if r.start_month:
            arrival += f" from month {r.start_month}"
        mitigations = (
            "; ".join(
                f"{m.name}: ${m.cost_per_month:,.0f}/mo"
                + (f", hazard ×{m.hazard_multiplier:g}" if m.hazard_multiplier != 1 else "")
                + (f", severity ×{m.severity_multiplier:g}" if m.severity_multiplier != 1 else "")
                for m in r.mitigations
            )
            or "—"
        )
        raises = "".join(f"; raises {x.risk} hazard ×{x.hazard_multiplier:g}" for x in r.raises)
        lines.append(
            f"| {name} | {r.category} | {arrival} | {r.max_events} | {_fmt(r.severity)} | "
            f"{r.macro_loading:g} | {'; '.join(_impact_text(i) for i in r.impacts)}{raises} | {mitigations} |"
        )
    return "\n".join(lines)


def sources_markdown() -> str:
    """Every catalogue figure's source as a Markdown list (as in ``docs/model/risks.md``)."""
    lines = []
    for name, r in catalog().items():
        lines.append(f"- **{name}**")
        lines += [f"  - {field}: {text}" for field, text in r.source.items()]
    return "\n".join(lines)
