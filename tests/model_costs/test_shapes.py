"""Published Transformer shapes: parameter counts against their sources, head size apart from d_model / heads,
multi-query attention and QKV-only biases, in the FLOP accounting and the trainable model alike."""

import jax
import jax.numpy as jnp
import pytest

from venturesim.model_costs.flops import (
    kv_cache_bytes,
    model_flops_utilization,
    parameter_count,
    training_flops_per_token,
)
from venturesim.model_costs.shape import PUBLISHED, TransformerShape
from venturesim.model_costs.transformer import count_params, forward, init_params, param_shapes

# Totals as the model cards / Hugging Face model pages print them (safetensors parameter counts), or by hand:
#   llama-3.1-8b: 32·(2·4096² + 2·4096·1024 + 3·4096·14,336 + 2·4096) + 4096 + 2·128,256·4096 = 8,030,261,248
#   mistral-7b: the same 32 blocks + 2·32,000·4096 + 4096 = 7,241,732,096 ("7.24B", Mistral AI)
#   qwen2.5-7b: 28·(2·3584² + 2·3584·512 + 3584 + 2·512 + 3·3584·18,944 + 2·3584) + 3584 + 2·152,064·3584
#               = 7,615,616,512 (the Qwen2.5-7B model card: 7.61B parameters, 6.53B non-embedding)
PUBLISHED_TOTALS = {
    "llama-3.1-8b": 8_030_261_248,
    "llama-3.1-70b": 70_553_706_496,
    "mistral-7b": 7_241_732_096,
    "qwen2.5-7b": 7_615_616_512,
    "qwen2.5-72b": 72_706_203_648,
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_TOTALS))
def test_published_open_models_count_exactly(name):
    assert parameter_count(PUBLISHED[name]) == PUBLISHED_TOTALS[name]


def test_qwen_non_embedding_count_matches_its_model_card():
    assert parameter_count(PUBLISHED["qwen2.5-7b"], embeddings=False) == 6_525_621_760  # "6.53B"


def test_palm_540b_within_the_papers_printed_precision():
    # PaLM Table 1 prints 540.35 (billions); 118 blocks of 2·18,432·(48·256) + 2·18,432·256 + 3·18,432·73,728
    # + 2·18,432, the final norm and the shared 256,000 × 18,432 embedding give 540,358,649,856.
    palm = PUBLISHED["palm-540b"]
    assert palm.n_heads * palm.head_dim == 12_288 != palm.d_model
    assert parameter_count(palm) == 540_358_649_856
    assert abs(parameter_count(palm) / 1e9 - 540.35) < 0.01


def test_palm_mfu_from_its_shape():
    # PaLM App. B: 238.3k tokens/s on 6144 TPU v4 chips (275 TFLOP/s peak) at T = 2048 is 46.2 % MFU (Table 3);
    # 6N + 12·L·H·Q·T with H·Q = 48·256 from the shape itself.
    per_token = training_flops_per_token(PUBLISHED["palm-540b"])
    assert per_token == 6 * 540_358_649_856 + 12 * 118 * 48 * 256 * 2048
    assert model_flops_utilization(per_token, 238.3e3, 6144 * 275e12) == pytest.approx(0.462, abs=5e-4)


def test_kv_cache_of_gqa_and_mqa_models():
    # 2 (K and V) · L · K · Q · 2 bytes per token: Llama 3.1 70B 2·80·8·128·2 = 327,680 B (320 KiB);
    # PaLM's single KV head: 2·118·1·256·2 = 120,832 B.
    assert kv_cache_bytes(PUBLISHED["llama-3.1-70b"], batch=1, context=1) == 327_680
    assert kv_cache_bytes(PUBLISHED["palm-540b"], batch=1, context=1) == 120_832


TINY_PALM_LIKE = TransformerShape(
    n_layers=2,
    d_model=48,
    n_heads=4,
    head_size=16,
    n_kv_heads=1,
    vocab_size=64,
    context=16,
    mlp="swiglu",
    norm="rmsnorm",
    bias=False,
    learned_positions=False,
)
TINY_QWEN_LIKE = TransformerShape(
    n_layers=2,
    d_model=32,
    n_heads=4,
    n_kv_heads=2,
    vocab_size=64,
    context=16,
    mlp="swiglu",
    norm="rmsnorm",
    bias=False,
    tied_embeddings=False,
    learned_positions=False,
    qkv_bias=True,
)


@pytest.mark.parametrize("shape", [TINY_PALM_LIKE, TINY_QWEN_LIKE], ids=["head-size-mqa", "qkv-bias"])
def test_trainable_model_has_the_counted_parameters_and_runs(shape):
    # TINY_PALM_LIKE by hand: blocks 2·(2·48·64 + 2·48·16 + 3·48·192 + 2·48) = 2·(6144 + 1536 + 27,648 + 96)
    # = 70,848; final norm 48; tied embedding 64·48 = 3072 → 73,968.
    assert count_params(param_shapes(shape)) == parameter_count(shape)
    if shape is TINY_PALM_LIKE:
        assert parameter_count(shape) == 73_968
    params = init_params(shape, jax.random.key(0))
    logits = forward(params, jnp.zeros((1, 8), jnp.int32), shape)
    assert logits.shape == (1, 8, 64) and bool(jnp.all(jnp.isfinite(logits)))


def test_head_size_must_be_given_when_heads_do_not_divide_the_width():
    with pytest.raises(ValueError, match="or give head_size"):
        TransformerShape(n_layers=1, d_model=50, n_heads=4, vocab_size=8, context=4)
    assert TransformerShape(n_layers=1, d_model=50, n_heads=4, vocab_size=8, context=4, head_size=16).head_dim == 16


# The product's open-model catalogue (model_costs/data/models.yaml) names these models; each catalogue entry's
# parameter count (printed to three significant figures by its source) is the count of its published shape.
CATALOGUE_SHAPES = {
    "llama_3_1_8b": "llama-3.1-8b",
    "llama_3_1_70b": "llama-3.1-70b",
    "mistral_7b": "mistral-7b",
    "qwen2_5_7b": "qwen2.5-7b",
    "qwen2_5_72b": "qwen2.5-72b",
}


@pytest.mark.parametrize("entry", sorted(CATALOGUE_SHAPES))
def test_open_model_catalogue_counts_agree_with_the_published_shapes(entry):
    from venturesim.model_costs.models import open_model

    counted = parameter_count(PUBLISHED[CATALOGUE_SHAPES[entry]])
    assert open_model(entry).parameters == pytest.approx(counted, rel=1e-3)
