"""The binomial sampler of the monthly kernels: exact inversion for small means, normal approximation for large."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from venturesim._jax_random import SMALL_MEAN, binomial, fold_in, uniforms

N = 200_000
jit_binomial = jax.jit(binomial)  # one compilation per shape (eager fori_loop would retrace every call)


@pytest.fixture(scope="module")
def uz():
    u = uniforms(jax.random.key(2024), 3, (N,))
    assert u.dtype == jnp.float32 and u.shape == (N,)
    return u


def test_uniforms_are_jax_random_uniform_with_both_words_of_each_hash():
    """``uniforms`` hashes half as many counters as ``jax.random.uniform`` does by default: its values are that
    function's under ``jax.threefry_partitionable(False)`` (odd and even sizes, several dimensions), in [0, 1),
    and uniform (Kolmogorov-Smirnov on N draws, and the two halves' words uncorrelated)."""
    key = jax.random.key(7)
    for shape in [(5,), (2, 3, 4), (4096, 3)]:
        with jax.threefry_partitionable(False):
            expected = np.asarray(jax.random.uniform(jax.random.fold_in(key, 11), shape))
        np.testing.assert_array_equal(np.asarray(jax.jit(uniforms, static_argnums=(1, 2))(key, 11, shape)), expected)
    u = np.asarray(uniforms(key, 12, (N,)), np.float64)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[: N // 2], u[N // 2 :])[0, 1]) < 4 / np.sqrt(N / 2)  # the two words of each hash


def test_fold_in_is_jax_random_fold_in():
    """The kernel's and the inputs' ``fold_in`` (the hash unrolled) gives ``jax.random.fold_in``'s keys bit for bit:
    one key and one number, one key and a path index per path (``spec.sampling.path_keys``), a key per path and
    one stream (``_standard_normals``), and under ``jax.jit``."""
    key = jax.random.key(42)
    index = jnp.arange(1_000, dtype=jnp.uint32)
    keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(index)
    cases = [
        (fold_in(key, 7), jax.random.fold_in(key, 7)),
        (fold_in(key, 2**31 + 5), jax.random.fold_in(key, 2**31 + 5)),
        (fold_in(key, index), keys),
        (fold_in(keys, 3), jax.vmap(lambda k: jax.random.fold_in(k, 3))(keys)),
        (jax.jit(fold_in)(key, jnp.uint32(9)), jax.random.fold_in(key, 9)),
    ]
    for ours, theirs in cases:
        np.testing.assert_array_equal(jax.random.key_data(ours), jax.random.key_data(theirs))


def test_another_generators_keys_draw_with_jax_random():
    """A key of JAX's ``rbg`` generator (``JAX_DEFAULT_PRNG_IMPL=rbg``) is folded and drawn by ``jax.random``
    itself: the same keys and uniforms, not Threefry's hash of its first two words."""
    key = jax.random.key(5, impl="rbg")
    np.testing.assert_array_equal(jax.random.key_data(fold_in(key, 3)), jax.random.key_data(jax.random.fold_in(key, 3)))
    np.testing.assert_array_equal(
        np.asarray(uniforms(key, 3, (4, 5))), np.asarray(jax.random.uniform(jax.random.fold_in(key, 3), (4, 5)))
    )


def sample(uz, n, p):
    u = uz
    x = jit_binomial(u, jnp.full(u.shape, n, jnp.float32), jnp.full(u.shape, p, jnp.float32))
    x = np.asarray(x, np.float64)
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= n
    return x


def chi_square_p(x, n, p):
    """Chi-square goodness of fit to Binomial(n, p), pooling cells with expected count < 5."""
    pmf = stats.binom.pmf(np.arange(n + 1), n, p)
    observed = np.bincount(x.astype(int), minlength=n + 1).astype(float)
    expected = pmf * len(x)
    obs_cells, exp_cells, o, e = [], [], 0.0, 0.0
    for k in range(n + 1):
        o, e = o + observed[k], e + expected[k]
        if e >= 5:
            obs_cells.append(o), exp_cells.append(e)
            o, e = 0.0, 0.0
    obs_cells[-1] += o
    exp_cells[-1] += e
    obs_cells, exp_cells = np.array(obs_cells), np.array(exp_cells)
    statistic = ((obs_cells - exp_cells) ** 2 / exp_cells).sum()
    return stats.chi2.sf(statistic, len(obs_cells) - 1)


@pytest.mark.parametrize("n, p", [(20, 0.3), (1000, 0.01), (5, 0.5), (60, 0.4), (3, 0.05)])
def test_small_mean_is_exact(uz, n, p):
    assert n * min(p, 1 - p) < SMALL_MEAN
    x = sample(uz, n, p)
    assert chi_square_p(x, n, p) > 1e-3
    assert abs(x.mean() - n * p) < 4.5 * np.sqrt(n * p * (1 - p) / N)


@pytest.mark.parametrize("n, p", [(20, 0.8), (100, 0.9), (40, 0.75)])
def test_p_above_half_by_symmetry(uz, n, p):
    x = sample(uz, n, p)
    assert chi_square_p(x, n, p) > 1e-3
    # n − X ~ Binomial(n, 1 − p)
    assert chi_square_p(n - x, n, 1 - p) > 1e-3
    assert abs(x.mean() - n * p) < 4.5 * np.sqrt(n * p * (1 - p) / N)


@pytest.mark.parametrize("n, p", [(1000, 0.3), (5000, 0.02), (200, 0.5), (1000, 0.9), (10_000_000, 1e-4)])
def test_large_mean_regime(uz, n, p):
    q = min(p, 1 - p)
    assert n * q >= SMALL_MEAN
    x = sample(uz, n, p)
    var = n * p * (1 - p)
    # mean exact (up to < 3e-7 clipped mass), variance npq + 1/12 from rounding
    assert abs(x.mean() - n * p) < 4.5 * np.sqrt(var / N)
    assert abs(x.var() - (var + 1 / 12)) < 4.5 * var * np.sqrt(2 / N)
    # central quantiles match the binomial's within a count
    for level in (0.1, 0.5, 0.9):
        assert abs(np.quantile(x, level) - stats.binom.ppf(level, n, p)) <= 1


def test_regime_boundary_mean_continuous(uz):
    # just below and just above n·q = 25, the mean stays n·p
    for n in (249, 251):
        x = sample(uz, n, 0.1)
        assert abs(x.mean() - n * 0.1) < 4.5 * np.sqrt(n * 0.09 / N)


def test_degenerate_cases():
    u = jnp.asarray([0.0, 0.3, 0.999, 0.5, 0.7, 0.2], jnp.float32)
    n = jnp.asarray([0.0, 0.0, 17.0, 17.0, 1e6, 1e6], jnp.float32)
    zeros = jit_binomial(u, n, jnp.zeros_like(u))
    ones = jit_binomial(u, n, jnp.ones_like(u))
    np.testing.assert_array_equal(zeros, 0.0)
    np.testing.assert_array_equal(ones, n)
    np.testing.assert_array_equal(jit_binomial(u, jnp.zeros_like(u), jnp.full_like(u, 0.4)), 0.0)
    # probabilities outside [0, 1] are clipped
    np.testing.assert_array_equal(jit_binomial(u, n, jnp.full_like(u, 1.5)), n)
    np.testing.assert_array_equal(jit_binomial(u, n, jnp.full_like(u, -0.5)), 0.0)


def test_inversion_is_monotone_in_u():
    u = jnp.linspace(0.0, 0.999, 1000, dtype=jnp.float32)
    x = np.asarray(jit_binomial(u, jnp.full_like(u, 30.0), jnp.full_like(u, 0.2)))
    assert np.all(np.diff(x) >= 0)
    # X = #{k : F(k) < u}: the binomial quantile function (scipy's ppf(0) is −1)
    np.testing.assert_array_equal(x, np.maximum(stats.binom.ppf(np.asarray(u, np.float64), 30, 0.2), 0))


@pytest.mark.parametrize("n, p", [(200, 0.05), (100, 0.05), (5000, 0.001)])
def test_inversion_tail_stays_in_the_binomial_tail(n, p):
    # the largest float32 uniform jax.random.uniform can return
    u_max = jnp.float32(1 - 2.0**-23)
    x = float(jit_binomial(u_max, jnp.float32(n), jnp.float32(p)))
    exact = stats.binom.ppf(float(u_max), n, p)  # 29, 19 and 20
    assert x <= exact + 2, (x, exact)
