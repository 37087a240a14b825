"""A hand-vectorised NumPy version of the foundation's monthly model: a speed reference.

The month :func:`venturesim.engine.jax_engine.step` ran at the foundation (2026-11-29), on the same
:class:`~venturesim.engine.params.Params`, written with NumPy: a Python loop
over months, every operation vectorised over paths (no loop over paths). The engine has since gained
hiring and attrition, the failure policy, pricing and billing, the product's costs and risks, so this is
no longer the same company (``benchmarks/engine.py`` checks the engine against the discrete-event engine
instead, and prints this one's figures for information). Each month t (the interval [t, t+1)):

1. market (:mod:`venturesim.market.step`): churned ~ Binomial(customers,
   churn[t]); new ~ Binomial(m − adopters, (f' − f)/(1 − f)) with f' the
   exact one-month Bass flow map from f = adopters/m
   (:func:`venturesim.market.bass.advance_fraction`); both are zero in a
   segment not yet launched or for a dead company; revenue =
   Σ_open segments customers · price[t] (0 when dead);
2. funding attempts due in month t resolve (:func:`venturesim.funding.rounds.resolve_rounds`);
3. costs = payroll + compute + other costs + cost_of_revenue · revenue;
4. cash[t] = cash[t−1] + revenue − costs + financing;
5. a path whose cash is below 0 dies and stays dead;
6. runway = cash / (costs − revenue) when burning, +∞ when profitable, NaN when dead;
7. a round whose trigger is met starts raising (:func:`venturesim.funding.rounds.start_rounds`).

Differences from the JAX engine, by design: the random numbers come from
NumPy's ``Generator`` (one stream for all paths, so results are not
reproducible per path across chunkings) and binomials use
``Generator.binomial`` (exact) instead of the engine's inversion / rounded
normal approximation; state is float64 rather than float32. So the two agree
statistically, not path by path.

Usage::

    params = venturesim.sample(scenario, jax.random.key(0), n, months=60)
    records = simulate_numpy(params, months=60, seed=0)
    records["alive"]  # (months, paths) bool
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from venturesim.team.payroll import plan_payroll

WAITING, RAISING, CLOSED, ABANDONED = 0, 1, 2, 3
RECORDS = ("cash", "arr", "alive", "customers", "runway")


def _as_numpy(params: Any) -> Any:
    """Every leaf of the Params pytree as a NumPy array (dtype kept)."""
    return jax.tree_util.tree_map(np.asarray, params)


def _binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) with n a float array holding whole numbers ≥ 0; returns float64."""
    trials = np.rint(np.maximum(n, 0.0)).astype(np.int64)
    prob = np.clip(p, 0.0, 1.0)
    return rng.binomial(trials, prob).astype(np.float64)


def simulate_numpy(params: Any, months: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Run ``months`` months for every path of ``params``.

    Parameters
    ----------
    params : the :class:`~venturesim.engine.params.Params` from ``venturesim.sample``
        (JAX or NumPy leaves; converted with ``np.asarray``).
    months : horizon, ≤ the number of months the params were sampled for.
    seed : seed of the NumPy ``Generator``.

    Returns
    -------
    dict of (months, paths) arrays: cash (USD), arr (USD), alive (bool),
    customers (all segments), runway (months; +inf profitable, NaN dead).
    """
    P = _as_numpy(params)
    co, mk, tm, fd = P.company, P.market, P.team, P.funding
    rng = np.random.default_rng(seed)
    f64 = np.float64

    n_paths = co.initial_cash.shape[0]
    n_rounds = fd.amount.shape[1]

    # --- inputs as float64 (paths, ...) ---
    size = mk.market_size.astype(f64)
    p_m = mk.p_monthly.astype(f64)
    q_m = mk.q_monthly.astype(f64)
    launch = mk.launch_month.astype(f64)
    cost_of_revenue = mk.cost_of_revenue.astype(f64)
    decay = np.exp(-(p_m + q_m))  # one-month factor of the flow map, constant per path
    ratio = q_m / p_m

    trigger = fd.trigger_runway.astype(f64)
    earliest = fd.earliest_month.astype(f64)
    success_p = fd.success_probability.astype(f64)
    pre_money = fd.pre_money.astype(f64)
    amount = fd.amount.astype(f64)
    time_to_close = fd.time_to_close.astype(f64)
    max_attempts = fd.max_attempts.astype(f64)
    retry_delay = fd.retry_delay.astype(f64)
    post_money = pre_money + amount
    round_dilution = pre_money / post_money

    # Time-varying inputs as contiguous (T, paths, ...) so that month t is one
    # contiguous slice (slicing [:, t] of a (paths, T) array is a strided gather).
    def by_month(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.moveaxis(a[:, :months], 1, 0), dtype=f64)

    churn, price = by_month(mk.churn), by_month(mk.price)
    # a static team (the baseline models no hiring pipeline or attrition)
    payroll_t, compute_t, other_t = by_month(plan_payroll(tm)), by_month(co.compute), by_month(co.other_costs)

    # --- state ---
    cash = co.initial_cash.astype(f64).copy()
    alive = np.ones(n_paths, bool)
    adopters = mk.initial_customers.astype(f64).copy()
    customers = adopters.copy()
    status = np.zeros((n_paths, n_rounds), np.int32)
    resolve_time = np.zeros((n_paths, n_rounds))
    next_try = np.zeros((n_paths, n_rounds))
    attempts = np.zeros((n_paths, n_rounds))
    founder = co.founder_ownership.astype(f64).copy()

    out = {
        "cash": np.empty((months, n_paths), np.float32),
        "arr": np.empty((months, n_paths), np.float32),
        "alive": np.empty((months, n_paths), bool),
        "customers": np.empty((months, n_paths), np.float32),
        "runway": np.empty((months, n_paths), np.float32),
    }

    for t in range(months):
        # 1. market
        is_open = alive[:, None] & (t >= launch)
        churned = _binomial(rng, np.where(is_open, customers, 0.0), churn[t])
        f = adopters / size
        x_next = (1.0 - f) / (1.0 + ratio * f) * decay
        f_next = (1.0 - x_next) / (1.0 + ratio * x_next)
        adopt_prob = np.where(f < 1.0, (f_next - f) / np.maximum(1.0 - f, 1e-12), 0.0)
        new = _binomial(rng, np.where(is_open, size - adopters, 0.0), adopt_prob)
        customers = customers - churned + new
        adopters = adopters + new
        revenue = np.where(alive, np.sum(np.where(is_open, customers * price[t], 0.0), axis=1), 0.0)

        # 2. funding: resolve attempts due in [t, t+1)
        if n_rounds:
            u = rng.random((n_paths, n_rounds))
            due = alive[:, None] & (status == RAISING) & (resolve_time < t + 1.0)
            success = due & (u < success_p)
            failure = due & ~success
            attempts = attempts + failure
            give_up = failure & (attempts >= max_attempts)
            status = np.where(success, CLOSED, status)
            status = np.where(failure, np.where(give_up, ABANDONED, WAITING), status)
            next_try = np.where(failure, resolve_time + retry_delay, next_try)
            founder = founder * np.prod(np.where(success, round_dilution, 1.0), axis=1)
            financing = np.sum(np.where(success, amount, 0.0), axis=1)
        else:
            financing = 0.0

        # 3-4. costs and the cash identity
        payroll = np.where(alive, payroll_t[t], 0.0)
        compute = np.where(alive, compute_t[t], 0.0)
        other = np.where(alive, other_t[t], 0.0)
        costs = payroll + compute + other + revenue * cost_of_revenue
        cash = cash + revenue - costs + financing

        # 5-6. death and runway
        alive_next = alive & (cash >= 0.0)
        net_burn = costs - revenue
        with np.errstate(divide="ignore", invalid="ignore"):
            runway = np.where(net_burn > 0, cash / np.maximum(net_burn, 1e-9), np.inf)
        runway = np.where(alive_next, runway, np.nan)

        # 7. funding: start the current round when runway is short
        if n_rounds:
            done = (status == CLOSED) | (status == ABANDONED)
            earlier_done = np.cumprod(np.concatenate([np.ones_like(done[:, :1]), done[:, :-1]], axis=1), axis=1).astype(
                bool
            )
            now = t + 1.0
            start = (
                alive_next[:, None]
                & earlier_done
                & (status == WAITING)
                & (runway[:, None] < trigger)
                & (now >= earliest)
                & (now >= next_try)
            )
            status = np.where(start, RAISING, status)
            resolve_time = np.where(start, now + time_to_close, resolve_time)

        out["cash"][t] = cash
        out["arr"][t] = 12.0 * np.where(alive_next, revenue, 0.0)
        out["alive"][t] = alive_next
        out["customers"][t] = np.where(alive_next[:, None], customers, 0.0).sum(axis=1)
        out["runway"][t] = runway
        alive = alive_next

    return out
