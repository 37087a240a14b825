"""The market in the discrete-event engine: one path's month, in NumPy.

The same model as :mod:`venturesim.market.step` (churn, then Bass adoption
by the exact one-month flow, then revenue on the month-end customers), drawn
with NumPy's exact binomial sampler from the path's own generator.
"""

from __future__ import annotations

import numpy as np

from venturesim.market.bass import advance_fraction
from venturesim.market.params import MarketParams
from venturesim.market.step import QualityEffect


def market_month(
    rng: np.random.Generator, customers: np.ndarray, adopters: np.ndarray, market: MarketParams, t: int,
    quality: QualityEffect,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Month t for one path.

    Parameters
    ----------
    customers, adopters : (S,) active customers and adopters ever.
    market : one path's MarketParams (each leaf without the path axis).
    quality : the quality gap's multipliers (floats) for this month.

    Returns
    -------
    customers, adopters, new, churned : (S,) arrays after the month.
    revenue : USD billed at the end of the month.
    tokens : tokens served in the month.
    """
    is_open = t >= market.launch_month
    churn = np.minimum(market.churn[t] * quality.churn, 1.0)
    churned = np.where(is_open, rng.binomial(customers.astype(np.int64), churn), 0)
    f = adopters / market.market_size
    f_next = advance_fraction(f, market.p_monthly * quality.adoption, market.q_monthly * quality.adoption, xp=np)
    adopt_prob = np.where(f < 1.0, (f_next - f) / np.maximum(1.0 - f, 1e-12), 0.0)
    remaining = np.maximum(market.market_size - adopters, 0).astype(np.int64)
    new = np.where(is_open, rng.binomial(remaining, np.clip(adopt_prob, 0.0, 1.0)), 0)
    customers = customers - churned + new
    revenue = float(np.sum(np.where(is_open, customers * market.price[t] * quality.price, 0.0)))
    tokens = float(np.sum(np.where(is_open, customers * market.tokens_per_customer, 0.0)))
    return customers, adopters + new, new, churned, revenue, tokens
