"""SimPy helpers shared by the discrete-event engine and the domains' DES processes."""

from __future__ import annotations

from simpy.events import URGENT
from simpy.exceptions import Interrupt


def month_end_tick(env):
    """An event one month from now, scheduled URGENT: a month's accounts close at t + 1 before any other
    event at that instant (so an attempt resolving exactly at t + 1 belongs to month t + 1)."""
    tick = env.event()
    tick._ok, tick._value = True, None
    env.schedule(tick, URGENT, 1)
    return tick


ENDED = "the company ended"
"""The cause of the ``Interrupt`` that stops a process when the company dies or exits."""


def until_ended(env, company, body):
    """Run the process body ``body`` (a generator) in the current process until it returns or the company ends.

    ``company.ended`` (a ``simpy.Event`` the engine succeeds when the path dies
    or exits; ``None`` or absent: never) interrupts the process when it fires,
    wherever it waits — a timeout, a resource request (cancelled on the way out
    of its ``with`` block) or another process's event — and the body stops there.
    Nothing is added to the event queue until then, so the order of same-time
    events is the one the body alone would give.
    """
    ended = getattr(company, "ended", None)
    if ended is not None and ended.callbacks is not None:
        process = env.active_process
        ended.callbacks.append(lambda _event: process.interrupt(ENDED) if process.is_alive else None)
    try:
        return (yield from body)
    except Interrupt as stop:
        if stop.cause != ENDED:
            raise
        return None


def has_ended(company) -> bool:
    """The company has died or exited: its ``ended`` event has fired, or (until the engine fires it) it is
    no longer ``alive``. A process returns, logging nothing more, once this holds."""
    ended = getattr(company, "ended", None)
    return not company.alive or (ended is not None and ended.triggered)
