"""The team run on its own, in each engine (test drivers: the engines run the team inside a company)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
import simpy

from venturesim._simpy import month_end_tick
from venturesim.team.params import TeamParams
from venturesim.team.process import TeamLedger, start_team, team_month
from venturesim.team.step import TeamMonth, TeamSignals, TeamState, init_team, initial_signals, step_team


def run_team(
    key: jax.Array, params: TeamParams, months: int, signals: TeamSignals | None = None, active: jax.Array | None = None
) -> tuple[TeamState, TeamMonth]:
    """Run the team alone for ``months`` months with fixed ``signals`` (default :func:`initial_signals`).

    Month t uses the key ``fold_in(key, t)``. Returns the final state and the
    records, each (months, paths, …). Jit it with ``months`` static.
    """
    paths = params.plan.shape[0]
    signals = initial_signals(paths) if signals is None else signals
    active = jnp.ones(paths, bool) if active is None else active

    def body(state, t):
        return step_team(jax.random.fold_in(key, t), state, params, t, active, signals)

    return jax.lax.scan(body, init_team(params), jnp.arange(months))


@dataclass
class Alone:
    """A stand-in company for running the team on its own."""

    env: object
    alive: bool = True
    ended: object = None
    headcount: float = 0.0
    team: TeamLedger | None = None
    events: list = field(default_factory=list)

    def log(self, process: str, kind: str, details: str) -> None:
        self.events.append((self.env.now, process, kind, details, self.headcount))


def run_team_des(
    params: TeamParams,
    months: int,
    rng: np.random.Generator,
    names: list[str] | None = None,
    signals: TeamSignals | None = None,
    observe=None,
) -> tuple[list[TeamMonth], list[tuple]]:
    """Run one path's team alone for ``months`` months.

    Parameters
    ----------
    params : one path's TeamParams (leaves without the path axis).
    signals : the signals of every month (default: :func:`des_signals`).
    observe : optional ``observe(t, month) -> TeamSignals | None``, called at
        each month end with the month's record; what it returns (if not None)
        becomes the signals of month t + 1 — a caller's own economy.

    Returns
    -------
    The month records and the event log ``(time, process, kind, details, headcount)``.
    """
    env = simpy.Environment()
    company = Alone(env)
    names = names or [f"role{k}" for k in range(params.plan.shape[0])]
    start_team(env, company, params, names, months, rng)
    if signals is not None:
        company.team.signals = signals
    records: list[TeamMonth] = []

    def month_ends():
        for t in range(months):
            yield month_end_tick(env)
            records.append(team_month(company, params, t))
            if observe is not None and (new := observe(t, records[-1])) is not None:
                company.team.signals = new

    env.process(month_ends())
    env.run(until=months + 0.5)
    return records, company.events


# Hold the plan's hires while raising (policy.growth.hold_hires_while_raising_below_runway_months): 2 engineers,
# the plan says 5 from month 1, no time to fill (a hire lands the month it opens). Month 1: a round is being
# raised with runway 8 < 12 → nobody is hired (the hold is a freeze); month 2 the same; month 3 the round has
# closed (not raising, runway 30) → the 3 hires land: 2, 2, 2, 5. Raising with runway 15 ≥ 12, or without the
# policy, the plan runs: 5 from month 1. The DES runs the same case (tests/team/test_process.py).
HOLD_TEAM = {"roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": {0: 2, 1: 5}}]}
HOLD_POLICY = {"growth": {"hold_hires_while_raising_below_runway_months": 12}}
HOLD_CASES = {  # (policy, signals of months 0-3: (runway, raising, closed)) → headcount, frozen
    "held": (HOLD_POLICY, [(math.inf, False, False), (8, True, False), (7, True, False), (30, False, True)]),
    "above": (HOLD_POLICY, [(math.inf, False, False), (15, True, False), (14, True, False), (30, False, True)]),
    "off": (None, [(math.inf, False, False), (8, True, False), (7, True, False), (30, False, True)]),
}
HOLD_WANT = {
    "held": ([2, 2, 2, 5], [False, True, True, False]),
    "above": ([2, 5, 5, 5], [False] * 4),
    "off": ([2, 5, 5, 5], [False] * 4),
}


# Cut while raising short of the close (policy.on_round_failure.cut_while_raising_short_of_close_months, margin 3):
# 2 engineers at $10k, the plan says 6 from month 1, no time to fill. Signals of months 0-4 (runway, raising,
# closed, months to close, net burn): month 1 raising with runway 20 ≥ 6 + 3 → the 4 hires land (6). Month 2
# runway 6 < 6 months to close + 3 → in distress as after a failed round: frozen, channel budgets × 0.5 and the cut
# to a 12-month runway: the 4 people above the month-0 plan cost 40k, the cut wants 60k (1 − 6/12) = 30k → f = 0.75,
# ⌊0.75 · 4 + ½⌋ = 3 laid off (3 left, capped at 3). Month 3 runway 15 ≥ 5 + 3: out of distress, the cap holds
# (3). Month 4 the round closed: the cap lifts, the 3 hires land (6). With margin 0 (6 ≥ 6) or without the
# policy nobody is cut. The DES runs the same case (tests/team/test_process.py).
SHORT_TEAM = {"roles": [{"name": "eng", "monthly_cost": 10_000, "headcount": {0: 2, 1: 6}}]}
SHORT_SIGNALS = [  # (runway, raising, closed, to_close, net_burn)
    (math.inf, False, False, 0.0, 0.0),
    (20.0, True, False, 7.0, 30_000.0),
    (6.0, True, False, 6.0, 60_000.0),
    (15.0, True, False, 5.0, 30_000.0),
    (30.0, False, True, 0.0, 0.0),
]
SHORT_CASES = {  # policy → (headcount, layoffs, frozen, channel scale) by month
    "short": {"on_round_failure": {"cut_while_raising_short_of_close_months": 3}},
    "margin 0": {"on_round_failure": {"cut_while_raising_short_of_close_months": 0}},
    "off": None,
}
SHORT_WANT = {
    "short": ([2, 6, 3, 3, 6], [0, 0, 3, 0, 0], [False, False, True, False, False], [1, 1, 0.5, 1, 1]),
    "margin 0": ([2, 6, 6, 6, 6], [0] * 5, [False] * 5, [1] * 5),
    "off": ([2, 6, 6, 6, 6], [0] * 5, [False] * 5, [1] * 5),
}


# Cut while waiting to raise short of the close (policy.on_round_failure.cut_while_waiting_to_raise_short_of_close_
# months): SHORT_TEAM, nothing being raised; signals of months 0-4 (runway, closed, months until the next round, which
# cannot start yet, could close, net burn). Month 1 runway 20 ≥ 13: the 4 hires land (6). Month 2 runway 10 < 12 + 0
# (margin 0): in distress as after a failed round — frozen, channel budgets × 0.5, the cut to a 12-month runway: the
# cut wants 60k (1 − 10/12) = 10k of the 40k above the month-0 plan → f = 0.25, ⌊0.25 · 4 + ½⌋ = 1 laid off (5,
# capped). Month 3 runway 14 ≥ 4: out of distress, the cap holds (5). Month 4 a round closed: the cap lifts (6). The
# cut while *raising* short of the close alone, or no policy, cuts nobody: nothing is being raised. The DES runs the
# same case (tests/team/test_process.py).
WAIT_SIGNALS = [  # (runway, closed, to_window, net_burn)
    (math.inf, False, 0.0, 0.0),
    (20.0, False, 13.0, 30_000.0),
    (10.0, False, 12.0, 60_000.0),
    (14.0, False, 4.0, 30_000.0),
    (30.0, True, 0.0, 0.0),
]
WAIT_CASES = {
    "waiting": {"on_round_failure": {"cut_while_waiting_to_raise_short_of_close_months": 0}},
    "raising only": {"on_round_failure": {"cut_while_raising_short_of_close_months": 0}},
    "off": None,
}
WAIT_WANT = {  # headcount, layoffs, frozen, channel scale by month
    "waiting": ([2, 6, 5, 5, 6], [0, 0, 1, 0, 0], [False, False, True, False, False], [1, 1, 0.5, 1, 1]),
    "raising only": ([2, 6, 6, 6, 6], [0] * 5, [False] * 5, [1] * 5),
    "off": ([2, 6, 6, 6, 6], [0] * 5, [False] * 5, [1] * 5),
}


# The cut's floor (team.roles[].cut_floor): SHORT_TEAM under the cut while raising short of the close (margin 3),
# the signals of SHORT_SIGNALS but a net burn of 100k in month 2: the cut wants 100k (1 − 6/12) = 50k. Its default
# floor, the month-0 plan (2), leaves 4 people (40k) to cut: f = min(50/40, 1) = 1, all 4 go (2 left). With
# cut_floor 0 the 2 starting engineers can go too: 6 people (60k), f = 5/6, ⌊5 + ½⌋ = 5 go (1 left). The cap holds
# in month 3 and lifts when the round closes in month 4. The DES runs the same case (tests/team/test_process.py).
FLOOR_SIGNALS = [s if i != 2 else s[:4] + (100_000.0,) for i, s in enumerate(SHORT_SIGNALS)]
FLOOR_CASES = {"starting team kept": SHORT_TEAM, "floor 0": {"roles": [dict(SHORT_TEAM["roles"][0], cut_floor=0)]}}
FLOOR_WANT = {  # headcount, layoffs, frozen, channel scale by month
    "starting team kept": ([2, 6, 2, 2, 6], [0, 0, 4, 0, 0], [False, False, True, False, False], [1, 1, 0.5, 1, 1]),
    "floor 0": ([2, 6, 1, 1, 6], [0, 0, 5, 0, 0], [False, False, True, False, False], [1, 1, 0.5, 1, 1]),
}


# The roles' pay cut in distress (team.roles[].pay_cut_in_distress): SHORT_TEAM plus 2 founders at $9k who forgo half
# their pay while the failure policy's cut is due, under the cut while raising short of the close (margin 3) and
# SHORT_SIGNALS. Month 2 (runway 6 < 6 + 3, net burn 60k, runway 6 < the cut's 12): the cut lays off 3 engineers as
# in SHORT_WANT (the founders are their own month-0 plan, out of its reach) and the founders are paid 2 · 9k · ½:
# payroll 9k + 3 · 10k = 39k (48k without the pay cut). Month 3 (runway 15 ≥ 5 + 3): out of distress, full pay,
# 18k + 30k. With the cut to a runway target off, month 2 is in distress but no cut is due: no layoff, full pay.
PAY_TEAM = {"roles": [{"name": "founders", "monthly_cost": 9_000, "headcount": 2, "pay_cut_in_distress": 0.5}]}
PAY_CASES = {  # (roles, policy)
    "pay cut": ([PAY_TEAM["roles"][0], SHORT_TEAM["roles"][0]], SHORT_CASES["short"]),
    "no pay cut": ([dict(PAY_TEAM["roles"][0], pay_cut_in_distress=0.0), SHORT_TEAM["roles"][0]], SHORT_CASES["short"]),
    "cut off": (
        [PAY_TEAM["roles"][0], SHORT_TEAM["roles"][0]],
        {"on_round_failure": {"cut_while_raising_short_of_close_months": 3, "cut_to_runway_months": None}},
    ),
}
PAY_WANT = {  # payroll, headcount by month
    "pay cut": ([38_000, 78_000, 39_000, 48_000, 78_000], [4, 8, 5, 5, 8]),
    "no pay cut": ([38_000, 78_000, 48_000, 48_000, 78_000], [4, 8, 5, 5, 8]),
    "cut off": ([38_000, 78_000, 78_000, 78_000, 78_000], [4, 8, 8, 8, 8]),
}
