"""Risk events in the discrete-event engine: logged at their exact times.

The events' effects are already in the path's Params (:func:`venturesim.risks.apply.apply_risks`),
so the DES process only tells the story: at each event time τ it logs
``("risk", <risk name>, <details>)`` with the severity and what changes, e.g.

    price_war (severity 1.00): market.price ×0.80 from month 15, for good

A path that has died or exited logs no further risk events.
"""

from __future__ import annotations

import math

import numpy as np

from venturesim._simpy import stops_when_ended
from venturesim.risks.schema import ONE_OFF_TARGETS, Impact, Risk

__all__ = ["describe_event", "describe_impact", "risk_events"]

_MONEY = {"company.other_costs", *ONE_OFF_TARGETS}


def describe_impact(impact: Impact, value: float, severity: float, start_month: int) -> str:
    """One impact of one event in words (``value``: the path's v; ``start_month``: ⌈τ⌉)."""
    where = impact.segment or impact.round or impact.run
    target = impact.target + (f"[{where}]" if where else "")
    if impact.mode == "multiply":
        change = f"×{max(1.0 + (value - 1.0) * severity, 0.0):.2f}"
    elif impact.target in _MONEY:
        amount = value * severity
        change = f"{'+' if amount >= 0 else '−'}${abs(amount):,.0f}" + (
            "" if impact.target in ONE_OFF_TARGETS else "/month"
        )
    else:
        amount = value * severity
        change = f"{'+' if amount >= 0 else '−'}{abs(amount):.4g}"
    if impact.target in ONE_OFF_TARGETS:
        return f"{target} {change} in month {start_month}"
    if impact.target == "product.failure_probability":
        span = "for good" if impact.duration_months is None else f"for {impact.duration_months} months"
        return f"{target} {change} for runs submitted from month {start_month}, {span}"
    span = "for good" if impact.duration_months is None else f"for {impact.duration_months} months"
    return f"{target} {change} from month {start_month}, {span}"


def describe_event(risk: Risk, time: float, severity: float, values: np.ndarray, occurs: np.ndarray) -> str:
    """An event's log line: name, severity and each impact it brought.

    ``values``: (I,) the path's impact values; ``occurs``: (I,) 1 where the event brought the impact.
    """
    start = math.ceil(time)
    parts = [
        describe_impact(impact, float(values[i]), float(severity), start)
        for i, impact in enumerate(risk.impacts)
        if occurs[i] > 0
    ]
    return f"{risk.name} (severity {severity:.2f}): " + ("; ".join(parts) if parts else "no effect")


@stops_when_ended
def risk_events(
    env, company, risks: tuple[Risk, ...], time: np.ndarray, severity: np.ndarray, value: np.ndarray, occurs: np.ndarray
):
    """SimPy process: log every event of one path at its time.

    Parameters
    ----------
    env : the path's ``simpy.Environment``.
    company : has ``alive``, ``log(process, kind, details)``, optionally ``ended`` (stops the process).
    risks : the K risks (``RiskDraws.risks``).
    time, severity : (K, E) the path's event times (+∞: none) and severities.
    value : (K, I) impact values; occurs : (K, E, I).
    """
    if time.shape[:1] != (len(risks),):
        raise ValueError(f"time has shape {time.shape}, expected ({len(risks)}, E)")
    k_idx, e_idx = np.nonzero(np.isfinite(time))
    order = np.lexsort((k_idx, time[k_idx, e_idx]))
    for j in order:
        k, e = int(k_idx[j]), int(e_idx[j])
        when = float(time[k, e])
        if when > env.now:
            yield env.timeout(when - env.now)
        if not company.alive:
            return
        company.log(
            "risk", risks[k].name, describe_event(risks[k], when, float(severity[k, e]), value[k], occurs[k, e])
        )
