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
    n_heads : query heads H; head size Q = d_model / n_heads.
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

    def __post_init__(self) -> None:
        for name in ("n_layers", "d_model", "n_heads", "vocab_size", "context"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}(={value!r}) must be a positive integer")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model(={self.d_model}) must be a multiple of n_heads(={self.n_heads})")
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
        """Q = d_model / n_heads."""
        return self.d_model // self.n_heads

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
