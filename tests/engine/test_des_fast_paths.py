"""The DES's fast paths (issue 21) give the numbers of the general ones.

The whole-model check is outside the suite (every shipped scenario's records, finals and event log before and
after, byte for byte: docs/performance.md); these tests pin the pieces: only the requested metrics recorded,
the product's months computed per batch, the checks skipped only where the inputs were checked at load.
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np
import pytest

import venturesim as vs
from venturesim import _streams as streams
from venturesim.engine.des_engine import _product_months, _row, run_paths
from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.engine.params import sample_with_draws
from venturesim.market import _checks
from venturesim.model_costs.step import month_figures

MINIMAL = Path(__file__).resolve().parents[2] / "benchmarks" / "minimal_company_des.yaml"


@pytest.fixture(scope="module")
def minimal():
    return vs.load(MINIMAL)


def test_requested_metrics_are_those_of_a_run_recording_every_metric(minimal):
    few, _ = run_paths(minimal, 0, 3, seed=5, months=24, metrics=("cash", "alive"))
    every, _ = run_paths(minimal, 0, 3, seed=5, months=24, metrics=tuple(MONTHLY_METRICS))
    for (records, final, events), (all_records, all_final, all_events) in zip(few, every, strict=True):
        assert set(records) == {"cash", "alive"}
        for name in records:
            assert records[name].tobytes() == all_records[name].tobytes()
        assert final.keys() == all_final.keys()
        for name in final:
            assert np.asarray(final[name]).tobytes() == np.asarray(all_final[name]).tobytes()
        assert events == all_events


def test_product_months_of_a_batch_are_each_paths_own(minimal):
    key = jax.random.fold_in(jax.random.key(3), streams.PARAMS)
    params, _ = sample_with_draws(minimal, key, months=12, path_index=np.arange(4))
    batch = _product_months(params, 12, 4)
    none = np.full(0, np.inf)
    for i in range(4):
        row = _row(params, i)
        for t in range(12):
            own = month_figures(none, none, none, row.product, t)
            assert [float(x) for x in own] == list(batch[i][t])


def test_checks_are_skipped_only_inside_trusted():
    with pytest.raises(ValueError, match=r"quality_elasticity\(=-1.0\) must be >= 0"):
        _checks.nonneg("quality_elasticity", -1.0)
    with _checks.trusted():
        _checks.nonneg("quality_elasticity", -1.0)  # validated at load: not checked again
    with pytest.raises(ValueError):
        _checks.nonneg("quality_elasticity", -1.0)
