"""SimPy helpers shared by the discrete-event engine and the domains' DES processes."""

from __future__ import annotations

from simpy.events import URGENT


def month_end_tick(env):
    """An event one month from now, scheduled URGENT: a month's accounts close at t + 1 before any other
    event at that instant (so an attempt resolving exactly at t + 1 belongs to month t + 1)."""
    tick = env.event()
    tick._ok, tick._value = True, None
    env.schedule(tick, URGENT, 1)
    return tick


def or_ended(env, company, event):
    """``event``, or the end of the company if that comes first (``company.ended``: a ``simpy.Event`` the
    engine succeeds when the path dies or exits; ``None`` or absent: just ``event``)."""
    ended = getattr(company, "ended", None)
    return event if ended is None else env.any_of([event, ended])


def has_ended(company) -> bool:
    """The company has died or exited: its ``ended`` event has fired, or (until the engine fires it) it is
    no longer ``alive``. A process returns, logging nothing more, once this holds."""
    ended = getattr(company, "ended", None)
    return not company.alive or (ended is not None and ended.triggered)
