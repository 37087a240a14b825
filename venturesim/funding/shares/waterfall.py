r"""Exit waterfall: who gets what of an exit value, exactly (rationals) and vectorised (numpy/JAX).

The stack
---------
An exit sees a list of classes c (:class:`ExitClass`), each with as-converted
shares n_c, a liquidation preference L_c (USD), a seniority rank and a
participation kind:

* **non-participating** (the NVCA default): gets max(L_c, n_c·v) — its preference,
  or converts to common when that pays more;
* **fully participating**: L_c + n_c·v (common is this kind with L = 0);
* **capped participating**: max(min(L_c + n_c·v, K_c), n_c·v) — preference plus
  participation up to a total cap K_c, or converts when n_c·v exceeds the cap;

where v is the value of one as-converted share of common (USD/share).

The equilibrium
---------------
Each class chooses preference vs conversion; the choices interact (a class
that converts gives up its preference, which raises the residual, and adds its
shares, which dilutes it). Let payout_c(v) be the formulas above. Every
payout_c is continuous and non-decreasing in v, so the total

    T(v) = Σ_c payout_c(v)

is continuous, piecewise linear and strictly increasing while any class has
shares in the pool. Then:

1. If X ≥ T(0) = Σ L_c, the distribution is payout_c(v*) at the **unique** root
   T(v*) = X. It is a Nash equilibrium of the conversion choices: a class that
   does not convert (v* ≤ L_c/n_c) would, by converting, add L_c to the
   residual and n_c shares to the pool, and the new value per share v' solves
   pool(v') + n_c v' = pool(v*) + L_c with pool non-decreasing, so v' ≤ L_c/n_c
   and it gets n_c v' ≤ L_c; symmetrically a converting class loses by taking
   its preference (the same argument for the capped kind with K_c in place of
   L_c). Conversely, in *any* equilibrium with a positive residual every class
   plays its best response to the common value v, which is payout_c(v), so v
   solves T(v) = X — the root, which is unique. So the method finds *the*
   equilibrium, not one of several, with no iteration. (With one class this is
   the textbook break-even: a 1x non-participating class converts exactly when
   its as-converted share of the exit exceeds its preference.)
2. If X < Σ L_c, nothing is left for common (v = 0): preferences are paid by
   seniority, highest rank first, pro rata to L_c within a rank (pari passu).
   No class gains by converting: it would get a share of at most
   X − Σ_{others} L ≤ what it gets as a creditor.

The root is found exactly: T is linear between the kinks {0, L_c/n_c (non-
participating), (K_c − L_c)/n_c and K_c/n_c (capped)}; find the last kink k
with T(k) ≤ X and v* = k + (X − T(k)) / slope. Proceeds sum to X exactly.

SAFEs and notes outstanding at the exit
---------------------------------------
* **Post-money SAFE** (YC §1(b), §1(d)): the greater of the Purchase Amount
  (the "Cash-Out Amount") and the "Conversion Amount" on P / Liquidity Price
  shares, Liquidity Price = Cap / Liquidity Capitalization (LC); cash-out is
  pari passu with preferred, conversion with common — a non-participating
  class with L = P at the rank of the most junior preferred. LC counts, as
  converted, all capital stock issued and outstanding (every series, 1st
  bullet of the definition), outstanding options and converting securities
  that take the Conversion Amount, and excludes the unissued pool. A converting
  SAFE i therefore holds n_i = (P_i/Cap_i)·LC shares, LC = B / (1 − Σ_{j∈K} P_j/Cap_j)
  with B the other as-converted shares and K the SAFEs that convert. K is found
  by starting from *every* capped SAFE and removing those better off cashing
  out until none is (the holder-favourable, greatest fixed point: SAFE
  conversions are strategic complements, each raising the others' LC).
  *Choice of reading:* the 3rd bullet of "Liquidity Capitalization" also
  excludes Preferred Stock taking its preference; we count every series, as the
  pre-money SAFE's definition does, because with that exclusion a SAFE taxes a
  preferred class's conversion and the choices can cycle with no equilibrium
  (an example is in docs/model/funding.md). The two readings agree when no
  preferred class takes its preference. With two or more post-money SAFEs the
  YC definition is not monotone: when SAFE B switches to converting, LC jumps
  and SAFE A gains P_A/Cap_A · P_B at common's expense (tests assert this).
  An uncapped SAFE gets P (its Liquidity Price is the fair market value).
* **Pre-money SAFE** (YC 2013 §1(b)): greater of P and P·LC/Cap shares, with
  LC = issued + options, excluding the pool, SAFEs and notes — fixed shares.
* **Convertible note**: senior to all equity; the greater of exit_multiple ×
  (principal + interest to the exit month) and conversion at the cap
  (cap price = cap / (issued + options)).
* **Price convention**: on a table with ``price_decimals`` the pre-money SAFE's
  and the note's liquidity prices are rounded and their shares floored, as at a
  round. A post-money SAFE's conversion stays exact: its Liquidity
  Capitalization depends on which SAFEs convert (the fixed point above), so a
  rounded price would make the conversion choice discontinuous.

Options granted are counted as common (exercise price ignored); the unissued
pool gets nothing. As-converted shares at an exit only set a dollar amount, so
they are not floored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from venturesim.funding.shares.cap_table import CapTable, Number, Participation, as_fraction
from venturesim.funding.shares.note import ConvertibleNote
from venturesim.funding.shares.safe import PostMoneySafe, PreMoneySafe, apply_mfn

__all__ = [
    "CAPPED",
    "FULL",
    "NONE",
    "PARTICIPATION_CODE",
    "ClassArrays",
    "ExitClass",
    "Waterfall",
    "class_arrays",
    "exit_stack",
    "proceeds_by_class",
    "proceeds_by_holder",
    "solve_waterfall",
    "waterfall_arrays",
]

NONE, FULL, CAPPED = 0, 1, 2
PARTICIPATION_CODE = {"none": NONE, "full": FULL, "capped": CAPPED}
"""The array code of each participation kind."""


@dataclass(frozen=True)
class ExitClass:
    """One claim on the exit proceeds.

    ``shares``: as-converted shares (0 = cannot convert); for a capped
    post-money SAFE set ``safe_fraction`` = P/Cap instead (its shares follow
    from the Liquidity Capitalization). ``cap``: total USD cap of a capped
    participating class. ``holders``: holder → weight within the class.
    """

    name: str
    shares: Fraction
    preference: Fraction
    seniority: int
    participation: Participation = "none"
    cap: Fraction | None = None
    safe_fraction: Fraction = Fraction(0)
    holders: Mapping[str, Fraction] = field(default_factory=dict)

    def __post_init__(self):
        for attr in ("shares", "preference", "safe_fraction"):
            v = as_fraction(getattr(self, attr), attr)
            if v < 0:
                raise ValueError(f"{attr}(={v}) of class {self.name!r} must be >= 0")
            object.__setattr__(self, attr, v)
        if self.safe_fraction >= 1:
            raise ValueError(f"safe_fraction(={self.safe_fraction}) of {self.name!r} must be < 1")
        if self.participation not in PARTICIPATION_CODE:
            raise ValueError(f"participation(={self.participation!r}) must be 'none', 'full' or 'capped'")
        if self.participation == "capped":
            if self.cap is None or as_fraction(self.cap, "cap") < self.preference:
                raise ValueError(f"cap(={self.cap}) of {self.name!r} must be >= preference(={self.preference})")
            object.__setattr__(self, "cap", as_fraction(self.cap, "cap"))
        object.__setattr__(self, "holders", dict(self.holders or {self.name: Fraction(1)}))


@dataclass(frozen=True)
class Waterfall:
    """The exact distribution of one exit."""

    exit_value: Fraction
    by_class: Mapping[str, Fraction]
    by_holder: Mapping[str, Fraction]
    converts: Mapping[str, bool]  # class takes its as-converted amount (non-part./capped/SAFE/note)
    value_per_share: Fraction  # v*, USD per as-converted share
    classes: tuple[ExitClass, ...]  # as solved (post-money SAFE shares filled in)


# ---------------------------------------------------------------- building the stack
def _safe_rank(cap_table: CapTable) -> int:
    ranks = [c.seniority for c in cap_table.classes if not c.common]
    return min(ranks, default=1)


def _liquidity_shares(cap_table: CapTable, amount: Fraction, cap: Fraction | None, lc: Fraction) -> Fraction:
    """Shares a pre-money SAFE or a note takes at the exit: amount / (cap / LC), exact, or under the table's
    price convention floor(amount / rounded(cap / LC)); none without a cap."""
    if cap is None:
        return Fraction(0)
    if cap_table.price_decimals is None:
        return amount * lc / cap
    return Fraction(math.floor(amount / cap_table.rounded_price(cap / lc)))


def exit_stack(
    cap_table: CapTable,
    *,
    safes: Sequence[PostMoneySafe | PreMoneySafe] = (),
    notes: Sequence[ConvertibleNote] = (),
    exit_month: int | None = None,
) -> tuple[ExitClass, ...]:
    """The exit stack of a cap table plus SAFEs and notes outstanding at the exit."""
    out: list[ExitClass] = []
    for c in cap_table.classes:
        weights = {h: Fraction(n) for (h, cls), n in cap_table.holdings.items() if cls == c.name}
        if c.common:
            for h, granted in cap_table.options.items():
                weights[h] = weights.get(h, Fraction(0)) + granted
        n = sum(weights.values(), Fraction(0))
        if n == 0:
            continue
        part = "full" if c.common else c.participation
        out.append(
            ExitClass(
                c.name,
                shares=n,
                preference=c.preference_per_share * n,
                seniority=c.seniority,
                participation=part,
                cap=None if c.cap_per_share is None else c.cap_per_share * n,
                holders=weights,
            )
        )
    lc_pre = Fraction(cap_table.issued_shares + cap_table.granted_options)
    rank = _safe_rank(cap_table)
    names = {e.name for e in out}

    def unique(name):
        k, base = 1, name
        while name in names:
            k += 1
            name = f"{base} #{k}"
        names.add(name)
        return name

    for s in apply_mfn(list(safes)):
        P, cap = s.purchase_amount, s.valuation_cap
        if isinstance(s, PostMoneySafe):
            out.append(
                ExitClass(
                    unique(f"{s.investor} post-money SAFE"),
                    Fraction(0),
                    P,
                    rank,
                    safe_fraction=Fraction(0) if cap is None else P / cap,
                    holders={s.investor: Fraction(1)},
                )
            )
        else:
            out.append(
                ExitClass(
                    unique(f"{s.investor} pre-money SAFE"),
                    _liquidity_shares(cap_table, P, cap, lc_pre),
                    P,
                    rank,
                    holders={s.investor: Fraction(1)},
                )
            )
    if notes:
        if exit_month is None:
            raise ValueError("exit_month(=None) is needed to accrue interest on notes")
        top = max([e.seniority for e in out] + [rank]) + 1
        for note in notes:
            due = note.amount_due(exit_month)
            shares = _liquidity_shares(cap_table, due, note.valuation_cap, lc_pre)
            out.append(
                ExitClass(
                    unique(f"{note.investor} note"),
                    shares,
                    note.exit_multiple * due,
                    top,
                    holders={note.investor: Fraction(1)},
                )
            )
    return tuple(out)


# ---------------------------------------------------------------- exact solver
def _payout(kind: int, n, L, K, v):
    conv = n * v
    if kind == NONE:
        return max(L, conv)
    if kind == FULL:
        return L + conv
    return max(min(L + conv, K), conv)


def _solve_fixed(rows, X: Fraction):
    """rows: (n, L, rank, kind, K) with fixed shares → (payouts, v*)."""
    total_L = sum((r[1] for r in rows), Fraction(0))
    if total_L > X:
        pay = [Fraction(0)] * len(rows)
        left = X
        for rank in sorted({r[2] for r in rows}, reverse=True):
            idx = [i for i, r in enumerate(rows) if r[2] == rank]
            level = sum((rows[i][1] for i in idx), Fraction(0))
            paid = min(left, level)
            for i in idx:
                pay[i] = paid * rows[i][1] / level if level else Fraction(0)
            left -= paid
        return pay, Fraction(0)
    kinks = {Fraction(0)}
    for n, L, _, kind, K in rows:
        if n > 0 and kind == NONE:
            kinks.add(L / n)
        elif n > 0 and kind == CAPPED:
            kinks.update({(K - L) / n, K / n})

    def total(v):
        return sum((_payout(kind, n, L, K, v) for n, L, _, kind, K in rows), Fraction(0))

    k = max(x for x in kinks if total(x) <= X)
    slope = Fraction(0)
    for n, L, _, kind, K in rows:
        if (
            kind == FULL
            or (kind == NONE and n > 0 and k >= L / n)
            or (kind == CAPPED and n > 0 and (k < (K - L) / n or k >= K / n))
        ):
            slope += n
    gap = X - total(k)
    if gap and not slope:
        raise ValueError("no class holds shares to absorb the residual of the exit")
    v = k + (gap / slope if gap else 0)
    return [_payout(kind, n, L, K, v) for n, L, _, kind, K in rows], v


def solve_waterfall(classes: Sequence[ExitClass], exit_value: Number) -> Waterfall:
    """Exact equilibrium distribution of ``exit_value`` over ``classes`` (see module docstring)."""
    X = as_fraction(exit_value, "exit_value")
    if X < 0:
        raise ValueError(f"exit_value(={exit_value}) must be >= 0")
    if not classes:
        raise ValueError("classes(=()) must not be empty")
    safe = [c.safe_fraction > 0 for c in classes]
    base = sum((c.shares for c, s in zip(classes, safe, strict=True) if not s), Fraction(0))
    K = {i for i, s in enumerate(safe) if s}
    while True:
        F = sum((classes[i].safe_fraction for i in K), Fraction(0))
        if F >= 1:
            raise ValueError(f"post-money SAFEs claim {float(F):.3f} >= 1 of the company")
        LC = base / (1 - F)
        shares = [
            (c.safe_fraction * LC if i in K else Fraction(0)) if safe[i] else c.shares for i, c in enumerate(classes)
        ]
        rows = [
            (
                n,
                c.preference,
                c.seniority,
                PARTICIPATION_CODE[c.participation],
                c.cap if c.cap is not None else Fraction(0),
            )
            for n, c in zip(shares, classes, strict=True)
        ]
        pay, v = _solve_fixed(rows, X)
        drop = {i for i in K if shares[i] * v < classes[i].preference}
        if not drop:
            break
        K -= drop
    solved = tuple(
        ExitClass(c.name, n, c.preference, c.seniority, c.participation, c.cap, Fraction(0), c.holders)
        for c, n in zip(classes, shares, strict=True)
    )
    converts = {}
    for c, n in zip(solved, shares, strict=True):
        if c.participation == "none":
            converts[c.name] = n > 0 and n * v >= c.preference and v > 0
        elif c.participation == "capped":
            converts[c.name] = n * v >= c.cap
        else:
            converts[c.name] = False
    by_class = {c.name: p for c, p in zip(classes, pay, strict=True)}
    by_holder: dict[str, Fraction] = {}
    for c, p in zip(classes, pay, strict=True):
        w = sum(c.holders.values(), Fraction(0))
        for h, x in c.holders.items():
            by_holder[h] = by_holder.get(h, Fraction(0)) + p * x / w
    return Waterfall(X, by_class, by_holder, converts, v, solved)


def proceeds_by_holder(
    cap_table: CapTable,
    exit_value: Number,
    *,
    safes: Sequence[PostMoneySafe | PreMoneySafe] = (),
    notes: Sequence[ConvertibleNote] = (),
    exit_month: int | None = None,
) -> dict[str, Fraction]:
    """Exit proceeds per holder (USD, exact Fractions); they sum to ``exit_value``."""
    classes = exit_stack(cap_table, safes=safes, notes=notes, exit_month=exit_month)
    return dict(solve_waterfall(classes, exit_value).by_holder)


def proceeds_by_class(
    cap_table: CapTable,
    exit_value: Number,
    *,
    safes: Sequence[PostMoneySafe | PreMoneySafe] = (),
    notes: Sequence[ConvertibleNote] = (),
    exit_month: int | None = None,
) -> dict[str, Fraction]:
    """Exit proceeds per class (USD, exact)."""
    classes = exit_stack(cap_table, safes=safes, notes=notes, exit_month=exit_month)
    return dict(solve_waterfall(classes, exit_value).by_class)


# ---------------------------------------------------------------- vectorised
class ClassArrays(NamedTuple):
    """A stack as fixed-shape arrays, (C,) or (paths, C) each (the form an engine produces)."""

    names: tuple[str, ...]
    preference: np.ndarray  # USD
    shares: np.ndarray  # as-converted shares (any common scale, e.g. FD fractions)
    seniority: np.ndarray  # int, higher = paid first
    participation: np.ndarray  # int: NONE, FULL, CAPPED
    cap: np.ndarray  # USD total cap (inf unless capped)
    safe_fraction: np.ndarray  # P/Cap for capped post-money SAFEs, else 0


def class_arrays(classes: Sequence[ExitClass]) -> ClassArrays:
    """Float arrays of an exact stack, for :func:`waterfall_arrays`."""
    return ClassArrays(
        names=tuple(c.name for c in classes),
        preference=np.array([float(c.preference) for c in classes]),
        shares=np.array([float(c.shares) for c in classes]),
        seniority=np.array([c.seniority for c in classes]),
        participation=np.array([PARTICIPATION_CODE[c.participation] for c in classes]),
        cap=np.array([float(c.cap) if c.cap is not None else np.inf for c in classes]),
        safe_fraction=np.array([float(c.safe_fraction) for c in classes]),
    )


def _fixed_arrays(X, L, n, rank, kind, K, xp):
    """Equilibrium with fixed shares; X (P,), the rest (P, C). Returns payouts (P, C) and v (P,)."""
    none, full = kind == NONE, kind == FULL
    capd = kind == CAPPED
    has = n > 0
    n_safe = xp.where(has, n, 1.0)
    K = xp.where(capd, K, L)  # keep inf out of the arithmetic
    k_none = xp.where(none & has, L / n_safe, 0.0)
    k_lo = xp.where(capd & has, (K - L) / n_safe, 0.0)
    k_hi = xp.where(capd & has, K / n_safe, 0.0)
    kinks = xp.concatenate([xp.zeros_like(X)[:, None], k_none, k_lo, k_hi], axis=1)  # (P, 3C+1)

    def payout(v):  # v (P, M) → (P, M, C)
        vv, nn, LL, KK = v[:, :, None], n[:, None, :], L[:, None, :], K[:, None, :]
        conv = nn * vv
        capped = xp.maximum(xp.minimum(LL + conv, KK), conv)
        return xp.where(none[:, None, :], xp.maximum(LL, conv), xp.where(full[:, None, :], LL + conv, capped))

    T = xp.sum(payout(kinks), axis=-1)  # (P, M)
    k = xp.max(xp.where(X[:, None] >= T, kinks, -1.0), axis=1)
    k = xp.maximum(k, 0.0)  # paths below Σ L are handled by seniority below
    Tk = xp.sum(payout(k[:, None])[:, 0, :], axis=-1)
    kc = k[:, None]
    grows = full | (none & has & (kc >= k_none)) | (capd & has & ((kc < k_lo) | (kc >= k_hi)))
    slope = xp.sum(xp.where(grows, n, 0.0), axis=1)
    v = k + xp.where(slope > 0, (X - Tk) / xp.where(slope > 0, slope, 1.0), 0.0)
    pay_root = payout(v[:, None])[:, 0, :]

    above = rank[:, None, :] > rank[:, :, None]  # (P, C, C'): c' senior to c
    same = rank[:, None, :] == rank[:, :, None]
    senior = xp.sum(xp.where(above, L[:, None, :], 0.0), axis=-1)
    level = xp.sum(xp.where(same, L[:, None, :], 0.0), axis=-1)
    avail = xp.clip(X[:, None] - senior, 0.0, level)
    pay_seniority = xp.where(level > 0, avail * L / xp.where(level > 0, level, 1.0), 0.0)

    root = xp.sum(L, axis=1) <= X
    return xp.where(root[:, None], pay_root, pay_seniority), xp.where(root, v, 0.0)


def waterfall_arrays(exit_values, prefs, shares, seniority, participation, cap=None, safe_fraction=None, *, xp=np):
    """Vectorised waterfall: proceeds (paths, C) for exit_values (paths,) over a fixed-shape stack.

    Parameters
    ----------
    exit_values : (paths,) USD, >= 0.
    prefs : (paths, C) or (C,) liquidation preferences, USD.
    shares : (paths, C) or (C,) as-converted shares (any common scale).
    seniority : (paths, C) or (C,) int rank, higher = paid first.
    participation : (paths, C) or (C,) int, NONE / FULL / CAPPED (common = FULL with pref 0).
    cap : (paths, C) or (C,) total USD cap of capped classes (ignored otherwise); None = no cap.
    safe_fraction : (paths, C) or (C,) P/Cap of capped post-money SAFE classes (their
        ``shares`` are ignored and set from the Liquidity Capitalization), else 0.
    xp : numpy or jax.numpy. Pure array code with static shapes, so it runs under
        ``jax.jit``/``vmap``; the SAFE loop runs C times (a static count).

    Same algorithm as :func:`solve_waterfall`, in floating point.
    """
    X = xp.asarray(exit_values, dtype=float)
    P = X.shape[0]
    L = xp.asarray(prefs, dtype=float)
    C = L.shape[-1]

    def full_shape(a, dtype=float):
        return xp.broadcast_to(xp.asarray(a, dtype=dtype), (P, C))

    L = full_shape(L)
    n = full_shape(shares)
    rank = full_shape(seniority, int)
    kind = full_shape(participation, int)
    K = full_shape(xp.inf if cap is None else cap)
    if safe_fraction is None:
        return _fixed_arrays(X, L, n, rank, kind, K, xp)[0]
    f = full_shape(safe_fraction)
    is_safe = f > 0
    base = xp.sum(xp.where(is_safe, 0.0, n), axis=1)
    converting = is_safe

    def with_lc(conv):
        F = xp.sum(xp.where(conv, f, 0.0), axis=1)
        lc = base / (1.0 - F)
        return xp.where(is_safe, xp.where(conv, f * lc[:, None], 0.0), n)

    for _ in range(C):  # K shrinks at most C times (greatest fixed point, see module docstring)
        nn = with_lc(converting)
        _, v = _fixed_arrays(X, L, nn, rank, kind, K, xp)
        converting = converting & (nn * v[:, None] >= L)
    return _fixed_arrays(X, L, with_lc(converting), rank, kind, K, xp)[0]
