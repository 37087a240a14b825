"""The shape of a decoder-only Transformer: the one description that the FLOP
and memory accounting (:mod:`venturesim.model_costs.flops`) and the trainable
model (:mod:`venturesim.model_costs.transformer`) both read.

Two families are covered:

* **GPT-2 style** (Radford et al. 2019; nanoGPT): LayerNorm, GELU MLP with
  ``d_ff = 4·d_model``, learned absolute position embeddings, biases in every
  linear layer and LayerNorm (``bias=True``) or none (``bias=False``), output
  head tied to the token embedding.
* **Llama style** (Touvron et al. 2023): RMSNorm (a weight, no bias), SwiGLU
  MLP (three matrices), grouped-query attention (``n_kv_heads < n_heads``),
  no position parameters (rotary), untied output head, no biases.

The head size Q is d_model / n_heads unless ``head_size`` says otherwise (PaLM
540B: 48 heads of 256 on d_model 18,432, so H·Q = 12,288 ≠ d_model), and
``n_kv_heads=1`` is multi-query attention. :data:`PUBLISHED` holds the shapes of
published models as their papers and configuration files print them; their
parameter counts are checked against the sources in tests/model_costs/test_shapes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TransformerShape:
    """Hyper-parameters that fix a decoder-only Transformer's size.

    Attributes
    ----------
    n_layers : L, Transformer blocks.
    d_model : width of the residual stream.
    n_heads : query heads H.
    vocab_size : V, tokens in the vocabulary.
    context : T, maximum sequence length (tokens).
    d_ff : hidden width of the MLP (default 4·d_model).
    n_kv_heads : key/value heads (grouped-query attention; default n_heads).
    mlp : "gelu" (two matrices) or "swiglu" (three matrices).
    norm : "layernorm" (weight and, with ``bias``, a bias) or "rmsnorm" (weight only).
    bias : biases in the linear layers (and LayerNorms).
    tied_embeddings : the output head reuses the token embedding matrix.
    learned_positions : a learned (T, d_model) position embedding (GPT-2);
        False for rotary/no position parameters.
    head_size : Q, each head's width (default d_model / n_heads, which must then divide).
    qkv_bias : biases on the query, key and value projections only (Qwen2); ``bias`` puts them everywhere.
    """

    n_layers: int
    d_model: int
    n_heads: int
    vocab_size: int
    context: int
    d_ff: int | None = None
    n_kv_heads: int | None = None
    mlp: Literal["gelu", "swiglu"] = "gelu"
    norm: Literal["layernorm", "rmsnorm"] = "layernorm"
    bias: bool = True
    tied_embeddings: bool = True
    learned_positions: bool = True
    head_size: int | None = None
    qkv_bias: bool = False

    def __post_init__(self) -> None:
        for name in ("n_layers", "d_model", "n_heads", "vocab_size", "context"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}(={value!r}) must be a positive integer")
        if self.head_size is not None and (not isinstance(self.head_size, int) or self.head_size < 1):
            raise ValueError(f"head_size(={self.head_size!r}) must be a positive integer")
        if self.head_size is None and self.d_model % self.n_heads:
            raise ValueError(
                f"d_model(={self.d_model}) must be a multiple of n_heads(={self.n_heads}), or give head_size"
            )
        if self.d_ff is not None and self.d_ff < 1:
            raise ValueError(f"d_ff(={self.d_ff}) must be ≥ 1")
        kv = self.kv_heads
        if kv < 1 or self.n_heads % kv:
            raise ValueError(f"n_kv_heads(={kv}) must divide n_heads(={self.n_heads})")
        if self.mlp not in ("gelu", "swiglu"):
            raise ValueError(f"mlp(={self.mlp!r}) must be 'gelu' or 'swiglu'")
        if self.norm not in ("layernorm", "rmsnorm"):
            raise ValueError(f"norm(={self.norm!r}) must be 'layernorm' or 'rmsnorm'")

    @property
    def head_dim(self) -> int:
        """Q: ``head_size``, or d_model / n_heads."""
        return self.head_size if self.head_size is not None else self.d_model // self.n_heads

    @property
    def has_qkv_bias(self) -> bool:
        """Whether the query, key and value projections carry biases."""
        return self.bias or self.qkv_bias

    @property
    def ff_dim(self) -> int:
        """The MLP's hidden width (d_ff, or 4·d_model by default)."""
        return self.d_ff if self.d_ff is not None else 4 * self.d_model

    @property
    def kv_heads(self) -> int:
        """Key/value heads (n_kv_heads, or n_heads without GQA)."""
        return self.n_kv_heads if self.n_kv_heads is not None else self.n_heads


GPT2_SMALL = TransformerShape(n_layers=12, d_model=768, n_heads=12, vocab_size=50_257, context=1024)
"""GPT-2 small (124 M parameters; Radford et al. 2019)."""


def _llama_style(**kw) -> TransformerShape:
    return TransformerShape(
        mlp="swiglu", norm="rmsnorm", bias=False, tied_embeddings=False, learned_positions=False, **kw
    )


PUBLISHED: dict[str, TransformerShape] = {
    "gpt2-small": GPT2_SMALL,
    # Meta, Llama 3.1 model card and config.json (hidden 4096, 32 layers, 32 heads, 8 KV heads, FFN 14,336)
    "llama-3.1-8b": _llama_style(
        n_layers=32, d_model=4096, n_heads=32, n_kv_heads=8, d_ff=14_336, vocab_size=128_256, context=131_072
    ),
    # Meta, Llama 3.1 70B config.json (hidden 8192, 80 layers, 64 heads, 8 KV heads, FFN 28,672)
    "llama-3.1-70b": _llama_style(
        n_layers=80, d_model=8192, n_heads=64, n_kv_heads=8, d_ff=28_672, vocab_size=128_256, context=131_072
    ),
    # Jiang et al. 2023, "Mistral 7B", Table 1 (dim 4096, 32 layers, 32 heads, 8 KV heads, hidden 14,336, vocab 32k)
    "mistral-7b": _llama_style(
        n_layers=32, d_model=4096, n_heads=32, n_kv_heads=8, d_ff=14_336, vocab_size=32_000, context=32_768
    ),
    # Qwen Team 2024, "Qwen2.5 Technical Report", Table 1, and config.json (QKV biases, untied head)
    "qwen2.5-7b": _llama_style(
        n_layers=28,
        d_model=3584,
        n_heads=28,
        n_kv_heads=4,
        d_ff=18_944,
        vocab_size=152_064,
        context=131_072,
        qkv_bias=True,
    ),
    "qwen2.5-72b": _llama_style(
        n_layers=80,
        d_model=8192,
        n_heads=64,
        n_kv_heads=8,
        d_ff=29_568,
        vocab_size=152_064,
        context=131_072,
        qkv_bias=True,
    ),
    # Chowdhery et al. 2022, "PaLM", Table 1 and §2: 118 layers, d_model 18,432, 48 heads of 256, multi-query
    # attention, SwiGLU with d_ff = 4·d_model, shared input/output embeddings, no biases, 256k vocabulary
    "palm-540b": TransformerShape(
        n_layers=118,
        d_model=18_432,
        n_heads=48,
        head_size=256,
        n_kv_heads=1,
        d_ff=73_728,
        vocab_size=256_000,
        context=2048,
        mlp="swiglu",
        norm="layernorm",
        bias=False,
        tied_embeddings=True,
        learned_positions=False,
    ),
}
"""Shapes of published models, by name (sources in the comments)."""
