"""The kernel's uniforms one lane at a time in NumPy (``venturesim._threefry``) against JAX's own, bit for bit.

The replay of the kernel's draws in the DES (``venturesim._draws.ReplayBlock``) computes a path's numbers from
its lane's positions alone; any slip in the hash, the pairing of counters into halves, the padding of an odd
count or a site's layout gives other bits, so every comparison here is exact equality."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from venturesim import _streams as streams
from venturesim import _threefry as threefry
from venturesim._draws import ReplayBlock, _site_layout, _site_uniforms
from venturesim._jax_random import uniforms

KEY = jax.random.fold_in(jax.random.key(11), 4)
WORDS = tuple(np.asarray(jax.random.key_data(KEY)))


@pytest.mark.parametrize("shape", [(1,), (2,), (7,), (4096,), (3, 5), (2, 4096, 3), (4, 3, 4095)])
def test_every_position_is_jax_uniforms(shape):
    """All n elements, even and odd n (the last counter of an odd n is paired with the padding's 0)."""
    expected = np.asarray(uniforms(KEY, 9, shape)).ravel()
    got = threefry.uniforms_at(WORDS, 9, shape, np.arange(expected.size))
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.float32 and got.min() >= 0.0 and got.max() < 1.0


def test_fold_in_is_jax_fold_in_for_one_number_and_many():
    for data in (0, 1, 7, 2**31 + 5, 2**32 - 1):
        np.testing.assert_array_equal(
            np.asarray(threefry.fold_in(WORDS, data)), np.asarray(jax.random.key_data(jax.random.fold_in(KEY, data)))
        )
    many = np.asarray(threefry.fold_in(WORDS, np.arange(5))).T  # (5, 2)
    expected = np.stack([np.asarray(jax.random.key_data(jax.random.fold_in(KEY, d))) for d in range(5)])
    np.testing.assert_array_equal(many, expected)


def test_lane_index_picks_the_lane_along_its_axis():
    """Position of element (j, lane, s) of a (2, 10, 3) array: j·30 + lane·3 + s (worked by hand)."""
    np.testing.assert_array_equal(threefry.lane_index((2, 10, 3), 1, 4), [[12, 13, 14], [42, 43, 44]])
    np.testing.assert_array_equal(threefry.lane_index((4, 3, 10), 2, 9), np.arange(12).reshape(4, 3) * 10 + 9)
    assert int(threefry.lane_index((10,), 0, 6)) == 6


SITES = {
    "market_totals": (3,),
    "market_ages": (2, 5),
    "market_channels": (4, 3),
    "market_deals": (2, 7),
    "market_wins": (2,),
    "funding_attempts": (3,),
    "funding_bridges": (3,),
    "exits": (),
    "team_departures": (4,),
    "team_deal_cap": (),
}


def test_a_lane_is_its_slice_of_the_blocks_array_at_every_site():
    """Each draw site's lane, computed alone, equals that lane of the array the kernel's expression draws for the
    whole block (:func:`venturesim._draws._site_uniforms`), for lanes at both ends and inside the block."""
    with pytest.raises(KeyError, match="no replay for the draw site"):
        _site_layout("market_cohorts", (3,), 8)
    size = 4096
    block = ReplayBlock(seed=3, block=2, size=size)
    assert block.threefry
    for site, shape in SITES.items():
        whole = np.asarray(_site_uniforms(block.months_key, 7, site, shape, size))
        axis = _site_layout(site, shape, size)[3]
        for lane in (0, 1, 2049, size - 1):
            np.testing.assert_array_equal(block.lane(site, 7, shape, lane), np.take(whole, lane, axis=axis), site)
    runs = np.asarray(uniforms(block.init_key, streams.PRODUCT, (size, 3)))
    for lane in (0, 5, size - 1):
        np.testing.assert_array_equal(block.failures(3, lane), runs[lane])


def test_another_generator_reads_its_lane_from_the_blocks_array():
    """With JAX's ``rbg`` generator there is no lane-wise hash: the block's array is drawn with ``jax.random``
    and sliced (the same numbers the kernel draws with that generator)."""
    with jax.default_prng_impl("rbg"):
        block = ReplayBlock(seed=3, block=0, size=64)
        assert not block.threefry
        whole = np.asarray(_site_uniforms(block.months_key, 2, "market_totals", (3,), 64))
        np.testing.assert_array_equal(block.lane("market_totals", 2, (3,), 5), whole[:, 5])
        assert block.failures(2, 5).shape == (2,)
