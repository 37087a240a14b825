"""The bad-input corpus: every file in cases/ breaks base.yaml once; each must get a clean, useful error.

For each case (cases.json, written by make_corpus.py) the command runs in this
process (typer's CliRunner: no subprocess, and no JAX compile, as every case
fails before simulating) and must

* exit with the code of its error class (docs/reliability.md, ``venturesim --help``);
* name the file and, for a problem in the file, the line (``file:line:``);
* name the field path and the fix (what was expected, or a did-you-mean);
* show no traceback (``--debug`` is not given).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from venturesim.cli import app

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases.json").read_text())
runner = CliRunner()


def test_the_corpus_is_large_and_complete():
    files = {path.stem for path in (HERE / "cases").glob("*.yaml")}
    assert files == set(CASES) and len(CASES) >= 100
    sections = (
        "simulation",
        "company",
        "market",
        "team",
        "compute",
        "funding",
        "product",
        "risks",
        "partnerships",
        "correlations",
    )
    covered = {case["field"].split(".")[0].split("[")[0] for case in CASES.values()}
    assert set(sections) <= covered
    assert {"file", "yaml", "args"} <= {name.split("_")[0] for name in CASES}  # file-level garbage, YAML, options


def test_the_base_scenario_is_valid():
    result = runner.invoke(app, ["validate", str(HERE / "base.yaml")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_clean_error(name):
    case = CASES[name]
    path = HERE / "cases" / f"{name}.yaml"
    args = [a.replace("{file}", str(path)) for a in case["args"]]
    extra = ["--out", str(HERE / "cases" / "never_written")] if case["command"] == "run" and "--out" not in args else []
    result = runner.invoke(app, [case["command"], str(path), *args, *extra])
    output = " ".join(result.output.split())  # undo rich's line wrapping
    assert result.exit_code == case["exit"], result.output
    assert ("Traceback" not in result.output and not isinstance(result.exception, Exception)) or (
        isinstance(result.exception, SystemExit)
    ), result.output
    if case["line"] is not None:
        assert f"{path}:{case['line']}:" in output, f"no line {case['line']}:\n{result.output}"
    elif case["exit"] in (3, 4):
        assert str(path) in output or "/=" in output or "=" in output
    assert case["field"] in output, result.output
    assert case["fix"] in output, result.output
    assert not (HERE / "cases" / "never_written").exists()


def test_no_error_echoes_a_foreign_files_content():
    secret = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").is_file() else None
    for name in ("calibration_escapes", "draws_escape", "draws_absolute", "calibration_absolute"):
        result = runner.invoke(app, ["validate", str(HERE / "cases" / f"{name}.yaml")])
        assert result.exit_code == 3
        if secret:
            assert not re.search(rf"\b{re.escape(secret)}\b", result.output.replace(str(HERE), ""))
        assert "root:x:0" not in result.output


@pytest.mark.parametrize(
    "make, fix",
    [
        (
            lambda p: p.write_bytes(b"name: x\n" + b"# padding\n" * 110_000),
            "a scenario file may hold at most 1,000,000",
        ),
        (lambda p: None, "scenario file not found"),
        (lambda p: p.mkdir(), "is not a regular file"),
    ],
)
def test_unreadable_scenario_files_exit_4(tmp_path, make, fix):
    path = tmp_path / "s.yaml"
    make(path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 4 and fix in " ".join(result.output.split()) and str(path) in result.output


def test_files_outside_the_folder_are_read_when_allowed(tmp_path):
    import shutil

    import venturesim as vs
    from venturesim.spec.errors import ScenarioError

    inside = tmp_path / "scenario"
    inside.mkdir()
    shutil.copy(HERE / "cases" / "data" / "draws.csv", tmp_path / "draws.csv")
    text = (HERE / "base.yaml").read_text().replace("churn: 0.01", "churn: {file: ../draws.csv, column: churn}")
    (inside / "s.yaml").write_text(text)
    with pytest.raises(ScenarioError, match="lies outside the scenario's folder"):
        vs.load(inside / "s.yaml")
    sc = vs.load(inside / "s.yaml", allow_outside=True)
    assert sc.market.segments[1].churn.ppf([0.1, 0.9]).tolist() == [0.03, 0.05]
    assert sc.override(["company.initial_cash=2e6"]).company.initial_cash == 2e6  # still allowed after an override
    result = runner.invoke(app, ["validate", "--allow-outside-files", str(inside / "s.yaml")])
    assert result.exit_code == 0, result.output


def test_tiny_hostile_files_are_refused_quickly():
    import time

    import venturesim as vs
    from venturesim.spec.errors import ScenarioError

    vs.load(HERE / "base.yaml")  # the schema's one-off build (about a CPU second) is not the hostile file's cost
    for name in ("file_billion_laughs", "file_nested_1500_deep"):  # 2.5 GB in 77 s; a RecursionError traceback
        started = time.process_time()  # CPU, not wall: a loaded CI machine must not fail it
        with pytest.raises(ScenarioError):
            vs.load(HERE / "cases" / f"{name}.yaml")
        assert time.process_time() - started < 1.0
