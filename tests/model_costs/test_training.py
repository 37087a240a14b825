"""Training: the loss falls, jit = eager, accumulation = big batch, FLOP counts, MFU bookkeeping."""

from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from venturesim.model_costs.flops import training_flops_per_token
from venturesim.model_costs.shape import TransformerShape
from venturesim.model_costs.text_data import load_corpus
from venturesim.model_costs.training import (
    TrainConfig,
    _compiled_step,
    device_peak_flops,
    init_state,
    make_optimizer,
    make_schedule,
    make_train_step,
    measure_cpu_peak_flops,
    train,
    xla_flops,
)
from venturesim.model_costs.transformer import decay_mask

# context 64: the attention term 12·L·d·T = 24 576 FLOPs/token is 16 % of 6N + 12LHQT (see the FLOP test)
TINY = TransformerShape(n_layers=1, d_model=32, n_heads=2, vocab_size=256, context=64)
TINY_CONFIG = TrainConfig(batch_size=16, seq_len=64, peak_lr=1e-2, eval_windows=32)


def _leaves_close(a, b, **tol):
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), **tol)


def test_loss_falls_well_below_uniform_in_sixty_steps():
    corpus = load_corpus(400_000)
    report = train(TINY, 60 * 1024, key=jax.random.key(0), config=TINY_CONFIG, corpus=corpus, peak_flops=1e11)
    assert report.steps == 60 and report.tokens == 60 * 16 * 64
    # uniform guessing costs ln 256 = 5.545 nats/byte; 60 steps of a 20 k-parameter model on Python
    # source get below 0.6·ln 256 = 3.33 (measured ≈ 2.9 train, ≈ 2.8 validation at this seed)
    assert report.loss_curve[0] > 5.0
    assert report.train_loss < 0.6 * math.log(256)
    assert report.validation_loss < 0.6 * math.log(256)
    assert report.bits_per_byte == pytest.approx(report.validation_loss / math.log(2))
    # MFU bookkeeping with the given peak: achieved = (6N + 12LHQT)·tokens/s, mfu = achieved / 1e11
    assert report.flops_per_token == training_flops_per_token(TINY, 64)
    assert report.achieved_flops == pytest.approx(report.flops_per_token * report.tokens_per_s)
    assert report.mfu == pytest.approx(report.achieved_flops / 1e11)
    assert report.peak_source == "given" and report.compute_dtype == "float32"
    # same key, same run (the compiled step is cached, so this one is fast)
    again = train(TINY, 60 * 1024, key=jax.random.key(0), config=TINY_CONFIG, corpus=corpus, peak_flops=1e11)
    assert again.loss_curve == report.loss_curve and again.validation_loss == report.validation_loss
    assert again.compile_s == 0.0


def _batch(k: int, b: int, seq: int = 32, seed: int = 1):
    corpus = load_corpus(400_000)
    data = corpus.train[:20_000].astype(np.int32)
    starts = np.random.default_rng(seed).integers(0, data.shape[0] - seq - 1, size=k * b)
    windows = np.stack([data[s : s + seq + 1] for s in starts])  # (k·b, T+1), in NumPy: no compiles
    return jnp.asarray(windows.reshape(k, b, seq + 1))


def test_gradient_accumulation_equals_one_big_batch():
    # one optimiser step on 16 sequences as 4 micro-batches of 4 (scan-accumulated) and as one
    # batch of 16 (the step train() compiles for TINY_CONFIG, cached). The mean of 4 equal
    # micro-batch mean losses is the mean over all 16, so loss and gradient agree to float32
    # summation order (~1e-6 relative); the gradient is read from Adam's first moment
    # m = (1 − β1)·g. Adam's first step moves a weight by η·g/(|g| + ε) with ε = 1e-8, which turns a
    # 1e-6 relative difference of a gradient element of size ~ε into ~η·1e-3: so the weights are
    # compared at atol = η·1e-2.
    geometry = replace(TINY_CONFIG, peak_lr=1.0, warmup_fraction=0.0, final_lr_fraction=0.0, eval_windows=1)
    one = _compiled_step(TINY, geometry, 64, "float32").step
    four = _compiled_step(TINY, replace(geometry, micro_batches=4), 64, "float32").step
    optimizer = make_optimizer(TINY_CONFIG)
    tokens = _batch(1, 16, seq=64)  # (1, 16, 65)
    lr = jnp.float32(1e-3)
    state_1, m_1 = one(init_state(TINY, optimizer, jax.random.key(2)), tokens, lr)
    state_4, m_4 = four(init_state(TINY, optimizer, jax.random.key(2)), tokens.reshape(4, 4, 65), lr)
    assert float(m_4.loss) == pytest.approx(float(m_1.loss), rel=1e-6)
    assert float(m_4.grad_norm) == pytest.approx(float(m_1.grad_norm), rel=1e-5)
    _leaves_close(state_4.opt_state, state_1.opt_state, rtol=1e-4, atol=1e-10)
    _leaves_close(state_4.params, state_1.params, rtol=0, atol=1e-5)


@pytest.mark.slow  # eager dispatch compiles each of ~300 operations separately: ~10-20 s on 2 cores
def test_jitted_step_equals_eager_step():
    config = TrainConfig(batch_size=4)
    optimizer = make_optimizer(config)
    step = make_train_step(TINY, optimizer)
    state = init_state(TINY, optimizer, jax.random.key(3))
    tokens, lr = _batch(1, 4), jnp.float32(1e-3)
    eager_state, eager_metrics = step(state, tokens, lr)  # op by op
    jit_state, jit_metrics = jax.jit(step)(state, tokens, lr)  # fused
    assert float(jit_metrics.loss) == pytest.approx(float(eager_metrics.loss), rel=1e-6)
    # one AdamW step moves each weight by ≈ lr = 1e-3; fusion changes float32 rounding only (~1e-7)
    _leaves_close(jit_state.params, eager_state.params, rtol=1e-5, atol=1e-6)
    moved = max(
        float(jnp.abs(a - b).max())
        for a, b in zip(
            jax.tree_util.tree_leaves(jit_state.params), jax.tree_util.tree_leaves(state.params), strict=True
        )
    )
    assert moved == pytest.approx(1e-3, rel=0.05)


def test_scheduled_update_equals_optax_adamw_with_the_schedule():
    # make_optimizer is AdamW at unit rate; the step multiplies by η_t. optax.adamw(schedule) ends in
    # scale_by_learning_rate(η_t), so the two agree (to float32 rounding of the product order).
    config = TrainConfig(peak_lr=1e-2, weight_decay=0.1)
    schedule = make_schedule(config, 10)
    reference = optax.chain(
        optax.clip_by_global_norm(config.grad_clip),
        optax.adamw(
            schedule, b1=config.b1, b2=config.b2, eps=config.eps, weight_decay=config.weight_decay, mask=decay_mask
        ),
    )
    ours = make_optimizer(config)
    # a decayed matrix and a bias that is not decayed (decay_mask goes by name)
    params = {"wte": jnp.linspace(-1.0, 1.0, 12).reshape(4, 3), "ln_f": {"bias": jnp.full(3, 0.5)}}

    @jax.jit
    def both(p1, s1, p2, s2, t):
        grads = jax.tree_util.tree_map(lambda x: jnp.sin(3 * x + t), p1)
        u1, s1 = ours.update(grads, s1, p1)
        p1 = optax.apply_updates(p1, jax.tree_util.tree_map(lambda u: schedule(t) * u, u1))
        u2, s2 = reference.update(grads, s2, p2)
        return p1, s1, optax.apply_updates(p2, u2), s2

    p1, s1, p2, s2 = params, ours.init(params), params, reference.init(params)
    for t in range(4):
        p1, s1, p2, s2 = both(p1, s1, p2, s2, t)
    _leaves_close(p1, p2, rtol=1e-6, atol=1e-9)
    # η = 0 (one warm-up step), then ≈ 1e-2 × (±1 Adam direction + 0.1·w decay) for 3 steps
    moved = np.abs(np.asarray(p1["wte"] - params["wte"]))
    assert 0.02 < moved.max() < 0.04


def test_schedule_by_hand():
    s = make_schedule(TrainConfig(peak_lr=1.0, warmup_fraction=0.1, final_lr_fraction=0.1), 100)
    # warm-up: 10 steps from 0 to 1; cosine from step 10 to 100 down to 0.1;
    # step 55 is half-way: 0.1 + 0.9·(1 + cos(π/2))/2 = 0.55
    assert float(s(0)) == 0.0 and float(s(5)) == pytest.approx(0.5)
    assert float(s(10)) == pytest.approx(1.0)
    assert float(s(55)) == pytest.approx(0.55, abs=1e-6)
    assert float(s(100)) == pytest.approx(0.1, abs=1e-6)


def test_analytic_flops_agree_with_xla_cost_analysis():
    # TINY (L=1, d=32, T=64): N = 12 704 block + 64 final norm + 8 192 head = 20 960, so
    # 6N = 125 760 FLOPs/token and the attention term 12·L·d·T = 24 576 is 16 % of the total:
    # leaving it out misses the 10 % band (asserted below). XLA counts every HLO op: each matrix
    # product as 2·m·n·k (QKᵀ and A·V in full, masked half included, as PaLM's formula does), plus
    # the element-wise work of LayerNorm, GELU, softmax, cross-entropy and AdamW (a few FLOPs per
    # element), which puts it a few per cent above 6N + 12LHQT. Layers are unrolled
    # (TrainConfig.unroll_layers) because XLA counts a loop body once.
    geometry = replace(TINY_CONFIG, peak_lr=1.0, warmup_fraction=0.0, final_lr_fraction=0.0, eval_windows=1)
    counted = _compiled_step(TINY, geometry, 64, "float32").xla_flops  # the step train() runs (cached)
    analytic = training_flops_per_token(TINY) * 16 * 64
    assert training_flops_per_token(TINY) == 125_760 + 24_576
    assert counted == pytest.approx(analytic, rel=0.10)
    six_n_only = 125_760 * 16 * 64
    assert abs(counted / six_n_only - 1) > 0.10


def test_xla_flops_reads_dicts_and_lists():
    assert xla_flops(SimpleNamespace(cost_analysis=lambda: {"flops": 12.0, "bytes accessed": 3.0})) == 12.0
    assert xla_flops(SimpleNamespace(cost_analysis=lambda: [{"flops": 2.0}, {"flops": 5.0}])) == 7.0
    assert math.isnan(xla_flops(SimpleNamespace(cost_analysis=lambda: None)))


def test_device_peak_from_the_catalogue_by_device_kind():
    def gpu(kind):
        return SimpleNamespace(platform="gpu", device_kind=kind)

    assert device_peak_flops(gpu("NVIDIA H100 80GB HBM3"))[0] == 989e12
    assert device_peak_flops(gpu("NVIDIA H200"))[0] == 989e12
    assert device_peak_flops(gpu("NVIDIA A100-SXM4-80GB"))[0] == 312e12
    assert device_peak_flops(SimpleNamespace(platform="tpu", device_kind="TPU v5 lite"))[0] == 197e12
    peak, why = device_peak_flops(gpu("NVIDIA H100 PCIe"))  # a lower peak than the SXM part
    assert math.isnan(peak) and "PCIe" in why


def test_cpu_peak_is_a_positive_rate():
    # 2·n³ FLOPs per product; any working CPU does 64³ multiply-adds at 10⁷–10¹³ FLOP/s
    assert 1e7 < measure_cpu_peak_flops(64, 2) < 1e13


def test_config_validation_names_the_value():
    with pytest.raises(ValueError, match=r"micro_batches\(=3\)"):
        TrainConfig(batch_size=8, micro_batches=3)
    with pytest.raises(ValueError, match=r"peak_lr\(=0\)"):
        TrainConfig(peak_lr=0)
    with pytest.raises(ValueError, match="vocab_size"):
        train(TransformerShape(n_layers=1, d_model=8, n_heads=1, vocab_size=300, context=8), 100, key=jax.random.key(0))
