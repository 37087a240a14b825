"""vendor_deprecation (issue 15): the vendor API a product is served by is deprecated or repriced — a forced
migration with a one-off cost, a new price and a quality drift — in both engines, wherever it fires.

A product served by the 'small API model' (catalogue price 0.75 · p_in + 0.25 · p_out per token) from month 0;
the risk forced into month 1 (hazard 50 a month from month 1, one event: P(none in month 1) = e^{−50}), so its
window starts in month 2, with severity 1 (the catalogue gives no severity distribution). Against the same seed
with the risk dormant, on every path alive in the month:

* the serving cost per 10⁶ tokens is × v from month 2 on, v the path's drawn price factor (90 % in 0.6–1.6),
  the same v every month, and never 1;
* the quality gap is 0.02 nats/token lower (worse) in months 2–4 and unchanged after (the drift's 3 months);
* the risks' costs are 40,000 USD higher in month 2 (the migration, once) and unchanged otherwise.

A product that serves its own model pays no migration and sees no change (no dependence, no migration).
"""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.model_costs.models import api_model, api_price_per_token

METRICS = ("serving_cost_per_million", "quality_gap", "risk_costs", "alive")


def scenario(fired: bool, initial_model: str = "small API model") -> vs.Scenario:
    risk = {"hazard_monthly": 50.0 if fired else 0.0, "start_month": 1, "max_events": 1}
    return vs.load(
        {
            "name": "vendor",
            "simulation": {"months": 6},
            "company": {"initial_cash": 50_000_000},
            "market": {
                "segments": [
                    {
                        "name": "a",
                        "market_size": 5_000,
                        "price": 100,
                        "initial_customers": 200,
                        "tokens_per_customer_month": 1e6,
                    }
                ]
            },
            "product": {"initial_model": initial_model},
            "risks": {"include": ["vendor_deprecation"], "overrides": {"vendor_deprecation": risk}},
        }
    )


def assert_deprecation_effects(base, hit):
    alive = np.asarray(hit.data["alive"].values) & np.asarray(base.data["alive"].values)
    assert alive[:, 2:].all()  # USD 50M of cash: every path lives, so every month is compared
    price = api_price_per_token(api_model("small_api")) * 1e6
    before = np.asarray(base.data["serving_cost_per_million"].values, np.float64)
    after = np.asarray(hit.data["serving_cost_per_million"].values, np.float64)
    np.testing.assert_allclose(before, price, rtol=1e-5)
    np.testing.assert_allclose(after[:, :2], price, rtol=1e-5)
    factor = after[:, 2:] / price  # the path's v, every month from 2
    np.testing.assert_allclose(factor, np.broadcast_to(factor[:, :1], factor.shape), rtol=1e-5)
    assert np.all(np.abs(factor[:, 0] - 1.0) > 1e-4) and factor.min() > 0.2 and factor.max() < 4.0
    gap = np.asarray(hit.data["quality_gap"].values, np.float64) - np.asarray(base.data["quality_gap"].values)
    np.testing.assert_allclose(gap[:, 2:5], -0.02, atol=1e-5)
    np.testing.assert_allclose(gap[:, [0, 1, 5]], 0.0, atol=1e-6)
    costs = np.asarray(hit.data["risk_costs"].values, np.float64) - np.asarray(base.data["risk_costs"].values)
    np.testing.assert_allclose(costs[:, 2], 40_000.0, rtol=1e-6)
    np.testing.assert_allclose(np.delete(costs, 2, axis=1), 0.0, atol=1e-6)


@pytest.mark.parametrize("engine,paths", [("jax", 16), ("des", 3)])
def test_a_deprecation_reprices_drifts_and_costs_a_migration_wherever_it_fires(engine, paths):
    kwargs = {"workers": 1} if engine == "des" else {}
    base, hit = (
        vs.simulate(scenario(fired), paths=paths, seed=5, engine=engine, metrics=METRICS, **kwargs)
        for fired in (False, True)
    )
    assert_deprecation_effects(base, hit)


def test_a_product_on_its_own_model_is_not_touched():
    base, hit = (
        vs.simulate(scenario(fired, "open 8B"), paths=3, seed=5, engine="des", workers=1, metrics=METRICS)
        for fired in (False, True)
    )
    for metric in ("serving_cost_per_million", "quality_gap", "risk_costs"):
        np.testing.assert_array_equal(hit.data[metric].values, base.data[metric].values, err_msg=metric)
