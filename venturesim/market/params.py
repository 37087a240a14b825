"""Per-path market parameters drawn from the scenario."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from venturesim.market.schema import Market
from venturesim.scenario.sampling import Sampler


class MarketParams(NamedTuple):
    """Market inputs for a block of paths (S = segments, T = months).

    Attributes
    ----------
    market_size : (paths, S) potential customers, whole numbers.
    p_monthly, q_monthly : (paths, S) Bass coefficients per month (annual / 12).
    price : (paths, T, S) USD per active customer per month.
    churn : (paths, T, S) monthly logo churn fraction.
    launch_month : (paths, S) month the segment opens.
    initial_customers : (paths, S) active customers at month 0.
    cost_of_revenue : (paths,) fraction of revenue spent serving it (besides tokens).
    tokens_per_customer : (paths, S) tokens served per active customer per month.
    """

    market_size: np.ndarray
    p_monthly: np.ndarray
    q_monthly: np.ndarray
    price: np.ndarray
    churn: np.ndarray
    launch_month: np.ndarray
    initial_customers: np.ndarray
    cost_of_revenue: np.ndarray
    tokens_per_customer: np.ndarray


def sample_market(market: Market, sampler: Sampler, months: int) -> MarketParams:
    """Draw the market inputs for ``sampler``'s paths."""
    def per_segment(field):
        return np.stack(
            [sampler.scalar(getattr(s, field), f"market.segments.{s.name}.{field}") for s in market.segments],
            axis=1,
        )

    def per_segment_series(field):
        return np.stack(
            [sampler.series(getattr(s, field), f"market.segments.{s.name}.{field}", months) for s in market.segments],
            axis=2,
        )

    size = np.maximum(np.round(per_segment("market_size")), 1.0)
    n = sampler.n
    return MarketParams(
        market_size=size,
        p_monthly=per_segment("bass_p_annual") / 12.0,
        q_monthly=per_segment("bass_q_annual") / 12.0,
        price=per_segment_series("price"),
        churn=per_segment_series("churn"),
        launch_month=np.broadcast_to([s.launch_month for s in market.segments], (n, len(market.segments))),
        initial_customers=np.minimum(
            np.broadcast_to([float(s.initial_customers) for s in market.segments], size.shape), size
        ),
        cost_of_revenue=sampler.scalar(market.cost_of_revenue, "market.cost_of_revenue"),
        tokens_per_customer=per_segment("tokens_per_customer_month"),
    )
