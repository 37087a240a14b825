"""A scenario input read from a joint posterior: one row per path, joint across columns, common random numbers."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd
import pytest
import yaml

import venturesim as vs
from venturesim.engine.params import sample_with_draws
from venturesim.market.bass import cumulative_fraction

MONTHS = 36
PATHS = 2000
ROWS = 400


def _posterior(path):
    """A joint posterior with the strong m–p–q correlations of an early-diffusion fit (not independent)."""
    rng = np.random.default_rng(11)
    z = rng.standard_normal(ROWS)
    draws = pd.DataFrame(
        {
            "chain": np.zeros(ROWS, int),
            "draw": np.arange(ROWS),
            "market_size": np.round(5000 * np.exp(0.35 * z)),  # whole numbers: the engine rounds m
            "bass_p_annual": 0.2 * np.exp(-0.4 * z + 0.05 * rng.standard_normal(ROWS)),
            "bass_q_annual": 0.9 * np.exp(0.3 * z + 0.05 * rng.standard_normal(ROWS)),
        }
    )
    draws.to_parquet(path)
    return draws


def _scenario(folder, price=1.0) -> dict:
    post = {"posterior": "market.parquet"}
    return {
        "name": "posterior-fed",
        "company": {"initial_cash": 1e12},
        "market": {
            "segments": [
                {
                    "name": "s",
                    "market_size": {**post, "column": "market_size"},
                    "bass_p_annual": {**post, "column": "bass_p_annual"},
                    "bass_q_annual": {**post, "column": "bass_q_annual"},
                    "price": price,
                    "churn": 0.0,
                }
            ]
        },
    }


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("post")
    draws = _posterior(folder / "market.parquet")
    return folder, draws


def _write(folder, scenario: dict, name="scenario.yaml"):
    path = folder / name
    path.write_text(yaml.safe_dump(scenario))
    return path


def _load_dict(folder, **kw):
    return vs.load(_write(folder, _scenario(folder, **kw)))


def test_each_path_takes_one_whole_row_and_scenarios_share_rows(setup):
    folder, draws = setup
    sc = _load_dict(folder)
    _, d = sample_with_draws(sc, jax.random.key(7), 2000)
    names = {k.split(".")[-1]: k for k in d if "segments" in k}
    triple = np.stack([d[names[c]] for c in ("market_size", "bass_p_annual", "bass_q_annual")], axis=1)
    rows = draws[["market_size", "bass_p_annual", "bass_q_annual"]].to_numpy()
    # every path's (m, p, q) is one row of the file (exactly), so the joint distribution is the posterior's
    match = np.all(np.isclose(triple[:, None, :], rows[None, :, :], rtol=0, atol=0), axis=2)
    assert np.all(match.sum(axis=1) >= 1)
    # the rows are drawn uniformly: each of the 400 rows ~ 5 times; a chi-square-free check of spread
    counts = np.bincount(np.argmax(match, axis=1), minlength=ROWS)
    assert (counts > 0).mean() > 0.97  # P(a row unseen) = (1 − 1/400)^2000 ≈ 0.7 %
    # the posterior's correlations survive: m–p correlation of the paths = the file's (≈ −0.84)
    file_corr = np.corrcoef(rows[:, 0], rows[:, 1])[0, 1]
    assert file_corr < -0.8
    assert abs(np.corrcoef(triple[:, 0], triple[:, 1])[0, 1] - file_corr) < 0.03
    # common random numbers: another scenario naming the file (other price) draws the same rows
    _, d2 = sample_with_draws(_load_dict(folder, price=2.0), jax.random.key(7), 2000)
    for k in names.values():
        np.testing.assert_array_equal(d[k], d2[k])


def test_scenario_fed_posterior_reproduces_mean_adoption_curve(setup):
    """Mean cumulative adopters within 4 SE of the posterior's mean curve E[m F(t; p, q)] in every month.

    The mean curve with independently shuffled columns (correlations dropped) differs by many SE, so the
    test would catch a sampler that drew each column on its own.
    """
    folder, draws = setup
    metrics = ("customers", "new_customers", "churned_customers", "revenue", "alive")  # tests/market/test_bass.py's
    result = vs.simulate(_load_dict(folder), paths=PATHS, months=MONTHS, seed=3, metrics=metrics)  # program
    cumulative = np.cumsum(result.data["new_customers"].values.astype(np.float64), axis=1)
    t = np.arange(1, MONTHS + 1)
    m, p, q = (draws[c].to_numpy()[:, None] for c in ("market_size", "bass_p_annual", "bass_q_annual"))
    expected = (m * cumulative_fraction(t[None, :], p / 12, q / 12)).mean(axis=0)
    mean = cumulative.mean(axis=0)
    se = cumulative.std(axis=0, ddof=1) / np.sqrt(PATHS)
    z = (mean - expected) / se
    assert np.all(np.abs(z) < 4), np.round(z, 2)
    rng = np.random.default_rng(0)
    shuffled = (rng.permutation(m) * cumulative_fraction(t[None, :], rng.permutation(p) / 12, q / 12)).mean(axis=0)
    assert np.max(np.abs((mean - shuffled) / se)) > 10


def test_posterior_column_errors(setup):
    from venturesim.spec.errors import ScenarioError

    folder, _ = setup
    bad = _scenario(folder)
    bad["market"]["segments"][0]["bass_p_annual"] = {"posterior": "market.parquet", "column": "bass_p"}
    with pytest.raises(ScenarioError, match=r"column 'bass_p' not in market\.parquet"):
        vs.load(_write(folder, bad, "bad.yaml"))
    bad["market"]["segments"][0]["bass_p_annual"] = {"posterior": "../market.parquet", "column": "bass_p_annual"}
    with pytest.raises(ScenarioError, match="outside the scenario's folder"):
        vs.load(_write(folder, bad, "bad.yaml"))
    corr = _scenario(folder)
    corr["correlations"] = [
        {"between": ["market.segments.s.bass_p_annual", "market.segments.s.bass_q_annual"], "rank_correlation": 0.5}
    ]
    with pytest.raises(ScenarioError, match="column of a joint posterior"):
        vs.load(_write(folder, corr, "corr.yaml"))
