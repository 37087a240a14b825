"""team.capacity_effects and partners' exit churn end to end, in both engines (vs.simulate).

* Neutral blocks (an engineering gain of 10⁻¹² nats, a sales capacity no month reaches, a support elasticity
  of 0) give every record of a scenario bit for bit, in both engines: the new code path changes nothing until
  an effect acts.
* Engineering: 4 static engineers, G_max = 0.1, g₀ = 0.004 ⇒ X_0 = 25 and E = 4^0.91 = 3.5308120 a month,
  so G_t = 0.1 (1 − e^{−3.5308120 (t + 1)/25}) is recorded and added to the quality gap (−0.1 + G_t).
* Exit churn: a reseller active over [1, 6) with churn_on_exit f = 0.25 and no other churn takes
  Binomial(1,000, 0.25) customers in month 6 and none in any other month; the mean over P paths is within
  3 standard errors, √(1000 · 0.25 · 0.75 / P), of 250 in both engines.
* With every effect on, JAX (2,048 paths) and the DES (200 paths) agree on mean customers by segment,
  revenue and deals won at months 5, 6, 11 and 23: |z| < 4 for each of the 16 comparisons
  (P(|Z| > 4) = 6.3e-5 each; ≤ 1e-3 for all by Bonferroni; fixed seeds), and in each engine the
  deals won never exceed the month's capacity and equal it whenever a win was lost to it.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from market.engines_agree import z_difference

import venturesim as vs

pytestmark = pytest.mark.slow  # each test compiles the whole engine at least once

MONTHS = 24
ROLES = [
    {"name": "founder", "monthly_cost": 10_000, "headcount": 1},
    {"name": "eng", "function": "engineering", "monthly_cost": 15_000, "headcount": 4},
    {"name": "ae", "function": "sales", "monthly_cost": 15_000, "headcount": {0: 1, 12: 2}},
    {"name": "cs", "function": "support", "monthly_cost": 9_000, "headcount": 1},
]
RESELLER = {
    "name": "reseller",
    "type": "channel",
    "segment": "smb",
    "start_month": 0,
    "search_months": 0.5,
    "negotiation_months": 0.5,
    "signing_probability": 1.0,
    "termination_annual": 0.0,
    "contract_months": 5,
    "adoption_multiplier": 1.0,
    "revenue_share": 0.0,
    "signing_cost": 0.0,
}  # active over [1, 6)
EFFECTS = {
    "engineering": {"max_gain_nats": 0.1, "nats_per_fte_month": 0.004},
    "sales": {"deals_per_fte_month": 1.0},  # C = 1 with one account executive, 2 from month 12
    "support": {"customers_per_fte": 150, "churn_elasticity": 1.0, "max_churn_multiplier": 3.0},
}
NEW = ("support_load", "sales_capacity_deals", "deals_lost_to_capacity", "engineering_quality_gain")


def company(effects=None, churn_on_exit=0.25) -> dict:
    """A product 0.1 nats behind the frontier, a self-serve and a sales-led segment, a reseller, no money worries."""
    return {
        "name": "capacity",
        "simulation": {"months": MONTHS},
        "company": {"initial_cash": 1e10},
        "market": {
            "segments": [
                {
                    "name": "smb",
                    "market_size": 4_000,
                    "bass_p_annual": 0.3,
                    "bass_q_annual": 0.6,
                    "price": 100.0,
                    "churn": 0.03,
                    "initial_customers": 200,
                },
                {
                    "name": "ent",
                    "market_size": 400,
                    "bass_p_annual": 0.6,
                    "bass_q_annual": 0.3,
                    "price": 3_000.0,
                    "churn": 0.01,
                    "sales": {"cycle_months": 2.0, "cycle_cv": 0.5, "win_rate": 0.4, "max_cycle_months": 6},
                },
            ]
        },
        "team": {"roles": ROLES} | ({"capacity_effects": effects} if effects else {}),
        "product": {"frontier_loss": 1.85, "initial_loss": 1.95, "initial_parameters": 1e6},
        "partnerships": {"partners": [RESELLER | {"churn_on_exit": churn_on_exit}]},
    }


def run(spec, engine, paths, seed):
    kw = {"workers": 1} if engine == "des" else {}
    return vs.simulate(spec, paths=paths, seed=seed, months=MONTHS, metrics="all", engine=engine, **kw).data


@pytest.mark.parametrize("engine,paths", [("jax", 64), ("des", 12)])
def test_neutral_blocks_change_no_record(engine, paths):
    neutral = {  # every block of EFFECTS, so the JAX engine's program is that of `both` below (one compile)
        "engineering": {"max_gain_nats": 1e-12, "nats_per_fte_month": 0.004},  # far below a float32 ulp of the gap
        "sales": {"deals_per_fte_month": 1e6},
        "support": {"customers_per_fte": 150, "churn_elasticity": 0.0, "max_churn_multiplier": 3.0},
    }
    base = run(company(churn_on_exit=0.0), engine, paths, 3)
    same = run(company(neutral, churn_on_exit=0.0), engine, paths, 3)
    compared = 0
    for name in base.data_vars:
        if name not in NEW:
            np.testing.assert_array_equal(same[name].values, base[name].values, err_msg=name)
            compared += 1
    assert compared > 50 and base["deals_won"].values.sum() > 0 and base["churned_customers"].values.sum() > 0
    assert np.isnan(base["support_load"].values).all() and np.isnan(base["sales_capacity_deals"].values).all()
    assert (same["support_load"].values > 1).any()  # the load was there; with η = 0 it moved nothing


EXIT = {
    "name": "exit",
    "company": {"initial_cash": 1e10},
    "market": {
        "segments": [
            {
                "name": "smb",
                "market_size": 2**20,
                "bass_p_annual": 1e-9,
                "bass_q_annual": 0.0,
                "price": 1.0,
                "churn": 0.0,
                "initial_customers": 1_000,
            }
        ]
    },
    "team": {"roles": ROLES[:1]},
    "partnerships": {"partners": [RESELLER | {"churn_on_exit": 0.25}]},
}


@pytest.mark.parametrize("engine,paths", [("jax", 2048), ("des", 200)])
def test_exit_churn_takes_f_of_the_segment_in_the_month_it_ends(engine, paths):
    data = vs.simulate(
        EXIT,
        paths=paths,
        seed=4,
        months=9,
        metrics=["churned_customers", "customers", "new_customers"],
        engine=engine,
        **({"workers": 1} if engine == "des" else {}),
    ).data
    churned, customers = data["churned_customers"].values, data["customers"].values
    np.testing.assert_array_equal(np.delete(churned, 6, axis=1), 0)  # no churn but the exit
    assert abs(churned[:, 6].mean() - 250) < 3 * math.sqrt(1000 * 0.25 * 0.75 / paths)
    # (p = 1e-9 a year over 2^20 accounts still lets in one account in ~10⁴ path-months)
    np.testing.assert_array_equal(customers[:, 6], customers[:, 5] - churned[:, 6] + data["new_customers"].values[:, 6])


# ---- every effect on ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both():
    spec = company(copy.deepcopy(EFFECTS))
    return run(spec, "jax", 2048, 11), run(spec, "des", 200, 12)


def test_engineering_gain_by_hand_in_both_engines(both):
    t = np.arange(MONTHS)
    gain = 0.1 * (1 - np.exp(-(4**0.91) * (t + 1) / 25.0))  # G_0 = 0.0131713, G_11 = 0.0816362
    for data in both:
        assert data["alive"].values.all()
        expected = np.broadcast_to(gain, data["quality_gap"].shape)
        np.testing.assert_allclose(data["engineering_quality_gain"].values, expected, atol=3e-7)
        np.testing.assert_allclose(
            data["quality_gap"].values, np.float32(1.85) - np.float32(1.95) + expected, atol=1e-6
        )


def test_sales_cap_binds_exactly_in_both_engines(both):
    for data in both:
        won, cap = data["deals_won"].values, data["sales_capacity_deals"].values
        lost = data["deals_lost_to_capacity"].values
        np.testing.assert_array_equal(cap[:, :12], 1.0)  # one account executive × 1 deal: ⌊1 + U⌋ = 1
        np.testing.assert_array_equal(cap[:, 12:], 2.0)
        assert np.all(won <= cap)
        assert np.all(won[lost > 0] == cap[lost > 0]) and (lost > 0).mean() > 0.2


def test_support_load_is_recorded_in_both_engines(both):
    for data in both:
        load = data["support_load"].values
        customers = data["customers"].values
        np.testing.assert_allclose(load[:, 0], np.full(len(load), 200 / 150))  # 200 customers, one support FTE × 150
        np.testing.assert_allclose(load[:, 1:], customers[:, :-1] / 150, rtol=1e-6)


@pytest.mark.parametrize("metric", ["customers_by_segment", "revenue", "deals_won"])
def test_engines_agree_with_every_effect_on(both, metric):
    jax_data, des_data = both
    months = [5, 6, 11, 23]
    a, b = jax_data[metric].values[:, months], des_data[metric].values[:, months]
    z = z_difference(a.astype(np.float64), b.astype(np.float64))
    assert np.all(np.abs(z) < 4), np.round(z, 2)
    if metric == "customers_by_segment":  # the effects act: the reseller's exit in month 6 takes a quarter of smb
        for data in both:
            churned = data["churned_customers"].values
            assert churned[:, 6].mean() > 3 * churned[:, 5].mean()
