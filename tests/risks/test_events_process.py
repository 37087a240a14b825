"""Risk events in the DES log (exact times and texts) and the event/death tables."""

import numpy as np
import pandas as pd
import pytest
import simpy

from venturesim.risks import Risk, event_table, last_risk_before_death, risk_events, risks_before_death
from venturesim.risks.process import describe_event

WAR = Risk.model_validate(
    {"name": "price_war", "hazard_monthly": 0.1, "max_events": 2, "impacts": [{"target": "market.price", "value": 0.8}]}
)
SUIT = Risk.model_validate(
    {
        "name": "ip_lawsuit",
        "hazard_monthly": 0.1,
        "impacts": [
            {"target": "company.other_costs", "mode": "add", "value": 60_000, "duration_months": 12},
            {"target": "market.price", "value": 0.0, "duration_months": 3, "probability": 0.05, "segment": "smb"},
        ],
    }
)


class Company:
    """The DES company's interface the process uses: alive and log."""

    def __init__(self, env):
        self.env, self.alive, self.events = env, True, []

    def log(self, process, kind, details):
        self.events.append((self.env.now, process, kind, details))


def run(time, severity, value, occurs, die_at=None):
    env = simpy.Environment()
    company = Company(env)
    env.process(risk_events(env, company, (WAR, SUIT), time, severity, value, occurs))
    if die_at is not None:

        def death():
            yield env.timeout(die_at)
            company.alive = False

        env.process(death())
    env.run(until=50)
    return company.events


def test_events_are_logged_at_their_exact_times_in_order():
    time = np.array([[14.2, 3.5], [7.25, np.inf]])  # (K, E)
    severity = np.array([[1.0, 0.5], [2.0, 0.0]])
    value = np.array([[0.8, 0.0], [60_000, 0.0]])
    occurs = np.array([[[1, 0], [1, 0]], [[1, 1], [0, 0]]], float)
    events = run(time, severity, value, occurs)
    assert [(t, kind) for t, _, kind, _ in events] == [(3.5, "price_war"), (7.25, "ip_lawsuit"), (14.2, "price_war")]
    assert events[0][3] == "price_war (severity 0.50): market.price ×0.90 from month 4, for good"
    # 60k × 2 = $120,000 a month; the injunction came with it: price × max(1 + (0 − 1)·2, 0) = 0
    assert events[1][3] == (
        "ip_lawsuit (severity 2.00): company.other_costs +$120,000/month from month 8, "
        "for 12 months; market.price[smb] ×0.00 from month 8, for 3 months"
    )
    assert {p for _, p, _, _ in events} == {"risk"}


def test_no_events_after_death():
    time = np.array([[2.0, 9.0], [np.inf, np.inf]])
    events = run(time, np.ones((2, 2)), np.array([[0.8, 0], [0, 0]]), np.ones((2, 2, 2)), die_at=5)
    assert [t for t, *_ in events] == [2.0]


def test_one_off_and_failure_descriptions():
    risk = Risk.model_validate(
        {
            "name": "x",
            "hazard_monthly": 0.1,
            "impacts": [
                {"target": "company.one_off_cost", "mode": "add", "value": 30_000},
                {"target": "product.failure_probability", "mode": "add", "value": 0.2, "duration_months": 6},
            ],
        }
    )
    text = describe_event(risk, 4.5, 1.5, np.array([30_000, 0.2]), np.array([1.0, 1.0]))
    assert text == (
        "x (severity 1.50): company.one_off_cost +$45,000 in month 5; "
        "product.failure_probability +0.3 for runs submitted from month 5, for 6 months"
    )


@pytest.fixture
def table():
    # 4 paths, risks a and b; path 0: a at 2.5, b at 10.2; path 1: b at 0.5; path 2: none; path 3: a at 20.0
    time = np.full((4, 2, 2), np.inf)
    time[0, 0, 0], time[0, 1, 0], time[1, 1, 0], time[3, 0, 0] = 2.5, 10.2, 0.5, 20.0
    severity = np.where(np.isfinite(time), 1.0, 0.0)
    return event_table(time, severity, ["a", "b"])


def test_event_table(table):
    assert table[["path", "risk", "time", "month"]].values.tolist() == [
        [0, "a", 2.5, 2],
        [0, "b", 10.2, 10],
        [1, "b", 0.5, 0],
        [3, "a", 20.0, 20],
    ]


def test_risks_before_death(table):
    # deaths: path 0 in month 8 (a fired at 2.5 before it, b at 10.2 after), path 1 in month 0 (b at 0.5,
    # before the month-end at time 1 where cash ran out), path 3 in month 12 (a at 20, after)
    death = np.array([8, 0, -1, 12])
    summary = risks_before_death(table, death, ["a", "b"]).set_index("risk")
    assert summary.loc["a", "deaths_after"] == 1 and summary.loc["b", "deaths_after"] == 1
    assert summary.loc["a", "share_of_deaths"] == pytest.approx(1 / 3)
    # an event exactly at the month-end of death (time d + 1) comes after it (month-ends run first)
    late = risks_before_death(table.assign(time=table["time"].where(table["path"] != 1, 1.0)), death, ["b"])
    assert late.loc[0, "deaths_after"] == 0
    assert summary.loc["a", "death_rate_if_fired"] == 1.0  # paths 0 and 3 fired a, both died
    assert summary.loc["a", "death_rate_if_not"] == 0.5  # paths 1 (dead) and 2 (alive)
    last = last_risk_before_death(table, death)
    assert last.to_dict("list") == {
        "path": [0, 1, 3],
        "death_month": [8, 0, 12],
        "risk": ["a", "b", "none"],
        "time": [2.5, 0.5, pytest.approx(np.nan, nan_ok=True)],
    }


def test_event_table_checks_shapes():
    with pytest.raises(ValueError, match="expected"):
        event_table(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), ["a"])
    assert event_table(np.full((2, 1, 1), np.inf), np.zeros((2, 1, 1)), ["a"]).empty
    assert isinstance(event_table(np.full((2, 1, 1), np.inf), np.zeros((2, 1, 1)), ["a"]), pd.DataFrame)
