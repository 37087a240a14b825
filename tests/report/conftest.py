"""The small runs the report tests share (session fixtures: one per xdist worker).

The scenario is tests/engine/test_invariants.py's ``FIXED`` ("mixed fates": two segments, two rounds,
uncertain cash, market size and churn) at the same 300 paths, 36 months and ``metrics="all"``: the
same shapes, so the JAX engine's compiled program is the one that test compiles (the session's
persistent compile cache), and :func:`venturesim.report.result_charts.base_plan` reuses it again
(same chunk of paths, other values).
"""

from __future__ import annotations

import copy

import pytest
from builders import MIXED_FATES

MONTHS, PATHS, SEED = 36, 300, 11
DES_PATHS = 8

SCENARIO = MIXED_FATES  # tests/builders.py: test_invariants' scenario, the same shapes


def scenario() -> dict:
    """A fresh copy of the scenario dict."""
    return copy.deepcopy(SCENARIO)


@pytest.fixture(scope="session")
def jax_result():
    """The JAX engine's run: 300 paths × 36 months, every metric."""
    import venturesim as vs

    return vs.simulate(scenario(), seed=SEED, metrics="all")


@pytest.fixture(scope="session")
def des_result():
    """The DES engine's run of a few paths (an event log and causes of death)."""
    import venturesim as vs

    return vs.simulate(scenario(), paths=DES_PATHS, seed=SEED, metrics="all", engine="des", workers=1)


@pytest.fixture(scope="session")
def plan_result(jax_result):
    """The base plan of the JAX run (every uncertain input at its median; the same compiled program)."""
    from venturesim.report.result_charts import base_plan

    return base_plan(jax_result)


@pytest.fixture(scope="session")
def report_page(jax_result, plan_result) -> str:
    """The run report of the JAX run with its base plan."""
    from venturesim.report.html import report_from_result

    return report_from_result(jax_result, jax_result.summary(), plan=plan_result)


@pytest.fixture
def scenario_dict() -> dict:
    """A fresh copy of the shared scenario, as a dict."""
    return scenario()
