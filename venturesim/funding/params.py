"""Per-path funding-round parameters drawn from the scenario."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from venturesim.funding.schema import Funding
from venturesim.funding.waterfall import CAPPED, FULL, NONE
from venturesim.scenario.sampling import Sampler


class FundingParams(NamedTuple):
    """Round inputs for a block of paths; (paths, R) with R = rounds unless noted.

    ``reference_arr`` is +inf for a round without a traction block; ``milestone_arr``
    +inf without a milestone; ``pool_target`` −1 without a pool top-up;
    ``participation`` is :data:`venturesim.funding.waterfall.NONE`/``FULL``/``CAPPED``.
    """

    trigger_runway: np.ndarray  # months
    earliest_month: np.ndarray  # month
    success_probability: np.ndarray
    pre_money: np.ndarray  # USD
    amount: np.ndarray  # USD
    time_to_close: np.ndarray  # months
    max_attempts: np.ndarray
    retry_delay: np.ndarray  # months
    down_round_factor: np.ndarray
    milestone_arr: np.ndarray  # USD
    reference_arr: np.ndarray  # USD
    success_elasticity: np.ndarray
    valuation_elasticity: np.ndarray
    preference: np.ndarray  # multiple of the amount
    participation: np.ndarray
    cap_multiple: np.ndarray
    seniority: np.ndarray
    pool_target: np.ndarray  # fraction of the post-money
    climate: np.ndarray  # (paths, T)
    acquisition_hazard: np.ndarray  # (paths,) annual probability at the reference ARR (0: no acquisitions)
    acquisition_reference_arr: np.ndarray  # (paths,) USD
    acquisition_elasticity: np.ndarray  # (paths,)
    acquisition_multiple: np.ndarray  # (paths,) × ARR
    ipo_threshold: np.ndarray  # (paths,) USD (+inf: no IPO)
    ipo_multiple: np.ndarray  # (paths,) × ARR
    acquihire_probability: np.ndarray  # (paths,)
    acquihire_value_per_head: np.ndarray  # (paths,) USD
    asset_sale: np.ndarray  # (paths,) USD


def sample_funding(funding: Funding, sampler: Sampler, months: int) -> FundingParams:
    """Draw each round's inputs (R may be 0: then every array is (paths, 0)) and the exits'."""
    def per_round(field):
        columns = [sampler.scalar(getattr(r, field), f"funding.rounds.{r.name}.{field}") for r in funding.rounds]
        return np.stack(columns, axis=1) if columns else np.zeros((sampler.n, 0))

    def fixed(field, value=None):
        values = [float(getattr(r, field) if value is None else value(r)) for r in funding.rounds]
        return np.broadcast_to(np.asarray(values).reshape(-1), (sampler.n, len(funding.rounds)))

    def traction(field, default):
        return fixed(field, lambda r: default if r.traction is None else getattr(r.traction, field))

    inf = float("inf")
    exits, n = funding.exits, sampler.n
    acquisition, ipo, shutdown = exits.acquisition, exits.ipo, exits.shutdown
    participation = {"none": NONE, "full": FULL, "capped": CAPPED}

    return FundingParams(
        trigger_runway=per_round("trigger_runway_months"),
        earliest_month=fixed("earliest_month"),
        success_probability=per_round("success_probability"),
        pre_money=per_round("pre_money"),
        amount=per_round("amount"),
        time_to_close=per_round("time_to_close_months"),
        max_attempts=fixed("max_attempts"),
        retry_delay=per_round("retry_delay_months"),
        down_round_factor=fixed("down_round_factor"),
        milestone_arr=fixed("start_when_arr_at_least", lambda r: inf if r.start_when_arr_at_least is None
                            else r.start_when_arr_at_least),
        reference_arr=traction("reference_arr", inf),
        success_elasticity=traction("success_elasticity", 0.0),
        valuation_elasticity=traction("valuation_elasticity", 0.0),
        preference=fixed("liquidation_preference"),
        participation=fixed("participation", lambda r: participation[r.participation]),
        cap_multiple=fixed("participation_cap"),
        seniority=fixed("seniority"),
        pool_target=fixed("option_pool_post", lambda r: -1.0 if r.option_pool_post is None else r.option_pool_post),
        climate=sampler.series(funding.climate, "funding.climate", months),
        acquisition_hazard=np.zeros(n) if acquisition is None
        else sampler.scalar(acquisition.hazard_annual, "funding.exits.acquisition.hazard_annual"),
        acquisition_reference_arr=np.full(n, 1.0 if acquisition is None else acquisition.reference_arr),
        acquisition_elasticity=np.full(n, 0.0 if acquisition is None else acquisition.arr_elasticity),
        acquisition_multiple=np.zeros(n) if acquisition is None
        else sampler.scalar(acquisition.arr_multiple, "funding.exits.acquisition.arr_multiple"),
        ipo_threshold=np.full(n, inf if ipo is None else ipo.arr_threshold),
        ipo_multiple=np.zeros(n) if ipo is None else sampler.scalar(ipo.arr_multiple, "funding.exits.ipo.arr_multiple"),
        acquihire_probability=sampler.scalar(shutdown.acquihire_probability, "funding.exits.shutdown.acquihire_probability"),
        acquihire_value_per_head=sampler.scalar(
            shutdown.acquihire_value_per_head, "funding.exits.shutdown.acquihire_value_per_head"
        ),
        asset_sale=sampler.scalar(shutdown.asset_sale, "funding.exits.shutdown.asset_sale"),
    )
