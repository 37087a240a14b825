"""SAFEs (simple agreements for future equity): the YC post-money (2018) and pre-money (2013) forms, and MFN.

How a SAFE converts at a priced round is :func:`venturesim.funding.shares.priced.apply_round`; what it gets
at a liquidity event is :mod:`venturesim.funding.shares.waterfall`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from venturesim.funding.shares._checks import check_month, check_positive, check_rate

__all__ = ["PostMoneySafe", "PreMoneySafe", "Safe", "apply_mfn"]


@dataclass(frozen=True)
class Safe:
    """What both SAFE forms share (use :class:`PostMoneySafe` or :class:`PreMoneySafe`)."""

    investor: str
    purchase_amount: Fraction
    valuation_cap: Fraction | None = None
    discount: Fraction = Fraction(0)
    mfn: bool = False
    pro_rata: bool = False
    month: int = 0

    def __post_init__(self):
        object.__setattr__(self, "purchase_amount", check_positive(self.purchase_amount, "purchase_amount"))
        if self.valuation_cap is not None:
            object.__setattr__(self, "valuation_cap", check_positive(self.valuation_cap, "valuation_cap"))
        object.__setattr__(self, "discount", check_rate(self.discount, "discount"))
        check_month(self.month)

    @property
    def discount_rate(self) -> Fraction:
        """YC "Discount Rate" = 1 − discount: the discount price is round price × this."""
        return 1 - self.discount


@dataclass(frozen=True)
class PostMoneySafe(Safe):
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
class PreMoneySafe(Safe):
    """YC pre-money SAFE (2013 form): cap price = Cap / Company Capitalization, which excludes SAFEs and notes.

    Same parameters as :class:`PostMoneySafe`; ``valuation_cap`` is a pre-money
    cap, so the SAFE holder is diluted by every other SAFE, the notes and the
    pool increase of the round (all enter the round's capitalization, none
    its own).
    """


def apply_mfn(safes: Sequence[Safe]) -> list[Safe]:
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

        def key(x: Safe):
            return (math.inf if x.valuation_cap is None else x.valuation_cap, -x.discount)

        later = [x for x in safes if type(x) is type(s) and x.month > s.month and x is not s]
        best = min(later, key=key, default=None)
        if best is not None and key(best) < key(s):
            out.append(replace(s, valuation_cap=best.valuation_cap, discount=best.discount))
        else:
            out.append(s)
    return out
