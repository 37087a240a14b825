"""Goal seek recovers a break point computable by hand; the reverse lookup finds the inputs that matter."""

import numpy as np
import pytest
from whatif_scenarios import HIGH, LOW, burn, burn_result

from venturesim.analysis.goal_seek import goal_seek, inputs_given, reverse_lookup
from venturesim.spec.errors import UsageError

PATHS = 1000


@pytest.fixture(scope="module")
def answer():
    return goal_seek(
        burn(),
        "company.other_monthly_costs",
        "alive at month 36",
        0.5,
        (8_000, 16_000),
        paths=PATHS,
        seed=1,
        tolerance=10,
    )


@pytest.mark.slow
def test_goal_seek_recovers_the_break_even_burn(answer):
    """P(alive at 36 | burn K) = P(C ≥ 36K) = (600k − 36K)/400k, which is 1/2 at K* = 400k/36 = $11,111.
    The slope is −36/400k per dollar, so SE(K*) = √(¼/n) / (36/400k) = $176 at n = 1,000.
    With common random numbers the estimate is exactly the sample's own break point median(C)/36,
    to within the bisection tolerance ($10)."""
    cash = burn_result(PATHS, 1).inputs["company.initial_cash"].to_numpy(np.float64)
    assert answer.value == pytest.approx(np.median(cash) / 36, abs=10)
    hand_se = np.sqrt(0.25 / PATHS) / (36 / (HIGH - LOW))
    assert answer.se == pytest.approx(hand_se, rel=0.25)
    assert abs(answer.value - (LOW + HIGH) / 2 / 36) < 3 * hand_se
    assert answer.low < answer.value < answer.high
    assert answer.trace["x"].between(8_000, 16_000).all() and len(answer.trace) <= 18


def test_goal_seek_refuses_a_bracket_that_does_not_straddle_the_target():
    with pytest.raises(UsageError, match=r"both on the same side of 50\.0%; widen the bracket"):
        goal_seek(burn(), "company.other_monthly_costs", "alive at month 36", 0.5, (1_000, 2_000), paths=PATHS, seed=1)


def test_reverse_lookup_of_the_paths_that_died():
    """Dead by month 40 iff C < 400k: the dead paths' cash is U(200k, 400k), median 300k, which is the
    prior's 25th percentile. The other inputs (the unopened segment's) play no part: their KS distances
    are those of a random half, below the 1 % critical value 1.63·√(1/500 − 1/1000) = 0.052."""
    table = reverse_lookup(burn_result(PATHS, 1), "died")
    assert table["input"].iloc[0] == "company.initial_cash"
    assert (table["ks"].iloc[1:] < 0.052).all()
    row = table.iloc[0]
    assert row["median"] == pytest.approx(300_000, rel=0.03)
    assert row["median_percentile"] == pytest.approx(0.25, abs=0.03)
    assert row["ks"] == pytest.approx(0.5, abs=0.05)  # sup |F_dead − F| = 1 − ½ at C = 400k


def test_inputs_given_an_empty_or_full_subset():
    result = burn_result(PATHS, 1)
    everything = inputs_given(result, np.ones(result.paths, bool)).iloc[0]
    assert everything["ks"] == 0.0 and everything["median"] == everything["prior_median"]
    assert inputs_given(result, np.zeros(result.paths, bool)).empty


def test_the_goal_seek_chart_shows_every_evaluation(answer):
    spec = answer.chart().to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows if "x" in row and "value" in row]
    assert {round(r["x"], 6) for r in rows} >= {8_000.0, 16_000.0}
    assert any(layer.get("mark", {}).get("color") == "#c0392b" for layer in spec["layer"])  # the target line
