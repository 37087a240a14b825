"""The team in the DES: exact event traces, time to fill (KS), attrition, layoffs, and agreement with JAX."""

import math

import jax
import numpy as np
import pytest
import simpy
from scipy import stats
from team.drivers import (
    FLOOR_CASES,
    FLOOR_SIGNALS,
    FLOOR_WANT,
    HOLD_CASES,
    HOLD_TEAM,
    HOLD_WANT,
    PAY_CASES,
    PAY_WANT,
    SHORT_CASES,
    SHORT_SIGNALS,
    SHORT_TEAM,
    SHORT_WANT,
    WAIT_CASES,
    WAIT_SIGNALS,
    WAIT_WANT,
    Alone,
    run_team_des,
)

from venturesim.team.process import des_signals, start_team

MONTHS = 12


def trace(events):
    return [(round(time, 6), process, kind, details) for time, process, kind, details, _ in events]


def test_trace_of_a_static_plan(make_params, row):
    # the plan-only behaviour: the starting team at 0, a hire at the start of month 3, one let go at 5
    params = make_params(
        {"roles": [{"name": "engineer", "monthly_cost": 5_000, "headcount": {0: 1, 3: 2, 5: 1}}]}, months=MONTHS
    )
    records, events = run_team_des(row(params), MONTHS, np.random.default_rng(0), names=["engineer"])
    assert trace(events) == [
        (0.0, "staffing", "hire", "hired 1 engineer"),
        (3.0, "staffing", "hire", "hired 1 engineer"),
        (5.0, "staffing", "departure", "let go 1 engineer"),
    ]
    assert [r.headcount for r in records] == [1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [r.payroll for r in records] == [5_000, 5_000, 5_000, 10_000, 10_000] + [5_000] * 7
    assert [e[4] for e in events] == [1, 2, 1]  # headcount logged after each event


def test_trace_of_one_requisition(make_params, row):
    # time to fill 1.5 months with gamma shape 10⁶ (sd 0.0015 months): opened at 1.0; sourced at
    # 1 + 0.4·1.5 = 1.6, interviewed at 2.2, offer and acceptance at 2.5, start at 2.5 (month 2);
    # ramp 2 months → full productivity from tenure month 2: time 2 + 2 = 4.0.
    team = {
        "roles": [
            {
                "name": "eng",
                "monthly_cost": 1,
                "time_to_fill_months": 1.5,
                "time_to_fill_shape": 1e6,
                "ramp_months": 2,
                "headcount": {0: 0, 1: 1},
            }
        ]
    }
    records, events = run_team_des(
        row(make_params(team, months=MONTHS)), MONTHS, np.random.default_rng(1), names=["eng"]
    )
    got = [(round(time, 2), process, kind) for time, process, kind, _, _ in events]
    assert got == [
        (1.0, "hiring", "opened"),
        (1.6, "hiring", "sourced"),
        (2.2, "hiring", "interviewed"),
        (2.5, "hiring", "offer"),
        (2.5, "hiring", "accepted"),
        (2.5, "hiring", "start"),
        (4.0, "hiring", "ramped"),
    ]
    assert events[-2][3] == "eng: hire started after 1.50 months"
    # ramp R = 2: 1/3, 2/3, then 1 FTE in months 2, 3, 4
    assert [round(r.engineering_fte, 6) for r in records[:6]] == [0, 0, 0, 0, 0, 0]  # function "other"
    assert [r.headcount for r in records[:4]] == [0, 0, 1, 1]
    assert [r.hires for r in records[:4]] == [0, 0, 1, 0] and records[1].openings == 1


def _compound_cdf(x, mean, shape, accept):
    g = np.arange(1, 80)
    weights = accept * (1 - accept) ** (g - 1)
    return np.sum(weights * stats.gamma(g * shape, scale=mean / shape).cdf(np.asarray(x)[..., None]), axis=-1)


@pytest.mark.parametrize("accept", [1.0, 0.6])
def test_time_to_fill_matches_the_input_distribution_ks(make_params, row, accept):
    # 16 openings at time 1.0 per path; start − 1.0 must follow D = Σ_{i≤G} Gamma(2, 0.75), G ~ Geometric(p)
    team = {
        "roles": [
            {
                "name": "eng",
                "monthly_cost": 1,
                "time_to_fill_months": 1.5,
                "time_to_fill_shape": 2.0,
                "offer_acceptance": accept,
                "headcount": {0: 0, 1: 16},
            }
        ]
    }
    months = 36  # long enough for every opening to fill (D is capped at 35 months)
    params = row(make_params(team, months=months))
    waits, declines = [], 0
    for path in range(40):
        _, events = run_team_des(params, months, np.random.default_rng([5, path]), names=["eng"])
        waits += [time - 1.0 for time, _, kind, _, _ in events if kind == "start"]
        declines += sum(kind == "declined" for _, _, kind, _, _ in events)
    assert len(waits) == 640
    assert stats.kstest(waits, lambda x: _compound_cdf(x, 1.5, 2.0, accept)).pvalue > 0.01
    # declined offers per opening ~ failures before the first success: mean (1 − p)/p, variance (1 − p)/p²
    mean, sd = 640 * (1 - accept) / accept, math.sqrt(640 * (1 - accept)) / accept
    assert abs(declines - mean) <= 4 * sd + 1e-9


def test_survivors_after_a_year_in_the_des(make_params, row):
    # as in the kernel test: 40 people, 13 % a year, frozen hiring, no stress → Binomial(40, 0.87)
    team = {
        "hiring_freeze_runway_months": 2,
        "attrition_stress": {"low_runway": 1.0},
        "roles": [{"name": "eng", "monthly_cost": 1, "attrition_annual": 0.13, "headcount": 40}],
    }
    params = row(make_params(team, months=MONTHS))
    paths = 300
    survivors = [
        run_team_des(params, MONTHS, np.random.default_rng([9, i]), signals=des_signals(runway=1.0))[0][-1].headcount
        for i in range(paths)
    ]
    se = math.sqrt(40 * 0.87 * 0.13 / paths)
    assert abs(np.mean(survivors) - 40 * 0.87) < 3 * se


def test_layoff_economy_matches_the_hand_computation(make_params, row):
    # The kernel test's company ($1.2M, 10 people at $10k, lay off half at runway < 6 with 2 months'
    # severance): costs 100k ×7, 150k in month 7, then 50k; cash < 0 first in month 15.
    team = {
        "roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": 10}],
        "layoffs": {"trigger_runway_months": 6, "roles": {"eng": 0.5}, "severance_months": 2, "cooldown_months": 24},
    }
    cash = [1.2e6]

    def observe(t, month):
        cash.append(cash[-1] - month.cost)
        return des_signals(runway=cash[-1] / month.cost)

    records, events = run_team_des(
        row(make_params(team, months=16)), 16, np.random.default_rng(0), names=["eng"], observe=observe
    )
    assert [r.cost for r in records] == [100_000] * 7 + [150_000] + [50_000] * 8
    assert next(t for t, c in enumerate(cash[1:]) if c < 0) == 15
    assert (7.0, "staffing", "layoff", "laid off 5 eng") in trace(events)


def run_scripted(params, sigs, names=("eng",)):
    """Run the DES team of roles ``names`` for len(sigs) months, month t seeing the scripted signals sigs[t]."""
    return run_team_des(
        params,
        len(sigs),
        np.random.default_rng(0),
        names=list(names),
        signals=sigs[0],
        observe=lambda t, _month: sigs[t + 1] if t + 1 < len(sigs) else None,
    )


@pytest.mark.parametrize("case", sorted(HOLD_CASES))
def test_hires_held_while_raising_in_the_des(make_params, row, case):
    # the kernel's hand-worked case (tests/team/test_step.py): raising with runway 8 < 12 hires nobody until
    # the round closes (month 3); with runway 15, or without the policy, the 3 hires land at month 1
    policy, seq = HOLD_CASES[case]
    sigs = [des_signals(runway=r, raising=raising, round_closed=c) for r, raising, c in seq]
    params = row(make_params(HOLD_TEAM, months=len(sigs), policy=policy))
    records, events = run_scripted(params, sigs)
    heads, frozen = HOLD_WANT[case]
    assert [r.headcount for r in records] == heads
    assert [r.frozen for r in records] == frozen
    hired_at = 3.0 if case == "held" else 1.0
    assert [e[:3] for e in trace(events)] == [(0.0, "staffing", "hire"), (hired_at, "staffing", "hire")]


def _assert_cut(records, want):
    """The DES's month records against a hand-worked case's (headcount, layoffs, frozen, channel scale) by month."""
    heads, laid, frozen, scale = want
    assert [r.headcount for r in records] == heads
    assert [r.layoffs for r in records] == laid
    assert [r.frozen for r in records] == frozen
    assert [r.growth_scale for r in records] == scale


@pytest.mark.parametrize("case", sorted(SHORT_CASES))
def test_cut_while_raising_short_of_the_close_in_the_des(make_params, row, case):
    # the kernel's hand-worked case (tests/team/test_step.py): raising with runway 6 < 6 months to close + 3 cuts
    # 3 of the 4 people hired since month 0, capped until the round closes (month 4)
    sigs = [
        des_signals(runway=r, raising=raising, round_closed=c, to_close=tc, net_burn=b)
        for r, raising, c, tc, b in SHORT_SIGNALS
    ]
    params = row(make_params(SHORT_TEAM, months=len(sigs), policy=SHORT_CASES[case]))
    records, events = run_scripted(params, sigs)
    _assert_cut(records, SHORT_WANT[case])
    if case == "short":
        assert (2.0, "staffing", "layoff", "laid off (cut to the runway target) 3 eng") in trace(events)


@pytest.mark.parametrize("case", sorted(FLOOR_CASES))
def test_the_cut_reaches_down_to_each_roles_floor_in_the_des(make_params, row, case):
    # the kernel's hand-worked case (tests/team/test_step.py, tests/team/drivers.py FLOOR_*)
    sigs = [
        des_signals(runway=r, raising=raising, round_closed=c, to_close=tc, net_burn=b)
        for r, raising, c, tc, b in FLOOR_SIGNALS
    ]
    params = row(make_params(FLOOR_CASES[case], months=len(sigs), policy=SHORT_CASES["short"]))
    records, _ = run_scripted(params, sigs)
    _assert_cut(records, FLOOR_WANT[case])


@pytest.mark.parametrize("case", sorted(PAY_CASES))
def test_the_pay_cut_in_distress_in_the_des(make_params, row, case):
    # the kernel's hand-worked case (tests/team/test_step.py, tests/team/drivers.py PAY_*)
    sigs = [
        des_signals(runway=r, raising=raising, round_closed=c, to_close=tc, net_burn=b)
        for r, raising, c, tc, b in SHORT_SIGNALS
    ]
    roles, policy = PAY_CASES[case]
    params = row(make_params({"roles": roles}, months=len(sigs), policy=policy))
    records, _ = run_scripted(params, sigs, names=[r["name"] for r in roles])
    assert [float(m.payroll) for m in records] == PAY_WANT[case][0]
    assert [float(m.headcount) for m in records] == PAY_WANT[case][1]


@pytest.mark.parametrize("case", sorted(WAIT_CASES))
def test_cut_while_waiting_to_raise_short_of_the_close_in_the_des(make_params, row, case):
    # the kernel's hand-worked case (tests/team/test_step.py): waiting for a round that could close only in 12
    # months with runway 10 cuts 1 of the 4 people hired since month 0, capped until a round closes (month 4)
    sigs = [des_signals(runway=r, round_closed=c, to_window=w, net_burn=b) for r, c, w, b in WAIT_SIGNALS]
    params = row(make_params(SHORT_TEAM, months=len(sigs), policy=WAIT_CASES[case]))
    records, events = run_scripted(params, sigs)
    _assert_cut(records, WAIT_WANT[case])
    if case == "waiting":
        assert (2.0, "staffing", "layoff", "laid off (cut to the runway target) 1 eng") in trace(events)


def test_cancelled_requisitions_in_the_des(make_params, row):
    # the kernel's cancellation test: 4 openings at 1.0 landing at ≈3.5; the plan falls to 1 at 2.0
    team = {
        "roles": [
            {
                "name": "eng",
                "monthly_cost": 1,
                "time_to_fill_months": 2.5,
                "time_to_fill_shape": 1e4,
                "headcount": {0: 0, 1: 4, 2: 1},
            }
        ]
    }
    records, events = run_team_des(
        row(make_params(team, months=MONTHS)), MONTHS, np.random.default_rng(0), names=["eng"]
    )
    assert [r.open_requisitions for r in records[:4]] == [0, 4, 1, 0]
    assert [r.hires for r in records[:5]] == [0, 0, 0, 1, 0]
    assert [kind for _, _, kind, _, _ in events].count("cancelled") == 3


def _started(make_params, row, team, ended=False):
    """A team alone in its own environment (no month ends), optionally with the engine's ``ended`` event."""
    env = simpy.Environment()
    company = Alone(env, ended=env.event() if ended else None)
    staffing = start_team(
        env, company, row(make_params(team, months=MONTHS)), ["eng"], MONTHS, np.random.default_rng(0)
    )
    return env, company, staffing


CANCELLED = {
    "roles": [
        {
            "name": "eng",
            "monthly_cost": 1,
            "time_to_fill_months": 2.5,
            "time_to_fill_shape": 1e4,
            "headcount": {0: 0, 1: 4, 2: 1},
        }
    ]
}


def test_a_cancelled_requisition_is_interrupted_at_once(make_params, row):
    # 4 searches open at 1.0; at 2.0 the plan falls to 1: three processes end at 2.0, not at their next step
    env, company, _ = _started(make_params, row, CANCELLED)
    env.run(until=1.5)
    searches = [req.process for req in company.team.reqs[0]]
    assert len(searches) == 4 and all(s.is_alive for s in searches)
    env.run(until=2.0 + 1e-9)
    assert sum(s.is_alive for s in searches) == 1 and len(company.team.reqs[0]) == 1


def test_every_process_stops_when_the_company_ends(make_params, row):
    # the engine fires ``company.ended`` at death or exit: the searches and the month-start loop end then,
    # without waiting for their next step, and nothing more is logged
    env, company, staffing = _started(make_params, row, CANCELLED, ended=True)
    env.run(until=1.5)
    searches = [req.process for req in company.team.reqs[0]]
    logged = len(company.events)
    company.ended.succeed("died")
    env.run(until=1.5 + 1e-9)
    assert not any(s.is_alive for s in searches) and not staffing.is_alive
    env.run(until=MONTHS)
    assert len(company.events) == logged


AGREEMENT = {
    "roles": [
        {
            "name": "eng",
            "monthly_cost": 10_000,
            "function": "engineering",
            "time_to_fill_months": 1.2,
            "time_to_fill_shape": 3.0,
            "offer_acceptance": 0.8,
            "attrition_annual": 0.3,
            "ramp_months": 2,
            "equity_grant": 0.002,
            "headcount": {0: 4, 2: 12},
        }
    ]
}


@pytest.mark.slow
def test_kernel_and_des_agree_in_distribution(make_params, row, run):
    # One role with a time to fill, declined offers, attrition, ramp and grants. Mean headcount,
    # engineering FTE and pool left by month agree within 4 standard errors of the difference.
    months, n_jax, n_des = 18, 4000, 250
    _, month = run(jax.random.key(11), make_params(AGREEMENT, paths=n_jax, months=months), months)
    jax_figures = {name: np.asarray(getattr(month, name)) for name in ("headcount", "engineering_fte", "hires")}
    params = row(make_params(AGREEMENT, months=months))
    des = {name: [] for name in jax_figures}
    for path in range(n_des):
        records, _ = run_team_des(params, months, np.random.default_rng([13, path]))
        for name, values in des.items():
            values.append([getattr(r, name) for r in records])
    for name, j in jax_figures.items():
        d = np.asarray(des[name])  # (paths, months)
        se = np.sqrt(j.var(axis=1) / n_jax + d.var(axis=0) / n_des)
        diff = np.abs(j.mean(axis=1) - d.mean(axis=0))
        assert np.all(diff <= 4 * np.maximum(se, 1e-9)), (name, diff / np.maximum(se, 1e-9))
    assert np.asarray(des["headcount"]).mean(axis=0)[-1] > 10  # the role fills up (and keeps refilling)
