"""The product month (training spend, served model, quality gap, cost per token) is one rule: NumPy on one
path (the DES's view) gives the kernel's numbers on a block of paths, on identical float32 inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from venturesim.model_costs.roadmap import ProductParams
from venturesim.model_costs.step import ProductState, month_figures, product_month

PATHS, RUNS, MONTHS = 10, 3, 6


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(4)
    f32 = np.float32

    def runs(low, high):
        return rng.uniform(low, high, (PATHS, RUNS)).astype(f32)

    params = ProductParams(
        submit=runs(0, 3),
        base=np.full((PATHS, RUNS), -1.0, f32),
        work=runs(0.5, 2),
        cost_rate=runs(1e4, 5e4),
        interrupt_rate=runs(0, 1),
        restart=runs(0, 0.01),
        failure_probability=runs(0, 0.3),
        release_delay=runs(0, 1),
        loss=runs(2.0, 2.6),
        parameters=runs(1e8, 1e10),
        slots=np.zeros((PATHS, 1), f32),
        initial_loss=rng.uniform(2.3, 2.7, PATHS).astype(f32),
        initial_parameters=rng.uniform(1e8, 1e9, PATHS).astype(f32),
        frontier_loss=rng.uniform(2.0, 2.4, (PATHS, MONTHS)).astype(f32),
        adoption_elasticity=np.ones(PATHS, f32),
        churn_elasticity=np.ones(PATHS, f32),
        price_elasticity=np.ones(PATHS, f32),
        quality_max_multiplier=np.full(PATHS, 3.0, f32),
        serving_cost_per_parameter_token=rng.uniform(1e-18, 1e-17, PATHS).astype(f32),
        gpu_price=rng.uniform(1.0, 1.5, (PATHS, MONTHS)).astype(f32),
        # a third of the paths start on a vendor's API; some months of some paths are in an API phase
        initial_api_cost=np.where(rng.random(PATHS) < 0.33, rng.uniform(1e-6, 5e-6, PATHS), 0.0).astype(f32),
        api_share=(rng.random((PATHS, MONTHS)) < 0.3).astype(f32),
        api_loss=rng.uniform(1.9, 2.4, (PATHS, MONTHS)).astype(f32),
        api_cost_per_token=rng.uniform(1e-7, 1e-5, (PATHS, MONTHS)).astype(f32),
        energy_rate=runs(1e3, 5e3),
        serving_kwh_per_parameter_token=rng.uniform(1e-17, 1e-16, PATHS).astype(f32),
        grid_intensity=rng.uniform(20, 700, PATHS).astype(f32),
        # a vendor's deprecation: price × 0.5–2, loss + 0–0.05, a migration in some months
        api_price=rng.uniform(0.5, 2.0, (PATHS, MONTHS)).astype(f32),
        api_loss_shift=rng.uniform(0.0, 0.05, (PATHS, MONTHS)).astype(f32),
        api_migration=np.where(rng.random((PATHS, MONTHS)) < 0.3, 4e4, 0.0).astype(f32),
    )
    start = np.where(rng.random((PATHS, RUNS)) < 0.8, rng.uniform(0, 4, (PATHS, RUNS)), np.inf).astype(f32)
    end = np.where(np.isfinite(start), start + rng.uniform(0.2, 2, (PATHS, RUNS)), np.inf).astype(f32)
    release = np.where(rng.random((PATHS, RUNS)) < 0.7, end + 0.5, np.inf).astype(f32)
    return params, start, end, release


@pytest.mark.parametrize("t", [0, 2, 5])
def test_numpy_per_path_equals_jax_on_the_block(case, t):
    params, start, end, release = case
    block = product_month(
        ProductState(jnp.asarray(start), jnp.asarray(end), jnp.asarray(release)),
        jax.tree_util.tree_map(jnp.asarray, params),
        jnp.asarray(t, jnp.int32),
    )
    for i in range(PATHS):
        row = jax.tree_util.tree_map(lambda a, i=i: a[i], params)
        one = month_figures(start[i], end[i], release[i], row, t)
        for field, got, want in zip(block._fields, one, block, strict=True):
            np.testing.assert_allclose(float(got), float(want[i]), rtol=1e-5, err_msg=f"{field}, path {i}, month {t}")


def test_the_inputs_exercise_running_released_and_unreleased_runs(case):
    params, start, end, release = case
    month = product_month(ProductState(*(jnp.asarray(a) for a in (start, end, release))), params, jnp.asarray(3))
    spend, gap = np.asarray(month.training_spend), np.asarray(month.quality_gap)
    assert 0 < np.sum(spend > 0) < PATHS  # some paths train in month 3, some do not
    served_initial = np.asarray(month.served_loss) == params.initial_loss
    assert 0 < served_initial.sum() < PATHS and np.all(np.isfinite(gap))
    on_api = params.api_share[:, 3] > 0
    assert 0 < on_api.sum() < PATHS
    # a vendor's model: its loss + the deprecation's shift, its price × the repricing, no own energy
    np.testing.assert_allclose(
        np.asarray(month.served_loss)[on_api], (params.api_loss + params.api_loss_shift)[on_api, 3], rtol=1e-6
    )
    np.testing.assert_allclose(
        np.asarray(month.cost_per_token)[on_api], (params.api_cost_per_token * params.api_price)[on_api, 3], rtol=1e-6
    )
    assert np.all(np.asarray(month.energy_per_token)[on_api] == 0)
    np.testing.assert_allclose(np.asarray(month.migration_cost)[on_api], params.api_migration[on_api, 3])


def test_a_run_still_training_counts_to_the_month_end():
    # the DES does not know a run's end before it happens (+inf): it counts as running for the whole month
    run, one = np.array, np.float64
    params = ProductParams(
        submit=run([1.0]),
        base=run([-1.0]),
        work=run([0.25]),
        cost_rate=run([100.0]),
        interrupt_rate=run([0.0]),
        restart=run([0.0]),
        failure_probability=run([0.0]),
        release_delay=run([0.25]),
        loss=run([2.0]),
        parameters=run([5.0]),
        slots=np.zeros(1),
        initial_loss=one(2.5),
        initial_parameters=one(1.0),
        frontier_loss=run([3.0, 3.0, 3.0]),
        adoption_elasticity=one(1.0),
        churn_elasticity=one(1.0),
        price_elasticity=one(1.0),
        quality_max_multiplier=one(3.0),
        serving_cost_per_parameter_token=one(0.5),
        gpu_price=run([1.0, 2.0, 2.0]),  # a GPU price spike doubles rental prices from month 1
        initial_api_cost=one(0.0),
        api_share=run([0.0, 0.0, 0.0]),
        api_loss=run([0.0, 0.0, 0.0]),
        api_cost_per_token=run([0.0, 0.0, 0.0]),
        energy_rate=run([40.0]),
        serving_kwh_per_parameter_token=one(0.25),
        grid_intensity=one(400.0),
        api_price=run([1.0]),
        api_loss_shift=run([0.0]),
        api_migration=run([0.0]),
    )
    spend, gap, served, cost, kwh, per_token, migration = month_figures(
        np.array([1.25]), np.array([np.inf]), np.array([np.inf]), params, 1
    )
    # 0.75 of a month at 100 USD/month × 2 = 150; the initial model (size 1) at 0.5 per token per parameter × 2;
    # energy 0.75 × 40 kWh = 30 (no price multiplier on energy), 0.25 kWh per parameter-token × size 1
    assert (float(spend), float(gap), float(served), float(cost)) == (150.0, 0.5, 2.5, 1.0)
    assert (float(kwh), float(per_token), float(migration)) == (30.0, 0.25, 0.0)
    spend, gap, served, cost, kwh, per_token, _ = month_figures(
        np.array([1.25]), np.array([1.5]), np.array([1.75]), params, 2
    )
    assert (float(spend), float(gap), float(served), float(cost)) == (0.0, 1.0, 2.0, 5.0)  # size 5 · 0.5 · 2
    assert (float(kwh), float(per_token)) == (0.0, 1.25)  # size 5 · 0.25


def test_footprint_and_run_spend_by_hand():
    """Month t: 1,000 tokens at 2e-4 kWh each = 0.2 kWh served, 30 kWh of training; 30.2 kWh × 400 g/kWh
    = 12.08 kg CO2e; nothing on a path not alive. Run spend: one run at 100 USD/month holds its slot over
    [0.5, 2.25) under prices ×(1, 2, 2): 0.5·100 + 1·200 + 0.25·200 = 300 USD to the horizon, 250 if the path
    died in month 1 (months 0 and 1 paid), 50 if it died in month 0."""
    from venturesim.model_costs.month_rules import footprint, run_spend

    got = footprint(np.array([True, False]), 30.0, 1000.0, 2e-4, 400.0)
    np.testing.assert_allclose(got["training_energy"], [30.0, 0.0])
    np.testing.assert_allclose(got["serving_energy"], [0.2, 0.0])
    np.testing.assert_allclose(got["co2e"], [12.08, 0.0])

    class P:
        cost_rate = np.array([[100.0]] * 3)
        gpu_price = np.array([[1.0, 2.0, 2.0]] * 3)

    start, end = np.full((3, 1), 0.5), np.full((3, 1), 2.25)
    spend = run_spend(start, end, P, np.array([-1, 1, 0]), 3)
    np.testing.assert_allclose(spend[:, 0], [300.0, 250.0, 50.0])
    both = run_spend(jnp.asarray(start), jnp.asarray(end), P, jnp.asarray([-1, 1, 0]), 3, xp=jnp)
    np.testing.assert_allclose(np.asarray(both), spend, rtol=1e-6)


def test_run_spend_is_one_loop_body_whatever_the_horizon():
    """On a block the months are a ``fori_loop`` (``venturesim._xp.fold_range``), not a loop unrolled under ``jit``:
    the program has as many lines for 60 months as for 6; with no run on the roadmap nothing is added up."""
    from venturesim.model_costs.month_rules import run_spend

    def program_lines(months: int) -> int:
        class P:
            cost_rate = jnp.ones((4, 2))
            gpu_price = jnp.ones((4, months))

        spend = jax.jit(lambda s, e, last: run_spend(s, e, P, last, months, xp=jnp))
        return spend.lower(jnp.zeros((4, 2)), jnp.ones((4, 2)), jnp.full(4, -1)).as_text().count("\n")

    assert program_lines(6) == program_lines(60)

    class NoRuns:
        cost_rate = np.ones((3, 0))
        gpu_price = np.ones((3, 1))

    assert run_spend(np.ones((3, 0)), np.ones((3, 0)), NoRuns, np.full(3, -1), 60).shape == (3, 0)
