"""Shared builders for the risk tests: a small two-segment scenario and its drawn Params."""

import jax
import numpy as np

import venturesim as vs
from venturesim.engine.params import sample
from venturesim.risks import Risks, sample_risks
from venturesim.spec.sampling import Sampler

SEGMENTS = ["smb", "enterprise"]


def scenario_dict(months: int = 24) -> dict:
    """$1M cash, $1k/month other costs, $5k/month compute, two segments at $50 and $500."""
    return {
        "name": "risks",
        "simulation": {"months": months, "paths": 8, "seed": 0},
        "company": {"initial_cash": 1_000_000, "founder_ownership": 0.9, "other_monthly_costs": 1_000},
        "compute": {"monthly_spend": 5_000},
        "market": {
            "segments": [
                {"name": "smb", "market_size": 1000, "price": 50, "churn": 0.03},
                {"name": "enterprise", "market_size": 100, "price": 500, "churn": 0.01},
            ]
        },
        "funding": {"rounds": [{"name": "seed", "success_probability": 0.5, "pre_money": 8e6, "amount": 2e6}]},
    }


def draw(risks: dict, n: int, months: int = 24, seed: int = 0):
    """(Params, RiskDraws) for ``n`` paths of the small scenario with the given ``risks`` section."""
    key = jax.random.key(seed)
    params = sample(vs.load(scenario_dict(months)), key, n)
    section = Risks.model_validate(risks)
    draws = sample_risks(section, Sampler(key, np.arange(n)), months, segments=SEGMENTS, rounds=["seed"])
    return params, draws
