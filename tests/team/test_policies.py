"""Reinvestment when profitable and the sale on a failed round (issue 14, :mod:`venturesim.team.policy`): the
shared rules by hand with numpy and jax.numpy, the exit rule they feed, and both engines on a seed that fails."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest
import yaml
from builders import SEED_ONLY_METRICS

import venturesim as vs
from venturesim.engine.month import failed_unbridged
from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING
from venturesim.funding.terms import ACQUISITION, NO_EXIT, SHUTDOWN
from venturesim.scenario.schema import Scenario
from venturesim.team._rules import growth_scale, operating_margin, reinvesting, sale_terms, scaled_plan
from venturesim.team.policy import Policy


class _P:
    """The policy fields the rules read (one path), as TeamParams holds them."""

    def __init__(self, xp, **kw):
        fields = {
            "deploy_runway": 24.0,
            "growth_step": 0.05,
            "max_scale": 3.0,
            "target_margin": np.inf,
            "target_burn_multiple": -np.inf,
            "reinvest_max_scale": 10.0,
            "reinvest_runway": 12.0,
            "sell_probability": 0.0,
            "sale_multiple": 1.0,
            "sale_cash_floor": 1.0,
            "sale_min_arr": 0.0,
            "sale_min_growth": 0.0,
        }
        fields.update(kw)
        for name, value in fields.items():
            setattr(self, name, xp.asarray(value, xp.float32))


@pytest.mark.parametrize("xp", [np, jnp])
def test_operating_margin_and_reinvesting_by_hand(xp):
    # Revenue $500k, net burn −$100k (a $100k profit): margin 20 %. No revenue: −inf (never reinvests).
    assert float(operating_margin(xp.asarray(5e5), xp.asarray(-1e5), xp=xp)) == pytest.approx(0.2)
    assert float(operating_margin(xp.asarray(0.0), xp.asarray(-1e5), xp=xp)) == -math.inf
    inf = xp.asarray(np.inf)  # runway of a profitable company
    off = _P(xp)  # neither target set: never
    assert not bool(reinvesting(xp.asarray(0.9), xp.asarray(0.5), inf, off, xp=xp))
    margin = _P(xp, target_margin=0.1)  # reinvest the profit above a 10 % margin
    assert bool(reinvesting(xp.asarray(0.2), xp.asarray(8.0), inf, margin, xp=xp))
    assert not bool(reinvesting(xp.asarray(0.05), xp.asarray(0.5), inf, margin, xp=xp))
    burn = _P(xp, target_burn_multiple=1.5)  # grow burn while a $ of net new ARR costs < $1.5 …
    assert bool(reinvesting(xp.asarray(-0.3), xp.asarray(1.2), xp.asarray(13.0), burn, xp=xp))
    assert not bool(reinvesting(xp.asarray(-0.3), xp.asarray(1.6), xp.asarray(13.0), burn, xp=xp))
    # … and more than a year of cash is left (the floor, 12 months)
    assert not bool(reinvesting(xp.asarray(-0.3), xp.asarray(1.2), xp.asarray(11.0), burn, xp=xp))


@pytest.mark.parametrize("xp", [np, jnp])
def test_growth_scale_by_hand(xp):
    p = _P(xp, target_burn_multiple=1.5)
    no, yes = xp.asarray(False), xp.asarray(True)
    # Use of funds: runway 30 > 24, scale 2 → 2 × 1.05 = 2.1; at 2.9 the ceiling 3 binds.
    assert float(growth_scale(xp.asarray(2.0), xp.asarray(30.0), no, p, xp=xp)) == pytest.approx(2.1)
    assert float(growth_scale(xp.asarray(2.9), xp.asarray(30.0), no, p, xp=xp)) == pytest.approx(3.0)
    # Reinvesting lifts the ceiling to 10, whatever the runway: 3 → 3.15; 9.8 → 10.
    assert float(growth_scale(xp.asarray(3.0), xp.asarray(5.0), no, p, xp=xp, reinvest=yes)) == pytest.approx(3.15)
    assert float(growth_scale(xp.asarray(9.8), xp.asarray(5.0), no, p, xp=xp, reinvest=yes)) == pytest.approx(10.0)
    # Reinvesting stops: the scale holds (no cut outside distress), above the use-of-funds ceiling too.
    assert float(growth_scale(xp.asarray(6.0), xp.asarray(30.0), no, p, xp=xp)) == pytest.approx(6.0)
    assert float(growth_scale(xp.asarray(6.0), xp.asarray(5.0), no, p, xp=xp)) == pytest.approx(6.0)
    # In distress the plan returns to what was written.
    assert float(growth_scale(xp.asarray(6.0), xp.asarray(30.0), yes, p, xp=xp, reinvest=yes)) == 1.0


def test_scaled_plan_rounds_a_half_up_in_both_precisions():
    """An exact half of the scaled plan's hires rounds up whether the growth scale was compounded in float32 (the
    kernel) or float64 (the DES): 110 × 1.05 = 115.5 and 10 × 3 × 1.05 = 31.5 once parted them (the kernel's
    1.05f × 110 = 115.49999 → 115, the DES's → 116; frontier_lab_mega_rounds and capital_heavy_foundation_model
    in tests/engine/test_same_uniforms.py)."""
    f32 = np.float32
    plan, base = np.asarray([[120.0, 16.0, 14.0]]), np.asarray([[10.0, 6.0, 4.0]])
    for start in (1.0, 3.0):  # one step from 1, and from the use-of-funds ceiling 3 on reinvesting
        p32 = _P(jnp, target_burn_multiple=1.5)
        p64 = _P(np, target_burn_multiple=1.5)
        p64.growth_step = float(f32(0.05))  # the DES reads the kernel's float32 params as float64
        s32 = growth_scale(
            jnp.asarray([start], jnp.float32),
            jnp.asarray([5.0]),
            jnp.asarray([False]),
            p32,
            xp=jnp,
            reinvest=jnp.asarray([True]),
        )
        s64 = growth_scale(
            np.asarray([start]), np.asarray([5.0]), np.asarray([False]), p64, reinvest=np.asarray([True])
        )
        assert s32.dtype == jnp.float32 and float(s32[0]) != float(s64[0])  # a few ulps apart
        kernel = np.asarray(scaled_plan(jnp.asarray(plan, jnp.float32), jnp.asarray(base, jnp.float32), s32, xp=jnp))
        des = scaled_plan(plan, base, s64)
        np.testing.assert_array_equal(kernel, des)
        expected = np.floor(base + (plan - base) * (start * 1.05) + 0.5 + 1e-9)  # the halves round up
        np.testing.assert_array_equal(des, expected)


@pytest.mark.parametrize("xp", [np, jnp])
def test_sale_terms_and_exit_by_hand(xp):
    from venturesim.funding.exits import exit_outcome

    p = _P(xp, sell_probability=0.4, sale_multiple=1.5, sale_cash_floor=1.0)
    # ARR $2M × 1.5 = $3M > $1M of cash: sold at $3M; ARR $200k × 1.5 = $300k < $1M: the cash floor, $1M.
    failed, arr, g = xp.asarray([True, True, False]), xp.asarray([2e6, 2e5, 2e6]), xp.asarray([3.0, 1.5, 3.0])
    q, value = sale_terms(failed, arr, xp.asarray(1e6), g, p, xp=xp)
    np.testing.assert_allclose(np.asarray(q), [0.4, 0.4, 0.0])
    np.testing.assert_allclose(np.asarray(value), [3e6, 1e6, 3e6])
    # A buyer wants ≥ $1M ARR growing ≥ 2× a year: only the first qualifies.
    picky = _P(xp, sell_probability=0.4, sale_multiple=1.5, sale_min_arr=1e6, sale_min_growth=2.0)
    q, _ = sale_terms(
        xp.asarray([True, True, True]), xp.asarray([2e6, 2e5, 2e6]), 1e6, g * xp.asarray([1, 1, 0.5]), picky, xp=xp
    )
    np.testing.assert_allclose(np.asarray(q), [0.4, 0.0, 0.0])

    class F:  # no acquisition hazard, IPO out of reach, no acqui-hire
        ipo_threshold, ipo_multiple = math.inf, 10.0
        acquisition_hazard, acquisition_reference_arr, acquisition_elasticity = 0.0, 1e6, 0.5
        acquisition_multiple = 5.0
        acquihire_probability, acquihire_value_per_head, asset_sale = 0.0, 0.0, 1e4

    arr = xp.asarray([2e6, 2e6, 2e6, 2e6])
    survived = xp.asarray([True, True, True, False])
    u = xp.asarray([0.1, 0.5, 0.1, 0.1])  # the acqui-hire's uniform: below q = 0.4 sells
    q, value = sale_terms(xp.asarray([True, True, False, True]), arr, xp.asarray(1e6), 1.0, p, xp=xp)
    kind, paid = exit_outcome(survived, ~survived, arr, 10.0, 0.99, u, F, xp=xp, sale=(q, value))
    # sold; not sold (u ≥ q); nothing failed; died this month (shut down: the sale needs a live company)
    np.testing.assert_array_equal(np.asarray(kind), [ACQUISITION, NO_EXIT, NO_EXIT, SHUTDOWN])
    np.testing.assert_allclose(np.asarray(paid), [3e6, 0.0, 0.0, 1e4])


def test_failed_unbridged_by_hand():
    # Path 0: the seed's attempt failed (WAITING again). Path 1: it failed, and its bridge closed — not
    # distressed. Path 2: abandoned after the last attempt. Path 3: still raising, nothing failed.
    before_attempts = np.zeros((4, 2))
    attempts = np.array([[1, 0], [1, 0], [2, 0], [0, 0]], float)
    before_attempts[2, 0] = 1
    before = np.array([[RAISING, WAITING], [RAISING, WAITING], [RAISING, WAITING], [RAISING, WAITING]])
    after = np.array([[WAITING, WAITING], [WAITING, CLOSED], [ABANDONED, WAITING], [RAISING, WAITING]])
    got = failed_unbridged(before_attempts, attempts, before, after, np)
    np.testing.assert_array_equal(got, [True, False, True, False])


def test_policy_schema_defaults_are_off():
    p = Policy()
    assert p.reinvest.target_operating_margin is None and p.reinvest.target_burn_multiple is None
    assert p.on_round_failure.sell_probability == 0.0
    assert p.on_round_failure.cut_while_raising_short_of_close_months is None
    with pytest.raises(ValueError, match="target_burn_multiple"):
        Policy.model_validate({"reinvest": {"target_burn_multiple": 0}})


# ---- both engines: a seed that always fails, sold on the failure --------------------------------------------


METRICS = SEED_ONLY_METRICS  # tests/builders.py: one compiled kernel for this file and two others


def _seed_only(policy: dict, success: float = 0.0) -> Scenario:
    """seed_stage_api with only its seed (closing with probability ``success``, twice tried), 24 months."""
    with open("scenarios/seed_stage_api.yaml") as fh:
        data = yaml.safe_load(fh)
    data["funding"]["rounds"] = [dict(data["funding"]["rounds"][0], success_probability=success)]
    data["simulation"]["months"] = 24
    data["policy"] = policy
    return Scenario.model_validate(data)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jax", "des"])
def test_failed_seed_is_sold_in_both_engines(engine):
    """With q = 1 every company whose seed attempt fails is sold at the month end of the failure, at
    max(ARR × 2, cash): no path dies after a failure, each exit is an acquisition whose value is that price."""
    policy = {"on_round_failure": {"sell_probability": 1.0, "sale_arr_multiple": 2.0}}
    kw = {"workers": 1} if engine == "des" else {}
    n = 16 if engine == "des" else 256
    r = vs.simulate(_seed_only(policy), engine=engine, paths=n, seed=3, metrics=METRICS, **kw)
    d = r.data
    kind, month, value = d["exit_kind"].values, d["exit_month"].values, d["exit_value"].values
    tried = d["round_status"].values[:, 0] != WAITING  # the seed started (and so failed) on these paths
    tried |= kind == ACQUISITION
    assert tried.sum() > n // 2
    sold = kind == ACQUISITION
    assert sold.sum() > n // 2
    assert (d["death_month"].values[sold] < 0).all()
    i = np.flatnonzero(sold)
    m = month[i].astype(int)
    # the month's ARR is 12 × its revenue (no partner here); the record shows an exited path's ARR as 0
    cash, arr = d["cash"].values[i, m], 12.0 * d["revenue"].values[i, m]
    np.testing.assert_allclose(value[i], np.maximum(2.0 * arr, cash), rtol=1e-4)
    assert (value[i] > 0).all()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jax", "des"])
def test_reinvestment_grows_past_the_use_of_funds_ceiling_in_both_engines(engine):
    """Growth 20 %/month from month 0: use of funds alone stops at 2× the plan's hires; reinvesting (a burn
    multiple target of 100, which every burn multiple meets: they are clipped to [0.5, 8]) goes on to 5×,
    reached at month 9 (1.2⁹ = 5.2). At month 12 the plan's hires above month 0 (5 people) are 2 ML + 2
    software engineers + 1 sales (5): 5 + 2 × 5 = 15 people without reinvestment, 5 + 5 × 5 = 30 with it
    (no time to fill in this scenario: a leaver is replaced the same month)."""
    growth = {"deploy_above_runway_months": 0, "step_per_month": 0.2, "max_scale": 2}
    on = {"growth": growth, "reinvest": {"target_burn_multiple": 100, "max_scale": 5, "min_runway_months": 0}}
    kw = {"workers": 1} if engine == "des" else {}
    n = 8 if engine == "des" else 256
    runs = {
        name: vs.simulate(_seed_only(policy, 1.0), engine=engine, paths=n, seed=3, metrics=METRICS, **kw)
        for name, policy in {"off": {"growth": growth}, "on": on}.items()
    }
    heads = {name: r.data["headcount"].values[:, 12] for name, r in runs.items()}
    alive = {name: (r.data["death_month"].values < 0) | (r.data["death_month"].values > 12) for name, r in runs.items()}
    assert alive["on"].mean() > 0.5 and alive["off"].mean() > 0.5
    # (the sales rule, one per $2M of new ARR a year, may ask for more than the plan's sales hire)
    off, on_ = heads["off"][alive["off"]], heads["on"][alive["on"]]
    assert off.min() == 15.0 and off.max() < 30.0, (off.min(), off.max())
    assert on_.min() == 30.0, on_.min()
    assert np.median(on_) >= np.median(off) + 10.0


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jax", "des"])
def test_hires_held_while_raising_in_both_engines(engine):
    """A seed that always fails, with and without holding hires while raising (threshold 10³ months: whenever the
    company burns; a profitable one has runway +∞ and hires), on common random numbers. The two runs agree until
    the first month the company without the hold hires during the raise; from that month on the company with the
    hold hires nobody while its runway at the previous month end is finite — it is raising, or in distress after
    the failure (the default freeze) — and it never hires more people than the one without."""
    hold = {"growth": {"hold_hires_while_raising_below_runway_months": 1e3}}
    kw = {"workers": 1} if engine == "des" else {}
    n = 16 if engine == "des" else 256
    runs = {
        name: vs.simulate(_seed_only(policy), engine=engine, paths=n, seed=3, metrics=METRICS, **kw)
        for name, policy in {"off": {}, "on": hold}.items()
    }
    on, off = (np.asarray(runs[name].data["hires"].values) for name in ("on", "off"))
    runway = np.asarray(runs["on"].data["runway"].values)  # (paths, months), at each month end
    burning = np.concatenate([np.zeros((on.shape[0], 1), bool), np.isfinite(runway[:, :-1])], axis=1)
    differs = on != off
    parted = differs.any(axis=1)
    assert parted.mean() > 0.25, parted.mean()  # the hold bites on many paths
    first = np.argmax(differs, axis=1)
    months = np.arange(on.shape[1])
    after = parted[:, None] & (months[None, :] >= first[:, None]) & burning
    assert after.sum() > 5 * parted.sum()
    assert (on[after] == 0).all()
    assert (off[parted, first[parted]] > on[parted, first[parted]]).all()
