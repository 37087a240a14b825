"""Compute spend as a monthly line (USD per month), drawn per path."""

from __future__ import annotations

import numpy as np

from venturesim.model_costs.schema import Compute
from venturesim.spec.sampling import Sampler


def sample_compute(compute: Compute, sampler: Sampler, months: int) -> np.ndarray:
    """(paths, months) compute spend, USD per month."""
    return sampler.series(compute.monthly_spend, "compute.monthly_spend", months)
