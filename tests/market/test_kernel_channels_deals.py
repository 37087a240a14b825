"""Channels, CAC, sales-led deals and market expansion through the engine kernel (step_market).

The deterministic cases use a channel whose every stage is certain: a budget
of $10,000 at $1 a lead against a reach of L leads captures a share
1 − e^{−10000/L} = 1 (in float32) of them, and lead→trial = trial→paid = 1,
so it wins exactly L customers a month; the segments there have no Bass
adoption (see :func:`market.kernel_runner.segment`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from market.kernel_runner import market_scenario, run_kernel, segment, z_scores

from venturesim.market.metrics import operating_metrics
from venturesim.market.pipeline import resolution_probabilities

PATHS = 2000
MONTHS = 12


def certain_channel(name="ads", seg="s", leads=50) -> dict:
    return {
        "name": name,
        "segment": seg,
        "budget": 10_000,
        "funnel": {"cost_per_lead": 1.0, "max_leads": leads, "lead_to_trial": 1.0, "trial_to_paid": 1.0},
    }


def three_segments(main: dict, channel: dict, b: dict | None = None, c: dict | None = None) -> dict:
    """Segment ``main`` and two more (by default never opened), so that the CAC, funnel and
    opening tests share one kernel shape (3 segments, 1 channel, 12 months) and one compilation."""
    idle = {"launch_month": 1000, "market_size": 1}
    return market_scenario([main, segment("b", **(b or idle)), segment("c", **(c or idle))], [channel])


def test_cac_from_a_run_is_spend_over_new_customers():
    """$10,000 a month buys exactly 50 customers: CAC = 10,000/50 = $200, by month and over a quarter."""
    _, f, customers = run_kernel(three_segments(segment(), certain_channel()), PATHS, MONTHS)
    np.testing.assert_array_equal(f.channel_spend[..., 0], 10_000.0)
    np.testing.assert_array_equal(f.acquisition_spend, 10_000.0)
    np.testing.assert_array_equal(f.channel_leads[..., 0], 50.0)
    np.testing.assert_array_equal(f.new_customers[..., 0], 50.0)
    np.testing.assert_array_equal(customers[..., 0], np.broadcast_to(50.0 * np.arange(1, 13), (PATHS, 12)))
    assert np.all(customers[..., 1:] == 0) and np.all(f.revenue == 50.0 * np.arange(1, 13))
    # per channel b_j/new_j and blended Σ b_j/Σ new_j from the run's records: 10,000/50 = $200
    np.testing.assert_array_equal(f.channel_spend / f.channel_conversions, 200.0)
    np.testing.assert_array_equal(f.channel_spend.sum(-1) / f.channel_conversions.sum(-1), 200.0)
    metrics = operating_metrics(
        revenue=f.revenue,
        costs=f.acquisition_spend,
        cost_of_revenue=np.zeros_like(f.revenue),
        customers=customers.sum(-1),
        new_customers=f.new_customers.sum(-1),
        churned_customers=f.churned_customers.sum(-1),
        sm_spend=f.acquisition_spend,
        new_mrr=f.new_mrr,
    )
    np.testing.assert_allclose(metrics["cac"][:, 2:], 200.0)  # (3 × 10,000)/(3 × 50)
    assert np.all(np.isnan(metrics["cac"][:, :2]))


def test_channel_funnel_mean_saturation_and_awareness():
    """b = $10k, c = $50, L_max = 1000, r_lt = 0.3, r_tp = 0.2 (docs/model/market.md §4):
    E[leads] = 1000(1 − e^{−0.2}) = 181.27 and E[customers] = 10.876 a month. The awareness lift
    1 + 1.0 × 10k/(10k + 10k) = 1.5 multiplies p: with q = 0 each non-adopter adopts with
    1 − e^{−p'}, p' = 0.06/12 × 1.5 = 0.0075, i.e. 200,000 × 0.007472 = 1494.4 in month 0."""
    channel = {
        "name": "ads",
        "segment": "s",
        "budget": 10_000,
        "funnel": {"cost_per_lead": 50, "max_leads": 1000, "lead_to_trial": 0.3, "trial_to_paid": 0.2},
        "awareness": {"lift_max": 1.0, "half_saturation": 10_000},
    }
    _, f, _ = run_kernel(
        three_segments(segment(market_size=200_000, bass_p_annual=0.06), channel), PATHS, MONTHS, seed=13
    )
    leads = 1000 * (1 - math.exp(-0.2))
    assert leads == pytest.approx(181.27, abs=0.01)
    assert np.all(np.abs(z_scores(f.channel_leads[..., 0], np.full(12, leads))) < 4)
    assert np.all(np.abs(z_scores(f.channel_conversions[..., 0], np.full(12, leads * 0.06))) < 4)
    bass = f.new_customers[:, 0, 0] - f.channel_conversions[:, 0, 0]
    assert abs(z_scores(bass, 200_000 * -math.expm1(-0.0075))) < 4
    # saturation: the average CAC 10,000/10.876 = $919.4 exceeds the unsaturated 50/0.06 = $833
    assert 10_000 / (leads * 0.06) == pytest.approx(919.4, abs=0.1)


def test_sales_pipeline_obeys_littles_law():
    """40 opportunities a month (certain), cycle mean 3 months (cv 0.5), win rate 0.25.

    E[K] = E[⌊U + C⌋] = E[C] = 3 (U uniform: E⌊U + x⌋ = x), so once the cycle has
    filled, open deals at a month's end average λ·E[K] = 120 and wins λw = 10 a month.
    Every deal is accounted for: Σ opened = Σ won + Σ lost + open now, exactly.
    """
    spec = market_scenario(
        [segment(sales={"cycle_months": 3.0, "cycle_cv": 0.5, "win_rate": 0.25, "max_cycle_months": 24})],
        [certain_channel(leads=40)],
    )
    _, f, customers = run_kernel(spec, PATHS, 30, seed=17)
    probs = resolution_probabilities(3.0, 0.5, 24)
    assert probs @ np.arange(25) == pytest.approx(3.0, abs=1e-6)
    np.testing.assert_array_equal(f.opportunities[..., 0], 40.0)
    opened = np.cumsum(f.opportunities[..., 0], axis=1)
    resolved = np.cumsum(f.deals_won[..., 0] + f.deals_lost[..., 0], axis=1)
    np.testing.assert_array_equal(opened, resolved + f.pipeline)
    np.testing.assert_array_equal(customers[..., 0], np.cumsum(f.deals_won[..., 0], axis=1))
    np.testing.assert_array_equal(f.new_customers[..., 0], f.deals_won[..., 0])
    late = slice(15, 30)
    assert np.all(np.abs(z_scores(f.pipeline[:, late], np.full(15, 120.0))) < 4)
    assert np.all(np.abs(z_scores(f.deals_won[:, late, 0], np.full(15, 10.0))) < 4)
    # month 0's wins: deals that open and close within the month, 40 × P(K = 0) × 0.25
    assert abs(z_scores(f.deals_won[:, 0, 0], 40 * probs[0] * 0.25)) < 4
    # CAC of a sales-led segment counts won deals: 10,000 a month / 10 wins = $1,000 in steady state
    assert f.acquisition_spend[:, late].sum() / f.deals_won[:, late].sum() == pytest.approx(1000, rel=0.02)


def test_segment_opens_when_arr_reaches_its_threshold_and_pays_entry():
    """Segment s: 100 customers + 50 a month at $1,000: revenue (150 + 50t)k, ARR 1.8M in month 0, 2.4M in month 1.

    b opens when last month's ARR ≥ $2M: month 2, paying its $250k entry cost then; c has the
    same rule but launches in month 5. b and c each bring 5 initial customers at $2,000.
    """
    rule = {
        "open_when_arr_at_least": 2_000_000,
        "entry_cost": 250_000,
        "initial_customers": 5,
        "price": 2000,
        "market_size": 5,
    }
    spec = three_segments(
        segment(initial_customers=100, price=1000), certain_channel(), rule, rule | {"launch_month": 5}
    )
    _, f, _ = run_kernel(spec, PATHS, MONTHS)
    t = np.arange(MONTHS)
    np.testing.assert_array_equal(f.segment_open[0, :, 1], t >= 2)
    np.testing.assert_array_equal(f.segment_open[0, :, 2], t >= 5)
    np.testing.assert_array_equal(f.entry_cost[0], np.where((t == 2) | (t == 5), 250_000.0, 0.0))
    expected = (150 + 50 * t) * 1000.0 + 10_000.0 * (t >= 2) + 10_000.0 * (t >= 5)
    np.testing.assert_array_equal(f.revenue[0], expected)
