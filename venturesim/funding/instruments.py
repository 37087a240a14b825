r"""Financing instruments and their exact conversion at a priced round.

Instruments: :class:`PostMoneySafe`, :class:`PreMoneySafe`,
:class:`ConvertibleNote`, :class:`PricedRound` (applied by :func:`apply_round`),
:class:`Grant` (non-dilutive) and :class:`VentureDebt` (with warrants and a
minimum-cash covenant).

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
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal

import numpy as np

from venturesim.funding.cap_table import (
    CapTable,
    Number,
    Participation,
    ShareClass,
    as_fraction,
)

__all__ = [
    "Conversion",
    "ConvertibleNote",
    "CovenantBreach",
    "DebtPayment",
    "Grant",
    "GrantTranche",
    "PostMoneySafe",
    "PreMoneySafe",
    "PricedRound",
    "RoundResult",
    "VentureDebt",
    "apply_mfn",
    "apply_round",
]


def _positive(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if v <= 0:
        raise ValueError(f"{name}(={x}) must be > 0")
    return v


def _non_negative(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if v < 0:
        raise ValueError(f"{name}(={x}) must be >= 0")
    return v


def _rate(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if not 0 <= v < 1:
        raise ValueError(f"{name}(={x}) must be in [0, 1)")
    return v


def _month(x: int, name: str = "month") -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise ValueError(f"{name}(={x!r}) must be an integer >= 0")
    return x


# ---------------------------------------------------------------- SAFEs
@dataclass(frozen=True)
class _Safe:
    investor: str
    purchase_amount: Fraction
    valuation_cap: Fraction | None = None
    discount: Fraction = Fraction(0)
    mfn: bool = False
    pro_rata: bool = False
    month: int = 0

    def __post_init__(self):
        object.__setattr__(self, "purchase_amount", _positive(self.purchase_amount, "purchase_amount"))
        if self.valuation_cap is not None:
            object.__setattr__(self, "valuation_cap", _positive(self.valuation_cap, "valuation_cap"))
        object.__setattr__(self, "discount", _rate(self.discount, "discount"))
        _month(self.month)

    @property
    def discount_rate(self) -> Fraction:
        """YC "Discount Rate" = 1 − discount: the discount price is round price × this."""
        return 1 - self.discount


@dataclass(frozen=True)
class PostMoneySafe(_Safe):
    """YC post-money SAFE (2018 form): valuation cap, discount, MFN, pro rata side letter.

    Parameters
    ----------
    investor : str
    purchase_amount : USD (P).
    valuation_cap : USD, the "Post-Money Valuation Cap"; None for an uncapped SAFE.
    discount : fraction, e.g. 0.2 for a 20 % discount ("Discount Rate" = 80 %).
    mfn : bool, most-favoured-nation: adopts the terms of later SAFEs that are better (see :func:`apply_mfn`).
    pro_rata : bool, the pro rata side letter: the holder buys its pro rata share of the converting round.
    month : month the SAFE was bought (when the cash came in).

    At a round the holder gets P / Conversion Price shares; with a cap that is at
    least (P / Cap) · Company Capitalization, i.e. P/Cap of the company measured
    after all SAFEs and before the new money (YC post-money user guide).
    At a liquidity event it gets the greater of P and the as-converted amount at
    the Liquidity Price Cap / Liquidity Capitalization (see waterfall module).
    """

    def __post_init__(self):
        super().__post_init__()
        if self.valuation_cap is not None and self.valuation_cap <= self.purchase_amount:
            raise ValueError(
                f"valuation_cap(={self.valuation_cap}) must exceed purchase_amount(={self.purchase_amount})"
            )

    @property
    def ownership_at_cap(self) -> Fraction | None:
        """P / Cap: the fraction of Company Capitalization the SAFE converts into at the cap."""
        return None if self.valuation_cap is None else self.purchase_amount / self.valuation_cap


@dataclass(frozen=True)
class PreMoneySafe(_Safe):
    """YC pre-money SAFE (2013 form): cap price = Cap / Company Capitalization, which excludes SAFEs and notes.

    Same parameters as :class:`PostMoneySafe`; ``valuation_cap`` is a pre-money
    cap, so the SAFE holder is diluted by every other SAFE, the notes and the
    pool increase of the round (all enter the round's capitalization, none
    its own).
    """


def apply_mfn(safes: Sequence[_Safe]) -> list[_Safe]:
    """Apply the MFN clause: each MFN SAFE adopts the terms of the best later SAFE of its kind.

    YC MFN SAFE: if the company later issues convertible securities on better
    terms, the holder may amend its SAFE "to be identical to" them. We adopt the
    whole (cap, discount) of the later SAFE (month > the MFN SAFE's month, same
    kind) that is best for the holder: lowest cap (None = no cap is worst),
    then highest discount — and only when it is better than the holder's own.
    """
    out = []
    for s in safes:
        if not s.mfn:
            out.append(s)
            continue

        def key(x: _Safe):
            return (math.inf if x.valuation_cap is None else x.valuation_cap, -x.discount)

        later = [x for x in safes if type(x) is type(s) and x.month > s.month and x is not s]
        best = min(later, key=key, default=None)
        if best is not None and key(best) < key(s):
            out.append(replace(s, valuation_cap=best.valuation_cap, discount=best.discount))
        else:
            out.append(s)
    return out


# ---------------------------------------------------------------- notes
@dataclass(frozen=True)
class ConvertibleNote:
    """A convertible promissory note; interest accrues and converts with the principal.

    Parameters
    ----------
    investor : str
    principal : USD.
    annual_rate : interest rate per year (e.g. 0.06).
    month : month issued.
    maturity_months : term, months (interest keeps accruing after maturity until paid or converted).
    valuation_cap : USD, cap on the pre-money valuation (cap price = cap / N₀, see module docstring); None = no cap.
    discount : fraction, discount to the round price.
    interest : "simple" — due = principal · (1 + r·m/12); or "compound" — monthly
        compounding, due = principal · (1 + r/12)^m; m = whole months since issue.
    qualified_financing : USD, minimum new money for automatic conversion ("Qualified Financing").
    exit_multiple : on a change of control before conversion the holder gets the
        greater of exit_multiple × amount due and the as-converted amount at the cap
        (1x is common; some notes say 2x).
    """

    investor: str
    principal: Fraction
    annual_rate: Fraction
    month: int = 0
    maturity_months: int = 24
    valuation_cap: Fraction | None = None
    discount: Fraction = Fraction(0)
    interest: Literal["simple", "compound"] = "simple"
    qualified_financing: Fraction = Fraction(0)
    exit_multiple: Fraction = Fraction(1)

    def __post_init__(self):
        object.__setattr__(self, "principal", _positive(self.principal, "principal"))
        object.__setattr__(self, "annual_rate", _non_negative(self.annual_rate, "annual_rate"))
        _month(self.month)
        _month(self.maturity_months, "maturity_months")
        if self.valuation_cap is not None:
            object.__setattr__(self, "valuation_cap", _positive(self.valuation_cap, "valuation_cap"))
        object.__setattr__(self, "discount", _rate(self.discount, "discount"))
        if self.interest not in ("simple", "compound"):
            raise ValueError(f"interest(={self.interest!r}) must be 'simple' or 'compound'")
        q = as_fraction(self.qualified_financing, "qualified_financing")
        if q < 0:
            raise ValueError(f"qualified_financing(={self.qualified_financing}) must be >= 0")
        object.__setattr__(self, "qualified_financing", q)
        mult = as_fraction(self.exit_multiple, "exit_multiple")
        if mult < 1:
            raise ValueError(f"exit_multiple(={self.exit_multiple}) must be >= 1")
        object.__setattr__(self, "exit_multiple", mult)

    @property
    def discount_rate(self) -> Fraction:
        return 1 - self.discount

    @property
    def maturity_month(self) -> int:
        return self.month + self.maturity_months

    def amount_due(self, month: int) -> Fraction:
        """Principal + accrued interest at ``month`` (exact)."""
        m = _month(month) - self.month
        if m < 0:
            raise ValueError(f"month(={month}) is before the note was issued (month {self.month})")
        if self.interest == "simple":
            return self.principal * (1 + self.annual_rate * m / 12)
        return self.principal * (1 + self.annual_rate / 12) ** m

    def accrued_interest(self, month: int) -> Fraction:
        return self.amount_due(month) - self.principal


# ---------------------------------------------------------------- priced round
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
    liquidation_multiple: Fraction = Fraction(1)
    participation: Participation = "none"
    participation_cap: Fraction | None = None
    seniority: Literal["senior", "pari_passu"] = "senior"
    pro_rata: Mapping[str, Fraction] = field(default_factory=dict)
    investors: Mapping[str, Fraction] | None = None

    def __post_init__(self):
        object.__setattr__(self, "pre_money", _positive(self.pre_money, "pre_money"))
        object.__setattr__(self, "amount", _positive(self.amount, "amount"))
        _month(self.month)
        if self.pool_target is not None:
            object.__setattr__(self, "pool_target", _rate(self.pool_target, "pool_target"))
        if self.seniority not in ("senior", "pari_passu"):
            raise ValueError(f"seniority(={self.seniority!r}) must be 'senior' or 'pari_passu'")
        pr = {h: as_fraction(x, f"pro_rata[{h!r}]") for h, x in self.pro_rata.items()}
        for h, x in pr.items():
            if not 0 <= x <= 1:
                raise ValueError(f"pro_rata[{h!r}](={x}) must be in [0, 1]")
        object.__setattr__(self, "pro_rata", pr)
        inv = self.investors or {f"{self.series} investors": 1}
        inv = {h: _positive(w, f"investors[{h!r}]") for h, w in inv.items()}
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
    price: Fraction  # p = V / F
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


def _solve_capitalization(pending, methods, S0, U0, N0, V, g):
    """Exact F and T for a fixed choice of conversion prices (see module docstring).

    Every quantity is an affine function c0 + c1·F of the unknown F.
    """

    def solve(top_up: bool):
        T = (-Fraction(U0), g) if top_up else (Fraction(0), Fraction(0))
        bases = {
            "cc": (-T[0], 1 - T[1]),  # CC = F − T
            "pc": (S0 + T[0], T[1]),  # PC = S0 + T
            "n0": (Fraction(N0), Fraction(0)),
        }
        k0, k1 = S0 + T[0], T[1]
        for c, how in zip(pending, methods):
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
    if g is not None and g * F - U0 > 0:
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
    cap_table: CapTable,
    round: PricedRound,
    safes: Sequence[_Safe] = (),
    notes: Sequence[ConvertibleNote] = (),
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
            _Pending("post-money safe" if post else "pre-money safe", s.investor, s.purchase_amount,
                     s.valuation_cap, s.discount_rate, "cc" if post else "pc", s.pro_rata, s.month,
                     s.purchase_amount)
        )
    outstanding = []
    for n in notes:
        if n.month > m:
            raise ValueError(f"note of {n.investor!r} (month {n.month}) is after the round (month {m})")
        if A < n.qualified_financing:
            outstanding.append(n)
            continue
        pending.append(
            _Pending("convertible note", n.investor, n.amount_due(m), n.valuation_cap, n.discount_rate,
                     "n0", False, n.month, n.principal)
        )

    S0, U0 = cap_table.fully_diluted_shares, cap_table.pool
    N0 = S0 - U0
    g = None if round.pool_target is None else round.pool_target * (V + A) / V

    def consistent(methods):
        F, T = _solve_capitalization(pending, methods, S0, U0, N0, V, g)
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
            if any(h == "cap" and c.cap is None for h, c in zip(methods, pending)):
                continue
            F, T, best = consistent(methods)
            if best == methods:
                break
        else:
            raise ValueError("no consistent choice of conversion prices (cap vs discount) exists")

    price = V / F
    CC = F - T
    top_up = math.floor(T)

    # ranks of the new series and shadow series
    pref_ranks = [c.seniority for c in cap_table.classes if not c.common]
    top = max(pref_ranks, default=0)
    rank = top + 1 if round.seniority == "senior" else max(top, 1)

    conv_prices = []
    for c in pending:
        how, cp = _conversion_prices(c, F, T, S0, N0, V)
        conv_prices.append((how, cp))
    shadow = sorted({cp for _, cp in conv_prices if cp != price})
    shadow_name = {cp: f"{round.series}-{k + 1}" for k, cp in enumerate(shadow)}

    table = cap_table.with_class(round.share_class(price, rank))
    for cp in shadow:
        table = table.with_class(round.share_class(cp, rank, shadow_name[cp]))
    table = table.top_up_pool(top_up, month=m)

    conversions = []
    for c, (how, cp) in zip(pending, conv_prices):
        shares = math.floor(c.amount / cp)
        cls = shadow_name.get(cp, round.series)
        if shares:
            table = table.issue(c.holder, cls, shares, price=cp, month=m, instrument=c.kind,
                                invested=c.invested, cash_month=c.cash_month)
        conversions.append(Conversion(c.holder, c.kind, c.amount, cp, how, shares, cls))

    # pro rata rights: (shares ÷ Company Capitalization) × A
    pro_rata: dict[str, Fraction] = {}
    for c, conv in zip(pending, conversions):
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
            table = table.issue(h, round.series, shares, price=price, month=m,
                                instrument="pro rata" if h in pro_rata else "priced round")
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


# ---------------------------------------------------------------- grants
@dataclass(frozen=True)
class GrantTranche:
    """One tranche of a grant: paid in the month its milestone is met (not before ``earliest_month``)."""

    milestone: str
    amount: Fraction
    earliest_month: int = 0

    def __post_init__(self):
        object.__setattr__(self, "amount", _positive(self.amount, "amount"))
        _month(self.earliest_month, "earliest_month")


@dataclass(frozen=True)
class Grant:
    """Non-dilutive funding (a government or foundation grant) paid in milestone tranches.

    It never touches the cap table; it is cash in when each milestone is met.
    """

    name: str
    tranches: tuple[GrantTranche, ...]

    def __post_init__(self):
        if not self.tranches:
            raise ValueError(f"tranches(={self.tranches}) must hold at least one tranche")
        object.__setattr__(self, "tranches", tuple(self.tranches))

    @property
    def total(self) -> Fraction:
        return sum((t.amount for t in self.tranches), Fraction(0))

    def inflows(self, milestone_months: Mapping[str, int]) -> list[tuple[int, Fraction]]:
        """(month, USD) paid, given the month each milestone was met (missing = never)."""
        out = []
        for t in self.tranches:
            if t.milestone in milestone_months:
                out.append((max(_month(milestone_months[t.milestone]), t.earliest_month), t.amount))
        return sorted(out)

    def inflow_array(self, milestone_months: np.ndarray, months: int) -> np.ndarray:
        """Vectorised inflows for an engine.

        ``milestone_months`` is (paths, K), K = number of tranches, the month each
        tranche's milestone was met (−1 = never); returns (paths, months) USD.
        """
        mm = np.asarray(milestone_months)
        if mm.ndim != 2 or mm.shape[1] != len(self.tranches):
            raise ValueError(f"milestone_months shape(={mm.shape}) must be (paths, {len(self.tranches)})")
        earliest = np.array([t.earliest_month for t in self.tranches])
        amount = np.array([float(t.amount) for t in self.tranches])
        pay = np.where(mm >= 0, np.maximum(mm, earliest), -1)  # (paths, K)
        out = np.zeros((mm.shape[0], months))
        for k in range(len(self.tranches)):
            hit = (pay[:, k] >= 0) & (pay[:, k] < months)
            out[np.flatnonzero(hit), pay[hit, k]] += amount[k]
        return out


# ---------------------------------------------------------------- venture debt
@dataclass(frozen=True)
class DebtPayment:
    month: int
    interest: Fraction
    principal: Fraction
    balance: Fraction  # after the payment

    @property
    def payment(self) -> Fraction:
        return self.interest + self.principal


@dataclass(frozen=True)
class CovenantBreach:
    """The minimum-cash covenant was broken: the lender may accelerate the balance."""

    month: int
    cash: float
    min_cash: Fraction
    balance_due: Fraction


@dataclass(frozen=True)
class VentureDebt:
    """A venture loan: interest-only months, then amortisation; warrants; a minimum-cash covenant.

    Monthly rate r = annual_rate / 12 on the balance B. Month k after drawdown
    (k = 1 … IO + n) pays interest r·B_{k−1}; during the IO interest-only months
    no principal; then over n = amortization_months either

    * "level" (mortgage-style annuity): payment = B·r / (1 − (1 + r)^−n) (B/n if r = 0);
    * "straight": principal B/n each month, plus interest.

    Warrants: coverage × principal of stock at the round price →
    floor(coverage · principal / price) shares (typical coverage 5–20 %).
    Covenant: cash < min_cash while a balance is outstanding is a breach.
    """

    lender: str
    principal: Fraction
    annual_rate: Fraction
    month: int = 0
    interest_only_months: int = 6
    amortization_months: int = 30
    warrant_coverage: Fraction = Fraction(0)
    min_cash: Fraction | None = None
    amortization: Literal["level", "straight"] = "level"

    def __post_init__(self):
        object.__setattr__(self, "principal", _positive(self.principal, "principal"))
        object.__setattr__(self, "annual_rate", _non_negative(self.annual_rate, "annual_rate"))
        _month(self.month)
        _month(self.interest_only_months, "interest_only_months")
        if _month(self.amortization_months, "amortization_months") == 0:
            raise ValueError(f"amortization_months(={self.amortization_months}) must be > 0")
        cov = as_fraction(self.warrant_coverage, "warrant_coverage")
        if cov < 0:
            raise ValueError(f"warrant_coverage(={self.warrant_coverage}) must be >= 0")
        object.__setattr__(self, "warrant_coverage", cov)
        if self.min_cash is not None:
            mc = as_fraction(self.min_cash, "min_cash")
            if mc < 0:
                raise ValueError(f"min_cash(={self.min_cash}) must be >= 0")
            object.__setattr__(self, "min_cash", mc)
        if self.amortization not in ("level", "straight"):
            raise ValueError(f"amortization(={self.amortization!r}) must be 'level' or 'straight'")

    @property
    def monthly_rate(self) -> Fraction:
        return self.annual_rate / 12

    @property
    def level_payment(self) -> Fraction:
        """Annuity payment during amortisation: B·r / (1 − (1 + r)^−n)."""
        r, n, B = self.monthly_rate, self.amortization_months, self.principal
        return B / n if r == 0 else B * r / (1 - (1 + r) ** -n)

    def schedule(self) -> tuple[DebtPayment, ...]:
        """Every payment, exact; the balance ends at exactly 0."""
        r, B = self.monthly_rate, self.principal
        n, io = self.amortization_months, self.interest_only_months
        rows = []
        for k in range(1, io + n + 1):
            interest = r * B
            if k <= io:
                principal = Fraction(0)
            elif self.amortization == "level":
                principal = B if k == io + n else self.level_payment - interest
            else:
                principal = self.principal / n
            B -= principal
            rows.append(DebtPayment(self.month + k, interest, principal, B))
        return tuple(rows)

    def balance_after(self, month: int) -> Fraction:
        """Balance outstanding after the payment of ``month`` (the principal before the first one)."""
        if month < self.month:
            return Fraction(0)
        bal = self.principal
        for row in self.schedule():
            if row.month <= month:
                bal = row.balance
        return bal

    def warrant_shares(self, price: Number) -> int:
        """floor(coverage × principal / price)."""
        return math.floor(self.warrant_coverage * self.principal / _positive(price, "price"))

    def issue_warrants(self, cap_table: CapTable, *, price: Number, month: int,
                       share_class: str | None = None) -> CapTable:
        """Add the lender's warrants to the table (counted fully diluted, exercise price ``price``)."""
        n = self.warrant_shares(price)
        if n == 0:
            return cap_table
        cls = share_class or cap_table.common_class.name
        return cap_table.issue(self.lender, cls, n, price=price, month=month, instrument="warrant", invested=0)

    def covenant_breach(self, cash: Sequence[float], start_month: int = 0) -> CovenantBreach | None:
        """First month at which cash (cash[i] = cash at the end of month start_month + i) is
        below ``min_cash`` while a balance is outstanding; None if never."""
        if self.min_cash is None:
            return None
        for i, c in enumerate(cash):
            month = start_month + i
            due = self.balance_after(month)
            if month >= self.month and due > 0 and c < self.min_cash:
                return CovenantBreach(month, float(c), self.min_cash, due)
        return None

    def first_breach_month(self, cash: np.ndarray, start_month: int = 0) -> np.ndarray:
        """Vectorised covenant check: cash (paths, months) → first breach month (paths,), −1 if none."""
        cash = np.asarray(cash, dtype=float)
        if self.min_cash is None:
            return np.full(cash.shape[0], -1)
        months = start_month + np.arange(cash.shape[1])
        outstanding = np.array([self.balance_after(int(m)) > 0 and m >= self.month for m in months])
        breach = (cash < float(self.min_cash)) & outstanding[None, :]
        return np.where(breach.any(axis=1), months[np.argmax(breach, axis=1)], -1)
