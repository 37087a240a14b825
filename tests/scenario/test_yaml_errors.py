"""Tests for positioned YAML loading and scenario error reporting."""

from __future__ import annotations

import pickle
from textwrap import dedent
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from venturesim.spec._yaml import KEY, Mark, YamlError, load_yaml
from venturesim.spec.errors import (
    Problem,
    ScenarioError,
    format_path,
    problems_from_validation_error,
    suggest,
    validate_text,
)

FILE = "scenarios/x.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Normal(Strict):
    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)


class Uniform(Strict):
    dist: Literal["uniform"]
    low: float
    high: float


def _kind(value: object) -> str | None:
    if isinstance(value, dict):
        return value.get("dist")
    return "fixed" if isinstance(value, (int, float)) else None


Param = Annotated[
    Annotated[float, Tag("fixed")] | Annotated[Normal, Tag("normal")] | Annotated[Uniform, Tag("uniform")],
    Discriminator(_kind),
]


class Segment(Strict):
    name: str
    churn: float = Field(ge=0, le=1)
    size: int = 1000


class Company(Strict):
    name: str
    initial_cash: float
    runway_months: int = Field(12, alias="runway-months")
    stage: Literal["seed", "series-a"] = "seed"


class Market(Strict):
    segments: list[Segment]
    price: Param
    regions: dict[str, Segment] = {}


class Scenario(Strict):
    company: Company
    market: Market
    fallback: Normal | Uniform | None = None

    @model_validator(mode="after")
    def _cash_not_negative(self) -> Scenario:
        if self.company.initial_cash < 0:
            raise ValueError("initial cash must not be negative")
        return self


GOOD = dedent(
    """\
    # a comment line
    company:
      name: Acme
      initial_cash: 2_000_000
    market:
      segments:
        - name: smb
          churn: 0.05
        - {name: ent, churn: 0.01, size: 1e3}
      price: {dist: normal, mean: 1e6, sd: 1.5e+4}
    """
)


def _problems(text: str, model: type[BaseModel] = Scenario) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        validate_text(model, text, FILE)
    return info.value.problems


def _summary(problems: list[Problem]) -> list[tuple]:
    return [(p.line, p.column, p.path, p.message, p.suggestion) for p in problems]


# --- load_yaml -------------------------------------------------------------


def test_load_yaml_builds_plain_data_and_marks() -> None:
    data, marks = load_yaml(GOOD, FILE)
    assert data["company"] == {"name": "Acme", "initial_cash": 2_000_000}
    assert data["market"]["segments"][1] == {"name": "ent", "churn": 0.01, "size": 1000.0}
    assert marks[()] == Mark(2, 1)
    assert marks[("company", KEY)] == Mark(2, 1)
    assert marks[("company", "initial_cash")] == Mark(4, 17)
    assert marks[("company", "initial_cash", KEY)] == Mark(4, 3)
    assert marks[("market", "segments", 0)] == Mark(7, 7)
    assert marks[("market", "segments", 0, "churn")] == Mark(8, 14)
    assert marks[("market", "segments", 1, "size", KEY)] == Mark(9, 32)
    assert marks[("market", "price", "sd")] == Mark(10, 40)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [("1e6", 1e6), ("1.5e+6", 1.5e6), ("1.5e6", 1.5e6), ("-2E-3", -0.002), ("2_000_000", 2000000)],
)
def test_numbers_in_exponent_and_underscore_form(literal: str, expected: float) -> None:
    data, _ = load_yaml(f"x: {literal}\n", FILE)
    assert data["x"] == expected
    assert type(data["x"]) is type(expected)


def test_quoted_numbers_and_dates_stay_strings() -> None:
    data, _ = load_yaml("a: '1e6'\nb: 2024-01-31\nc: ~\nd: true\n", FILE)
    assert data == {"a": "1e6", "b": "2024-01-31", "c": None, "d": True}


def test_merge_keys_and_aliases() -> None:
    text = "base: &b\n  mean: 1\n  sd: 2\nother:\n  <<: *b\n  sd: 3\n"
    data, marks = load_yaml(text, FILE)
    assert data["other"] == {"mean": 1, "sd": 3}
    assert marks[("other", "sd")] == Mark(6, 7)
    assert marks[("other", "mean")] == Mark(2, 9)
    assert marks[("other",)] == Mark(5, 3)


def test_duplicate_keys_are_all_reported_at_the_second_occurrence() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    with pytest.raises(YamlError) as info:
        load_yaml(text, FILE)
    assert [(i.mark, i.path, i.message) for i in info.value.issues] == [
        (Mark(4, 3), ("b", "c"), "duplicate key 'c' (first defined on line 3)"),
        (Mark(5, 1), ("a",), "duplicate key 'a' (first defined on line 1)"),
    ]


def test_unsupported_tag_and_recursive_alias() -> None:
    with pytest.raises(YamlError) as info:
        load_yaml("a: !!binary aGk=\nb: &x [*x]\n", FILE)
    assert [(i.mark, i.message) for i in info.value.issues] == [
        (Mark(1, 4), "unsupported YAML tag '!!binary'"),
        (Mark(2, 4), "alias refers to one of its own parents"),
    ]


# --- YAML problems through validate_text ---------------------------------------


def test_tab_indentation_is_named_explicitly() -> None:
    text = "company:\n  name: Acme\n\tinitial_cash: 5\n"
    assert _summary(_problems(text)) == [(3, 1, "", "tab character used for indentation; YAML needs spaces", None)]
    assert str(_problems(text)[0]) == ("scenarios/x.yaml:3:1: tab character used for indentation; YAML needs spaces")


@pytest.mark.parametrize("text", ["", "   \n", "# only\n# comments\n", "---\n"])
def test_empty_file(text: str) -> None:
    assert _summary(_problems(text)) == [(1, 1, "", "scenario file is empty", None)]


def test_top_level_must_be_a_mapping() -> None:
    assert _summary(_problems("# lead\n- a\n- b\n")) == [
        (2, 1, "", "top level of a scenario file must be a mapping of keys to values, found a list", None)
    ]


def test_syntax_error_has_line_and_column() -> None:
    (problem,) = _problems("company:\n  name: a: b\n")
    assert (problem.line, problem.column, problem.message) == (2, 10, "mapping values are not allowed here")


def test_duplicate_key_through_validate_text() -> None:
    text = "company:\n  name: A\n  initial_cash: 1\n  name: B\n"
    assert _summary(_problems(text)) == [(4, 3, "company.name", "duplicate key 'name' (first defined on line 2)", None)]


# --- validation problems ---------------------------------------------------------


def test_valid_scenario_validates_with_numbers_and_union() -> None:
    scenario = validate_text(Scenario, GOOD, FILE)
    assert scenario.company.initial_cash == 2_000_000.0
    assert scenario.market.segments[1].size == 1000
    assert scenario.market.price == Normal(dist="normal", mean=1e6, sd=1.5e4)
    plain = validate_text(Scenario, GOOD.replace("{dist: normal, mean: 1e6, sd: 1.5e+4}", "2.5"), FILE)
    assert plain.market.price == 2.5


def test_several_problems_are_reported_at_once_in_line_order() -> None:
    text = dedent(
        """\
        company:
          name: Acme
          intial_cash: 5
          runway-month: 3
        market:
          segments:
            - name: smb
              churn: 1.5
            - name: ent
              chrun: 0.1
          price: {dist: normal, mean: 1, sdd: 2}
        """
    )
    with pytest.raises(ScenarioError) as info:
        validate_text(Scenario, text, FILE)
    assert _summary(info.value.problems) == [
        (1, 1, "company.initial_cash", "missing required field", None),
        (3, 3, "company.intial_cash", "unknown field", "initial_cash"),
        (4, 3, "company.runway-month", "unknown field", "runway-months"),
        (8, 14, "market.segments[0].churn", "expected a number <= 1, found 1.5", None),
        (9, 7, "market.segments[1].churn", "missing required field", None),
        (10, 7, "market.segments[1].chrun", "unknown field", "churn"),
        (11, 3, "market.price.sd", "missing required field", None),
        (11, 34, "market.price.sdd", "unknown field", "sd"),
    ]
    lines = str(info.value).splitlines()
    assert len(lines) == 8
    assert lines[1] == "scenarios/x.yaml:3:3: company.intial_cash: unknown field; did you mean 'initial_cash'?"
    assert lines[3] == "scenarios/x.yaml:8:14: market.segments[0].churn: expected a number <= 1, found 1.5"
    assert isinstance(info.value, ValueError)
    assert info.value.filename == FILE


def test_union_member_checks_and_bad_tag() -> None:
    text = "company: {name: A, initial_cash: 1}\nmarket:\n  segments: []\n  price:\n    dist: nromal\n"
    assert _summary(_problems(text)) == [
        (4, 3, "market.price", "expected one of 'fixed', 'normal', 'uniform', found 'nromal'", "normal")
    ]
    text = "company: {name: A, initial_cash: 1}\nmarket:\n  segments: []\n  price: {dist: normal, mean: x, sd: -1}\n"
    assert _summary(_problems(text)) == [
        (4, 31, "market.price.mean", "expected a number, found 'x'", None),
        (4, 38, "market.price.sd", "expected a number > 0, found -1", None),
    ]


def test_type_errors_say_expected_and_found() -> None:
    text = dedent(
        """\
        company: {name: A, initial_cash: lots, stage: sed}
        market:
          segments: {name: smb}
          price: [1, 2]
        """
    )
    assert _summary(_problems(text)) == [
        (1, 34, "company.initial_cash", "expected a number, found 'lots'", None),
        (1, 47, "company.stage", "expected 'seed' or 'series-a', found 'sed'", "seed"),
        (3, 3, "market.segments", "expected a list, found {'name': 'smb'}", None),
        (4, 3, "market.price", "expected a value of one of the supported forms, found [1, 2]", None),
    ]


def test_dict_and_optional_union_fields_get_suggestions() -> None:
    text = dedent(
        """\
        company: {name: A, initial_cash: 1}
        market:
          segments: []
          price: 1
          regions:
            eu west:
              name: eu
              churn: 0.1
              szie: 10
        fallback: {dist: uniform, low: 0, hihg: 1}
        """
    )
    assert _summary(_problems(text)) == [
        (9, 7, "market.regions['eu west'].szie", "unknown field", "size"),
        (10, 1, "fallback.high", "missing required field", None),
        (10, 35, "fallback.hihg", "unknown field", "high"),
    ]


def test_plain_union_reports_only_the_closest_member() -> None:
    class Holder(Strict):
        value: float | Normal

    assert _summary(_problems("value: {dist: normal, mean: 1}\n", Holder)) == [
        (1, 1, "value.sd", "missing required field", None)
    ]
    assert _summary(_problems("value: abc\n", Holder)) == [(1, 8, "value", "expected a number, found 'abc'", None)]


def test_model_validator_error_points_at_the_mapping() -> None:
    text = "market:\n  segments: []\n  price: 3\ncompany:\n  name: A\n  initial_cash: -5\n"
    assert _summary(_problems(text)) == [(1, 1, "", "initial cash must not be negative", None)]


def test_nested_model_validator_uses_the_key_line() -> None:
    class Range(Strict):
        low: float
        high: float

        @model_validator(mode="after")
        def _ordered(self) -> Range:
            if self.low > self.high:
                raise ValueError("low must not exceed high")
            return self

    class Holder(Strict):
        ranges: list[Range]
        limits: Range

    text = "ranges:\n  - {low: 1, high: 2}\n  - {low: 3, high: 2}\nlimits:\n  low: 9\n  high: 1\n"
    assert _summary(_problems(text, Holder)) == [
        (3, 5, "ranges[1]", "low must not exceed high", None),
        (4, 1, "limits", "low must not exceed high", None),
    ]


def test_problems_from_validation_error_falls_back_to_ancestor_mark() -> None:
    data, marks = load_yaml("market: 1\ncompany: {name: A, initial_cash: lots}\n", FILE)
    del marks[("company", "initial_cash")], marks[("company", "initial_cash", KEY)]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    assert _summary(problems_from_validation_error(info.value, marks, FILE, Scenario, data)) == [
        (1, 9, "market", "expected a mapping, found 1", None),
        (2, 10, "company.initial_cash", "expected a number, found 'lots'", None),
    ]


def test_context_is_passed_to_validators() -> None:
    class Seen(Strict):
        x: int

        @model_validator(mode="after")
        def _check(self, info) -> Seen:
            if self.x > info.context["limit"]:
                raise ValueError(f"x is above the limit {info.context['limit']}")
            return self

    assert validate_text(Seen, "x: 3\n", FILE, context={"limit": 5}).x == 3
    assert _summary(_problems_with_context("x: 7\n", Seen, {"limit": 5})) == [
        (1, 1, "", "x is above the limit 5", None)
    ]


def _problems_with_context(text: str, model: type[BaseModel], context: dict) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        validate_text(model, text, FILE, context=context)
    return info.value.problems


# --- helpers ------------------------------------------------------------------------


def test_format_path() -> None:
    assert format_path(("market", "segments", 0, "churn")) == "market.segments[0].churn"
    assert format_path((0, "a")) == "[0].a"
    assert format_path(("regions", "eu west", "size")) == "regions['eu west'].size"
    assert format_path(()) == ""


def test_suggest() -> None:
    assert suggest("intial_cash", ["name", "initial_cash"]) == "initial_cash"
    assert suggest("NAME", ["name", "initial_cash"]) == "name"
    assert suggest("zzz", ["name", "initial_cash"]) is None


def test_scenario_error_pickles_and_sorts() -> None:
    late = Problem(FILE, 9, 1, "b", "bad")
    early = Problem(FILE, 2, 4, "a", "unknown field", "aa")
    nowhere = Problem(FILE, None, None, "", "broken")
    error = ScenarioError([late, nowhere, early], FILE)
    assert error.problems == [early, late, nowhere]
    assert str(error) == (
        "scenarios/x.yaml:2:4: a: unknown field; did you mean 'aa'?\n"
        "scenarios/x.yaml:9:1: b: bad\n"
        "scenarios/x.yaml: broken"
    )
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and str(again) == str(error)
