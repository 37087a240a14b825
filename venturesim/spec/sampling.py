"""Drawing a scenario's uncertain inputs, one row per path.

Randomness is explicit and per path: path ``i`` gets the key
``fold_in(key, i)`` and input ``name`` the key ``fold_in(key_i, crc32(name))``,
from which one standard normal ``z`` is drawn. So

* a path's draws do not depend on how paths are chunked or sharded;
* an input's draws do not change when other inputs are added or removed,
  which gives common random numbers when two scenarios are compared.

A joint posterior (``{posterior: file, column: c}``) draws from the stream
``posterior:file`` instead, shared by all its columns: one row per path.

Correlated inputs (a Gaussian copula on ranks) replace their ``z`` by
``L z`` with ``L`` the Cholesky factor of the normal-scale correlation matrix
(see :func:`venturesim.scenario.schema.rank_correlation_matrix`). Every input
is then ``ppf(Φ(z))`` of its distribution spec.
"""

from __future__ import annotations

import zlib
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import ndtr

from venturesim.spec.distributions import Spec
from venturesim.spec.timeseries import Schedule, Trend


@jax.jit
def path_keys(key: jax.Array, path_index: jax.Array) -> jax.Array:
    """Per-path keys ``fold_in(key, i)`` for each path index ``i``; shape (paths,)."""
    return jax.vmap(partial(jax.random.fold_in, key))(path_index)


@jax.jit
def _standard_normals(keys: jax.Array, stream: jax.Array) -> jax.Array:
    """One N(0, 1) draw per path from ``fold_in(key_i, stream)``; shape (paths,)."""
    return jax.vmap(lambda k: jax.random.normal(jax.random.fold_in(k, stream)))(keys)


def stream_id(name: str) -> int:
    """Stable 31-bit stream number of an input name (crc32)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


class Sampler:
    """Draws inputs for a block of paths.

    Parameters
    ----------
    key : base key of the parameter draws.
    path_index : (paths,) integer array, the global index of each path.
    correlated : names of correlated inputs, in matrix order.
    correlation : their normal-scale correlation matrix (positive definite).
    """

    def __init__(self, key: jax.Array, path_index: np.ndarray, correlated=(), correlation=None):
        self.n = len(path_index)
        self._keys = path_keys(key, jnp.asarray(path_index, dtype=jnp.uint32))
        self._correlated = list(correlated)
        self._cholesky = np.linalg.cholesky(correlation) if len(self._correlated) else None
        self._copula_z: np.ndarray | None = None
        self.draws: dict[str, np.ndarray] = {}

    def _z(self, name: str) -> np.ndarray:
        return np.asarray(_standard_normals(self._keys, jnp.uint32(stream_id(name))), np.float64)

    def standard_normal(self, name: str) -> np.ndarray:
        """The (possibly correlated) N(0, 1) variate of input ``name``, shape (paths,)."""
        if name in self._correlated:
            if self._copula_z is None:
                independent = np.stack([self._z(n) for n in self._correlated])  # (inputs, paths)
                self._copula_z = self._cholesky @ independent
            return self._copula_z[self._correlated.index(name)]
        return self._z(name)

    def scalar(self, spec: float | Spec, name: str) -> np.ndarray:
        """Per-path draws of an uncertain number, float64 of shape (paths,)."""
        if not isinstance(spec, Spec):
            return np.full(self.n, float(spec))
        values = spec.ppf(ndtr(self.standard_normal(spec.stream(name))))
        self.draws[name] = values
        return values

    def series(self, spec, name: str, months: int) -> np.ndarray:
        """Per-path monthly values of a time-varying input, shape (paths, months)."""
        if isinstance(spec, Schedule):
            knots = np.stack([self.scalar(v, f"{name}.schedule.{m}") for m, v in spec.schedule.items()], axis=1)
            return spec.evaluate(knots, months)
        if isinstance(spec, Trend):
            return spec.evaluate(
                self.scalar(spec.start, f"{name}.start"), self.scalar(spec.growth, f"{name}.growth"), months
            )
        return np.repeat(self.scalar(spec, name)[:, None], months, axis=1)
