"""SimPy helpers shared by the discrete-event engine and the domains' DES processes."""

from __future__ import annotations

import functools

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


def stops_when_ended(process):
    """Decorate a process function ``process(env, company, ...)``: its process stops when the company ends.

    ``company.ended`` (fired by the engine at death or exit; None or absent: never) interrupts it wherever it
    waits (a ``with`` resource request is cancelled on the way out); no event is added before, so same-time
    events keep their order. The interrupt lands later in the instant of death: bodies still check ``alive``.
    """

    @functools.wraps(process)
    def body(env, company, *args, **kwargs):
        ended = getattr(company, "ended", None)
        if ended is not None and ended.callbacks is not None:
            active = env.active_process
            ended.callbacks.append(lambda _event: active.interrupt(ENDED) if active.is_alive else None)
        try:
            return (yield from process(env, company, *args, **kwargs))
        except Interrupt as stop:
            if stop.cause != ENDED:
                raise
            return None

    return body
