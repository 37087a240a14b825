"""Pitch check: certain and impossible claims, a closed-form one, the joint probability, file errors."""

import numpy as np
import pytest
from whatif_scenarios import BURN, HIGH, LOW, burn

from venturesim.analysis.pitch import load_claims, pitch_check
from venturesim.spec.errors import ScenarioError

PATHS = 1000


@pytest.fixture(scope="module")
def check():
    claims = [
        "alive at month 12",  # C ≥ 120k on every path: certain
        "ARR >= $1 by month 40",  # no revenue: impossible
        "alive at month 36",  # P(C ≥ 360k) = 240/400 = 0.6
        {"name": "cushion", "claim": "cash >= 100k at month 12"},  # P(C ≥ 220k) = 380/400 = 0.95
    ]
    return pitch_check(burn(), claims, paths=PATHS, seed=1)


def test_certain_impossible_and_closed_form_claims(check):
    table = check.table().set_index("claim")
    assert table.loc["alive at month 12", "probability"] == 1.0
    assert table.loc["alive at month 12", "se"] == 0.0
    assert table.loc["ARR >= $1 by month 40", "probability"] == 0.0
    for claim, p in (("alive at month 36", (HIGH - 36 * BURN) / (HIGH - LOW)), ("cushion", 0.95)):
        se = np.sqrt(p * (1 - p) / PATHS)
        assert table.loc[claim, "probability"] == pytest.approx(p, abs=3 * se)
    assert table.loc["all claims together", "probability"] == 0.0  # one claim is impossible


def test_joint_probability_and_the_inputs_the_claims_need():
    """Alive at 36 implies the cushion at 12, so together they hold with P(C ≥ 360k) = 0.6; on those
    paths C ~ U(360k, 600k), median 480k, the prior's 70th percentile."""
    both = pitch_check(burn(), ["alive at month 36", "cash >= 100k at month 12"], paths=PATHS, seed=1)
    table = both.table().set_index("claim")
    assert table.loc["all claims together", "probability"] == table.loc["alive at month 36", "probability"]
    row = both.inputs().set_index("input").loc["company.initial_cash"]
    assert row["median"] == pytest.approx(480_000, rel=0.03)
    assert row["median_percentile"] == pytest.approx(0.7, abs=0.04)


def test_claims_file_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - alive at month 12\n  - ARR will be great\n")
    with pytest.raises(ScenarioError, match=r"claims.yaml:3:5: claims\[1\].*cannot read the claim"):
        load_claims(path)
    path.write_text("claims:\n  - alive at month 12\n  - series_a within 18 months\n")
    import venturesim as vs

    with pytest.raises(ScenarioError, match=r"claims.yaml:3:5: claims\[1\]: .*no round 'series_a'"):
        load_claims(path, vs.load(burn()))


def test_the_report_draws_the_claims(check):
    """One claim is impossible, so no path meets them all: the claims' chart, and no inputs' chart."""
    html = check.report("Pitch check: burn")
    assert "Pitch check: burn" in html and "all claims together" in html
    assert html.count("<div id='chart-") == 1
