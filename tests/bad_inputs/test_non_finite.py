"""NaN, ±inf and float32 overflow: refused at validation, detected after a run.

Validation: see also tests/scenario/test_overrides.py (``--set`` forms) and
the corpus (tests/bad_inputs/files). Here: the run-time checks, on a Result
built by hand (no JAX compile).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import venturesim as vs
from venturesim.engine.finite import check_finite, money_variables
from venturesim.engine.result import Result, build_dataset
from venturesim.spec.errors import NonFiniteResultError, ScenarioError, UsageError

SCENARIO = "scenarios/seed_stage_api.yaml"


@pytest.fixture(scope="module")
def scenario():
    return vs.load(SCENARIO)


def _result(scenario, cash: np.ndarray, final_arr: np.ndarray) -> Result:
    paths, months = cash.shape
    monthly = {"cash": cash, "alive": np.ones_like(cash), "revenue_by_segment": np.zeros((paths, months, 2))}
    finals = {"cash": cash[:, -1], "arr": final_arr, "runway": np.full(paths, np.nan)}  # NaN runway: allowed
    data = build_dataset(monthly, finals, months, ["developers", "midmarket"], [])
    inputs = pd.DataFrame({"company.initial_cash": np.arange(paths) * 1e6, "market.price": np.full(paths, 30.0)})
    return Result(data=data, scenario=scenario, seed=0, inputs=inputs)


def test_finite_money_passes_and_runway_nan_is_not_money(scenario):
    result = _result(scenario, np.ones((4, 3)), np.zeros(4))
    assert money_variables(result.data) == ["cash", "revenue_by_segment", "final_cash", "final_arr"]
    check_finite(result)  # no error: NaN runway means "dead", not a broken number


def test_nan_and_inf_money_name_the_paths_and_their_inputs(scenario):
    cash = np.ones((5, 4))
    cash[1, 2:] = np.nan
    cash[3, 1:] = -np.inf
    result = _result(scenario, cash, np.zeros(5))
    result.data["revenue_by_segment"].values[4, 3, 1] = np.inf
    with pytest.raises(NonFiniteResultError) as info:
        check_finite(result)
    text = str(info.value)
    assert "on 3 of 5 paths" in text
    assert "cash (2 path(s) from month 3)" in text  # path 1 breaks in month 3 (month coords start at 1)
    assert "revenue_by_segment (1 path(s) from month 4)" in text and "final_cash (2 path(s))" in text
    assert "path 1: company.initial_cash=1e+06, market.price=30" in text
    assert "path 4: company.initial_cash=4e+06" in text
    assert list(info.value.paths) == [1, 3, 4]
    assert info.value.exit_code == 6


def test_many_bad_paths_are_counted_not_listed(scenario):
    result = _result(scenario, np.full((10, 2), np.nan), np.zeros(10))
    with pytest.raises(NonFiniteResultError, match=r"\.\.\. and 7 more path\(s\)"):
        check_finite(result)


def test_a_trend_that_overflows_float32_within_the_horizon_is_refused(scenario):
    with pytest.raises(ScenarioError, match=r"company.other_monthly_costs: the trend reaches about 1e39 by month 59"):
        scenario.override(["company.other_monthly_costs={start: 1000, growth: 3}"])
    modest = scenario.override(["company.other_monthly_costs={start: 1000, growth: 0.2}"])  # 1000·1.2^59 ≈ 4.7e7
    with pytest.raises(UsageError, match=r"over 600 months \(--months\): company.other_monthly_costs"):
        vs.simulate(modest, months=600, paths=10)  # 1000·1.2^599 ≈ 1e50: refused before any compile


@pytest.mark.parametrize(
    "text",
    [
        "initial_cash: .nan",
        "initial_cash: .inf",
        "initial_cash: -.Inf",
        "initial_cash: 1e39",
        "initial_cash: {p5: 1, p95: 1e17}",
        "initial_cash: {dist: lognormal, mu: 1, sigma: 30}",
        "initial_cash: 1e400",
    ],
)
def test_yaml_non_finite_and_huge_numbers_are_refused_with_their_line(tmp_path, text):
    source = Path(SCENARIO).read_text()
    line = next(i for i, row in enumerate(source.splitlines(), 1) if "initial_cash:" in row)
    path = tmp_path / "s.yaml"
    path.write_text(source.replace(source.splitlines()[line - 1], "  " + text))
    with pytest.raises(ScenarioError) as info:
        vs.load(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (line, "company.initial_cash")
    assert "finite" in problem.message or "float32" in problem.message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"paths": 0}, "paths (--paths) must be between 1 and 1,000,000,000, found 0"),
        ({"months": 1200}, "months (--months) must be between 1 and 600, found 1,200"),
        ({"seed": 2**63}, "seed (--seed) must be between 0 and 4,294,967,295"),
        ({"seed": -1}, "seed (--seed) must be between 0"),
        ({"chunk_size": -1}, "chunk_size (--chunk-size) must be >= 1, found -1"),
        ({"chunk_size": 0}, "chunk_size (--chunk-size) must be >= 1, found 0"),
        ({"paths": 2.5}, "paths must be a whole number, found 2.5"),
        ({"engine": "gpu"}, "engine(='gpu') must be one of"),
    ],
)
def test_simulate_arguments_are_checked_before_any_work(scenario, kwargs, message):
    with pytest.raises(UsageError) as info:
        vs.simulate(scenario, **kwargs)
    assert message in str(info.value) and info.value.exit_code == 2


def test_a_streaming_run_names_the_bad_paths_by_their_global_index(scenario):
    """keep="summary": each chunk is checked as it is folded; the error, after the run, counts every chunk's bad
    paths and names them by their index in the run (the chunk's start + the path in it), with their inputs."""
    from venturesim.analysis.streaming import StreamingSummary

    summary = StreamingSummary(scenario, paths=8196, seed=0, months=4, metrics=("cash",), block=4096)
    cash = np.ones((5, 4))
    cash[1, 2:] = np.nan
    summary._check_finite(_result(scenario, cash, np.zeros(5)), start=0)
    cash[1, 2:] = 1.0
    cash[3, 1:] = np.inf
    summary._check_finite(_result(scenario, cash, np.zeros(5)), start=8192)
    summary.folded = summary.paths
    with pytest.raises(NonFiniteResultError) as info:
        summary.finish()
    text = str(info.value)
    assert "on 2 of 8,196 paths" in text
    assert "path 1: company.initial_cash=1e+06" in text and "path 8195: company.initial_cash=3e+06" in text
    assert list(info.value.paths) == [1, 8195] and info.value.exit_code == 6
