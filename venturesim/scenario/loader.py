"""Loading a scenario from a YAML file, YAML text or a dict."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from venturesim.scenario.schema import Scenario
from venturesim.spec._yaml import mark_of
from venturesim.spec.errors import (
    Problem,
    ScenarioError,
    ScenarioFileError,
    check_numbers,
    number_problems,
    problems_from_validation_error,
    validate_text,
)

MAX_SCENARIO_BYTES = 1_000_000
"""Largest scenario file read (the largest example is 14 kB)."""
_WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def read_scenario_text(path: Path) -> str:
    """The text of a scenario file, refusing what is not a file of UTF-8 text of a sane size.

    Raises
    ------
    ScenarioFileError
        If the file is missing, not a regular file, unreadable, larger than
        :data:`MAX_SCENARIO_BYTES`, UTF-16/32 or otherwise not UTF-8 (the first
        bad byte's line and column are given), or holds NUL bytes.
    """

    def refuse(message: str, line: int | None = None, column: int | None = None):
        raise ScenarioFileError([Problem(str(path), line, column, "", message)], str(path))

    if not path.exists():
        refuse("scenario file not found; check the path (`venturesim new FILE` writes a template)")
    if not path.is_file():
        refuse("is not a regular file; give the path of a scenario .yaml file")
    size = path.stat().st_size
    if size > MAX_SCENARIO_BYTES:
        refuse(f"file is {size:,} bytes; a scenario file may hold at most {MAX_SCENARIO_BYTES:,}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        refuse(f"cannot read the file: {exc.strerror or exc}")
    for bom, encoding in _WIDE_BOMS.items():
        if data.startswith(bom):
            refuse(f"the file is {encoding} text; save it as UTF-8", 1, 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        refuse(
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read (Latin-1 or Windows-1252?); "
            "save it as UTF-8",
            *astuple(mark_of(data, exc.start)),
        )
    nul = text.find("\0")
    if nul >= 0:
        refuse(
            "the file holds NUL bytes (UTF-16 without a byte-order mark, or not a text file); save it as UTF-8",
            *astuple(mark_of(text, nul)),
        )
    return text


def load(source: str | Path | dict[str, Any] | Scenario, *, allow_outside: bool | None = None) -> Scenario:
    """Validate a scenario from a YAML path, a dict, or return a Scenario as is.

    Files the scenario names (draws files, ``product.calibration``) are read
    from the scenario file's folder (a dict's: the working folder). A scenario
    *file* may only name files inside its folder unless ``allow_outside`` is
    true (see :mod:`venturesim.spec.files`); a dict, written in the
    caller's own code, may name any file unless ``allow_outside`` is false.

    Raises
    ------
    ScenarioError
        Listing every problem with file, line, column, field path, what was
        expected and what was found (and a suggestion for a mistyped key).
    ScenarioFileError
        (A ScenarioError.) If the file is missing or cannot be read as UTF-8 text
        (see :func:`read_scenario_text`).
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return from_dict(source, allow_outside=allow_outside is not False)
    path = Path(source)
    text = read_scenario_text(path)
    allow_outside = bool(allow_outside)
    context = {"base_dir": str(path.parent), "allow_outside": allow_outside}
    scenario = validate_text(Scenario, text, str(path), context=context)
    scenario._base_dir, scenario._allow_outside = str(path.parent), allow_outside
    return scenario


def from_dict(
    data: dict[str, Any], filename: str = "<dict>", base_dir: str = ".", allow_outside: bool = True
) -> Scenario:
    """Validate a scenario given as plain Python data (no line numbers to report).

    Named files are read from ``base_dir``; unless ``allow_outside``, they must lie in it (as for a file, see
    :func:`load`; :meth:`Scenario.override` keeps the setting of the scenario it starts from).
    """
    bad_numbers = number_problems(data, {}, filename)
    if bad_numbers:
        raise ScenarioError(bad_numbers, filename)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir, "allow_outside": allow_outside})
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, {}, filename, Scenario, data), filename) from None
    check_numbers(scenario, {}, filename)
    scenario._base_dir, scenario._allow_outside = base_dir, allow_outside
    return scenario
