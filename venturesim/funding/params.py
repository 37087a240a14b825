"""Per-path funding-round parameters drawn from the scenario."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from venturesim.funding.schema import Funding
from venturesim.scenario.sampling import Sampler


class FundingParams(NamedTuple):
    """Round inputs for a block of paths; each array is (paths, R), R = rounds."""

    trigger_runway: np.ndarray  # months
    earliest_month: np.ndarray  # month
    success_probability: np.ndarray
    pre_money: np.ndarray  # USD
    amount: np.ndarray  # USD
    time_to_close: np.ndarray  # months
    max_attempts: np.ndarray
    retry_delay: np.ndarray  # months


def sample_funding(funding: Funding, sampler: Sampler) -> FundingParams:
    """Draw each round's inputs (R may be 0: then every array is (paths, 0))."""
    def per_round(field):
        columns = [sampler.scalar(getattr(r, field), f"funding.rounds.{r.name}.{field}") for r in funding.rounds]
        return np.stack(columns, axis=1) if columns else np.zeros((sampler.n, 0))

    def fixed(field):
        return np.broadcast_to(
            np.asarray([float(getattr(r, field)) for r in funding.rounds]), (sampler.n, len(funding.rounds))
        )

    return FundingParams(
        trigger_runway=per_round("trigger_runway_months"),
        earliest_month=fixed("earliest_month"),
        success_probability=per_round("success_probability"),
        pre_money=per_round("pre_money"),
        amount=per_round("amount"),
        time_to_close=per_round("time_to_close_months"),
        max_attempts=fixed("max_attempts"),
        retry_delay=per_round("retry_delay_months"),
    )
