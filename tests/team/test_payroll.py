"""Payroll of a fixed team equals hand computation, month by month."""

import jax
import numpy as np

import venturesim as vs
from venturesim.scenario.sampling import Sampler
from venturesim.team.payroll import sample_team


def test_payroll_by_hand_with_a_raise_and_hires():
    sc = vs.load(
        {
            "name": "payroll",
            "company": {"initial_cash": 1e6},
            "market": {"segments": [{"name": "s", "market_size": 100, "price": 10}]},
            "team": {
                "roles": [
                    {"name": "eng", "monthly_cost": {"schedule": {0: 15_000, 6: 16_500}}, "headcount": {0: 2, 3: 3}},
                    {"name": "ceo", "monthly_cost": 10_000, "headcount": 1},
                ]
            },
        }
    )
    team = sample_team(sc.team, Sampler(jax.random.key(0), np.arange(3)), months=12)
    eng_heads = [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    eng_cost = [15_000] * 6 + [16_500] * 6
    expected = [h * c + 10_000 for h, c in zip(eng_heads, eng_cost)]
    np.testing.assert_allclose(team.payroll[0], expected)
    np.testing.assert_allclose(team.headcount[1], [h + 1 for h in eng_heads])
    # 12-month total by hand: 3·40,000 + 3·55,000 + 6·59,500 = 642,000
    assert team.payroll[2].sum() == 642_000
