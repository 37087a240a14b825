"""Shared by the two JAX-vs-DES agreement test files of tests/market."""

from __future__ import annotations

import numpy as np


def z_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(x̄_a − x̄_b)/√(se_a² + se_b²) over the path axis 0; 0 where both samples are the same constant."""
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    diff = a.mean(axis=0) - b.mean(axis=0)
    return np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.where(diff == 0, 0.0, np.inf))
