"""Reproducibility: a path's numbers depend only on the seed and its index, never on chunking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import venturesim as vs
from venturesim.engine.jax_engine import BLOCK

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
PATHS, MONTHS, SEED = 10_000, 36, 7
METRICS = ("cash", "arr", "alive", "customers", "runway", "financing", "founder_ownership")


@pytest.fixture(scope="module")
def scenario():
    return vs.load(SCENARIO)


@pytest.fixture(scope="module")
def all_at_once(scenario):
    return vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, metrics=METRICS)


def assert_same(a: vs.Result, b: vs.Result, paths: slice = slice(None)) -> None:
    assert set(a.data.data_vars) == set(b.data.data_vars)
    for name in a.data.data_vars:
        np.testing.assert_array_equal(a.data[name].values[paths], b.data[name].values, err_msg=name)
    assert list(a.inputs.columns) == list(b.inputs.columns)
    np.testing.assert_array_equal(a.inputs.to_numpy()[paths], b.inputs.to_numpy())


@pytest.fixture(scope="module")
def chunked_1k(scenario):
    return vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, metrics=METRICS, chunk_size=1_000)


def test_chunk_size_10k_equals_all_at_once(scenario, all_at_once):
    chunk_10k = vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, metrics=METRICS, chunk_size=10_000)
    assert_same(all_at_once, chunk_10k)


@pytest.mark.slow
def test_padded_last_chunk(scenario, chunked_1k):
    # 5 000 paths in chunks of 1 000, rounded up to one BLOCK (4 096): the last chunk
    # is padded; the paths are the first 5 000 of the 10 000
    calls = []
    partial = vs.simulate(
        scenario,
        paths=5_000,
        months=MONTHS,
        seed=SEED,
        metrics=METRICS,
        chunk_size=1_000,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(BLOCK, 5_000), (5_000, 5_000)]
    assert partial.paths == 5_000
    assert_same(chunked_1k, partial, slice(0, 5_000))


@pytest.mark.slow
def test_chunk_size_1k_same_draws_and_fates(all_at_once, chunked_1k):
    """Inputs, deaths and rounds are identical; money agrees to float32 rounding."""
    np.testing.assert_array_equal(all_at_once.inputs.to_numpy(), chunked_1k.inputs.to_numpy())
    for name in (
        "alive",
        "customers",
        "financing",
        "founder_ownership",
        "death_month",
        "round_status",
        "round_close_month",
        "final_founder_ownership",
    ):
        np.testing.assert_array_equal(all_at_once.data[name].values, chunked_1k.data[name].values, err_msg=name)
    for name in ("cash", "arr", "runway", "final_cash", "final_arr", "final_runway"):
        a, b = all_at_once.data[name].values, chunked_1k.data[name].values
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=1.0, err_msg=name)


@pytest.mark.slow
def test_chunk_size_1k_bitwise_identical(all_at_once, chunked_1k):
    assert_same(all_at_once, chunked_1k)


def test_simulate_twice_is_identical(scenario, all_at_once):
    again = vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED, metrics=METRICS)
    assert_same(all_at_once, again)
    assert all_at_once.summary().equals(again.summary())


def test_different_seeds_differ(scenario, all_at_once):
    other = vs.simulate(scenario, paths=PATHS, months=MONTHS, seed=SEED + 1, metrics=METRICS)
    assert not np.array_equal(all_at_once.data["cash"].values, other.data["cash"].values)
    assert not np.array_equal(all_at_once.inputs.to_numpy(), other.inputs.to_numpy())
    # ... but agree statistically: survival at month 36 within 4.5 standard errors of the difference
    a, b = all_at_once.survival().loc[36], other.survival().loc[36]
    assert abs(a.survival - b.survival) < 4.5 * np.hypot(a.se, b.se)
    # the seed stored in the scenario is used when none is given
    assert all_at_once.seed == SEED


def test_result_shape_and_labels(all_at_once):
    ds = all_at_once.data
    assert all_at_once.paths == PATHS and all_at_once.months == MONTHS
    assert ds["cash"].dims == ("path", "month") and ds.sizes["month"] == MONTHS
    assert list(ds["month"].values) == list(range(1, MONTHS + 1))
    assert list(ds["round"].values) == ["seed", "series_a"]
    assert set(all_at_once.metrics) == set(METRICS)
    assert len(all_at_once.inputs) == PATHS
    long = all_at_once.to_pandas(["cash", "arr"])
    assert len(long) == PATHS * MONTHS and {"path", "month", "cash", "arr"} <= set(long.columns)
    q = all_at_once.quantiles("cash", q=(0.1, 0.5))
    np.testing.assert_allclose(q.loc[12, 0.5], np.quantile(ds["cash"].sel(month=12).values.astype(float), 0.5))


def test_survival_standard_error(all_at_once):
    table = all_at_once.survival()
    n = all_at_once.paths
    alive = all_at_once.data["alive"].values
    assert table.loc[0, "survival"] == 1.0 and table.loc[0, "se"] == 0.0
    np.testing.assert_allclose(table["survival"].to_numpy()[1:], alive.mean(axis=0))
    p = table["survival"].to_numpy()
    np.testing.assert_allclose(table["se"].to_numpy(), np.sqrt(p * (1 - p) / n), rtol=1e-12)
    assert np.all(np.diff(p) <= 0)


def test_summary_standard_errors(all_at_once):
    table = all_at_once.summary()
    n = all_at_once.paths
    finite_value = np.isfinite(table["value"].to_numpy())
    # every finite figure has a finite, non-negative standard error; an infinite quantile
    # (runway of profitable paths) has none
    assert np.all(np.isfinite(table["se"].to_numpy()[finite_value]))
    assert np.all(table["se"].to_numpy()[finite_value] >= 0)
    assert np.all(np.isnan(table["se"].to_numpy()[~finite_value]))

    probability = table[table["statistic"] == "probability"]
    # the proportions over all n paths (others, e.g. a round's MOIC < 1, are over the paths they name)
    probability = probability[probability["metric"].str.match(r"(alive at|raised round|exited)")]
    assert len(probability) >= 5  # alive at 12, 24, 36; raised seed, series A
    p = probability["value"].to_numpy()
    np.testing.assert_allclose(probability["se"].to_numpy(), np.sqrt(p * (1 - p) / n), rtol=1e-12)

    survival = all_at_once.survival()
    row = table[table["metric"] == "alive at month 24"].iloc[0]
    assert row.value == pytest.approx(survival.loc[24, "survival"]) and row.se == pytest.approx(survival.loc[24, "se"])

    seed = table[table["metric"] == "raised round 'seed'"].iloc[0]
    assert seed.value == pytest.approx(np.mean(all_at_once.data["round_status"].sel(round="seed").values == 2))

    label = f"ARR at month {MONTHS} (operating paths)"  # alive and not sold or listed at the horizon
    mean = table[(table["metric"] == label) & (table["statistic"] == "mean")].iloc[0]
    operating = (all_at_once.data["death_month"].values < 0) & ~np.isfinite(all_at_once.exited())
    arr = all_at_once.data["final_arr"].values.astype(np.float64)[operating]
    assert mean.value == pytest.approx(arr.mean()) and mean.se == pytest.approx(arr.std(ddof=1) / np.sqrt(arr.size))


def test_a_default_run_is_spread_over_the_threads():
    """Without a chunk size a run has at least one chunk per thread while it has blocks to share (so 10,000 paths
    use both cores of a 2-core machine); a chunk size given is kept. The numbers do not change (above)."""
    from venturesim.engine.simulate import chunking

    assert chunking(10_000, None, threads=2) == (2 * BLOCK, 2)
    assert chunking(1_000, None, threads=2) == (BLOCK, 1)  # one block: nothing to share
    assert chunking(40_000, None, threads=2) == (4 * BLOCK, 3)  # DEFAULT_CHUNK already gives more
    assert chunking(10_000, None, threads=1) == (3 * BLOCK, 1)
    assert chunking(10_000, 10_000, threads=2) == (3 * BLOCK, 1)
