"""SimPy helpers shared by the discrete-event engine and the domains' DES processes."""

from __future__ import annotations

import functools
from typing import Any, Protocol

from simpy.events import URGENT
from simpy.exceptions import Interrupt


class Path(Protocol):
    """What a domain's DES process may read or write of another domain: the typed contract of the engine's
    per-path state (:class:`venturesim.engine.des_engine.Company`). Each domain keeps its own state in its own
    attribute (``funding``, ``team``, ``training``, ``partners``, ``market``), written only by its module and
    the month end."""

    alive: bool  # False once the path died or exited
    cash: float  # USD (a round's money arrives at its closing time)
    arr: float  # USD at the last month end (what investors and partners judge traction by)
    headcount: float  # people on payroll, for the event log
    ended: Any  # a SimPy event fired when the path dies or exits (None or absent: never)

    def log(self, process: str, kind: str, details: str, cause: str | None = None) -> None:
        """Append an event with the state after it."""


def month_end_tick(env):
    """An event one month from now, scheduled URGENT: a month's accounts close at t + 1 before any other
    event at that instant (so an attempt resolving exactly at t + 1 belongs to month t + 1)."""
    tick = env.event()
    tick._ok, tick._value = True, None
    env.schedule(tick, URGENT, 1)
    return tick


def trigger_now(env, event) -> None:
    """Trigger ``event`` at this instant, scheduled URGENT: after the URGENT events already scheduled now (a
    process started now has taken its first step), before every other event at this instant (the horizon:
    nothing at or after it belongs to the simulated months)."""
    event._ok, event._value = True, None
    env.schedule(event, URGENT, 0)


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
