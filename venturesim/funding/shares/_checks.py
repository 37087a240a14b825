"""Checks of the exact instruments' inputs: each returns the value (an exact Fraction, or an int month) or raises."""

from __future__ import annotations

from fractions import Fraction

from venturesim.funding.shares.cap_table import Number, as_fraction


def check_positive(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if v <= 0:
        raise ValueError(f"{name}(={x}) must be > 0")
    return v


def check_non_negative(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if v < 0:
        raise ValueError(f"{name}(={x}) must be >= 0")
    return v


def check_rate(x: Number, name: str) -> Fraction:
    v = as_fraction(x, name)
    if not 0 <= v < 1:
        raise ValueError(f"{name}(={x}) must be in [0, 1)")
    return v


def check_month(x: int, name: str = "month") -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise ValueError(f"{name}(={x!r}) must be an integer >= 0")
    return x
