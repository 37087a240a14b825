"""Pricing and usage as the engines bill them: the scenario's price parts (market/params.py) through
:func:`venturesim.market.revenue.base_price`, the rule both engines run (market/_rules.py)."""

from __future__ import annotations

import numpy as np
import pytest
from market.kernel_runner import market_params, market_scenario, segment

from venturesim.market.params import at_month
from venturesim.market.revenue import base_price


def priced_segment(max_multiple=1e6, growth=0.05, pass_through=0.5) -> dict:
    return market_scenario(
        [
            segment(
                price=0.0,
                pricing={
                    "seats_per_customer": 5,
                    "price_per_seat": 20,
                    "tiers": [
                        {"name": "free", "share": 0.6, "price": 0},
                        {"name": "pro", "share": 0.3, "price": 50},
                        {"name": "team", "share": 0.1, "price": 500},
                    ],
                    "annual_plan_share": 0.4,
                    "annual_discount": 0.15,
                    "competitor_price_cut": 0.2,
                    "price_cut_pass_through": pass_through,
                },
                usage={
                    "median_mtokens_per_customer_month": 2.0,
                    "sigma": 1.0,
                    "growth_monthly": growth,
                    "max_multiple": max_multiple,
                    "price_per_mtoken": 2.5,
                },
            )
        ],
        cohort_max_age_months=13,
    )


def bill(spec: dict) -> np.ndarray:
    """The engines' month-0 price per customer by age cell, (cells,) USD, for path 0 and the one segment
    (the arguments as :func:`venturesim.market._rules.billing` passes them)."""
    p = market_params(spec, 1, 13)
    r = base_price(
        p.price[..., 0, :],
        p.seats,
        at_month(p.price_per_seat, 0),
        at_month(p.tier_price, 0),
        p.annual_factor,
        p.expansion_by_age,
        p.usage_by_age,
        at_month(p.price_per_mtoken, 0),
        p.pass_through,
        at_month(p.competitor_cut, 0),
        xp=np,
    )
    return np.asarray(r, np.float64)[0, 0]


def test_price_per_customer_by_hand():
    # 5 seats × $20 = $100; tiers 60 % × $0 + 30 % × $50 + 10 % × $500 = $65 ⇒ subscription $165;
    # 40 % on annual plans at 15 % off ⇒ × (1 − 0.06) = 0.94 ⇒ $155.10.
    # Mean usage at age 0: 2 M tokens × e^{1/2} = 3.297443 × $2.50 = $8.243606 (no annual discount on usage);
    # matching a 20 % competitor cut at pass-through 0.5 ⇒ × 0.9 ⇒ (155.10 + 8.243606) × 0.9 = $147.009246.
    r = bill(priced_segment())
    assert r[0] == pytest.approx(147.009246, abs=1e-3)
    # at age 12 usage has grown 1.05^12 = 1.795856: 2 · 1.648721 · 1.795856 = 5.921733 M tokens
    assert r[12] == pytest.approx((155.10 + 5.921733 * 2.5) * 0.9, abs=1e-3)
    # capped at 1.5× the starting level: 2 · 1.648721 · 1.5 = 4.946164 M tokens
    assert bill(priced_segment(max_multiple=1.5))[12] == pytest.approx((155.10 + 4.946164 * 2.5) * 0.9, abs=1e-3)
    # shrinking usage, 0.98^12 = 0.784717: 2 · 1.648721 · 0.784717 = 2.587560 M tokens
    assert bill(priced_segment(growth=-0.02))[12] == pytest.approx((155.10 + 2.587560 * 2.5) * 0.9, abs=1e-3)
    # the whole cut passed through: × 0.8
    assert bill(priced_segment(pass_through=1.0))[0] == pytest.approx((155.10 + 8.243606) * 0.8, abs=1e-3)
