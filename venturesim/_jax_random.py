"""Vectorised random variates for the monthly kernels.

Keys are explicit (DESIGN.md): a kernel receives one key per block of paths
and month, folds in its own stream number, and draws all it needs for the
block in one bulk call of :func:`uniforms`.

Binomial counts use exact inversion of the CDF when the expected count is
small and the normal approximation with rounding when it is large:

* n·q < 25 (q = min(p, 1 − p)): X = #{k : F(k) < U} over K = 64 terms,
  with the pmf built by the recurrence pmf(k+1) = pmf(k)·(n − k)/(k + 1)·q/(1 − q)
  from pmf(0) = (1 − q)^n. Exact, except that a U above the point where the
  float32 sum F stops growing (probability < 1e-6) gets the last term that
  still moved F, i.e. a value in the far upper tail, never a jump to K.
* n·q ≥ 25: X = clip(round(nq + √(nq(1 − q))·Z), 0, n) with Z = Φ⁻¹(U). The mean is exact up
  to the clipping mass (< Φ(−5) ≈ 3e-7) and the variance is nq(1 − q) + 1/12
  (rounding); the skewness of the binomial (< 0.2 here) is lost.

The inversion's work follows the need without changing any value: a count is *settled* once F(k) ≥ U
(F never decreases, so no later term adds to #{k : F(k) < U}) and its growth count has reached that
number (min(below, grows) is then fixed), or when its mean is in the normal regime (the inversion's value
is not used). The terms stop at the end of the first group of :data:`TERMS_PER_CHECK` after which every
count of the call is settled — at once for n = 0 (pmf(0) = 1 ≥ U), after 8 terms for the months' small
flows — and run all 64 only while some count still needs them; every count gets the value the 64 terms
would give, bit for bit (the terms themselves are computed as before).

This is much faster on CPU than ``jax.random.binomial``'s rejection sampler
inside a ``lax.scan`` (about 20 times, measured while building the engine)
and keeps every draw a fixed-cost computation.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.random import threefry_2x32

from venturesim._xp import when

try:  # JAX's unrolled Threefry-2x32 (a private function: :func:`_threefry_2x32` falls back to the public one)
    from jax._src.random.threefry2x32 import _threefry2x32_lowering as _unrolled_threefry
except ImportError:  # pragma: no cover - another JAX layout
    _unrolled_threefry = None

THREEFRY = "threefry2x32"
"""The name of JAX's default generator, whose keys the kernel folds and draws with the hash unrolled."""
SMALL_MEAN = 25.0
INVERSION_TERMS = 64
TERMS_PER_CHECK = 8
"""The inversion adds its terms in groups of 8 and stops after the first group at whose end every count of
the call is settled (divides INVERSION_TERMS)."""


def uniforms(key: jax.Array, stream: int, shape: tuple[int, ...]) -> jax.Array:
    """Uniform [0, 1) array of ``shape`` from ``fold_in(key, stream)`` (one bulk draw).

    The bits are Threefry-2x32 (Salmon et al. 2011, the hash of ``jax.random``) of the counters 0 … n − 1 taken
    in two halves, each hash giving two words (:func:`jax.extend.random.threefry_2x32`): half the hashes of
    ``jax.random.uniform`` under JAX's default ``jax_threefry_partitionable``, which hashes one counter per word
    and keeps the two words' XOR so that a sharded array draws without communication. The kernel draws inside
    one device's blocks (``jax.shard_map``), so it does not need that. A word becomes a float32 as in
    ``jax.random.uniform``: its 23 high bits as the mantissa of a number in [1, 2), less 1 — the same values as
    ``jax.random.uniform`` under ``jax.threefry_partitionable(False)`` (``tests/test_jax_random.py``). A key of
    another of JAX's generators (``JAX_DEFAULT_PRNG_IMPL``) draws with ``jax.random.uniform``."""
    if not _is_threefry(key):
        return jax.random.uniform(jax.random.fold_in(key, stream), shape)
    raw = jax.random.key_data(fold_in(key, stream))
    bits = _threefry_2x32((raw[0], raw[1]), jnp.arange(math.prod(shape), dtype=jnp.uint32)).reshape(shape)
    return jax.lax.bitcast_convert_type((bits >> np.uint32(9)) | np.uint32(0x3F800000), jnp.float32) - 1.0


def fold_in(key: jax.Array, data) -> jax.Array:
    """``jax.random.fold_in(key, data)`` (the same key, bit for bit) with the hash in JAX's unrolled form (see
    :func:`_threefry_2x32`); ``key`` a Threefry key or an array of them, ``data`` uint32 values broadcasting with
    it: JAX's fold-in hashes the counter pair (0, data) under the key, and the two words are the new key."""
    if _unrolled_threefry is None or not _is_threefry(key):  # JAX's own, one key and one number at a time
        if jnp.ndim(data):
            return jax.vmap(jax.random.fold_in, (None, 0))(key, data)
        return jax.vmap(jax.random.fold_in, (0, None))(key, data) if key.ndim else jax.random.fold_in(key, data)
    raw = jax.random.key_data(key)
    data = jnp.asarray(data, jnp.uint32)
    first, second = _unrolled_threefry(raw[..., 0], raw[..., 1], jnp.zeros_like(data), data, use_rolled_loops=False)
    return jax.random.wrap_key_data(jnp.stack(jnp.broadcast_arrays(first, second), axis=-1), impl=THREEFRY)


def _is_threefry(key: jax.Array) -> bool:
    """Whether ``key`` is of JAX's Threefry-2x32 generator (the default, that of ``jax.random.key(seed)``)."""
    return str(jax.random.key_impl(key)) == THREEFRY


def _threefry_2x32(keypair, count: jax.Array) -> jax.Array:
    """:func:`jax.extend.random.threefry_2x32` (the hash of the counters' two halves, both words of each hash
    kept), with its 20 rounds written out as one array expression: JAX's own unrolled form of the hash
    (``_threefry2x32_lowering(..., use_rolled_loops=False)``, its lowering on GPUs), which XLA:CPU fuses into one
    pass, where the primitive's CPU lowering runs the rounds as a loop of 5 steps that copies both halves at each
    step. The same bits (``tests/test_jax_random.py``); the primitive where this JAX has no such function."""
    if _unrolled_threefry is None:
        return threefry_2x32(keypair, count)
    n = count.shape[0]
    half = -(-n // 2)
    padded = jnp.concatenate([count, jnp.zeros(2 * half - n, jnp.uint32)])
    first, second = _unrolled_threefry(keypair[0], keypair[1], padded[:half], padded[half:], use_rolled_loops=False)
    return jnp.concatenate([first, second])[:n]


def binomial(u, n, p, xp=jnp):
    """Binomial(n, p) counts by inversion of one uniform ``u`` per count.

    One function for both array libraries (``xp``: jax.numpy, the kernel's, or numpy, the DES's replay
    of the kernel's draws, :mod:`venturesim._draws`), with the same early stop (:func:`all_settled`); NumPy
    computes in float32 like the kernel, so the same ``u``, ``n`` and ``p`` give the same count except where
    ``u`` lies within a float32 rounding of a CDF step (the two libraries' exp, log1p and Φ⁻¹ may differ in the
    last bit).

    Parameters
    ----------
    u : uniform variates in (0, 1), one per count (the normal regime uses
        z = Φ⁻¹(u), so the count is monotone in u).
    n : number of trials (float holding a whole number ≥ 0).
    p : success probability in [0, 1].
    """
    if xp is not jnp:
        u, n, p = (np.asarray(a, np.float32) for a in (u, n, p))
    p = xp.clip(p, 0.0, 1.0)
    flip = p > 0.5
    q = xp.where(flip, 1.0 - p, p)
    mean = n * q

    ratio = q / xp.maximum(1.0 - q, 1e-30)
    pmf0 = xp.exp(n * xp.log1p(-q))

    def add_term(k, carry):
        below, grows, pmf, cdf = carry
        below = below + (cdf < u)
        pmf = pmf * xp.maximum(n - k, 0.0) / (k + 1.0) * ratio
        next_cdf = cdf + pmf
        return below, grows + (next_cdf > cdf), pmf, next_cdf

    zeros = xp.zeros_like(n)
    carry = (zeros, zeros, pmf0, pmf0)
    if xp is jnp:

        def unsettled(state):
            """Some count's value can still change: its terms go on while a lane is not yet known (see below)."""
            k, (below, grows, _, cdf) = state
            return (k < INVERSION_TERMS) & ~all_settled(mean, u, below, grows, cdf, jnp)

        def add_terms(state):
            k, terms = state
            return k + TERMS_PER_CHECK, jax.lax.fori_loop(k, k + TERMS_PER_CHECK, add_term, terms)

        _, (below, grows, _, _) = jax.lax.while_loop(unsettled, add_terms, (jnp.int32(0), carry))
        ndtri = jax.scipy.special.ndtri
    else:  # the same early stop, group by group
        with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
            for start in range(0, INVERSION_TERMS, TERMS_PER_CHECK):
                if all_settled(mean, u, carry[0], carry[1], carry[3], np):
                    break
                for k in range(start, start + TERMS_PER_CHECK):
                    carry = add_term(np.float32(k), carry)
        below, grows, _, _ = carry
        ndtri = _ndtri_float32
    # A uniform beyond where the float32 CDF stops growing lands on that last term.
    small = xp.minimum(below, grows)
    small = xp.minimum(small, n)

    def normal_regime():
        z = ndtri(xp.clip(u, 1e-7, 1.0 - 1e-7))
        return xp.clip(xp.round(mean + xp.sqrt(mean * (1.0 - q)) * z), 0.0, n)

    shape = xp.broadcast_shapes(xp.shape(u), xp.shape(mean), xp.shape(n), xp.shape(q))
    # Φ⁻¹ only when some count of the call takes the normal regime (else no value of it is used)
    large = when(
        xp,
        xp.any(~(mean < SMALL_MEAN)),
        lambda: xp.broadcast_to(normal_regime(), shape),
        lambda: xp.zeros(shape, xp.float32),
    )
    x = xp.where(mean < SMALL_MEAN, small, large)
    return xp.where(flip, n - x, x)


def all_settled(mean, u, below, grows, cdf, xp=jnp):
    """Whether no count of a call can change any more (the early stop's test, both libraries): each is in the
    normal regime (mean ≥ SMALL_MEAN: the inversion's value is not used) or F(k) ≥ u with its growth count at
    #{k : F(k) < u} (F never decreases, so min(below, grows) is fixed from here)."""
    return xp.all((mean >= SMALL_MEAN) | ((cdf >= u) & (grows >= below)))


def _ndtri_float32(u: np.ndarray) -> np.ndarray:
    """Φ⁻¹ in NumPy, rounded to float32 (the kernel's ``jax.scipy.special.ndtri`` is float32)."""
    from scipy.special import ndtri

    return np.asarray(ndtri(np.asarray(u, np.float64)), np.float32)
