"""MarketLimits in the market's month, both engines: the support load's churn multiplier, partners' exit
churn, the cap on sales-led wins — and no change at all when a limit is absent or neutral.

Hand-worked figures: a churn multiplier min(max(ρ, 1)^η, M_max) at ρ = 2 is 2^η; a month's churn c and a
partner exit share f combine to c' = 1 − (1 − c)(1 − f) (c = 0.03, f = 0.2: c' = 1 − 0.97 · 0.8 = 0.224).
Statistical checks: the mean churned customers of month 0 over P paths within 3 standard errors of
n c', SE = √(n c'(1 − c')/P) (binomial).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from market.kernel_runner import market_params, market_scenario, segment

from venturesim.market.process import MarketBook, market_month
from venturesim.market.step import MarketLimits, QualityEffect, cap_wins, init_market, step_market, support_multiplier

N = 10_000  # customers at month 0
JAX_PATHS, DES_PATHS = 2048, 400


# ---- the formulas ------------------------------------------------------------------------------


@pytest.mark.parametrize("xp", [np, jnp])
def test_support_multiplier_by_hand(xp):
    m = partial(support_multiplier, xp=xp)
    load, mult = m(
        xp.asarray([1000.0, 150.0, 3000.0, 50.0, 0.0, 50.0]),
        xp.asarray([500.0, 300.0, 300.0, 0.0, 0.0, 0.0]),
        xp.asarray([0.5, 0.5, 0.5, 0.5, 0.5, 0.0]),
        xp.asarray([3.0] * 6),
    )
    # ρ = 2 → 2^0.5 = 1.4142136; ρ = 0.5 → 1 (no discount for spare capacity); ρ = 10 → 10^0.5 = 3.1623 capped
    # at 3; customers and no support → ρ = +∞, M = M_max; nobody to serve → ρ = 0, M = 1; η = 0 → 1 always
    np.testing.assert_allclose(np.asarray(load), [2.0, 0.5, 10.0, np.inf, 0.0, np.inf])
    np.testing.assert_allclose(np.asarray(mult), [math.sqrt(2), 1.0, 3.0, 3.0, 1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("xp", [np, jnp])
def test_cap_wins_by_hand(xp):
    won = xp.asarray([[1.0, 1.0, 1.0], [5.0, 3.0, 0.0], [2.0, 0.0, 7.0], [4.0, 4.0, 0.0]])
    cap = xp.asarray([2.0, 4.0, 20.0, 0.0])
    # (1, 1, 1) → 2: ⌊2/3⌋ = 0 each, remainders 2, 2, 2 tie → the first two segments get one each;
    # (5, 3, 0) → 4: ⌊20/8⌋ = 2, ⌊12/8⌋ = 1, left 1, remainders 4, 4 tie → segment 0: (3, 1, 0);
    # 9 wins under a cap of 20: unchanged; a cap of 0 keeps nothing
    np.testing.assert_array_equal(np.asarray(cap_wins(won, cap, xp=xp)), [[1, 1, 0], [3, 1, 0], [2, 0, 7], [0, 0, 0]])


@given(st.lists(st.integers(0, 40), min_size=1, max_size=4), st.integers(0, 60))
def test_cap_wins_keeps_min_of_wins_and_cap_never_more_than_won(wins, cap):
    won = np.asarray([wins], np.float64)
    kept = cap_wins(won, np.asarray([float(cap)]), xp=np)[0]
    assert kept.sum() == min(sum(wins), cap)
    assert np.all((kept >= 0) & (kept <= won[0])) and np.all(kept == np.round(kept))
    if sum(wins) > cap:  # proportional up to one deal: |kept_s − won_s C/W| < 1
        assert np.all(np.abs(kept - won[0] * cap / sum(wins)) < 1)


# ---- runs --------------------------------------------------------------------------------------


@partial(jax.jit, static_argnames="months")
def _scan(params, key, limits, months: int):
    n = params.market_size.shape[0]
    ones = jnp.ones(n, jnp.float32)
    active = jnp.ones(n, bool)

    def body(state, t):
        state, flows = step_market(
            jax.random.fold_in(key, t), state, params, t, active, QualityEffect(ones, ones, ones), limits
        )
        return state, flows

    return jax.lax.scan(body, init_market(params), jnp.arange(months))[1]


def kernel(spec, limits, paths=JAX_PATHS, months=1, seed=0):
    """The JAX flows, each (months, paths, ...); ``limits`` holds (paths,)/(paths, S) arrays or None."""
    params = market_params(spec, paths, months, seed)
    flows = _scan(params, jax.random.key(seed + 1), limits, months)
    return jax.tree_util.tree_map(np.asarray, flows)


def des(spec, limits, paths=DES_PATHS, months=1, seed=0):
    """The DES flows per path and month: {name: (paths, months, ...)}; ``limits`` holds one path's floats."""
    params = market_params(spec, paths, months, seed)
    out = {}
    for i in range(paths):
        m = jax.tree_util.tree_map(lambda a, i=i: np.asarray(a[i], np.float64), params)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 7, i]))
        customers, adopters, book = m.initial_customers.copy(), m.initial_customers.copy(), None
        for t in range(months):
            month = market_month(rng, customers, adopters, m, t, QualityEffect(1.0, 1.0, 1.0), book, limits)
            customers, adopters, book = month.customers, month.adopters, month.book
            for name, value in month.flows._asdict().items():
                out.setdefault(name, [[] for _ in range(paths)])[i].append(np.asarray(value, np.float64))
    return {name: np.asarray(v) for name, v in out.items()}


def within_3se(churned, n, c):
    se = math.sqrt(n * c * (1 - c) / churned.size)
    assert abs(churned.mean() - n * c) < 3 * se, (churned.mean(), n * c, se)


def limits_for(paths, *, support=None, exit_share=None, cap=None, segments=1, row=False):
    """MarketLimits as the JAX engine passes them ((paths,) arrays) or as the DES does (one path: floats)."""

    def full(v, shape=()):
        return np.full(shape, v) if row else jnp.full((paths,) + shape, v, jnp.float32)

    fields = {}
    if support is not None:  # (capacity, η, M_max)
        fields |= {
            "support_capacity": full(support[0]),
            "support_elasticity": full(support[1]),
            "support_max_multiplier": full(support[2]),
        }
    if exit_share is not None:
        fields["exit_churn"] = full(exit_share, (segments,))
    if cap is not None:
        fields["deal_cap"] = full(cap)
    return MarketLimits(**fields)


# ---- churn: support load and exit churn ---------------------------------------------------------

C0 = 0.02  # the segment's monthly churn
GROUPS = [
    # (support capacity, η, M_max, exit share f, c' by hand) for 10,000 customers at the month start
    (5_000.0, 1.0, 3.0, 0.0, 0.04),  # ρ = 2: 0.02 · 2^1
    (5_000.0, 0.5, 3.0, 0.0, 0.02 * math.sqrt(2)),  # 0.02 · 2^0.5 = 0.0282843
    (1_000.0, 1.0, 3.0, 0.0, 0.06),  # ρ = 10: 0.02 · min(10, 3)
    (1.0, 0.0, 3.0, 0.2, 0.02 + 0.2 * 0.98),  # η = 0: no load effect; exit 1 − 0.98 · 0.8 = 0.216
    (5_000.0, 1.0, 3.0, 0.2, 0.04 + 0.2 * 0.96),  # both: 1 − 0.96 · 0.8 = 0.232
]


def group_limits(paths_per_group, row=None):
    """Every field of MarketLimits but the deal cap: the JAX arrays by group, or path ``row``'s floats."""
    table = np.repeat(np.array([g[:4] for g in GROUPS]), paths_per_group, axis=0)  # (paths, 4)
    if row is not None:
        capacity, eta, most, f = table[row]
        return MarketLimits(
            support_capacity=capacity, support_elasticity=eta, support_max_multiplier=most, exit_churn=np.array([f])
        )
    a = jnp.asarray(table, jnp.float32)
    return MarketLimits(
        support_capacity=a[:, 0], support_elasticity=a[:, 1], support_max_multiplier=a[:, 2], exit_churn=a[:, 3:4]
    )


@pytest.mark.parametrize("ages", [False, True], ids=["totals", "sBG ages"])
def test_month_zero_churn_within_three_standard_errors(ages):
    # with sBG churn the age-0 hazard is churn · κ/(κ + 0) = churn: the same c' by age
    seg = segment(initial_customers=N, churn=C0) | ({"churn_concentration": 5.0} if ages else {})
    spec = market_scenario([seg])
    per, per_des = JAX_PATHS // 4, DES_PATHS // 4
    jax_flows = kernel(spec, group_limits(per), paths=per * len(GROUPS))
    churned = jax_flows.churned_customers[0, :, 0].reshape(len(GROUPS), per)
    params = market_params(spec, 1, 1)
    row = jax.tree_util.tree_map(lambda a: np.asarray(a[0], np.float64), params)
    rng = np.random.default_rng(5)
    des_churned = np.array(
        [
            market_month(
                rng,
                row.initial_customers.copy(),
                row.initial_customers.copy(),
                row,
                0,
                QualityEffect(1.0, 1.0, 1.0),
                None,
                group_limits(per_des, row=i),
            ).churned[0]
            for i in range(per_des * len(GROUPS))
        ]
    ).reshape(len(GROUPS), per_des)
    for g, (*_, expected) in enumerate(GROUPS):
        within_3se(churned[g], N, expected)
        within_3se(des_churned[g], N, expected)
    # the recorded load: customers at the month start / capacity
    np.testing.assert_allclose(
        jax_flows.support_load[0].reshape(len(GROUPS), per)[:, 0], [N / g[0] for g in GROUPS], rtol=1e-6
    )


# ---- neutral limits change nothing, bit for bit; the cap on sales-led wins ----------------------

MIXED = market_scenario(
    [
        segment(
            "self",
            market_size=5_000,
            bass_p_annual=0.3,
            bass_q_annual=0.5,
            churn=0.03,
            initial_customers=40,
            churn_concentration=4.0,
        ),
        segment(
            "ent",
            market_size=800,
            bass_p_annual=0.25,
            bass_q_annual=0.2,
            churn=0.01,
            initial_customers=5,
            sales={"cycle_months": 1.5, "cycle_cv": 0.5, "win_rate": 0.4, "max_cycle_months": 4},
        ),
    ]
)
PATHS, MONTHS, CAP = 64, 10, 6.0


def mixed_limits(cap, row=False):
    """Exit share 0 (c + 0 · (1 − c) = c), η = 0 (multiplier 1.0) and a deal cap."""
    return limits_for(PATHS, support=(1.0, 0.0, 3.0), exit_share=0.0, cap=cap, segments=2, row=row)


@pytest.fixture(scope="module")
def mixed():
    return {
        "free": kernel(MIXED, None, PATHS, MONTHS),
        "neutral": kernel(MIXED, mixed_limits(1e6), PATHS, MONTHS),
        "capped": kernel(MIXED, mixed_limits(CAP), PATHS, MONTHS),
    }


@pytest.mark.slow  # two compilations of a 2-segment market with ages and deals: ~20 s on the CI machine
def test_neutral_limits_give_the_same_numbers_in_both_engines(mixed):
    base, same = mixed["free"], mixed["neutral"]
    for name in base._fields:
        if name != "support_load":
            np.testing.assert_array_equal(getattr(same, name), getattr(base, name), err_msg=name)
    assert np.isnan(base.support_load).all() and base.deals_won.sum() > 20 and base.churned_customers.sum() > 20
    base, same = des(MIXED, None, 16, MONTHS), des(MIXED, mixed_limits(1e6, row=True), 16, MONTHS)
    for name in base:
        if name != "support_load":
            np.testing.assert_array_equal(same[name], base[name], err_msg=name)


@pytest.mark.slow  # shares the compilations above
def test_jax_cap_keeps_min_of_wins_and_cap_exactly(mixed):
    # the cap does not touch any draw (adopters, pipeline and the win draws do not depend on it), so with
    # the same key the capped wins are min(uncapped, C) month by month, and the rest are lost
    free, capped = mixed["free"], mixed["capped"]
    np.testing.assert_array_equal(capped.deals_won, np.minimum(free.deals_won, CAP))
    np.testing.assert_array_equal(capped.deals_over_capacity, free.deals_won - capped.deals_won)
    np.testing.assert_array_equal(capped.deals_lost, free.deals_lost + capped.deals_over_capacity)
    binding = free.deals_won[..., 1] > CAP
    assert 0.1 < binding.mean() < 0.9, binding.mean()  # months above and below the cap both occur


def test_des_cap_binds_exactly():
    flows = des(MIXED, mixed_limits(CAP, row=True), 40, MONTHS)
    won, over = flows["deals_won"][..., 1], flows["deals_over_capacity"][..., 1]
    assert np.all(won <= CAP)
    assert np.all(won[over > 0] == CAP) and 0.1 < (over > 0).mean() < 0.9, (over > 0).mean()
    np.testing.assert_array_equal(flows["deals_won"][..., 0], 0)  # the self-serve segment has no deals


def test_des_keeps_the_first_wins_in_time():
    # two sales-led segments and four won deals due in month 3 at 3.9 (ent), 3.1 (eu), 3.5 (eu), 3.3 (ent);
    # a cap of 2 keeps the two earliest, 3.1 (eu) and 3.3 (ent): won (1, 1), lost to capacity (1, 1)
    spec = market_scenario(
        [
            segment("ent", sales={"cycle_months": 1.0, "win_rate": 1.0, "max_cycle_months": 3}),
            segment("eu", sales={"cycle_months": 1.0, "win_rate": 1.0, "max_cycle_months": 3}),
        ]
    )
    m = jax.tree_util.tree_map(lambda a: np.asarray(a[0], np.float64), market_params(spec, 1, 4))
    customers = m.initial_customers.copy()
    book = dataclasses.replace(
        MarketBook.start(m, customers),
        opened=np.ones(2, bool),
        deal_segment=np.array([0, 1, 1, 0]),
        deal_close_time=np.array([3.9, 3.1, 3.5, 3.3]),
        deal_close_month=np.full(4, 3),
        deal_won=np.ones(4, bool),
    )
    month = market_month(
        np.random.default_rng(0),
        customers,
        customers.copy(),
        m,
        3,
        QualityEffect(1.0, 1.0, 1.0),
        book,
        MarketLimits(deal_cap=2.0),
    )
    np.testing.assert_array_equal(month.flows.deals_won, [1, 1])
    np.testing.assert_array_equal(month.flows.deals_over_capacity, [1, 1])
    np.testing.assert_array_equal(month.flows.deals_lost, [1, 1])
    np.testing.assert_array_equal(month.new, [1, 1])
