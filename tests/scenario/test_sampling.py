"""Sampling a scenario: rank correlations, per-path determinism, common random numbers, time series."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from scipy import stats

import venturesim as vs
from venturesim.engine.params import sample_with_draws
from venturesim.spec.sampling import Sampler
from venturesim.spec.timeseries import Schedule, Trend

SIZE = "market.segments.smb.market_size"
Q = "market.segments.smb.bass_q_annual"
CHURN = "market.segments.smb.churn"
CASH = "company.initial_cash"
N_SMALL = 1000  # one block shape for most tests: each new number of paths recompiles the key derivation


def scenario_dict(**extra) -> dict:
    data = {
        "name": "sampling",
        "simulation": {"months": 12},
        "company": {"initial_cash": {"p5": 5e5, "p95": 2e6}},
        "market": {
            "segments": [
                {
                    "name": "smb",
                    "market_size": {"p5": 2_000, "p95": 20_000},  # lognormal
                    "bass_q_annual": {"dist": "gamma", "shape": 8.0, "scale_param": 0.05},
                    "churn": {"dist": "beta", "a": 3.0, "b": 60.0},
                    "price": {"schedule": {0: 50, 6: {"dist": "uniform", "low": 30, "high": 60}}},
                }
            ]
        },
        "team": {"roles": [{"name": "eng", "monthly_cost": {"p5": 10_000, "p95": 20_000}, "headcount": {0: 2, 6: 4}}]},
        "compute": {"monthly_spend": {"start": 20_000, "growth": {"p5": -0.04, "p95": -0.01}}},
        "funding": {
            "rounds": [
                {
                    "name": "seed",
                    "success_probability": {"dist": "pert", "low": 0.2, "mode": 0.5, "high": 0.8},
                    "pre_money": 1e7,
                    "amount": {"p5": 1e6, "p95": 3e6},
                }
            ]
        },
    }
    data.update(extra)
    return data


CORRELATIONS = [{"between": [SIZE, Q], "rank_correlation": 0.6}, {"between": [Q, CHURN], "rank_correlation": -0.4}]


@pytest.fixture(scope="module")
def correlated():
    return vs.load(scenario_dict(correlations=CORRELATIONS))


def test_rank_correlations_reproduced(correlated):
    _, draws = sample_with_draws(correlated, jax.random.key(11), 100_000, months=12)
    size, q, churn = draws[SIZE], draws[Q], draws[CHURN]
    assert stats.spearmanr(size, q).statistic == pytest.approx(0.6, abs=0.02)
    assert stats.spearmanr(q, churn).statistic == pytest.approx(-0.4, abs=0.02)
    # the pair not named is implied by the Gaussian copula: ρ_s = (6/π)·asin(r/2),
    # with r = 0 between size and churn → independent
    assert stats.spearmanr(size, churn).statistic == pytest.approx(0.0, abs=0.02)
    # an input outside the correlations stays independent of them
    assert stats.spearmanr(size, draws[CASH]).statistic == pytest.approx(0.0, abs=0.02)
    # the marginals are untouched: the correlated market size still has p5/p95 = 2 000 / 20 000
    assert np.quantile(size, 0.05) == pytest.approx(2_000, rel=0.02)
    assert np.quantile(size, 0.95) == pytest.approx(20_000, rel=0.02)


def test_correlation_matrix_is_on_normal_scale(correlated):
    from venturesim.scenario.schema import rank_correlation_matrix

    names, matrix = rank_correlation_matrix(correlated)
    assert names == [SIZE, Q, CHURN]
    # r = 2 sin(π ρ_s / 6): 0.6 → 0.6180, −0.4 → −0.4158
    assert matrix[0, 1] == pytest.approx(2 * np.sin(np.pi * 0.6 / 6)) == pytest.approx(0.618034, abs=1e-6)
    assert matrix[1, 2] == pytest.approx(-0.415823, abs=1e-6)
    assert matrix[0, 2] == 0.0 and np.all(np.diag(matrix) == 1.0)


def test_non_positive_definite_correlations_rejected():
    contradictory = [
        {"between": [SIZE, Q], "rank_correlation": 0.9},
        {"between": [Q, CHURN], "rank_correlation": 0.9},
        {"between": [SIZE, CHURN], "rank_correlation": -0.9},
    ]
    with pytest.raises(vs.ScenarioError, match="not positive definite"):
        vs.load(scenario_dict(correlations=contradictory))


def test_correlation_with_unknown_input_suggests_name():
    bad = [{"between": ["market.segments.smb.market_sise", Q], "rank_correlation": 0.5}]
    with pytest.raises(vs.ScenarioError) as info:
        vs.load(scenario_dict(correlations=bad))
    text = str(info.value)
    assert "'market.segments.smb.market_sise', which is not an uncertain input" in text
    assert f"did you mean '{SIZE}'" in text


def test_correlation_with_fixed_input_rejected():
    # the segment's price knot at month 0 is a plain number, not an uncertain input
    bad = [{"between": ["market.segments.smb.price.schedule.0", Q], "rank_correlation": 0.5}]
    with pytest.raises(vs.ScenarioError, match="not an uncertain input"):
        vs.load(scenario_dict(correlations=bad))


def test_repeated_pair_rejected():
    bad = [{"between": [SIZE, Q], "rank_correlation": 0.5}, {"between": [Q, SIZE], "rank_correlation": 0.2}]
    with pytest.raises(vs.ScenarioError, match="given twice"):
        vs.load(scenario_dict(correlations=bad))


def _leaves(params):
    return jax.tree_util.tree_leaves(params)


def test_draws_do_not_depend_on_blocks(correlated):
    key = jax.random.key(3)
    whole, whole_draws = sample_with_draws(correlated, key, path_index=np.arange(0, 1000), months=12)
    first, first_draws = sample_with_draws(correlated, key, path_index=np.arange(0, 400), months=12)
    second, second_draws = sample_with_draws(correlated, key, path_index=np.arange(400, 1000), months=12)
    assert set(whole_draws) == set(first_draws) == set(second_draws)
    for name in whole_draws:
        np.testing.assert_array_equal(whole_draws[name], np.concatenate([first_draws[name], second_draws[name]]))
    for a, b, c in zip(_leaves(whole), _leaves(first), _leaves(second), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.concatenate([np.asarray(b), np.asarray(c)]))
    # n=1000 is the same as path_index = 0..999
    by_n = vs.sample(correlated, key, 1000, months=12)  # the public API returns the Params only
    for a, b in zip(_leaves(whole), _leaves(by_n), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_adding_an_unrelated_input_keeps_other_draws():
    base = vs.load(scenario_dict())
    extra = base.override(["company.other_monthly_costs={p5: 5000, p95: 15000}"])
    key = jax.random.key(21)
    params_a, draws_a = sample_with_draws(base, key, 1000, months=12)
    params_b, draws_b = sample_with_draws(extra, key, 1000, months=12)
    assert set(draws_b) - set(draws_a) == {"company.other_monthly_costs"}
    for name in draws_a:
        np.testing.assert_array_equal(draws_a[name], draws_b[name])
    np.testing.assert_array_equal(params_a.market.market_size, params_b.market.market_size)
    np.testing.assert_array_equal(params_a.team.monthly_cost, params_b.team.monthly_cost)
    # different keys give different draws
    _, draws_c = sample_with_draws(base, jax.random.key(22), 1000, months=12)
    assert not np.array_equal(draws_a[SIZE], draws_c[SIZE])


def test_independent_inputs_are_uncorrelated():
    _, draws = sample_with_draws(vs.load(scenario_dict()), jax.random.key(5), 100_000, months=12)
    names = [SIZE, Q, CHURN, CASH, "team.roles.eng.monthly_cost"]
    rho = stats.spearmanr(np.column_stack([draws[n] for n in names])).statistic
    off = rho[~np.eye(len(names), dtype=bool)]
    assert np.abs(off).max() < 4.5 / np.sqrt(100_000)


# --------------------------------------------------------------------- time series


@pytest.fixture(scope="module")
def sampler():
    return Sampler(jax.random.key(0), np.arange(N_SMALL))


def test_schedule_step_by_hand(sampler):
    spec = Schedule.model_validate({"schedule": {6: 5.0, 0: 10.0, 3: 20.0}})
    assert list(spec.schedule) == [0, 3, 6]  # knots sorted
    series = sampler.series(spec, "s", 9)
    np.testing.assert_array_equal(series, np.tile([10, 10, 10, 20, 20, 20, 5, 5, 5], (N_SMALL, 1)))


def test_schedule_linear_by_hand(sampler):
    spec = Schedule.model_validate({"schedule": {0: 10.0, 3: 20.0, 6: 5.0}, "interpolation": "linear"})
    series = sampler.series(spec, "s", 9)
    expected = [10, 10 + 10 / 3, 10 + 20 / 3, 20, 15, 10, 5, 5, 5]
    np.testing.assert_allclose(series, np.tile(expected, (N_SMALL, 1)), rtol=1e-12)


def test_schedule_before_first_knot_holds_first_value(sampler):
    linear = Schedule.model_validate({"schedule": {2: 10.0, 4: 30.0}, "interpolation": "linear"})
    np.testing.assert_allclose(sampler.series(linear, "s", 6)[0], [10, 10, 10, 20, 30, 30])
    step = Schedule.model_validate({"schedule": {2: 10.0, 4: 30.0}})
    np.testing.assert_allclose(sampler.series(step, "s", 6)[0], [10, 10, 10, 10, 30, 30])
    single = Schedule.model_validate({"schedule": {3: 7.0}, "interpolation": "linear"})
    np.testing.assert_allclose(sampler.series(single, "s", 4), np.full((N_SMALL, 4), 7.0))


def test_schedule_knots_drawn_per_path():
    s = Sampler(jax.random.key(1), np.arange(N_SMALL))
    spec = Schedule.model_validate(
        {"schedule": {0: {"dist": "uniform", "low": 0, "high": 1}, 4: 3.0}, "interpolation": "linear"}
    )
    series = s.series(spec, "k", 6)
    u = s.draws["k.schedule.0"]
    assert len(np.unique(u)) == 1000
    # month 2 is halfway between the month-0 draw and 3
    np.testing.assert_allclose(series[:, 2], 0.5 * u + 1.5, rtol=1e-12)
    np.testing.assert_allclose(series[:, 0], u)
    np.testing.assert_allclose(series[:, 4:], 3.0)


def test_trend_by_hand(sampler):
    spec = Trend.model_validate({"start": 2.5, "growth": -0.02})
    series = sampler.series(spec, "gpu", 25)
    assert series[0, 0] == 2.5
    assert series[0, 12] == pytest.approx(2.5 * 0.98**12, rel=1e-12)
    np.testing.assert_allclose(series, np.tile(2.5 * 0.98 ** np.arange(25), (N_SMALL, 1)), rtol=1e-12)
    # −2 % a month is about −21.5 % a year
    assert 1 - series[0, 12] / series[0, 0] == pytest.approx(0.2153, abs=1e-4)


def test_trend_uncertain_growth_per_path():
    s = Sampler(jax.random.key(2), np.arange(N_SMALL))
    spec = Trend.model_validate({"start": {"p5": 10, "p95": 40}, "growth": {"p5": -0.04, "p95": 0.01}})
    series = s.series(spec, "c", 13)
    start, growth = s.draws["c.start"], s.draws["c.growth"]
    np.testing.assert_allclose(series, start[:, None] * (1 + growth[:, None]) ** np.arange(13), rtol=1e-12)


def test_trend_on_bounded_field_with_positive_growth_rejected():
    data = scenario_dict()
    data["market"]["segments"][0]["churn"] = {"start": 0.03, "growth": {"p5": -0.01, "p95": 0.01}}
    with pytest.raises(vs.ScenarioError, match="grows without bound"):
        vs.load(data)


def test_sampled_series_in_params():
    sc = vs.load(scenario_dict())
    params, draws = sample_with_draws(sc, jax.random.key(9), N_SMALL, months=12)
    price = np.asarray(params.market.price[:, :, 0], np.float64)
    np.testing.assert_allclose(price[:, :6], 50.0)
    knot = draws["market.segments.smb.price.schedule.6"].astype(np.float32)
    np.testing.assert_array_equal(params.market.price[:, 6:, 0], np.repeat(knot[:, None], 6, axis=1))
    # the per-head cost is the drawn one in every month, and the plan {0: 2, 6: 4} is the same on every path
    cost = draws["team.roles.eng.monthly_cost"]
    np.testing.assert_allclose(params.team.monthly_cost[:, 0, :], np.repeat(cost[:, None], 12, axis=1), rtol=1e-6)
    np.testing.assert_array_equal(params.team.plan[:, 0, :], np.tile([2.0] * 6 + [4.0] * 6, (N_SMALL, 1)))
    # compute trend: 20 000 · (1 + g)^t
    g = draws["compute.monthly_spend.growth"]
    np.testing.assert_allclose(params.company.compute, 20_000 * (1 + g[:, None]) ** np.arange(12), rtol=1e-6)
    # Bass coefficients are per month (annual / 12), market size whole and ≥ 1
    np.testing.assert_allclose(params.market.q_monthly[:, 0], draws[Q] / 12, rtol=1e-6)
    size = params.market.market_size[:, 0]
    assert np.all(size == np.round(size)) and size.min() >= 1
