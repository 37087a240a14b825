"""Why a path ran out of cash, from its funding state at death: a code and a sentence (:func:`describe`).

The first round raised in order (bridges never are) that is not closed names
the cause: ``raising:<round>`` (the cash ran out while raising it),
``retry_too_late:<round>`` (an attempt failed, the retry came too late) or
``not_started:<round>`` (its trigger or earliest month was not met in time).
Else: ``spent_raised_and_borrowed`` (every round closed, venture debt still
outstanding), ``abandoned:<round>`` (the last abandoned round),
``spent_raised`` (every round closed) or ``no_funding`` (none planned).
The DES logs both (the event log's ``cause`` and ``details`` columns);
:meth:`venturesim.engine.result.Result.why_dead` counts the codes.
"""

from __future__ import annotations

import numpy as np

from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING

_SENTENCES = {
    "raising": "cash ran out while raising {}",
    "retry_too_late": "{} failed and the retry came too late",
    "not_started": "{} not started in time (trigger or earliest month)",
    "abandoned": "{} abandoned after failed attempts",
    "spent_raised_and_borrowed": "spent the money raised and borrowed before revenue covered costs",
    "spent_raised": "spent all the money raised before revenue covered costs",
    "no_funding": "no funding planned and revenue never covered costs",
}


def death_cause(status, attempts, bridge_of, debt_balance, round_names) -> str:
    """The cause code of a death (one path's round status, failed attempts, ``bridge_of`` (R,), balances (D,))."""
    for r, name in enumerate(round_names):
        if bridge_of[r] >= 0:  # a bridge is not raised on its own
            continue
        if status[r] == RAISING:
            return f"raising:{name}"
        if status[r] == WAITING:
            return f"retry_too_late:{name}" if attempts[r] > 0 else f"not_started:{name}"
    abandoned = [name for r, name in enumerate(round_names) if status[r] == ABANDONED]
    if (
        np.sum(debt_balance) > 0
        and not abandoned
        and all(status[r] == CLOSED or bridge_of[r] >= 0 for r in range(len(round_names)))
    ):
        return "spent_raised_and_borrowed"
    if abandoned:
        return f"abandoned:{abandoned[-1]}"
    return "spent_raised" if len(round_names) else "no_funding"


def describe(cause: str) -> str:
    """The sentence for a cause code: ``describe("abandoned:seed")`` → "seed abandoned after failed attempts"."""
    code, _, name = cause.partition(":")
    return _SENTENCES[code].format(name)
