"""The market's shared rules give the same numbers on one path in NumPy (the DES) and on a batch in JAX (the kernel).

Each rule of :mod:`venturesim.market._rules` (and the building blocks the engines call through it: the funnel,
cohort ageing, the sBG hazard) runs with ``xp=np`` on each path's float64 inputs, one path at a time, and with
``xp=jnp`` on the float32 batch of the same paths; the results agree to float32 rounding. The inputs are the
shipped scenarios' sampled market parameters and a made-up but realistic month-start state; a rule that draws
(the funnel) gets the same draws in both (the kernel's binomial on the same uniforms).
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import venturesim as vs
from venturesim._jax_random import binomial
from venturesim.engine.params import sample
from venturesim.market import _rules
from venturesim.market.channels import funnel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PATHS, MONTHS, T = 4, 24, 7
NAMES = ["seed_stage_api", "sales_led_enterprise_ai"]  # the second: channels, sales-led deals, cohorts by age
jit_binomial = jax.jit(binomial)  # one compilation per shape (eager, its loops would compile again at every call)


def _batch(params, rng):
    """Month-start state and the month's other inputs for PATHS paths, as float32 batches (the kernel's)."""
    size = np.asarray(params.market_size, np.float64)
    shape = size.shape
    ages = params.cohort_ages.shape[-1]
    adopters = np.floor(size * rng.uniform(0.0, 0.6, shape))
    customers = np.floor(adopters * rng.uniform(0.3, 1.0, shape))
    cohorts = (
        rng.multinomial(customers.astype(np.int64).ravel(), np.full(ages, 1.0 / ages)).reshape(shape + (ages,))
        if ages
        else np.zeros(shape + (0,))
    )
    churned_by_age = np.floor(cohorts * rng.uniform(0.0, 0.2, cohorts.shape))
    churned = churned_by_age.sum(-1) if ages else np.floor(customers * rng.uniform(0.0, 0.2, shape))
    batch = {
        "opened": rng.uniform(size=shape) < 0.5,
        "is_open": rng.uniform(size=shape) < 0.8,
        "active": rng.uniform(size=shape[:1]) < 0.9,
        "last_revenue": rng.uniform(0.0, 5e5, shape[:1]),
        "adopters": adopters,
        "customers": customers,
        "cohorts": cohorts,
        "churned_by_age": churned_by_age,
        "churned": churned,
        "new": np.floor(rng.uniform(0.0, 50.0, shape)),
        "arpa": rng.uniform(0.0, 400.0, shape + (max(ages, 1),)) * (rng.uniform(size=shape + (max(ages, 1),)) < 0.8),
        "gap": rng.uniform(-0.3, 0.1, shape[:1]),
        "price_factor": rng.uniform(0.9, 1.2, shape),
        "overload": rng.uniform(1.0, 3.0, shape[:1]),
        "exit_share": rng.uniform(0.0, 0.1, shape) * (rng.uniform(size=shape) < 0.5),
        "capacity": rng.uniform(0.0, 2000.0, shape[:1]) * (rng.uniform(size=shape[:1]) < 0.8),
        "awareness": rng.uniform(1.0, 2.0, shape),
        "u": rng.uniform(0.0, 1.0, (shape[0], 3, max(params.channel_lift_max.shape[-1], 1))),  # (paths, stage, K)
        # three rounds: the ones each segment waits for (open_after_round, one at most) and their status
        "open_after": np.eye(4)[rng.integers(0, 4, shape)][..., :3],
        "round_status": rng.integers(0, 4, shape[:1] + (3,)),
    }
    return {k: v if v.dtype.kind in "bi" else np.asarray(v, np.float32) for k, v in batch.items()}


@pytest.fixture(scope="module", params=NAMES)
def case(request):
    spec = vs.load(SCENARIOS / f"{request.param}.yaml")
    params = sample(spec, jax.random.key(11), PATHS, months=MONTHS).market
    params = jax.tree_util.tree_map(
        lambda a: np.asarray(a, np.float32) if np.asarray(a).dtype.kind == "f" else np.asarray(a), params
    )
    return params, _batch(params, np.random.default_rng(len(request.param)))


def _one(tree, i):
    """Path i's row of a batched pytree, in float64 (what the DES holds)."""
    return jax.tree_util.tree_map(
        lambda a: np.asarray(a[i], np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a[i]), tree
    )


def _jnp(tree):
    return jax.tree_util.tree_map(jnp.asarray, tree)


# Each rule as a function of (xp, market params, inputs): the same call on a path or a batch.
def _quality(xp, m, b):
    return _rules.quality_effect(b["gap"], 2.0, 1.5, 0.5, 3.0, xp=xp)


def _opening(xp, m, b):
    return _rules.opening(
        b["opened"], b["last_revenue"], T, m.launch_month, m.open_arr, m.entry_cost, b["active"], xp=xp
    )


def _opening_after_rounds(xp, m, b):
    funded = _rules.funded(b["open_after"], b["round_status"], xp=xp)
    return funded, _rules.opening(
        b["opened"], b["last_revenue"], T, m.launch_month, m.open_arr, m.entry_cost, b["active"], xp=xp, funded=funded
    )


def _support(xp, m, b):
    return _rules.support_multiplier(xp.sum(b["customers"], axis=-1), b["capacity"], 1.5, 3.0, xp=xp)


def _churn(xp, m, b, limits=True):
    factor = b["price_factor"]  # ((1 − πx)/(1 − x))^ε, churn_price_factor's value
    return _rules.churn_probability(
        m.churn[..., T, :],
        m.sbg_concentration,
        m.sbg,
        m.cohort_ages,
        _quality(xp, m, b).churn,
        factor,
        b["overload"] if limits else None,
        b["exit_share"] if limits else None,
        xp=xp,
    )


def _churn_free(xp, m, b):
    return _churn(xp, m, b, limits=False)


def _channel_spend(xp, m, b):
    if not m.channel_lift_max.shape[-1]:
        pytest.skip("no channels in this scenario")
    return _rules.channel_spend(m, T, b["is_open"], xp=xp)


def _adoption(xp, m, b):
    return _rules.adoption_probability(
        b["adopters"],
        m.market_size,
        m.p_monthly,
        m.q_monthly,
        m.viral,
        m.partner,
        b["awareness"],
        _quality(xp, m, b).adoption,
        xp=xp,
    )


def _funnel(xp, m, b):
    if not m.channel_lift_max.shape[-1]:
        pytest.skip("no channels in this scenario")
    spend, _ = _rules.channel_spend(m, T, b["is_open"], xp=xp)
    reach = m.channel_max_leads
    capture = _rules.lead_capture(m, spend, xp=xp)
    pool = m.market_size - b["adopters"]
    out = []
    for k in range(reach.shape[-1]):  # the DES's loop (the kernel scans the same body)

        def draw(stage, n, p, k=k):  # the kernel's binomial on the same uniforms in both
            return xp.asarray(
                jit_binomial(
                    jnp.asarray(b["u"][..., stage, k], jnp.float32),
                    jnp.asarray(n, jnp.float32),
                    jnp.asarray(p, jnp.float32),
                )
            )

        pool, flows = funnel(
            pool,
            m.channel_segment[..., k, :],
            reach[..., k],
            capture[..., k],
            m.channel_lead_to_trial[..., k],
            m.channel_trial_to_paid[..., k],
            draw,
            xp=xp,
        )
        out.append(flows)
    return pool, out


def _ageing(xp, m, b):
    if not m.cohort_ages.shape[-1]:
        pytest.skip("ages untracked in this scenario")
    return _rules.age_cohorts(b["cohorts"], b["churned_by_age"], b["new"], b["is_open"], xp=xp)


def _billing(xp, m, b):
    return _rules.billing(m, T, b["customers"], b["cohorts"], b["is_open"], _quality(xp, m, b).price, xp=xp)


def _bridge(xp, m, b):
    bill = _billing(xp, m, b)
    tracked = m.cohort_ages.shape[-1] > 0
    stay = b["cohorts"] - b["churned_by_age"] if tracked else None
    return _rules.mrr_bridge(
        b["arpa"],
        bill.price,
        b["is_open"],
        b["customers"],
        b["churned"],
        b["new"],
        stay,
        b["churned_by_age"] if tracked else None,
        xp=xp,
    )


RULES = [
    _quality,
    _opening,
    _opening_after_rounds,
    _support,
    _churn,
    _churn_free,
    _channel_spend,
    _adoption,
    _funnel,
    _ageing,
    _billing,
    _bridge,
]


@pytest.mark.parametrize("rule", RULES, ids=lambda f: f.__name__.strip("_"))
def test_numpy_path_equals_jax_batch(case, rule):
    params, batch = case
    batched = rule(jnp, _jnp(params), _jnp(batch))
    for i in range(PATHS):
        one = rule(np, _one(params, i), _one(batch, i))
        got = jax.tree_util.tree_leaves(one)
        want = [np.asarray(leaf)[i] for leaf in jax.tree_util.tree_leaves(batched)]
        assert len(got) == len(want) > 0
        for g, w in zip(got, want, strict=True):
            g = np.asarray(g)
            assert g.shape == w.shape
            if g.dtype == bool or w.dtype == bool:
                np.testing.assert_array_equal(g, w)
            else:
                np.testing.assert_allclose(
                    g, np.asarray(w, np.float64), rtol=1e-5, atol=1e-6 * max(1.0, np.abs(g).max(initial=0))
                )


def test_the_inputs_exercise_the_rules(case):
    """The made-up state opens segments, churns, bills and moves MRR (so the equalities above are not 0 = 0)."""
    params, batch = case
    _, opened, _ = _opening(np, _one(params, 0), _one(batch, 0))
    bill = _billing(jnp, _jnp(params), _jnp(batch))
    churn = np.asarray(_churn(jnp, _jnp(params), _jnp(batch)))
    _, movements = _bridge(jnp, _jnp(params), _jnp(batch))
    assert np.asarray(bill.revenue).sum() > 0 and opened.any()
    funded = np.asarray(_opening_after_rounds(jnp, _jnp(params), _jnp(batch))[0])
    assert funded.any() and not funded.all()
    assert 0 < churn.max() < 1
    assert np.asarray(movements.churned).sum() > 0 and np.asarray(movements.new).sum() > 0
