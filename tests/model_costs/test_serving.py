"""Serving cost per million tokens, the decode roofline, quantisation and distillation."""

import numpy as np
import pytest

from venturesim.model_costs.hardware import Accelerator, accelerator
from venturesim.model_costs.scaling_law import CHINCHILLA
from venturesim.model_costs.serving import (
    QUANTIZATIONS,
    Quantization,
    decode_tokens_per_s,
    distill,
    serving_cost_per_million_tokens,
    serving_tokens_per_s,
)

ROUND_CHIP = Accelerator(
    label="round numbers",
    peak_flops=1e15,
    memory_bytes=1e11,
    bandwidth_bytes_s=1e12,
    power_w=700,
    price_per_hour=3.6,
    price_trend_annual=0.0,
    source="test",
)
LLAMA2_7B_PARAMS = 6_738_415_616


def test_cost_per_million_tokens_by_hand():
    # 1e15 FLOP/s · 0.3 MFU · 0.5 busy / 1.5e10 FLOPs per token = 10,000 tokens/s
    # = 3.6e7 tokens per hour; $3.6 per hour → $0.10 per million tokens.
    assert serving_tokens_per_s(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5) == pytest.approx(10_000)
    assert serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5) == pytest.approx(0.10)
    assert serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, 7.2, mfu=0.3, utilisation=0.5) == pytest.approx(0.20)


def test_quantisation_divides_cost_by_its_multiplier():
    base = serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5)
    assert serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5, quantization="int8") == (
        pytest.approx(base / 2)
    )
    assert serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5, quantization="int4") == (
        pytest.approx(base / 4)
    )
    assert (QUANTIZATIONS["int8"].loss_penalty, QUANTIZATIONS["int4"].loss_penalty) == (0.0, 0.02)
    custom = Quantization("int4-measured", 0.5, 3.25, 0.05, "GPTQ A100 speed-up")
    assert serving_tokens_per_s(1.5e10, ROUND_CHIP, mfu=0.3, utilisation=0.5, quantization=custom) == (
        pytest.approx(32_500)
    )
    with pytest.raises(ValueError, match="quantization"):
        serving_tokens_per_s(1.5e10, ROUND_CHIP, quantization="fp8")
    with pytest.raises(ValueError, match="loss_penalty"):
        Quantization("bad", 1.0, 2.0, -0.1, "")


def test_price_draws_give_cost_draws_and_median_default():
    prices = np.array([1.8, 3.6, 7.2])
    costs = serving_cost_per_million_tokens(1.5e10, ROUND_CHIP, prices, mfu=0.3, utilisation=0.5)
    np.testing.assert_allclose(costs, [0.05, 0.10, 0.20])
    h100 = accelerator("h100_sxm")
    default = serving_cost_per_million_tokens(2 * LLAMA2_7B_PARAMS, "h100_sxm")
    # 989e12·0.3·0.5 / 1.3477e10 = 11,008 tokens/s; $3.154/h → $0.0796 per million.
    assert default == pytest.approx(h100.median_price_per_hour / (3600 * 989e12 * 0.15 / (2 * LLAMA2_7B_PARAMS)) * 1e6)
    assert default == pytest.approx(0.0796, abs=5e-4)
    with pytest.raises(ValueError, match="mfu"):
        serving_cost_per_million_tokens(1e10, ROUND_CHIP, mfu=1.2)


def test_decode_roofline_llama2_7b_on_h100():
    h100 = accelerator("h100_sxm")
    # Batch 1 is memory-bound: 3.35e12 B/s / (6,738,415,616 · 2 B) = 248.57 tokens/s.
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 1) == pytest.approx(3.35e12 / (2 * LLAMA2_7B_PARAMS))
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 1) == pytest.approx(248.57, abs=0.01)
    # int8 weights halve the bytes read: exactly twice the tokens (the k = 2 of QUANTIZATIONS).
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 1, bytes_per_weight=1) == pytest.approx(2 * 248.5748, rel=1e-5)
    # Ridge at b* = P·q / (2·W) = 989e12·2 / (2·3.35e12) = 295.2: throughput ∝ b below it, P/F above it.
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 295) == pytest.approx(295 * 248.5748, rel=1e-5)
    ceiling = 989e12 / (2 * LLAMA2_7B_PARAMS)
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 296) == pytest.approx(ceiling)
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 4096) == pytest.approx(ceiling)
    # A KV cache of 0.5 MiB/token · 4096 tokens = 2 GiB per sequence adds to the bytes read:
    # batch 4: (13.477e9 + 4·2^31) / 3.35e12 s per step.
    step = (2 * LLAMA2_7B_PARAMS + 4 * 2**31) / 3.35e12
    assert decode_tokens_per_s(LLAMA2_7B_PARAMS, h100, 4, kv_bytes_per_sequence=2**31) == pytest.approx(4 / step)


def test_distillation_penalty_from_the_law():
    # Teacher 70B/1.4T, student 7B/1.4T: same D, so the gap is A·(7e9^−α − 70e9^−α) = 0.10088 nats.
    gap = CHINCHILLA.A * (7e9**-CHINCHILLA.alpha - 70e9**-CHINCHILLA.alpha)
    assert gap == pytest.approx(0.10088, abs=1e-5)
    student = distill(CHINCHILLA, 70e9, 1.4e12, 7e9, 1.4e12)
    assert student.loss_penalty == pytest.approx(gap)
    assert student.loss == pytest.approx(CHINCHILLA.loss(7e9, 1.4e12))
    # 6·7e9·1.4e12 + 2·70e9·1.4e12 = 5.88e22 + 1.96e23 = 2.548e23 FLOPs.
    assert student.flops == pytest.approx(2.548e23)
    assert distill(CHINCHILLA, 70e9, 1.4e12, 7e9, 1.4e12, gap_recovered=0.5).loss_penalty == pytest.approx(gap / 2)
    with pytest.raises(ValueError, match="gap_recovered"):
        distill(CHINCHILLA, 70e9, 1.4e12, 7e9, 1.4e12, gap_recovered=1.5)
