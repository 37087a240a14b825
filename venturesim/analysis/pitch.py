"""Pitch check: the probability of each claim of a pitch under a scenario, and what the claims need.

A claims file is YAML::

    # pitch_claims.yaml
    claims:
      - ARR >= $10M by month 24
      - break-even by month 30
      - {name: the A, claim: series_a within 18 months}
      - gross margin >= 60% at month 24
      - founders keep >= 50% after the series_a

Each claim is a sentence of the claims grammar (:mod:`venturesim.analysis.claims`);
a sentence the grammar cannot read, or one naming a round the scenario lacks,
is reported with its file:line.

The check simulates the scenario once (recording what the claims need) and
reports, for each claim C_k, p̂_k = (1/n) Σ 1[C_k holds on path i] with SE
√(p̂(1 − p̂)/n); the joint probability that every claim holds, the same way
on the per-path conjunction; and, for the paths where all claims hold, each
uncertain input's distribution against its prior
(:func:`venturesim.analysis.goal_seek.inputs_given`): the inputs the pitch
quietly assumes to be lucky are those most shifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from venturesim.analysis import _stats
from venturesim.analysis.claims import Claim, parse_claim
from venturesim.analysis.targets import Target
from venturesim.spec._base import Model


class ClaimsFile(Model):
    """A pitch's claims (the YAML file of ``venturesim pitch-check``)."""

    claims: list[Target] = Field(min_length=1, description="The claims: sentences, or {name, claim}.")


def load_claims(source: str | Path | list, scenario=None) -> list[Claim]:
    """Read claims from a YAML file (or a list of sentences), checking them against ``scenario``.

    Raises
    ------
    ScenarioError
        Every problem with its file:line (unreadable sentence, unknown metric or round, month beyond the
        horizon).
    """
    from venturesim.spec._yaml import load_yaml
    from venturesim.spec.errors import Problem, ScenarioError, _mark_at, _position, validate_text

    if isinstance(source, list):
        parsed = ClaimsFile.model_validate({"claims": source})
        marks: dict = {}
        filename = "<claims>"
    else:
        filename = str(source)
        try:
            text = Path(source).read_text("utf-8")
        except OSError as exc:
            problem = Problem(filename, None, None, "", f"cannot read the claims file: {exc}")
            raise ScenarioError([problem], filename) from None
        parsed = validate_text(ClaimsFile, text, filename)
        marks = load_yaml(text, filename)[1]
    claims = [parse_claim(t.claim, t.name or "") for t in parsed.claims]
    if scenario is not None:
        problems = []
        for i, claim in enumerate(claims):
            for message in claim.problems(scenario):
                mark = _mark_at(marks, ("claims", i), False)
                problems.append(Problem(filename, *_position(mark), f"claims[{i}]", message))
        if problems:
            raise ScenarioError(problems, filename)
    return claims


@dataclass
class PitchCheck:
    """The answer of :func:`pitch_check`.

    Attributes
    ----------
    claims : the claims checked.
    holds : (paths, claims) bool array, whether each claim holds on each path.
    result : the simulation.
    """

    claims: list[Claim]
    holds: np.ndarray
    result: Any = field(repr=False)

    def table(self) -> pd.DataFrame:
        """One row per claim, then ``all claims``: columns claim, probability, se."""
        rows = [(c.label, *_stats.proportion(self.holds[:, k])) for k, c in enumerate(self.claims)]
        rows.append(("all claims together", *_stats.proportion(np.asarray(self.holds.all(axis=1), bool))))
        return pd.DataFrame(rows, columns=["claim", "probability", "se"])

    def inputs(self) -> pd.DataFrame:
        """Each uncertain input given that all claims hold, against its prior, most shifted first."""
        from venturesim.analysis.goal_seek import inputs_given

        return inputs_given(self.result, np.asarray(self.holds.all(axis=1), bool))

    def summary(self) -> pd.DataFrame:
        """The report's long table: claims' probabilities, then the inputs' conditional medians."""
        rows = [("claims", r.claim, "probability", r.probability, r.se, "fraction") for r in self.table().itertuples()]
        for r in self.inputs().head(12).itertuples():
            rows.append(("inputs the claims need", r.input, "prior median", r.prior_median, np.nan, ""))
            rows.append(("inputs the claims need", r.input, "median if all claims hold", r.median, np.nan, ""))
            rows.append(
                (
                    "inputs the claims need",
                    r.input,
                    "its percentile in the prior",
                    r.median_percentile,
                    np.nan,
                    "fraction",
                )
            )
        return pd.DataFrame(rows, columns=["section", "metric", "statistic", "value", "se", "unit"])

    def report(self, title: str = "Pitch check") -> str:
        """One self-contained HTML page: the table and the charts."""
        from venturesim.report import render_report
        from venturesim.report.stress_charts import plot_input_shift, plot_probabilities

        table = self.table().rename(columns={"claim": "label"})
        charts: dict = {"Claims": plot_probabilities(table)}
        inputs = self.inputs().head(12)
        if len(inputs):
            charts["Inputs the claims need"] = plot_input_shift(
                inputs, "Where each input's median lies if all claims hold"
            )
        r = self.result
        subtitle = f"{r.scenario.name}: {r.paths:,} paths × {r.months} months, seed {r.seed}"
        return render_report(title, subtitle, self.summary(), charts)


def pitch_check(
    scenario, claims, *, paths: int | None = None, seed: int | None = None, months: int | None = None
) -> PitchCheck:
    """Check a pitch's claims against a scenario (see the module docstring).

    ``claims``: a claims YAML file, a list of sentences or of parsed Claims.
    """
    import venturesim as vs
    from venturesim.engine.metrics import DEFAULT_METRICS

    scenario = vs.load(scenario)
    if isinstance(claims, list) and claims and all(isinstance(c, Claim) for c in claims):
        parsed = list(claims)
    else:
        parsed = load_claims(claims, scenario)
    metrics = list(dict.fromkeys([*DEFAULT_METRICS, *(m for c in parsed for m in c.metrics())]))
    result = vs.simulate(scenario, paths=paths, seed=seed, months=months, metrics=metrics)
    holds = np.stack([c.holds(result) for c in parsed], axis=1)
    return PitchCheck(parsed, holds, result)
