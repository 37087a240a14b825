"""Scenario schema of risks: arrival, severity, impacts, mitigations, dependence.

A **risk** is an event that may hit a path: it arrives by a (possibly
time-varying) hazard, has a severity drawn per event, and changes named
parameters for a while or for good. A scenario's ``risks:`` section pulls
risks from the catalogue (``include``), changes their figures
(``overrides``), adds its own (``custom``) and declares how they depend on a
common macro factor (``macro_factor``)::

    risks:
      include: [funding_winter, price_war, ip_lawsuit]
      overrides:
        price_war: {annual_probability: 0.3}
      custom:
        - name: key_customer_loss
          annual_probability: 0.1
          impacts: [{target: market.churn, segment: enterprise, value: 2.0, duration_months: 1}]
      macro_factor: {funding_winter: 0.7, customer_budget_cuts: 0.7}

**Arrival.** Hazard h(t) per month (``hazard_monthly``: a number, a
distribution drawn once per path, a schedule or a trend; or
``annual_probability`` p, read as h = −ln(1 − p)/12), zero before
``start_month``. Events form a non-homogeneous Poisson process, at most
``max_events`` of them (:mod:`venturesim.risks.draws`).

**Impact** of an event with severity s on a target x, from month ⌈τ⌉ (τ the
event time) for ``duration_months`` months, or for good:

    multiply:  x ← x · max(1 + (v − 1)·s, 0)       (v = 0.8, s = 1: −20 %)
    add:       x ← x + v·s                          (in the target's unit)

so the change is proportional to the severity: a mitigation that halves the
severity halves the change. Overlapping events compound (factors multiply,
shifts add); every target is clipped into its domain afterwards.

**Targets** (exact names, :data:`TARGETS`): see the table in
``docs/model/risks.md``. ``segment`` restricts a ``market.*`` target to one
segment, ``round`` a ``funding.success_probability`` target to one round,
``run`` a ``product.failure_probability`` target to one training run.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PrivateAttr, ValidationError, model_validator

from venturesim.spec._base import Model, Name, unique_names
from venturesim.spec.distributions import Spec, bounded, share_outside, uncertain
from venturesim.spec.errors import suggest
from venturesim.spec.timeseries import TimeVarying

TARGETS: dict[str, str] = {
    "market.price": (
        "a segment's prices: multiply scales every component (flat, per seat, tiers, per million tokens); "
        "add shifts the flat price per customer-month, USD"
    ),
    "market.churn": "monthly logo churn of a segment, fraction in [0, 1]",
    "market.p": "Bass innovation coefficient p of a segment, per month (engine hook)",
    "market.q": "Bass imitation coefficient q of a segment, per month (engine hook)",
    "funding.climate": "funding climate (odds and pre-money multiplier), > 0",
    "funding.success_probability": "probability that a round attempt resolving that month closes (engine hook)",
    "company.other_costs": "other costs, USD per month (legal, compliance)",
    "company.one_off_cost": "a one-off cost in the event's month, USD (add only)",
    "company.compute": (
        "accelerator prices: multiply scales the compute line, training runs' cost and serving cost per "
        "token; add shifts the compute line, USD per month (GPU price spike)"
    ),
    "product.frontier_loss": "the competing frontier's loss, nats/token (a better competitor: add −x)",
    "product.failure_probability": "probability that a training run submitted in the window is wasted",
    "product.api_price": (
        "price per token of the vendor API model the product is served by (multiply; a repricing or a forced "
        "move to a successor model)"
    ),
    "product.api_quality": (
        "loss of the vendor API model the product is served by, nats/token (add: + is worse; a successor that "
        "behaves differently on the product's prompts)"
    ),
    "product.api_migration_cost": (
        "a one-off migration cost in the event's month, USD (add only), paid only by a product served by a "
        "vendor's API then"
    ),
    "team.attrition": "multiplier of every role's attrition hazard (engine hook)",
    "team.productivity": "multiplier of the team's productive capacity (engine hook)",
}
"""Every parameter a risk can act on, with its unit."""

CATEGORIES = ("technical", "market", "funding", "team", "legal", "compute", "other")

ONE_OFF_TARGETS = ("company.one_off_cost", "product.api_migration_cost")
"""Targets that are an amount paid once, in the event's month."""

_SEGMENT_TARGETS = {"market.price", "market.churn", "market.p", "market.q"}


class Impact(Model):
    """How one event changes one parameter (see the module docstring for the arithmetic)."""

    target: Literal[tuple(TARGETS)] = Field(description="The parameter changed, e.g. market.price.")
    mode: Literal["multiply", "add"] = Field(
        "multiply", description="multiply: x·(1 + (v − 1)·s); add: x + v·s (s: the event's severity)."
    )
    value: uncertain() = Field(
        description="v at severity 1: a factor (multiply; 0.8 = −20 %) or an amount in the target's unit (add). "
        "A distribution is drawn once per path."
    )
    duration_months: int | None = Field(
        None, ge=1, description="Months the change lasts from month ⌈event time⌉ (omit: permanent)."
    )
    probability: float = Field(
        1.0, ge=0, le=1, description="Chance that an event brings this impact (e.g. an injunction in a lawsuit)."
    )
    segment: Name | None = Field(None, description="market.* only: the segment changed (omit: all).")
    round: Name | None = Field(None, description="funding.success_probability only: the round changed (omit: all).")
    run: Name | None = Field(None, description="product.failure_probability only: the run changed (omit: all).")

    @model_validator(mode="after")
    def _consistent(self):
        if self.segment is not None and self.target not in _SEGMENT_TARGETS:
            raise ValueError(
                f"segment(={self.segment!r}) applies only to {sorted(_SEGMENT_TARGETS)}, not {self.target}"
            )
        if self.round is not None and self.target != "funding.success_probability":
            raise ValueError(f"round(={self.round!r}) applies only to funding.success_probability, not {self.target}")
        if self.run is not None and self.target != "product.failure_probability":
            raise ValueError(f"run(={self.run!r}) applies only to product.failure_probability, not {self.target}")
        if self.target in ONE_OFF_TARGETS and (self.mode != "add" or self.duration_months is not None):
            raise ValueError(f"{self.target} is a one-off amount: use mode 'add' and no duration_months")
        if self.mode == "multiply" and share_outside(self.value, 0.0, None) > 0:
            raise ValueError(f"a multiply impact's value must be >= 0 (found {_show(self.value)})")
        return self


class Mitigation(Model):
    """Something the founder can buy against a risk: it costs money each month and
    lowers the hazard and/or the severity of events from ``start_month`` on."""

    name: Name
    bought: bool = Field(True, description="Whether the scenario buys it (false: no cost, no effect).")
    cost_per_month: uncertain(ge=0) = Field(0.0, description="USD per month from start_month on.")
    start_month: int = Field(0, ge=0, description="Month it starts (costs and effects).")
    hazard_multiplier: float = Field(1.0, ge=0, description="Multiplies the risk's hazard (0.5: half as often).")
    severity_multiplier: float = Field(1.0, ge=0, description="Multiplies each event's severity (0.5: half as bad).")
    source: str = Field("assumption", description="Where the figures come from.")


class Raises(Model):
    """Contagion: each event of this risk multiplies another risk's hazard for a while."""

    risk: Name = Field(description="The risk whose hazard rises.")
    hazard_multiplier: float = Field(gt=0, description="Factor on that risk's hazard per event of this one.")
    duration_months: int | None = Field(
        None, ge=1, description="Months it lasts from month ⌈event time⌉ (omit: for good)."
    )


class Risk(Model):
    """One risk: arrival, severity, impacts, mitigations and dependence."""

    name: Name
    category: Literal[CATEGORIES] = Field("other", description="For reports: " + ", ".join(CATEGORIES) + ".")
    description: str = Field("", description="What happens, in words.")
    hazard_monthly: bounded(TimeVarying, ge=0) | None = Field(
        None, description="Events per month (a number, distribution, schedule or trend)."
    )
    annual_probability: uncertain(ge=0, lt=1) | None = Field(
        None, description="Probability of at least one event in a year; hazard −ln(1 − p)/12 per month."
    )
    start_month: int = Field(0, ge=0, description="No event before this month.")
    max_events: int = Field(1, ge=1, le=12, description="Most events per path (later arrivals are dropped).")
    severity: uncertain(ge=0) = Field(
        1.0, description="Severity s of an event, drawn per event (1: the stated impact)."
    )
    impacts: list[Impact] = Field(min_length=1, description="What an event changes.")
    mitigations: Annotated[list[Mitigation], AfterValidator(unique_names)] = Field(
        default_factory=list, description="Mitigations that may be bought."
    )
    macro_loading: float = Field(
        0.0,
        ge=-0.99,
        le=0.99,
        description="Loading ρ on the common macro factor M: the first arrival's Gaussian copula variate is "
        "ρ·M + √(1 − ρ²)·ε.",
    )
    raises: list[Raises] = Field(default_factory=list, description="Contagion: hazards this risk's events raise.")
    source: dict[str, str] = Field(default_factory=dict, description="Where each figure comes from (field → text).")

    @model_validator(mode="after")
    def _one_hazard(self):
        if (self.hazard_monthly is None) == (self.annual_probability is None):
            raise ValueError("give exactly one of hazard_monthly and annual_probability")
        return self


class Risks(Model):
    """The scenario's risks: catalogue risks included (and changed), custom ones, and the macro factor."""

    include: list[Name] | Literal["all"] = Field(
        default_factory=list, description="Catalogue risks to include (names, or 'all')."
    )
    exclude: list[Name] = Field(default_factory=list, description="Catalogue risks to leave out (with include: all).")
    overrides: dict[Name, dict[str, Any]] = Field(
        default_factory=dict, description="Changed fields of included catalogue risks: {risk: {field: value}}."
    )
    custom: Annotated[list[Risk], AfterValidator(unique_names)] = Field(
        default_factory=list, description="The scenario's own risks."
    )
    macro_factor: dict[Name, float] = Field(
        default_factory=dict, description="Loadings ρ on the common macro factor by risk (replace each risk's own)."
    )
    buy: list[str] = Field(
        default_factory=list, description="Mitigations to buy, as 'risk.mitigation' (sets their bought: true)."
    )
    _resolved: tuple[Risk, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _resolve(self):
        from venturesim.risks.catalog import catalog_entries

        entries = catalog_entries()
        names = list(entries) if self.include == "all" else list(self.include)
        for name in [*names, *self.exclude]:
            _known(name, entries, "catalogue risk")
        names = [n for n in names if n not in set(self.exclude)]
        for name in self.overrides:
            if name not in names:
                hint = suggest(name, names)
                raise ValueError(
                    f"overrides names {name!r}, which is not included"
                    + (f"; did you mean {hint!r}?" if hint else f"; included: {names}")
                )
        risks = []
        for name in names:
            entry = dict(entries[name])
            patch = dict(self.overrides.get(name, {}))
            if {"hazard_monthly", "annual_probability"} & set(patch):
                entry.pop("hazard_monthly", None)
                entry.pop("annual_probability", None)
            entry.update(patch)
            try:
                risks.append(Risk.model_validate({"name": name, **entry}))
            except (ValidationError, ValueError) as exc:  # name the risk in the message
                raise ValueError(f"risk {name!r}: {exc}") from None
        risks += list(self.custom)
        unique_names(risks)
        by_name = {r.name: r for r in risks}
        for name, loading in self.macro_factor.items():
            _known(name, by_name, "risk")
            if not -0.99 <= loading <= 0.99:
                raise ValueError(f"macro_factor loading of {name!r} (={loading}) must be in [-0.99, 0.99]")
        risks = [
            r.model_copy(update={"macro_loading": self.macro_factor[r.name]}) if r.name in self.macro_factor else r
            for r in risks
        ]
        risks = _buy(risks, self.buy)
        for r in risks:
            for link in r.raises:
                _known(link.risk, by_name, f"risk raised by {r.name!r}")
        self._resolved = tuple(contagion_order(risks))
        return self

    @property
    def risks(self) -> tuple[Risk, ...]:
        """Every risk of the scenario (catalogue ones with overrides, then custom), in contagion order."""
        return self._resolved


def contagion_order(risks: list[Risk]) -> list[Risk]:
    """Risks ordered so that a risk comes after every risk that raises its hazard.

    Raises ValueError on a cycle (contagion must be acyclic so arrivals can be drawn in order).
    """
    by_name = {r.name: r for r in risks}
    sources = {r.name: [s.name for s in risks if any(link.risk == r.name for link in s.raises)] for r in risks}
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]):
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"contagion is circular: {' → '.join(chain + (name,))}")
        visiting.add(name)
        for source in sources[name]:
            visit(source, chain + (name,))
        visiting.discard(name)
        done.append(name)

    for r in risks:
        visit(r.name, ())
    return [by_name[n] for n in done]


def _buy(risks: list[Risk], wanted: list[str]) -> list[Risk]:
    """Mark the mitigations named 'risk.mitigation' in ``wanted`` as bought."""
    by_name = {r.name: r for r in risks}
    chosen: dict[str, set[str]] = {}
    for item in wanted:
        risk, _, mitigation = item.partition(".")
        _known(risk, by_name, "risk in buy")
        _known(mitigation, {m.name for m in by_name[risk].mitigations}, f"mitigation of {risk!r} in buy")
        chosen.setdefault(risk, set()).add(mitigation)
    return [
        r.model_copy(
            update={
                "mitigations": [
                    m.model_copy(update={"bought": True}) if m.name in chosen[r.name] else m for m in r.mitigations
                ]
            }
        )
        if r.name in chosen
        else r
        for r in risks
    ]


def _known(name: str, table, what: str) -> None:
    if name not in table:
        hint = suggest(name, table)
        raise ValueError(
            f"unknown {what} {name!r}" + (f"; did you mean {hint!r}?" if hint else f"; choose from {sorted(table)}")
        )


def _show(spec) -> str:
    return repr(spec) if not isinstance(spec, Spec) else spec.model_dump_json(exclude_defaults=True)
