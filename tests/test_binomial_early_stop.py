"""The binomial sampler stops adding inversion terms once every count of a call is settled — and returns, bit
for bit, what the full 64 terms return (the engine's pinned numbers depend on it).

``reference`` is the sampler as it was before the early stop (a fixed 64-term ``fori_loop``); both run jitted
on the same (u, n, p) batches of one shape (one compilation each): calls where every count is 0, calls of the
months' small flows (stopping after 8 or 16 terms), mixed regimes (means around SMALL_MEAN = 25, p above ½, p
= 0 or 1, n up to 10⁶), uniforms just below 1, whose float32 CDF stops growing before it reaches u (the
only counts that need all 64 terms), and calls where no count, or every count, takes the normal regime (Φ⁻¹ is
evaluated only when some count does, issue 21).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from venturesim._jax_random import INVERSION_TERMS, SMALL_MEAN, TERMS_PER_CHECK, binomial

M = 4096  # one block of paths


@jax.jit
def reference(u, n, p):
    """The sampler before the early stop (verbatim): all 64 terms for every count."""
    p = jnp.clip(p, 0.0, 1.0)
    flip = p > 0.5
    q = jnp.where(flip, 1.0 - p, p)
    mean = n * q
    ratio = q / jnp.maximum(1.0 - q, 1e-30)
    pmf0 = jnp.exp(n * jnp.log1p(-q))

    def add_term(k, carry):
        below, grows, pmf, cdf = carry
        below = below + (cdf < u)
        pmf = pmf * jnp.maximum(n - k, 0.0) / (k + 1.0) * ratio
        next_cdf = cdf + pmf
        return below, grows + (next_cdf > cdf), pmf, next_cdf

    zeros = jnp.zeros_like(n)
    below, grows, _, _ = jax.lax.fori_loop(0, INVERSION_TERMS, add_term, (zeros, zeros, pmf0, pmf0))
    small = jnp.minimum(below, grows)
    small = jnp.minimum(small, n)
    z = jax.scipy.special.ndtri(jnp.clip(u, 1e-7, 1.0 - 1e-7))
    large = jnp.clip(jnp.round(mean + jnp.sqrt(mean * (1.0 - q)) * z), 0.0, n)
    x = jnp.where(mean < SMALL_MEAN, small, large)
    return jnp.where(flip, n - x, x)


fast = jax.jit(binomial)


def _cases():
    rng = np.random.default_rng(21)
    u = rng.uniform(size=M)
    yield "every count 0", u, np.zeros(M), rng.uniform(size=M)
    yield "small flows (n·p < 1)", u, rng.integers(0, 40, M), rng.uniform(0.0, 0.02, M)
    yield "churn of a few customers", u, rng.integers(0, 200, M), rng.uniform(0.01, 0.06, M)
    n = np.floor(np.exp(rng.uniform(0.0, np.log(1e6), M)))
    p = np.exp(rng.uniform(np.log(1e-7), 0.0, M))
    p[::7], p[1::7], p[2::11] = 0.0, 1.0, 1.0 - p[2::11]  # the edges and p above ½
    yield "mixed regimes", u, n, p
    mean = rng.uniform(SMALL_MEAN - 3, SMALL_MEAN + 3, M)
    yield "means around SMALL_MEAN", u, np.full(M, 400.0), mean / 400.0
    top = 1.0 - rng.integers(1, 8, M) * 2.0**-24  # float32 uniforms just below 1
    yield "u just below 1 (all 64 terms)", top, rng.integers(1, 60, M), rng.uniform(0.05, 0.4, M)
    # Φ⁻¹ runs only when some count takes the normal regime: none does here (small means, zeros), all do,
    # and an undefined p (NaN: neither mean < 25 nor ≥ 25, so the normal regime's NaN) among small means.
    yield "every count 0 or small, no normal regime", u, rng.integers(0, 3, M), rng.uniform(0.0, 1.0, M)
    yield "every count in the normal regime", u, rng.integers(1_000, 10**6, M), rng.uniform(0.05, 0.95, M)
    p = rng.uniform(0.0, 0.02, M)
    p[::97] = np.nan
    yield "NaN p among small means", u, rng.integers(0, 40, M), p


CASES = list(_cases())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_early_stop_is_bit_identical_to_64_terms(case):
    _, u, n, p = case
    args = [jnp.asarray(a, jnp.float32) for a in (u, n, p)]
    got, want = np.asarray(fast(*args)), np.asarray(reference(*args))
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got, want)


def test_the_terms_stop_when_every_count_is_settled():
    """How many terms a call runs (a host callback in each term), against a hand count.

    n = 0 everywhere: pmf(0) = 1 ≥ u, settled before the first term: 0 terms. One count of n = 1, p = ½ with
    u = 0.9 among zeros: F(0) = ½ < u, F(1) = 1 ≥ u, so one term settles it, and the first group of
    TERMS_PER_CHECK runs in full: 8 terms. u = 1 − 2⁻²⁴ (the largest float32 below 1) on Binomial(20, 0.4),
    whose float32 CDF stops at 0.9999993: never settled, all 64 terms.
    """
    terms = []
    original = jax.lax.fori_loop

    def counting(lower, upper, body, init):
        def counted(k, carry):
            jax.debug.callback(lambda: terms.append(1))
            return body(k, carry)

        return original(lower, upper, counted, init)

    f32 = jax.ShapeDtypeStruct((8,), jnp.float32)
    jax.lax.fori_loop = counting  # only while tracing
    try:
        compiled = jax.jit(lambda *a: binomial(*a)).lower(f32, f32, f32).compile()
    finally:
        jax.lax.fori_loop = original

    def run(*args):
        terms.clear()
        x = np.asarray(compiled(*(jnp.asarray(a, jnp.float32) for a in args)))
        jax.effects_barrier()
        return x, len(terms)

    zeros, half = np.zeros(8), np.full(8, 0.5)
    x, count = run(half, zeros, np.full(8, 0.3))
    assert count == 0 and not x.any()
    x, count = run(np.r_[0.9, half[1:]], np.r_[1.0, zeros[1:]], half)
    assert count == TERMS_PER_CHECK and x.tolist() == [1.0] + [0.0] * 7
    top = (np.full(8, 1.0 - 2.0**-24), np.full(8, 20.0), np.full(8, 0.4))
    x, count = run(*top)
    assert count == INVERSION_TERMS
    np.testing.assert_array_equal(x, np.asarray(reference(*(jnp.asarray(a, jnp.float32) for a in top))))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_numpy_early_stop_is_bit_identical_to_64_terms(case, monkeypatch):
    """The NumPy sampler (the DES's replay of the kernel's draws) stops the same way; with the stop disabled
    (``all_settled`` never true: all 64 terms) it returns the same counts bit for bit."""
    import venturesim._jax_random as jr

    _, u, n, p = case
    args = [np.asarray(a, np.float32) for a in (u, n, p)]
    got = binomial(*args, xp=np)
    monkeypatch.setattr(jr, "all_settled", lambda *a: False)
    want = binomial(*args, xp=np)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got, want)


def test_numpy_terms_stop_when_every_count_is_settled(monkeypatch):
    """The hand counts of :func:`test_the_terms_stop_when_every_count_is_settled`, in NumPy: the groups of
    TERMS_PER_CHECK terms that run are the checks that found a count unsettled."""
    import venturesim._jax_random as jr

    checks = []
    real = jr.all_settled

    def counting(*a):
        checks.append(bool(real(*a)))
        return checks[-1]

    monkeypatch.setattr(jr, "all_settled", counting)
    zeros, half = np.zeros(8), np.full(8, 0.5)
    cases = [
        ((half, zeros, np.full(8, 0.3)), 0),
        ((np.r_[0.9, half[1:]], np.r_[1.0, zeros[1:]], half), TERMS_PER_CHECK),
        ((np.full(8, 1.0 - 2.0**-24), np.full(8, 20.0), np.full(8, 0.4)), INVERSION_TERMS),
    ]
    for args, terms in cases:
        checks.clear()
        binomial(*(np.asarray(a, np.float32) for a in args), xp=np)
        assert checks.count(False) * TERMS_PER_CHECK == terms
