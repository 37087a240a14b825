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
