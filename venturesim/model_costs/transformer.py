r"""A decoder-only Transformer in pure JAX: the startup's product, small enough
to train on the machine at hand so that its cost and quality can be measured.

The model reads a :class:`~venturesim.model_costs.shape.TransformerShape`
(L layers, width d, H query heads of size Q = d/H, K key/value heads, MLP width
F, vocabulary V, context T) and is the pre-norm decoder of GPT-2 (Radford et
al. 2019; nanoGPT) or, by the shape's switches, of Llama (Touvron et al. 2023):

.. math::

    x_0 &= W_{te}[t] \;(+\, W_{pe}[0{:}T] \text{ with learned positions}) \\
    x_{l+\frac12} &= x_l + \mathrm{Attn}_l(\mathrm{Norm}(x_l)) \\
    x_{l+1} &= x_{l+\frac12} + \mathrm{MLP}_l(\mathrm{Norm}(x_{l+\frac12})) \\
    \mathrm{logits} &= \mathrm{Norm}(x_L)\, W_{head}, \quad W_{head} = W_{te}^\top \text{ when tied}

* Norm: LayerNorm (ε = 1e-5, weight and, with ``bias``, a bias) or RMSNorm
  (ε = 1e-6, weight only; Zhang & Sennrich 2019), computed in float32.
* Attention: causal softmax(QKᵀ/√Q)V through
  :func:`jax.nn.dot_product_attention` (layout B, T, N, H;
  ``is_causal=True``), with grouped-query attention when K < H (Ainslie et
  al. 2023). Without learned positions, rotary embeddings (Su et al. 2021,
  base 10 000, "rotate-half" form of GPT-NeoX) are applied to queries and keys;
  they add no parameters.
* MLP: GELU (tanh form, as GPT-2) with two matrices, or SwiGLU
  (Shazeer 2020) ``(silu(x W_gate) ⊙ x W_up) W_down`` with three.
* Initialisation (GPT-2 / nanoGPT): every weight matrix and embedding
  ~ N(0, 0.02²); the two residual output projections (attention ``wo`` and the
  MLP's last matrix) ~ N(0, (0.02/√(2L))²); biases 0; norm weights 1.

Mixed precision: parameters are stored in their own dtype (float32 by
default) and cast to ``compute_dtype`` for the matrix products; the residual
stream, norms, softmax statistics and the loss stay in float32.

The parameters are a plain dict pytree; the L blocks are stacked on a leading
axis and run with :func:`jax.lax.scan`, so compile time does not grow with
depth. :func:`count_params` of :func:`init_params` (or of :func:`param_shapes`) equals
:func:`venturesim.model_costs.flops.parameter_count` (tested).
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from venturesim.model_costs.shape import TransformerShape

Params = dict[str, Any]
Attention = Literal["xla", "cudnn"] | None

INIT_STD = 0.02
"""Standard deviation of weight initialisation (GPT-2; nanoGPT ``_init_weights``)."""
LAYERNORM_EPS = 1e-5
"""LayerNorm ε (PyTorch default, used by GPT-2/nanoGPT)."""
RMSNORM_EPS = 1e-6
"""RMSNorm ε (Llama)."""
ROPE_BASE = 10_000.0
"""Rotary embedding base θ (Su et al. 2021)."""

#: Leaf names that are weight matrices or embeddings (decayed by AdamW).
MATRIX_NAMES = frozenset({"wte", "wpe", "lm_head", "wq", "wk", "wv", "wo", "w_in", "w_out", "w_gate", "w_up", "w_down"})


class _Leaf(NamedTuple):
    """How to make one parameter: its dims and its initial value (N(0, std²), 0 or 1)."""

    dims: tuple[int, ...]
    init: Literal["normal", "zeros", "ones"]
    std: float = 0.0


def _norm_spec(shape: TransformerShape, lead: tuple[int, ...]) -> dict[str, _Leaf]:
    p = {"scale": _Leaf(lead + (shape.d_model,), "ones")}
    if shape.norm == "layernorm" and shape.bias:
        p["bias"] = _Leaf(lead + (shape.d_model,), "zeros")
    return p


def _spec(shape: TransformerShape) -> dict[str, Any]:
    """The parameter tree as :class:`_Leaf` entries (see :func:`init_params`)."""
    L, d, F, V = shape.n_layers, shape.d_model, shape.ff_dim, shape.vocab_size
    hq, kq = shape.n_heads * shape.head_dim, shape.kv_heads * shape.head_dim
    resid_std = INIT_STD / math.sqrt(2 * L)

    def normal(std: float, *dims: int) -> _Leaf:
        return _Leaf(dims, "normal", std)

    def zeros(*dims: int) -> _Leaf:
        return _Leaf(dims, "zeros")

    attn = {
        "wq": normal(INIT_STD, L, d, hq),
        "wk": normal(INIT_STD, L, d, kq),
        "wv": normal(INIT_STD, L, d, kq),
        "wo": normal(resid_std, L, hq, d),
    }
    if shape.mlp == "gelu":
        mlp = {"w_in": normal(INIT_STD, L, d, F), "w_out": normal(resid_std, L, F, d)}
    else:
        mlp = {
            "w_gate": normal(INIT_STD, L, d, F),
            "w_up": normal(INIT_STD, L, d, F),
            "w_down": normal(resid_std, L, F, d),
        }
    if shape.has_qkv_bias:
        attn |= {"bq": zeros(L, hq), "bk": zeros(L, kq), "bv": zeros(L, kq)}
    if shape.bias:
        attn |= {"bo": zeros(L, d)}
        if shape.mlp == "gelu":
            mlp |= {"b_in": zeros(L, F), "b_out": zeros(L, d)}
        else:
            mlp |= {"b_gate": zeros(L, F), "b_up": zeros(L, F), "b_down": zeros(L, d)}
    spec: dict[str, Any] = {
        "wte": normal(INIT_STD, V, d),
        "blocks": {"ln1": _norm_spec(shape, (L,)), "attn": attn, "ln2": _norm_spec(shape, (L,)), "mlp": mlp},
        "ln_f": _norm_spec(shape, ()),
    }
    if shape.learned_positions:
        spec["wpe"] = normal(INIT_STD, shape.context, d)
    if not shape.tied_embeddings:
        spec["lm_head"] = normal(INIT_STD, d, V)
    return spec


def _is_leaf(x) -> bool:
    return isinstance(x, _Leaf)


def param_shapes(shape: TransformerShape, dtype=jnp.float32) -> Params:
    """The parameter tree as :class:`jax.ShapeDtypeStruct` leaves (nothing is allocated)."""
    return jax.tree_util.tree_map(
        lambda leaf: jax.ShapeDtypeStruct(leaf.dims, jnp.dtype(dtype)), _spec(shape), is_leaf=_is_leaf
    )


def init_params(shape: TransformerShape, key: jax.Array, dtype=jnp.float32) -> Params:
    """Random initial parameters (GPT-2 initialisation; see the module notes).

    Parameters
    ----------
    shape : TransformerShape
        Model size and family.
    key : jax.Array
        PRNG key; the same key gives the same parameters. They are drawn with
        NumPy's PCG64 seeded by the key's data: eager ``jax.random`` would
        compile a program per parameter shape (about 0.5 s each on CPU), and
        this way a key gives the same parameters on every backend.
    dtype : jnp.dtype
        Storage dtype of every parameter (float32 for training).

    Returns
    -------
    dict
        ``wte`` (V, d); ``wpe`` (T, d) with learned positions; ``lm_head``
        (d, V) when untied; ``ln_f``; ``blocks`` with leaves stacked on a
        leading layer axis: ``ln1``, ``ln2``, ``attn`` (``wq`` (L, d, H·Q),
        ``wk``/``wv`` (L, d, K·Q), ``wo`` (L, H·Q, d), biases ``bq, bk, bv, bo``
        with ``bias``) and ``mlp`` (GELU: ``w_in`` (L, d, F), ``w_out``
        (L, F, d), biases ``b_in``, ``b_out``; SwiGLU: ``w_gate``, ``w_up``,
        ``w_down`` and biases ``b_gate``, ``b_up``, ``b_down``).
    """
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel())

    def make(leaf: _Leaf) -> jax.Array:
        if leaf.init == "normal":
            value = leaf.std * rng.standard_normal(leaf.dims, dtype=np.float32)
        else:
            value = (np.ones if leaf.init == "ones" else np.zeros)(leaf.dims, np.float32)
        return jnp.asarray(value, dtype=dtype)

    # tree_map visits leaves in sorted key order, so the draws are reproducible
    return jax.tree_util.tree_map(make, _spec(shape), is_leaf=_is_leaf)


def count_params(params: Params) -> int:
    """Total number of scalars in a parameter pytree."""
    return int(sum(leaf.size for leaf in jax.tree_util.tree_leaves(params)))


def decay_mask(params: Params) -> Params:
    """True for weight matrices and embeddings (AdamW decays them), False for
    biases and norm weights — the nanoGPT rule "decay tensors with ≥ 2 dims",
    stated by name because the blocks carry an extra layer axis."""

    def is_matrix(path, _leaf) -> bool:
        return getattr(path[-1], "key", None) in MATRIX_NAMES

    return jax.tree_util.tree_map_with_path(is_matrix, params)


def _norm(x: jax.Array, p: Params, kind: str) -> jax.Array:
    """LayerNorm or RMSNorm over the last axis, in float32."""
    x = x.astype(jnp.float32)
    if kind == "layernorm":
        x = x - x.mean(-1, keepdims=True)
        y = x * jax.lax.rsqrt((x * x).mean(-1, keepdims=True) + LAYERNORM_EPS)
    else:
        y = x * jax.lax.rsqrt((x * x).mean(-1, keepdims=True) + RMSNORM_EPS)
    y = y * p["scale"].astype(jnp.float32)
    if "bias" in p:
        y = y + p["bias"].astype(jnp.float32)
    return y


def _rotary(x: jax.Array, positions: jax.Array) -> jax.Array:
    """Rotary position embedding, rotate-half form. x: (B, T, N, Q), Q even."""
    half = x.shape[-1] // 2
    freq = ROPE_BASE ** (-jnp.arange(half, dtype=jnp.float32) / half)  # (Q/2,)
    angle = positions.astype(jnp.float32)[:, None] * freq[None, :]  # (T, Q/2)
    cos, sin = jnp.cos(angle)[None, :, None, :], jnp.sin(angle)[None, :, None, :]  # (1, T, 1, Q/2)
    x1, x2 = x[..., :half].astype(jnp.float32), x[..., half:].astype(jnp.float32)
    out = jnp.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)
    return out.astype(x.dtype)


def _linear(x: jax.Array, p: Params, w: str, b: str) -> jax.Array:
    y = x @ p[w]
    return y + p[b] if b in p else y


def forward(
    params: Params,
    tokens: jax.Array,
    shape: TransformerShape,
    *,
    compute_dtype=jnp.float32,
    attention: Attention = None,
    unroll: int | bool = 1,
) -> jax.Array:
    """Next-token logits.

    Parameters
    ----------
    params : dict
        From :func:`init_params`.
    tokens : int array, (B, T)
        Token ids in [0, V), T ≤ ``shape.context``.
    shape : TransformerShape
        The shape ``params`` were made for (static).
    compute_dtype : jnp.dtype
        Dtype of the matrix products (bfloat16 on GPU/TPU, float32 on CPU).
    attention : {None, "xla", "cudnn"}
        ``implementation`` passed to :func:`jax.nn.dot_product_attention`
        (None: JAX chooses; "cudnn": fused flash attention on NVIDIA GPUs,
        bfloat16/float16 only).
    unroll : int or bool
        ``unroll`` of the :func:`jax.lax.scan` over layers (True: fully
        unrolled, which can be faster on GPUs at the cost of compile time).

    Returns
    -------
    jax.Array, (B, T, V)
        Logits in ``compute_dtype``; position t depends on tokens[: t + 1] only.
    """
    B, T = tokens.shape
    if shape.context < T:
        raise ValueError(f"sequence length(={T}) must be ≤ shape.context(={shape.context})")
    H, K, Q = shape.n_heads, shape.kv_heads, shape.head_dim

    def cast(a):
        return a.astype(compute_dtype)

    x = params["wte"][tokens].astype(jnp.float32)  # (B, T, d)
    if shape.learned_positions:
        x = x + params["wpe"][:T].astype(jnp.float32)[None]
    positions = jnp.arange(T)

    def block(x, bp):
        a = jax.tree_util.tree_map(cast, bp["attn"])
        h = cast(_norm(x, bp["ln1"], shape.norm))
        q = _linear(h, a, "wq", "bq").reshape(B, T, H, Q)
        k = _linear(h, a, "wk", "bk").reshape(B, T, K, Q)
        v = _linear(h, a, "wv", "bv").reshape(B, T, K, Q)
        if not shape.learned_positions:
            q, k = _rotary(q, positions), _rotary(k, positions)
        o = jax.nn.dot_product_attention(q, k, v, is_causal=True, implementation=attention)  # (B, T, H, Q)
        x = x + _linear(o.reshape(B, T, H * Q), a, "wo", "bo").astype(jnp.float32)
        m = jax.tree_util.tree_map(cast, bp["mlp"])
        h = cast(_norm(x, bp["ln2"], shape.norm))
        if shape.mlp == "gelu":
            y = _linear(jax.nn.gelu(_linear(h, m, "w_in", "b_in"), approximate=True), m, "w_out", "b_out")
        else:
            gated = jax.nn.silu(_linear(h, m, "w_gate", "b_gate")) * _linear(h, m, "w_up", "b_up")
            y = _linear(gated, m, "w_down", "b_down")
        return x + y.astype(jnp.float32), None

    x, _ = jax.lax.scan(block, x, params["blocks"], unroll=unroll)
    h = cast(_norm(x, params["ln_f"], shape.norm))
    head = params["wte"].T if shape.tied_embeddings else params["lm_head"]
    return h @ cast(head)  # (B, T, V)


def loss_fn(
    params: Params,
    tokens: jax.Array,
    shape: TransformerShape,
    *,
    compute_dtype=jnp.float32,
    attention: Attention = None,
    unroll: int | bool = 1,
) -> jax.Array:
    """Mean next-token cross-entropy, nats per token.

    ``tokens`` is (B, T + 1): the model reads ``tokens[:, :-1]`` and is scored
    on ``tokens[:, 1:]``, i.e. −mean log p(t_{i+1} | t_{≤i}) over B·T
    predictions, computed in float32 (``optax.softmax_cross_entropy_with_integer_labels``).
    """
    logits = forward(params, tokens[:, :-1], shape, compute_dtype=compute_dtype, attention=attention, unroll=unroll)
    losses = optax.softmax_cross_entropy_with_integer_labels(logits.astype(jnp.float32), tokens[:, 1:])
    return losses.mean()
