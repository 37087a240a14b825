"""Exact event traces of the discrete-event engine on hand-worked deterministic paths.

In the style of SimPy's own tests: run a tiny model and assert that the log
equals the expected list of ``(time, process, kind, details)`` tuples.

The scenarios are those of ``tests/funding/test_rounds.py``: $100k cash, a fixed
burn of $10k a month, no revenue (price 0; here the segment also launches
after the horizon, so not even a customer count is random), one round with
success probability 0 or 1 (so its draw decides nothing), a trigger of 9.5
months of runway and two months to close. By hand:

* end of month 0 (time 1.0): cash $90k, runway 9.0 < 9.5 → the round starts;
  its phases end at 1.0 + 0.4·2 = 1.8, + 0.3·2 = 2.4, + 0.3·2 = 3.0, where it
  resolves: closes (founders 0.9 · 4M/5M = 72 %) or fails;
* with no money: cash 100k − 10k·(t + 1) < 0 first in month 10 → death logged
  at its end, time 11.0.

Every path of these scenarios is the same, and every record (cash,
financing, alive, runway, rounds, payroll, customers, …) equals the JAX
engine's exactly: the numbers are whole dollars, so float32 (JAX) and
float64 (DES) agree; founders' ownership agrees to float32 rounding.

Event times are compared to 1e-9. An attempt resolves at exactly
start + time_to_close (the last phase waits until then rather than adding
the phase durations, whose float sum could land a hair before a month end and
book the money in the wrong month — see ``test_resolution_time_is_exact``).
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from builders import rounds_scenario

import venturesim as vs

PATHS = 4
#: Ownership is diluted in float64 by the DES and in float32 by JAX: equal to a float32 rounding.
OWNERSHIP = {"founder_ownership", "final_founder_ownership", "round_ownership"}


def scenario(success: float, attempts: int = 1, **round_changes) -> dict:
    return rounds_scenario(success, attempts, paths=PATHS, **round_changes)


def raised_with_staff() -> dict:
    """(a) Success 1 and an engineer at $5k a month: one from month 0, a second from month 3."""
    sc = scenario(1.0)
    sc["team"] = {"roles": [{"name": "engineer", "monthly_cost": 5_000, "headcount": {0: 1, 3: 2}}]}
    return sc


def abandoned() -> dict:
    """(b) Success 0 with two attempts."""
    return scenario(0.0, attempts=2)


def unfunded() -> dict:
    """(c) No rounds at all."""
    sc = scenario(0.0)
    sc["funding"] = {"rounds": []}
    return sc


CASES = {"raised_with_staff": raised_with_staff, "abandoned": abandoned, "unfunded": unfunded}


@pytest.fixture(scope="module")
def des():
    return {name: vs.simulate(make(), engine="des", workers=1, metrics="all") for name, make in CASES.items()}


@pytest.fixture(scope="module")
def jax_results():
    return {name: vs.simulate(make(), metrics="all") for name, make in CASES.items()}


def trace(result: vs.Result, path: int = 0, routine: bool = True) -> list[tuple]:
    log = result.events[result.events["path"] == path]
    if not routine:
        log = log[log["kind"] != "month-end"]
    return [(round(float(r.time), 9), r.process, r.kind, r.details) for r in log.itertuples()]


def month_end(t: int, costs: float, financing: float = 0.0) -> tuple:
    """The routine month-end event closing month t (logged at time t + 1)."""
    return (
        float(t + 1),
        "accounts",
        "month-end",
        f"month {t} closed: revenue $0, costs ${costs:,.0f}, financing ${financing:,.0f}, 0 customers",
    )


PHASES = [
    (1.8, "fundraising", "pitch meetings", "seed: pitch meetings done"),
    (2.4, "fundraising", "term sheet", "seed: term sheet done"),
    (3.0, "fundraising", "due diligence", "seed: due diligence done"),
]


def test_trace_round_closes_with_hires_at_months_0_and_3(des):
    # Costs: 10k + 5k per engineer → 15k in months 0–2, 20k from month 3 (second hire).
    # End of month 0: cash 85k, net burn 15k → runway 5.67 < 9.5: start at 1.0.
    # At time 3.0 the month-end tick (URGENT) closes month 2 first; then the
    # staffing process (its timeout was scheduled at 2.0) hires, then the round
    # (its timeout was scheduled at 2.4) finishes due diligence and closes.
    expected = [
        (0.0, "staffing", "hire", "hired 1 engineer"),
        month_end(0, 15_000),
        (
            1.0,
            "fundraising",
            "start",
            (
                "seed: started raising $1,000,000 at $4,000,000 pre-money "
                "(runway 5.7 months, ARR $0, odds of closing 100%)"
            ),
        ),
        PHASES[0],
        month_end(1, 15_000),
        PHASES[1],
        month_end(2, 15_000),
        (3.0, "staffing", "hire", "hired 1 engineer"),
        PHASES[2],
        (3.0, "fundraising", "closed", "seed: closed $1,000,000; founders now own 72.0%"),
        month_end(3, 20_000, financing=1_000_000),
        *[month_end(t, 20_000) for t in range(4, 14)],
    ]
    assert trace(des["raised_with_staff"]) == expected


def test_state_logged_with_each_event(des):
    log = des["raised_with_staff"].events
    log = log[log["path"] == 0].reset_index(drop=True)
    # (cash, ARR, headcount) after each event, by hand
    expected = [
        (100_000, 0, 1),
        (85_000, 0, 1),
        (85_000, 0, 1),
        (85_000, 0, 1),
        (70_000, 0, 1),
        (70_000, 0, 1),
        (55_000, 0, 1),
        (55_000, 0, 2),
        (55_000, 0, 2),
        (1_055_000, 0, 2),
        (1_035_000, 0, 2),
    ]
    expected += [(1_035_000 - 20_000 * k, 0, 2) for k in range(1, 11)]
    assert list(log[["cash", "arr", "headcount"]].itertuples(index=False, name=None)) == expected


def test_trace_failure_retry_abandonment_and_death(des):
    # Attempt 1: 1.0 → 3.0, fails; retry from 3.0 + 1 = 4.0. At the end of
    # month 3 (time 4.0) cash 60k, runway 6.0 < 9.5 → attempt 2 from 4.0 to
    # 6.0, fails → abandoned. Cash 100k − 10k·(t+1) < 0 first in month 10 → death at 11.0.
    expected = [
        month_end(0, 10_000),
        (
            1.0,
            "fundraising",
            "start",
            "seed: started raising $1,000,000 at $4,000,000 pre-money (runway 9.0 months, ARR $0, odds of closing 0%)",
        ),
        PHASES[0],
        month_end(1, 10_000),
        PHASES[1],
        month_end(2, 10_000),
        PHASES[2],
        (3.0, "fundraising", "failed", "seed: failed (attempt 1); can retry from month 4.0"),
        month_end(3, 10_000),
        (
            4.0,
            "fundraising",
            "start",
            "seed: started raising $1,000,000 at $4,000,000 pre-money (runway 6.0 months, ARR $0, odds of closing 0%)",
        ),
        (4.8, "fundraising", "pitch meetings", "seed: pitch meetings done"),
        month_end(4, 10_000),
        (5.4, "fundraising", "term sheet", "seed: term sheet done"),
        month_end(5, 10_000),  # month ends are URGENT: month 5 closes before the attempt resolving at 6.0
        (6.0, "fundraising", "due diligence", "seed: due diligence done"),
        (6.0, "fundraising", "abandoned", "seed: failed (attempt 2); round abandoned"),
        *[month_end(t, 10_000) for t in range(6, 11)],
        (11.0, "company", "death", "ran out of cash ($-10,000): seed abandoned after failed attempts"),
    ]
    assert trace(des["abandoned"]) == expected
    death = des["abandoned"].events.query("path == 0 and kind == 'death'")
    assert death[["cash", "arr", "headcount"]].values.tolist() == [[-10_000, 0, 0]]


def test_trace_no_rounds_planned(des):
    expected = [month_end(t, 10_000) for t in range(11)]
    expected.append(
        (11.0, "company", "death", "ran out of cash ($-10,000): no funding planned and revenue never covered costs")
    )
    assert trace(des["unfunded"]) == expected


@pytest.mark.parametrize("case", list(CASES))
def test_every_path_has_the_same_story(des, case):
    result = des[case]
    first = trace(result, 0)
    for path in range(1, PATHS):
        assert trace(result, path) == first
    assert sorted(result.events["path"].unique()) == list(range(PATHS))


@pytest.mark.parametrize("case", list(CASES))
def test_records_equal_the_jax_engine_exactly(des, jax_results, case):
    d, j = des[case], jax_results[case]
    assert set(d.data.data_vars) == set(j.data.data_vars) | {"cause_of_death"}  # the DES's death causes
    for name in sorted(j.data.data_vars):
        if name in OWNERSHIP:
            np.testing.assert_allclose(d.data[name].values, j.data[name].values, rtol=2e-7, err_msg=f"{case}: {name}")
        else:
            np.testing.assert_array_equal(d.data[name].values, j.data[name].values, err_msg=f"{case}: {name}")


def test_hand_worked_records(des):
    raised = des["raised_with_staff"].data
    assert raised["cash"].values[0].tolist() == [85_000, 70_000, 55_000] + [1_035_000 - 20_000 * k for k in range(11)]
    assert np.flatnonzero(raised["financing"].values[0]).tolist() == [3]
    assert raised["round_close_month"].values[:, 0].tolist() == [3] * PATHS
    assert raised["headcount"].values[0].tolist() == [1, 1, 1] + [2] * 11
    np.testing.assert_allclose(raised["founder_ownership"].values[0, [2, 3]], [0.9, 0.72], rtol=1e-6)
    for name in ("abandoned", "unfunded"):
        data = des[name].data
        assert data["death_month"].values.tolist() == [10] * PATHS
        assert data["alive"].values[0].tolist() == [True] * 10 + [False] * 4
        assert data["cash"].values[0, 9:].tolist() == [0] + [-10_000] * 4  # frozen at the shortfall
    assert des["abandoned"].data["round_status"].values[:, 0].tolist() == [3] * PATHS


def test_timeline_text(des):
    text = des["raised_with_staff"].timeline(0)
    lines = text.splitlines()
    assert lines == [
        "month   0.0: hired 1 engineer  [cash $100,000, ARR $0, 1 people]",
        (
            "month   1.0: seed: started raising $1,000,000 at $4,000,000 pre-money "
            "(runway 5.7 months, ARR $0, odds of closing 100%)  "
            "[cash $85,000, ARR $0, 1 people]"
        ),
        "month   1.8: seed: pitch meetings done  [cash $85,000, ARR $0, 1 people]",
        "month   2.4: seed: term sheet done  [cash $70,000, ARR $0, 1 people]",
        "month   3.0: hired 1 engineer  [cash $55,000, ARR $0, 2 people]",
        "month   3.0: seed: due diligence done  [cash $55,000, ARR $0, 2 people]",
        "month   3.0: seed: closed $1,000,000; founders now own 72.0%  [cash $1,055,000, ARR $0, 2 people]",
    ]
    routine = des["raised_with_staff"].timeline(0, routine=True).splitlines()
    assert len(routine) == len(lines) + 14
    assert (
        "month   4.0: month 3 closed: revenue $0, costs $20,000, financing $1,000,000, 0 customers  "
        "[cash $1,035,000, ARR $0, 2 people]"
    ) in routine

    failed = des["abandoned"].timeline(0)
    assert "month   3.0: seed: failed (attempt 1); can retry from month 4.0  [cash $70,000, ARR $0, 0 people]" in failed
    assert "month   6.0: seed: failed (attempt 2); round abandoned  [cash $40,000, ARR $0, 0 people]" in failed
    assert failed.splitlines()[-1] == (
        "month  11.0: ran out of cash ($-10,000): seed abandoned after failed attempts  "
        "[cash $-10,000, ARR $0, 0 people]"
    )
    assert des["unfunded"].timeline(0) == (
        "month  11.0: ran out of cash ($-10,000): no funding planned and revenue never covered costs  "
        "[cash $-10,000, ARR $0, 0 people]"
    )
    assert des["unfunded"].timeline(PATHS) == ""  # no such path


def test_why_dead_counts(des):
    """Counted from the per-path final results: each path's cause is its death event's, and "" for a survivor."""
    for result in des.values():
        deaths = result.events[result.events["kind"] == "death"].set_index("path")["cause"]
        expected = [deaths.get(p, "") for p in range(result.paths)]
        assert result.data["cause_of_death"].values.tolist() == expected
        # the JAX engine's way: the same codes from the final results alone (the state stands as at the death)
        finals_only = dataclasses.replace(result, data=result.data.drop_vars("cause_of_death"), engine="jax")
        assert finals_only.death_causes().tolist() == expected
    assert des["raised_with_staff"].why_dead().empty
    assert des["abandoned"].why_dead().to_dict("records") == [
        {"cause": "seed abandoned after failed attempts", "paths": PATHS, "share_of_paths": 1.0}
    ]
    assert des["unfunded"].why_dead().to_dict("records") == [
        {"cause": "no funding planned and revenue never covered costs", "paths": PATHS, "share_of_paths": 1.0}
    ]


@pytest.mark.parametrize(
    ("changes", "death_time", "cause"),
    [
        # resolves at 1 + 20 = 21, long after the cash runs out in month 10
        ({"success": 1.0, "time_to_close_months": 20}, 11.0, "cash ran out while raising seed"),
        # may not start before month 12
        ({"success": 1.0, "earliest_month": 12}, 11.0, "seed not started in time (trigger or earliest month)"),
        # fails at 3.0, may retry only from 23.0
        ({"success": 0.0, "attempts": 2, "retry_delay_months": 20}, 11.0, "seed failed and the retry came too late"),
        # closes $10k at 3.0: 110k − 10k·(t+1) < 0 first in month 11 → death at 12.0
        # (traction: off — a $10k round at a $4M price would otherwise be sized up to 15 % dilution)
        (
            {"success": 1.0, "amount": 10_000, "traction": "off"},
            12.0,
            "spent all the money raised before revenue covered costs",
        ),
    ],
)
def test_each_cause_of_death(changes, death_time, cause):
    changes = dict(changes)
    sc = scenario(changes.pop("success"), changes.pop("attempts", 1), **changes)
    des = vs.simulate(sc, engine="des", workers=1, metrics="all")
    deaths = des.events[des.events["kind"] == "death"]
    assert deaths["path"].tolist() == list(range(PATHS))
    assert (deaths["time"] == death_time).all()
    assert (deaths["details"] == f"ran out of cash ($-10,000): {cause}").all()
    assert des.why_dead().to_dict("records") == [{"cause": cause, "paths": PATHS, "share_of_paths": 1.0}]
    jax_result = vs.simulate(sc, metrics="all")
    assert jax_result.why_dead().to_dict("records") == des.why_dead().to_dict("records")  # the same rule, both engines
    for name in ("cash", "financing", "alive", "runway", "death_month", "round_status", "round_close_month"):
        np.testing.assert_array_equal(des.data[name].values, jax_result.data[name].values, err_msg=name)
    np.testing.assert_allclose(
        des.data["founder_ownership"].values, jax_result.data["founder_ownership"].values, rtol=2e-7
    )


def test_dead_company_logs_nothing_more(des):
    log = des["abandoned"].events
    assert log[log["time"] > 11.0].empty
    assert (log.groupby("path")["kind"].last() == "death").all()


# ---- the float drift of the resolution time (a real bug) ----------------------------------------


def test_resolution_time_is_exact(des):
    # attempt 2 of case (b) starts at 4.0 with time to close 2: it must resolve at exactly 6.0
    log = des["abandoned"].events
    resolved = log[(log["path"] == 0) & (log["kind"] == "abandoned")]["time"].tolist()
    assert resolved == [6.0]


def test_round_started_at_month_3_pays_in_month_5_as_in_jax():
    # $120k: runway at the end of month 2 is 90k/10k = 9.0 < 9.5 → start at 3.0, resolve at 5.0 (month 5)
    sc = scenario(1.0)
    sc["company"]["initial_cash"] = 120_000
    des = vs.simulate(sc, engine="des", workers=1, metrics="all")
    jax_result = vs.simulate(sc, metrics="all")
    assert np.flatnonzero(jax_result.data["financing"].values[0]).tolist() == [5]
    assert np.flatnonzero(des.data["financing"].values[0]).tolist() == [5]
    assert des.data["round_close_month"].values[0, 0] == 5
    np.testing.assert_array_equal(des.data["cash"].values, jax_result.data["cash"].values)


def test_retry_starts_at_the_hand_worked_month():
    # $240k: runway 9.0 at the end of month 14 → attempt 1 from 15.0 to 17.0 fails;
    # retry from 18.0, when runway is 6.0 < 9.5 → attempt 2 starts at 18.0
    sc = copy.deepcopy(scenario(0.0, attempts=2))
    sc["company"]["initial_cash"] = 240_000
    sc["simulation"]["months"] = 30
    des = vs.simulate(sc, engine="des", workers=1, metrics="all")
    starts = trace(des, routine=False)
    assert [t for t, _, kind, _ in starts if kind == "start"] == [15.0, 18.0]
    assert [t for t, _, kind, _ in starts if kind in ("failed", "abandoned")] == [17.0, 20.0]
