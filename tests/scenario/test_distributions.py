"""Distribution specs: sampled draws against independent scipy.stats / closed-form references.

Every continuous check compares the sample mean with the reference mean to within
K = 4.5 standard errors (SE = sd/√n) and sample quantiles with the reference
quantiles to within K standard errors of a sample quantile,
SE_q = √(q(1 − q)/n) / f(x_q). Discrete laws compare each value's frequency with
its probability to within K binomial standard errors √(p(1 − p)/n).
All draws go through the public sampler with a fixed key, so the checks are
deterministic.
"""

from __future__ import annotations

import math
import re

import jax
import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

import venturesim as vs
from venturesim.spec.distributions import Dist, uncertain
from venturesim.spec.sampling import Sampler

N = 200_000
K = 4.5
QS = (0.05, 0.25, 0.5, 0.75, 0.95)
DIST = TypeAdapter(Dist)


@pytest.fixture(scope="module")
def sampler() -> Sampler:
    return Sampler(jax.random.key(0), np.arange(N))


def draw(sampler: Sampler, raw, name: str = "x", adapter: TypeAdapter = DIST) -> np.ndarray:
    spec = adapter.validate_python(raw)
    values = sampler.scalar(spec, name)
    assert values.shape == (N,) and values.dtype == np.float64
    return values


def assert_continuous_matches(x: np.ndarray, ref, qs=QS) -> None:
    """Mean and quantiles of ``x`` agree with the frozen scipy distribution ``ref``."""
    mean_se = ref.std() / math.sqrt(len(x))
    assert abs(x.mean() - ref.mean()) < K * mean_se, (x.mean(), ref.mean(), mean_se)
    for q in qs:
        target = ref.ppf(q)
        se = math.sqrt(q * (1 - q) / len(x)) / ref.pdf(target)
        got = np.quantile(x, q)
        assert abs(got - target) < K * se, (q, got, target, se)


def assert_frequencies_match(x: np.ndarray, values, probs) -> None:
    """Every value occurs with its probability (± K binomial SE) and nothing else occurs."""
    probs = np.asarray(probs, float)
    assert np.isin(x, values).all()
    for v, p in zip(values, probs, strict=True):
        freq = np.mean(x == v)
        se = math.sqrt(p * (1 - p) / len(x))
        assert abs(freq - p) < K * se + 1e-12, (v, freq, p)


# ---------------------------------------------------------------- continuous laws


def test_normal(sampler):
    x = draw(sampler, {"dist": "normal", "mean": 3.0, "sd": 2.0})
    assert_continuous_matches(x, stats.norm(3.0, 2.0))
    assert abs(x.std() - 2.0) < K * 2.0 / math.sqrt(2 * N)


def test_lognormal_mu_sigma_are_of_log_x(sampler):
    mu, sigma = math.log(50.0), 0.6
    x = draw(sampler, {"dist": "lognormal", "mu": mu, "sigma": sigma})
    # reference built from the closed form: ln X ~ N(mu, sigma²)
    ref = stats.lognorm(s=sigma, scale=math.exp(mu))
    assert ref.mean() == pytest.approx(math.exp(mu + sigma**2 / 2))
    assert_continuous_matches(x, ref)
    assert abs(np.median(x) - 50.0) < 0.02 * 50.0
    logs = np.log(x)
    assert abs(logs.mean() - mu) < K * sigma / math.sqrt(N)


def test_beta_on_unit_interval(sampler):
    x = draw(sampler, {"dist": "beta", "a": 2.0, "b": 5.0})
    assert x.min() > 0.0 and x.max() < 1.0
    assert x.mean() == pytest.approx(2 / 7, abs=K * stats.beta(2, 5).std() / math.sqrt(N))
    assert_continuous_matches(x, stats.beta(2.0, 5.0))


def test_beta_stretched_onto_low_high(sampler):
    x = draw(sampler, {"dist": "beta", "a": 3.0, "b": 1.5, "low": 10.0, "high": 40.0})
    assert x.min() > 10.0 and x.max() < 40.0
    # mean of low + (high - low)·Beta(a, b): 10 + 30·3/4.5 = 30
    ref = stats.beta(3.0, 1.5, loc=10.0, scale=30.0)
    assert ref.mean() == pytest.approx(30.0)
    assert_continuous_matches(x, ref)


def test_gamma_shape_and_scale_param(sampler):
    x = draw(sampler, {"dist": "gamma", "shape": 4.0, "scale_param": 0.75})
    ref = stats.gamma(4.0, scale=0.75)  # mean kθ = 3, variance kθ² = 2.25
    assert ref.mean() == pytest.approx(3.0) and ref.var() == pytest.approx(2.25)
    assert_continuous_matches(x, ref)
    assert x.var() == pytest.approx(2.25, rel=0.02)


def test_uniform(sampler):
    x = draw(sampler, {"dist": "uniform", "low": -2.0, "high": 6.0})
    assert x.min() >= -2.0 and x.max() <= 6.0
    for q in QS:  # closed form: low + q (high − low)
        assert abs(np.quantile(x, q) - (-2.0 + 8.0 * q)) < K * 8.0 * math.sqrt(q * (1 - q) / N)
    assert abs(x.mean() - 2.0) < K * (8.0 / math.sqrt(12)) / math.sqrt(N)


def _triangular_ppf(u, a, m, b):
    """Closed-form quantile of the triangular law (independent of scipy's parametrisation)."""
    c = (m - a) / (b - a)
    return np.where(u < c, a + np.sqrt(u * (b - a) * (m - a)), b - np.sqrt((1 - u) * (b - a) * (b - m)))


def test_triangular(sampler):
    a, m, b = 1.0, 2.0, 7.0
    x = draw(sampler, {"dist": "triangular", "low": a, "mode": m, "high": b})
    assert a <= x.min() and x.max() <= b
    mean = (a + m + b) / 3
    var = (a * a + m * m + b * b - a * m - a * b - m * b) / 18
    assert abs(x.mean() - mean) < K * math.sqrt(var / N)
    for q in QS:
        target = float(_triangular_ppf(q, a, m, b))
        density = 2 * (target - a) / ((b - a) * (m - a)) if target < m else 2 * (b - target) / ((b - a) * (b - m))
        assert abs(np.quantile(x, q) - target) < K * math.sqrt(q * (1 - q) / N) / density


@pytest.mark.parametrize("lamb", [4.0, 2.0])
def test_pert(sampler, lamb):
    a, m, b = 0.005, 0.015, 0.04
    raw = {"dist": "pert", "low": a, "mode": m, "high": b}
    if lamb != 4.0:
        raw["lamb"] = lamb
    x = draw(sampler, raw, name=f"pert{lamb}")
    alpha = 1 + lamb * (m - a) / (b - a)
    beta = 1 + lamb * (b - m) / (b - a)
    ref = stats.beta(alpha, beta, loc=a, scale=b - a)
    # the PERT mean (a + λm + b)/(λ + 2)
    assert ref.mean() == pytest.approx((a + lamb * m + b) / (lamb + 2))
    assert_continuous_matches(x, ref)


# ------------------------------------------------------------------ discrete laws


def test_poisson(sampler):
    x = draw(sampler, {"dist": "poisson", "rate": 3.5})
    assert np.all(x == np.round(x)) and x.min() >= 0
    ref = stats.poisson(3.5)
    for k in range(13):
        p = ref.pmf(k)
        assert abs(np.mean(x == k) - p) < K * math.sqrt(p * (1 - p) / N), k
    assert abs(np.mean(x > 12) - ref.sf(12)) < K * math.sqrt(ref.sf(12) / N) + 1 / N
    assert abs(x.mean() - 3.5) < K * math.sqrt(3.5 / N)
    assert abs(x.var() - 3.5) < 0.03 * 3.5


def test_bernoulli(sampler):
    x = draw(sampler, {"dist": "bernoulli", "p": 0.3})
    assert_frequencies_match(x, [0.0, 1.0], [0.7, 0.3])


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_bernoulli_degenerate(sampler, p):
    x = draw(sampler, {"dist": "bernoulli", "p": p})
    assert np.all(x == p)


def test_choice_with_weights(sampler):
    x = draw(sampler, {"dist": "choice", "values": [10, 20, 50], "weights": [1, 2, 5]})
    assert_frequencies_match(x, [10.0, 20.0, 50.0], [1 / 8, 2 / 8, 5 / 8])
    assert abs(x.mean() - (10 + 40 + 250) / 8) < K * x.std() / math.sqrt(N)


def test_choice_without_weights_is_uniform(sampler):
    x = draw(sampler, {"dist": "choice", "values": [1, 2, 3, 4]})
    assert_frequencies_match(x, [1.0, 2.0, 3.0, 4.0], [0.25] * 4)


def test_choice_weight_mismatch_rejected():
    with pytest.raises(ValueError, match="weights has 2 entries but values has 3"):
        DIST.validate_python({"dist": "choice", "values": [1, 2, 3], "weights": [1, 2]})


# ------------------------------------------------------------- the p5/p95 shorthand

Z95 = 1.6448536269514722


def test_range90_positive_is_lognormal(sampler):
    a, b = 20_000.0, 80_000.0
    x = draw(sampler, {"p5": a, "p95": b})
    mu = (math.log(a) + math.log(b)) / 2
    sigma = (math.log(b) - math.log(a)) / (2 * Z95)
    ref = stats.lognorm(s=sigma, scale=math.exp(mu))
    assert ref.ppf(0.05) == pytest.approx(a) and ref.ppf(0.95) == pytest.approx(b)
    assert_continuous_matches(x, ref)
    assert x.min() > 0
    # the 5th and 95th percentiles reproduced within 1 % relative
    assert np.quantile(x, 0.05) == pytest.approx(a, rel=0.01)
    assert np.quantile(x, 0.95) == pytest.approx(b, rel=0.01)
    assert np.median(x) == pytest.approx(math.sqrt(a * b), rel=0.01)  # geometric midpoint
    for q, edge in ((0.05, a), (0.95, b)):
        assert abs(np.mean(x < edge) - q) < K * math.sqrt(q * (1 - q) / N)


@pytest.mark.parametrize("a, b", [(-5.0, 15.0), (0.0, 8.0)])
def test_range90_nonpositive_p5_is_normal(sampler, a, b):
    x = draw(sampler, {"p5": a, "p95": b}, name=f"r{a}")
    mean, sd = (a + b) / 2, (b - a) / (2 * Z95)
    assert_continuous_matches(x, stats.norm(mean, sd))
    assert x.min() < 0  # a normal, not a lognormal
    # 5th/95th percentiles within 1 % of the width of the range (a p5 of 0 has no relative error)
    assert abs(np.quantile(x, 0.05) - a) < 0.01 * (b - a)
    assert abs(np.quantile(x, 0.95) - b) < 0.01 * (b - a)


def test_range90_order_checked():
    with pytest.raises(ValueError, match="p95"):
        DIST.validate_python({"p5": 5.0, "p95": 2.0})


# ------------------------------------------------------------------------ file draws


def test_file_draws_are_the_empirical_distribution(sampler, tmp_path):
    column = np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 10.0, 10.0])  # deliberately unsorted below
    rng = np.random.default_rng(5)
    path = tmp_path / "posterior.csv"
    path.write_text("other,churn\n" + "".join(f"0,{v}\n" for v in rng.permutation(column)))
    x = draw(sampler, {"file": str(path), "column": "churn"})
    assert_frequencies_match(x, [1.0, 2.0, 3.0, 10.0], [1 / 8, 2 / 8, 3 / 8, 2 / 8])
    assert abs(x.mean() - column.mean()) < K * column.std() / math.sqrt(N)


def test_file_draws_relative_to_base_dir_and_bad_column(tmp_path):
    (tmp_path / "d.csv").write_text("a\n1\n2\n")
    spec = DIST.validate_python({"file": "d.csv", "column": "a"}, context={"base_dir": str(tmp_path)})
    assert list(spec.ppf(np.array([0.1, 0.9]))) == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"column 'b' not in d\.csv"):
        DIST.validate_python({"file": "d.csv", "column": "b"}, context={"base_dir": str(tmp_path)})
    with pytest.raises(ValueError, match="draws file not found"):
        DIST.validate_python({"file": "missing.csv", "column": "a"}, context={"base_dir": str(tmp_path)})


# -------------------------------------------------------------------- scale / shift


@pytest.mark.parametrize(
    "raw",
    [
        {"dist": "normal", "mean": 1.0, "sd": 0.5},
        {"dist": "gamma", "shape": 2.0, "scale_param": 3.0},
        {"p5": 2.0, "p95": 9.0},
        {"dist": "choice", "values": [1, 4], "weights": [1, 3]},
    ],
)
def test_scale_shift_is_affine_on_the_same_draws(sampler, raw):
    base = draw(sampler, raw, name="affine")
    moved = draw(sampler, raw | {"scale": -2.5, "shift": 7.0}, name="affine")
    np.testing.assert_allclose(moved, 7.0 - 2.5 * base, rtol=1e-12, atol=1e-12)


def test_scale_shift_moves_mean_and_sd(sampler):
    x = draw(sampler, {"dist": "uniform", "low": 0.0, "high": 1.0, "scale": 10.0, "shift": -3.0})
    assert x.min() >= -3.0 and x.max() <= 7.0
    assert abs(x.mean() - 2.0) < K * (10 / math.sqrt(12)) / math.sqrt(N)


# ------------------------------------------------------------------------- bounds

PROBABILITY = TypeAdapter(uncertain(ge=0, le=1))


def test_lognormal_range_on_probability_field_clipped_when_tail_is_tiny(sampler):
    # p5 = 0.1, p95 = 0.45: P(X > 1) = 1 − Φ(−μ/σ) ≈ 3.5e-4 < 0.1 %, so it is accepted and clipped
    a, b = 0.1, 0.45
    mu = (math.log(a) + math.log(b)) / 2
    sigma = (math.log(b) - math.log(a)) / (2 * Z95)
    tail = stats.norm.sf(-mu / sigma)
    assert 1e-4 < tail < 1e-3
    x = draw(sampler, {"p5": a, "p95": b}, name="clip", adapter=PROBABILITY)
    assert x.max() == 1.0 and x.min() > 0.0
    at_one = np.mean(x == 1.0)
    assert abs(at_one - tail) < K * math.sqrt(tail / N)
    unclipped = draw(sampler, {"p5": a, "p95": b}, name="clip")
    np.testing.assert_array_equal(x, np.minimum(unclipped, 1.0))


def test_open_bound_clips_just_inside(sampler):
    # gt=0: a normal with 0.02 % of its mass below 0 is clipped to the next float above 0
    spec = TypeAdapter(uncertain(gt=0)).validate_python({"dist": "normal", "mean": 3.5, "sd": 1.0})
    values = spec.ppf(np.array([1e-6, 0.5]))
    assert values[0] == np.nextafter(0.0, 1.0) and values[1] == pytest.approx(3.5)


@pytest.mark.parametrize(
    "raw, share",
    [
        ({"dist": "normal", "mean": 0.5, "sd": 0.5}, "31.7%"),  # 2Φ(−1) outside [0, 1]
        ({"p5": 0.1, "p95": 0.6}, "0.5%"),  # lognormal, P(X > 1) ≈ 0.49 %
    ],
)
def test_distribution_mostly_outside_bounds_rejected(raw, share):
    with pytest.raises(
        ValueError, match=rf"must be >= 0 and <= 1, but {re.escape(share)} of this distribution lies outside"
    ):
        PROBABILITY.validate_python(raw)


def test_churn_normal_rejected_in_scenario_with_message():
    data = {
        "name": "t",
        "company": {"initial_cash": 1e6},
        "market": {
            "segments": [
                {"name": "smb", "market_size": 1000, "price": 10, "churn": {"dist": "normal", "mean": 0.5, "sd": 0.5}}
            ]
        },
    }
    with pytest.raises(vs.ScenarioError) as info:
        vs.load(data)
    text = str(info.value)
    assert "market.segments[0].churn" in text
    assert "31.7% of this distribution lies outside" in text
    assert "beta or pert" in text


def test_fixed_number_outside_bounds_rejected():
    with pytest.raises(ValueError, match="must be >= 0 and <= 1"):
        PROBABILITY.validate_python(1.5)
    assert PROBABILITY.validate_python(1.0) == 1.0


@pytest.mark.parametrize(
    "raw, frozen",
    [
        ({"dist": "normal", "mean": 3.0, "sd": 0.7}, lambda: stats.norm(3.0, 0.7)),
        ({"dist": "lognormal", "mu": -1.2, "sigma": 0.9}, lambda: stats.lognorm(s=0.9, scale=math.exp(-1.2))),
        ({"dist": "beta", "a": 0.7, "b": 3.5}, lambda: stats.beta(0.7, 3.5)),
        (
            {"dist": "beta", "a": 2.0, "b": 5.0, "low": 1.5, "high": 4.0},
            lambda: stats.beta(2.0, 5.0, loc=1.5, scale=2.5),
        ),
        ({"dist": "gamma", "shape": 0.6, "scale_param": 40.0}, lambda: stats.gamma(0.6, scale=40.0)),
        ({"dist": "uniform", "low": -2.0, "high": 7.0}, lambda: stats.uniform(-2.0, 9.0)),
        ({"dist": "triangular", "low": 1.0, "mode": 1.5, "high": 6.0}, lambda: stats.triang(0.1, loc=1.0, scale=5.0)),
        ({"dist": "pert", "low": 0.1, "mode": 0.2, "high": 0.9}, lambda: stats.beta(1.5, 4.5, loc=0.1, scale=0.8)),
        ({"p5": 20.0, "p95": 500.0}, None),
        ({"p5": -5.0, "p95": 15.0}, None),
    ],
)
def test_quantiles_are_scipy_stats_bit_for_bit(raw, frozen):
    """The quantiles computed from scipy.special (no scipy.stats import) are scipy.stats' own, bit for bit.

    Grid: 0, 1, the ±6σ tails the validation checks, its 20,000-point grid and 4,096 uniforms at a fixed seed.
    PERT(0.1, 0.2, 0.9, λ = 4): α = 1 + 4·0.1/0.8 = 1.5, β = 1 + 4·0.7/0.8 = 4.5 (the reference written by hand).
    """
    from venturesim.spec.distributions import _GRID, _TAILS

    spec = DIST.validate_python(raw)
    reference = spec._base() if frozen is None else frozen()
    u = np.concatenate([[0.0, 1.0], _TAILS, _GRID, np.random.default_rng(5).random(4096)])
    ours, theirs = spec._raw_ppf(u), reference.ppf(u)
    assert np.array_equal(ours, theirs, equal_nan=True)
    assert ours.dtype == theirs.dtype == np.float64
    assert np.array_equal(spec._raw_ppf(0.95), reference.ppf(0.95))  # a scalar probability too
