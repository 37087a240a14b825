"""A channel: the JAX kernel (step_market) and the DES month (market_month) agree in distribution.

Self-serve segment with Bass adoption (p = 0.2, q = 0.9 a year, 20,000
accounts) and a paid channel with a saturating, random funnel ($8k a month,
$40 a lead, 400 reachable leads, 30 % → trial, 25 % → paid), with sBG churn
(4 % for a new customer, κ = 3) so that customers are tracked by age in both
engines (ages 0 … 7, the last one shared from month 7 on); 24 months.

For each month, the mean leads, conversions, new customers, churned customers
and revenue over 3,000 JAX and 300 DES paths agree within 4 standard errors of
their difference: 24 × 5 = 120 comparisons, a false alarm ≤ 0.8 %
(Bonferroni; fixed seeds).
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
            "name": "self",
            "market_size": 20_000,
            "bass_p_annual": 0.2,
            "bass_q_annual": 0.9,
            "price": 50.0,
            "churn": 0.04,
            "churn_concentration": 3.0,
        }
    ],
    [
        {
            "name": "ads",
            "kind": "paid",
            "segment": "self",
            "budget": 8_000,
            "funnel": {"cost_per_lead": 40.0, "max_leads": 400, "lead_to_trial": 0.3, "trial_to_paid": 0.25},
        }
    ],
    cohort_max_age_months=8,
)

pytestmark = pytest.mark.slow  # both engines on thousands of paths (make test-fast skips it)


@pytest.fixture(scope="module")
def runs():
    _, flows, customers = run_kernel(SPEC, 3000, MONTHS, seed=1)
    return flows, customers, run_des(SPEC, 300, MONTHS, seed=2)


@pytest.mark.parametrize(
    "flow", ["channel_leads", "channel_conversions", "new_customers", "churned_customers", "revenue"]
)
def test_mean_flows_by_month_agree(runs, flow):
    jax_flows, _, des = runs
    z = z_difference(getattr(jax_flows, flow), des[flow])
    assert np.all(np.abs(z) < 4), np.round(z, 2)


def test_the_comparison_has_power(runs):
    jax_flows, _, des = runs
    # E[leads] = 400(1 − e^{−0.5}) = 157.4, E[conversions] = 11.8 a month
    assert jax_flows.channel_leads.mean() == pytest.approx(157.4, rel=0.01)
    assert des["channel_leads"].mean() == pytest.approx(157.4, rel=0.02)
    assert jax_flows.churned_customers[:, -1].mean() > 10
    np.testing.assert_array_equal(des["acquisition_spend"], 8_000.0)
