"""Vesting by hand (4 years, 1-year cliff), and unvested grants returning to the pool in both engines."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from team.drivers import run_team_des

from venturesim.team.vesting import vested_fraction, vesting_curve


def test_cliff_then_monthly_vesting_by_hand():
    v = vested_fraction(np.arange(61))
    assert v[:12].tolist() == [0.0] * 12  # nothing before the 1-year cliff
    assert v[12] == 12 / 48 == 0.25  # a quarter at the cliff
    assert v[13] == pytest.approx(13 / 48)  # then 1/48 a month
    assert v[30] == pytest.approx(30 / 48)
    assert v[47] == pytest.approx(47 / 48)
    assert v[48:].tolist() == [1.0] * 13  # fully vested after 4 years
    # other schedules: 3 years with a 6-month cliff; no vesting period (vests at once)
    assert vested_fraction(5, 36, 6) == 0 and vested_fraction(6, 36, 6) == pytest.approx(1 / 6)
    assert vested_fraction(0, 0, 0) == 1.0


def test_curve_and_returns_by_hand():
    # a 0.5 % grant: 0 for 12 months, 0.125 % at month 12, 0.5 % · 30/48 = 0.3125 % at month 30
    grant = 0.005 * vesting_curve(49, 48, 12)
    assert grant[11] == 0 and grant[12] == pytest.approx(0.00125) and grant[30] == pytest.approx(0.003125)
    # leaving at tenure 30 returns 0.5 % · 18/48 = 0.1875 % to the pool; the last bucket is fully vested
    assert 0.005 - grant[30] == pytest.approx(0.001875) and grant[48] == 0.005
    assert vesting_curve(3, 48, 12).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"cliff_months\(=50\)"):
        vesting_curve(49, 48, 50)


def _one_hire_then_plan_cut(cut_month: int) -> dict:
    # one person hired in month 1 (static role: instant) with a 1 % grant, let go when the plan falls
    return {
        "roles": [
            {"name": "eng", "monthly_cost": 10_000, "equity_grant": 0.01, "headcount": {0: 0, 1: 1, cut_month: 0}}
        ]
    }


@pytest.mark.parametrize(("cut_month", "tenure"), [(21, 20), (12, 11), (13, 12), (60, 59)])
def test_unvested_grant_returns_to_the_pool_in_both_engines(make_params, row, run, cut_month, tenure):
    # hired in month 1, let go at the start of month `cut_month`: tenure = cut_month − 1 whole months
    # → returned = 1 % · (1 − v(tenure)); pool 10 % → 9 % after the grant → 9 % + returned after.
    months = 61  # one shape for every case (one compilation)
    params = make_params(_one_hire_then_plan_cut(cut_month), months=months)
    v = float(vested_fraction(tenure))
    returned = 0.01 * (1 - v)
    state, month = run(jax.random.key(0), params, months)
    assert float(month.equity_granted[1, 0]) == pytest.approx(0.01)
    assert float(month.pool_available[cut_month - 1, 0]) == pytest.approx(0.09)
    assert float(month.equity_returned[cut_month, 0]) == pytest.approx(returned, abs=1e-8)
    assert float(month.pool_available[-1, 0]) == pytest.approx(0.09 + returned, abs=1e-8)
    assert float(state.vested_departed[0]) == pytest.approx(0.01 * v, abs=1e-8)
    records, _ = run_team_des(row(params), months, np.random.default_rng(0), names=["eng"])
    assert records[cut_month].equity_returned == pytest.approx(returned, abs=1e-8)
    assert records[-1].pool_available == pytest.approx(0.09 + returned, abs=1e-8)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), attrition=st.floats(0.05, 0.6), grant=st.floats(0.001, 0.03))
def test_pool_identity_holds_under_random_attrition(make_params, run, seed, attrition, grant):
    # pool_initial = pool_available + Σ grants held + Σ vested of leavers, every path (a small pool
    # that runs short, so grants are also scaled down pro rata)
    # (instant replacements; one path over 61 months: the shapes of the test above, one compilation)
    team = {
        "option_pool": 0.05,
        "roles": [
            {
                "name": "eng",
                "monthly_cost": 10_000,
                "equity_grant": grant,
                "attrition_annual": attrition,
                "headcount": {0: 0, 1: 6},
            }
        ],
    }
    params = make_params(team, months=61, seed=seed)
    state, month = run(jax.random.key(seed), params, 61)
    total = np.asarray(state.pool) + np.asarray(state.grants).sum(axis=(1, 2)) + np.asarray(state.vested_departed)
    np.testing.assert_allclose(total, 0.05, atol=1e-6)
    assert np.all(np.asarray(month.pool_available) >= -1e-7)
