r"""FLOPs and memory of a decoder-only Transformer.

Parameters
----------
Counted exactly from a :class:`~venturesim.model_costs.shape.TransformerShape`
(d = d_model, f = d_ff, Q = head size, K = key/value heads, V = vocabulary,
T = context, L = layers):

==================  ==========================================  ===========================
part                weights                                     biases (``bias=True``)
==================  ==========================================  ===========================
token embedding     V·d                                         —
position embedding  T·d (``learned_positions``)                 —
attention q, o      2·d·H·Q  (= 2·d² when H·Q = d)                H·Q + d
attention k, v      2·d·K·Q (grouped-query attention)           2·K·Q
MLP, GELU           2·d·f                                       f + d
MLP, SwiGLU         3·d·f                                       2·f + d
norms               (2·L + 1)·d  (LayerNorm or RMSNorm weight)  (2·L + 1)·d (LayerNorm only)
output head         V·d unless tied to the token embedding       —
==================  ==========================================  ===========================

``bias=False`` removes LayerNorm biases too, as nanoGPT does; ``qkv_bias=True``
keeps the query, key and value biases only (H·Q + 2·K·Q, Qwen2). This gives
124,439,808 parameters for GPT-2 small (124,337,664 without biases) and
6,738,415,616 for Llama-2-7B.

FLOPs
-----
* Training, whole run: :math:`C \approx 6 N D` (Kaplan et al. 2020, §2.1).
* Training, per token (Chowdhery et al. 2022, PaLM, App. B):
  :math:`6 N + 12 L H Q T`; the second term is the attention score (QKᵀ) and
  value (A·V) products, forward and backward, at full context T.
* Inference, per generated token (Kaplan et al. 2020, Table 1):
  :math:`2 N + 2 L n_{ctx} d`.

Here N is the number of parameters that take part in a matrix product for
every token: all parameters except the token and position embeddings (a
lookup costs no FLOPs), **plus the output head** (a V×d product per token),
whether tied or not. For GPT-2 this is exactly nanoGPT's
``get_num_params()`` (total minus position embeddings; the tied embedding is
kept because it is the head), which nanoGPT's ``estimate_mfu`` feeds to the
PaLM formula; for PaLM (shared embeddings, no position parameters) it is the
total parameter count the paper uses. Kaplan's N leaves the head out, which
undercounts small models (the head is 31 % of GPT-2 small's FLOPs).

Kaplan counts only the QKᵀ product in the attention term of inference; the
PaLM training term counts QKᵀ and A·V. We keep each paper's convention; the
inference attention term is therefore a lower bound (by up to 2×).

Memory
------
Mixed-precision AdamW training holds per parameter (Rajbhandari et al. 2020,
ZeRO, §3.1): 16-bit weights (2 B) and gradients (2 B), an fp32 master copy
(4 B) and fp32 Adam moments m and v (4 + 4 B): 16 bytes, so a 7.5 B-parameter
model needs 120 GB before activations. Activations per layer, with 16-bit
activations and no tensor parallelism, are (Korthikanti et al. 2022,
"Reducing Activation Recomputation in Large Transformer Models", eq. 1)

.. math:: s\,b\,h\,(34 + 5\,a\,s/h)\ \text{bytes}

for sequence s, micro-batch b, width h and a heads; the 5·a·s²·b part is the
attention matrix (scores, softmax, dropout mask), which flash attention (Dao
et al. 2022) and Korthikanti's selective recomputation do not store, leaving
34·s·b·h. The KV cache of inference holds 2 (k and v) · L · K · Q values per
token.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

from venturesim.model_costs.shape import TransformerShape

__all__ = [
    "OPTIMIZER_STATE_BYTES",
    "MemoryBreakdown",
    "flops_parameter_count",
    "inference_flops_per_token",
    "kv_cache_bytes",
    "min_accelerators",
    "model_flops_utilization",
    "parameter_count",
    "training_flops",
    "training_flops_per_token",
    "training_memory_bytes",
]


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name}(={value!r}) must be > 0")


def _block_parameters(shape: TransformerShape) -> int:
    """Parameters of one Transformer block (attention, MLP, two norms)."""
    d, f = shape.d_model, shape.ff_dim
    hq, kv = shape.n_heads * shape.head_dim, shape.kv_heads * shape.head_dim
    attention = 2 * d * hq + 2 * d * kv + (hq + 2 * kv if shape.has_qkv_bias else 0) + (d if shape.bias else 0)
    if shape.mlp == "gelu":
        mlp = 2 * d * f + (f + d if shape.bias else 0)
    else:
        mlp = 3 * d * f + (2 * f + d if shape.bias else 0)
    return attention + mlp + 2 * _norm_parameters(shape)


def _norm_parameters(shape: TransformerShape) -> int:
    """One norm: a weight, plus a bias for LayerNorm with ``bias=True``."""
    with_bias = shape.norm == "layernorm" and shape.bias
    return shape.d_model * (2 if with_bias else 1)


def parameter_count(shape: TransformerShape, *, embeddings: bool = True) -> int:
    """Exact number of parameters of ``shape`` (see the module table).

    Parameters
    ----------
    shape : TransformerShape
        The model.
    embeddings : bool
        If False, leave out the token and position embeddings and an untied
        output head: Kaplan et al.'s (2020) non-embedding N. (A tied head is
        the token embedding, so it is left out with it.)

    Returns
    -------
    int
        Number of parameters.
    """
    body = shape.n_layers * _block_parameters(shape) + _norm_parameters(shape)
    if not embeddings:
        return body
    embed = shape.vocab_size * shape.d_model
    positions = shape.context * shape.d_model if shape.learned_positions else 0
    head = 0 if shape.tied_embeddings else shape.vocab_size * shape.d_model
    return body + embed + positions + head


def flops_parameter_count(shape: TransformerShape) -> int:
    """N of the FLOP formulas: non-embedding parameters plus the output head.

    Equals nanoGPT's ``get_num_params()`` (total minus position embeddings)
    for a tied model; see the module docstring for why the head counts.
    """
    return parameter_count(shape, embeddings=False) + shape.vocab_size * shape.d_model


def training_flops_per_token(shape: TransformerShape, context: int | None = None) -> float:
    """Model FLOPs to train on one token: 6·N + 12·L·H·Q·T (PaLM, App. B).

    Parameters
    ----------
    shape : TransformerShape
        The model; N is :func:`flops_parameter_count`.
    context : int, optional
        Sequence length T trained on (default ``shape.context``).

    Returns
    -------
    float
        FLOPs per token (forward and backward).
    """
    T = shape.context if context is None else context
    _positive("context", T)
    N = flops_parameter_count(shape)
    return float(6 * N + 12 * shape.n_layers * shape.n_heads * shape.head_dim * T)


def training_flops(n_params: float, tokens: float) -> float:
    """Training compute C = 6·N·D FLOPs (Kaplan et al. 2020, §2.1).

    Parameters
    ----------
    n_params : float
        N, parameters.
    tokens : float
        D, training tokens.
    """
    _positive("n_params", n_params)
    _positive("tokens", tokens)
    return 6.0 * n_params * tokens


def inference_flops_per_token(shape: TransformerShape, context_len: int) -> float:
    """Forward FLOPs to generate one token: 2·N + 2·L·n_ctx·d (Kaplan et al. 2020, Table 1).

    Parameters
    ----------
    shape : TransformerShape
        The model; N is :func:`flops_parameter_count`.
    context_len : int
        Tokens attended to (the KV-cache length; for a whole response, the
        average prompt + half the generated length).

    Returns
    -------
    float
        FLOPs per generated token.
    """
    if context_len < 0:
        raise ValueError(f"context_len(={context_len}) must be ≥ 0")
    N = flops_parameter_count(shape)
    return float(2 * N + 2 * shape.n_layers * context_len * shape.d_model)


def model_flops_utilization(flops_per_token: float, tokens_per_s: float, peak_flops: float) -> float:
    """MFU = achieved model FLOP/s ÷ peak FLOP/s (Chowdhery et al. 2022, App. B).

    Parameters
    ----------
    flops_per_token : float
        Model FLOPs per token (e.g. :func:`training_flops_per_token`).
    tokens_per_s : float
        Observed throughput, tokens per second (all accelerators).
    peak_flops : float
        Peak FLOP/s of all accelerators together.
    """
    _positive("flops_per_token", flops_per_token)
    _positive("tokens_per_s", tokens_per_s)
    _positive("peak_flops", peak_flops)
    return flops_per_token * tokens_per_s / peak_flops


def kv_cache_bytes(shape: TransformerShape, batch: int, context: int, bytes_per_value: float = 2) -> float:
    """Bytes of the key/value cache: 2·L·K·Q values per token, times batch·context.

    Parameters
    ----------
    shape : TransformerShape
        The model (K = ``kv_heads``, Q = ``head_dim``).
    batch : int
        Sequences held at once.
    context : int
        Tokens cached per sequence.
    bytes_per_value : float
        2 for bf16/fp16, 1 for an int8 cache.
    """
    _positive("batch", batch)
    _positive("context", context)
    _positive("bytes_per_value", bytes_per_value)
    per_token = 2 * shape.n_layers * shape.kv_heads * shape.head_dim
    return float(per_token * batch * context * bytes_per_value)


OPTIMIZER_STATE_BYTES = {"adamw": 8, "adam": 8, "sgd_momentum": 4, "sgd": 0}
"""fp32 optimizer state per parameter, bytes: Adam's m and v (4 + 4), SGD's momentum (4)."""


class MemoryBreakdown(NamedTuple):
    """Training memory, bytes, by what holds it."""

    weights: float
    gradients: float
    optimizer: float
    master_weights: float
    activations: float

    @property
    def total(self) -> float:
        """Sum of all parts, bytes."""
        return float(sum(self))


def training_memory_bytes(
    shape: TransformerShape,
    *,
    batch_tokens: int,
    seq_len: int | None = None,
    param_bytes: float = 2,
    optimizer: Literal["adamw", "adam", "sgd_momentum", "sgd"] = "adamw",
    flash_attention: bool = False,
) -> MemoryBreakdown:
    """Memory to train ``shape`` on one device holding the whole model (no sharding).

    Parameters
    ----------
    shape : TransformerShape
        The model; all :func:`parameter_count` parameters are stored.
    batch_tokens : int
        Tokens per micro-batch, b·s (activations scale with it).
    seq_len : int, optional
        Sequence length s (default ``shape.context``); b = batch_tokens / s.
    param_bytes : float
        Bytes per weight and per gradient: 2 for bf16/fp16 mixed precision
        (then an fp32 master copy is added), 4 for fp32 training.
    optimizer : {"adamw", "adam", "sgd_momentum", "sgd"}
        Sets the fp32 state per parameter (:data:`OPTIMIZER_STATE_BYTES`).
    flash_attention : bool
        Drop the 5·a·s²·b attention-matrix term (flash attention or selective
        recomputation; Korthikanti et al. 2022).

    Returns
    -------
    MemoryBreakdown
        ZeRO's 2Ψ + 2Ψ + 12Ψ for mixed-precision Adam, plus activations
        L·s·b·h·(34 + 5·a·s/h) (Korthikanti et al. 2022, eq. 1). The
        activation formula was derived for GPT blocks with a 4h GELU MLP;
        for other blocks it is an estimate.
    """
    s = shape.context if seq_len is None else seq_len
    _positive("batch_tokens", batch_tokens)
    _positive("seq_len", s)
    if param_bytes not in (2, 4):
        raise ValueError(f"param_bytes(={param_bytes!r}) must be 2 (mixed precision) or 4 (fp32)")
    if optimizer not in OPTIMIZER_STATE_BYTES:
        raise ValueError(f"optimizer(={optimizer!r}) must be one of {sorted(OPTIMIZER_STATE_BYTES)}")
    n = parameter_count(shape)
    b = batch_tokens / s
    h, a = shape.d_model, shape.n_heads
    per_layer = s * b * h * 34 + (0 if flash_attention else 5 * a * s * s * b)
    return MemoryBreakdown(
        weights=float(n * param_bytes),
        gradients=float(n * param_bytes),
        optimizer=float(n * OPTIMIZER_STATE_BYTES[optimizer]),
        master_weights=float(n * 4 if param_bytes < 4 else 0),
        activations=float(shape.n_layers * per_layer),
    )


def min_accelerators(memory_bytes: float, accelerator_memory_bytes: float, usable_fraction: float = 0.9) -> int:
    """Fewest accelerators whose usable memory holds ``memory_bytes`` (perfect sharding).

    ⌈memory / (accelerator memory × usable fraction)⌉; the 10 % default
    reserve covers the framework, CUDA context and fragmentation (assumption).
    """
    _positive("memory_bytes", memory_bytes)
    _positive("accelerator_memory_bytes", accelerator_memory_bytes)
    if not 0 < usable_fraction <= 1:
        raise ValueError(f"usable_fraction(={usable_fraction}) must be in (0, 1]")
    return max(1, math.ceil(memory_bytes / (accelerator_memory_bytes * usable_fraction)))
