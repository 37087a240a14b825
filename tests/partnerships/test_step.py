"""The JAX partnership kernel: hand-worked lifecycles, traction, retries, credits over months."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from partnerships.partner_builders import partner_params

from venturesim.partnerships import (
    ACTIVE,
    ENDED,
    FAILED,
    NEGOTIATING,
    SEARCHING,
    WAITING,
    init_partnerships,
    step_partnerships,
)

_step = jax.jit(step_partnerships)


def run(params, months, arr=0.0, alive=None, spend=0.0):
    """Run the kernel; returns (statuses (months, paths, P), list of PartnerMonth, final state)."""
    params = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), params)
    paths = params.start.shape[0]
    arr = np.broadcast_to(np.asarray(arr, np.float32), (months, paths)) if np.ndim(arr) < 2 else np.asarray(arr).T
    alive = np.ones((months, paths), bool) if alive is None else np.asarray(alive).T
    spend = np.broadcast_to(np.asarray(spend, np.float32), (months, paths))
    state, statuses, months_out = init_partnerships(params), [], []
    for t in range(months):
        state, m = _step(
            jax.random.key(0),
            state,
            params,
            jnp.int32(t),
            jnp.asarray(alive[t]),
            jnp.asarray(arr[t]),
            jnp.asarray(spend[t]),
        )
        statuses.append(np.asarray(state.status))
        months_out.append(jax.tree_util.tree_map(np.asarray, m))
    return np.stack(statuses), months_out, state


def test_hand_worked_lifecycle():
    # start 1, search 1.5, negotiation 2 → decided at 4.5; u = 0.3 < p₀ = 0.5 → signed; lifetime 6 → ends 10.5
    params = partner_params(
        [
            {
                "start": 1.0,
                "search": [1.5],
                "negotiation": [2.0],
                "sign_u": [0.3],
                "lifetime": 6.0,
                "monthly_cost": 1_000.0,
            }
        ]
    )
    statuses, months, state = run(params, 12)
    assert statuses[:, 0, 0].tolist() == [SEARCHING, SEARCHING, NEGOTIATING, NEGOTIATING] + [ACTIVE] * 6 + [ENDED] * 2
    weights = [m.weight[0, 0] for m in months]
    np.testing.assert_allclose(weights, [0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1, 0.5, 0])
    np.testing.assert_allclose([m.cost[0] for m in months], 1_000 * np.array(weights))
    assert float(state.active_since[0, 0]) == 4.5 and float(state.end_time[0, 0]) == 10.5
    assert int(init_partnerships(jax.tree_util.tree_map(jnp.asarray, params)).status[0, 0]) == WAITING


def test_failed_attempt_is_retried_after_the_delay():
    # attempt 1 decided at 0 + 1.5 + 2 = 3.5 and fails (u = 0.9); retry delay 1 → search from 4.5,
    # decided at 4.5 + 1 + 0.5 = 6.0 and signed (u = 0.1): month 6 (6.0 < 7)
    params = partner_params(
        [
            {
                "search": [1.5, 1.0],
                "negotiation": [2.0, 0.5],
                "sign_u": [0.9, 0.1],
                "max_attempts": 2.0,
                "retry_delay": 1.0,
            }
        ],
        attempts=2,
    )
    statuses, _, state = run(params, 8)
    assert statuses[:, 0, 0].tolist() == [
        SEARCHING,
        NEGOTIATING,
        NEGOTIATING,
        WAITING,
        SEARCHING,
        NEGOTIATING,
        ACTIVE,
        ACTIVE,
    ]
    assert float(state.active_since[0, 0]) == 6.0 and int(state.attempt[0, 0]) == 1
    # without a second attempt the partner is given up at 3.5
    once = partner_params([{"search": [1.5], "negotiation": [2.0], "sign_u": [0.9]}])
    assert run(once, 5)[0][:, 0, 0].tolist() == [SEARCHING, NEGOTIATING, NEGOTIATING, FAILED, FAILED]


def test_several_decisions_in_one_month_are_taken_in_order():
    # attempts decided at 0.2 (fails), 0.2 + 0.1 + 0.1 + 0.1 = 0.5 (fails), 0.8 (signed): all in month 0
    params = partner_params(
        [
            {
                "search": [0.1] * 3,
                "negotiation": [0.1] * 3,
                "sign_u": [0.9, 0.9, 0.1],
                "max_attempts": 3.0,
                "retry_delay": 0.1,
            }
        ],
        attempts=3,
    )
    statuses, _, state = run(params, 1)
    assert statuses[0, 0, 0] == ACTIVE
    assert float(state.active_since[0, 0]) == pytest.approx(0.8)


def test_traction_decides_the_deal():
    # u = 0.6, p₀ = 0.5 at ARR_ref = $100k, ε = 0.5: ARR 400k → p = 2/3 > 0.6 signs; ARR 100k → 0.5 fails
    params = partner_params([{"sign_u": [0.6], "reference_arr": 100_000.0}], paths=2)
    statuses, _, _ = run(params, 3, arr=np.array([[400_000.0] * 3, [100_000.0] * 3]))
    assert statuses[-1, :, 0].tolist() == [ACTIVE, FAILED]


def test_dead_path_takes_no_decision():
    params = partner_params([{"sign_u": [0.1], "compute_credits": 5_000.0}], paths=2)
    alive = np.array([[True, True, True], [True, False, False]])  # path 1 dies before month 1 (decision 2.0)
    statuses, months, _ = run(params, 3, alive=alive, spend=1_000.0)
    assert statuses[-1, :, 0].tolist() == [ACTIVE, NEGOTIATING]
    assert months[2].compute_credit_used.tolist() == [1_000.0, 0.0]


def test_credits_run_out_over_the_months():
    # cloud credits signed at 2.0: $100k against $30k/month from month 2 → 30, 30, 30, 10, 0
    params = partner_params([{"sign_u": [0.0], "compute_credits": 100_000.0, "lifetime": 24.0}])
    _, months, state = run(params, 8, spend=30_000.0)
    np.testing.assert_allclose([m.compute_credit_used[0] for m in months], [0, 0, 30e3, 30e3, 30e3, 10e3, 0, 0])
    assert float(state.credits[0, 0]) == 0.0
