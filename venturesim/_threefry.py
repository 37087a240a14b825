"""The kernel's uniforms at chosen positions, in NumPy: one path's share of a block's draws.

:func:`venturesim._jax_random.uniforms` fills an array of n elements from the counters 0 … n − 1 of a key: with
h = ⌈n/2⌉, the Threefry-2x32 hash (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3", SC'11;
the hash of ``jax.random``) of the counter pair (j, j + h) gives element j its first word and element j + h its
second (the pair's second counter is 0 where j + h = n, the padding of an odd n). Element i therefore depends on
i, n and the key alone, so the elements of one path (one lane of the block) can be computed without the other
4,095 lanes' — which is what the discrete-event engine's replay of the kernel's draws needs
(:class:`venturesim._draws.ReplayBlock`): a few dozen numbers a month instead of the block's arrays.

Keys are a pair of uint32 words (``jax.random.key_data`` of a Threefry key). The hash is elementwise uint32
arithmetic (addition modulo 2³², rotation, XOR), so NumPy gives JAX's bits exactly (``tests/test_threefry.py``
compares them with ``jax.random``)."""

from __future__ import annotations

import math

import numpy as np

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
"""Threefry-2x32's rotation constants, four rounds each, alternating (the reference's R_32x2)."""
_PARITY = np.uint32(0x1BD11BDA)
"""The key schedule's parity constant for 32-bit words (Random123's ``SKEIN_KS_PARITY32``)."""


def threefry_2x32(k0, k1, x0, x1) -> tuple[np.ndarray, np.ndarray]:
    """The 20-round Threefry-2x32 hash of the counter pairs (x0, x1) under the key (k0, k1) (uint32 arrays that
    broadcast): the two output words, as JAX's ``threefry2x32`` primitive computes them."""
    k0, k1, x0, x1 = (np.asarray(a, np.uint32) for a in (k0, k1, x0, x1))
    keys = (k0, k1, k0 ^ k1 ^ _PARITY)
    with np.errstate(over="ignore"):  # addition modulo 2³² (NumPy warns of a scalar's wrap-around)
        x0, x1 = x0 + keys[0], x1 + keys[1]
        for i in range(5):  # five groups of four rounds, each followed by a key injection
            for r in _ROTATIONS[i % 2]:
                x0 = x0 + x1
                x1 = ((x1 << np.uint32(r)) | (x1 >> np.uint32(32 - r))) ^ x0
            x0 = x0 + keys[(i + 1) % 3]
            x1 = x1 + keys[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def fold_in(key: tuple, data) -> tuple[np.ndarray, np.ndarray]:
    """``jax.random.fold_in(key, data)`` as a pair of words: the hash of the counter pair (0, data) under the key
    (``data``: uint32 values, an array gives an array of keys)."""
    data = np.asarray(data, np.uint32)
    return threefry_2x32(key[0], key[1], np.zeros_like(data), data)


def uniforms_at(key: tuple, stream, shape: tuple[int, ...], index) -> np.ndarray:
    """Elements ``index`` (flat positions, any shape) of :func:`venturesim._jax_random.uniforms` (key, stream,
    shape): float32 in [0, 1). ``stream`` may be an array of streams, giving one key per element (broadcasting
    with ``index``)."""
    k0, k1 = fold_in(key, stream)
    n = math.prod(shape)
    half = -(-n // 2)
    i = np.asarray(index, np.int64)
    first = i < half
    j = np.where(first, i, i - half)
    partner = np.where(j + half < n, j + half, 0)  # the padding's 0 after the last counter of an odd n
    word0, word1 = threefry_2x32(k0, k1, j.astype(np.uint32), partner.astype(np.uint32))
    bits = np.where(first, word0, word1)
    return ((bits >> np.uint32(9)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1.0)


def lane_index(shape: tuple[int, ...], axis: int, lane: int) -> np.ndarray:
    """Flat positions, in an array of ``shape``, of the elements whose index along ``axis`` is ``lane`` (the
    array ``shape`` without that axis)."""
    rest = shape[:axis] + shape[axis + 1 :]
    grid = list(np.indices(rest, dtype=np.int64))
    grid.insert(axis, np.full(rest, lane, np.int64))
    return np.ravel_multi_index(grid, shape)
