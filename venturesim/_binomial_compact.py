"""One binomial call over several large arrays whose work follows each count, not the slowest one.

:func:`venturesim._jax_random.binomial` adds its inversion terms to every count of a call until the last
count is settled: on the kernel's largest draws — churn on each (path, segment, age) cell and the deal
pipeline's resolutions by (path, segment, age), 750 k counts a block-month with 61 tracked ages — some
count almost always needs 40–64 terms, so all 750 k run them. :func:`binomial_compact` returns the same
counts, bit for bit, with the work spent where it is needed:

1. a count whose uniform lies at or below P(0) = (1 − p)^n is 0 before any term (n = 0 among them: most
   cells of a month's by-age churn or deal pipeline), and so is one in the normal regime (its inversion is
   not used); such counts take no term;
2. the tiles with a count still unsettled are gathered, in their order, into a buffer of ``buffer`` tiles,
   which adds terms from the first (in groups of :data:`~venturesim._jax_random.TERMS_PER_CHECK`, with
   :func:`~venturesim._jax_random.binomial`'s stopping rule) until each of its counts is settled or has had
   all 64 terms; their (below, grows) are scattered back; the next buffer of unsettled tiles follows until
   none is left (until 2026-12-07 every count ran the first group before the buffer: the kernel of
   ``seed_stage_api`` is 8 % faster without it, the minimal model's 13 %; docs/performance.md);
3. the normal regime's Φ⁻¹ runs only when some count of the call has a mean ≥ SMALL_MEAN (a ``lax.cond``, as in
   the sampler): on ``sales_led_enterprise_ai`` most months have none, and the kernel is 9 % faster for it.

Each count's terms are the same float32 operations in the same order as in
:func:`~venturesim._jax_random.binomial`, and a settled count's value no longer changes (its docstring), so
the values are those of the 64 terms (``tests/test_binomial_compact.py`` compares the two). Several arrays
go through one call (:func:`binomials`), so the kernel compiles one sampler instead of one per draw.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from venturesim._jax_random import INVERSION_TERMS, SMALL_MEAN, TERMS_PER_CHECK

TILE = 8
"""Counts are handled in tiles of 8 neighbours (one 256-bit vector of float32): a tile with an unsettled count goes
to the buffer whole. Tiles of 32 made a buffer run the terms that the tile's slowest count needed on 4× as many
counts: the kernel of ``sales_led_enterprise_ai`` is 16 % faster with tiles of 8, ``seed_stage_api``'s 6 %
(the same values; tiles of 16 and 4 were slower than 32 and 8; docs/performance.md, 2026-12-07, stop 42)."""
MIN_BUFFER = 64
BUFFER_SHARE = 32
"""The buffer holds max(MIN_BUFFER, tiles // BUFFER_SHARE) tiles (with tiles of 8, a share of 32 is 17 % faster than
16 on ``sales_led_enterprise_ai``'s by-age calls of ≈ 94,000 tiles, 64 the same as 32)."""


def _add_term(u, n, ratio):
    def add_term(k, carry):  # verbatim the arithmetic of venturesim._jax_random.binomial's add_term
        below, grows, pmf, cdf = carry
        below = below + (cdf < u)
        pmf = pmf * jnp.maximum(n - k, 0.0) / (k + 1.0) * ratio
        next_cdf = cdf + pmf
        return below, grows + (next_cdf > cdf), pmf, next_cdf

    return add_term


def _add_group(add_term, k, carry):
    """Terms k … k + TERMS_PER_CHECK − 1, as a loop like the sampler's (written out, XLA fused the 8 terms
    into one pass, twice as fast, but its float32 sums then differed in the last bit from the loop's, which
    moved counts whose u lies in the CDF's flat tail by 1: ``tests/test_binomial_compact.py``)."""
    return jax.lax.fori_loop(k, k + TERMS_PER_CHECK, add_term, carry)


def _settled(u, mean, carry):
    below, grows, _, cdf = carry
    return (mean >= SMALL_MEAN) | ((cdf >= u) & (grows >= below))


def binomial_compact(u, n, p, buffer: int | None = None):
    """Binomial(n, p) counts by inversion of ``u``, as :func:`venturesim._jax_random.binomial` (same values),
    with the inversion's terms run only on the tiles of counts that need them. Arrays broadcast
    together; ``buffer``: tiles per buffer (default max(MIN_BUFFER, tiles // BUFFER_SHARE))."""
    u, n, p = jnp.broadcast_arrays(
        jnp.asarray(u, jnp.float32), jnp.asarray(n, jnp.float32), jnp.asarray(p, jnp.float32)
    )
    shape = u.shape
    lanes = math.prod(shape)
    tiles = -(-lanes // TILE)
    pad = tiles * TILE - lanes  # padding counts: n = 0, settled at once

    def tiled(a, fill):
        return jnp.pad(a.reshape(-1), (0, pad), constant_values=fill).reshape(tiles, TILE)

    u, n, p = tiled(u, 0.5), tiled(n, 0.0), tiled(p, 0.0)
    p = jnp.clip(p, 0.0, 1.0)
    flip = p > 0.5
    q = jnp.where(flip, 1.0 - p, p)
    mean = n * q
    ratio = q / jnp.maximum(1.0 - q, 1e-30)
    pmf0 = jnp.exp(n * jnp.log1p(-q))
    zeros = jnp.zeros_like(n)

    size = max(MIN_BUFFER, tiles // BUFFER_SHARE) if buffer is None else buffer
    size = max(min(size, tiles), 1)
    rounds_max = -(-tiles // size)
    # no term yet: a count with pmf(0) ≥ u (n = 0 among them) is 0 already
    open_ = ~jnp.all(_settled(u, mean, (zeros, zeros, pmf0, pmf0)), axis=1)  # (tiles,)
    count = jnp.sum(open_, dtype=jnp.int32)
    order = jnp.nonzero(open_, size=rounds_max * size, fill_value=tiles)[0]  # open tiles first, in order

    def more(state):
        return state[0] * size < count

    def one_buffer(state):
        r, below, grows = state
        idx = jax.lax.dynamic_slice(order, (r * size,), (size,))

        def take(a, fill=0.0):
            return a.at[idx].get(mode="fill", fill_value=fill)

        bu, bn, bratio = take(u), take(n), take(ratio)
        bmean = take(mean, jnp.inf)  # tiles past the open ones: settled
        bpmf0, bzeros = take(pmf0), jnp.zeros_like(bu)  # a tile is in one buffer only: it starts before any term
        bcarry = (bzeros, bzeros, bpmf0, bpmf0)
        add_term = _add_term(bu, bn, bratio)

        def unsettled(s):
            k, terms = s
            return (k < INVERSION_TERMS) & ~jnp.all(_settled(bu, bmean, terms))

        def add_terms(s):
            k, terms = s
            return k + TERMS_PER_CHECK, _add_group(add_term, k, terms)

        _, (bb, bg, _, _) = jax.lax.while_loop(unsettled, add_terms, (jnp.int32(0), bcarry))
        return r + 1, below.at[idx].set(bb, mode="drop"), grows.at[idx].set(bg, mode="drop")

    _, below, grows = jax.lax.while_loop(more, one_buffer, (jnp.int32(0), zeros, zeros))
    small = jnp.minimum(below, grows)
    small = jnp.minimum(small, n)

    def normal_regime():  # Φ⁻¹ only when some count of the call takes the normal regime (else no value is used)
        z = jax.scipy.special.ndtri(jnp.clip(u, 1e-7, 1.0 - 1e-7))
        large = jnp.clip(jnp.round(mean + jnp.sqrt(mean * (1.0 - q)) * z), 0.0, n)
        return jnp.where(mean < SMALL_MEAN, small, large)

    x = jax.lax.cond(jnp.any(~(mean < SMALL_MEAN)), normal_regime, lambda: small)
    return jnp.where(flip, n - x, x).reshape(-1)[:lanes].reshape(shape)


def binomials(*draws):
    """Counts for several ``(u, n, p)`` triples in one :func:`binomial_compact` call (one compiled sampler):
    each triple broadcasts to its own shape, and its counts come back in that shape."""
    shapes = [jnp.broadcast_shapes(*(jnp.shape(a) for a in d)) for d in draws]
    flat = [
        jnp.concatenate([jnp.broadcast_to(jnp.asarray(d[i], jnp.float32), s).reshape(-1) for d, s in pairs])
        for i in range(3)
        for pairs in [list(zip(draws, shapes, strict=True))]
    ]
    counts = binomial_compact(*flat)
    out, start = [], 0
    for s in shapes:
        stop = start + math.prod(s)
        out.append(counts[start:stop].reshape(s))
        start = stop
    return out
