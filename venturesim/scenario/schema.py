"""The scenario: the whole typed, validated description of one startup.

A scenario is written in YAML (see ``venturesim new``) and validated into
this frozen pydantic model; every number carries its unit in its field
description, and the YAML reference (docs/yaml-reference.md) is generated
from these models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from venturesim.analysis.targets import Target
from venturesim.funding.schema import Funding
from venturesim.market.schema import Market
from venturesim.model_costs.schema import Compute, Product
from venturesim.partnerships.schema import Partnerships
from venturesim.risks.schema import Risks
from venturesim.scenario.inputs import iter_inputs, trend_problems, uncertain_inputs
from venturesim.spec._base import Model
from venturesim.spec.distributions import Spec, bounded, uncertain
from venturesim.spec.timeseries import TimeVarying
from venturesim.team.policy import Policy
from venturesim.team.schema import Team


class Company(Model):
    """The company at month 0."""

    initial_cash: uncertain(ge=0) = Field(description="Cash in the bank at month 0, USD.")
    founder_ownership: float = Field(
        1.0, ge=0, le=1, description="Founders' fully diluted ownership at month 0 (the rest: angels, option pool)."
    )
    option_pool: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Option pool (granted and unissued) at month 0, fraction of fully diluted; "
        "founders + pool ≤ 1, the rest belongs to angels and other early holders.",
    )
    other_monthly_costs: bounded(TimeVarying, ge=0) = Field(
        0.0, description="Rent, software, legal and other operating costs per month, USD."
    )

    @model_validator(mode="after")
    def _ownership_fits(self):
        if self.founder_ownership + self.option_pool > 1 + 1e-12:
            raise ValueError(
                f"founder_ownership(={self.founder_ownership}) + option_pool(={self.option_pool}) must be <= 1"
            )
        return self


MAX_MONTHS = 600
"""Longest horizon, months (50 years)."""
MAX_PATHS = 1_000_000_000
"""Most paths one run may ask for (a billion; memory is bounded by chunks, time is not)."""
MAX_SEED = 2**32 - 1
"""Largest seed: JAX keys hold 32 bits of seed without 64-bit mode, so 2**32 would repeat seed 0."""


class Simulation(Model):
    """Run settings (the CLI and simulate() can override them)."""

    months: int = Field(60, ge=1, le=MAX_MONTHS, description="Horizon, months.")
    paths: int = Field(10_000, ge=1, le=MAX_PATHS, description="Monte Carlo paths.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Base random seed (distinct seeds give distinct runs).")


class Correlation(Model):
    """A rank (Spearman) correlation between two uncertain inputs."""

    between: tuple[str, str] = Field(description="Names of two uncertain inputs, e.g. market.segments.smb.market_size.")
    rank_correlation: float = Field(gt=-1, lt=1, description="Spearman rank correlation in (−1, 1).")


class Scenario(Model):
    """A startup scenario."""

    name: str = Field(description="Title shown in reports.")
    description: str = Field("", description="Free text shown under the title.")
    simulation: Simulation = Field(default_factory=Simulation)
    company: Company
    market: Market
    team: Team = Field(default_factory=Team)
    compute: Compute = Field(default_factory=Compute)
    funding: Funding = Field(default_factory=Funding)
    policy: Policy = Field(
        default_factory=Policy,
        description="Management policies: what the company does with its plans when a round fails.",
    )
    product: Product | None = Field(
        None,
        description="The model the startup trains and serves, and the frontier it competes with "
        "(omit it and the product's quality and training costs play no part).",
    )
    risks: Risks = Field(
        default_factory=Risks,
        description=(
            "Risk events: catalogue risks included or changed, custom risks, the macro factor, mitigations bought."
        ),
    )
    partnerships: Partnerships | None = Field(
        None, description="Partners the company seeks: search, signing, effects and partner risk."
    )
    correlations: list[Correlation] = Field(
        default_factory=list, description="Rank correlations between uncertain inputs (Gaussian copula)."
    )
    targets: list[Target] = Field(
        default_factory=list,
        description="Outcome targets: claims such as 'ARR >= $1M by month 12' whose probability every run "
        "reports (summary and report), like @RISK's output targets.",
    )

    _base_dir: str = PrivateAttr(".")
    _allow_outside: bool = PrivateAttr(True)  # load() of a file sets False

    def override(self, changes: dict[str, Any] | list[str]) -> Scenario:
        """A copy with overrides applied.

        ``changes`` is either ``{"market.segments.smb.price": 30, "funding.rounds.seed.amount*=": 0.5}``
        (a key may end in an operator ``*=``, ``/=``, ``+=``, ``-=``) or a list of
        CLI-style strings ``["market.segments.smb.price*=0.7"]``.
        """
        from venturesim.scenario.loader import from_dict
        from venturesim.scenario.overrides import apply_overrides, make_override, parse_override

        if isinstance(changes, dict):
            parsed = []
            for key, value in changes.items():
                op = next((o for o in ("*=", "/=", "+=", "-=") if key.endswith(o)), "=")
                path = key[: len(key) - len(op)] if op != "=" else key
                path_parts = parse_override(f"{path}=0").path
                parsed.append(make_override(f"{path}{op}{value!r}", path_parts, op, value))
        else:
            parsed = [parse_override(text) for text in changes]
        data = apply_overrides(self.model_dump(mode="python"), parsed)
        return from_dict(
            data, filename="; ".join(o.text for o in parsed), base_dir=self._base_dir, allow_outside=self._allow_outside
        )

    def reference_problems(self) -> list[tuple[tuple, str, str | None]]:
        """Names that must match another section's: (path, message, did-you-mean) for each that does not.

        A risk impact's ``segment``, ``round`` and ``run``, a segment's
        ``open_after_round`` and a partner's ``segment`` (the engines resolve
        them when sampling, so an unknown one would only be found by ``run``).
        """
        from venturesim.spec.errors import suggest

        known = {
            "segment": [s.name for s in self.market.segments],
            "round": self.funding.class_names(),
            "run": [r.name for r in self.product.training_runs] if self.product else [],
        }
        problems = []

        def check(path: tuple, what: str, name: str | None) -> None:
            if name is not None and name not in known[what]:
                choices = ", ".join(known[what]) or "none"
                problems.append(
                    (
                        path,
                        f"names {what} {name!r}, which the scenario does not have (it has: {choices})",
                        suggest(name, known[what]),
                    )
                )

        custom = [r.name for r in self.risks.custom]
        for risk in self.risks.risks:
            where = (
                ("risks", "custom", custom.index(risk.name))
                if risk.name in custom
                else ("risks", "overrides", risk.name)
                if risk.name in self.risks.overrides
                else ("risks", "include")
            )
            for i, impact in enumerate(risk.impacts):
                for what in ("segment", "round", "run"):
                    check((*where, "impacts", i, what), what, getattr(impact, what))
        for i, segment in enumerate(self.market.segments):
            check(("market", "segments", i, "open_after_round"), "round", segment.open_after_round)
        for i, partner in enumerate(self.partnerships.partners if self.partnerships else []):
            check(("partnerships", "partners", i, "segment"), "segment", partner.segment)
        from venturesim.analysis.targets import target_claims

        for i, claim in enumerate(target_claims(self)):
            problems += [(("targets", i, "claim"), message, None) for message in claim.problems(self)]
        return problems

    @model_validator(mode="after")
    def _sections_consistent(self):
        from venturesim.team.schema import check_engineering_response

        check_engineering_response(self.team, self.product)
        overflowing = trend_problems(self, self.simulation.months)
        if overflowing:
            raise ValueError("; ".join(overflowing))
        return self

    @field_validator("correlations")
    @classmethod
    def _correlations_valid(cls, correlations, info: ValidationInfo):
        sections = ("company", "market", "team", "compute", "funding", "product", "partnerships")
        if correlations and all(s in info.data for s in sections):  # else other errors are reported
            inputs: dict = {}
            for section in sections:
                if info.data[section] is not None:
                    inputs |= {n: v for n, v in iter_inputs(info.data[section], f"{section}.") if isinstance(v, Spec)}
            correlation_matrix(inputs, correlations)
        return correlations


def rank_correlation_matrix(scenario: Scenario) -> tuple[list[str], np.ndarray]:
    """The correlated inputs of a scenario and their copula matrix (see :func:`correlation_matrix`)."""
    return correlation_matrix(uncertain_inputs(scenario), scenario.correlations)


def correlation_matrix(inputs: dict, correlations: list[Correlation]) -> tuple[list[str], np.ndarray]:
    """The correlated inputs and their Gaussian-copula correlation matrix.

    A requested Spearman correlation ρ_s becomes the normal-scale Pearson
    correlation r = 2 sin(π ρ_s / 6), which reproduces ρ_s exactly for a
    Gaussian copula (Kruskal 1958). The matrix must be positive definite.

    Raises
    ------
    ValueError
        If a name is not an uncertain input, a pair is repeated, or the
        matrix is not positive definite.
    """
    names: list[str] = []
    for k, corr in enumerate(correlations):
        for name in corr.between:
            if name not in inputs:
                from venturesim.spec.errors import suggest

                hint = suggest(name, list(inputs))
                raise ValueError(
                    f"correlations[{k}] names {name!r}, which is not an uncertain input"
                    + (f"; did you mean {hint!r}?" if hint else f"; uncertain inputs are {sorted(inputs)}")
                )
            if getattr(inputs[name], "posterior", None) is not None:
                raise ValueError(
                    f"correlations[{k}] names {name!r}, a column of a joint posterior: its correlations come "
                    "from the posterior's draws; remove it from correlations"
                )
            if name not in names:
                names.append(name)
    matrix = np.eye(len(names))
    pairs: set[frozenset[str]] = set()
    for corr in correlations:
        i, j = (names.index(n) for n in corr.between)
        if i == j:
            raise ValueError(f"an input cannot be correlated with itself: {corr.between[0]!r}")
        if frozenset(corr.between) in pairs:
            raise ValueError(f"the pair {corr.between} is given twice")
        pairs.add(frozenset(corr.between))
        matrix[i, j] = matrix[j, i] = 2 * np.sin(np.pi * corr.rank_correlation / 6)
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues.min() <= 1e-10:
        raise ValueError(
            "the correlations are not positive definite (they contradict each other: "
            f"smallest eigenvalue {eigenvalues.min():.3g}); weaken some of them"
        )
    return names, matrix
