"""Partnerships' shared rules (signing odds and decision, a month's effects, concentration) give the same
numbers with NumPy on one path (the DES's view) and JAX on a block of paths, on identical float32 inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from partnerships.partner_builders import partner_params

from venturesim.partnerships.step import note_concentration
from venturesim.partnerships.terms import (
    concentration,
    decide,
    month_accounting,
    revenue_share_amount,
    sign_probability,
)

PATHS, SEGMENTS = 10, 2


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(7)
    params = partner_params(
        [
            {
                "base_logit": 0.3,
                "reference_arr": 1e6,
                "adoption": 1.4,
                "revenue_share": 0.2,
                "segment": 0,
                "compute_credits": 30_000,
                "loss_reduction": 0.05,
                "monthly_cost": 2_000,
                "signing_cost": 10_000,
                "churn_on_exit": 0.3,
                "concentration_limit": 0.2,
                "max_attempts": 2,
            },
            {
                "base_logit": -0.5,
                "adoption": 1.1,
                "revenue_share": 0.1,
                "compute_credits": 20_000,
                "monthly_cost": 500,
                "churn_on_exit": 0.1,
                "max_attempts": 3,
            },
            {"base_logit": 1.0, "reference_arr": 2e5, "segment": 1, "revenue_share": 0.5, "churn_on_exit": 0.5},
        ],
        paths=PATHS,
        segments=SEGMENTS,
        attempts=3,
    )
    params = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float32), params)
    params = params._replace(
        base_logit=params.base_logit + rng.normal(0, 0.5, params.base_logit.shape).astype(np.float32)
    )
    f32 = np.float32
    since = np.where(rng.random((PATHS, 3)) < 0.7, rng.uniform(0, 4, (PATHS, 3)), np.inf).astype(f32)
    end = np.where(rng.random((PATHS, 3)) < 0.5, since + rng.uniform(0.5, 3, (PATHS, 3)), np.inf).astype(f32)
    x = {
        "since": since,
        "end": end,
        "credits": rng.uniform(0, 25_000, (PATHS, 3)).astype(f32),
        "alive": rng.random(PATHS) < 0.8,
        "spend": rng.uniform(0, 40_000, PATHS).astype(f32),
        "arr": rng.choice([0.0, 5e4, 3e5, 2e6], PATHS).astype(f32),
        "u": rng.random((PATHS, 3)).astype(f32),
        "attempt": rng.integers(0, 3, (PATHS, 3)).astype(np.int32),
        "revenue": rng.uniform(0, 1e5, (PATHS, SEGMENTS)).astype(f32),
        "month": np.where(rng.random((PATHS, 3)) < 0.5, -1.0, 1.0).astype(f32),
        "share": rng.uniform(0, 1, (PATHS, 3)).astype(f32),
        "over": rng.random((PATHS, 3)) < 0.5,
    }
    return params, x


def _accounting(xp, p, x):
    return month_accounting(x["since"], x["end"], x["credits"], p, 2, x["alive"], x["spend"], xp=xp)


CASES = {
    "sign_probability": lambda xp, p, x: sign_probability(
        p.base_logit, xp.asarray(x["arr"])[..., None], p.reference_arr, p.traction_elasticity, xp=xp
    ),
    "decide": lambda xp, p, x: decide(
        x["u"],
        sign_probability(p.base_logit, xp.asarray(x["arr"])[..., None], p.reference_arr, p.traction_elasticity, xp=xp),
        x["attempt"],
        p.max_attempts,
    ),
    "month_accounting": _accounting,
    "revenue_share_amount": lambda xp, p, x: revenue_share_amount(_accounting(xp, p, x)[1], x["revenue"], xp=xp),
    "concentration": lambda xp, p, x: concentration(_accounting(xp, p, x)[1], p, x["revenue"], xp=xp),
    "note_concentration": lambda xp, p, x: note_concentration(
        x["month"], xp.zeros_like(x["share"]), x["share"], x["over"], 2.0, xp.asarray(x["alive"]), xp=xp
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_per_path_equals_jax_on_the_block(name, case):
    params, x = case
    rule = CASES[name]
    block = jax.tree_util.tree_leaves(
        rule(jnp, jax.tree_util.tree_map(jnp.asarray, params), {k: jnp.asarray(v) for k, v in x.items()})
    )
    for i in range(PATHS):
        one = jax.tree_util.tree_leaves(
            rule(np, jax.tree_util.tree_map(lambda a, i=i: a[i], params), {k: v[i] for k, v in x.items()})
        )
        for got, want in zip(one, block, strict=True):
            np.testing.assert_allclose(
                np.asarray(got, np.float64),
                np.asarray(want, np.float64)[i],
                rtol=1e-5,
                atol=1e-6,
                err_msg=f"{name}, path {i}",
            )


def test_the_inputs_reach_every_effect(case):
    params, x = case
    _, month = _accounting(np, params, x)
    assert np.any(month.compute_credit_used > 0) and np.any(month.exit_churn > 0) and np.any(month.cost > 0)
    assert np.any((month.weight > 0) & (month.weight < 1)) and np.any(month.adoption_multiplier > 1)
    signed, retried = decide(
        x["u"],
        sign_probability(params.base_logit, x["arr"][:, None], params.reference_arr, params.traction_elasticity),
        x["attempt"],
        params.max_attempts,
    )
    assert signed.any() and retried.any() and (~signed & ~retried).any()
    assert concentration(month, params, x["revenue"])[1].any()
