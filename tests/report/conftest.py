"""The small runs the report tests share (session fixtures: one per xdist worker).

The scenario is tests/engine/test_invariants.py's ``FIXED`` ("mixed fates": two segments, two rounds,
uncertain cash, market size and churn) at the same 300 paths, 36 months and ``metrics="all"``: the
same shapes, so the JAX engine's compiled program is the one that test compiles (the session's
persistent compile cache), and :func:`venturesim.report.result_charts.base_plan` reuses it again
(same chunk of paths, other values).
"""

from __future__ import annotations

import copy

import pytest

MONTHS, PATHS, SEED = 36, 300, 11
DES_PATHS = 8

SCENARIO = {
    "name": "mixed fates",
    "simulation": {"months": MONTHS, "paths": PATHS},
    "policy": {"on_round_failure": {"freeze_hiring": False, "cut_to_runway_months": None, "channel_budget_scale": 1.0}},
    "company": {"initial_cash": {"p5": 3e5, "p95": 1.5e6}, "founder_ownership": 0.8, "other_monthly_costs": 10_000.0},
    "market": {
        "cost_of_revenue": 0.3,
        "segments": [
            {
                "name": "a",
                "market_size": {"p5": 2_000, "p95": 6_000},
                "bass_p_annual": 0.1,
                "bass_q_annual": 0.8,
                "price": 60.0,
                "churn": 0.03,
                "initial_customers": 10,
            },
            {
                "name": "b",
                "market_size": 400,
                "bass_p_annual": 0.05,
                "bass_q_annual": 0.5,
                "price": {"schedule": {0: 1_500.0, 12: 1_200.0}},
                "churn": {"dist": "beta", "a": 2.0, "b": 100.0},
                "launch_month": 6,
            },
        ],
    },
    "team": {"roles": [{"name": "eng", "monthly_cost": 15_000.0, "headcount": {0: 3, 12: 5}}]},
    "compute": {"monthly_spend": {"start": 12_000.0, "growth": -0.02}},
    "funding": {
        "rounds": [
            {
                "name": "seed",
                "trigger_runway_months": 9.0,
                "success_probability": 0.5,
                "pre_money": 8e6,
                "amount": 2e6,
                "time_to_close_months": 2.5,
                "max_attempts": 2,
                "retry_delay_months": 1.0,
            },
            {
                "name": "series_a",
                "trigger_runway_months": 6.0,
                "earliest_month": 12,
                "success_probability": 0.5,
                "pre_money": 3e7,
                "amount": 8e6,
                "time_to_close_months": 3.0,
                "max_attempts": 1,
            },
        ]
    },
}


def scenario() -> dict:
    """A fresh copy of the scenario dict."""
    return copy.deepcopy(SCENARIO)


@pytest.fixture(scope="session")
def jax_result():
    """The JAX engine's run: 300 paths × 36 months, every metric."""
    import venturesim as vs

    return vs.simulate(scenario(), seed=SEED, metrics="all")


@pytest.fixture(scope="session")
def des_result():
    """The DES engine's run of a few paths (an event log and causes of death)."""
    import venturesim as vs

    return vs.simulate(scenario(), paths=DES_PATHS, seed=SEED, metrics="all", engine="des", workers=1)


@pytest.fixture(scope="session")
def plan_result(jax_result):
    """The base plan of the JAX run (every uncertain input at its median; the same compiled program)."""
    from venturesim.report.result_charts import base_plan

    return base_plan(jax_result)


@pytest.fixture(scope="session")
def report_page(jax_result, plan_result) -> str:
    """The run report of the JAX run with its base plan."""
    from venturesim.report.html import report_from_result

    return report_from_result(jax_result, jax_result.summary(), plan=plan_result)


@pytest.fixture
def scenario_dict() -> dict:
    """A fresh copy of the shared scenario, as a dict."""
    return scenario()
