r"""Pre-money SAFEs, convertible notes, pro rata rights and MFN in the engines (``xp``: numpy or jax.numpy).

The share-level exact versions are :func:`venturesim.funding.shares.priced.apply_round`,
:class:`~venturesim.funding.shares.safe.PreMoneySafe`, :class:`~venturesim.funding.shares.note.ConvertibleNote`
and :func:`~venturesim.funding.shares.safe.apply_mfn`; tests check these fractions against them.

**Instrument kinds** along the round axis (:data:`PRICED`, :data:`POST_SAFE`, :data:`PRE_SAFE`, :data:`NOTE`).
A round of any kind but priced closes as an *outstanding* instrument holding an interim fraction of the
company (:func:`issue_fraction`) until a priced round converts it (:func:`convert_at_round`) or, for a note,
its maturity (:func:`mature_notes`).

**Units of S₀.** Outstanding instruments aside, the holders' fractions are proportional to their fully
diluted shares; dividing by E = 1 − Σ outstanding fractions gives counts in units of S₀ (the fully diluted
shares issued, granted and reserved). The pool q/E = g₀ + u₀ splits into granted options
g₀ = γ q/E and the unissued pool u₀ = (1 − γ) q/E, γ the granted share of the pool (the team's grants,
:func:`note_grants`). N₀ = 1 − u₀ (issued + granted, the note's capitalization).

**A priced round** (pre-money V, amount A, pool target π of the post-money, g = π(V + A)/V): with the
pool top-up T = max(0, g F − u₀) and F the pre-money fully diluted capitalization (S₀ units), instrument i
(amount converting D_i, cap C_i, discount d_i) converts into

* at its cap, X_i = (D_i / C_i)·B_i with B_i its capitalization: a post-money SAFE's CC = F − T, a
  pre-money SAFE's PC = 1 + T, a note's N₀ (YC post-money and pre-money SAFEs, "Company Capitalization";
  Series Seed note, "Conversion Price");
* at its discount, X_i = D_i F / ((1 − d_i) V) (the round price p = V/F times 1 − d_i);

whichever gives more shares (cap iff C_i / B_i ≤ (1 − d_i) V / F). Every X_i is affine in F, so
F = 1 + T + Σ X_i is one linear equation: F = k₀ / (1 − k₁). The choice of price is re-checked at the
solution three times, and the top-up is decided as the library does (solve without it; top up iff
g F − u₀ > 0). A note's D = P (1 + r m / 12): simple interest over the m whole months since it closed.

**MFN** (YC MFN side letter, :func:`~venturesim.funding.shares.safe.apply_mfn`): before conversion, a SAFE with
``mfn`` takes the (cap, discount) of the best SAFE of its kind closed in a later month and still outstanding
(lowest cap, then highest discount) when that is better than its own.

**Pro rata** (YC pro rata side letter; NVCA "Right to Participate"): the investors of a round j with the
right, exercising it (a per-path draw of the scenario's probability), buy (held_j / CC) × A of the first
priced round that closes after j: held_j its fully diluted shares before the round (a converting SAFE: the
shares it converts into). Those dollars come out of the round; its new investors buy the rest.

Then the new money: a holder with c shares (S₀ units) owns c V / (F (V + A)); the round's new investors
(A − Σ pro rata)/(V + A) and each pro rata buyer its dollars / (V + A). Ownership sums to 1.

**Maturity** of a note m = M months after it closed, at the month end, if still outstanding: it
converts at its cap price C / N₀ (X = D/C · N₀ shares, no new money) or is repaid (D in cash: principal
P and interest D − P, through the month's debt service), as the note states (``at_maturity``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from venturesim._xp import when
from venturesim.funding.ownership import Holders

__all__ = [
    "NOTE",
    "POST_SAFE",
    "PRE_SAFE",
    "PRICED",
    "Instruments",
    "NoteMonth",
    "amount_due",
    "apply_mfn",
    "convert_at_round",
    "issue_fraction",
    "mature_notes",
    "note_grants",
    "step_notes",
]

PRICED, POST_SAFE, PRE_SAFE, NOTE = 0, 1, 2, 3
KINDS = ("priced", "safe", "pre_money_safe", "note")
"""Each kind's name in a scenario's ``instrument`` field, by its index."""


class Instruments(NamedTuple):
    """What a priced round needs to know of every round, (…, R).

    ``kind``: :data:`PRICED` … :data:`NOTE`; ``due``: USD converting (a note's principal and interest);
    ``cap``: USD; ``discount`` (None when every round is priced: nothing is ever outstanding, no conversion is
    traced); ``issued``: month closed; ``mfn`` bool; ``pro_rata`` bool: its investors hold a
    pro rata right and exercise it; ``closed`` bool: closed before this round (not the round closing now).
    """

    kind: Any
    due: Any
    cap: Any
    discount: Any
    issued: Any
    mfn: Any
    pro_rata: Any
    closed: Any

    @classmethod
    def post_money(cls, amount, cap, discount, xp=np) -> Instruments:
        """Post-money SAFEs only, no side letters (the engines before notes; ``close_priced``)."""
        zero = xp.zeros_like(xp.asarray(amount, dtype=float))
        false = zero > 0
        return cls(zero + POST_SAFE, amount, cap, discount + zero, zero, false, false, false)


def amount_due(amount, annual_rate, issued, t, kind, xp=np):
    """USD converting or repaid in month t (…, R): a note's P (1 + r (t − t₀)/12), simple interest over whole
    months since it closed (:meth:`~venturesim.funding.shares.note.ConvertibleNote.amount_due`); else P."""
    months = xp.maximum(t - issued, 0.0)
    return xp.where(kind == NOTE, amount * (1.0 + annual_rate * months / 12.0), amount)


def apply_mfn(outstanding, kind, cap, discount, issued, mfn, xp=np):
    """(cap, discount) (…, R) after each outstanding MFN SAFE adopts the best later SAFE of its kind (module
    docstring): lowest cap, then highest discount, if better than its own."""
    safe = outstanding & ((kind == POST_SAFE) | (kind == PRE_SAFE))
    # later[..., i, j]: j is a SAFE of i's kind closed in a later month than i, both outstanding
    later = (
        safe[..., None, :]
        & safe[..., :, None]
        & (kind[..., None, :] == kind[..., :, None])
        & (issued[..., None, :] > issued[..., :, None])
    )
    caps = xp.where(later, cap[..., None, :], xp.inf)
    best_cap = xp.min(caps, axis=-1, initial=xp.inf)
    best_discount = xp.max(
        xp.where(later & (caps <= best_cap[..., None]), discount[..., None, :], -1.0), axis=-1, initial=-1.0
    )
    better = (best_cap < cap) | ((best_cap == cap) & (best_discount > discount))
    upgrade = safe & mfn & xp.any(later, axis=-1) & better
    return xp.where(upgrade, best_cap, cap), xp.where(upgrade, best_discount, discount)


def _units(holders: Holders, granted, xp):
    """(E, q₀, n₀) (…,): the non-outstanding holders' total, the pool and N₀ in units of S₀."""
    held = xp.sum(xp.where(holders.outstanding, holders.investors, 0.0), axis=-1)
    E = xp.maximum(1.0 - held, 1e-12)
    q0 = holders.pool / E
    return E, q0, 1.0 - (1.0 - granted) * q0


def issue_fraction(holders: Holders, granted, kind, amount, cap, xp=np):
    """The interim fraction w (…, R) each instrument takes when it closes (:func:`issue_safes` dilutes the
    holders but the outstanding instruments for it).

    A post-money SAFE: w = P/C (exact: the YC post-money SAFE's defining property). A pre-money SAFE's
    (c = P/C) or a note's (c = P N₀ / C) as-converted claim at its cap is c S₀, so w = c E / (1 + c): exact
    when it is the only outstanding instrument; with others, and as a note accrues interest, an estimate
    used only by an exit before conversion (:func:`convert_at_round` recomputes every claim exactly).
    """
    E, _, n0 = _units(holders, granted, xp)
    c = amount / cap * xp.where(kind == NOTE, n0[..., None], 1.0)
    return xp.where(kind == POST_SAFE, amount / cap, c * E[..., None] / (1.0 + c))


def convert_at_round(holders: Holders, granted, success, pre_money, amount, pool_target, book: Instruments, xp=np):
    """(holders, granted share of the pool γ) after the priced round in ``success`` (…, R; at most one per
    path) closes at ``pre_money`` (…, R) for ``amount`` (…, R) USD with ``pool_target`` (…, R; < 0: none),
    converting every outstanding instrument of ``book`` (module docstring)."""
    founders, others, pool, investors, out = holders
    closes = xp.any(success, axis=-1)
    V = xp.sum(xp.where(success, pre_money, 0.0), axis=-1)
    A = xp.sum(xp.where(success, amount, 0.0), axis=-1)
    V = xp.where(closes, V, 1.0)
    has_target = xp.any(success & (pool_target >= 0), axis=-1)
    g = xp.sum(xp.where(success & (pool_target >= 0), pool_target, 0.0), axis=-1) * (V + A) / V
    E, q0, n0 = _units(holders, granted, xp)
    u0 = (1.0 - granted) * q0
    kind = book.kind
    # every round priced (``book.discount`` None, FundingParams.discount): nothing is ever outstanding
    cap, discount = (
        (1.0, 0.0)
        if book.discount is None
        else apply_mfn(out, kind, book.cap, book.discount, book.issued, book.mfn, xp=xp)
    )
    cap = xp.where(out, cap, 1.0)
    a = xp.where(out, book.due / cap, 0.0)
    delta = xp.where(out, book.due / ((1.0 - discount) * V[..., None]), 0.0)

    def solve(at_discount, top):
        T0, T1 = xp.where(top, -u0, 0.0), xp.where(top, g, 0.0)
        b0 = xp.where(kind == POST_SAFE, -T0[..., None], xp.where(kind == PRE_SAFE, 1.0 + T0[..., None], n0[..., None]))
        b1 = xp.where(kind == POST_SAFE, 1.0 - T1[..., None], xp.where(kind == PRE_SAFE, T1[..., None], 0.0))
        at_cap = out & ~at_discount
        k0 = 1.0 + T0 + xp.sum(xp.where(at_cap, a * b0, 0.0), axis=-1)
        k1 = T1 + xp.sum(xp.where(at_cap, a * b1, 0.0), axis=-1) + xp.sum(xp.where(out & at_discount, delta, 0.0), -1)
        F = k0 / xp.maximum(1.0 - k1, 1e-12)
        return F, T0 + T1 * F, b0 + b1 * F[..., None]

    def capitalization(at_discount):
        F, _, _ = solve(at_discount, False)
        return solve(at_discount, has_target & (g * F - u0 > 0))

    def settle(at_discount):  # which instruments convert at their discount rather than their cap: a fixed point
        for _ in range(3):
            F, _, base = capitalization(at_discount)
            at_discount = out & (cap * F[..., None] > (1.0 - discount) * V[..., None] * base)
        return at_discount

    # with no instrument outstanding none converts: the iterations would change nothing
    none_converts = out & False
    at_discount = none_converts if book.discount is None else when(xp, xp.any(out), settle, lambda n: n, none_converts)
    F, T, base = capitalization(at_discount)
    X = xp.where(out, xp.where(at_discount, delta * F[..., None], a * base), 0.0)

    # pro rata: rights of rounds closed since the last priced round, (held / CC) × A each
    closed = book.closed
    priced = xp.where(closed & (kind == PRICED), 1.0, 0.0)
    after = xp.flip(xp.cumsum(xp.flip(priced, -1), axis=-1), -1) - priced
    live = book.pro_rata & closed & (after < 0.5)
    held = xp.where(out, X, xp.where(closed, investors / E[..., None], 0.0))
    CC = xp.maximum(F - T, 1e-12)
    dollars = xp.where(live, held / CC[..., None] * A[..., None], 0.0)
    wanted = xp.sum(dollars, axis=-1)
    dollars = dollars * xp.where(wanted > A, A / xp.maximum(wanted, 1e-30), 1.0)[..., None]
    taken = xp.minimum(wanted, A)

    post = F * (V + A) / V  # post-money fully diluted shares, S₀ units
    scale = 1.0 / (E * post)  # a non-outstanding holder's fraction → its new fraction
    inv = xp.where(out, X / post[..., None], investors * scale[..., None]) + dollars / (V + A)[..., None]
    inv = inv + xp.where(success, ((A - taken) / (V + A))[..., None], 0.0)
    new_pool = (q0 + T) / post
    keep = closes[..., None]
    new = Holders(
        xp.where(closes, founders * scale, founders),
        xp.where(closes, others * scale, others),
        xp.where(closes, new_pool, pool),
        xp.where(keep, inv, investors),
        out & ~keep,
    )
    return new, xp.where(closes, granted * q0 / xp.maximum(q0 + T, 1e-30), granted)


class NoteMonth(NamedTuple):
    """Notes reaching maturity in a month: (…, R) bool masks and (…,) USD repaid."""

    converted: Any
    repaid: Any
    principal: Any
    interest: Any


def mature_notes(holders: Holders, granted, due, repay, amount, owed, cap, xp=np) -> tuple[Holders, NoteMonth]:
    """The cap table after the notes ``due`` (…, R) mature: each converts at C/N₀ (X = D/C · N₀ shares) or, with
    ``repay``, is paid ``owed`` D USD (principal ``amount``, interest D − P) and leaves the table.

    The other outstanding instruments keep their fractions; E' = E + the matured notes' interim fractions is
    shared by the non-outstanding holders (their S₀ units) and the converted notes in proportion.
    """
    E, _, n0 = _units(holders, granted, xp)
    converts, repays = due & ~repay, due & repay
    X = xp.where(converts, owed / xp.where(converts, cap, 1.0) * n0[..., None], 0.0)
    freed = xp.sum(xp.where(due, holders.investors, 0.0), axis=-1)
    k = (E + freed) / (E * (1.0 + xp.sum(X, axis=-1)))  # a non-outstanding fraction → its new fraction
    kS0 = (E + freed) / (1.0 + xp.sum(X, axis=-1))  # S₀ units → fraction
    out = holders.outstanding
    investors = xp.where(
        converts,
        X * kS0[..., None],
        xp.where(repays, 0.0, xp.where(out, holders.investors, holders.investors * k[..., None])),
    )
    new = Holders(holders.founders * k, holders.others * k, holders.pool * k, investors, out & ~due)
    principal = xp.sum(xp.where(repays, amount, 0.0), axis=-1)
    interest = xp.sum(xp.where(repays, owed - amount, 0.0), axis=-1)
    return new, NoteMonth(converts, repays, principal, interest)


def note_grants(granted, pool, founders, founders_at_start, net_granted, xp=np):
    """γ after the team's net option grants ``net_granted`` (…,; fractions of the founding fully diluted shares,
    grants less returns) are noted: a founding fraction x is x · f/f₀ of the company now (the founders' shares
    never change, so f/f₀ = S₀ at founding / S₀ now), and γ' = (γ q + x f/f₀) / q, within [0, 1]."""
    has_founders = founders_at_start > 0
    scale = xp.where(has_founders, founders / xp.where(has_founders, founders_at_start, 1.0), 1.0)
    granted_now = granted * pool + net_granted * scale
    return xp.where(pool > 0, xp.clip(granted_now / xp.maximum(pool, 1e-30), 0.0, 1.0), 0.0)


def step_notes(state, f, t, alive, net_granted, xp=np) -> tuple[dict, NoteMonth]:
    """Month t's end for the instruments (after the rounds and the venture debt), for one path or a block: the
    team's net option grants noted (:func:`note_grants`), then the notes reaching maturity this month
    (t ≥ closed + term) on a path alive at the month's start converted or repaid (:func:`mature_notes`).

    ``state``: the funding fields (a block's :class:`venturesim.funding.rounds.FundingState` or a DES
    :class:`~venturesim.funding.process.FundingBook`); ``f``: :class:`venturesim.funding.params.FundingParams`;
    ``net_granted`` (…,): the team's grants less returns this month, founding fractions. Returns the changed
    fields (for ``_replace`` or ``setattr``) and the :class:`NoteMonth`.
    """
    holders = Holders.of(state)
    granted = note_grants(
        state.pool_granted, holders.pool, holders.founders, state.founders_at_start, net_granted, xp=xp
    )

    def none_due(holders):  # the holders as they are (mature_notes scales them by E/E = 1), nothing paid
        nothing, zero = xp.zeros_like(holders.outstanding), xp.zeros_like(granted)
        return holders, NoteMonth(nothing, nothing, zero, zero)

    if f.maturity is None:  # no note in the scenario (FundingParams.maturity): no maturity compiled
        holders, month = none_due(holders)
    else:
        due = xp.asarray(alive)[..., None] & holders.outstanding & (f.kind == NOTE)
        due = due & (t >= state.close_month + f.maturity)

        def mature(holders):
            owed = amount_due(state.round_amount, f.interest_rate, state.close_month, t, f.kind, xp=xp)
            caps = xp.where(due, state.closed_pre_money, 1.0)
            return mature_notes(holders, granted, due, f.repay_at_maturity > 0, state.round_amount, owed, caps, xp=xp)

        holders, month = when(xp, xp.any(due), mature, none_due, holders)
    return {"pool_granted": granted, **holders.fields()}, month
