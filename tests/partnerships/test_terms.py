"""Partnership arithmetic shared by both engines: signing odds and a month's effects (hand-worked)."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from partnerships.partner_builders import partner_params

from venturesim.partnerships import concentration, month_accounting, revenue_share_amount, sign_probability


def month(params, t, active_since, end_time, credits=None, spend=0.0, alive=True, xp=np):
    p = params.start.shape[1]
    credits = np.zeros((1, p)) if credits is None else np.asarray(credits, float).reshape(1, p)
    if xp is not np:
        params = type(params)(*(xp.asarray(f) for f in params))
    return month_accounting(
        xp.asarray(np.asarray(active_since, float).reshape(1, p)),
        xp.asarray(np.asarray(end_time, float).reshape(1, p)),
        xp.asarray(credits),
        params,
        t,
        xp.asarray(np.array([alive])),
        xp.asarray(np.array([spend], float)),
        xp=xp,
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


@pytest.mark.parametrize("xp", [np, jnp])
def test_channel_takes_its_rate_of_the_revenue_it_sourced_only(xp):
    # μ = 1.5, r = 0.2 on segment 1: u = 0.5, M = 1.5, sourced σ = 1 − 1/1.5 = ⅓ of the segment's customers
    params = partner_params([{"revenue_share": 0.2, "adoption": 1.5, "segment": 1}])
    revenue = np.array([[1_000.0, 6_000.0]])

    def share(t, since):
        _, m = month(params, t, [since], [np.inf], xp=xp)
        return np.asarray(m.revenue_share), float(revenue_share_amount(m, xp.asarray(revenue), xp=xp)[0])

    rates, taken = share(5, 2.0)
    np.testing.assert_allclose(rates, [[0.0, 0.2 / 3]], rtol=1e-6)
    assert taken == pytest.approx(400.0, rel=1e-6)  # 0.2 × ⅓ × 6,000, not 0.2 × 6,000 = 1,200; smb untouched
    _, taken = share(3, 3.5)  # signed mid-month 3: u = 0.25, σ = 0.25/1.25 = 0.2
    assert taken == pytest.approx(240.0, rel=1e-6)  # 0.2 × 0.2 × 6,000
    assert share(2, 3.5)[1] == 0.0


def test_a_partner_that_brings_no_customers_takes_nothing():
    params = partner_params([{"revenue_share": 0.2, "adoption": 1.0, "segment": 1}])
    _, m = month(params, 5, [0.0], [np.inf])
    np.testing.assert_allclose(m.revenue_share, [[0.0, 0.0]])


def test_sourced_customers_split_between_partners_by_uplift():
    # uplifts 0.5 and 1.0 on segment 1: M = 1.5 × 2 = 3, sourced 1 − ⅓ = ⅔, split ⅓ : ⅔ → σ = 2/9, 4/9;
    # a third partner on every segment: segment 0 has only its uplift 0.25 → σ = 1 − 1/1.25 = 0.2
    params = partner_params(
        [
            {"revenue_share": 0.3, "adoption": 1.5, "segment": 1},
            {"revenue_share": 0.6, "adoption": 2.0, "segment": 1},
            {"revenue_share": 0.9, "adoption": 1.25},
        ]
    )
    _, m = month(params, 4, [0.0, 0.0, np.inf], [np.inf] * 3)
    np.testing.assert_allclose(m.revenue_share, [[0.0, 0.3 * 2 / 9 + 0.6 * 4 / 9]])
    _, m = month(params, 4, [np.inf, np.inf, 0.0], [np.inf] * 3)
    np.testing.assert_allclose(m.revenue_share, [[0.9 * 0.2, 0.9 * 0.2]])


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
