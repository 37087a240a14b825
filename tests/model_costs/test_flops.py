"""Parameter counts, FLOPs and memory of model_costs.flops against hand counts and papers."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim.model_costs.flops import (
    flops_parameter_count,
    inference_flops_per_token,
    kv_cache_bytes,
    min_accelerators,
    model_flops_utilization,
    parameter_count,
    training_flops,
    training_flops_per_token,
    training_memory_bytes,
)
from venturesim.model_costs.shape import GPT2_SMALL, TransformerShape

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
TINY_LLAMA = TransformerShape(
    n_layers=2,
    d_model=64,
    n_heads=4,
    n_kv_heads=2,
    vocab_size=100,
    context=128,
    d_ff=172,
    mlp="swiglu",
    norm="rmsnorm",
    bias=False,
    tied_embeddings=False,
    learned_positions=False,
)


def test_gpt2_small_counts_exactly():
    # wte 50257·768 = 38,597,376; wpe 1024·768 = 786,432;
    # block: 12·768² + 13·768 = 7,077,888 + 9,984 = 7,087,872, × 12 = 85,054,464; ln_f 2·768 = 1,536.
    assert parameter_count(GPT2_SMALL) == 124_439_808
    # bias=False (nanoGPT): block 12·768² + 2·768 = 7,079,424, × 12 = 84,953,088; ln_f 768.
    assert parameter_count(dataclasses.replace(GPT2_SMALL, bias=False)) == 124_337_664


def test_gpt2_small_non_embedding_and_flops_n():
    # Kaplan's N: 124,439,808 − 38,597,376 − 786,432 = 85,056,000.
    assert parameter_count(GPT2_SMALL, embeddings=False) == 85_056_000
    # nanoGPT get_num_params(): total − wpe = 124,439,808 − 786,432.
    assert flops_parameter_count(GPT2_SMALL) == 123_653_376


def test_tiny_llama_counted_by_hand():
    # head_dim 16, kv width 2·16 = 32.
    # attention: q 64·64 + o 64·64 + k 64·32 + v 64·32 = 4096 + 4096 + 2048 + 2048 = 12,288
    # SwiGLU: 3·64·172 = 33,024; two RMSNorm weights 2·64 = 128 → block 45,440; × 2 = 90,880
    # final norm 64 → body 90,944; embedding 100·64 = 6,400; untied head 6,400 → 103,744.
    assert parameter_count(TINY_LLAMA) == 103_744
    assert parameter_count(TINY_LLAMA, embeddings=False) == 90_944
    assert flops_parameter_count(TINY_LLAMA) == 90_944 + 6_400


def test_llama2_7b_published_total():
    # Touvron et al. 2023: 6,738,415,616 = 2·32000·4096 + 32·(4·4096² + 3·4096·11008 + 2·4096) + 4096.
    assert parameter_count(LLAMA2_7B) == 6_738_415_616


@settings(max_examples=60, deadline=None)
@given(
    layers=st.integers(1, 6),
    heads=st.sampled_from([1, 2, 4, 8]),
    head_dim=st.integers(1, 32),
    vocab=st.integers(1, 5000),
    context=st.integers(1, 2048),
    tied=st.booleans(),
    positions=st.booleans(),
)
def test_gpt_block_formula_and_embedding_split(layers, heads, head_dim, vocab, context, tied, positions):
    d = heads * head_dim
    shape = TransformerShape(
        n_layers=layers,
        d_model=d,
        n_heads=heads,
        vocab_size=vocab,
        context=context,
        tied_embeddings=tied,
        learned_positions=positions,
    )
    body = layers * (12 * d * d + 13 * d) + 2 * d  # GPT-2 block with biases, plus ln_f
    assert parameter_count(shape, embeddings=False) == body
    embeddings = vocab * d * (1 if tied else 2) + (context * d if positions else 0)
    assert parameter_count(shape) == body + embeddings
    # Grouped-query attention with as many kv heads as query heads is plain attention.
    assert parameter_count(dataclasses.replace(shape, n_kv_heads=heads)) == parameter_count(shape)


def test_training_flops_per_token_gpt2_small_by_hand():
    # 6·123,653,376 = 741,920,256; 12·L·H·Q·T = 12·12·12·64·1024 = 113,246,208.
    assert training_flops_per_token(GPT2_SMALL) == 855_166_464
    assert training_flops_per_token(GPT2_SMALL, context=512) == 741_920_256 + 113_246_208 / 2


def test_palm_540b_mfu_reproduced():
    # PaLM App. B: 6N + 12LHQT with N = 540.35e9, L = 118, H = 48, Q = 256, T = 2048,
    # 238.3k tokens/s on 6144 TPU v4 (275 TFLOP/s) → MFU 46.2 % (Table 3).
    per_token = 6 * 540.35e9 + 12 * 118 * 48 * 256 * 2048
    mfu = model_flops_utilization(per_token, 238.3e3, 6144 * 275e12)
    assert mfu == pytest.approx(0.462, abs=5e-4)


def test_six_n_d_gpt3():
    # GPT-3: 6·175e9·300e9 = 3.15e23; Brown et al. 2020 report 3.14e23 FLOPs.
    assert training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert training_flops(175e9, 300e9) == pytest.approx(3.14e23, rel=0.01)
    with pytest.raises(ValueError, match="tokens"):
        training_flops(1e9, 0)


def test_inference_flops_gpt2_small_by_hand():
    # 2·123,653,376 + 2·12·1024·768 = 247,306,752 + 18,874,368.
    assert inference_flops_per_token(GPT2_SMALL, 1024) == 266_181_120
    assert inference_flops_per_token(GPT2_SMALL, 0) == 247_306_752


def test_kv_cache_llama2_7b():
    # 2·32 layers·32 kv heads·128 dims·2 bytes = 524,288 bytes per token (0.5 MiB);
    # batch 8 at 4096 tokens: 8·4096·524,288 = 16 GiB.
    assert kv_cache_bytes(LLAMA2_7B, 1, 1) == 524_288
    assert kv_cache_bytes(LLAMA2_7B, 8, 4096) == 16 * 2**30
    # GQA halves the cache of TINY_LLAMA against full attention, per token
    # (k and v)·2 layers·(2 or 4) kv heads·16 dims·2 bytes = 256 vs 512 bytes.
    assert kv_cache_bytes(TINY_LLAMA, 1, 1) == 256
    assert kv_cache_bytes(dataclasses.replace(TINY_LLAMA, n_kv_heads=None), 1, 1) == 512
    assert kv_cache_bytes(TINY_LLAMA, 1, 1, bytes_per_value=1) == 128


def test_training_memory_zero_16_bytes_per_parameter():
    # ZeRO §3.1: mixed-precision Adam holds 2 + 2 + 12 = 16 bytes per parameter.
    m = training_memory_bytes(LLAMA2_7B, batch_tokens=4096)
    n = 6_738_415_616
    assert (m.weights, m.gradients, m.master_weights, m.optimizer) == (2 * n, 2 * n, 4 * n, 8 * n)
    assert m.total - m.activations == 16 * n
    fp32_sgd = training_memory_bytes(LLAMA2_7B, batch_tokens=4096, param_bytes=4, optimizer="sgd")
    assert fp32_sgd.total - fp32_sgd.activations == 8 * n  # 4 weights + 4 gradients, no master copy


def test_activation_memory_korthikanti_by_hand():
    # s = 1024, b = 12, h = 768, a = 12, L = 12:
    # 34·s·b·h = 320,864,256; 5·a·s²·b = 754,974,720; per layer 1,075,838,976; × 12.
    m = training_memory_bytes(GPT2_SMALL, batch_tokens=12 * 1024)
    assert m.activations == 12 * 1_075_838_976
    flash = training_memory_bytes(GPT2_SMALL, batch_tokens=12 * 1024, flash_attention=True)
    assert flash.activations == 12 * 320_864_256
    with pytest.raises(ValueError, match="optimizer"):
        training_memory_bytes(GPT2_SMALL, batch_tokens=1024, optimizer="lion")


def test_min_accelerators():
    # 16·6,738,415,616 = 107.8 GB over 0.9·80 GB = 72 GB usable → 1.497 → 2 H100s.
    assert min_accelerators(16 * 6_738_415_616, 80e9) == 2
    assert min_accelerators(72e9, 80e9) == 1
    assert min_accelerators(72e9 + 1, 80e9) == 2
    with pytest.raises(ValueError, match="usable_fraction"):
        min_accelerators(1e9, 80e9, usable_fraction=1.5)
