r"""Cost of serving the model: USD per million generated tokens, quantisation, distillation.

Throughput and cost
-------------------
One accelerator of peak P FLOP/s, at serving MFU u, busy a fraction ρ of the
hours it is rented, generating tokens of F FLOPs each
(:func:`~venturesim.model_costs.flops.inference_flops_per_token`, ≈2N), with
a quantisation speed-up k:

.. math::

    \text{tokens/s} = \frac{P\,u\,\rho\,k}{F}, \qquad
    \text{USD per }10^6\text{ tokens} = \frac{p}{3600\cdot\text{tokens/s}}\,10^6,

with p the price per accelerator-hour. Defaults (assumptions, overridable):
u = 0.3 — decode is memory-bound and runs well below the 76 % MFU Pope et
al. 2022 reach on large-batch prefill of PaLM 540B; ρ = 0.5 — capacity is
provisioned for the peak of a daily load cycle.

Roofline of decoding
--------------------
Each decoding step reads all weights once and does batch·F FLOPs
(Pope et al. 2022; Williams et al. 2009):

.. math::

    t_{step} = \max\!\Big(\frac{N\,q + b\,M_{kv}}{W},\ \frac{b\,F}{P}\Big),
    \qquad \text{tokens/s} = b / t_{step},

with q bytes per weight, M_kv the KV-cache bytes per sequence and W the
memory bandwidth. At small batch the first term rules, so halving q doubles
throughput: this is the speed-up k of the quantisation table.

Quantisation (weights only)
---------------------------
======  ===========  ====  ==============  ==============================================
name    bytes/weight  k    loss penalty    basis
======  ===========  ====  ==============  ==============================================
bf16    2            1     0               baseline
int8    1            2     0 nats/token    LLM.int8(): no perplexity loss up to 175 B
                                           (Dettmers et al. 2022)
int4    0.5          4     0.02 nats/token ASSUMPTION: 4-bit GPTQ/AWQ with grouping adds
                                           ≈1–3 % perplexity on multi-billion models
                                           (Frantar et al. 2022; Lin et al. 2023);
                                           ln 1.02 ≈ 0.02
======  ===========  ====  ==============  ==============================================

k is the memory-bound ratio 2/q, an upper bound: GPTQ measures 3.25× on an
A100 for 3-bit OPT-175B (theory 5.3×). The loss penalty adds to the model's
loss (nats/token); small models suffer more (GPTQ: +12 % perplexity for
4-bit OPT-125M), so pass a custom :class:`Quantization` for them.

Distillation
------------
A student of N_s parameters trained on D_s tokens with a teacher's logits:
its loss is the scaling-law loss of the same model trained without a teacher
minus a share g of the gap to the teacher,

.. math:: L_s = L(N_s, D_s) - g\,\max\big(L(N_s, D_s) - L(N_t, D_t),\ 0\big),

and its training costs 6·N_s·D_s plus the teacher's forward passes
2·N_t·D_s FLOPs (Busbridge et al. 2025, "Distillation Scaling Laws", count
teacher inference the same way). Default g = 0 (ASSUMPTION, conservative:
Busbridge et al. find distillation beats supervised training only when the
student's compute is limited); the student is then as good as the law says
a model of its size is, and serves at 2·N_s FLOPs per token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from venturesim.model_costs.hardware import Accelerator
from venturesim.model_costs.hardware import accelerator as lookup
from venturesim.model_costs.scaling_law import LossLaw

__all__ = [
    "DEFAULT_SERVING_MFU",
    "DEFAULT_UTILISATION",
    "QUANTIZATIONS",
    "Distilled",
    "Quantization",
    "decode_tokens_per_s",
    "distill",
    "serving_cost_per_million_tokens",
    "serving_tokens_per_s",
]

DEFAULT_SERVING_MFU = 0.3
"""Serving MFU (assumption; below Pope et al. 2022's 76 % prefill MFU since decode is memory-bound)."""
DEFAULT_UTILISATION = 0.5
"""Share of rented hours spent serving (assumption: capacity sized for the daily peak)."""


@dataclass(frozen=True)
class Quantization:
    """A weight format for serving.

    Attributes
    ----------
    name : str
    bytes_per_weight : float
        Storage per weight, bytes.
    throughput_multiplier : float
        Speed-up k over bf16 serving (memory-bound ratio 2 / bytes_per_weight).
    loss_penalty : float
        Added loss, nats/token (≥ 0).
    source : str
        Basis of the figures.
    """

    name: str
    bytes_per_weight: float
    throughput_multiplier: float
    loss_penalty: float
    source: str

    def __post_init__(self) -> None:
        if not self.bytes_per_weight > 0:
            raise ValueError(f"bytes_per_weight(={self.bytes_per_weight}) must be > 0")
        if not self.throughput_multiplier > 0:
            raise ValueError(f"throughput_multiplier(={self.throughput_multiplier}) must be > 0")
        if not self.loss_penalty >= 0:
            raise ValueError(f"loss_penalty(={self.loss_penalty}) must be ≥ 0")


QUANTIZATIONS = {
    "bf16": Quantization("bf16", 2.0, 1.0, 0.0, "baseline"),
    "int8": Quantization(
        "int8",
        1.0,
        2.0,
        0.0,
        "memory-bound decode reads half the bytes; LLM.int8() keeps perplexity (Dettmers et al. 2022)",
    ),
    "int4": Quantization(
        "int4",
        0.5,
        4.0,
        0.02,
        "memory-bound decode reads a quarter of the bytes; ASSUMPTION ≈2 % perplexity "
        "(GPTQ, Frantar et al. 2022; AWQ, Lin et al. 2023)",
    ),
}
"""Weight formats by name (see the module table)."""


def _quantization(q: str | Quantization) -> Quantization:
    if isinstance(q, Quantization):
        return q
    try:
        return QUANTIZATIONS[q]
    except KeyError:
        raise ValueError(f"quantization(={q!r}) must be one of {sorted(QUANTIZATIONS)} or a Quantization") from None


def _positive(name: str, value, high: float | None = None) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(array > 0) or (high is not None and not np.all(array <= high)):
        raise ValueError(f"{name}(={value!r}) must be > 0" + (f" and ≤ {high:g}" if high is not None else ""))
    return array


def _out(array):
    return float(array) if np.ndim(array) == 0 else array


def serving_tokens_per_s(
    flops_per_token,
    accelerator: Accelerator | str,
    *,
    mfu=DEFAULT_SERVING_MFU,
    utilisation=DEFAULT_UTILISATION,
    quantization: str | Quantization = "bf16",
):
    """Average generated tokens per second per rented accelerator, P·u·ρ·k / F.

    Parameters
    ----------
    flops_per_token : float or array
        F, FLOPs per generated token (e.g. :func:`~venturesim.model_costs.flops.inference_flops_per_token`).
    accelerator : Accelerator or str
    mfu : float or array
        u in (0, 1], serving model FLOPs utilisation (bf16).
    utilisation : float or array
        ρ in (0, 1], share of rented time spent serving.
    quantization : str or Quantization
        Weight format; its throughput multiplier k applies.
    """
    acc = lookup(accelerator) if isinstance(accelerator, str) else accelerator
    F = _positive("flops_per_token", flops_per_token)
    u = _positive("mfu", mfu, 1.0)
    rho = _positive("utilisation", utilisation, 1.0)
    k = _quantization(quantization).throughput_multiplier
    return _out(acc.peak_flops * u * rho * k / F)


def serving_cost_per_million_tokens(
    flops_per_token,
    accelerator: Accelerator | str,
    price_per_hour=None,
    *,
    mfu=DEFAULT_SERVING_MFU,
    utilisation=DEFAULT_UTILISATION,
    quantization: str | Quantization = "bf16",
):
    """USD per million generated tokens: price / (3600 · tokens/s) · 10⁶.

    Parameters
    ----------
    flops_per_token, accelerator, mfu, utilisation, quantization
        As in :func:`serving_tokens_per_s`.
    price_per_hour : float or array, optional
        USD per accelerator-hour (default the accelerator's median price);
        an array of draws gives an array of costs.
    """
    acc = lookup(accelerator) if isinstance(accelerator, str) else accelerator
    price = _positive("price_per_hour", acc.median_price_per_hour if price_per_hour is None else price_per_hour)
    rate = serving_tokens_per_s(flops_per_token, acc, mfu=mfu, utilisation=utilisation, quantization=quantization)
    return _out(price / (3600.0 * np.asarray(rate)) * 1e6)


def decode_tokens_per_s(
    n_params: float,
    accelerator: Accelerator | str,
    batch: int,
    *,
    flops_per_token: float | None = None,
    bytes_per_weight: float = 2.0,
    kv_bytes_per_sequence: float = 0.0,
) -> float:
    """Roofline decode throughput of one accelerator holding the model, tokens/s.

    b / max((N·q + b·M_kv) / W, b·F / P); see the module docstring.

    Parameters
    ----------
    n_params : float
        N, weights read per step.
    accelerator : Accelerator or str
    batch : int
        b, sequences decoded together.
    flops_per_token : float, optional
        F (default 2·N).
    bytes_per_weight : float
        q (2 for bf16, 1 for int8, 0.5 for int4).
    kv_bytes_per_sequence : float
        M_kv, KV-cache bytes read per sequence per step
        (:func:`~venturesim.model_costs.flops.kv_cache_bytes` with batch 1).
    """
    acc = lookup(accelerator) if isinstance(accelerator, str) else accelerator
    _positive("n_params", n_params)
    _positive("bytes_per_weight", bytes_per_weight)
    if not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch(={batch!r}) must be a positive integer")
    if kv_bytes_per_sequence < 0:
        raise ValueError(f"kv_bytes_per_sequence(={kv_bytes_per_sequence}) must be ≥ 0")
    F = 2.0 * n_params if flops_per_token is None else float(_positive("flops_per_token", flops_per_token))
    memory_s = (n_params * bytes_per_weight + batch * kv_bytes_per_sequence) / acc.bandwidth_bytes_s
    compute_s = batch * F / acc.peak_flops
    return batch / max(memory_s, compute_s)


class Distilled(NamedTuple):
    """A distilled student model."""

    n_params: float
    """Student parameters N_s."""
    loss: float
    """Student loss, nats/token."""
    loss_penalty: float
    """Student loss minus the teacher's, nats/token."""
    flops: float
    """Distillation FLOPs: 6·N_s·D_s + 2·N_t·D_s."""


def distill(
    law: LossLaw,
    teacher_params: float,
    teacher_tokens: float,
    student_params: float,
    student_tokens: float,
    *,
    gap_recovered: float = 0.0,
) -> Distilled:
    """Distil a teacher (N_t, D_t) into a student of N_s parameters on D_s tokens.

    Parameters
    ----------
    law : LossLaw
        Loss law giving both models' loss (e.g. CHINCHILLA).
    teacher_params, teacher_tokens : float
        The teacher's N_t and D_t.
    student_params, student_tokens : float
        The student's N_s and D_s.
    gap_recovered : float
        g in [0, 1], share of the gap to the teacher that distillation closes
        beyond training the student from scratch (default 0, an assumption).
    """
    for name, value in (
        ("teacher_params", teacher_params),
        ("teacher_tokens", teacher_tokens),
        ("student_params", student_params),
        ("student_tokens", student_tokens),
    ):
        _positive(name, value)
    if not 0.0 <= gap_recovered <= 1.0:
        raise ValueError(f"gap_recovered(={gap_recovered}) must be in [0, 1]")
    teacher = law.loss(teacher_params, teacher_tokens)
    scratch = law.loss(student_params, student_tokens)
    student = scratch - gap_recovered * max(scratch - teacher, 0.0)
    flops = 6.0 * student_params * student_tokens + 2.0 * teacher_params * student_tokens
    return Distilled(float(student_params), float(student), float(student - teacher), float(flops))
