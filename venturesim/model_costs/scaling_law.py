r"""The Chinchilla loss law, compute-optimal allocation, and fitting it to runs.

Loss (nats per token) of a model of N parameters trained on D tokens
(Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", eq. 2):

.. math:: L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}.

E is the entropy of natural text, the other terms the shortfall of a finite
model and of finite data. Published fits:

* :data:`CHINCHILLA` — Hoffmann et al. App. D.2, eq. 10, unrounded values from
  the paper's source as read by Epoch AI (analyzing-chinchilla notebook):
  log E = 0.5267228, log A = 6.0073404, log B = 6.0179186, α = 0.33917084,
  β = 0.2849083 (E = 1.6934, A = 406.40, B = 410.72).
* :data:`CHINCHILLA_ROUNDED` — as printed: E = 1.69, A = 406.4, B = 410.7,
  α = 0.34, β = 0.28.
* :data:`BESIROGLU_2024` — Besiroglu et al. 2024, "Chinchilla Scaling: A
  replication attempt": E = 1.8172, A = 482.01, B = 2085.43, α = 0.3478,
  β = 0.3658.

Compute-optimal allocation
--------------------------
Minimising L subject to 6·N·D = C gives (Hoffmann et al. eq. 4)

.. math::

    N_{opt} = G\,(C/6)^{a},\quad D_{opt} = G^{-1}(C/6)^{b},\quad
    G = \left(\frac{\alpha A}{\beta B}\right)^{1/(\alpha+\beta)},\quad
    a = \frac{\beta}{\alpha+\beta},\ b = \frac{\alpha}{\alpha+\beta}.

At Gopher's budget C = 5.76·10²³ FLOPs :data:`CHINCHILLA` gives
N ≈ 40.4 B and D ≈ 2.38 T (the paper's Approach 3, which it notes favours
smaller models than Approaches 1–2 and the 70 B / 1.4 T it trained), and
:data:`BESIROGLU_2024` gives N ≈ 72.2 B, D ≈ 1.33 T.

Fitting
-------
Hoffmann et al. §3.3 / App. D.2 fit

.. math::

    \min_{a,b,e,\alpha,\beta} \sum_i \mathrm{Huber}_\delta\Big(
        \mathrm{LSE}(a - \alpha\log N_i,\ b - \beta\log D_i,\ e) - \log L_i\Big),

with δ = 10⁻³, A = eᵃ, B = eᵇ, E = eᵉ, by L-BFGS from a grid of starts:
α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}.
:func:`fit_loss_law` evaluates the objective on that whole grid (4 500
points, vectorised) and runs L-BFGS-B (α, β ≥ 0) from the ``n_starts`` best
of them (all of them with ``n_starts=None``), with the analytic gradient, in
centred coordinates a′ = a − α·mean(log N), b′ = b − β·mean(log D) (the same
model, far better conditioned). The objective is divided by δ (which leaves
the minimiser unchanged) so the gradient is O(1).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

__all__ = [
    "BESIROGLU_2024",
    "CHINCHILLA",
    "CHINCHILLA_ROUNDED",
    "PAPER_GRID",
    "LossLaw",
    "compute_optimal",
    "fit_loss_law",
]


@dataclass(frozen=True)
class LossLaw:
    """L(N, D) = E + A/N^α + B/D^β, loss in nats per token.

    Attributes
    ----------
    E : irreducible loss, nats/token.
    A, B : scale of the parameter and data terms, nats/token.
    alpha, beta : exponents of N (parameters) and D (tokens).
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def __post_init__(self) -> None:
        for name in ("E", "A", "B", "alpha", "beta"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name}(={value!r}) must be a finite number > 0")

    def loss(self, N, D):
        """L(N, D) for parameters N and tokens D (NumPy broadcasting)."""
        N = np.asarray(N, dtype=np.float64)
        D = np.asarray(D, dtype=np.float64)
        if np.any(N <= 0) or np.any(D <= 0):
            raise ValueError(f"N(={N}) and D(={D}) must be > 0")
        value = self.E + self.A / N**self.alpha + self.B / D**self.beta
        return float(value) if value.ndim == 0 else value


CHINCHILLA = LossLaw(
    E=float(np.exp(0.5267228)), A=float(np.exp(6.0073404)), B=float(np.exp(6.0179186)), alpha=0.33917084, beta=0.2849083
)
"""Hoffmann et al. 2022 eq. 10, unrounded (Epoch AI's reading of the paper's source)."""

CHINCHILLA_ROUNDED = LossLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
"""Hoffmann et al. 2022 eq. 10 as printed."""

BESIROGLU_2024 = LossLaw(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658)
"""Besiroglu et al. 2024 refit of Hoffmann et al.'s Approach 3 data."""


def compute_optimal(law: LossLaw, C):
    """Loss-minimising (N_opt, D_opt) for compute C = 6·N·D FLOPs (Hoffmann eq. 4).

    Parameters
    ----------
    law : LossLaw
    C : float or array
        Training compute, FLOPs (> 0).

    Returns
    -------
    tuple
        (N_opt parameters, D_opt tokens), with 6·N_opt·D_opt = C.
    """
    C = np.asarray(C, dtype=np.float64)
    if np.any(C <= 0):
        raise ValueError(f"C(={C}) must be > 0")
    s = law.alpha + law.beta
    G = (law.alpha * law.A / (law.beta * law.B)) ** (1.0 / s)
    N = G * (C / 6.0) ** (law.beta / s)
    D = (C / 6.0) ** (law.alpha / s) / G
    if C.ndim == 0:
        return float(N), float(D)
    return N, D


PAPER_GRID = {
    "alpha": np.arange(0.0, 2.01, 0.5),
    "beta": np.arange(0.0, 2.01, 0.5),
    "e": np.arange(-1.0, 1.01, 0.5),
    "a": np.arange(0.0, 25.1, 5.0),
    "b": np.arange(0.0, 25.1, 5.0),
}
"""Initial points of Hoffmann et al. App. D.2 (5·5·5·6·6 = 4 500)."""

_ORDER = ("a", "b", "e", "alpha", "beta")


def _huber(r: np.ndarray, delta: float) -> np.ndarray:
    """Huber loss divided by δ: r²/(2δ) inside |r| ≤ δ, |r| − δ/2 outside."""
    small = np.abs(r) <= delta
    return np.where(small, 0.5 * r * r / delta, np.abs(r) - 0.5 * delta)


def _terms(theta: np.ndarray, logN: np.ndarray, logD: np.ndarray) -> np.ndarray:
    """(..., n, 3) stacked a − α log N, b − β log D, e."""
    a, b, e, alpha, beta = (theta[..., i, None] for i in range(5))
    return np.stack(np.broadcast_arrays(a - alpha * logN, b - beta * logD, e + 0 * logN), axis=-1)


def _objective(theta, logN, logD, logL, delta):
    """Σ Huber(LSE − log L)/δ and its gradient in (a, b, e, α, β) (plain NumPy: called ~10⁴ times)."""
    a, b, e, alpha, beta = theta
    x0, x1 = a - alpha * logN, b - beta * logD
    top = np.maximum(np.maximum(x0, x1), e)
    w0, w1, w2 = np.exp(x0 - top), np.exp(x1 - top), np.exp(e - top)
    total = w0 + w1 + w2
    r = top + np.log(total) - logL
    value = _huber(r, delta).sum()
    dh = np.clip(r / delta, -1.0, 1.0) / total  # Huber'(r)/δ × softmax normaliser
    g0, g1 = dh * w0, dh * w1
    grad = np.array([g0.sum(), g1.sum(), (dh * w2).sum(), -(g0 @ logN), -(g1 @ logD)])
    return value, grad


def _log_runs(N, D, loss, *, min_runs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log N, log D, log loss of the runs as flat arrays, after checking them."""
    arrays = [np.asarray(x, dtype=np.float64).ravel() for x in (N, D, loss)]
    if len({a.size for a in arrays}) != 1:
        raise ValueError(f"N, D and loss must have equal lengths (got {', '.join(str(a.size) for a in arrays)})")
    if arrays[0].size < min_runs:
        raise ValueError(f"need at least {min_runs} runs (got {arrays[0].size})")
    for name, a in zip(("N", "D", "loss"), arrays, strict=True):
        if not np.all(np.isfinite(a) & (a > 0)):
            raise ValueError(f"{name}(={a}) must all be finite and > 0")
    return np.log(arrays[0]), np.log(arrays[1]), np.log(arrays[2])


def fit_loss_law(
    N, D, loss, *, delta: float = 1e-3, n_starts: int | None = 32, grid=None, e_floor: float | None = None
) -> LossLaw:
    """Fit L(N, D) to observed losses as Hoffmann et al. 2022 did (Huber + L-BFGS).

    Parameters
    ----------
    N, D, loss : array_like
        Parameters, training tokens and final loss (nats/token) of each run;
        equal lengths, at least 5 runs.
    delta : float
        Huber threshold on log-loss residuals (paper: 10⁻³).
    n_starts : int or None
        L-BFGS starts: the best ``n_starts`` points of the grid by objective
        value; None runs from every grid point (slow: 4 500 optimisations).
    grid : dict, optional
        Start values for each of ``a, b, e, alpha, beta`` (default :data:`PAPER_GRID`).
    e_floor : float, optional
        Lower bound on E, nats/token. When the runs cannot tell E from the
        data term (too little curvature: typical of a few tiny runs), the
        optimum drifts to E → 0, where exp(e) underflows; a floor keeps the
        fit finite (the caller should then report E as not identified).

    Returns
    -------
    LossLaw
        The fit with the smallest objective.
    """
    logN, logD, logL = _log_runs(N, D, loss, min_runs=5)
    if not delta > 0:
        raise ValueError(f"delta(={delta}) must be > 0")
    grid = PAPER_GRID if grid is None else grid
    if e_floor is not None and not e_floor > 0:
        raise ValueError(f"e_floor(={e_floor}) must be > 0")
    e_low = None if e_floor is None else float(np.log(e_floor))
    starts = np.array(list(itertools.product(*(np.atleast_1d(grid[k]) for k in _ORDER))), dtype=np.float64)
    if e_low is not None:
        starts[:, _ORDER.index("e")] = np.maximum(starts[:, _ORDER.index("e")], e_low)

    # Rank the grid by objective, vectorised over starts: (starts, runs).
    residuals = logsumexp(_terms(starts[:, None, :], logN, logD)[:, 0], axis=-1) - logL
    ranked = starts[np.argsort(_huber(residuals, delta).sum(axis=1), kind="stable")]
    if n_starts is not None:
        if n_starts < 1:
            raise ValueError(f"n_starts(={n_starts}) must be ≥ 1 or None")
        ranked = ranked[:n_starts]

    # Optimise in centred coordinates a' = a − α·m_N, b' = b − β·m_D (m = mean log),
    # so that a' − α(log N − m_N) = a − α log N: same model, far better conditioned.
    mN, mD = logN.mean(), logD.mean()
    shift = np.array([[1, 0, 0, -mN, 0], [0, 1, 0, 0, -mD], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    unshift = np.array([[1, 0, 0, mN, 0], [0, 1, 0, 0, mD], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    from scipy.optimize import minimize  # imported when a law is fitted: checking a scenario needs no optimiser

    best = None
    bounds = [(None, None), (None, None), (e_low, None), (0.0, None), (0.0, None)]
    # L-BFGS-B's tiny BLAS calls slow down ~10x when BLAS threads contend for
    # busy cores; one thread is fastest for 5 parameters (threadpoolctl comes with pymc).
    with threadpool_limits(limits=1, user_api="blas"):
        results = [
            minimize(
                _objective,
                shift @ theta0,
                args=(logN - mN, logD - mD, logL, delta),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
            )
            for theta0 in ranked
        ]
    for result in results:
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    assert best is not None, "no start of the fit gave a finite loss"
    a, b, e, alpha, beta = unshift @ best.x
    return LossLaw(E=float(np.exp(e)), A=float(np.exp(a)), B=float(np.exp(b)), alpha=float(alpha), beta=float(beta))
