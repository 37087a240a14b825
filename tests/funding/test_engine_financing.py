"""SAFEs, insiders' bridges, venture debt and grants in both engines: hand-worked paths and statistics."""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.funding.rounds import ABANDONED, CLOSED
from venturesim.funding.shares import VentureLoan as VentureDebt
from venturesim.funding.terms import IPO, SHUTDOWN

ENGINES = [("jax", {}), ("des", {"workers": 1})]


def company(rounds=(), months=12, revenue=False, cash=2e6, burn=10_000, **funding):
    """Founders 90 %, pool 10 %; $``burn`` a month of other costs; revenue $1,000/month from 1,000
    customers once the segment opens at month 3 (ARR $12M) if ``revenue``, else none."""
    segment = {
        "name": "api",
        "market_size": 1000,
        "price": 1000.0,
        "churn": 0.0,
        "initial_customers": 1000,
        "launch_month": 3 if revenue else 100,
        "bass_p_annual": 0.01,
        "bass_q_annual": 0.0,
    }
    return {
        "name": "financing",
        "simulation": {"months": months},
        "company": {"initial_cash": cash, "founder_ownership": 0.9, "option_pool": 0.1, "other_monthly_costs": burn},
        "market": {"segments": [segment]},
        "funding": {"rounds": list(rounds)} | funding,
    }


def priced(name="seed", **changes):
    """Starts at the first month end (time 1.0), closes one month later: in month 2 (or the month after
    the round before it closes)."""
    return {
        "name": name,
        "trigger_runway_months": 1000,
        "success_probability": 1.0,
        "pre_money": 4e6,
        "amount": 1e6,
        "time_to_close_months": 1.0,
    } | changes


SAFE = {
    "name": "pre_seed",
    "instrument": "safe",
    "trigger_runway_months": 1000,
    "success_probability": 1.0,
    "valuation_cap": 1e7,
    "discount": 0.2,
    "amount": 1e6,
    "time_to_close_months": 1.0,
}


def run(spec, engine, options, paths=2, seed=0):
    return vs.simulate(vs.load(spec), paths=paths, seed=seed, engine=engine, metrics="all", **options)


def assert_exit(ds, kind, first_round_proceeds, founder_proceeds):
    """Both paths exited the same way, with these proceeds (USD) to the first round and to the founders."""
    assert ds["exit_kind"].values.tolist() == [kind, kind]
    np.testing.assert_allclose(ds["round_proceeds"].values[:, 0], first_round_proceeds, rtol=1e-5)
    np.testing.assert_allclose(ds["founder_proceeds"].values, founder_proceeds, rtol=1e-5)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_safe_then_priced_round_by_hand(engine, options):
    """The SAFE ($1M at a $10M post cap) closes in month 2: 10 %, founders 81 %. The Series A ($16M pre,
    $4M) starts at time 3.0 and closes in month 4; the SAFE converts at the cap (the 20 % discount gives
    1M/(0.8 · 16M) = 7.8 % < 10 %): founders 0.81 · 0.8 = 64.8 %, SAFE 8 %, Series A 20 %.
    IPO? None (no revenue). Financing: $1M in month 2, $4M in month 4."""
    r = run(company([SAFE, priced("series_a", pre_money=16e6, amount=4e6)]), engine, options)
    ds = r.data
    assert ds["round_close_month"].values.tolist() == [[2, 4]] * 2
    np.testing.assert_allclose(ds["founder_ownership"].values[:, 2], 0.81, rtol=1e-6)
    np.testing.assert_allclose(ds["final_founder_ownership"].values, 0.648, rtol=1e-6)
    np.testing.assert_allclose(ds["round_pre_money"].values, [[1e7, 16e6]] * 2, rtol=1e-6)
    assert np.flatnonzero(ds["financing"].values[0]).tolist() == [2, 4]


@pytest.mark.parametrize("engine, options", ENGINES)
def test_an_outstanding_safe_is_paid_as_preferred_at_an_exit(engine, options):
    """Revenue from month 3 (ARR $12M ≥ the $10M IPO threshold): IPO at 10 × $12M = $120M in month 3.
    The SAFE (closed month 2, 10 %, not converted) takes max($1M, 10 % · $120M) = $12M;
    founders 81 % · $120M = $97.2M."""
    spec = company([SAFE], revenue=True, exits={"ipo": {"arr_threshold": 10e6, "arr_multiple": 10}})
    assert_exit(run(spec, engine, options).data, IPO, 1.2e7, 9.72e7)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_insiders_bridge_a_failed_round(engine, options):
    """The seed ($4M pre) fails in month 2 (odds 0, one attempt: abandoned); insiders bridge $500k at once
    on a SAFE capped at 1 × $4M: 12.5 %, founders 0.9 · 0.875 = 78.75 %; $500k of financing in month 2."""
    seed = priced(success_probability=0.0, bridge={"amount": 5e5, "probability": 1.0})
    ds = run(company([seed]), engine, options).data
    assert list(ds["round"].values) == ["seed", "seed_bridge"]
    assert ds["round_status"].values.tolist() == [[ABANDONED, CLOSED]] * 2
    assert ds["round_close_month"].values[:, 1].tolist() == [2, 2]
    np.testing.assert_allclose(ds["round_pre_money"].values[:, 1], 4e6, rtol=1e-6)
    np.testing.assert_allclose(ds["final_founder_ownership"].values, 0.7875, rtol=1e-6)
    np.testing.assert_allclose(ds["financing"].values[:, 2], 5e5, rtol=1e-6)


@pytest.mark.parametrize("engine, options, paths", [("jax", {}, 4096), ("des", {"workers": 1}, 400)])
def test_bridge_probability(engine, options, paths):
    """Insiders bridge with probability 0.3: the share of paths bridged within 4 SE of 0.3."""
    seed = priced(success_probability=0.0, bridge={"amount": 5e5, "probability": 0.3})
    ds = run(company([seed]), engine, options, paths=paths, seed=3).data  # the bridge test's program: no compile
    bridged = (ds["round_status"].values[:, 1] == CLOSED).mean()
    assert abs(bridged - 0.3) < 4 * np.sqrt(0.3 * 0.7 / paths)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_venture_debt_schedule_warrants_and_cash(engine, options):
    """$1.2M drawn with the seed (month 2) at 12 %: interest-only months 3–4, then 3 level payments
    (months 5–7), exactly the library's schedule; warrants 10 % · 1.2M / $5M post = 2.4 %: founders
    0.9 · 0.8 · 0.976 = 70.272 %. The cash identity holds with principal repaid."""
    debt = {
        "name": "loan",
        "amount": 1.2e6,
        "with_round": "seed",
        "interest_annual": 0.12,
        "interest_only_months": 2,
        "amortization_months": 3,
        "warrant_coverage": 0.1,
    }
    ds = run(company([priced()], venture_debt=[debt]), engine, options).data
    loan = VentureDebt("bank", 1_200_000, 0.12, month=2, interest_only_months=2, amortization_months=3)
    interest, principal = np.zeros(12), np.zeros(12)
    for row in loan.schedule():
        interest[row.month], principal[row.month] = float(row.interest), float(row.principal)
    np.testing.assert_allclose(ds["interest"].values, np.broadcast_to(interest, (2, 12)), rtol=1e-5, atol=1e-2)
    np.testing.assert_allclose(ds["debt_repaid"].values, np.broadcast_to(principal, (2, 12)), rtol=1e-5, atol=1e-1)
    np.testing.assert_allclose(ds["debt_balance"].values[:, [1, 2, 4, 7]], [[0, 1.2e6, 1.2e6, 0]] * 2, atol=1.0)
    np.testing.assert_allclose(ds["final_founder_ownership"].values, 0.70272, rtol=1e-6)
    np.testing.assert_allclose(ds["financing"].values[:, 2], 2.2e6, rtol=1e-6)
    cash = np.concatenate([np.full((2, 1), 2e6), ds["cash"].values], axis=1)
    flows = ds["revenue"].values - ds["costs"].values + ds["financing"].values - ds["debt_repaid"].values
    np.testing.assert_allclose(np.diff(cash, axis=1), flows, rtol=1e-5, atol=1.0)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_covenant_breach_calls_the_loan(engine, options):
    """$1M drawn in month 0 with a $2.5M minimum-cash covenant; $200k a month of costs. Cash: month 0
    2M − 200k + 1M = 2.8M; month 1: − 210k (interest $10k) = 2.59M; month 2: 2.38M < 2.5M → called:
    2.38M − 1M = $1.38M, balance 0, still alive."""
    debt = {"name": "loan", "amount": 1e6, "draw_month": 0, "interest_annual": 0.12, "min_cash": 2.5e6}
    ds = run(company(burn=200_000, venture_debt=[debt], months=4), engine, options).data
    assert ds["loan_called"].values.tolist() == [[False, False, True, False]] * 2
    np.testing.assert_allclose(ds["cash"].values[:, 2], 1.38e6, rtol=1e-6)
    np.testing.assert_allclose(ds["debt_balance"].values[:, 2:], 0.0)
    assert ds["alive"].values.all()


@pytest.mark.parametrize("engine, options", ENGINES)
def test_debt_is_repaid_before_the_equity_at_a_shutdown(engine, options):
    """No revenue, $2M cash, $1M loan at month 0 (interest-only), $400k a month: dies in month 7
    (3M − 7 · 400k − interest). The $2.5M asset sale first repays the $1M loan; the seed's 1x preference
    ($1M) takes $1M of the $1.5M left and the common the rest: founders 0.72/0.8 · 0.5M = $450k."""
    debt = {"name": "loan", "amount": 1e6, "draw_month": 0, "interest_annual": 0.0, "interest_only_months": 24}
    spec = company([priced()], burn=400_000, venture_debt=[debt], exits={"shutdown": {"asset_sale": 2.5e6}})
    assert_exit(run(spec, engine, options).data, SHUTDOWN, 1e6, 4.5e5)


@pytest.mark.parametrize("engine, options", ENGINES)
def test_grant_paid_in_its_month(engine, options):
    ds = run(company(grants=[{"name": "sbir", "amount": 3e5, "month": 3}]), engine, options).data
    np.testing.assert_allclose(ds["grants"].values[:, 3], 3e5)
    assert np.flatnonzero(ds["financing"].values[0]).tolist() == [3]
    np.testing.assert_allclose(ds["founder_ownership"].values, 0.9)


def test_grant_award_probability():
    """Awarded with probability 0.25: the share of 4,096 paths paid within 4 SE."""
    spec = company(grants=[{"name": "sbir", "amount": 3e5, "month": 3, "probability": 0.25}])  # the program above
    paid = (run(spec, "jax", {}, paths=4096, seed=2).data["grants"].values[:, 3] > 0).mean()
    assert abs(paid - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 4096)
