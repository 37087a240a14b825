"""The what-if commands: compare, stress, goal-seek, pitch-check, inputs, show-input."""

import json

import pytest
import yaml
from typer.testing import CliRunner
from whatif_scenarios import burn

from venturesim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whatif")
    (folder / "plan.yaml").write_text(yaml.safe_dump(burn()))
    (folder / "lean.yaml").write_text(yaml.safe_dump(burn(other_monthly_costs=9_000)))
    (folder / "claims.yaml").write_text("claims:\n  - alive at month 36\n  - cash >= 100k at month 12\n")
    (folder / "bad_claims.yaml").write_text("claims:\n  - alive at month 36\n  - we will be huge\n")
    return folder


@pytest.fixture
def kept(monkeypatch, tmp_path):
    """What the commands keep between runs, recorded (the tests' JAX cache stays as it is): a list that gets the
    compile cache's folder at each ``use_compile_cache`` call."""
    from venturesim import cli
    from venturesim.report import html

    calls: list = []
    monkeypatch.setattr(cli, "compile_cache_folder", lambda: tmp_path / "jax")
    monkeypatch.setattr(cli, "use_compile_cache", lambda enabled=True: calls.append(cli.compile_cache_folder()))
    monkeypatch.setattr(html, "BUNDLE_FOLDER", None)
    return calls


def test_inputs_lists_every_uncertain_input_with_its_range(files):
    out = runner.invoke(app, ["inputs", str(files / "plan.yaml")])
    assert out.exit_code == 0, out.output
    line = next(row for row in out.output.splitlines() if row.startswith("company.initial_cash"))
    assert line.split()[1:4] == ["220,000", "400,000", "580,000"]  # U(200k, 600k): p5, p50, p95


def test_show_input_prints_quantiles_and_a_histogram(files):
    out = runner.invoke(app, ["show-input", str(files / "plan.yaml"), "company.initial_cash"])
    assert out.exit_code == 0, out.output
    quantiles = dict(line.split()[:2] for line in out.output.splitlines()[1:8])
    assert quantiles == {"p5": "220,000", "p10": "240,000", "p25": "300,000", "p50": "400,000", "p75": "500,000",
                         "p90": "560,000", "p95": "580,000"}  # fmt: skip
    assert out.output.count(" 8.3%") == 12  # a uniform: 12 equal bins of 1/12 each
    typo = runner.invoke(app, ["show-input", str(files / "plan.yaml"), "company.initial_cahs"])
    assert typo.exit_code == 2 and "did you mean 'company.initial_cash'" in typo.output


def test_stress_list_names_every_pack():
    out = runner.invoke(app, ["stress", "--list"])
    assert out.exit_code == 0
    assert all(name in out.output for name in ("funding_winter", "gpu_price_spike", "churn_doubling", "source:"))


def test_compare_writes_the_table_and_the_report(files, tmp_path, kept):
    out = runner.invoke(
        app,
        [
            "compare",
            str(files / "plan.yaml"),
            str(files / "lean.yaml"),
            "--paths",
            "1000",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert out.exit_code == 0, out.output
    rows = json.loads((tmp_path / "c" / "table.json").read_text())
    lean = next(r for r in rows if r["variant"] == "lean" and r["figure"] == "mean cash at month 12")
    assert lean["difference"] == pytest.approx(12_000, abs=1)
    assert (tmp_path / "c" / "report.html").stat().st_size > 100_000
    assert "'lean' first-order dominates 'plan'" in out.output
    from venturesim.report import html  # kept between runs, as `run` keeps them: the programs and the report's bundle

    assert kept == [tmp_path / "jax"]
    assert tmp_path / "jax-report" == html.BUNDLE_FOLDER


@pytest.mark.slow
def test_goal_seek_prints_the_break_point(files, tmp_path):
    out = runner.invoke(
        app,
        ["goal-seek", str(files / "plan.yaml"), "--vary", "company.other_monthly_costs", "--op", "=",
         "--between", "8000,16000", "--claim", "alive at month 36", "--paths", "1000", "--out", str(tmp_path / "g")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "P(alive at month 36) = 50% at company.other_monthly_costs = 11" in out.output
    trace = json.loads((tmp_path / "g" / "table.json").read_text())
    assert {row["x"] for row in trace} >= {8000.0, 16000.0}
    assert "Goal seek" in (tmp_path / "g" / "report.html").read_text()


def test_pitch_check_reports_claims_and_refuses_a_bad_file(files, tmp_path, kept):
    out = runner.invoke(
        app,
        ["pitch-check", str(files / "plan.yaml"), str(files / "claims.yaml"), "--paths", "1000", "--no-report",
         "--out", str(tmp_path / "p")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "all claims together" in out.output and "company.initial_cash" in out.output
    from venturesim.report import html  # the programs kept, no report and so no bundle

    assert kept == [tmp_path / "jax"] and html.BUNDLE_FOLDER is None
    bad = runner.invoke(app, ["pitch-check", str(files / "plan.yaml"), str(files / "bad_claims.yaml")])
    assert bad.exit_code == 3 and "bad_claims.yaml:3:5" in bad.output
