"""The command line: run, validate, new; outputs, --force, --set and errors."""

import json

import pytest
from typer.testing import CliRunner

from venturesim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "startup.yaml"
    result = runner.invoke(app, ["new", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def run_once(template):
    out = template.parent / "out"
    result = runner.invoke(
        app, ["run", str(template), "--paths", "300", "--months", "24", "--out", str(out),
              "--set", "market.segments.smb.price*=0.5"],
    )
    return result, out


def test_run_prints_summary_and_writes_outputs(run_once):
    result, out = run_once
    assert result.exit_code == 0, result.output
    assert "alive at month 12" in result.output and "± s.e." in result.output
    doc = json.loads((out / "summary.json").read_text())
    assert doc["paths"] == 300 and doc["months"] == 24
    assert doc["overrides"] == ["market.segments.smb.price*=0.5"]
    survival = {r["metric"]: r for r in doc["summary"] if r["section"] == "survival"}
    p = survival["alive at month 12"]["value"]
    assert 0 <= p <= 1
    assert survival["alive at month 12"]["se"] == pytest.approx((p * (1 - p) / 300) ** 0.5)
    html = (out / "report.html").read_text()
    assert "My AI startup" in html and "<script src=\"http" not in html


def test_run_refuses_to_overwrite_without_force(run_once, template):
    _, out = run_once
    before = (out / "summary.json").read_text()
    result = runner.invoke(app, ["run", str(template), "--paths", "50", "--out", str(out)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert (out / "summary.json").read_text() == before
    forced = runner.invoke(app, ["run", str(template), "--paths", "50", "--months", "24", "--out", str(out), "--force", "--no-report"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "summary.json").read_text())["paths"] == 50


def test_validate_reports_line_and_suggestion(tmp_path, template):
    broken = tmp_path / "broken.yaml"
    broken.write_text(template.read_text().replace("initial_cash:", "intial_cash:"))
    line = next(i for i, text in enumerate(broken.read_text().splitlines(), 1) if "intial_cash" in text)
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert f"broken.yaml:{line}:" in result.output
    assert "did you mean 'initial_cash'" in result.output


def test_unknown_override_path_is_an_error(template, tmp_path):
    result = runner.invoke(app, ["run", str(template), "--paths", "10", "--out", str(tmp_path / "o"),
                                 "--set", "market.segments.smb.pirce=3"])
    assert result.exit_code == 2
    assert "did you mean 'price'" in result.output


def test_new_refuses_to_overwrite(template):
    result = runner.invoke(app, ["new", str(template)])
    assert result.exit_code == 1 and "--force" in result.output


def test_des_engine_prints_causes_and_a_timeline(template, tmp_path):
    result = runner.invoke(app, ["run", str(template), "--engine", "des", "--paths", "60", "--workers", "1",
                                 "--months", "24", "--out", str(tmp_path / "des"), "--no-report", "--timeline", "0"])
    assert result.exit_code == 0, result.output
    assert "Path 0:" in result.output and "hired 2 founders" in result.output
    doc = json.loads((tmp_path / "des" / "summary.json").read_text())
    assert doc["engine"] == "des" and doc["paths"] == 60
