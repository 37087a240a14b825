"""Monte Carlo standard errors: proportions, means and order-statistic quantile SEs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from venturesim.analysis import _stats


def test_proportion_by_hand():
    p, se = _stats.proportion(np.array([True, True, False, False, False]))
    assert p == 0.4
    assert se == pytest.approx(math.sqrt(0.4 * 0.6 / 5), rel=1e-15)
    assert _stats.proportion(np.ones(7, bool)) == (1.0, 0.0)
    p, se = _stats.proportion(np.array([[True, False], [False, False]]))  # any shape: all entries
    assert (p, se) == (0.25, pytest.approx(math.sqrt(0.25 * 0.75 / 4)))
    assert all(math.isnan(x) for x in _stats.proportion(np.array([], bool)))


def test_mean_by_hand():
    m, se = _stats.mean(np.array([1.0, 2.0, 3.0, 4.0]))
    # s² = ((1.5² + 0.5²)·2)/3 = 5/3, SE = s/√4
    assert m == 2.5 and se == pytest.approx(math.sqrt(5 / 3) / 2, rel=1e-15)
    m, se = _stats.mean(np.array([3.0]))
    assert m == 3.0 and math.isnan(se)
    m, se = _stats.mean(np.array([]))
    assert math.isnan(m) and math.isnan(se)
    m, se = _stats.mean(np.array([5, 5, 5], np.int32))
    assert (m, se) == (5.0, 0.0)


def test_quantile_by_hand():
    x = np.arange(100, dtype=float)[::-1]  # unsorted input
    value, se = _stats.quantile(x, 0.5)
    assert value == 49.5
    # half-width 1.96·√(100·0.25) = 9.8 → ranks floor(40.2) = 40 and ceil(59.8) = 60 → (60 − 40)/(2·1.96)
    assert se == pytest.approx(20 / (2 * 1.959963984540054), rel=1e-12)
    value, se = _stats.quantile(x, 0.1)
    # nq = 10, half-width 1.96·√9 = 5.88 → ranks 4 and 16
    assert value == pytest.approx(9.9)
    assert se == pytest.approx(12 / (2 * 1.959963984540054), rel=1e-12)


def test_quantile_edges():
    value, se = _stats.quantile(np.array([]), 0.5)
    assert math.isnan(value) and math.isnan(se)
    value, se = _stats.quantile(np.array([4.0]), 0.5)
    assert value == 4.0 and math.isnan(se)
    value, se = _stats.quantile(np.full(50, 7.0), 0.9)
    assert (value, se) == (7.0, 0.0)
    # ranks are clipped into the sample
    value, se = _stats.quantile(np.arange(10.0), 0.0)
    assert value == 0.0 and se == pytest.approx(0.0)


def test_quantile_with_infinite_values():
    # runway of profitable paths is +inf: the order statistic itself, and no SE when the bracket is infinite
    x = np.concatenate([np.arange(60.0), np.full(40, np.inf)])
    value, se = _stats.quantile(x, 0.5)
    assert value == 49.0  # inverted CDF: the 50th smallest value
    assert math.isnan(se)  # the upper rank (60) is infinite
    value, se = _stats.quantile(x, 0.2)
    assert value == 19.0 and np.isfinite(se) and se > 0
    value, se = _stats.quantile(x, 0.9)
    assert value == np.inf and math.isnan(se)


@pytest.mark.parametrize("q", [0.05, 0.25, 0.5, 0.9])
def test_quantile_se_matches_asymptotic_formula(q):
    n = 100_000
    x = np.random.default_rng(12).standard_normal(n)
    value, se = _stats.quantile(x, q)
    expected_se = math.sqrt(q * (1 - q) / n) / stats.norm.pdf(stats.norm.ppf(q))
    assert se == pytest.approx(expected_se, rel=0.10)
    assert abs(value - stats.norm.ppf(q)) < 4.5 * expected_se


def test_mean_and_proportion_se_cover_truth():
    """Over 400 replicate samples, ±1.96 SE intervals cover the truth ~95 % of the time."""
    rng = np.random.default_rng(3)
    reps, n = 400, 500
    gamma = rng.gamma(2.0, 3.0, (reps, n))
    coin = rng.random((reps, n)) < 0.3
    mean_hits = prop_hits = 0
    for i in range(reps):
        m, se = _stats.mean(gamma[i])
        mean_hits += abs(m - 6.0) < 1.96 * se
        p, se = _stats.proportion(coin[i])
        prop_hits += abs(p - 0.3) < 1.96 * se
    # coverage within 4.5 binomial SEs of 0.95 (√(0.95·0.05/400) ≈ 0.011)
    for hits in (mean_hits, prop_hits):
        assert abs(hits / reps - 0.95) < 4.5 * math.sqrt(0.95 * 0.05 / reps)


def test_summary_reports_the_operating_dashboard_only_when_recorded():
    """With metrics="all" the summary adds the SaaS dashboard at the horizon; with the defaults it does not.

    One segment, 1,000 customers at $100 a month, no churn, no costs but $10k/month of other costs:
    gross margin = 1 − cost_of_revenue = 0.6 exactly on every operating path.
    """
    import venturesim as vs

    scenario = vs.load(
        {
            "name": "dashboard",
            "simulation": {"months": 14},
            "company": {"initial_cash": 1e6, "other_monthly_costs": 10_000},
            "market": {
                "cost_of_revenue": 0.4,
                "segments": [
                    {"name": "s", "market_size": 1000, "price": 100.0, "churn": 0.0, "initial_customers": 1000}
                ],
            },
        }
    )
    full = vs.simulate(scenario, paths=8, seed=0, metrics="all").summary()
    operations = full[full["section"] == "operations"].set_index("metric")
    assert operations.loc["gross margin at month 14 (operating paths)", "value"] == pytest.approx(0.6, rel=1e-6)
    assert "operations" not in set(vs.simulate(scenario, paths=8, seed=0).summary()["section"])
