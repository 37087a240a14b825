"""The risks' engine hooks act in both engines: a key-person-style shock that triples every
attrition hazard for six months triples the expected departures in exactly those months.

A role of 40 people with 20 % annual attrition (monthly hazard h = 1 − 0.8^{1/12} = 1.842 %)
and no replacement requisitions beyond the plan. The risk fires in month 0 (hazard 50 a month:
P(no event in month 0) = e^{−50} ≈ 0), so its window is months 1–6 (impacts start at ⌈τ⌉).
With the multiplier 3 the monthly probability is 1 − (1 − h)^3 ≈ 5.43 %. The ratio of mean
departures in months 1–6 (shocked/base) must be within 4 SE of (1 − (1 − h)^3)/h = 2.945,
and months 8–11 must match the base within 4 SE.
"""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs

SHOCK = {
    "name": "poaching",
    "hazard_monthly": 50.0,
    "impacts": [{"target": "team.attrition", "mode": "multiply", "value": 3.0, "duration_months": 6}],
}


def scenario(shocked: bool) -> vs.Scenario:
    """The base carries the same risk with a multiplier of 1 (no effect): the same shape, one compiled kernel."""
    shock = SHOCK if shocked else SHOCK | {"impacts": [SHOCK["impacts"][0] | {"value": 1.0}]}
    return vs.load(
        {
            "name": "hooks",
            "simulation": {"months": 12},
            "company": {"initial_cash": 1e8},
            "market": {"segments": [{"name": "s", "market_size": 100, "price": 1.0, "launch_month": 50}]},
            "team": {"roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": 40, "attrition_annual": 0.2}]},
            "risks": {"custom": [shock]},
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("engine, paths, options", [("jax", 4096, {}), ("des", 512, {"workers": 1})])
def test_attrition_hook_triples_departures_in_its_window(engine, paths, options):
    runs = {
        s: vs.simulate(scenario(s), paths=paths, seed=3, engine=engine, metrics=("departures",), **options)
        for s in (False, True)
    }
    base, shocked = (runs[s].data["departures"].values for s in (False, True))
    h = 1 - 0.8 ** (1 / 12)
    window, after = slice(1, 7), slice(8, 12)
    ratio = shocked[:, window].sum(1).mean() / base[:, window].sum(1).mean()
    # SE of a ratio of two independent means: ratio · √((sd₁/m₁)² + (sd₂/m₂)²)/√n.
    m1, m2 = shocked[:, window].sum(1), base[:, window].sum(1)
    se = ratio * np.hypot(m1.std() / m1.mean(), m2.std() / m2.mean()) / np.sqrt(paths)
    assert abs(ratio - (1 - (1 - h) ** 3) / h) < 4 * se, (ratio, se)
    a, b = shocked[:, after].sum(1), base[:, after].sum(1)
    assert abs(a.mean() - b.mean()) < 4 * np.hypot(a.std(), b.std()) / np.sqrt(paths)
