"""Time, cost, energy and CO2 of training runs, by hand and against a published run."""

import numpy as np
import pytest

from venturesim.model_costs.flops import parameter_count, training_flops
from venturesim.model_costs.hardware import Accelerator, accelerator
from venturesim.model_costs.shape import TransformerShape
from venturesim.model_costs.training_cost import (
    DEFAULT_GRID_G_PER_KWH,
    DEFAULT_PUE,
    DEFAULT_RESTART_OVERHEAD,
    HOURS_PER_MONTH,
    fine_tune_flops,
    fine_tune_run,
    training_run,
)

ROUND_CHIP = Accelerator(
    label="round numbers",
    peak_flops=1e15,
    memory_bytes=1e11,
    bandwidth_bytes_s=1e12,
    power_w=700,
    price_per_hour=2.5,
    price_trend_annual=0.0,
    source="test",
)
LLAMA2_7B_PARAMS = 6_738_415_616
LLAMA2_7B = TransformerShape(
    n_layers=32,
    d_model=4096,
    n_heads=32,
    vocab_size=32_000,
    context=4096,
    d_ff=11_008,
    mlp="swiglu",
    norm="rmsnorm",
    bias=False,
    tied_embeddings=False,
    learned_positions=False,
)


def test_training_run_by_hand():
    # 3.6e21 FLOPs / (1e15 FLOP/s · 0.5 MFU · 8) = 900,000 s = 250 h of compute;
    # wall 250·1.1 = 275 h; 8·275 = 2,200 accelerator-hours; · $2.5 = $5,500;
    # energy 700 W · 2,200 h · 1.2 / 1000 = 1,848 kWh; CO2 1,848 · 400 / 1000 = 739.2 kg.
    run = training_run(3.6e21, ROUND_CHIP, 8, 0.5, 2.5, restart_overhead=0.1, pue=1.2, grid_g_per_kwh=400)
    assert run.compute_hours == pytest.approx(250.0)
    assert run.wall_hours == pytest.approx(275.0)
    assert run.accelerator_hours == pytest.approx(2200.0)
    assert run.cost_usd == pytest.approx(5500.0)
    assert run.energy_kwh == pytest.approx(1848.0)
    assert run.co2e_kg == pytest.approx(739.2)
    assert run.wall_months == pytest.approx(275.0 / 730.5)
    assert HOURS_PER_MONTH == 730.5


def test_defaults_and_median_price():
    # Defaults: overhead 1/0.9 − 1, PUE 1.2, 370 g/kWh; price = catalogue median.
    assert pytest.approx(1 / 9) == DEFAULT_RESTART_OVERHEAD
    run = training_run(3.6e21, ROUND_CHIP, 8, 0.5)
    assert run.wall_hours == pytest.approx(250.0 / 0.9)
    assert run.energy_kwh == pytest.approx(0.7 * 8 * 250.0 / 0.9 * DEFAULT_PUE)
    assert run.co2e_kg == pytest.approx(run.energy_kwh * DEFAULT_GRID_G_PER_KWH / 1000)
    h100 = training_run(3.6e21, "h100_sxm", 8, 0.5)
    assert h100.cost_usd == pytest.approx(h100.accelerator_hours * accelerator("h100_sxm").median_price_per_hour)


def test_llama2_7b_gpu_hours_at_plausible_mfu():
    # Touvron et al. 2023, Table 2: Llama 2 7B took 184,320 A100-80GB hours for 2T tokens.
    # 6·6,738,415,616·2e12 = 8.086e22 FLOPs; at 39 % MFU on 312 TFLOP/s:
    # 8.086e22 / (312e12·0.39·3600) = 184,596 GPU-hours (0.15 % above the paper).
    assert parameter_count(LLAMA2_7B) == LLAMA2_7B_PARAMS
    flops = training_flops(LLAMA2_7B_PARAMS, 2e12)
    run = training_run(flops, "a100_80gb", 2048, 0.39, restart_overhead=0.0)
    assert run.accelerator_hours == pytest.approx(184_320, rel=0.005)
    assert run.accelerator_hours == pytest.approx(184_596, rel=1e-4)


def test_arrays_broadcast_over_price_draws():
    prices = np.array([1.0, 2.0, 4.0])
    run = training_run(3.6e21, ROUND_CHIP, 8, 0.5, prices, restart_overhead=0.0)
    np.testing.assert_allclose(run.cost_usd, 2000.0 * prices)  # 8·250 h
    assert run.wall_hours == pytest.approx(250.0)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"mfu": 1.5}, "mfu"),
        ({"mfu": 0.0}, "mfu"),
        ({"n_accelerators": 0}, "n_accelerators"),
        ({"flops": -1.0}, "flops"),
        ({"pue": 0.9}, "pue"),
        ({"restart_overhead": -0.1}, "restart_overhead"),
    ],
)
def test_invalid_inputs_name_the_value(kwargs, word):
    args = {"flops": 1e20, "accelerator": ROUND_CHIP, "n_accelerators": 1, "mfu": 0.4} | kwargs
    with pytest.raises(ValueError, match=word):
        training_run(**args)


def test_fine_tune_flops_full_and_lora():
    # Full: 6·7e9·1e8 = 4.2e18.
    assert fine_tune_flops(7e9, 1e8) == pytest.approx(4.2e18)
    # LoRA rank 8 on q and v of Llama-2-7B: 32 layers · 2 · 8·(4096 + 4096) = 4,194,304 adapters;
    # (4·6,738,415,616 + 6·4,194,304)·1e8 = 2.6978828288e18, 66.7 % of full fine-tuning.
    adapters = 32 * 2 * 8 * (4096 + 4096)
    lora = fine_tune_flops(LLAMA2_7B_PARAMS, 1e8, method="lora", adapter_params=adapters)
    assert lora == pytest.approx(2.6978828288e18)
    assert lora / fine_tune_flops(LLAMA2_7B_PARAMS, 1e8) == pytest.approx(0.66729, abs=1e-5)
    with pytest.raises(ValueError, match="method"):
        fine_tune_flops(7e9, 1e8, method="prefix")
    with pytest.raises(ValueError, match="adapter_params"):
        fine_tune_flops(7e9, 1e8, adapter_params=10)


def test_fine_tune_run_is_a_training_run():
    # 6·1e9·1e10 = 6e19 FLOPs / (1e15·0.5·1) = 120,000 s = 33.33 h.
    run = fine_tune_run(1e9, 1e10, ROUND_CHIP, 1, 0.5, 2.5, restart_overhead=0.0)
    assert run.compute_hours == pytest.approx(120_000 / 3600)
    assert run.cost_usd == pytest.approx(2.5 * 120_000 / 3600)
