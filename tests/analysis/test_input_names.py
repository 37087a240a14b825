"""One name per input: the engines draw every uncertain input under its ``--set`` name.

``result.inputs``, ``correlations:``, ``--set`` and the analyses all name an input by its field path
(list items by their ``name``). A round's success probability used to be drawn as
``funding.rounds.R.probability``, so a correlation on ``...success_probability`` validated but never
acted; it now acts (Spearman ρ of the draws within 4 SEs of the requested 0.8).
"""

from pathlib import Path

import jax
import numpy as np
import pytest
from scipy.stats import spearmanr

import venturesim as vs
from venturesim.analysis.sampling import input_names
from venturesim.engine.params import sample_with_draws
from venturesim.scenario.inputs import uncertain_inputs

SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_drawn_input_is_named_as_in_the_scenario(path):
    scenario = vs.load(path)
    drawn = set(input_names(scenario))
    named = set(uncertain_inputs(scenario))
    assert named <= drawn  # every distribution in the file is drawn under its own name
    for extra in drawn - named:  # the rest are catalogue defaults of a field left out (an accelerator's price)
        assert extra.endswith("price_per_hour"), extra


def test_correlation_on_success_probability_acts():
    data = vs.load("scenarios/seed_stage_api.yaml").model_dump(mode="json", exclude_none=True)
    data["correlations"] = [
        {
            "between": ["funding.rounds.seed.success_probability", "market.segments.midmarket.churn"],
            "rank_correlation": 0.8,
        }
    ]
    scenario = vs.load(data)
    _, draws = sample_with_draws(scenario, jax.random.key(1), 2000, months=12)
    rho = spearmanr(draws["funding.rounds.seed.success_probability"], draws["market.segments.midmarket.churn"])[0]
    se = (1 - 0.8**2) * np.sqrt(1.06 / (2000 - 3))  # Fieller, Hartley & Pearson (1957): ≈ 0.0083
    assert abs(rho - 0.8) < 4 * se


def test_quality_response_elasticity_can_be_uncertain():
    data = vs.load("scenarios/seed_stage_api.yaml").model_dump(mode="json", exclude_none=True)
    data.setdefault("product", {}).setdefault("quality_response", {})["adoption"] = {"p5": 1.0, "p95": 4.0}
    scenario = vs.load(data)
    _, draws = sample_with_draws(scenario, jax.random.key(1), 4000, months=12)
    x = draws["product.quality_response.adoption"]
    assert np.quantile(x, [0.05, 0.95]) == pytest.approx([1.0, 4.0], rel=0.05)
