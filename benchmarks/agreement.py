"""The statistical agreement of two Monte Carlo runs of the same company (``benchmarks/engine.py``: the JAX
engine against the discrete-event engine, and, for information, against the NumPy baseline)."""

from __future__ import annotations

import numpy as np


def compare_runs(
    a_alive: np.ndarray,
    a_arr: np.ndarray,
    b_alive: np.ndarray,
    b_arr: np.ndarray,
    checkpoints=(12, 24, 36),
    z_max: float = 4.0,
) -> list[dict]:
    """Statistical agreement of two runs a and b (arrays (months, paths), month m at index m − 1), each row
    ``{"check", "a", "b", "z", "pass"}``.

    Survival at each checkpoint: two-proportion z-test with the pooled
    proportion, z = (p₁ − p₂)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)), pass when |z| < z_max.
    Median ARR at the last checkpoint (all paths, dead ones at 0): the
    difference of medians over its standard error, SE² = Σ 1/(4 n f(m)²) with
    f the density at the median estimated from the quantiles m ± 0.05;
    pass when |z| < z_max (if both medians are 0 the check passes trivially).
    """
    rows = []
    n1, n2 = a_alive.shape[1], b_alive.shape[1]
    for m in checkpoints:
        p1, p2 = a_alive[m - 1].mean(), b_alive[m - 1].mean()
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se if se > 0 else 0.0
        rows.append({"check": f"survival at month {m}", "a": p1, "b": p2, "z": z, "pass": abs(z) < z_max})
    for m in checkpoints:
        a, b = a_arr[m - 1].astype(np.float64), b_arr[m - 1].astype(np.float64)
        ma, mb = np.median(a), np.median(b)
        var = 0.0
        for x in (a, b):
            lo, hi = np.quantile(x, [0.45, 0.55])
            density = 0.1 / (hi - lo) if hi > lo else np.inf
            var += 1.0 / (4 * len(x) * density**2)
        se = np.sqrt(var)
        z = (ma - mb) / se if se > 0 else (0.0 if ma == mb else np.inf)
        rows.append({"check": f"median ARR at month {m}", "a": ma, "b": mb, "z": z, "pass": abs(z) < z_max})
    return rows
