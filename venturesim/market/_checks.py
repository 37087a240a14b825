"""Input checks for the market's array functions that also run inside ``jit``.

The kernels take arrays that may be JAX tracers (inside ``jit``/``lax.scan``),
where values are unknown and Python cannot branch on them. These checks test
concrete inputs (Python numbers, NumPy arrays, concrete JAX arrays) and skip
tracers, so a bad scenario value fails loudly when a function is called
directly, and the traced engine pays nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys

import numpy as np

_TRUSTED: contextvars.ContextVar[bool] = contextvars.ContextVar("_TRUSTED", default=False)


@contextlib.contextmanager
def trusted():
    """Skip the checks inside this block (in this thread): its inputs were validated once, when the scenario
    was loaded and sampled (the DES's monthly loop, which calls the same functions every month on one path's
    validated values)."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def concrete(x) -> np.ndarray | None:
    """``x`` as a NumPy array, or None when it is a tracer (value unknown)."""
    jax = sys.modules.get("jax")  # not imported: x cannot be a tracer (checking a scenario imports no JAX)
    if jax is not None and isinstance(x, jax.core.Tracer):
        return None
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):  # TracerArrayConversionError is a TypeError
        return None


def _show(a: np.ndarray) -> str:
    return (
        repr(a.item()) if a.size == 1 else np.array2string(a.ravel()[:6], separator=", ") + ("…" if a.size > 6 else "")
    )


def check(name: str, x, ok, rule: str) -> None:
    """Raise ``ValueError`` naming ``x``'s value unless ``ok(array)`` holds everywhere.

    ``rule`` reads after the name, e.g. ``check("churn", c, lambda a: (a >= 0) & (a <= 1), "in [0, 1]")``
    raises ``ValueError("churn(=1.5) must be in [0, 1]")``. NaN fails every rule. Skipped inside
    :func:`trusted`.
    """
    if _TRUSTED.get():
        return
    a = concrete(x)
    if a is None:
        return
    good = np.asarray(ok(a), dtype=bool) & ~np.isnan(a)
    if not np.all(good):
        bad = a[~np.broadcast_to(good, a.shape)] if a.ndim else a
        raise ValueError(f"{name}(={_show(np.asarray(bad))}) must be {rule}")


def nonneg(name: str, x) -> None:
    check(name, x, lambda a: a >= 0, ">= 0")


def positive(name: str, x) -> None:
    check(name, x, lambda a: a > 0, "> 0")


def probability(name: str, x) -> None:
    check(name, x, lambda a: (a >= 0) & (a <= 1), "in [0, 1]")


def _is_jax(*values) -> bool:
    """Whether any of ``values`` is a JAX array (never, when JAX was not imported)."""
    jax = sys.modules.get("jax")
    return jax is not None and any(isinstance(v, jax.Array) for v in values)


def where(cond, x, y):
    """``where`` for NumPy, JAX or xarray inputs (xarray keeps its coordinates)."""
    import xarray as xr

    if any(isinstance(v, (xr.DataArray, xr.Dataset)) for v in (cond, x, y)):
        return xr.where(cond, x, y)
    if _is_jax(cond, x, y):
        import jax.numpy as jnp

        return jnp.where(cond, x, y)
    return np.where(cond, x, y)


def divide(a, b):
    """a / b for NumPy, JAX or xarray inputs, giving ±inf or NaN (never an exception) where b = 0."""
    if _is_jax(a, b):
        return a / b
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a, b)
