"""simulate(..., keep="summary") against the full Result of the same paths: probabilities and means exact, quantiles
within the sketch's bound, the same figures for any chunk size or thread count."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import venturesim as vs
from venturesim.analysis.sketch import RELATIVE_ERROR
from venturesim.spec.errors import UsageError

PATHS, SEED, MONTHS = 12_000, 5, 24  # 12,000: three blocks of 4,096, the last one padded
LEFT_OUT = {"exits", "returns", "operations", "product", "targets"}  # module docstring of analysis.streaming
ROW_BOUND = 2 * (RELATIVE_ERROR / 2) / (1 - RELATIVE_ERROR / 2)  # the rows' sketches: bucket means at α/2
KEY = ["section", "metric", "statistic"]


@pytest.fixture(scope="module")
def scenario():
    return vs.load("scenarios/seed_stage_api.yaml")


@pytest.fixture(scope="module")
def full(scenario):
    return vs.simulate(scenario, paths=PATHS, seed=SEED, months=MONTHS)


@pytest.fixture(scope="module")
def streamed(scenario):
    return vs.simulate(scenario, paths=PATHS, seed=SEED, months=MONTHS, keep="summary", chunk_size=4096)


def test_summary_rows_are_the_full_tables_rows_but_the_left_out_sections(full, streamed):
    table, rows = full.summary(), streamed.summary()
    assert set(table["section"]) - set(rows["section"]) <= LEFT_OUT
    kept = table[~table["section"].isin(LEFT_OUT)]
    assert rows[KEY].values.tolist() == kept[KEY].values.tolist()  # the same rows, in the same order


def test_probabilities_and_means_agree_exactly_quantiles_within_the_bound(full, streamed):
    both = full.summary().merge(streamed.summary(), on=KEY, suffixes=("_full", "_stream"))
    exact = both["statistic"].isin(["probability", "mean"])
    np.testing.assert_allclose(both.loc[exact, "value_stream"], both.loc[exact, "value_full"], rtol=1e-12)
    np.testing.assert_allclose(both.loc[exact, "se_stream"], both.loc[exact, "se_full"], rtol=1e-9)
    q = both[~exact]
    err = np.abs(q["value_stream"] - q["value_full"])
    assert (err <= ROW_BOUND * np.abs(q["value_full"]) + 1e-9).all(), q[err > ROW_BOUND * np.abs(q["value_full"])]
    assert (q["value_stream"] == q["value_full"]).sum() >= 10  # whole months, fixed ownerships: exact
    assert exact.sum() >= 15 and (~exact).sum() >= 25


def test_monthly_means_quantiles_and_survival(full, streamed):
    for metric in ("cash", "arr", "customers", "runway"):
        values = np.asarray(full.data[metric].values, np.float64)
        finite = np.where(np.isfinite(values), values, np.nan)
        table = streamed.mean(metric)
        np.testing.assert_allclose(table["mean"], np.nanmean(finite, axis=0), rtol=1e-12)
        n = np.isfinite(values).sum(axis=0)
        np.testing.assert_allclose(table["se"], np.nanstd(finite, axis=0, ddof=1) / np.sqrt(n), rtol=1e-9)
        assert table["nan"].tolist() == np.isnan(values).sum(axis=0).tolist()
        with np.errstate(invalid="ignore"):
            exact, got = np.asarray(full.quantiles(metric)), np.asarray(streamed.quantiles(metric))
        # numpy interpolates +∞ and +∞ to NaN (∞ − ∞); the sketch keeps +∞ (runway: cash-flow positive paths)
        ok = np.isclose(got, exact, rtol=RELATIVE_ERROR, atol=1e-9) | (got == exact) | (np.isnan(exact) & np.isinf(got))
        assert ok.all(), metric
    pd.testing.assert_frame_equal(streamed.survival(), full.survival())
    why = full.why_dead()
    assert streamed.why_dead()["paths"].tolist() == why["paths"].tolist()


def test_same_figures_for_any_chunk_size_and_thread_count(scenario, streamed):
    again = vs.simulate(scenario, paths=PATHS, seed=SEED, months=MONTHS, keep="summary", threads=1)
    pd.testing.assert_frame_equal(again.summary(), streamed.summary(), check_exact=True)
    for metric in ("cash", "runway"):
        pd.testing.assert_frame_equal(again.mean(metric), streamed.mean(metric), check_exact=True)
        assert np.array_equal(again.sketch(metric).counts, streamed.sketch(metric).counts)


def test_keep_is_checked(scenario):
    with pytest.raises(UsageError, match="keep"):
        vs.simulate(scenario, paths=10, months=3, keep="rows")
    with pytest.raises(UsageError, match="JAX engine"):
        vs.simulate(scenario, paths=10, months=3, keep="summary", engine="des")


def test_cli_summary_only_prints_the_table_and_writes_nothing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from venturesim.cli import app

    monkeypatch.chdir(tmp_path)
    scenario = str(Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml")
    args = ["run", scenario, "--paths", "4096", "--months", str(MONTHS), "--summary-only", "--no-compile-cache"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    assert f"alive at month {MONTHS}" in out.output and "--summary-only" in out.output
    assert not any(tmp_path.iterdir())  # no out/ folder
    refused = CliRunner().invoke(app, [*args, "--export", "csv"])
    assert refused.exit_code != 0 and "--summary-only" in refused.output
