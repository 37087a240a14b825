"""A company with traction raises again (issue 14, :mod:`venturesim.team.policy`): the failure policy's
``retry_abandoned_with_traction`` and ``waive_earliest_month_with_traction``. :func:`start_due` by hand with
numpy and jax.numpy, a hand-worked seed that is abandoned and retried in both engines, and the default (off)
leaving a scenario's numbers as they were."""

from __future__ import annotations

from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import yaml
from builders import SEED_ONLY_METRICS

import venturesim as vs
from venturesim.engine.params import sample
from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING, start_due
from venturesim.funding.traction import has_traction
from venturesim.scenario.schema import Scenario
from venturesim.team.policy import Policy

INF = np.inf

# ---- start_due by hand: numpy and jax.numpy on the same inputs ------------------------------------------------


def _params(retry_min_arr, waive_min_arr, earliest_a=0.0):
    """Three columns, (paths, 3): the seed, its bridge (never starts on its own), the series A (earliest month
    ``earliest_a``); every round triggers at runway < 9 months; the bars ask for ``*_min_arr`` growing 2×."""
    n = len(retry_min_arr)
    row = lambda *v: np.broadcast_to(np.asarray(v, float), (n, 3))  # noqa: E731
    return SimpleNamespace(
        bridge_of=row(-1.0, 0.0, -1.0),
        trigger_runway=row(9.0, -INF, 9.0),
        milestone_arr=row(INF, INF, INF),
        earliest_month=row(0.0, 0.0, earliest_a),
        retry_min_arr=np.asarray(retry_min_arr, float),
        retry_min_growth=np.full(n, 2.0),
        waive_min_arr=np.asarray(waive_min_arr, float),
        waive_min_growth=np.full(n, 2.0),
    )


def _both(args):
    """start_due with numpy and with jax.numpy on the same inputs (float32, as the kernel sees them): equal."""
    kinds = {"i": np.int32, "b": bool}
    as32 = lambda a: np.asarray(a, kinds.get(np.asarray(a).dtype.kind, np.float32))  # noqa: E731
    args = {k: (SimpleNamespace(**{f: as32(v) for f, v in vars(a).items()}) if k == "params" else as32(a))
            for k, a in args.items()}  # fmt: skip
    got_np = start_due(**args, xp=np)
    jargs = {
        k: (jax.tree_util.tree_map(jnp.asarray, vars(a)) if k == "params" else jnp.asarray(a)) for k, a in args.items()
    }
    jargs["params"] = SimpleNamespace(**jargs["params"])
    got_jnp = np.asarray(start_due(**jargs, xp=jnp))
    np.testing.assert_array_equal(got_np, got_jnp)
    return got_np


def test_has_traction_by_hand():
    # $1.2M ARR growing 2.5× clears a $1M / 2× bar; $0.9M or 1.5× does not; a +inf bar never clears
    arr, growth = np.array([1.2e6, 0.9e6, 1.2e6, 1.2e6]), np.array([2.5, 2.5, 1.5, 2.5])
    bar = np.array([1e6, 1e6, 1e6, INF])
    np.testing.assert_array_equal(has_traction(arr, growth, bar, 2.0), [True, False, False, False])
    np.testing.assert_array_equal(
        np.asarray(has_traction(jnp.asarray(arr), growth, bar, 2.0)), has_traction(arr, growth, bar, 2.0)
    )


def test_start_due_retries_an_abandoned_round_with_traction():
    """At month end 10, runway 6 months (< the 9-month trigger), ARR $2M growing 3× unless noted. The seed was
    abandoned (2 failed attempts, retry time 8).

    0. retry bar $1M: the seed starts again (the A waits behind it);
    1. retry bar $5M (not met): the seed stays abandoned and the A starts, as without the policy;
    2. the policy off (bar +inf): the A starts;
    3. the A has started already (one failed attempt): the seed is not retried, the A's retry starts;
    4. the seed's retry time is 12 (> 10): not ready, so the A starts;
    5. growth 1.5× (< 2×): no traction, the A starts;
    6. the A is raising: nothing starts;
    7. an inactive path: nothing starts."""
    n = 8
    status = np.tile([ABANDONED, WAITING, WAITING], (n, 1))
    attempts = np.tile([2.0, 0.0, 0.0], (n, 1))
    next_try = np.tile([8.0, 0.0, 0.0], (n, 1))
    attempts[3, 2], next_try[3, 2] = 1.0, 9.0
    next_try[4, 0] = 12.0
    status[6, 2] = RAISING
    growth = np.full(n, 3.0)
    growth[5] = 1.5
    args = {
        "status": status,
        "next_try": next_try,
        "params": _params([1e6, 5e6, INF, 1e6, 1e6, 1e6, 1e6, 1e6], np.full(n, INF)),
        "now": 10.0,
        "runway": np.full(n, 6.0),
        "arr": np.full(n, 2e6),
        "active": np.arange(n) != 7,
        "growth": growth,
        "attempts": attempts,
    }
    seed, a = (
        [True, False, False, False, False, False, False, False],
        [False, True, True, True, True, True, False, False],
    )
    expected = np.stack([seed, np.zeros(n, bool), a], axis=1)
    np.testing.assert_array_equal(_both(args), expected)
    # without growth and attempts (the callers before the policy): the bar's growth is 1×, never ≥ 2×
    old = {k: v for k, v in args.items() if k not in ("growth", "attempts")}
    assert not _both(old)[:, 0].any()


def test_start_due_waives_the_earliest_month_with_traction():
    """The seed closed; the A's earliest month is 24, now 12, runway 6, ARR $2M growing 3×. With a $1M waiver bar
    the A starts; with a $5M bar or none it waits; at month 24 it starts either way."""
    n = 3
    args = {
        "status": np.tile([CLOSED, WAITING, WAITING], (n, 1)),
        "next_try": np.zeros((n, 3)),
        "params": _params(np.full(n, INF), [1e6, 5e6, INF], earliest_a=24.0),
        "now": 12.0,
        "runway": np.full(n, 6.0),
        "arr": np.full(n, 2e6),
        "active": np.ones(n, bool),
        "growth": np.full(n, 3.0),
        "attempts": np.zeros((n, 3)),
    }
    np.testing.assert_array_equal(_both(args)[:, 2], [True, False, False])
    np.testing.assert_array_equal(_both(args | {"now": 24.0})[:, 2], [True, True, True])


# ---- both engines: a seed abandoned in a frozen market, retried once the market thaws --------------------------


PRE_MONEY, DOWN_ROUND = 10e6, 0.8


def _abandoned_seed(policy: dict) -> Scenario:
    """seed_stage_api with one seed round, $3M at $10M pre-money (fixed), traction pricing off, 24 months.

    It starts at the first month end (trigger: runway < 1,000 months), takes one month to close and retries one
    month after a failure, twice at most. The climate is 10⁻⁹ before month 8 (odds ≈ 10⁻⁷: every attempt
    fails) and 1 from month 8 (odds 0.99). So: start at 1, fail at 2; start at 3, fail at 4: abandoned."""
    with open("scenarios/seed_stage_api.yaml") as fh:
        data = yaml.safe_load(fh)
    seed = data["funding"]["rounds"][0] | {
        "trigger_runway_months": 1000,
        "success_probability": 0.99,
        "pre_money": PRE_MONEY,
        "amount": 3e6,
        "time_to_close_months": 1,
        "max_attempts": 2,
        "retry_delay_months": 1,
        "down_round_factor": DOWN_ROUND,
        "traction": "off",
    }
    data["funding"]["rounds"] = [seed]
    data["funding"]["climate"] = {"schedule": {0: 1e-9, 8: 1.0}, "interpolation": "step"}
    data["simulation"]["months"] = 24
    data["policy"] = policy
    return Scenario.model_validate(data)


def _run(policy: dict, engine: str):
    kw = {"workers": 1} if engine == "des" else {}
    n = 16 if engine == "des" else 256
    return vs.simulate(_abandoned_seed(policy), engine=engine, paths=n, seed=3, metrics=SEED_ONLY_METRICS, **kw).data


def _retry(bar: dict) -> dict:
    return {"on_round_failure": {"retry_abandoned_with_traction": bar}}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jax", "des"])
def test_abandoned_seed_is_retried_with_traction_in_both_engines(engine):
    """Without the policy the seed is abandoned after its two attempts (months 2 and 4) and never closes.

    With a bar every company clears ($0, 0×): retried at month ends 5 and 7 (climate 10⁻⁹: fails at 6 and 8),
    then at 9 (climate 1, odds 0.99): it closes in month 10 after 4 failed attempts, at $10M × 0.8⁴ = $4.096M
    pre-money. A company that made money by then (runway +∞ ≥ the trigger) does not raise and stays abandoned.
    Every close is priced $10M × 0.8^(its failed attempts)."""
    off = _run({}, engine)
    assert (off["round_status"].values[:, 0] == ABANDONED).all()
    assert (off["round_attempts"].values[:, 0] == 2).all()
    on = _run(_retry({"min_arr": 0, "min_growth": 0}), engine)
    status, attempts = on["round_status"].values[:, 0], on["round_attempts"].values[:, 0]
    close, pre = on["round_close_month"].values[:, 0], on["round_pre_money"].values[:, 0]
    closed = status == CLOSED
    assert closed.mean() > 0.85, closed.mean()
    assert ((close[closed] == 10) & (attempts[closed] == 4)).mean() > 0.9
    np.testing.assert_allclose(pre[closed], PRE_MONEY * DOWN_ROUND ** attempts[closed], rtol=1e-5)
    assert (attempts[~closed] >= 2).all() and (status[~closed] == ABANDONED).all()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jax", "des"])
def test_retry_waits_for_the_traction_in_both_engines(engine):
    """A bar of $1.5M ARR (any growth): a company is retried only once its ARR at a month end reaches $1.5M —
    the attempt that closes in month c started at the end of month c − 2 (one month to close)."""
    bar = 1.5e6
    on = _run(_retry({"min_arr": bar, "min_growth": 0}), engine)
    status, close = on["round_status"].values[:, 0], on["round_close_month"].values[:, 0]
    arr = on["arr"].values
    closed = np.flatnonzero(status == CLOSED)
    assert 0 < len(closed) < len(status)  # some companies reach the bar, some do not
    started = close[closed].astype(int) - 2
    assert (arr[closed, started] >= bar * (1 - 1e-6)).all()
    assert (started >= 8).all()  # climate 1 (odds 0.99) from month 8 on


# ---- the default: off, and a scenario's numbers unchanged -------------------------------------------------------


def test_policy_defaults_are_off_and_thread_into_the_funding_params():
    failure = Policy().on_round_failure
    assert failure.retry_abandoned_with_traction is None and failure.waive_earliest_month_with_traction is None
    key = jax.random.PRNGKey(0)
    off = sample(_abandoned_seed({}), key, 4).funding
    assert np.isinf(off.retry_min_arr).all() and np.isinf(off.waive_min_arr).all()
    policy = {
        "on_round_failure": {
            "retry_abandoned_with_traction": {},
            "waive_earliest_month_with_traction": {"min_arr": 5e5},
        }
    }
    on = sample(_abandoned_seed(policy), key, 4).funding
    np.testing.assert_array_equal(on.retry_min_arr, 1e6)  # the bar's defaults: $1M growing 2×
    np.testing.assert_array_equal(on.retry_min_growth, 2.0)
    np.testing.assert_array_equal(on.waive_min_arr, 5e5)


@pytest.mark.slow
def test_a_bar_no_company_clears_changes_nothing():
    """funding_winter with both bars at $10¹⁵ ARR runs exactly as without them (the default). At its own horizon
    with every metric: the program tests/engine/test_same_uniforms.py compiles, which the compile cache serves here."""
    with open("scenarios/funding_winter.yaml") as fh:
        data = yaml.safe_load(fh)
    failure = data["policy"]["on_round_failure"]
    for name in ("retry_abandoned_with_traction", "waive_earliest_month_with_traction"):
        failure.pop(name, None)
    base = vs.simulate(Scenario.model_validate(data), paths=256, seed=1, metrics="all").data
    bar = {"min_arr": 1e15, "min_growth": 0}
    failure |= {"retry_abandoned_with_traction": bar, "waive_earliest_month_with_traction": bar}
    same = vs.simulate(Scenario.model_validate(data), paths=256, seed=1, metrics="all").data
    for name in ("arr", "cash", "death_month", "round_status", "round_pre_money", "exit_value"):
        np.testing.assert_array_equal(same[name].values, base[name].values, err_msg=name)
