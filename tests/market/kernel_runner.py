"""Run the market's JAX kernel and its DES month directly on a dict scenario (shared by tests/market).

``run_kernel`` scans :func:`venturesim.market.step.step_market` over the months
with every path alive and no quality gap (all multipliers 1), as the JAX engine
does; ``run_des`` loops :func:`venturesim.market.process.market_month` over the
same per-path parameters with a NumPy generator per path, as the DES engine does.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import venturesim as vs
from venturesim.engine.params import sample
from venturesim.market.process import market_month
from venturesim.market.step import QualityEffect, init_market, step_market


def segment(name="s", **fields) -> dict:
    """A segment with no churn, price 1 and no Bass adoption, changed by ``fields``.

    With p = 1e-9 a year, q = 0 and m = 2^20, the kernel's float32 Bass step is exact:
    f = adopters/2^20 and 1 − f are exact, e^{−p} rounds to 1, so f' = f and nobody adopts
    (with another m, 1 − (1 − f) ≠ f in float32 lets a few accounts in by rounding).
    """
    return {
        "name": name,
        "market_size": 2**20,
        "bass_p_annual": 1e-9,
        "bass_q_annual": 0.0,
        "price": 1.0,
        "churn": 0.0,
    } | fields


def market_scenario(segments: list[dict], channels: list[dict] = (), **market) -> dict:
    return {
        "name": "market",
        "company": {"initial_cash": 1e12},
        "market": {"segments": segments, "channels": list(channels)} | market,
    }


def market_params(spec: dict, paths: int, months: int, seed: int = 0):
    return sample(vs.load(spec), jax.random.key(seed), paths, months=months).market


@partial(jax.jit, static_argnames="months")
def _scan(params, key, months: int):
    n = params.market_size.shape[0]
    ones = jnp.ones(n, jnp.float32)
    quality = QualityEffect(ones, ones, ones)
    active = jnp.ones(n, bool)

    def body(state, t):
        state, flows = step_market(jax.random.fold_in(key, t), state, params, t, active, quality)
        return state, (flows, state.customers)

    return jax.lax.scan(body, init_market(params), jnp.arange(months))


def run_kernel(spec: dict, paths: int, months: int, seed: int = 0):
    """(final state, flows, customers): flows' leaves and customers are NumPy (paths, months, ...)."""
    params = market_params(spec, paths, months, seed)
    state, (flows, customers) = _scan(params, jax.random.key(seed + 1), months)
    flows = jax.tree_util.tree_map(lambda a: np.moveaxis(np.asarray(a, np.float64), 0, 1), flows)
    return state, flows, np.moveaxis(np.asarray(customers, np.float64), 0, 1)


def run_des(spec: dict, paths: int, months: int, seed: int = 0) -> dict:
    """Per path, the DES market months; returns {flow name: (paths, months, ...)} plus 'customers'."""
    params = market_params(spec, paths, months, seed)
    quality = QualityEffect(1.0, 1.0, 1.0)
    out: dict[str, list] = {}
    for i in range(paths):
        m = jax.tree_util.tree_map(lambda a, i=i: np.asarray(a[i], np.float64), params)  # path i's row
        rng = np.random.default_rng(np.random.SeedSequence([seed, 99, i]))
        customers, adopters, book = m.initial_customers.copy(), m.initial_customers.copy(), None
        rows: dict[str, list] = {}
        for t in range(months):
            month = market_month(rng, customers, adopters, m, t, quality, book)
            customers, adopters, book = month.customers, month.adopters, month.book
            for name, value in month.flows._asdict().items():
                rows.setdefault(name, []).append(np.asarray(value, np.float64))
            rows.setdefault("customers", []).append(np.asarray(customers, np.float64))
        for name, values in rows.items():
            out.setdefault(name, []).append(np.stack(values))
    return {name: np.stack(v) for name, v in out.items()}


def z_scores(samples: np.ndarray, expected) -> np.ndarray:
    """(mean − expected)/SE over the path axis 0 (SE = sd/√paths); 0 where SE and error are both 0."""
    samples = np.asarray(samples, np.float64)
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    err = mean - np.asarray(expected, np.float64)
    return np.where(se > 0, err / np.where(se > 0, se, 1.0), np.where(np.abs(err) < 1e-9, 0.0, np.inf))
