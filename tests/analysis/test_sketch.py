"""The mergeable accumulators of streaming runs: exact moments, and quantiles within the sketch's stated bound."""

import numpy as np
import pytest

from venturesim.analysis.sketch import MIN_MAGNITUDE, Moments, QuantileSketch


@pytest.fixture(scope="module")
def values():
    """(20,000, 3): lognormal money of both signs, with NaN, +∞ and exact zeros in some cells."""
    rng = np.random.default_rng(7)
    x = rng.lognormal(10.0, 2.0, (20_000, 3)) * np.where(rng.random((20_000, 3)) < 0.3, -1.0, 1.0)
    x[:50, 0] = np.nan
    x[:300, 1] = np.inf
    x[:400, 2] = 0.0
    return x


def test_moments_match_numpy_over_the_finite_values_in_any_grouping(values):
    whole, parts = Moments((3,)), Moments((3,))
    whole.add(values)
    for lo in range(0, len(values), 4096):
        parts.add(values[lo : lo + 4096])
    finite = np.where(np.isfinite(values), values, np.nan)
    mean, se = parts.values()
    np.testing.assert_allclose(mean, np.nanmean(finite, axis=0), rtol=1e-12)
    n = np.isfinite(values).sum(axis=0)
    np.testing.assert_allclose(se, np.nanstd(finite, axis=0, ddof=1) / np.sqrt(n), rtol=1e-10)
    np.testing.assert_allclose(whole.values()[0], mean, rtol=1e-12)
    assert parts.nan.tolist() == [50, 0, 0] and parts.posinf.tolist() == [0, 300, 0]
    assert parts.n.tolist() == n.tolist()


@pytest.mark.parametrize("q", [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
@pytest.mark.parametrize("method", ["linear", "inverted_cdf"])
def test_quantiles_within_the_relative_error(values, q, method):
    sketch = QuantileSketch((3,), relative_error=0.01)
    sketch.add(values)
    exact = np.nanquantile(values, q, axis=0, method=method)
    got = sketch.quantile(q, method)
    assert np.all(np.abs(got - exact) <= 0.01 * np.abs(exact) + MIN_MAGNITUDE)


def test_merging_is_adding_counts_in_any_order(values):
    a, b, c = (QuantileSketch((3,)) for _ in range(3))
    a.add(values)
    b.add(values[12_000:])
    part = QuantileSketch((3,))
    part.add(values[:12_000])
    b.merge(part)
    for lo in range(0, len(values), 1000):
        c.add(values[lo : lo + 1000][::-1])
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.counts, c.counts)
    assert a.nan.tolist() == [50, 0, 0]


def test_bucket_means_are_exact_on_lumpy_values():
    """Whole months and a fixed ownership: each bucket's values are equal, so its mean is the order statistic."""
    months = np.repeat(np.arange(1.0, 61.0), 37)
    sketch = QuantileSketch((), relative_error=0.005, bucket_means=True)
    sketch.add(months)
    for q in (0.1, 0.5, 0.9):
        assert sketch.quantile(q) == np.quantile(months, q)
    plain = QuantileSketch(())
    plain.add(months)
    assert plain.quantile(0.5) != np.quantile(months, 0.5)  # the fixed representative rounds it


def test_empty_cells_are_nan():
    sketch = QuantileSketch((2,))
    sketch.add(np.array([[1.0, np.nan], [2.0, np.nan]]))
    assert np.isnan(sketch.quantile(0.5)[1]) and sketch.quantile(0.5)[0] == pytest.approx(1.5, rel=0.01)
    assert sketch.n.tolist() == [2, 0]
