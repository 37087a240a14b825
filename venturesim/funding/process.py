"""Fundraising in the discrete-event engine: one round attempt as a SimPy process.

The same model as :mod:`venturesim.funding.rounds`, in continuous time: an
attempt that starts at time s (a month end) runs through pitch meetings
(40 % of the time to close), term sheet negotiation (30 %) and due
diligence (30 %), and resolves at s + time_to_close: the money arrives with
probability ``success_probability``, else the round waits ``retry_delay``
months or is abandoned after ``max_attempts`` failures. The phase shares
only label the log; what the numbers depend on is the resolution time.

The ``company`` argument is the engine's per-path state; this module needs
from it ``alive``, ``cash``, ``status``, ``attempts``, ``next_try``,
``close_month``, ``investor_ownership``, ``founder_ownership``,
``other_ownership``, ``financing_this_month`` and ``log(process, kind, details)``.
"""

from __future__ import annotations

import math

import numpy as np

from venturesim.funding.params import FundingParams
from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING

PHASES = (("pitch meetings", 0.4), ("term sheet", 0.3), ("due diligence", 0.3))


def may_start(company, funding: FundingParams, r: int, now: float, runway: float) -> bool:
    """Whether round r starts raising at month end ``now`` (the trigger of rounds.start_rounds)."""
    earlier_done = all(company.status[k] in (CLOSED, ABANDONED) for k in range(r))
    return (
        earlier_done
        and company.status[r] == WAITING
        and runway < funding.trigger_runway[r]
        and now >= funding.earliest_month[r]
        and now >= company.next_try[r]
    )


def fundraise(env, company, names: list[str], funding: FundingParams, r: int, rng: np.random.Generator, runway: float):
    """One attempt at round r (a SimPy process generator)."""
    name = names[r]
    company.status[r] = RAISING
    duration = float(funding.time_to_close[r])
    company.log("fundraising", "start", f"{name}: started raising ${funding.amount[r]:,.0f} "
                f"at ${funding.pre_money[r]:,.0f} pre-money (runway {runway:.1f} months)")
    start, elapsed_share = env.now, 0.0
    for i, (phase, share) in enumerate(PHASES):
        elapsed_share += share
        # The last phase ends exactly at start + duration (no float drift from summing shares).
        until = start + duration if i == len(PHASES) - 1 else start + duration * elapsed_share
        yield env.timeout(until - env.now)
        if not company.alive:
            return
        company.log("fundraising", phase, f"{name}: {phase} done")
    if rng.random() < funding.success_probability[r]:
        post = funding.pre_money[r] + funding.amount[r]
        dilution = funding.pre_money[r] / post
        company.investor_ownership *= dilution
        company.investor_ownership[r] += funding.amount[r] / post
        company.founder_ownership *= dilution
        company.other_ownership *= dilution
        company.cash += funding.amount[r]
        company.financing_this_month += funding.amount[r]
        company.status[r] = CLOSED
        company.close_month[r] = math.floor(env.now)
        company.log("fundraising", "closed", f"{name}: closed ${funding.amount[r]:,.0f}; founders now own "
                    f"{company.founder_ownership:.1%}")
        return
    company.attempts[r] += 1
    if company.attempts[r] >= funding.max_attempts[r]:
        company.status[r] = ABANDONED
        company.log("fundraising", "abandoned", f"{name}: failed (attempt {int(company.attempts[r])}); round abandoned")
    else:
        company.status[r] = WAITING
        company.next_try[r] = env.now + float(funding.retry_delay[r])
        company.log("fundraising", "failed", f"{name}: failed (attempt {int(company.attempts[r])}); "
                    f"can retry from month {company.next_try[r]:.1f}")
