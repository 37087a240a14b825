#!/usr/bin/env bash
# GPT-2-small training throughput and MFU on one NVIDIA GPU (H100/H200/A100), bf16, context 1024.
#
#   benchmarks/gpu_transformer.sh                # batch 32 x 1024 tokens, 20 timed steps
#   benchmarks/gpu_transformer.sh 64 20          # batch, timed steps
#   benchmarks/gpu_transformer.sh --smoke        # tiny shape, 2 steps: checks the script on any machine (CPU)
#
# Model: GPT2_SMALL (L=12, d=768, 12 heads, T=1024, tied head, biases) with the vocabulary padded
# from 50,257 to 50,304 (a multiple of 64, as nanoGPT does; +0.04 % parameters, faster head matmul).
# Parameters and AdamW state float32, matrix products bfloat16, attention via
# jax.nn.dot_product_attention(implementation="cudnn") (fused flash attention), falling back to
# "xla" if cuDNN's kernel is unavailable; layers unrolled. One fixed random batch is reused
# (this measures the step, not the input pipeline). Timed: `steps` steps after 3 warm-up steps.
#
# MFU = (6N + 12·L·H·Q·T) · tokens/s ÷ peak (PaLM App. B; the same count nanoGPT uses), peak from
# the hardware catalogue by device kind (989 TFLOP/s dense bf16 for H100 SXM/H200). cuDNN skips the
# masked half of causal attention, but the formula counts it in full, as is conventional.
# Expected wall time: 1-2 min (start-up, ~1 min compile, ~10 s of steps); goal MFU >= 40 %.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export XLA_PYTHON_CLIENT_MEM_FRACTION="${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.9}"
exec "$PY" - "$@" <<'PYTHON'
import dataclasses
import sys
import time

import jax
import jax.numpy as jnp

from venturesim.model_costs.flops import parameter_count, training_flops_per_token
from venturesim.model_costs.shape import GPT2_SMALL, TransformerShape
from venturesim.model_costs.training import (
    TrainConfig, compile_step, device_peak_flops, init_state, make_optimizer, make_train_step, xla_flops,
)

args = [a for a in sys.argv[1:] if a != "--smoke"]
smoke = "--smoke" in sys.argv[1:]
if smoke:
    shape = TransformerShape(n_layers=2, d_model=64, n_heads=4, vocab_size=512, context=128)
else:
    shape = dataclasses.replace(GPT2_SMALL, vocab_size=50_304)
batch = int(args[0]) if len(args) > 0 else (4 if smoke else 32)
steps = int(args[1]) if len(args) > 1 else (2 if smoke else 20)
T = shape.context
device = jax.devices()[0]
peak, peak_source = device_peak_flops(device)
dtype = jnp.float32 if device.platform == "cpu" else jnp.bfloat16
print(f"device: {device.device_kind} ({device.platform}); peak {peak / 1e12:.4g} TFLOP/s ({peak_source})")
print(f"model: L={shape.n_layers} d={shape.d_model} H={shape.n_heads} V={shape.vocab_size} T={T}, "
      f"{parameter_count(shape):,} parameters; batch {batch} x {T} tokens; compute {jnp.dtype(dtype).name}")

optimizer = make_optimizer(TrainConfig(batch_size=batch))
state = init_state(shape, optimizer, jax.random.key(0))
tokens = jax.random.randint(jax.random.key(1), (1, batch, T + 1), 0, shape.vocab_size)
lr = jnp.float32(1e-4)
compiled = None
for attention in (("cudnn", "xla") if device.platform == "gpu" else (None,)):
    try:
        step = make_train_step(shape, optimizer, compute_dtype=dtype, attention=attention, unroll=True)
        compiled, compile_s = compile_step(step, state, tokens, lr)
        print(f"attention implementation: {attention}; compile {compile_s:.1f} s")
        break
    except Exception as exc:  # cuDNN flash attention missing or unsupported here
        print(f"attention={attention} failed: {type(exc).__name__}: {str(exc)[:300]}")
if compiled is None:
    sys.exit("no attention implementation compiled")

for _ in range(3):  # warm-up (first-call allocations, autotuning)
    state, metrics = compiled(state, tokens, lr)
jax.block_until_ready(state)
start = time.perf_counter()
for _ in range(steps):
    state, metrics = compiled(state, tokens, lr)
jax.block_until_ready(state)
seconds = time.perf_counter() - start

tokens_per_s = steps * batch * T / seconds
per_token = training_flops_per_token(shape, T)
achieved = per_token * tokens_per_s
print(f"step time: {seconds / steps * 1e3:.1f} ms; loss {float(metrics.loss):.3f}")
print(f"tokens/s: {tokens_per_s:,.0f}")
print(f"model FLOPs/token (6N + 12LHQT): {per_token / 1e6:.1f} M; XLA/analytic per step: "
      f"{xla_flops(compiled) / (per_token * batch * T):.3f}")
print(f"achieved: {achieved / 1e12:.4g} TFLOP/s; MFU: {achieved / peak:.1%} (goal >= 40 %)")
PYTHON
