r"""A priced round, exactly: the SAFEs' and notes' conversion, the pool top-up and the new series.

:class:`PricedRound` holds the terms; :func:`apply_round` closes it on a
:class:`~venturesim.funding.shares.cap_table.CapTable`, converting the
:mod:`~venturesim.funding.shares.safe` SAFEs and :mod:`~venturesim.funding.shares.note` notes.

The round (:func:`apply_round`)
-------------------------------
Notation (all shares are fully diluted, as converted to common):

* V pre-money valuation, A new money, USD; t the target unissued pool after the
  round as a fraction of post-money shares (the "option pool shuffle": the
  top-up is counted in the pre-money, NVCA term sheet, "Employee Pool");
* S₀ fully diluted shares before the round (issued + granted options + unissued
  pool U₀), N₀ = S₀ − U₀ (issued + granted);
* T pool top-up, X_i shares issued on conversion of instrument i;
* F = S₀ + T + Σ X_i, the **pre-money fully diluted capitalization**;
* p = V / F, the **round price** ("price per share of Standard Preferred
  Stock", computed on the fully diluted pre-money capitalization that includes
  converting securities and the enlarged pool — NVCA term sheet, "Price");
* N = A / p new shares, post-money shares F + N = F (V + A) / V.

Pool top-up, from (U₀ + T) = t (F + N)::

    T = max(0, t F (V + A)/V − U₀)

or, when the term sheet states the increase as a number of new shares
(``pool_top_up_shares``, as the YC safe user guide's Appendix II does), T is
that number.

Price convention. On a cap table with ``price_decimals`` (see
:meth:`~venturesim.funding.shares.cap_table.CapTable.rounded_price`) the round
price and each conversion price are rounded half up to that many decimals, and
every share count is floor(USD / rounded price). F and T are still solved
exactly; only the prices (and so the counts) are rounded.

Conversion prices. Each converting instrument converts at the *lower* of its
cap price and its discount price ("whichever calculation results in a greater
number of shares" — YC SAFE, definition of "Conversion Price"):

* discount price  = p (1 − d)  ("Discount Price" = price × Discount Rate; a
  cap-only SAFE converts at p when p is below the cap price, YC post-money
  SAFE §1(a));
* post-money SAFE cap price = Cap / CC, where **Company Capitalization**
  CC = F − T: capital stock, options, *all Converting Securities* (every SAFE
  and note, as converted) and the unissued pool, but **excluding the pool
  increase made in connection with the financing** (YC post-money SAFE,
  definition of "Company Capitalization", last bullet). So a capped post-money
  SAFE gets exactly P/Cap of CC: X_i = (P_i / Cap_i) · CC;
* pre-money SAFE cap price = Cap / PC with PC = S₀ + T: capital stock, options
  and the pool *including* the increase, but *excluding* all SAFEs and notes
  (YC pre-money SAFE, "Company Capitalization");
* note cap price = Cap / N₀: outstanding shares assuming exercise of options,
  excluding the notes and the unissued pool (Series Seed / Cooley GO note form,
  "Conversion Price"; forms vary — check yours).

With the choice of price fixed, every X_i is affine in F (cap: a constant times
CC, PC or N₀; discount: P_i F / ((1 − d_i) V)), so F = S₀ + T + Σ X_i is one
linear equation, solved exactly in rationals. The choice of price is then
re-checked at the solution and the solve repeated until it is stable (all
2^k choices are tried if that iteration cycles). Share counts are floored
after the exact solve.

Pro rata. A holder with a pro rata right buys (its shares ÷ CC) × A of the
round (YC "Pro Rata Side Letter": shares issued on conversion over the Company
Capitalization; NVCA "Right to Participate Pro Rata" for existing holders);
those dollars come out of the round, the rest goes to the new investors.

Effective pre-money (Venture Deals, "the option pool shuffle") =
V − p · T: the pre-money net of the value of the pool created in the round.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from venturesim.funding.shares._checks import check_month, check_positive, check_rate
from venturesim.funding.shares.cap_table import CapTable, Participation, ShareClass, as_fraction
from venturesim.funding.shares.note import ConvertibleNote
from venturesim.funding.shares.safe import PostMoneySafe, Safe, apply_mfn

__all__ = ["Conversion", "PricedRound", "RoundResult", "apply_round"]


@dataclass(frozen=True)
class PricedRound:
    """A priced equity round (a new series of preferred stock).

    Parameters
    ----------
    series : str, name of the new class ("Series A").
    pre_money : USD, V (fully diluted, including conversions and the pool top-up).
    amount : USD, A, new money (pro rata purchases included).
    month : closing month.
    pool_target : fraction of post-money shares the *unissued* pool must be after
        the round (None: no top-up). The top-up counts in the pre-money.
    pool_top_up_shares : the top-up stated as a number of new shares instead
        (exclusive with ``pool_target``); it counts in the pre-money too.
    liquidation_multiple, participation, participation_cap : terms of the new series.
    seniority : "senior" (stacked: ranks above every earlier series) or
        "pari_passu" (same rank as the most senior earlier series).
    pro_rata : existing holders exercising a pro rata right → fraction of their right used (1 = all).
    investors : new investors → weights splitting the money left after pro rata
        (default: one holder named "<series> investors").
    """

    series: str
    pre_money: Fraction
    amount: Fraction
    month: int = 0
    pool_target: Fraction | None = None
    pool_top_up_shares: int | None = None
    liquidation_multiple: Fraction = Fraction(1)
    participation: Participation = "none"
    participation_cap: Fraction | None = None
    seniority: Literal["senior", "pari_passu"] = "senior"
    pro_rata: Mapping[str, Fraction] = field(default_factory=dict)
    investors: Mapping[str, Fraction] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "pre_money", check_positive(self.pre_money, "pre_money"))
        object.__setattr__(self, "amount", check_positive(self.amount, "amount"))
        check_month(self.month)
        if self.pool_target is not None:
            object.__setattr__(self, "pool_target", check_rate(self.pool_target, "pool_target"))
        n = self.pool_top_up_shares
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"pool_top_up_shares(={n!r}) must be a whole number of shares >= 0")
            if self.pool_target is not None:
                raise ValueError("give the pool increase either as pool_target or as pool_top_up_shares, not both")
        if self.seniority not in ("senior", "pari_passu"):
            raise ValueError(f"seniority(={self.seniority!r}) must be 'senior' or 'pari_passu'")
        pr = {h: as_fraction(x, f"pro_rata[{h!r}]") for h, x in self.pro_rata.items()}
        for h, x in pr.items():
            if not 0 <= x <= 1:
                raise ValueError(f"pro_rata[{h!r}](={x}) must be in [0, 1]")
        object.__setattr__(self, "pro_rata", pr)
        inv = self.investors or {f"{self.series} investors": 1}
        inv = {h: check_positive(w, f"investors[{h!r}]") for h, w in inv.items()}
        object.__setattr__(self, "investors", inv)
        # validates the class terms early
        self.share_class(Fraction(1), 1)

    @property
    def post_money(self) -> Fraction:
        return self.pre_money + self.amount

    def share_class(self, price: Fraction, rank: int, name: str | None = None) -> ShareClass:
        return ShareClass(
            name or self.series,
            original_issue_price=price,
            liquidation_multiple=self.liquidation_multiple,
            participation=self.participation,
            participation_cap=self.participation_cap,
            seniority=rank,
        )


@dataclass(frozen=True)
class Conversion:
    """One SAFE or note converted at a round."""

    holder: str
    instrument: str  # "post-money safe", "pre-money safe", "convertible note"
    amount: Fraction  # USD converting (purchase amount, or principal + interest)
    price: Fraction  # conversion price, USD/share
    method: str  # "cap" or "discount" (the round price when there is no discount)
    shares: int
    share_class: str


@dataclass(frozen=True)
class RoundResult:
    """What a round did; every number exact."""

    series: str
    month: int
    price: Fraction  # p = V / F (rounded under the cap table's price convention)
    pre_money: Fraction
    amount: Fraction
    pre_money_shares: Fraction  # F, exact (before flooring the issued counts)
    company_capitalization: Fraction  # CC = F − T (post-money SAFE definition)
    pool_top_up: int
    conversions: tuple[Conversion, ...]
    purchases: Mapping[str, tuple[Fraction, int]]  # holder → (USD, shares), pro rata included
    pro_rata: Mapping[str, Fraction]  # holder → USD bought under a pro rata right
    post_money_shares: int
    outstanding_notes: tuple[ConvertibleNote, ...] = ()

    @property
    def post_money(self) -> Fraction:
        """Round price × post-money fully diluted shares."""
        return self.price * self.post_money_shares

    @property
    def effective_pre_money(self) -> Fraction:
        """V − p · T: the pre-money net of the pool created in the round (the option pool shuffle)."""
        return self.pre_money - self.price * self.pool_top_up

    def pre_round_value(self, shares_before: int) -> Fraction:
        """Round price × the fully diluted shares that existed before the round."""
        return self.price * shares_before


@dataclass(frozen=True)
class _Pending:
    kind: str
    holder: str
    amount: Fraction
    cap: Fraction | None
    discount_rate: Fraction
    base: str  # "cc" | "pc" | "n0"
    pro_rata: bool
    cash_month: int
    invested: Fraction


def _solve_capitalization(pending, methods, S0, U0, N0, V, g, fixed_top_up):
    """Exact F and T for a fixed choice of conversion prices (see module docstring).

    Every quantity is an affine function c0 + c1·F of the unknown F: T = g·F − U₀ (a target), or the
    constant ``fixed_top_up`` (a number of shares).
    """

    def solve(top_up: bool):
        if fixed_top_up is not None:
            T = (Fraction(fixed_top_up), Fraction(0))
        else:
            T = (-Fraction(U0), g) if top_up else (Fraction(0), Fraction(0))
        bases = {
            "cc": (-T[0], 1 - T[1]),  # CC = F − T
            "pc": (S0 + T[0], T[1]),  # PC = S0 + T
            "n0": (Fraction(N0), Fraction(0)),
        }
        k0, k1 = S0 + T[0], T[1]
        for c, how in zip(pending, methods, strict=True):
            if how == "cap":
                b0, b1 = bases[c.base]
                a = c.amount / c.cap
                k0, k1 = k0 + a * b0, k1 + a * b1
            else:
                k1 += c.amount / (c.discount_rate * V)
        if k1 >= 1:
            raise ValueError(
                "the converting securities and pool claim the whole company: no price solves "
                f"F = S0 + T + ΣX (slope {float(k1):.4f} >= 1); check caps, amounts and pool_target"
            )
        F = k0 / (1 - k1)
        return F, T[0] + T[1] * F

    F, T = solve(False)
    if fixed_top_up is None and g is not None and g * F - U0 > 0:
        F, T = solve(True)
    return F, T


def _conversion_prices(c: _Pending, F, T, S0, N0, V):
    p = V / F
    base = {"cc": F - T, "pc": S0 + T, "n0": Fraction(N0)}[c.base]
    discount_price = c.discount_rate * p
    if c.cap is not None:
        cap_price = c.cap / base
        if cap_price <= discount_price:
            return "cap", cap_price
    return "discount", discount_price


def apply_round(
    cap_table: CapTable, round: PricedRound, safes: Sequence[Safe] = (), notes: Sequence[ConvertibleNote] = ()
) -> tuple[CapTable, RoundResult]:
    """Close ``round``: convert SAFEs and notes, top up the pool, issue the new series.

    Returns the new cap table (the input is unchanged; earlier holders keep
    their share counts) and a :class:`RoundResult`. Notes whose
    ``qualified_financing`` exceeds the round amount stay outstanding
    (``RoundResult.outstanding_notes``). The formulas are in the module
    docstring.
    """
    V, A, m = round.pre_money, round.amount, round.month
    safes = apply_mfn(list(safes))
    pending: list[_Pending] = []
    for s in safes:
        if s.month > m:
            raise ValueError(f"SAFE of {s.investor!r} (month {s.month}) is after the round (month {m})")
        post = isinstance(s, PostMoneySafe)
        pending.append(
            _Pending(
                "post-money safe" if post else "pre-money safe",
                s.investor,
                s.purchase_amount,
                s.valuation_cap,
                s.discount_rate,
                "cc" if post else "pc",
                s.pro_rata,
                s.month,
                s.purchase_amount,
            )
        )
    outstanding = []
    for n in notes:
        if n.month > m:
            raise ValueError(f"note of {n.investor!r} (month {n.month}) is after the round (month {m})")
        if n.qualified_financing > A:
            outstanding.append(n)
            continue
        pending.append(
            _Pending(
                "convertible note",
                n.investor,
                n.amount_due(m),
                n.valuation_cap,
                n.discount_rate,
                "n0",
                False,
                n.month,
                n.principal,
            )
        )

    S0, U0 = cap_table.fully_diluted_shares, cap_table.pool
    N0 = S0 - U0
    g = None if round.pool_target is None else round.pool_target * (V + A) / V

    def consistent(methods):
        F, T = _solve_capitalization(pending, methods, S0, U0, N0, V, g, round.pool_top_up_shares)
        best = tuple(_conversion_prices(c, F, T, S0, N0, V)[0] for c in pending)
        return F, T, best

    methods = tuple("cap" if c.cap is not None else "discount" for c in pending)
    for _ in range(2 * len(pending) + 2):
        F, T, best = consistent(methods)
        if best == methods:
            break
        methods = best
    else:  # the price choices cycle: take the first consistent choice in a fixed order
        for methods in itertools.product(("cap", "discount"), repeat=len(pending)):
            if any(h == "cap" and c.cap is None for h, c in zip(methods, pending, strict=True)):
                continue
            F, T, best = consistent(methods)
            if best == methods:
                break
        else:
            raise ValueError("no consistent choice of conversion prices (cap vs discount) exists")

    price = cap_table.rounded_price(V / F)
    CC = F - T
    top_up = math.floor(T)

    # ranks of the new series and shadow series
    pref_ranks = [c.seniority for c in cap_table.classes if not c.common]
    top = max(pref_ranks, default=0)
    rank = top + 1 if round.seniority == "senior" else max(top, 1)

    conv_prices = []
    for c in pending:
        how, cp = _conversion_prices(c, F, T, S0, N0, V)
        if how == "discount":  # (1 − d) × the round price as printed
            cp = c.discount_rate * price
        conv_prices.append((how, cap_table.rounded_price(cp)))
    shadow = sorted({cp for _, cp in conv_prices if cp != price})
    shadow_name = {cp: f"{round.series}-{k + 1}" for k, cp in enumerate(shadow)}

    table = cap_table.with_class(round.share_class(price, rank))
    for cp in shadow:
        table = table.with_class(round.share_class(cp, rank, shadow_name[cp]))
    table = table.top_up_pool(top_up, month=m)

    conversions = []
    for c, (how, cp) in zip(pending, conv_prices, strict=True):
        shares = math.floor(c.amount / cp)
        cls = shadow_name.get(cp, round.series)
        if shares:
            table = table.issue(
                c.holder,
                cls,
                shares,
                price=cp,
                month=m,
                instrument=c.kind,
                invested=c.invested,
                cash_month=c.cash_month,
            )
        conversions.append(Conversion(c.holder, c.kind, c.amount, cp, how, shares, cls))

    # pro rata rights: (shares ÷ Company Capitalization) × A
    pro_rata: dict[str, Fraction] = {}
    for c, conv in zip(pending, conversions, strict=True):
        if c.pro_rata:
            pro_rata[c.holder] = pro_rata.get(c.holder, Fraction(0)) + Fraction(conv.shares) / CC * A
    for holder, used in round.pro_rata.items():
        held = cap_table.fully_diluted_held(holder)
        if held == 0:
            raise ValueError(f"pro_rata holder {holder!r} holds no shares before the round")
        pro_rata[holder] = pro_rata.get(holder, Fraction(0)) + used * Fraction(held) / CC * A
    taken = sum(pro_rata.values(), Fraction(0))
    if taken > A:
        raise ValueError(f"pro rata purchases(={float(taken):,.2f}) exceed the round amount(={float(A):,.2f})")
    weights = sum(round.investors.values(), Fraction(0))
    dollars = dict(pro_rata)
    for h, w in round.investors.items():
        dollars[h] = dollars.get(h, Fraction(0)) + (A - taken) * w / weights

    purchases = {}
    for h, usd in dollars.items():
        shares = math.floor(usd / price)
        if shares:
            table = table.issue(
                h,
                round.series,
                shares,
                price=price,
                month=m,
                instrument="pro rata" if h in pro_rata else "priced round",
            )
        purchases[h] = (usd, shares)

    result = RoundResult(
        series=round.series,
        month=m,
        price=price,
        pre_money=V,
        amount=A,
        pre_money_shares=F,
        company_capitalization=CC,
        pool_top_up=top_up,
        conversions=tuple(conversions),
        purchases=purchases,
        pro_rata=pro_rata,
        post_money_shares=table.fully_diluted_shares,
        outstanding_notes=tuple(outstanding),
    )
    return table, result
