"""Every team rule shared by the engines gives the same numbers with xp=numpy on one path (the DES's view)
and xp=jax.numpy on a block of paths (the kernel's view), on identical float32 inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from venturesim.team import _rules as rules
from venturesim.team.capacity import (
    deal_capacity,
    effective_capacity,
    month_capacity,
    quality_gain,
    ramp_weights,
    support_capacity,
)
from venturesim.team.payroll import month_costs, sales_marketing_cost
from venturesim.team.vesting import vested_fraction

PATHS, MONTHS = 12, 6
TEAM = {
    "hiring_freeze_runway_months": 3,
    "option_pool": 0.004,
    "payroll_budget": {"schedule": {0: 400_000, 2: 450_000}},
    "layoffs": {"trigger_runway_months": 6, "roles": {"eng": 0.3, "ae": 0.5}, "cooldown_months": 3},
    "capacity_effects": {
        "engineering": {"max_gain_nats": 0.1, "nats_per_fte_month": 0.004},
        "sales": {"deals_per_fte_month": 0.7},
        "support": {"customers_per_fte": 150},
    },
    "roles": [
        {"name": "founder", "monthly_cost": 10_000, "headcount": 1},
        {
            "name": "eng",
            "function": "engineering",
            "monthly_cost": 15_000,
            "headcount": {0: 4, 2: 9},
            "time_to_fill_months": 2,
            "offer_acceptance": {"dist": "uniform", "low": 0.3, "high": 0.9},
            "attrition_annual": {"dist": "uniform", "low": 0.05, "high": 0.4},
            "ramp_months": 3,
            "equity_grant": 0.002,
            "max_headcount": 12,
        },
        {
            "name": "ae",
            "function": "sales",
            "monthly_cost": 12_000,
            "headcount": {0: 3, 3: 1},
            "hire_per": {"new_arr": 500_000},
            "attrition_annual": 0.2,
            "equity_grant": 0.001,
        },
        {
            "name": "cs",
            "function": "support",
            "monthly_cost": 9_000,
            "headcount": 2,
            "hire_per": {"customers": 40},
            "time_to_fill_months": 1,
            "ramp_months": 1,
        },
    ],
}


@pytest.fixture(scope="module")
def params(make_params):
    return make_params(TEAM, paths=PATHS, months=MONTHS, seed=3)


@pytest.fixture(scope="module")
def inputs(params):
    rng = np.random.default_rng(11)
    k = params.plan.shape[1]
    f32 = np.float32
    return {
        "runway": rng.choice([np.inf, 1.0, 2.5, 5.0, 7.0, 20.0], PATHS).astype(f32),
        "since_failed": rng.integers(0, 10, PATHS).astype(f32),
        "since_closed": rng.integers(0, 10, PATHS).astype(f32),
        "since_layoff": rng.integers(0, 10, PATHS).astype(f32),
        "round_failed": rng.random(PATHS) < 0.3,
        "round_closed": rng.random(PATHS) < 0.3,
        "raising": rng.random(PATHS) < 0.3,
        "scale": rng.uniform(0.5, 2.0, PATHS).astype(f32),
        "employees": rng.integers(0, 15, (PATHS, k)).astype(f32),
        "open_reqs": rng.integers(0, 4, (PATHS, k)).astype(f32),
        "cap": np.where(rng.random((PATHS, k)) < 0.7, np.inf, rng.integers(0, 8, (PATHS, k))).astype(f32),
        "customers": rng.uniform(0, 600, PATHS).astype(f32),
        "new_arr": rng.uniform(0, 300_000, PATHS).astype(f32),
        "hires": rng.integers(0, 4, (PATHS, k)).astype(f32),
        "pool": rng.uniform(-0.001, 0.01, PATHS).astype(f32),
        "fte": rng.uniform(0, 6, (PATHS, k)).astype(f32),
        "productivity": rng.uniform(0.5, 1.2, PATHS).astype(f32),
        "done": rng.uniform(0, 40, PATHS).astype(f32),
        "u": rng.random(PATHS).astype(f32),
        "u_cycles": rng.uniform(1e-6, 1.0, (PATHS, k, 4)).astype(f32),
        "tenure": rng.integers(0, 60, (PATHS, k)).astype(f32),
        "margin": rng.choice([-np.inf, -0.4, 0.05, 0.3], PATHS).astype(f32),
        "burn_multiple": rng.choice([0.5, 1.2, 2.5, 8.0], PATHS).astype(f32),
        "arr": rng.uniform(0, 3e6, PATHS).astype(f32),
        "cash": rng.uniform(-1e5, 2e6, PATHS).astype(f32),
        "t": 2,
    }


def _policies(p):
    """The params with the reinvestment targets and a sale on failure set (both engines' rules read them)."""
    one = p.max_scale * 0 + 1
    return p._replace(
        target_margin=one * 0.1,
        target_burn_multiple=one * 1.5,
        reinvest_runway=one * 4.0,
        sell_probability=one * 0.3,
        sale_multiple=one * 1.5,
        sale_min_arr=one * 1e6,
        sale_min_growth=one * 2.0,
        hold_raising_runway=one * 6.0,
        short_close_margin=one * 3.0,
    )


def _row(params, i):
    """Path i's params as NumPy float32 (None blocks stay None)."""
    return jax.tree_util.tree_map(lambda a: np.asarray(a[i]), params)


def _block(inputs, params):
    return (
        {k: v if k == "t" else jnp.asarray(v) for k, v in inputs.items()},
        jax.tree_util.tree_map(jnp.asarray, params),
    )


def _path(inputs, params, i):
    return {k: v if k == "t" else v[i] for k, v in inputs.items()}, _row(params, i)


CASES = {
    "reinvesting": lambda xp, x, p: rules.reinvesting(
        x["margin"], x["burn_multiple"], x["runway"], _policies(p), xp=xp
    ),
    "growth_scale": lambda xp, x, p: rules.growth_scale(
        x["scale"] * 2.0,
        x["runway"],
        x["round_failed"],
        _policies(p),
        xp=xp,
        reinvest=rules.reinvesting(x["margin"], x["burn_multiple"], x["runway"], _policies(p), xp=xp),
    ),
    "in_distress": lambda xp, x, p: rules.in_distress(
        x["since_failed"], x["since_closed"], x["raising"], x["runway"], x["scale"] * 4.0, _policies(p), xp=xp
    ),
    "pay_cut_due": lambda xp, x, p: rules.pay_cut_due(x["round_failed"], x["runway"], x["new_arr"] - 1e5, p, xp=xp),
    "paid_cost": lambda xp, x, p: rules.paid_cost(
        p.monthly_cost[..., x["t"]],
        x["fte"] / 10.0,
        rules.pay_cut_due(x["round_failed"], x["runway"], x["new_arr"] - 1e5, p, xp=xp),
        xp=xp,
    ),
    "operating_margin": lambda xp, x, p: rules.operating_margin(x["new_arr"] - 1e5, x["customers"] * 100.0, xp=xp),
    "sale_terms": lambda xp, x, p: rules.sale_terms(
        x["round_failed"], x["arr"], x["cash"], x["scale"] * 2.0, _policies(p), xp=xp
    ),
    "monthly_hazard": lambda xp, x, p: rules.monthly_hazard(xp.asarray(x["scale"]) / 4.0, xp=xp),
    "hazard_rate": lambda xp, x, p: rules.hazard_rate(xp.asarray(x["scale"]) / 4.0, xp=xp),
    "advance_clocks": lambda xp, x, p: rules.advance_clocks(
        x["since_failed"], x["since_closed"], x["since_layoff"], x["round_failed"], x["round_closed"], xp=xp
    ),
    "attrition_multiplier": lambda xp, x, p: rules.attrition_multiplier(
        x["runway"], x["since_failed"], x["since_layoff"], p, xp=xp
    ),
    "leave_rate": lambda xp, x, p: rules.leave_rate(
        x["runway"], x["since_failed"], x["since_layoff"], x["scale"], p, xp=xp
    ),
    "layoffs": lambda xp, x, p: rules.layoffs(
        x["runway"], x["raising"], x["round_closed"], x["since_layoff"], x["employees"], x["cap"], p, xp=xp
    ),
    "rule_target": lambda xp, x, p: rules.rule_target(x["customers"], x["new_arr"], p, xp=xp),
    "layoff_count": lambda xp, x, p: rules.layoff_count(p.layoff_fraction, x["employees"], xp=xp),
    "staffing_target": lambda xp, x, p: rules.staffing_target(
        p.plan[..., x["t"]],
        p.plan[..., x["t"] - 1],
        rules.rule_target(x["customers"], x["new_arr"], p, xp=xp),
        x["cap"],
        x["employees"],
        p,
        xp=xp,
    ),
    "openings": lambda xp, x, p: rules.openings(
        p.plan[..., x["t"]] + 3.0,
        x["employees"],
        x["open_reqs"],
        x["runway"],
        p.monthly_cost[..., x["t"]],
        p.payroll_budget[..., x["t"]],
        p,
        xp=xp,
    ),
    "openings_while_raising": lambda xp, x, p: rules.openings(
        p.plan[..., x["t"]] + 3.0,
        x["employees"],
        x["open_reqs"],
        x["runway"],
        p.monthly_cost[..., x["t"]],
        p.payroll_budget[..., x["t"]],
        _policies(p),
        xp=xp,
        raising=x["raising"],
    ),
    "acceptance": lambda xp, x, p: rules.acceptance(x["runway"], x["since_failed"], x["since_closed"], p, xp=xp),
    "geometric_cycles": lambda xp, x, p: rules.geometric_cycles(
        x["u_cycles"], rules.acceptance(x["runway"], x["since_failed"], x["since_closed"], p, xp=xp)[..., None], xp=xp
    ),
    "pool_grants": lambda xp, x, p: rules.pool_grants(x["hires"], p.equity_grant, x["pool"], xp=xp),
    "month_costs": lambda xp, x, p: month_costs(
        x["employees"],
        p.monthly_cost[..., x["t"]],
        x["hires"],
        p.severance_months,
        x["hires"],
        p.recruiting_cost,
        xp=xp,
    ),
    "sales_marketing_cost": lambda xp, x, p: sales_marketing_cost(
        x["employees"], p.monthly_cost[..., x["t"]], x["hires"], p.recruiting_cost, p.sales_marketing, xp=xp
    ),
    "ramp_weights": lambda xp, x, p: ramp_weights(p.ramp_months, 5, xp=xp),
    "vested_fraction": lambda xp, x, p: vested_fraction(x["tenure"], 48, 12, xp=xp),
    "effective_capacity": lambda xp, x, p: effective_capacity(x["fte"][..., 1], p.capacity_exponent, xp=xp),
    "quality_gain": lambda xp, x, p: quality_gain(x["done"], p.capacity.gain_max, p.capacity.gain_scale, xp=xp),
    "deal_capacity": lambda xp, x, p: deal_capacity(x["fte"][..., 2], p.capacity.deals_per_fte, x["u"], xp=xp),
    "support_capacity": lambda xp, x, p: support_capacity(x["fte"][..., 3], p.capacity.customers_per_fte, xp=xp),
    "month_capacity": lambda xp, x, p: month_capacity(
        x["fte"], p.function, x["productivity"], p.capacity_exponent, x["done"], p.capacity, x["u"], xp=xp
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_per_path_equals_jax_on_the_block(name, params, inputs):
    rule = CASES[name]
    leaves = jax.tree_util.tree_leaves(rule(jnp, *_block(inputs, params)))
    assert leaves, "the rule returned nothing"
    for i in range(PATHS):
        one = jax.tree_util.tree_leaves(rule(np, *_path(inputs, params, i)))
        for got, want in zip(one, leaves, strict=True):
            np.testing.assert_allclose(
                np.asarray(got, np.float64),
                np.asarray(want, np.float64)[i],
                rtol=1e-5,
                atol=1e-7,
                err_msg=f"{name}, path {i}",
            )


def test_the_inputs_reach_every_branch(params, inputs):
    # the harness is only as good as its inputs: layoffs fire and are deferred, freezes and budgets bind,
    # grants are scaled down, offers take several cycles
    x, p = _block(inputs, params)
    laid, _, since = rules.layoffs(
        x["runway"], x["raising"], x["round_closed"], x["since_layoff"], x["employees"], x["cap"], p, xp=jnp
    )
    assert 0 < int(jnp.sum(since == 0)) < PATHS and float(laid.sum()) > 0
    opened, frozen = rules.openings(
        p.plan[..., 2] + 3.0,
        x["employees"],
        x["open_reqs"],
        x["runway"],
        p.monthly_cost[..., 2],
        p.payroll_budget[..., 2],
        p,
        xp=jnp,
    )
    wanted = jnp.maximum(p.plan[..., 2] + 3.0 - x["employees"] - x["open_reqs"], 0.0)
    assert 0 < int(frozen.sum()) < PATHS and 0 < float(opened.sum()) < float(
        jnp.where(frozen[:, None], 0, wanted).sum()
    )
    _, scale = rules.pool_grants(x["hires"], p.equity_grant, x["pool"], xp=jnp)
    assert 0 < int(jnp.sum(scale < 1)) < PATHS
    accept = rules.acceptance(x["runway"], x["since_failed"], x["since_closed"], p, xp=jnp)
    assert len(np.unique(np.asarray(rules.geometric_cycles(x["u_cycles"], accept[..., None], xp=jnp)))) > 3
