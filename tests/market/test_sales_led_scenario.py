"""scenarios/sales_led_enterprise_ai.yaml: it loads, uses each market feature, and runs in both engines.

The rules it must obey on every path: the enterprise segment has no customers
before it launches (month 3), Europe none before month 12 and none before a
month whose ARR reached $2M, and the accounting identity
cash[t] = cash[t−1] + revenue − costs + financing holds.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np
import pytest

import venturesim as vs
from venturesim.engine.params import sample

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "sales_led_enterprise_ai.yaml"
METRICS = ("cash", "revenue", "costs", "financing", "arr", "alive", "customers_by_segment", "new_customers")


def test_it_loads_and_uses_each_market_feature():
    sc = vs.load(SCENARIO)
    segments = {s.name: s for s in sc.market.segments}
    assert list(segments) == ["teams", "enterprise", "europe"]
    assert segments["teams"].sales is None and segments["enterprise"].sales and segments["europe"].sales
    assert segments["europe"].open_when_arr_at_least == 2_000_000 and segments["europe"].launch_month == 12
    assert {c.kind for c in sc.market.channels} == {"paid", "content", "outbound", "partners"}
    assert all(s.churn_concentration for s in segments.values())
    p = sample(sc, jax.random.key(0), 8, months=36).market
    assert p.cohort_ages.shape == (8, 37)  # min(60, 36 + 1) tracked ages
    assert p.deal_conditional.shape == (8, 3, 19)  # resolution within 0 … 18 months
    assert p.channel_budget.shape == (8, 36, 5)
    # enterprise subscription: 0.6 × tier growth + 0.4 × tier enterprise, × (1 − 0.9 × 0.1)
    tiers = sc.market.segments[1].pricing.tiers
    assert [t.share for t in tiers] == [0.6, 0.4]
    assert np.all(
        (p.tier_price[:, 0, 1] > 0.6 * 4_000 * 0.5) & (p.tier_price[:, 0, 1] < 0.6 * 7_000 * 2 + 0.4 * 16_000 * 2)
    )
    np.testing.assert_allclose(p.annual_factor[0], [1 - 0.3 * 0.17, 0.91, 0.91], rtol=1e-6)


def check_rules(result):
    data = result.data
    cash = data["cash"].values.astype(np.float64)
    by_segment = data["customers_by_segment"].values
    arr = data["arr"].values.astype(np.float64)
    flows = data["revenue"].values - data["costs"].values + data["financing"].values
    change = np.diff(cash, axis=1)
    scale = np.maximum(np.abs(cash[:, 1:]), 1.0)
    alive_before = data["alive"].values[:, :-1]
    assert np.all(np.abs(change - flows[:, 1:])[alive_before] <= 1e-5 * scale[alive_before] + 1.0)
    assert np.all(by_segment >= 0) and np.all(by_segment == np.round(by_segment))
    assert np.all(by_segment[:, :3, 1] == 0)  # enterprise launches in month 3
    assert np.all(by_segment[:, :12, 2] == 0)  # Europe not before month 12 ...
    for path in range(cash.shape[0]):  # ... nor before a month with ARR ≥ $2M
        months = np.flatnonzero(by_segment[path, :, 2] > 0)
        if months.size:
            assert arr[path, : months[0]].max() >= 2_000_000 * (1 - 1e-6), path


def test_it_runs_in_the_des_engine():
    result = vs.simulate(SCENARIO, paths=6, months=36, seed=3, engine="des", workers=1, metrics=METRICS)
    check_rules(result)
    # the sales-led segments win customers (at month 36 every one of these 6 paths may be dead or sold)
    assert result.data["customers_by_segment"].values[:, :, :2].max() > 0


@pytest.mark.slow
def test_it_runs_in_the_jax_engine():
    # the horizon and every metric in one block: the program tests/test_scenarios.py compiles for this scenario
    result = vs.simulate(SCENARIO, paths=512, seed=3, metrics="all")
    check_rules(result)
    europe = result.data["customers_by_segment"].values[:, -1, 2]
    alive = result.data["alive"].values[:, -1]
    assert np.mean(europe[alive] > 0) > 0.05  # the rule does open Europe on surviving paths
