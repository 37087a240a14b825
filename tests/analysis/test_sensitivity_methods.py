"""The sensitivity methods on models whose answers are known by hand (no engine: fast).

* Tornado of a linear model y = Σ a_i X_i + ε with X_i ~ Normal(μ_i, σ_i): pinning X_i at its p10 and
  p90 with every other input and ε unchanged moves every path by a_i (x_i,90 − x_i,10)
  = a_i σ_i · 2 Φ⁻¹(0.9), so the swing is that number and its paired SE is 0.
* Sobol indices of the Ishigami function f = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1, x_i ~ U(−π, π)
  (Ishigami & Homma 1990; analytic values from Sobol' & Levitan 1999, as tabulated in SALib's tests):
  S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
* An additive model: total index = first-order index, and the first-order indices sum to 1.
* The spread split of y = X + ε, Var X = 4, Var ε = 1: parameter share 0.8.
"""

import jax
import numpy as np
import pytest
from scipy.special import ndtri

from venturesim.analysis.outcomes import Outcome
from venturesim.analysis.sensitivity import NOISE, sobol_table, tornado_table, variance_split
from venturesim.spec.distributions import Normal
from venturesim.spec.sampling import Design, Sampler

N = 2000
COEF = {"a": 3.0, "b": -2.0, "c": 0.5}
SPECS = {"a": {"mean": 1.0, "sd": 2.0}, "b": {"mean": 0.0, "sd": 1.0}, "c": {"mean": 5.0, "sd": 4.0}}


def linear(design):
    """y = Σ a_i X_i + ε on N paths, the X_i drawn by the library's Sampler (so `pinned` is the real hook)."""
    sampler = Sampler(jax.random.key(3), np.arange(N), design=design)
    x = {
        name: sampler.scalar(Normal(dist="normal", mean=spec["mean"], sd=spec["sd"]), name)
        for name, spec in SPECS.items()
    }
    noise = np.random.default_rng(0).normal(size=N)  # the same on every call: common random numbers
    return sum(COEF[n] * x[n] for n in x) + noise, x


@pytest.mark.parametrize("quantile", [None, 0.5])
def test_tornado_of_linear_model_equals_hand_values(quantile):
    outcome = Outcome("y", None, quantile)
    table = tornado_table(linear, outcome, list(SPECS))
    z90 = ndtri(0.9)  # 1.2815515655446004
    hand = {n: COEF[n] * SPECS[n]["sd"] * 2 * z90 for n in SPECS}  # a: 15.379, b: −5.126, c: 5.126
    assert list(table["input"]) == ["a", "b", "c"] or list(table["input"]) == ["a", "c", "b"]
    for row in table.itertuples():
        assert row.swing == pytest.approx(hand[row.input], rel=1e-9)
        assert row.input_low == pytest.approx(SPECS[row.input]["mean"] - SPECS[row.input]["sd"] * z90, rel=1e-9)
        assert row.swing_se == pytest.approx(0.0, abs=1e-9)  # every path moves by the same amount


def test_tornado_pins_others_at_their_draws():
    _, base = linear(None)
    _, pinned = linear(Design(pinned={"a": 0.9}))
    assert np.all(pinned["a"] == pinned["a"][0])
    np.testing.assert_array_equal(pinned["b"], base["b"])
    np.testing.assert_array_equal(pinned["c"], base["c"])


def ishigami(u, noise_of):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_ishigami_match_analytic_values():
    table = sobol_table(ishigami, ["x1", "x2", "x3"], 2**12, seed=1, noise=False).set_index("factor")
    s1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
    st = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
    for name in s1:
        assert abs(table.loc[name, "S1"] - s1[name]) < 0.03, table
        assert abs(table.loc[name, "ST"] - st[name]) < 0.03, table
        assert 0 < table.loc[name, "ST_conf"] < 0.06


def test_sobol_additive_model_total_equals_first_order_and_noise_is_a_factor():
    weights = np.array([1.0, 2.0, 3.0])
    rng = {"A": np.random.default_rng(5), "B": np.random.default_rng(6)}
    noise = {key: g.normal(size=2**12) for key, g in rng.items()}

    def additive(u, noise_of):  # y = Σ w_i Φ⁻¹(u_i) + ε: Var = 1 + 4 + 9 + 1 = 15
        return ndtri(u) @ weights + noise[noise_of]

    table = sobol_table(additive, ["x1", "x2", "x3"], 2**12, seed=2).set_index("factor")
    expected = {"x1": 1 / 15, "x2": 4 / 15, "x3": 9 / 15, NOISE: 1 / 15}
    for name, share in expected.items():
        assert table.loc[name, "S1"] == pytest.approx(share, abs=0.03)
        assert table.loc[name, "ST"] == pytest.approx(share, abs=0.03)
        assert abs(table.loc[name, "ST"] - table.loc[name, "S1"]) < 0.04
    assert table["S1"].sum() == pytest.approx(1.0, abs=0.06)


def test_variance_split_recovers_parameter_share():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 2, 20_000)
    table = variance_split(x + rng.normal(size=x.size), x + rng.normal(size=x.size))
    assert table["share"][0] == pytest.approx(0.8, abs=3 * table["se"][0])
    assert 0 < table["se"][0] < 0.01
