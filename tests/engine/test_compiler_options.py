"""The kernel's XLA options: no YNNPACK library fusions for its small reductions (``KERNEL_COMPILER_OPTIONS``)."""

import jax
import jax.numpy as jnp
import pytest

from venturesim.engine.jax_engine import BLOCK, KERNEL_COMPILER_OPTIONS


def _compiled_text(**jit_options) -> str:
    """XLA's program for a sum over a block's 4 roles: the reduction over a short trailing axis the kernel does
    ~55 times a month (segments, roles, rounds)."""
    roles = jnp.ones((BLOCK, 4), jnp.float32)
    return jax.jit(lambda pay: (pay * pay).sum(-1), **jit_options).lower(roles).compile().as_text()


def test_the_kernels_options_keep_small_reductions_in_xlas_own_fusions():
    if "__ynn_fusion" not in _compiled_text():
        pytest.skip("this jaxlib sends no reduction to YNNPACK: the option has nothing to turn off")
    ours = _compiled_text(compiler_options=KERNEL_COMPILER_OPTIONS)
    assert "__ynn_fusion" not in ours
    assert " reduce(" in ours  # the sum is still there, in XLA's own code
