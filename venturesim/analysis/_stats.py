"""Monte Carlo estimates with their standard errors.

* Proportion p̂ of n paths: SE = √(p̂(1 − p̂)/n).
* Mean: SE = s/√n.
* Quantile q: distribution-free, from order statistics. The rank of the
  sample q-quantile is Binomial(n, q), so the ranks nq ± 1.96√(nq(1 − q))
  bracket a 95 % interval [x₍ₗ₎, x₍ᵤ₎] and SE ≈ (x₍ᵤ₎ − x₍ₗ₎)/(2 · 1.96)
  (Conover, *Practical Nonparametric Statistics*, §3.2). This needs no
  density estimate and stays honest for skewed, lumpy outcomes such as cash.
"""

from __future__ import annotations

import numpy as np

Z975 = 1.959963984540054
QUANTILES = (0.1, 0.5, 0.9)
"""The quantiles every summary table and chart reports: p10/p50/p90 (:mod:`venturesim.analysis.summary`)."""
FAN_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
"""The one quantile convention of fans and quantile tables (charts, ``Result.quantiles``, ``cheque_returns``, a
streaming summary): p10–p90 outer band, p25–p75 inner band, the median; :data:`QUANTILES` and the quartiles."""
RUNWAY_CAP_MONTHS = 120
"""A runway longer than this (+∞ included: cash-flow positive) reads "more than 10 years" in the headline and
``"> 10 years"`` in the tables (:func:`venturesim.report.html.format_number`): a ratio of cash to one month's
burn that far out is no plan's horizon, and its digits (454.68 months) mean nothing."""
RUNWAY_CAPPED = "> 10 years"


def proportion(flags: np.ndarray) -> tuple[float, float]:
    """Share of True values and its binomial standard error."""
    n = flags.size
    if n == 0:
        return float("nan"), float("nan")
    p = float(np.mean(flags))
    return p, float(np.sqrt(p * (1.0 - p) / n))


def mean(values: np.ndarray) -> tuple[float, float]:
    """Sample mean and its standard error (NaN for fewer than two values)."""
    values = np.asarray(values, np.float64)
    if values.size < 2:
        return (float(values.mean()) if values.size else float("nan")), float("nan")
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size))


def quantile(values: np.ndarray, q: float) -> tuple[float, float]:
    """Sample quantile (linear interpolation) and its order-statistic standard error."""
    x = np.sort(np.asarray(values, np.float64))
    n = x.size
    if n == 0:
        return float("nan"), float("nan")
    # Among infinite values (runway of profitable paths) use the order statistic itself.
    value = float(np.quantile(x, q, method="linear" if np.isfinite(x).all() else "inverted_cdf"))
    half = Z975 * np.sqrt(n * q * (1.0 - q))
    lo = x[int(np.clip(np.floor(n * q - half), 0, n - 1))]
    hi = x[int(np.clip(np.ceil(n * q + half), 0, n - 1))]
    finite = n > 1 and np.isfinite(hi) and np.isfinite(lo)
    return value, float((hi - lo) / (2.0 * Z975)) if finite else float("nan")
