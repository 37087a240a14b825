"""Accounting invariants of the JAX engine on random valid scenarios (hypothesis).

Every example has the same structure (2 segments, 2 rounds, 36 months, 300 paths,
all metrics) so the engine compiles once; only the numbers change. On every path
and month:

* cash[t] = cash[t−1] + revenue − costs + financing − debt repaid, cash[−1] = initial cash;
* costs = payroll + compute + other_costs + cost_of_revenue;
* alive ⇔ cash has never gone below 0; dead stays dead, with no flows and constant cash;
* runway = cash / net_burn when burning, +∞ when not, NaN when dead;
* founder ownership = f₀ · Π_closed V/(V + A), non-increasing, in (0, 1];
* rounds_closed non-decreasing; financing equals the closed rounds' amounts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import venturesim as vs

MONTHS = 36
PATHS = 300
EPS = np.finfo(np.float32).eps


def _money(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw):
    cash_fixed = draw(st.booleans())
    cash_lo = draw(_money(5e4, 2e6))
    initial_cash = cash_lo if cash_fixed else {"p5": cash_lo, "p95": cash_lo * draw(st.floats(1.2, 5.0))}
    size_a = draw(st.integers(50, 10_000))
    segments = [
        {
            "name": "a",
            "market_size": {"p5": size_a, "p95": size_a * 3},
            "bass_p_annual": draw(st.floats(0.01, 0.6)),
            "bass_q_annual": draw(st.floats(0.0, 2.0)),
            "price": draw(_money(1.0, 400.0)),
            "churn": draw(st.floats(0.0, 0.2)),
            "initial_customers": draw(st.integers(0, 40)),
        },
        {
            "name": "b",
            "market_size": draw(st.integers(1, 500)),
            "bass_p_annual": draw(st.floats(0.01, 0.3)),
            "bass_q_annual": draw(st.floats(0.0, 1.0)),
            "price": {"schedule": {0: draw(_money(100.0, 3_000.0)), 12: draw(_money(50.0, 3_000.0))}},
            "churn": {"dist": "beta", "a": 2.0, "b": draw(st.floats(20.0, 200.0))},
            "launch_month": draw(st.integers(0, 20)),
        },
    ]
    rounds = []
    for name in ("seed", "series_a"):
        rounds.append({
            "name": name,
            "trigger_runway_months": draw(st.floats(2.0, 18.0)),
            "earliest_month": draw(st.integers(0, 24)),
            "success_probability": draw(st.floats(0.1, 1.0)),
            "pre_money": draw(_money(1e6, 1e8)),
            "amount": draw(_money(2e5, 2e7)),
            "time_to_close_months": draw(st.floats(0.0, 6.0)),
            "max_attempts": draw(st.integers(1, 3)),
            "retry_delay_months": draw(st.floats(0.0, 4.0)),
        })
    return {
        "name": "invariants",
        "simulation": {"months": MONTHS, "paths": PATHS},
        "company": {
            "initial_cash": initial_cash,
            "founder_ownership": draw(st.floats(0.3, 1.0)),
            "other_monthly_costs": draw(_money(5_000.0, 40_000.0)),
        },
        "market": {"segments": segments, "cost_of_revenue": draw(st.floats(0.0, 0.7))},
        "team": {"roles": [{"name": "eng", "monthly_cost": draw(_money(5_000.0, 30_000.0)),
                            "headcount": {0: draw(st.integers(1, 5)), 12: draw(st.integers(0, 10))}}]},
        "compute": {"monthly_spend": {"start": draw(_money(0.0, 40_000.0)), "growth": draw(st.floats(-0.05, 0.0))}},
        "funding": {"rounds": rounds},
    }


def _prev(x, first):
    """x shifted one month later along axis 1, with ``first`` in month 0."""
    first = np.broadcast_to(np.asarray(first, x.dtype).reshape(-1, *([1] * (x.ndim - 1))), (x.shape[0], 1) + x.shape[2:])
    return np.concatenate([first, x[:, :-1]], axis=1)


def check_invariants(data: dict, result) -> None:
    sc = vs.load(data)
    ds = result.data
    v = {name: ds[name].values for name in vs.MONTHLY_METRICS}
    inputs = result.inputs
    n = result.paths
    assert n == PATHS and result.months == MONTHS

    initial = (inputs["company.initial_cash"].to_numpy(np.float32) if "company.initial_cash" in inputs
               else np.full(n, sc.company.initial_cash, np.float32))
    cash, alive = v["cash"], v["alive"]
    cash_prev = _prev(cash, initial)
    alive_prev = _prev(alive, np.ones(n, bool))

    # the cash identity (float32 arithmetic: tolerance a few ulps of the terms' magnitude)
    rhs = cash_prev.astype(np.float64) + v["revenue"] - v["costs"] + v["financing"] - v["debt_repaid"]
    scale = np.abs(cash_prev) + v["revenue"] + v["costs"] + v["financing"]
    assert np.all(np.abs(cash - rhs) <= 8 * EPS * scale + 1e-3)

    # costs add up
    parts = v["payroll"].astype(np.float64) + v["compute"] + v["other_costs"] + v["cost_of_revenue"]
    np.testing.assert_allclose(v["costs"], parts, rtol=8 * EPS, atol=1e-3)
    np.testing.assert_allclose(v["cost_of_revenue"], v["revenue"] * np.float32(sc.market.cost_of_revenue), rtol=4 * EPS, atol=1e-4)
    np.testing.assert_allclose(v["net_burn"], v["costs"].astype(np.float64) - v["revenue"], rtol=8 * EPS, atol=1e-3)

    # alive ⇔ cash never below 0; dead stays dead
    assert np.all(alive <= alive_prev)
    np.testing.assert_array_equal(alive, np.cumprod(cash >= 0, axis=1).astype(bool))
    np.testing.assert_array_equal(alive, cash >= 0)
    death = ds["death_month"].values
    first_dead = np.where(alive.all(axis=1), -1, np.argmin(alive, axis=1))
    np.testing.assert_array_equal(death, first_dead)
    survival = result.survival()["survival"].to_numpy()
    np.testing.assert_allclose(survival[1:], alive.mean(axis=0))
    assert survival[0] == 1.0

    # dead at the start of a month: no flows, constant cash, nothing recorded
    dead = ~alive_prev
    for name in ("revenue", "costs", "payroll", "compute", "other_costs", "cost_of_revenue", "financing",
                 "net_burn", "new_customers", "churned_customers"):
        assert np.all(v[name][dead] == 0), name
    assert np.all(cash[dead] == cash_prev[dead])
    not_alive = ~alive
    for name in ("arr", "customers", "headcount"):
        assert np.all(v[name][not_alive] == 0), name
    assert np.all(v["customers_by_segment"][not_alive] == 0)
    assert np.all(np.isnan(v["runway"][not_alive]))

    # runway
    burning = alive & (v["net_burn"] > 0)
    np.testing.assert_allclose(v["runway"][burning], cash[burning] / v["net_burn"][burning], rtol=4 * EPS)
    assert np.all(np.isposinf(v["runway"][alive & (v["net_burn"] <= 0)]))
    assert np.all(v["runway"][burning] >= 0)

    # revenue, ARR and customers
    np.testing.assert_allclose(v["arr"], 12 * np.where(alive, v["revenue"], 0), rtol=4 * EPS)
    by_segment = v["customers_by_segment"]
    np.testing.assert_array_equal(v["customers"], by_segment.sum(axis=2))
    assert np.all(by_segment >= 0) and np.all(by_segment == np.round(by_segment))
    start_customers = np.array([s.initial_customers for s in sc.market.segments], np.float32).sum()
    customers_prev = _prev(v["customers"], np.full(n, start_customers, np.float32))
    change = v["new_customers"] - v["churned_customers"]
    np.testing.assert_array_equal(v["customers"][alive], (customers_prev + change)[alive])
    months = np.arange(MONTHS)
    price_b = np.where(months < 12, *[np.float32(sc.market.segments[1].price.schedule[m]) for m in (0, 12)])
    price = np.stack([np.full(MONTHS, np.float32(sc.market.segments[0].price)), price_b.astype(np.float32)], axis=1)
    expected_revenue = (by_segment.astype(np.float64) * price[None]).sum(axis=2)
    np.testing.assert_allclose(v["revenue"][alive], expected_revenue[alive], rtol=8 * EPS, atol=1e-3)
    launch_b = sc.market.segments[1].launch_month
    assert np.all(by_segment[:, :launch_b, 1] == 0)

    # payroll, compute, other costs by hand
    role = sc.team.roles[0]
    heads = np.asarray(role.headcount_series(MONTHS), np.float32)
    np.testing.assert_array_equal(v["headcount"][alive], np.broadcast_to(heads, alive.shape)[alive])
    payroll = heads * np.float32(role.monthly_cost)
    np.testing.assert_allclose(v["payroll"][alive_prev], np.broadcast_to(payroll, alive.shape)[alive_prev], rtol=4 * EPS)
    trend = sc.compute.monthly_spend
    spend = np.float32(trend.start * (1 + trend.growth) ** months)
    np.testing.assert_allclose(v["compute"][alive_prev], np.broadcast_to(spend, alive.shape)[alive_prev], rtol=4 * EPS)
    np.testing.assert_allclose(v["other_costs"][alive_prev], np.float32(sc.company.other_monthly_costs), rtol=4 * EPS)

    # funding: rounds in order, financing = the closed rounds' amounts, ownership diluted by V/(V+A)
    status = ds["round_status"].values
    close = ds["round_close_month"].values
    rounds = sc.funding.rounds
    closed = status == 2
    assert np.all(np.isin(status, [0, 1, 2, 3]))
    assert np.all((close >= 0) == closed)
    later_started = np.isin(status[:, 1], [1, 2, 3])
    assert np.all(np.isin(status[later_started, 0], [2, 3]))
    both = closed.all(axis=1)
    assert np.all(close[both, 1] > close[both, 0])
    amounts = np.array([np.float32(r.amount) for r in rounds])
    financing = v["financing"]
    np.testing.assert_allclose(financing.sum(axis=1), (closed * amounts).sum(axis=1), rtol=4 * EPS)
    for r, rnd in enumerate(rounds):
        idx = np.nonzero(closed[:, r])[0]
        month = close[idx, r].astype(int)
        np.testing.assert_allclose(financing[idx, month], amounts[r], rtol=4 * EPS)
        # started no earlier than max(earliest_month, 1) and took time_to_close
        assert np.all(month + 1 > max(rnd.earliest_month, 1) + rnd.time_to_close_months - 1e-4)
    assert np.count_nonzero(financing) == closed.sum()

    rounds_closed = v["rounds_closed"]
    assert np.all(np.diff(rounds_closed, axis=1) >= 0)
    np.testing.assert_array_equal(rounds_closed[:, -1], closed.sum(axis=1))

    owner = v["founder_ownership"]
    f0 = np.float32(sc.company.founder_ownership)
    assert np.all(np.diff(owner, axis=1) <= 0)
    assert np.all(owner > 0) and np.all(owner <= f0)
    keep = np.array([np.float32(r.pre_money) / (np.float32(r.pre_money) + np.float32(r.amount)) for r in rounds])
    expected_owner = f0 * np.prod(np.where(closed, keep, 1.0), axis=1)
    np.testing.assert_allclose(owner[:, -1], expected_owner, rtol=1e-5)
    np.testing.assert_array_equal(ds["final_founder_ownership"].values, owner[:, -1])
    # investors of each round hold A/(V + A) after their round, diluted by later rounds;
    # founders + earlier holders + investors = 1
    investors = np.zeros(n)
    for r in range(len(rounds)):
        investors = np.where(closed[:, r], investors * keep[r] + (1 - keep[r]), investors)
    others = (1 - f0) * np.prod(np.where(closed, keep, 1.0), axis=1)
    np.testing.assert_allclose(owner[:, -1] + others + investors, 1.0, rtol=1e-5)

    # final values agree with the last month
    np.testing.assert_array_equal(ds["final_cash"].values, cash[:, -1])
    np.testing.assert_array_equal(ds["final_arr"].values, v["arr"][:, -1])
    np.testing.assert_array_equal(ds["final_runway"].values, v["runway"][:, -1])


@pytest.mark.slow
@settings(max_examples=15, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_accounting_invariants(data, seed):
    result = vs.simulate(data, seed=seed, metrics="all")
    check_invariants(data, result)


FIXED = {
    "name": "mixed fates",
    "simulation": {"months": MONTHS, "paths": PATHS},
    "company": {"initial_cash": {"p5": 3e5, "p95": 1.5e6}, "founder_ownership": 0.8, "other_monthly_costs": 10_000.0},
    "market": {
        "cost_of_revenue": 0.3,
        "segments": [
            {"name": "a", "market_size": {"p5": 2_000, "p95": 6_000}, "bass_p_annual": 0.1, "bass_q_annual": 0.8,
             "price": 60.0, "churn": 0.03, "initial_customers": 10},
            {"name": "b", "market_size": 400, "bass_p_annual": 0.05, "bass_q_annual": 0.5,
             "price": {"schedule": {0: 1_500.0, 12: 1_200.0}}, "churn": {"dist": "beta", "a": 2.0, "b": 100.0},
             "launch_month": 6},
        ],
    },
    "team": {"roles": [{"name": "eng", "monthly_cost": 15_000.0, "headcount": {0: 3, 12: 5}}]},
    "compute": {"monthly_spend": {"start": 12_000.0, "growth": -0.02}},
    "funding": {"rounds": [
        {"name": "seed", "trigger_runway_months": 9.0, "success_probability": 0.5, "pre_money": 8e6,
         "amount": 2e6, "time_to_close_months": 2.5, "max_attempts": 2, "retry_delay_months": 1.0},
        {"name": "series_a", "trigger_runway_months": 6.0, "earliest_month": 12, "success_probability": 0.5,
         "pre_money": 3e7, "amount": 8e6, "time_to_close_months": 3.0, "max_attempts": 1},
    ]},
}


def test_invariants_on_a_scenario_with_mixed_fates():
    """A fixed example in which paths die, survive, turn profitable, and raise, retry or abandon rounds."""
    result = vs.simulate(FIXED, seed=1, metrics="all")
    ds = result.data
    death = ds["death_month"].values
    status = ds["round_status"].values
    assert 0 < np.mean(death >= 0) < 1
    assert np.any(status[:, 0] == 2) and np.any(status[:, 0] == 3)
    assert np.any(status[:, 1] == 2)
    assert np.any(np.isposinf(ds["runway"].values))
    check_invariants(FIXED, result)
