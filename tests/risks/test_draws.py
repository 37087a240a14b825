"""Risk arrivals: hazard → occurrence probability, Poisson counts, copula dependence, contagion, mitigations."""

import jax
import numpy as np
import pytest
from risks.risk_builders import SEGMENTS
from scipy import stats

from venturesim.risks import Risks, arrival_times, occurrence_correlation, occurrence_probability, sample_risks
from venturesim.spec.sampling import Sampler

N = 20_000


def risk(name, impacts=None, **fields):
    return {"name": name, "impacts": impacts or [{"target": "market.price", "value": 0.9}], **fields}


def sample(risks: list[dict], n=N, months=24, seed=0, path_index=None, **section):
    section = Risks.model_validate({"custom": risks, **section})
    index = np.arange(n) if path_index is None else path_index
    return sample_risks(section, Sampler(jax.random.key(seed), index), months, segments=SEGMENTS)


def test_arrival_times_hand_worked():
    # hazard 0.5, 0, 1.0 per month → H(1) = 0.5, H(2) = 0.5, H(3) = 1.5
    hazard = np.array([[0.5, 0.0, 1.0]])
    targets = np.array([[0.25, 0.5, 1.0, 2.0]])
    # G=0.25: 0.25/0.5 = 0.5; G=0.5: reached at the end of month 0 → 1.0;
    # G=1.0: month 2 from H=0.5 at rate 1 → 2.5; G=2.0 > H(3) → none
    np.testing.assert_allclose(arrival_times(hazard, targets)[0], [0.5, 1.0, 2.5, np.inf])


@pytest.mark.parametrize("t", [6, 12, 24])
def test_constant_hazard_fires_with_probability_one_minus_exp(t):
    h = 0.05
    draws = sample([risk("r", hazard_monthly=h)])
    fired = (draws.time[:, 0, 0] < t).mean()
    p = 1 - np.exp(-h * t)  # 0.259, 0.451, 0.699
    assert abs(fired - p) < 3 * np.sqrt(p * (1 - p) / N)


def test_annual_probability_is_probability_within_a_year():
    draws = sample([risk("r", annual_probability=0.3)])
    fired = (draws.time[:, 0, 0] < 12).mean()
    assert abs(fired - 0.3) < 3 * np.sqrt(0.3 * 0.7 / N)
    np.testing.assert_allclose(draws.hazard[0, 0], -np.log(0.7) / 12)


def test_time_varying_hazard_and_start_month():
    # 0.02/month until month 12, then 0.1; nothing before month 3.
    draws = sample([risk("r", hazard_monthly={"schedule": {0: 0.02, 12: 0.1}}, start_month=3)])
    assert np.all(draws.time[:, 0, 0] >= 3)
    for t, cumulative in [(7.5, 0.02 * 4.5), (24, 0.02 * 9 + 0.1 * 12)]:
        p = 1 - np.exp(-cumulative)  # 0.086, 0.748
        assert occurrence_probability(draws.hazard[0, 0], t) == pytest.approx(p)
        assert abs((draws.time[:, 0, 0] < t).mean() - p) < 3 * np.sqrt(p * (1 - p) / N)


def test_event_count_is_poisson():
    # h·T = 0.05 · 24 = 1.2 events on average; P(N > 12) ≈ 1e-10
    draws = sample([risk("r", hazard_monthly=0.05, max_events=12)])
    counts = np.isfinite(draws.time[:, 0]).sum(axis=1)
    assert abs(counts.mean() - 1.2) < 3 * np.sqrt(1.2 / N)
    assert counts.var() == pytest.approx(1.2, rel=0.05)  # var/mean = 1 (SE of the variance ≈ 1.5 %)
    times = draws.time[:, 0]
    assert np.all(np.diff(np.where(np.isfinite(times), times, 1e9), axis=1) >= 0)  # in time order


def test_common_factor_gives_the_declared_occurrence_correlation():
    # loadings 0.8 and 0.6 → latent correlation 0.48; each occurs by month 24 with p = 1 − 0.7² = 0.51
    draws = sample(
        [risk("a", annual_probability=0.3), risk("b", annual_probability=0.3)], macro_factor={"a": 0.8, "b": 0.6}
    )
    a, b = [(draws.time[:, k, 0] < 24).astype(float) for k in (0, 1)]
    expected = occurrence_correlation(0.51, 0.51, 0.8, 0.6)
    assert 0.3 < expected < 0.35  # about 0.32: a real dependence
    empirical = np.corrcoef(a, b)[0, 1]
    assert abs(empirical - expected) < 3 * (1 - expected**2) / np.sqrt(N)  # 3 large-sample SE of r
    # and the joint probability is the bivariate normal's
    z = stats.norm.ppf(0.51)
    both = stats.multivariate_normal(cov=[[1, 0.48], [0.48, 1]]).cdf([z, z])
    assert abs((a * b).mean() - both) < 3 * np.sqrt(both * (1 - both) / N)


def test_without_a_common_factor_risks_are_independent():
    draws = sample([risk("a", annual_probability=0.3), risk("b", annual_probability=0.3)])
    a, b = [(draws.time[:, k, 0] < 24).astype(float) for k in (0, 1)]
    assert abs(np.corrcoef(a, b)[0, 1]) < 3 / np.sqrt(N)


def test_mitigation_scales_hazard_from_its_start_month():
    draws = sample(
        [
            risk(
                "r",
                hazard_monthly=0.04,
                mitigations=[{"name": "m", "hazard_multiplier": 0.5, "start_month": 6, "cost_per_month": 2000}],
            )
        ]
    )
    np.testing.assert_allclose(draws.hazard[:, 0], np.broadcast_to(np.where(np.arange(24) >= 6, 0.02, 0.04), (N, 24)))
    np.testing.assert_allclose(
        draws.mitigation_cost, np.broadcast_to(np.where(np.arange(24) >= 6, 2000.0, 0.0), (N, 24))
    )


def test_unbought_mitigation_does_nothing():
    draws = sample(
        [
            risk(
                "r",
                hazard_monthly=0.04,
                mitigations=[{"name": "m", "hazard_multiplier": 0.5, "cost_per_month": 2000, "bought": False}],
            )
        ]
    )
    np.testing.assert_allclose(draws.hazard[:, 0], 0.04)
    assert not draws.mitigation_cost.any()


def test_contagion_multiplies_the_target_hazard_in_each_window():
    draws = sample(
        [
            risk("target", annual_probability=0.1),
            risk(
                "source",
                hazard_monthly=0.1,
                max_events=3,
                raises=[{"risk": "target", "hazard_multiplier": 2.0, "duration_months": 6}],
            ),
        ]
    )
    assert draws.names == ("source", "target")  # sources are drawn first
    start = np.ceil(draws.time[:, 0])[..., None]  # (paths, E, 1)
    t = np.arange(24)
    windows = ((t >= start) & (t < start + 6)).sum(axis=1)  # overlapping source events, (paths, T)
    np.testing.assert_allclose(draws.hazard[:, 1], -np.log(0.9) / 12 * 2.0**windows)
    assert windows.max() >= 2  # some paths have overlapping windows


def test_draws_depend_only_on_seed_and_path_index():
    risks = [risk("a", annual_probability=0.4, max_events=3, severity={"p5": 0.5, "p95": 2})]
    full = sample(risks)
    part = sample(risks, path_index=np.arange(N // 2, N + N // 2))  # same block size, shifted by N/2
    np.testing.assert_array_equal(part.time[: N // 2], full.time[N // 2 :])
    np.testing.assert_array_equal(part.severity[: N // 2], full.severity[N // 2 :])
    again = sample(risks)
    np.testing.assert_array_equal(again.time, full.time)
    other = sample(risks, seed=1)
    assert not np.array_equal(other.time, full.time)


def test_severity_is_drawn_per_event_and_mitigated():
    risks = [
        risk(
            "a",
            hazard_monthly=0.2,
            max_events=3,
            severity={"dist": "uniform", "low": 1, "high": 3},
            mitigations=[{"name": "m", "severity_multiplier": 0.5}],
        )
    ]
    draws = sample(risks)
    s = draws.severity[:, 0][np.isfinite(draws.time[:, 0])]
    assert s.min() >= 0.5 and s.max() <= 1.5
    assert abs(s.mean() - 1.0) < 3 * (0.5 * 2 / np.sqrt(12)) / np.sqrt(len(s))  # U(1,3)/2 has mean 1


def test_impact_probability_is_respected():
    draws = sample(
        [
            risk(
                "a",
                hazard_monthly=0.5,
                impacts=[{"target": "market.price", "value": 0.0, "duration_months": 1, "probability": 0.2}],
            )
        ]
    )
    fired = np.isfinite(draws.time[:, 0, 0])
    share = draws.occurs[fired, 0, 0, 0].mean()
    assert abs(share - 0.2) < 3 * np.sqrt(0.16 / fired.sum())
    assert not draws.occurs[~fired, 0, 0, 0].any()


def test_occurrence_correlation_validates_and_is_zero_without_loadings():
    assert occurrence_correlation(0.3, 0.6, 0.0, 0.9) == pytest.approx(0.0, abs=1e-7)
    with pytest.raises(ValueError, match=r"p_j\(=1.0\)"):
        occurrence_correlation(1.0, 0.5, 0.5, 0.5)


def test_unknown_segment_is_reported():
    section = Risks.model_validate(
        {
            "custom": [
                risk("a", annual_probability=0.1, impacts=[{"target": "market.churn", "value": 2.0, "segment": "smbb"}])
            ]
        }
    )
    with pytest.raises(ValueError, match="segment 'smbb'"):
        sample_risks(section, Sampler(jax.random.key(0), np.arange(N)), 12, segments=SEGMENTS)
