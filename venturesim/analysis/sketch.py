"""Mergeable statistics for streaming runs: exact moments and a quantile sketch with a relative-error bound.

A streaming run (``simulate(..., keep="summary")``, :mod:`venturesim.analysis.streaming`) folds each chunk of paths
into these accumulators and drops the paths, so memory does not grow with the number of paths. Every accumulator
holds one statistic per *cell* (a month, a month × segment, or one cell for a per-path result) and merges in any
grouping of the paths.

Moments (:class:`Moments`)
    Count n, mean and M₂ = Σ(x − x̄)² of the finite values, in float64, merged with Chan, Golub and LeVeque's
    parallel update (Chan et al. 1979, "Updating formulae and a pairwise algorithm for computing sample
    variances"; the pairwise form of Welford's): for parts a and b with δ = x̄_b − x̄_a,

        n = n_a + n_b,   x̄ = x̄_a + δ n_b / n,   M₂ = M₂_a + M₂_b + δ² n_a n_b / n.

    The sample variance is s² = M₂/(n − 1) and the mean's Monte Carlo standard error s/√n. NaN, +∞ and −∞ are
    counted apart (``nan``, ``posinf``, ``neginf``), never averaged in. The mean equals ``np.mean`` of the same
    values to float64 rounding (≈ 1e-15 relative), and it is the same number for any chunk size when the paths are
    folded in the same fixed blocks (the engine's blocks of 4,096 paths) in path order.

Quantiles (:class:`QuantileSketch`)
    A fixed log-spaced histogram: the DDSketch mapping (Masson, Rim and Lee 2019, "DDSketch: a fast and fully-mergeable
    quantile sketch with relative-error guarantees", PVLDB 12(12)) on a fixed range, so the buckets are the same for
    every chunk and merging is adding counts (exact, order-free). With γ = (1 + α)/(1 − α), a value with
    x_min < |x| ≤ x_max falls in bucket i = ⌈log_γ(|x|/x_min)⌉ of its sign, covering (x_min γ^(i−1), x_min γ^i],
    whose representative x_min γ^i (1 − α) is within a relative α of every value in it. Values with |x| ≤ x_min
    share one zero bucket (represented by 0: absolute error ≤ x_min), ±∞ have a bucket each, NaN is counted apart.
    The counts are exact, so the rank of every order statistic is exact and only its value is rounded:

    * the ``inverted_cdf`` quantile (an order statistic) is within a relative α of the sample's;
    * the ``linear`` quantile (numpy's default: (1 − g) x₍ₖ₎ + g x₍ₖ₊₁₎) is within a relative α of the sample's when
      the two order statistics have the same sign (else within α max(|x₍ₖ₎|, |x₍ₖ₊₁₎|)).

    With ``bucket_means`` the sketch also sums each bucket's values (float64) and returns the mean of the values in
    the order statistic's bucket instead of the fixed representative: exact when a bucket's values are all equal
    (whole months, a fixed ownership after a round), and within γ − 1 = 2α/(1 − α) relative otherwise (the mean and
    the order statistic lie in the same bucket); the summary's rows use it with α/2, so their bound is 1.005 %.

    Defaults α = 1 %, x_min = 1e-9, x_max = 1e21 (validation keeps money within ±1e18; larger values land in the top
    bucket): 2 × 3,454 + 3 buckets, 27.6 kB a cell (uint32 counts: up to 4.29e9 paths). The default monthly metrics
    over 60 months are 300 cells, 8.3 MB, whatever the number of paths. DDSketch itself collapses buckets to bound
    its size on an unbounded range; a fixed range makes the sketch a plain array (numpy, vectorised over cells, no
    dependency) at a known size, which is why the ``ddsketch`` package is not used.
"""

from __future__ import annotations

import math

import numpy as np

RELATIVE_ERROR = 0.01
"""α: each quantile from a :class:`QuantileSketch` is within this relative error of the sample's (module docstring)."""
MIN_MAGNITUDE = 1e-9
"""|x| at or below this falls in the zero bucket (absolute error ≤ this)."""
MAX_MAGNITUDE = 1e21
"""|x| above this (finite) falls in the top bucket of its sign (no bound there; validation keeps money ≤ 1e18)."""


class Moments:
    """Count, mean and M₂ of the finite values per cell, with counts of NaN, +∞ and −∞ (module docstring).

    Parameters
    ----------
    cells : the shape of one path's values (``()`` for a per-path scalar, ``(months,)``, ``(months, segments)``).
    """

    def __init__(self, cells: tuple[int, ...] = ()) -> None:
        self.cells = tuple(cells)
        self.n = np.zeros(self.cells, np.int64)
        self.mean = np.zeros(self.cells, np.float64)
        self.m2 = np.zeros(self.cells, np.float64)
        self.nan = np.zeros(self.cells, np.int64)
        self.posinf = np.zeros(self.cells, np.int64)
        self.neginf = np.zeros(self.cells, np.int64)

    def add(self, values: np.ndarray) -> None:
        """Fold in (paths, *cells) values: each cell's moments of this batch (two-pass, float64), then merged."""
        x = np.asarray(values, np.float64).reshape((-1, *self.cells))
        finite = np.isfinite(x)
        self.nan += np.isnan(x).sum(axis=0)
        self.posinf += np.isposinf(x).sum(axis=0)
        self.neginf += np.isneginf(x).sum(axis=0)
        n = finite.sum(axis=0)
        z = np.where(finite, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, z.sum(axis=0) / n, 0.0)
        m2 = np.where(finite, (z - mean) ** 2, 0.0).sum(axis=0)
        self.merge_parts(n, mean, m2)

    def merge_parts(self, n: np.ndarray, mean: np.ndarray, m2: np.ndarray) -> None:
        """Chan et al.'s update with a part (n, mean, M₂) of the same cells."""
        total = self.n + n
        delta = mean - self.mean
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, n / np.maximum(total, 1), 0.0)
            self.m2 = self.m2 + m2 + delta**2 * self.n * share
        self.mean = self.mean + delta * share
        self.n = total

    def merge(self, other: Moments) -> None:
        """Fold another accumulator of the same cells into this one."""
        self.merge_parts(other.n, other.mean, other.m2)
        self.nan += other.nan
        self.posinf += other.posinf
        self.neginf += other.neginf

    def variance(self) -> np.ndarray:
        """Sample variance s² = M₂/(n − 1) of the finite values (NaN for n < 2)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, self.m2 / (self.n - 1), np.nan)

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, standard error s/√n) of the finite values per cell (NaN where there are none; SE NaN for n < 2)."""
        mean = np.where(self.n > 0, self.mean, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(self.variance() / self.n)
        return mean, se


class QuantileSketch:
    """A fixed log-spaced histogram per cell: quantiles within a relative error α (module docstring).

    Parameters
    ----------
    cells : the shape of one path's values (``()``, ``(months,)``, ``(months, segments)``).
    relative_error : α, 0 < α < 1.
    """

    def __init__(
        self, cells: tuple[int, ...] = (), relative_error: float = RELATIVE_ERROR, bucket_means: bool = False
    ) -> None:
        if not 0.0 < relative_error < 1.0:
            raise ValueError(f"relative_error(={relative_error}) must be between 0 and 1")
        self.cells = tuple(cells)
        self.alpha = float(relative_error)
        self.log_gamma = math.log((1.0 + self.alpha) / (1.0 - self.alpha))
        self.per_sign = math.ceil(math.log(MAX_MAGNITUDE / MIN_MAGNITUDE) / self.log_gamma)
        self.bins = 2 * self.per_sign + 3  # −∞ | negatives (most negative first) | zero | positives | +∞
        self.counts = np.zeros((math.prod(self.cells), self.bins), np.uint32)
        self.nan = np.zeros(self.cells, np.int64)
        self.sums = np.zeros(self.counts.shape, np.float64) if bucket_means else None

    @property
    def zero_bin(self) -> int:
        return self.per_sign + 1

    def representatives(self) -> np.ndarray:
        """Each bucket's value, (bins,): −∞, the negatives' representatives, 0, the positives', +∞."""
        positive = MIN_MAGNITUDE * np.exp(self.log_gamma * np.arange(self.per_sign)) * (1.0 - self.alpha)
        return np.concatenate([[-np.inf], -positive[::-1], [0.0], positive, [np.inf]])

    def index(self, x: np.ndarray) -> np.ndarray:
        """Bucket of each value (NaN's bucket: −1)."""
        x = np.asarray(x, np.float64)
        magnitude = np.abs(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            i = np.ceil(np.log(magnitude / MIN_MAGNITUDE) / self.log_gamma)
        i = np.clip(np.nan_to_num(i, nan=0.0, posinf=0.0, neginf=0.0), 0, self.per_sign - 1).astype(np.int64)
        bucket = np.where(x > 0, self.zero_bin + 1 + i, self.zero_bin - 1 - i)
        bucket = np.where(magnitude <= MIN_MAGNITUDE, self.zero_bin, bucket)
        bucket = np.where(np.isposinf(x), self.bins - 1, np.where(np.isneginf(x), 0, bucket))
        return np.where(np.isnan(x), -1, bucket)

    def add(self, values: np.ndarray) -> None:
        """Fold in (paths, *cells) values (counts are exact; any order or grouping gives the same sketch)."""
        x = np.asarray(values).reshape(-1, math.prod(self.cells))  # (paths, cells)
        bucket = self.index(x)
        missing = bucket < 0
        self.nan += missing.sum(axis=0).reshape(self.cells)
        flat = (bucket + np.arange(x.shape[1]) * self.bins)[~missing]
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape).astype(np.uint32)
        if self.sums is not None:
            finite = np.isfinite(x[~missing])
            self.sums += np.bincount(flat[finite], weights=x[~missing][finite], minlength=self.counts.size).reshape(
                self.counts.shape
            )

    def merge(self, other: QuantileSketch) -> None:
        """Add another sketch of the same cells and α."""
        self.counts += other.counts
        self.nan += other.nan
        if self.sums is not None and other.sums is not None:
            self.sums += other.sums

    @property
    def n(self) -> np.ndarray:
        """Values counted per cell (NaN left out)."""
        return self.counts.sum(axis=1, dtype=np.int64).reshape(self.cells)

    def order_statistic(self, rank: np.ndarray) -> np.ndarray:
        """The value of the 0-based order statistic ``rank`` per cell (within α of the sample's); NaN for no values."""
        cumulative = np.cumsum(self.counts, axis=1, dtype=np.int64)  # (cells, bins)
        rank = np.broadcast_to(np.asarray(rank, np.int64).reshape(-1), (len(cumulative),))
        bucket = np.argmax(cumulative > rank[:, None], axis=1)
        value = self.representatives()[bucket]
        if self.sums is not None:  # the mean of the bucket's finite values (±∞'s buckets keep ±∞)
            cell = np.arange(len(cumulative))
            count = self.counts[cell, bucket].astype(np.float64)
            inner = (bucket > 0) & (bucket < self.bins - 1) & (count > 0)
            value = np.where(inner, self.sums[cell, bucket] / np.maximum(count, 1.0), value)
        return np.where(cumulative[:, -1] > rank, value, np.nan).reshape(self.cells)

    def quantile(self, q: float, method: str = "linear") -> np.ndarray:
        """The q-quantile per cell as numpy computes it over the non-NaN values (``method`` ``"linear"`` or
        ``"inverted_cdf"``), within the relative error α (module docstring); NaN where a cell has no values."""
        n = self.n.reshape(-1)
        if method == "inverted_cdf":
            rank = np.maximum(np.ceil(n * q).astype(np.int64) - 1, 0)
            return self.order_statistic(rank)
        if method != "linear":
            raise ValueError(f"method(={method!r}) must be 'linear' or 'inverted_cdf'")
        h = (np.maximum(n, 1) - 1) * q
        low = np.floor(h).astype(np.int64)
        g = (h - low).reshape(self.cells)
        a = self.order_statistic(low)
        b = self.order_statistic(np.minimum(low + 1, np.maximum(n - 1, 0)))
        with np.errstate(invalid="ignore"):
            return np.where(a == b, a, a + g * (b - a))

    def quantile_se(self, q: float) -> np.ndarray:
        """The order-statistic standard error of the q-quantile (:func:`venturesim.analysis._stats.quantile`), from
        the sketch's order statistics at ranks nq ± 1.96 √(nq(1 − q)); NaN for n < 2 or an infinite bound."""
        from venturesim.analysis._stats import Z975

        n = self.n.reshape(-1)
        half = Z975 * np.sqrt(n * q * (1.0 - q))
        top = np.maximum(n - 1, 0)
        lo = self.order_statistic(np.clip(np.floor(n * q - half), 0, top).astype(np.int64)).reshape(-1)
        hi = self.order_statistic(np.clip(np.ceil(n * q + half), 0, top).astype(np.int64)).reshape(-1)
        with np.errstate(invalid="ignore"):
            se = np.where((n > 1) & np.isfinite(lo) & np.isfinite(hi), (hi - lo) / (2.0 * Z975), np.nan)
        return se.reshape(self.cells)

    def any_infinite(self) -> np.ndarray:
        """Per cell: some value is ±∞ (the summary then uses ``inverted_cdf``, as :mod:`venturesim.analysis._stats`)."""
        return ((self.counts[:, 0] > 0) | (self.counts[:, -1] > 0)).reshape(self.cells)
