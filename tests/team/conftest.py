"""Helpers for the team tests: params as the engines see them (float32 rows; float64 in the DES)."""

import jax
import numpy as np
import pytest
from team.drivers import run_team

from venturesim.spec.sampling import Sampler
from venturesim.team.params import sample_team
from venturesim.team.policy import Policy
from venturesim.team.schema import Team

RUN = jax.jit(run_team, static_argnums=2)
"""run_team compiled once per shape for every test of this folder."""


def _make_params(team, paths: int = 1, months: int = 12, seed: int = 0, policy: dict | None = None):
    """Sample a team dict (and a ``policy:`` dict) for ``paths`` paths, cast to float32 as ``engine.params.sample``
    does."""
    team = Team.model_validate(team) if isinstance(team, dict) else team
    policies = None if policy is None else Policy.model_validate(policy)
    params = sample_team(team, Sampler(jax.random.key(seed), np.arange(paths)), months, policy=policies)
    return jax.tree_util.tree_map(lambda a: np.asarray(a, np.float32), params)


def _row(params, i: int = 0):
    """Path i's params in float64, as the DES engine hands them to a path."""
    return jax.tree_util.tree_map(lambda a: np.asarray(a[i], np.float64), params)


@pytest.fixture(scope="session")
def make_params():
    """``make_params(team_dict, paths=1, months=12, seed=0, policy=None) -> TeamParams`` (float32)."""
    return _make_params


@pytest.fixture(scope="session")
def row():
    """``row(params, i=0)``: path i's params in float64 (the DES's view)."""
    return _row


@pytest.fixture(scope="session")
def run():
    """``run(key, params, months, signals=None, active=None)``: the jitted :func:`run_team`."""
    return RUN
