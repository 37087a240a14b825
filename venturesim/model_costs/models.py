r"""The model catalogue and the three strategies of the seed's model-selection chapter.

A startup gets its model in one of three ways — the seed document's choice of
a pre-trained model and of fine-tuning it (§2.1.2 预训练与微调, §3.3 技术选型),
and serving through an API (§2.3.2) — and may move between them over time:

1. **Vendor API** (:class:`ApiModel`): pay per token at the vendor's dated
   price; quality is the vendor model's, stated as its gap to the frontier
   (``gap_to_frontier`` ≤ 0, nats/token). Cost per token served

   .. math:: c_{api} = m(t) · (s_{in} p_{in} + (1 − s_{in}) p_{out}) / 10^6,

   with p_in, p_out the catalogue's USD per million input/output tokens,
   s_in = :data:`INPUT_SHARE` the share of input tokens (**assumption**: 3 input
   tokens per output token, typical of retrieval-augmented and chat
   workloads), and m(t) the scenario's price multiplier (a price change).
2. **Fine-tune an open-weights model** (:class:`OpenModel`): a training run
   with ``base_model``; N is the open model's, its starting loss the
   Chinchilla law at its published N and training tokens
   (:func:`open_model_loss`), and the fine-tuning gain grows with the
   fine-tuning tokens D_F (:func:`fine_tuning_gain`). Compute: full fine-tune
   6·N·D_F; LoRA (4·N + 6·N_a)·D_F, N_a = :data:`LORA_FRACTION` · N (Hu et
   al. 2021; docs/model/product.md). Served on the company's own
   accelerators at 2·N FLOPs per token.
3. **Pre-train your own**: a training run with ``parameters`` (the loss law).

Fine-tuning gain
----------------
Hernandez et al. 2021 ("Scaling Laws for Transfer", eq. 1.1) find that the
effective data a pre-trained model transfers to a fine-tuning task grows as a
power of the fine-tuning data, D_T = k · D_F^{α_T} · N^{β_T} with α_T = 0.18
and β_T = 0.38 (text → Python). Here the gain in loss on the product's task is
taken to grow the same way with D_F:

.. math:: Δ(D_F) = Δ_{ref} · (D_F / D_{ref})^{α_T} · (\text{LoRA: } × r_{LoRA}),

with Δ_ref = :data:`FINE_TUNE_GAIN_REF` = 0.08 nats/token at D_ref = 10⁸
tokens (**assumption**: the middle of the 0.04–0.15 nats/token the shipped
scenarios give their domain fine-tunes) and r_LoRA = :data:`LORA_GAIN_RATIO`
= 0.8 (**assumption**: Biderman et al. 2024, "LoRA Learns Less and Forgets
Less", find LoRA reaches clearly less than full fine-tuning on code and
maths). So 10× the data gives 10^0.18 = 1.51× the gain. A run that gives
``loss_reduction`` uses it instead (expert override).

Presets
-------
:data:`PRESETS` names the starting points in a founder's words ("frontier
API", "small API model", "open 8B", "open 70B", "fine-tuned open 8B"); each
resolves to a strategy, a loss on the reference scale (or a gap to the
frontier) and a model size (:func:`preset`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
from pydantic import Field

from venturesim.model_costs.scaling_law import CHINCHILLA
from venturesim.spec._base import Model, Name
from venturesim.spec.errors import suggest, validate_text

__all__ = [
    "FINE_TUNE_GAIN_REF",
    "INPUT_SHARE",
    "LORA_FRACTION",
    "LORA_GAIN_RATIO",
    "PRESETS",
    "ApiModel",
    "OpenModel",
    "Preset",
    "api_model",
    "api_price_per_token",
    "fine_tuning_flops",
    "fine_tuning_gain",
    "open_model",
    "open_model_loss",
    "preset",
]

INPUT_SHARE = 0.75
"""Share of input (prompt) tokens in the tokens served (assumption: 3 input tokens per output token)."""
FINE_TUNE_GAIN_REF = 0.08
"""Δ_ref: fine-tuning gain on the product's task at D_ref tokens of full fine-tuning, nats/token (assumption)."""
FINE_TUNE_TOKENS_REF = 1e8
"""D_ref: fine-tuning tokens at which the gain is Δ_ref."""
TRANSFER_DATA_EXPONENT = 0.18
"""α_T: exponent of fine-tuning data in the effective data transferred (Hernandez et al. 2021, text → Python)."""
LORA_FRACTION = 0.005
"""Adapter parameters as a share of N (assumption: rank 16 on every projection of Llama 3 8B ≈ 42M ≈ 0.5 %)."""
LORA_GAIN_RATIO = 0.8
"""Share of the full fine-tune's gain a LoRA fine-tune reaches (assumption; Biderman et al. 2024)."""


class ApiModel(Model):
    """A vendor model sold per token."""

    label: str = Field(description="Display name.")
    input_price_per_million: float = Field(gt=0, description="USD per million input tokens, on `as_of`.")
    output_price_per_million: float = Field(gt=0, description="USD per million output tokens, on `as_of`.")
    gap_to_frontier: float = Field(le=0, description="Quality relative to the frontier, nats/token (≤ 0).")
    as_of: str = Field(description="Date of the price (YYYY-MM-DD).")
    source: str = Field(description="Where the price and the quality figure come from.")


class OpenModel(Model):
    """An open-weights model a startup can fine-tune and serve itself."""

    label: str = Field(description="Display name.")
    parameters: float = Field(gt=0, description="Parameters N.")
    training_tokens: float = Field(gt=0, description="Pre-training tokens D, as published (or an assumption).")
    context: int = Field(ge=1, description="Context length, tokens.")
    licence: str = Field(description="The licence terms that matter commercially.")
    source: str = Field(description="Where each figure comes from.")


class ModelCatalog(Model):
    """The catalogue file."""

    api: dict[Name, ApiModel]
    open_weights: dict[Name, OpenModel]


@functools.cache
def _catalog() -> ModelCatalog:
    text = resources.files("venturesim.model_costs").joinpath("data/models.yaml").read_text("utf-8")
    return validate_text(ModelCatalog, text, "models.yaml")


def _lookup(kind: str, table: dict, name: str):
    try:
        return table[name]
    except KeyError:
        hint = suggest(name, table)
        raise KeyError(
            f"unknown {kind} {name!r}; known: {', '.join(sorted(table))}"
            + (f"; did you mean {hint!r}?" if hint else "")
        ) from None


def api_model(name: str) -> ApiModel:
    """A vendor API model by name (KeyError with "did you mean" for an unknown one)."""
    return _lookup("API model", _catalog().api, name)


def open_model(name: str) -> OpenModel:
    """An open-weights model by name (KeyError with "did you mean" for an unknown one)."""
    return _lookup("open-weights model", _catalog().open_weights, name)


def open_model_loss(model: OpenModel) -> float:
    """Loss on the reference scale: the Chinchilla law at the model's N and D (nats/token).

    Llama 3.1 8B (8.03 B, 15 T): 1.9434; Llama 3.1 70B (70.6 B, 15 T): 1.8507.
    """
    return float(CHINCHILLA.loss(model.parameters, model.training_tokens))


def api_price_per_token(model: ApiModel, input_share: float = INPUT_SHARE) -> float:
    """Blended USD per token served: (s·p_in + (1 − s)·p_out) / 10⁶ (GPT-4o: (0.75·2.5 + 0.25·10)/10⁶ = 4.375e-6)."""
    if not 0 <= input_share <= 1:
        raise ValueError(f"input_share(={input_share}) must lie in [0, 1]")
    return (input_share * model.input_price_per_million + (1 - input_share) * model.output_price_per_million) / 1e6


def fine_tuning_gain(tokens, method: str = "full"):
    """Δ(D_F) = Δ_ref · (D_F / D_ref)^0.18, × 0.8 for LoRA, nats/token (module notes; 10⁸ tokens full: 0.08)."""
    if method not in ("full", "lora"):
        raise ValueError(f"method(={method!r}) must be 'full' or 'lora'")
    gain = FINE_TUNE_GAIN_REF * (tokens / FINE_TUNE_TOKENS_REF) ** TRANSFER_DATA_EXPONENT
    return gain * (LORA_GAIN_RATIO if method == "lora" else 1.0)


def fine_tuning_flops(parameters, tokens, method: str = "full"):
    """Training FLOPs of a fine-tune: 6·N·D (full) or (4·N + 6·N_a)·D with N_a = 0.005·N (LoRA)."""
    if method == "full":
        return 6.0 * parameters * tokens
    if method == "lora":
        return (4.0 + 6.0 * LORA_FRACTION) * parameters * tokens
    raise ValueError(f"method(={method!r}) must be 'full' or 'lora'")


@dataclass(frozen=True)
class Preset:
    """A starting model in a founder's words.

    strategy : "api" (served through a vendor's API) or "own" (open weights on own accelerators).
    api : the API model's catalogue name (strategy "api").
    open : the open model's catalogue name (strategy "own").
    fine_tune_tokens : tokens of a full fine-tune already done (0: the open model as released).
    """

    strategy: str
    api: str | None = None
    open: str | None = None
    fine_tune_tokens: float = 0.0

    def loss(self, frontier_now: float):
        """Loss on the reference scale, nats/token, given the frontier's loss now."""
        if self.strategy == "api":
            assert self.api is not None
            return frontier_now + (-api_model(self.api).gap_to_frontier)
        assert self.open is not None
        loss = open_model_loss(open_model(self.open))
        return loss - (fine_tuning_gain(self.fine_tune_tokens) if self.fine_tune_tokens else 0.0)

    @property
    def parameters(self) -> float | None:
        """N of a self-served model; None for an API model (its size is the vendor's)."""
        return None if self.open is None else open_model(self.open).parameters


PRESETS: dict[str, Preset] = {
    "frontier API": Preset("api", api="frontier_api"),
    "small API model": Preset("api", api="small_api"),
    "open 8B": Preset("own", open="llama_3_1_8b"),
    "open 70B": Preset("own", open="llama_3_1_70b"),
    "fine-tuned open 8B": Preset("own", open="llama_3_1_8b", fine_tune_tokens=FINE_TUNE_TOKENS_REF),
}
"""Founders' presets: "fine-tuned open 8B" is Llama 3.1 8B after a full fine-tune on 10⁸ tokens
(1.9434 − 0.08 = 1.8634 nats/token)."""


def preset(name: str) -> Preset:
    """A preset by its founder's name (KeyError with "did you mean" for an unknown one)."""
    return _lookup("model preset", PRESETS, name)


class MedianInputs:
    """A stand-in for :class:`venturesim.spec.sampling.Sampler` that draws every input at its median, one path.

    Each standard normal is 0, so an input is ppf(Φ(0)) = ppf(0.5) of its distribution (a time series:
    its knots, or its trend's start and growth, at their medians; a calibration's law: its middle
    posterior draw). :func:`~venturesim.model_costs.roadmap.sample_product` runs on it unchanged, in
    NumPy: ``venturesim validate`` imports no JAX (the Sampler's keyed draws do).
    """

    n = 1

    def __init__(self) -> None:
        self.draws: dict[str, np.ndarray] = {}

    def standard_normal(self, name: str) -> np.ndarray:
        """z = 0: the median of every input."""
        return np.zeros(self.n)

    def scalar(self, spec, name: str) -> np.ndarray:
        """The median of ``spec`` (a number: itself), shape (1,)."""
        from venturesim.spec.distributions import Spec

        if not isinstance(spec, Spec):
            return np.full(self.n, float(spec))
        value = np.asarray(spec.ppf(np.full(self.n, 0.5)), np.float64)
        self.draws[name] = value
        return value

    def series(self, spec, name: str, months: int) -> np.ndarray:
        """A time-varying input with its knots (or its trend's start and growth) at their medians, (1, months)."""
        from venturesim.spec.timeseries import draw_series

        return draw_series(self.scalar, spec, name, months)


def starting_quality(product) -> dict[str, float]:
    """What the product's month-0 model means for the market, with every input at its median.

    Runs the month rule (:func:`venturesim.model_costs.month_rules.month_figures`, nothing released yet)
    in NumPy on the product's inputs at their medians (:class:`MedianInputs`; no JAX is imported), and
    the quality response f(g; ε) = M^{tanh(εg / ln M)} (:func:`venturesim.market.adoption.quality_factor`)
    on that gap g (nats/token): adoption × f(g; ε_a), churn × f(−g; ε_c), price × f(g; ε_p), with the
    elasticities at their medians too. The gap and the cost are monotone in each input, so this is the
    median path's month 0 when one input is uncertain (and close to it otherwise).

    Returns
    -------
    dict with ``gap`` (nats/token, < 0: behind), ``adoption``, ``churn``, ``price`` (factors),
    ``cost_per_million`` (USD per 10⁶ tokens served at month 0).
    """
    from venturesim.market.adoption import quality_factor
    from venturesim.model_costs.month_rules import month_figures
    from venturesim.model_costs.roadmap import sample_product

    params = sample_product(product, MedianInputs(), 1)  # type: ignore[arg-type]
    never = np.full(params.loss.shape, np.inf)
    month = month_figures(never, never, never, params, 0)
    gap = float(month.quality_gap[0])
    M = float(params.quality_max_multiplier[0])
    return {
        "gap": gap,
        "adoption": float(quality_factor(gap, float(params.adoption_elasticity[0]), M, xp=np)),
        "churn": float(quality_factor(-gap, float(params.churn_elasticity[0]), M, xp=np)),
        "price": float(quality_factor(gap, float(params.price_elasticity[0]), M, xp=np)),
        "cost_per_million": float(month.cost_per_token[0]) * 1e6,
    }


def describe_starting_quality(product) -> str:
    """One line for ``venturesim validate``: the month-0 gap in words and what it does to the market
    ("your model starts 0.09 nats/token behind the frontier: adoption × 0.83, churn × 1.20 …")."""
    q = starting_quality(product)
    gap = q["gap"]
    where = (
        "level with the frontier"
        if abs(gap) < 5e-4
        else f"{abs(gap):.2f} nats/token {'behind' if gap < 0 else 'ahead of'} the frontier"
    )
    text = f"your model starts {where}: adoption × {q['adoption']:.2f}, churn × {q['churn']:.2f}"
    if product.quality_response.price:
        text += f", price × {q['price']:.2f}"
    return text + f" by your quality response; serving costs ${q['cost_per_million']:.2f} per 1M tokens"
