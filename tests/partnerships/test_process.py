"""Partnerships in the DES: exact SimPy traces, and the same story as the JAX kernel path by path."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import simpy
from partnerships.partner_builders import partner_params

from venturesim._simpy import month_end_tick
from venturesim.partnerships import (
    ACTIVE,
    FAILED,
    Partnerships,
    init_partnerships,
    partner_month_des,
    sample_partnerships,
    start_partnerships,
    step_partnerships,
)
from venturesim.spec.sampling import Sampler

FIELDS = (
    "weight",
    "adoption_multiplier",
    "revenue_share",
    "compute_credit_used",
    "loss_reduction",
    "cost",
    "exit_churn",
    "active",
)


class Company:
    """What the processes use of the DES company: env, alive, arr and log."""

    def __init__(self, env, arr=0.0):
        self.env, self.alive, self.arr, self.events = env, True, arr, []

    def log(self, process, kind, details):
        self.events.append((round(self.env.now, 9), process, kind, details))


def des_path(params, names, months, arr, alive, spend):
    """One path in SimPy: partner processes plus URGENT month-ends that run the accounting and set ARR/alive."""
    env = simpy.Environment()
    company = Company(env, arr[0])
    book = start_partnerships(env, company, params, names)
    out = []

    def month_ends():
        for t in range(months):
            yield month_end_tick(env)
            out.append(partner_month_des(book, params, t, company.alive, spend[t]))
            if t + 1 < months:
                company.arr, company.alive = arr[t + 1], bool(alive[t + 1])

    env.process(month_ends())
    env.run(until=months + 0.5)
    return out, book, company.events


def test_exact_trace_of_a_signed_partnership():
    params = partner_params(
        [{"start": 1.0, "search": [1.5], "negotiation": [2.0], "sign_u": [0.3], "lifetime": 6.0, "fit": 0.5}]
    )
    row = type(params)(*(a[0] for a in params))
    _, _, events = des_path(row, ["reseller"], 12, np.zeros(12), np.ones(12, bool), np.zeros(12))
    assert [(t, kind) for t, _, kind, _ in events] == [
        (1.0, "search"),
        (2.5, "negotiation"),
        (4.5, "signed"),
        (10.5, "ended"),
    ]
    assert events[2][3] == "reseller: signed (probability 0.50, fit 0.50, ARR $0); until month 10.5"
    assert events[3][3] == "reseller: contract ended"
    assert {p for _, p, _, _ in events} == {"partnership"}


def test_exact_trace_of_a_declined_then_abandoned_partner():
    params = partner_params(
        [
            {
                "search": [1.0, 1.0],
                "negotiation": [1.0, 1.0],
                "sign_u": [0.9, 0.8],
                "max_attempts": 2.0,
                "retry_delay": 0.5,
                "by_contract": 0.0,
            }
        ],
        attempts=2,
    )
    row = type(params)(*(a[0] for a in params))
    _, book, events = des_path(row, ["bigco"], 8, np.zeros(8), np.ones(8, bool), np.zeros(8))
    assert [(t, kind) for t, _, kind, _ in events] == [
        (0.0, "search"),
        (1.0, "negotiation"),
        (2.0, "declined"),
        (2.5, "search"),
        (3.5, "negotiation"),
        (4.5, "failed"),
    ]
    assert events[-1][3] == "bigco: not signed (probability 0.50); given up"
    assert book.status[0] == FAILED


def test_process_stops_when_the_company_dies():
    params = partner_params([{"search": [2.0], "negotiation": [2.0], "sign_u": [0.0]}])
    row = type(params)(*(a[0] for a in params))
    alive = np.array([True, True, False, False, False, False])  # dead from time 2 (the month-end of month 1)
    _, book, events = des_path(row, ["x"], 6, np.zeros(6), alive, np.zeros(6))
    assert [kind for _, _, kind, _ in events] == ["search"]  # the search ends at 2.0, after the death
    assert book.status[0] != ACTIVE


@pytest.fixture(scope="module")
def sampled():
    section = Partnerships.model_validate(
        {
            "partners": [
                {"name": "cloud", "type": "cloud_credits"},
                {
                    "name": "reseller",
                    "type": "channel",
                    "segment": "ent",
                    "reference_arr": 1e5,
                    "max_attempts": 3,
                    "termination_annual": 0.5,
                },
                {
                    "name": "data",
                    "type": "data",
                    "search_months": {"p5": 0.1, "p95": 0.6},
                    "negotiation_months": 0.3,
                    "max_attempts": 4,
                    "signing_probability": 0.3,
                    "retry_delay_months": {"p5": 0.2, "p95": 2},
                },
            ]
        }
    )
    return sample_partnerships(section, Sampler(jax.random.key(3), np.arange(64)), ["smb", "ent"])


def test_des_and_jax_tell_the_same_story(sampled):
    n, months = 64, 36
    rng = np.random.default_rng(0)
    arr = rng.lognormal(np.log(1e5), 1.0, (n, months))
    spend = rng.uniform(0, 20_000, (n, months))
    alive = np.ones((n, months), bool)
    alive[:16, 20:] = False  # a quarter of the paths die at month 20
    p32 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), sampled)
    state, jax_months = init_partnerships(p32), []
    step = jax.jit(step_partnerships)
    for t in range(months):
        state, m = step(
            jax.random.key(0),
            state,
            p32,
            jnp.int32(t),
            jnp.asarray(alive[:, t]),
            jnp.asarray(arr[:, t], jnp.float32),
            jnp.asarray(spend[:, t], jnp.float32),
        )
        jax_months.append(jax.tree_util.tree_map(np.asarray, m))
    des = {f: np.zeros((n, months) + np.shape(getattr(jax_months[0], f))[1:]) for f in FIELDS}
    since = np.zeros(state.active_since.shape)
    for i in range(n):
        row = type(sampled)(*(np.asarray(a[i], np.float64) for a in sampled))
        des_months, book, _ = des_path(row, ["cloud", "reseller", "data"], months, arr[i], alive[i], spend[i])
        for f in FIELDS:
            des[f][i] = np.stack([getattr(m, f) for m in des_months])
        since[i] = book.active_since
    for f in FIELDS:
        got = np.stack([getattr(m, f) for m in jax_months], axis=1)  # (paths, months, ...)
        # float32 times in JAX: a boundary at month ~36 moves by ≲ 1e-5 months
        np.testing.assert_allclose(
            got, des[f], rtol=1e-4, atol=0.5 if f in ("cost", "compute_credit_used") else 1e-4, err_msg=f
        )
    np.testing.assert_allclose(np.asarray(state.active_since), since, rtol=1e-6)
    assert np.isfinite(since).sum() > 40  # the comparison covers many signed partnerships
    assert des["compute_credit_used"].sum() > 0 and des["revenue_share"].max() > 0
