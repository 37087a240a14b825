"""A segment that waits for a round (``open_after_round``), on hand-worked deterministic paths in both engines.

The seed of :func:`builders.rounds_scenario` starts at month 1 and closes in month 3 (tests/funding/test_rounds.py
works it out); a segment that waits for it opens in month 4, the first month that starts with the round closed,
pays its entry cost then and brings its initial customers.
"""

import numpy as np
import pytest
from builders import BURN, rounds_scenario

import venturesim as vs

ENTRY = 50_000.0
ABROAD = {
    "name": "abroad",
    "market_size": 5,
    "initial_customers": 5,
    "price": 1_000.0,
    "churn": 0.0,
    "open_after_round": "seed",
    "entry_cost": ENTRY,
}


def scenario(success: float) -> dict:
    spec = rounds_scenario(success)
    spec["market"]["segments"].append(ABROAD)
    return spec


@pytest.mark.parametrize("engine", ["jax", "des"])
def test_a_segment_waiting_for_a_round_opens_the_month_after_it_closes(engine):
    data = vs.simulate(scenario(1.0), engine=engine, paths=2, metrics="all", workers=1).data
    t = np.arange(data.sizes["month"])
    assert data["round_close_month"].values[0, 0] == 3
    np.testing.assert_array_equal(data["entry_cost"].values[0], np.where(t == 4, ENTRY, 0.0))
    np.testing.assert_array_equal(data["customers_by_segment"].values[0, :, 1], np.where(t >= 4, 5.0, 0.0))
    np.testing.assert_allclose(data["revenue"].values[0], np.where(t >= 4, 5_000.0, 0.0))
    # cash: 100k − 10k a month, + 1M in month 3, − 50k + 5k a month from month 4
    expected = 100_000 - BURN * (t + 1) + 1_000_000 * (t >= 3) + np.where(t >= 4, 5_000.0 * (t - 3) - ENTRY, 0.0)
    np.testing.assert_allclose(data["cash"].values[0], expected)


@pytest.mark.parametrize("engine", ["jax", "des"])
def test_a_segment_waiting_for_a_round_that_fails_never_opens(engine):
    data = vs.simulate(scenario(0.0), engine=engine, paths=2, metrics="all", workers=1).data
    assert not np.any(data["entry_cost"].values) and not np.any(data["customers_by_segment"].values)


def test_an_unknown_round_is_named_with_the_nearest():
    spec = scenario(1.0)
    spec["market"]["segments"][1]["open_after_round"] = "sead"
    with pytest.raises(vs.ScenarioError, match=r"open_after_round.*seed"):
        vs.load(spec)
