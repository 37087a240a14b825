"""Every shipped scenario in scenarios/*.yaml validates, runs, and gives sane results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import venturesim

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
PATHS = 500
CHECK_MONTHS = (12, 24, 36)


def test_scenarios_are_found():
    names = {path.name for path in SCENARIOS}
    assert {
        "seed_stage_api.yaml",
        "bootstrapped_vertical_ai.yaml",
        "capital_heavy_foundation_model.yaml",
        "funding_winter.yaml",
        "burn_before_fit.yaml",
    } <= names


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda path: path.stem)
def run(request):
    scenario = venturesim.load(request.param)
    return scenario, venturesim.simulate(scenario, paths=PATHS, seed=0)


def test_scenario_is_modest_and_described(run):
    scenario, _ = run
    assert scenario.name.strip()
    assert scenario.simulation.paths <= 20_000
    assert scenario.simulation.months >= max(CHECK_MONTHS)


def test_result_shape(run):
    scenario, result = run
    assert result.paths == PATHS
    assert result.months == scenario.simulation.months


def test_survival_is_a_non_increasing_probability(run):
    _scenario, result = run
    survival = result.survival()["survival"]
    assert survival.between(0, 1).all()
    assert survival.loc[0] == 1.0  # nobody is dead before the first month
    at = [survival.loc[m] for m in CHECK_MONTHS]
    assert at == sorted(at, reverse=True), at
    assert np.all(np.diff(survival.to_numpy()) <= 0)


def test_summary_survival_rows(run):
    _scenario, result = run
    summary = result.summary()
    rows = summary[summary["section"] == "survival"]
    probabilities = rows[rows["statistic"] == "probability"]
    wanted = {f"alive at month {m}" for m in CHECK_MONTHS}
    assert wanted <= set(probabilities["metric"])
    assert not rows[["value", "se"]].isna().any().any(), rows
    assert probabilities["value"].between(0, 1).all()
    survival = result.survival()["survival"]
    for m in CHECK_MONTHS:
        value = probabilities.loc[probabilities["metric"] == f"alive at month {m}", "value"].item()
        assert value == pytest.approx(survival.loc[m])


def test_founders_are_never_anti_diluted(run):
    scenario, result = run
    initial = scenario.company.founder_ownership
    final = np.asarray(result.data["final_founder_ownership"].values, np.float64)
    assert np.isfinite(final).all()
    assert (final > 0).all()
    assert (final <= initial + 1e-6).all(), final.max()
    summary = result.summary()
    ownership = summary.loc[summary["section"] == "ownership", "value"]
    assert len(ownership) > 0 and (ownership <= initial + 1e-6).all()
    if not scenario.funding.rounds:  # no round, no dilution
        np.testing.assert_allclose(final, initial, rtol=1e-6)
