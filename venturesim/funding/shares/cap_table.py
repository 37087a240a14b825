"""Cap table: holders × share classes, integer share counts, and the issuance history.

A :class:`CapTable` holds

* **share classes** (:class:`ShareClass`): common and each series of preferred,
  with its original issue price (OIP), liquidation preference multiple,
  participation (none / full / capped) and seniority rank;
* **holdings**: an integer number of issued shares per (holder, class);
* **options**: granted options (on common) per holder, and the **unissued
  pool** (shares reserved under the equity plan and not yet granted);
* **history**: every issuance (:class:`Issuance`) in order — month, holder,
  class, shares, price, instrument, cash invested and the month it was paid.

Ownership
---------
Fully diluted shares count everything that can become common stock::

    FD = Σ issued shares + Σ granted options + unissued pool

    ownership_h = (issued_h + options_h) / FD,   ownership_pool = pool / FD

computed with :class:`fractions.Fraction`, so Σ ownership = 1 exactly.

Prices per share are exact rationals by default; a table with ``price_decimals``
(4 matches term sheets and the YC safe user guide) rounds every round price,
conversion price and liquidity price half up to that many decimals *before*
share counts are computed from it (:meth:`CapTable.rounded_price`). Warrants
are issued as holdings (instrument ``"warrant"``) and so count as issued.

Share counts are integers; every computed count is truncated (floored), as the
closing documents do ("no fractional shares shall be issued" — NVCA model
certificate of incorporation; YC SAFE §1(a) issues "the number of shares equal
to the Purchase Amount divided by the Conversion Price", rounded down by the
company's counsel in practice).

API style
---------
**Immutable.** A ``CapTable`` is a frozen dataclass; every method that changes
it (``issue``, ``grant_options``, ``return_options``, ``exercise_options``,
``top_up_pool``, ``with_class``) returns a *new* table and leaves the original
unchanged, so the table before and after a round can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

import numpy as np

__all__ = ["POOL", "CapTable", "Issuance", "Participation", "ShareClass"]

Participation = Literal["none", "full", "capped"]
POOL = "unissued pool"
"""Key of the unissued option pool in :meth:`CapTable.ownership`."""

Number = int | float | Fraction


def as_fraction(x: Number, name: str) -> Fraction:
    """Exact rational value of ``x``.

    A float is read as the shortest decimal that prints as it (``0.15`` → 3/20),
    which is what a user typing 0.15 means; ints and Fractions are exact.
    """
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction, np.integer, np.floating)):
        raise TypeError(f"{name}(={x!r}) must be a number")
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise ValueError(f"{name}(={x}) must be finite")
        return Fraction(repr(float(x)))
    return Fraction(int(x)) if isinstance(x, np.integer) else Fraction(x)


def _count(x: int, name: str, *, positive: bool = False) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"{name}(={x!r}) must be an integer number of shares")
    if x < 0 or (positive and x == 0):
        raise ValueError(f"{name}(={x}) must be {'> 0' if positive else '>= 0'}")
    return x


@dataclass(frozen=True)
class ShareClass:
    """One class (series) of stock.

    Parameters
    ----------
    name : str
        "Common", "Series Seed", "Series A", "Series A-1" (a shadow series) ...
    original_issue_price : Fraction
        OIP, USD per share: the price the series was sold at (for a shadow
        series created by a SAFE or note conversion, its conversion price — YC
        post-money SAFE, definition of "Safe Preferred Stock").
    liquidation_multiple : Fraction
        Preference per share = multiple × OIP (1x is standard; NVCA term sheet).
    participation : {"none", "full", "capped"}
        Non-participating (greater of preference or as-converted), fully
        participating (preference, then shares as-converted), or participating
        up to a cap.
    participation_cap : Fraction or None
        For ``"capped"``: total return per share, preference included, as a
        multiple of OIP (e.g. 3 for "3x cap"; NVCA term sheet, "Liquidation
        Preference" alternative 3).
    seniority : int
        Rank in the liquidation stack: a higher rank is paid first; equal
        ranks are pari passu. Common is rank 0.
    common : bool
        True for common stock (no preference; options are on common).
    """

    name: str
    original_issue_price: Fraction = Fraction(0)
    liquidation_multiple: Fraction = Fraction(1)
    participation: Participation = "none"
    participation_cap: Fraction | None = None
    seniority: int = 1
    common: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name(={self.name!r}) must be a non-empty string")
        oip = as_fraction(self.original_issue_price, "original_issue_price")
        mult = as_fraction(self.liquidation_multiple, "liquidation_multiple")
        if oip < 0:
            raise ValueError(f"original_issue_price(={self.original_issue_price}) must be >= 0")
        if mult < 0:
            raise ValueError(f"liquidation_multiple(={self.liquidation_multiple}) must be >= 0")
        if self.participation not in ("none", "full", "capped"):
            raise ValueError(f"participation(={self.participation!r}) must be 'none', 'full' or 'capped'")
        cap = self.participation_cap
        if self.participation == "capped":
            if cap is None:
                raise ValueError("participation_cap(=None) is required for capped participation")
            cap = as_fraction(cap, "participation_cap")
            if cap < mult:
                raise ValueError(
                    f"participation_cap(={self.participation_cap}) must be >= liquidation_multiple(={mult})"
                )
        elif cap is not None:
            raise ValueError(f"participation_cap(={cap}) is only used with participation='capped'")
        if not isinstance(self.seniority, int) or self.seniority < 0:
            raise ValueError(f"seniority(={self.seniority!r}) must be an integer >= 0")
        if self.common and self.seniority != 0:
            raise ValueError(f"seniority(={self.seniority}) of common stock must be 0")
        object.__setattr__(self, "original_issue_price", oip)
        object.__setattr__(self, "liquidation_multiple", Fraction(0) if self.common else mult)
        object.__setattr__(self, "participation_cap", cap)

    @property
    def preference_per_share(self) -> Fraction:
        """Liquidation preference per share, USD = multiple × OIP (0 for common)."""
        return Fraction(0) if self.common else self.liquidation_multiple * self.original_issue_price

    @property
    def cap_per_share(self) -> Fraction | None:
        """Total capped return per share, USD = cap multiple × OIP (capped participation only)."""
        if self.participation_cap is None:
            return None
        return self.participation_cap * self.original_issue_price


@dataclass(frozen=True)
class Issuance:
    """One line of the issuance history.

    ``shares`` is negative for options returned to the pool. ``invested`` is the
    cash the holder paid for it (USD) and ``cash_month`` the month it was paid:
    for a SAFE or note conversion the cash came when the SAFE/note was bought,
    before the round (``month``) that issued the shares.
    """

    month: int
    holder: str
    share_class: str
    shares: int
    price: Fraction
    instrument: str
    invested: Fraction = Fraction(0)
    cash_month: int | None = None


@dataclass(frozen=True)
class CapTable:
    """Holders × classes with integer share counts; immutable (methods return new tables).

    Build one with :meth:`CapTable.incorporate`; read it with
    :meth:`ownership`, :meth:`fully_diluted_shares`, :meth:`shares_held`,
    :meth:`to_frame`.
    """

    classes: tuple[ShareClass, ...]
    holdings: Mapping[tuple[str, str], int] = field(default_factory=dict)
    options: Mapping[str, int] = field(default_factory=dict)
    pool: int = 0
    history: tuple[Issuance, ...] = ()
    price_decimals: int | None = None

    def __post_init__(self):
        d = self.price_decimals
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 12):
            raise ValueError(f"price_decimals(={d!r}) must be None (exact prices) or an integer in [0, 12]")
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"share class names(={names}) must differ")
        if sum(c.common for c in self.classes) != 1:
            raise ValueError(f"exactly one common class is required; got {[c.name for c in self.classes if c.common]}")
        for (holder, cls), n in self.holdings.items():
            if cls not in names:
                raise ValueError(f"holding of {holder!r} is in unknown class {cls!r}")
            _count(n, f"shares of {holder!r} in {cls!r}")
        for holder, n in self.options.items():
            _count(n, f"options of {holder!r}")
        _count(self.pool, "pool")
        object.__setattr__(self, "holdings", MappingProxyType({k: v for k, v in self.holdings.items() if v}))
        object.__setattr__(self, "options", MappingProxyType({k: v for k, v in self.options.items() if v}))

    # ------------------------------------------------------------------ build
    @classmethod
    def incorporate(
        cls,
        founders: Mapping[str, int],
        *,
        pool: int = 0,
        month: int = 0,
        price: Number = 0,
        common_class: str = "Common",
        price_decimals: int | None = None,
    ) -> CapTable:
        """A new company: founders' common shares and an unissued option pool.

        ``price`` is what the founders pay per share (USD; usually a nominal
        par value, 0 by default). ``price_decimals`` is the table's price
        convention (:meth:`rounded_price`): None keeps exact prices, 4 rounds
        every round and conversion price to $0.0001 as term sheets print them.
        """
        if not founders:
            raise ValueError("founders(={}) must name at least one holder")
        price = as_fraction(price, "price")
        common = ShareClass(common_class, original_issue_price=price, seniority=0, common=True)
        table = cls(classes=(common,), pool=_count(pool, "pool"), price_decimals=price_decimals)
        for holder, n in founders.items():
            table = table.issue(holder, common_class, n, price=price, month=month, instrument="founder")
        if pool:
            table = table._record(Issuance(month, POOL, common_class, pool, Fraction(0), "pool reserve"))
        return table

    def _record(self, issuance: Issuance, **changes) -> CapTable:
        return replace(self, history=self.history + (issuance,), **changes)

    def with_class(self, share_class: ShareClass) -> CapTable:
        """Add a share class (a new table); adding an identical class again is a no-op."""
        for c in self.classes:
            if c.name == share_class.name:
                if c != share_class:
                    raise ValueError(f"class {share_class.name!r} already exists with other terms: {c}")
                return self
        if share_class.common:
            raise ValueError(f"class {share_class.name!r}: the table already has a common class")
        return replace(self, classes=self.classes + (share_class,))

    def issue(
        self,
        holder: str,
        share_class: str,
        shares: int,
        *,
        price: Number,
        month: int,
        instrument: str,
        invested: Number | None = None,
        cash_month: int | None = None,
    ) -> CapTable:
        """Issue ``shares`` of ``share_class`` to ``holder`` at ``price`` USD/share.

        ``invested`` defaults to shares × price (cash paid in ``month``).
        """
        self.share_class(share_class)
        _count(shares, "shares", positive=True)
        price = as_fraction(price, "price")
        if price < 0:
            raise ValueError(f"price(={price}) must be >= 0")
        invested = shares * price if invested is None else as_fraction(invested, "invested")
        holdings = dict(self.holdings)
        holdings[(holder, share_class)] = holdings.get((holder, share_class), 0) + shares
        return self._record(
            Issuance(
                month,
                holder,
                share_class,
                shares,
                price,
                instrument,
                invested,
                month if cash_month is None else cash_month,
            ),
            holdings=holdings,
        )

    def grant_options(self, holder: str, shares: int, *, month: int, strike: Number = 0) -> CapTable:
        """Grant options on common from the unissued pool (pool − shares, holder + shares)."""
        _count(shares, "shares", positive=True)
        if shares > self.pool:
            raise ValueError(f"shares(={shares}) exceeds the unissued pool(={self.pool})")
        options = dict(self.options)
        options[holder] = options.get(holder, 0) + shares
        return self._record(
            Issuance(month, holder, self.common_class.name, shares, as_fraction(strike, "strike"), "option grant"),
            options=options,
            pool=self.pool - shares,
        )

    def return_options(self, holder: str, shares: int, *, month: int) -> CapTable:
        """Forfeited or expired options go back to the unissued pool."""
        _count(shares, "shares", positive=True)
        held = self.options.get(holder, 0)
        if shares > held:
            raise ValueError(f"shares(={shares}) exceeds the options held by {holder!r}(={held})")
        options = dict(self.options)
        options[holder] = held - shares
        return self._record(
            Issuance(month, holder, self.common_class.name, -shares, Fraction(0), "option return"),
            options=options,
            pool=self.pool + shares,
        )

    def exercise_options(self, holder: str, shares: int, *, month: int, strike: Number = 0) -> CapTable:
        """Options become issued common shares; the strike paid counts as invested."""
        _count(shares, "shares", positive=True)
        held = self.options.get(holder, 0)
        if shares > held:
            raise ValueError(f"shares(={shares}) exceeds the options held by {holder!r}(={held})")
        options = dict(self.options)
        options[holder] = held - shares
        reduced = replace(self, options=options)
        return reduced.issue(holder, self.common_class.name, shares, price=strike, month=month, instrument="exercise")

    def top_up_pool(self, shares: int, *, month: int) -> CapTable:
        """Reserve ``shares`` more common for the equity plan (the pool grows)."""
        _count(shares, "shares")
        if shares == 0:
            return self
        return self._record(
            Issuance(month, POOL, self.common_class.name, shares, Fraction(0), "pool top-up"), pool=self.pool + shares
        )

    def pool_top_up_for(self, target: Number) -> int:
        """Shares to add so the unissued pool is ``target`` of fully diluted shares.

        Solves (pool + x) / (FD + x) = target:  x = (target·FD − pool) / (1 − target),
        floored and never negative.
        """
        t = as_fraction(target, "target")
        if not 0 <= t < 1:
            raise ValueError(f"target(={target}) must be in [0, 1)")
        x = (t * self.fully_diluted_shares - self.pool) / (1 - t)
        return max(0, x.__floor__())

    def rounded_price(self, price: Fraction) -> Fraction:
        """A price per share under the table's convention: exact, or rounded half up to ``price_decimals``.

        Term sheets and cap-table tools state the price per share to four decimals and then compute
        share counts from the rounded price (YC Post-Money Safe User Guide, Appendix II, Example 1:
        $15M / 13,459,705 shares = $1.114437… is printed and used as $1.1144). With d decimals,
        round(p) = ⌊p·10ᵈ + ½⌋ / 10ᵈ.
        """
        if self.price_decimals is None:
            return price
        scale = 10**self.price_decimals
        return Fraction(math.floor(price * scale + Fraction(1, 2)), scale)

    # ------------------------------------------------------------------ read
    @property
    def common_class(self) -> ShareClass:
        """The common stock class (options are on it)."""
        return next(c for c in self.classes if c.common)

    def share_class(self, name: str) -> ShareClass:
        """The class called ``name``."""
        for c in self.classes:
            if c.name == name:
                return c
        raise KeyError(f"no share class {name!r}; classes are {[c.name for c in self.classes]}")

    @property
    def holders(self) -> tuple[str, ...]:
        """Holders of shares or options, in order of first appearance."""
        seen: dict[str, None] = {}
        for holder, _ in self.holdings:
            seen[holder] = None
        for holder in self.options:
            seen[holder] = None
        return tuple(seen)

    @property
    def issued_shares(self) -> int:
        """Σ issued shares over all classes (preferred counted as converted 1:1)."""
        return sum(self.holdings.values())

    @property
    def granted_options(self) -> int:
        """Σ options granted and outstanding."""
        return sum(self.options.values())

    @property
    def fully_diluted_shares(self) -> int:
        """FD = issued + granted options + unissued pool."""
        return self.issued_shares + self.granted_options + self.pool

    def class_shares(self, name: str) -> int:
        """Issued shares of one class."""
        self.share_class(name)
        return sum(n for (_, c), n in self.holdings.items() if c == name)

    def shares_held(self, holder: str, share_class: str | None = None) -> int:
        """Issued shares of ``holder`` (in one class, or all classes)."""
        return sum(n for (h, c), n in self.holdings.items() if h == holder and (share_class in (None, c)))

    def fully_diluted_held(self, holder: str) -> int:
        """Issued shares plus granted options of ``holder``."""
        return self.shares_held(holder) + self.options.get(holder, 0)

    def ownership(self, basis: Literal["fully_diluted", "issued"] = "fully_diluted") -> dict[str, Fraction]:
        """Fraction owned by each holder (and the unissued pool on a fully diluted basis); Σ = 1 exactly."""
        if basis == "fully_diluted":
            total = self.fully_diluted_shares
            held = {h: self.fully_diluted_held(h) for h in self.holders}
            if self.pool:
                held[POOL] = self.pool
        elif basis == "issued":
            total = self.issued_shares
            held = {h: self.shares_held(h) for h in self.holders if self.shares_held(h)}
        else:
            raise ValueError(f"basis(={basis!r}) must be 'fully_diluted' or 'issued'")
        if total == 0:
            raise ValueError("the table holds no shares")
        return {h: Fraction(n, total) for h, n in held.items()}

    def ownership_by_class(self) -> dict[str, Fraction]:
        """Fully diluted fraction of each class (options counted in common, pool separate); Σ = 1."""
        total = self.fully_diluted_shares
        out = {c.name: Fraction(self.class_shares(c.name), total) for c in self.classes}
        out[self.common_class.name] += Fraction(self.granted_options, total)
        if self.pool:
            out[POOL] = Fraction(self.pool, total)
        return out

    def invested(self) -> dict[str, Fraction]:
        """Cash each holder has paid for its shares (USD), from the history."""
        out: dict[str, Fraction] = {}
        for i in self.history:
            if i.invested:
                out[i.holder] = out.get(i.holder, Fraction(0)) + i.invested
        return out

    def to_frame(self):
        """A pandas DataFrame: holders × (classes, options), plus fully diluted shares and %."""
        import pandas as pd

        rows = []
        for h in self.holders:
            row = {c.name: self.shares_held(h, c.name) for c in self.classes}
            row["options"] = self.options.get(h, 0)
            rows.append(row)
        frame = pd.DataFrame(rows, index=list(self.holders), columns=[c.name for c in self.classes] + ["options"])
        if self.pool:
            frame.loc[POOL] = [0] * len(self.classes) + [0]
        frame["fully_diluted"] = frame.sum(axis=1)
        if self.pool:
            frame.loc[POOL, "fully_diluted"] = self.pool
        frame["ownership"] = frame["fully_diluted"] / self.fully_diluted_shares
        return frame
