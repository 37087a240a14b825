"""Params: every domain's per-path draws in one pytree, and ``sample``."""

from __future__ import annotations

from typing import NamedTuple

import jax
import numpy as np

from venturesim.funding.params import FundingParams, sample_funding
from venturesim.market.params import MarketParams, sample_market
from venturesim.model_costs.compute import sample_compute
from venturesim.model_costs.roadmap import ProductParams, sample_product
from venturesim.partnerships.params import PartnerParams, sample_partnerships
from venturesim.risks.apply import RiskRecord, apply_risks
from venturesim.risks.draws import sample_risks
from venturesim.scenario.schema import Scenario, rank_correlation_matrix
from venturesim.spec.sampling import Design, Sampler
from venturesim.team.payroll import TeamParams, sample_team


class CompanyParams(NamedTuple):
    """Company-level inputs: (paths,) or (paths, T)."""

    initial_cash: np.ndarray  # USD
    founder_ownership: np.ndarray  # fraction
    option_pool: np.ndarray  # fraction
    other_costs: np.ndarray  # (paths, T) USD per month
    compute: np.ndarray  # (paths, T) USD per month


class Params(NamedTuple):
    """All per-path inputs; every leaf has the path axis first."""

    company: CompanyParams
    market: MarketParams
    team: TeamParams
    funding: FundingParams
    product: ProductParams
    partnerships: PartnerParams
    risks: RiskRecord


def sample(
    scenario: Scenario,
    key: jax.Array,
    n: int | None = None,
    *,
    months: int | None = None,
    path_index: np.ndarray | None = None,
) -> Params:
    """Draw every uncertain input for ``n`` paths (or the given global path indices).

    Returns the Params pytree: float32 arrays with the path axis first.
    Path ``i``'s draws depend only on ``key`` and ``i``.
    """
    return sample_with_draws(scenario, key, n, months=months, path_index=path_index)[0]


def sample_with_draws(
    scenario: Scenario,
    key: jax.Array,
    n: int | None = None,
    *,
    months: int | None = None,
    path_index: np.ndarray | None = None,
    design: Design | None = None,
) -> tuple[Params, dict[str, np.ndarray]]:
    """:func:`sample`, plus each uncertain input's draws by name (float64, for sensitivity analysis).

    ``design`` (rows in ``path_index`` order) sets some inputs from given uniforms or quantiles
    instead of their keyed draws (:class:`venturesim.spec.sampling.Design`).
    """
    if path_index is None:
        if n is None:
            raise ValueError("give n or path_index")
        path_index = np.arange(n)
    months = scenario.simulation.months if months is None else months
    names, matrix = rank_correlation_matrix(scenario) if scenario.correlations else ([], None)
    sampler = Sampler(key, path_index, names, matrix, design)
    n_paths = len(path_index)
    company = CompanyParams(
        initial_cash=sampler.scalar(scenario.company.initial_cash, "company.initial_cash"),
        founder_ownership=np.full(n_paths, scenario.company.founder_ownership),
        option_pool=np.full(n_paths, scenario.company.option_pool),
        other_costs=sampler.series(scenario.company.other_monthly_costs, "company.other_monthly_costs", months),
        compute=sample_compute(scenario.compute, sampler, months),
    )
    segments = [s.name for s in scenario.market.segments]
    params = Params(
        company=company,
        market=sample_market(scenario.market, sampler, months, scenario.funding.class_names()),
        team=sample_team(
            scenario.team, sampler, months, option_pool=scenario.company.option_pool, policy=scenario.policy
        ),
        funding=sample_funding(scenario.funding, sampler, months, scenario.policy.on_round_failure),
        product=sample_product(scenario.product, sampler, months),
        partnerships=sample_partnerships(scenario.partnerships, sampler, segments),
        risks=None,  # type: ignore[arg-type]  # the record is set below, once the risks have acted
    )
    # Risk events are drawn now and act on the drawn inputs (both engines see the same events).
    runs = [r.name for r in scenario.product.training_runs] if scenario.product else []
    draws = sample_risks(
        scenario.risks, sampler, months, segments=segments, rounds=scenario.funding.class_names(), runs=runs
    )
    params, record = apply_risks(params, draws, months)
    leaves, tree = jax.tree_util.tree_flatten(params._replace(risks=record))
    del params, record, draws, company
    for i, leaf in enumerate(leaves):  # one leaf at a time: each float64 leaf is freed once cast
        leaves[i] = as_float32(leaf)
        del leaf
    return jax.tree_util.tree_unflatten(tree, leaves), sampler.draws


def as_float32(a) -> np.ndarray:
    """``np.asarray(a, np.float32)``, but a broadcast view (a zero stride: an input constant over months or over
    paths) stays one: only its distinct values are cast, then broadcast back (read-only). The same numbers."""
    a = np.asarray(a)
    if a.ndim == 0 or 0 not in a.strides or a.size == 0:
        return np.asarray(a, np.float32)
    distinct = a[tuple(slice(0, 1) if s == 0 else slice(None) for s in a.strides)]
    return np.broadcast_to(np.asarray(distinct, np.float32), a.shape)
