"""Partnership arithmetic shared by both engines: signing odds and a month's effects (hand-worked)."""

import math

import numpy as np
import pytest
from partnerships.partner_builders import partner_params

from venturesim.partnerships import concentration, month_accounting, revenue_share_amount, sign_probability


def month(params, t, active_since, end_time, credits=None, spend=0.0, alive=True):
    p = params.start.shape[1]
    credits = np.zeros((1, p)) if credits is None else np.asarray(credits, float).reshape(1, p)
    return month_accounting(
        np.asarray(active_since, float).reshape(1, p),
        np.asarray(end_time, float).reshape(1, p),
        credits,
        params,
        t,
        np.array([alive]),
        np.array([spend], float),
    )


def test_sign_probability_hand_worked():
    # p0 = 0.5, fit 0.75, β = 4 → logit = 0 + 4·0.25 = 1 → 0.7311
    base = math.log(0.5 / 0.5) + 4 * (0.75 - 0.5)
    assert sign_probability(base, 0.0, np.inf, 0.5) == pytest.approx(1 / (1 + math.exp(-1)))
    # ARR 4× the reference, ε = 0.5: logit 1 + 0.5·ln 4, e^{−logit} = e^{−1}/2 → p = 1/(1 + 0.1839) = 0.8446
    assert sign_probability(base, 400_000, 100_000.0, 0.5) == pytest.approx(1 / (1 + math.exp(-1) / 2))
    # no revenue: x = ln(1/100), logit 1 − 0.5·ln 100, e^{−logit} = 10/e → p = 1/(1 + 3.679) = 0.2137
    assert sign_probability(base, 0.0, 100_000.0, 0.5) == pytest.approx(1 / (1 + 10 / math.e))
    # p0 of 0 or 1 stays exact
    assert sign_probability(-np.inf, 1e6, 1e5, 0.5) == 0.0
    assert sign_probability(np.inf, 0.0, 1e5, 0.5) == 1.0


def test_channel_revenue_share_is_deducted_exactly():
    params = partner_params([{"revenue_share": 0.2, "segment": 1}])
    revenue = np.array([[1_000.0, 5_000.0]])
    _, full = month(params, 5, [2.0], [np.inf])
    np.testing.assert_allclose(full.revenue_share, [[0.0, 0.2]])
    assert revenue_share_amount(full, revenue)[0] == pytest.approx(1_000.0)  # 0.2 × 5,000; smb untouched
    _, half = month(params, 3, [3.5], [np.inf])  # signed mid-month 3
    assert revenue_share_amount(half, revenue)[0] == pytest.approx(500.0)  # 0.5 × 0.2 × 5,000
    _, before = month(params, 2, [3.5], [np.inf])
    assert revenue_share_amount(before, revenue)[0] == 0.0


def test_revenue_shares_add_up_and_cap_at_one():
    params = partner_params(
        [{"revenue_share": 0.2, "segment": 1}, {"revenue_share": 0.3, "segment": 1}, {"revenue_share": 0.9}]
    )
    _, m = month(params, 4, [0.0, 0.0, np.inf], [np.inf] * 3)
    np.testing.assert_allclose(m.revenue_share, [[0.0, 0.5]])
    _, m = month(params, 4, [0.0, 0.0, 0.0], [np.inf] * 3)
    np.testing.assert_allclose(m.revenue_share, [[0.9, 1.0]])


def test_compute_credits_pay_compute_until_exhausted():
    # $100k of credits, $30k of compute a month: 30k, 30k, 30k, 10k, then nothing
    params = partner_params([{"compute_credits": 100_000}])
    credits, used = np.array([[100_000.0]]), []
    for t in range(6):
        credits, m = month(params, t, [0.0], [24.0], credits, spend=30_000.0)
        used.append(m.compute_credit_used[0])
    np.testing.assert_allclose(used, [30_000, 30_000, 30_000, 10_000, 0, 0])
    np.testing.assert_allclose(30_000 - np.array(used), [0, 0, 0, 20_000, 30_000, 30_000])  # compute still paid
    assert credits[0, 0] == 0.0


def test_credits_are_used_in_partner_order_and_only_while_active():
    params = partner_params([{}, {}, {}])
    credits = np.array([[20_000.0, 50_000.0, 40_000.0]])
    # partner 2 is not active in month 3 (signed at 4.2): its credits wait
    left, m = month(params, 3, [0.0, 1.0, 4.2], [np.inf] * 3, credits, spend=30_000.0)
    np.testing.assert_allclose(left, [[0.0, 40_000.0, 40_000.0]])
    assert m.compute_credit_used[0] == 30_000.0
    _, after_end = month(params, 3, [0.0, 0.0, 0.0], [2.0, 2.0, 2.0], credits, spend=30_000.0)
    assert after_end.compute_credit_used[0] == 0.0


def test_adoption_loss_cost_and_exit_churn():
    params = partner_params(
        [
            {"adoption": 1.5, "segment": 1, "loss_reduction": 0.03, "monthly_cost": 5_000, "signing_cost": 10_000},
            {"adoption": 1.2, "segment": 1, "churn_on_exit": 0.2},
            {"churn_on_exit": 0.5},
        ]
    )
    # month 7: partner 0 signed at 7.5 (weight 0.5), partner 1 active all month, partner 2 ends at 7.3 (weight 0.3)
    _, m = month(params, 7, [7.5, 0.0, 1.0], [np.inf, np.inf, 7.3])
    np.testing.assert_allclose(m.weight, [[0.5, 1.0, 0.3]])
    np.testing.assert_allclose(m.adoption_multiplier, [[1.0, 1.25 * 1.2]])  # (1 + 0.5·0.5)(1 + 0.2)
    assert m.loss_reduction[0] == pytest.approx(0.015)
    assert m.cost[0] == pytest.approx(0.5 * 5_000 + 10_000)
    np.testing.assert_allclose(m.exit_churn, [[0.5, 0.5]])  # only partner 2 ends this month
    assert m.active[0] == 2
    _, both = month(params, 7, [0.0, 0.0, 1.0], [np.inf, 7.9, 7.3])
    np.testing.assert_allclose(both.exit_churn, [[0.5, 1 - 0.8 * 0.5]])


def test_dead_path_has_no_effects():
    params = partner_params([{"adoption": 1.5, "revenue_share": 0.2, "monthly_cost": 1_000}])
    left, m = month(params, 3, [0.0], [np.inf], [[5_000.0]], spend=1_000.0, alive=False)
    assert m.cost[0] == 0 and m.compute_credit_used[0] == 0 and m.active[0] == 0
    np.testing.assert_allclose(m.adoption_multiplier, 1.0)
    np.testing.assert_allclose(left, [[5_000.0]])


def test_concentration_flags_a_partner_bringing_too_much_revenue():
    params = partner_params([{"segment": 1, "concentration_limit": 0.3}, {"concentration_limit": 0.3}])
    _, m = month(params, 2, [0.0, 0.0], [np.inf, np.inf])
    share, flag = concentration(m, params, np.array([[1_000.0, 5_000.0]]))
    np.testing.assert_allclose(share, [[5 / 6, 0.0]])  # a partner naming no segment brings none
    assert flag.tolist() == [[True, False]]
