"""Every file in tests/scenario/broken/ holds one deliberate mistake (one file
holds three); loading it must raise ScenarioError that points at the mistake.

Each row of CASES says where the problem is (1-based line), which field path
it names (a substring; "" means a file-level problem with an empty path),
what the message says (a substring) and the expected "did you mean"
suggestion. Rows marked ``xfail`` describe what the loader *should* report
and currently does not (see each reason); they are strict, so a fix turns
them into failures that ask for the mark to be removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

import venturesim

BROKEN = Path(__file__).parent / "broken"


class Case(NamedTuple):
    file: str
    line: int
    path: str
    message: str
    suggestion: str | None
    count: int = 1  # problems expected in the file
    xfail: str | None = None  # reason, when the loader is known to fall short


CASES = [
    # A typo of a required key is reported twice: the typo itself and the missing key.
    Case("typo_top_level_key.yaml", 4, "company.intial_cash", "unknown field", "initial_cash", count=2),
    Case("typo_nested_list_key.yaml", 14, "market.segments[1].chrun", "unknown field", "churn"),
    Case("wrong_type_string.yaml", 5, "company.founder_ownership", "expected a number, found 'most of it'", None),
    Case("negative_cash.yaml", 4, "company.initial_cash", "must be >= 0, found -250000", None),
    Case(
        "probability_above_one.yaml",
        13,
        "funding.rounds[0].success_probability",
        "must be >= 0 and <= 1, found 1.2",
        None,
    ),
    Case(
        "churn_normal_outside_unit.yaml",
        10,
        "market.segments[0].churn",
        "50.0% of this distribution lies outside",
        None,
    ),
    Case(
        "p95_below_p5.yaml",
        8,
        "market.segments[0].market_size",
        "p95(=20000.0) must be greater than p5(=80000.0)",
        None,
    ),
    Case("correlations_not_positive_definite.yaml", 11, "correlations", "not positive definite", None),
    Case(
        "correlation_unknown_input.yaml",
        12,
        "correlations[0].between[0]",  # the misspelt name's line
        "correlations[0] names 'market.segments.smb.market_sise', which is not an uncertain input; "
        "did you mean 'market.segments.smb.market_size'?",
        None,
    ),
    Case("draws_file_missing.yaml", 10, "market.segments[0].churn.file", "draws file not found", None),
    Case("tab_indentation.yaml", 5, "", "tab character used for indentation", None),
    Case("empty.yaml", 1, "", "scenario file is empty", None),
    Case("only_comments.yaml", 1, "", "scenario file is empty", None),
    Case("top_level_list.yaml", 2, "", "must be a mapping of keys to values, found a list", None),
    Case("unknown_distribution.yaml", 8, "market.segments[0].market_size", "nromal", "normal"),
    Case("missing_market.yaml", 2, "market", "missing required field", None),
    Case("segment_missing_price.yaml", 10, "market.segments[1].price", "missing required field", None),
    Case("duplicate_segment_names.yaml", 6, "market.segments", "name 'smb' is used twice", None),
    Case(
        "duplicate_yaml_key.yaml",
        6,
        "company.initial_cash",
        "duplicate key 'initial_cash' (first defined on line 4)",
        None,
    ),
    Case(
        "negative_schedule_month.yaml",
        10,
        "market.segments[0].price.schedule",
        "schedule months must be >= 0, found [-3]",
        None,
    ),
    Case(
        "trend_growth_on_fraction.yaml",
        10,
        "market.segments[0].churn",
        "a trend whose growth can be positive grows without bound",
        None,
    ),
    Case(
        "triangular_mode_outside.yaml", 16, "funding.rounds[0].time_to_close_months", "need low <= mode <= high", None
    ),
    Case("negative_headcount.yaml", 14, "team.roles[0].headcount", "negative entries: {12: -2}", None),
    Case("negative_headcount_scalar.yaml", 14, "team.roles[0].headcount", "negative entries: {0: -3}", None),
    Case(
        "schedule_knot_below_bound.yaml",
        9,
        "market.segments[0].price",
        "schedule month 12: must be >= 0 (found -5)",
        None,
    ),
]

THREE_PROBLEMS = "three_problems.yaml"


def _load_error(name: str) -> venturesim.ScenarioError:
    path = BROKEN / name
    with pytest.raises(venturesim.ScenarioError) as info:
        venturesim.load(path)
    return info.value


def _matching(error: venturesim.ScenarioError, case: Case):
    if case.path:
        found = [p for p in error.problems if case.path in p.path]
    else:
        found = [p for p in error.problems if p.path == ""]
    assert len(found) == 1, f"want one problem at {case.path!r}, got:\n{error}"
    return found[0]


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        yield pytest.param(case, id=case.file.removesuffix(".yaml"), marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_broken_file_is_reported_precisely(case: Case):
    error = _load_error(case.file)
    assert len(error.problems) == case.count, str(error)
    problem = _matching(error, case)
    assert case.message in problem.message, str(error)
    assert problem.line == case.line, str(error)
    assert problem.column is not None and problem.column >= 1
    assert problem.suggestion == case.suggestion, str(error)
    assert problem.filename == str(BROKEN / case.file)
    assert str(BROKEN / case.file) in str(error)


@pytest.mark.parametrize("case", CASES, ids=[c.file.removesuffix(".yaml") for c in CASES])
def test_broken_file_is_rejected_with_its_filename(case: Case):
    """The part every row passes today, xfail rows included: rejected, named, one problem."""
    error = _load_error(case.file)
    assert len(error.problems) == case.count, str(error)
    assert all(p.filename == str(BROKEN / case.file) for p in error.problems)
    assert str(BROKEN / case.file) in str(error)
    if case.suggestion:
        # the hint reaches the user, in the message or as Problem.suggestion
        assert f"did you mean {case.suggestion!r}" in str(error), str(error)


def test_three_problems_are_reported_together():
    error = _load_error(THREE_PROBLEMS)
    by_path = {p.path: p for p in error.problems}
    assert set(by_path) == {"company.other_monthy_costs", "market.segments[0].churn", "team.roles[0].monthly_cost"}, (
        str(error)
    )
    typo = by_path["company.other_monthy_costs"]
    assert (typo.line, typo.message, typo.suggestion) == (5, "unknown field", "other_monthly_costs")
    churn = by_path["market.segments[0].churn"]
    assert churn.line == 11 and "<= 1, found 1.5" in churn.message
    dist = by_path["team.roles[0].monthly_cost"]
    assert dist.line == 15 and "gama" in dist.message and dist.suggestion == "gamma"
    # sorted by position, one line of text each
    assert [p.line for p in error.problems] == [5, 11, 15]
    assert len(str(error).splitlines()) == 3
    assert str(error).count(str(BROKEN / THREE_PROBLEMS)) == 3


def test_every_broken_file_is_in_the_table():
    listed = {case.file for case in CASES} | {THREE_PROBLEMS}
    on_disk = {path.name for path in BROKEN.glob("*.yaml")}
    assert on_disk == listed
    assert len(on_disk) >= 19


def _found_params():
    for case in CASES:
        yield pytest.param(case, id=case.file.removesuffix(".yaml"))


@pytest.mark.parametrize("case", list(_found_params()))
def test_message_says_found_at_most_once(case: Case):
    error = _load_error(case.file)
    for problem in error.problems:
        assert problem.message.count("found") <= 1, str(problem)
