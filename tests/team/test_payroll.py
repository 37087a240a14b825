"""Payroll of a fixed team equals hand computation, month by month."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import venturesim as vs
from venturesim.spec.sampling import Sampler
from venturesim.team.payroll import month_costs, plan_payroll, sales_marketing_cost, sample_team


def test_payroll_by_hand_with_a_raise_and_hires():
    sc = vs.load(
        {
            "name": "payroll",
            "company": {"initial_cash": 1e6},
            "market": {"segments": [{"name": "s", "market_size": 100, "price": 10}]},
            "team": {
                "roles": [
                    {"name": "eng", "monthly_cost": {"schedule": {0: 15_000, 6: 16_500}}, "headcount": {0: 2, 3: 3}},
                    {"name": "ceo", "monthly_cost": 10_000, "headcount": 1},
                ]
            },
        }
    )
    team = sample_team(sc.team, Sampler(jax.random.key(0), np.arange(3)), months=12)
    eng_heads = [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    eng_cost = [15_000] * 6 + [16_500] * 6
    expected = [h * c + 10_000 for h, c in zip(eng_heads, eng_cost, strict=True)]
    planned = plan_payroll(team)  # (paths, months): what the planned team costs
    np.testing.assert_allclose(planned[0], expected)
    np.testing.assert_allclose(team.plan[1].sum(axis=0), [h + 1 for h in eng_heads])
    # 12-month total by hand: 3·40,000 + 3·55,000 + 6·59,500 = 642,000
    assert planned[2].sum() == 642_000


def test_payroll_from_salary_on_cost_and_a_raise_date_by_hand(make_params, run):
    # eng: $120k salary, 25 % on-cost → 120,000/12 · 1.25 = $12,500 a month; a 10 % raise from
    # month 7 → $13,750; two people, a third from month 4 (recruiting cost $5,000). ceo: $10k loaded.
    team = {
        "roles": [
            {
                "name": "eng",
                "salary_annual": 120_000,
                "on_cost": 0.25,
                "raise_annual": 0.10,
                "raise_month": 7,
                "headcount": {0: 2, 4: 3},
                "recruiting_cost": 5_000,
            },
            {"name": "ceo", "monthly_cost": 10_000, "headcount": 1},
        ]
    }
    params = make_params(team, paths=2, months=12)
    _, month = run(jax.random.key(0), params, 12)
    expected = [2 * 12_500 + 10_000] * 4 + [3 * 12_500 + 10_000] * 3 + [3 * 13_750 + 10_000] * 5
    # = 35,000 ×4, 47,500 ×3, 51,250 ×5; the year: 140,000 + 142,500 + 256,250 = 538,750
    np.testing.assert_allclose(np.asarray(month.payroll)[:, 0], expected, rtol=1e-7)
    assert float(np.asarray(month.payroll)[:, 1].sum()) == pytest.approx(538_750, rel=1e-7)
    recruiting = np.asarray(month.recruiting)[:, 0]
    assert recruiting.tolist() == [0] * 4 + [5_000] + [0] * 7
    np.testing.assert_allclose(np.asarray(month.cost)[:, 0], np.asarray(expected) + recruiting, rtol=1e-7)
    assert np.asarray(month.headcount)[:, 0].tolist() == [3] * 4 + [4] * 8
    # the plan's payroll (a static team) is the same hand computation
    np.testing.assert_allclose(plan_payroll(params)[0], expected, rtol=1e-7)


def test_second_raise_compounds_twelve_months_later(make_params):
    # raises at months 3 and 15: 10,000 → 11,000 → 12,100 (1.1² · 10,000)
    team = {"roles": [{"name": "a", "monthly_cost": 10_000, "raise_annual": 0.1, "raise_month": 3, "headcount": 1}]}
    cost = make_params(team, months=20).monthly_cost[0, 0]
    np.testing.assert_allclose(cost, [10_000] * 3 + [11_000] * 12 + [12_100] * 5, rtol=1e-6)


def test_month_costs_severance_and_recruiting_by_hand():
    # 3 and 1 people at $10k and $20k (payroll 50k, whatever the plan); 2 laid off from role 0
    # with 3 months of severance; one hire of role 1 at a $7k recruiting cost.
    payroll, severance, recruiting = month_costs(
        np.array([3.0, 1.0]),
        np.array([10_000.0, 20_000.0]),
        np.array([2.0, 0.0]),
        3.0,
        np.array([0.0, 1.0]),
        np.array([5_000.0, 7_000.0]),
    )
    assert (payroll, severance, recruiting) == (50_000, 60_000, 7_000)


def test_sales_and_marketing_cost_by_hand():
    # roles: engineer ($15k), account executive ($12k), marketer ($8k); 2, 1, 2 people; one AE and one
    # marketer hired this month at $9k and $6k recruiting. S&M = 1·12k + 2·8k + 9k + 6k = 43k (engineers out)
    args = (
        np.array([2.0, 1.0, 2.0]),
        np.array([15_000.0, 12_000.0, 8_000.0]),
        np.array([0.0, 1.0, 1.0]),
        np.array([20_000.0, 9_000.0, 6_000.0]),
        np.array([0.0, 1.0, 1.0]),
    )
    assert sales_marketing_cost(*args) == 43_000.0
    assert float(sales_marketing_cost(*(jnp.asarray(a) for a in args), xp=jnp)) == 43_000.0


def test_sales_and_marketing_roles_from_their_function():
    # the catalogue's sales_ae, sales_sdr and marketing kinds are S&M; an explicit function wins
    sc = vs.load(
        {
            "name": "sm",
            "company": {"initial_cash": 1e6},
            "market": {"segments": [{"name": "s", "market_size": 100, "price": 10}]},
            "team": {
                "roles": [
                    {"name": "ae", "kind": "sales_ae", "headcount": 1},
                    {"name": "sdr", "kind": "sales_sdr", "headcount": 1},
                    {"name": "mkt", "kind": "marketing", "headcount": 1},
                    {"name": "cs", "kind": "customer_success", "headcount": 1},
                    {"name": "eng", "kind": "ml_engineer", "headcount": 1},
                    {"name": "growth", "function": "marketing", "monthly_cost": 9_000, "headcount": 1},
                ]
            },
        }
    )
    team = sample_team(sc.team, Sampler(jax.random.key(0), np.arange(2)), months=3)
    np.testing.assert_array_equal(team.sales_marketing, [[1, 1, 1, 0, 0, 1]] * 2)
    assert team.function[:, 5].sum() == 0  # marketing is no capacity group
