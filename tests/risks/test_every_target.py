"""Every catalogue risk changes what it names, wherever it fires (issue 14: risks that reach every target).

One scenario uses every feature a risk can act on: four segments priced flat, per seat, by tier and by
usage (tokens served too), a training run in the risks' window, engineers with attrition, and a seed
round attempted in the window. Every catalogue risk is included, all dormant (hazard 0), so each run has
the same shapes (one JAX compile); in turn one risk is forced to fire in month 1 (hazard 50 a month from
month 1: P(no event in month 1) = e^{−50}), its window starting in month 2. Against the same seed without
it, each quantity the risk targets must differ — on every pricing component for the price risks
(``market.price`` multiplies flat, seat, tier and usage prices) and on the compute line, training runs and
serving cost for a GPU price spike (``company.compute``'s factors are accelerator prices).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import venturesim as vs
from venturesim.risks.catalog import catalog_entries

SEGMENTS = ("flat", "seats", "tiers", "usage")
SCENARIO = {
    "name": "every_risk",
    "simulation": {"months": 10},
    "company": {"initial_cash": 100_000_000, "founder_ownership": 0.9, "other_monthly_costs": 100_000},
    "compute": {"monthly_spend": 5_000},
    "market": {
        "segments": [
            {
                "name": "flat",
                "market_size": 20_000,
                "price": 50,
                "churn": 0.03,
                "initial_customers": 500,
                "tokens_per_customer_month": 1e6,
            },
            {
                "name": "seats",
                "market_size": 20_000,
                "price": 0,
                "churn": 0.03,
                "initial_customers": 500,
                "pricing": {"seats_per_customer": 10, "price_per_seat": 20},
            },
            {
                "name": "tiers",
                "market_size": 20_000,
                "price": 0,
                "churn": 0.03,
                "initial_customers": 500,
                "pricing": {"tiers": [{"name": "pro", "share": 1.0, "price": 100}]},
            },
            {
                "name": "usage",
                "market_size": 20_000,
                "price": 0,
                "churn": 0.03,
                "initial_customers": 500,
                "usage": {"median_mtokens_per_customer_month": 10, "price_per_mtoken": 5},
            },
        ]
    },
    "product": {
        "frontier_loss": 2.0,
        "initial_loss": 3.5,
        "training_runs": [{"name": "v1", "month": 3, "parameters": 1e9, "tokens": 2e10, "accelerators": 8}],
        # served by a vendor's API in the last two months: a vendor's repricing reaches the serving cost there
        "serving_plan": [{"month": 8, "strategy": "api", "api_model": "small_api"}],
    },
    "team": {
        "roles": [
            {"name": "eng", "function": "engineering", "monthly_cost": 15_000, "headcount": 20, "attrition_annual": 0.3}
        ]
    },
    "funding": {
        "rounds": [
            {
                "name": "seed",
                "trigger_runway_months": 1000,
                "earliest_month": 3,
                "success_probability": 0.5,
                "pre_money": 1e7,
                "amount": 2e6,
                "time_to_close_months": 2,
            }
        ]
    },
}

# what each catalogue risk must change (metric, or (metric, segment) for revenue by segment)
PRICES = tuple(("revenue_by_segment", s) for s in SEGMENTS)
TARGETED = {
    "training_failure": ("quality_gap",),  # product.failure_probability: the run submitted in month 3 fails more
    "data_shortage": ("quality_gap",),  # product.frontier_loss
    "security_incident": ("other_costs", "churned_customers"),  # one-off cost, market.churn
    "outage": ("churned_customers",),
    "competitor_model": ("quality_gap",),
    "price_war": PRICES,
    "demand_shift": ("new_customers",),  # market.p (engine hook)
    "customer_budget_cuts": ("churned_customers",),
    "platform_terms": PRICES,
    "funding_winter": ("financing",),  # funding.climate: the seed's odds
    "lead_investor_exit": ("financing",),  # funding.success_probability (engine hook)
    "key_person_loss": ("engineering_fte", "departures", "other_costs"),  # productivity, attrition, one-off
    "team_conflict": ("engineering_fte",),
    "compliance_cost": ("other_costs",),
    "ip_lawsuit": ("other_costs", *PRICES),  # legal costs; the injunction (forced: probability 1) on every price
    "gpu_price_spike": ("compute", "training_compute", "serving_cost"),
    "vendor_deprecation": ("serving_cost",),  # product.api_price, for good: the API phase of months 8-9
}
METRICS = tuple(sorted({m if isinstance(m, str) else m[0] for ms in TARGETED.values() for m in ms}))
PATHS, SEED = 64, 1


def scenario(fired: str | None) -> vs.Scenario:
    """Every catalogue risk dormant, but ``fired`` forced into month 1 (the injunction certain)."""
    data = copy.deepcopy(SCENARIO)
    overrides: dict[str, dict] = {name: {"hazard_monthly": 0.0} for name in catalog_entries()}
    if fired is not None:
        overrides[fired] = {"hazard_monthly": 50.0, "start_month": 1}
        if fired == "ip_lawsuit":
            impacts = [dict(i) for i in catalog_entries()[fired]["impacts"]]
            overrides[fired]["impacts"] = [i | {"probability": 1.0} for i in impacts]
    data["risks"] = {"include": "all", "overrides": overrides}
    return vs.load(data)


def series(result, metric) -> np.ndarray:
    if isinstance(metric, str):
        return np.asarray(result.data[metric].values, np.float64)
    name, segment = metric
    return np.asarray(result.data[name].values, np.float64)[..., SEGMENTS.index(segment)]


@pytest.fixture(scope="module")
def runs():
    """The JAX results, baseline and per fired risk, computed once each (one compile: the same shapes)."""
    cache: dict = {}

    def get(fired: str | None):
        if fired not in cache:
            cache[fired] = vs.simulate(scenario(fired), paths=PATHS, seed=SEED, metrics=METRICS)
        return cache[fired]

    return get


def test_every_catalogue_risk_has_its_targets_listed():
    assert set(TARGETED) == set(catalog_entries())


@pytest.mark.parametrize("name", list(TARGETED))
def test_a_fired_risk_changes_every_quantity_it_targets(runs, name):
    base, shocked = runs(None), runs(name)
    for metric in TARGETED[name]:
        a, b = series(base, metric), series(shocked, metric)
        assert not np.allclose(np.nan_to_num(a), np.nan_to_num(b)), f"{name} leaves {metric} unchanged"
        # months 0 and 1 come before the window (the first event lands in month 1, its window starts in month 2)
        np.testing.assert_array_equal(a[:, :1], b[:, :1], err_msg=f"{name}: {metric} changed before the event")


def test_price_risks_cut_every_pricing_component(runs):
    """price_war: three cuts of 20 % in month 1 (hazard 50, max 3 events) ⇒ prices × 0.8³ = 0.512 from month 2,
    on flat, seat, tier and usage prices alike; month 2's revenue per segment falls (customers barely move:
    churn does not respond to our own price without a competitor cut). An injunction cuts every kind of sale."""
    base, war = runs(None), runs("price_war")
    for s in SEGMENTS:
        before = series(base, ("revenue_by_segment", s))[:, 2].sum()
        after = series(war, ("revenue_by_segment", s))[:, 2].sum()
        assert after / before == pytest.approx(0.512, rel=0.02), s
    # the injunction (price × max(1 − s, 0) for 3 months from month 2, severity s > 0): every pricing component
    # sells less in months 2–4 on every path, nothing where s ≥ 1
    injunction = runs("ip_lawsuit")
    for s in SEGMENTS:
        sales, before = series(injunction, ("revenue_by_segment", s)), series(base, ("revenue_by_segment", s))
        assert np.all(sales[:, 2:5] < before[:, 2:5]) and np.any(sales[:, 2:5] == 0.0), s


def test_a_gpu_price_spike_raises_the_line_training_and_serving(runs):
    """gpu_price_spike: compute factor 1 + 0.5·s (s = 1, no severity distribution) per event, two events in
    month 1 ⇒ × 2.25 in months 2–7 on the compute line, training runs and cost per token."""
    base, spike = runs(None), runs("gpu_price_spike")
    for metric in ("training_compute", "serving_cost"):
        before, after = series(base, metric)[:, 2:8].sum(), series(spike, metric)[:, 2:8].sum()
        assert before > 0 and after / before == pytest.approx(2.25, rel=0.02), metric
    line = series(spike, "compute") - series(spike, "training_compute")
    np.testing.assert_allclose(line[:, 2:8], 5_000 * 2.25, rtol=1e-5)
    np.testing.assert_allclose(line[:, 8:], 5_000, rtol=1e-5)


def test_the_des_applies_price_and_gpu_risks_to_every_component():
    """The same checks in the discrete-event engine (a few paths)."""
    metrics = ("revenue_by_segment", "training_compute", "serving_cost")
    base = vs.simulate(scenario(None), paths=6, seed=SEED, engine="des", metrics=metrics)
    war = vs.simulate(scenario("price_war"), paths=6, seed=SEED, engine="des", metrics=metrics)
    spike = vs.simulate(scenario("gpu_price_spike"), paths=6, seed=SEED, engine="des", metrics=metrics)
    for s in SEGMENTS:
        before = series(base, ("revenue_by_segment", s))[:, 2].sum()
        assert series(war, ("revenue_by_segment", s))[:, 2].sum() / before == pytest.approx(0.512, rel=0.05), s
    for metric in ("training_compute", "serving_cost"):
        before, after = series(base, metric)[:, 2:8].sum(), series(spike, metric)[:, 2:8].sum()
        assert before > 0 and after / before == pytest.approx(2.25, rel=0.05), metric
