"""A bounded, seeded fuzz test: mutated scenarios are valid or get a clean error, never another exception.

200 mutations of the corpus base (every section) are validated in this
process, without running the engines: 150 on the data (a value replaced by
NaN, ±inf, a huge or negative number, text, null, a list, a mapping or a
distribution; a key dropped, misspelt or added; a list item repeated) and 50
on the text (characters deleted, inserted or swapped; the file cut short).
The outcome must be a validated Scenario or a
:class:`~venturesim.spec.errors.VentureSimError` (ScenarioError,
ScenarioFileError) whose message names the file.
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest
import yaml

import venturesim as vs
from venturesim.spec.errors import VentureSimError

HERE = Path(__file__).parent
BASE_TEXT = (HERE / "base.yaml").read_text()
BASE = yaml.safe_load(BASE_TEXT)
VALUES = [
    math.nan,
    math.inf,
    -math.inf,
    1e39,
    1e400 if False else 1e300,
    -1,
    0,
    0.5,
    2,
    10**20,
    2**63,
    1.5,
    "",
    "text",
    "nan",
    None,
    True,
    [],
    {},
    [1, 2],
    {"p5": 1, "p95": 2},
    {"p5": 2, "p95": 1},
    {"dist": "normal", "mean": 0, "sd": 1},
    {"dist": "lognormal", "mu": 1, "sigma": 40},
    {"dist": "pert", "low": 0, "mode": 0.5, "high": 1},
    {"schedule": {0: 1, 12: -1}},
    {"start": 1, "growth": 4},
    {"file": "../../etc/hostname", "column": "x"},
    {"dist": "choice", "values": [], "weights": None},
    "seed",
    "smb",
]


def _paths(node, prefix=()):
    """Every (path, value) below ``node``."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _mutate_data(rng: random.Random) -> dict:
    data = copy.deepcopy(BASE)
    for _ in range(rng.choice((1, 1, 2, 3))):
        path, _ = rng.choice([p for p in _paths(data) if p[0]])
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        op = rng.choice(("value", "value", "value", "drop", "typo", "extra", "repeat"))
        if op == "value":
            parent[key] = copy.deepcopy(rng.choice(VALUES))
        elif op == "drop":
            del parent[key]
        elif op == "typo" and isinstance(key, str) and len(key) > 2:
            i = rng.randrange(len(key) - 1)
            parent[key[:i] + key[i + 1] + key[i] + key[i + 2 :]] = parent.pop(key)
        elif op == "extra" and isinstance(parent, dict):
            parent["surprise"] = 1
        elif op == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return data


def _mutate_text(rng: random.Random) -> str:
    text = BASE_TEXT
    for _ in range(rng.choice((1, 2, 4))):
        i = rng.randrange(len(text))
        op = rng.choice(("delete", "insert", "swap", "cut"))
        if op == "delete":
            text = text[:i] + text[i + 1 :]
        elif op == "insert":
            text = text[:i] + rng.choice(":-[]{}&*!|>'\"#\t\n 0e.,%@`\x00\x07é") + text[i:]
        elif op == "swap" and i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        else:
            text = text[:i]
    return text


@pytest.mark.parametrize("block", range(4))
def test_mutated_data_is_valid_or_a_clean_error(block):
    rng = random.Random(1000 + block)
    outcomes = {"valid": 0, "error": 0}
    for _ in range(150 // 4 + 1):
        data = _mutate_data(rng)
        try:
            vs.scenario.from_dict(data, base_dir=str(HERE / "cases"), allow_outside=False)  # as if from a file
            outcomes["valid"] += 1
        except VentureSimError as exc:
            assert str(exc).strip(), data  # noqa: PT017 (each mutation's outcome, not one raise)
            outcomes["error"] += 1
    assert outcomes["error"] > 0  # the mutations do break things


def test_mutated_text_is_valid_or_a_clean_error(tmp_path):
    rng = random.Random(7)
    errors = 0
    for k in range(50):
        path = tmp_path / "cases" / f"m{k}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_mutate_text(rng), encoding="utf-8")
        try:
            vs.load(path)
        except VentureSimError as exc:
            errors += 1
            assert str(path) in str(exc)  # noqa: PT017 (each mutation's outcome, not one raise)
    assert errors > 10
