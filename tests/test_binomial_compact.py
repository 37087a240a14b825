"""The compacted binomial (:mod:`venturesim._binomial_compact`) returns, bit for bit, what
:func:`venturesim._jax_random.binomial` returns — on every regime of ``tests/test_binomial_early_stop.py``, on
shapes that are not a whole number of tiles, with buffers small enough that several rounds run, and through
:func:`~venturesim._binomial_compact.binomials` (several arrays in one call)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.test_binomial_early_stop import CASES
from venturesim._binomial_compact import binomial_compact, binomials
from venturesim._jax_random import binomial

plain = jax.jit(binomial)
compact = jax.jit(binomial_compact, static_argnames="buffer")


def _f32(*arrays):
    return [jnp.asarray(a, jnp.float32) for a in arrays]


@pytest.mark.parametrize("buffer", [None, 1])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_compacted_counts_are_the_samplers(case, buffer):
    """Every regime, on (4,096,) counts: the default buffer (one round) and one tile per round (many)."""
    u, n, p = _f32(*case[1:])
    np.testing.assert_array_equal(np.asarray(compact(u, n, p, buffer=buffer)), np.asarray(plain(u, n, p)))


def test_a_block_of_cohorts_with_a_few_hard_counts():
    """(64, 3, 61) cells, most empty, a few with u just below 1 (all 64 terms), broadcast p; 3 × 61 × 64 is
    not a multiple of the tile, so the padding is exercised."""
    rng = np.random.default_rng(5)
    shape = (64, 3, 61)
    u = rng.uniform(size=shape)
    u.flat[::997] = 1.0 - 2.0**-24
    n = np.where(rng.uniform(size=shape) < 0.7, 0.0, np.floor(np.exp(rng.uniform(0.0, np.log(300.0), shape))))
    p = rng.uniform(0.0, 0.2, (64, 3, 1))
    want = np.asarray(plain(*_f32(u, n, p)))
    for buffer in (None, 2):
        got = np.asarray(compact(*_f32(u, n, p), buffer=buffer))
        assert got.shape == shape
        np.testing.assert_array_equal(got, want)


def test_several_arrays_in_one_call():
    rng = np.random.default_rng(8)
    a = (rng.uniform(size=(5, 7)), rng.integers(0, 50, (5, 7)), rng.uniform(0.0, 0.5, (5, 1)))
    b = (rng.uniform(size=(3, 4, 2)), rng.integers(0, 900, (3, 4, 2)), 0.03)
    got = jax.jit(lambda a, b: binomials(a, b))(tuple(_f32(*a)), tuple(_f32(*b)))
    for g, d in zip(got, (a, b), strict=True):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(plain(*_f32(*d))))


def test_counts_settled_before_any_term_are_zero_and_the_rest_the_samplers():
    """A count whose u lies at or below P(0) = (1 − p)^n is 0 without a term, and takes none (the buffer gets only
    the tiles with another count): a block where most counts are such (small churn on small cohorts, as a month's
    by-age churn is) and a few need many terms, checked by hand and against the sampler with a buffer of 1 tile."""
    rng = np.random.default_rng(11)
    shape = (4096,)
    n = rng.integers(0, 6, shape).astype(np.float64)
    p = np.full(shape, 0.03)
    p0 = (1.0 - p) ** n
    u = rng.uniform(size=shape) * p0  # u ≤ P(0): every count is 0
    hard = np.arange(0, 4096, 509)  # a few counts far out in their tail instead
    n[hard], u[hard] = 200.0, 1.0 - 2.0**-20
    want = np.asarray(plain(*_f32(u, n, p)))
    settled = np.setdiff1d(np.arange(4096), hard)
    assert np.all(want[settled] == 0.0) and np.all(want[hard] > 12.0)  # mean 6: the tail needs > 2 groups
    for buffer in (None, 1):
        np.testing.assert_array_equal(np.asarray(compact(*_f32(u, n, p), buffer=buffer)), want)
