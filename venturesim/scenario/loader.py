"""Loading a scenario from a YAML file, YAML text or a dict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from venturesim.scenario.errors import ScenarioError, check_numbers, number_problems, problems_from_validation_error, validate_text
from venturesim.scenario.schema import Scenario


def load(source: str | Path | dict[str, Any] | Scenario) -> Scenario:
    """Validate a scenario from a YAML path, a dict, or return a Scenario as is.

    Raises
    ------
    ScenarioError
        Listing every problem with file, line, column, field path, what was
        expected and what was found (and a suggestion for a mistyped key).
    FileNotFoundError
        If the path does not exist.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return from_dict(source)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"scenario file not found: {path}")
    text = path.read_text(encoding="utf-8")
    scenario = validate_text(Scenario, text, str(path), context={"base_dir": str(path.parent)})
    scenario._base_dir = str(path.parent)
    return scenario


def from_dict(data: dict[str, Any], filename: str = "<dict>", base_dir: str = ".") -> Scenario:
    """Validate a scenario given as plain Python data (no line numbers to report)."""
    bad_numbers = number_problems(data, {}, filename)
    if bad_numbers:
        raise ScenarioError(bad_numbers, filename)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, {}, filename, Scenario, data), filename) from None
    check_numbers(scenario, {}, filename)
    scenario._base_dir = base_dir
    return scenario
