r"""Train the product Transformer on the device at hand and measure what it
cost (tokens/s, FLOP/s, MFU) and what it achieved (loss, bits per byte).

Optimiser
---------
AdamW (Loshchilov & Hutter 2019) with β = (0.9, 0.95), ε = 1e-8, weight decay
0.1 on weight matrices and embeddings only (:func:`transformer.decay_mask`),
gradients clipped to global norm 1.0 — the GPT-3 / nanoGPT recipe — and a
learning rate that rises linearly from 0 over the first 10 % of steps to
``peak_lr`` and then follows a cosine down to ``final_lr_fraction · peak_lr``
at the last step (``optax.warmup_cosine_decay_schedule``).

One optimiser step sees ``batch_size`` sequences of ``seq_len`` tokens, split
into ``micro_batches`` equal micro-batches whose gradients are averaged
inside the compiled step by a :func:`jax.lax.scan` (gradient accumulation:
the mean of k micro-batch gradients equals the big batch's gradient, since
the loss is a mean over equal-sized micro-batches). The step is compiled
ahead of time (``jax.jit(step, donate_argnums=0).lower(...).compile()``), so
its compile time is measured apart and the old state's buffers are reused.
Parameters and optimiser state are float32; the matrix products run in
bfloat16 on GPU/TPU and float32 on CPU.

Measures
--------
* tokens/s = tokens trained in the timed steps ÷ their wall time (every step
  after the first; the first absorbs one-off start-up costs).
* model FLOPs per token = 6·N + 12·L·H·Q·T (PaLM App. B;
  :func:`~venturesim.model_costs.flops.training_flops_per_token` at the
  trained sequence length T); achieved FLOP/s = that × tokens/s.
* MFU = achieved FLOP/s ÷ peak FLOP/s of the device (Chowdhery et al. 2022,
  App. B). The peak is the hardware catalogue's dense bf16 figure for a known
  GPU/TPU (:func:`device_peak_flops`) and, on CPU, the measured throughput of
  a large jitted float32 matrix product (:func:`measure_cpu_peak_flops`), so
  CPU MFU is "share of the best matmul rate XLA reaches here".
* XLA's own count: ``cost_analysis()["flops"]`` of the compiled step, which
  counts every HLO operation (matrix products as 2·m·n·k, plus the
  element-wise work of norms, softmax, the loss and AdamW) — a cross-check on
  the analytic count.
* Quality: validation loss in nats per byte on fixed windows of held-out
  files, and **bits per byte** = loss / ln 2 (one token is one byte; 8 would
  be a uniform guess, lower is better). That is the quality score.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import replace
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from venturesim.model_costs import flops as _flops
from venturesim.model_costs.shape import TransformerShape
from venturesim.model_costs.text_data import Corpus, load_corpus, sample_batch, validation_windows
from venturesim.model_costs.train_records import TrainConfig, TrainReport
from venturesim.model_costs.transformer import Attention, Params, decay_mask, init_params, loss_fn, param_shapes

DEFAULT_CORPUS_BYTES = 4_000_000
"""Bytes of standard-library source read when no corpus is given (≈ 13 % of CPython 3.11's)."""


class TrainState(NamedTuple):
    """Parameters, optimiser state and the number of steps taken."""

    params: Params
    opt_state: Any
    step: jax.Array


class StepMetrics(NamedTuple):
    """Per-step record: mean training loss (nats/token) and gradient global norm."""

    loss: jax.Array
    grad_norm: jax.Array


def default_compute_dtype(platform: str | None = None) -> str:
    """ "bfloat16" on GPU/TPU, "float32" on CPU (CPUs rarely multiply bf16 fast)."""
    platform = jax.default_backend() if platform is None else platform
    return "float32" if platform == "cpu" else "bfloat16"


def make_optimizer(config: TrainConfig) -> optax.GradientTransformation:
    """Global-norm clipping, then AdamW at unit learning rate (the step direction).

    The step multiplies this update by the scheduled learning rate η_t, which
    it receives as an argument (:func:`make_schedule`). Because
    ``optax.adamw``'s last transform is ``scale_by_learning_rate``, this
    equals ``optax.adamw(schedule)`` exactly (tested), and one compiled step
    serves every run length.
    """
    return optax.chain(
        optax.clip_by_global_norm(config.grad_clip),
        optax.adamw(1.0, b1=config.b1, b2=config.b2, eps=config.eps, weight_decay=config.weight_decay, mask=decay_mask),
    )


def make_schedule(config: TrainConfig, total_steps: int) -> optax.Schedule:
    """Learning rate η_t: linear warm-up from 0, then cosine to ``final_lr_fraction·peak_lr``."""
    if total_steps < 1:
        raise ValueError(f"total_steps(={total_steps}) must be ≥ 1")
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=config.peak_lr,
        warmup_steps=round(config.warmup_fraction * total_steps),
        decay_steps=total_steps,
        end_value=config.peak_lr * config.final_lr_fraction,
    )


def accumulated_gradients(
    params: Params,
    tokens: jax.Array,
    shape: TransformerShape,
    *,
    compute_dtype=jnp.float32,
    attention: Attention = None,
    unroll: int | bool = 1,
) -> tuple[jax.Array, Params]:
    """Mean loss and mean gradient over k micro-batches.

    ``tokens`` is (k, b, T + 1); returns (mean of the k losses, mean of the k
    gradients), accumulated by a :func:`jax.lax.scan` so only one micro-batch's
    activations are alive at a time.
    """
    grad_fn = jax.value_and_grad(
        functools.partial(loss_fn, shape=shape, compute_dtype=compute_dtype, attention=attention, unroll=unroll)
    )
    k = tokens.shape[0]
    if k == 1:
        return grad_fn(params, tokens[0])

    def micro(total, tok):  # tok: (b, T+1)
        loss, grads = grad_fn(params, tok)
        return jax.tree_util.tree_map(jnp.add, total, grads), loss

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    total, losses = jax.lax.scan(micro, zeros, tokens)
    return losses.mean(), jax.tree_util.tree_map(lambda g: g / k, total)


def make_train_step(
    shape: TransformerShape,
    optimizer: optax.GradientTransformation,
    *,
    compute_dtype=jnp.float32,
    attention: Attention = None,
    unroll: int | bool = 1,
):
    """``step(state, tokens, lr) -> (state, StepMetrics)``; pure, not jitted.

    tokens: (k, b, T + 1) int; lr: scalar learning rate η_t of this step. The
    update is η_t × the optimizer's update (see :func:`make_optimizer`).
    """

    def step(state: TrainState, tokens: jax.Array, lr: jax.Array) -> tuple[TrainState, StepMetrics]:
        loss, grads = accumulated_gradients(
            state.params, tokens, shape, compute_dtype=compute_dtype, attention=attention, unroll=unroll
        )
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
        updates = jax.tree_util.tree_map(lambda u: (lr * u).astype(u.dtype), updates)
        params = optax.apply_updates(state.params, updates)
        return TrainState(params, opt_state, state.step + 1), StepMetrics(loss, optax.tree.norm(grads))

    return step


def init_state(shape: TransformerShape, optimizer: optax.GradientTransformation, key: jax.Array) -> TrainState:
    """Fresh float32 parameters (:func:`init_params`) and optimiser state at step 0."""
    params = init_params(shape, key, jnp.float32)
    return TrainState(params, jax.jit(optimizer.init)(params), jnp.zeros((), jnp.int32))


def xla_flops(compiled) -> float:
    """FLOPs XLA counts for a compiled computation (``compiled.cost_analysis()``).

    ``cost_analysis()`` returns a dict in jax 0.4.30+ and a list with one dict
    per computation in older versions; both are summed. nan when unavailable.
    """
    analysis = compiled.cost_analysis()
    if analysis is None:
        return math.nan
    if isinstance(analysis, dict):
        analysis = [analysis]
    values = [a.get("flops") for a in analysis if a]
    values = [float(v) for v in values if v is not None]
    return float(sum(values)) if values else math.nan


def compile_step(step, state: TrainState, tokens: jax.Array, lr: jax.Array | None = None):
    """Ahead-of-time compile ``step`` with the state donated; returns (compiled, seconds).

    Arguments may be arrays or :class:`jax.ShapeDtypeStruct`.
    """
    lr = jax.ShapeDtypeStruct((), jnp.float32) if lr is None else lr
    start = time.perf_counter()
    compiled = jax.jit(step, donate_argnums=0).lower(state, tokens, lr).compile()
    return compiled, time.perf_counter() - start


class _CompiledStep(NamedTuple):
    step: Any
    compile_s: float
    xla_flops: float


@functools.lru_cache(maxsize=16)
def _compiled_step(shape: TransformerShape, config: TrainConfig, seq_len: int, dtype_name: str) -> _CompiledStep:
    """The compiled step for one (shape, batch geometry, optimiser constants), cached.

    The learning rate is an argument, so runs of different lengths share it;
    ``config`` arrives normalised (schedule and evaluation fields reset).
    """
    optimizer = make_optimizer(config)
    params = param_shapes(shape, jnp.float32)
    state = TrainState(params, jax.eval_shape(optimizer.init, params), jax.ShapeDtypeStruct((), jnp.int32))
    k, B = config.micro_batches, config.batch_size
    tokens = jax.ShapeDtypeStruct((k, B // k, seq_len + 1), jnp.int32)
    step = make_train_step(
        shape, optimizer, compute_dtype=jnp.dtype(dtype_name), attention=config.attention, unroll=config.unroll_layers
    )
    compiled, seconds = compile_step(step, state, tokens)
    return _CompiledStep(compiled, seconds, xla_flops(compiled))


@functools.partial(jax.jit, static_argnums=(3, 4, 5))
def _train_batch(data: jax.Array, key: jax.Array, i: jax.Array, batch_size: int, seq_len: int, micro: int):
    """Batch i of a run: (k, B/k, T+1) windows drawn with ``fold_in(key, i)``."""
    tokens = sample_batch(data, jax.random.fold_in(key, i), batch_size, seq_len)
    return tokens.reshape(micro, batch_size // micro, seq_len + 1)


@functools.lru_cache(maxsize=16)
def _loss_jit(shape: TransformerShape, dtype_name: str, attention: Attention, unroll: bool):
    return jax.jit(
        functools.partial(loss_fn, shape=shape, compute_dtype=jnp.dtype(dtype_name), attention=attention, unroll=unroll)
    )


@functools.lru_cache(maxsize=4)
def measure_cpu_peak_flops(size: int = 1536, repeats: int = 5) -> float:
    """Best float32 matrix-multiply rate XLA reaches on the CPU, FLOP/s.

    Times ``repeats`` calls of a jitted ``size``×``size`` product (after one
    untimed call that compiles and warms up) and returns 2·size³ ÷ the fastest
    time (size³ multiply-adds). Cached per (size, repeats). On a shared
    machine other processes lower it, which raises the MFU computed from it.
    """
    if size < 1 or repeats < 1:
        raise ValueError(f"size(={size}) and repeats(={repeats}) must be ≥ 1")
    cpu = jax.devices("cpu")[0]
    rng = np.random.default_rng(0)
    a = jax.device_put(rng.standard_normal((size, size), dtype=np.float32), cpu)
    b = jax.device_put(rng.standard_normal((size, size), dtype=np.float32), cpu)
    matmul = jax.jit(jnp.matmul)
    matmul(a, b).block_until_ready()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best


# device_kind substrings → hardware catalogue names, tried in order.
_DEVICE_KINDS = (
    ("h200", "h200"),
    ("h100", "h100_sxm"),
    ("a100", "a100_80gb"),
    ("b200", "b200"),
    ("v5 lite", "tpu_v5e"),
    ("v5e", "tpu_v5e"),
    ("v5p", "tpu_v5p"),
)


def catalogue_name(device: jax.Device | None = None) -> str | None:
    """The hardware catalogue's name for ``device`` (default: the first JAX device): ``"cpu"`` for a CPU,
    the matched GPU/TPU entry (as :func:`device_peak_flops` matches it), else None (an unknown device,
    whose measurements then apply to no accelerator of a scenario)."""
    device = jax.devices()[0] if device is None else device
    if device.platform == "cpu":
        return "cpu"
    kind = device.device_kind.lower()
    if "pcie" not in kind:
        for pattern, name in _DEVICE_KINDS:
            if pattern in kind:
                return name
    return None


def device_peak_flops(device: jax.Device | None = None) -> tuple[float, str]:
    """Peak FLOP/s of ``device`` (default: the first JAX device) and its source.

    CPU: :func:`measure_cpu_peak_flops`. GPU/TPU: the catalogue's dense bf16
    peak (:func:`venturesim.model_costs.hardware.accelerator`) matched on the
    device kind (H100 PCIe, with a lower peak than the SXM part, is not
    matched). Unknown devices give (nan, reason), so MFU is nan.
    """
    from venturesim.model_costs.hardware import accelerator

    device = jax.devices()[0] if device is None else device
    if device.platform == "cpu":
        return measure_cpu_peak_flops(), "measured: best jitted float32 1536x1536 matmul"
    kind = device.device_kind.lower()
    if "pcie" not in kind:
        for pattern, name in _DEVICE_KINDS:
            if pattern in kind:
                return accelerator(name).peak_flops, f"catalogue: {name} (dense bf16)"
    return math.nan, f"unknown device kind {device.device_kind!r}"


def evaluate(
    params: Params,
    windows: np.ndarray,
    shape: TransformerShape,
    *,
    batch_size: int,
    compute_dtype: str = "float32",
    attention: Attention = None,
) -> float:
    """Mean next-token loss (nats/token) over ``windows`` (m, T + 1), in batches of ``batch_size``.

    Only whole batches are scored (m is rounded down to a multiple of the
    batch, or one batch of all m when m < batch_size), so one shape compiles.
    """
    m = windows.shape[0]
    batch = min(batch_size, m)
    usable = (m // batch) * batch
    score = _loss_jit(shape, str(jnp.dtype(compute_dtype)), attention, True)
    losses = [score(params, jnp.asarray(windows[i : i + batch])) for i in range(0, usable, batch)]
    return float(np.mean([float(x) for x in losses]))


def train(
    shape: TransformerShape,
    tokens_budget: int,
    *,
    key: jax.Array,
    config: TrainConfig | None = None,
    corpus: Corpus | None = None,
    peak_flops: float | None = None,
) -> TrainReport:
    """Train ``shape`` on about ``tokens_budget`` tokens of the byte corpus and report.

    Parameters
    ----------
    shape : TransformerShape
        Model to train; its vocabulary must be 256 (bytes).
    tokens_budget : int
        Training tokens; steps = max(2, budget // (batch_size·seq_len)).
    key : jax.Array
        PRNG key: split into the initialisation key and the data key
        (batch i is drawn with ``fold_in(data_key, i)``).
    config : TrainConfig, optional
        Optimiser and batch settings (defaults: :class:`TrainConfig`).
    corpus : Corpus, optional
        Text (default: :func:`load_corpus` of ``DEFAULT_CORPUS_BYTES``).
    peak_flops : float, optional
        Device peak for MFU (default :func:`device_peak_flops`).

    Returns
    -------
    TrainReport
        ``compile_s`` is 0 when an earlier run in this process compiled the
        same step (same shape, batch geometry and optimiser constants).
    """
    config = TrainConfig() if config is None else config
    if shape.vocab_size != 256:
        raise ValueError(f"shape.vocab_size(={shape.vocab_size}) must be 256 for byte-level text")
    if not isinstance(tokens_budget, int) or tokens_budget < 1:
        raise ValueError(f"tokens_budget(={tokens_budget!r}) must be a positive integer")
    seq_len = shape.context if config.seq_len is None else config.seq_len
    if seq_len > shape.context:
        raise ValueError(f"seq_len(={seq_len}) must be ≤ shape.context(={shape.context})")
    corpus = load_corpus(DEFAULT_CORPUS_BYTES) if corpus is None else corpus
    device = jax.devices()[0]
    dtype_name = config.compute_dtype or default_compute_dtype(device.platform)
    if peak_flops is None:
        peak_flops, peak_source = device_peak_flops(device)
    else:
        peak_source = "given"

    B, k = config.batch_size, config.micro_batches
    steps = max(2, tokens_budget // (B * seq_len))
    schedule = make_schedule(config, steps)
    init_key, data_key = jax.random.split(key)
    state = init_state(shape, make_optimizer(config), init_key)
    train_data = jnp.asarray(corpus.train)

    geometry = replace(config, peak_lr=1.0, warmup_fraction=0.0, final_lr_fraction=0.0, eval_windows=1)
    misses = _compiled_step.cache_info().misses
    compiled = _compiled_step(shape, geometry, seq_len, dtype_name)
    compile_s = compiled.compile_s if _compiled_step.cache_info().misses > misses else 0.0

    def run_step(state, i):
        lr = jnp.asarray(schedule(i), jnp.float32)
        return compiled.step(state, _train_batch(train_data, data_key, i, B, seq_len, k), lr)

    metrics = []
    state, m = run_step(state, 0)  # untimed: first-call start-up
    metrics.append(m)
    jax.block_until_ready(state)
    start = time.perf_counter()
    for i in range(1, steps):
        state, m = run_step(state, i)
        metrics.append(m)
    jax.block_until_ready(state)
    wall_s = time.perf_counter() - start

    losses = np.array([float(m.loss) for m in metrics])
    if not np.all(np.isfinite(losses)):
        raise FloatingPointError(f"training diverged: non-finite loss at step {int(np.argmin(np.isfinite(losses)))}")
    windows = validation_windows(corpus.validation, seq_len, config.eval_windows)
    val_loss = evaluate(
        state.params, windows, shape, batch_size=B, compute_dtype=dtype_name, attention=config.attention
    )

    tokens_per_step = B * seq_len
    tokens_per_s = (steps - 1) * tokens_per_step / wall_s
    flops_per_token = _flops.training_flops_per_token(shape, seq_len)
    achieved = flops_per_token * tokens_per_s
    groups = np.array_split(losses, min(20, steps))
    return TrainReport(
        shape=shape,
        parameters=_flops.parameter_count(shape),
        tokens=steps * tokens_per_step,
        steps=steps,
        batch_size=B,
        seq_len=seq_len,
        micro_batches=k,
        device=device.device_kind,
        platform=device.platform,
        compute_dtype=dtype_name,
        compile_s=compile_s,
        wall_s=wall_s,
        tokens_per_s=tokens_per_s,
        flops_per_token=flops_per_token,
        achieved_flops=achieved,
        peak_flops=float(peak_flops),
        peak_source=peak_source,
        mfu=achieved / peak_flops if math.isfinite(peak_flops) and peak_flops > 0 else math.nan,
        analytic_flops_per_step=flops_per_token * tokens_per_step,
        xla_flops_per_step=compiled.xla_flops,
        train_loss=float(losses[-max(1, steps // 10) :].mean()),
        validation_loss=val_loss,
        bits_per_byte=val_loss / math.log(2),
        loss_curve=tuple(float(g.mean()) for g in groups),
    )
