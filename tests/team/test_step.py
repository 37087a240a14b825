"""The team kernel: attrition hazard, time to fill, layoffs, rules, budget, freeze, capacity, jit."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
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
)

from venturesim.team import _rules as rules
from venturesim.team.capacity import brooks_capacity, effective_capacity, ramp_weights
from venturesim.team.step import TeamSignals, init_team, step_team

STEP = jax.jit(step_team)


def signals(paths, runway=math.inf, customers=0.0, new_arr=0.0, failed=False, closed=False, raising=False):
    def full(v):
        return jnp.full(paths, v)

    return TeamSignals(
        full(float(runway)), full(float(customers)), full(float(new_arr)), full(failed), full(closed), full(raising)
    )


# ---- attrition ---------------------------------------------------------------------------------


def test_monthly_hazard_closed_form():
    # a = 13 % a year (LinkedIn 2018, tech): h = 1 − 0.87^{1/12} = 1 − e^{ln(0.87)/12} = 1 − e^{−0.0116052}
    # = 0.0115381; twelve months compound back to 13 %
    h = rules.monthly_hazard(0.13)
    assert h == pytest.approx(0.0115381, abs=1e-7)
    assert (1 - h) ** 12 == pytest.approx(0.87)
    assert 1 - math.exp(-rules.hazard_rate(0.13)) == pytest.approx(h)


@pytest.mark.parametrize("stress", [1.0, 1.5])
def test_survivors_after_a_year_within_three_standard_errors(make_params, run, stress):
    # 40 people, a = 13 %, a hiring freeze (runway 1 < 2) so nobody is replaced. Runway 1 is also
    # "low" (< 6 months): the hazard rate is multiplied by `stress`, so a person survives 12 months
    # with probability e^{−12·λ·M} = 0.87^M. Survivors ~ Binomial(40, 0.87^M) per path.
    team = {
        "hiring_freeze_runway_months": 2,
        "attrition_stress": {"low_runway": stress},
        "roles": [{"name": "eng", "monthly_cost": 10_000, "attrition_annual": 0.13, "headcount": 40}],
    }
    paths = 2000
    params = make_params(team, paths=paths, months=12)
    _, month = run(jax.random.key(7), params, 12, signals(paths, runway=1.0))
    survive = 0.87**stress
    survivors = np.asarray(month.headcount)[-1]
    se = math.sqrt(40 * survive * (1 - survive) / paths)
    assert abs(survivors.mean() - 40 * survive) < 3 * se
    assert np.asarray(month.hires).sum() == 0  # frozen: no replacement
    assert np.asarray(month.frozen).all()
    np.testing.assert_array_equal(np.asarray(month.departures).sum(0), 40 - survivors)


def test_stress_multipliers_and_acceptance_by_hand(make_params):
    p = make_params({"roles": [{"name": "a", "monthly_cost": 1, "offer_acceptance": 0.85}]})
    row = jax.tree_util.tree_map(lambda a: a[0], p)
    # runway 3 < 6 (×1.5), a failed round 2 months ago (×1.5), a layoff 7 months ago (outside the 6-month window)
    assert float(rules.attrition_multiplier(3.0, 2.0, 7.0, row)) == pytest.approx(2.25)
    assert float(rules.attrition_multiplier(np.inf, 1e6, 6.0, row)) == pytest.approx(2.0)  # layoff 6 months ago
    # acceptance 0.85 · 1.1 (round closed last month) · 0.8 (runway low) = 0.748
    assert float(rules.acceptance(3.0, 1e6, 1.0, row)[0]) == pytest.approx(0.748)
    assert float(rules.acceptance(np.inf, 1e6, 1e6, row)[0]) == pytest.approx(0.85)


# ---- time to fill ------------------------------------------------------------------------------


def _compound_cdf(x, mean, shape, accept):
    """P(D ≤ x), D = sum of G ~ Geometric(accept) gamma(shape, mean/shape) cycles."""
    g = np.arange(1, 80)
    weights = accept * (1 - accept) ** (g - 1)
    return np.sum(weights * stats.gamma(g * shape, scale=mean / shape).cdf(np.asarray(x)[..., None]), axis=-1)


@pytest.mark.parametrize("accept", [1.0, 0.6])
def test_hire_months_match_the_binned_time_to_fill(make_params, run, accept):
    # 16 openings per path in month 1; a hire lands in month 1 + ⌊D⌋. Expected share in month 1 + h:
    # F(h + 1) − F(h) with F the CDF of D (gamma(2, 0.75) cycles; a Geometric(p) number of them).
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
    paths, months = 500, 12
    _, month = run(jax.random.key(3), make_params(team, paths=paths, months=months), months)
    hires = np.asarray(month.hires).sum(axis=1)[1:]  # months 1 … 11
    edges = np.arange(len(hires) + 1)
    expected = np.diff(_compound_cdf(edges, 1.5, 2.0, accept)) * 16 * paths
    tail = 16 * paths - hires.sum()
    observed = np.append(hires[:6], hires[6:].sum() + tail)
    expect = np.append(expected[:6], 16 * paths - expected[:6].sum())
    assert stats.chisquare(observed, expect).pvalue > 1e-3
    assert np.asarray(month.openings)[1].sum() == 16 * paths


def test_geometric_cycles_by_inversion():
    # G = 1 + ⌊ln U / ln(1 − p)⌋: U = 0.5, p = 0.5 → 1 + ⌊1⌋ = 2; U = 0.6 → 1; p = 1 → always 1
    assert rules.geometric_cycles(np.array([0.5, 0.6, 0.01]), np.array([0.5, 0.5, 1.0])).tolist() == [2, 1, 1]


# ---- layoffs -----------------------------------------------------------------------------------


def _loop(params, sigs):
    """Run the compiled step month by month with the given signals; returns the records.

    The static tests below all use 2 paths, 1 role and 12 months, so the step compiles once for them.
    """
    paths = params.plan.shape[0]
    state, records = init_team(params), []
    for t, sig in enumerate(sigs):
        state, month = STEP(jax.random.key(t), state, params, jnp.asarray(t), jnp.ones(paths, bool), sig)
        records.append(month)
    return records


def _economy(params, months, cash0, seed=0):
    """Cash = cash0 − Σ team costs; runway = cash / last month's cost. Returns (death month or −1, costs)."""
    paths = params.plan.shape[0]
    state, sig = init_team(params), signals(paths)
    cash = jnp.full(paths, cash0)
    alive = jnp.ones(paths, bool)
    death = np.full(paths, -1)
    costs = []
    for t in range(months):
        state, month = STEP(jax.random.fold_in(jax.random.key(seed), t), state, params, jnp.asarray(t), alive, sig)
        cash = cash - month.cost
        costs.append(np.asarray(month.cost))
        newly_dead = np.asarray(alive & (cash < 0))
        death[newly_dead] = t
        alive = alive & (cash >= 0)
        sig = sig._replace(runway=jnp.where(alive, cash / month.cost, jnp.nan))
    return death, np.asarray(costs)


LAYOFF_TEAM = {
    "roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": 10}],
    "layoffs": {"trigger_runway_months": 6, "roles": {"eng": 0.5}, "severance_months": 2, "cooldown_months": 24},
}


def test_layoff_extends_runway_by_hand(make_params):
    # $1.2M, 10 people at $10k. Without a policy: cash after month t = 1.2M − 100k(t + 1) < 0 first at t = 12.
    # With it: runway at the end of month 6 is 500k/100k = 5 < 6 → half laid off at the start of month 7
    # with 2 months' severance: month 7 costs 5·10k + 5·2·10k = 150k → 350k; then 50k a month:
    # 350k − 50k(t − 7) < 0 first at t = 15.
    without = {"roles": LAYOFF_TEAM["roles"]}
    death, costs = _economy(make_params(without, paths=2, months=12), 13, 1.2e6)
    assert death.tolist() == [12, 12] and costs[:12, 0].tolist() == [100_000] * 12
    death, costs = _economy(make_params(LAYOFF_TEAM, paths=2, months=12), 16, 1.2e6)
    assert death.tolist() == [15, 15]
    assert costs[:, 0].tolist() == [100_000] * 7 + [150_000] + [50_000] * 8


@pytest.mark.slow
def test_layoff_extends_expected_runway_with_attrition(make_params):
    # The same company with 20 % attrition a year (and replacement hires after 1 month on average):
    # mean death month with the policy exceeds that without it by more than 4 standard errors.
    paths = 400
    roles = [
        {"name": "eng", "monthly_cost": 10_000, "headcount": 10, "attrition_annual": 0.2, "time_to_fill_months": 1.0}
    ]
    deaths = {}
    for name, team in {"without": {"roles": roles}, "with": {**LAYOFF_TEAM, "roles": roles}}.items():
        death, _ = _economy(make_params(team, paths=paths, months=24), 24, 1.2e6)
        death = np.where(death < 0, 24, death)
        deaths[name] = death
    diff = deaths["with"].mean() - deaths["without"].mean()
    se = math.sqrt(deaths["with"].var() / paths + deaths["without"].var() / paths)
    assert diff > 2.0 and diff > 4 * se


def test_layoff_caps_the_role_until_a_round_closes(make_params):
    # 10 people, plan 10; runway 3 < 6 → 5 laid off (⌊0.5·10 + ½⌋), severance 2 · 5 · 10k = 100k.
    # The plan still says 10 but the role is capped at 5 until a round closes; then it rehires at once.
    seq = [signals(2, runway=3.0), signals(2, runway=3.0), signals(2, runway=20.0, closed=True)]
    records = _loop(make_params(LAYOFF_TEAM, paths=2, months=12), seq)
    assert [float(m.layoffs[0]) for m in records] == [5, 0, 0]
    assert [float(m.severance[0]) for m in records] == [100_000, 0, 0]
    assert [float(m.headcount[0]) for m in records] == [5, 5, 10]
    assert [float(m.hires[0]) for m in records] == [0, 0, 5]


def test_layoff_waits_while_a_round_is_being_raised(make_params):
    records = _loop(make_params(LAYOFF_TEAM, paths=2, months=12), [signals(2, runway=3.0, raising=True)])
    month = records[0]
    assert float(month.layoffs[0]) == 0


# ---- hiring rules, budget, freeze, cancellations -----------------------------------------------


def test_hire_per_rules_by_hand(make_params):
    # one person per 150 customers or per $600k of new ARR a year, whichever asks more; plan 1.
    # month 0: ⌈451/150⌉ = 4 vs 12 · $120k = $1.44M a year → ⌈2.4⌉ = 3 → 4 people;
    # month 1: ⌈100/150⌉ = 1 vs 3 → 3 (a rule never lets people go: still 4);
    # month 2: ⌈901/150⌉ = 7 → 7; month 3: no customers, no new ARR → the plan's 1 (still 7).
    team = {
        "roles": [
            {"name": "gtm", "monthly_cost": 6_000, "headcount": 1, "hire_per": {"customers": 150, "new_arr": 600_000}}
        ]
    }
    seq = [signals(2, customers=c, new_arr=a) for c, a in [(451, 120_000), (100, 120_000), (901, 0), (0, 0)]]
    records = _loop(make_params(team, paths=2, months=12), seq)
    assert [float(m.headcount[0]) for m in records] == [4, 4, 7, 7]
    assert [float(m.payroll[0]) for m in records] == [24_000, 24_000, 42_000, 42_000]


def test_payroll_budget_caps_openings(make_params):
    # budget 50k then 80k from month 3; 1 person in place; plan 8 from month 1 at $10k →
    # month 1: (50k − 10k)/10k = 4 openings → 5 people; month 3: 3 more → 8.
    team = {
        "payroll_budget": {"schedule": {0: 50_000, 3: 80_000}},
        "roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": {0: 1, 1: 8}}],
    }
    records = _loop(make_params(team, paths=2, months=12), [signals(2)] * 5)
    assert [float(m.headcount[0]) for m in records] == [1, 5, 5, 8, 8]


def test_openings_in_role_order_share_the_budget():
    # 25k left: role 0 (10k) takes 2 of its 3 openings (20k), role 1 (4k) gets ⌊5k/4k⌋ = 1
    opened = rules.budget_openings(np.array([3.0, 5.0]), np.array([10_000.0, 4_000.0]), 75_000.0, 100_000.0)
    assert opened.tolist() == [2, 1]


def test_freeze_then_hire_when_runway_recovers(make_params):
    team = {"hiring_freeze_runway_months": 6, "roles": [{"name": "eng", "monthly_cost": 1, "headcount": {0: 1, 1: 3}}]}
    records = _loop(make_params(team, paths=2, months=12), [signals(2, runway=r) for r in (10.0, 4.0, 8.0)])
    assert [float(m.headcount[0]) for m in records] == [1, 1, 3]
    assert [bool(m.frozen[0]) for m in records] == [
        False,
        True,
        False,
    ]  # frozen in month 1 (runway 4 < 6), hires in month 2


@pytest.mark.parametrize("case", sorted(HOLD_CASES))
def test_hires_held_while_raising_below_the_runway_threshold(make_params, case):
    policy, seq = HOLD_CASES[case]
    params = make_params(HOLD_TEAM, paths=2, months=12, policy=policy)
    records = _loop(params, [signals(2, runway=r, raising=raising, closed=c) for r, raising, c in seq])
    heads, frozen = HOLD_WANT[case]
    assert [float(m.headcount[0]) for m in records] == heads
    assert [bool(m.frozen[0]) for m in records] == frozen
    assert [float(m.hires[0]) for m in records] == [0.0] + [float(b - a) for a, b in itertools.pairwise(heads)]


def _assert_cut(records, want):
    """Path 0's month records against a hand-worked case's (headcount, layoffs, frozen, channel scale) by month."""
    heads, laid, frozen, scale = want
    assert [float(m.headcount[0]) for m in records] == heads
    assert [float(m.layoffs[0]) for m in records] == laid
    assert [bool(m.frozen[0]) for m in records] == frozen
    assert [float(m.growth_scale[0]) for m in records] == scale


@pytest.mark.parametrize("case", sorted(SHORT_CASES))
def test_cut_while_raising_short_of_the_close(make_params, case):
    params = make_params(SHORT_TEAM, paths=2, months=12, policy=SHORT_CASES[case])
    sigs = [
        signals(2, runway=r, raising=raising, closed=c)._replace(to_close=jnp.full(2, tc), net_burn=jnp.full(2, b))
        for r, raising, c, tc, b in SHORT_SIGNALS
    ]
    records = _loop(params, sigs)
    _assert_cut(records, SHORT_WANT[case])
    # severance: 1 month of each person cut (the failure policy's default)
    assert [float(m.severance[0]) for m in records] == [10_000.0 * n for n in SHORT_WANT[case][1]]


@pytest.mark.parametrize("case", sorted(FLOOR_CASES))
def test_the_cut_reaches_down_to_each_roles_floor(make_params, case):
    policy = SHORT_CASES["short"]
    params = make_params(FLOOR_CASES[case], paths=2, months=12, policy=policy)
    sigs = [
        signals(2, runway=r, raising=raising, closed=c)._replace(to_close=jnp.full(2, tc), net_burn=jnp.full(2, b))
        for r, raising, c, tc, b in FLOOR_SIGNALS
    ]
    _assert_cut(_loop(params, sigs), FLOOR_WANT[case])


@pytest.mark.parametrize("case", sorted(PAY_CASES))
def test_the_pay_cut_in_distress(make_params, case):
    roles, policy = PAY_CASES[case]
    params = make_params({"roles": roles}, paths=2, months=12, policy=policy)
    sigs = [
        signals(2, runway=r, raising=raising, closed=c)._replace(to_close=jnp.full(2, tc), net_burn=jnp.full(2, b))
        for r, raising, c, tc, b in SHORT_SIGNALS
    ]
    records = _loop(params, sigs)
    assert [float(m.payroll[0]) for m in records] == PAY_WANT[case][0]
    assert [float(m.headcount[0]) for m in records] == PAY_WANT[case][1]


@pytest.mark.parametrize("case", sorted(WAIT_CASES))
def test_cut_while_waiting_to_raise_short_of_the_close(make_params, case):
    params = make_params(SHORT_TEAM, paths=2, months=12, policy=WAIT_CASES[case])
    sigs = [
        signals(2, runway=r, closed=c)._replace(to_window=jnp.full(2, w), net_burn=jnp.full(2, b))
        for r, c, w, b in WAIT_SIGNALS
    ]
    records = _loop(params, sigs)
    _assert_cut(records, WAIT_WANT[case])


def test_cut_while_raising_rules_by_hand():
    class P:
        short_close_margin = 3.0
        short_window_margin = -np.inf

    # runway 6 < 6 + 3 while raising; not raising, or 9 ≥ 6 + 3, is not short; a failed round is distress anyway
    assert bool(rules.short_of_close(True, 6.0, 6.0, P))
    assert not bool(rules.short_of_close(False, 6.0, 6.0, P))
    assert not bool(rules.short_of_close(True, 9.0, 6.0, P))
    assert bool(rules.in_distress(2.0, 1e6, False, 6.0, 0.0, P))
    assert not bool(rules.in_distress(1e6, 1e6, True, 9.0, 6.0, P))
    P.short_close_margin = -np.inf  # off: never
    assert not bool(rules.short_of_close(True, 0.0, 100.0, P))
    # waiting for the next round's window: 10 < 12 + 0 is short, 12 is not, and nothing waiting (0) never is
    P.short_window_margin = 0.0
    assert bool(rules.short_of_window(12.0, 10.0, P))
    assert not bool(rules.short_of_window(12.0, 12.0, P))
    assert not bool(rules.short_of_window(0.0, -1.0, P))
    assert bool(rules.in_distress(1e6, 1e6, False, 10.0, 0.0, P, to_window=12.0))


def test_months_to_window_by_hand():
    """The next round's wait for its window, + its time to close; rounds: seed (close 3), A (earliest month 12,
    close 4), a bridge of the A (never next); now = 8."""
    from types import SimpleNamespace

    from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING, months_to_window

    params = SimpleNamespace(
        bridge_of=np.array([-1.0, -1.0, 1.0]),
        earliest_month=np.array([0.0, 12.0, 0.0]),
        time_to_close=np.array([3.0, 4.0, 1.0]),
        waive_min_arr=np.full(6, 1e6),
        waive_min_growth=np.full(6, 2.0),
    )
    status = np.array(
        [
            [CLOSED, WAITING, WAITING],  # the A waits for month 12: 4 + 4
            [CLOSED, WAITING, WAITING],  # … at ARR $2M growing 3x the waiver lifts month 12: 0
            [RAISING, WAITING, WAITING],  # the seed is being raised: nothing waits (months_to_close's case)
            [WAITING, WAITING, WAITING],  # the seed's retry at month 10 after a failed attempt: 2 + 3
            [ABANDONED, WAITING, WAITING],  # an abandoned seed is done: the A's 4 + 4
            [CLOSED, CLOSED, WAITING],  # nothing left but the bridge: 0
        ],
        dtype=np.float32,
    )
    next_try = np.zeros((6, 3))
    next_try[3, 0] = 10.0
    arr = np.array([5e5, 2e6, 5e5, 5e5, 5e5, 5e5])
    growth = np.array([3.0, 3.0, 3.0, 3.0, 3.0, 3.0])
    want = [8.0, 0.0, 0.0, 5.0, 8.0, 0.0]
    np.testing.assert_allclose(months_to_window(status, next_try, params, 8.0, arr, growth), want)
    jax_params = SimpleNamespace(**{k: jnp.asarray(v) for k, v in vars(params).items()})
    got = months_to_window(
        jnp.asarray(status), jnp.asarray(next_try), jax_params, 8.0, jnp.asarray(arr), jnp.asarray(growth), jnp
    )
    np.testing.assert_allclose(np.asarray(got), want)


def test_months_to_close_by_hand():
    from venturesim.funding.rounds import months_to_close

    raising = np.array([[True, False, True], [False, False, False]])
    resolve = np.array([[14.5, 30.0, 12.0], [20.0, 20.0, 20.0]])
    np.testing.assert_allclose(months_to_close(raising, resolve, 10.0), [4.5, 0.0])
    np.testing.assert_allclose(
        np.asarray(months_to_close(jnp.asarray(raising), jnp.asarray(resolve), 10.0, jnp)), [4.5, 0.0]
    )


def test_cancelled_requisitions_are_the_latest(make_params, run):
    # 4 openings in month 1 with a time to fill of 2.5 months (gamma shape 10⁴: 2.5 ± 0.1 at 4 sd, so
    # they land in month 1 + 2 = 3); the plan falls to 1 in month 2 → 3 cancelled, 1 hire in month 3.
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
    _, month = run(jax.random.key(0), make_params(team, paths=500, months=12), 12)  # the shapes of the test above
    open_reqs, hires = np.asarray(month.open_requisitions), np.asarray(month.hires)
    assert (open_reqs == np.array([0, 4, 1] + [0] * 9)[:, None]).all()
    assert (hires == np.array([0, 0, 0, 1] + [0] * 8)[:, None]).all()


# ---- capacity ----------------------------------------------------------------------------------


def test_ramp_and_diminishing_returns_by_hand(make_params, run):
    # R = 3: 25 %, 50 %, 75 %, then 100 % from the fourth month
    np.testing.assert_allclose(ramp_weights(3.0, 5), [0.25, 0.5, 0.75, 1, 1])
    assert ramp_weights(0.0, 2).tolist() == [1, 1]
    assert effective_capacity(1.0) == 1 and effective_capacity(0.0) == 0
    assert effective_capacity(10.0) == pytest.approx(10**0.91)  # ≈ 8.13
    # Brooks: c = 0.1 per pair → E(5) = 5 − 0.1·10 = 4; peak at 1/c + 1/2 = 10.5; zero at 2/c + 1 = 21
    assert brooks_capacity(5.0, 0.1) == pytest.approx(4.0)
    grid = np.linspace(0, 30, 3001)
    assert grid[np.argmax(brooks_capacity(grid, 0.1))] == pytest.approx(10.5)
    assert brooks_capacity(21.0, 0.1) == pytest.approx(0.0)
    # one engineer in place (ramped) + 4 hired in month 1 with R = 3 (static plan, so no search):
    # engineering FTE 1, then 1 + 4·0.25 = 2, 3, 4, then 5
    team = {
        "roles": [
            {"name": "eng", "monthly_cost": 1, "function": "engineering", "ramp_months": 3, "headcount": {0: 1, 1: 5}},
            {"name": "ae", "monthly_cost": 1, "function": "sales", "headcount": 2},
        ]
    }
    _, month = run(jax.random.key(0), make_params(team, months=6), 6)
    assert np.asarray(month.engineering_fte)[:, 0].tolist() == [1, 2, 3, 4, 5, 5]
    assert np.asarray(month.sales_fte)[:, 0].tolist() == [2] * 6
    np.testing.assert_allclose(
        np.asarray(month.engineering_capacity)[:, 0], np.array([1, 2, 3, 4, 5, 5]) ** 0.91, rtol=1e-6
    )


# ---- the kernel's contract ---------------------------------------------------------------------

DYNAMIC = {
    "roles": [
        {"name": "eng", "kind": "ml_engineer", "headcount": {0: 2, 2: 6}, "salary_annual": 180_000},
        {"name": "support", "monthly_cost": 7_000, "hire_per": {"customers": 100}, "attrition_annual": 0.3},
    ],
    "layoffs": {"roles": {"eng": 0.3}, "trigger_runway_months": 4},
}


@pytest.mark.slow
def test_jit_and_no_jit_agree(make_params):
    # three compiled months build a busy state (openings, hires, departures); then month 3 — with a
    # layoff (runway 3 < 4) and cancellations — compiled and op by op give the same state and record.
    params = make_params(DYNAMIC, paths=4, months=8)
    state, active = init_team(params), jnp.ones(4, bool)
    for t in range(3):
        # a failed round (month 0's signal) then a close (month 1's): the stress windows act, and the
        # round-failure policy's freeze has ended by month 2, so the plan's step opens requisitions
        sig = signals(4, 5.0, 250.0, failed=t == 0, closed=t == 1)
        state, _ = STEP(jax.random.key(t), state, params, jnp.asarray(t), active, sig)
    args = (jax.random.key(3), state, params, jnp.asarray(3), active, signals(4, 3.0, 320.0, closed=True))
    jitted = STEP(*args)
    eager = step_team(*args)  # op by op
    for a, b in zip(jax.tree_util.tree_leaves(jitted), jax.tree_util.tree_leaves(eager), strict=True):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-5, atol=1e-6)
    assert float(np.asarray(state.pipeline).sum()) > 0 and float(np.asarray(jitted[1].layoffs).sum()) > 0


def test_dead_paths_keep_their_state_and_report_zeros(make_params):
    team = {
        "roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": {0: 10, 1: 12}, "attrition_annual": 0.5}],
        "layoffs": {"roles": {"eng": 0.5}},
    }
    params = make_params(team, paths=2, months=12)  # the shapes of the static tests above
    state = init_team(params)
    active = jnp.array([True, False])
    new, month = STEP(jax.random.key(0), state, params, jnp.asarray(1), active, signals(2, runway=3.0))
    for a, b in zip(jax.tree_util.tree_leaves(new), jax.tree_util.tree_leaves(state), strict=True):
        np.testing.assert_array_equal(np.asarray(a)[1], np.asarray(b)[1])
    assert float(month.payroll[1]) == 0 and float(month.headcount[1]) == 0
    assert float(month.layoffs[0]) > 0 and float(month.payroll[0]) > 0


def test_openings_without_a_cap_skip_the_greedy_loop_exactly(monkeypatch):
    """With no payroll cap on any path the greedy loop is skipped (``venturesim._xp.when``): the openings are bit for
    bit the loop's, on a block (jitted: ``lax.cond``) and on one path (NumPy), negative gaps included."""
    rng = np.random.default_rng(3)
    gap = rng.integers(-2, 5, (64, 3)).astype(np.float32)
    cost = rng.choice([0.0, 8_000.0, 15_000.0], (64, 3)).astype(np.float32)
    committed = rng.uniform(0, 1e5, 64).astype(np.float32)
    budget = np.full(64, np.inf, np.float32)

    def outputs():
        block = jax.jit(lambda *a: rules.budget_openings(*a, xp=jnp))(gap, cost, committed, budget)
        rows = [rules.budget_openings(gap[i], cost[i], committed[i], budget[i]) for i in range(64)]
        return np.asarray(block), np.stack(rows)

    skipped = outputs()
    monkeypatch.setattr(rules, "when", lambda xp, needed, work, skip, *operands: work(*operands))
    worked = outputs()
    np.testing.assert_array_equal(skipped[0], worked[0])
    np.testing.assert_array_equal(skipped[1], worked[1])
    np.testing.assert_array_equal(skipped[0], np.maximum(gap, 0.0))
    budget[5] = 30_000.0  # one path capped: the whole block takes the loop, that path gets fewer openings
    capped = np.asarray(jax.jit(lambda *a: rules.budget_openings(*a, xp=jnp))(gap, cost, committed, budget))
    assert (capped[5] <= np.maximum(gap[5], 0.0)).all() and np.array_equal(
        np.delete(capped, 5, 0), np.delete(skipped[0], 5, 0)
    )


def test_the_greedy_budget_compiles_one_loop_body_whatever_the_roles():
    """The budget is granted role by role (each role's openings depend on the ones before it): on a block that is
    a ``lax.scan`` over the roles (``venturesim._xp.fold_last_axis``), not a Python loop unrolled under ``jit``, so
    the program has as many operations for 40 roles as for 2. By hand for 2 roles on one path and on a block:
    $100k budget, $75k committed, role 0 wants 3 at $10k (⌊25k/10k⌋ = 2 fit, $5k left), role 1 wants 5 at $4k
    (⌊5k/4k⌋ = 1)."""

    def program_lines(roles: int) -> int:  # StableHLO, both branches of the cap's lax.cond included
        args = (jnp.ones((8, roles)), jnp.ones((8, roles)), jnp.zeros(8), jnp.ones(8))
        return jax.jit(lambda *a: rules.budget_openings(*a, xp=jnp)).lower(*args).as_text().count("\n")

    assert program_lines(2) == program_lines(40)
    gap, cost = np.array([[3.0, 5.0]] * 4, np.float32), np.array([[10_000.0, 4_000.0]] * 4, np.float32)
    block = jax.jit(lambda *a: rules.budget_openings(*a, xp=jnp))(gap, cost, np.full(4, 75_000.0), np.full(4, 1e5))
    np.testing.assert_array_equal(np.asarray(block), [[2.0, 1.0]] * 4)
    np.testing.assert_array_equal(rules.budget_openings(gap[0], cost[0], 75_000.0, 100_000.0), [2.0, 1.0])
