"""The benchmarks' tables read the summary rows they name (benchmarks/strategies.py)."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_strategies_reads_the_rows_its_columns_name():
    """The summary lists each round's 'founder ownership after …' rows before 'founder ownership at month 48':
    the column is the latter (0.61 here, not the 0.72 after the seed); 'alive at month 48' is P(operating)."""
    strategies = _module("strategies")
    rows = pd.DataFrame(
        [
            ("survival", "alive at month 48", "probability", 0.52, 0.01, "fraction"),
            ("survival", "exited (sold or listed) by month 48", "probability", 0.18, 0.01, "fraction"),
            ("ownership", "founder ownership after 'seed' (right after it closed; n=900)", "p50", 0.72, 0, "fraction"),
            ("ownership", "founder ownership at month 48 (operating or exited paths)", "p50", 0.61, 0, "fraction"),
            ("operations", "gross margin at month 48 (operating paths)", "p50", 0.716, 0.01, "fraction"),
        ],
        columns=["section", "metric", "statistic", "value", "se", "unit"],
    )
    assert strategies.summary_figures(rows, 48) == {
        "operating": 0.52,
        "exited": 0.18,
        "gross_margin": 0.716,
        "founder_ownership": 0.61,
    }
    assert strategies.summary_figures(rows.drop(index=1), 48)["exited"] == 0.0  # no exits in the run
    with pytest.raises(KeyError):
        strategies.summary_figures(rows, 60)  # another horizon's rows: no silent stand-in
    assert strategies.HEADER.count("|") - 1 == 7  # seven columns, as many as row() writes


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").glob("*.yaml")), ids=lambda p: p.stem)
def test_benchmark_scenarios_load(path):
    """Every scenario a benchmark runs is valid (benchmarks/many_roles_company.yaml: its 40 roles and budget)."""
    import venturesim as vs

    scenario = vs.load(path)
    if path.stem == "many_roles_company":
        assert len(scenario.team.roles) == 40 and scenario.team.payroll_budget is not None
