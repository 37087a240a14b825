"""The team in the discrete-event engine: requisitions, departures and layoffs as SimPy events.

The same model as :mod:`venturesim.team.step`, person by person. A
:class:`TeamLedger` (``company.team``) holds the people (role, hire month,
grant) and the open requisitions. The :func:`staffing` process, at each month
start t (after the engine's month end for t − 1, which is scheduled URGENT),
runs :func:`month_start`:

* **attrition**: each person on payroll draws an exponential time E with
  rate λ·M (the month's stress multiplier); if E < 1 they quit at t + E
  (logged ``departure``). Redrawing each month is exact for a hazard that is
  constant within a month (memorylessness); people joining during month t
  are at risk from t + 1, as in the kernel;
* **layoffs** and **separations** pick people at random among those not
  quitting (a uniform random subset, as the kernel's mean field assumes);
* **cancellations** drop the open requisitions with the latest start
  (logged ``cancelled``; the requisition's process is interrupted);
* **openings** follow the same rules (``_rules``); a role without a time to
  fill hires at once (logged ``staffing``/``hire``, as the plan-only engine
  did), any other opening starts a :func:`requisition` process.

A requisition draws its offer cycles when it opens: cycle i lasts
C_i ~ Gamma(k, T/k) and ends in an offer accepted with probability p (the
acceptance at opening); the first accepted offer ends the search. It logs
``opened``, then per cycle ``sourced`` (40 % of the cycle), ``interviewed``
(80 %), ``offer`` and ``declined``/``accepted``, then ``start`` at
t + min(ΣC_i, H − 1) and ``ramped`` at the start of tenure month ⌈R⌉. All
under the process name ``hiring``.

At each month end the engine calls :func:`team_month` (before it closes the
market, so the capacity effects act on the same month), which grants options
to the month's hires (pro rata if the pool runs short) and returns the
month's :class:`~venturesim.team.step.TeamMonth` in floats, computed with the
kernel's formulas — with ``capacity_effects``, also the engineering quality
gain, the sales deal cap (its uniform drawn from the team's generator) and
the support capacity.

``company`` must provide: ``alive`` (bool), ``headcount`` (float, kept equal
to the people on payroll for the event log), ``team`` (a :class:`TeamLedger`,
set by :func:`start_team`), ``log(process, kind, details)`` and optionally
``ended`` (an event that stops every process, :mod:`venturesim._simpy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from venturesim._draws import provider
from venturesim._simpy import stops_when_ended
from venturesim.team import _rules as rules
from venturesim.team.capacity import month_capacity, ramp_weights
from venturesim.team.params import TeamParams
from venturesim.team.payroll import month_costs, sales_marketing_cost
from venturesim.team.step import FAR, TeamMonth, TeamSignals

__all__ = [
    "Person",
    "Requisition",
    "TeamLedger",
    "des_signals",
    "month_start",
    "requisition",
    "staffing",
    "start_team",
    "team_month",
]

PHASES = (("sourced", 0.4), ("interviewed", 0.8), ("offer", 1.0))
"""Log labels inside one hiring cycle, at these shares of its duration (labels only)."""


@dataclass
class Person:
    """One person on payroll."""

    role: int
    month: float  # hire month (−inf for the starting team)
    grant: float = 0.0  # pool grant, fraction of fully diluted
    leaving: bool = False  # quits later this month


@dataclass
class Requisition:
    """One opening in the hiring pipeline."""

    role: int
    opened: float
    start: float  # when the hire starts (opened + capped time to fill)
    process: object = None  # the :func:`requisition` process that fills it (interrupted if cancelled)


@dataclass
class TeamLedger:
    """The team state of one DES path (``company.team``)."""

    names: list[str]
    staff: list[list[Person]]
    reqs: list[list[Requisition]]
    pool: float
    cap: np.ndarray
    signals: TeamSignals
    vested_departed: float = 0.0
    since_failed: float = FAR
    since_closed: float = FAR
    since_layoff: float = FAR
    # the month's counters, (roles,): set by reset_month
    hires: np.ndarray = field(init=False)
    departures: np.ndarray = field(init=False)
    separations: np.ndarray = field(init=False)
    laid_off: np.ndarray = field(init=False)
    openings: np.ndarray = field(init=False)
    joined: list = field(default_factory=list)
    returned: float = 0.0
    frozen: bool = False
    engineering_done: float = 0.0  # effective engineering FTE-months so far, X = Σ FTE^α
    growth: float = 1.0  # the policy's growth scale of the plan's hires and channel budgets
    distress: bool = False  # a failed attempt and no round closed since (this month)
    rng: object = None  # the team's draw provider (venturesim._draws; the sales cap's rounding uniform)

    def __post_init__(self):
        self.reset_month()

    def reset_month(self) -> None:
        """Zero the month's counters (after :func:`team_month`)."""
        k = len(self.names)
        self.hires, self.departures, self.separations = np.zeros(k), np.zeros(k), np.zeros(k)
        self.laid_off, self.openings = np.zeros(k), np.zeros(k)
        self.joined, self.returned, self.frozen = [], 0.0, False


def des_signals(
    runway=math.inf,
    customers=0.0,
    new_arr=0.0,
    round_failed=False,
    round_closed=False,
    raising=False,
    attrition_scale=1.0,
    productivity=1.0,
    net_burn=0.0,
    margin=-math.inf,
    burn_multiple=math.inf,
    to_close=0.0,
    to_window=0.0,
) -> TeamSignals:
    """Signals as plain numbers, for the DES (the engine sets ``company.team.signals`` at each month end)."""
    return TeamSignals(
        float(runway),
        float(customers),
        float(new_arr),
        bool(round_failed),
        bool(round_closed),
        bool(raising),
        float(attrition_scale),
        float(productivity),
        float(net_burn),
        float(margin),
        float(burn_multiple),
        float(to_close),
        float(to_window),
    )


def start_team(env, company, params: TeamParams, names: list[str], months: int, rng):
    """Create ``company.team`` from one path's params (leaves without the path axis) and start :func:`staffing`
    (``rng``: the team's NumPy generator or a draw provider, :mod:`venturesim._draws`)."""
    rng = provider(rng)
    if len(names) != params.plan.shape[0]:
        raise ValueError(f"names(={names}) must name the {params.plan.shape[0]} roles of params")
    start = params.plan[:, 0]
    company.team = TeamLedger(
        names=list(names),
        staff=[[Person(k, -math.inf) for _ in range(int(n))] for k, n in enumerate(start)],
        reqs=[[] for _ in names],
        pool=float(params.option_pool),
        cap=np.full(len(names), np.inf),
        signals=des_signals(),
        rng=rng,
    )
    if no_people(params):  # nothing happens during a month: its team-level part runs in team_month
        return None
    return env.process(staffing(env, company, params, months, rng))


def no_people(params: TeamParams) -> bool:
    """A team of no roles and no capacity effects: its month start moves only the team-level clocks and the
    policies' growth scale (:func:`_team_level_start`), and its month costs nothing (:func:`team_month`)."""
    c = params.capacity
    return params.plan.shape[0] == 0 and c.gain_max is None and c.deals_per_fte is None and c.customers_per_fte is None


@stops_when_ended
def staffing(env, company, params: TeamParams, months: int, rng):
    """Log the starting team at time 0, then run :func:`month_start` at every month start until the company ends."""
    team = company.team
    for k, people in enumerate(team.staff):
        if people:
            company.headcount += len(people)
            company.log("staffing", "hire", f"hired {len(people)} {team.names[k]}")
    for t in range(months):
        if t:
            yield env.timeout(1)
        if not company.alive:
            return
        month_start(env, company, params, t, rng)


def _tenure(person: Person, t: int, buckets: int) -> int:
    return int(min(t - person.month, buckets - 1))


def _remove(company, people: list[Person], params: TeamParams, t: int) -> None:
    """Take people off payroll now or later this month: their unvested grant returns to the pool."""
    team, buckets = company.team, params.vesting.shape[0]
    for person in people:
        vested = person.grant * params.vesting[_tenure(person, t, buckets)]
        team.returned += person.grant - vested
        team.pool += person.grant - vested
        team.vested_departed += vested


def _pick(people: list[Person], n: int, rng, distinguishable: bool, t: int = 0, k: int = 0) -> list[Person]:
    """n people of a role, uniformly at random (the last n when they are interchangeable)."""
    candidates = [p for p in people if not p.leaving]
    if n <= 0:
        return []
    if not distinguishable:
        return candidates[-n:]
    return [candidates[i] for i in sorted(rng.pick(t, k, len(candidates), n))]


def _let_go(company, params, t, k, n, rng, kind, words) -> None:
    team = company.team
    chosen = _pick(team.staff[k], int(n), rng, params.ramp_months[k] > 0 or params.equity_grant[k] > 0, t, k)
    if not chosen:
        return
    _remove(company, chosen, params, t)
    ids = {id(p) for p in chosen}
    team.staff[k] = [p for p in team.staff[k] if id(p) not in ids]
    company.headcount -= len(chosen)
    company.log("staffing", kind, f"{words} {len(chosen)} {team.names[k]}")


def month_start(env, company, params: TeamParams, t: int, rng) -> None:
    """The month-start decisions of month t (the kernel's steps 1–7)."""
    team, p, sig = company.team, params, company.team.signals
    roles = len(team.names)
    cost, plan, plan_before = p.monthly_cost[:, t], p.plan[:, t], p.plan[:, max(t - 1, 0)]
    team.since_failed, team.since_closed, team.since_layoff = (
        float(c)
        for c in rules.advance_clocks(
            team.since_failed, team.since_closed, team.since_layoff, sig.round_failed, sig.round_closed
        )
    )

    quitting = []
    rate = rules.leave_rate(sig.runway, team.since_failed, team.since_layoff, sig.attrition_scale, p)
    replayed = _replayed_departures(rng, t, team, rate, p)  # None: each person's own exponential time
    for k in range(roles):
        for i, person in enumerate(team.staff[k]) if rate[k] > 0 else ():
            e = rng.departure_delay(t, k, rate[k]) if replayed is None else replayed[k][i]
            if e < 1.0:
                person.leaving = True
                quitting.append(person)
                team.departures[k] += 1
                env.process(_quit(env, company, person, e))
    _remove(company, quitting, p, t)
    n1 = np.asarray([sum(not q.leaving for q in people) for people in team.staff], float)

    laid, team.cap, since_layoff = rules.layoffs(
        sig.runway, sig.raising, sig.round_closed, team.since_layoff, n1, team.cap, p
    )
    if since_layoff == 0.0:  # a layoff was due: its clock restarts
        for k in range(roles):
            _let_go(company, p, t, k, laid[k], rng, "layoff", "laid off")
        team.laid_off += laid
        n1 = n1 - laid
    team.since_layoff = float(since_layoff)
    distress = team.distress = bool(
        rules.in_distress(
            team.since_failed, team.since_closed, sig.raising, sig.runway, sig.to_close, p, to_window=sig.to_window
        )
    )
    cut, team.cap, since_layoff = rules.policy_cut(
        sig.runway, sig.net_burn, distress, team.since_layoff, n1, team.cap, p.cut_floor, cost, p
    )
    if since_layoff == 0.0 and team.since_layoff != 0.0:  # the policy's cut was due
        for k in range(roles):
            _let_go(company, p, t, k, cut[k], rng, "layoff", "laid off (cut to the runway target)")
        team.laid_off += cut
        n1 = n1 - cut
    team.since_layoff = float(since_layoff)

    base, growth_before = p.plan[:, 0], team.growth
    team.growth = _grown(team, p, sig, distress)
    plan_now = rules.scaled_plan(plan, base, team.growth)
    plan_then = rules.scaled_plan(plan_before, base, growth_before)
    rule = rules.rule_target(sig.customers, sig.new_arr, p)
    target, separations = rules.staffing_target(plan_now, plan_then, rule, team.cap, n1, p)
    for k in range(roles):
        _let_go(company, p, t, k, separations[k], rng, "departure", "let go")
    team.separations += separations
    n3 = n1 - separations

    for k in range(roles):  # cancel the requisitions that would start last
        keep = int(max(target[k] - n3[k], 0.0))
        by_start = sorted(team.reqs[k], key=lambda r: r.start)
        for req in by_start[keep:]:
            req.process.interrupt("cancelled")
            company.log(
                "hiring", "cancelled", f"{team.names[k]}: requisition opened at month {req.opened:.0f} cancelled"
            )
        team.reqs[k] = by_start[:keep]

    open_now = np.asarray([len(r) for r in team.reqs], float)
    opened, frozen = rules.openings(
        target, n3, open_now, sig.runway, cost, p.payroll_budget[t], p, distress=distress, raising=sig.raising
    )
    team.frozen = bool(frozen)
    team.openings += opened
    delayed = p.time_to_fill > 0
    accept = rules.acceptance(sig.runway, team.since_failed, team.since_closed, p) if (opened * delayed).any() else None
    for k in range(roles):
        n = int(opened[k])
        if n and not delayed[k]:
            _join(company, p, [Person(k, float(t)) for _ in range(n)])
            company.log("staffing", "hire", f"hired {n} {team.names[k]}")
        elif n:
            assert accept is not None  # drawn whenever a delayed role opens
            for _ in range(n):
                env.process(requisition(env, company, p, k, float(accept[k]), rng))


def _grown(team, p: TeamParams, sig, distress: bool) -> float:
    """The policies' growth scale for this month (:func:`venturesim.team._rules.growth_scale`)."""
    reinvest = rules.reinvesting(sig.margin, sig.burn_multiple, sig.runway, p)
    return float(rules.growth_scale(team.growth, sig.runway, distress, p, reinvest=reinvest))


def _team_level_start(team, p: TeamParams) -> None:
    """:func:`month_start` of a team of no people (:func:`no_people`): only the clocks, distress, the growth
    scale and the freeze move (no role, so no departure, layoff, cut, requisition or hire)."""
    sig = team.signals
    team.since_failed, team.since_closed, team.since_layoff = (
        float(c)
        for c in rules.advance_clocks(
            team.since_failed, team.since_closed, team.since_layoff, sig.round_failed, sig.round_closed
        )
    )
    distress = team.distress = bool(
        rules.in_distress(
            team.since_failed, team.since_closed, sig.raising, sig.runway, sig.to_close, p, to_window=sig.to_window
        )
    )
    team.growth = _grown(team, p, sig, distress)
    team.frozen = bool(rules.hiring_freeze(sig.runway, distress, p, bool(sig.raising)))


def _replayed_departures(draws, t: int, team, rate, params: TeamParams):
    """With a replay provider (:class:`venturesim._draws.ReplayDraws`), each role's departures as the kernel
    draws them — D_k ~ Binomial(N_k, 1 − e^{−λ_k}) from its uniform — realised as the last D_k people of the
    role leaving at the month start (delay 0; the others 1: they stay). None for the generator's own
    exponential times. A role with ramp or equity grants cannot be replayed (the kernel's leavers are a share
    of every tenure bucket), so its departures ask the provider to pick, which refuses."""
    if not draws.replay:
        return None
    staff = np.asarray([len(people) for people in team.staff], np.float64)
    count = draws.departures(t, staff, 1.0 - np.exp(-np.asarray(rate, np.float64)))
    delays = []
    for k, people in enumerate(team.staff):
        n = int(count[k])
        if n and (params.ramp_months[k] > 0 or params.equity_grant[k] > 0):
            draws.pick(t, k, len(people), n)
        delays.append([1.0] * (len(people) - n) + [0.0] * n)
    return delays


def _join(company, params: TeamParams, people: list[Person]) -> None:
    team = company.team
    for person in people:
        team.staff[person.role].append(person)
        team.hires[person.role] += 1
        team.joined.append(person)
    company.headcount += len(people)


@stops_when_ended
def _quit(env, company, person: Person, delay: float):
    yield env.timeout(delay)
    if not company.alive:
        return
    team = company.team
    team.staff[person.role] = [q for q in team.staff[person.role] if q is not person]
    company.headcount -= 1
    company.log("staffing", "departure", f"1 {team.names[person.role]} quit")


@stops_when_ended
def requisition(env, company, params: TeamParams, k: int, accept: float, rng):
    """One opening of role k: offer cycles until one is accepted, then the start and the ramp (a SimPy process).

    It ends early, logging nothing more, when the requisition is cancelled (an ``Interrupt`` from
    cancellation in :func:`month_start`) or the company ends.
    """
    team, name = company.team, company.team.names[k]
    mean, shape = float(params.time_to_fill[k]), float(params.time_to_fill_shape[k])
    limit = params.offsets.shape[0] - 1.0
    cycles, elapsed = [], 0.0
    while True:  # drawn at opening: the search's whole course
        duration = rng.offer_cycle(math.floor(env.now), k, shape, mean / shape)
        accepted = rng.offer_accepted(math.floor(env.now), k) < accept
        cycles.append((duration, accepted))
        elapsed += duration
        if accepted or elapsed >= limit:
            break
    fill = min(elapsed, limit)
    opened = env.now
    req = Requisition(k, opened, opened + fill, env.active_process)
    team.reqs[k].append(req)
    company.log("hiring", "opened", f"{name}: requisition opened")
    try:
        begin = 0.0  # months since opening, summed in the order `elapsed` was
        for i, (duration, accepted) in enumerate(cycles):
            for phase, share in PHASES:
                at = begin + duration * share if share < 1.0 else begin + duration
                if at > fill:
                    break
                yield env.timeout(max(opened + at - env.now, 0.0))
                if not company.alive:
                    return
                company.log("hiring", phase, f"{name}: {phase} (cycle {i + 1})")
            else:
                company.log(
                    "hiring",
                    "accepted" if accepted else "declined",
                    f"{name}: offer {'accepted' if accepted else 'declined'} (cycle {i + 1})",
                )
            begin += duration
            if begin >= fill:
                break
        yield env.timeout(max(req.start - env.now, 0.0))
    except simpy.Interrupt:
        return
    if not company.alive:
        return
    team.reqs[k] = [r for r in team.reqs[k] if r is not req]
    person = Person(k, float(math.floor(req.start)))
    _join(company, params, [person])
    company.log("hiring", "start", f"{name}: hire started after {req.start - opened:.2f} months")
    ramp = float(params.ramp_months[k])
    if ramp > 0:
        yield env.timeout(max(person.month + math.ceil(ramp) - env.now, 0.0))
        if company.alive and any(q is person for q in team.staff[k]):
            company.log("hiring", "ramped", f"{name}: at full productivity")


def team_month(company, params: TeamParams, t: int) -> TeamMonth:
    """Close month t (call at its end, time t + 1): grants, money, capacity; resets the month's counters."""
    team, p = company.team, params
    if no_people(p):
        return _empty_month(team, p)
    buckets = p.vesting.shape[0]
    granted, scale = rules.pool_grants(team.hires, p.equity_grant, team.pool)
    for person in team.joined:
        person.grant = float(p.equity_grant[person.role] * scale)
    team.pool -= float(granted.sum())
    employees = np.asarray([len(people) for people in team.staff], float)
    sig = team.signals
    cost = rules.paid_cost(
        p.monthly_cost[:, t], p.pay_cut, rules.pay_cut_due(team.distress, sig.runway, sig.net_burn, p)
    )
    payroll, severance, recruiting = month_costs(
        employees, cost, team.laid_off, p.severance_months, team.hires, p.recruiting_cost
    )
    weights = ramp_weights(p.ramp_months, buckets)  # (K, B)
    fte = np.asarray([sum(weights[k, _tenure(q, t, buckets)] for q in people) for k, people in enumerate(team.staff)])
    u = None if p.capacity.deals_per_fte is None else team.rng.deal_cap(t)
    by_function, capacity, team.engineering_done, gain, deals, served = month_capacity(
        fte, p.function, sig.productivity, p.capacity_exponent, team.engineering_done, p.capacity, u
    )
    month = TeamMonth(
        payroll=float(payroll),
        severance=float(severance),
        recruiting=float(recruiting),
        cost=float(payroll + severance + recruiting),
        sales_marketing=float(sales_marketing_cost(employees, cost, team.hires, p.recruiting_cost, p.sales_marketing)),
        headcount=float(employees.sum()),
        headcount_by_role=employees,
        hires=float(team.hires.sum()),
        departures=float(team.departures.sum()),
        separations=float(team.separations.sum()),
        layoffs=float(team.laid_off.sum()),
        openings=float(team.openings.sum()),
        open_requisitions=float(sum(len(r) for r in team.reqs)),
        engineering_fte=float(by_function[0]),
        sales_fte=float(by_function[1]),
        support_fte=float(by_function[2]),
        engineering_capacity=float(capacity),
        equity_granted=float(granted.sum()),
        equity_returned=float(team.returned),
        pool_available=float(team.pool),
        frozen=team.frozen,
        engineering_gain=gain,
        deal_capacity=deals,
        support_capacity=served,
        growth_scale=float(rules.channel_scale(team.growth, team.distress, p)),
    )
    team.reset_month()
    return month


def _empty_month(team: TeamLedger, p: TeamParams) -> TeamMonth:
    """:func:`team_month` of a team of no people (:func:`no_people`), its month start (:func:`_team_level_start`)
    included: nothing paid, granted or staffed; the pool as it was."""
    _team_level_start(team, p)
    nothing = np.zeros(0)
    month = TeamMonth(
        payroll=0.0,
        severance=0.0,
        recruiting=0.0,
        cost=0.0,
        sales_marketing=0.0,
        headcount=0.0,
        headcount_by_role=nothing,
        hires=0.0,
        departures=0.0,
        separations=0.0,
        layoffs=0.0,
        openings=0.0,
        open_requisitions=0.0,
        engineering_fte=0.0,
        sales_fte=0.0,
        support_fte=0.0,
        engineering_capacity=0.0,
        equity_granted=0.0,
        equity_returned=float(team.returned),
        pool_available=float(team.pool),
        frozen=team.frozen,
        growth_scale=float(rules.channel_scale(team.growth, team.distress, p)),
    )
    team.reset_month()
    return month
