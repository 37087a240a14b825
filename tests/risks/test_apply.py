"""Applying risk events to Params: exact changes for exact durations, mitigations, hooks, domains."""

import jax
import numpy as np
import pytest
from risks.risk_builders import draw

from venturesim.risks import Risk, Risks, adjust, apply_risks
from venturesim.risks.draws import RiskDraws

N, T = 4000, 24


def custom(*risks, **section) -> dict:
    return {"custom": list(risks), **section}


def windows(time: np.ndarray, duration: int | None) -> np.ndarray:
    """(paths, T) bool: month t is in [⌈τ⌉, ⌈τ⌉ + duration) of the path's single event."""
    start = np.ceil(time)[:, None]
    t = np.arange(T)
    inside = t >= start
    return inside & (t < start + duration) if duration is not None else inside


def test_price_cut_changes_one_segment_for_exactly_its_duration():
    params, draws = draw(
        custom(
            {
                "name": "cut",
                "hazard_monthly": 0.08,
                "impacts": [{"target": "market.price", "value": 0.8, "duration_months": 5, "segment": "smb"}],
            }
        ),
        N,
    )
    new, record = apply_risks(params, draws)
    inside = windows(draws.time[:, 0, 0], 5)
    expected_smb = np.where(inside, np.float32(50 * 0.8), np.float32(50))
    np.testing.assert_array_equal(new.market.price[:, :, 0], expected_smb)
    np.testing.assert_array_equal(new.market.price[:, :, 1], params.market.price[:, :, 1])  # enterprise untouched
    assert 0.3 < inside.any(axis=1).mean() < 0.9  # many paths hit, many not
    assert set(inside.sum(axis=1)) == set(range(6))  # windows cut by the horizon, else exactly 5 months
    assert inside[np.ceil(draws.time[:, 0, 0]) <= T - 5].sum(axis=1).min() == 5
    np.testing.assert_array_equal(record.time, draws.time)


@pytest.mark.parametrize(
    "target, mode, value, duration, field",
    [
        ("funding.climate", "multiply", 0.6, 18, lambda p: p.funding.climate),
        ("company.compute", "multiply", 1.5, 6, lambda p: p.company.compute),
        ("company.other_costs", "add", 60_000.0, 12, lambda p: p.company.other_costs),
        ("product.frontier_loss", "add", -0.05, None, lambda p: p.product.frontier_loss),
    ],
)
def test_each_target_changes_as_stated(target, mode, value, duration, field):
    impact = {"target": target, "mode": mode, "value": value, "duration_months": duration}
    params, draws = draw(
        custom({"name": "r", "hazard_monthly": 0.06, "severity": {"p5": 0.5, "p95": 2}, "impacts": [impact]}), N
    )
    new, _ = apply_risks(params, draws)
    before = np.asarray(field(params), np.float64)
    s = draws.severity[:, 0, 0][:, None]
    inside = windows(draws.time[:, 0, 0], duration)
    change = before * np.maximum(1 + (value - 1) * s, 0) if mode == "multiply" else before + value * s
    low = {"funding.climate": 1e-6}.get(target, 0.0)  # the targets' domains
    expected = np.maximum(np.where(inside, change, before), low)
    np.testing.assert_allclose(field(new), expected.astype(np.float32), rtol=1e-6)
    assert field(new).dtype == np.float32


def _hand_draws(impacts, times, severities, months=8):
    """RiskDraws of one path and one risk with the given events (value = each impact's number)."""
    risk = Risk.model_validate({"name": "hand", "hazard_monthly": 0.1, "max_events": len(times), "impacts": impacts})
    e, i = len(times), len(impacts)
    return RiskDraws(
        risks=(risk,),
        time=np.array(times, float).reshape(1, 1, e),
        severity=np.array(severities, float).reshape(1, 1, e),
        occurs=np.ones((1, 1, e, i)),
        value=np.array([[[im["value"] for im in impacts]]], float),
        hazard=np.zeros((1, 1, months)),
        mitigation_cost=np.zeros((1, months)),
        segment=np.full((1, i), -1),
        round=np.full((1, i), -1),
        run=np.full((1, i), -1),
        months=months,
    )


def test_hand_worked_overlapping_events():
    # Events at τ = 2.3 (months 3–5) and τ = 4.0 (months 4–6), severity 0.5 each:
    # price factor 1 + (0.8 − 1)·0.5 = 0.9 → 45 in months 3 and 6, 50·0.9² = 40.5 in months 4–5;
    # legal cost 60k·0.5 = 30k a month while each lasts; one-off 150k·0.5 = 75k in months 3 and 4.
    params, _ = draw(custom(), 1, months=8)
    draws = _hand_draws(
        [
            {"target": "market.price", "value": 0.8, "duration_months": 3},
            {"target": "company.other_costs", "mode": "add", "value": 60_000, "duration_months": 3},
            {"target": "company.one_off_cost", "mode": "add", "value": 150_000},
        ],
        times=[2.3, 4.0],
        severities=[0.5, 0.5],
    )
    new, record = apply_risks(params, draws)
    np.testing.assert_allclose(new.market.price[0, :, 0], [50, 50, 50, 45, 40.5, 40.5, 45, 50])
    np.testing.assert_allclose(new.market.price[0, :, 1], [500, 500, 500, 450, 405, 405, 450, 500])
    added = [0, 0, 0, 30_000 + 75_000, 60_000 + 75_000, 60_000, 30_000, 0]
    np.testing.assert_allclose(new.company.other_costs[0], 1_000 + np.array(added))
    np.testing.assert_allclose(record.added_costs[0], added)


def test_churn_is_clipped_to_one():
    # churn 0.03 × (1 + (40 − 1)·1) = 1.2 → clipped to 1
    params, _ = draw(custom(), 1, months=8)
    draws = _hand_draws([{"target": "market.churn", "value": 40.0, "duration_months": 1}], [0.5], [1.0])
    new, _ = apply_risks(params, draws)
    np.testing.assert_allclose(new.market.churn[0, :, 0], [0.03, 1.0, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03], rtol=1e-6)
    np.testing.assert_allclose(new.market.churn[0, 1, 1], 0.4, rtol=1e-6)  # 0.01 × 40


def _expected_loss(mitigation: dict | None, impact: dict):
    # Severity ≤ 2.5 keeps the price factor 1 − 0.3·s > 0 (no clipping), where the change is linear in s.
    risk = {
        "name": "suit",
        "hazard_monthly": 0.05,
        "max_events": 1,
        "severity": {"dist": "pert", "low": 0.4, "mode": 1.0, "high": 2.5},
        "impacts": [impact],
        "mitigations": [mitigation] if mitigation else [],
    }
    params, draws = draw(custom(risk), N)
    new, record = apply_risks(params, draws)
    if impact["target"] == "market.price":
        return np.sum(params.market.price - new.market.price, axis=(1, 2), dtype=np.float64)  # USD per customer
    return record.added_costs.sum(axis=1)


@pytest.mark.parametrize(
    "impact",
    [
        {"target": "company.other_costs", "mode": "add", "value": 60_000, "duration_months": 12},
        {"target": "market.price", "value": 0.7},
    ],
)
def test_mitigation_that_halves_severity_halves_the_expected_loss(impact):
    plain = _expected_loss(None, impact)
    mitigated = _expected_loss({"name": "insurance", "severity_multiplier": 0.5}, impact)
    assert plain.mean() > 0 and (plain > 0).mean() > 0.3
    assert mitigated.mean() == pytest.approx(0.5 * plain.mean(), rel=1e-6)
    np.testing.assert_allclose(mitigated, 0.5 * plain, rtol=1e-5, atol=1e-3)  # path by path (same events)


def test_mitigation_cost_is_added_to_other_costs():
    params, draws = draw(
        custom(
            {
                "name": "r",
                "annual_probability": 0.1,
                "impacts": [{"target": "market.price", "value": 0.9}],
                "mitigations": [{"name": "m", "cost_per_month": 2_500, "start_month": 4, "hazard_multiplier": 0.5}],
            }
        ),
        N,
    )
    new, record = apply_risks(params, draws)
    expected = 1_000 + np.where(np.arange(T) >= 4, 2_500.0, 0.0)
    np.testing.assert_allclose(new.company.other_costs, np.broadcast_to(expected, (N, T)))
    np.testing.assert_allclose(record.added_costs, np.broadcast_to(expected - 1_000, (N, T)))


def test_failure_probability_changes_runs_submitted_in_the_window():
    params, _ = draw(custom(), 1, months=12)
    product = params.product._replace(
        submit=np.array([[1.0, 3.0, 6.0]], np.float32), failure_probability=np.full((1, 3), 0.1, np.float32)
    )
    params = params._replace(product=product)
    # event at τ = 2.5 → window months 3, 4, 5, 6 (duration 4): runs submitted at 3 and 6 change
    draws = _hand_draws(
        [{"target": "product.failure_probability", "mode": "add", "value": 0.2, "duration_months": 4}],
        [2.5],
        [1.0],
        months=12,
    )
    new, _ = apply_risks(params, draws)
    np.testing.assert_allclose(new.product.failure_probability[0], [0.1, 0.3, 0.3], rtol=1e-6)


def test_hook_targets_leave_params_and_return_adjustments():
    params, draws = draw(
        custom(
            {
                "name": "shift",
                "hazard_monthly": 0.1,
                "impacts": [
                    {"target": "market.p", "value": 0.7, "duration_months": 12, "segment": "enterprise"},
                    {"target": "team.productivity", "value": 0.8, "duration_months": 6},
                ],
            }
        ),
        N,
    )
    new, record = apply_risks(params, draws)
    np.testing.assert_array_equal(new.market.p_monthly, params.market.p_monthly)
    hooks = record.hooks
    inside = windows(draws.time[:, 0, 0], 12)
    np.testing.assert_allclose(hooks.market_p.scale[:, :, 1], np.where(inside, 0.7, 1.0))
    np.testing.assert_allclose(hooks.market_p.scale[:, :, 0], 1.0)
    np.testing.assert_allclose(hooks.team_productivity.scale, np.where(windows(draws.time[:, 0, 0], 6), 0.8, 1.0))
    assert hooks.market_q.scale.shape == (N, 1, 2) and hooks.team_attrition.scale.shape == (N, 1)
    t = 7
    p_t = adjust(hooks.market_p, params.market.p_monthly, t)
    np.testing.assert_allclose(p_t[:, 1], params.market.p_monthly[:, 1] * np.where(inside[:, t], 0.7, 1.0), rtol=1e-6)
    np.testing.assert_allclose(adjust(hooks.market_q, params.market.q_monthly, t), params.market.q_monthly)
    jp = adjust(jax.tree_util.tree_map(np.asarray, hooks.market_p), params.market.p_monthly, t, 0.0, None, xp=np)
    np.testing.assert_allclose(jp, p_t)


def test_funding_success_hook_can_target_one_round():
    params, draws = draw(
        custom(
            {
                "name": "lead",
                "hazard_monthly": 0.2,
                "impacts": [
                    {"target": "funding.success_probability", "value": 0.5, "duration_months": 6, "round": "seed"}
                ],
            }
        ),
        N,
    )
    _, record = apply_risks(params, draws)
    assert record.hooks.funding_success.scale.shape == (N, T, 1)
    np.testing.assert_allclose(
        record.hooks.funding_success.scale[:, :, 0], np.where(windows(draws.time[:, 0, 0], 6), 0.5, 1.0)
    )


def test_whole_catalogue_stays_in_each_domain_and_leaves_input_unchanged():
    params, draws = draw({"include": "all"}, N)
    copy = jax.tree_util.tree_map(np.copy, params)
    new, record = apply_risks(params, draws)
    jax.tree_util.tree_map(np.testing.assert_array_equal, params, copy)  # not mutated
    assert np.all((new.market.churn >= 0) & (new.market.churn <= 1))
    assert np.all(new.market.price >= 0) and np.all(new.funding.climate > 0)
    assert np.all(np.isfinite(new.company.other_costs)) and np.all(record.added_costs >= -1e-3)
    assert np.isfinite(draws.time).any(axis=(1, 2)).mean() > 0.9  # almost every path meets some risk in 2 years


def test_horizon_mismatch_is_an_error():
    params, draws = draw(custom(), 1, months=12)
    with pytest.raises(ValueError, match=r"months\(=24\)"):
        apply_risks(params, draws, 24)
    section = Risks.model_validate({})
    assert section.risks == ()


def test_adjust_on_one_path_row_matches_the_batched_hook():
    params, draws = draw(
        custom(
            {
                "name": "shift",
                "hazard_monthly": 0.3,
                "impacts": [{"target": "market.q", "value": 0.5, "duration_months": 3}],
            }
        ),
        N,
    )
    _, record = apply_risks(params, draws)
    row = jax.tree_util.tree_map(lambda a: a[7], record.hooks.market_q)  # the DES gets one path's row
    unused = jax.tree_util.tree_map(lambda a: a[7], record.hooks.team_attrition)
    for t in range(T):
        batched = adjust(record.hooks.market_q, params.market.q_monthly, t)[7]
        np.testing.assert_allclose(adjust(row, params.market.q_monthly[7], t, row=True), batched)
        assert adjust(unused, 0.02, t, row=True) == 0.02


def test_untouched_targets_build_nothing():
    """A target no impact acts on has no effect (None: no (paths, T) arrays of ones built, issue 21); a touched
    one its scale and shift."""
    from venturesim.risks.apply import _effects

    draws = _hand_draws([{"target": "market.price", "value": 0.8, "duration_months": 3}], times=[2.3], severities=[1])
    assert _effects(draws, "company.other_costs", 8, None) is None
    assert _effects(draws, "market.churn", 8, 2) is None
    price = _effects(draws, "market.price", 8, 2)
    assert price is not None
    np.testing.assert_allclose(price.scale[0, :, 0], [1, 1, 1, 0.8, 0.8, 0.8, 1, 1])
    np.testing.assert_array_equal(price.shift, 0.0)
