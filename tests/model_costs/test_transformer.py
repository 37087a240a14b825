"""The JAX Transformer: parameter count, initialisation, causality, GQA, rotary, loss."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim.model_costs.flops import parameter_count
from venturesim.model_costs.shape import GPT2_SMALL, TransformerShape
from venturesim.model_costs.transformer import (
    _rotary,
    count_params,
    decay_mask,
    forward,
    init_params,
    loss_fn,
    param_shapes,
)

GPT_TINY = TransformerShape(n_layers=2, d_model=32, n_heads=4, vocab_size=256, context=48)
LLAMA_TINY = TransformerShape(
    n_layers=2,
    d_model=32,
    n_heads=4,
    vocab_size=256,
    context=48,
    n_kv_heads=2,
    mlp="swiglu",
    norm="rmsnorm",
    bias=False,
    tied_embeddings=False,
    learned_positions=False,
)
# jitted once per (shape, dtype, token shape): eager op-by-op dispatch compiles every op
_forward = jax.jit(forward, static_argnames=("shape", "compute_dtype"))
_loss = jax.jit(loss_fn, static_argnames=("shape", "compute_dtype"))


def _tokens(seed: int, length: int = 33):
    return jax.random.randint(jax.random.key(seed), (2, length), 0, 256)


def _param_count(shape: TransformerShape) -> int:
    # param_shapes has init_params's tree without drawing it (GPT-2 small would be 0.5 GB)
    return count_params(param_shapes(shape))


def test_parameter_count_of_gpt2_small_is_the_published_124m():
    # 124,439,808 = nanoGPT's count for GPT-2 small with biases and tied head
    assert _param_count(GPT2_SMALL) == parameter_count(GPT2_SMALL) == 124_439_808


@pytest.mark.parametrize("shape", [GPT_TINY, LLAMA_TINY], ids=["gpt2", "llama"])
def test_param_shapes_describe_init_params(shape):
    drawn = init_params(shape, jax.random.key(0))
    described = param_shapes(shape)
    assert jax.tree_util.tree_structure(drawn) == jax.tree_util.tree_structure(described)
    assert all(
        a.shape == b.shape
        for a, b in zip(jax.tree_util.tree_leaves(drawn), jax.tree_util.tree_leaves(described), strict=True)
    )


@settings(max_examples=25, deadline=None)
@given(
    layers=st.integers(1, 3),
    heads=st.sampled_from([1, 2, 4]),
    head_dim=st.sampled_from([2, 4, 8]),
    kv_div=st.sampled_from([1, 2, 4]),
    d_ff=st.one_of(st.none(), st.integers(1, 40)),
    mlp=st.sampled_from(["gelu", "swiglu"]),
    norm=st.sampled_from(["layernorm", "rmsnorm"]),
    bias=st.booleans(),
    tied=st.booleans(),
    learned=st.booleans(),
)
def test_parameter_count_equals_the_analytic_count(
    layers, heads, head_dim, kv_div, d_ff, mlp, norm, bias, tied, learned
):
    kv = max(1, heads // kv_div)
    shape = TransformerShape(
        n_layers=layers,
        d_model=heads * head_dim,
        n_heads=heads,
        vocab_size=37,
        context=11,
        d_ff=d_ff,
        n_kv_heads=kv,
        mlp=mlp,
        norm=norm,
        bias=bias,
        tied_embeddings=tied,
        learned_positions=learned,
    )
    assert _param_count(shape) == parameter_count(shape)


def test_initialisation_follows_gpt2():
    shape = TransformerShape(n_layers=4, d_model=128, n_heads=4, vocab_size=256, context=64)
    p = jax.tree_util.tree_map(np.asarray, init_params(shape, jax.random.key(1)))
    # wq: 4·128·128 = 65 536 draws of N(0, 0.02²); the sd estimate has relative s.e. 1/√(2n) ≈ 0.3 %
    assert float(np.std(p["blocks"]["attn"]["wq"])) == pytest.approx(0.02, rel=0.03)
    # residual projections: 0.02/√(2L) = 0.02/√8 = 0.00707
    assert float(np.std(p["blocks"]["attn"]["wo"])) == pytest.approx(0.02 / math.sqrt(8), rel=0.03)
    assert float(np.std(p["blocks"]["mlp"]["w_out"])) == pytest.approx(0.02 / math.sqrt(8), rel=0.03)
    assert float(np.abs(p["blocks"]["attn"]["bq"]).max()) == 0.0
    assert float(p["blocks"]["ln1"]["scale"].min()) == float(p["blocks"]["ln1"]["scale"].max()) == 1.0
    # same key, same parameters
    again = init_params(shape, jax.random.key(1))
    assert all(
        np.array_equal(a, b)
        for a, b in zip(jax.tree_util.tree_leaves(p), jax.tree_util.tree_leaves(again), strict=True)
    )


def test_decay_mask_selects_matrices_and_embeddings_only():
    mask = decay_mask(init_params(GPT_TINY, jax.random.key(0)))
    assert mask["wte"] and mask["wpe"] and mask["blocks"]["attn"]["wq"] and mask["blocks"]["mlp"]["w_out"]
    assert not mask["blocks"]["attn"]["bq"] and not mask["blocks"]["ln1"]["scale"] and not mask["ln_f"]["bias"]


@pytest.mark.parametrize("shape", [GPT_TINY, LLAMA_TINY], ids=["gpt2", "llama"])
def test_changing_a_future_token_leaves_past_logits_exactly_unchanged(shape):
    params = init_params(shape, jax.random.key(2))
    tokens = _tokens(3, 32)
    changed = tokens.at[:, 25].set((tokens[:, 25] + 7) % 256)
    a, b = _forward(params, tokens, shape=shape), _forward(params, changed, shape=shape)
    assert bool(jnp.array_equal(a[:, :25], b[:, :25]))  # exact: masked probabilities are exactly 0
    assert float(jnp.abs(a[:, 25:] - b[:, 25:]).min(axis=-1).max()) > 0  # and the future does change


def test_initial_loss_is_near_uniform_over_256_bytes():
    # logits = h·wteᵀ with |h|² ≈ d and wte ~ N(0, 0.02²): logit sd ≈ 0.02·√32 = 0.11, so the loss is
    # ln 256 + var/2 ≈ 5.545 + 0.006
    loss = float(_loss(init_params(GPT_TINY, jax.random.key(5)), _tokens(4), shape=GPT_TINY))
    assert loss == pytest.approx(math.log(256), abs=0.03)


def test_loss_is_the_mean_next_token_cross_entropy():
    params = init_params(LLAMA_TINY, jax.random.key(6))
    tokens = _tokens(7)
    logits = np.asarray(_forward(params, tokens[:, :-1], shape=LLAMA_TINY), dtype=np.float64)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    targets = np.asarray(tokens[:, 1:])
    by_hand = -np.take_along_axis(logp, targets[..., None], -1).mean()
    assert float(_loss(params, tokens, shape=LLAMA_TINY)) == pytest.approx(by_hand, rel=1e-5)


def test_grouped_query_attention_equals_multi_head_with_shared_keys():
    # K = 1 key/value head shared by 4 query heads == MHA whose 4 k/v heads are copies of it
    gqa = TransformerShape(n_layers=1, d_model=32, n_heads=4, vocab_size=256, context=16, n_kv_heads=1)
    mha = TransformerShape(n_layers=1, d_model=32, n_heads=4, vocab_size=256, context=16)
    p = init_params(gqa, jax.random.key(8))
    q = dict(p, blocks=dict(p["blocks"], attn=dict(p["blocks"]["attn"])))
    for name in ("wk", "wv"):
        q["blocks"]["attn"][name] = jnp.tile(p["blocks"]["attn"][name], (1, 1, 4))  # (L, d, Q) → (L, d, 4Q)
    for name in ("bk", "bv"):
        q["blocks"]["attn"][name] = jnp.tile(p["blocks"]["attn"][name] + 0.1, (1, 4))
        p["blocks"]["attn"][name] = p["blocks"]["attn"][name] + 0.1
    tokens = jax.random.randint(jax.random.key(9), (2, 16), 0, 256)
    np.testing.assert_allclose(_forward(p, tokens, shape=gqa), _forward(q, tokens, shape=mha), rtol=1e-5, atol=1e-6)


def test_rotary_scores_depend_only_on_relative_position():
    q = jax.random.normal(jax.random.key(10), (1, 1, 1, 8))
    k = jax.random.normal(jax.random.key(11), (1, 1, 1, 8))

    @jax.jit
    def dot(m, n):
        return jnp.sum(_rotary(q, jnp.array([m])) * _rotary(k, jnp.array([n])))

    def score(m, n):
        return float(dot(m, n))

    assert score(3, 1) == pytest.approx(score(10, 8), rel=1e-5)
    assert score(3, 1) != pytest.approx(score(3, 2), rel=1e-3)
    # position 0 is the identity rotation
    np.testing.assert_allclose(jax.jit(_rotary)(q, jnp.array([0])), q, rtol=1e-6)


def test_bfloat16_compute_is_close_to_float32():
    params = init_params(GPT_TINY, jax.random.key(12))
    tokens = _tokens(13)
    logits = jax.eval_shape(lambda p, t: forward(p, t, GPT_TINY, compute_dtype=jnp.bfloat16), params, tokens[:, :-1])
    assert logits.dtype == jnp.bfloat16
    full = float(_loss(params, tokens, shape=GPT_TINY))
    half = float(_loss(params, tokens, shape=GPT_TINY, compute_dtype=jnp.bfloat16))
    assert half == pytest.approx(full, abs=0.02)  # bf16 has 8 mantissa bits: ~0.4 % per product


def test_sequence_longer_than_context_is_rejected():
    params = init_params(GPT_TINY, jax.random.key(0))
    with pytest.raises(ValueError, match="context"):
        forward(params, jnp.zeros((1, 49), jnp.int32), GPT_TINY)
