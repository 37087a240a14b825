"""Overrides and shocks: ``path=value``, ``path*=k``, ``path/=k``, ``path+=c``, ``path-=c``.

Paths name fields as in the YAML, with list items by their ``name`` (or by
index): ``market.segments.smb.price``, ``funding.rounds.seed.amount``.
Values are parsed as YAML scalars or flow mappings (``{p5: 1, p95: 3}``),
never evaluated as code. Arithmetic applies to

* a number: the number itself;
* a distribution spec: its affine wrapper (``*=k`` scales ``scale`` and
  ``shift``; ``+=c`` adds to ``shift``), so the whole distribution moves;
* a schedule: every knot; a trend: its start (``*=`` and ``/=`` only);
* a whole number (a headcount, a month) or a headcount plan: every entry,
  rounded to a whole number (halves up).

The changed scenario is validated again; problems are reported like YAML
errors, naming the override.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from venturesim.spec.errors import Problem, ScenarioError, suggest

_PATH = re.compile(r"[A-Za-z0-9_.\-\[\]]+")
MAX_OVERRIDE_CHARS = 10_000
"""Longest override accepted (a flow mapping of a distribution needs well under 200)."""
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Override:
    """One parsed override: a field path, an operator and a value."""

    text: str
    path: tuple[str, ...]
    op: str
    value: Any


def parse_override(text: str) -> Override:
    """Parse ``"market.segments.smb.price*=0.7"`` into an :class:`Override`.

    The text is split at its first ``=`` (an operator character just before it
    makes ``*=``, ``/=``, ``+=`` or ``-=``): one pass over the text, so any
    input is answered in linear time.
    """
    usage = "expected PATH=VALUE, PATH*=K, PATH/=K, PATH+=C or PATH-=C"
    if len(text) > MAX_OVERRIDE_CHARS:
        _refuse(text, "", f"override is {len(text):,} characters long; at most {MAX_OVERRIDE_CHARS:,} are read")
    equals = text.find("=")
    op_start = equals - 1 if equals > 0 and text[equals - 1] in "*/+-" else equals
    raw_path, raw = text[:op_start].strip(), text[equals + 1 :].strip()
    if equals < 0 or not raw or not _PATH.fullmatch(raw_path):
        _refuse(text, "", usage)
    op = text[op_start : equals + 1]
    path = tuple(part for part in re.split(r"[.\[\]]+", raw_path) if part)
    if not path:
        _refuse(text, "", usage)
    try:
        value = parse_value(raw)
    except yaml.YAMLError as exc:
        _refuse(text, ".".join(path), f"cannot read value {raw!r}: {exc}")
    return make_override(text, path, op, value)


def make_override(text: str, path: tuple[str, ...], op: str, value: Any) -> Override:
    """An :class:`Override` after checking that the operator can use the value (a finite number, no /= 0)."""
    if op != "=" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        _refuse(text, ".".join(path), f"{op} needs a number, found {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        _refuse(text, ".".join(path), f"expected a finite number, found {value!r}")
    if op == "/=" and value == 0:
        _refuse(text, ".".join(path), "/= 0 divides by zero; give a non-zero divisor")
    return Override(text=text, path=path, op=op, value=value)


def _label(text: str) -> str:
    """The override as named in an error: in full, or its first 60 characters if longer."""
    return text if len(text) <= 60 else f"{text[:60]!r}…"


def _refuse(text: str, path: str, message: str) -> None:
    raise ScenarioError([Problem(_label(text), None, None, path, message)], _label(text))


def parse_value(raw: str) -> Any:
    """An override's value: a number, or a YAML scalar or flow mapping (never evaluated as code)."""
    if _NUMBER.match(raw):
        number = float(raw.replace("_", ""))
        return int(number) if number.is_integer() and not re.search(r"[.eE]", raw) else number
    return yaml.safe_load(raw)


def apply_overrides(data: dict[str, Any], overrides: list[Override]) -> dict[str, Any]:
    """Return a copy of scenario ``data`` (a plain dict) with the overrides applied."""
    data = copy.deepcopy(data)
    for override in overrides:
        parent, key = _locate(data, override)
        current = parent[key]
        parent[key] = override.value if override.op == "=" else _combine(current, override)
    return data


def _locate(data: Any, override: Override) -> tuple[Any, Any]:
    """The container and key that ``override.path`` points at."""
    node = data
    walked: list = []
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        key = _child_key(node, part, override, walked)
        if last:
            return node, key
        node = node[key]
        walked.append(part)
    raise AssertionError("unreachable")  # pragma: no cover - paths have at least one part


def _child_key(node: Any, part: str, override: Override, walked: list[str]) -> Any:
    where = ".".join(walked) or "the scenario"
    if isinstance(node, list):
        names = [item.get("name") for item in node if isinstance(item, dict)]
        if part in names:
            return names.index(part)
        if part.isdigit() and int(part) < len(node):
            return int(part)
        _fail(override, f"no item named {part!r} in {where}", suggest(part, [n for n in names if n]), names)
    if isinstance(node, dict):
        if part in node:
            return part
        if part.isdigit() and int(part) in node:
            return int(part)
        _fail(override, f"no field {part!r} in {where}", suggest(part, map(str, node)), list(node))
    _fail(override, f"{where} is a value, not a section: cannot go into {part!r}", None, [])


def _fail(override: Override, message: str, hint: str | None, options: list) -> None:
    if hint is None and options:
        message += f" (choose from {', '.join(map(str, options))})"
    label = _label(override.text)
    raise ScenarioError([Problem(label, None, None, ".".join(override.path), message, hint)], label)


def _combine(current: Any, override: Override) -> Any:
    op, k = override.op, override.value
    if isinstance(current, bool) or current is None or isinstance(current, str):
        _fail(override, f"{op} needs a number here, found {current!r}", None, [])
    if isinstance(current, (int, float)):
        result = _arith(current, op, k)
        if not math.isfinite(result):
            _fail(override, f"{current!r} {op} {k!r} gives {result}, not a finite number", None, [])
        return _whole(result) if isinstance(current, int) else result  # counts and months stay whole
    if isinstance(current, dict) and "schedule" in current:
        return current | {"schedule": {m: _combine(v, override) for m, v in current["schedule"].items()}}
    if isinstance(current, dict) and "start" in current:
        if op not in ("*=", "/="):
            _fail(override, f"{op} cannot shift a trend; use *= or /=, or set its start", None, [])
        return current | {"start": _combine(current["start"], override)}
    if isinstance(current, dict) and all(isinstance(v, int) for v in current.values()):
        return {m: max(_combine(v, override), 0) for m, v in current.items()}  # a headcount plan, never < 0
    if isinstance(current, dict):
        scale, shift = current.get("scale", 1.0), current.get("shift", 0.0)
        if op in ("*=", "/="):
            return current | {"scale": _arith(scale, op, k), "shift": _arith(shift, op, k)}
        return current | {"shift": _arith(shift, op, k)}
    _fail(override, f"{op} cannot be applied to {current!r}", None, [])


def _whole(x: float) -> int:
    return math.floor(x + 0.5)


def _arith(a: float, op: str, k: float) -> float:
    """``a op k`` in floating point (overflow gives ±inf, which callers refuse); k ≠ 0 for /=."""
    a, k = float(a), float(k)
    return {"*=": a * k, "/=": a / k if k else math.nan, "+=": a + k, "-=": a - k}[op]
