"""The product roadmap in both engines: the training queue, spend, release and quality.

The hand-worked roadmap (one cluster slot, every run on 10 H100s at $2/h ⇒
10 × 2 × 730.5 = $14,610 a month while a run holds the slot; no interruptions):

    run  listed  submit  work  base  release delay
    a    1st     1.0     1.5   –     0.5
    b    2nd     0.0     1.0   –     0.5
    c    3rd     0.0     0.25  a     0.5

* a: start 1.0 (its submit month), end 2.5, released 3.0;
* b: submitted at 0 but listed after a, so it waits for a to take the slot
  (1.0) and then for the slot: start 2.5, end 3.5, released 4.0;
* c: fine-tunes a: waits for b to be decided (2.5), for a's release (3.0)
  and for the slot (3.5): start 3.5, end 3.75, released 4.25.

Spend by month: month 1 [1, 2): a runs 1.0 → $14,610; month 2: a 0.5 + b 0.5
→ $14,610; month 3: b 0.5 + c 0.25 → $10,957.50; total 2.75 × 14,610 = $40,177.50.
With two slots: a 1 → 2.5 (release 3), b 1 → 2 (release 2.5), c starts at
a's release 3 → 3.25 (release 3.75).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
import simpy

import venturesim as vs
from venturesim.engine.params import sample
from venturesim.model_costs.hardware import accelerator
from venturesim.model_costs.process import start_training
from venturesim.model_costs.roadmap import HOURS_PER_MONTH
from venturesim.model_costs.scaling_law import CHINCHILLA
from venturesim.model_costs.step import init_product, product_month

PEAK = accelerator("h100_sxm").peak_flops
N_A = 1e9
RATE = 10 * 2.0 * HOURS_PER_MONTH  # USD per month while a run holds the slot


def tokens_for(work_months: float, n_params: float, mfu: float = 0.5, accelerators: int = 10) -> float:
    """D such that 6·N·D / (peak · MFU · n) is ``work_months`` months of 730.5 hours."""
    return work_months * HOURS_PER_MONTH * 3600 * PEAK * mfu * accelerators / (6 * n_params)


def run(name, month, work, *, base=None, failure=0.0, **extra):
    spec = {
        "name": name,
        "month": month,
        "tokens": tokens_for(work, N_A),
        "accelerator": "h100_sxm",
        "accelerators": 10,
        "mfu": 0.5,
        "price_per_hour": 2.0,
        "failure_probability": failure,
        "interruptions_per_1000_accelerator_days": 0.0,
        "release_delay_months": 0.5,
    }
    spec |= {"base": base, "loss_reduction": 0.1} if base else {"parameters": N_A}
    return spec | extra


def roadmap_scenario(slots=1, failure_a=0.0, months=8, **product) -> vs.Scenario:
    return vs.load(
        {
            "name": "roadmap",
            "simulation": {"months": months},
            "company": {"initial_cash": 1e7},
            "market": {
                "segments": [
                    {
                        "name": "api",
                        "market_size": 1000,
                        "price": 100.0,
                        "churn": 0.02,
                        "initial_customers": 10,
                        "tokens_per_customer_month": 1e6,
                    }
                ]
            },
            "product": {
                "frontier_loss": 2.5,
                "initial_loss": 3.0,
                "initial_parameters": 1e9,
                "cluster_slots": slots,
                "training_runs": [
                    run("a", 1.0, 1.5, failure=failure_a),
                    run("b", 0.0, 1.0),
                    run("c", 0.0, 0.25, base="a"),
                ],
                "serving": {"price_per_hour": 3.6, "mfu": 0.5, "utilisation": 0.5},
            }
            | product,
        }
    )


def schedule(scenario, paths=1):
    params = sample(scenario, jax.random.key(0), paths)
    state = jax.jit(init_product)(jax.random.key(1), params.product)
    return params, jax.tree_util.tree_map(np.asarray, state)


def test_queue_one_slot_by_hand():
    _, state = schedule(roadmap_scenario())
    np.testing.assert_allclose(state.start[0], [1.0, 2.5, 3.5], rtol=1e-6)
    np.testing.assert_allclose(state.end[0], [2.5, 3.5, 3.75], rtol=1e-6)
    np.testing.assert_allclose(state.release[0], [3.0, 4.0, 4.25], rtol=1e-6)


def test_queue_two_slots_by_hand():
    _, state = schedule(roadmap_scenario(slots=2))
    np.testing.assert_allclose(state.start[0], [1.0, 1.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(state.end[0], [2.5, 2.0, 3.25], rtol=1e-6)
    np.testing.assert_allclose(state.release[0], [3.0, 2.5, 3.75], rtol=1e-6)


def test_failed_base_wastes_the_run_and_skips_its_fine_tune():
    _, state = schedule(roadmap_scenario(failure_a=1.0))
    np.testing.assert_allclose(state.start[0][:2], [1.0, 2.5], rtol=1e-6)
    assert np.isinf(state.release[0][0]) and np.isfinite(state.release[0][1])
    assert np.isinf(state.start[0][2]) and np.isinf(state.release[0][2])  # c never runs


def test_monthly_spend_quality_and_serving_cost_by_hand():
    params, state = schedule(roadmap_scenario())
    months = [product_month(state, params.product, np.int32(t)) for t in range(6)]
    spend = [float(m.training_spend[0]) for m in months]
    np.testing.assert_allclose(spend, [0, RATE, RATE, 0.75 * RATE, 0, 0], rtol=1e-5)
    # Loss of a: Chinchilla at N = 1e9 and its D; c fine-tunes a: 0.1 nats lower.
    loss_a = CHINCHILLA.loss(N_A, tokens_for(1.5, N_A))
    served = [float(m.served_loss[0]) for m in months]
    np.testing.assert_allclose(served, [3.0, 3.0, 3.0, loss_a, loss_a, loss_a - 0.1], rtol=1e-5)
    gaps = [float(m.quality_gap[0]) for m in months]
    np.testing.assert_allclose(gaps, [2.5 - s for s in served], rtol=1e-5, atol=1e-6)
    # Serving: 2N FLOPs per token at 0.5 MFU × 0.5 utilisation, $3.60 an hour:
    # 2e9 / (989e12 · 0.25) s per token × $0.001 per second.
    per_token = 2 * N_A / (PEAK * 0.25) * 3.6 / 3600
    np.testing.assert_allclose(float(months[0].cost_per_token[0]), per_token, rtol=1e-5)


def test_engines_tell_the_same_story_on_the_hand_worked_roadmap():
    """Without noise in the roadmap both engines give the same schedule, spend and gap month by month."""
    scenario = roadmap_scenario(months=8)
    metrics = ("training_compute", "quality_gap", "serving_cost", "compute", "cash")
    jax_r = vs.simulate(scenario, paths=1, seed=3, metrics=metrics)
    des_r = vs.simulate(scenario, paths=1, seed=3, metrics=metrics, engine="des", workers=1)
    np.testing.assert_allclose(
        jax_r.data["training_compute"].values[0], [0, RATE, RATE, 0.75 * RATE, 0, 0, 0, 0], rtol=1e-5
    )
    for name in ("training_compute", "quality_gap", "compute"):
        np.testing.assert_allclose(des_r.data[name].values, jax_r.data[name].values, rtol=1e-5, err_msg=name)
    log = des_r.events.query("process == 'training'")
    expected = [
        (1.0, "queued"),
        (1.0, "started"),
        (1.0, "queued"),
        (2.5, "finished"),
        (2.5, "started"),
        (3.0, "released"),
        (3.0, "queued"),
        (3.5, "finished"),
        (3.5, "started"),
        (3.75, "finished"),
        (4.0, "released"),
        (4.25, "released"),
    ]
    got = [(round(t, 9), k) for t, k in zip(log["time"], log["kind"], strict=True)]
    assert sorted(got) == sorted(expected)


def test_des_queue_statistics_by_hand():
    """Slot busy 1 → 3.75 (2.75 months) and queue area: b waits 1 → 2.5, c waits 3.0 → 3.5 (2.0 in all).

    The DES queue counter is logged with every event, so the time-weighted
    means over the 8-month horizon are 2.75/8 and 2.0/8 (b, submitted at
    month 0, joins the queue only once a, listed first, has taken the slot).
    """
    scenario = roadmap_scenario(months=8)
    des_r = vs.simulate(scenario, paths=1, seed=3, engine="des", workers=1)
    busy = float(des_r.time_weighted("accelerators_busy").iloc[0])
    queue = float(des_r.time_weighted("training_queue").iloc[0])
    assert busy == pytest.approx(2.75 / 8, rel=1e-9)
    assert queue == pytest.approx(2.0 / 8, rel=1e-9)


class _Company:
    """The per-path fields the training process reads, with the engine's ``ended`` event (``start_training``
    sets ``training``)."""

    def __init__(self, env):
        self.env, self.alive, self.ended, self.events = env, True, env.event(), []

    def log(self, process, kind, details):
        self.events.append((self.env.now, kind, details.split(":")[0]))


def test_des_jobs_give_back_their_slot_and_their_place_in_the_queue_when_the_company_ends():
    # hand-worked roadmap, one slot: a trains on [1, 2.5), b queues from 1.0; the company ends at 2.0
    params, _ = schedule(roadmap_scenario())
    product = jax.tree_util.tree_map(lambda a: np.asarray(a[0], np.float64), params.product)
    env = simpy.Environment()
    company = _Company(env)
    cluster = start_training(env, company, product, ["a", "b", "c"], np.random.default_rng(0))
    env.run(until=2.0)
    assert company.events == [(1.0, "queued", "a"), (1.0, "started", "a"), (1.0, "queued", "b")]
    assert cluster.count == 1 and len(cluster.queue) == 1
    company.ended.succeed("died")
    env.run(until=8.0)
    assert cluster.count == 0 and len(cluster.queue) == 0 and len(company.events) == 3
    assert np.isinf(company.training.end).all() and np.isinf(company.training.start[1:]).all()


def test_interruptions_lengthen_runs_by_poisson_count_times_restart():
    """E[end − start] = work + λ·work·restart; Var = λ·work·restart² (compound Poisson).

    One run of 2 months of work on 10 accelerators at 30 interruptions per
    1,000 accelerator-days: λ = 10 · 30/1000 · 30.44 = 9.131 a month, so
    λ·work = 18.26 interruptions on average, 73.05 hours each (0.1 month).
    """
    scenario = vs.load(
        {
            "name": "interruptions",
            "company": {"initial_cash": 1e7},
            "market": {"segments": [{"name": "api", "market_size": 100, "price": 1.0}]},
            "product": {
                "training_runs": [
                    run(
                        "a", 0.0, 2.0, interruptions_per_1000_accelerator_days=30.0, restart_hours=0.1 * HOURS_PER_MONTH
                    )
                ]
            },
        }
    )
    _, state = schedule(scenario, paths=20_000)
    duration = state.end[:, 0] - state.start[:, 0]
    mean_count = 10 * 30 / 1000 * HOURS_PER_MONTH / 24 * 2.0
    expected = 2.0 + mean_count * 0.1
    se = np.sqrt(mean_count * 0.1**2 / duration.size)
    assert abs(duration.mean() - expected) < 3 * se
    assert duration.var() == pytest.approx(mean_count * 0.01, rel=0.05)  # 20k draws: var's SE ≈ 1 %


def test_a_calibration_file_sets_the_loss_law_one_posterior_draw_per_path(tmp_path):
    """With two posterior draws of (E, A, B, α, β) in the file, every path's run loss is L(N, D)
    under one of the two draws transferred to the reference scale (anchored at 70B/1.4T:
    E' = E_chin, A' = A_chin·N_ref^(α−α_chin), B' = B_chin·D_ref^(β−β_chin)), and both draws occur
    (each with probability 1/2)."""
    import dataclasses

    from builders import sample_calibration

    from venturesim.model_costs.calibration import write_calibration
    from venturesim.model_costs.scaling_law import LossLaw

    laws = [
        LossLaw(E=1.0, A=400.0, B=400.0, alpha=0.3, beta=0.3),
        LossLaw(E=1.5, A=100.0, B=50.0, alpha=0.2, beta=0.25),
    ]
    draws = {k: tuple(getattr(law, k) for law in laws) for k in ("E", "A", "B", "alpha", "beta")}
    path = tmp_path / "cal.yaml"
    write_calibration(dataclasses.replace(sample_calibration(), law_draws=draws), path)
    scenario = roadmap_scenario(calibration=str(path))
    params = sample(scenario, jax.random.key(0), 400)
    loss_a = np.asarray(params.product.loss[:, 0], np.float64)
    transferred = [
        LossLaw(
            E=CHINCHILLA.E,
            A=CHINCHILLA.A * 70e9 ** (law.alpha - CHINCHILLA.alpha),
            B=CHINCHILLA.B * 1.4e12 ** (law.beta - CHINCHILLA.beta),
            alpha=law.alpha,
            beta=law.beta,
        )
        for law in laws
    ]
    expected = [law.loss(N_A, tokens_for(1.5, N_A)) for law in transferred]
    which = np.isclose(loss_a[:, None], expected, rtol=1e-5)
    assert which.any(axis=1).all()
    assert abs(which[:, 0].mean() - 0.5) < 4 * np.sqrt(0.25 / 400)
    with pytest.raises(Exception, match="calibration file not found"):
        roadmap_scenario(calibration=str(tmp_path / "missing.yaml"))
