"""Round terms that respond to traction and climate, the option-pool shuffle, exits and the
waterfall at an exit — by hand, and in both engines."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

import venturesim as vs
from venturesim.funding.ownership import Holders, close_priced
from venturesim.funding.terms import ACQUIHIRE, IPO, acquisition_probability, attempt_terms

ENGINES = [("jax", {}), ("des", {"workers": 1})]
ALL = "all"
"""Every metric: the JAX programs of tests/funding/test_engine_financing.py, tests/engine/test_des_traces.py and
tests/analysis/test_unit_economics.py at the same shapes, which the session's compile cache serves to this file."""


# ---- the shared arithmetic, by hand -----------------------------------------------------------


def test_attempt_terms_by_hand():
    # ARR 4× the reference, ε_s = 0.5: odds 1 · 4^0.5 = 2 → p = 2/3; price × 4^0.7 = 2.639.
    p, pre = attempt_terms(4e6, 0.5, 10e6, 1e6, 0.5, 0.7, 1.0, 0, 0.7)
    assert p == pytest.approx(2 / 3, rel=1e-12)
    assert pre == pytest.approx(10e6 * 4**0.7, rel=1e-12)
    # A funding winter (climate 0.5) halves the odds (2 → 1: p = 1/2) and the price; two
    # failed attempts with a 0.7 down-round factor: × 0.49.
    p, pre = attempt_terms(4e6, 0.5, 10e6, 1e6, 0.5, 0.7, 0.5, 2, 0.7)
    assert p == pytest.approx(0.5, rel=1e-12)
    assert pre == pytest.approx(10e6 * 4**0.7 * 0.5 * 0.49, rel=1e-12)
    # Without traction (reference +inf) and a normal climate the inputs are used exactly.
    assert attempt_terms(0.0, 0.37, 5e6, math.inf, 0.0, 0.0, 1.0, 0, 1.0) == (0.37, 5e6)
    # No ARR at all is floored at 1 % of the reference: x = ln 0.01.
    p, _ = attempt_terms(0.0, 0.5, 1.0, 1e6, 0.5, 0.0, 1.0, 0, 1.0)
    assert p == pytest.approx(0.1 / 1.1, rel=1e-12)  # odds 0.01^0.5 = 0.1


def test_option_pool_shuffle_by_hand():
    """$8M pre, $2M raised, pool 10 % → 15 % post (the funding docs' worked example).

    q' = 0.15 · 10/8 = 0.1875 of the pre-money is pool; the others keep
    (1 − 0.1875)/(1 − 0.1) = 0.90278 of their stake before the round's 0.8:
    founders 0.9 · 0.90278 · 0.8 = 0.65; investors 0.2; pool 0.15.
    """
    terms = SimpleNamespace(amount=np.array([2e6]), pool_target=np.array([0.15]), discount=np.zeros(1))
    founders, others, pool, investors, _ = close_priced(
        Holders(0.9, 0.0, 0.1, np.zeros(1), np.array([False])), np.array([True]), np.array([8e6]), terms
    )
    assert founders == pytest.approx(0.65, rel=1e-12)
    assert pool == pytest.approx(0.15, rel=1e-12)
    assert investors[0] == pytest.approx(0.2, rel=1e-12)
    assert founders + others + pool + investors.sum() == pytest.approx(1.0, abs=1e-15)


def test_acquisition_probability_by_hand():
    # 30 % a year at the reference ARR: 1 − 0.7^(1/12) a month; at 4× ARR with η = 0.5: 1 − 0.7^(2/12).
    assert acquisition_probability(1e7, 0.3, 1e7, 0.5) == pytest.approx(1 - 0.7 ** (1 / 12), rel=1e-12)
    assert acquisition_probability(4e7, 0.3, 1e7, 0.5) == pytest.approx(1 - 0.7 ** (2 / 12), rel=1e-12)
    assert acquisition_probability(0.0, 0.3, 1e7, 0.5) == 0.0


# ---- in the engines ---------------------------------------------------------------------------


def company(segment_overrides=None, **funding):
    """$1,000/month from 1,000 customers once the segment opens at month 3: ARR $12M, no churn;
    $10k a month of other costs, so that runway is finite before revenue (a round can start)."""
    segment = {
        "name": "api",
        "market_size": 1000,
        "price": 1000.0,
        "churn": 0.0,
        "initial_customers": 1000,
        "launch_month": 3,
        "bass_p_annual": 0.01,
        "bass_q_annual": 0.0,
    } | (segment_overrides or {})
    return {
        "name": "exits",
        "simulation": {"months": 12},
        "company": {"initial_cash": 2e6, "founder_ownership": 1.0, "other_monthly_costs": 10_000},
        "market": {"segments": [segment]},
        "funding": funding,
    }


SEED_ROUND = {
    "name": "seed",
    "trigger_runway_months": 1000,
    "success_probability": 1.0,
    "pre_money": 4e6,
    "amount": 1e6,
    "time_to_close_months": 1.0,
}


@pytest.mark.parametrize("engine, options", ENGINES)
def test_ipo_pays_through_the_waterfall(engine, options):
    """The seed closes in month 2 (start at 1.0, resolved at 2.0); in month 3 ARR is $12M ≥ the
    $10M threshold: IPO at 10 × 12M = $120M. The 1x non-participating seed (20 %) converts:
    $24M to the investors, $96M to the founders; the path is not dead."""
    scenario = vs.load(company(rounds=[SEED_ROUND], exits={"ipo": {"arr_threshold": 10e6, "arr_multiple": 10}}))
    r = vs.simulate(scenario, paths=2, seed=0, engine=engine, metrics=ALL, **options)
    ds = r.data
    assert ds["exit_kind"].values.tolist() == [IPO, IPO]
    assert ds["exit_month"].values.tolist() == [3, 3]
    np.testing.assert_allclose(ds["exit_value"].values, 1.2e8, rtol=1e-6)
    np.testing.assert_allclose(ds["founder_proceeds"].values, 9.6e7, rtol=1e-6)
    np.testing.assert_allclose(ds["round_proceeds"].values[:, 0], 2.4e7, rtol=1e-6)
    assert (ds["death_month"].values == -1).all() and not ds["alive"].values[:, 3:].any()
    returns = r.returns()
    assert returns.loc[0, "moic_p50"] == pytest.approx(24.0, rel=1e-6)
    # A $250k cheque on the seed's terms: 24× → $6M, over one year (closed month 2, exit month 3 → 1 month floor).
    cheque = r.cheque_returns("seed", 250_000)
    assert cheque["proceeds"].iloc[2] == pytest.approx(6e6, rel=1e-6)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_acquihire_when_cash_runs_out_pays_the_preference_first(engine, options):
    """No revenue; $2M cash and $1M raised against $310k a month (payroll of 10 people, $300k,
    and $10k other costs): cash 3M − 0.31M·(t+1) < 0 first at t = 9. Acqui-hired at 10 × $100k = $1M: the 1x
    preference ($1M) takes it all (converting would give 20 % · $1M = $200k)."""
    scenario = vs.load(
        company(
            {"launch_month": 100},
            rounds=[SEED_ROUND],
            exits={"shutdown": {"acquihire_probability": 1.0, "acquihire_value_per_head": 100_000}},
        )
        | {"team": {"roles": [{"name": "eng", "monthly_cost": 30_000, "headcount": 10}]}, "simulation": {"months": 14}}
    )
    ds = vs.simulate(scenario, paths=2, seed=0, engine=engine, metrics=ALL, **options).data
    assert ds["death_month"].values.tolist() == [9, 9]
    assert ds["exit_kind"].values.tolist() == [ACQUIHIRE, ACQUIHIRE]
    np.testing.assert_allclose(ds["round_proceeds"].values[:, 0], 1e6, rtol=1e-6)
    np.testing.assert_allclose(ds["founder_proceeds"].values, 0.0, atol=1e-3)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_milestone_round_starts_when_arr_reaches_it(engine, options):
    """Runway never triggers (threshold 0); ARR reaches $12M in month 3, so the round starts
    at time 4.0 (the end of month 3) and resolves at 5.0 — the start of month 5, where its money is booked."""
    seed = SEED_ROUND | {"trigger_runway_months": 0, "start_when_arr_at_least": 5e6}
    ds = vs.simulate(vs.load(company(rounds=[seed])), paths=2, seed=0, engine=engine, metrics=ALL, **options).data
    assert ds["round_close_month"].values[:, 0].tolist() == [5, 5]


@pytest.mark.parametrize("engine, options", ENGINES)
def test_pool_top_up_in_the_engines(engine, options):
    """Founders 90 %, pool 10 %; the seed tops the pool up to 15 % post: founders end at 65 %·(4/5)/0.8…
    by hand (pre $4M, $1M raised): q' = 0.15 · 5/4 = 0.1875; founders 0.9 · (0.8125/0.9) · 0.8 = 0.65."""
    spec = company(rounds=[SEED_ROUND | {"option_pool_post": 0.15}])
    spec["company"] |= {"founder_ownership": 0.9, "option_pool": 0.1}
    ds = vs.simulate(vs.load(spec), paths=2, seed=0, engine=engine, metrics=ALL, **options).data
    np.testing.assert_allclose(ds["final_founder_ownership"].values, 0.65, rtol=1e-6)


def test_traction_sets_the_odds_in_the_engine():
    """success 0.5 at a $3M reference; the round starts at time 4.0 with ARR $12M (4×): with
    ε_s = 0.5 the odds double, p = 2/3. Over 8,192 paths P(closed) within 4 SE of 2/3."""
    seed = SEED_ROUND | {
        "trigger_runway_months": 0,
        "start_when_arr_at_least": 5e6,
        "success_probability": 0.5,
        # momentum off: the ARR response alone (growth and the burn multiple: test_policy_and_traction.py)
        "traction": {"reference_arr": 3e6, "success_elasticity": 0.5, "valuation_elasticity": 0.7, "momentum": False},
    }
    ds = vs.simulate(vs.load(company(rounds=[seed])), paths=8192, seed=4, metrics=ALL).data
    closed = ds["round_status"].values[:, 0] == 2
    se = math.sqrt(2 / 9 / closed.size)
    assert abs(closed.mean() - 2 / 3) < 4 * se
    np.testing.assert_allclose(ds["round_pre_money"].values[closed, 0], 4e6 * 4**0.7, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("engine, paths", [("jax", 20_000), ("des", 1_000)])
def test_acquisition_hazard_gives_the_stated_annual_probability(engine, paths):
    """ARR $12M from month 3 at a $3M reference, 20 % a year at the reference, η = 0.5:
    the monthly probability is 1 − 0.8^(2/12) (4^0.5 = 2), so P(acquired by month 12, i.e. in
    months 3..11, nine months) = 1 − 0.8^(2·9/12) = 0.2845, within 4 SE."""
    spec = company(
        exits={"acquisition": {"hazard_annual": 0.2, "reference_arr": 3e6, "arr_elasticity": 0.5, "arr_multiple": 5}}
    )
    ds = vs.simulate(vs.load(spec), paths=paths, seed=2, engine=engine, workers=1, metrics=ALL).data
    acquired = ds["exit_kind"].values == 1
    expected = 1 - 0.8 ** (2 * 9 / 12)
    assert abs(acquired.mean() - expected) < 4 * math.sqrt(expected * (1 - expected) / paths)
    np.testing.assert_allclose(ds["exit_value"].values[acquired], 12e6 * 5, rtol=1e-6)
