"""Invariants of the model on random valid scenarios, in both engines.

**The base model (JAX, hypothesis).** Every example has the same structure (2
segments, 2 rounds, 36 months, 300 paths, all metrics) so the engine compiles
once; only the numbers change. On every path and month:

* cash[t] = cash[t−1] + revenue − costs + financing − debt repaid, cash[−1] = initial cash;
* costs = payroll + compute + other_costs + cost_of_revenue;
* alive ⇔ cash has never gone below 0; dead stays dead, with no flows and constant cash;
* runway = cash / net_burn when burning, +∞ when not, NaN when dead;
* founder ownership = f₀ · Π_closed V/(V + A), non-increasing, in (0, 1];
* rounds_closed non-decreasing; financing equals the closed rounds' amounts.

**The whole model (JAX and DES).** :func:`engine.scenario_generator.whole_model`
draws scenarios of one fixed shape holding every feature at once (venture debt
with a round and at a month, interest-only, amortised, a covenant, warrants;
a post-money SAFE; a bridge; a grant; channels; a sales-led segment; partners;
a hiring pipeline, hire-per rules, layoffs; every capacity effect; a training
run; risks; every exit), with the numbers drawn per example and, through
uniform distributions, per path: one compile, two examples, 4,096 JAX paths
and 12 DES paths each. On every path and month, in each engine: the cost lines
add up to costs; the cash identity; financing = rounds + loans drawn + grants;
the debt balance is never negative and interest is bounded by it; alive ⇔ not
yet dead or exited, deaths and exits agree with cash; nothing moves once a
company has died or exited, its loans included, and no balance is left;
founders' ownership only falls, and only when money comes in; the proceeds of
an exit add up to at most its value; customers and headcount are conserved by
their flows. The cap table other than the founders' share is not recorded, so
"ownership sums to 1" is checked only as 0 < founders ≤ f₀ (and exactly, for
priced rounds, on the base model).

The issue's hand-worked debt regressions (a dead company stops servicing its
loan, an IPO repays it once) are in ``tests/funding/test_debt_after_exit.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import MIXED_FATES
from engine.scenario_generator import whole_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import venturesim as vs

MONTHS = 36
PATHS = 300
EPS = np.finfo(np.float32).eps

pytestmark = pytest.mark.slow  # whole-model fixtures: one compile of every feature (make test-fast skips it)


def _money(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


PLAN_AS_WRITTEN = {
    "on_round_failure": {"freeze_hiring": False, "cut_to_runway_months": None, "channel_budget_scale": 1.0}
}
"""The round-failure policy off: these scenarios' payroll, headcount and channel spend are checked by hand against
their plans (the policy's own rules are tested in tests/funding/test_policy_and_traction.py and the whole-model
tests below, which keep it on)."""


@st.composite
def scenarios(draw):
    cash_fixed = draw(st.booleans())
    cash_lo = draw(_money(5e4, 2e6))
    initial_cash = cash_lo if cash_fixed else {"p5": cash_lo, "p95": cash_lo * draw(st.floats(1.2, 5.0))}
    size_a = draw(st.integers(50, 10_000))
    segments = [
        {
            "name": "a",
            "market_size": {"p5": size_a, "p95": size_a * 3},
            "bass_p_annual": draw(st.floats(0.01, 0.6)),
            "bass_q_annual": draw(st.floats(0.0, 2.0)),
            "price": draw(_money(1.0, 400.0)),
            "churn": draw(st.floats(0.0, 0.2)),
            "initial_customers": draw(st.integers(0, 40)),
        },
        {
            "name": "b",
            "market_size": draw(st.integers(1, 500)),
            "bass_p_annual": draw(st.floats(0.01, 0.3)),
            "bass_q_annual": draw(st.floats(0.0, 1.0)),
            "price": {"schedule": {0: draw(_money(100.0, 3_000.0)), 12: draw(_money(50.0, 3_000.0))}},
            "churn": {"dist": "beta", "a": 2.0, "b": draw(st.floats(20.0, 200.0))},
            "launch_month": draw(st.integers(0, 20)),
        },
    ]
    rounds = []
    for name in ("seed", "series_a"):
        rounds.append(
            {
                "name": name,
                "trigger_runway_months": draw(st.floats(2.0, 18.0)),
                "earliest_month": draw(st.integers(0, 24)),
                "success_probability": draw(st.floats(0.1, 1.0)),
                "pre_money": draw(_money(1e6, 1e8)),
                "amount": draw(_money(2e5, 2e7)),
                "time_to_close_months": draw(st.floats(0.0, 6.0)),
                "max_attempts": draw(st.integers(1, 3)),
                "retry_delay_months": draw(st.floats(0.0, 4.0)),
            }
        )
    return {
        "name": "invariants",
        "simulation": {"months": MONTHS, "paths": PATHS},
        "company": {
            "initial_cash": initial_cash,
            "founder_ownership": draw(st.floats(0.3, 1.0)),
            "other_monthly_costs": draw(_money(5_000.0, 40_000.0)),
        },
        "market": {"segments": segments, "cost_of_revenue": draw(st.floats(0.0, 0.7))},
        "team": {
            "roles": [
                {
                    "name": "eng",
                    "monthly_cost": draw(_money(5_000.0, 30_000.0)),
                    "headcount": {0: draw(st.integers(1, 5)), 12: draw(st.integers(0, 10))},
                }
            ]
        },
        "compute": {"monthly_spend": {"start": draw(_money(0.0, 40_000.0)), "growth": draw(st.floats(-0.05, 0.0))}},
        "funding": {"rounds": rounds},
    }


def _prev(x, first):
    """x shifted one month later along axis 1, with ``first`` in month 0."""
    first = np.broadcast_to(
        np.asarray(first, x.dtype).reshape(-1, *([1] * (x.ndim - 1))), (x.shape[0], 1) + x.shape[2:]
    )
    return np.concatenate([first, x[:, :-1]], axis=1)


def check_invariants(data: dict, result) -> None:
    sc = vs.load(data)
    ds = result.data
    v = {name: ds[name].values for name in vs.MONTHLY_METRICS}
    inputs = result.inputs
    n = result.paths
    assert n == PATHS and result.months == MONTHS

    initial = (
        inputs["company.initial_cash"].to_numpy(np.float32)
        if "company.initial_cash" in inputs
        else np.full(n, sc.company.initial_cash, np.float32)
    )
    cash, alive = v["cash"], v["alive"]
    cash_prev = _prev(cash, initial)
    alive_prev = _prev(alive, np.ones(n, bool))

    # the cash identity (float32 arithmetic: tolerance a few ulps of the terms' magnitude)
    rhs = cash_prev.astype(np.float64) + v["revenue"] - v["costs"] + v["financing"] - v["debt_repaid"]
    scale = np.abs(cash_prev) + v["revenue"] + v["costs"] + v["financing"]
    assert np.all(np.abs(cash - rhs) <= 8 * EPS * scale + 1e-3)

    # costs add up (people = payroll + severance + recruiting: the default round-failure policy lays people off)
    people = v["payroll"].astype(np.float64) + v["severance"] + v["recruiting_cost"]
    parts = people + v["compute"] + v["other_costs"] + v["cost_of_revenue"]
    np.testing.assert_allclose(v["costs"], parts, rtol=8 * EPS, atol=1e-3)
    np.testing.assert_allclose(
        v["cost_of_revenue"], v["revenue"] * np.float32(sc.market.cost_of_revenue), rtol=4 * EPS, atol=1e-4
    )
    np.testing.assert_allclose(v["net_burn"], v["costs"].astype(np.float64) - v["revenue"], rtol=8 * EPS, atol=1e-3)

    # alive ⇔ cash never below 0; dead stays dead
    assert np.all(alive <= alive_prev)
    np.testing.assert_array_equal(alive, np.cumprod(cash >= 0, axis=1).astype(bool))
    np.testing.assert_array_equal(alive, cash >= 0)
    death = ds["death_month"].values
    first_dead = np.where(alive.all(axis=1), -1, np.argmin(alive, axis=1))
    np.testing.assert_array_equal(death, first_dead)
    survival = result.survival()["survival"].to_numpy()
    np.testing.assert_allclose(survival[1:], alive.mean(axis=0))
    assert survival[0] == 1.0

    # dead at the start of a month: no flows, constant cash, nothing recorded
    dead = ~alive_prev
    for name in (
        "revenue",
        "costs",
        "payroll",
        "compute",
        "other_costs",
        "cost_of_revenue",
        "financing",
        "net_burn",
        "new_customers",
        "churned_customers",
    ):
        assert np.all(v[name][dead] == 0), name
    assert np.all(cash[dead] == cash_prev[dead])
    not_alive = ~alive
    for name in ("arr", "customers", "headcount"):
        assert np.all(v[name][not_alive] == 0), name
    assert np.all(v["customers_by_segment"][not_alive] == 0)
    assert np.all(np.isnan(v["runway"][not_alive]))

    # runway
    burning = alive & (v["net_burn"] > 0)
    np.testing.assert_allclose(v["runway"][burning], cash[burning] / v["net_burn"][burning], rtol=4 * EPS)
    assert np.all(np.isposinf(v["runway"][alive & (v["net_burn"] <= 0)]))
    assert np.all(v["runway"][burning] >= 0)

    # revenue, ARR and customers
    np.testing.assert_allclose(v["arr"], 12 * np.where(alive, v["revenue"], 0), rtol=4 * EPS)
    by_segment = v["customers_by_segment"]
    np.testing.assert_array_equal(v["customers"], by_segment.sum(axis=2))
    assert np.all(by_segment >= 0) and np.all(by_segment == np.round(by_segment))
    start_customers = np.array([s.initial_customers for s in sc.market.segments], np.float32).sum()
    customers_prev = _prev(v["customers"], np.full(n, start_customers, np.float32))
    change = v["new_customers"] - v["churned_customers"]
    np.testing.assert_array_equal(v["customers"][alive], (customers_prev + change)[alive])
    months = np.arange(MONTHS)
    price_b = np.where(months < 12, *[np.float32(sc.market.segments[1].price.schedule[m]) for m in (0, 12)])
    price = np.stack([np.full(MONTHS, np.float32(sc.market.segments[0].price)), price_b.astype(np.float32)], axis=1)
    expected_revenue = (by_segment.astype(np.float64) * price[None]).sum(axis=2)
    np.testing.assert_allclose(v["revenue"][alive], expected_revenue[alive], rtol=8 * EPS, atol=1e-3)
    launch_b = sc.market.segments[1].launch_month
    assert np.all(by_segment[:, :launch_b, 1] == 0)

    # payroll, compute, other costs by hand
    role = sc.team.roles[0]
    heads = np.asarray(role.headcount_series(MONTHS), np.float32)
    np.testing.assert_array_equal(v["headcount"][alive], np.broadcast_to(heads, alive.shape)[alive])
    payroll = heads * np.float32(role.monthly_cost)
    np.testing.assert_allclose(
        v["payroll"][alive_prev], np.broadcast_to(payroll, alive.shape)[alive_prev], rtol=4 * EPS
    )
    trend = sc.compute.monthly_spend
    spend = np.float32(trend.start * (1 + trend.growth) ** months)
    np.testing.assert_allclose(v["compute"][alive_prev], np.broadcast_to(spend, alive.shape)[alive_prev], rtol=4 * EPS)
    np.testing.assert_allclose(v["other_costs"][alive_prev], np.float32(sc.company.other_monthly_costs), rtol=4 * EPS)

    # funding: rounds in order, financing = the closed rounds' amounts, ownership diluted by V/(V+A)
    status = ds["round_status"].values
    close = ds["round_close_month"].values
    rounds = sc.funding.rounds
    closed = status == 2
    assert np.all(np.isin(status, [0, 1, 2, 3]))
    assert np.all((close >= 0) == closed)
    later_started = np.isin(status[:, 1], [1, 2, 3])
    assert np.all(np.isin(status[later_started, 0], [2, 3]))
    both = closed.all(axis=1)
    assert np.all(close[both, 1] > close[both, 0])
    # what each round raised and at what pre-money: traction pricing (the default) moves both with the path's traction
    amounts = np.where(closed, ds["round_amount"].values, 0.0).astype(np.float32)  # (paths, rounds)
    pre_money = np.where(closed, ds["round_pre_money"].values, 1.0).astype(np.float32)
    financing = v["financing"]
    np.testing.assert_allclose(financing.sum(axis=1), amounts.sum(axis=1), rtol=4 * EPS)
    for r, rnd in enumerate(rounds):
        idx = np.nonzero(closed[:, r])[0]
        month = close[idx, r].astype(int)
        np.testing.assert_allclose(financing[idx, month], amounts[idx, r], rtol=4 * EPS)
        # started no earlier than max(earliest_month, 1) and took time_to_close
        assert np.all(month + 1 > max(rnd.earliest_month, 1) + rnd.time_to_close_months - 1e-4)
    assert np.count_nonzero(financing) == closed.sum()

    rounds_closed = v["rounds_closed"]
    assert np.all(np.diff(rounds_closed, axis=1) >= 0)
    np.testing.assert_array_equal(rounds_closed[:, -1], closed.sum(axis=1))

    owner = v["founder_ownership"]
    f0 = np.float32(sc.company.founder_ownership)
    assert np.all(np.diff(owner, axis=1) <= 0)
    assert np.all(owner > 0) and np.all(owner <= f0)
    keep = pre_money / (pre_money + amounts)  # (paths, rounds): V/(V + A) of each closed round
    expected_owner = f0 * np.prod(np.where(closed, keep, 1.0), axis=1)
    np.testing.assert_allclose(owner[:, -1], expected_owner, rtol=1e-5)
    np.testing.assert_array_equal(ds["final_founder_ownership"].values, owner[:, -1])
    # investors of each round hold A/(V + A) after their round, diluted by later rounds;
    # founders + earlier holders + investors = 1
    investors = np.zeros(n)
    for r in range(len(rounds)):
        investors = np.where(closed[:, r], investors * keep[:, r] + (1 - keep[:, r]), investors)
    others = (1 - f0) * np.prod(np.where(closed, keep, 1.0), axis=1)
    np.testing.assert_allclose(owner[:, -1] + others + investors, 1.0, rtol=1e-5)

    # final values agree with the last month
    np.testing.assert_array_equal(ds["final_cash"].values, cash[:, -1])
    np.testing.assert_array_equal(ds["final_arr"].values, v["arr"][:, -1])
    np.testing.assert_array_equal(ds["final_runway"].values, v["runway"][:, -1])


@pytest.mark.slow
@settings(  # each example is a new shape, so a new compile (~30 s on 2 cores): 4 examples; the whole-model
    max_examples=4,  # tests below vary every feature's numbers on one compiled shape
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_accounting_invariants(data, seed):
    result = vs.simulate(data, seed=seed, metrics="all")
    check_invariants(data, result)


FIXED = MIXED_FATES  # tests/builders.py (the report tests run it too)


def test_invariants_on_a_scenario_with_mixed_fates():
    """A fixed example in which paths die, survive, turn profitable, and raise, retry or abandon rounds."""
    result = vs.simulate(FIXED, seed=1, metrics="all")
    ds = result.data
    death = ds["death_month"].values
    status = ds["round_status"].values
    assert 0 < np.mean(death >= 0) < 1
    assert np.any(status[:, 0] == 2) and np.any(status[:, 0] == 3)
    assert np.any(status[:, 1] == 2)
    assert np.any(np.isposinf(ds["runway"].values))
    check_invariants(FIXED, result)


# ---- the whole model, in both engines ----------------------------------------------------------------

WHOLE_MONTHS = 24
WHOLE_EXAMPLES = 2
JAX_PATHS = 4096  # the JAX engine runs whole blocks of 4,096 paths: keeping them all costs nothing more
DES_PATHS = 12
CLOSED = 2  # round_status (Result.data): 0 waiting, 1 raising, 2 closed, 3 abandoned
NO_EXIT, ACQUISITION, IPO, ACQUIHIRE, SHUTDOWN = range(5)  # exit_kind (Result.data)
ENDED_AT_DEATH = (ACQUIHIRE, SHUTDOWN)

#: Flows (and month-end queues) that are nothing once a company is dead or exited: the months after the one it
#: ended in.
ENDED_ZERO = (
    "revenue",
    "revenue_by_segment",
    "payroll",
    "severance",
    "recruiting_cost",
    "hires",
    "departures",
    "layoffs",
    "compute",
    "training_compute",
    "serving_cost",
    "other_costs",
    "risk_costs",
    "acquisition_spend",
    "entry_cost",
    "support_cost",
    "cost_of_revenue",
    "partnership_costs",
    "partner_revenue_share",
    "compute_credits_used",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "deals_won",
    "deals_lost_to_capacity",
    "new_customers",
    "churned_customers",
    "financing",
    "grants",
    "open_requisitions",
    "partner_concentration",
)
#: State that reads 0 from the month a company ended in (it is no longer running at that month's end).
ENDED_STATE_ZERO = (
    "arr",
    "customers",
    "customers_by_segment",
    "headcount",
    "pipeline",
    "partners_active",
    "engineering_fte",
    "sales_fte",
    "support_fte",
    "option_pool_available",
    "sales_capacity_deals",
    "engineering_quality_gain",
)
ENDED_STATE_NAN = ("runway", "quality_gap", "support_load", "serving_cost_per_million")
#: Debt service, which must stop too (the JAX engine's defect).
DEBT_FLOWS = ("interest", "debt_repaid", "costs", "net_burn")


class Run:
    """One result of :func:`scenario_generator.whole_model`, with the arrays the checks share.

    ``stop``: the month a path ended in (died, or exited by IPO or acquisition; the horizon if neither);
    ``running[p, t]``: month t began with path p alive (t ≤ stop); ``ended``: t > stop.
    """

    def __init__(self, data: dict, result):
        self.data, self.result = data, result
        ds = result.data
        self.v = {name: ds[name].values for name in vs.MONTHLY_METRICS}
        self.n, self.months = result.paths, result.months
        self.inputs = result.inputs
        self.exit_kind = ds["exit_kind"].values.astype(int)
        self.exit_month = ds["exit_month"].values.astype(int)
        self.death = ds["death_month"].values
        self.stop = np.where(self.exit_kind != NO_EXIT, self.exit_month, self.months)
        t = np.arange(self.months)
        self.running = t[None, :] <= self.stop[:, None]
        self.ended = ~self.running
        self.before_end = t[None, :] < self.stop[:, None]
        self.initial_cash = self.input("company.initial_cash")
        self.cash_prev = _prev(self.v["cash"], self.initial_cash)
        self.balance_prev = _prev(self.v["debt_balance"], np.zeros(self.n, np.float32))

    def input(self, name: str) -> np.ndarray:
        """A per-path input as the engines used it (float32)."""
        return self.inputs[name].to_numpy(np.float32)


def _whole_runs(engine: str) -> list[Run]:
    runs = []
    for i in range(WHOLE_EXAMPLES):
        data = whole_model(np.random.default_rng([2026, i]), WHOLE_MONTHS)
        options = {"paths": JAX_PATHS} if engine == "jax" else {"paths": DES_PATHS, "engine": "des", "workers": 1}
        runs.append(Run(data, vs.simulate(data, seed=100 + i, metrics="all", **options)))
    return runs


@pytest.fixture(scope="module")
def whole_jax():
    return _whole_runs("jax")


@pytest.fixture(scope="module")
def whole_des():
    return _whole_runs("des")


@pytest.fixture(params=["jax", "des"])
def whole(request) -> list[Run]:
    return request.getfixturevalue(f"whole_{request.param}")


def _assert_close(found, expected, scale, rtol=16 * EPS, atol=1e-2, where=None, name=""):
    """|found − expected| ≤ rtol · scale + atol (float32 records of sums of float32 or float64 terms)."""
    found, expected = np.asarray(found, np.float64), np.asarray(expected, np.float64)
    bad = np.abs(found - expected) > rtol * np.asarray(scale, np.float64) + atol
    if where is not None:
        bad &= where
    assert not bad.any(), (
        f"{name}: {bad.sum()} of {bad.size} values differ; first at {np.argwhere(bad)[0]}: "
        f"found {found[bad][0]!r}, expected {expected[bad][0]!r}"
    )


def test_whole_model_costs_add_up(whole):
    """costs = people (payroll + severance + recruiting) + compute + other costs + acquisition (channels,
    market entry) + partnership costs + cost of revenue + interest, on every path and month; and each
    line is what it is made of."""
    lines = (
        "payroll",
        "severance",
        "recruiting_cost",
        "compute",
        "other_costs",
        "acquisition_spend",
        "entry_cost",
        "partnership_costs",
        "cost_of_revenue",
        "interest",
    )
    for run in whole:
        v = run.v
        parts = sum(v[name].astype(np.float64) for name in lines)
        scale = sum(np.abs(v[name].astype(np.float64)) for name in lines)
        _assert_close(v["costs"], parts, scale, name="costs")
        gross = v["revenue_by_segment"].astype(np.float64).sum(axis=2)
        # revenue is net of the partners' share; cost of revenue = rate · gross revenue + serving + support
        _assert_close(v["revenue"], gross - v["partner_revenue_share"], gross, name="revenue")
        cor = run.input("market.cost_of_revenue")[:, None]
        _assert_close(
            v["cost_of_revenue"],
            gross * cor + v["serving_cost"] + v["support_cost"],
            gross + v["serving_cost"] + v["support_cost"],
            name="cost_of_revenue",
        )
        # compute = the monthly line (a trend) + training − partners' credits, while running
        months = np.arange(run.months)
        line = (
            run.input("compute.monthly_spend.start")[:, None].astype(np.float64)
            * (1.0 + run.input("compute.monthly_spend.growth")[:, None].astype(np.float64)) ** months
        )
        _assert_close(
            v["compute"] + v["compute_credits_used"].astype(np.float64) - v["training_compute"],
            line,
            line + v["training_compute"] + v["compute_credits_used"],
            rtol=1e-5,
            where=run.running,
            name="compute",
        )
        # the risks' costs are part of other costs; each line is ≥ 0
        assert np.all(v["risk_costs"] <= v["other_costs"] * (1 + 1e-6) + 1e-2)
        for name in lines + (
            "revenue",
            "risk_costs",
            "training_compute",
            "serving_cost",
            "support_cost",
            "partner_revenue_share",
            "compute_credits_used",
            "grants",
            "financing",
            "debt_repaid",
        ):
            assert np.all(v[name] >= 0), name
        assert np.all(v["revenue_by_segment"] >= 0)
        # severance only with layoffs, recruiting only with hires
        assert np.all((v["severance"] == 0) | (v["layoffs"] > 0))
        assert np.all((v["recruiting_cost"] == 0) | (v["hires"] > 0))


def test_whole_model_cash_identity(whole):
    """cash[t] = cash[t−1] + revenue − costs + financing − debt repaid, cash[−1] = the initial cash, on every
    path and month; net burn = costs + principal − revenue (principal = debt repaid unless a loan was called)."""
    for run in whole:
        v = run.v
        terms = (run.cash_prev, v["revenue"], v["costs"], v["financing"], v["debt_repaid"])
        rhs = run.cash_prev.astype(np.float64) + v["revenue"] - v["costs"] + v["financing"] - v["debt_repaid"]
        _assert_close(v["cash"], rhs, sum(np.abs(x.astype(np.float64)) for x in terms), name="cash identity")
        uncalled = run.running & ~v["loan_called"]
        _assert_close(
            v["net_burn"],
            v["costs"].astype(np.float64) + v["debt_repaid"] - v["revenue"],
            np.abs(v["costs"]) + v["debt_repaid"] + v["revenue"],
            where=uncalled,
            name="net_burn",
        )


def test_whole_model_financing_is_rounds_loans_and_grants(whole):
    """Before the month a path ends in, financing in month t = the amounts of the rounds (and bridges) that closed
    in t + the loans drawn in t (balance[t] − balance[t−1] + debt repaid[t]) + grants (in the month it ends, an exit
    or a shutdown may settle the balance); a grant is paid only in its month."""
    for run in whole:
        v, ds = run.v, run.result.data
        close = ds["round_close_month"].values.astype(int)
        amount = ds["round_amount"].values.astype(np.float64)
        months = np.arange(run.months)
        rounds = ((close[:, None, :] == months[None, :, None]) * amount[:, None, :]).sum(axis=2)
        drawn = v["debt_balance"].astype(np.float64) - run.balance_prev + v["debt_repaid"]
        scale = rounds + np.abs(v["debt_balance"]) + run.balance_prev + v["debt_repaid"] + v["grants"]
        _assert_close(v["financing"], rounds + drawn + v["grants"], scale, where=run.before_end, name="financing")
        assert np.all(drawn[run.before_end] >= -1e-6 * scale[run.before_end] - 1e-2)
        grant_month = run.data["funding"]["grants"][0]["month"]
        assert np.all(np.delete(v["grants"], grant_month, axis=1) == 0)
        paid = v["grants"][:, grant_month] > 0
        _assert_close(
            v["grants"][paid, grant_month], run.input("funding.grants.sbir.amount")[paid], 0, atol=0, name="grant"
        )
        # a round closes at most once, and only while the company runs
        status = ds["round_status"].values
        assert np.all((close >= 0) == (status == CLOSED))
        assert np.all(close <= run.stop[:, None])


def test_whole_model_debt_balance(whole):
    """The balance is never negative; interest ≤ the balance at the month's start × the highest rate / 12; a called
    loan leaves no balance."""
    for run in whole:
        v = run.v
        assert np.all(v["debt_balance"] >= -1e-2)
        rate = np.maximum(
            run.input("funding.venture_debt.with_seed.interest_annual"),
            run.input("funding.venture_debt.term.interest_annual"),
        ).astype(np.float64)
        bound = run.balance_prev * rate[:, None] / 12.0
        assert np.all(v["interest"] <= bound * (1 + 1e-5) + 1e-2)
        assert np.all(v["debt_balance"][v["loan_called"]] == 0)


def test_whole_model_alive_death_and_exits_agree(whole):
    """alive ⇔ the path has not ended; it ends by dying (cash < 0: an acqui-hire or a shutdown, in its death month)
    or by an IPO or acquisition (with cash ≥ 0, no death); cash ≥ 0 while alive; a private path lives on."""
    for run in whole:
        v = run.v
        np.testing.assert_array_equal(v["alive"], run.before_end)
        died = run.death >= 0
        np.testing.assert_array_equal(died, np.isin(run.exit_kind, ENDED_AT_DEATH))
        np.testing.assert_array_equal(run.exit_month[died], run.death[died])
        np.testing.assert_array_equal(run.exit_month < 0, run.exit_kind == NO_EXIT)
        cash = v["cash"]
        assert np.all(cash[run.before_end] >= 0)
        assert np.all(cash[died, run.death[died]] < 0)
        sold = np.isin(run.exit_kind, (IPO, ACQUISITION))
        assert np.all(cash[sold, run.exit_month[sold]] >= 0)
        np.testing.assert_array_equal(run.result.data["final_cash"].values, cash[:, -1])


def test_whole_model_no_business_after_death_or_exit(whole):
    """Once a company has died or exited, no revenue, cost line, hire, customer or money moves, and its state reads
    0 (NaN for ratios) from the month it ended; ownership and rounds stay as they were."""
    for run in whole:
        v = run.v
        for name in ENDED_ZERO:
            assert np.all(v[name][run.ended] == 0), name
        for name in ENDED_STATE_ZERO:
            assert np.all(v[name][~run.before_end] == 0), name
        for name in ENDED_STATE_NAN:
            assert np.all(np.isnan(v[name][~run.before_end])), name
        for name in ("founder_ownership", "rounds_closed"):
            frozen = np.take_along_axis(v[name], np.minimum(run.stop, run.months - 1)[:, None], axis=1)
            assert np.all((v[name] == frozen)[run.ended]), name


@pytest.fixture(params=["jax", "des"])
def whole_debt(request) -> list[Run]:
    return request.getfixturevalue(f"whole_{request.param}")


def test_whole_model_no_debt_service_after_death_or_exit(whole_debt):
    """After a death or an exit the loans are neither serviced nor called (interest, principal, costs and net burn
    are 0), cash stays where it ended, and no balance is left (the exit or the shutdown settled it)."""
    ended_with_debt = 0
    for run in whole_debt:
        v = run.v
        last = np.minimum(run.stop, run.months - 1)
        owed = run.balance_prev[np.arange(run.n), last] > 0  # at the start of the month it ended in
        ended_with_debt += np.sum(owed & (run.stop < run.months - 1))
        for name in DEBT_FLOWS:
            assert np.all(v[name][run.ended] == 0), name
        assert not v["loan_called"][run.ended].any()
        frozen = np.take_along_axis(v["cash"], last[:, None], axis=1)
        assert np.all((v["cash"] == frozen)[run.ended]), "cash moved after the end"
        assert np.all(v["debt_balance"][run.ended] == 0), "a balance is left after the end"
    assert ended_with_debt > 0  # the case the defect is about occurred


def test_whole_model_ownership_and_proceeds(whole):
    """Founders' ownership starts at f₀, never rises, stays in (0, f₀], and falls only in a month money came in
    (a round, a bridge, or a loan with warrants); proceeds are paid only at an exit, are ≥ 0, add up to at most the
    exit value, and the founders get at most their ownership's share of it."""
    for run in whole:
        v, ds = run.v, run.result.data
        owner = v["founder_ownership"].astype(np.float64)
        f0 = np.float32(run.data["company"]["founder_ownership"])
        previous = _prev(owner, np.full(run.n, f0))
        assert np.all(owner <= previous)
        assert np.all(owner > 0) and np.all(owner <= f0)
        diluted = owner < previous
        assert np.all(v["financing"][diluted] - v["grants"][diluted] > 0)
        np.testing.assert_array_equal(ds["final_founder_ownership"].values, owner[:, -1].astype(np.float32))
        value = ds["exit_value"].values.astype(np.float64)
        founders = ds["founder_proceeds"].values.astype(np.float64)
        investors = ds["round_proceeds"].values.astype(np.float64)
        private = run.exit_kind == NO_EXIT
        assert np.all(founders[private] == 0) and np.all(investors[private] == 0)
        assert np.all(value >= 0) and np.all(founders >= 0) and np.all(investors >= 0)
        assert np.all(founders + investors.sum(axis=1) <= value * (1 + 1e-5) + 1.0)
        assert np.all(founders <= owner[:, -1] * value * (1 + 1e-4) + 1.0)


def test_whole_model_market_and_team_records(whole):
    """Customers: whole numbers, ≤ the market, customers[t] = customers[t−1] + new − churned while alive; ARR =
    12 × revenue; runway = cash / net burn (+∞ when not burning); sales-led wins never exceed the sales capacity and
    reach it whenever a win was lost to it; headcount[t] = headcount[t−1] + hires − departures − layoffs − the
    people a fall of the plan let go (recorded in no flow: at most the fall, none without one)."""
    for run in whole:
        v, sc = run.v, vs.load(run.data)
        alive = v["alive"]
        by_segment = v["customers_by_segment"]
        assert np.all(by_segment >= 0) and np.all(by_segment == np.round(by_segment))
        np.testing.assert_array_equal(v["customers"], by_segment.sum(axis=2))
        size = np.stack(
            [np.maximum(np.round(run.input(f"market.segments.{s.name}.market_size")), 1.0) for s in sc.market.segments],
            axis=1,
        )
        assert np.all(by_segment <= size[:, None, :])
        start = np.float32(sum(s.initial_customers for s in sc.market.segments))
        customers_prev = _prev(v["customers"], np.full(run.n, start, np.float32))
        expected = customers_prev + v["new_customers"] - v["churned_customers"]
        np.testing.assert_array_equal(v["customers"][alive], expected[alive])
        _assert_close(v["arr"], 12.0 * np.where(alive, v["revenue"], 0.0), 12.0 * v["revenue"], name="arr")
        burning = alive & (v["net_burn"] > 0)
        _assert_close(
            v["runway"][burning],
            v["cash"][burning] / v["net_burn"][burning].astype(np.float64),
            np.abs(v["runway"][burning]),
            atol=1e-6,
            name="runway",
        )
        assert np.all(np.isposinf(v["runway"][alive & (v["net_burn"] <= 0)]))
        won, cap, lost = v["deals_won"], v["sales_capacity_deals"], v["deals_lost_to_capacity"]
        assert np.all(won[alive] <= cap[alive]) and np.all(lost >= 0)
        binding = alive & (lost > 0)
        assert np.all(won[binding] == cap[binding])
        # people let go because a role's plan fell are in no flow: at most the plan's fall
        plan = _plan(run)
        cut = np.maximum(np.concatenate([plan[:, :1], plan[:, :-1]], axis=1) - plan, 0).sum(axis=0)
        unrecorded = _unrecorded_leavers(run)
        assert np.all(unrecorded[alive] >= 0) and np.all((unrecorded <= cut)[alive])


def _plan(run: Run) -> np.ndarray:
    """The roles' planned headcount (K, T)."""
    return np.array([r.headcount_series(run.months) for r in vs.load(run.data).team.roles], np.float32)


def _unrecorded_leavers(run: Run) -> np.ndarray:
    """headcount[t−1] + hires − departures − layoffs − headcount[t] (paths, T): people who left in no flow."""
    v = run.v
    heads_prev = _prev(v["headcount"], np.full(run.n, _plan(run)[:, 0].sum(), np.float32))
    return heads_prev + v["hires"] - v["departures"] - v["layoffs"] - v["headcount"]


def test_whole_model_runs_reach_every_outcome(whole_jax, whole_des):
    """The generated runs are not vacuous: between them, paths die (acqui-hired and shut down), are listed and
    sold, stay private; every round (the bridge too) closes somewhere; loans are drawn, serviced and called; grants
    paid; people hired, leaving and laid off; deals lost to capacity; partners active; risk events fire."""

    def union(runs, get):
        return sum(int(np.sum(get(run))) for run in runs)

    for runs, enough in ((whole_jax, 20), (whole_des, 1)):
        if enough > 1:
            for kind in (NO_EXIT, ACQUISITION, IPO, ACQUIHIRE, SHUTDOWN):
                assert union(runs, lambda r, kind=kind: r.exit_kind == kind) >= enough, kind
        assert union(runs, lambda r: r.death >= 0) >= enough
        checks = {
            "interest": lambda r: r.v["interest"] > 0,
            "principal": lambda r: r.v["debt_repaid"] > 0,
            "grants": lambda r: r.v["grants"] > 0,
            "hires": lambda r: r.v["hires"] > 0,
            "revenue": lambda r: r.v["revenue"] > 0,
            "partners": lambda r: r.v["partners_active"] > 0,
        }
        if enough > 1:
            checks |= {
                "called": lambda r: r.v["loan_called"],
                "layoffs": lambda r: r.v["layoffs"] > 0,
                "departures": lambda r: r.v["departures"] > 0,
                "lost deals": lambda r: r.v["deals_lost_to_capacity"] > 0,
                "deals": lambda r: r.v["deals_won"] > 0,
                "entry": lambda r: r.v["entry_cost"] > 0,
                "risks": lambda r: np.isfinite(r.result.data["risk_time"].values),
                "credits": lambda r: r.v["compute_credits_used"] > 0,
                "training": lambda r: r.v["training_compute"] > 0,
                "plan cuts": lambda r: r.v["alive"] & (_unrecorded_leavers(r) > 0),
            }
            for r, name in enumerate(runs[0].result.data["round"].values):  # the bridge too
                checks[f"closed {name}"] = lambda run, r=r: run.result.data["round_status"].values[:, r] == CLOSED
        for name, get in checks.items():
            assert union(runs, get) >= enough, name
