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


def fold_last_axis(xp, step: Callable[..., Any], carry, *xs) -> Any:
    """``step(carry, (x[..., 0], …)) → (carry, out)`` over the last axis of ``xs`` in order; returns the outs
    stacked on the last axis.

    For a rule whose entries depend on the ones before them (a budget granted role by role): one path (NumPy)
    loops in Python; a block (JAX) folds with ``jax.lax.scan``, whose one loop body compiles in the same time
    whatever the axis's length (a Python loop under ``jit`` would be unrolled: the kernel of
    ``benchmarks/many_roles_company.yaml``, 40 roles, compiled in 14.3 CPU s with the budget unrolled and 9.3 with
    this fold, ``benchmarks/compile_times.py``). The same float operations in the same order either way, so the
    same numbers.
    """
    if xp is np:
        outs = []
        for k in range(xs[0].shape[-1]):
            carry, out = step(carry, tuple(x[..., k] for x in xs))
            outs.append(out)
        return np.stack(outs, axis=-1)
    import jax

    _, outs = jax.lax.scan(step, carry, tuple(xp.moveaxis(x, -1, 0) for x in xs))
    return xp.moveaxis(outs, 0, -1)


def fold_range(xp, n: int, step: Callable[[Any, Any], Any], carry) -> Any:
    """``carry = step(t, carry)`` for t = 0 … n − 1; returns the last carry.

    One path (NumPy) loops in Python with t an int; a block (JAX) with ``jax.lax.fori_loop`` and t a traced
    int32, so the program holds one loop body whatever n (a Python loop under ``jit`` would be unrolled n times:
    a program that grows with the horizon). The same float operations in the same order either way.
    """
    if xp is np:
        for t in range(n):
            carry = step(t, carry)
        return carry
    import jax

    return jax.lax.fori_loop(0, n, step, carry)


def month_of(series, t, axis: int):
    """Month ``t`` of ``series`` along its month ``axis``; an axis of length 1 holds every month's value.

    The JAX engine hands a month's rules month views of the series it stores month-major (a month axis of length
    1, :func:`venturesim.engine.jax_engine.month_view`), so a rule reads a series of the month it runs through
    this function (or a domain's reader built on it: ``market.params.at_month``, ``risks.apply.adjust``,
    ``model_costs.month_rules._month``), never by indexing it directly.
    """
    axis = axis % series.ndim
    return series[(slice(None),) * axis + (0 if series.shape[axis] == 1 else t,)]
