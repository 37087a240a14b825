"""Exports round-trip: the csv, parquet and xlsx files hold the Result's numbers, path by path and month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from venturesim.cli import app
from venturesim.report import exports
from venturesim.spec.errors import OutputError, UsageError


def test_parse_formats() -> None:
    assert exports.parse_formats(["csv,parquet", "CSV", " xlsx "]) == ("csv", "parquet", "xlsx")
    with pytest.raises(UsageError, match=r"unknown format 'parket' \(did you mean 'parquet'\?\)"):
        exports.parse_formats(["parket"])


def test_paths_and_monthly_round_trip_parquet_and_csv(jax_result, tmp_path) -> None:
    written = jax_result.export(tmp_path / "x", "parquet,csv")
    assert set(written) == {"paths.parquet", "monthly.parquet", "paths.csv", "monthly.csv"}  # no events: JAX
    d = jax_result.data
    for fmt in ("parquet", "csv"):
        read = pd.read_parquet if fmt == "parquet" else pd.read_csv
        paths = read(written[f"paths.{fmt}"])
        assert len(paths) == jax_result.paths and paths["path"].tolist() == list(range(jax_result.paths))
        np.testing.assert_allclose(paths["final_cash"], d["final_cash"].values, rtol=1e-6)
        np.testing.assert_array_equal(paths["death_month"], d["death_month"].values)
        np.testing.assert_allclose(paths["round_amount[series_a]"], d["round_amount"].sel(round="series_a").values)
        np.testing.assert_allclose(
            paths["input:company.initial_cash"], jax_result.inputs["company.initial_cash"], rtol=1e-6
        )
        monthly = read(written[f"monthly.{fmt}"])
        assert len(monthly) == jax_result.paths * jax_result.months
        row = monthly[(monthly["path"] == 7) & (monthly["month"] == 12)].iloc[0]
        assert row["cash"] == pytest.approx(float(d["cash"].sel(month=12).values[7]), rel=1e-6)
        segment = d["revenue_by_segment"].sel(month=12, segment="b").values[7]
        assert row["revenue_by_segment[b]"] == pytest.approx(float(segment), rel=1e-6, abs=1e-9)
        runway = monthly["runway"].to_numpy()
        assert np.array_equal(np.isinf(runway), np.isinf(d["runway"].values.reshape(-1)))  # ∞ survives csv


def test_des_events_and_workbook(des_result, tmp_path) -> None:
    written = des_result.export(tmp_path / "x", ["parquet", "xlsx"])
    events = pd.read_parquet(written["events.parquet"])
    pd.testing.assert_frame_equal(events, des_result.events.reset_index(drop=True))
    book = pd.read_excel(written["results.xlsx"], sheet_name=None)
    assert list(book) == ["about", "paths", "monthly", "events"]
    assert book["paths"]["cause_of_death"].fillna("").tolist() == list(des_result.data["cause_of_death"].values)
    np.testing.assert_allclose(book["monthly"]["cash"], des_result.data["cash"].values.reshape(-1), rtol=1e-9)
    assert len(book["events"]) == len(des_result.events)


def test_workbook_leaves_out_a_sheet_too_big(des_result, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(exports, "XLSX_MAX_CELLS", 1_000)
    book = pd.read_excel(des_result.export(tmp_path / "x", "xlsx")["results.xlsx"], sheet_name=None)
    assert list(book) == ["about", "paths"]  # 8 paths × 24 columns fit; monthly and events do not
    about = dict(zip(book["about"]["item"], book["about"]["value"], strict=True))
    assert about["sheet monthly"].startswith("left out: 288 rows") and "csv or parquet" in about["sheet monthly"]


def test_no_overwrite_without_force(des_result, tmp_path) -> None:
    target = tmp_path / "x"
    des_result.export(target, "csv")
    before = (target / "paths.csv").read_bytes()
    with pytest.raises(OutputError, match="--force"):
        des_result.export(target, "csv")
    des_result.export(target, "csv", force=True)
    assert (target / "paths.csv").read_bytes() == before  # same run, same bytes
    (target / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="did not write"):
        des_result.export(target, "csv", force=True)


def test_cli_run_export(tmp_path, scenario_dict) -> None:
    """`venturesim run --export csv --export parquet` writes the tables with the run's outputs; again without
    --force it refuses before simulating; an unknown format is named."""
    spec = tmp_path / "fates.yaml"
    spec.write_text(yaml.safe_dump(scenario_dict), encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(spec), "--engine", "des", "--workers", "1", "--paths", "3", "--months", "12", "--out", str(out)]
    runner = CliRunner()
    done = runner.invoke(app, [*args, "--export", "csv", "--export", "parquet", "--no-report"])
    assert done.exit_code == 0, done.output
    names = {p.name for p in out.iterdir()}
    assert {"paths.csv", "monthly.parquet", "events.parquet", "summary.json"} <= names
    assert len(pd.read_csv(out / "monthly.csv")) == 3 * 12
    again = runner.invoke(app, [*args, "--export", "csv"])
    assert again.exit_code != 0 and "--force" in again.output
    bad = runner.invoke(app, [*args, "--export", "xls", "--force"])
    assert bad.exit_code != 0 and "unknown format 'xls'" in bad.output
