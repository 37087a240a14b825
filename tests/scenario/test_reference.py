"""The generated YAML reference: current with the schema, complete, and reproducible."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, get_args, get_origin

import pytest
from pydantic import BaseModel

from venturesim.scenario import reference
from venturesim.scenario.schema import Scenario
from venturesim.spec.distributions import Spec

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "yaml-reference.md"


@pytest.fixture(scope="module")
def text() -> str:
    return reference.render()


def _models_in(annotation) -> list[type[BaseModel]]:
    """Every model class reachable through an annotation (unions, lists, dicts, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) is Annotated:
        return _models_in(get_args(annotation)[0])
    found = []
    for arg in get_args(annotation):
        found += _models_in(arg)
    return found


def all_models() -> list[type[BaseModel]]:
    """The scenario model and every model nested in it, specs and time series included."""
    reference._ensure_built()
    seen: list[type[BaseModel]] = []
    todo = [Scenario]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo += _models_in(field.annotation)
    return seen


def _section(text: str, model: type[BaseModel]) -> str:
    """The text from the heading naming ``model`` to the next heading."""
    match = re.search(rf"^#{{2,3}} (?:.* — )?{model.__name__}\n(.*?)(?=^#{{2,3}} |\Z)", text, re.M | re.S)
    assert match, f"no heading for {model.__name__}"
    return match.group(1)


def test_committed_reference_is_current(text):
    committed = DOC.read_text(encoding="utf-8")
    assert text == committed, "docs/yaml-reference.md is stale: run `make docs` and commit the result"


def test_walk_reaches_every_kind_of_model():
    names = {m.__name__ for m in all_models()}
    assert {"Scenario", "Segment", "Round", "Role", "Correlation", "Schedule", "Trend"} <= names
    assert {s.__name__ for s in reference.spec_models()} <= names
    assert {"Normal", "Pert", "Range90", "FileDraws"} <= names


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.__name__)
def test_every_field_of_every_model_has_a_row(text, model):
    section = _section(text, model)
    rows = re.findall(r"^\| `([^`]+)` \|", section, re.M)
    leaves = {row.removesuffix("[]").rsplit(".", 1)[-1] for row in rows}
    own = [n for n in model.model_fields if not (issubclass(model, Spec) and n in Spec.model_fields)]
    missing = [n for n in own if n not in leaves]
    assert not missing, f"{model.__name__}: no row for {missing}"
    for name, field in model.model_fields.items():
        if field.description and name in own:
            assert field.description in section, f"{model.__name__}.{name}: description missing"


def test_fields_common_to_every_spec_are_documented(text):
    section = text.split("### Fields every form accepts", 1)[1].split("\n### ", 1)[0]
    for name, field in Spec.model_fields.items():
        assert f"| `{name}` |" in section and field.description in section


def test_every_validator_rule_is_described():
    """A model or field validator enforces a rule the schema cannot show: CHECKS must say it."""
    for model in all_models():
        decorators = model.__pydantic_decorators__
        if decorators.model_validators:
            assert reference._check(model), f"CHECKS needs an entry for {model.__name__}"
        for validator in decorators.field_validators.values():
            for field in validator.info.fields:
                described = reference._check(model, field) or reference._check(model)
                assert described, f"CHECKS needs {model.__name__}.{field} (or {model.__name__})"


def _row(text: str, path: str) -> str:
    match = re.search(rf"^\| `{re.escape(path)}` \|.*$", text, re.M)
    assert match, path
    return match.group(0)


def test_bounds_come_from_the_validators_and_field_constraints(text):
    churn = _row(text, "market.segments[].churn")
    assert ">= 0 and <= 1" in churn and "clipped" in churn and "growth < 0" in churn
    assert "time-varying" in churn and "`0.03`" in churn
    assert "> 0" in _row(text, "market.segments[].market_size")
    assert ">= 1 and <= 600" in _row(text, "simulation.months")
    assert "> -1 and < 1" in _row(text, "correlations[].rank_correlation")
    assert "required" in _row(text, "funding.rounds[].success_probability")
    assert "> 0" in _row(text, "funding.rounds[].valuation_cap")
    assert "number or distribution" in _row(text, "funding.rounds[].amount")
    assert "at least 1 entry" in _row(text, "market.segments[]")


def test_scipy_parametrisations_are_carried_over(text):
    assert "`lognorm(s=sigma, scale=exp(mu))`" in _section(text, reference.spec_models()[1])
    assert "Φ⁻¹(0.95)" in text


def test_module_entry_point_prints_the_same_text(text):
    out = subprocess.run(
        [sys.executable, "-m", "venturesim.scenario.reference"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    ).stdout.decode("utf-8")
    assert out == text


def test_the_rounds_field_says_what_a_round_is(text):
    """Every instrument the engines simulate is named where a founder looks up `funding.rounds` (it once said
    "Priced rounds", though SAFEs, notes and bridges are simulated too)."""
    from venturesim.funding.instruments import KINDS

    row = next(line for line in text.splitlines() if line.startswith("| `funding.rounds[]` |"))
    assert "Priced rounds" not in row
    named = {"priced": "priced equity", "safe": "post-money", "pre_money_safe": "pre-money SAFE", "note": "note"}
    assert set(named) == set(KINDS)
    assert all(words in row for words in named.values())
    assert "bridge" in row and "`venture_debt`" in row and "`grants`" in row
