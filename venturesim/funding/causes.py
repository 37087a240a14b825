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
    debt = float(np.sum(debt_balance))
    one = death_causes(np.asarray(status)[None], np.asarray(attempts)[None], bridge_of, np.asarray([debt]), round_names)
    return str(one[0])


def death_causes(status, attempts, bridge_of, debt_outstanding, round_names) -> np.ndarray:
    """The cause codes of many deaths at once: ``status``, ``attempts`` (N, R) at the death, ``bridge_of`` (R,)
    (or (N, R), equal rows), ``debt_outstanding`` (N,) USD of venture debt owed at the death; (N,) strings.

    The rule of the module docstring, vectorised (the DES's :func:`death_cause` is this on one row; the JAX
    engine's causes are this on its final results, where a dead path's rounds and debt stand as at its death).
    """
    debt_outstanding = np.asarray(debt_outstanding, np.float64).reshape(-1)
    n, width = debt_outstanding.size, len(round_names)
    status = np.asarray(status).reshape(n, width)
    attempts = np.asarray(attempts).reshape(n, width)
    bridge_of = np.asarray(bridge_of)
    bridge = (bridge_of[0] if bridge_of.ndim == 2 else bridge_of).reshape(width) >= 0
    codes = np.full(n, "spent_raised" if len(round_names) else "no_funding", dtype=object)
    decided = np.zeros(n, bool)
    for r, name in enumerate(round_names):
        if bridge[r]:  # a bridge is not raised on its own
            continue
        raising = ~decided & (status[:, r] == RAISING)
        waiting = ~decided & (status[:, r] == WAITING)
        codes[raising] = f"raising:{name}"
        codes[waiting & (attempts[:, r] > 0)] = f"retry_too_late:{name}"
        codes[waiting & (attempts[:, r] <= 0)] = f"not_started:{name}"
        decided |= raising | waiting
    abandoned_any = np.zeros(n, bool)
    for r, name in enumerate(round_names):  # the last abandoned round names the cause
        abandoned = status[:, r] == ABANDONED
        codes[~decided & abandoned] = f"abandoned:{name}"
        abandoned_any |= abandoned
    all_closed = np.all((status == CLOSED) | bridge[None, :], axis=1)
    borrowed = ~decided & ~abandoned_any & all_closed & (debt_outstanding > 0)
    codes[borrowed] = "spent_raised_and_borrowed"
    return codes


def describe(cause: str) -> str:
    """The sentence for a cause code: ``describe("abandoned:seed")`` → "seed abandoned after failed attempts"."""
    code, _, name = cause.partition(":")
    return _SENTENCES[code].format(name)
