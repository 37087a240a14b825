"""Convertible notes: principal plus interest (simple or compounded monthly), converting at a cap or discount.

How a note converts at a priced round is :func:`venturesim.funding.shares.priced.apply_round`; what it gets
at a change of control is :mod:`venturesim.funding.shares.waterfall`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from venturesim.funding.shares._checks import check_month, check_non_negative, check_positive, check_rate
from venturesim.funding.shares.cap_table import as_fraction

__all__ = ["ConvertibleNote"]


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
        object.__setattr__(self, "principal", check_positive(self.principal, "principal"))
        object.__setattr__(self, "annual_rate", check_non_negative(self.annual_rate, "annual_rate"))
        check_month(self.month)
        check_month(self.maturity_months, "maturity_months")
        if self.valuation_cap is not None:
            object.__setattr__(self, "valuation_cap", check_positive(self.valuation_cap, "valuation_cap"))
        object.__setattr__(self, "discount", check_rate(self.discount, "discount"))
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
        m = check_month(month) - self.month
        if m < 0:
            raise ValueError(f"month(={month}) is before the note was issued (month {self.month})")
        if self.interest == "simple":
            return self.principal * (1 + self.annual_rate * m / 12)
        return self.principal * (1 + self.annual_rate / 12) ** m

    def accrued_interest(self, month: int) -> Fraction:
        return self.amount_due(month) - self.principal
