"""A venture loan, exactly: interest-only months, amortisation, warrants and a minimum-cash covenant.

The engines run the same schedule on arrays, every path and facility at once (:mod:`venturesim.funding.debt`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from venturesim.funding.shares._checks import check_month, check_non_negative, check_positive
from venturesim.funding.shares.cap_table import CapTable, Number, as_fraction

__all__ = ["CovenantBreach", "DebtPayment", "VentureLoan"]


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
class VentureLoan:
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
        object.__setattr__(self, "principal", check_positive(self.principal, "principal"))
        object.__setattr__(self, "annual_rate", check_non_negative(self.annual_rate, "annual_rate"))
        check_month(self.month)
        check_month(self.interest_only_months, "interest_only_months")
        if check_month(self.amortization_months, "amortization_months") == 0:
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
        return math.floor(self.warrant_coverage * self.principal / check_positive(price, "price"))

    def issue_warrants(
        self, cap_table: CapTable, *, price: Number, month: int, share_class: str | None = None
    ) -> CapTable:
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
