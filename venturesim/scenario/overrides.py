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

from venturesim.scenario.errors import Problem, ScenarioError, suggest

_OVERRIDE = re.compile(r"^\s*(?P<path>[A-Za-z0-9_.\-\[\]]+?)\s*(?P<op>\*=|/=|\+=|-=|=)\s*(?P<value>.+?)\s*$")
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Override:
    """One parsed override: a field path, an operator and a value."""

    text: str
    path: tuple[str, ...]
    op: str
    value: Any


def parse_override(text: str) -> Override:
    """Parse ``"market.segments.smb.price*=0.7"`` into an :class:`Override`."""
    match = _OVERRIDE.match(text)
    if not match:
        raise ScenarioError(
            [Problem(text, None, None, "", "expected PATH=VALUE, PATH*=K, PATH/=K, PATH+=C or PATH-=C")], text
        )
    raw = match["value"]
    try:
        value = _parse_value(raw)
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(text, None, None, match["path"], f"cannot read value {raw!r}: {exc}")], text) from None
    path = tuple(part for part in re.split(r"[.\[\]]+", match["path"]) if part)
    if match["op"] != "=" and not isinstance(value, (int, float)):
        raise ScenarioError(
            [Problem(text, None, None, ".".join(path), f"{match['op']} needs a number, found {raw!r}")], text
        )
    return Override(text=text, path=path, op=match["op"], value=value)


def _parse_value(raw: str) -> Any:
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
    node, walked = data, []
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
    raise ScenarioError([Problem(override.text, None, None, ".".join(override.path), message, hint)], override.text)


def _combine(current: Any, override: Override) -> Any:
    op, k = override.op, override.value
    if isinstance(current, bool) or current is None or isinstance(current, str):
        _fail(override, f"{op} needs a number here, found {current!r}", None, [])
    if isinstance(current, int):  # counts and months stay whole (halves round up)
        return _whole(_arith(current, op, k))
    if isinstance(current, float):
        return _arith(current, op, k)
    if isinstance(current, dict) and "schedule" in current:
        return current | {"schedule": {m: _combine(v, override) for m, v in current["schedule"].items()}}
    if isinstance(current, dict) and "start" in current:
        if op not in ("*=", "/="):
            _fail(override, f"{op} cannot shift a trend; use *= or /=, or set its start", None, [])
        return current | {"start": _combine(current["start"], override)}
    if isinstance(current, dict) and all(isinstance(v, int) for v in current.values()):
        return {m: max(_whole(_arith(v, op, k)), 0) for m, v in current.items()}  # a headcount plan, never < 0
    if isinstance(current, dict):
        scale, shift = current.get("scale", 1.0), current.get("shift", 0.0)
        if op in ("*=", "/="):
            return current | {"scale": _arith(scale, op, k), "shift": _arith(shift, op, k)}
        return current | {"shift": _arith(shift, op, k)}
    _fail(override, f"{op} cannot be applied to {current!r}", None, [])


def _whole(x: float) -> int:
    return int(math.floor(x + 0.5))


def _arith(a: float, op: str, k: float) -> float:
    if op == "/=" and k == 0:
        raise ZeroDivisionError("division by zero in an override")
    return {"*=": a * k, "/=": a / k if k else 0.0, "+=": a + k, "-=": a - k}[op]
