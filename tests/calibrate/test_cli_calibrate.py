"""``venturesim calibrate KIND``: maximum-likelihood fits print the published numbers; bad data exits 7."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from venturesim.cli import app

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


def test_retention_mle_prints_fader_hardie_fits():
    result = runner.invoke(
        app, ["calibrate", "retention", str(DATA / "fader_hardie_2007_cohorts.csv"), "--periods", "7", "--mle"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "high_end: alpha=0.6681 beta=3.806 LL=-1611.2" in text
    assert "regular: alpha=0.7041 beta=1.182 LL=-1680.3" in text


def test_usage_writes_p_alive_transactions_and_clv(tmp_path):
    out = tmp_path / "customers.parquet"
    result = runner.invoke(app, ["calibrate", "usage", str(DATA / "cdnow_summary.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "BG/NBD: r=0.2426 alpha=4.414 a=0.7929 b=2.426 LL=-9582.4" in result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["p_alive", "expected_transactions", "clv"] and len(frame) == 2357
    assert frame["expected_transactions"].iloc[0] == pytest.approx(1.226, abs=5e-4)
    assert ((frame["p_alive"] > 0) & (frame["p_alive"] <= 1)).all()


def test_fit_prints_a_scenario_spec(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("size\n1\n2\n4\n8\n")
    result = runner.invoke(app, ["calibrate", "fit", str(path), "--column", "size", "--family", "lognormal"])
    assert result.exit_code == 0, result.output
    assert "{dist: lognormal, mu: 1.03972, sigma: 0.774962}" in result.output


def test_bad_data_and_missing_out_have_their_exit_codes(tmp_path):
    path = tmp_path / "signups.csv"
    path.write_text("month,new_customers\n0,3\n1,-2\n")
    result = runner.invoke(app, ["calibrate", "market", str(path), "--out", str(tmp_path / "m.parquet")])
    assert result.exit_code == 7
    assert "signups.csv:3: column 'new_customers': expected a whole number >= 0, found -2" in result.output
    result = runner.invoke(app, ["calibrate", "market", str(path)])
    assert result.exit_code == 2 and "give --out FILE.parquet" in result.output
    (tmp_path / "m.parquet").write_text("x")
    result = runner.invoke(app, ["calibrate", "market", str(path), "--out", str(tmp_path / "m.parquet")])
    assert result.exit_code == 5 and "--force" in result.output


def test_usage_pareto_nbd_and_revenue_local_level_mle(tmp_path):
    result = runner.invoke(app, ["calibrate", "usage", str(DATA / "cdnow_summary.csv"), "--model", "pareto-nbd"])
    assert result.exit_code == 0, result.output
    # Fader, Hardie & Lee (2005) Pareto/NBD note: r = 0.55, α = 10.58, s = 0.61, β = 11.67, LL = −9595.0
    assert "Pareto/NBD: r=0.5533 alpha=10.58 s=0.6062 beta=11.67 LL=-9595.0" in " ".join(result.output.split())
    path = tmp_path / "mrr.csv"
    path.write_text("month,mrr\n" + "".join(f"{m},{1000 * 1.1**m:.6f}\n" for m in range(12)))
    result = runner.invoke(app, ["calibrate", "revenue", str(path), "--model", "local-level", "--mle"])
    assert result.exit_code == 0, result.output
    # exact 10 %/month growth: the walk's drift is ln 1.1 and the last level is the last month's MRR
    assert "mrr_start=2853.12 growth_monthly=0.1" in result.output
    result = runner.invoke(app, ["calibrate", "revenue", str(path), "--model", "arima", "--mle"])
    assert result.exit_code == 2 and "local-level" in result.output
