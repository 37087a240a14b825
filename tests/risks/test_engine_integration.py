"""Risk-applied Params run unchanged through the JAX engine, and the shocks show in its results."""

import jax
import numpy as np
import pytest
from builders import rounds_scenario

import venturesim as vs
from venturesim.engine.jax_engine import BLOCK, run_block
from venturesim.engine.params import sample
from venturesim.risks import Risks, apply_risks, sample_risks
from venturesim.spec.sampling import Sampler, path_keys


@pytest.mark.slow
def test_funding_winter_and_legal_costs_reach_the_engine():
    # $100k cash, $10k/month burn, a seed round (p = 0.9) started at the end of month 2 (runway 7 < 7.5)
    # with month 2's climate, resolving at time 5. A funding winter in month 0 (hazard 50/month:
    # P(τ ≥ 1) = e^{-50}) sets the climate to 10⁻⁶ in months 1–12: odds 0.9·10⁻⁶/0.1, the round fails.
    scenario = vs.load(rounds_scenario(0.9, paths=BLOCK, trigger_runway_months=7.5))
    key = jax.random.key(0)
    params = sample(scenario, key, BLOCK)
    section = Risks.model_validate(
        {
            "custom": [
                {
                    "name": "winter",
                    "hazard_monthly": 50.0,
                    "impacts": [{"target": "funding.climate", "value": 0.0, "duration_months": 12}],
                },
                {
                    "name": "suit",
                    "hazard_monthly": {"schedule": {0: 0.0, 5: 100.0}},
                    "impacts": [
                        {"target": "company.other_costs", "mode": "add", "value": 20_000, "duration_months": 2}
                    ],
                },
            ]
        }
    )
    draws = sample_risks(section, Sampler(key, np.arange(BLOCK)), 14, segments=["s"], rounds=["seed"])
    shocked, _ = apply_risks(params, draws)
    keys = path_keys(jax.random.key(1), np.arange(1, dtype=np.uint32))
    metrics = ("cash", "other_costs", "financing")
    _, plain = run_block(params, keys, 14, metrics)
    records, final = run_block(shocked, keys, 14, metrics)
    closed_plain = (np.asarray(plain["round_status"])[:, 0] == 2).mean()
    closed_shocked = (np.asarray(final["round_status"])[:, 0] == 2).mean()
    assert abs(closed_plain - 0.9) < 3 * np.sqrt(0.09 / BLOCK)
    assert closed_shocked < 0.001  # p ≈ 9·10⁻⁶ per path
    # the lawsuit arrives in month 5 (τ ∈ [5, 5.01) on almost every path) → +$20k in months 6 and 7
    other = np.asarray(records["other_costs"])[:, 0]  # (months,) of path 0
    np.testing.assert_allclose(other[:6], params.company.other_costs[0, :6])
    np.testing.assert_allclose(other[6:8], params.company.other_costs[0, 6:8] + 20_000.0)
