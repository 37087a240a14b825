"""The random-stream registry: sibling streams are distinct, and the domains draw only through it."""

from __future__ import annotations

import ast
from pathlib import Path

import jax
import numpy as np
import pytest

from venturesim import _streams as streams

PACKAGE = Path(streams.__file__).parent


@pytest.mark.parametrize("parent", sorted(streams.SIBLINGS))
def test_sibling_streams_are_distinct(parent):
    numbers = list(streams.SIBLINGS[parent].values())
    assert len(numbers) == len(set(numbers)), streams.SIBLINGS[parent]


def test_every_stream_constant_is_registered():
    registered = {name for children in streams.SIBLINGS.values() for name in children}
    constants = {n for n in vars(streams) if n.isupper() and n not in {"SIBLINGS"}}
    assert constants - {"DES_TEAM"} == registered


def test_block_key_split_once():
    """The init and months keys differ from each other and from every month key derived from the block key."""
    block = jax.random.fold_in(jax.random.key(7), 3)
    init_key, months_key = streams.block_keys(block)
    data = [jax.random.key_data(k) for k in (init_key, months_key, block)]
    data += [jax.random.key_data(jax.random.fold_in(months_key, t)) for t in range(8)]
    rows = {tuple(np.asarray(d).ravel().tolist()) for d in data}
    assert len(rows) == len(data)


def test_no_literal_stream_numbers_in_kernels():
    """Every ``fold_in``/``uniforms`` in the monthly kernels names a registered stream, not a literal number."""
    offenders = []
    for path in [*PACKAGE.glob("*/step.py"), PACKAGE / "funding" / "rounds.py", PACKAGE / "funding" / "exits.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"fold_in", "uniforms"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
