"""What a training run is told and what it reports: plain records, without JAX.

:class:`TrainConfig` (how to train) and :class:`TrainReport` (what a run cost
and achieved) are read back from a calibration file by
:func:`venturesim.model_costs.calibration.load_calibration`, which ``venturesim
validate`` calls on a scenario's ``product.calibration``; they live here, apart
from the training loop (:mod:`venturesim.model_costs.training`, which imports
JAX and Optax), so that checking a scenario imports no JAX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venturesim.model_costs.shape import TransformerShape
    from venturesim.model_costs.transformer import Attention

__all__ = ["TrainConfig", "TrainReport"]


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the shape says what).

    Attributes
    ----------
    batch_size : sequences per optimiser step.
    seq_len : tokens per sequence (default: the shape's context).
    micro_batches : gradient-accumulation micro-batches per step (divides batch_size).
    peak_lr : peak learning rate (after warm-up).
    warmup_fraction : share of steps of linear warm-up from 0.
    final_lr_fraction : learning rate at the last step ÷ peak_lr.
    weight_decay : AdamW decoupled weight decay (matrices and embeddings only).
    b1, b2, eps : Adam moment decays and ε.
    grad_clip : maximum global gradient norm.
    eval_windows : validation windows of seq_len + 1 bytes scored at the end.
    compute_dtype : "float32", "bfloat16", or None (bfloat16 on GPU/TPU, float32 on CPU).
    attention : ``implementation`` of jax.nn.dot_product_attention (None, "xla", "cudnn").
    unroll_layers : unroll the scan over layers (faster steps for shallow models,
        and XLA's FLOP count then covers every layer: it counts a loop body once).
    """

    batch_size: int = 16
    seq_len: int | None = None
    micro_batches: int = 1
    peak_lr: float = 3e-3
    warmup_fraction: float = 0.1
    final_lr_fraction: float = 0.1
    weight_decay: float = 0.1
    b1: float = 0.9
    b2: float = 0.95
    eps: float = 1e-8
    grad_clip: float = 1.0
    eval_windows: int = 64
    compute_dtype: str | None = None
    attention: Attention = None
    unroll_layers: bool = True

    def __post_init__(self) -> None:
        for name in ("batch_size", "micro_batches", "eval_windows"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}(={value!r}) must be a positive integer")
        if self.seq_len is not None and (not isinstance(self.seq_len, int) or self.seq_len < 1):
            raise ValueError(f"seq_len(={self.seq_len!r}) must be a positive integer or None")
        if self.batch_size % self.micro_batches:
            raise ValueError(f"micro_batches(={self.micro_batches}) must divide batch_size(={self.batch_size})")
        if not self.peak_lr > 0:
            raise ValueError(f"peak_lr(={self.peak_lr}) must be > 0")
        if not 0 <= self.warmup_fraction < 1:
            raise ValueError(f"warmup_fraction(={self.warmup_fraction}) must be in [0, 1)")
        if not 0 <= self.final_lr_fraction <= 1:
            raise ValueError(f"final_lr_fraction(={self.final_lr_fraction}) must be in [0, 1]")
        if self.weight_decay < 0 or not self.grad_clip > 0:
            raise ValueError(f"weight_decay(={self.weight_decay}) must be ≥ 0 and grad_clip(={self.grad_clip}) > 0")
        if self.compute_dtype not in (None, "float32", "bfloat16"):
            raise ValueError(f"compute_dtype(={self.compute_dtype!r}) must be None, 'float32' or 'bfloat16'")


@dataclass(frozen=True)
class TrainReport:
    """What one training run cost and achieved (see the module notes for definitions).

    Attributes
    ----------
    shape : the model trained.
    parameters : all parameters (``flops.parameter_count``).
    tokens : tokens trained on (steps × batch_size × seq_len).
    steps, batch_size, seq_len, micro_batches : the run's geometry.
    device, platform, compute_dtype : where and how it ran.
    compile_s : seconds to compile the step; wall_s : seconds of the timed steps.
    tokens_per_s : training throughput, tokens/s.
    flops_per_token : model FLOPs per token, 6·N + 12·L·H·Q·T.
    achieved_flops : model FLOP/s achieved.
    peak_flops, peak_source : the device peak used for MFU, and where it came from.
    mfu : achieved_flops ÷ peak_flops (nan when the peak is unknown).
    analytic_flops_per_step, xla_flops_per_step : model FLOPs of one step, and XLA's count.
    train_loss : mean training loss over the last 10 % of steps, nats/token.
    validation_loss : mean loss on the validation windows, nats/token.
    bits_per_byte : validation_loss / ln 2 — the quality score (lower is better).
    loss_curve : mean training loss in up to 20 consecutive equal groups of steps.
    """

    shape: TransformerShape
    parameters: int
    tokens: int
    steps: int
    batch_size: int
    seq_len: int
    micro_batches: int
    device: str
    platform: str
    compute_dtype: str
    compile_s: float
    wall_s: float
    tokens_per_s: float
    flops_per_token: float
    achieved_flops: float
    peak_flops: float
    peak_source: str
    mfu: float
    analytic_flops_per_step: float
    xla_flops_per_step: float
    train_loss: float
    validation_loss: float
    bits_per_byte: float
    loss_curve: tuple[float, ...] = field(default=())
