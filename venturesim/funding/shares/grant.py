"""Grants: non-dilutive money paid in milestone tranches, exactly.

The engines' grants (one month, awarded with a probability) are :mod:`venturesim.funding.debt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from venturesim.funding.shares._checks import check_month, check_positive

__all__ = ["GrantTranche", "MilestoneGrant"]


@dataclass(frozen=True)
class GrantTranche:
    """One tranche of a grant: paid in the month its milestone is met (not before ``earliest_month``)."""

    milestone: str
    amount: Fraction
    earliest_month: int = 0

    def __post_init__(self):
        object.__setattr__(self, "amount", check_positive(self.amount, "amount"))
        check_month(self.earliest_month, "earliest_month")


@dataclass(frozen=True)
class MilestoneGrant:
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
                out.append((max(check_month(milestone_months[t.milestone]), t.earliest_month), t.amount))
        return sorted(out)
