"""A sales-led segment: the JAX kernel (step_market) and the DES month (market_month) agree in distribution.

They share the per-path parameters but not the noise: JAX keeps open deals as
counts by age and resolves Binomial(open, P(K = a | K ≥ a)) of them; the DES
gives every deal its own opening time (uniform in its month) and gamma cycle
from the path's generator and resolves it at that time. Segment: Bass
adoption (p = 0.3, q = 0.6 a year) over 1,500 accounts that become
opportunities, cycle mean 2.5 months (cv 0.6, decided by 9 months), win rate
0.35, 3 % churn, 20 initial customers; 24 months.

For each month, the mean new customers, churned customers, deals won, deals
lost and open pipeline over 3,000 JAX and 300 DES paths agree within 4
standard errors of their difference, z = (x̄_jax − x̄_des)/√(se_jax² + se_des²):
24 × 5 = 120 comparisons; for correct engines P(|Z| > 4) = 6.3e-5 each, so a
false alarm has probability ≤ 0.8 % (Bonferroni; fixed seeds, so the test
always passes or always fails for a given code base).
"""

from __future__ import annotations

import numpy as np
import pytest
from market.engines_agree import z_difference
from market.kernel_runner import market_scenario, run_des, run_kernel

MONTHS = 24
SPEC = market_scenario(
    [
        {
            "name": "ent",
            "market_size": 1_500,
            "bass_p_annual": 0.3,
            "bass_q_annual": 0.6,
            "price": 4000.0,
            "churn": 0.03,
            "initial_customers": 20,
            "sales": {"cycle_months": 2.5, "cycle_cv": 0.6, "win_rate": 0.35, "max_cycle_months": 9},
        }
    ]
)

pytestmark = pytest.mark.slow  # both engines on thousands of paths (make test-fast skips it)


@pytest.fixture(scope="module")
def runs():
    _, flows, customers = run_kernel(SPEC, 3000, MONTHS, seed=1)
    return flows, customers, run_des(SPEC, 300, MONTHS, seed=2)


@pytest.mark.parametrize("flow", ["new_customers", "churned_customers", "deals_won", "deals_lost", "pipeline"])
def test_mean_flows_by_month_agree(runs, flow):
    jax_flows, _, des = runs
    z = z_difference(getattr(jax_flows, flow), des[flow])
    assert np.all(np.abs(z) < 4), np.round(z, 2)


def test_the_comparison_has_power_and_every_deal_is_counted(runs):
    jax_flows, customers, des = runs
    assert jax_flows.deals_won.mean() > 1.0 and jax_flows.pipeline[:, -1].mean() > 10.0
    for flows, last in ((jax_flows._asdict(), customers[:, -1, 0]), (des, des["customers"][:, -1, 0])):
        opened = flows["opportunities"].sum(axis=(1, 2))
        closed = (flows["deals_won"] + flows["deals_lost"]).sum(axis=(1, 2))
        np.testing.assert_array_equal(opened, closed + flows["pipeline"][:, -1])
        np.testing.assert_array_equal(
            last, 20 + flows["new_customers"].sum(axis=(1, 2)) - flows["churned_customers"].sum(axis=(1, 2))
        )
        np.testing.assert_array_equal(flows["new_customers"], flows["deals_won"])  # sales-led: customers are won deals
