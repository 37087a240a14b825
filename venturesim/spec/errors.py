"""Readable, positioned errors for scenario files.

:func:`validate_text` loads YAML and validates it against any pydantic model;
every YAML or validation problem is collected into a single
:class:`ScenarioError` whose lines look like::

    scenarios/x.yaml:12:5: market.segments[0].churn: expected a number <= 1, found 1.5
    scenarios/x.yaml:7:3: company.intial_cash: unknown field; did you mean 'initial_cash'?
"""

from __future__ import annotations

import difflib
import math
import re
import reprlib
import types
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from venturesim.spec._yaml import KEY, Mark, YamlError, load_yaml

__all__ = [
    "EXIT_CODES",
    "NonFiniteResultError",
    "OutputError",
    "Problem",
    "ScenarioError",
    "ScenarioFileError",
    "UsageError",
    "VentureSimError",
    "format_path",
    "number_problems",
    "problems_from_validation_error",
    "suggest",
    "validate_text",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60
_repr.maxlist = _repr.maxdict = 4
_repr.maxlevel = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file.

    Attributes
    ----------
    filename : str
        File the problem is in.
    line, column : int or None
        1-based position, when known.
    path : str
        Field path such as ``market.segments[0].churn`` (empty for the file).
    message : str
        What was expected and what was found.
    suggestion : str or None
        Likely intended spelling, shown as "did you mean ...?".
    """

    filename: str
    line: int | None
    column: int | None
    path: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.filename if self.line is None else f"{self.filename}:{self.line}:{self.column}"
        text = ": ".join(part for part in (where, self.path, self.message) if part)
        return text if self.suggestion is None else f"{text}; did you mean {self.suggestion!r}?"


def _by_position(problem: Problem) -> tuple:
    return (problem.line is None, problem.line or 0, problem.column or 0)


class VentureSimError(Exception):
    """Base of every error venturesim reports to a user; ``exit_code`` is the CLI's exit status."""

    exit_code = 1


class UsageError(VentureSimError, ValueError):
    """An argument of ``simulate()`` or of the command line is out of range (exit 2)."""

    exit_code = 2


class ScenarioError(VentureSimError, ValueError):
    """A scenario failed to load; ``problems`` lists all issues by position (exit 3)."""

    exit_code = 3

    def __init__(self, problems: Iterable[Problem], filename: str) -> None:
        self.problems = sorted(problems, key=_by_position)
        self.filename = filename
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __reduce__(self) -> tuple:
        return (type(self), (self.problems, self.filename))


class ScenarioFileError(ScenarioError):
    """The scenario file itself cannot be read: missing, too large, not UTF-8 text (exit 4)."""

    exit_code = 4


class OutputError(VentureSimError, FileExistsError):
    """The output folder cannot be written: results exist (no ``--force``) or a file blocks it (exit 5)."""

    exit_code = 5


class NonFiniteResultError(VentureSimError, ArithmeticError):
    """A simulation produced NaN or ±inf money on some paths; the message names them and their inputs (exit 6)."""

    exit_code = 6
    paths: Any = None  # the offending paths' indices (set by venturesim.engine.finite)


EXIT_CODES = {
    0: "success",
    1: "internal error (a bug: rerun with --debug and report the traceback)",
    2: "bad command-line argument (--paths 0, --chunk-size -1, --months above 600, a seed >= 2**32 ...)",
    3: "invalid scenario or override (file:line:column, field, expected/found, did-you-mean)",
    4: "unreadable scenario file (missing, too large, not UTF-8 text)",
    5: "output refused (results exist and no --force, or --out is blocked by a file)",
    6: "the simulation produced NaN or infinite money (the paths and their inputs are named)",
    7: "unusable calibration data (file:row, column, expected/found)",
    8: "a calibration's MCMC did not converge (R-hat, effective sample size or divergences named)",
    130: "interrupted (Ctrl-C); nothing half-written is left behind",
}
"""The CLI's exit status per error class (docs/reliability.md, ``venturesim --help``)."""


def format_path(loc: tuple) -> str:
    """Format a path tuple like ``("a", "b", 0, "c")`` as ``a.b[0].c``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(str(part)):
            text += f".{part}" if text else str(part)
        else:
            text += f"[{str(part)!r}]"
    return text


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to ``word`` (case-insensitively), or None."""
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def _found(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return _repr.repr(value)


def _describe(error: ErrorDetails) -> str:
    """Say what pydantic expected and what the file contained."""
    kind, ctx, found = error["type"], error.get("ctx", {}), _found(error["input"])
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in _BOUNDS:
        number = isinstance(error["input"], (int, float)) and not isinstance(error["input"], bool)
        name, operator = _BOUNDS[kind]
        return f"expected {'a number' if number else 'a value'} {operator} {_found(ctx[name])}, found {found}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {found}"
    if kind == "union_tag_invalid":
        return f"expected one of {ctx['expected_tags']}, found {ctx['tag']!r}"
    if kind == "union_tag_not_found":
        discriminator = ctx["discriminator"]
        if discriminator.endswith("()"):
            return f"expected a value of one of the supported forms, found {found}"
        return f"missing required field {discriminator}"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        limit = ctx["min_length" if kind == "too_short" else "max_length"]
        return f"expected {bound} {limit} items, found {ctx['actual_length']}"
    message = error["msg"]
    if kind in ("value_error", "assertion_error"):
        message = message.split(", ", 1)[-1]
        already_said = isinstance(error["input"], (dict, list)) or "found" in message
        return message if already_said else f"{message}, found {found}"
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    return f"{message}, found {found}"


def _split_loc(loc: tuple, data: object, keep_last: bool) -> tuple[tuple, list[int]]:
    """Split ``loc`` into the data path and the positions of union tags/member names.

    Tags are the loc parts that are not keys (or indices) of the data at that
    point; the last part of a ``missing`` error is kept as it names a field.
    """
    path: list = []
    skipped: list[int] = []
    node: Any = data
    for position, part in enumerate(loc):
        in_list = isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node)
        if in_list or (isinstance(part, str) and isinstance(node, dict) and part in node):
            node = node[part]
        elif not (keep_last and position == len(loc) - 1):
            skipped.append(position)
            continue
        path.append(part)
    return tuple(path), skipped


def _closest_members(errors: list[ErrorDetails], skipped: list[list[int]]) -> set[int]:
    """Indices of errors that belong to the best-fitting member of each plain union.

    A plain (non-discriminated) union reports errors for every member.  Keep
    the member that got past the type check at the union itself, then the one
    with the fewest errors; ties go to the member listed first.
    """
    groups: dict[tuple, dict[object, list[int]]] = {}
    for index, positions in enumerate(skipped):
        loc = errors[index]["loc"]
        for position in positions:
            groups.setdefault(loc[:position], {}).setdefault(loc[position], []).append(index)
    keep = set(range(len(errors)))
    for prefix, by_member in groups.items():
        best = min(
            by_member.values(),
            key=lambda indices: (any(len(errors[i]["loc"]) == len(prefix) + 1 for i in indices), len(indices)),
        )
        keep.difference_update(i for indices in by_member.values() if indices is not best for i in indices)
    return keep


def _position(mark: Mark | None) -> tuple[int | None, int | None]:
    return (mark.line, mark.column) if mark else (None, None)


def _value_at(data: object, path: tuple) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def _mark_at(marks: dict[tuple, Mark], path: tuple, prefer_key: bool) -> Mark | None:
    """Mark of ``path`` (its key's if ``prefer_key``), else of the nearest ancestor."""
    for end in range(len(path), -1, -1):
        candidates = (path[:end] + (KEY,), path[:end]) if prefer_key else (path[:end],)
        for candidate in candidates:
            if candidate in marks:
                return marks[candidate]
    return None


def _members(annotation: object) -> list[object]:
    """Flatten ``Annotated``, ``Optional`` and unions into their member types."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _field_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _pick_model(annotation: object, node: object) -> type[BaseModel] | None:
    """The member model declaring most of the keys present in ``node``."""
    models = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    keys = set(node) if isinstance(node, dict) else set()
    return max(models, key=lambda model: len(keys & set(_field_keys(model))), default=None)


def _child_annotation(annotation: object, part: str | int, node: object) -> object | None:
    """Annotation of the value reached by stepping from ``node`` to ``part``."""
    if isinstance(part, str):
        model = _pick_model(annotation, node)
        if model is not None:
            for name, field in model.model_fields.items():
                if (field.alias or name) == part:
                    return field.annotation
    for member in _members(annotation):
        origin, args = get_origin(member), get_args(member)
        if not isinstance(origin, type) or not args:
            continue
        if isinstance(part, str) and issubclass(origin, Mapping):
            return args[-1]
        if isinstance(part, int) and issubclass(origin, (Sequence, Set)) and not issubclass(origin, str):
            fixed_tuple = origin is tuple and args[-1] is not Ellipsis
            return (args[part] if part < len(args) else None) if fixed_tuple else args[0]
    return None


def _allowed_keys(root_model: type[BaseModel], path: tuple, data: object) -> list[str]:
    """Field names valid in the mapping at ``path``, walking the model's annotations."""
    annotation: object = root_model
    node = data
    for part in path:
        annotation = _child_annotation(annotation, part, node)
        if annotation is None:
            return []
        node = node[part]  # type: ignore[index]
    model = _pick_model(annotation, node)
    return _field_keys(model) if model is not None else []


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _named_leaf(path: tuple, message: str, data: object) -> tuple:
    """The entry under ``path`` that a section-level message is about, else ``path``.

    A check across a section (a channel's segment, a loan's round, a run's
    base) is raised for the whole section; the message quotes the offending
    name. If exactly one leaf below ``path`` holds one of the quoted names
    (names of list items aside, as the message quotes the item too), that
    leaf's path is used, so the error points at its line; failing that, a
    single key below ``path`` that the message quotes (a field that does not
    belong, such as a pre-training run's 'loss_reduction').
    """
    quoted = set(_quoted(message))
    keys: list[tuple] = []
    leaves, stack = [], [(path, _value_at(data, path))]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            keys.extend(where + (key,) for key in node if key in quoted)
            stack.extend((where + (key,), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((where + (index,), value) for index, value in enumerate(node))
        elif isinstance(node, str) and node in quoted:
            leaves.append((where, node))
    names = {node for where, node in leaves if where[-1] == "name"}
    hits = [where for where, node in leaves if node not in names]
    if len(hits) == 1:
        return hits[0]
    return keys[0] if not hits and len(keys) == 1 else path


def problems_from_validation_error(
    exc: ValidationError, marks: dict[tuple, Mark], filename: str, root_model: type[BaseModel], data: object
) -> list[Problem]:
    """Turn every error in ``exc`` into a positioned :class:`Problem`.

    Parameters
    ----------
    exc : pydantic.ValidationError
        Error raised by ``root_model.model_validate(data)``.
    marks : dict[tuple, Mark]
        Positions from :func:`~venturesim.spec._yaml.load_yaml`.
    filename : str
        File name for the problems.
    root_model : type[BaseModel]
        Model that was validated; used to suggest names for unknown fields.
    data : object
        The data that was validated.

    Returns
    -------
    list[Problem]
        One problem per pydantic error, in order of position.
    """
    errors = exc.errors()
    splits = [_split_loc(error["loc"], data, keep_last=error["type"] == "missing") for error in errors]
    keep = _closest_members(errors, [skipped for _, skipped in splits])
    problems = []
    for index, (error, (path, _)) in enumerate(zip(errors, splits, strict=False)):
        if index not in keep:
            continue
        kind, ctx = error["type"], error.get("ctx", {})
        suggestion = None
        if kind == "extra_forbidden":
            mark = _mark_at(marks, path, prefer_key=True)
            suggestion = suggest(str(path[-1]), _allowed_keys(root_model, path[:-1], data)) if path else None
        elif kind == "missing":
            mark = _mark_at(marks, path[:-1], prefer_key=True)
        elif kind == "invalid_distribution":  # raised by distributions.Dist's discriminator
            from venturesim.spec.distributions import DIST_NAMES

            given = error["input"].get("dist") if isinstance(error["input"], dict) else None
            mark = marks.get(path + ("dist",)) or _mark_at(marks, path, prefer_key=True)
            suggestion = suggest(str(given), DIST_NAMES) if given is not None else None
        elif kind == "union_tag_invalid":
            discriminator = ctx["discriminator"]
            mark = marks.get(path + (discriminator,)) or _mark_at(marks, path, prefer_key=True)
            suggestion = suggest(str(ctx["tag"]), _quoted(ctx["expected_tags"]))
        else:
            container = isinstance(_value_at(data, path), (dict, list))
            if container and kind == "value_error":
                path = _named_leaf(path, error["msg"], data)
                container = isinstance(_value_at(data, path), (dict, list))
            mark = _mark_at(marks, path, prefer_key=container)
            if kind in ("literal_error", "enum") and isinstance(error["input"], str):
                suggestion = suggest(error["input"], _quoted(ctx["expected"]))
        problems.append(Problem(filename, *_position(mark), format_path(path), _describe(error), suggestion))
    return sorted(problems, key=_by_position)


def _describe_number(value: float) -> str | None:
    """What is wrong with a number a scenario holds, or None when the engine can use it."""
    from venturesim.spec._base import MAX_MAGNITUDE

    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, found {value}"
    if abs(value) > MAX_MAGNITUDE:
        return (
            f"expected a number between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g} (the engine computes in "
            f"float32), found {value:g}"
        )
    return None


def number_problems(data: object, marks: dict[tuple, Mark], filename: str) -> list[Problem]:
    """Every number in ``data`` that is NaN, ±inf or beyond ±:data:`~venturesim.spec._base.MAX_MAGNITUDE`.

    Walks the plain data iteratively (any depth), before the models see it, so
    that a NaN never reaches a comparison that would read it as "false".
    """
    problems: list = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((path + (key,), value) for key, value in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((path + (index,), value) for index, value in enumerate(node))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            message = _describe_number(node)
            if message is not None:
                problems.append(Problem(filename, *_position(_mark_at(marks, path, False)), format_path(path), message))
    return sorted(problems, key=_by_position)


def validate_text(model: type[ModelT], text: str, filename: str, context: dict | None = None) -> ModelT:
    """Load YAML ``text`` and validate it as ``model``.

    Parameters
    ----------
    model : type[BaseModel]
        Any pydantic v2 model.
    text : str
        YAML source.
    filename : str
        Name used in error messages.
    context : dict, optional
        Passed to ``model.model_validate(..., context=context)``.

    Returns
    -------
    BaseModel
        The validated ``model`` instance.

    Raises
    ------
    ScenarioError
        Listing every YAML or validation problem with its position.
    """
    try:
        data, marks = load_yaml(text, filename)
    except YamlError as exc:
        problems = [
            Problem(filename, *_position(issue.mark), format_path(issue.path), issue.message) for issue in exc.issues
        ]
        raise ScenarioError(problems, filename) from exc
    bad_numbers = number_problems(data, marks, filename)
    if bad_numbers:
        raise ScenarioError(bad_numbers, filename)
    try:
        validated = model.model_validate(data, context=context)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, marks, filename, model, data)
        raise ScenarioError(problems, filename) from exc
    check_numbers(validated, marks, filename)
    return validated


def check_numbers(model: BaseModel, marks: dict[tuple, Mark], filename: str) -> None:
    """Checks after pydantic's: numbers beyond the engine's range, names that must match another section's.

    A string such as "1e39" is read as a number by pydantic, so the numbers
    are checked again on the validated model; a model with a
    ``reference_problems()`` method (the Scenario) reports its cross-references.
    """
    problems = number_problems(model.model_dump(warnings=False), marks, filename)
    for path, message, hint in getattr(model, "reference_problems", list)():
        problems.append(Problem(filename, *_position(_mark_at(marks, path, False)), format_path(path), message, hint))
    if problems:
        raise ScenarioError(problems, filename)
