"""Outcome targets: claims a scenario states about itself, reported with every run (as @RISK's output targets).

.. code-block:: yaml

    targets:
      - ARR >= $1M by month 12
      - {name: survival, claim: alive at month 36}

Each target is a claim (:mod:`venturesim.analysis.claims`); the summary gets
a ``targets`` section with each one's probability and its binomial standard
error √(p(1 − p)/n), and ``simulate`` records the monthly metrics they need.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator, model_validator

from venturesim.spec._base import Model


class Target(Model):
    """An outcome target: a claim whose probability every run reports."""

    name: str | None = Field(None, description="Label in tables (default: the claim itself).")
    claim: str = Field(
        description="A claim such as 'ARR >= $1M by month 12', 'alive at month 36', "
        "'series_a within 18 months' (the claims grammar: docs/analysis.md)."
    )

    @model_validator(mode="before")
    @classmethod
    def _sentence(cls, data):
        return {"claim": data} if isinstance(data, str) else data

    @field_validator("claim")
    @classmethod
    def _readable(cls, text: str) -> str:
        from venturesim.analysis.claims import parse_claim

        parse_claim(text)  # a ClaimError (a ValueError) becomes a located problem
        return text


def target_claims(scenario) -> list:
    """The scenario's targets as parsed claims."""
    from venturesim.analysis.claims import parse_claim

    return [parse_claim(t.claim, t.name or "") for t in getattr(scenario, "targets", [])]


def target_metrics(scenario) -> tuple[str, ...]:
    """The monthly metrics the scenario's targets need."""
    return tuple(dict.fromkeys(m for c in target_claims(scenario) for m in c.metrics()))


def target_rows(result) -> list[tuple]:
    """Summary rows (section ``targets``): each target's probability and SE; NaN if a metric was not recorded."""
    rows = []
    for claim in target_claims(result.scenario):
        try:
            p, se = _proportion(claim.holds(result))
            statistic = "probability"
        except ValueError as exc:
            p, se, statistic = np.nan, np.nan, f"n/a: {exc}"
        rows.append(("targets", f"P({claim.label})", statistic, p, se, "fraction"))
    return rows


def _proportion(flags):
    from venturesim.analysis._stats import proportion

    return proportion(np.asarray(flags, bool))
