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

A :class:`Design` changes where an input's numbers come from, for the
analyses (:mod:`venturesim.analysis`): ``uniforms`` replace an input's keyed
``z`` by ``Φ⁻¹(u)`` (a Latin hypercube or scrambled Sobol column, or a Sobol
sensitivity study's sample matrix; the copula still applies), and ``pinned``
sets an input at a quantile ``q`` of its distribution, ``ppf(q)``, after the
copula (a tornado's p10 and p90). Every other input keeps its keyed draws, so
runs that differ only in their design share common random numbers.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import ndtr, ndtri

from venturesim._jax_random import fold_in
from venturesim.spec.distributions import Spec
from venturesim.spec.timeseries import draw_series


@jax.jit
def path_keys(key: jax.Array, path_index: jax.Array) -> jax.Array:
    """Per-path keys ``fold_in(key, i)`` for each path index ``i``; shape (paths,)."""
    return fold_in(key, path_index)


@jax.jit
def _standard_normals(keys: jax.Array, stream: jax.Array) -> jax.Array:
    """One N(0, 1) draw per path from ``fold_in(key_i, stream)``; shape (paths,)."""
    return jax.vmap(jax.random.normal)(fold_in(keys, stream))


UNIFORM_EDGE = 1e-12
"""Uniforms are clipped to [UNIFORM_EDGE, 1 − UNIFORM_EDGE] before Φ⁻¹ (a Sobol point can be exactly 0)."""


@dataclass(frozen=True)
class Design:
    """Where some inputs' numbers come from instead of their keyed draws, one row per path.

    Parameters
    ----------
    uniforms : input name → (paths,) uniforms in [0, 1): the input's independent standard normal
        becomes Φ⁻¹(u) (then the copula, if the input is correlated, then its distribution's ppf).
    pinned : input name → a quantile q in (0, 1), or (paths,) quantiles: the input is ppf(q) of its
        distribution, whatever its correlations.
    """

    uniforms: Mapping[str, np.ndarray] = field(default_factory=dict)
    pinned: Mapping[str, float | np.ndarray] = field(default_factory=dict)

    def take(self, rows: np.ndarray) -> Design:
        """The design of the paths at ``rows`` (0-based rows of this design)."""
        return Design(
            uniforms={name: np.asarray(u)[rows] for name, u in self.uniforms.items()},
            pinned={name: q if np.ndim(q) == 0 else np.asarray(q)[rows] for name, q in self.pinned.items()},
        )

    def names(self) -> set[str]:
        """Every input this design sets."""
        return set(self.uniforms) | set(self.pinned)


def _normal_of(u, n: int) -> np.ndarray:
    """Φ⁻¹ of clipped uniforms, broadcast to (n,)."""
    return np.broadcast_to(ndtri(np.clip(np.asarray(u, np.float64), UNIFORM_EDGE, 1.0 - UNIFORM_EDGE)), (n,)).copy()


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
    design : a :class:`Design` for these paths (rows in ``path_index`` order), or None.
    """

    def __init__(
        self, key: jax.Array, path_index: np.ndarray, correlated=(), correlation=None, design: Design | None = None
    ):
        self.n = len(path_index)
        self._keys = path_keys(key, jnp.asarray(path_index, dtype=jnp.uint32))
        self._correlated = list(correlated)
        self._cholesky = np.linalg.cholesky(correlation) if len(self._correlated) else None
        self._copula_z: np.ndarray | None = None
        self.draws: dict[str, np.ndarray] = {}
        self._design = design or Design()

    def _z(self, name: str) -> np.ndarray:
        if name in self._design.uniforms:
            return _normal_of(self._design.uniforms[name], self.n)
        return np.asarray(_standard_normals(self._keys, np.uint32(stream_id(name))), np.float64)

    def standard_normal(self, name: str) -> np.ndarray:
        """The (possibly correlated) N(0, 1) variate of input ``name``, shape (paths,)."""
        if name in self._design.pinned:
            return _normal_of(self._design.pinned[name], self.n)
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
        return draw_series(self.scalar, spec, name, months)
