"""team.capacity_effects: the schema, the draws, and the team's side of the effects in both engines.

The engineering quality gain G_t = G_max (1 − e^{−X_t/X_0}) by hand, the sales deal cap
C = ⌊F d + U⌋ (unbiased rounding), the support capacity F k; the market's side (the churn
multiplier, the cap on wins, partners' exit churn) is in tests/market/test_capacity_limits.py and
the engines end to end in tests/team/test_capacity_engines.py.
"""

import math

import jax
import numpy as np
import pytest
from team.drivers import run_team_des

import venturesim as vs
from venturesim.model_costs.schema import Product, QualityResponse
from venturesim.spec.errors import ScenarioError
from venturesim.team.capacity import deal_capacity, quality_gain, support_capacity
from venturesim.team.process import des_signals
from venturesim.team.schema import Team, check_engineering_response
from venturesim.team.step import initial_signals

ROLES = [
    {"name": "founder", "monthly_cost": 10_000, "headcount": 1},
    {"name": "eng", "function": "engineering", "monthly_cost": 15_000, "headcount": 4},
    {"name": "ae", "function": "sales", "monthly_cost": 15_000, "headcount": 3},
    {"name": "cs", "function": "support", "monthly_cost": 9_000, "headcount": 2},
]
EFFECTS = {
    "engineering": {"max_gain_nats": 0.1, "nats_per_fte_month": 0.004},
    "sales": {"deals_per_fte_month": 0.5},
    "support": {"customers_per_fte": 150, "churn_elasticity": 1.0},
}


def team(**effects) -> dict:
    return {"roles": ROLES, "capacity_effects": effects or EFFECTS}


# ---- schema --------------------------------------------------------------------------------------


def test_block_parses_with_defaults():
    t = Team.model_validate(team(support={}))
    assert t.capacity_effects.engineering is None and t.capacity_effects.sales is None
    s = t.capacity_effects.support
    assert (s.customers_per_fte, s.churn_elasticity, s.max_churn_multiplier) == (150.0, 0.5, 3.0)
    assert Team.model_validate({"roles": ROLES}).capacity_effects is None


@pytest.mark.parametrize("block", ["engineering", "sales", "support"])
def test_a_block_needs_a_role_of_its_function(block):
    roles = [r for r in ROLES if r.get("function") != block]
    with pytest.raises(ValueError, match=f"capacity_effects.{block} needs a role with function: {block}"):
        Team.model_validate({"roles": roles, "capacity_effects": {block: EFFECTS[block]}})


def test_required_figures_and_bounds():
    with pytest.raises(ValueError, match="deals_per_fte_month"):
        Team.model_validate(team(sales={}))
    with pytest.raises(ValueError, match="max_churn_multiplier"):
        Team.model_validate(team(support={"max_churn_multiplier": 0.5}))  # must be >= 1
    with pytest.raises(ValueError, match="nats_per_fte_month"):
        Team.model_validate(team(engineering={"max_gain_nats": 0.1, "nats_per_fte_month": 0}))


def test_engineering_needs_a_product_quality_response():
    t = Team.model_validate(team())
    with pytest.raises(ValueError, match="add a `product:` section"):
        check_engineering_response(t, None)
    flat = Product(quality_response=QualityResponse(adoption=0.0, churn=0.0, price=0.0))
    with pytest.raises(ValueError, match=r"adoption\(=0.0\), churn\(=0.0\) and price\(=0.0\) all 0"):
        check_engineering_response(t, flat)
    check_engineering_response(t, Product())  # default response: adoption 2, churn 2 per nat
    check_engineering_response(Team.model_validate(team(sales={"deals_per_fte_month": 1})), None)  # no engineering


def test_a_scenario_file_error_names_the_block():
    bad = {
        "name": "x",
        "company": {"initial_cash": 1},
        "market": {"segments": [{"name": "s", "market_size": 10}]},
        "team": {"roles": ROLES[:2], "capacity_effects": {"sales": {"deals_per_fte_month": 1}}},
    }
    with pytest.raises(ScenarioError, match="needs a role with function: sales"):
        vs.load(bad)


# ---- draws -----------------------------------------------------------------------------------------


def test_absent_blocks_are_none_so_no_code_is_compiled(make_params):
    c = make_params({"roles": ROLES}).capacity
    assert all(v is None for v in c)
    c = make_params(team(sales={"deals_per_fte_month": 0.5})).capacity
    assert c.deals_per_fte is not None and c.gain_max is None and c.customers_per_fte is None


def test_draws_and_scale(make_params):
    effects = dict(EFFECTS, engineering={"max_gain_nats": {"p5": 0.05, "p95": 0.2}, "nats_per_fte_month": 0.004})
    c = make_params(team(**effects), paths=500).capacity
    assert c.gain_max.shape == (500,) and c.gain_max.std() > 0
    np.testing.assert_allclose(c.gain_scale, c.gain_max / np.float32(0.004), rtol=1e-6)  # X_0 = G_max / g₀
    # the lognormal through p5 = 0.05 and p95 = 0.2 has median √(0.05 · 0.2) = 0.1
    assert np.median(c.gain_max) == pytest.approx(0.1, rel=0.1)
    np.testing.assert_array_equal(c.support_max_multiplier, 3.0)


# ---- the gain curve, the deal cap and the support capacity ---------------------------------------

# 4 engineers, static (fully ramped), α = 0.91: E = 4^0.91 = e^{0.91 · 1.3862944} = e^{1.2615279} = 3.5308120
# effective FTE-months a month, so X_t = 3.5308120 (t + 1). G_max = 0.1, g₀ = 0.004 ⇒ X_0 = 25:
#   G_0 = 0.1 (1 − e^{−0.1412325}) = 0.0131713,  G_5 = 0.1 (1 − e^{−0.8473949}) = 0.0571470,
#   G_11 = 0.1 (1 − e^{−1.6947898}) = 0.0816362.
# With productivity 0.5 (a risk hook): E = 2^0.91 = 1.8790455, G_0 = 0.0072407, G_11 = 0.0594219.
PATHS = 400
"""Every kernel run of this file has 400 paths and 12 months: one compilation."""


def run12(run, params, productivity=1.0, active=None):
    """12 months of the jitted team kernel, always with the same argument types (one compilation)."""
    signals = initial_signals(PATHS)._replace(productivity=np.full(PATHS, productivity, np.float32))
    return run(jax.random.key(0), params, 12, signals, np.ones(PATHS, bool) if active is None else active)[1]


HAND = {1.0: {0: 0.0131713, 5: 0.0571470, 11: 0.0816362}, 0.5: {0: 0.0072407, 11: 0.0594219}}


@pytest.mark.parametrize("productivity", [1.0, 0.5])
def test_gain_curve_by_hand_in_both_engines(make_params, run, row, productivity):
    params = make_params(team(), paths=PATHS)
    month = run12(run, params, productivity)
    gain = np.asarray(month.engineering_gain)  # (months, paths)
    records, _ = run_team_des(row(params), 12, np.random.default_rng(0), signals=des_signals(productivity=productivity))
    des = np.array([r.engineering_gain for r in records])
    for t, expected in HAND[productivity].items():
        np.testing.assert_allclose(gain[t], expected, atol=2e-7)
        assert des[t] == pytest.approx(expected, abs=2e-7)
    # the closed form on its own, and its initial slope G_max / X_0 = g₀
    assert quality_gain(3.5308120, 0.1, 25.0) == pytest.approx(0.0131713, abs=1e-7)
    assert quality_gain(1e-6, 0.1, 25.0) / 1e-6 == pytest.approx(0.004, rel=1e-6)
    assert quality_gain(1e9, 0.1, 25.0) == pytest.approx(0.1)  # never past G_max


def test_a_dead_path_stops_learning(make_params, run):
    params = make_params(team(), paths=PATHS)
    month = run12(run, params, active=np.arange(PATHS) > 0)  # path 0 dead from the start
    gain = np.asarray(month.engineering_gain)
    assert gain[11, 1] == pytest.approx(0.0816362, abs=2e-7) and np.all(gain[:, 0] == 0)


def test_deal_capacity_is_unbiased_in_both_engines(make_params, run, row):
    # 3 sales FTE × 0.5 deals = 1.5 a month: C = ⌊1.5 + U⌋ is 1 or 2, each with probability 1/2, so over
    # n path-months the mean is 1.5 with standard error 0.5/√n.
    months = 12
    params = make_params(team(), paths=PATHS)
    month = run12(run, params)
    jax_cap = np.asarray(month.deal_capacity)
    des_cap = np.array(
        [
            [r.deal_capacity for r in run_team_des(row(params, i), months, np.random.default_rng(i))[0]]
            for i in range(100)
        ]
    )
    for cap in (jax_cap, des_cap):
        assert set(np.unique(cap)) == {1.0, 2.0}
        assert abs(cap.mean() - 1.5) < 3 * 0.5 / math.sqrt(cap.size)
    assert deal_capacity(3.0, 0.5, 0.0) == 1.0 and deal_capacity(3.0, 0.5, 0.5) == 2.0
    assert deal_capacity(2.0, 1.0, 0.999) == 2.0  # a whole capacity is exact whatever U


def test_support_capacity_is_fte_times_customers_per_fte(make_params, run, row):
    # 2 support FTE × 150 customers = 300 customers at load 1, every month, both engines
    params = make_params(team(), paths=PATHS)
    month = run12(run, params)
    np.testing.assert_array_equal(np.asarray(month.support_capacity), 300.0)
    records, _ = run_team_des(row(params), 4, np.random.default_rng(0))
    assert [r.support_capacity for r in records] == [300.0] * 4
    assert support_capacity(1.5, 150.0) == 225.0


def test_ramp_counts_in_the_capacities(make_params, run):
    # one support person with a 3-month ramp joins at month 1 (instant hire): FTE 0.25, 0.5, 0.75, 1 in
    # months 1–4; with cs0 (static, 1 FTE) the capacity is 150 × (1, 1.25, 1.5, 1.75, 2)
    roles = [
        {"name": "cs0", "function": "support", "monthly_cost": 1, "headcount": 1},
        {"name": "cs", "function": "support", "monthly_cost": 1, "ramp_months": 3, "headcount": {0: 0, 1: 1}},
    ]
    params = make_params({"roles": roles, "capacity_effects": {"support": {}}}, paths=1)
    _, month = run(jax.random.key(0), params, 5)
    np.testing.assert_allclose(np.asarray(month.support_capacity)[:, 0], [150, 187.5, 225, 262.5, 300])
