"""The kernel's month views of the Params series (:data:`venturesim.engine.jax_engine.MONTH_SERIES`).

The JAX engine stores the series a month's rules read only at that month month-major and hands each month a view
(month t on a month axis of length 1). That is a matter of memory layout only: these tests check that every series
with a month axis is classified (viewed, or left whole for a stated reason), that a view reads what the whole series
reads at its month, and (slow) that a whole kernel gives the same numbers, bit for bit, with and without the views.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import venturesim as vs
import venturesim.engine.jax_engine as je
from venturesim._xp import month_of
from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import run_keys
from venturesim.risks.catalog import catalog_entries

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
MONTHS = 37
"""A horizon no other axis of a shipped scenario's Params has, so a month axis is recognised by its length."""

LEFT_WHOLE = {
    "company.other_costs": "its length is the horizon (the last month of the next month's hooks, final results)",
    "risks.hooks.team_attrition.scale": "read at month t + 1 (the next month's signals)",
    "risks.hooks.team_attrition.shift": "read at month t + 1",
    "risks.hooks.team_productivity.scale": "read at month t + 1",
    "risks.hooks.team_productivity.shift": "read at month t + 1",
}


def sampled(scenario, paths: int = 4):
    key, _ = run_keys(0)
    params, _ = sample_with_draws(vs.load(scenario), key, months=MONTHS, path_index=np.arange(paths))
    return params


@pytest.fixture(scope="module")
def every_params():
    return {path.stem: sampled(path) for path in SCENARIOS}


def test_every_series_with_a_month_axis_is_viewed_or_left_whole_for_a_reason(every_params):
    seen = set()
    for name, params in every_params.items():
        for field, leaf in je.named_leaves(params).items():
            axes = [axis for axis, size in enumerate(np.shape(leaf)) if size == MONTHS]
            if not axes:
                continue
            seen.add(field)
            assert field in je.MONTH_SERIES or field in LEFT_WHOLE, f"{name}: {field} has a month axis, unclassified"
            if field in je.MONTH_SERIES:
                assert axes == [je.MONTH_SERIES[field]], (name, field, np.shape(leaf))
    assert not set(je.MONTH_SERIES) & set(LEFT_WHOLE)
    # the shipped scenarios vary all the others by month: the Bass q hook is read as the p hook is (engine/month.py),
    # the vendor's price, quality shift and migration cost (risks on a vendor's API) as the product's API phases
    # (model_costs/month_rules.py)
    assert set(je.MONTH_SERIES) - seen == {
        "risks.hooks.market_q.scale",
        "risks.hooks.market_q.shift",
        "product.api_price",
        "product.api_loss_shift",
        "product.api_migration",
    }


@pytest.mark.parametrize("name", ["ai_copilot_series_a", "sales_led_enterprise_ai"])
def test_a_month_view_reads_what_the_whole_series_reads_at_its_month(every_params, name):
    params = jax.tree_util.tree_map(jnp.asarray, every_params[name])
    major = je.month_major(params)
    assert len(major) >= 15  # these two scenarios vary most of the series by month
    for t in (0, 1, 17, MONTHS - 1):
        view = je.month_view(params, major, t)
        for field, axis in je.MONTH_SERIES.items():
            whole, month = je.named_leaves(params)[field], je.named_leaves(view)[field]
            assert month.shape[axis] == 1 and month.shape[:axis] == whole.shape[:axis]
            np.testing.assert_array_equal(month_of(month, t, axis), month_of(whole, t, axis))
            if field in major:  # a series that varies: its month t, not its month 0
                np.testing.assert_array_equal(np.take(np.asarray(month), 0, axis), np.take(np.asarray(whole), t, axis))
        assert je.named_leaves(view)["company.other_costs"] is je.named_leaves(params)["company.other_costs"]


def test_month_of_takes_the_only_month_of_a_constant_series():
    series = np.arange(12.0).reshape(2, 3, 2)  # (paths, months, segments)
    assert np.array_equal(month_of(series, 2, 1), series[:, 2])
    assert np.array_equal(month_of(series[:, :1], 2, 1), series[:, 0])
    assert np.array_equal(month_of(series[0, :, 0], 1, -1), series[0, 1, 0])


def every_risk_firing() -> vs.Scenario:
    """``tests/risks/test_every_target.py``'s company (four pricings, a training run, a vendor's API phase, a team,
    a round) with every catalogue risk firing from month 1 at 0.3 a month: the vendor's price, quality and
    migration series and the Bass q hook vary by month too."""
    from tests.risks.test_every_target import SCENARIO

    data = copy.deepcopy(SCENARIO)
    data["risks"] = {
        "include": "all",
        "overrides": {name: {"hazard_monthly": 0.3, "start_month": 1} for name in catalog_entries()},
    }
    return vs.load(data)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ai_copilot_series_a", "sales_led_enterprise_ai", "every_risk"])
def test_the_kernel_gives_the_same_numbers_with_and_without_month_views(monkeypatch, name):
    """One block of 256 paths over 37 months, every monthly metric and every final result: a view that read
    another month than the rule asks for would move whole numbers and months here.

    The month loop of one block (``_run_paths``) compiles alike either way here. Inside ``run_block`` (4,096 paths,
    ``lax.map`` over blocks) XLA fuses the month with views differently, and a float32 sum of costs can round in
    its last bit (docs/performance.md, "Series read month-major")."""
    params = sampled(every_risk_firing() if name == "every_risk" else ROOT / "scenarios" / f"{name}.yaml", paths=256)
    leaves = je.named_leaves(params)
    varying = {field for field, axis in je.MONTH_SERIES.items() if leaves[field].shape[axis] > 1}
    assert len(varying) >= 15 and (name != "every_risk" or {"product.api_price", "product.api_migration"} <= varying)
    key = jax.random.key(3)
    metrics = tuple(sorted(MONTHLY_METRICS))

    def run():
        return jax.jit(je._run_paths, static_argnums=(2, 3))(params, key, MONTHS, metrics)

    viewed = run()
    monkeypatch.setattr(je, "month_major", lambda params: {})  # month_view then hands the whole series
    whole = run()
    for (where, a), (_, b) in zip(
        jax.tree_util.tree_flatten_with_path(viewed)[0], jax.tree_util.tree_flatten_with_path(whole)[0], strict=True
    ):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=jax.tree_util.keystr(where))
