"""Helpers for the rules written once for both engines, whatever their array namespace ``xp``: ``numpy`` for
one path (the DES) or ``jax.numpy`` for a block of paths (the JAX kernel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def when(xp, needed, work: Callable[..., Any], skip: Callable[..., Any], *operands) -> Any:
    """``work(*operands)`` if ``needed`` (a scalar bool: some path of the call needs the work), else
    ``skip(*operands)``.

    For work that changes nothing on a path that does not need it, so that both branches give the same numbers
    on every path and the choice is only a matter of time. One path (NumPy) branches in Python; a block (JAX)
    branches with ``jax.lax.cond``, which on a CPU or a GPU runs only the branch taken by the whole block (under
    ``vmap``, as in a sweep, both run and the result is selected: the same numbers, no time saved). Both
    branches must return arrays of the same shapes and dtypes.
    """
    if xp is np:
        return work(*operands) if bool(needed) else skip(*operands)
    import jax

    return jax.lax.cond(needed, work, skip, *operands)
