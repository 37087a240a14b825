"""The month close and the funding orchestration are written once: each rule run with xp=numpy on one path at a
time (the DES's scalars and (S,)/(R,)/(D,) rows, float64) equals the same rule run with xp=jax.numpy on the
block (the JAX kernel's (paths, …) arrays, float32), on identical inputs, to float32 tolerance."""

from __future__ import annotations

from types import SimpleNamespace

import jax.numpy as jnp
import numpy as np
import pytest

from venturesim.engine.month_close import (
    Ledger,
    annual_run_rate,
    close_accounts,
    dead_record,
    mask_dead,
    month_record,
    runway,
)
from venturesim.funding.causes import death_cause, describe
from venturesim.funding.debt import call_loans, draw_due, grant_inflow, step_debt, warrant_post_money
from venturesim.funding.exits import exit_outcome, exit_proceeds, settle_exit
from venturesim.funding.rounds import (
    ABANDONED,
    CLOSED,
    RAISING,
    WAITING,
    after_failure,
    attempt_odds,
    attempt_start,
    bridge_due,
    start_due,
)
from venturesim.funding.terms import ACQUIHIRE, ACQUISITION, IPO, NO_EXIT, SHUTDOWN

N, S, R, D = 24, 3, 3, 2


def _map(tree, leaf):
    if isinstance(tree, dict):
        return {k: _map(v, leaf) for k, v in tree.items()}
    if isinstance(tree, SimpleNamespace):
        return SimpleNamespace(**_map(vars(tree), leaf))
    if isinstance(tree, np.ndarray):
        return leaf(tree)
    return tree


def block(tree):
    """The JAX side: every array as a float32/int32/bool jax array."""

    def leaf(a):
        return jnp.asarray(a.astype(np.float32) if a.dtype == np.float64 else a)

    return _map(tree, leaf)


def path(tree, i):
    """The DES side: path i's row; a per-path number becomes a Python scalar, rows stay NumPy (float64)."""

    def leaf(a):
        row = a[i]
        if row.dtype == np.float64:
            row = row.astype(np.float32).astype(np.float64)  # the same numbers the block sees
        return row.item() if row.ndim == 0 else row

    return _map(tree, leaf)


def leaves(out, prefix=""):
    """(name, array) for every array in a result (dicts, named tuples and tuples, nested)."""
    items = (
        out.items()
        if isinstance(out, dict)
        else out._asdict().items()
        if hasattr(out, "_asdict")
        else enumerate(out)
        if isinstance(out, tuple)
        else None
    )
    if items is None:
        return [(prefix or "value", out)]
    return [leaf for name, value in items for leaf in leaves(value, f"{prefix}{name}.")]


def assert_same(batched, single, i, scales=None):
    """Path i of the block equals the single path: exactly for bools and integers, else to float32 precision
    relative to the entry's largest magnitude over the block (a difference of large USD amounts keeps their
    float32 rounding), or to the magnitude ``scales`` gives for entries named there (an entry computed as a
    difference of larger amounts: a note's interest = owed − principal keeps the principal's rounding)."""
    scales = scales or {}
    for (name, b), (_, s) in zip(leaves(batched), leaves(single), strict=True):
        whole, s = np.asarray(b), np.asarray(s)
        b = whole[i]
        if b.dtype == bool or s.dtype == bool or np.issubdtype(b.dtype, np.integer):
            np.testing.assert_array_equal(b, s, err_msg=f"{name}, path {i}")
        else:
            scale = np.max(np.abs(whole[np.isfinite(whole)]), initial=1.0)
            scale = max([scale] + [v for key, v in scales.items() if f".{key}." in f".{name}"])
            np.testing.assert_allclose(b, s, rtol=2e-6, atol=4e-7 * scale, equal_nan=True, err_msg=f"{name}, path {i}")


def run_both(rule, args: dict, scales=None, **static):
    """The rule on the block (jnp) and on each path (np); asserts they agree (``scales``: :func:`assert_same`).
    Returns the block's result."""
    batched = rule(**block(args), **static, xp=jnp)
    for i in range(N):
        assert_same(batched, rule(**path(args, i), **static, xp=np), i, scales)
    return batched


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(13)


def usd(rng, low, high, shape=(N,)):
    return rng.uniform(low, high, shape)


def accounts_args(rng):
    return {
        "alive": rng.random(N) < 0.8,
        "cash": usd(rng, 0, 2e6),
        "revenue": usd(rng, 0, 3e5),
        "gross_revenue": usd(rng, 3e5, 4e5),
        "people": usd(rng, 0, 4e5),
        "compute": usd(rng, 0, 2e5),
        "other": usd(rng, 0, 1e5),
        "acquisition": usd(rng, 0, 5e4),
        "partnership": usd(rng, 0, 1e4),
        "cost_of_revenue_rate": rng.uniform(0, 0.3, N),
        "tokens": usd(rng, 0, 1e9),
        "cost_per_token": rng.uniform(0, 1e-4, N),
        "support": usd(rng, 0, 1e4),
        "interest": usd(rng, 0, 2e4),
        "principal": usd(rng, 0, 3e4),
        "financing": np.where(rng.random(N) < 0.3, 1e6, 0.0),
        "debt_balance": np.where(rng.random((N, D)) < 0.6, usd(rng, 1e5, 1e6, (N, D)), 0.0),
        "min_cash": np.where(rng.random((N, D)) < 0.5, usd(rng, 0, 2e6, (N, D)), -np.inf),
    }


def close(alive, cash, debt_balance, min_cash, xp=np, **entries):
    """:func:`close_accounts` on the month's entries given by name (the :class:`Ledger`'s fields)."""
    return close_accounts(alive, cash, Ledger(**entries), debt_balance, min_cash, xp=xp)


def test_close_accounts(rng):
    """Costs, the cash identity, the covenant and death agree; and by hand: the costs add up, a path not
    alive keeps its cash, a broken covenant repays every balance."""
    args = accounts_args(rng)
    out = run_both(close, args)
    a = args
    cor = a["gross_revenue"] * a["cost_of_revenue_rate"] + a["tokens"] * a["cost_per_token"] + a["support"]
    costs = a["people"] + a["compute"] + a["other"] + a["acquisition"] + a["partnership"] + cor + a["interest"]
    np.testing.assert_allclose(out.costs, costs, rtol=1e-5)
    after = a["cash"] + a["revenue"] - costs + a["financing"] - a["principal"]
    called = a["alive"] & ((a["debt_balance"] > 0) & (after[:, None] < a["min_cash"])).any(axis=1)
    assert 0 < called.sum() < N
    np.testing.assert_array_equal(out.loan_called, called)
    expected = np.where(a["alive"], after - np.where(called, a["debt_balance"].sum(axis=1), 0.0), a["cash"])
    np.testing.assert_allclose(out.cash, expected, rtol=1e-5, atol=0.5)
    np.testing.assert_array_equal(out.survived, a["alive"] & (np.asarray(out.cash) >= 0))


def test_runway_and_arr(rng):
    args = {"cash": usd(rng, -1e5, 1e6), "net_burn": usd(rng, -1e5, 1e5), "alive": rng.random(N) < 0.7}
    out = np.asarray(run_both(runway, args))
    assert np.isinf(out[np.asarray(args["alive"]) & (args["net_burn"] <= 0)]).all()
    assert np.isnan(out[~args["alive"]]).all()
    out = np.asarray(run_both(annual_run_rate, {"revenue": usd(rng, 0, 1e5), "alive": args["alive"]}))
    assert (out[~args["alive"]] == 0).all()


def month_args(rng):
    a = accounts_args(rng)
    alive_start = a["alive"]
    team = SimpleNamespace(
        **{
            k: usd(rng, 0, 10)
            for k in (
                "payroll",
                "severance",
                "recruiting",
                "hires",
                "departures",
                "layoffs",
                "open_requisitions",
                "engineering_fte",
                "sales_fte",
                "support_fte",
                "pool_available",
                "headcount",
                "engineering_gain",
                "deal_capacity",
            )
        }
    )
    team.sales_marketing = 0.5 * team.payroll  # derived: the shared rng stream of later draws is unchanged
    flows = SimpleNamespace(
        **{
            k: usd(rng, 0, 1e4)
            for k in (
                "acquisition_spend",
                "entry_cost",
                "support_cost",
                "new_mrr",
                "expansion_mrr",
                "contraction_mrr",
                "churned_mrr",
                "pipeline",
                "support_load",
            )
        },
        **{
            k: usd(rng, 0, 50, (N, S))
            for k in ("deals_won", "deals_over_capacity", "revenue_by_segment", "new_customers", "churned_customers")
        },
    )
    partner = SimpleNamespace(compute_credit_used=usd(rng, 0, 1e3), cost=usd(rng, 0, 1e3), active=usd(rng, 0, 3))
    return a, alive_start, team, flows, partner


def test_month_record_and_dead_record(rng):
    """The record of a month agrees entry by entry; a stock reads 0 and a ratio NaN on a path no longer alive;
    on the block, a path dead before the month records exactly :func:`dead_record`."""
    a, alive_start, team, flows, partner = month_args(rng)
    accounts = close(**a)
    alive = np.asarray(accounts.survived) & (rng.random(N) < 0.9)
    acc = {k: np.asarray(v) for k, v in accounts._asdict().items()}

    def rule(alive, alive_start, acc, team, flows, partner, xp, **kw):
        from venturesim.engine.month_close import Accounts

        ledger = SimpleNamespace(**{k: kw.pop(k) for k in ("revenue", "compute", "other", "interest", "principal")})
        return month_record(
            alive, alive_start, Accounts(**acc), ledger, team=team, flows=flows, partner=partner, xp=xp, **kw
        )

    kwargs = {
        "revenue": usd(rng, 0, 1e5),
        "arr": usd(rng, 0, 1e6),
        "runway": usd(rng, 0, 30),
        "compute": usd(rng, 0, 1e4),
        "training": usd(rng, 0, 1e4),
        "gap": usd(rng, 0, 1),
        "partner_share": usd(rng, 0, 1e3),
        "partner_concentration": rng.random(N),
        "risk_costs": usd(rng, 0, 1e3),
        "other": usd(rng, 0, 1e4),
        "financing": usd(rng, 0, 1e6),
        "grants": usd(rng, 0, 1e5),
        "interest": usd(rng, 0, 1e4),
        "principal": usd(rng, 0, 1e4),
        "debt_balance": usd(rng, 0, 1e5, (N, D)),
        "customers": usd(rng, 0, 100, (N, S)),
        "founder_ownership": rng.random(N),
        "rounds_closed": rng.integers(0, R, N),
    }
    record = run_both(
        rule, dict(alive=alive, alive_start=alive_start, acc=acc, team=team, flows=flows, partner=partner, **kwargs)
    )
    dead = ~alive
    for name in ("engineering_fte", "headcount", "customers", "pipeline", "arr", "partners_active"):
        assert (np.asarray(record[name])[dead] == 0).all(), name
    for name in ("quality_gap", "support_load"):
        assert np.isnan(np.asarray(record[name])[dead]).all(), name
    assert (np.asarray(record["customers_by_segment"])[dead] == 0).all()

    # a path dead before the month: the block's masked record is the DES's dead record, entry by entry
    cash, owned, closed = usd(rng, -1e5, 0), rng.random(N), rng.integers(0, R, N)
    frozen = mask_dead(
        record,
        jnp.asarray(alive_start),
        dead_record(jnp.asarray(cash, jnp.float32), jnp.asarray(owned, jnp.float32), jnp.asarray(closed), S, xp=jnp),
        xp=jnp,
    )
    assert set(frozen) == set(record)
    for i in np.flatnonzero(~alive_start):
        single = dead_record(float(np.float32(cash[i])), float(np.float32(owned[i])), int(closed[i]), S)
        for name, value in frozen.items():
            expected = single.get(name, 0.0)
            np.testing.assert_allclose(np.asarray(value)[i], expected, rtol=1e-6, equal_nan=True, err_msg=name)
            assert np.asarray(value).dtype == np.asarray(record[name]).dtype, name
    for i in np.flatnonzero(alive_start):
        for name, value in frozen.items():
            np.testing.assert_array_equal(np.asarray(value)[i], np.asarray(record[name])[i], err_msg=name)


def funding_state(rng, t=5.0):
    status = rng.choice([WAITING, RAISING, CLOSED, ABANDONED], (N, R), p=[0.3, 0.2, 0.4, 0.1]).astype(np.int32)
    close_month = np.where(status == CLOSED, rng.choice([t, t - 1.0, t - 3.0], (N, R)), -1.0)
    investors = np.where(status == CLOSED, rng.uniform(0.02, 0.1, (N, R)), 0.0)
    pool = np.full(N, 0.1)
    founders = 1.0 - pool - 0.05 - investors.sum(axis=1)
    drawn = rng.random((N, D)) < 0.5
    return SimpleNamespace(
        status=status,
        close_month=close_month,
        closed_pre_money=np.where(status == CLOSED, usd(rng, 4e6, 2e7, (N, R)), np.nan),
        debt_balance=np.where(drawn, usd(rng, 1e5, 1e6, (N, D)), 0.0),
        debt_drawn_at=np.where(drawn, rng.choice([0.0, 2.0, 4.0, 5.0], (N, D)), -1.0),
        founder_ownership=founders,
        other_ownership=np.full(N, 0.05),
        pool_ownership=pool,
        investor_ownership=investors,
        outstanding=(status == CLOSED) & (rng.random((N, R)) < 0.3),
        next_try=rng.choice([0.0, 6.0, 9.0], (N, R)),
        exit_kind=np.zeros(N, np.int32),
        exit_month=np.full(N, -1.0),
        exit_value=np.zeros(N),
        exit_debt=np.zeros(N),
        round_amount=usd(rng, 5e5, 5e6, (N, R)),
    )


def funding_params(rng, t=5.0):
    amount = usd(rng, 5e5, 5e6, (N, R))
    is_safe = (rng.random((N, R)) < 0.3).astype(float)
    return SimpleNamespace(
        amount=amount,
        is_safe=is_safe,
        debt_round=rng.choice([-1.0, 0.0, 1.0, 2.0], (N, D)),
        debt_draw_month=rng.choice([t, t + 1, np.inf], (N, D)),
        debt_amount=usd(rng, 1e5, 2e6, (N, D)),
        debt_rate=rng.choice([0.0, 0.08, 0.12], (N, D)),
        debt_interest_only=rng.choice([0.0, 2.0, 12.0], (N, D)),
        debt_amortization=rng.choice([3.0, 24.0], (N, D)),
        debt_warrants=rng.uniform(0, 0.2, (N, D)),
        debt_min_cash=np.full((N, D), -np.inf),
        grant_month=rng.choice([-1.0, t, t + 2], (N, 2)),
        grant_amount=usd(rng, 1e5, 3e5, (N, 2)),
        bridge_of=np.broadcast_to(np.array([-1.0, 0.0, -1.0]), (N, R)).copy(),
        trigger_runway=rng.choice([6.0, 12.0, 18.0], (N, R)),
        milestone_arr=rng.choice([1e6, np.inf], (N, R)),
        earliest_month=rng.choice([0.0, 6.0, 12.0], (N, R)),
        pre_money=usd(rng, 1.0, 1.5, (N, R)),
        ipo_threshold=rng.choice([5e6, np.inf], N),
        ipo_multiple=rng.uniform(5, 15, N),
        acquisition_hazard=rng.choice([0.0, 0.3], N),
        acquisition_reference_arr=np.full(N, 1e6),
        acquisition_elasticity=rng.uniform(0, 1, N),
        acquisition_multiple=rng.uniform(2, 6, N),
        acquihire_probability=rng.choice([0.0, 0.5, 1.0], N),
        acquihire_value_per_head=np.full(N, 1e6),
        asset_sale=usd(rng, 0, 1e6),
        preference=np.ones((N, R)),
        participation=rng.choice([0.0, 1.0, 2.0], (N, R)),
        cap_multiple=np.full((N, R), 3.0),
        seniority=rng.choice([0.0, 1.0], (N, R)),
        arr_floor=rng.choice([0.01, 1.0], (N, R)),
        momentum_weight=rng.choice([0.0, 1.0], (N, R)),
        growth_reference=np.full(N, 2.0),
        burn_multiple_reference=np.full(N, 2.0),
        min_amount_ratio=rng.choice([0.0, 0.15 / 0.85], (N, R)),
        max_amount_ratio=rng.choice([np.inf, 0.25 / 0.75], (N, R)),
        # funding.instruments: the non-priced rounds are a post-money SAFE, a note and a pre-money SAFE by column
        kind=np.where(is_safe > 0, np.array([1.0, 3.0, 2.0]), 0.0),
        interest_rate=np.full((N, R), 0.08),
        # the failure policy's traction bars (own generator: the draws above stay as they were)
        **traction_bars(np.random.default_rng(14)),
    )


def traction_bars(rng):
    """The failure policy's traction bars (paths,): off (+inf ARR) or $1M growing 2× (policy.on_round_failure)."""
    return {
        "retry_min_arr": rng.choice([np.inf, 1e6], N),
        "retry_min_growth": np.full(N, 2.0),
        "waive_min_arr": rng.choice([np.inf, 1e6], N),
        "waive_min_growth": np.full(N, 2.0),
    }


def test_debt_month(rng):
    """Draw rule, service (masked by alive), warrants, grants: the whole debt month agrees; some facilities are
    drawn, some serviced, and a path not alive pays and draws nothing."""
    state, f = funding_state(rng), funding_params(rng)
    alive = rng.random(N) < 0.8
    update, month, grants = run_both(step_debt, {"state": state, "f": f, "t": 5.0, "alive": alive})
    drawn, interest = np.asarray(month.drawn), np.asarray(month.interest)
    assert (drawn > 0).any() and (interest > 0).any() and (np.asarray(month.warrants) > 0).any()
    assert (drawn[~alive] == 0).all() and (interest[~alive] == 0).all() and (np.asarray(grants)[~alive] == 0).all()
    np.testing.assert_allclose(
        np.asarray(update.founder_ownership)
        + np.asarray(update.other_ownership)
        + np.asarray(update.pool_ownership)
        + np.asarray(update.investor_ownership).sum(axis=1),
        1.0,
        rtol=1e-5,
    )
    run_both(draw_due, {"status": state.status, "close_month": state.close_month, "t": 5.0, "f": f})
    run_both(
        warrant_post_money,
        {
            "status": state.status,
            "close_month": state.close_month,
            "closed_pre_money": state.closed_pre_money,
            "amount": f.amount,
            "is_safe": f.is_safe,
        },
    )
    run_both(grant_inflow, {"grant_month": f.grant_month, "grant_amount": f.grant_amount, "t": 5.0, "alive": alive})


def test_covenant(rng):
    args = {
        "balance": usd(rng, 0, 1e6, (N, D)),
        "cash": usd(rng, 0, 2e6),
        "min_cash": usd(rng, 0, 2e6, (N, D)),
        "alive": rng.random(N) < 0.8,
    }
    _, _repaid, called = run_both(call_loans, args)
    assert 0 < np.asarray(called).sum() < N


def test_round_start_and_bridges(rng):
    state, f = funding_state(rng), funding_params(rng)
    args = {
        "status": state.status,
        "next_try": state.next_try,
        "params": f,
        "now": 6.0,
        "runway": usd(rng, 0, 24),
        "arr": rng.choice([0.0, 2e6], N),
        "active": rng.random(N) < 0.9,
    }
    start = np.asarray(run_both(start_due, args))
    # the policy's traction: growth and failed attempts (own generator: the draws above unchanged); the bridge
    # (column 1) never starts on its own, as the engines' params say (trigger −∞, no milestone)
    more = np.random.default_rng(15)
    trigger, milestone = f.trigger_runway.copy(), f.milestone_arr.copy()
    trigger[:, 1], milestone[:, 1] = -np.inf, np.inf
    bridged = SimpleNamespace(**(vars(f) | {"trigger_runway": trigger, "milestone_arr": milestone}))
    traction = {"growth": more.choice([1.0, 3.0], N), "attempts": more.choice([0.0, 2.0], (N, R)), "params": bridged}
    retried = np.asarray(run_both(start_due, args | traction))
    assert (retried.sum(axis=1) <= 1).all()  # still one round at a time (the reopening by hand: test_traction_retry)
    assert start.any() and (start.sum(axis=1) <= 1).all()  # rounds are raised in order: one at a time
    failed = np.zeros((N, R), bool)
    failed[np.arange(N), 0] = rng.random(N) < 0.5
    eligible, _pre = run_both(
        bridge_due,
        {"bridge_of": f.bridge_of, "status": state.status, "failed": failed, "pre_money": usd(rng, 1e6, 1e7, (N, R))},
    )
    eligible = np.asarray(eligible)
    assert eligible.any()
    np.testing.assert_array_equal(eligible[:, 1], failed[:, 0] & (state.status[:, 1] == WAITING))
    assert not eligible[:, [0, 2]].any()


def test_attempt_odds_and_failure(rng):
    """An attempt's odds and price, and what a failure does (one more attempt; abandoned at the maximum, else
    waiting until the retry time), agree."""
    state, f = funding_state(rng), funding_params(rng)
    f.success_probability, f.reference_arr = rng.uniform(0.2, 0.8, (N, R)), rng.choice([1e6, np.inf], (N, R))
    f.success_elasticity, f.valuation_elasticity = rng.uniform(0, 1, (N, R)), rng.uniform(0, 1, (N, R))
    f.down_round_factor, f.max_attempts, f.retry_delay = (
        np.full((N, R), 0.8),
        rng.choice([1.0, 3.0], (N, R)),
        np.full((N, R), 2.0),
    )
    attempts = rng.choice([0.0, 1.0, 2.0], (N, R))
    odds = {
        "params": f,
        "arr": rng.choice([0.0, 5e5, 3e6], N)[:, None],
        "climate": rng.uniform(0.7, 1.3, N)[:, None],
        "attempts": attempts,
    }
    run_both(attempt_odds, odds)
    run_both(attempt_odds, odds | {"success_probability": rng.uniform(0, 1, (N, R))})
    run_both(attempt_odds, odds | {"momentum": rng.uniform(-1, 1, (N, R))})
    score, amount = run_both(  # traction pricing at a start: momentum and the amount within the dilution range
        attempt_start,
        {
            "params": f,
            "arr": rng.choice([0.0, 5e5, 3e6], N),
            "new_arr_pace": rng.choice([-2e4, 0.0, 5e4, 2e5], N),
            "burn_pace": rng.choice([-1e5, 0.0, 1e5, 4e5], N),
            "climate": rng.uniform(0.7, 1.3, N)[:, None],
            "attempts": attempts,
        },
    )
    assert (np.asarray(score) != 0).any() and (np.asarray(amount) != f.amount).any()
    failed = rng.random((N, R)) < 0.5
    _attempts_after, status, _next_try = run_both(
        after_failure,
        {
            "failed": failed,
            "attempts": attempts,
            "status": state.status,
            "next_try": state.next_try,
            "resolved_at": 7.0,
            "params": f,
        },
    )
    status = np.asarray(status)
    np.testing.assert_array_equal(
        status[failed], np.where(attempts[failed] + 1 >= f.max_attempts[failed], ABANDONED, WAITING)
    )
    np.testing.assert_array_equal(status[~failed], state.status[~failed])


def test_exit_outcome_and_settlement(rng):
    """Outcome and precedence agree (IPO before acquisition; a death is an acqui-hire or a shutdown), and the
    exit clears the debt into ``exit_debt``."""
    f, state = funding_params(rng), funding_state(rng)
    survived = rng.random(N) < 0.7
    args = {
        "survived": survived,
        "died": ~survived & (rng.random(N) < 0.8),
        "arr": rng.choice([0.0, 5e5, 2e6, 8e6], N),
        "headcount": rng.integers(0, 20, N).astype(float),
        "u_acquired": rng.random(N) * 0.1,
        "u_acquihire": rng.random(N),
        "f": f,
    }
    # one of each: an IPO (path 0), an acquisition (1), an acqui-hire (2), a shutdown (3)
    survived[:2], args["died"][:4] = True, [False, False, True, True]
    args["arr"][:2], f.ipo_threshold[:2], f.acquisition_hazard[1], args["u_acquired"][1] = 8e6, [5e6, np.inf], 0.3, 0.0
    f.acquihire_probability[2:4], args["u_acquihire"][2:4] = 0.5, [0.1, 0.9]
    kind, value = run_both(exit_outcome, args)
    kind = np.asarray(kind)
    assert {NO_EXIT, ACQUISITION, IPO, ACQUIHIRE, SHUTDOWN} <= set(kind.tolist())
    assert ((kind == IPO) <= (survived & (args["arr"] >= f.ipo_threshold))).all()
    update = run_both(settle_exit, {"state": state, "kind": kind, "value": np.asarray(value, np.float64), "t": 5.0})
    happened = kind != NO_EXIT
    np.testing.assert_allclose(
        np.asarray(update.exit_debt)[happened], state.debt_balance.sum(axis=1)[happened], rtol=1e-6
    )
    assert (np.asarray(update.debt_balance)[happened] == 0).all()


def test_exit_proceeds(rng):
    f, state = funding_params(rng), funding_state(rng)
    state.exit_kind = rng.choice([NO_EXIT, IPO, SHUTDOWN], N).astype(np.int32)
    state.exit_value, state.exit_debt = usd(rng, 0, 1e8), usd(rng, 0, 1e6)
    founders, _rounds = run_both(exit_proceeds, {"state": state, "params": f})
    assert (np.asarray(founders)[state.exit_kind == NO_EXIT] == 0).all()
    assert (np.asarray(founders)[state.exit_kind == IPO] > 0).any()


@pytest.mark.parametrize(
    ("status", "attempts", "debt", "code"),
    [
        ([RAISING, WAITING], [0, 0], 0.0, "raising:seed"),
        ([WAITING, WAITING], [1, 0], 0.0, "retry_too_late:seed"),
        ([WAITING, WAITING], [0, 0], 0.0, "not_started:seed"),
        ([CLOSED, ABANDONED], [0, 2], 0.0, "abandoned:series_a"),
        ([CLOSED, CLOSED], [0, 0], 1e5, "spent_raised_and_borrowed"),
        ([CLOSED, CLOSED], [0, 0], 0.0, "spent_raised"),
        ([CLOSED, RAISING], [0, 0], 0.0, "raising:series_a"),
    ],
)
def test_death_cause_codes(status, attempts, debt, code):
    names = ["seed", "series_a"]
    assert death_cause(np.array(status), np.array(attempts), np.array([-1, -1]), np.array([debt]), names) == code
    assert death_cause(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(1), []) == "no_funding"
    assert describe("abandoned:series_a") == "series_a abandoned after failed attempts"


def test_instruments(rng):
    """funding.instruments on the block and on each path: a priced round converting post-money and pre-money
    SAFEs and notes (with interest, MFN, pro rata, a pool top-up and granted options), and the month end's
    grants noted and notes maturing (converted or repaid); ownership sums to 1."""
    from venturesim.funding.instruments import step_notes
    from venturesim.funding.ownership import Holders
    from venturesim.funding.rounds import close_rounds

    state, f = funding_state(rng), funding_params(rng)
    f.discount = np.where(f.is_safe > 0, rng.choice([0.0, 0.2], (N, R)), 0.0)
    f.pool_target = rng.choice([-1.0, 0.1, 0.15], (N, R))
    f.mfn = (rng.random((N, R)) < 0.5).astype(float)
    f.pro_rata = (rng.random((N, R)) < 0.5).astype(float)
    f.maturity = np.where(f.kind == 3, rng.choice([2.0, 12.0], (N, R)), np.inf)
    f.repay_at_maturity = np.broadcast_to((np.arange(N) % 2.0)[:, None], (N, R)).copy()  # odd paths repay
    state.outstanding = (state.outstanding & (f.is_safe > 0)) | ((state.status == CLOSED) & (f.kind == 3))
    state.closed_pre_money = np.where(state.status == CLOSED, state.closed_pre_money, 1.0)
    # paths 0-7 hold a note (round 1) closed in month 2 and due at month 4: even paths convert, odd ones repay
    state.status[:8, 1], state.close_month[:8, 1], state.outstanding[:8, 1] = CLOSED, 2.0, True
    state.closed_pre_money[:8, 1], state.investor_ownership[:8, 1] = 9e6, 0.05
    state.founder_ownership[:8] = 1.0 - 0.1 - 0.05 - state.investor_ownership[:8].sum(axis=1)
    f.is_safe[:8, 1], f.kind[:8, 1], f.maturity[:8, 1] = 1.0, 3.0, 2.0
    state.pool_granted = rng.uniform(0, 0.5, N)
    state.founders_at_start = np.full(N, 0.9)
    column = rng.choice(R, N)  # the round closing on each path (none where that round had closed)
    success = (np.arange(R) == column[:, None]) & (state.status[np.arange(N), column] != CLOSED)[:, None]
    pre_money = usd(rng, 8e6, 2e7, (N, R))
    f.amount = state.round_amount

    def close(state, success, pre_money, params, xp):
        return close_rounds(Holders.of(state), success, pre_money, params, xp=xp, book=state, t=5.0)

    new, _ = run_both(close, {"state": state, "success": success, "pre_money": pre_money, "params": f})
    total = np.asarray(new.founders) + np.asarray(new.others) + np.asarray(new.pool) + np.asarray(new.investors).sum(1)
    np.testing.assert_allclose(total, 1.0, rtol=1e-5)
    alive = (rng.random(N) < 0.8) | (np.arange(N) < 8)
    _, notes = run_both(
        step_notes,
        {"state": state, "f": f, "t": 5.0, "alive": alive, "net_granted": usd(rng, 0, 0.01)},
        scales={"interest": float(np.max(state.round_amount))},  # interest = owed − principal, in float32
    )
    assert np.asarray(notes.converted).any() and np.asarray(notes.repaid).any()


def block_and_paths(rule, args: dict) -> tuple[list, list, str]:
    """``rule(**args, xp=…)`` jitted on the block and on each path (NumPy): (the block's output arrays, each path's,
    the block's jaxpr as text). A new function is traced each call (with the module attributes of the moment)."""
    import jax

    def on_block(arrays):  # namespaces travel as dicts (no pytree)
        return rule(**{k: SimpleNamespace(**v) if isinstance(v, dict) else v for k, v in arrays.items()}, xp=jnp)

    b = {k: vars(v) if isinstance(v, SimpleNamespace) else v for k, v in block(args).items()}
    batched = [np.asarray(v) for _, v in leaves(jax.jit(on_block)(b))]
    single = [[np.asarray(v) for _, v in leaves(rule(**path(args, i), xp=np))] for i in range(N)]
    return batched, single, str(jax.make_jaxpr(on_block)(b))


def assert_same_outputs(one: tuple, other: tuple) -> None:
    """Two :func:`block_and_paths` results hold the same arrays, bit for bit, on the block and on every path."""
    for a, b in zip(one[0], other[0], strict=True):
        np.testing.assert_array_equal(a, b)
    for path_one, path_other in zip(one[1], other[1], strict=True):
        for a, b in zip(path_one, path_other, strict=True):
            np.testing.assert_array_equal(a, b)


def assert_skipping_is_exact(monkeypatch, rule, args: dict, conds: int):
    """``rule(**args, xp=…)`` on the block (jitted: its ``venturesim._xp.when`` branch with ``lax.cond``; ``conds``
    of them in its trace) and on each path (NumPy) gives bit for bit what it gives with every skippable piece of
    work done."""
    from venturesim.funding import instruments, rounds

    skipped = block_and_paths(rule, args)
    for module in (rounds, instruments):
        monkeypatch.setattr(module, "when", lambda xp, needed, work, skip, *operands: work(*operands))
    worked = block_and_paths(rule, args)
    assert (skipped[2].count(" cond["), worked[2].count(" cond[")) == (conds, 0)  # branched, then did all the work
    assert_same_outputs(skipped, worked)


def instrument_book(rng):
    """A block's funding state and terms with SAFEs and notes outstanding (discounts, MFN, pro rata, pool
    targets, granted options)."""
    state, f = funding_state(rng), funding_params(rng)
    f.discount, f.pool_target = np.full((N, R), 0.2), rng.choice([-1.0, 0.1, 0.15], (N, R))
    f.mfn, f.pro_rata = np.ones((N, R)), np.ones((N, R))
    f.maturity = np.where(f.kind == 3, 12.0, np.inf)
    f.repay_at_maturity = np.broadcast_to((np.arange(N) % 2.0)[:, None], (N, R)).copy()
    state.pool_granted, state.founders_at_start = rng.uniform(0, 0.5, N), np.full(N, 0.9)
    f.amount = state.round_amount
    return state, f


@pytest.mark.parametrize("case", ["no priced round closes", "no instrument outstanding"])
def test_skipped_conversion_changes_nothing(rng, monkeypatch, case):
    """A priced round's conversion is skipped for a whole block where none closes, and its discount iterations
    where no instrument is outstanding: the cap table is what the work gives, bit for bit."""
    from venturesim.funding.ownership import Holders
    from venturesim.funding.rounds import close_rounds

    state, f = instrument_book(rng)
    column = rng.choice(R, N)
    success = (np.arange(R) == column[:, None]) & (state.status[np.arange(N), column] != CLOSED)[:, None]
    if case == "no priced round closes":
        success &= f.is_safe > 0  # only SAFEs and notes close
        assert success.any() and not (success & (f.is_safe == 0)).any()
    else:
        state.outstanding[:] = False
        assert (success & (f.is_safe == 0)).any()

    def close(state, success, pre_money, params, xp):
        return close_rounds(Holders.of(state), success, pre_money, params, xp=xp, book=state, t=5.0)

    args = {"state": state, "success": success, "pre_money": usd(rng, 8e6, 2e7, (N, R)), "params": f}
    assert_skipping_is_exact(monkeypatch, close, args, conds=2)


def test_no_note_due_changes_nothing(rng, monkeypatch):
    """The notes' maturity is skipped for a block where none is due (outstanding notes, none at its term): the
    cap table and the month's payments are what the work gives, bit for bit; the team's grants are noted."""
    from venturesim.funding.instruments import step_notes

    state, f = instrument_book(rng)
    state.outstanding |= (state.status == CLOSED) & (f.kind == 3)
    assert state.outstanding[f.kind == 3].any()
    args = {"state": state, "f": f, "t": 5.0, "alive": np.ones(N, bool), "net_granted": usd(rng, 0, 0.01)}
    assert_skipping_is_exact(monkeypatch, step_notes, args, conds=1)


def test_every_round_priced_traces_no_conversion(rng):
    """A scenario whose rounds are all priced and hold no note samples ``FundingParams.discount`` and ``.maturity``
    as None: the conversion's MFN and discount iterations and the notes' maturity are then not traced at all (no
    ``cond`` left, fewer equations), and the cap table and the month's notes are what the full rules give, bit for
    bit, on the block and on each path (nothing is ever outstanding)."""
    from venturesim.funding.instruments import step_notes
    from venturesim.funding.ownership import Holders
    from venturesim.funding.rounds import close_rounds

    state, full = instrument_book(rng)
    full.kind, full.is_safe, full.maturity = np.zeros((N, R)), np.zeros((N, R)), np.full((N, R), np.inf)
    state.outstanding[:] = False
    column = rng.choice(R, N)
    success = (np.arange(R) == column[:, None]) & (state.status[np.arange(N), column] != CLOSED)[:, None]
    assert success.any()
    bare = SimpleNamespace(**{**vars(full), "discount": None, "maturity": None})

    def month_end(state, success, pre_money, params, alive, net_granted, xp):
        holders, granted = close_rounds(Holders.of(state), success, pre_money, params, xp=xp, book=state, t=5.0)
        return holders, granted, step_notes(state, params, 5.0, alive, net_granted, xp=xp)

    args = {"state": state, "success": success, "pre_money": usd(rng, 8e6, 2e7, (N, R)), "alive": np.ones(N, bool)}
    args["net_granted"] = usd(rng, 0, 0.01)
    traced = block_and_paths(month_end, {**args, "params": full})
    bare_traced = block_and_paths(month_end, {**args, "params": bare})
    assert traced[2].count(" cond[") == 3 and bare_traced[2].count(" cond[") == 1  # only "does a round close"
    assert len(bare_traced[2].splitlines()) < 0.6 * len(traced[2].splitlines())
    assert_same_outputs(traced, bare_traced)
