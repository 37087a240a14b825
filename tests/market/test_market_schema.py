"""The market's scenario schema and parameter draws: new fields are optional and neutral, shapes are static.

Also the pure helpers the engines share (:mod:`venturesim.market.revenue`):
the neutral price is exactly the flat price (which is why old scenarios give
the same numbers) and compounded NRR/GRR by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market.kernel_runner import market_params, market_scenario, segment

import venturesim as vs
from venturesim.market.metrics import net_revenue_retention
from venturesim.market.params import at_month, needs_ages
from venturesim.market.revenue import base_price, churn_price_factor, compounded_retention
from venturesim.spec.errors import ScenarioError


def full_spec() -> dict:
    return market_scenario(
        [
            segment(
                "smb",
                price=20,
                pricing={
                    "seats_per_customer": 5,
                    "price_per_seat": {"schedule": {0: 10, 6: 8}},
                    "tiers": [{"name": "a", "share": 0.25, "price": 100}, {"name": "b", "share": 0.75, "price": 200}],
                    "annual_plan_share": 0.5,
                    "annual_discount": 0.2,
                },
                usage={
                    "median_mtokens_per_customer_month": 1.0,
                    "sigma": 0.5,
                    "growth_monthly": 0.1,
                    "max_multiple": 2.0,
                    "price_per_mtoken": 3.0,
                },
                churn_concentration=4.0,
                expansion_monthly=0.02,
                support_cost_per_customer=5,
            ),
            segment(
                "ent",
                sales={"cycle_months": 4.0, "win_rate": 0.3, "max_cycle_months": 10},
                open_when_arr_at_least=1e6,
                entry_cost=1e5,
            ),
        ],
        [
            {
                "name": "ads",
                "segment": "smb",
                "budget": {"schedule": {0: 100, 3: 200}},
                "funnel": {"cost_per_lead": 2, "max_leads": 10, "lead_to_trial": 0.5, "trial_to_paid": 0.5},
            },
            {
                "name": "brand",
                "kind": "content",
                "segment": "ent",
                "budget": 50,
                "awareness": {"lift_max": 1.0, "half_saturation": 50},
            },
        ],
        cohort_max_age_months=12,
    )


def test_every_new_field_loads_and_samples_to_the_documented_shapes():
    p = market_params(full_spec(), 3, 20)
    assert p.cohort_ages.shape == (3, 12)  # min(cohort_max_age_months = 12, months + 1 = 21)
    assert p.deal_conditional.shape == (3, 2, 11)  # D + 1 = 11 resolution months
    assert p.channel_segment.shape == (3, 2, 2) and p.channel_budget.shape == (3, 20, 2)
    np.testing.assert_array_equal(p.channel_segment[0], [[1, 0], [0, 1]])
    assert p.price_per_seat.shape == (3, 20, 2) and p.price_per_mtoken.shape == (3, 1, 2)  # a plain number: 1 month
    assert at_month(p.price_per_seat, 7)[0, 0] == 8 and at_month(p.price_per_mtoken, 7)[0, 0] == 3
    np.testing.assert_allclose(p.tier_price[0, 0], [0.25 * 100 + 0.75 * 200, 0.0])  # 175
    np.testing.assert_allclose(p.annual_factor[0], [0.9, 1.0])
    # mean usage at cell k: 1 × e^{0.125} × min(1.1^k, 2): 1.1331 at k = 0, 2.2663 from k = 8 (1.1^8 = 2.14)
    np.testing.assert_allclose(p.usage_by_age[0, 0, [0, 7, 8]], np.exp(0.125) * np.array([1, 1.1**7, 2]), rtol=1e-6)
    np.testing.assert_allclose(p.expansion_by_age[0, 1], 1.0)  # ent has no expansion
    assert p.deal_conditional[0, 1, -1] == 1.0 and p.sales_led[0].tolist() == [0, 1]
    np.testing.assert_allclose(p.open_arr[0], [0, 1e6])
    np.testing.assert_allclose(p.sbg[0], [1, 0])
    assert p.channel_max_leads[0].tolist() == [10, 0]  # awareness-only: no funnel, no leads


def test_a_first_release_segment_gets_neutral_parameters():
    sc = vs.load(market_scenario([segment(price={"schedule": {0: 5, 3: 6}}, churn=0.02)]))
    assert not needs_ages(sc.market)
    p = market_params(market_scenario([segment(price={"schedule": {0: 5, 3: 6}}, churn=0.02)]), 2, 6)
    assert p.cohort_ages.shape == (2, 0) and p.deal_conditional.shape == (2, 1, 0)
    assert p.channel_budget.shape == (2, 1, 0)
    for name in (
        "seats",
        "tier_price",
        "usage_by_age",
        "open_arr",
        "entry_cost",
        "viral",
        "support_cost",
        "pass_through",
        "sbg",
    ):
        assert not np.any(getattr(p, name)), name
    for name in ("annual_factor", "expansion_by_age", "partner"):
        np.testing.assert_array_equal(getattr(p, name), 1.0)
    assert p.competitor_cut.shape == (2, 1, 1) and not p.competitor_cut.any()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False, width=32), min_size=1, max_size=5))
def test_neutral_price_is_exactly_the_flat_price(prices):
    """With no seats, tiers, annual plans, usage, expansion or cut, R = price bit for bit (float32)."""
    price = np.asarray(prices, np.float32)
    zero, one = np.zeros_like(price), np.ones_like(price)
    base = base_price(price, zero, zero, zero, one, one[:, None], zero[:, None], zero, zero, zero, xp=np)
    np.testing.assert_array_equal(base[:, 0], price)
    assert base.dtype == np.float32
    np.testing.assert_array_equal(churn_price_factor(zero, zero, one * 2.0, xp=np), 1.0)


def test_channel_must_name_a_segment():
    spec = market_scenario([segment("enterprise")], [{"name": "ads", "segment": "enterprize", "budget": 1}])
    with pytest.raises(ScenarioError, match=r"segment\(='enterprize'\) is not a segment; did you mean 'enterprise'"):
        vs.load(spec)


def test_tier_shares_must_sum_to_one():
    spec = market_scenario(
        [segment(pricing={"tiers": [{"name": "a", "share": 0.5, "price": 1}, {"name": "b", "share": 0.4, "price": 2}]})]
    )
    with pytest.raises(ScenarioError, match=r"tier shares\(=\[0.5, 0.4\]\) must sum to 1, found 0.9"):
        vs.load(spec)


def test_sales_block_needs_a_cycle_and_a_win_rate():
    with pytest.raises(ScenarioError, match="win_rate"):
        vs.load(market_scenario([segment(sales={"cycle_months": 3})]))


def test_compounded_retention_by_hand():
    """MRR 1000 → 1100 → 990 with: month 1 expansion 150, churned 50; month 2 contraction 60, churned 50.

    Monthly net retention (1000 + 150 − 50)/1000 = 1.1 then (1100 − 60 − 50)/1100 = 0.9; over 2 months
    0.99 = 990/1000 (no new customers, so the chain telescopes).
    Gross: (1000 − 50)/1000 = 0.95 then (1100 − 110)/1100 = 0.9; over 2 months 0.855.
    """
    mrr = np.array([[1000.0, 1100.0, 990.0]])
    nrr, grr = compounded_retention(
        mrr, np.array([[0, 150.0, 0]]), np.array([[0, 0, 60.0]]), np.array([[0, 50.0, 50.0]]), window=2
    )
    assert np.isnan(nrr[0, :2]).all() and nrr[0, 2] == pytest.approx(0.99)
    assert grr[0, 2] == pytest.approx(0.855)
    with pytest.raises(ValueError, match=r"window\(=0\)"):
        compounded_retention(mrr, mrr, mrr, mrr, window=0)


def test_compounded_nrr_equals_the_cohort_definition_for_a_closed_base():
    """Accounts paying from month 0 and no new ones: chaining the monthly flows telescopes to the
    cohort NRR of :func:`venturesim.market.metrics.net_revenue_retention` exactly."""
    by_account = np.array([[[100, 120, 130, 0, 0], [50, 50, 40, 45, 60], [80, 0, 0, 0, 0]]], float)  # (1, 3, 5)
    mrr = by_account.sum(axis=1)
    prev = np.concatenate([np.zeros_like(by_account[..., :1]), by_account[..., :-1]], axis=-1)
    both = (prev > 0) & (by_account > 0)
    delta = by_account - prev
    expansion = np.where(both, np.maximum(delta, 0), 0).sum(1)
    contraction = np.where(both, np.maximum(-delta, 0), 0).sum(1)
    churned = np.where((prev > 0) & (by_account == 0), prev, 0).sum(1)
    nrr, _ = compounded_retention(mrr, expansion, contraction, churned, window=3)
    cohort = net_revenue_retention(by_account, window=3)
    np.testing.assert_allclose(nrr[0, 3:], cohort[0, 3:])  # (45)/(230) at month 3, (60)/(220) at month 4
    assert nrr[0, 3] == pytest.approx(45 / 230)
