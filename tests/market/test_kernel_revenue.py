"""Revenue, usage, support and the MRR bridge through the engine kernel (step_market).

A hand-worked month-by-month case (seats, tiers, annual plans, usage growth,
expansion with a cap, a matched competitor cut, support cost) and the bridge
identity MRR(t) − MRR(t−1) = new + expansion − contraction − churned on random
paths with sBG churn, price changes and a segment that opens late.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from market.kernel_runner import market_scenario, run_kernel, segment

from venturesim.market.revenue import compounded_retention


def test_revenue_per_customer_and_bridge_by_hand():
    """10 initial customers (won in the month before month 0, so billed at cell k = t + 1), no churn.

    Subscription 10 seats × $30 + tiers 0.7 × $100 + 0.3 × $400 = $490, × (1 − 0.5 × 0.2) = $441,
    × expansion min(1.1^k, 1.5); usage 2 M tokens median, σ = 1 ⇒ mean 2e^{0.5} × 1.05^k M tokens
    at $3; from month 3 a competitor cut of 30 % matched at π = 0.5: × 0.85. Support $20 each.
    Month 0: 441 × 1.1 + 6e^{0.5} × 1.05 = 485.1 + 10.387 = $495.49 per customer.
    """
    pricing = {
        "seats_per_customer": 10,
        "price_per_seat": 30,
        "tiers": [{"name": "basic", "share": 0.7, "price": 100}, {"name": "pro", "share": 0.3, "price": 400}],
        "annual_plan_share": 0.5,
        "annual_discount": 0.2,
        "competitor_price_cut": {"schedule": {0: 0.0, 3: 0.3}},
        "price_cut_pass_through": 0.5,
    }
    usage = {"median_mtokens_per_customer_month": 2.0, "sigma": 1.0, "growth_monthly": 0.05, "price_per_mtoken": 3.0}
    spec = market_scenario(
        [
            segment(
                market_size=10,
                initial_customers=10,
                price=0.0,
                pricing=pricing,
                usage=usage,
                expansion_monthly=0.1,
                expansion_max_multiple=1.5,
                support_cost_per_customer=20.0,
            )
        ]
    )
    _, flows, _ = run_kernel(spec, 2, 8)
    t = np.arange(8)
    k = t + 1
    cut = np.where(t >= 3, 0.85, 1.0)
    per_customer = (441 * np.minimum(1.1**k, 1.5) + 3 * 2 * math.exp(0.5) * 1.05**k) * cut
    assert per_customer[0] == pytest.approx(495.49, abs=0.01)
    np.testing.assert_allclose(flows.revenue[0], 10 * per_customer, rtol=2e-6)
    np.testing.assert_allclose(flows.tokens[0], 10 * 2e6 * math.exp(0.5) * 1.05**k, rtol=2e-6)
    np.testing.assert_allclose(flows.support_cost[0], 200.0)
    # bridge: month 0 all new; then expansion, and the cut in month 3 is contraction
    # (month 3: 10 × [(441 × 1.331 + 6e^{.5} × 1.05^3) − (441 × 1.4641 + 6e^{.5} × 1.05^4) × 0.85] = 393.8)
    change = np.diff(np.concatenate([[0.0], 10 * per_customer]))
    np.testing.assert_allclose(flows.new_mrr[0], np.where(t == 0, change, 0.0), rtol=2e-6, atol=1e-3)
    np.testing.assert_allclose(
        flows.expansion_mrr[0], np.where(t > 0, np.maximum(change, 0), 0.0), rtol=2e-5, atol=2e-3
    )
    np.testing.assert_allclose(
        flows.contraction_mrr[0], np.where(t > 0, np.maximum(-change, 0), 0.0), rtol=2e-5, atol=2e-3
    )
    assert flows.contraction_mrr[0, 3] == pytest.approx(393.8, abs=0.1)
    assert np.all(flows.churned_mrr[0] == 0)
    # one cohort, no new customers: the chain-linked NRR over 2 months is MRR(t)/MRR(t−2)
    nrr, grr = compounded_retention(
        flows.revenue, flows.expansion_mrr, flows.contraction_mrr, flows.churned_mrr, window=2
    )
    np.testing.assert_allclose(nrr[0, 2:], flows.revenue[0, 2:] / flows.revenue[0, :-2], rtol=1e-5)
    assert np.all(np.isnan(nrr[0, :2]))
    # gross retention counts only the contraction: month 3's 393.8 on month 2's MRR, month 4 none
    assert grr[0, 4] == pytest.approx(1 - 393.8 / (10 * per_customer[2]), abs=1e-4)


def test_mrr_bridge_identity_on_random_paths():
    """MRR(t) − MRR(t−1) = new + expansion − contraction − churned on every path and month."""
    spec = market_scenario(
        [
            segment(
                "a",
                market_size=4000,
                bass_p_annual=0.3,
                bass_q_annual=0.8,
                price={"schedule": {0: 50, 10: 40}},
                churn=0.05,
                churn_concentration=2.0,
                expansion_monthly=0.02,
                initial_customers=30,
                usage={"median_mtokens_per_customer_month": 1.0, "growth_monthly": 0.03, "price_per_mtoken": 2.0},
            ),
            segment(
                "b",
                market_size=300,
                bass_p_annual=0.2,
                bass_q_annual=0.5,
                price=900,
                churn=0.01,
                launch_month=6,
                initial_customers=5,
                pricing={"competitor_price_cut": {"schedule": {0: 0.0, 12: 0.2}}, "price_cut_pass_through": 1.0},
            ),
        ],
        cohort_max_age_months=24,
    )
    _, f, customers = run_kernel(spec, 200, 30, seed=2)
    previous = np.concatenate([np.zeros((200, 1)), f.revenue[:, :-1]], axis=1)
    bridge = f.new_mrr + f.expansion_mrr - f.contraction_mrr - f.churned_mrr
    np.testing.assert_allclose(f.revenue - previous, bridge, atol=1e-5 * f.revenue.max())
    assert f.churned_mrr.sum() > 0 and f.expansion_mrr.sum() > 0 and f.contraction_mrr.sum() > 0
    np.testing.assert_allclose(f.revenue, f.revenue_by_segment.sum(-1), rtol=1e-6)
    # segment b opens in month 6: its 5 initial customers' $4,500 is new MRR then
    assert np.all(f.revenue_by_segment[:, 5, 1] == 0) and np.all(f.revenue_by_segment[:, 6, 1] >= 4500 * (1 - 1e-6))
    assert np.all(f.new_mrr[:, 6] >= 4500 * (1 - 1e-6))
    # the price cut to $40 in month 10 is contraction of segment a's survivors (expansion of 2 % a month
    # does not offset a 20 % cut): contraction that month > 0 on every path with customers
    assert np.all(f.contraction_mrr[:, 10][customers[:, 9, 0] > 0] > 0)
