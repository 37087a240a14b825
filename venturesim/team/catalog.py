"""The roles catalogue: default pay, equity, hiring and attrition figures per kind of role.

The figures live in the package data file ``team/data/roles.yaml``: a
``defaults`` block (on-cost, yearly raise, gamma shape of the time to fill,
offer acceptance, attrition) that every kind inherits unless it sets its own
value, the ``roles`` by kind, and ``locations`` with a salary factor. Each
figure carries a ``source``; published figures come from REFERENCES.md

* attrition ≈13 % a year in software/tech (LinkedIn talent report 2018);
* time to fill ≈35 days for a software engineer (Glassdoor 2015) and up to
  ≈58 days for engineering roles (Workable 2017), i.e. 35/30.44 = 1.15 and
  58/30.44 = 1.91 months;

and every other figure (salaries, equity, recruiting costs, ramp, acceptance)
is an assumption that its ``source`` calls one. Salaries are US base pay at
2025 levels; a location multiplies them by its ``salary_factor``.

A scenario role picks a kind with ``kind: ml_engineer`` and overrides any
figure by setting the field (:class:`venturesim.team.schema.Role`);
:func:`load_catalog` changes or adds kinds for a whole program.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Literal

import yaml
from pydantic import Field, model_validator

from venturesim.spec._base import Model, Name
from venturesim.spec.distributions import uncertain
from venturesim.spec.errors import suggest, validate_text

__all__ = [
    "DAYS_PER_MONTH",
    "FIGURES",
    "FUNCTIONS",
    "Location",
    "RoleCatalog",
    "RoleDefaults",
    "load_catalog",
    "location",
    "role_defaults",
]

_DATA_FILE = "data/roles.yaml"
DAYS_PER_MONTH = 365.25 / 12
"""Days in an average month (30.44), to turn published day counts into months."""

FUNCTIONS = ("engineering", "sales", "support", "marketing", "other")
"""Capacity groups: a role's ramped FTE count towards one of these."""

FIGURES = (
    "salary_annual",
    "on_cost",
    "raise_annual",
    "equity_grant",
    "recruiting_cost",
    "time_to_fill_months",
    "time_to_fill_shape",
    "offer_acceptance",
    "ramp_months",
    "attrition_annual",
)
"""The figures every kind has, each with a source."""


class RoleDefaults(Model):
    """Default figures of one kind of role (after merging the catalogue's ``defaults``)."""

    label: str = Field(description="Display name.")
    function: Literal["engineering", "sales", "support", "marketing", "other"] = Field(
        description="Capacity group the role's productive FTE count towards (marketing: none; "
        "sales and marketing roles' payroll and recruiting count in CAC)."
    )
    salary_annual: uncertain(ge=0) = Field(description="Base salary per person, USD per year (US level).")
    on_cost: uncertain(ge=0) = Field(description="Benefits, payroll taxes and equipment, fraction of salary.")
    raise_annual: uncertain(ge=-0.5, le=1) = Field(description="Salary raise at each yearly raise date, fraction.")
    equity_grant: uncertain(ge=0, le=1) = Field(description="Option grant per hire, fraction of fully diluted.")
    recruiting_cost: uncertain(ge=0) = Field(description="Recruiting cost per hire (fees, ads, time), USD.")
    time_to_fill_months: uncertain(ge=0) = Field(description="Mean duration of one hiring cycle, months.")
    time_to_fill_shape: float = Field(gt=0, description="Gamma shape of one hiring cycle's duration (1 = exponential).")
    offer_acceptance: uncertain(gt=0, le=1) = Field(description="Probability that an offer is accepted.")
    ramp_months: uncertain(ge=0, le=24) = Field(description="Months from start to full productivity (linear ramp).")
    attrition_annual: uncertain(ge=0, lt=1) = Field(description="Share of people who leave in a year.")
    source: dict[str, str] = Field(description="Where each figure comes from (field → text).")

    @model_validator(mode="after")
    def _every_figure_has_a_source(self):
        missing = [f for f in FIGURES if f not in self.source]
        if missing:
            raise ValueError(f"no source for {missing}")
        return self


class Location(Model):
    """A place people are paid in, relative to the catalogue's US salaries."""

    label: str = Field(description="Display name.")
    salary_factor: float = Field(gt=0, description="Multiplies the catalogue's US salaries.")
    source: str = Field(description="Where the factor comes from.")


class RoleCatalog(Model):
    """The catalogue file: defaults, roles by kind, locations."""

    defaults: dict[str, object] = Field(description="Figures (and their `source`) every kind inherits.")
    roles: dict[Name, RoleDefaults] = Field(description="Kinds of role.")
    locations: dict[Name, Location] = Field(description="Salary factors by location.")

    @model_validator(mode="before")
    @classmethod
    def _inherit_defaults(cls, data):
        if not isinstance(data, Mapping) or not isinstance(data.get("roles"), Mapping):
            return data
        defaults = dict(data.get("defaults") or {})
        shared_sources = dict(defaults.pop("source", {}) or {})
        roles = {}
        for kind, entry in data["roles"].items():
            if isinstance(entry, Mapping):
                entry = {**defaults, **entry, "source": {**shared_sources, **(entry.get("source") or {})}}
            roles[kind] = entry
        return {**data, "roles": roles}


@functools.cache
def _catalog_text() -> str:
    return resources.files("venturesim.team").joinpath(_DATA_FILE).read_text("utf-8")


@functools.cache
def _packaged() -> RoleCatalog:
    """The packaged catalogue, validated once (errors carry file:line positions)."""
    return validate_text(RoleCatalog, _catalog_text(), "roles.yaml")


def load_catalog(overrides: Mapping[str, Mapping] | None = None) -> RoleCatalog:
    """The roles catalogue, optionally with kinds changed or added.

    Parameters
    ----------
    overrides : mapping, optional
        ``{kind: {field: value, ...}}``: for a packaged kind the given fields
        replace its figures (``{"ml_engineer": {"attrition_annual": 0.2}}``); a
        new kind needs every figure not in ``defaults`` and a source for each.

    Returns
    -------
    RoleCatalog
        A new catalogue (the packaged one is not changed).
    """
    if not overrides:
        return _packaged()
    raw = yaml.safe_load(_catalog_text())
    for kind, patch in overrides.items():
        if not isinstance(patch, Mapping):
            raise TypeError(f"override for {kind!r} (={patch!r}) must be a mapping of fields")
        entry = dict(raw["roles"].get(kind, {}))
        entry.update({k: v for k, v in patch.items() if k != "source"})
        entry["source"] = {**entry.get("source", {}), **patch.get("source", {})}
        raw["roles"][kind] = entry
    return RoleCatalog.model_validate(raw)


def _lookup(table: Mapping, name: str, what: str):
    if name not in table:
        hint = suggest(name, table)
        raise ValueError(
            f"unknown {what} {name!r}" + (f"; did you mean {hint!r}?" if hint else f"; choose from {sorted(table)}")
        )
    return table[name]


def role_defaults(kind: str, catalog: RoleCatalog | None = None) -> RoleDefaults:
    """The default figures of role ``kind`` (in ``catalog``, default the packaged one)."""
    return _lookup((catalog or _packaged()).roles, kind, "role kind")


def location(name: str, catalog: RoleCatalog | None = None) -> Location:
    """A location's salary factor entry (in ``catalog``, default the packaged one)."""
    return _lookup((catalog or _packaged()).locations, name, "location")
